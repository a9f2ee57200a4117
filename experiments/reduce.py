"""Per-run reductions: the few numbers the analysis needs from one run's table.

A worker reduces its run right after the run (the table is in memory), so the
parent only combines small results instead of reading every run file again;
runs not executed in this invocation (``--resume``) are read from their file
and reduced by the same function, so both ways give the same numbers (the
Parquet round trip is lossless: same columns, dtypes and values).

Only numpy and pandas: importing this module costs nothing in a worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from model.outcomes import OUTCOME_NAMES
from model.params import COMMUNITY_TYPES, GROUPS

if TYPE_CHECKING:
    import pandas as pd

TOTAL_SPEND = "total.public_spending_yuan"
TOTAL_MET = "total.needs_met"
LAST_MONTHS = 12
"""Needs met by resident group are summed over the last 12 months of a run."""
GROUP_MET = [f"group.{g}.needs_met" for g in GROUPS]
GROUP_LAPSED = [f"group.{g}.needs_lapsed" for g in GROUPS]
GROUP_MET_W = [f"group.{g}.needs_met_weighted" for g in GROUPS]
GROUP_LAPSED_W = [f"group.{g}.needs_lapsed_weighted" for g in GROUPS]
TYPE_MET = [f"type.{t}.needs_met" for t in COMMUNITY_TYPES]
TYPE_LAPSED = [f"type.{t}.needs_lapsed" for t in COMMUNITY_TYPES]
TYPE_MET_W = [f"type.{t}.needs_met_weighted" for t in COMMUNITY_TYPES]
TYPE_LAPSED_W = [f"type.{t}.needs_lapsed_weighted" for t in COMMUNITY_TYPES]
GROUP_SUMS = GROUP_MET + GROUP_LAPSED + GROUP_MET_W + GROUP_LAPSED_W + TYPE_MET + TYPE_LAPSED + TYPE_MET_W + TYPE_LAPSED_W
"""Needs met and lapsed by resident group and by community type, counted and severity-weighted,
summed over the last 12 months."""
GAP_COLUMNS = {"between_type_share": "gap.between_type_share",
               "org_services_share_of_within": "gap.org_services_share_of_within",
               "chance_share": "gap.chance_share"}
"""The gap between committees over a run's last 12 months (``model.by_type.committee_gap``): the
share of the variance of committees' needs-met shares between community types, the share of the
variance within types that goes with where organizations serve, and the share chance alone would
give; kept in the run table's last row."""


@dataclass(frozen=True)
class ReduceSpec:
    """How to reduce each run: its outcome values are means over the last ``window`` months; besides
    them and the totals, keep the monthly series of ``band_outcomes`` (for the time bands; runs of a
    sweep's design points never keep them)."""

    band_outcomes: tuple[str, ...] = ()
    window: int = 12
    burn_in: int = 0  # first months of each run, not reported (``[experiment] burn_in_months``)


@dataclass
class Reduced:
    """One run reduced: every outcome's mean over the last ``ReduceSpec.window`` months, whole-run
    totals, group sums of the last 12 months and the gap between committees (``values``), and for the time bands the monthly series
    and months."""

    values: dict[str, float]
    band_outcomes: tuple[str, ...]
    band: np.ndarray | None
    months: np.ndarray | None


def reported(df: "pd.DataFrame", burn_in: int) -> "pd.DataFrame":
    """A run's table without its first ``burn_in`` months, months renumbered from 1."""
    if burn_in == 0:
        return df
    df = df.iloc[burn_in:].copy()
    df["month"] = df["month"] - burn_in
    return df


def reduce_run(df: "pd.DataFrame", spec: ReduceSpec, swept_point: bool) -> Reduced:
    """Reduce one run's full table (every column, as written to its Parquet file); the burn-in
    months are left out and the others numbered from 1 (the first reported month)."""
    df = reported(df, spec.burn_in)
    window = df.iloc[-spec.window:]
    values: dict[str, float] = {name: float(window[name].mean()) for name in OUTCOME_NAMES}
    values[TOTAL_SPEND] = float(df["public_spending_yuan"].sum())
    values[TOTAL_MET] = float(df["needs_met"].sum())
    tail = df.iloc[-LAST_MONTHS:]
    for c in GROUP_SUMS:
        values[c] = float(tail[c].sum())
    for c in GAP_COLUMNS.values():  # NaN in run files written before the gap was kept
        values[c] = float(df[c].iloc[-1]) if c in df and len(df) else float("nan")
    band = months = None
    if spec.band_outcomes and not swept_point:
        band = df[list(spec.band_outcomes)].to_numpy(dtype=np.float64)
        months = df["month"].to_numpy()
    return Reduced(values, tuple(spec.band_outcomes), band, months)
