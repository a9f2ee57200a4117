"""Street offices (Mesa agents): founding pool, tenders, platform, venues, incubator.

Rules, parameters in ``Streets`` and ``Organizations`` of the register:

* founding (organizational ecology): each month every would-be founder of the
  street tries with chance
  ``founding_rate * exp(a*d - b*d^2) * exp(-cost_sensitivity*upfront)
  * exp(-delay_sensitivity*delay) * (1 + service_centre_founding*centre)``,
  d = active organizations per 10,000 residents; a try registers only if the
  founder's capital covers the capital requirement and the registration cost;
* tender (purchase of services): once a year the purchase budget is split
  over need kinds in proportion to the needs the street saw go unmet; for each
  kind up to ``max_bidders`` eligible organizations (catalogue: registered long
  enough, reputation high enough) bid; the award scores price, quality, track
  record and incumbency; the winner takes what it can deliver, the rest goes
  down the ranking;
* oversight: half-way through the contract year a share of running contracts
  is evaluated (the score feeds reputation: credit records); organizations
  scoring below ``lose_contract_below`` lose those contracts;
* platform commissioning: the street commissions the best organization to run
  its citizen centre for a yearly fee; the platform brings in partner
  organizations to every committee;
* venues: a share of the street's venues is opened free to organizations;
* incubator: start-ups get free space, a small grant, faster registration and
  capacity building.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mesa
import numpy as np

from .organizations import Contract, Organization
from .params import NEED_KINDS, ORG_KINDS

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
        self.unmet_by_kind = np.zeros(len(NEED_KINDS))  # needs lapsed over the last year
        self.incubator_occupants: list[Organization] = []
        self.coverage_rank = index
        self.budget_factor = 1.0

    # -- coverage of street-level facilities (a share of streets, in a fixed order) --
    def covered(self, share: float) -> bool:
        """True if this street is among the first ``share`` of streets in coverage order."""
        return (self.coverage_rank + 0.5) / len(self.model.streets) <= share

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
    def alive_orgs(self) -> list[Organization]:
        """Organizations registering or active in the street."""
        return [o for o in self.organizations if o.alive]

    def active_orgs(self) -> list[Organization]:
        """Registered, not failed organizations in the street."""
        return [o for o in self.organizations if o.active]

    def density(self) -> float:
        """Active organizations per 10,000 residents."""
        return len(self.active_orgs()) / max(self.residents, 1) * 1e4

    def refill_founders(self) -> None:
        """Once a year the pool of would-be founders is topped up to its size."""
        self.founders = self.model.p.organizations.founders_per_100k * self.residents / 1e5

    def founding_chance(self) -> float:
        """Monthly chance a would-be founder tries (see module rule)."""
        po = self.model.p.organizations
        d = self.density()
        upfront = po.registration_cost_yuan + po.capital_requirement_yuan \
            + po.premises_required * po.rent_yuan_month * (1.0 - po.rent_subsidy_share) * po.premises_rent_months
        delay = self.registration_delay()
        rate = po.founding_rate * math.exp(po.density_legitimation * d - po.density_competition * d * d)
        rate *= math.exp(-po.cost_sensitivity * upfront / 1e5) * math.exp(-po.delay_sensitivity * delay)
        rate *= 1.0 + po.service_centre_founding * self.has_service_centre()
        return min(rate, 1.0)

    def registration_delay(self, incubated: bool = False) -> float:
        """Mean months to register (an incubator's help cuts it)."""
        po = self.model.p.organizations
        cut = po.incubator_delay_cut if incubated else 0.0
        return po.registration_delay_months * (1.0 - cut)

    def incubator_has_room(self) -> bool:
        """An incubator is present and has a free slot."""
        m = self.model
        self.incubator_occupants = [o for o in self.incubator_occupants if o.alive and o.incubated(m.month)]
        return self.has_incubator() and len(self.incubator_occupants) < m.p.organizations.incubator_slots

    def decide_foundings(self) -> list[Organization]:
        """Rule: founders try (binomial), a try registers if capital suffices (see module)."""
        m = self.model
        po = m.p.organizations
        rng = m.streams["founding"]
        tries = int(rng.binomial(int(self.founders), self.founding_chance())) if self.founders >= 1 else 0
        created = []
        shares = np.array([getattr(po.founder_kind_shares, k) for k in ORG_KINDS])
        shares = shares / shares.sum()
        for _ in range(tries):
            self.founders -= 1
            capital = po.founder_capital_median_yuan * math.exp(po.founder_capital_sigma * rng.standard_normal())
            kind = ORG_KINDS[int(rng.choice(len(ORG_KINDS), p=shares))]
            home = self.committees[int(rng.integers(len(self.committees)))]
            if capital < po.capital_requirement_yuan + po.registration_cost_yuan:
                m.tally["founding_blocked"] += 1
                continue
            incubated = self.incubator_has_room()
            mean_delay = self.registration_delay(incubated)
            months = int(rng.geometric(1.0 / (mean_delay + 1.0))) - 1 if mean_delay > 0 else 0
            org = m.add_organization(kind, self, home.index, months, incubated)
            m.ledger.transfer(m.acct["founders"], org.account, capital, "founding_capital")
            m.ledger.transfer(org.account, m.acct["registration"], po.registration_cost_yuan, "registration")
            if incubated:
                self.incubator_occupants.append(org)
                m.ledger.transfer(m.acct["district"], org.account, po.incubator_grant_yuan, "incubator_grant")
                org.record_income("incubator_grant", po.incubator_grant_yuan)
            created.append(org)
        return created

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
        """Rule: split the year's budget over kinds by unmet needs; award by weighted score."""
        m = self.model
        ps = m.p.streets
        rng = m.streams["tender"]
        # incumbents: holders of this year's contracts (running or just expired), then expired ones go
        incumbents = {(o, c.kind) for o in self.organizations for c in o.contracts}
        for org in self.organizations:
            org.contracts = [c for c in org.contracts if c.months_left > 0]
        if budget_yuan <= 0:
            return []
        seen = self.unmet_by_kind + 1e-9
        allowed = np.array([k in ps.purchase_kinds for k in NEED_KINDS], dtype=float)
        seen = seen * allowed
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
            prices = np.array([
                ps.unit_cost_yuan * (1 + ps.price_spread * (rng.random() - 0.5))
                * (1 - ps.price_experience_discount * min(o.age_registered(m.month), 60) / 60) for o in pool
            ])
            qual = np.array([m.org_quality(o)[0] for o in pool])
            rep = np.array([o.reputation for o in pool])
            inc = np.array([1.0 if ((o, kind) in incumbents or o is self.platform_org) else 0.0 for o in pool])
            score = (ps.weight_price * prices.min() / prices + ps.weight_quality * qual
                     + ps.weight_track_record * rep + ps.weight_incumbency * inc)
            for i in np.argsort(-score, kind="stable"):
                if left < ps.unit_cost_yuan:
                    break
                org = pool[int(i)]
                # capacity now (at month 1 no month has computed it yet)
                capacity = org.compute_capacity(m.p.organizations, m.month)
                deliverable = max(capacity, 1.0) * ps.tender_capacity_factor * ps.contract_months * prices[i]
                value = min(left, deliverable)
                left -= value
                c = Contract(org, self.index, kind, value / ps.contract_months, ps.contract_months, float(prices[i]))
                org.contracts.append(c)
                awarded.append(c)
        return awarded

    def decide_oversight(self) -> int:
        """Rule: evaluated contracts scoring below lose_contract_below end early. Returns losses."""
        m = self.model
        ps = m.p.streets
        rng = m.streams["oversight"]
        lost = 0
        for org in self.active_orgs():
            for c in list(org.contracts):
                if rng.random() >= ps.evaluation_coverage:
                    continue
                score = m.evaluate(org, c)
                m.funders["district"].pay(m.acct["project_costs"], ps.evaluation_cost_yuan, "evaluation")
                po = m.p.organizations
                org.reputation += po.reputation_step * (score - org.reputation)
                if score < ps.lose_contract_below:
                    org.contracts.remove(c)
                    lost += 1
        return lost

    def decide_platform(self) -> None:
        """Rule: with a platform, commission the best active organization (quality + reputation,
        social-work agencies preferred) to run it; it brings partner organizations to every committee."""
        m = self.model
        ps = m.p.streets
        if not self.has_platform():
            if self.platform_org is not None:
                self.platform_org.runs_platform = False
                self.platform_org = None
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
        for org in others[: ps.platform_partner_slots]:
            for c in self.committees:
                c.partners.setdefault(org, ps.platform_partner_strength)
        for c in self.committees:
            c.partners[best] = 1.0

    def decide_venues(self) -> None:
        """Rule: open venues go to active organizations without one (best reputation first)."""
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

    def reach(self, org: Organization, partner_committees: list[int] | None = None) -> list[int]:
        """Rule: the committees an organization serves: the whole street with a running
        contract, the platform or an open venue; else its home committee and its partner
        committees (found from the committees when not given)."""
        if org.runs_platform or org.uses_venue or org.has_contract():
            return self.committee_indices  # shared: callers do not modify it
        if partner_committees is None:
            partner_committees = [c.index for c in self.committees if org in c.partners]
        return sorted({org.home, *partner_committees}) if partner_committees else [org.home]
