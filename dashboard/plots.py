"""The live outcome panels, their PNG (matplotlib; the page draws them in the browser:
:mod:`dashboard.live_chart`), the monitors' formats, and the CJK font for Chinese labels.

The font comes from :mod:`experiments.fonts`: a system font with Chinese glyphs
when matplotlib knows one, else the Noto Sans CJK SC shipped by ``mplfonts``
(registered with matplotlib when this module is imported).

Every label comes from the message catalogue (:mod:`dashboard.i18n`); every
series from the model's declared outcomes (``model.recorder``). Figures are
built with ``matplotlib.figure.Figure`` (no pyplot state, safe in threads) and
rendered to PNG bytes. Every picture is drawn at the pixel size the page shows it
(``Sizes``, from the window's width: ``sizes_for``), with text at least
``TEXT_PX`` pixels tall, so nothing is shrunk on a projector; a run's size stays
fixed between resizes, so a redraw costs the same every month.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib import rcParams
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator, PercentFormatter
from matplotlib.transforms import IdentityTransform
from PIL import Image

from experiments.fonts import find_cjk_font as cjk_family
from model.outcomes import GROUP_COLUMNS
from model.params import GROUPS

from . import i18n

if TYPE_CHECKING:
    from model import CommunityModel

COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22")
DPI = 80
TEXT_PX = 14  # the smallest text on screen, in CSS px: figures are drawn at the size they are shown
TITLE_PX = 16


def pt(px: float) -> float:
    """A font size in points that renders ``px`` pixels tall in a PNG drawn at ``DPI``."""
    return px * 72 / DPI


def wrap_text(text: str, width_px: float, font_px: float) -> list[str]:
    """``text`` cut into lines that fit ``width_px``: between CJK glyphs (one em each) or between words
    (0.6 em a character); a word longer than a line stands alone."""
    lines, line, used = [], "", 0.0
    for token in re.findall(r"[\u2e80-\uffff]|[^\s\u2e80-\uffff]+\s*|\s+", text):
        w = sum(font_px * (1.0 if ord(ch) > 0x2E80 else 0.6) for ch in token)
        if used + w > width_px and line.strip():
            lines.append(line.rstrip())
            line, used = "", 0.0
        line += token
        used += w
    return lines + [line.rstrip()] if line.strip() else lines


@dataclass(frozen=True)
class Sizes:
    """Pixel sizes of the pictures for a content area ``content`` px wide (the page minus the sidebar).

    The page shows every picture at its natural size, so text drawn at ``TEXT_PX`` stays that size
    on screen. ``beside``: the network stands beside the live charts (else below them).
    """

    content: int
    chart: tuple[int, int]
    cols: int
    network: tuple[int, int]
    beside: bool
    compare_width: int
    pair: tuple[int, int]  # each of compare mode's two networks, side by side
    chart_height: int = 0  # the height the browser's live chart may take (0: as tall as all its panels need)


def sizes_for(content: int) -> Sizes:
    """The picture sizes for a content area ``content`` px wide (at least 560)."""
    content = max(560, int(content))
    beside = content >= 900
    net_w = max(340, int(content * 0.3)) if beside else min(content, 640)
    chart_w = content - net_w - 16 if beside else content
    cols = 4 if chart_w >= 1100 else 2
    rows = math.ceil(8 / cols)
    chart_h = rows * (250 if cols == 2 else 270)
    net_h = max(480, min(chart_h, int(net_w * 1.35))) if beside else int(net_w * 1.2)
    pair_w = (content - 16) // 2
    return Sizes(content=content, chart=(chart_w, chart_h), cols=cols, network=(net_w, net_h), beside=beside,
                 compare_width=content, pair=(pair_w, int(pair_w * 1.15)))


DEFAULT_SIZES = sizes_for(1250)


def setup_fonts() -> str | None:
    """Let matplotlib fall back to a CJK font for Chinese glyphs (Latin text keeps DejaVu Sans).

    Called before every figure: under ``solara run`` matplotlib's rcParams are
    scoped to each browser session, so a setting made once would not reach the next.
    """
    fam = cjk_family()
    families = ["DejaVu Sans"] + ([fam] if fam else [])
    if rcParams["font.family"] != families:
        # a list of families in font.family is what turns on matplotlib's per-glyph fallback
        rcParams["font.family"] = families
        rcParams["axes.unicode_minus"] = False
    return fam


def to_png(fig: Figure) -> bytes:
    """Render a figure to PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def canvas_png(canvas: FigureCanvasAgg) -> bytes:
    """What a canvas holds now (drawn or blitted), as PNG bytes."""
    buf = io.BytesIO()
    rgba = np.asarray(canvas.buffer_rgba())
    Image.fromarray(rgba[..., :3]).save(buf, format="png", compress_level=3)
    return buf.getvalue()


