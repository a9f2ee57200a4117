"""Outcomes by community type, and by resident group within type (``by_type.csv``).

The recorder (``outcomes.Recorder``) hands each month's needs raised, met and lapsed to a
:class:`TypeTally`, which counts them by (community type of the resident's committee,
resident group), met and lapsed needs also weighted by severity (``residents.severity``); ``TypeTally.end_month`` appends the month's rows: one row per type present
in the world for all its residents (group ``all``) and one per group within it.
:func:`between_type_share` is the variance decomposition of committees' needs-met shares;
:func:`committee_gap` applies it to a run's last months (``summary.json``'s ``committee_gap``) and
says how much of the gap within types goes with where organizations serve (``org_services``).

Layout: ``TYPE_COLUMNS``, ``TypeTally``, ``between_type_share``, ``committee_gap`` and
``committee_gap_arrays``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import kernels
from .outcome_measures import severity_weights
from .params import COMMUNITY_TYPES, GROUPS

if TYPE_CHECKING:
    from .community import CommunityModel

TYPE_COLUMNS = ("committees", "residents", "needs_arising", "needs_met", "needs_lapsed", "needs_met_share",
                "needs_met_weighted", "needs_lapsed_weighted", "needs_met_weighted_share")

_NO_KINDS = np.zeros(0, np.int8)  # needs raised are counted without their kinds


class TypeTally:
    """This month's needs by (community type, resident group), and the rows so far."""

    def __init__(self, model: "CommunityModel"):
        self.m = model
        r = model.residents
        self.n_t, self.n_g = len(COMMUNITY_TYPES), len(GROUPS)
        self.present = np.unique(r.ctype)
        self.committees = np.bincount(r.ctype, minlength=self.n_t)
        self.weights = severity_weights(model.p.residents)  # parameters are fixed within a run
        self.rows: list[np.ndarray] = []
        self.begin_month()

    def begin_month(self) -> None:
        """Reset the month's counts (arising, met, lapsed; each types x groups) and the
        severity-weighted ones (met, lapsed)."""
        self.counts = np.zeros((3, self.n_t * self.n_g), np.int64)
        self.weighted = np.zeros((2, self.n_t * self.n_g))

    def add(self, which: int, idx: np.ndarray, kinds: np.ndarray | None = None) -> None:
        """Count the needs of residents ``idx``: ``which`` 0 raised, 1 met, 2 lapsed; met and
        lapsed needs also weighted by their kinds' severity (``kinds``: aligned with ``idx``)."""
        r = self.m.residents
        weighted = which > 0
        counts, sums = kernels.count_by_type_group(idx, r.committee, r.ctype, r.group,
                                                   kinds if weighted else _NO_KINDS, self.weights, self.n_g,
                                                   self.n_t * self.n_g, weighted)
        self.counts[which] += counts
        if weighted:
            self.weighted[which - 1] += sums

    def end_month(self) -> None:
        """Append the month's rows (counts at full scale: divided by the sampled share): for
        each type present, first its ``all`` row (group code -1), then one row per group."""
        scale = self.m.scale
        r = self.m.residents
        residents = np.zeros((self.n_t, self.n_g))
        np.add.at(residents, r.ctype, np.diff(r.group_start, axis=1))  # the mix changes with ageing
        t = self.present
        # (types present) x (all, then each group): sums over groups first, as the rows read
        c = self.counts.reshape(3, self.n_t, self.n_g).astype(np.float64)[:, t, :]
        wc = self.weighted.reshape(2, self.n_t, self.n_g)[:, t, :]
        c = np.concatenate([c.sum(axis=2, keepdims=True), c], axis=2)
        wc = np.concatenate([wc.sum(axis=2, keepdims=True), wc], axis=2)
        res = residents[t]
        res = np.concatenate([res.sum(axis=1, keepdims=True), res], axis=1)
        arising, met, lapsed = c
        w_met, w_lapsed = wc
        closed, w_closed = met + lapsed, w_met + w_lapsed
        rows = np.empty((t.size, self.n_g + 1, 3 + len(TYPE_COLUMNS)))
        rows[:, :, 0] = self.m.month
        rows[:, :, 1] = t[:, None]
        rows[:, :, 2] = np.arange(-1, self.n_g)[None, :]
        rows[:, :, 3] = self.committees[t][:, None]
        for col, x in enumerate((res, arising, met, lapsed), start=4):
            rows[:, :, col] = x / scale
        rows[:, :, 8] = np.divide(met, closed, out=np.zeros_like(met), where=closed > 0)
        rows[:, :, 9] = w_met / scale
        rows[:, :, 10] = w_lapsed / scale
        rows[:, :, 11] = np.divide(w_met, w_closed, out=np.zeros_like(w_met), where=w_closed > 0)
        self.rows.append(rows.reshape(-1, rows.shape[2]))

    def table(self) -> pd.DataFrame:
        """Outcomes by month, community type and group (``all`` for the type's residents)."""
        arr = np.vstack(self.rows) if self.rows else np.zeros((0, 3 + len(TYPE_COLUMNS)))
        df = pd.DataFrame(arr[:, 3:], columns=list(TYPE_COLUMNS))
        for col in ("committees", "residents", "needs_arising", "needs_met", "needs_lapsed"):
            df[col] = df[col].round().astype(np.int64) if self.m.scale == 1.0 else df[col]
        df.insert(0, "group", ["all" if g < 0 else GROUPS[int(g)] for g in arr[:, 2]])
        df.insert(0, "type", [COMMUNITY_TYPES[int(t)] for t in arr[:, 1]])
        df.insert(0, "month", arr[:, 0].astype(np.int64))
        return df


