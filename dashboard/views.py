"""The parts of the dashboard page that show the run, each re-rendered on its own when the run moves.

A step changes only what shows the month (the month, the monitors' numbers, the
pictures, the downloads' names and the command, compare mode's numbers), so only
the components that show it read the page's ``tick``: a step re-renders them and
nothing else of the page (the app bar, the sidebar's cards with the run card's
speed, run-to and settings parts, the lever panels, the monitors' boxes and
tooltips keep their widgets). Reading a reactive value inside a Solara component
subscribes that component alone to it; a component whose arguments did not change
is not rendered again; the page uses reacton's fast renderer (``dashboard.app``),
which walks only the subtrees that changed.

Layout: ``Line`` and ``_select`` (small widgets the page shares), ``problem_lines``;
``Monitors`` (with ``MonitorText``, ``_monitor_box``); ``RunCard`` (with ``RunButtons``, ``RunMonth``
(these two read ``tick``), ``run_to_row`` and ``SettingsState``, which reads ``built``); ``SaveCard``
(with ``Downloads``, which reads ``tick``); ``LiveView`` (with ``live_chart.LiveChart``); ``CompareView``
(with ``network_view.NetworkView`` for A and B), ``CompareTable`` (the numbers) and ``CompareSettings``
(setting B).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import solara

from . import i18n
from .compare import SAME_AS_A, ratio_lines, settings_b, table_rows
from .controls import Settings, all_controls, changed_levers, dashboard_presets, lever_controls
from .export import scenario_toml, simulate_command, timeseries_csv, toml_filename
from .live_chart import LiveChart
from .network_view import NetworkView
from .plots import MONITORS, format_value, monitor_label
from .session import Session

if TYPE_CHECKING:
    from .app import PageActions, PageState


def Line(text: str, classes: list[str] | None = None, style: str = ""):
    """A line of plain text (a block, unlike ``solara.Text``)."""
    return solara.v.Html(tag="div", children=[text], class_=" ".join(classes or []), style_=style)


def problem_lines(problems: list[tuple[str, str]], lang: str) -> list[str]:
    """Validation problems in ``lang``, with the control's label where the path is one of ours."""
    controls = all_controls()
    lines = []
    for path, msg in problems:
        if path in controls:
            where = i18n.field_label(path, lang)
        elif path in ("seed", "preset", "world", "profile"):
            where = i18n.ui(path, lang)
        else:
            where = path or "-"
        lines.append(f"{where}: {i18n.problem_text(msg, lang)}")
    return lines


@solara.component
def Monitors(st: PageState):
    """This month's key outcomes as numbers, each unit in smaller type after its number, each with its
    tooltip (only the boxes' text, ``MonitorText``, reads ``tick``: a step re-renders it and keeps the
    tooltips)."""
    lang = st.lang.value
    with solara.Div(classes=["dash-monitors"]):
        for name in MONITORS:
            with solara.Tooltip(i18n.outcome_tip(name, lang)):
                MonitorText(st, name)


@solara.component
def MonitorText(st: PageState, name: str):
    """One monitor's box: its label above this month's value (re-rendered at every step; the box's elements
    are made again only when its label or value changed, so an unchanged monitor keeps its widgets)."""
    session, lang, _ = st.session, st.lang.value, st.tick.value
    label = monitor_label(name, session.month, lang)
    text = format_value(name, session.current.get(name, float("nan")), lang)
    box = solara.use_memo(lambda: _monitor_box(label, text), [label, text])
    return box


def _monitor_box(label: str, text: str):
    """A monitor's box: ``label`` above ``text`` ('87.5 %': the unit after the first space in smaller type)."""
    number, _, unit = text.partition(" ")
    value = solara.v.Html(tag="div", class_="dash-monitor-value", children=[
        number, *([" ", solara.v.Html(tag="span", children=[unit], class_="dash-monitor-unit")] if unit else [])])
    return solara.Div(classes=["dash-monitor"], children=[Line(label, ["dash-monitor-label"]), value])


