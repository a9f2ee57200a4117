"""Phase 7 of the month: money moves, then organizations decide on staff and may fail.

Organizations are paid (contract instalments for needs delivered, posts' wages,
platform fee, grants; donations crowded out
by government money and residents' fees, ``org_finance.social_income``) and pay
(rent less the subsidy, utilities less the discount, running and programme costs,
wages); the district pays subsidies. Organizations with reserves above their
target spend part of the excess on sessional staff
(``org_finance.decide_surplus_spending``). Then each organization hires or lays
off (``organizations.decide_staffing``), one whose reserves stay negative fails
(``organizations.decide_failure``) and founders may give up
(``org_finance.decide_founder_exits``). Committees'
staff are paid by the district (``committees.staff_wage_bill``: the pay floor
applies to them) and micro-projects spend their funds (``committees.spend_micro_projects``).

No organization's flows depend on another's, so the flows are posted one purpose at a
time over all organizations (in slot order, with the ledger's exact ``transfer_many``)
and the decisions follow in slot order. Every organization's own account, every flow sum
and every foundation's commitments come out exactly as posting organization by
organization; the shared source and sink accounts (district, landlords, wages, ...)
receive the same amounts in another order, so their balances may differ in the last bits
from an organization-by-organization posting (only the money invariant reads them).

Layout: ``accounts`` (the phase, in order) calls ``_project_income``, ``_social_income``,
``_running_costs``, ``_pay_social_workers``, ``_spend_surplus``, ``_decide``,
``_pay_committee_staff``, then ``committees.spend_micro_projects``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .committees import spend_micro_projects, staff_wage_bill
from .contracts import pay_instalments, pay_posts
from .org_finance import (decide_founder_exits, decide_surplus_spending, government_income_mean,
                          programme_costs, social_income)
from .organizations import ACTIVE, REGISTERING, Organization, decide_failure, decide_staffing
from .serving import ServiceResult
from .workers import community_pay

if TYPE_CHECKING:
    from .community import CommunityModel

Commitments = dict[int, list]  # organization row -> [(foundation, instalment paid this month)]


def accounts(m: "CommunityModel", served: ServiceResult) -> None:
    """Money moves: income, costs, subsidies; then hiring, lay-offs and failures; then
    committees' staff are paid and micro-projects spend. ``served``: this month's
    service (needs each organization met, its capacity)."""
    alive = [o for o in m.organizations if o.status == ACTIVE or o.status == REGISTERING]
    committed_paid = _project_income(m, alive)
    act = [j for j, o in enumerate(alive) if o.status == ACTIVE]
    active = [alive[j] for j in act]
    slots = np.array([o.slot for o in active], dtype=np.int64)
    met = served.org_met[slots].astype(np.float64)
    _social_income(m, active, served.org_met_kind[slots].astype(np.float64))
    costs = _running_costs(m, alive, active, act, met)
    wages = _pay_social_workers(m, alive)
    costs += np.array(wages, dtype=np.float64)
    act_wages = [wages[j] for j in act]
    _spend_surplus(m, active, act_wages)
    _decide(m, alive, costs, active, act_wages, met, served.org_capacity[slots], committed_paid)
    _pay_committee_staff(m)
    spend_micro_projects(m)


def _project_income(m: "CommunityModel", alive: list[Organization]) -> Commitments:
    """Contract instalments for needs delivered (:func:`contracts.pay_instalments`), posts'
    wages (:func:`contracts.pay_posts`), platform fee and grants (few organizations hold
    them), paid to the organizations ``alive`` in slot order. Returns the foundations'
    instalments paid (deducted from their commitments in ``_decide``, so that they
    interleave with wind-ups in slot order)."""
    committed_paid: Commitments = {}
    fee_platform = m.p.streets.platform_fee_yuan / 12
    for j, org in enumerate(alive):
        if not (org.contracts or org.posts or org.runs_platform or org.grants):
            continue
        acct = org.account
        pay_instalments(m, org)
        pay_posts(m, org)
        if org.runs_platform:
            m.funders["street"].pay(acct, fee_platform, "platform_fee")
            org.record_income("platform_fee", fee_platform)
        for g in org.grants:
            if g.months_left > 0:
                g.funder.pay(acct, g.monthly_yuan, g.purpose)
                if g.funder.kind == "foundation":
                    committed_paid.setdefault(j, []).append((g.funder, g.monthly_yuan))
                org.record_income(g.purpose, g.monthly_yuan)
                g.months_left -= 1
        org.grants = [g for g in org.grants if g.months_left > 0]
    return committed_paid


def _social_income(m: "CommunityModel", active: list[Organization], met_kind: np.ndarray) -> None:
    """Active organizations receive donations and residents' fees
    (:func:`org_finance.social_income`; ``met_kind``: needs met this month by kind)."""
    acct_act = np.array([o.account for o in active], dtype=np.int64)
    gov_mean = np.array([government_income_mean(o) for o in active], dtype=np.float64)
    residents = np.array([m.streets[o.street].residents for o in active], dtype=np.float64)
    donation, fees = social_income(m.p.organizations, active, residents, gov_mean, met_kind)
    L = m.ledger
    L.transfer_many(m.acct["donors"], acct_act, donation, "donation")
    L.transfer_many(m.acct["residents"], acct_act, fees, "fee")
    for org, d, f in zip(active, donation.tolist(), fees.tolist(), strict=True):
        org.record_income("donation", d)
        org.record_income("fee", f)


def _running_costs(m: "CommunityModel", alive: list[Organization], active: list[Organization], act: list[int],
                  met: np.ndarray) -> np.ndarray:
    """Rent (organizations that :meth:`Organization.pays_rent`; the district pays
    rent_subsidy_share of it), utilities of active organizations (the district pays
    utility_discount_share), paid other staff's wages (other_wage_yuan, ``Organization.paid_other_staff``), running and programme
    costs (:func:`org_finance.programme_costs`; ``met``: needs each active organization met).
    Returns what each organization ``alive`` paid (``act``: rows of the active ones)."""
    po = m.p.organizations
    L = m.ledger
    district = m.funders["district"]
    acct_act = np.array([o.account for o in active], dtype=np.int64)
    rents = np.array([o.pays_rent(po, m.month) for o in alive], dtype=bool)
    renting = np.array([o.account for o in alive], dtype=np.int64)[rents]
    rent = po.rent_yuan_month * (1 - po.rent_subsidy_share)
    L.transfer_many(renting, m.acct["landlords"], np.full(renting.size, rent), "rent")
    district.pay_repeated(m.acct["landlords"], po.rent_yuan_month * po.rent_subsidy_share, int(rents.sum()), "rent_subsidy")
    utilities = po.utilities_yuan_month * (1 - po.utility_discount_share)
    L.transfer_many(acct_act, m.acct["utilities"], np.full(len(active), utilities), "utilities")
    district.pay_repeated(m.acct["utilities"], po.utilities_yuan_month * po.utility_discount_share, len(active),
                          "utility_discount")
    other = np.array([o.paid_other_staff(po) * po.other_wage_yuan for o in active], dtype=np.float64)
    L.transfer_many(acct_act, m.acct["wages"], other, "wages_other")
    running = programme_costs(po, met)
    L.transfer_many(acct_act, m.acct["suppliers"], running, "running_costs")
    costs = np.where(rents, rent, 0.0)
    costs[np.array(act, dtype=np.int64)] += utilities + other + running
    return costs


def _pay_social_workers(m: "CommunityModel", alive: list[Organization]) -> list[float]:
    """Organizations pay their social workers (:func:`workers.pay`); the district pays the
    salary subsidy of certified ones (``SocialWorker.subsidy``). Returns each organization's
    wage bill."""
    pw = m.p.social_workers
    wages = [0.0] * len(alive)
    subsidies: list[float] = []
    for j, org in enumerate(alive):
        w_j = 0.0
        for w in org.workers:
            w.wage = w.compute_wage(pw)
            w_j += w.wage
            subsidies.append(w.subsidy(pw))
        wages[j] = w_j
    m.funders["district"].pay_many(m.acct["wages"], subsidies, "salary_subsidy")
    m.ledger.transfer_many(np.array([o.account for o in alive], dtype=np.int64), m.acct["wages"],
                           np.array(wages, dtype=np.float64), "wages_social_workers")
    return wages


def _spend_surplus(m: "CommunityModel", active: list[Organization], wages: list[float]) -> None:
    """Active organizations with reserves above their target spend part of the excess on
    sessional staff (:func:`org_finance.decide_surplus_spending`), bought as capacity for
    next month."""
    po = m.p.organizations
    if not active:
        return
    acct_act = np.array([o.account for o in active], dtype=np.int64)
    costs = np.array([o.monthly_costs(po, w, m.month) for o, w in zip(active, wages, strict=True)])
    spend = decide_surplus_spending(po, m.ledger.balance[acct_act], costs)
    m.ledger.transfer_many(acct_act, m.acct["wages"], spend, "sessional_staff")
    for org, s in zip(active, (spend / po.sessional_yuan_per_need).tolist(), strict=True):
        org.sessional_needs = s


def _decide(m: "CommunityModel", alive: list[Organization], costs: np.ndarray, active: list[Organization],
            wages: list[float], met: np.ndarray, capacity_now: np.ndarray, committed_paid: Commitments) -> None:
    """Months close (income, needs met and ``costs`` of the organizations ``alive``); staffing
    decisions of the active organizations, then, in slot order, foundations' commitments fall
    by the instalments paid and organizations in the red may fail; then founders of the
    active ones still alive may give up. (Staffing moves no money, and one organization's
    decisions do not touch another's accounts or staff, so all staffing decisions can come
    before all failures.)"""
    met_of = dict(zip((o.slot for o in active), met.tolist(), strict=True))
    for org, c in zip(alive, costs.tolist(), strict=True):
        org.close_income_month()
        org.costs_12m.append(c)
        org.needs_met_12m.append(int(met_of.get(org.slot, 0)))
    decide_staffing(m, active, wages, met, capacity_now)
    negative = (m.ledger.balance[np.array([o.account for o in alive], dtype=np.int64)] < 0).tolist()
    for j, (org, neg) in enumerate(zip(alive, negative, strict=True)):
        for foundation, instalment in committed_paid.get(j, ()):
            foundation.committed -= instalment
        decide_failure(m, org, neg)
    still = [o for o in active if o.status == ACTIVE]
    deficit = np.array([o.income_window_total < sum(o.costs_12m) for o in still], dtype=bool)
    decide_founder_exits(m, still, deficit)


def _pay_committee_staff(m: "CommunityModel") -> None:
    """Committees' staff (community workers, social-work posts included) are paid
    (:func:`committees.staff_wage_bill`) by the district, each yuan with the employer's
    contributions (funders.public_oncost_share): the pay before the floor
    (``committee_staff_wages``) and what the pay floor adds (``pay_floor_topup``,
    social_worker_support); the social workers among them have their wages set
    (:func:`workers.community_pay`, as ``SocialWorker.compute_wage``) and the certified ones
    draw the post allowance (``SocialWorker.subsidy``, ``post_allowance``)."""
    pw = m.p.social_workers
    district = m.funders["district"]
    bill = staff_wage_bill(pw, m.committees, m.staff_cohorts)
    oncost = 1.0 + m.p.funders.public_oncost_share
    district.pay_many(m.acct["wages"], (bill.base * oncost).tolist(), "committee_staff_wages")
    district.pay_many(m.acct["wages"], (bill.topup * oncost).tolist(), "pay_floor_topup")
    staff_sw = [w for c in m.committees for w in c.workers]
    certified = np.array([w.certified for w in staff_sw], dtype=bool)
    wages = community_pay(pw, np.array([w.experience_months for w in staff_sw], dtype=np.float64), certified)[1]
    for w, v in zip(staff_sw, wages.tolist(), strict=True):
        w.wage = v
    district.pay_repeated(m.acct["wages"], pw.post_allowance_yuan, int(certified.sum()), "post_allowance")
