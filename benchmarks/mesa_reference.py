"""The simplified needs-and-providers model written idiomatically in Mesa 3.5.

One ``mesa.Agent`` per resident and per committee; a month is
``agents_by_type[Resident].shuffle_do("step")`` then
``agents_by_type[Committee].shuffle_do("step")``. The rules and their order
are those of ``benchmarks/simplified.py`` (the numpy reference implements
the same); every number comes from the parameter register.

Idiomatic, not sabotaged: each resident is visited once a month, draws from
the model's seeded stdlib generator (``self.random``) like Mesa's examples,
keeps its neighbours as a plain list of agents (cheaper than a
``mesa.discrete_space.Network`` lookup) and the parameters as plain floats.
Residents act in random order and see the participation their neighbours
already chose this month (asynchronous update, Mesa's default); the numpy
reference updates everyone at once. Both are the same rule.
"""

from __future__ import annotations

import bisect
from operator import attrgetter
from types import SimpleNamespace

import mesa
import numpy as np

from .simplified import NO_NEED, SimpleParams, Tally, initial_state

_BY_WAIT = attrgetter("need_wait")


def _plain(params: SimpleParams) -> SimpleNamespace:
    """The parameters as Python floats and lists (what a Mesa model would hold)."""
    out = {}
    for name, value in vars(params).items():
        out[name] = value.tolist() if isinstance(value, np.ndarray) else value
    return SimpleNamespace(**out)


class Resident(mesa.Agent):
    """A resident: group, one open need at most, trust, satisfaction, participation."""

    def __init__(self, model: "MesaReference", group: int, committee: "Committee", awareness: float,
                 participating: bool):
        super().__init__(model)
        p = model.params
        self.group = group
        self.committee = committee
        self.need_kind = NO_NEED
        self.need_wait = 0
        self.brought = False
        self.awareness = awareness
        self.trust = p.trust_init
        self.satisfaction = p.satisfaction_init
        self.participating = participating
        self.neighbours: list[Resident] = []

    def step(self) -> None:
        """One month of this resident (simplified.py, steps 1a-1d)."""
        if self.need_kind != NO_NEED:
            self.decide_wait_or_lapse()
        self.decide_participation()
        if self.need_kind == NO_NEED:
            self.decide_need_arises()
        if self.need_kind != NO_NEED and not self.brought:
            self.decide_bring_forward()

    def decide_wait_or_lapse(self) -> None:
        """Rule: an unmet need waits a month more; it lapses with chance lapse_rate or after
        max_wait_months, pulling satisfaction (and trust, if brought to the committee) towards 0."""
        p = self.model.params
        self.need_wait += 1
        if self.random.random() < p.lapse_rate or self.need_wait >= p.max_wait:
            self.satisfaction *= 1.0 - p.satisfaction_step
            if self.brought:
                self.trust *= 1.0 - p.trust_step
                del self.committee.waiting[self]
            self.close_need()
            self.model.tally.lapsed += 1

    def decide_participation(self) -> None:
        """Rule: a non-participant joins with chance base*bias + peer*share of participating
        neighbours + satisfaction term + publicity; a participant stops with chance participation_quit."""
        p = self.model.params
        u = self.random.random()
        if self.participating:
            if u < p.participation_quit:
                self.participating = False
            return
        nb = self.neighbours
        share = sum(1 for a in nb if a.participating) / len(nb) if nb else 0.0
        p_join = (p.join_base[self.group] + p.participation_peer * share
                  + p.participation_satisfaction * max(self.satisfaction - 0.5, 0.0)
                  + p.publicity_participation)
        if u < p_join:
            self.participating = True

    def decide_need_arises(self) -> None:
        """Rule: u < total rate of the group raises a need; u / total picks its kind."""
        p = self.model.params
        total = p.total_rate[self.group]
        u = self.random.random()
        if u < total:
            kind = bisect.bisect_right(p.cum_share[self.group], u / total)
            self.need_kind = min(kind, len(p.cum_share[self.group]) - 1)
            self.need_wait = 0
            self.model.tally.arising += 1

    def decide_bring_forward(self) -> None:
        """Rule: brought to the committee with chance express_base + express_trust*trust
        + express_awareness*awareness."""
        p = self.model.params
        chance = p.express_base + p.express_trust * self.trust + p.express_awareness * self.awareness
        if self.random.random() < chance:
            self.brought = True
            self.committee.waiting[self] = None

    def resolve_met(self, quality: float) -> None:
        """Rule: satisfaction and trust move towards quality minus the wait penalty."""
        p = self.model.params
        q = min(max(quality - p.quality_wait_penalty * self.need_wait, 0.0), 1.0)
        self.satisfaction += p.satisfaction_step * (q - self.satisfaction)
        self.trust += p.trust_step * (q - self.trust)
        self.model.tally.met += 1
        self.model.tally.wait_met += self.need_wait
        self.close_need()

    def close_need(self) -> None:
        """The open need is gone (met or lapsed)."""
        self.need_kind = NO_NEED
        self.need_wait = 0
        self.brought = False


class Committee(mesa.Agent):
    """A residents' committee whose staff serve the needs brought to it."""

    def __init__(self, model: "MesaReference", capacity: float):
        super().__init__(model)
        self.capacity = capacity
        self.waiting: dict[Resident, None] = {}  # insertion-ordered set

    def step(self) -> None:
        """Rule: serve waiting needs longest-waiting first (ties at random) up to
        floor(capacity + u) needs this month."""
        cap = int(self.capacity + self.random.random())
        if not self.waiting or cap <= 0:
            return
        queue = list(self.waiting)
        self.random.shuffle(queue)
        queue.sort(key=_BY_WAIT, reverse=True)  # stable: ties keep the shuffled order
        quality = self.model.params.quality
        for resident in queue[:cap]:
            del self.waiting[resident]
            resident.resolve_met(quality)


class MesaReference(mesa.Model):
    """The simplified model in Mesa; one step is one month."""

    def __init__(self, n_residents: int, n_committees: int, params: SimpleParams | None = None, rng: int = 0):
        super().__init__(rng=rng)
        params = SimpleParams.from_register() if params is None else params
        self.params = _plain(params)
        self.tally = Tally()
        state = initial_state(n_residents, n_committees, params, rng)
        committees = [Committee(self, params.capacity) for _ in range(n_committees)]
        residents = [
            Resident(self, int(g), committees[c], float(a), bool(pp))
            for g, c, a, pp in zip(state.group.tolist(), state.committee.tolist(), state.awareness.tolist(),
                                   state.participating.tolist(), strict=True)
        ]
        indptr, indices = state.ties.indptr, state.ties.indices.tolist()
        for i, resident in enumerate(residents):
            resident.neighbours = [residents[j] for j in indices[indptr[i]:indptr[i + 1]]]

    def step(self) -> None:
        """One month: residents in random order, then committees in random order."""
        self.agents_by_type[Resident].shuffle_do("step")
        self.agents_by_type[Committee].shuffle_do("step")

    def summary(self) -> dict[str, float]:
        """Tallies and end-of-run means."""
        residents = self.agents_by_type[Resident]
        n = len(residents)
        out = self.tally.as_dict()
        out["participation_rate"] = sum(1 for r in residents if r.participating) / n
        out["satisfaction"] = sum(r.satisfaction for r in residents) / n
        out["trust"] = sum(r.trust for r in residents) / n
        return out
