"""The workshop dashboard page (``python run.py dashboard``; Solara app ``dashboard.app``).

It follows Mesa's SolaraViz (``mesa.visualization.solara_viz``): a sidebar
with Reset / ▶ ❚❚ / Step and the model's inputs, the model rebuilt on Reset
from the inputs, plots redrawn after every step, Play stepping in a background
task. It does not call ``SolaraViz`` itself because Mesa 3.5 hard-codes its
controls' labels in English ("Controls", "Model Parameters", "Page 0"...), and
every label here must come in Chinese too; its reset passes inputs straight to
the model's constructor, while ours must go through scenario validation.

What the page offers:

* a preset picker, every lever's parameters as sliders and switches (generated
  from the parameter register by :mod:`dashboard.controls`), the world size and
  an integer seed; invalid settings are reported and change nothing;
* live outcomes, the linkage network, and a compare mode (two settings, one
  seed, their difference over time);
* Chinese and English for every label, unit and tooltip (:mod:`dashboard.i18n`);
* saving and sharing (:mod:`dashboard.export`): the run's time series (CSV), the
  charts (PNG), the setting as a scenario file (TOML) and the ``run.py simulate``
  command that reproduces the run; the URL's query string carries the sidebar's
  setting, the language, compare mode with setting B and the month
  (:mod:`dashboard.url_sync`: a refresh or a shared link restores them);
  "restore preset" and "run to month N".

No code console, no eval of input: every input is a typed widget value that
reaches the model only through ``model.scenario.with_overrides``.

Projector first: every picture is drawn at the size it is shown (the invisible
``WindowWidth`` widget reports the window's width; ``page_sizes`` turns it into
pixel sizes), monitors sit in a two-row band, the network stands beside the
charts when there is room, and the presenter switch hides the sidebar.

Layout: the CSS, ``WindowWidth``, ``page_sizes`` and a warm-up thread; small formatters
(``format_control``, ``problem_lines``); the widgets ``ControlInput``, ``LeverPanels``, ``Monitors``;
``PageState`` (the session and the reactive values, made by ``use_page_state``
from the URL's query) and ``PageActions`` (what every button and picker does);
``use_setting_log`` (workshop mode's log of setting changes); ``use_fitted_sizes`` (redraw when the width or
presenter mode changes); ``Page``, which lays out ``app_bar``, the sidebar's cards (``run_card`` with ``run_to_row`` and ``settings_state``,
``scenario_card``, ``world_card``, the levers, ``SaveCard``) and ``live_view`` or
``compare_view`` (with ``CompareTable``: the numbers); ``CompareSettings`` (setting B).
"""

from __future__ import annotations

import math
import re
import threading
import time
from dataclasses import dataclass, replace

import ipyvue
import solara
import solara.lab
import traitlets

from model.scenario import ScenarioError

from . import i18n
from .compare import DEFAULT_OUTCOMES, MAX_OUTCOMES, SAME_AS_A, ratio_lines, settings_b, table_rows
from .controls import (
    DEFAULT_PRESET,
    MAX_SEED,
    Control,
    Settings,
    all_controls,
    changed_levers,
    dashboard_presets,
    lever_controls,
    settings_from_preset,
    world_controls,
    world_limits,
)
from .export import Decoded, View, decode_query, scenario_toml, simulate_command, timeseries_csv, toml_filename
from .plots import MONITORS, Sizes, format_value, monitor_label, sizes_for
from .session import Session
from .url_sync import use_url_sync

DEFAULT_INTERVAL_MS = 200
DEFAULT_WIDTH = 1280  # the window's width in CSS px until the browser reports it
SIDEBAR_PX = 400  # Solara's sidebar
PAGE_MARGIN_PX = 32  # the content area's padding and a scroll bar
LANG_NAMES = {"zh": "中文", "en": "English"}
CSS = """
.dash-control { margin-bottom: 4px; }
.dash-control .v-input__slot { margin-bottom: 0 !important; }
.dash-control-label { font-size: 13px; line-height: 1.3; }
.dash-monitors { display: grid !important; grid-template-columns: repeat(8, minmax(0, 1fr)); gap: 4px;
                 width: 100%; margin-bottom: 8px; }
.dash-monitor { padding: 3px 6px; min-width: 0; border: 1px solid #ddd; border-radius: 4px; background: #fafafa; }
.dash-monitor-value { font-size: 18px; font-weight: 500; line-height: 1.2; white-space: nowrap; }
.dash-monitor-label { font-size: 13px; color: #555; line-height: 1.2; }
.dash-img img, img.dash-img { max-width: 100%; height: auto; display: block; }
.dash-pictures { display: flex; gap: 16px; align-items: flex-start; flex-wrap: nowrap; }
.dash-pictures.dash-below { flex-direction: column; }
div:has(> b > a[href="https://solara.dev"]) { display: none !important; }  /* Solara's English badge */
"""


