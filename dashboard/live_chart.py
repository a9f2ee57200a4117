"""The live chart drawn in the browser: the eight panels of ``plots.PANELS`` as one ECharts figure.

The server draws no picture for it. It sends the whole figure (layout, labels,
every month so far: ``chart_option``) when a run, the language or the size
changes, and after that only each new month's numbers (``month_point``: one
value per line and the bars, as a custom widget message); the browser keeps the
series, redraws (SVG) and shows values on hover. Text is at least ``TEXT_PX``
pixels (titles ``TITLE_PX``), at the size the page shows it; colours, lines and
labels are those of the PNG figure (:class:`dashboard.plots.LivePlot`), which
still draws the chart's PNG download on demand.

ECharts 5.4.0 is the version ``solara.FigureEcharts`` loads; the page takes it
from the dashboard's asset cache (``python -m dashboard.assets``) through
Solara's CDN path, so the chart works offline. ``solara.FigureEcharts`` itself
sends the whole option on every change; this widget does not.

When the window is too low for every panel (``Sizes.chart_height``, from the
window's height), the panels come in pages of whole rows (``panel_pages``) with
a chooser above the chart, and the plots share the height left; each legend is
one line, beside its panel's title when there is room, its long names cut with
"…" and shown whole on hover.

Layout: text measures (``text_px``, ``_lines``); ``Head``, ``_head`` (a
panel's title and legend), ``panel_pages`` and ``_cells`` (where each panel
goes); ``_line_series``, ``_axes``, ``_bars`` and ``_legend`` (one panel's
parts); ``chart_option`` and ``month_point``; ``LiveChartWidget`` (the ipyvue
widget and its template ``live_chart.vue``), ``ChartWidget``, ``LiveChart`` and ``PageChooser``
(the Solara components; the second with the third, its panel chooser).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ipyvuetify
import numpy as np
import pandas as pd
import solara
import traitlets

from model.params import GROUPS

from . import i18n
from .plots import PANELS, TEXT_PX, TITLE_PX, Panel, Sizes, group_shares, wrap_text

if TYPE_CHECKING:
    from model import CommunityModel

    from .session import Session

PLOT_PX = 150  # the height of a panel's plot area when the chart may be as tall as it needs
PLOT_MIN_PX = 110  # the least height of a plot area when the panels come in pages
PLOT_MAX_PX = 320
LINE_PX = TEXT_PX + 6  # a line of legend text
LEGEND_GAP = 8  # between a legend's items
SYMBOL_PX = 16  # a legend item's line symbol
ITEM_PX = SYMBOL_PX + 5 + LEGEND_GAP + 2  # a legend item's symbol, the space after it, the gap to the next, a margin
MIN_NAME_PX = 2 * TEXT_PX  # a legend name is cut (with "…") at no less than this
TITLE_LINE_PX = TITLE_PX + 6
AXIS_PX = 40  # below a plot area: tick labels, the axis name and a gap
BAR_COLOR = "#9ecae1"
LINE_TYPES = {"-": "solid", "--": "dashed", ":": "dotted"}


def text_px(text: str, font_px: float = TEXT_PX) -> float:
    """About how wide ``text`` is: one em a CJK glyph, 0.6 em any other character (as ``plots.wrap_text``)."""
    return sum(font_px * (1.0 if ord(ch) > 0x2E80 else 0.6) for ch in text)


def _lines(text: str, width: float, font_px: float) -> str:
    return "\n".join(wrap_text(text, width, font_px))


def _title(panel: Panel | None, lang: str) -> str:
    """A panel's title, with its unit when it has one."""
    if panel is None:
        return i18n.ui("p_groups", lang)
    title = i18n.ui(panel.title, lang)
    if panel.unit is None:
        return title
    return f"{title}（{panel.unit(lang)}）" if lang == "zh" else f"{title} ({panel.unit(lang)})"


