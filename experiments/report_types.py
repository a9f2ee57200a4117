"""The report's section by community type (from ``needs_by_type.csv``'s table)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from model.params import COMMUNITY_TYPES

from .i18n import t, type_label
from .reduce import GAP_COLUMNS

GAP_HEADS = {"between_type_share": "gap_between", "org_services_share_of_within": "gap_org",
             "chance_share": "gap_chance"}
"""The report's column heading (an ``i18n`` key) of each part of the gap between committees."""

if TYPE_CHECKING:
    from .analysis import Tables
    from .spec import Experiment


def types_blocks(exp: "Experiment", tables: "Tables", label: Any, lang: str) -> list[tuple[str, Any]]:
    """A table of arms by community type: share of needs met, severity-weighted share in
    brackets, then the gap between committees (between types; within types, with where
    organizations serve) when the runs kept it (``label``: the report's arm-label function).
    Nothing when the arms' worlds have one type only."""
    ty = tables.types
    if ty is None or ty.empty or ty["type"].nunique() < 2:
        return []
    present = [name for name in COMMUNITY_TYPES if name in set(ty["type"])]
    gap = [key for key in GAP_COLUMNS if key in ty and ty[key].notna().any()]
    rows = []
    for arm in dict.fromkeys(ty["arm"]):
        sub = ty[ty["arm"] == arm].set_index("type")
        cells = [f"{100 * sub.at[name, 'needs_met_share']:.1f}% ({100 * sub.at[name, 'needs_met_weighted_share']:.1f}%)"
                 if name in sub.index else "–" for name in present]
        first = sub.iloc[0]  # the gap is the arm's, the same in each of its rows
        rows.append([label(exp, arm, lang), *cells,
                     *[f"{first[key]:.2f}" if math.isfinite(first[key]) else "–" for key in gap]])
    heads = [t("arm", lang), *[type_label(name, lang) for name in present], *[t(GAP_HEADS[key], lang) for key in gap]]
    blocks = [("h2", t("by_type", lang)), ("p", t("by_type_intro", lang)), ("table", (heads, rows))]
    return blocks + ([("p", t("by_type_gap", lang))] if gap else [])
