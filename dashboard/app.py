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
``WindowWidth`` widget reports the window's width and height; ``page_sizes`` turns
them into pixel sizes), monitors sit in a two-row band, the network (or the
community types, :mod:`dashboard.types_view`) stands beside the charts when there
is room, no taller than the window, the live chart takes the window's height left
below the monitors (its panels in pages when they do not all fit:
:func:`dashboard.live_chart.panel_pages`), and the presenter switch hides the sidebar.

Layout: the CSS, ``WindowWidth``, ``page_sizes`` and a warm-up thread;
``PageState`` (the session and the reactive values, made by ``use_page_state``
from the URL's query) and ``PageActions`` (what every button and picker does);
``use_setting_log`` (workshop mode's log of setting changes); ``use_fitted_sizes`` (redraw when the width or
presenter mode changes); ``Page``, which lays out ``app_bar``, the sidebar's cards (``RunCard``,
``scenario_card``, ``world_card``, the levers, ``SaveCard``) and ``LiveView`` or ``CompareView``.
The parts that a step changes are components of :mod:`dashboard.views`, each reading the page's
``tick`` itself, so a step re-renders them and not the rest of the page (those that change only with a
new run read ``built``); the page is rendered by reacton's fast renderer, which walks only the subtrees
that changed; the sidebar's sliders and switches are :mod:`dashboard.inputs`.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, replace
from typing import Any

import ipyvue
import reacton.core
import solara
import solara.lab
import traitlets

from model.scenario import ScenarioError

from . import i18n
from .compare import DEFAULT_OUTCOMES, MAX_OUTCOMES, SAME_AS_A, settings_b
from .controls import (
    DEFAULT_PRESET,
    GENERIC_STREET,
    MAX_SEED,
    Settings,
    dashboard_presets,
    settings_from_preset,
    street_profiles,
    world_controls,
    world_limits,
)
from .export import PROFILE_SIZES, Decoded, View, decode_query
from .plots import Sizes, sizes_for
from .session import Session
from .url_sync import UrlSync
from .inputs import ControlInput, LeverPanels, parse_seed
from .types_view import ProfilePicker
from .views import CompareView, LiveView, Line, RunCard, SaveCard, _select

# Reacton's fast renderer (reacton's opt-in ``REACTON_FAST=1``): a render pass walks only the subtrees whose
# state changed, where the default renderer reconciles every widget of the page at every pass (about 250 a
# step). Read when a page is first rendered; ``REACTON_FAST=0`` in the environment keeps the default one.
os.environ.setdefault("REACTON_FAST", "1")

DEFAULT_INTERVAL_MS = 200
DEFAULT_WIDTH = 1280  # the window's width in CSS px until the browser reports it
SIDEBAR_PX = 400  # Solara's sidebar
PAGE_MARGIN_PX = 32  # the content area's padding and a scroll bar
SIDE_TOP_PX = 290  # window top to the charts and the network: app bar, monitors (2 rows, 3 lines), switches
NETWORK_MIN_PX = 360
LANG_NAMES = {"zh": "中文", "en": "English"}
CSS = """
.dash-control { margin-bottom: 4px; }
.dash-control .v-input__slot { margin-bottom: 0 !important; }
.dash-control-label { font-size: 13px; line-height: 1.3; }
.dash-monitors { display: grid !important; grid-template-columns: repeat(8, minmax(0, 1fr)); gap: 4px;
                 width: 100%; margin-bottom: 8px; }
.dash-monitor { padding: 3px 6px; min-width: 0; border: 1px solid #ddd; border-radius: 4px; background: #fafafa; }
.dash-monitor-value { font-size: 18px; font-weight: 500; line-height: 1.2; }
.dash-monitor-unit { font-size: 14px; font-weight: 400; overflow-wrap: break-word; }
.dash-monitor-label { font-size: 14px; color: #555; line-height: 1.2; }
.dash-img img, img.dash-img { max-width: 100%; height: auto; display: block; }
.dash-pictures { display: flex; gap: 16px; align-items: flex-start; flex-wrap: nowrap; }
.dash-pictures.dash-below { flex-direction: column; }
div:has(> b > a[href="https://solara.dev"]) { display: none !important; }  /* Solara's English badge */
"""


class WindowWidth(ipyvue.VueTemplate):
    """An invisible widget that reports the browser window's width and height (CSS px, without scroll bars)."""

    template = traitlets.Unicode("""<template><span style="display: none"></span></template>
<script>
module.exports = {
  mounted() {
    this.report = () => {
      this.width = document.documentElement.clientWidth;
      this.height = document.documentElement.clientHeight;
    };
    this.report();
    window.addEventListener("resize", this.report);
  },
  destroyed() { window.removeEventListener("resize", this.report); },
};
</script>""").tag(sync=True)
    width = traitlets.Int(0).tag(sync=True)
    height = traitlets.Int(0).tag(sync=True)


