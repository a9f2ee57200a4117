"""The simplified needs-and-providers model as numpy struct-of-arrays.

The rules and their order are those of ``benchmarks/simplified.py`` (the
Mesa reference implements the same), written over whole arrays the way
``model/residents.py`` and ``model/services.py`` write them: one uniform per
resident and decision, a sparse mat-vec for the neighbour share, one
lexsort to serve needs longest-waiting first. No Python loop over residents.
"""

from __future__ import annotations

import numpy as np

from .simplified import NO_NEED, SimpleParams, Tally, initial_state


class NumpyReference:
    """State of all residents, one array per attribute; one ``step()`` is one month."""

    def __init__(self, n_residents: int, n_committees: int, params: SimpleParams | None = None, rng: int = 0):
        self.p = SimpleParams.from_register() if params is None else params
        self.rng = np.random.default_rng(rng)
        self.tally = Tally()
        state = initial_state(n_residents, n_committees, self.p, rng)
        n = n_residents
        self.n, self.n_committees = n, n_committees
        self.committee = state.committee
        self.group = state.group
        self.awareness = state.awareness
        self.participating = state.participating
        self.neighbours = state.ties
        self.need_kind = np.full(n, NO_NEED, dtype=np.int8)
        self.need_wait = np.zeros(n, dtype=np.int16)
        self.brought = np.zeros(n, dtype=bool)
        self.trust = np.full(n, self.p.trust_init, dtype=np.float32)
        self.satisfaction = np.full(n, self.p.satisfaction_init, dtype=np.float32)

    def step(self) -> None:
        """One month (simplified.py, steps 1a-1d for all residents, then 2)."""
        self.decide_wait_or_lapse()
        self.decide_participation()
        self.decide_needs_arise()
        self.decide_bring_forward()
        self.serve()

    def decide_wait_or_lapse(self) -> None:
        """Rule: unmet needs wait a month more; each lapses with chance lapse_rate or after max_wait."""
        p = self.p
        idx = np.flatnonzero(self.need_kind != NO_NEED)
        self.need_wait[idx] += 1
        lapse = (self.rng.random(idx.size) < p.lapse_rate) | (self.need_wait[idx] >= p.max_wait)
        li = idx[lapse]
        self.satisfaction[li] *= np.float32(1.0 - p.satisfaction_step)
        ci = li[self.brought[li]]
        self.trust[ci] *= np.float32(1.0 - p.trust_step)
        self._close(li)
        self.tally.lapsed += li.size

    def decide_participation(self) -> None:
        """Rule: join with chance base*bias + peer*neighbour share + satisfaction term + publicity;
        stop with chance participation_quit (one uniform decides either)."""
        p = self.p
        share = self.neighbours @ self.participating.astype(np.float32)
        p_join = (p.join_base[self.group] + p.participation_peer * share
                  + p.participation_satisfaction * np.maximum(self.satisfaction - 0.5, 0.0)
                  + p.publicity_participation)
        u = self.rng.random(self.n, dtype=np.float32)
        part = self.participating
        joins = ~part & (u < p_join)
        quits = part & (u < p.participation_quit)
        self.participating = (part | joins) & ~quits

    def decide_needs_arise(self) -> None:
        """Rule: a resident with no open need raises one when u < total rate of the group;
        u / total picks the kind from the group's cumulative rates."""
        p = self.p
        u = self.rng.random(self.n)
        new = np.flatnonzero((self.need_kind == NO_NEED) & (u < p.total_rate[self.group]))
        g = self.group[new]
        kind = (u[new, None] / p.total_rate[g][:, None] >= p.cum_share[g]).sum(axis=1)
        self.need_kind[new] = np.minimum(kind, p.rates.shape[1] - 1)
        self.need_wait[new] = 0
        self.tally.arising += new.size

    def decide_bring_forward(self) -> None:
        """Rule: an open need not yet brought forward is brought to the committee with chance
        express_base + express_trust*trust + express_awareness*awareness."""
        p = self.p
        idx = np.flatnonzero((self.need_kind != NO_NEED) & ~self.brought)
        chance = p.express_base + p.express_trust * self.trust[idx] + p.express_awareness * self.awareness[idx]
        go = self.rng.random(idx.size) < chance
        self.brought[idx[go]] = True

    def serve(self) -> None:
        """Rule: each committee serves the needs brought to it longest-waiting first (ties at
        random) up to floor(capacity + u); met needs move satisfaction and trust."""
        p = self.p
        idx = np.flatnonzero(self.brought)
        if idx.size == 0:
            return
        com = self.committee[idx]
        cap = np.floor(p.capacity + self.rng.random(self.n_committees)).astype(np.int64)
        tie = self.rng.random(idx.size)
        order = np.lexsort((tie, -self.need_wait[idx].astype(np.int32), com))
        cs = com[order]
        rank = np.arange(cs.size) - np.searchsorted(cs, cs, side="left")
        served = idx[order[rank < cap[cs]]]
        wait = self.need_wait[served]
        q = np.clip(p.quality - p.quality_wait_penalty * wait, 0.0, 1.0).astype(np.float32)
        self.satisfaction[served] += np.float32(p.satisfaction_step) * (q - self.satisfaction[served])
        self.trust[served] += np.float32(p.trust_step) * (q - self.trust[served])
        self.tally.met += served.size
        self.tally.wait_met += int(wait.sum())
        self._close(served)

    def _close(self, idx: np.ndarray) -> None:
        self.need_kind[idx] = NO_NEED
        self.need_wait[idx] = 0
        self.brought[idx] = False

    def summary(self) -> dict[str, float]:
        """Tallies and end-of-run means."""
        out = self.tally.as_dict()
        out["participation_rate"] = float(self.participating.mean())
        out["satisfaction"] = float(self.satisfaction.mean())
        out["trust"] = float(self.trust.mean())
        return out
