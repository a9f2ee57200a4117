"""Funders: lottery bidding within budget, community foundations conserve money."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import bare_model, idle_service, make_org
from model import accounts as accounts_phase, month as month_rules, organizations
from model.funders import decide_foundation_grants, decide_lottery_awards, public_spending


@pytest.fixture
def m():
    model = bare_model()
    po = model.p.organizations
    po.donor_pool_yuan_month = 0.0
    po.fee_yuan_per_need = 0.0
    # the money rules of org_finance are tested on their own (tests/test_org_finance.py)
    po.running_cost_yuan_month = po.programme_cost_yuan_per_need = 0.0
    po.unpaid_staff = 0
    po.surplus_spend_share = po.founder_exit_rate = 0.0
    return model


def orgs(m, n=8):
    kinds = ["life_services", "welfare_charity", "culture_sport", "mediation", "social_work_agency"]
    return [make_org(m, kind=kinds[i % 5], reputation=0.2 + 0.1 * i, workers=1, reserves=1e6) for i in range(n)]


def test_lottery_awards_within_budget_best_proposals_first(m):
    bidders = orgs(m)
    pf = m.p.funders
    pf.lottery_grant_yuan = 100_000.0
    pf.lottery_sw_hire = 1.0
    # 2,000 residents: a budget of 17,500 per 100,000 residents is 350,000 yuan, 3.5 grants
    pf.lottery_budget_yuan = 350_000.0 / m.simulated_residents * 1e5
    m.streets[0].unmet_by_kind = np.zeros(7)
    n = decide_lottery_awards(m, m.funders["lottery"])
    assert n == 3
    winners = [o for o in bidders if o.grants]
    assert len(winners) == 3
    assert sum(g.monthly_yuan * g.months_left for o in winners for g in o.grants) <= 350_000.0
    assert set(winners) == set(sorted(bidders, key=lambda o: -o.reputation)[:3]), "no unmet needs: reputation decides"
    assert all(o.required_hires == 1 for o in winners) and all(o.required_hires == 0 for o in bidders if o not in winners)


def test_lottery_budget_below_one_grant_awards_nothing(m):
    orgs(m)
    m.p.funders.lottery_budget_yuan = 0.0
    assert decide_lottery_awards(m, m.funders["lottery"]) == 0
    assert not any(o.grants for o in m.organizations)


def test_lottery_grant_paid_in_full_over_the_project(m):
    org = orgs(m, n=1)[0]
    pf = m.p.funders
    pf.lottery_grant_yuan, pf.lottery_project_months = 120_000.0, 12
    pf.lottery_budget_yuan = 1e9
    assert decide_lottery_awards(m, m.funders["lottery"]) == 1
    for _ in range(12):
        accounts_phase.accounts(m, idle_service(m))
    lottery = m.funders["lottery"]
    assert m.ledger.get(lottery.account) == pytest.approx(-120_000.0)
    assert org.income_window()["lottery_grant"] == pytest.approx(120_000.0)
    assert not org.grants
    accounts_phase.accounts(m, idle_service(m))
    assert m.ledger.get(lottery.account) == pytest.approx(-120_000.0), "paid after the project ended"
    m.check_invariants()


def test_foundation_grants_conserve_money(m):
    bidders = orgs(m, n=6)
    pf = m.p.funders
    pf.foundation_budget_yuan, pf.foundation_social_match, pf.foundation_grant_yuan = 200_000.0, 0.5, 30_000.0
    foundation = m.foundations[0]
    donors_before = m.ledger.get(m.acct["donors"])
    funds_before = sum(m.ledger.get(c.fund_account) for c in m.committees)
    n = decide_foundation_grants(m, foundation, 0)
    pot = 200_000.0 * 1.5
    org_grants = sum(1 for o in bidders if o.grants)
    assert org_grants == 5, "half the pot (150,000) pays five grants of 30,000"
    assert n == org_grants + len(m.committees)
    assert m.ledger.get(m.acct["donors"]) == pytest.approx(donors_before - 100_000.0)
    to_committees = sum(m.ledger.get(c.fund_account) for c in m.committees) - funds_before
    assert to_committees == pytest.approx(pot - 5 * 30_000.0)
    assert m.ledger.get(foundation.account) == pytest.approx(foundation.committed) == pytest.approx(150_000.0)
    m.check_invariants()
    for _ in range(12):
        accounts_phase.accounts(m, idle_service(m))
    assert m.ledger.get(foundation.account) == pytest.approx(0.0, abs=1e-6)
    assert foundation.committed == pytest.approx(0.0, abs=1e-6)
    assert all(o.income_window().get("foundation_grant") == pytest.approx(30_000.0) for o in bidders if o.grants)
    m.check_invariants()


def test_no_foundation_budget_no_grants(m):
    orgs(m, n=3)
    m.p.funders.foundation_budget_yuan = 0.0
    assert decide_foundation_grants(m, m.foundations[0], 0) == 0
    assert m.ledger.get(m.foundations[0].account) == 0.0


def test_foundation_commitment_released_when_grantee_winds_up(m):
    """A grant to an organization that fails is no longer owed: the foundation's commitment
    falls and the money returns to its next pot."""
    bidders = orgs(m, n=2)
    pf = m.p.funders
    pf.foundation_budget_yuan, pf.foundation_social_match, pf.foundation_grant_yuan = 120_000.0, 0.0, 24_000.0
    foundation = m.foundations[0]
    decide_foundation_grants(m, foundation, 0)
    assert foundation.committed == pytest.approx(48_000.0)
    accounts_phase.accounts(m, idle_service(m))
    organizations.wind_up(m, bidders[0])
    assert foundation.committed == pytest.approx(24_000.0 - 2_000.0)
    free = m.ledger.get(foundation.account) - foundation.committed
    assert free == pytest.approx(22_000.0), "the released instalments are free for the next pot"
    m.check_invariants()


def test_funder_pay_and_public_spending(m):
    district = m.funders["district"]
    assert district.pay(m.acct["wages"], -5.0, "x") == 0.0 and district.paid_total == 0.0
    assert district.pay(m.acct["wages"], 250.0, "salary_subsidy") == 250.0
    m.ledger.transfer(m.acct["donors"], m.acct["wages"], 100.0, "donation")
    flows = m.ledger.close_month()
    assert public_spending(flows) == pytest.approx(250.0), "donations are not public spending"


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_funder_pay_rejects_non_finite_amounts(m, bad):
    """A NaN or infinite payment is a bug upstream: it must raise, not vanish silently."""
    district = m.funders["district"]
    with pytest.raises(ValueError, match="transfer of"):
        district.pay(m.acct["wages"], bad, "salary_subsidy")
    assert district.paid_total == 0.0 and m.ledger.get(district.account) == 0.0


@pytest.mark.parametrize("amount", [1234.567, 0.0, -5.0])
def test_pay_repeated_is_pay_that_often(m, amount):
    """One call for n equal payments leaves the ledger and the flows exactly as n calls."""
    district = m.funders["district"]
    start = m.ledger.balance.copy()
    m.ledger.close_month()
    for _ in range(7):
        district.pay(m.acct["utilities"], amount, "utility_discount")
    after_loop, flows_loop, paid_loop = m.ledger.balance.copy(), m.ledger.close_month(), district.paid_total
    district.paid_total = 0.0
    m.ledger.balance[:] = start
    m.ledger._month_start = m.ledger.category_balances()  # the rewind is not a flow
    district.pay_repeated(m.acct["utilities"], amount, 7, "utility_discount")
    assert m.ledger.balance.tolist() == after_loop.tolist()
    assert m.ledger.close_month() == flows_loop
    assert district.paid_total == pytest.approx(paid_loop)
    with pytest.raises(ValueError, match="transfer of"):
        district.pay_repeated(m.acct["utilities"], float("nan"), 3, "utility_discount")


def test_pay_many_is_pay_for_each(m, rng):
    """One call for a list of amounts (some zero or negative) leaves the ledger, the flows and
    the funder's total exactly as paying them one by one."""
    district = m.funders["district"]
    amounts = rng.lognormal(3, 3, 40)
    amounts[::5] = 0.0
    amounts[1::7] = -3.0
    start = m.ledger.balance.copy()
    m.ledger.close_month()
    for x in amounts.tolist():
        district.pay(m.acct["wages"], x, "salary_subsidy")
    after_loop, flows_loop, paid_loop = m.ledger.balance.copy(), m.ledger.close_month(), district.paid_total
    district.paid_total = 0.0
    m.ledger.balance[:] = start
    m.ledger._month_start = m.ledger.category_balances()  # the rewind is not a flow
    district.pay_many(m.acct["wages"], amounts.tolist(), "salary_subsidy")
    assert m.ledger.balance.tolist() == after_loop.tolist()
    assert m.ledger.close_month() == flows_loop
    assert district.paid_total == pytest.approx(paid_loop)
    with pytest.raises(ValueError, match="transfer of"):
        district.pay_many(m.acct["wages"], [5.0, float("inf")], "salary_subsidy")
    assert m.ledger.balance.tolist() == after_loop.tolist(), "nothing paid when one amount is bad"


