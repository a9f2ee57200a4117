"""Phase 7 of the month: money moves, and organizations decide on staff and fail.

Organizations are paid (contracts, platform fee, grants, donations crowded out
by government money, market income, fees) and pay (rent less the subsidy,
utilities less the discount, wages); the district pays subsidies; committees'
micro-projects spend their funds. Then each organization hires or lays off,
and one whose reserves stay negative fails and is wound up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .organizations import ACTIVE, FAILED, REGISTERING
from .workers import committee_wages

if TYPE_CHECKING:
    from .community import CommunityModel

def accounts(m: "CommunityModel") -> None:
    """Money moves: income, costs, subsidies, projects; hiring, lay-offs, failures.

    Each organization's flows come in this order: contracts, platform fee, grants,
    donation, market income, fees, rent (the district pays the rent subsidy), utilities
    (and the discount), other staff's wages, social workers' wages (and their salary
    subsidies); then it decides on staff and may fail. No organization's flows depend on
    another's, so the flows are posted one purpose at a time over all organizations (in
    slot order, with the ledger's exact ``transfer_many``) and the decisions follow in
    slot order. Every organization's own account, every flow sum and every foundation's
    commitments come out exactly as posting organization by organization (tested against
    the earlier code with ``benchmarks/same_results.py``); the shared source and sink
    accounts (district, landlords, wages, ...) receive the same amounts in another order, so
    their balances may differ in the last bits (only the money invariant reads them)."""
    po, pw, pc = m.p.organizations, m.p.social_workers, m.p.committees
    L = m.ledger
    district, purchase = m.funders["district"], m.funders["purchase"]
    alive = [o for o in m.organizations if o.status == ACTIVE or o.status == REGISTERING]
    # -- income: contracts, platform fee, grants (few organizations hold them) -------
    gov = [0.0] * len(alive)
    # foundations' commitments fall as instalments are paid; deducted in the decision loop
    # below, so that they interleave with wind-ups in slot order as they always did
    committed_paid: dict[int, list] = {}
    fee_platform = m.p.streets.platform_fee_yuan / 12
    for j, org in enumerate(alive):
        if not (org.contracts or org.runs_platform or org.grants):
            continue
        acct = org.account
        g_j = 0.0
        for ct in org.contracts:
            if ct.months_left > 0:
                purchase.pay(acct, ct.monthly_yuan, "contract")
                m.tally["contracts_paid"] += 1
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
                if g.purpose == "lottery_grant":
                    g_j += g.monthly_yuan
                g.months_left -= 1
        org.grants = [g for g in org.grants if g.months_left > 0]
        gov[j] = g_j
    # -- income of active organizations: donations, market income, fees --------------
    act = [j for j, o in enumerate(alive) if o.status == ACTIVE]
    active = [alive[j] for j in act]
    acct_act = np.array([o.account for o in active], dtype=np.int64)
    appeal = 1.0 - po.donation_reputation / 2 + po.donation_reputation * np.array([o.reputation for o in active])
    donation = po.donations_yuan_month * appeal - po.crowd_out * np.array([gov[j] for j in act])
    donation = np.where(donation > 0.0, donation, 0.0)  # max(0.0, donation), NaN included
    age = np.array([o.age_registered(m.month) for o in active], dtype=np.float64)
    ramp = age / po.market_ramp_months if po.market_ramp_months > 0 else np.ones(len(active))
    ramp = np.where(ramp < 1.0, ramp, 1.0)  # min(1.0, ramp)
    market = po.market_income_yuan_month * ramp
    share = po.fee_kinds_share * np.array([1.0 if o.kind == "life_services" else po.fee_other_kinds_factor
                                           for o in active])
    fees = po.fee_yuan_per_need * share * np.array([o.needs_met_month for o in active], dtype=np.float64)
    L.transfer_many(m.acct["donors"], acct_act, donation, "donation")
    L.transfer_many(m.acct["market"], acct_act, market, "market_income")
    L.transfer_many(m.acct["residents"], acct_act, fees, "fee")
    for org, d, mk, f in zip(active, donation.tolist(), market.tolist(), fees.tolist(), strict=True):
        org.record_income("donation", d)
        org.record_income("market_income", mk)
        org.record_income("fee", f)
    # -- costs -----------------------------------------------------------------------
    month = m.month
    renting = [o.account for o in alive if not (o.uses_venue or o.runs_platform or month < o.incubated_until)
               and (o.status == ACTIVE or po.premises_required >= 0.5)]
    rent = np.full(len(renting), po.rent_yuan_month * (1 - po.rent_subsidy_share))
    L.transfer_many(np.array(renting, dtype=np.int64), m.acct["landlords"], rent, "rent")
    district.pay_repeated(m.acct["landlords"], po.rent_yuan_month * po.rent_subsidy_share, len(renting), "rent_subsidy")
    L.transfer_many(acct_act, m.acct["utilities"],
                    np.full(len(active), po.utilities_yuan_month * (1 - po.utility_discount_share)), "utilities")
    district.pay_repeated(m.acct["utilities"], po.utilities_yuan_month * po.utility_discount_share, len(active),
                          "utility_discount")
    L.transfer_many(acct_act, m.acct["wages"],
                    np.array([o.other_staff * po.other_wage_yuan for o in active], dtype=np.float64), "wages_other")
    wages = [0.0] * len(alive)
    subsidies: list[float] = []
    for j, org in enumerate(alive):
        w_j = 0.0
        for w in org.workers:
            w.wage = w.compute_wage(pw)
            w_j += w.wage
            subsidies.append(w.subsidy(pw))
        wages[j] = w_j
    district.pay_many(m.acct["wages"], subsidies, "salary_subsidy")
    L.transfer_many(np.array([o.account for o in alive], dtype=np.int64), m.acct["wages"],
                    np.array(wages, dtype=np.float64), "wages_social_workers")
    # -- decisions, in slot order ----------------------------------------------------
    # (staffing moves no money, and one organization's decisions do not touch another's
    # accounts or staff, so all staffing decisions can come before all failures)
    for org in alive:
        org.close_income_month()
    _decide_staffing(m, active, [wages[j] for j in act])
    negative = (L.balance[np.array([o.account for o in alive], dtype=np.int64)] < 0).tolist()
    for j, (org, neg) in enumerate(zip(alive, negative, strict=True)):
        for foundation, instalment in committed_paid.get(j, ()):
            foundation.committed -= instalment
        if neg:
            org.months_negative += 1
            if org.months_negative > po.failure_grace_months:
                org.status = FAILED
                _wind_up(m, org)
                m.tally["failures"] += 1
        else:
            org.months_negative = 0
    # Committee posts' base pay is outside the ledger (all scenarios alike); what the pay
    # floor adds above a committee social worker's pay is district money (social_worker_support).
    staff_sw = [w for c in m.committees for w in c.workers]
    unfloored, wage = committee_wages(pw, np.array([w.experience_months for w in staff_sw], dtype=np.float64),
                                      np.array([w.certified for w in staff_sw], dtype=bool))
    for w, v in zip(staff_sw, wage.tolist(), strict=True):
        w.wage = v  # SocialWorker.compute_wage
    district.pay_many(m.acct["wages"], wage - unfloored, "pay_floor_topup")
    for c in m.committees:
        if c.project_months_left > 0 and c.projects > 0:
            spend = min(L.get(c.fund_account), c.projects * pc.micro_project_cost_yuan / 12)
            L.transfer(c.fund_account, m.acct["project_costs"], max(spend, 0.0), "micro_projects")
            c.project_months_left -= 1
            if c.project_months_left == 0:
                c.projects = 0


def _decide_staffing(m: "CommunityModel", orgs: list, wages: list[float]) -> None:
    """Rule: post a social-work vacancy when reserves cover hire_reserve_months of costs
    (with the new wage), the mean monthly income of the last year covers the costs with
    the new wage too, and the organization was busy (met at least 80 % of its capacity)
    or holds a contract; when reserves fall below layoff_reserve_months of costs, let
    the newest social worker go (or one other staff member). ``orgs``: active
    organizations in slot order, ``wages``: their social workers' wages this month."""
    po, pw = m.p.organizations, m.p.social_workers
    if not orgs:
        return
    costs = np.array([o.monthly_costs(po, w) for o, w in zip(orgs, wages, strict=True)])
    reserves = m.ledger.balance[np.array([o.account for o in orgs], dtype=np.int64)]
    met = np.array([o.needs_met_month for o in orgs], dtype=np.float64)
    capacity = np.array([o.capacity for o in orgs])
    contract = np.array([bool(o.contracts) and o.has_contract() for o in orgs])
    busy = (met >= po.busy_threshold * capacity) | contract
    next_wage = max(pw.wage_org_yuan, pw.pay_floor_share * pw.outside_wage_yuan)  # the offer
    income = np.array([o.income_window_total for o in orgs]) / np.array([max(len(o.income_12m), 1) for o in orgs])
    room = np.array([len(o.workers) + o.vacancies < po.max_social_workers for o in orgs])
    hire = (reserves > po.hire_reserve_months * (costs + next_wage)) & busy & (income >= costs + next_wage) & room
    lay_off = ~hire & (reserves < po.layoff_reserve_months * costs)
    for j in np.flatnonzero(hire | lay_off).tolist():
        org = orgs[j]
        if hire[j]:
            org.vacancies += 1
        elif org.workers:
            m.release(org.workers[-1])
            m.tally["layoffs"] += 1
        elif org.other_staff > 1:
            org.other_staff -= 1
            m.tally["layoffs"] += 1
    for org in orgs:
        org.met_last_month = org.needs_met_month
        org.needs_met_month = 0


def _wind_up(m: "CommunityModel", org) -> None:
    """A failed or abandoned organization lets its workers go, loses contracts and ties;
    what is left in (or owed by) its account goes back to its founders."""
    for w in list(org.workers):
        m.release(w)
    org.vacancies = 0
    org.required_hires = 0
    org.contracts = []
    for g in org.grants:  # instalments never to be paid are no longer owed by a foundation
        if g.funder.kind == "foundation":
            g.funder.committed -= g.monthly_yuan * g.months_left
    org.grants = []
    org.uses_venue = False
    org.runs_platform = False
    for c in m.streets[org.street].committees:
        c.partners.pop(org, None)
    street = m.streets[org.street]
    if street.platform_org is org:
        street.platform_org = None
    bal = m.ledger.get(org.account)
    if bal > 0:
        m.ledger.transfer(org.account, m.acct["founders"], bal, "wind_up")
    elif bal < 0:
        m.ledger.transfer(m.acct["founders"], org.account, -bal, "debts_covered")
