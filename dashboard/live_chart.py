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

Layout: text measures (``text_px``, ``_lines``); ``_cells`` (where each panel
goes); ``_line_series``, ``_axes`` and ``_bars`` (one panel's parts);
``chart_option`` and ``month_point``; ``LiveChartWidget`` (the ipyvue widget
and its template ``live_chart.vue``) and ``LiveChart`` (the Solara component).
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

PLOT_PX = 150  # the height of a panel's plot area
LINE_PX = TEXT_PX + 6  # a line of legend text
LEGEND_GAP = 10  # between a legend's items, across and down
TITLE_LINE_PX = TITLE_PX + 6
AXIS_PX = 52  # below a plot area: tick labels, the axis name and a gap
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


def _legend_px(names: list[str], width: float) -> int:
    """The height a horizontal legend of ``names`` (each possibly several lines) takes at ``width`` px:
    ECharts puts its items in rows as tall as their tallest name (and a little), ``LEGEND_GAP`` px apart."""
    rows, used, tallest = [], 0.0, 1
    for name in names:
        w = 22 + 5 + max(text_px(line) for line in name.split("\n")) + 10
        if used and used + w > width:
            rows.append(tallest)
            used, tallest = 0.0, 1
        used += w
        tallest = max(tallest, name.count("\n") + 1)
    rows.append(tallest)
    return (LINE_PX * sum(rows) + 4 * len(rows) + LEGEND_GAP * (len(rows) - 1)) if names else 0


@dataclass(frozen=True)
class Cell:
    """Where one panel goes, in px of the chart: its box, its title's and legend's tops, its plot's top."""

    x: int
    y: int
    w: int
    title: str
    names: tuple[str, ...]
    legend_top: int
    plot_top: int


def _cells(lang: str, sizes: Sizes) -> tuple[list[Cell], int]:
    """Each panel's cell, row by row, and the chart's height: a row is as tall as its tallest title and
    legend plus the plot area."""
    cols = sizes.cols
    w = sizes.chart[0] // cols
    heads = []
    for panel in PANELS:
        title = _lines(_title(panel, lang), w - 16, TITLE_PX)
        names = (tuple(_lines(sr.label(lang), w - 60, TEXT_PX) for sr in panel.series) if panel
                 else (i18n.ui("overall", lang),))
        title_px = TITLE_LINE_PX * (title.count("\n") + 1) + 6
        heads.append((title, names, title_px, _legend_px(list(names), w - 16)))
    cells, y = [], 0
    for r in range(math.ceil(len(PANELS) / cols)):
        row = heads[r * cols:(r + 1) * cols]
        head = max(t + lg + (16 if lg else 0) for _, _, t, lg in row) + 8
        for c, (title, names, title_px, _) in enumerate(row):
            cells.append(Cell(c * w, y, w, title, names, y + 4 + title_px, y + head))
        y += head + PLOT_PX + AXIS_PX
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
    for sr, name in zip(panel.series, cell.names, strict=True):
        values = sr.values(df) if len(df) else np.zeros(0)
        out.append({"type": "line", "name": name, "xAxisIndex": i, "yAxisIndex": i, "showSymbol": False,
                    "percent": panel.percent, "color": sr.color, "animation": False,
                    "lineStyle": {"color": sr.color, "width": sr.lw + 0.5, "type": LINE_TYPES[sr.ls]},
                    "data": [[int(m), _value(float(v), panel.percent)] for m, v in zip(months, values, strict=True)]})
    return out


def _axes(i: int, panel: Panel | None, cell: Cell, months: int, lang: str) -> tuple[dict, dict, dict]:
    """Panel ``i``'s grid, x axis and y axis (the bars' axes: shares in % across, groups down)."""
    text = {"fontSize": TEXT_PX}
    grid = {"left": cell.x + 16, "top": cell.plot_top, "width": cell.w - 36, "height": PLOT_PX, "containLabel": True}
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


def chart_option(model: CommunityModel, lang: str, sizes: Sizes, serial: int = 0) -> dict[str, Any]:
    """The whole figure (ECharts option) for the model's current month; ``month`` and ``width``/``height``
    (px) are read by the widget, ``serial`` makes a figure sent again differ from the last."""
    df = model.recorder.timeseries()
    months = max(12, int(model.spec.scenario.months))
    cells, height = _cells(lang, sizes)
    text = {"fontSize": TEXT_PX}
    opt: dict[str, Any] = {"month": int(model.month), "width": sizes.chart[0], "height": height, "serial": serial,
                           "animation": False, "textStyle": text, "title": [], "legend": [], "grid": [],
                           "xAxis": [], "yAxis": [], "series": [],
                           "tooltip": {"trigger": "axis", "confine": True, "textStyle": text}}
    for i, (panel, cell) in enumerate(zip(PANELS, cells, strict=True)):
        opt["title"].append({"text": cell.title, "left": cell.x + 8, "top": cell.y + 4,
                             "textStyle": {"fontSize": TITLE_PX, "fontWeight": "normal", "lineHeight": TITLE_LINE_PX}})
        grid, x, y = _axes(i, panel, cell, months, lang)
        opt["grid"].append(grid)
        opt["xAxis"].append(x)
        opt["yAxis"].append(y)
        if panel is not None:
            opt["series"] += _line_series(i, panel, cell, df)
        opt["legend"].append({"left": cell.x + 8, "top": cell.legend_top, "width": cell.w - 16,
                              "data": list(cell.names), "textStyle": {**text, "lineHeight": LINE_PX},
                              "itemWidth": 22, "itemHeight": 10, "itemGap": LEGEND_GAP})
    opt["grow"] = len(opt["series"])  # the browser appends a month's point to each of these
    opt["series"] += _bars(PANELS.index(None), model, lang)  # and replaces these whole
    return opt


def month_point(model: CommunityModel) -> dict[str, Any]:
    """This month's numbers for the chart: a value per line (in the figure's order), and the bars and the overall
    share's line whole."""
    df = model.recorder.timeseries()
    lines = [_value(float(sr.values(df)[-1]), panel.percent) for panel in PANELS if panel for sr in panel.series]
    return {"month": int(model.month), "lines": lines, "replace": list(_bar_values(model, df))}


class LiveChartWidget(ipyvuetify.VuetifyTemplate):
    """The browser's chart. ``option`` (synced) is the whole figure as last sent; ``show`` sends a month's
    numbers when the run moved on by one month, else the whole figure; the browser calls ``vue_ready``
    with the month it shows (after loading, or when it missed a month) and gets the whole figure if late."""

    template_file = (__file__, "live_chart.vue")
    option = traitlets.Dict({}).tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session: Session | None = None
        self.frame: tuple | None = None  # (model, lang, sizes) shown
        self.month = -1  # the month last sent
        self.sent_points = 0  # months sent as points, not as whole figures (tests read it)

    def show(self, session: Session, lang: str) -> None:
        """Bring the browser's chart to the session's run A as it is now."""
        with session.lock:
            model = session.a
            if model is None:
                return
            frame, month = (model, lang, session.sizes), int(model.month)
            if frame == self.frame and month == self.month:
                return
            if frame == self.frame and month == self.month + 1 and self.option:
                self.send({"method": "append", "args": [month_point(model)]})
                self.sent_points += 1
            else:
                self.option = chart_option(model, lang, session.sizes, self.option.get("serial", 0) + 1)
            self.session, self.frame, self.month = session, frame, month

    def vue_ready(self, month: int) -> None:
        """The browser shows ``month``: send the whole figure again when that is not the month last sent."""
        if self.session is None or self.frame is None or month == self.month:
            return
        model, lang, sizes = self.frame
        with self.session.lock:
            self.option = chart_option(model, lang, sizes, self.option.get("serial", 0) + 1)
            self.month = int(model.month)


@solara.component
def LiveChart(session: Session, lang: str, tick: int):
    """The live chart of ``session``'s run A, brought up to date whenever ``tick``, the language, the size or
    the run changes."""
    el = LiveChartWidget.element()

    def show() -> None:
        solara.get_widget(el).show(session, lang)

    solara.use_effect(show, [tick, lang, session.sizes, session.a])
    return el
