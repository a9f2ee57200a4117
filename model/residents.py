"""Residents as a struct of arrays, with every rule written over whole arrays.

Residents are many (up to tens of millions), so none of them is a Python
object and no rule loops over them in Python: each rule is a numpy expression
or a compiled single-pass kernel (``kernels.py``). Residents of one committee
are stored contiguously: committee ``c`` owns rows ``start[c]:start[c+1]``.

State per resident (about 24 bytes): primary group, committee, the one open
need (kind, months waited, channel it was brought to), awareness of
organizations' services, trust in the committee, satisfaction, participation
and volunteering, and the resident's place on the tie cycle (below).

Each committee has a community type (``ctype``, ``neighbourhoods``): its residents' groups
are drawn from that type's shares, their needs arise at its rates, and their initial trust
and their participation follow its offsets and factors.

Within a committee, residents are stored by group: the residents of group g
in committee c are the rows ``group_start[c, g]:group_start[c, g+1]``. Groups
are drawn independently per resident; storing them in runs lets the
rules that depend on the group (needs arising, the tallies by group) work on
contiguous runs instead of looking up and scattering by group per resident.

Neighbour ties form a circulant graph within each committee area over a
random order of its residents (the *tie cycle*, drawn once): committee c draws
``neighbours // 2`` offsets o once, and the resident at position q of the
cycle is tied to the residents at positions q + o and q - o (mod the
committee's size). ``tie_pos[i]`` is resident i's position on its committee's
cycle and ``tie_at[start[c] + q]`` the local index of the resident at position
q. Because the cycle order is random, a resident's ties are a random sample of
the committee area, independent of the order in which residents are stored (in
particular of their being stored in runs by group). The ties cost 4 bytes per resident
(two uint16 where committees are smaller than 65,536); ``neighbours`` returns
them as a scipy.sparse matrix for analysis.

Layout: ``group_share_vector`` and ``need_rate_matrix`` (parameters as arrays);
``ResidentTypes`` (the committees' types as the residents see them) and ``_draw_groups``;
``ResidentArrays``: initialisation and the tie cycle (``_tie_targets``,
``neighbours``, ``neighbour_mean``); then the rules in the order of a month
(``decide_needs_arise``, ``regroup`` (after the population changed, ``ageing``),
``decide_bring_forward`` with ``split_open_needs``,
``open_index``, ``resolve_met``, ``decide_wait_or_lapse``,
``decide_participation``, ``decide_votes``); then sums and checks
(``per_committee``, ``sizes``, ``tallies``, ``check``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from . import kernels

from .params import GROUPS, NEED_KINDS, Residents as ResidentParams

NO_NEED = -1
CH_NONE, CH_COMMITTEE, CH_ORG = -1, 0, 1
ELDERLY = GROUPS.index("elderly")
VOTE_BLOCK = 1 << 21  # residents whose election draws are made in one call (16 MiB of uniforms)
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


class ResidentTypes(NamedTuple):
    """The committees' community types as the residents see them: each committee's type
    (``ctype``) and, by type, the group shares (types x groups), the initial trust offset and
    the participation factor. :meth:`untyped` is one type with the city's shares."""

    ctype: np.ndarray
    shares: np.ndarray
    trust_offset: np.ndarray
    participation: np.ndarray

    @staticmethod
    def untyped(n_committees: int, p: ResidentParams) -> "ResidentTypes":
        """Every committee of one type with the city's group shares and no offsets."""
        return ResidentTypes(np.zeros(n_committees, np.int64), group_share_vector(p)[None, :], np.zeros(1),
                             np.ones(1))


