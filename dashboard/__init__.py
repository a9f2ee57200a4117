"""The workshop dashboard: the model in the browser, in Chinese and English (``python run.py dashboard``).

| module | what |
|---|---|
| ``app.py`` | the Solara page (SolaraViz-style controls, live plots, network, compare mode) |
| ``controls.py`` | sliders and switches generated from the parameter register; validation |
| ``i18n.py`` + ``messages.toml`` | every label, unit and tooltip in zh and en |
| ``plots.py`` | live outcome plots in the CJK font of ``experiments/fonts.py`` |
| ``network.py`` | the linkage network drawing |
| ``compare.py`` | two settings, one seed, their difference over time |
| ``session.py`` | one page's run(s): step, draw, time it |
| ``server.py`` | start/stop ``solara run`` safely (127.0.0.1, no telemetry) |
| ``assets.py`` | Solara's JS/CSS cached locally (works with no internet) |
"""
