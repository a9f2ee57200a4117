"""Experiments: many runs of several arms, compared with confidence intervals.

    from experiments import load_experiment, run_experiment
    exp = load_experiment("experiments/default.toml")      # validated; ExperimentError lists every problem
    result = run_experiment(exp, Path("results/default"), workers=2)

Modules, in the order a run goes through them:

| module | what |
|---|---|
| ``spec.py`` | experiment files: what they may hold (pydantic), the validated ``Experiment`` |
| ``load.py`` | reading and checking an experiment file (through ``model.inputs``), ``ExperimentError`` |
| ``uncertainty.py`` | draws of the register's uncertain entries, tie rules, the uncertainty statistics |
| ``posterior.py`` | reading a calibration posterior folder and drawing particles by weight |
| ``design.py`` | run seeds (common random numbers), sweep designs (grid, LHS, Sobol, Morris), attribution arms, the plan |
| ``checkout.py`` | the digest of this checkout's code (part of every run's identity) |
| ``executors.py`` | in-process, local process pool, Dask distributed |
| ``worker.py`` | one run: scenario, model, Parquet bytes; the ``MALLOC_TRIM_THRESHOLD_`` fix |
| ``reduce.py`` | one run reduced to what the analysis needs (done in the worker) |
| ``store.py`` | the results folder: atomic run files and manifest entries, resume |
| ``runner.py`` | progress, failures, auto replications, then tables, figures, report |
| ``analysis.py`` | summaries, paired effects, Holm, cost-effectiveness, sensitivity (SALib), Shapley attribution |
| ``figures.py`` | matplotlib figures (CJK font for ``--lang zh``) |
| ``fonts.py`` | the font with Chinese glyphs for every zh figure (reports and dashboard; ``mplfonts``) |
| ``report.py``, ``report_types.py``, ``report_posterior.py``, ``i18n.py`` | report.md and report.html in English or Chinese |
| ``cli.py`` | the ``experiment`` subcommand of run.py |
| ``validation.py`` | ``run.py check-history``: the history against cited figures in and out of sample, posterior predictive (docs/validation.md) |
| ``publish_sensitivity.py`` | docs/sensitivity.md from a finished Sobol experiment (ranking of assumptions, tables, figure) |

The file format, statistics and outputs are documented in ``docs/experiments.md``.
"""

from typing import Any

__all__ = ["Experiment", "ExperimentError", "load_experiment", "run_experiment"]


def __getattr__(name: str) -> Any:
    """Import on use, so that ``run.py --help`` and the other subcommands stay quick."""
    if name == "Experiment":
        from .spec import Experiment

        return Experiment
    if name in ("ExperimentError", "load_experiment"):
        from . import load

        return getattr(load, name)
    if name == "run_experiment":
        from .runner import run_experiment

        return run_experiment
    raise AttributeError(f"module 'experiments' has no attribute {name!r}")
