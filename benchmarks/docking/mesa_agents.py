"""The resident-side submodel re-implemented in plain Mesa 3.5 agents, from the ODD text.

Written from docs/ODD.md 7.2.1-7.2.4 and 7.3.1-7.3.3 (and the "Rule:" lines of
docs/rules.md), without calling the model's kernels, ``ResidentArrays`` or
``services.match``: one ``mesa.Agent`` per resident, one per residents' committee (it
serves the committee channel of its area: its staff and a partner organization) and one
per organization (the organization channel of one committee area). All draws come from
the model's seeded stdlib generator (``self.random``, ``mesa.Model(rng=seed)``).

A month (``DockingModel.step``), in the ODD's order:

1. needs arise (7.2.1): a resident with no open need draws u; u < R[g] raises the kind k
   with cum[g, k-1] <= u < cum[g, k] (cumulative rates of its group);
2. bring forward (7.2.2): an open need not yet brought forward is brought forward with
   chance clip(express_base + express_trust*trust + express_awareness*awareness), then
   goes to the organization channel with chance direct_to_org_awareness*awareness*reach,
   otherwise to the committee (two draws here; the array version uses one);
3. matching (7.3.2): committees, then organizations, serve each of their cells: every row's
   capacity is rounded floor(cap + u); the cell's needs (committee channel: only those the
   resident is eligible for, 7.3.1) are ordered longest-waiting first, ties in random order,
   and as many as the rounded capacities add up to are served, each by a row drawn with
   chance proportional to its remaining capacity;
4. a met need closes (7.3.3, 7.2.4): a certified worker served it with the row's chance
   (quality + certified_quality_gain); satisfaction moves towards the experienced quality
   clip(Q - quality_wait_penalty*w), trust too if brought to the committee, awareness rises
   if an organization met it;
5. waiting and lapsing (7.2.3): every need still open waits a month more and lapses with
   chance lapse_rate, or surely once it has waited max_wait_months; a lapse pulls
   satisfaction (and trust, if brought to the committee) towards 0.

Layout: ``Resident`` (the rules of one resident), ``Provider`` with ``serve_cell`` (the
matching rule), ``Committee`` and ``Organization`` (which needs each serves),
``DockingModel`` (initial state, the month, ``summary``).
"""

from __future__ import annotations

import mesa

from model.params import GROUPS, NEED_KINDS
from model.residents import group_share_vector, need_rate_matrix  # the register's rates and shares as arrays

from .world import ELDERLY, MIGRANTS, ROW_ORG, ROW_PARTNER, ROW_STAFF, World

NONE, TO_COMMITTEE, TO_ORG = 0, 1, 2  # the channel a need was brought to


def _clip(x: float) -> float:
    return min(max(x, 0.0), 1.0)


class Resident(mesa.Agent):
    """A resident: group, committee area, at most one open need (kind, months waited,
    channel), awareness of organizations, trust in the committee, satisfaction."""

    def __init__(self, model: "DockingModel", group: int, area: int, awareness: float):
        super().__init__(model)
        p = model.p
        self.group, self.area, self.awareness = group, area, awareness
        self.trust, self.satisfaction = p.trust_init, p.satisfaction_init
        self.need, self.wait, self.channel = None, 0, NONE

    def decide_need_arises(self) -> None:
        """Rule (7.2.1): with no open need, raise one with chance R[g], of kind k with chance r[g, k]."""
        if self.need is not None:
            return
        u = self.random.random()
        for k, c in enumerate(self.model.cum_rates[self.group]):
            if u < c:
                self.need, self.wait, self.channel = k, 0, NONE
                self.model.tally["arisen"] += 1
                self.model.tally_group["arisen", self.group] += 1
                return

    def decide_bring_forward(self) -> None:
        """Rule (7.2.2): bring an open need forward with the express chance; then to an
        organization with chance direct_to_org_awareness*awareness*reach, else to the committee."""
        if self.need is None or self.channel != NONE:
            return
        p = self.model.p
        express = _clip(p.express_base + p.express_trust * self.trust + p.express_awareness * self.awareness)
        if self.random.random() < express:
            to_org = p.direct_to_org_awareness * self.awareness * self.model.reach[self.area][self.need]
            self.channel = TO_ORG if self.random.random() < to_org else TO_COMMITTEE

    def eligible_at_committee(self) -> bool:
        """Rule (7.3.1): a migrant's need of a hukou-only kind is turned away by the committee."""
        return not (self.group == MIGRANTS and NEED_KINDS[self.need] in self.model.p.hukou_only_kinds)

    def met(self, quality: float, by_org: bool) -> None:
        """Rule (7.2.4): satisfaction (and trust, if brought to the committee) move towards the
        experienced quality; awareness rises if an organization met the need; the need closes."""
        p = self.model.p
        q = _clip(quality - p.quality_wait_penalty * self.wait)
        self.satisfaction += p.satisfaction_step * (q - self.satisfaction)
        if self.channel == TO_COMMITTEE:
            self.trust += p.trust_step * (q - self.trust)
        if by_org:
            self.awareness += p.awareness_gain_served * (1.0 - self.awareness)
        t = self.model.tally
        t["met"] += 1
        t["wait_met"] += self.wait
        t["met_org_channel"] += self.channel == TO_ORG
        self.model.tally_group["met", self.group] += 1
        self.need, self.wait, self.channel = None, 0, NONE

    def decide_wait_or_lapse(self) -> None:
        """Rule (7.2.3): an open need waits a month more; it lapses with chance lapse_rate or
        surely once it has waited max_wait_months, pulling satisfaction (and trust, if brought
        to the committee) towards 0."""
        if self.need is None:
            return
        p = self.model.p
        self.wait += 1
        if self.random.random() < p.lapse_rate or self.wait >= p.max_wait_months:
            self.satisfaction *= 1.0 - p.satisfaction_step
            if self.channel == TO_COMMITTEE:
                self.trust *= 1.0 - p.trust_step
            self.model.tally["lapsed"] += 1
            self.need, self.wait, self.channel = None, 0, NONE