def between_type_share(share: np.ndarray, ctype: np.ndarray) -> float:
    """Share of the variance of committees' needs-met shares (``share``, one per committee)
    that lies between community types (``ctype``): the between-type sum of squares over the
    total (0 when all committees are alike)."""
    share = np.asarray(share, dtype=np.float64)
    total = float(((share - share.mean()) ** 2).sum())
    if total <= 0:
        return 0.0
    between = 0.0
    for t in np.unique(ctype).tolist():
        x = share[ctype == t]
        between += x.size * (x.mean() - share.mean()) ** 2
    return between / total


def committee_gap(table: pd.DataFrame, months: int = 12) -> dict[str, float | int]:
    """The gap between committees in needs met over the last ``months`` months of a committee
    table (``Recorder.committee_table``; columns ``month``, ``committee``, ``type``,
    ``needs_met``, ``needs_lapsed``, ``org_services``): :func:`committee_gap_arrays` on each
    committee's sums of needs met and lapsed and mean ``org_services``."""
    if len(table) == 0:
        return committee_gap_arrays(np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0, np.int64), months)
    last = table[table["month"] > int(table["month"].max()) - months]
    g = last.groupby("committee").agg(type=("type", "first"), met=("needs_met", "sum"),
                                      lapsed=("needs_lapsed", "sum"), org=("org_services", "mean"))
    return committee_gap_arrays(g["met"].to_numpy(np.float64), g["lapsed"].to_numpy(np.float64),
                                g["org"].to_numpy(np.float64), pd.factorize(g["type"])[0], months)


def committee_gap_arrays(met: np.ndarray, lapsed: np.ndarray, org: np.ndarray, ctype: np.ndarray,
                         months: int) -> dict[str, float | int]:
    """The gap between committees from each committee's needs met and lapsed over ``months``
    months, its mean ``org_services`` and its community type (any integer codes): each
    committee's share of its closed needs met (only committees that closed any), the standard
    deviation of those shares, the share of their variance lying between community types
    (:func:`between_type_share`), the share of the variance *within* types that goes with
    ``org_services`` (the squared correlation of the two, each taken as its difference from
    its type's mean; 0 when either does not vary), and the share of the variance that chance
    alone would give (``chance_share``: the committees' binomial variances ``s (1 - s) / n``,
    ``n`` its closed needs, summed with the factor ``1 - 1/committees`` and divided by the sum
    of squares; at most 1): where it is large, committees close too few needs to tell them
    apart."""
    closed = np.asarray(met, np.float64) + np.asarray(lapsed, np.float64)
    keep = closed > 0
    closed, ctype = closed[keep], np.asarray(ctype)[keep]
    share = np.asarray(met, np.float64)[keep] / closed
    x = np.asarray(org, np.float64)[keep]
    kinds, codes = np.unique(ctype, return_inverse=True)
    codes = codes.ravel()
    out: dict[str, float | int] = {"months": int(months), "committees": int(share.size),
                                   "types": int(kinds.size), "share_sd": 0.0,
                                   "between_type_share": 0.0, "org_services_share_of_within": 0.0,
                                   "chance_share": 0.0}
    if share.size < 2:
        return out
    n_t = np.bincount(codes).astype(np.float64)
    e = share - (np.bincount(codes, weights=share) / n_t)[codes]
    x = x - (np.bincount(codes, weights=x) / n_t)[codes]
    sxx, see = float((x * x).sum()), float((e * e).sum())
    out["share_sd"] = float(share.std())
    total = float(((share - share.mean()) ** 2).sum())
    if total > 0:
        chance = float((share * (1 - share) / closed).sum()) * (1 - 1 / share.size)
        out["chance_share"] = min(chance / total, 1.0)
    out["between_type_share"] = float(between_type_share(share, codes))
    if sxx > 1e-12 and see > 1e-18:
        out["org_services_share_of_within"] = float((e * x).sum()) ** 2 / (sxx * see)
    return out
