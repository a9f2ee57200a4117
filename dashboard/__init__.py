"""The workshop dashboard: the model in the browser, in Chinese and English (``python run.py dashboard``).

| module | what |
|---|---|
| ``app.py`` | the Solara page (SolaraViz-style controls, live plots, network, compare mode) |
| ``controls.py`` | sliders and switches generated from the parameter register; validation |
| ``i18n.py`` + ``messages.toml`` | every label, unit and tooltip in zh and en |
| ``live_chart.py`` + ``live_chart.vue`` | the live chart drawn in the browser (ECharts): a step sends the month's numbers |
| ``plots.py`` | the live chart's panels; its PNG (downloads) in the CJK font of ``experiments/fonts.py``; monitors |
| ``network.py`` | the linkage network's layout, and its PNG (downloads, reports) |
| ``network_view.py`` + ``network_view.vue`` | the network drawn in the browser (SVG): a step sends the month's changes |
| ``compare.py`` | two settings, one seed, their difference over time |
| ``session.py`` | one page's run(s): step, draw, time it |
| ``url_sync.py`` | the setting, language, compare mode and month in the URL |
| ``server.py`` | start/stop the server safely (127.0.0.1 unless workshop mode, no telemetry) |
| ``gate.py`` | workshop mode's server: the join-code gate in front of Solara (HTTP 403 without the code) |
| ``workshop.py`` | workshop mode's codes and team registry |
| ``workshop_page.py`` | workshop mode's page: a team's dashboard or the facilitator's view |
| ``decisions.py`` | the decision log (JSON lines) and the replay of a team's run |
| ``assets.py`` | Solara's JS/CSS and ECharts cached locally (works with no internet) |
"""
