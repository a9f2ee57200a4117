"""Which figures an experiment has, and drawing them here or on the pool that ran the runs.

After the runs the pool's workers are idle; drawing the figures there (in
parallel, the figure over time as soon as the runs are collected, the others
once the tables are built) takes them off the serial tail of an experiment.
A figure has the same bytes in whichever process draws it (see
:func:`experiments.figures.render`). This module does not import matplotlib:
the parent needs it only when it draws the figures itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from .analysis import Collected, Tables
    from .spec import Experiment

FIGURES = {
    # kind: (what it is drawn from: "col" the collected runs, or "tables"; file name)
    "time": ("col", "outcomes_over_time.png"),
    "forest": ("tables", "effects_forest.png"),
    "frontier": ("tables", "cost_outcome_frontier.png"),
    "groups": ("tables", "needs_met_by_group.png"),
    "sensitivity": ("tables", "sensitivity.png"),
    "attribution": ("tables", "attribution.png"),
}
"""Every figure, in the report's order."""


class FigureJobs:
    """The figures of one experiment, drawn in this process or on a pool (``submit(fn, *args) -> Future``).

    ``start_col`` can be called as soon as the runs are collected, ``start_tables`` when the tables are
    built; ``finish`` waits for every figure, removes the files of figures that do not apply and returns
    ``{kind: path}`` in the report's order.
    """

    def __init__(self, exp: "Experiment", root: Path, lang: str, submit: Callable[..., Any] | None = None):
        self.exp, self.lang, self.submit = exp, lang, submit
        self.folder = root / "figures"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.jobs: dict[str, Any] = {}

    def _start(self, source: str, data: Any) -> None:
        for kind, (needs, name) in FIGURES.items():
            if needs != source:
                continue
            path = self.folder / name
            if self.submit is None:
                from .figures import render

                self.jobs[kind] = render(kind, self.exp, data, self.lang, path)
            else:
                from .worker import render_figure

                self.jobs[kind] = self.submit(render_figure, kind, self.exp, data, self.lang, path)

    def start_col(self, col: "Collected") -> None:
        self._start("col", col)

    def start_tables(self, tables: "Tables") -> None:
        self._start("tables", tables)

    def finish(self) -> dict[str, Path]:
        out: dict[str, Path] = {}
        for kind, (_, name) in FIGURES.items():
            job = self.jobs[kind]
            made = job.result() if self.submit is not None else job
            if made is None:
                (self.folder / name).unlink(missing_ok=True)
            else:
                out[kind] = made
        return out
