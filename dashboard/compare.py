"""Compare mode: two settings, the same seed, side by side, and their difference over time.

Setting A is the sidebar's. Setting B starts either from A (same world, same
lever values) or from another preset (with A's world size and run length),
and has its own lever switches, e.g. A = "professional guidance", B = the
same without the self-governance fund. Both models get the same integer seed;
the model draws every decision from its own named random stream (common random
numbers), so the two runs differ only where the policy acts.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter
from PIL import Image

from model import OUTCOME_NAMES

from . import i18n
from .controls import Settings, settings_from_preset
from .plots import (
    BAD,
    BETTER,
    COLORS,
    DEFAULT_SIZES,
    DPI,
    GOOD,
    NEUTRAL,
    change_color,
    format_change,
    format_value,
    monitor_label,
    outcome_unit_of,
    Sizes,
    TEXT_PX,
    TITLE_PX,
    pt,
    setup_fonts,
    wrap_text,
)

if TYPE_CHECKING:
    from model import CommunityModel

SAME_AS_A = "A"
DEFAULT_OUTCOMES: tuple[str, ...] = ("needs_met_share", "participation_rate", "satisfaction",
                                     "public_spending_12m_yuan")
MAX_OUTCOMES = 6
COLOR_A, COLOR_B = COLORS[0], COLORS[1]


def settings_b(a: Settings, base: str, enabled: dict[str, bool]) -> Settings:
    """Setting B: from A (``base == "A"``) or from preset ``base`` with A's world (sizes and street profile),
    seed and run length; lever switches from ``enabled``."""
    if base == SAME_AS_A:
        b = a.copy()
    else:
        b = settings_from_preset(base, seed=a.seed)
        b.profile = a.profile
        for path in ("world.committees_per_street", "world.residents_per_committee", "scenario.months"):
            b.values[path] = a.values[path]
    b.enabled = {k: bool(enabled.get(k, False)) for k in b.enabled}
    return b


def difference(a: "CommunityModel", b: "CommunityModel", outcomes: tuple[str, ...] | list[str]) -> pd.DataFrame:
    """One row a month both runs reached: ``month``, then ``<outcome>_a``, ``<outcome>_b`` and
    ``<outcome>_diff`` (B − A) for each outcome."""
    bad = [o for o in outcomes if o not in OUTCOME_NAMES]
    if bad:
        raise ValueError(f"unknown outcome(s) {bad}")
    da, db = a.recorder.timeseries(), b.recorder.timeseries()
    if da.empty or db.empty:
        return pd.DataFrame({"month": pd.Series(dtype="int64")})
    cols = ["month", *dict.fromkeys(outcomes)]
    m = da[cols].merge(db[cols], on="month", suffixes=("_a", "_b"))
    for o in dict.fromkeys(outcomes):
        m[f"{o}_diff"] = m[f"{o}_b"] - m[f"{o}_a"]
    return m


@dataclass(frozen=True)
class CompareNumbers:
    """Compare mode's numbers at the current month: the chosen outcomes for A and B, and the
    cumulative needs met and public spending of both runs over the months so far."""

    month: int
    rows: tuple[tuple[str, float, float], ...]  # (outcome, A, B) this month
    needs_met: tuple[float, float]  # cumulative, A and B
    spending: tuple[float, float]  # cumulative public spending (yuan), A and B

    @property
    def extra_needs(self) -> float:
        """Needs B met beyond A so far."""
        return self.needs_met[1] - self.needs_met[0]

    @property
    def extra_spending(self) -> float:
        """Public spending of B beyond A so far (yuan)."""
        return self.spending[1] - self.spending[0]

    def yuan_per_extra_need(self) -> tuple[float | None, str]:
        """(B − A spending) / (B − A needs met), cumulative; None and why when B met no more needs."""
        if self.month == 0:
            return None, "per_need_no_months"
        if self.extra_needs <= 0:
            return None, "per_need_no_extra"
        return self.extra_spending / self.extra_needs, ""

    def needs_per_10k_yuan(self) -> tuple[float | None, str]:
        """Extra needs met per 10,000 yuan of extra public spending; None and why when B spent no more."""
        if self.month == 0:
            return None, "per_need_no_months"
        if self.extra_spending <= 0:
            return None, "per_10k_no_extra"
        return 1e4 * self.extra_needs / self.extra_spending, ""


def compare_numbers(a: "CommunityModel", b: "CommunityModel", outcomes: tuple[str, ...] | list[str]) -> CompareNumbers:
    """The numbers compare mode shows for runs ``a`` and ``b`` at the last month both reached."""
    diff = difference(a, b, [*outcomes, "needs_met", "public_spending_yuan"])
    if diff.empty:
        return CompareNumbers(0, tuple((o, float("nan"), float("nan")) for o in outcomes), (0.0, 0.0), (0.0, 0.0))
    last = diff.iloc[-1]
    rows = tuple((o, float(last[f"{o}_a"]), float(last[f"{o}_b"])) for o in outcomes)
    return CompareNumbers(
        month=int(last["month"]), rows=rows,
        needs_met=(float(diff["needs_met_a"].sum()), float(diff["needs_met_b"].sum())),
        spending=(float(diff["public_spending_yuan_a"].sum()), float(diff["public_spending_yuan_b"].sum())))


def table_rows(nums: CompareNumbers, lang: str) -> list[tuple[str, str, str, str, str]]:
    """The compare table's rows as text: (what, A, B, B − A, colour of B − A); the chosen outcomes at
    the current month, then the cumulative needs met and public spending."""
    rows = []
    for name, va, vb in nums.rows:
        change = vb - va
        text = format_change(name, change, lang)
        color = change_color(name, change) if re.search(r"[1-9]", text) else NEUTRAL  # "+0.00": no change
        rows.append((monitor_label(name, nums.month, lang), format_value(name, va, lang),
                     format_value(name, vb, lang), text, color))
    for key, (va, vb), unit, better in (("cum_needs_met", nums.needs_met, "needs", 1),
                                        ("cum_spending", nums.spending, "yuan", -1)):
        change = vb - va
        color = GOOD if better * change > 0 else BAD if better * change < 0 else NEUTRAL
        rows.append((i18n.ui(key, lang, month=nums.month), i18n.with_unit(f"{va:,.0f}", unit, lang),
                     i18n.with_unit(f"{vb:,.0f}", unit, lang), i18n.with_unit(f"{change:+,.0f}", unit, lang), color))
    return rows


def ratio_lines(nums: CompareNumbers, lang: str) -> list[str]:
    """Yuan per extra need met and extra needs met per 10,000 yuan (cumulative), or "—" and why."""
    per_need, why = nums.yuan_per_extra_need()
    text = (i18n.with_unit(f"{per_need:,.0f}", "yuan per need", lang) if per_need is not None
            else "— " + i18n.ui(why, lang, n=f"{nums.extra_needs:+,.0f}"))
    lines = [f"{i18n.ui('per_extra_need', lang)}: {text}"]
    per_10k, why = nums.needs_per_10k_yuan()
    text = (i18n.with_unit(f"{per_10k:,.2f}", "needs", lang) if per_10k is not None
            else "— " + i18n.ui(why, lang, n=f"{nums.extra_spending:+,.0f}"))
    lines.append(f"{i18n.ui('per_10k_yuan', lang)}: {text}")
    return lines


def _scale(name: str) -> tuple[float, str | None]:
    """Plot money in 10,000 yuan (万元)."""
    return (1e4, "ten_thousand_yuan") if name.endswith("_yuan") and name != "spending_per_need_met_yuan" else (1.0, None)


def _fill_colors(name: str) -> tuple[str, str]:
    """Colours of B − A above and below zero: green where it is better, red where worse, grey if neither."""
    better = BETTER[name]
    if better == 0:
        return NEUTRAL, NEUTRAL
    return (GOOD, BAD) if better > 0 else (BAD, GOOD)


class ComparePlot:
    """The compare figure of two runs in one language, redrawn by blitting like ``plots.LivePlot``.

    Top row: each outcome for A and B; bottom row: B − A, shaded green where B
    is better and red where it is worse (``plots.BETTER``: for waiting or spending
    a fall is better), grey for outcomes with no better direction. The time axis spans the run; each y range only grows
    (a value outside it makes the next draw a full one).
    """

    def __init__(self, outcomes: tuple[str, ...] | list[str], lang: str, label_a: str, label_b: str, months: int,
                 sizes: Sizes = DEFAULT_SIZES):
        setup_fonts()
        self.outcomes = list(outcomes)[:MAX_OUTCOMES] or list(DEFAULT_OUTCOMES)
        k = len(self.outcomes)
        cols = min(k, max(1, sizes.compare_width // 280))  # panels at least 280 px wide; more wrap into rows
        rows = math.ceil(k / cols)
        w, h = sizes.compare_width, 90 + rows * 2 * 220
        self.fig = Figure(figsize=(w / DPI, h / DPI), dpi=DPI, layout="constrained")
        self.canvas = FigureCanvasAgg(self.fig)
        self.fig.get_layout_engine().set(rect=(0, 0, 1, 1 - 80 / h), w_pad=4 / DPI, h_pad=4 / DPI)
        grid = self.fig.subplots(2 * rows, cols, squeeze=False)
        self.axes = np.array([[grid[2 * (j // cols) + r, j % cols] for j in range(k)] for r in (0, 1)])
        for extra in range(k, rows * cols):
            for r in (0, 1):
                grid[2 * (extra // cols) + r, extra % cols].set_visible(False)
        self.ranges: list[list[float] | None] = [None] * (2 * k)
        self.background = None
        self.fills: list[Any] = []
        empty = np.zeros(0)
        self.lines = []
        for j, name in enumerate(self.outcomes):
            factor, unit_key = _scale(name)
            top, bottom = self.axes[0, j], self.axes[1, j]
            la = top.plot(empty, empty, color=COLOR_A, lw=2, label=label_a, animated=True)[0]
            lb = top.plot(empty, empty, color=COLOR_B, lw=2, label=label_b, animated=True)[0]
            ld = bottom.plot(empty, empty, color="#2c3e50", lw=1.2, animated=True)[0]
            self.lines.append((la, lb, ld, factor))
            bottom.axhline(0, color="k", lw=0.8)
            top.set_title("\n".join(wrap_text(i18n.outcome_label(name, lang), 0.6 * w / cols, TITLE_PX)),
                          fontsize=pt(TITLE_PX), loc="left")
            bottom.set_title(i18n.ui("difference", lang), fontsize=pt(TEXT_PX), loc="left", color="#2c3e50")
            if outcome_unit_of(name) == "share":  # in %, as the monitors show shares
                top.set_ylabel("%", fontsize=pt(TEXT_PX))
                for ax in (top, bottom):
                    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1))  # decimals as the range needs
            else:
                unit = i18n.ui(unit_key, lang) if unit_key else i18n.outcome_unit(name, lang)
                top.set_ylabel(unit, fontsize=pt(TEXT_PX))
            bottom.set_xlabel(i18n.ui("x_month", lang), fontsize=pt(TEXT_PX))
            for ax in (top, bottom):
                ax.grid(True, alpha=0.3)
                ax.tick_params(labelsize=pt(TEXT_PX))
                ax.set_xlim(0.5, max(12, months) + 0.5)
                ax.xaxis.set_major_locator(MaxNLocator(4, integer=True))
                ax.yaxis.set_major_locator(MaxNLocator(4))
        self.fig.legend(handles=list(self.lines[0][:2]), loc="upper left", bbox_to_anchor=(0.0, 1.0), ncols=1,
                        fontsize=pt(TEXT_PX), frameon=False)

    def _grow(self, i: int, ax: Any, values: list[np.ndarray], zero: bool) -> bool:
        vals = np.concatenate([v[np.isfinite(v)] for v in values]) if values else np.zeros(0)
        if not len(vals):
            return False
        lo, hi = float(vals.min()), float(vals.max())
        if zero:
            lo, hi = min(lo, 0.0), max(hi, 0.0)
        cur = self.ranges[i]
        if cur is not None and cur[0] <= lo and hi <= cur[1]:
            return False
        span = max(hi - lo, abs(hi) * 0.05, 1e-3)
        new_lo, new_hi = lo - 0.25 * span, hi + 0.25 * span
        if not zero and lo >= 0:
            new_lo = max(new_lo, 0.0)  # a count or share never needs a negative axis
        if cur is not None:
            new_lo, new_hi = min(cur[0], new_lo), max(cur[1], new_hi)
        new = [new_lo, new_hi]
        self.ranges[i] = new
        ax.set_ylim(*new)
        return True

    def png(self, a: "CommunityModel", b: "CommunityModel") -> bytes:
        """The figure for both runs' current month, as PNG bytes."""
        setup_fonts()
        diff = difference(a, b, self.outcomes)
        x = diff["month"].to_numpy() if len(diff) else np.zeros(0)
        k = len(self.outcomes)
        series = []
        changed = False
        for j, name in enumerate(self.outcomes):
            factor = self.lines[j][3]
            va = diff[f"{name}_a"].to_numpy() / factor if len(diff) else np.zeros(0)
            vb = diff[f"{name}_b"].to_numpy() / factor if len(diff) else np.zeros(0)
            vd = vb - va
            series.append((va, vb, vd))
            changed |= self._grow(j, self.axes[0, j], [va, vb], zero=False)
            changed |= self._grow(k + j, self.axes[1, j], [vd], zero=True)
        if changed or self.background is None:
            self.canvas.draw()
            self.background = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(self.background)
        for fill in self.fills:
            fill.remove()
        self.fills = []
        for j, (va, vb, vd) in enumerate(series):
            la, lb, ld, _ = self.lines[j]
            top, bottom = self.axes[0, j], self.axes[1, j]
            for line, v in ((la, va), (lb, vb), (ld, vd)):
                line.set_data(x, v)
            if len(x):
                up, down = _fill_colors(self.outcomes[j])
                for where, color in ((vd >= 0, up), (vd < 0, down)):
                    fill = bottom.fill_between(x, vd, 0, where=where, color=color, alpha=0.35, interpolate=True,
                                               animated=True)
                    self.fills.append(fill)
                    bottom.draw_artist(fill)
            top.draw_artist(la)
            top.draw_artist(lb)
            bottom.draw_artist(ld)
        buf = io.BytesIO()
        Image.fromarray(np.asarray(self.canvas.buffer_rgba())[..., :3]).save(buf, format="png", compress_level=3)
        return buf.getvalue()