def _short(panel: Panel | None, lang: str) -> str:
    """A panel's name in the panel chooser."""
    return i18n.ui(f"short_{panel.title if panel else 'p_groups'}", lang)


def _item_px(name: str, cap: float) -> float:
    """The width of a legend item whose name is cut at ``cap`` px: its symbol, the name and the gap after it."""
    return ITEM_PX + min(text_px(name), cap)


@dataclass(frozen=True)
class Head:
    """A panel's title (wrapped), its legend's names, where the legend goes ("beside" the title or "below"
    it), the px a name may take before it is cut (its full name on hover), and the height above the plot."""

    title: str
    names: tuple[str, ...]
    where: str
    cap: float
    px: int


def _head(panel: Panel | None, lang: str, w: int) -> Head:
    """How panel's title and legend sit in a cell ``w`` px wide: the legend on one line, beside a one-line
    title when it fits there, else on its own line below."""
    title = _lines(_title(panel, lang), w - 16, TITLE_PX)
    names = tuple(sr.label(lang) for sr in panel.series) if panel else (i18n.ui("overall", lang),)
    title_px = TITLE_LINE_PX * (title.count("\n") + 1) + 6
    room = w - 32 - text_px(title, TITLE_PX)
    cap = max(MIN_NAME_PX, room / len(names) - ITEM_PX)
    if "\n" not in title and sum(_item_px(n, cap) for n in names) <= room:
        return Head(title, names, "beside", cap, max(title_px, LINE_PX + 4) + 8)
    cap = max(MIN_NAME_PX, (w - 16) / len(names) - ITEM_PX)
    return Head(title, names, "below", cap, title_px + LINE_PX + 4 + 8)


@dataclass(frozen=True)
class Cell:
    """Where one panel goes, in px of the chart: its box, its head (title and legend), its plot's top and
    height."""

    x: int
    y: int
    w: int
    head: Head
    plot_top: int
    plot_px: int


def _row_heads(lang: str, sizes: Sizes) -> list[int]:
    """The height of each row's head (its tallest panel's title and legend), for all panels in order."""
    w = sizes.chart[0] // sizes.cols
    heads = [_head(p, lang, w).px for p in PANELS]
    return [max(heads[r:r + sizes.cols]) for r in range(0, len(PANELS), sizes.cols)]


def panel_pages(lang: str, sizes: Sizes) -> list[tuple[int, ...]]:
    """The panels (indices of ``PANELS``) shown together: all of them, or, when ``sizes.chart_height`` is
    too low for every row of panels with plots of ``PLOT_MIN_PX``, as many whole rows as fit, page by page."""
    heads = _row_heads(lang, sizes)
    rows = len(heads)
    if sizes.chart_height:
        def fits(r: int) -> bool:
            return all(sum(heads[k:k + r]) + len(heads[k:k + r]) * (PLOT_MIN_PX + AXIS_PX) <= sizes.chart_height
                       for k in range(0, len(heads), r))
        rows = next((r for r in range(len(heads), 0, -1) if fits(r)), 1)
    n = rows * sizes.cols
    return [tuple(range(k, min(k + n, len(PANELS)))) for k in range(0, len(PANELS), n)]