@dataclass(frozen=True)
class Series:
    """One line of a panel: its label, how to get it from the time series, its style."""

    label: Callable[[str], str]
    values: Callable[[pd.DataFrame], np.ndarray]
    color: str
    lw: float = 2.0
    ls: str = "-"


def _outcome(name: str, color: str, lw: float = 2.0, ls: str = "-", factor: float = 1.0) -> Series:
    return Series(lambda lang: i18n.outcome_label(name, lang), lambda df: df[name].to_numpy() / factor,
                  color, lw, ls)


def _derived(key: str, fn: Callable[[pd.DataFrame], np.ndarray], color: str, lw: float = 1.0,
             ls: str = "--") -> Series:
    return Series(lambda lang: i18n.ui(key, lang), fn, color, lw, ls)


def _first_year(df: pd.DataFrame) -> np.ndarray:
    """The 12-month spending mean over months 1-12 only (a partial window before month 12), in 万元."""
    return np.where(df["month"].to_numpy() <= SPENDING_WINDOW, df["public_spending_12m_yuan"].to_numpy(),
                    np.nan) / 1e4


def _full_windows(df: pd.DataFrame) -> np.ndarray:
    """The 12-month spending mean from month 12 on (a full window), in 万元."""
    return np.where(df["month"].to_numpy() >= SPENDING_WINDOW, df["public_spending_12m_yuan"].to_numpy(),
                    np.nan) / 1e4


@dataclass(frozen=True)
class Panel:
    """A time-series panel: title, lines, y unit, fixed 0-1 range or growing; ``percent``: y axis in %."""

    title: str
    series: tuple[Series, ...]
    unit: Callable[[str], str] | None = None
    share: bool = False
    percent: bool = False


SPENDING_WINDOW = 12  # months in the window of ``public_spending_12m_yuan``

PANELS: tuple[Panel | None, ...] = (
    Panel("p_needs", (_outcome("needs_met_share", COLORS[0]), _outcome("needs_met_by_certified_share", COLORS[2], 1)), share=True,
          percent=True),
    None,  # needs met by resident group: bars
    Panel("p_wait", (_outcome("mean_wait_months", COLORS[1]),),
          unit=lambda lang: i18n.outcome_unit("mean_wait_months", lang)),
    Panel("p_satisfaction", (_outcome("satisfaction", COLORS[0]), _outcome("trust_in_committee", COLORS[4])),
          share=True),
    Panel("p_participation", (_outcome("participation_rate", COLORS[2]), _outcome("volunteer_rate", COLORS[6], 1.5),
                              _outcome("election_turnout", COLORS[7], 1, "--")), share=True, percent=True),
    Panel("p_orgs", (_outcome("organizations_registered", COLORS[0]), _outcome("organizations_active", COLORS[2]),
                     _derived("founded", lambda df: df["organization_foundings"].cumsum().to_numpy(), COLORS[1]),
                     _derived("failed", lambda df: df["organization_failures"].cumsum().to_numpy(), COLORS[3])),
          unit=lambda lang: i18n.outcome_unit("organizations_registered", lang)),
    Panel("p_workers", (_outcome("social_workers", COLORS[0]),
                        _outcome("social_workers_in_organizations", COLORS[5], 1.5),
                        _derived("certified_workers",
                                 lambda df: (df["social_workers"] * df["certified_share"]).to_numpy(), COLORS[2])),
          unit=lambda lang: i18n.outcome_unit("social_workers", lang)),
    Panel("p_money", (Series(lambda lang: i18n.outcome_label("public_spending_12m_yuan", lang), _full_windows,
                             COLORS[3]),
                      _derived("spending_first_year", _first_year, COLORS[3], 2.0, ":"),
                      _outcome("social_money_yuan", COLORS[2], 1, factor=1e4)),
          unit=lambda lang: i18n.ui("ten_thousand_yuan", lang)),
)
"""The eight panels of the live figure (row by row); every label from the catalogue. Shares are
drawn in % like the monitors show them; the spending mean is dotted while its window is partial."""