def test_foundation_commitments_fall_in_slot_order_with_wind_ups():
    """A grantee that fails is wound up between the instalments of the organizations before
    and after it: the foundation's commitments fall in that order, to the last bit."""
    from conftest import bare_model, make_org
    from model.organizations import Grant

    m = bare_model({"parameters.funders.foundation_coverage": 1.0,
                    "parameters.organizations.failure_grace_months": 0})
    f = m.foundations[0]
    grantees = [make_org(m, reserves=(0.0 if i == 0 else 1e6), workers=1) for i in range(3)]
    f.committed = 0.0
    for i, o in enumerate(grantees):
        o.grants.append(Grant(f, "foundation_grant", 1000.1 + 0.37 * i, 12))
        f.committed += o.grants[0].monthly_yuan * 12
    expected = f.committed
    expected -= grantees[0].grants[0].monthly_yuan          # the first grantee's instalment
    expected -= grantees[0].grants[0].monthly_yuan * 11     # it fails: 11 instalments no longer owed
    expected -= grantees[1].grants[0].monthly_yuan
    expected -= grantees[2].grants[0].monthly_yuan
    m.ledger.transfer(grantees[0].account, m.acct["founders"], m.ledger.get(grantees[0].account) + 1e6, "test")
    m.month += 1
    accounts_phase.accounts(m, idle_service(m))
    assert [o.status for o in grantees] == ["failed", "active", "active"]
    assert f.committed == expected