def _select(label: str, items: list[tuple[str, str]], value: str, on_value, classes: list[str]):
    """A drop-down whose entries show a label but carry a key."""
    return solara.v.Select(label=label, items=[{"text": t, "value": v} for v, t in items], v_model=value,
                           on_v_model=on_value, class_=" ".join(classes), dense=True, hide_details=True)


@solara.component
def RunCard(st: PageState, act: PageActions):
    """Reset / ▶ ❚❚ / Step, the month, the redraw time, Play's speed, and the state of the settings. Only
    ``RunButtons`` and ``RunMonth`` read ``tick`` (a step re-renders them and not the rest of the card)."""
    L = st.lang.value
    with solara.Card(i18n.ui("controls", L), margin=0, classes=["dash-controls"]):
        RunButtons(st, act)
        RunMonth(st)
        with solara.Tooltip(i18n.ui("speed_tip", L)):
            Line(f"{i18n.ui('speed', L)}: {st.interval.value}", ["dash-control-label"], "margin-top: 8px;")
        solara.SliderInt("", value=st.interval.value, min=0, max=1000, step=50, on_value=st.interval.set)
        run_to_row(st, act)
        SettingsState(st, act)


@solara.component
def RunButtons(st: PageState, act: PageActions):
    """Reset / ▶ ❚❚ / Step (re-rendered at every step: Play and Step are off at the end of the run)."""
    L, session, playing, _ = st.lang.value, st.session, st.playing, st.tick.value
    with solara.Row(justify="space-between") as row:
        solara.Button(label=i18n.ui("reset", L), color="primary", on_click=lambda: act.reset())
        solara.Button(label="❚❚" if playing.value else "▶", color="primary",
                      on_click=lambda: playing.set(not playing.value), disabled=session.done)
        solara.Button(label=i18n.ui("step", L), color="primary", on_click=lambda: act.step(),
                      disabled=playing.value or session.done)
    return row


@solara.component
def RunMonth(st: PageState):
    """The month, the last step's redraw time and the end of the run (re-rendered at every step)."""
    L, session, _ = st.lang.value, st.session, st.tick.value
    with solara.Column(gap="0px") as column:
        Line(i18n.ui("month", L, month=session.month, months=session.months), ["dash-month"],
             "margin-top: 8px; font-weight: 500;")
        if session.last_ms:
            Line(i18n.ui("redraw_time", L, ms=f"{session.last_ms:.0f}"), ["dash-timing"],
                 "font-size: 12px; color: #666;")
        if session.done:
            solara.Info(i18n.ui("end_of_run", L), dense=True)
    return column


def run_to_row(st: PageState, act: PageActions) -> None:
    """The month to run to, and its button."""
    L = st.lang.value
    with solara.Tooltip(i18n.ui("run_to_tip", L)):
        with solara.Row(style="align-items: center; gap: 8px; margin-top: 8px;", classes=["dash-run-to"]):
            solara.InputInt(i18n.ui("run_to", L), value=st.target, classes=["dash-run-to-month"],
                            style="max-width: 110px;")
            solara.Button(label=i18n.ui("run_to_button", L), color="primary", outlined=True,
                          on_click=act.run_to, disabled=st.target.value is None, classes=["dash-run-to-button"])


@solara.component
def SettingsState(st: PageState, act: PageActions):
    """A warning while the settings wait for Reset; the problems of the last invalid Reset (re-rendered when
    the runs are built again, ``built``, not at every step)."""
    L, _ = st.lang.value, st.built.value
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


PICTURES = ("live", "network", "compare", "network_a", "network_b")  # the names of the pictures a session can download


def download_data(session: Session) -> dict[str, Callable[[], str | bytes]]:
    """What each download button sends, read from the session when it is clicked (the buttons' data stay the
    same objects from month to month, so a step starts no download thread): "csv", "toml", "command" and
    each picture's name."""
    data: dict[str, Callable[[], str | bytes]] = {
        "csv": lambda: timeseries_csv(session.a),
        "toml": lambda: scenario_toml(session.settings_a, session.month),
        "command": lambda: simulate_command(session.settings_a, session.month) + "\n",
    }
    data.update({key: (lambda key=key: session.picture(key)) for key in PICTURES})
    return data