def _draw_groups(types: ResidentTypes, start: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each resident's group, drawn independently from the shares of its committee's type (one
    draw for all residents where every committee is of one type, else type by type in type
    order, each over its committees' residents in index order)."""
    n = int(start[-1])
    present = np.unique(types.ctype)
    if present.size == 1:
        sh = types.shares[int(present[0])]
        return rng.choice(len(GROUPS), size=n, p=sh / sh.sum()).astype(np.int8)
    drawn = np.empty(n, dtype=np.int8)
    for t in present.tolist():
        coms = np.flatnonzero(types.ctype == t)
        idx = np.concatenate([np.arange(start[c], start[c + 1]) for c in coms.tolist()])
        sh = types.shares[t]
        drawn[idx] = rng.choice(len(GROUPS), size=idx.size, p=sh / sh.sum())
    return drawn


class ResidentArrays:
    """State of all residents, one array per attribute. ``types``: the committees' community
    types (:class:`ResidentTypes`; untyped when not given)."""

    def __init__(self, sizes: np.ndarray, p: ResidentParams, rng_init: np.random.Generator,
                 types: ResidentTypes | None = None):
        sizes = np.asarray(sizes, dtype=np.int64)
        self.n_committees = int(sizes.size)
        self.start = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.size = sizes.copy()
        n = int(self.start[-1])
        self.n = n
        com_dtype = np.uint16 if self.n_committees < 2**16 else np.int32
        self.committee = np.repeat(np.arange(self.n_committees, dtype=com_dtype), sizes)
        types = ResidentTypes.untyped(self.n_committees, p) if types is None else types
        self.ctype = np.asarray(types.ctype, dtype=np.int64)
        # Groups drawn independently per resident from the shares, then stored by group
        # within each committee (runs group_start[c, g]:group_start[c, g + 1]).
        drawn = _draw_groups(types, self.start, rng_init)
        self.group, self.group_start = kernels.store_by_group(drawn, self.start, len(GROUPS))
        self.group_count = np.diff(self.group_start, axis=1).sum(axis=0)  # residents per group
        del drawn
        self.need_kind = np.full(n, NO_NEED, dtype=np.int8)
        self.need_wait = np.zeros(n, dtype=np.int8)
        self.need_channel = np.full(n, CH_NONE, dtype=np.int8)
        a0 = p.awareness_init
        self.awareness = np.clip(rng_init.beta(2.0, 2.0, n) * 2 * a0, 0, 1).astype(np.float32)
        offset = types.trust_offset[self.ctype]
        if np.any(offset != 0.0):
            self.trust = np.clip(p.trust_init + np.repeat(offset, sizes), 0.0, 1.0).astype(np.float32)
        else:
            self.trust = np.full(n, p.trust_init, dtype=np.float32)
        self.satisfaction = np.full(n, p.satisfaction_init, dtype=np.float32)
        self.part_factor = types.participation[self.ctype]  # per committee
        if np.all(self.part_factor == 1.0):
            self.participating = rng_init.random(n) < p.participation_init
        else:
            self.participating = rng_init.random(n) < p.participation_init * np.repeat(self.part_factor, sizes)
        self.volunteer = self.participating & (rng_init.random(n) < p.volunteer_share)
        half = max(0, p.neighbours // 2)
        span = np.maximum(sizes - 1, 1)
        self.offsets = (1 + np.floor(rng_init.random((self.n_committees, half)) * span[:, None])).astype(np.int64)
        self.offsets[sizes <= 1] = 0
        # the tie cycle: a random order of each committee's residents
        cyc_dtype = np.uint16 if (sizes.max(initial=0) <= 2**16) else np.int32
        self.tie_at = np.empty(n, dtype=cyc_dtype)
        self.tie_pos = np.empty(n, dtype=cyc_dtype)
        for c in np.flatnonzero(sizes > 0).tolist():
            lo, hi = int(self.start[c]), int(self.start[c + 1])
            order = rng_init.permutation(hi - lo)
            self.tie_at[lo:hi] = order
            self.tie_pos[lo + order] = np.arange(hi - lo)
        self._bias_groups = np.zeros(len(GROUPS), dtype=np.bool_)
        self._bias_groups[[ELDERLY, WOMEN_AT_HOME]] = True
        # the open needs' indices as last known (see open_index); None: unknown
        self._open_hint: np.ndarray | None = None

    # ------------------------------------------------------------------
    def _tie_targets(self) -> tuple[np.ndarray, np.ndarray]:
        """(source, target) of every tie, both directions (for analysis; O(n*k) memory)."""
        n, h = self.n, self.offsets.shape[1]
        if h == 0 or n == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        com = self.committee.astype(np.int64)
        size = self.size[com]
        pos = self.tie_pos.astype(np.int64)
        src, dst = [], []
        for j in range(h):
            o = self.offsets[com, j]
            ok = size > 1
            for sign in (1, -1):
                src.append(np.flatnonzero(ok))
                dst.append(self._at_position(com, (pos + sign * o) % np.maximum(size, 1))[ok])
        return np.concatenate(src), np.concatenate(dst)

    def _at_position(self, com: np.ndarray, q: np.ndarray) -> np.ndarray:
        """Row index of the resident at position ``q`` of committee ``com``'s tie cycle."""
        return self.start[com] + self.tie_at[self.start[com] + q].astype(np.int64)

    @property
    def neighbours(self) -> sp.csr_matrix:
        """The ties as a row-normalised scipy.sparse matrix (built on demand, for analysis)."""
        src, dst = self._tie_targets()
        w = np.ones(src.size, dtype=np.float32)
        mat = sp.csr_matrix((w, (src, dst)), shape=(self.n, self.n))  # duplicates add up
        deg = np.asarray(mat.sum(axis=1)).ravel()
        deg[deg == 0] = 1.0
        mat.data *= np.repeat((1.0 / deg).astype(np.float32), np.diff(mat.indptr))
        return mat

    def neighbour_mean(self, values: np.ndarray) -> np.ndarray:
        """Mean of ``values`` over each resident's ties (0 for the isolated)."""
        n, h = self.n, self.offsets.shape[1]
        out = np.zeros(n, dtype=np.float64)
        if h == 0 or n == 0:
            return out
        v = np.asarray(values, dtype=np.float64)
        com = self.committee.astype(np.int64)
        size = self.size[com]
        pos = self.tie_pos.astype(np.int64)
        for j in range(h):
            o = self.offsets[com, j]
            out += v[self._at_position(com, (pos + o) % size)] + v[self._at_position(com, (pos - o) % size)]
        out /= 2 * h
        out[size <= 1] = 0.0
        return out

    # ------------------------------------------------------------------
    # Rules
    # ------------------------------------------------------------------
    def decide_needs_arise(self, rates: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Rule: a resident with no open need raises one of kind k with monthly chance
        rate[type, group, k] (``rates``: types x groups x kinds, the committee's community type;
        a groups x kinds matrix is the same for every type).

        Implemented by geometric skipping over each (committee, group) run
        (``kernels.arise``): within the run of group g, candidates are visited
        with gaps drawn from Geometric(r_g), r_g the group's total rate; a free
        candidate raises kind k with chance rate[g, k] / r_g. Same distribution
        as one draw per resident, and no draw for residents who raise nothing.
        Only the kind is written: a closed need already has wait 0 and no channel
        (an invariant ``tallies`` checks every month).
        Returns the indices of residents who raised a need this month (ascending).
        """
        rates = np.asarray(rates, dtype=np.float64)
        if rates.ndim == 2:
            rates = rates[None, :, :]
        total = rates.sum(axis=2)
        if np.any(total > 1.0 + 1e-12):
            raise ValueError("a group's need rates add up to more than 1 a month")
        cum = np.cumsum(rates, axis=2)
        ctype = self.ctype if rates.shape[0] > 1 else np.zeros(self.n_committees, np.int64)  # one table: all
        per_com = np.diff(self.group_start, axis=1)
        expect = float((per_com * cum[ctype, :, -1]).sum()) if cum.size else 0.0
        out = np.empty(int(expect + 6 * np.sqrt(expect + 1)) + 64, dtype=np.int64)
        new = kernels.arise(self.need_kind, self.group_start, ctype, cum, rng, out)
        if self._open_hint is not None:
            self._open_hint = kernels.merge_sorted(self._open_hint, new, np.empty(self._open_hint.size + new.size, np.int64))
        return new

    def regroup(self) -> None:
        """Store the residents by group within each committee again after some changed group
        (``ageing``): every per-resident array is permuted alike, each resident's place on its
        committee's tie cycle moves with it (its ties are unchanged) and the index of open needs
        is rebuilt."""
        order, self.group_start = kernels.regroup_order(self.group, self.start, len(GROUPS))
        for name in ("group", "need_kind", "need_wait", "need_channel", "awareness", "trust", "satisfaction",
                     "participating", "volunteer", "tie_pos"):
            setattr(self, name, getattr(self, name)[order])
        new_at = np.empty_like(order)
        new_at[order] = np.arange(order.size)  # old index -> new index
        local_start = np.repeat(self.start[:-1], self.size)
        self.tie_at = (new_at[self.tie_at.astype(np.int64) + local_start] - local_start).astype(self.tie_at.dtype)
        self.group_count = np.diff(self.group_start, axis=1).sum(axis=0)
        self._open_hint = None

    def decide_bring_forward(self, p: ResidentParams, org_reach: np.ndarray, rng: np.random.Generator,
                             idx: np.ndarray | None = None, split: tuple | None = None) -> tuple[int, int]:
        """Rule: an open, not yet expressed need is brought forward with chance
        express_base + express_trust*trust + express_awareness*awareness; it goes
        straight to an organization with chance direct_to_org_awareness*awareness
        where one serves that kind in the committee area (org_reach[committee, kind]),
        otherwise to the committee. One uniform decides both (u < chance, then u/chance).

        ``idx``: the open needs' indices if already known (``open_index``, ascending).
        With ``split`` = (n_kinds, ch_a, ch_b, out_a, out_b, demand), the open needs are
        also split by channel in the same pass (as :meth:`split_open_needs`), and
        (n_a, n_b) is returned; (0, 0) without it (``kernels.bring_forward_and_split``)."""
        if idx is None:
            idx = self.open_index()
        return self._forward_and_split(idx, (p, org_reach, rng), split)

    def split_open_needs(self, idx: np.ndarray, n_kinds: int, ch_a: int, ch_b: int, out_a: np.ndarray,
                         out_b: np.ndarray, demand: np.ndarray) -> tuple[int, int]:
        """The open needs ``idx`` (ascending) split over the channels ``ch_a`` and ``ch_b``:
        indices, cells (committee*n_kinds + kind) and waits of each channel's needs into
        ``out_a``/``out_b`` (3 x len(idx), allocated by the caller), needs per cell added to
        ``demand[0]`` and ``demand[1]``, and all open needs per cell to ``demand[2]``.
        Returns (n_a, n_b)."""
        return self._forward_and_split(idx, None, (n_kinds, ch_a, ch_b, out_a, out_b, demand))

    def _forward_and_split(self, idx: np.ndarray, decide: tuple | None, split: tuple | None) -> tuple[int, int]:
        """``kernels.bring_forward_and_split`` with decide = (parameters, reach, stream) and
        split = (n_kinds, ch_a, ch_b, out_a, out_b, demand), either of them None."""
        if decide is None:  # nothing is drawn: placeholders of the right types
            chances, reach, rng = (0.0, 0.0, 0.0, 0.0), np.zeros((1, 1), np.float32), np.random.default_rng(0)
        else:
            p, reach, rng = decide
            chances = (p.express_base, p.express_trust, p.express_awareness, p.direct_to_org_awareness)
        splitting = split is not None
        if not splitting:  # nothing is written
            none = np.empty((3, 0), np.int64)
            split = (1, CH_COMMITTEE, CH_ORG, none, none, none)
        _, n_a, n_b = kernels.bring_forward_and_split(
            idx, self.need_kind, self.need_channel, self.need_wait, self.start, self.trust, self.awareness,
            np.ascontiguousarray(reach, dtype=np.float32), *chances, rng, decide is not None, splitting, *split)
        return n_a, n_b

    def open_index(self) -> np.ndarray:
        """Indices of the residents with an open need (ascending).

        Waiting or lapsing and needs arising keep a copy of this index up to date
        (``_open_hint``), which is returned only after a check that it is exactly the
        open needs (one counting pass, cheaper than building the index); otherwise
        the index is rebuilt from ``need_kind``."""
        hint = self._open_hint
        if hint is not None and kernels.is_open_index(hint, self.need_kind):
            return hint
        self._open_hint = np.flatnonzero(self.need_kind >= 0)
        return self._open_hint

    def resolve_met(self, idx: np.ndarray, quality: np.ndarray, by_org: np.ndarray, p: ResidentParams) -> None:
        """Rule: a met need closes; satisfaction moves by satisfaction_step towards the
        experienced quality (provider quality minus quality_wait_penalty per month waited);
        trust moves by trust_step the same way when the need was brought to the committee;
        awareness rises by awareness_gain_served when an organization met it. ``idx`` are distinct residents (one kernel pass;
        satisfaction, trust and awareness are float32)."""
        kernels.resolve_met(np.ascontiguousarray(idx, dtype=np.int64), np.ascontiguousarray(quality, dtype=np.float64),
                            np.ascontiguousarray(by_org, dtype=np.bool_), self.need_kind, self.need_wait,
                            self.need_channel, self.satisfaction, self.trust, self.awareness,
                            float(p.quality_wait_penalty), np.float32(p.satisfaction_step), np.float32(p.trust_step),
                            np.float32(p.awareness_gain_served))

    def decide_wait_or_lapse(self, p: ResidentParams, rng: np.random.Generator, idx: np.ndarray | None = None
                             ) -> tuple[np.ndarray, np.ndarray]:
        """Rule: an unmet need waits one more month; it lapses with chance lapse_rate,
        or surely after max_wait_months. A lapse pulls satisfaction (and, for a need
        brought to the committee, trust) towards 0 by the steps satisfaction_step and
        trust_step. Returns the lapsed indices and kinds.

        ``idx``: ascending indices that include every open need (``open_index``); closed
        needs among them are skipped without a draw, so the month's index taken before
        matching serves as well as a fresh one."""
        if idx is None:
            idx = self.open_index()
        lapsed = np.empty(idx.size, np.int64)
        kinds = np.empty(idx.size, np.int8)
        still_open = np.empty(idx.size, np.int64)
        n_lapsed, n_still = kernels.wait_or_lapse(
            idx, self.need_kind, self.need_wait, self.need_channel, self.satisfaction, self.trust, p.lapse_rate,
            p.max_wait_months, 1.0 - p.satisfaction_step, 1.0 - p.trust_step, rng, lapsed, kinds, still_open)
        self._open_hint = still_open[:n_still]  # the open needs, if idx held all of them (checked when used)
        return lapsed[:n_lapsed], kinds[:n_lapsed]

    def decide_participation(
        self,
        p: ResidentParams,
        projects_running: np.ndarray,
        rng: np.random.Generator,
    ) -> None:
        """Rule (contagion over ties): a non-participant joins with chance
        participation_base * the committee type's participation factor * (1 + group_participation_bias for elderly and women at home)
        + participation_peer * share of participating ties + participation_satisfaction
        * max(satisfaction - 0.5, 0) + participation_project_pull where the committee runs
        micro-projects + publicity_participation;
        a participant stops with chance participation_quit; a new participant volunteers
        with chance volunteer_share (all from the state before anyone changes).
        Awareness then rises towards the committee area's mean where below it (word of
        mouth: awareness_gain_neighbours), decays (awareness_decay) and rises with
        publicity (publicity_awareness)."""
        projects = np.asarray(projects_running, dtype=np.int64)
        kernels.participation(self.participating, self.volunteer, self.group_start, self.satisfaction,
                              self.start, self.size, self.offsets, self.tie_pos, self.tie_at, projects,
                              p.participation_base * self.part_factor,
                              p.group_participation_bias, self._bias_groups, p.participation_peer,
                              p.participation_satisfaction, p.participation_project_pull,
                              p.publicity_participation, p.participation_quit, p.volunteer_share, rng)
        kernels.awareness_step(self.awareness, self.start, p.awareness_gain_neighbours, p.awareness_decay,
                               p.publicity_awareness)

    def decide_votes(
        self, p: ResidentParams, committees: np.ndarray, direct: np.ndarray, trust_gain: float,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """Rule: in an election month of committee c, each resident votes with chance
        turnout_base + turnout_trust*trust + turnout_participation*participating; in a
        directly elected committee voters' trust rises by trust_gain*(1-trust).
        Returns turnout per committee (NaN where no election). The uniforms are drawn in
        bulk and the rule applied by ``kernels.votes`` (tested to the last bit against the
        rule written as a numpy expression per committee)."""
        turnout = np.full(self.n_committees, np.nan)
        committees = np.asarray(committees, dtype=np.int64)
        direct = np.asarray(direct, dtype=np.bool_)
        if committees.size != direct.size:
            raise ValueError("one 'direct' flag per committee holding an election")
        # uniforms drawn in bulk, about VOTE_BLOCK residents at a time: the same numbers
        # as one rng.random(size) per committee in turn, without a city-sized temporary
        ends = np.cumsum(self.size[committees])
        first = 0
        while first < committees.size:
            done = ends[first - 1] if first else 0
            last = max(first + 1, int(np.searchsorted(ends, done + VOTE_BLOCK, side="right")))
            uniforms = rng.random(int(ends[last - 1] - done))
            kernels.votes(committees[first:last], direct[first:last], self.start, self.trust, self.participating,
                          np.float32(p.turnout_base), np.float32(p.turnout_trust), float(p.turnout_participation),
                          np.float32(trust_gain), uniforms, turnout)
            first = last
        return turnout

    # ------------------------------------------------------------------
    def per_committee(self, values: np.ndarray) -> np.ndarray:
        """Sum of ``values`` per committee (residents are contiguous; empty committees give 0)."""
        if values.dtype == bool:
            return kernels.count_flags_per_committee(values, self.start).astype(np.float64)
        out = np.zeros(self.n_committees, dtype=np.float64)
        nonempty = self.size > 0
        if self.n and nonempty.any():
            out[nonempty] = np.add.reduceat(values, self.start[:-1][nonempty], dtype=np.float64)
        return out

    def sizes(self) -> np.ndarray:
        """Residents per committee."""
        return np.diff(self.start)

    def tallies(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One pass: sums by group (count, satisfaction, trust, participating), by committee
        (satisfaction, trust, participating, open needs) and totals (participating,
        volunteers, open needs); raises AssertionError if an invariant fails."""
        by_g, by_c, totals, bad = kernels.tallies(
            self.group_start, self.satisfaction, self.trust, self.awareness, self.participating,
            self.volunteer, self.need_kind, self.need_wait, self.need_channel, len(GROUPS))
        if bad:
            raise AssertionError({1: "a resident's satisfaction, trust or awareness is outside [0, 1] or NaN",
                                  2: "closed needs keep wait or channel state",
                                  3: "volunteer who does not participate"}[int(bad)])
        return by_g, by_c, totals

    def check(self) -> None:
        """Invariants: states in range, no NaN, probabilities in [0, 1]."""
        self.tallies()