def group_shares(model: "CommunityModel", window: int = 12) -> dict[str, float]:
    """Needs-met share by resident group over the last ``window`` months (groups with closed needs), summed
    from the recorder's rows by group of those months alone (one array of every group a month)."""
    rows = model.recorder.by_group[-window:]
    if not rows:
        return {}
    arr = np.vstack(rows)
    arr = arr[arr[:, 0] > arr[:, 0].max() - window]
    group = arr[:, 1].astype(np.int64)
    met = np.bincount(group, arr[:, 2 + GROUP_COLUMNS.index("needs_met")], minlength=len(GROUPS))
    closed = met + np.bincount(group, arr[:, 2 + GROUP_COLUMNS.index("needs_lapsed")], minlength=len(GROUPS))
    return {GROUPS[g]: float(met[g] / closed[g]) for g in dict.fromkeys(group.tolist()) if closed[g] > 0}


class LivePlot:
    """The live figure of one run in one language, redrawn cheaply month after month.

    The time axis spans the whole run and 0-1 shares have a fixed range, so a
    month usually changes only the lines and bars: those are drawn over a
    cached background (matplotlib blitting) instead of redrawing every axis,
    tick and label. A count outgrowing its axis has its panel drawn again into
    the background (the whole figure when its new tick labels need more room).
    The legends are opaque and pasted from their pixels as last drawn, until a
    month's newest points fall under one (then it is placed and drawn anew).
    """

    def __init__(self, lang: str, months: int, sizes: Sizes = DEFAULT_SIZES):
        setup_fonts()
        self.lang, self.months = lang, max(12, int(months))
        w, h = sizes.chart
        self.fig = Figure(figsize=(w / DPI, h / DPI), dpi=DPI, layout="constrained")
        self.canvas = FigureCanvasAgg(self.fig)
        self.fig.get_layout_engine().set(w_pad=4 / DPI, h_pad=4 / DPI, wspace=0.02, hspace=0.02)
        self.axes = self.fig.subplots(8 // sizes.cols, sizes.cols).ravel()
        title_px = 0.6 * w / sizes.cols  # about a panel's axes, less its tick labels and y label
        self.lines: list[list[Any]] = []
        self.top: list[float] = []
        self.background = None
        self.legend_pixels: dict[int, tuple[Any, Any]] = {}  # by panel: a legend's pixels and box, as last drawn
        self.boxes: list[Any] = []  # each panel's region (its tight box) at the last draw
        x = np.arange(1, 1)
        for ax, panel in zip(self.axes, PANELS, strict=True):
            if panel is None:
                self.lines.append([])
                self.top.append(1.0)
                continue
            ax.set_title("\n".join(wrap_text(i18n.ui(panel.title, lang), title_px, TITLE_PX)), fontsize=pt(TITLE_PX),
                         loc="left")
            ax.set_xlim(0.5, self.months + 0.5)
            ax.xaxis.set_major_locator(MaxNLocator(4, integer=True))
            ax.yaxis.set_major_locator(MaxNLocator(4))
            ax.set_xlabel(i18n.ui("x_month", lang), fontsize=pt(TEXT_PX))
            if panel.unit is not None:
                ax.set_ylabel(panel.unit(lang), fontsize=pt(TEXT_PX))
            if panel.percent:
                ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
            ax.grid(True, alpha=0.3)
            ax.tick_params(labelsize=pt(TEXT_PX))
            lines = [ax.plot(x, x, color=sr.color, lw=sr.lw, ls=sr.ls, animated=True,
                             label="\n".join(wrap_text(sr.label(lang), title_px - 40, TEXT_PX)))[0]
                     for sr in panel.series]
            leg = ax.legend(fontsize=pt(TEXT_PX), loc="best", framealpha=1.0)  # opaque: its pixels are reused
            leg.set_animated(True)
            self.lines.append(lines)
            self.top.append(1.02 if panel.share else 1.0)
            ax.set_ylim(0, self.top[-1])
        # bars: needs met by resident group, all groups always listed
        ax = self.axes[1]
        ax.set_title("\n".join(wrap_text(i18n.ui("p_groups", lang), title_px, TITLE_PX)), fontsize=pt(TITLE_PX),
                     loc="left")
        self.bars = ax.barh(range(len(GROUPS)), np.zeros(len(GROUPS)), color="#9ecae1", animated=True)
        ax.set_yticks([])
        # group names inside the panel (drawn over the bars), so they never run into the next panel
        self.bar_names = [ax.text(0.015, i, i18n.group_label(g, lang), va="center", ha="left", fontsize=pt(TEXT_PX),
                                  color="#1a1a1a", animated=True) for i, g in enumerate(GROUPS)]
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
        ax.grid(True, axis="x", alpha=0.3)
        ax.tick_params(labelsize=pt(TEXT_PX))
        self.overall = ax.axvline(0, color="k", lw=1, ls="--", label=i18n.ui("overall", lang), animated=True)
        self.bar_legend = ax.legend(handles=[self.overall], fontsize=pt(TEXT_PX), loc="lower right", framealpha=1.0)
        self.bar_legend.set_animated(True)

    def _rescale(self, data: list[list[np.ndarray]]) -> list[int]:
        """Give every count panel whose data outgrew its axis (or, before the first draw, any data) a new
        y range; return those panels."""
        changed = []
        for i, panel in enumerate(PANELS):
            if panel is None or panel.share or not data[i]:
                continue
            peak = max((float(np.nanmax(v)) for v in data[i] if np.isfinite(v).any()), default=0.0)
            if peak > 0.97 * self.top[i] or self.background is None and peak > 0:
                self.top[i] = _nice_up(1.25 * peak)
                self.axes[i].set_ylim(0, self.top[i])
                changed.append(i)
        return changed

    def _draw_all(self) -> None:
        """Draw everything but the animated artists, and keep it as the background."""
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.fig.bbox)
        self.legend_pixels = {}
        renderer = self.canvas.get_renderer()
        self.boxes = [ax.get_tightbbox(renderer) for ax in self.axes]

    def _draw_panels(self, panels: list[int]) -> bool:
        """Draw only ``panels`` (a new y range) into the background: each panel's region painted white,
        then its axes, ticks and labels. False, drawing nothing, when a panel's new tick labels need more
        room than it had (the whole figure must be laid out again)."""
        renderer = self.canvas.get_renderer()
        boxes = {i: self.axes[i].get_tightbbox(renderer) for i in panels}
        if any(not self.boxes[i].padded(1).contains(b.x0, b.y0) or not self.boxes[i].padded(1).contains(b.x1, b.y1)
               for i, b in boxes.items()):
            return False
        self.canvas.restore_region(self.background)
        for i in panels:
            old = self.boxes[i].padded(2)  # and the edges of its glyphs' antialiasing
            blank = Rectangle((old.x0, old.y0), old.width, old.height, transform=IdentityTransform(),
                              facecolor=self.fig.get_facecolor(), edgecolor="none")
            blank.set_figure(self.fig)
            blank.draw(renderer)
            self.axes[i].draw(renderer)
            self.legend_pixels.pop(i, None)
        self.background = self.canvas.copy_from_bbox(self.fig.bbox)
        return True

    def png(self, model: "CommunityModel") -> bytes:
        """The figure for the model's current month, as PNG bytes."""
        setup_fonts()
        df = model.recorder.timeseries()
        x = df["month"].to_numpy() if len(df) else np.zeros(0)
        data = [[sr.values(df) if len(df) else np.zeros(0) for sr in panel.series] if panel else []
                for panel in PANELS]
        rescaled = self._rescale(data)
        if self.background is None or rescaled and not self._draw_panels(rescaled):
            self._draw_all()
        elif not rescaled:
            self.canvas.restore_region(self.background)
        for ax, lines, values in zip(self.axes, self.lines, data, strict=True):
            for line, v in zip(lines, values, strict=True):
                line.set_data(x, v)
                ax.draw_artist(line)
        self._draw_bars(model, df)
        self._draw_legends(x, data)
        return canvas_png(self.canvas)

    def _draw_bars(self, model: "CommunityModel", df: pd.DataFrame) -> None:
        """The needs met by resident group (bars, names over them) and the overall share (a dashed line)."""
        shares = group_shares(model)
        for bar, g in zip(self.bars, GROUPS, strict=True):
            bar.set_width(shares.get(g, 0.0))
            self.axes[1].draw_artist(bar)
        overall = float(df["needs_met_share"].iloc[-12:].mean()) if len(df) else 0.0
        for name in self.bar_names:
            self.axes[1].draw_artist(name)
        self.overall.set_xdata([overall, overall])
        self.axes[1].draw_artist(self.overall)

    def _draw_legends(self, x: np.ndarray, data: list[list[np.ndarray]]) -> None:
        """Every legend (opaque) from the pixels kept when it was last drawn; drawn anew, placed where the
        lines leave most room and its pixels kept, after a full draw or when this month's points fall
        under it. Laying out a legend's text costs more than all the lines."""
        for i, ax in enumerate(self.axes):
            leg = ax.get_legend()
            if leg is None:
                continue
            kept = self.legend_pixels.get(i)
            if kept is not None and not _under(ax, kept[1], x[-2:], [v[-2:] for v in data[i]]):
                self.canvas.restore_region(kept[0])
                continue
            ax.draw_artist(leg)
            box = leg.get_window_extent().padded(1)
            self.legend_pixels[i] = (self.canvas.copy_from_bbox(box), box)