class WindowWidth(ipyvue.VueTemplate):
    """An invisible widget that reports the browser window's width (CSS px, without a scroll bar)."""

    template = traitlets.Unicode("""<template><span style="display: none"></span></template>
<script>
module.exports = {
  mounted() {
    this.report = () => { this.width = document.documentElement.clientWidth; };
    this.report();
    window.addEventListener("resize", this.report);
  },
  destroyed() { window.removeEventListener("resize", this.report); },
};
</script>""").tag(sync=True)
    width = traitlets.Int(0).tag(sync=True)


def page_sizes(width: int, presenter: bool) -> Sizes:
    """The pictures' sizes for a window ``width`` px wide, with the sidebar unless ``presenter``."""
    return sizes_for(width - (0 if presenter else SIDEBAR_PX) - PAGE_MARGIN_PX)


def _warm_up() -> None:
    """Step a tiny model once, so compiling the model's numba kernels does not delay the first click."""
    from model import CommunityModel, load_scenario
    from model.scenario import with_overrides

    small = with_overrides(load_scenario(DEFAULT_PRESET), {"world.committees_per_street": 2,
                                                          "world.residents_per_committee": 200})
    CommunityModel(small, rng=0).step()


threading.Thread(target=_warm_up, name="dashboard-warm-up", daemon=True).start()


def _first_run(search: str | None, journal=None) -> tuple[Session, Decoded, list | None]:
    """The session of a new page (logging to ``journal`` in workshop mode), built from the URL's query
    string: (session, what the query said, validation problems when that setting is invalid and the
    default setting was built instead)."""
    decoded = decode_query(search)
    session = Session(journal)
    view, a = decoded.view, decoded.settings
    try:
        session.build(a, settings_b(a, view.b_base, view.b_enabled()) if view.mode == "compare" else None)
    except ScenarioError as exc:
        session.build(decode_query("").settings)
        return session, replace(decoded, view=View()), list(exc.problems)
    while session.month < min(view.month, session.months):  # the link's month
        session.step()
    return session, decoded, None


def Line(text: str, classes: list[str] | None = None, style: str = ""):
    """A line of plain text (a block, unlike ``solara.Text``)."""
    return solara.v.Html(tag="div", children=[text], class_=" ".join(classes or []), style_=style)


