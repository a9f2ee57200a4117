"""Funders (Mesa agents): where every public and social yuan comes from.

Each funder owns a *source* account in the ledger (its balance goes negative
by what it has paid). Kinds and rules (parameters in ``Funders``,
``Streets`` and ``Committees`` of the register):

* ``purchase`` (district/city finance): pays purchase-of-services contracts;
* ``district`` (district finance): committees' wage bills, rent subsidies and
  utility discounts, incubator grants and running costs, salary and exam
  subsidies, pay-floor top-ups, training, evaluation and publicity costs,
  committees' self-governance funds and foundation endowments, and the hours
  district departments spend on tasks taken off committees;
* ``street`` (street budgets, guaranteed by the district after 2014): its own
  community-work staff and the hours they give committees or spend on tasks taken
  off them, the platform fee, the running costs of service centres and the
  upkeep of venues (and the extra cost of opening them);
* ``lottery`` (welfare-lottery fund): a yearly competitive bidding round; an
  organization proposes a project for the kind most unmet in its street; the
  best proposals (need found, quality, reputation) win a grant paid monthly
  and must hire ``lottery_sw_hire`` social workers;
* ``foundation`` (community foundations, one per street when funded): grants
  to organizations' projects and to committees' micro-projects, raising
  ``foundation_social_match`` yuan of social money per public yuan;
* ``donors`` and ``residents``: donations and fees (social money).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mesa
import numpy as np

from .organizations import Grant, Organization

if TYPE_CHECKING:
    from .community import CommunityModel

PUBLIC_CATEGORIES = ("city", "district", "street", "lottery")
STAFF_PURPOSES = ("committee_staff_wages", "street_staff_wages", "street_service_support", "admin_tasks_street",
                  "admin_tasks_departments")
"""Ledger purposes paying public staff: committee and street staff wages, street staff's support
hours, and street and district staff's hours on tasks taken off committees."""
SOCIAL_CATEGORIES = ("donors", "residents", "founders")


class Funder(mesa.Agent):
    """A funding source with its own ledger account (budgets are register parameters)."""

    def __init__(self, model: "CommunityModel", kind: str, category: str, name: str):
        super().__init__(model)
        self.kind = kind
        self.category = category
        self.account = model.ledger.open(name, category)
        self.paid_total = 0.0
        self.committed = 0.0  # granted but not yet paid out (intermediary funders)

    def pay(self, dst: int, amount: float, purpose: str) -> float:
        """Pay from this funder's account (nothing for an amount <= 0); returns the amount paid.
        A NaN or infinite amount is an error (the ledger raises ValueError)."""
        if amount > 0 or not math.isfinite(amount):
            self.model.ledger.transfer(self.account, dst, amount, purpose)
            self.paid_total += amount
        return max(amount, 0.0)

    def pay_repeated(self, dst: int, amount: float, times: int, purpose: str) -> None:
        """``times`` payments of the same amount: the ledger exactly as calling :meth:`pay`
        that often (``paid_total`` up to rounding: it is added in one step)."""
        if times > 0 and (amount > 0 or not math.isfinite(amount)):
            self.model.ledger.transfer_many(self.account, dst, np.full(times, amount), purpose)
            self.paid_total += amount * times

    def pay_many(self, dst: int, amounts: list[float], purpose: str) -> None:
        """Pay each amount in turn: the ledger exactly as calling :meth:`pay` for each (amounts
        <= 0 are not paid; a NaN or infinite one raises ValueError before anything is paid);
        ``paid_total`` up to rounding (it is added in one step)."""
        values = np.asarray(amounts, dtype=np.float64)
        if not np.isfinite(values).all():
            self.model.ledger.transfer_many(self.account, dst, values, purpose)  # raises
        paid = values[values > 0]
        self.model.ledger.transfer_many(self.account, dst, paid, purpose)
        self.paid_total += float(paid.sum())


def decide_lottery_awards(model: "CommunityModel", lottery: Funder) -> int:
    """Rule: competitive bidding ("from allocation to bidding") for lottery_budget_yuan per
    100,000 residents a year. Each active organization proposes one project; score =
    lottery_weight_need * need found (its street's unmet share of the kind it serves best)
    + lottery_weight_quality * quality + lottery_weight_reputation * reputation; grants of
    lottery_grant_yuan, paid over lottery_project_months, go best first until the budget
    is spent; each obliges the organization to hire lottery_sw_hire social workers
    (posted every month until filled). Returns the number of grants."""
    pf = model.p.funders
    budget = pf.lottery_budget_yuan * model.simulated_residents / 1e5
    if budget < pf.lottery_grant_yuan:
        return 0
    proposals: list[tuple[float, int, Organization]] = []
    for street in model.streets:
        unmet = street.unmet_by_kind
        total = unmet.sum()
        for org in street.active_orgs():
            need = float(unmet[org.serves].max() / total) if total > 0 else 0.0
            q = model.org_quality(org)[0]
            score = pf.lottery_weight_need * need + pf.lottery_weight_quality * q \
                + pf.lottery_weight_reputation * org.reputation
            proposals.append((score, org.unique_id, org))
    proposals.sort(key=lambda t: (-t[0], t[1]))
    n = 0
    for _, _, org in proposals:
        if budget < pf.lottery_grant_yuan:
            break
        budget -= pf.lottery_grant_yuan
        org.grants.append(Grant(lottery, "lottery_grant",
                                pf.lottery_grant_yuan / pf.lottery_project_months, pf.lottery_project_months))
        org.required_hires += int(round(pf.lottery_sw_hire))
        n += 1
    return n