def _under(ax, box, x: np.ndarray, values: list[np.ndarray]) -> bool:
    """Whether any point (``x``, each of ``values``) of ``ax``'s data falls inside the display box ``box``."""
    for v in values:
        ok = np.isfinite(v)
        if ok.any():
            px = ax.transData.transform(np.column_stack([x[ok], v[ok]]))
            if ((px[:, 0] >= box.x0) & (px[:, 0] <= box.x1) & (px[:, 1] >= box.y0) & (px[:, 1] <= box.y1)).any():
                return True
    return False


def _nice_up(x: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^k that is >= x."""
    if x <= 0:
        return 1.0
    k = math.floor(math.log10(x))
    for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if m * 10**k >= x - 1e-12:
            return float(m * 10**k)
    return float(10 ** (k + 1))  # pragma: no cover


MONITORS: tuple[str, ...] = (
    "needs_met_share", "mean_wait_months", "backlog", "satisfaction", "trust_in_committee", "participation_rate",
    "organizations_active", "organization_foundings", "organization_failures", "social_workers", "certified_share",
    "public_spending_12m_yuan", "spending_per_need_met_yuan", "needs_referred_share", "tri_party_ties_per_10k",
)
"""Outcomes shown as numbers ('monitors') above the plots."""


# which way is better for each declared outcome (model/outcomes.py): +1 higher, -1 lower, 0 neither
# (a count of needs raised, a mix of who met them); compare mode colours B − A by it
BETTER: dict[str, int] = {
    "needs_arising": 0, "needs_met": 1, "needs_lapsed": -1, "needs_met_share": 1, "backlog": -1,
    "mean_wait_months": -1, "needs_met_by_certified_share": 1, "satisfaction": 1, "trust_in_committee": 1,
    "participation_rate": 1, "volunteer_rate": 1, "election_turnout": 1, "committee_service_time_share": 1,
    "needs_met_by_committees_share": 0, "needs_met_by_organizations_share": 0, "needs_met_by_projects_share": 0,
    "needs_met_by_volunteers_share": 0,
    "micro_projects": 1, "organizations_registered": 1, "organizations_registering": 0, "organizations_active": 1,
    "organization_foundings": 1, "organization_failures": -1, "contracts": 0, "government_income_share": 0,
    "orgs_with_certified_share": 1, "social_workers": 1, "social_workers_in_organizations": 1,
    "certified_share": 1, "social_worker_attrition": -1, "public_spending_yuan": -1,
    "public_spending_12m_yuan": -1, "public_staff_yuan": -1, "social_money_yuan": 1, "spending_per_need_met_yuan": -1,
    "admin_hours_moved": 0, "admin_hours_dropped": 0,
    "equity_gap_groups": -1, "equity_gap_committees": -1, "service_centre_coverage": 1, "incubator_coverage": 1,
    "community_foundations": 1, "needs_referred_share": 1, "committees_with_partner_share": 1,
    "orgs_with_social_worker_per_10k": 1, "tri_party_ties_per_10k": 1,
    "organization_failures_money": -1, "organization_failures_inspection": -1, "organization_failures_founders": -1,
    "organization_reserve_months_median": 0, "sector_government_income_share": 0,
    "needs_met_weighted": 1, "needs_lapsed_weighted": -1, "needs_met_weighted_share": 1,
    "equity_gap_groups_weighted": -1,
}
GOOD, BAD, NEUTRAL = COLORS[2], COLORS[3], COLORS[7]


def change_color(name: str, change: float) -> str:
    """Green for a change the right way for outcome ``name``, red for the wrong way, grey otherwise."""
    sign = BETTER[name] * (1 if change > 0 else -1 if change < 0 else 0)
    return GOOD if sign > 0 else BAD if sign < 0 else NEUTRAL


def outcome_unit_of(name: str) -> str:
    """The declared unit of outcome ``name``."""
    from model.outcomes import OUTCOMES

    return next(o.unit for o in OUTCOMES if o.name == name)


def monitor_label(name: str, month: int, lang: str) -> str:
    """An outcome's label; the 12-month spending mean names its partial window before month 12."""
    if name == "public_spending_12m_yuan" and 0 < month < SPENDING_WINDOW:
        return i18n.ui("spending_first_months", lang, n=month)
    return i18n.outcome_label(name, lang)


def format_value(name: str, value: float, lang: str) -> str:
    """A monitor's value with its unit, e.g. '83.2%', '1,234 元/月', '2.5 个月'."""
    unit = outcome_unit_of(name)
    if not np.isfinite(value):
        return "–"
    if unit == "share":
        return f"{value:.1%}"
    if unit == "per year":  # a rate: in % a year
        return i18n.with_unit(f"{value:.1%}", unit, lang)
    if unit.startswith("score") or unit.startswith("index"):
        return f"{value:.2f}"
    if unit == "months":
        return i18n.with_unit(f"{value:.1f}", unit, lang)
    return i18n.with_unit(f"{value:,.0f}", unit, lang)


def format_change(name: str, change: float, lang: str) -> str:
    """A difference B − A with its sign and unit; shares in percentage points."""
    if not np.isfinite(change):
        return "–"
    unit = outcome_unit_of(name)
    if unit in ("share", "per year"):
        return i18n.ui("points", lang, v=f"{100 * change:+.1f}")
    if unit.startswith("score") or unit.startswith("index"):
        return f"{change:+.2f}"
    if unit == "months":
        return i18n.with_unit(f"{change:+.1f}", unit, lang)
    return i18n.with_unit(f"{change:+,.0f}", unit, lang)