@solara.component
def SaveCard(st: PageState):
    """Downloads of the run shown (run A): time series, charts, scenario file, command; the command as text.
    The charts' PNG files show what the page shows (the live chart drawn as a PNG when it is downloaded).
    Only ``Downloads`` reads ``tick`` (the file names and the command carry the month)."""
    lang = st.lang.value
    with solara.Card(i18n.ui("save_card", lang), margin=0, classes=["dash-save"]):
        Line(i18n.ui("save_tip", lang), [], "font-size: 12px; color: #555; margin-bottom: 6px;")
        Downloads(st)


@solara.component
def Downloads(st: PageState):
    """The download buttons of the run shown and its ``run.py simulate`` command (re-rendered at every
    step: the files' names and the command carry the month)."""
    session, lang, _ = st.session, st.lang.value, st.tick.value
    settings, month = session.settings_a, session.month
    stem = f"{settings.preset}-seed{settings.seed}-month{month}"
    data = solara.use_memo(lambda: download_data(session), [])
    with solara.Column(gap="0px") as column:
        with solara.Column(gap="4px"):
            solara.FileDownload(data["csv"], f"{stem}-timeseries.csv", label=i18n.ui("download_csv", lang),
                                mime_type="text/csv")
            for key in session.pictures:
                what = i18n.ui(f"png_{key}", lang)
                solara.FileDownload(data[key], f"{stem}-{key}.png", label=i18n.ui("download_png", lang, what=what),
                                    mime_type="image/png")
            solara.FileDownload(data["toml"], toml_filename(settings),
                                label=i18n.ui("download_toml", lang), mime_type="application/toml")
            solara.FileDownload(data["command"], f"{stem}-command.txt", label=i18n.ui("download_command", lang),
                                mime_type="text/plain")
        if month == 0:
            Line(i18n.ui("no_months_yet", lang), [], "font-size: 12px; color: #8a5300; margin-top: 6px;")
        Line(i18n.ui("command_label", lang), [], "font-size: 12px; margin-top: 6px;")
        solara.v.Html(tag="code", children=[simulate_command(settings, month)], class_="dash-command",
                      style_="display: block; user-select: all; white-space: pre-wrap; word-break: break-all; "
                             "font-size: 12px; background: #f4f4f4; padding: 4px 6px;")
    return column


@solara.component
def LiveView(st: PageState):
    """Live mode: the monitors, the live chart (drawn in the browser) and beside it the linkage network or the
    community types (:mod:`dashboard.types_view`; re-rendered at every step, its parts whose arguments did not
    change keep their widgets)."""
    from .types_view import NetworkPanel

    L, tick = st.lang.value, st.tick.value
    Monitors(st)
    beside = st.session.sizes.beside
    with solara.Div(classes=["dash-pictures"] + ([] if beside else ["dash-below"])):
        LiveChart(st.session, L, tick)
        NetworkPanel(st, tick)  # the network or the community types


@solara.component
def CompareView(st: PageState, act: PageActions):
    """Compare mode: setting B, the difference plot and the two networks (drawn in the browser,
    :mod:`dashboard.network_view`; re-rendered at every step)."""
    images, tick = st.session.images, st.tick.value
    CompareSettings(st.settings.value, st.b_base.value, st.b_enabled, st.outcomes.value, st.lang.value,
                    act.choose_b_base, act.choose_outcomes, st.session)
    nums = st.session.numbers(st.outcomes.value)
    if nums is not None:
        CompareTable(nums, st.lang.value)
    if "compare" in images:
        solara.Image(images["compare"], classes=["dash-img", "dash-compare-plot"])
    if st.session.compare:
        titles = st.session.titles(st.lang.value)
        with solara.Div(classes=["dash-pictures"]):
            for which, title in zip("ab", titles, strict=True):
                NetworkView(st.session, which, st.lang.value, tick, title, st.session.sizes.pair,
                            (f"dash-network-{which}",))


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

