"""Phase 7 of the month: money moves, then organizations decide on staff and may fail.

Organizations are paid (contracts, platform fee, grants, donations crowded out
by government money, market income, fees) and pay (rent less the subsidy,
utilities less the discount, wages); the district pays subsidies. Then each
organization hires or lays off (``organizations.decide_staffing``) and one whose
reserves stay negative fails (``organizations.decide_failure``). Committees'
staff are paid by the district (``committees.staff_wage_bill``: the pay floor
applies to them) and micro-projects spend their funds
(``committees.spend_micro_projects``).

No organization's flows depend on another's, so the flows are posted one purpose at a
time over all organizations (in slot order, with the ledger's exact ``transfer_many``)
and the decisions follow in slot order. Every organization's own account, every flow sum
and every foundation's commitments come out exactly as posting organization by
organization; the shared source and sink accounts (district, landlords, wages, ...)
receive the same amounts in another order, so their balances may differ in the last bits
from an organization-by-organization posting (only the money invariant reads them).

Layout: ``accounts`` (the phase, in order) calls ``_project_income``, ``_social_income``,
``_running_costs``, ``_pay_social_workers``, ``_decide``, ``_pay_committee_staff``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .committees import spend_micro_projects, staff_wage_bill
from .organizations import (ACTIVE, GOVERNMENT_INCOME, REGISTERING, Organization, decide_failure,
                            decide_staffing, social_income)
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
    gov, committed_paid = _project_income(m, alive)
    act = [j for j, o in enumerate(alive) if o.status == ACTIVE]
    active = [alive[j] for j in act]
    slots = np.array([o.slot for o in active], dtype=np.int64)
    met = served.org_met[slots].astype(np.float64)
    _social_income(m, active, [gov[j] for j in act], met)
    _running_costs(m, alive, active)
    wages = _pay_social_workers(m, alive)
    _decide(m, alive, active, [wages[j] for j in act], met, served.org_capacity[slots], committed_paid)
    _pay_committee_staff(m)
    spend_micro_projects(m)


def _project_income(m: "CommunityModel", alive: list[Organization]) -> tuple[list[float], Commitments]:
    """Contracts, platform fee and grants (few organizations hold them), paid to the
    organizations ``alive`` in slot order. Returns each one's government income this month
    and the foundations' instalments paid (deducted from their commitments in ``_decide``,
    so that they interleave with wind-ups in slot order)."""
    purchase = m.funders["purchase"]
    gov = [0.0] * len(alive)
    committed_paid: Commitments = {}
    fee_platform = m.p.streets.platform_fee_yuan / 12
    for j, org in enumerate(alive):
        if not (org.contracts or org.runs_platform or org.grants):
            continue
        acct = org.account
        g_j = 0.0
        for ct in org.contracts:
            if ct.months_left > 0:
                purchase.pay(acct, ct.monthly_yuan, "contract")
                m.recorder.events.contracts_paid += 1
                org.record_income("contract", ct.monthly_yuan)
                g_j += ct.monthly_yuan
                ct.months_left -= 1
        if org.runs_platform:
            m.funders["street"].pay(acct, fee_platform, "platform_fee")
            org.record_income("platform_fee", fee_platform)
            g_j += fee_platform
        for g in org.grants:
            if g.months_left > 0:
                g.funder.pay(acct, g.monthly_yuan, g.purpose)
                if g.funder.kind == "foundation":
                    committed_paid.setdefault(j, []).append((g.funder, g.monthly_yuan))
                org.record_income(g.purpose, g.monthly_yuan)
                if g.purpose in GOVERNMENT_INCOME:
                    g_j += g.monthly_yuan
                g.months_left -= 1
        org.grants = [g for g in org.grants if g.months_left > 0]
        gov[j] = g_j
    return gov, committed_paid


def _social_income(m: "CommunityModel", active: list[Organization], gov: list[float], met: np.ndarray) -> None:
    """Active organizations receive donations, market income and fees
    (:func:`organizations.social_income`; ``gov``: government income this month, ``met``:
    needs met this month)."""
    acct_act = np.array([o.account for o in active], dtype=np.int64)
    donation, market, fees = social_income(m.p.organizations, active, m.month, np.array(gov), met)
    L = m.ledger
    L.transfer_many(m.acct["donors"], acct_act, donation, "donation")
    L.transfer_many(m.acct["market"], acct_act, market, "market_income")
    L.transfer_many(m.acct["residents"], acct_act, fees, "fee")
    for org, d, mk, f in zip(active, donation.tolist(), market.tolist(), fees.tolist(), strict=True):
        org.record_income("donation", d)
        org.record_income("market_income", mk)
        org.record_income("fee", f)


def _running_costs(m: "CommunityModel", alive: list[Organization], active: list[Organization]) -> None:
    """Rent (organizations that :meth:`Organization.pays_rent`; the district pays
    rent_subsidy_share of it), utilities of active organizations (the district pays
    utility_discount_share) and other staff's wages (other_wage_yuan)."""
    po = m.p.organizations
    L = m.ledger
    district = m.funders["district"]
    acct_act = np.array([o.account for o in active], dtype=np.int64)
    renting = [o.account for o in alive if o.pays_rent(po, m.month)]
    rent = np.full(len(renting), po.rent_yuan_month * (1 - po.rent_subsidy_share))
    L.transfer_many(np.array(renting, dtype=np.int64), m.acct["landlords"], rent, "rent")
    district.pay_repeated(m.acct["landlords"], po.rent_yuan_month * po.rent_subsidy_share, len(renting), "rent_subsidy")
    L.transfer_many(acct_act, m.acct["utilities"],
                    np.full(len(active), po.utilities_yuan_month * (1 - po.utility_discount_share)), "utilities")
    district.pay_repeated(m.acct["utilities"], po.utilities_yuan_month * po.utility_discount_share, len(active),
                          "utility_discount")
    L.transfer_many(acct_act, m.acct["wages"],
                    np.array([o.other_staff * po.other_wage_yuan for o in active], dtype=np.float64), "wages_other")


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


