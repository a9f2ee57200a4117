"""Residents as a struct of arrays, with every rule written over whole arrays.

Residents are many (up to tens of millions), so none of them is a Python
object and no rule loops over them. Residents of one committee are stored
contiguously: committee ``c`` owns rows ``start[c]:start[c+1]``.

State per resident: primary group, committee, the one open need (kind, months
waited, channel it was brought to), awareness of organizations' services,
trust in the committee, satisfaction, participation and volunteering.
Neighbour ties are a sparse row-normalised matrix within each committee area.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .params import GROUPS, NEED_KINDS, Residents as ResidentParams

NO_NEED = -1
CH_NONE, CH_COMMITTEE, CH_ORG = -1, 0, 1
ELDERLY = GROUPS.index("elderly")
WOMEN_AT_HOME = GROUPS.index("women_at_home")


def group_share_vector(p: ResidentParams) -> np.ndarray:
    """Shares of the nine groups, ``others`` taking the remainder."""
    shares = np.array([getattr(p.group_shares, g) for g in GROUPS[:-1]], dtype=np.float64)
    return np.append(shares, max(0.0, 1.0 - shares.sum()))


def need_rate_matrix(p: ResidentParams) -> np.ndarray:
    """Monthly need rates as a (group x kind) matrix."""
    return np.array(
        [[getattr(getattr(p.need_rates, g), k) for k in NEED_KINDS] for g in GROUPS],
        dtype=np.float64,
    )


class ResidentArrays:
    """State of all residents, one array per attribute."""

    def __init__(self, sizes: np.ndarray, p: ResidentParams, rng_init: np.random.Generator):
        self.n_committees = int(sizes.size)
        self.start = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        n = int(self.start[-1])
        self.n = n
        self.committee = np.repeat(np.arange(self.n_committees, dtype=np.int32), sizes)
        # Groups drawn independently per resident from the shares.
        shares = group_share_vector(p)
        self.group = rng_init.choice(len(GROUPS), size=n, p=shares / shares.sum()).astype(np.int8)
        self.need_kind = np.full(n, NO_NEED, dtype=np.int8)
        self.need_wait = np.zeros(n, dtype=np.int16)
        self.need_channel = np.full(n, CH_NONE, dtype=np.int8)
        a0 = p.awareness_init
        self.awareness = np.clip(rng_init.beta(2.0, 2.0, n) * 2 * a0, 0, 1).astype(np.float32)
        self.trust = np.full(n, p.trust_init, dtype=np.float32)
        self.satisfaction = np.full(n, p.satisfaction_init, dtype=np.float32)
        self.participating = rng_init.random(n) < p.participation_init
        self.volunteer = self.participating & (rng_init.random(n) < p.volunteer_share)
        self.neighbours = self._ties(p.neighbours, sizes, rng_init)

    # ------------------------------------------------------------------
    def _ties(self, k: int, sizes: np.ndarray, rng: np.random.Generator) -> sp.csr_matrix:
        """Random ties within each committee area (k/2 drawn per resident, made symmetric)."""
        n = self.n
        half = max(0, k // 2)
        if half == 0 or n == 0:
            return sp.csr_matrix((n, n), dtype=np.float32)
        src = np.repeat(np.arange(n, dtype=np.int64), half)
        com = np.repeat(self.committee, half)
        size = sizes[com]
        offset = (rng.random(src.size) * (size - 1)).astype(np.int64) + 1  # never self
        local = src - self.start[com]
        dst = self.start[com] + (local + offset) % size
        rows = np.concatenate([src, dst])
        cols = np.concatenate([dst, src])
        mat = sp.csr_matrix((np.ones(rows.size, dtype=np.float32), (rows, cols)), shape=(n, n))
        mat.sum_duplicates()
        mat.data[:] = 1.0
        deg = np.asarray(mat.sum(axis=1)).ravel()
        deg[deg == 0] = 1.0
        inv = (1.0 / deg).astype(np.float32)
        mat.data *= np.repeat(inv, np.diff(mat.indptr))
        return mat

    def neighbour_mean(self, values: np.ndarray) -> np.ndarray:
        """Mean of ``values`` over each resident's neighbours (0 for the isolated)."""
        return self.neighbours @ values.astype(np.float32)

    # ------------------------------------------------------------------
    # Rules
    # ------------------------------------------------------------------
    def decide_needs_arise(self, rates: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Rule: a resident with no open need raises one of kind k with monthly chance rate[group, k].

        One uniform draw per resident: u < total rate of the group raises a
        need, and u / total picks the kind from the group's cumulative rates.
        Returns the indices of residents who raised a need this month.
        """
        total = rates.sum(axis=1)
        u = rng.random(self.n)
        free = self.need_kind == NO_NEED
        new = np.flatnonzero(free & (u < total[self.group]))
        if new.size:
            g = self.group[new]
            v = u[new] / total[g]
            cum = np.cumsum(rates, axis=1) / np.where(total > 0, total, 1.0)[:, None]
            kind = (v[:, None] >= cum[g]).sum(axis=1)
            self.need_kind[new] = np.minimum(kind, rates.shape[1] - 1).astype(np.int8)
            self.need_wait[new] = 0
            self.need_channel[new] = CH_NONE
        return new

    def decide_bring_forward(
        self, p: ResidentParams, org_reach: np.ndarray, rng: np.random.Generator
    ) -> None:
        """Rule: an open, not yet expressed need is brought forward with chance
        express_base + express_trust*trust + express_awareness*awareness; it goes
        straight to an organization with chance direct_to_org_awareness*awareness
        where one serves that kind in the committee area (org_reach[committee, kind]),
        otherwise to the committee.
        """
        idx = np.flatnonzero((self.need_kind != NO_NEED) & (self.need_channel == CH_NONE))
        if idx.size == 0:
            return
        aw = self.awareness[idx]
        p_express = np.clip(p.express_base + p.express_trust * self.trust[idx] + p.express_awareness * aw, 0, 1)
        u = rng.random((2, idx.size))
        go = u[0] < p_express
        reach = org_reach[self.committee[idx], self.need_kind[idx]]
        to_org = go & (u[1] < p.direct_to_org_awareness * aw * reach)
        ch = np.where(to_org, CH_ORG, CH_COMMITTEE).astype(np.int8)
        self.need_channel[idx[go]] = ch[go]

    def resolve_met(self, idx: np.ndarray, quality: np.ndarray, by_org: np.ndarray, p: ResidentParams) -> None:
        """Rule: a met need closes; satisfaction moves towards the experienced quality
        (provider quality minus quality_wait_penalty per month waited); trust moves
        the same way when the need was brought to the committee; awareness rises
        when an organization met it."""
        q = np.clip(quality - p.quality_wait_penalty * self.need_wait[idx], 0.0, 1.0).astype(np.float32)
        s = self.satisfaction[idx]
        self.satisfaction[idx] = s + p.satisfaction_step * (q - s)
        via_committee = self.need_channel[idx] == CH_COMMITTEE
        ci = idx[via_committee]
        self.trust[ci] += p.trust_step * (q[via_committee] - self.trust[ci])
        oi = idx[by_org]
        self.awareness[oi] += p.awareness_gain_served * (1.0 - self.awareness[oi])
        self.need_kind[idx] = NO_NEED
        self.need_wait[idx] = 0
        self.need_channel[idx] = CH_NONE

    def decide_wait_or_lapse(self, p: ResidentParams, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Rule: an unmet need waits one more month; it lapses with chance lapse_rate,
        or surely after max_wait_months. A lapse pulls satisfaction (and, for a need
        brought to the committee, trust) towards 0. Returns the lapsed indices and kinds."""
        idx = np.flatnonzero(self.need_kind != NO_NEED)
        if idx.size == 0:
            return idx, idx.astype(np.int8)
        self.need_wait[idx] += 1
        lapse = (rng.random(idx.size) < p.lapse_rate) | (self.need_wait[idx] >= p.max_wait_months)
        li = idx[lapse]
        self.satisfaction[li] *= np.float32(1.0 - p.satisfaction_step)
        ci = li[self.need_channel[li] == CH_COMMITTEE]
        self.trust[ci] *= np.float32(1.0 - p.trust_step)
        kinds = self.need_kind[li].copy()
        self.need_kind[li] = NO_NEED
        self.need_wait[li] = 0
        self.need_channel[li] = CH_NONE
        return li, kinds

    def decide_participation(
        self,
        p: ResidentParams,
        projects_running: np.ndarray,
        rng: np.random.Generator,
    ) -> None:
        """Rule (threshold-free contagion): a non-participant joins with chance
        base*(1+bias for elderly and women at home) + peer*share of participating
        neighbours + satisfaction term + project_pull where the committee runs
        micro-projects; a participant stops with chance participation_quit. A new
        participant volunteers with chance volunteer_share. Awareness drifts towards
        neighbours' mean (word of mouth), decays, and rises with publicity
        (publicity_awareness; publicity_participation adds to the joining chance)."""
        nb_part = self.neighbour_mean(self.participating)
        bias = np.where((self.group == ELDERLY) | (self.group == WOMEN_AT_HOME), 1.0 + p.group_participation_bias, 1.0)
        p_join = (
            p.participation_base * bias
            + p.participation_peer * nb_part
            + p.participation_satisfaction * np.maximum(self.satisfaction - 0.5, 0.0)
            + p.participation_project_pull * (projects_running[self.committee] > 0)
            + p.publicity_participation
        )
        u = rng.random((3, self.n), dtype=np.float32)
        joins = ~self.participating & (u[0] < p_join)
        quits = self.participating & (u[1] < p.participation_quit)
        self.participating = (self.participating | joins) & ~quits
        self.volunteer = (self.volunteer & ~quits) | (joins & (u[2] < p.volunteer_share))
        nb_aw = self.neighbour_mean(self.awareness)
        aw = self.awareness
        aw += p.awareness_gain_neighbours * np.maximum(nb_aw - aw, 0.0) - p.awareness_decay * aw
        if p.publicity_awareness > 0:
            aw += p.publicity_awareness * (1.0 - aw)
        np.clip(aw, 0.0, 1.0, out=aw)

    def decide_votes(
        self, p: ResidentParams, committees: np.ndarray, direct: np.ndarray, trust_gain: float,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """Rule: in an election month of committee c, each resident votes with chance
        turnout_base + turnout_trust*trust + turnout_participation*participating; in a
        directly elected committee voters' trust rises by trust_gain*(1-trust).
        Returns turnout per committee (NaN where no election)."""
        turnout = np.full(self.n_committees, np.nan)
        for c, is_direct in zip(committees, direct, strict=True):
            lo, hi = self.start[c], self.start[c + 1]
            pv = np.clip(p.turnout_base + p.turnout_trust * self.trust[lo:hi]
                         + p.turnout_participation * self.participating[lo:hi], 0, 1)
            votes = rng.random(hi - lo) < pv
            turnout[c] = votes.mean() if hi > lo else 0.0
            if is_direct:
                t = self.trust[lo:hi]
                t[votes] += np.float32(trust_gain) * (1.0 - t[votes])
        return turnout

    # ------------------------------------------------------------------
    def per_committee(self, values: np.ndarray) -> np.ndarray:
        """Sum of ``values`` per committee (fast: residents are contiguous)."""
        if values.dtype == bool:
            values = values.astype(np.int64)
        csum = np.concatenate([[0], np.cumsum(values, dtype=np.float64)])
        return csum[self.start[1:]] - csum[self.start[:-1]]

    def sizes(self) -> np.ndarray:
        """Residents per committee."""
        return np.diff(self.start)

    def check(self) -> None:
        """Invariants: states in range, no NaN, probabilities in [0, 1]."""
        for name in ("awareness", "trust", "satisfaction"):
            arr = getattr(self, name)
            if not (np.all(arr >= 0.0) and np.all(arr <= 1.0)):
                raise AssertionError(f"resident {name} outside [0, 1] or NaN")
        open_ = self.need_kind != NO_NEED
        if np.any(self.need_wait[~open_] != 0) or np.any(self.need_channel[~open_] != CH_NONE):
            raise AssertionError("closed needs keep wait or channel state")
        if np.any(self.volunteer & ~self.participating):
            raise AssertionError("volunteer who does not participate")