class Provider(mesa.Agent):
    """Serves the needs of one committee area brought to one channel, kind by kind, from the
    world's fixed supply rows."""

    channel = NONE
    rows: tuple[int, ...] = ()

    def __init__(self, model: "DockingModel", area: int):
        super().__init__(model)
        self.area = area

    def waiting(self) -> list[Resident]:
        """The needs this provider may serve this month."""
        return [r for r in self.model.areas[self.area] if r.need is not None and r.channel == self.channel]

    def step(self) -> None:
        """Serve every kind's cell of this area."""
        by_kind: dict[int, list[Resident]] = {}
        for r in self.waiting():
            by_kind.setdefault(r.need, []).append(r)
        for k in range(len(NEED_KINDS)):
            self.serve_cell(k, by_kind.get(k, []))

    def serve_cell(self, kind: int, queue: list[Resident]) -> None:
        """Rule (7.3.2-7.3.3): round each row's capacity floor(cap + u); serve the longest-waiting
        needs first (ties in random order) up to the rounded total, each by a row drawn with
        chance proportional to its remaining capacity; a certified worker serves with the row's chance."""
        m = self.model
        caps = [int(m.capacity[self.area][kind][row] + self.random.random()) for row in self.rows]
        if not queue or sum(caps) == 0:
            return
        self.random.shuffle(queue)
        queue.sort(key=lambda r: r.wait, reverse=True)  # stable: equal waits stay in random order
        gain = self.model.params.committees.certified_quality_gain
        for resident in queue[:sum(caps)]:
            i = self.random.choices(range(len(caps)), weights=caps)[0]
            caps[i] -= 1
            row = self.rows[i]
            quality = m.world.quality[row] + (gain if self.random.random() < m.world.cert[row] else 0.0)
            resident.met(quality, by_org=row != ROW_STAFF)


class Committee(Provider):
    """A residents' committee: its staff and a partner organization serve the needs brought
    to it that its residents are eligible for."""

    channel = TO_COMMITTEE
    rows = (ROW_STAFF, ROW_PARTNER)

    def waiting(self) -> list[Resident]:
        """Needs brought to the committee, less the ones it turns away (7.3.1)."""
        return [r for r in super().waiting() if r.eligible_at_committee()]


class Organization(Provider):
    """An organization serving the needs of one committee area brought to it directly."""

    channel = TO_ORG
    rows = (ROW_ORG,)


class DockingModel(mesa.Model):
    """The resident-side submodel over a fixed supply; one step is one month. ``resident_class``:
    the residents' agent class (a subclass changes one rule, e.g. a deliberately wrong one)."""

    resident_class: type[Resident] = Resident

    def __init__(self, world: World, rng: int = 0):
        super().__init__(rng=rng)
        self.world, self.params, self.p = world, world.params, world.params.residents
        self.capacity, self.reach = world.capacity.tolist(), world.reach.tolist()  # plain lists, read per draw
        rates = need_rate_matrix(self.p)
        self.cum_rates = [[float(sum(row[: k + 1])) for k in range(len(row))] for row in rates.tolist()]
        shares = group_share_vector(self.p).tolist()
        self.tally = {"arisen": 0, "met": 0, "lapsed": 0, "wait_met": 0, "met_org_channel": 0}
        self.tally_group = {(what, g): 0 for what in ("arisen", "met") for g in range(len(GROUPS))}
        a0 = self.p.awareness_init
        self.areas: list[list[Resident]] = []
        for c in range(world.n_committees):
            groups = self.random.choices(range(len(GROUPS)), weights=shares, k=world.residents_per_committee)
            self.areas.append([self.resident_class(self, g, c, _clip(2 * a0 * self.random.betavariate(2.0, 2.0)))
                               for g in groups])
            Committee(self, c)
            Organization(self, c)
        self.residents = self.agents_by_type[self.resident_class]

    def step(self) -> None:
        """One month: needs arise, are brought forward, committees then organizations serve,
        the needs left open wait or lapse."""
        self.residents.do("decide_need_arises")
        self.residents.do("decide_bring_forward")
        self.agents_by_type[Committee].shuffle_do("step")
        self.agents_by_type[Organization].shuffle_do("step")
        self.residents.do("decide_wait_or_lapse")

    def summary(self) -> dict[str, float]:
        """The run's outcomes (``world.METRICS``)."""
        t, tg, res = self.tally, self.tally_group, self.residents
        n = len(res)
        return {
            "met_share": t["met"] / max(t["arisen"], 1), "lapsed_share": t["lapsed"] / max(t["arisen"], 1),
            "wait_met": t["wait_met"] / max(t["met"], 1), "org_channel_share": t["met_org_channel"] / max(t["met"], 1),
            "satisfaction": sum(res.get("satisfaction")) / n, "trust": sum(res.get("trust")) / n,
            "awareness": sum(res.get("awareness")) / n,
            "met_share_elderly": tg["met", ELDERLY] / max(tg["arisen", ELDERLY], 1),
            "met_share_migrants": tg["met", MIGRANTS] / max(tg["arisen", MIGRANTS], 1),
        }


def run(world: World, seed: int, model_class: type[DockingModel] = DockingModel) -> dict[str, float]:
    """One run of ``world.months`` months with ``mesa.Model(rng=seed)``."""
    m = model_class(world, rng=seed)
    for _ in range(world.months):
        m.step()
    return m.summary()
