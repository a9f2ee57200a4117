"""One browser session's run: model A (and B in compare mode), stepped and drawn together.

Each session gets its own models (the page builds a ``Session`` per visitor),
so two trainers on one server never share a run. Stepping and drawing happen
under one lock, so a Play loop in its thread never draws a model mid-step.
Drawing happens right after each step, in the thread that stepped: the
server draws only compare mode's chart as a PNG. The live chart and the
networks are drawn in the browser (:mod:`dashboard.live_chart`,
:mod:`dashboard.network_view`), and their PNGs only when they are downloaded
(``picture``). ``last_ms`` is what a step plus its redraw took.
In workshop mode a session has a journal (``decisions.PageJournal``): every build
and step is logged there, which is all :func:`dashboard.decisions.replay` needs.
``Session.types`` reads run A's street by community type (:func:`type_rows`: the type mix
and this month's needs met by type, from the model's ``by_type`` tally).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np

from model import CommunityModel
from model.by_type import TYPE_COLUMNS
from model.params import COMMUNITY_TYPES

from . import i18n
from .compare import DEFAULT_OUTCOMES, CompareNumbers, ComparePlot, compare_numbers
from .controls import Settings, changed_levers, settings_to_scenario
from .decisions import settings_record
from .network import network_figure
from .plots import DEFAULT_SIZES, DPI, LivePlot, Sizes, to_png


def changes_label(a: Settings, b: Settings, lang: str, most: int = 3) -> str:
    """' (−fund, +incubators)': the levers B switches off (−), on (+) or sets differently (~) from A."""
    marks = []
    for key in changed_levers(a, b):
        on_a, on_b = a.enabled.get(key, False), b.enabled.get(key, False)
        mark = "~" if on_a == on_b else ("+" if on_b else "−")
        marks.append(mark + i18n.lever_label(key, lang))
    if not marks:
        return ""
    shown = marks[:most] + (["…"] if len(marks) > most else [])
    sep = "，" if lang == "zh" else ", "
    return f" ({sep.join(shown)})" if lang != "zh" else f"（{sep.join(shown)}）"


@dataclass(frozen=True)
class TypeRow:
    """One community type of a run's street: its committees and residents (full scale), and this month's
    needs met as a share of the needs closed (met or lapsed), counted and weighted by severity (None
    before the first month, or when none of the type's needs closed this month)."""

    ctype: str
    committees: int
    residents: float
    met_share: float | None
    met_weighted_share: float | None


def type_rows(model: CommunityModel) -> list[TypeRow]:
    """The street's community types in ``COMMUNITY_TYPES`` order, from the model's by-type tally's rows of
    the last month (before the first month: the mix alone, from the residents)."""
    tally = model.recorder.types
    if not tally.rows:
        r = model.residents
        residents = np.bincount(r.ctype, weights=np.diff(r.group_start, axis=1).sum(axis=1),
                                minlength=len(COMMUNITY_TYPES)) / model.scale
        return [TypeRow(COMMUNITY_TYPES[t], int(tally.committees[t]), float(residents[t]), None, None)
                for t in tally.present.tolist()]
    col = {name: 3 + i for i, name in enumerate(TYPE_COLUMNS)}
    out = []
    for row in tally.rows[-1]:
        if row[2] >= 0:  # a group within the type; the type's own row has group -1
            continue
        closed = row[col["needs_met"]] + row[col["needs_lapsed"]] > 0
        out.append(TypeRow(COMMUNITY_TYPES[int(row[1])], int(row[col["committees"]]), float(row[col["residents"]]),
                           float(row[col["needs_met_share"]]) if closed else None,
                           float(row[col["needs_met_weighted_share"]]) if closed else None))
    return out


class Session:
    """The run(s) behind one page."""

    def __init__(self, journal=None) -> None:
        self.lock = threading.RLock()
        self.journal = journal  # a decisions.PageJournal in workshop mode: builds and steps are logged
        self.a: CommunityModel | None = None
        self.b: CommunityModel | None = None
        self.settings_a: Settings | None = None
        self.settings_b: Settings | None = None
        self.last_ms = 0.0
        self.last_cpu_ms = 0.0
        self.last_draw_ms = 0.0
        self._live: tuple[tuple, LivePlot] | None = None
        self._compare: tuple[tuple, ComparePlot] | None = None
        self.sizes: Sizes = DEFAULT_SIZES  # the pictures' pixel sizes, set by the page from the window's width
        self.images: dict[str, bytes] = {}  # the PNG pictures last drawn: compare mode's chart
        self.lang = "zh"  # the language of the last drawing

    # -- building ------------------------------------------------------------------
    def build(self, a: Settings, b: Settings | None = None) -> None:
        """New model(s) from validated settings; raises ScenarioError and keeps the old run if invalid."""
        sc_a = settings_to_scenario(a)
        sc_b = settings_to_scenario(b) if b is not None else None
        model_a = CommunityModel(sc_a, rng=a.seed)
        model_b = CommunityModel(sc_b, rng=a.seed) if sc_b is not None else None  # same seed: common random numbers
        with self.lock:
            self.a, self.b = model_a, model_b
            self.settings_a, self.settings_b = a.copy(), (b.copy() if b is not None else None)
            if self.journal is not None:
                self.journal.record("build", a=settings_record(a), b=settings_record(b) if b is not None else None)

    @property
    def compare(self) -> bool:
        """True when a second run (B) is being compared."""
        return self.b is not None

    @property
    def month(self) -> int:
        """Months simulated so far."""
        return 0 if self.a is None else int(self.a.month)

    @property
    def current(self) -> dict[str, float]:
        """Run A's outcomes this month (empty before the first month)."""
        with self.lock:
            return dict(self.a.recorder.current) if self.a is not None else {}

    @property
    def types(self) -> list[TypeRow]:
        """Run A's street by community type this month (empty before the first build)."""
        with self.lock:
            return type_rows(self.a) if self.a is not None else []

    @property
    def gap(self) -> dict | None:
        """Run A's gap between committees over its last 12 months at most (``Recorder.committee_gap``;
        None before the first month)."""
        with self.lock:
            if self.a is None or self.a.month == 0:
                return None
            return self.a.recorder.committee_gap(min(12, int(self.a.month)))

    @property
    def months(self) -> int:
        """Length of the run (the scenario's months)."""
        return 0 if self.a is None else int(self.a.spec.scenario.months)

    @property
    def done(self) -> bool:
        """True at the end of the run."""
        return self.a is not None and self.month >= self.months

    # -- running -------------------------------------------------------------------
    def step(self) -> None:
        """One month of every run."""
        with self.lock:
            if self.a is None or self.done:
                return
            self.a.step()
            if self.b is not None:
                self.b.step()
            if self.journal is not None:
                self.journal.record("step", month=self.month)

    def run_to(self, month: int, lang: str, outcomes: tuple[str, ...] | list[str] = DEFAULT_OUTCOMES) -> dict[str, bytes]:
        """Step every run to ``month`` (at most the run's length; an earlier month rebuilds the runs from
        their settings first) and draw once."""
        with self.lock:
            if self.a is None:
                return {}
            if month < self.month:
                self.build(self.settings_a, self.settings_b)
            while self.month < min(month, self.months):
                self.step()
            return self.render(lang, outcomes)

    @property
    def pictures(self) -> tuple[str, ...]:
        """The names of the pictures the page can download: "live" and "network", or compare mode's three."""
        return ("compare", "network_a", "network_b") if self.compare else ("live", "network")

    def picture(self, name: str) -> bytes:
        """The PNG of picture ``name`` as the page shows it: "compare" as last drawn, the others ("live",
        "network", "network_a", "network_b") drawn now (matplotlib) at the page's size, in the last language
        shown."""
        if name == "live":
            return self.live_png()
        if name == "compare":
            return self.images[name]
        with self.lock:
            model = self.b if name == "network_b" else self.a
            title = None if name == "network" else self.titles(self.lang)["ab".index(name[-1])]
            size = self.sizes.network if name == "network" else self.sizes.pair
            return to_png(network_figure(model, self.lang, title, (size[0] / DPI, size[1] / DPI), "bottom"))

    def live_png(self) -> bytes:
        """The live chart of run A drawn as a PNG (matplotlib) at the page's size, in the last language shown."""
        with self.lock:
            return self._live_plot(self.a, self.lang).png(self.a)

    def titles(self, lang: str) -> tuple[str, str]:
        """Compare mode's titles of runs A and B: their presets, and the levers B changes."""
        label_a = f"{i18n.ui('setting_a', lang)}: {i18n.preset_label(self.settings_a.preset, lang)}"
        label_b = f"{i18n.ui('setting_b', lang)}: {i18n.preset_label(self.settings_b.preset, lang)}"
        return label_a, label_b + changes_label(self.settings_a, self.settings_b, lang)

    def render(self, lang: str, outcomes: tuple[str, ...] | list[str] = DEFAULT_OUTCOMES) -> dict[str, bytes]:
        """The PNG pictures of the current state, by name: compare mode's chart ("compare"); none in live mode
        (the live chart and the networks are drawn in the browser)."""
        t0 = time.perf_counter()
        with self.lock:
            a, b = self.a, self.b
            self.lang = lang
            if a is None:
                return {}
            out = {}
            if b is not None:
                label_a, label_b = self.titles(lang)
                out["compare"] = self._compare_plot(a, b, outcomes, lang, label_a, label_b).png(a, b)
        self.last_draw_ms = (time.perf_counter() - t0) * 1000
        self.images = out
        return out

    def numbers(self, outcomes: tuple[str, ...] | list[str] = DEFAULT_OUTCOMES) -> CompareNumbers | None:
        """Compare mode's numbers (A, B, B − A, cumulative needs met and spending); None without run B."""
        with self.lock:
            if self.a is None or self.b is None:
                return None
            return compare_numbers(self.a, self.b, outcomes)

    def _live_plot(self, model: CommunityModel, lang: str) -> LivePlot:
        """The live figure (PNG) kept for this run and language (it redraws only what a month changes)."""
        key = (id(model), lang, self.sizes)
        if self._live is None or self._live[0] != key:
            self._live = (key, LivePlot(lang, model.spec.scenario.months, self.sizes))
        return self._live[1]

    def _compare_plot(self, a: CommunityModel, b: CommunityModel, outcomes, lang: str, label_a: str,
                      label_b: str) -> ComparePlot:
        """The compare figure kept for these runs, outcomes and language."""
        key = (id(a), id(b), tuple(outcomes), lang, label_a, label_b, self.sizes)
        if self._compare is None or self._compare[0] != key:
            self._compare = (key, ComparePlot(outcomes, lang, label_a, label_b, a.spec.scenario.months, self.sizes))
        return self._compare[1]

    def advance(self, lang: str, outcomes: tuple[str, ...] | list[str] = DEFAULT_OUTCOMES,
                expect: CommunityModel | None = None) -> dict[str, bytes] | None:
        """Step every run one month and redraw; records ``last_ms`` (wall) and ``last_cpu_ms`` (this thread's CPU).

        With ``expect``, does nothing and returns None unless run A is still that model
        (a Play loop must not step a run that a Reset has just replaced).
        """
        t0, c0 = time.perf_counter(), time.thread_time()
        with self.lock:
            if expect is not None and self.a is not expect:
                return None
            self.step()
            images = self.render(lang, outcomes)
        self.last_ms = (time.perf_counter() - t0) * 1000
        self.last_cpu_ms = (time.thread_time() - c0) * 1000
        return images
