"""The report's section by community type (from ``needs_by_type.csv``'s table)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from model.params import COMMUNITY_TYPES

from .i18n import t, type_label

if TYPE_CHECKING:
    from .analysis import Tables
    from .spec import Experiment


def types_blocks(exp: "Experiment", tables: "Tables", label: Any, lang: str) -> list[tuple[str, Any]]:
    """A table of arms by community type: share of needs met, severity-weighted share in
    brackets (``label``: the report's arm-label function). Nothing when the arms' worlds have
    one type only."""
    ty = tables.types
    if ty is None or ty.empty or ty["type"].nunique() < 2:
        return []
    present = [name for name in COMMUNITY_TYPES if name in set(ty["type"])]
    rows = []
    for arm in dict.fromkeys(ty["arm"]):
        sub = ty[ty["arm"] == arm].set_index("type")
        cells = [f"{100 * sub.at[name, 'needs_met_share']:.1f}% ({100 * sub.at[name, 'needs_met_weighted_share']:.1f}%)"
                 if name in sub.index else "–" for name in present]
        rows.append([label(exp, arm, lang), *cells])
    return [("h2", t("by_type", lang)), ("p", t("by_type_intro", lang)),
            ("table", ([t("arm", lang), *[type_label(name, lang) for name in present]], rows))]