def _decide(m: "CommunityModel", alive: list[Organization], active: list[Organization], wages: list[float],
            met: np.ndarray, capacity_now: np.ndarray, committed_paid: Commitments) -> None:
    """Months close; staffing decisions of the active organizations, then, in slot order,
    foundations' commitments fall by the instalments paid and organizations in the red may
    fail. (Staffing moves no money, and one organization's decisions do not touch another's
    accounts or staff, so all staffing decisions can come before all failures.)"""
    for org in alive:
        org.close_income_month()
    decide_staffing(m, active, wages, met, capacity_now)
    negative = (m.ledger.balance[np.array([o.account for o in alive], dtype=np.int64)] < 0).tolist()
    for j, (org, neg) in enumerate(zip(alive, negative, strict=True)):
        for foundation, instalment in committed_paid.get(j, ()):
            foundation.committed -= instalment
        decide_failure(m, org, neg)


def _pay_committee_staff(m: "CommunityModel") -> None:
    """Committees' staff (community workers, social-work posts included) are paid
    (:func:`committees.staff_wage_bill`) by the district: the pay before the floor
    (``committee_staff_wages``) and what the pay floor adds (``pay_floor_topup``,
    social_worker_support); the social workers among them have their wages set
    (:func:`workers.community_pay`, as ``SocialWorker.compute_wage``) and the certified ones
    draw the post allowance (``SocialWorker.subsidy``, ``post_allowance``)."""
    pw = m.p.social_workers
    district = m.funders["district"]
    bill = staff_wage_bill(pw, m.committees, m.staff_cohorts)
    district.pay_many(m.acct["wages"], bill.base.tolist(), "committee_staff_wages")
    district.pay_many(m.acct["wages"], bill.topup.tolist(), "pay_floor_topup")
    staff_sw = [w for c in m.committees for w in c.workers]
    certified = np.array([w.certified for w in staff_sw], dtype=bool)
    wages = community_pay(pw, np.array([w.experience_months for w in staff_sw], dtype=np.float64), certified)[1]
    for w, v in zip(staff_sw, wages.tolist(), strict=True):
        w.wage = v
    district.pay_repeated(m.acct["wages"], pw.post_allowance_yuan, int(certified.sum()), "post_allowance")
