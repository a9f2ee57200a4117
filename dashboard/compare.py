"""Compare mode: two settings, the same seed, side by side, and their difference over time.

Setting A is the sidebar's. Setting B starts either from A (same world, same
lever values) or from another preset (with A's world size and run length),
and has its own lever switches, e.g. A = "professional guidance", B = the
same without the self-governance fund. Both models get the same integer seed;
the model draws every decision from its own named random stream (common random
numbers), so the two runs differ only where the policy acts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from matplotlib.figure import Figure

from model import OUTCOME_NAMES

from . import i18n
from .controls import Settings, settings_from_preset
from .plots import COLORS, setup_fonts

if TYPE_CHECKING:
    from model import CommunityModel

SAME_AS_A = "A"
DEFAULT_OUTCOMES: tuple[str, ...] = ("needs_met_share", "participation_rate", "satisfaction", "public_spending_yuan")
MAX_OUTCOMES = 6
COLOR_A, COLOR_B = COLORS[0], COLORS[1]


def settings_b(a: Settings, base: str, enabled: dict[str, bool]) -> Settings:
    """Setting B: from A (``base == "A"``) or from preset ``base`` with A's world, seed and run length;
    lever switches from ``enabled``."""
    if base == SAME_AS_A:
        b = a.copy()
    else:
        b = settings_from_preset(base, seed=a.seed)
        for path in ("world.committees_per_street", "world.residents_per_committee", "scenario.months"):
            b.values[path] = a.values[path]
    b.enabled = {k: bool(enabled.get(k, False)) for k in b.enabled}
    return b


def difference(a: "CommunityModel", b: "CommunityModel", outcomes: tuple[str, ...] | list[str]) -> pd.DataFrame:
    """One row a month both runs reached: ``month``, then ``<outcome>_a``, ``<outcome>_b``, ``<outcome>_diff`` (B − A)."""
    bad = [o for o in outcomes if o not in OUTCOME_NAMES]
    if bad:
        raise ValueError(f"unknown outcome(s) {bad}")
    da, db = a.recorder.timeseries(), b.recorder.timeseries()
    if da.empty or db.empty:
        return pd.DataFrame({"month": pd.Series(dtype="int64")})
    cols = ["month", *outcomes]
    m = da[cols].merge(db[cols], on="month", suffixes=("_a", "_b"))
    for o in outcomes:
        m[f"{o}_diff"] = m[f"{o}_b"] - m[f"{o}_a"]
    return m


def _scale(name: str) -> tuple[float, str | None]:
    """Plot money in 10,000 yuan (万元)."""
    return (1e4, "ten_thousand_yuan") if name == "public_spending_yuan" or name == "social_money_yuan" else (1.0, None)


def compare_figure(a: "CommunityModel", b: "CommunityModel", outcomes: tuple[str, ...] | list[str], lang: str,
                   label_a: str, label_b: str) -> Figure:
    """Top row: each outcome for A and B; bottom row: B − A, shaded above and below zero."""
    setup_fonts()
    outcomes = list(outcomes)[:MAX_OUTCOMES] or list(DEFAULT_OUTCOMES)
    diff = difference(a, b, outcomes)
    months = max(12, int(a.spec.scenario.months))
    k = len(outcomes)
    fig = Figure(figsize=(3.6 * k + 0.6, 6.2))
    fig.subplots_adjust(left=0.06 if k > 2 else 0.1, right=0.98, top=0.86, bottom=0.09, wspace=0.3, hspace=0.35)
    axes = fig.subplots(2, k, squeeze=False)
    for j, name in enumerate(outcomes):
        factor, unit_key = _scale(name)
        unit = i18n.ui(unit_key, lang) if unit_key else i18n.outcome_unit(name, lang)
        top, bottom = axes[0, j], axes[1, j]
        if len(diff):
            x = diff["month"]
            top.plot(x, diff[f"{name}_a"] / factor, color=COLOR_A, lw=2, label=label_a)
            top.plot(x, diff[f"{name}_b"] / factor, color=COLOR_B, lw=2, label=label_b)
            d = diff[f"{name}_diff"] / factor
            bottom.plot(x, d, color="#2c3e50", lw=1.2)
            bottom.fill_between(x, d, 0, where=d >= 0, color=COLORS[2], alpha=0.35, interpolate=True)
            bottom.fill_between(x, d, 0, where=d < 0, color=COLORS[3], alpha=0.35, interpolate=True)
        bottom.axhline(0, color="k", lw=0.8)
        top.set_title(i18n.outcome_label(name, lang), fontsize=11, loc="left")
        bottom.set_title(i18n.ui("difference", lang), fontsize=9, loc="left", color="#2c3e50")
        top.set_ylabel(unit, fontsize=8)
        for ax in (top, bottom):
            ax.grid(True, alpha=0.3)
            ax.tick_params(labelsize=8)
            ax.set_xlim(0.5, months + 0.5)  # the whole run, as in the live figure
        bottom.set_xlabel(i18n.ui("x_month", lang), fontsize=8)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="upper left", bbox_to_anchor=(0.01, 0.995), ncols=2, fontsize=9, frameon=False)
    return fig
