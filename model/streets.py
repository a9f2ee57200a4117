"""Street offices (Mesa agents) and their decisions: budgets, tenders, oversight,
platform, venues, incubators, posts. What the streets' staff and facilities cost and the
tasks pushed down to committees are in ``street_costs``.

Rules, parameters in ``Streets`` and ``Organizations`` of the register:

* budget (``decide_budget_factors``): an unguaranteed street budget falls short
  in some years;
* tender (purchase of services; ``run_tenders``, ``StreetOffice.decide_tender``,
  ``StreetOffice.score_bids``): once a year the purchase budget is split over need
  kinds in proportion to the needs the street saw go unmet (``remember_unmet``);
  for each kind up to ``max_bidders`` eligible organizations (catalogue: registered
  long enough, reputation high enough) bid (``organizations.bid_price``); the award
  scores price, quality, track record and incumbency (the delivery ratio of the
  expiring contract); the winner is offered the volume it can deliver, the rest
  goes down the ranking; contracts are paid per need delivered (``contracts``);
* oversight (``run_oversight``, ``StreetOffice.decide_oversight``,
  ``evaluation_score``): half-way through the contract year a share of running
  contracts is evaluated on quality and delivery (the score feeds reputation:
  credit records); organizations scoring below ``lose_contract_below`` lose those
  contracts;
* posts (purchase of posts; ``StreetOffice.decide_posts``): the street holds
  government-paid social-work posts in one social-work agency;
* platform commissioning (``StreetOffice.decide_platform``): the street
  commissions the best organization to run its citizen centre for a yearly fee;
  the platform brings in a roster of partner organizations to every committee;
  every month it refers committees' unmet needs to roster organizations serving
  them, recruiting new ones for kinds no roster member serves, at a cost in its
  staff's time (``StreetOffice.decide_referrals``, ``platform_referrals``);
* guidance contract (professional guidance): in ``guidance.py``;
* venues (``StreetOffice.decide_venues``): a share of the street's venues is
  opened free to organizations;
* reach (``StreetOffice.reach``, ``StreetOffice.opened_kinds``): the committees
  where an organization serves all its kinds, and the kinds a contract or posts
  open across the street;
* incubator and service centre: coverage in a fixed order of streets; running
  costs paid monthly with the venues' upkeep (``street_costs.pay_running_costs``);
  start-ups get free space, a small grant, faster registration and capacity building
  (``organizations``);
* staff and tasks pushed down to committees, and what they cost: in ``street_costs.py``.

Founding itself is the founders' decision (``organizations.decide_foundings``);
the street keeps the pool of would-be founders (``refill_founders``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from .committees import in_coverage
from .contracts import Contract, delivery_ratio, project_hires, settle_advance
from .organizations import Organization, bid_price
from .params import NEED_KINDS, Streets as StreetParams

if TYPE_CHECKING:
    from .committees import Committee
    from .community import CommunityModel


class StreetOffice(mesa.Agent):
    """A street office and the platform it owns."""

    def __init__(self, model: "CommunityModel", index: int, committees: list["Committee"]):
        super().__init__(model)
        self.index = index
        self.committees = committees
        self.committee_indices = [c.index for c in committees]
        self.residents = sum(c.residents for c in committees)
        self.organizations: list[Organization] = []
        self.founders = 0.0
        self.platform_org: Organization | None = None
        self.post_holder: Organization | None = None  # the agency holding the street's posts
        self.platform_partners: list[Organization] = []  # the platform's roster of partner organizations
        self.guidance = None  # the running guidance contract (``guidance.GuidanceContract``), if any
        self.unmet_by_kind = np.zeros(len(NEED_KINDS))  # needs lapsed over the last year
        self.incubator_occupants: list[Organization] = []
        self.coverage_rank = index
        self.budget_factor = 1.0

    # -- coverage of street-level facilities (a share of streets, in a fixed order) --
    def covered(self, share: float) -> bool:
        """True if this street is among the first ``share`` of streets in coverage order
        (:func:`committees.in_coverage`)."""
        return in_coverage(self.coverage_rank, len(self.model.streets), share)

    def has_incubator(self) -> bool:
        """An incubator serves this street."""
        return self.covered(self.model.p.streets.incubator)

    def has_service_centre(self) -> bool:
        """A social-organization service centre covers this street."""
        return self.covered(self.model.p.streets.service_centre)

    def has_platform(self) -> bool:
        """This street commissions a platform."""
        return self.covered(self.model.p.streets.platform)

    def has_foundation(self) -> bool:
        """This street has a community foundation."""
        return self.covered(self.model.p.funders.foundation_coverage)

    # ------------------------------------------------------------------
    def active_orgs(self) -> list[Organization]:
        """Registered, not failed organizations in the street."""
        return [o for o in self.organizations if o.active]

    def density(self) -> float:
        """Active organizations per 10,000 residents."""
        return len(self.active_orgs()) / max(self.residents, 1) * 1e4

    def refill_founders(self) -> None:
        """Rule: once a year the street's pool of would-be founders is topped up to
        founders_per_100k per 100,000 residents."""
        self.founders = self.model.p.organizations.founders_per_100k * self.residents / 1e5

    def incubator_has_room(self) -> bool:
        """An incubator is present and has a free slot."""
        m = self.model
        self.incubator_occupants = [o for o in self.incubator_occupants if o.alive and o.incubated(m.month)]
        return self.has_incubator() and len(self.incubator_occupants) < m.p.organizations.incubator_slots

    # ------------------------------------------------------------------
    def eligible(self, kind: int) -> list[Organization]:
        """Catalogue rule: active, serves the kind, registered long enough, reputation high enough."""
        ps = self.model.p.streets
        month = self.model.month
        return [
            o for o in self.active_orgs()
            if kind in o.serves
            and o.age_registered(month) >= ps.catalogue_min_age_months
            and o.reputation >= ps.catalogue_min_reputation
        ]

    def decide_tender(self, budget_yuan: float) -> list[Contract]:
        """Rule: the year's budget is split over the need kinds the catalogue lets the street
        buy (purchase_kinds) in proportion to the needs the street saw lapse; for each kind
        with at least unit_cost_yuan, up to max_bidders eligible organizations (``eligible``)
        bid (``organizations.bid_price``) and are scored (``score_bids``); down the ranking
        each winner commits to hire the social workers it needs for what is left of the
        kind's budget (``contracts.project_hires``; capacity counts the hires it still owes)
        and is offered a volume of what it can then deliver ((capacity + hires *
        needs_per_sw_month) * tender_capacity_factor
        needs a month) at its price for contract_months, until the kind's budget is
        committed; the purchaser pays contract_advance_months months of the
        volume at signing. Contracts that ran out end here (their delivery ratios are the
        incumbents' track records)."""
        m = self.model
        ps = m.p.streets
        rng = m.streams["tender"]
        # incumbents: holders of this year's contracts (running or just expired), then expired ones go
        record = {(o, c.kind): delivery_ratio(c) for o in self.organizations for c in o.contracts}
        for org in self.organizations:
            org.contracts = [c for c in org.contracts if c.months_left > 0]
        if budget_yuan <= 0:
            return []
        seen = (self.unmet_by_kind + 1e-9) * np.array([k in ps.purchase_kinds for k in NEED_KINDS], dtype=float)
        if seen.sum() <= 0:
            return []
        split = budget_yuan * seen / seen.sum()
        awarded: list[Contract] = []
        for kind in range(len(NEED_KINDS)):
            left = split[kind]
            pool = self.eligible(kind)
            if left < ps.unit_cost_yuan or not pool:
                continue
            if len(pool) > ps.max_bidders:
                pick = rng.choice(len(pool), size=ps.max_bidders, replace=False)
                pool = [pool[i] for i in sorted(pick)]
            prices = np.array([bid_price(ps, rng, o.age_registered(m.month)) for o in pool])
            score = self.score_bids(pool, kind, prices, record)
            for i in np.argsort(-score, kind="stable"):
                if left < ps.unit_cost_yuan:
                    break
                org = pool[int(i)]
                # capacity now (at month 1 no month has computed it yet)
                po = m.p.organizations
                capacity = org.compute_capacity(po, m.month)
                wanted = left / (ps.contract_months * prices[i])
                room = po.max_social_workers - len(org.workers) - org.vacancies - org.required_hires
                capacity = max(capacity, 1.0) + org.required_hires * po.needs_per_sw_month  # with hires to come
                hires = project_hires(ps, po, wanted, capacity, room)
                org.required_hires += hires
                volume = min(wanted, (capacity + hires * po.needs_per_sw_month) * ps.tender_capacity_factor)
                left -= volume * ps.contract_months * prices[i]
                advance = ps.contract_advance_months * volume * prices[i]
                c = Contract(org, self.index, kind, volume, ps.contract_months, float(prices[i]), advance)
                m.funders["purchase"].pay(org.account, advance, "contract_advance")
                org.record_income("contract", advance)
                org.contracts.append(c)
                awarded.append(c)
        return awarded

    def score_bids(self, pool: list[Organization], kind: int, prices: np.ndarray,
                   record: dict[tuple[Organization, int], float]) -> np.ndarray:
        """Rule: a bid scores weight_price * lowest price / price + weight_quality * quality +
        weight_track_record * reputation + weight_incumbency * incumbency, where incumbency
        is the delivery ratio of the bidder's expiring contract of the kind (``record``;
        ``contracts.delivery_ratio``: a holder that delivered little gains little), 1 for the
        street's platform organization, else 0."""
        m = self.model
        ps = m.p.streets
        qual = np.array([m.org_quality(o)[0] for o in pool])
        rep = np.array([o.reputation for o in pool])
        inc = np.array([1.0 if o is self.platform_org else record.get((o, kind), 0.0) for o in pool])
        return (ps.weight_price * prices.min() / prices + ps.weight_quality * qual
                + ps.weight_track_record * rep + ps.weight_incumbency * inc)

    def decide_oversight(self) -> int:
        """Rule: each running contract is evaluated with chance evaluation_coverage (the
        district pays evaluation_cost_yuan); the score (``evaluation_score``) moves the
        organization's reputation by reputation_step towards it (credit records); a
        contract scoring below lose_contract_below ends early (its advance is settled:
        ``contracts.settle_advance``). Returns the contracts lost."""
        m = self.model
        ps = m.p.streets
        rng = m.streams["oversight"]
        lost = 0
        for org in self.active_orgs():
            for c in list(org.contracts):
                if rng.random() >= ps.evaluation_coverage:
                    continue
                score = evaluation_score(m, org, c)
                m.funders["district"].pay(m.acct["project_costs"], ps.evaluation_cost_yuan, "evaluation")
                po = m.p.organizations
                org.reputation += po.reputation_step * (score - org.reputation)
                if score < ps.lose_contract_below:
                    settle_advance(m, c)
                    org.contracts.remove(c)
                    lost += 1
        return lost

    def decide_platform(self) -> None:
        """Rule: with a platform, commission the best active organization (quality +
        reputation, plus platform_agency_preference for a social-work agency) to run it; it
        becomes every committee's partner at strength 1 and brings in the next
        platform_partner_slots organizations by reputation as its roster of partners, partners
        of every committee at platform_partner_strength."""
        m = self.model
        ps = m.p.streets
        if not self.has_platform():
            if self.platform_org is not None:
                self.platform_org.runs_platform = False
                self.platform_org.broker_hours = 0.0
                self.platform_org = None
                self.platform_partners = []
            return
        if self.platform_org is not None and self.platform_org.active:
            return
        pool = self.active_orgs()
        if not pool:
            return
        best = max(pool, key=lambda o: (m.org_quality(o)[0] + o.reputation
                                        + (ps.platform_agency_preference if o.kind == "social_work_agency" else 0.0),
                                        -o.unique_id))
        best.runs_platform = True
        self.platform_org = best
        others = sorted((o for o in pool if o is not best), key=lambda o: (-o.reputation, o.unique_id))
        self.platform_partners = others[: ps.platform_partner_slots]
        for org in self.platform_partners:
            for c in self.committees:
                c.partners.setdefault(org, ps.platform_partner_strength)
        for c in self.committees:
            c.partners[best] = 1.0

    def decide_referrals(self, unmet: np.ndarray) -> int:
        """Rule: each month the platform organization refers the most unmet need kind of up to
        platform_referrals_month of the street's committees (``unmet``: its committees x kinds
        this month; the committees with most unmet needs first) to the roster organization
        serving the kind with the best reputation; when none on the roster serves it and the
        roster has fewer than platform_partner_slots members, the best-reputation active
        organization of the street serving it joins the roster. The committee's partnership
        with that organization is set to at least platform_partner_strength (a new one only
        below max_partners). Each referral takes platform_referral_hours of the platform
        organization's staff time (its ``broker_hours``, off its service next month).
        Returns the referrals made."""
        org = self.platform_org
        if org is None or not org.active:
            return 0
        ps, pc = self.model.p.streets, self.model.p.committees
        self.platform_partners = [o for o in self.platform_partners if o.active and o is not org]
        totals = unmet.sum(axis=1)
        order = [i for i in np.argsort(-totals, kind="stable").tolist() if totals[i] > 0]
        made = 0
        for i in order[: ps.platform_referrals_month]:
            partner = self._roster_partner(int(np.argmax(unmet[i])))
            if partner is None:
                continue
            c = self.committees[i]
            if partner in c.partners or len(c.partners) < pc.max_partners:
                c.partners[partner] = max(c.partners.get(partner, 0.0), ps.platform_partner_strength)
            made += 1
        org.broker_hours = made * ps.platform_referral_hours
        return made

    def _roster_partner(self, kind: int) -> Organization | None:
        """The best-reputation roster organization serving ``kind``; else one recruited to the
        roster (the best-reputation active organization serving it, while there is room)."""
        serving = [o for o in self.platform_partners if kind in o.serves_kinds]
        if not serving and len(self.platform_partners) < self.model.p.streets.platform_partner_slots:
            pool = [o for o in self.active_orgs() if kind in o.serves_kinds
                    and o is not self.platform_org and o not in self.platform_partners]
            if pool:
                serving = [max(pool, key=lambda o: (o.reputation, -o.unique_id))]
                self.platform_partners.append(serving[0])
        return max(serving, key=lambda o: (o.reputation, -o.unique_id)) if serving else None

    def decide_venues(self) -> None:
        """Rule: round(venues * venues_open_share) venues are open to organizations; they go
        to active organizations without one (best reputation first)."""
        ps = self.model.p.streets
        n_open = int(round(ps.venues * ps.venues_open_share))
        users = [o for o in self.active_orgs() if o.uses_venue]
        for o in users[n_open:]:
            o.uses_venue = False
        free = n_open - min(len(users), n_open)
        if free <= 0:
            return
        waiting = sorted((o for o in self.active_orgs() if not o.uses_venue and not o.runs_platform),
                         key=lambda o: (-o.reputation, o.unique_id))
        for o in waiting[:free]:
            o.uses_venue = True

    def decide_posts(self) -> None:
        """Rule (purchase of posts): each month the street holds round(posts_per_100k *
        residents / 100,000) government-paid social-work posts in one social-work agency:
        the one holding them while it stays active, else the active agency with the best
        reputation (none: the posts stay unfilled and unpaid); the holder posts the hires
        its posts still lack (posts - social workers) as required hires, open until filled."""
        m = self.model
        ps = m.p.streets
        n_posts = int(round(ps.posts_per_100k * self.residents / 1e5))
        holder = self.post_holder
        if holder is None or not holder.active or n_posts <= 0:
            if holder is not None:
                holder.posts = 0
            agencies = [o for o in self.active_orgs() if o.kind == "social_work_agency"]
            holder = min(agencies, key=lambda o: (-o.reputation, o.unique_id)) if agencies and n_posts > 0 else None
            self.post_holder = holder
        if holder is not None:
            holder.posts = n_posts
            holder.required_hires = max(holder.required_hires, n_posts - len(holder.workers))

    def reach(self, org: Organization, partner_committees: list[int] | None = None) -> list[int]:
        """Rule: the committees where an organization serves every kind it serves: the whole
        street when it runs the platform or uses an open venue; else its home committee and
        its partner committees (found from the committees when not given). (Contracts and
        posts open only their kinds across the street: ``opened_kinds``.)"""
        if org.runs_platform or org.uses_venue:
            return self.committee_indices  # shared: callers do not modify it
        if partner_committees is None:
            partner_committees = [c.index for c in self.committees if org in c.partners]
        return sorted({org.home, *partner_committees}) if partner_committees else [org.home]

    def opened_kinds(self, org: Organization) -> list[int]:
        """Rule: the need kinds an organization serves across the whole street, beyond its
        ``reach``: the kind of each running contract (for that kind's target group), and,
        for a holder of posts, the post_kinds (the 2004 agencies' groups)."""
        kinds = {c.kind for c in org.contracts if c.months_left > 0}
        if org.posts > 0:
            kinds.update(NEED_KINDS.index(k) for k in self.model.p.streets.post_kinds)
        return sorted(kinds)


# ---------------------------------------------------------------------------
# the streets' monthly and yearly decisions
# ---------------------------------------------------------------------------
def decide_budget_factors(m: "CommunityModel") -> None:
    """Rule: once a year an unguaranteed street budget falls short: each street's budget
    factor is min(1, a lognormal draw with mean 1 and sigma budget_volatility *
    (1 - budget_guaranteed))."""
    ps = m.p.streets
    sigma = ps.budget_volatility * (1.0 - ps.budget_guaranteed)
    for street in m.streets:
        draw = m.streams["street_budget"].lognormal(-sigma**2 / 2, sigma) if sigma > 0 else 1.0
        street.budget_factor = min(1.0, float(draw))


def run_tenders(m: "CommunityModel") -> None:
    """Rule: once a year (tender_month) each street tenders purchase_budget_yuan per 100,000
    residents, times its budget factor (:meth:`StreetOffice.decide_tender`)."""
    ps = m.p.streets
    for street in m.streets:
        budget = ps.purchase_budget_yuan * street.residents / 1e5 * street.budget_factor
        m.recorder.events.contracts_awarded += len(street.decide_tender(budget))


def oversight_month(ps: StreetParams) -> int:
    """Rule: contracts are evaluated oversight_lag_months after the tender month
    (tender_month), in the calendar month that falls on."""
    return (ps.tender_month - 1 + ps.oversight_lag_months) % 12 + 1


def run_oversight(m: "CommunityModel") -> None:
    """Half-way through the contract year each street evaluates contracts
    (:meth:`StreetOffice.decide_oversight`)."""
    for street in m.streets:
        m.recorder.events.contracts_lost += street.decide_oversight()


def platforms_and_venues(m: "CommunityModel") -> None:
    """Each street (re)commissions its platform, allocates its open venues and its
    government-paid posts (:meth:`StreetOffice.decide_platform`,
    :meth:`StreetOffice.decide_venues`, :meth:`StreetOffice.decide_posts`)."""
    for street in m.streets:
        street.decide_platform()
        street.decide_venues()
        street.decide_posts()


def platform_referrals(m: "CommunityModel", unmet: np.ndarray) -> None:
    """Each street's platform refers its committees' unmet needs (``unmet``: committees x
    kinds, this month; :meth:`StreetOffice.decide_referrals`)."""
    for street in m.streets:
        if street.platform_org is not None:
            street.decide_referrals(unmet[street.committee_indices])


def remember_unmet(m: "CommunityModel", lapsed_kind_com: np.ndarray) -> None:
    """Rule: what a street sees of unmet needs: lapsed needs by kind in its committees
    (``lapsed_kind_com``: committees x kinds, this month), over an exponential window of
    unmet_memory_months."""
    keep = 1.0 - 1.0 / m.p.streets.unmet_memory_months
    for street in m.streets:
        rows = [c.index for c in street.committees]
        street.unmet_by_kind = street.unmet_by_kind * keep + lapsed_kind_com[rows].sum(axis=0)


def evaluation_score(m: "CommunityModel", org: Organization, contract: Contract) -> float:
    """Rule: a performance evaluation scores evaluation_quality_weight * the organization's
    quality + the rest * the contract's delivery ratio (``contracts.delivery_ratio``: needs
    delivered against its volume over the months elapsed, at most 1). Score 0-1."""
    w = m.p.organizations.evaluation_quality_weight
    return w * m.org_quality(org)[0] + (1.0 - w) * delivery_ratio(contract)