def _bound(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{int(x):,}" if float(x).is_integer() else f"{x:g}"


def _decimals(step: float) -> int:
    return max(0, -math.floor(math.log10(step))) if step < 1 else 0


PERCENT_UNITS = ("per month while registering",)  # rates shown in %, like every "share ..." unit


def format_control(ctl: Control, value: float, lang: str) -> str:
    """A control's value written as people read it: '50%（占房租）', '6 个月', '1,500,000 元'."""
    if ctl.unit.startswith("share") or ctl.unit in PERCENT_UNITS:
        pct = f"{100 * float(value):.{_decimals(100 * ctl.step)}f}%"
        if ctl.unit in PERCENT_UNITS:
            return i18n.with_unit(pct, ctl.unit, lang)
        return i18n.share_with_unit(pct, ctl.unit, lang)
    if ctl.kind == "int":
        text = f"{int(value):,}"
    else:
        text = f"{float(value):,.{_decimals(ctl.step)}f}"
    return i18n.with_unit(text, ctl.unit, lang)


def parse_seed(text: str) -> int | str:
    """The seed typed in the box: an int when it is a whole number, else the text (Reset reports it)."""
    text = text.strip().replace(",", "")
    return int(text) if re.fullmatch(r"-?\d+", text) else text


def problem_lines(problems: list[tuple[str, str]], lang: str) -> list[str]:
    """Validation problems in ``lang``, with the control's label where the path is one of ours."""
    controls = all_controls()
    lines = []
    for path, msg in problems:
        if path in controls:
            where = i18n.field_label(path, lang)
        elif path in ("seed", "preset", "world"):
            where = i18n.ui(path, lang)
        else:
            where = path or "-"
        lines.append(f"{where}: {i18n.problem_text(msg, lang)}")
    return lines


@solara.component
def ControlInput(ctl: Control, value: float, on_value, lang: str, disabled: bool = False):
    """A slider or switch generated from a register entry, with label, unit and tooltip."""
    label = i18n.field_label(ctl.path, lang)
    tip = i18n.field_tip(ctl.path, lang, ctl.doc)
    if ctl.source:
        tip += " " + i18n.ui("tip_source", lang, source=i18n.source(ctl.source, lang),
                             lo=_bound(ctl.valid_lo), hi=_bound(ctl.valid_hi))
    with solara.Column(classes=["dash-control"], gap="0px"):
        if ctl.kind == "switch":
            with solara.Tooltip(tip):
                solara.Switch(label=label, value=bool(value), disabled=disabled,
                              on_value=lambda v: on_value(1.0 if v else 0.0))
            return
        with solara.Tooltip(tip):
            Line(f"{label}: {format_control(ctl, value, lang)}", ["dash-control-label"])
        if ctl.kind == "int":
            solara.SliderInt("", value=int(value), min=int(ctl.lo), max=int(ctl.hi), step=int(ctl.step),
                             on_value=on_value, disabled=disabled)
        else:
            solara.SliderFloat("", value=float(value), min=ctl.lo, max=ctl.hi, step=ctl.step,
                               on_value=on_value, disabled=disabled)


@solara.component
def LeverPanels(settings: solara.Reactive[Settings], lang: str):
    """One expansion panel per lever: an on/off switch and its parameter sliders."""

    def set_value(path, v):
        s = settings.value.copy()
        s.values[path] = v
        settings.set(s)

    def set_enabled(key, on):
        s = settings.value.copy()
        s.enabled[key] = bool(on)
        settings.set(s)

    with solara.v.ExpansionPanels(accordion=True, multiple=True):
        for key, ctls in lever_controls().items():
            on = settings.value.enabled.get(key, False)
            with solara.v.ExpansionPanel(class_="dash-lever"):
                with solara.v.ExpansionPanelHeader():
                    with solara.Tooltip(i18n.lever_tip(key, lang)):
                        solara.Text(("● " if on else "○ ") + i18n.lever_label(key, lang))
                with solara.v.ExpansionPanelContent():
                    solara.Switch(label=i18n.ui("lever_on", lang), value=on,
                                  on_value=lambda v, key=key: set_enabled(key, v), classes=["dash-lever-switch"])
                    for ctl in ctls:
                        ControlInput(ctl, settings.value.values.get(ctl.path, ctl.default),
                                     lambda v, p=ctl.path: set_value(p, v), lang, disabled=not on)


@solara.component
def Monitors(session: Session, lang: str, tick: int):
    """This month's key outcomes as numbers (``tick`` changes every step, so they re-render)."""
    current = session.current
    with solara.Div(classes=["dash-monitors"]):
        for name in MONITORS:
            value = current.get(name, float("nan"))
            with solara.Tooltip(i18n.outcome_tip(name, lang)):
                with solara.Div(classes=["dash-monitor"]):
                    Line(monitor_label(name, session.month, lang), ["dash-monitor-label"])
                    Line(format_value(name, value, lang), ["dash-monitor-value"])


def _select(label: str, items: list[tuple[str, str]], value: str, on_value, classes: list[str]):
    """A drop-down whose entries show a label but carry a key."""
    return solara.v.Select(label=label, items=[{"text": t, "value": v} for v, t in items], v_model=value,
                           on_v_model=on_value, class_=" ".join(classes), dense=True, hide_details=True)


@dataclass(frozen=True)
class PageState:
    """The page's state: the session (the runs) and the reactive values the widgets show."""

    session: Session
    lang: solara.Reactive[str]
    settings: solara.Reactive[Settings]  # setting A, as the sidebar shows it (applied on Reset)
    mode: solara.Reactive[str]  # "live" or "compare"
    b_base: solara.Reactive[str]  # where setting B starts from: SAME_AS_A or a preset
    b_enabled: solara.Reactive[dict]  # setting B's lever switches
    outcomes: solara.Reactive[list]  # the outcomes compare mode plots
    images: solara.Reactive[dict]  # the pictures last drawn, by key
    problems: solara.Reactive[list | None]  # the last validation problems, if any
    playing: solara.Reactive[bool]
    interval: solara.Reactive[int]  # ms between Play's steps
    tick: solara.Reactive[int]  # changes on every step, reset and redraw
    target: solara.Reactive[int | None]  # the month "run to month" runs to
    url_problems: solara.Reactive[list]  # what the URL's query held that could not be used
    width: solara.Reactive[int]  # the browser window's width in CSS px
    presenter: solara.Reactive[bool]  # presenter mode: no sidebar, pictures use the full width


def use_page_state(journal=None) -> PageState:
    """Create (on the first render) or fetch the page's state; call once per render of ``Page``."""
    router = solara.use_router()
    session, decoded, invalid = solara.use_memo(lambda: _first_run(router.search, journal), [])
    lang = solara.use_reactive(decoded.lang or i18n.initial_lang())
    settings = solara.use_reactive(decoded.settings.copy())
    mode = solara.use_reactive(decoded.view.mode)
    b_base = solara.use_reactive(decoded.view.b_base)
    b_enabled = solara.use_reactive(dict((session.settings_b or session.settings_a).enabled))
    outcomes = solara.use_reactive(list(DEFAULT_OUTCOMES))
    first_images = solara.use_memo(lambda: session.render(lang.value, outcomes.value), [])
    return PageState(session=session, lang=lang, settings=settings, mode=mode, b_base=b_base,
                     b_enabled=b_enabled, outcomes=outcomes, images=solara.use_reactive(first_images),
                     problems=solara.use_reactive(invalid), playing=solara.use_reactive(False),
                     interval=solara.use_reactive(DEFAULT_INTERVAL_MS), tick=solara.use_reactive(0),
                     target=solara.use_reactive(12), url_problems=solara.use_reactive(list(decoded.problems)),
                     width=solara.use_reactive(DEFAULT_WIDTH), presenter=solara.use_reactive(False))


class PageActions:
    """What the page's buttons, switches and pickers do to its state."""

    def __init__(self, st: PageState):
        self.st = st

    def redraw(self) -> None:
        """Draw the pictures again (language or outcomes changed, or a new run)."""
        st = self.st
        st.images.set(st.session.render(st.lang.value, st.outcomes.value))
        st.tick.set(st.tick.value + 1)

    def current_b(self, s: Settings) -> Settings:
        """Setting B for setting A ``s``."""
        return settings_b(s, self.st.b_base.value, self.st.b_enabled.value)

    def pending(self) -> bool:
        """Whether the sidebar's settings differ from the runs shown (Reset applies them)."""
        st = self.st
        return st.session.settings_a != st.settings.value or (
            st.mode.value == "compare" and st.session.settings_b != self.current_b(st.settings.value))

    def reset(self, new: Settings | None = None, new_mode: str | None = None) -> None:
        """Stop Play and rebuild the runs from the settings; invalid settings are reported and change nothing."""
        st = self.st
        st.playing.set(False)
        s = new if new is not None else st.settings.value
        m = new_mode if new_mode is not None else st.mode.value
        try:
            st.session.build(s, self.current_b(s) if m == "compare" else None)
        except ScenarioError as exc:
            st.problems.set(list(exc.problems))
            return
        st.problems.set(None)
        self.redraw()

    def step(self, model=None) -> None:
        """One month; from the Play loop, only while ``model`` is still the session's (no Reset since)."""
        st = self.st
        if st.session.done:
            return
        pictures = st.session.advance(st.lang.value, st.outcomes.value, expect=model)
        if pictures is None or (model is not None and st.session.a is not model):
            return  # a Reset replaced the run Play was stepping: leave the new run alone
        st.images.set(pictures)
        st.tick.set(st.tick.value + 1)

    def play_loop(self) -> None:
        """Step every ``interval`` ms while Play is on and the run is the one Play started."""
        st = self.st
        model = st.session.a
        while st.playing.value and st.session.a is model:
            t0 = time.perf_counter()
            self.step(model)
            if st.session.done:
                st.playing.set(False)
                break
            time.sleep(max(0.0, st.interval.value / 1000 - (time.perf_counter() - t0)))

    def run_to(self, month: int | None = None) -> None:
        """Stop Play and simulate to ``month`` (default: the one in the "run to month" box; an earlier month
        starts again)."""
        st = self.st
        month = st.target.value if month is None else month
        if not isinstance(month, int) or month < 0:
            return
        st.playing.set(False)
        st.images.set(st.session.run_to(month, st.lang.value, st.outcomes.value))
        st.tick.set(st.tick.value + 1)

    def restore_preset(self) -> None:
        """Every setting back to the chosen preset's values (the seed kept), and rebuild."""
        self.choose_preset(self.st.settings.value.preset)

    def apply_query(self, search: str) -> None:
        """Take the setting, language, mode, setting B and month from a query string (a link opened in this
        page), rebuild and run to that month."""
        st = self.st
        decoded = decode_query(search)
        view = decoded.view
        st.url_problems.set(list(decoded.problems))
        if decoded.lang is not None:
            st.lang.set(decoded.lang)
        st.settings.set(decoded.settings)
        st.mode.set(view.mode)
        st.b_base.set(view.b_base)
        st.b_enabled.set(view.b_enabled() if view.mode == "compare" else dict(decoded.settings.enabled))
        self.reset(decoded.settings, new_mode=view.mode)
        if view.month and st.problems.value is None:
            self.run_to(view.month)

    def set_value(self, path: str, v: float) -> None:
        """Set one parameter of setting A."""
        s = self.st.settings.value.copy()
        s.values[path] = v
        self.st.settings.set(s)

    def choose_preset(self, name: str) -> None:
        """Load a preset into A (and B's start) and rebuild."""
        st = self.st
        if name not in dashboard_presets():
            return
        s = settings_from_preset(name, seed=st.settings.value.seed)
        st.settings.set(s)
        st.b_base.set(SAME_AS_A)
        st.b_enabled.set(dict(s.enabled))
        self.reset(s)

    def choose_lang(self, value: str) -> None:
        """Switch the language and redraw."""
        if value in i18n.LANGS:
            self.st.lang.set(value)
            self.redraw()

    def choose_mode(self, value: str) -> None:
        """Switch between live and compare mode and rebuild."""
        st = self.st
        if value not in ("live", "compare") or value == st.mode.value:
            return
        st.mode.set(value)
        if value == "compare" and st.b_base.value == SAME_AS_A:
            st.b_enabled.set(dict(st.settings.value.enabled))
        self.reset(new_mode=value)

    def choose_b_base(self, value: str) -> None:
        """Start setting B from A or a preset (its lever switches follow)."""
        st = self.st
        if value != SAME_AS_A and value not in dashboard_presets():
            return
        st.b_base.set(value)
        base = st.settings.value if value == SAME_AS_A else settings_from_preset(value)
        st.b_enabled.set(dict(base.enabled))

    def choose_outcomes(self, values) -> None:
        """Choose the outcomes compare mode plots (the defaults when none is valid) and redraw."""
        from model import OUTCOME_NAMES

        chosen = [v for v in (values or []) if v in OUTCOME_NAMES][:MAX_OUTCOMES]
        self.st.outcomes.set(chosen or list(DEFAULT_OUTCOMES))
        self.redraw()


@solara.component
def Page(journal=None, on_session=None):
    """The dashboard: the app bar, the sidebar's cards, then the live or the compare view. In workshop
    mode (:mod:`dashboard.workshop_page`) ``journal`` logs the team's decisions and ``on_session``
    receives the page's session once (the facilitator's view reads it)."""
    st = use_page_state(journal)
    solara.use_memo(lambda: on_session(st.session) if on_session else None, [])
    use_setting_log(st, journal)
    act = PageActions(st)
    L = st.lang.value
    _ = st.tick.value  # read here so that every step/reset re-renders the page (month, buttons, pending)
    solara.lab.use_task(act.play_loop, dependencies=[st.playing.value], prefer_threaded=True)
    use_url_sync(st, act)
    use_fitted_sizes(st, act)

    solara.Title(i18n.ui("title", L))
    solara.Style(CSS)
    app_bar(st, act)
    WindowWidth.element(on_width=lambda w: st.width.set(w) if w > 0 else None)
    if not st.presenter.value:
        with solara.Sidebar():
            run_card(st, act)
            scenario_card(st, act)
            world_card(st, act)
            with solara.Card(i18n.ui("levers", L), margin=0):
                Line(i18n.ui("levers_tip", L), [], "font-size: 12px; color: #555; margin-bottom: 6px;")
                LeverPanels(st.settings, L)
            SaveCard(st.session, st.images.value, L, st.tick.value)
    if st.mode.value == "live":
        live_view(st)
    else:
        compare_view(st, act)


def use_setting_log(st: PageState, journal) -> None:
    """With a journal, log every change of the sidebar's setting (lever switches and values that differ
    from the setting before)."""
    before = solara.use_ref(st.settings.value)

    def log_change():
        old, new = before.current, st.settings.value
        before.current = new
        if journal is None or old == new:
            return
        journal.record("set", preset=new.preset, seed=new.seed,
                       values={k: v for k, v in new.values.items() if old.values.get(k) != v},
                       enabled={k: v for k, v in new.enabled.items() if old.enabled.get(k) != v})

    solara.use_effect(log_change, [st.settings.value])


def use_fitted_sizes(st: PageState, act: PageActions) -> None:
    """Draw the pictures at the size the window shows them: redraw when the width or presenter mode changes."""
    sizes = page_sizes(st.width.value, st.presenter.value)

    def fit():
        if st.session.sizes != sizes:
            st.session.sizes = sizes
            act.redraw()

    solara.use_effect(fit, [sizes])


def app_bar(st: PageState, act: PageActions) -> None:
    """The title, the presenter switch and the mode and language switches."""
    L = st.lang.value
    with solara.AppBar():
        solara.AppBarTitle(i18n.ui("title", L))
        with solara.Row(style="align-items: center; gap: 12px; background: transparent;"):
            with solara.Tooltip(i18n.ui("presenter_tip", L)):
                solara.Button(i18n.ui("presenter", L), text=not st.presenter.value, outlined=st.presenter.value,
                              classes=["dash-presenter"], on_click=lambda: st.presenter.set(not st.presenter.value))
            solara.ToggleButtonsSingle(value=st.mode.value, on_value=act.choose_mode, classes=["dash-mode"], children=[
                solara.Button(i18n.ui("mode_live", L), value="live", text=True),
                solara.Button(i18n.ui("mode_compare", L), value="compare", text=True),
            ])
            solara.ToggleButtonsSingle(value=L, on_value=act.choose_lang, classes=["dash-lang"], children=[
                solara.Button(LANG_NAMES[code], value=code, text=True) for code in i18n.LANGS
            ])


def run_card(st: PageState, act: PageActions) -> None:
    """Reset / ▶ ❚❚ / Step, the month, the redraw time, Play's speed, and the state of the settings."""
    L, session, playing = st.lang.value, st.session, st.playing
    with solara.Card(i18n.ui("controls", L), margin=0, classes=["dash-controls"]):
        with solara.Row(justify="space-between"):
            solara.Button(label=i18n.ui("reset", L), color="primary", on_click=lambda: act.reset())
            solara.Button(label="❚❚" if playing.value else "▶", color="primary",
                          on_click=lambda: playing.set(not playing.value), disabled=session.done)
            solara.Button(label=i18n.ui("step", L), color="primary", on_click=lambda: act.step(),
                          disabled=playing.value or session.done)
        Line(i18n.ui("month", L, month=session.month, months=session.months), ["dash-month"],
             "margin-top: 8px; font-weight: 500;")
        if session.last_ms:
            Line(i18n.ui("redraw_time", L, ms=f"{session.last_ms:.0f}"), ["dash-timing"],
                 "font-size: 12px; color: #666;")
        if session.done:
            solara.Info(i18n.ui("end_of_run", L), dense=True)
        with solara.Tooltip(i18n.ui("speed_tip", L)):
            Line(f"{i18n.ui('speed', L)}: {st.interval.value}", ["dash-control-label"], "margin-top: 8px;")
        solara.SliderInt("", value=st.interval.value, min=0, max=1000, step=50, on_value=st.interval.set)
        run_to_row(st, act)
        settings_state(st, act)


def run_to_row(st: PageState, act: PageActions) -> None:
    """The month to run to, and its button."""
    L = st.lang.value
    with solara.Tooltip(i18n.ui("run_to_tip", L)):
        with solara.Row(style="align-items: center; gap: 8px; margin-top: 8px;", classes=["dash-run-to"]):
            solara.InputInt(i18n.ui("run_to", L), value=st.target, classes=["dash-run-to-month"],
                            style="max-width: 110px;")
            solara.Button(label=i18n.ui("run_to_button", L), color="primary", outlined=True,
                          on_click=act.run_to, disabled=st.target.value is None, classes=["dash-run-to-button"])


def settings_state(st: PageState, act: PageActions) -> None:
    """A warning while the settings wait for Reset; the problems of the last invalid Reset."""
    L = st.lang.value
    if act.pending():
        solara.Warning(i18n.ui("pending", L), dense=True, classes=["dash-pending"])
    if st.url_problems.value:
        with solara.Column(classes=["dash-url-problems"]):
            solara.Warning(i18n.ui("url_problems", L), dense=True)
            for msg in st.url_problems.value:
                Line(i18n.problem_text(msg, L), ["dash-url-problem"], "color: #8a5300; font-size: 12px;")
    if st.problems.value:
        with solara.Column(classes=["dash-problems"]):
            solara.Error(i18n.ui("invalid", L), dense=True)
            for line in problem_lines(st.problems.value, L):
                Line(line, ["dash-problem"], "color: #b71c1c; font-size: 12px;")


def scenario_card(st: PageState, act: PageActions) -> None:
    """The preset picker and the seed."""
    L, settings = st.lang.value, st.settings
    with solara.Card(i18n.ui("scenario", L), margin=0):
        with solara.Tooltip(i18n.preset_tip(settings.value.preset, L)):
            _select(i18n.ui("preset", L), [(p, i18n.preset_label(p, L)) for p in dashboard_presets()],
                    settings.value.preset, act.choose_preset, ["dash-preset"])
        seed = settings.value.seed
        bad = not isinstance(seed, int) or not 0 <= seed <= MAX_SEED
        with solara.Tooltip(i18n.ui("seed_tip", L)):
            solara.InputText(i18n.ui("seed", L), value=str(seed), classes=["dash-seed"],
                             error=i18n.ui("err_seed_input", L, max=f"{MAX_SEED:,}") if bad else False,
                             on_value=lambda v: settings.set(settings.value.copy(seed=parse_seed(v))))
        with solara.Tooltip(i18n.ui("restore_preset_tip", L)):
            solara.Button(label=i18n.ui("restore_preset", L), outlined=True, color="primary",
                          on_click=act.restore_preset, classes=["dash-restore-preset"])


def world_card(st: PageState, act: PageActions) -> None:
    """The world's size and run length."""
    L = st.lang.value
    with solara.Card(i18n.ui("world", L), margin=0):
        limits = world_limits(st.settings.value)  # no combination of the sliders is over the size limit
        for ctl in world_controls():
            ControlInput(replace(ctl, hi=limits[ctl.path]), st.settings.value.values[ctl.path], lambda v, p=ctl.path: act.set_value(p, v), L)


@solara.component
def SaveCard(session: Session, images: dict, lang: str, tick: int):
    """Downloads of the run shown (run A): time series, charts, scenario file, command; the command as text."""
    settings, month, model = session.settings_a, session.month, session.a
    stem = f"{settings.preset}-seed{settings.seed}-month{month}"
    csv = solara.use_memo(lambda: (lambda: timeseries_csv(model)), [id(model), month])
    command = simulate_command(settings, month)
    with solara.Card(i18n.ui("save_card", lang), margin=0, classes=["dash-save"]):
        Line(i18n.ui("save_tip", lang), [], "font-size: 12px; color: #555; margin-bottom: 6px;")
        with solara.Column(gap="4px"):
            solara.FileDownload(csv, f"{stem}-timeseries.csv", label=i18n.ui("download_csv", lang),
                                mime_type="text/csv")
            for key, png in images.items():
                what = i18n.ui(f"png_{key}", lang)
                solara.FileDownload(png, f"{stem}-{key}.png", label=i18n.ui("download_png", lang, what=what),
                                    mime_type="image/png")
            solara.FileDownload(scenario_toml(settings, month), toml_filename(settings),
                                label=i18n.ui("download_toml", lang), mime_type="application/toml")
            solara.FileDownload(command + "\n", f"{stem}-command.txt", label=i18n.ui("download_command", lang),
                                mime_type="text/plain")
        if month == 0:
            Line(i18n.ui("no_months_yet", lang), [], "font-size: 12px; color: #8a5300; margin-top: 6px;")
        Line(i18n.ui("command_label", lang), [], "font-size: 12px; margin-top: 6px;")
        solara.v.Html(tag="code", children=[command], class_="dash-command",
                      style_="display: block; user-select: all; white-space: pre-wrap; word-break: break-all; "
                             "font-size: 12px; background: #f4f4f4; padding: 4px 6px;")


def live_view(st: PageState) -> None:
    """Live mode: the monitors, the live plot and the linkage network."""
    L, images = st.lang.value, st.images.value
    Monitors(st.session, L, st.tick.value)
    beside = st.session.sizes.beside
    with solara.Div(classes=["dash-pictures"] + ([] if beside else ["dash-below"])):
        if "live" in images:
            solara.Image(images["live"], classes=["dash-img", "dash-live-plot"])
        with solara.Column(gap="4px", style=f"width: {st.session.sizes.network[0]}px; flex: none;"):
            if "network" in images:
                solara.Image(images["network"], classes=["dash-img", "dash-network"])
            Line(i18n.ui("network_tip", L), ["dash-network-tip"], "font-size: 14px; color: #444;")


def compare_view(st: PageState, act: PageActions) -> None:
    """Compare mode: setting B, the difference plot and the two networks."""
    images = st.images.value
    CompareSettings(st.settings.value, st.b_base.value, st.b_enabled, st.outcomes.value, st.lang.value,
                    act.choose_b_base, act.choose_outcomes, st.session)
    nums = st.session.numbers(st.outcomes.value)
    if nums is not None:
        CompareTable(nums, st.lang.value)
    if "compare" in images:
        solara.Image(images["compare"], classes=["dash-img", "dash-compare-plot"])
    with solara.Div(classes=["dash-pictures"]):
        for key in ("network_a", "network_b"):
            if key in images:
                solara.Image(images[key], classes=["dash-img", f"dash-{key.replace('_', '-')}"])


def _cell(tag: str, text: str, style: str = "", classes: str = ""):
    return solara.v.Html(tag=tag, children=[text], style_=style, class_=classes)


def CompareTable(nums, lang: str) -> None:
    """A / B / B − A at the current month, cumulative needs met and spending, and what B's extra costs."""
    pad = "padding: 2px 10px; text-align: right;"
    header = [i18n.ui("cmp_what", lang), i18n.ui("setting_a", lang), i18n.ui("setting_b", lang),
              i18n.ui("difference", lang)]
    body = [solara.v.Html(tag="tr", children=[_cell("th", h, pad + ("text-align: left;" if i == 0 else ""))
                                              for i, h in enumerate(header)])]
    for what, va, vb, diff, color in table_rows(nums, lang):
        body.append(solara.v.Html(tag="tr", class_="dash-cmp-row", children=[
            _cell("td", what, "padding: 2px 10px;"), _cell("td", va, pad), _cell("td", vb, pad),
            _cell("td", diff, pad + f"color: {color}; font-weight: 600;", "dash-cmp-diff")]))
    with solara.Card(i18n.ui("cmp_numbers", lang, month=nums.month), margin=0, classes=["dash-compare-table"]):
        solara.v.Html(tag="table", children=[solara.v.Html(tag="tbody", children=body)],
                      style_="border-collapse: collapse; font-size: 14px;")
        for line in ratio_lines(nums, lang):
            Line(line, ["dash-cmp-ratio"], "font-size: 14px; margin-top: 4px;")


@solara.component
def CompareSettings(a: Settings, base: str, b_enabled: solara.Reactive[dict], outcomes: list[str], lang: str,
                    choose_b_base, choose_outcomes, session: Session):
    """Setting B: where it starts from, its lever switches, the outcomes to compare."""
    from model import OUTCOME_NAMES

    b = settings_b(a, base, b_enabled.value)
    diff = changed_levers(a, b)

    def toggle(key, on):
        new = dict(b_enabled.value)
        new[key] = bool(on)
        b_enabled.set(new)

    with solara.Card(i18n.ui("compare_card", lang), margin=0, classes=["dash-compare-settings"]):
        Line(i18n.ui("compare_tip", lang), [], "font-size: 12px; color: #555;")
        with solara.Row(style="flex-wrap: wrap; gap: 16px; align-items: flex-end;"):
            with solara.Column(style="min-width: 280px;"):
                _select(i18n.ui("b_base", lang),
                        [(SAME_AS_A, i18n.ui("same_as_a", lang))]
                        + [(p, i18n.preset_label(p, lang)) for p in dashboard_presets()],
                        base, choose_b_base, ["dash-b-base"])
            with solara.Column(style="min-width: 420px; flex: 1;"):
                solara.v.Select(label=i18n.ui("compare_outcomes", lang), multiple=True, chips=True, dense=True,
                                hide_details=True, class_="dash-outcomes",
                                items=[{"text": i18n.outcome_label(o, lang), "value": o} for o in OUTCOME_NAMES],
                                v_model=outcomes, on_v_model=choose_outcomes)
        Line(i18n.ui("b_levers", lang), [], "font-size: 13px; margin-top: 8px;")
        with solara.Row(style="flex-wrap: wrap; gap: 0px 18px;", classes=["dash-b-levers"]):
            for key in lever_controls():
                with solara.Tooltip(i18n.lever_tip(key, lang)):
                    solara.Checkbox(label=i18n.lever_label(key, lang), value=bool(b_enabled.value.get(key, False)),
                                    on_value=lambda v, key=key: toggle(key, v))
        if diff:
            text = i18n.ui("b_differs", lang, levers="、".join(i18n.lever_label(k, lang) for k in diff)
                           if lang == "zh" else ", ".join(i18n.lever_label(k, lang) for k in diff))
        elif base == SAME_AS_A:
            text = i18n.ui("b_same", lang)
        else:
            text = f"{i18n.ui('setting_b', lang)}: {i18n.preset_label(base, lang)}"
        Line(text, ["dash-b-summary"], "font-weight: 500;")

