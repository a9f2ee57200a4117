"""Live outcome plots (matplotlib, rendered to PNG) and the CJK font for Chinese labels.

Every label comes from the message catalogue (:mod:`dashboard.i18n`); every
series from the model's declared outcomes (``model.recorder``). Figures are
built with ``matplotlib.figure.Figure`` (no pyplot state, safe in threads) and
rendered to PNG bytes at a fixed size so a redraw costs the same every month.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
from matplotlib import font_manager, rcParams
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from . import i18n

if TYPE_CHECKING:
    from model import CommunityModel

# CJK fonts in order of preference (Debian: fonts-wqy-microhei, fonts-noto-cjk)
CJK_FAMILIES = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC",
                "Droid Sans Fallback", "AR PL UMing CN")
COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22")
DPI = 80


def _LOCATOR_X() -> MaxNLocator:  # noqa: N802 - a factory used like a class
    return MaxNLocator(6, integer=True)


def _LOCATOR_Y() -> MaxNLocator:  # noqa: N802
    return MaxNLocator(5)


@cache
def cjk_family() -> str | None:
    """Name of an installed CJK font matplotlib can use (registering it if fontconfig knows it), or None."""
    known = {f.name for f in font_manager.fontManager.ttflist}
    for fam in CJK_FAMILIES:
        if fam in known:
            return fam
    if shutil.which("fc-list"):  # installed after matplotlib built its font cache
        out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=30, check=False)
        for line in out.stdout.splitlines():
            path = line.split(":")[0].strip()
            if path:
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        known = {f.name for f in font_manager.fontManager.ttflist}
        for fam in CJK_FAMILIES:
            if fam in known:
                return fam
    return None


@cache
def setup_fonts() -> str | None:
    """Let matplotlib fall back to a CJK font for Chinese glyphs (Latin text keeps DejaVu Sans)."""
    fam = cjk_family()
    # a list of families in font.family is what turns on matplotlib's per-glyph fallback
    rcParams["font.family"] = ["DejaVu Sans"] + ([fam] if fam else [])
    rcParams["axes.unicode_minus"] = False
    return fam


def to_png(fig: Figure) -> bytes:
    """Render a figure to PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def _style(ax, title: str, lang: str, months: int) -> None:
    ax.set_title(title, fontsize=11, loc="left")
    ax.grid(True, alpha=0.3)
    ax.tick_params(labelsize=8)
    ax.set_xlabel(i18n.ui("x_month", lang), fontsize=8)
    ax.set_xlim(0.5, max(12, months) + 0.5)  # the time axis grows with the run, at least a year
    ax.xaxis.set_major_locator(_LOCATOR_X())
    ax.yaxis.set_major_locator(_LOCATOR_Y())


def _line(ax, df, name: str, lang: str, color: str, **kw) -> None:
    ax.plot(df["month"], df[name], color=color, label=i18n.outcome_label(name, lang), **kw)


def group_shares(model: "CommunityModel", window: int = 12) -> list[tuple[str, float, int]]:
    """(group, needs-met share, needs closed) over the last ``window`` months, groups with closed needs."""
    gt = model.recorder.group_table()
    if gt.empty:
        return []
    last = gt[gt["month"] > gt["month"].max() - window]
    sums = last.groupby("group", sort=False)[["needs_met", "needs_lapsed"]].sum()
    out = []
    for group, row in sums.iterrows():
        closed = row["needs_met"] + row["needs_lapsed"]
        if closed > 0:
            out.append((str(group), float(row["needs_met"] / closed), int(round(closed))))
    return out