def decide_foundation_grants(model: "CommunityModel", foundation: Funder, street_index: int) -> int:
    """Rule: the district endows the street's community foundation with
    foundation_budget_yuan a year, which raises foundation_social_match yuan from donors
    per public yuan. A share foundation_org_share of the pot goes to the best-reputation
    organizations as project grants of foundation_grant_yuan (paid monthly over
    foundation_grant_months), the rest equally to the committees' micro-project funds.
    Returns the number of grants plus the number of committee payments."""
    pf = model.p.funders
    street = model.streets[street_index]
    budget = pf.foundation_budget_yuan
    if budget <= 0:
        return 0
    model.funders["district"].pay(foundation.account, budget, "foundation_endowment")
    model.ledger.transfer(model.acct["donors"], foundation.account,
                          budget * pf.foundation_social_match, "foundation_donations")
    pot = model.ledger.get(foundation.account) - foundation.committed
    grants = 0
    org_pot = pot * pf.foundation_org_share
    for org in sorted(street.active_orgs(), key=lambda o: (-o.reputation, o.unique_id)):
        if org_pot < pf.foundation_grant_yuan:
            break
        org_pot -= pf.foundation_grant_yuan
        pot -= pf.foundation_grant_yuan
        foundation.committed += pf.foundation_grant_yuan
        org.grants.append(Grant(foundation, "foundation_grant", pf.foundation_grant_yuan / pf.foundation_grant_months,
                                pf.foundation_grant_months))
        grants += 1
    per = pot / len(street.committees)
    for c in street.committees:
        foundation.pay(c.fund_account, per, "foundation_microprojects")
        grants += 1
    return grants


def grant_self_governance_funds(m: "CommunityModel") -> None:
    """Rule: once a year (January) the district pays self_governance_fund_yuan into the fund
    of each committee the fund covers (:meth:`Committee.has_fund`, fund_coverage)."""
    pc = m.p.committees
    if pc.self_governance_fund_yuan > 0:
        for c in m.committees:
            if c.has_fund(pc):
                m.funders["district"].pay(c.fund_account, pc.self_governance_fund_yuan, "self_governance_fund")


def foundation_round(m: "CommunityModel") -> None:
    """Once a year (January) every street's community foundation, where it has one
    (foundation_coverage), grants (:func:`decide_foundation_grants`)."""
    for s, foundation in enumerate(m.foundations):
        if m.streets[s].has_foundation():
            m.recorder.events.foundation_grants += decide_foundation_grants(m, foundation, s)


def lottery_round(m: "CommunityModel") -> None:
    """Once a year (lottery_month) the welfare-lottery fund's bidding round
    (:func:`decide_lottery_awards`)."""
    m.recorder.events.lottery_grants += decide_lottery_awards(m, m.funders["lottery"])


def pay_publicity(m: "CommunityModel") -> None:
    """Rule: the district pays a month of publicity_budget_yuan per 100,000 residents."""
    publicity = m.p.residents.publicity_budget_yuan * m.simulated_residents / 1e5 / 12
    m.funders["district"].pay(m.acct["project_costs"], publicity, "publicity")


def public_spending(flows: dict[tuple[str, str, str], float]) -> float:
    """Yuan leaving public sources this month (city, district, street budgets and lottery fund),
    less what came back to them from outside (a contract's unspent advance, ``contract_refund``).
    Sums of flows are exactly rounded (``math.fsum``), so they do not depend on the order
    in which the flows were posted."""
    return math.fsum([v for (src, _dst, _p), v in flows.items() if src in PUBLIC_CATEGORIES]
                     + [-v for (src, dst, _p), v in flows.items()
                        if dst in PUBLIC_CATEGORIES and src not in PUBLIC_CATEGORIES])


def public_staff_spending(flows: dict[tuple[str, str, str], float]) -> float:
    """Yuan leaving public sources this month for public staff (``STAFF_PURPOSES``), exactly
    rounded."""
    return math.fsum(v for (src, _dst, p), v in flows.items() if src in PUBLIC_CATEGORIES and p in STAFF_PURPOSES)


def spending_by(flows: dict[tuple[str, str, str], float]) -> dict[tuple[str, str], float]:
    """Outflows of each source category by purpose (exactly rounded sums over payees); money
    coming back to a public source from outside (``contract_refund``) is a negative row of that
    source, so the public rows add up to :func:`public_spending`."""
    parts: dict[tuple[str, str], list[float]] = {}
    for (src, dst, purpose), v in flows.items():
        if src in PUBLIC_CATEGORIES or src in SOCIAL_CATEGORIES or src == "foundation":
            parts.setdefault((src, purpose), []).append(v)
        elif dst in PUBLIC_CATEGORIES:
            parts.setdefault((dst, purpose), []).append(-v)
    return {key: math.fsum(vs) for key, vs in parts.items()}


