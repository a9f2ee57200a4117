"""Matching residents' needs to providers' capacity, over arrays.

Demand lives in *cells* (committee, need kind). Supply is a table of rows,
each a provider's capacity in one cell for this month: the committee's own
staff, its residents' micro-projects, and each organization that reaches the
committee area. The match rule:

* within a cell, needs are served longest-waiting first; where capacity runs
  out within a bucket of equal waits, a uniformly random subset is served;
* a cell serves as many needs as its rows have capacity (each row's
  fractional capacity is rounded stochastically, so it is unbiased);
* each served need goes to one of its cell's rows (committee staff,
  micro-projects, organizations) with chance proportional to the row's
  remaining capacity, i.e. providers serve in a random order.

The loop is compiled (``kernels.match``): a histogram by (cell, wait) and one
pass over the needs, never a sort over residents.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import kernels

PT_COMMITTEE, PT_PROJECTS, PT_ORG, PT_VOLUNTEERS = 0, 1, 2, 3


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
    """Rule: in each cell serve needs longest-waiting first up to the cell's capacity
    (a random subset of the bucket where capacity runs out); each served need goes to a
    supply row of its cell with chance proportional to the row's remaining capacity.
    Implemented in ``kernels.match``."""
    n_rows = supply.cell.size
    if need_idx.size == 0 or n_rows == 0:
        return Match(need_idx[:0], np.zeros(0, np.int64), np.zeros(n_rows, np.int64))
    cap = round_capacity(supply.cap, rng)
    rorder = np.argsort(supply.cell, kind="stable")
    max_wait = int(need_wait.max()) if need_wait.size else 0
    served, srow, used_sorted = kernels.match(
        np.ascontiguousarray(need_idx, dtype=np.int64), np.ascontiguousarray(need_cell, dtype=np.int64),
        np.ascontiguousarray(need_wait, dtype=np.int64), np.ascontiguousarray(supply.cell[rorder], dtype=np.int64),
        cap[rorder], int(n_cells), max_wait, rng)
    used = np.zeros(n_rows, np.int64)
    used[rorder] = used_sorted
    return Match(served, rorder[srow], used)


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
