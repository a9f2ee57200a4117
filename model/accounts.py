"""Phase 7 of the month: money moves, and organizations decide on staff and fail.

Organizations are paid (contracts, platform fee, grants, donations crowded out
by government money, market income, fees) and pay (rent less the subsidy,
utilities less the discount, wages); the district pays subsidies; committees'
micro-projects spend their funds. Then each organization hires or lays off,
and one whose reserves stay negative fails and is wound up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .organizations import FAILED

if TYPE_CHECKING:
    from .community import CommunityModel

def accounts(m: "CommunityModel") -> None:
    """Money moves: income, costs, subsidies, projects; hiring, lay-offs, failures."""
    po, pw, pc = m.p.organizations, m.p.social_workers, m.p.committees
    L = m.ledger
    district, purchase = m.funders["district"], m.funders["purchase"]
    for org in m.organizations:
        if not org.alive:
            continue
        acct = org.account
        # -- income ------------------------------------------------------
        gov = 0.0
        for ct in org.contracts:
            if ct.months_left > 0:
                purchase.pay(acct, ct.monthly_yuan, "contract")
                m.tally["contracts_paid"] += 1
                org.record_income("contract", ct.monthly_yuan)
                gov += ct.monthly_yuan
                ct.months_left -= 1
        if org.runs_platform:
            fee = m.p.streets.platform_fee_yuan / 12
            m.funders["street"].pay(acct, fee, "platform_fee")
            org.record_income("platform_fee", fee)
            gov += fee
        for g in org.grants:
            if g.months_left > 0:
                g.funder.pay(acct, g.monthly_yuan, g.purpose)
                if g.funder.kind == "foundation":
                    g.funder.committed -= g.monthly_yuan
                org.record_income(g.purpose, g.monthly_yuan)
                if g.purpose == "lottery_grant":
                    gov += g.monthly_yuan
                g.months_left -= 1
        org.grants = [g for g in org.grants if g.months_left > 0]
        if org.active:
            appeal = 1.0 - po.donation_reputation / 2 + po.donation_reputation * org.reputation
            donation = max(0.0, po.donations_yuan_month * appeal - po.crowd_out * gov)
            L.transfer(m.acct["donors"], acct, donation, "donation")
            org.record_income("donation", donation)
            ramp = min(1.0, org.age_registered(m.month) / po.market_ramp_months) if po.market_ramp_months > 0 else 1.0
            market = po.market_income_yuan_month * ramp
            L.transfer(m.acct["market"], acct, market, "market_income")
            org.record_income("market_income", market)
            share = po.fee_kinds_share * (1.0 if org.kind == "life_services" else po.fee_other_kinds_factor)
            fees = po.fee_yuan_per_need * share * org.needs_met_month
            L.transfer(m.acct["residents"], acct, fees, "fee")
            org.record_income("fee", fees)
        # -- costs -------------------------------------------------------
        if org.pays_rent() and (org.active or po.premises_required >= 0.5):
            L.transfer(acct, m.acct["landlords"], org.rent_due(po), "rent")
            district.pay(m.acct["landlords"], po.rent_yuan_month * po.rent_subsidy_share, "rent_subsidy")
        if org.active:
            L.transfer(acct, m.acct["utilities"], po.utilities_yuan_month * (1 - po.utility_discount_share),
                       "utilities")
            district.pay(m.acct["utilities"], po.utilities_yuan_month * po.utility_discount_share,
                         "utility_discount")
            L.transfer(acct, m.acct["wages"], org.other_staff * po.other_wage_yuan, "wages_other")
        wages = 0.0
        for w in org.workers:
            w.wage = w.compute_wage(pw)
            wages += w.wage
            district.pay(m.acct["wages"], w.subsidy(pw), "salary_subsidy")
        L.transfer(acct, m.acct["wages"], wages, "wages_social_workers")
        org.close_income_month()
        # -- decisions ---------------------------------------------------
        if org.active:
            _decide_staffing(m, org, wages)
        if L.get(acct) < 0:
            org.months_negative += 1
            if org.months_negative > po.failure_grace_months:
                org.status = FAILED
                _wind_up(m, org)
                m.tally["failures"] += 1
        else:
            org.months_negative = 0
    # Committee posts' base pay is outside the ledger (all scenarios alike); what the pay
    # floor adds above a committee social worker's pay is district money (social_worker_support).
    for c in m.committees:
        for w in c.workers:
            w.wage = w.compute_wage(pw)
            district.pay(m.acct["wages"], w.wage - w.unfloored_wage(pw), "pay_floor_topup")
        if c.project_months_left > 0 and c.projects > 0:
            spend = min(L.get(c.fund_account), c.projects * pc.micro_project_cost_yuan / 12)
            L.transfer(c.fund_account, m.acct["project_costs"], max(spend, 0.0), "micro_projects")
            c.project_months_left -= 1
            if c.project_months_left == 0:
                c.projects = 0


def _decide_staffing(m: "CommunityModel", org, wages: float) -> None:
    """Rule: post a social-work vacancy when reserves cover hire_reserve_months of costs
    (with the new wage), the mean monthly income of the last year covers the costs with
    the new wage too, and the organization was busy (met at least 80 % of its capacity)
    or holds a contract; when reserves fall below layoff_reserve_months of costs, let
    the newest social worker go (or one other staff member)."""
    po = m.p.organizations
    costs = org.monthly_costs(po, wages)
    reserves = m.ledger.get(org.account)
    busy = org.needs_met_month >= po.busy_threshold * org.capacity or org.has_contract()
    pw = m.p.social_workers
    next_wage = max(pw.wage_org_yuan, pw.pay_floor_share * pw.outside_wage_yuan)  # the offer
    income = sum(org.income_window().values()) / max(len(org.income_12m), 1)
    if (reserves > po.hire_reserve_months * (costs + next_wage) and busy
            and income >= costs + next_wage
            and len(org.workers) + org.vacancies < po.max_social_workers):
        org.vacancies += 1
    elif reserves < po.layoff_reserve_months * costs:
        if org.workers:
            m.release(org.workers[-1])
            m.tally["layoffs"] += 1
        elif org.other_staff > 1:
            org.other_staff -= 1
            m.tally["layoffs"] += 1
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
