"""Matching residents' needs to providers' capacity, over arrays.

Demand lives in *cells* (committee, need kind). Supply is a table of rows,
each a provider's capacity in one cell for this month: the committee's own
staff, its residents' micro-projects, and each organization that reaches the
committee area. The match rule:

* within a cell, needs are served longest-waiting first (ties at random);
* a cell serves as many needs as its rows have capacity (each row's
  fractional capacity is rounded stochastically, so it is unbiased);
* the served needs are handed to rows in table order (committee staff, then
  micro-projects, then organizations by quality), so row j serves the ranks
  between the cumulative capacities before and after it.

Everything is vectorised: one lexsort over the needs being matched and one
searchsorted, never a loop over residents.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PT_COMMITTEE, PT_PROJECTS, PT_ORG = 0, 1, 2


@dataclass
class Supply:
    """One month's supply rows."""

    cell: np.ndarray  # int64 cell id (committee * n_kinds + kind)
    ptype: np.ndarray  # int8 provider type (PT_*)
    pid: np.ndarray  # int64 provider id (committee index or organization slot)
    cap: np.ndarray  # float64 capacity in needs this month
    quality: np.ndarray  # float64 base quality of a need met by this row (0-1)
    cert: np.ndarray  # float64 chance the need is met by a certified social worker

    @staticmethod
    def concat(parts: list["Supply"]) -> "Supply":
        """Stack several supply tables, keeping their order."""
        if not parts:
            return Supply.empty()
        return Supply(*(np.concatenate([getattr(p, f) for p in parts]) for f in
                        ("cell", "ptype", "pid", "cap", "quality", "cert")))

    @staticmethod
    def empty() -> "Supply":
        """A table with no rows."""
        z = np.zeros(0)
        return Supply(z.astype(np.int64), z.astype(np.int8), z.astype(np.int64), z, z, z)


@dataclass
class Match:
    """Result of matching: which needs were served, by which supply row."""

    served: np.ndarray  # resident indices of the needs met
    row: np.ndarray  # supply row that met each
    used: np.ndarray  # needs met per supply row


def round_capacity(cap: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Stochastic rounding: floor(cap + u), u ~ U(0, 1); unbiased."""
    return np.floor(cap + rng.random(cap.size)).astype(np.int64)


def match(
    need_idx: np.ndarray,
    need_cell: np.ndarray,
    need_wait: np.ndarray,
    supply: Supply,
    n_cells: int,
    rng: np.random.Generator,
) -> Match:
    """Rule: serve needs in each cell longest-waiting first up to the cell's capacity."""
    n_rows = supply.cell.size
    if need_idx.size == 0 or n_rows == 0:
        return Match(need_idx[:0], np.zeros(0, np.int64), np.zeros(n_rows, np.int64))
    cap = round_capacity(supply.cap, rng)
    tie = rng.random(need_idx.size)
    order = np.lexsort((tie, -need_wait.astype(np.int32), need_cell))
    cells = need_cell[order]
    first = np.searchsorted(cells, cells, side="left")
    rank = np.arange(cells.size) - first
    cap_cell = np.bincount(supply.cell, weights=cap, minlength=n_cells).astype(np.int64)
    ok = rank < cap_cell[cells]
    if not ok.any():
        return Match(need_idx[:0], np.zeros(0, np.int64), np.zeros(n_rows, np.int64))
    rorder = np.argsort(supply.cell, kind="stable")
    cum = np.cumsum(cap[rorder])
    cell_base = np.concatenate([[0], np.cumsum(cap_cell)])
    target = cell_base[cells[ok]] + rank[ok]
    row = rorder[np.searchsorted(cum, target, side="right")]
    used = np.bincount(row, minlength=n_rows)
    return Match(need_idx[order[ok]], row, used)


def spread(
    owner: np.ndarray,
    cell: np.ndarray,
    demand: np.ndarray,
    total: np.ndarray,
) -> np.ndarray:
    """Split each owner's capacity ``total[owner]`` over its candidate cells in
    proportion to the demand there (evenly where no cell has demand)."""
    d = demand[cell].astype(np.float64)
    n_owner = total.size
    dsum = np.bincount(owner, weights=d, minlength=n_owner)
    cnt = np.bincount(owner, minlength=n_owner).astype(np.float64)
    share = np.where(dsum[owner] > 0, d / np.where(dsum[owner] > 0, dsum[owner], 1.0),
                     1.0 / np.maximum(cnt[owner], 1.0))
    return total[owner] * share