def page_sizes(width: int, presenter: bool, height: int | None = None) -> Sizes:
    """The pictures' sizes for a window ``width`` px wide, with the sidebar unless ``presenter``; in a window
    ``height`` px high the live chart takes what the window leaves below the monitors and its panel chooser
    (``SIDE_TOP_PX``, the same as for the network / types switch), and a network beside the charts is no taller
    than that and no shorter than ``NETWORK_MIN_PX``."""
    sizes = sizes_for(width - (0 if presenter else SIDEBAR_PX) - PAGE_MARGIN_PX)
    if not height:
        return sizes
    sizes = replace(sizes, chart_height=height - SIDE_TOP_PX)
    if not sizes.beside:
        return sizes
    net_w, net_h = sizes.network
    return replace(sizes, network=(net_w, max(NETWORK_MIN_PX, min(net_h, height - SIDE_TOP_PX))))


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
    problems: solara.Reactive[list | None]  # the last validation problems, if any
    playing: solara.Reactive[bool]
    interval: solara.Reactive[int]  # ms between Play's steps
    tick: solara.Reactive[int]  # changes on every step, reset and redraw (the pictures: ``session.images``)
    built: solara.Reactive[int]  # changes when the runs are built or drawn again (Reset, language, outcomes, size)
    target: solara.Reactive[int | None]  # the month "run to month" runs to
    url_problems: solara.Reactive[list]  # what the URL's query held that could not be used
    width: solara.Reactive[int]  # the browser window's width in CSS px
    height: solara.Reactive[int | None]  # the browser window's height in CSS px (None until the browser reports it)
    presenter: solara.Reactive[bool]  # presenter mode: no sidebar, pictures use the full width
    side: solara.Reactive[str]  # beside the charts: "network" or "types" (dashboard.types_view)
    render_context: Any  # the page's reacton render context: changes made inside ``with`` it render once


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
    solara.use_memo(lambda: session.render(lang.value, outcomes.value), [])  # the first pictures
    return PageState(session=session, lang=lang, settings=settings, mode=mode, b_base=b_base,
                     b_enabled=b_enabled, outcomes=outcomes,
                     problems=solara.use_reactive(invalid), playing=solara.use_reactive(False),
                     interval=solara.use_reactive(DEFAULT_INTERVAL_MS), tick=solara.use_reactive(0),
                     built=solara.use_reactive(0),
                     target=solara.use_reactive(12), url_problems=solara.use_reactive(list(decoded.problems)),
                     width=solara.use_reactive(DEFAULT_WIDTH), height=solara.use_reactive(None),
                     presenter=solara.use_reactive(False), side=solara.use_reactive("network"),
                     render_context=reacton.core.get_render_context())


class PageActions:
    """What the page's buttons, switches and pickers do to its state."""

    def __init__(self, st: PageState):
        self.st = st

    def moved(self, built: bool = False) -> None:
        """Tell the page the run moved (a step, a redraw, a new run: ``built``): the components that read
        ``tick`` (and with ``built`` those that read ``built``) re-render, in one render pass (without the
        batch, each would start its own pass over the page)."""
        st = self.st
        with st.render_context:
            st.tick.set(st.tick.value + 1)
            if built:
                st.built.set(st.built.value + 1)

    def redraw(self) -> None:
        """Draw the pictures again (language or outcomes changed, or a new run)."""
        st = self.st
        st.session.render(st.lang.value, st.outcomes.value)
        self.moved(built=True)

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
        self.moved()

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
        st.session.run_to(month, st.lang.value, st.outcomes.value)
        self.moved()

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
        """Load a preset into A (and B's start) and rebuild (the seed and the street profile kept)."""
        st = self.st
        if name not in dashboard_presets():
            return
        s = settings_from_preset(name, seed=st.settings.value.seed).copy(profile=st.settings.value.profile)
        st.settings.set(s)
        st.b_base.set(SAME_AS_A)
        st.b_enabled.set(dict(s.enabled))
        self.reset(s)

    def choose_profile(self, name: str) -> None:
        """Choose setting A's street profile (``GENERIC_STREET``: none); Reset applies it."""
        if name == GENERIC_STREET or name in street_profiles():
            self.st.settings.set(self.st.settings.value.copy(profile=name))

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
    solara.lab.use_task(act.play_loop, dependencies=[st.playing.value], prefer_threaded=True)
    UrlSync(st, act)
    use_fitted_sizes(st, act)

    solara.Title(i18n.ui("title", L))
    solara.Style(CSS)
    app_bar(st, act)
    WindowWidth.element(on_width=lambda w: st.width.set(w) if w > 0 else None,
                        on_height=lambda h: st.height.set(h) if h > 0 else None)
    if not st.presenter.value:
        with solara.Sidebar():
            RunCard(st, act)
            scenario_card(st, act)
            world_card(st, act)
            with solara.Card(i18n.ui("levers", L), margin=0):
                Line(i18n.ui("levers_tip", L), [], "font-size: 12px; color: #555; margin-bottom: 6px;")
                LeverPanels(st.settings, L)
            SaveCard(st)
    if st.mode.value == "live":
        LiveView(st)
    else:
        CompareView(st, act)


def use_setting_log(st: PageState, journal) -> None:
    """With a journal, log every change of the sidebar's setting (lever switches and values that differ
    from the setting before)."""
    before = solara.use_ref(st.settings.value)

    def log_change():
        old, new = before.current, st.settings.value
        before.current = new
        if journal is None or old == new:
            return
        journal.record("set", preset=new.preset, seed=new.seed, profile=new.profile,
                       values={k: v for k, v in new.values.items() if old.values.get(k) != v},
                       enabled={k: v for k, v in new.enabled.items() if old.enabled.get(k) != v})

    solara.use_effect(log_change, [st.settings.value])


def use_fitted_sizes(st: PageState, act: PageActions) -> None:
    """Draw the pictures at the size the window shows them: redraw when the window's size or presenter mode
    changes."""
    sizes = page_sizes(st.width.value, st.presenter.value, st.height.value)

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
    """The street profile, the world's size (set by the profile when there is one) and run length."""
    L, s = st.lang.value, st.settings.value
    with solara.Card(i18n.ui("world", L), margin=0):
        ProfilePicker(s.profile, L, act.choose_profile)
        limits = world_limits(s)  # no combination of the sliders is over the size limit
        for ctl in world_controls():
            if s.profile != GENERIC_STREET and ctl.path in PROFILE_SIZES:
                continue
            ControlInput(replace(ctl, hi=limits[ctl.path]), s.values[ctl.path], lambda v, p=ctl.path: act.set_value(p, v), L)