def _cells(lang: str, sizes: Sizes, shown: tuple[int, ...]) -> tuple[list[Cell], int]:
    """Each shown panel's cell, row by row, and the chart's height: a row is as tall as its tallest head,
    the plot area and the x axis; with ``sizes.chart_height`` the plots share what the heads leave."""
    cols = sizes.cols
    w = sizes.chart[0] // cols
    heads = [_head(PANELS[i], lang, w) for i in shown]
    rows = [heads[k:k + cols] for k in range(0, len(heads), cols)]
    tops = [max(h.px for h in row) for row in rows]
    plot = PLOT_PX
    if sizes.chart_height:
        plot = max(PLOT_MIN_PX, min(PLOT_MAX_PX, (sizes.chart_height - sum(tops)) // len(rows) - AXIS_PX))
    cells, y = [], 0
    for row, top in zip(rows, tops, strict=True):
        cells += [Cell(c * w, y, w, head, y + top, plot) for c, head in enumerate(row)]
        y += top + plot + AXIS_PX
    return cells, y


def _value(v: float, percent: bool) -> float | None:
    """A number as sent to the browser: in % for a percent panel, 4 significant digits, None for no value."""
    if not math.isfinite(v):
        return None
    return float(f"{100 * v if percent else v:.4g}")


def _line_series(i: int, panel: Panel, cell: Cell, df: pd.DataFrame) -> list[dict[str, Any]]:
    """Panel ``i``'s lines with every month so far."""
    months = df["month"].to_numpy() if len(df) else np.zeros(0)
    out = []
    for sr, name in zip(panel.series, cell.head.names, strict=True):
        values = sr.values(df) if len(df) else np.zeros(0)
        out.append({"type": "line", "name": name, "xAxisIndex": i, "yAxisIndex": i, "showSymbol": False,
                    "percent": panel.percent, "color": sr.color, "animation": False,
                    "lineStyle": {"color": sr.color, "width": sr.lw + 0.5, "type": LINE_TYPES[sr.ls]},
                    "data": [[int(m), _value(float(v), panel.percent)] for m, v in zip(months, values, strict=True)]})
    return out


def _axes(i: int, panel: Panel | None, cell: Cell, months: int, lang: str) -> tuple[dict, dict, dict]:
    """Panel ``i``'s grid, x axis and y axis (the bars' axes: shares in % across, groups down)."""
    text = {"fontSize": TEXT_PX}
    grid = {"left": cell.x + 16, "top": cell.plot_top, "width": cell.w - 36, "height": cell.plot_px,
            "containLabel": True}
    split = {"show": True, "lineStyle": {"opacity": 0.3}}
    if panel is None:
        x = {"type": "value", "gridIndex": i, "min": 0, "max": 100, "splitNumber": 4, "splitLine": split,
             "axisLabel": {**text, "formatter": "{value}%"}}
        y = {"type": "category", "gridIndex": i, "inverse": True, "z": 10, "axisTick": {"show": False},
             "data": [i18n.group_label(g, lang) for g in GROUPS],
             "axisLabel": {**text, "inside": True, "interval": 0, "color": "#1a1a1a"}}
        return grid, x, y
    x = {"type": "value", "gridIndex": i, "min": 0, "max": months, "minInterval": 1, "splitNumber": 4,
         "splitLine": split, "axisLabel": text, "name": i18n.ui("x_month", lang), "nameLocation": "middle",
         "nameGap": 26, "nameTextStyle": text}
    y = {"type": "value", "gridIndex": i, "min": 0, "splitNumber": 4, "splitLine": split, "axisLabel": dict(text)}
    if panel.share:
        y["max"] = 100 if panel.percent else 1
    if panel.percent:
        y["axisLabel"]["formatter"] = "{value}%"
    return grid, x, y


def _bars(i: int, model: CommunityModel, lang: str) -> list[dict[str, Any]]:
    """The needs met by resident group (bars, in %) and all residents' share (a dashed line across them)."""
    bars, overall = _bar_values(model, model.recorder.timeseries())
    common = {"xAxisIndex": i, "yAxisIndex": i, "percent": True, "animation": False}
    return [{"type": "bar", "name": i18n.ui("p_groups", lang), "data": bars, "itemStyle": {"color": BAR_COLOR},
             "barCategoryGap": "25%", **common},
            {"type": "line", "name": i18n.ui("overall", lang), "data": overall, "showSymbol": False, "color": "#000",
             "lineStyle": {"color": "#000", "type": "dashed", "width": 1.5}, **common}]


def _bar_values(model: CommunityModel, df: pd.DataFrame) -> tuple[list[float | None], list[list]]:
    """Each group's needs-met share over the last 12 months, and all residents' (mean of the monthly shares
    of ``df``, the time series) as a line from the first group to the last."""
    shares = group_shares(model)
    overall = _value(float(df["needs_met_share"].iloc[-12:].mean()) if len(df) else 0.0, True)
    return [_value(shares.get(g, 0.0), True) for g in GROUPS], [[overall, 0], [overall, len(GROUPS) - 1]]


def _legend(cell: Cell, chart_w: int) -> dict[str, Any]:
    """A panel's legend on one line (beside its title at the right, or below it), names longer than the head's
    ``cap`` cut with "…" and shown whole on hover."""
    head, text = cell.head, {"fontSize": TEXT_PX}
    data = [{"name": n, "textStyle": {"width": head.cap, "overflow": "truncate"}} if text_px(n) > head.cap else n
            for n in head.names]
    legend = {"type": "scroll", "data": data, "textStyle": {**text, "lineHeight": LINE_PX}, "itemWidth": SYMBOL_PX,
              "itemHeight": 10, "itemGap": LEGEND_GAP, "tooltip": {"show": True, "textStyle": text},
              "pageTextStyle": text, "pageIconSize": 10}
    if head.where == "beside":
        room = int(cell.w - 32 - text_px(head.title, TITLE_PX))
        return {**legend, "right": chart_w - cell.x - cell.w + 8, "top": cell.y + 4, "width": room}
    title_px = TITLE_LINE_PX * (head.title.count("\n") + 1) + 6
    return {**legend, "left": cell.x + 8, "top": cell.y + 4 + title_px, "width": cell.w - 16}


def chart_option(model: CommunityModel, lang: str, sizes: Sizes, serial: int = 0,
                 shown: tuple[int, ...] | None = None) -> dict[str, Any]:
    """The whole figure (ECharts option) of the panels ``shown`` (indices of ``PANELS``; all by default) for
    the model's current month; ``month`` and ``width``/``height`` (px) are read by the widget, ``serial``
    makes a figure sent again differ from the last."""
    shown = tuple(range(len(PANELS))) if shown is None else shown
    df = model.recorder.timeseries()
    months = max(12, int(model.spec.scenario.months))
    cells, height = _cells(lang, sizes, shown)
    text = {"fontSize": TEXT_PX}
    opt: dict[str, Any] = {"month": int(model.month), "width": sizes.chart[0], "height": height, "serial": serial,
                           "animation": False, "textStyle": text, "title": [], "legend": [], "grid": [],
                           "xAxis": [], "yAxis": [], "series": [],
                           "tooltip": {"trigger": "axis", "confine": True, "textStyle": text}}
    for i, (p, cell) in enumerate(zip(shown, cells, strict=True)):
        panel = PANELS[p]
        opt["title"].append({"text": cell.head.title, "left": cell.x + 8, "top": cell.y + 4,
                             "textStyle": {"fontSize": TITLE_PX, "fontWeight": "normal", "lineHeight": TITLE_LINE_PX}})
        grid, x, y = _axes(i, panel, cell, months, lang)
        opt["grid"].append(grid)
        opt["xAxis"].append(x)
        opt["yAxis"].append(y)
        if panel is not None:
            opt["series"] += _line_series(i, panel, cell, df)
        opt["legend"].append(_legend(cell, sizes.chart[0]))
    opt["grow"] = len(opt["series"])  # the browser appends a month's point to each of these
    if None in (PANELS[p] for p in shown):
        opt["series"] += _bars(shown.index(PANELS.index(None)), model, lang)  # and replaces these whole
    return opt


def month_point(model: CommunityModel, shown: tuple[int, ...] | None = None) -> dict[str, Any]:
    """This month's numbers for the panels ``shown`` (all by default): a value per line (in the figure's
    order), and the bars and the overall share's line whole when the groups' panel is shown."""
    panels = PANELS if shown is None else [PANELS[p] for p in shown]
    df = model.recorder.timeseries()
    lines = [_value(float(sr.values(df)[-1]), panel.percent) for panel in panels if panel for sr in panel.series]
    replace = list(_bar_values(model, df)) if None in panels else []
    return {"month": int(model.month), "lines": lines, "replace": replace}


class LiveChartWidget(ipyvuetify.VuetifyTemplate):
    """The browser's chart. ``option`` (synced) is the whole figure as last sent; ``show`` sends a month's
    numbers when the run moved on by one month, else the whole figure; the browser calls ``vue_ready``
    with the month it shows (after loading, or when it missed a month) and gets the whole figure if late."""

    template_file = (__file__, "live_chart.vue")
    option = traitlets.Dict({}).tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session: Session | None = None
        self.frame: tuple | None = None  # (model, lang, sizes, panels shown) shown
        self.month = -1  # the month last sent
        self.sent_points = 0  # months sent as points, not as whole figures (tests read it)

    def show(self, session: Session, lang: str, shown: tuple[int, ...] | None = None) -> None:
        """Bring the browser's chart to the session's run A as it is now, with the panels ``shown`` (all by
        default)."""
        with session.lock:
            model = session.a
            if model is None:
                return
            frame, month = (model, lang, session.sizes, shown), int(model.month)
            if frame == self.frame and month == self.month:
                return
            if frame == self.frame and month == self.month + 1 and self.option:
                self.send({"method": "append", "args": [month_point(model, shown)]})
                self.sent_points += 1
            else:
                self.option = chart_option(model, lang, session.sizes, self.option.get("serial", 0) + 1, shown)
            self.session, self.frame, self.month = session, frame, month

    def vue_ready(self, month: int) -> None:
        """The browser shows ``month``: send the whole figure again when that is not the month last sent."""
        if self.session is None or self.frame is None or month == self.month:
            return
        model, lang, sizes, shown = self.frame
        with self.session.lock:
            self.option = chart_option(model, lang, sizes, self.option.get("serial", 0) + 1, shown)
            self.month = int(model.month)


def _page_label(page: tuple[int, ...], lang: str) -> str:
    return " · ".join(_short(PANELS[p], lang) for p in page)


@solara.component
def ChartWidget(session: Session, lang: str, tick: int, shown: tuple[int, ...] | None):
    """The browser's chart of ``session``'s run A with the panels ``shown`` (all when None), brought up to
    date whenever ``tick``, the language, the size, the run or the panels change."""
    el = LiveChartWidget.element()

    def show() -> None:
        solara.get_widget(el).show(session, lang, shown)

    solara.use_effect(show, [tick, lang, session.sizes, session.a, shown])
    return el


@solara.component
def LiveChart(session: Session, lang: str, tick: int):
    """The live chart of ``session``'s run A and above it, when the window has no room for every panel, the
    panel chooser (one button per page of ``panel_pages``; a step does not re-render it)."""
    pages = solara.use_memo(lambda: panel_pages(lang, session.sizes), [lang, session.sizes])
    page = solara.use_reactive(0)
    k = min(page.value, len(pages) - 1)
    with solara.Column(gap="4px", style=f"width: {session.sizes.chart[0]}px; flex: none;",
                       classes=["dash-chart-column"]) as column:
        if len(pages) > 1:
            PageChooser(pages, k, lang, page)
        ChartWidget(session, lang, tick, pages[k] if len(pages) > 1 else None)
    return column


@solara.component
def PageChooser(pages: list[tuple[int, ...]], k: int, lang: str, page: solara.Reactive[int]):
    """One button per page of panels, page ``k`` chosen (sets ``page``)."""
    with solara.Tooltip(i18n.ui("chart_pages_tip", lang)) as tip:
        solara.ToggleButtonsSingle(
            value=k, on_value=page.set, dense=True, classes=["dash-chart-pages"],
            children=[solara.Button(_page_label(p, lang), value=i, text=True) for i, p in enumerate(pages)])
    return tip