def live_figure(model: "CommunityModel", lang: str) -> Figure:
    """Eight panels: needs met, by group, waiting, satisfaction, participation, organizations,
    social workers, money."""
    setup_fonts()
    df = model.recorder.timeseries()
    fig = Figure(figsize=(15, 7.2))
    fig.subplots_adjust(left=0.04, right=0.96, top=0.94, bottom=0.07, wspace=0.32, hspace=0.32)
    axes = fig.subplots(2, 4)
    n = len(df)
    ax = axes[0, 0]
    if n:
        _line(ax, df, "needs_met_share", lang, COLORS[0], lw=2)
        _line(ax, df, "service_quality", lang, COLORS[2], lw=1)
        ax.legend(fontsize=8, loc="lower right")
    ax.set_ylim(0, 1.02)
    _style(ax, i18n.ui("p_needs", lang), lang, n)

    ax = axes[0, 1]
    shares = group_shares(model)
    if shares:
        names = [i18n.group_label(g, lang) for g, _, _ in shares]
        ax.barh(range(len(shares)), [s for _, s, _ in shares], color=COLORS[0], alpha=0.8)
        ax.set_yticks(range(len(shares)), names, fontsize=8)
        ax.invert_yaxis()
        overall = df["needs_met_share"].iloc[-12:].mean() if len(df) else 0.0
        ax.axvline(overall, color="k", lw=1, ls="--", label=i18n.ui("overall", lang))
        ax.legend(fontsize=8, loc="lower right")
    ax.set_xlim(0, 1)
    ax.set_title(i18n.ui("p_groups", lang), fontsize=11, loc="left")
    ax.grid(True, axis="x", alpha=0.3)
    ax.tick_params(labelsize=8)

    ax = axes[0, 2]
    if n:
        _line(ax, df, "mean_wait_months", lang, COLORS[1], lw=2)
        ax.set_ylabel(i18n.outcome_unit("mean_wait_months", lang), fontsize=8)
    ax.set_ylim(bottom=0)
    _style(ax, i18n.ui("p_wait", lang), lang, n)

    ax = axes[0, 3]
    if n:
        _line(ax, df, "satisfaction", lang, COLORS[0], lw=2)
        _line(ax, df, "trust_in_committee", lang, COLORS[4], lw=2)
        ax.legend(fontsize=8, loc="lower right")
    ax.set_ylim(0, 1.02)
    _style(ax, i18n.ui("p_satisfaction", lang), lang, n)

    ax = axes[1, 0]
    if n:
        _line(ax, df, "participation_rate", lang, COLORS[2], lw=2)
        _line(ax, df, "volunteer_rate", lang, COLORS[6], lw=1.5)
        _line(ax, df, "election_turnout", lang, COLORS[7], lw=1, ls="--")
        ax.legend(fontsize=8, loc="upper left")
    ax.set_ylim(bottom=0)
    _style(ax, i18n.ui("p_participation", lang), lang, n)

    ax = axes[1, 1]
    if n:
        _line(ax, df, "organizations_registered", lang, COLORS[0], lw=2)
        _line(ax, df, "organizations_active", lang, COLORS[2], lw=2)
        ax.plot(df["month"], df["organization_foundings"].cumsum(), color=COLORS[1], lw=1, ls="--",
                label=i18n.ui("founded", lang))
        ax.plot(df["month"], df["organization_failures"].cumsum(), color=COLORS[3], lw=1, ls="--",
                label=i18n.ui("failed", lang))
        ax.legend(fontsize=8, loc="upper left")
        ax.set_ylabel(i18n.outcome_unit("organizations_registered", lang), fontsize=8)
    ax.set_ylim(bottom=0)
    _style(ax, i18n.ui("p_orgs", lang), lang, n)

    ax = axes[1, 2]
    if n:
        _line(ax, df, "social_workers", lang, COLORS[0], lw=2)
        _line(ax, df, "social_workers_in_organizations", lang, COLORS[5], lw=1.5)
        ax.plot(df["month"], df["social_workers"] * df["certified_share"], color=COLORS[2], lw=1, ls="--",
                label=i18n.ui("certified_workers", lang))
        ax.legend(fontsize=8, loc="upper left")
        ax.set_ylabel(i18n.outcome_unit("social_workers", lang), fontsize=8)
    ax.set_ylim(bottom=0)
    _style(ax, i18n.ui("p_workers", lang), lang, n)

    ax = axes[1, 3]
    if n:
        ax.plot(df["month"], df["public_spending_yuan"] / 1e4, color=COLORS[3], lw=2,
                label=i18n.outcome_label("public_spending_yuan", lang))
        ax.plot(df["month"], df["social_money_yuan"] / 1e4, color=COLORS[2], lw=1,
                label=i18n.outcome_label("social_money_yuan", lang))
        ax.set_ylabel(i18n.ui("ten_thousand_yuan", lang), fontsize=8)
        ax.legend(fontsize=8, loc="upper left")
    ax.set_ylim(bottom=0)
    _style(ax, i18n.ui("p_money", lang), lang, n)
    return fig


MONITORS: tuple[str, ...] = (
    "needs_met_share", "mean_wait_months", "backlog", "satisfaction", "trust_in_committee", "participation_rate",
    "organizations_active", "organization_foundings", "organization_failures", "social_workers", "certified_share",
    "public_spending_yuan", "spending_per_need_met_yuan", "linkage_index",
)
"""Outcomes shown as numbers ('monitors') above the plots."""


def format_value(name: str, value: float, lang: str) -> str:
    """A monitor's value with its unit, e.g. '83.2%', '1,234 元/月'."""
    from model.outcomes import OUTCOMES

    unit = next(o.unit for o in OUTCOMES if o.name == name)
    if not np.isfinite(value):
        return "–"
    if unit == "share":
        return f"{value:.1%}"
    if unit.startswith("score") or unit.startswith("index"):
        return f"{value:.2f}"
    if unit == "months":
        return f"{value:.1f} {i18n.unit(unit, lang)}"
    return f"{value:,.0f} {i18n.unit(unit, lang)}"
