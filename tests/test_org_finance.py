"""Organizations' own money (model/org_finance.py): donations from a finite pool, fees by
kind, running and programme costs, the reserves rule, the annual inspection, founders'
exits; and the rest of the sector (model/sector.py)."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import bare_model, idle_service, make_org
from model import accounts as accounts_phase, org_finance
from model.organizations import ACTIVE, FAILED
from model.params import NEED_KINDS, Organizations, Sector
from model.sector import sector_government_share, sector_income

K = len(NEED_KINDS)


@pytest.fixture
def m():
    return bare_model()


def test_donor_pool_is_shared_by_appeal_and_never_exceeded(m):
    po = Organizations(donor_pool_yuan_month=10_000.0, donation_reputation=1.0, crowd_out=0.0)
    orgs = [make_org(m, reputation=r) for r in (0.2, 0.5, 0.8)]
    residents = np.full(3, 100_000.0)
    donation, _ = org_finance.social_income(po, orgs, residents, np.zeros(3), np.zeros((3, K)))
    assert donation.sum() == pytest.approx(10_000.0), "the whole pool of the street is given, no more"
    assert donation[0] < donation[1] < donation[2], "more reputation, more appeal"
    assert donation[1] / donation.sum() == pytest.approx(1.0 / 3.0)  # appeals 0.7, 1.0, 1.3
    more = [make_org(m) for _ in range(5)]
    donation8, _ = org_finance.social_income(po, orgs + more, np.full(8, 100_000.0), np.zeros(8), np.zeros((8, K)))
    assert donation8.sum() == pytest.approx(10_000.0) and donation8[1] < donation[1], \
        "more organizations share the same pool (competition for money)"


def test_donations_scale_with_residents_and_are_crowded_out(m):
    po = Organizations(donor_pool_yuan_month=10_000.0, crowd_out=0.5)
    orgs = [make_org(m), make_org(m)]
    donation, _ = org_finance.social_income(po, orgs, np.full(2, 50_000.0), np.array([0.0, 4_000.0]), np.zeros((2, K)))
    assert donation[0] == pytest.approx(2_500.0), "half the residents, half the pool, shared by two"
    assert donation[1] == pytest.approx(2_500.0 - 0.5 * 4_000.0)
    donation, _ = org_finance.social_income(po, orgs, np.full(2, 50_000.0), np.array([0.0, 1e6]), np.zeros((2, K)))
    assert donation[1] == 0.0, "crowding-out never makes a donation negative"
    none = Organizations(donor_pool_yuan_month=0.0)
    assert org_finance.social_income(none, orgs, np.full(2, 1e5), np.zeros(2), np.zeros((2, K)))[0].sum() == 0.0


def test_fees_follow_the_charged_share_of_each_kind(m):
    po = Organizations(fee_yuan_per_need=50.0)
    org = make_org(m)
    met = np.zeros((1, K))
    met[0, NEED_KINDS.index("elder_care")] = 10
    met[0, NEED_KINDS.index("social_assistance")] = 10
    _, fees = org_finance.social_income(po, [org], np.full(1, 1e5), np.zeros(1), met)
    assert fees[0] == pytest.approx(50.0 * 10 * po.fee_shares.elder_care), \
        "social assistance is not charged; elder care at its share"
    assert po.fee_shares.social_assistance == 0.0


def test_government_income_mean_reads_the_closed_window(m):
    org = make_org(m)
    assert org_finance.government_income_mean(org) == 0.0
    for _ in range(3):
        org.record_income("contract", 1_200.0)
        org.record_income("fee", 500.0)
        org.close_income_month()
    assert org_finance.government_income_mean(org) == pytest.approx(1_200.0)


def test_surplus_above_the_reserve_target_buys_capacity_next_month(m):
    po = m.p.organizations
    po.donor_pool_yuan_month = po.fee_yuan_per_need = 0.0
    po.reserve_target_months, po.surplus_spend_share, po.sessional_yuan_per_need = 6.0, 0.25, 400.0
    rich = make_org(m, other_staff=1, workers=0, reserves=1e6)
    poor = make_org(m, other_staff=1, workers=0, reserves=1_000.0)
    costs = rich.monthly_costs(po, 0.0, m.month)
    before = rich.compute_capacity(po, m.month)
    accounts_phase.accounts(m, idle_service(m))
    spent = m.ledger.month_flows[("organization", "sink", "sessional_staff")]
    reserves_after_costs = 1e6 - costs
    assert spent == pytest.approx(0.25 * (reserves_after_costs - 6.0 * costs))
    assert rich.sessional_needs == pytest.approx(spent / 400.0) and poor.sessional_needs == 0.0
    assert rich.compute_capacity(po, m.month) == pytest.approx(before + spent / 400.0)
    m.check_invariants()


def test_costs_include_running_and_programme_costs_and_unpaid_founders(m):
    po = m.p.organizations
    po.donor_pool_yuan_month = po.fee_yuan_per_need = 0.0
    po.rent_yuan_month, po.rent_subsidy_share, po.utilities_yuan_month, po.utility_discount_share = 0.0, 0.0, 0.0, 0.0
    po.running_cost_yuan_month, po.programme_cost_yuan_per_need, po.other_wage_yuan = 700.0, 30.0, 3_000.0
    po.unpaid_staff, po.surplus_spend_share = 1, 0.0
    org = make_org(m, other_staff=3, workers=0, reserves=100_000.0)
    assert org.paid_other_staff(po) == 2
    served = idle_service(m)
    served.org_met[org.slot] = 10
    accounts_phase.accounts(m, served)
    assert m.ledger.get(org.account) == pytest.approx(100_000.0 - 2 * 3_000.0 - 700.0 - 30.0 * 10)
    assert org.costs_12m[-1] == pytest.approx(2 * 3_000.0 + 700.0 + 300.0)
    assert list(org.needs_met_12m) == [10]


def test_inspection_deregisters_dormant_organizations_only_when_old_enough(m):
    po = m.p.organizations
    po.inspection_fail_dormant, po.inspection_fail_base, po.inspection_min_needs = 1.0, 0.0, 12
    dormant = make_org(m, age_months=24)
    dormant.needs_met_12m.extend([0] * 12)
    busy = make_org(m, age_months=24)
    busy.needs_met_12m.extend([5] * 12)
    young = make_org(m, age_months=6)
    assert org_finance.annual_inspection(m) == 1
    assert dormant.status == FAILED and busy.status == ACTIVE and young.status == ACTIVE
    assert m.recorder.events.failures_inspection == 1
    m.check_invariants()


def test_founders_leave_more_often_in_deficit(m):
    po = m.p.organizations
    po.founder_exit_rate, po.founder_exit_deficit = 0.05, 10.0
    orgs = [make_org(m) for _ in range(400)]
    deficit = np.array([i % 2 == 0 for i in range(400)])
    org_finance.decide_founder_exits(m, orgs, deficit)
    gone = np.array([o.status == FAILED for o in orgs])
    # expected 200 * 0.5 = 100 in deficit, 200 * 0.05 = 10 otherwise; 4 sd tolerances
    assert abs(gone[deficit].sum() - 100) <= 4 * np.sqrt(200 * 0.25)
    assert abs(gone[~deficit].sum() - 10) <= 4 * np.sqrt(200 * 0.05 * 0.95)
    assert m.recorder.events.failures_founders == gone.sum()
    po.founder_exit_rate = 0.0
    rest = [o for o in orgs if o.status == ACTIVE]
    org_finance.decide_founder_exits(m, rest, np.ones(len(rest), dtype=bool))
    assert all(o.status == ACTIVE for o in rest), "no exits at rate 0"


def test_rest_of_the_sector_grows_and_enters_the_sector_share():
    ps = Sector(government_yuan_2015=5e9, other_income_yuan_2015=25e9, growth_per_year=0.1, reference_year=2015)
    gov, other = sector_income(ps, 2015, 1.0)
    assert (gov, other) == (5e9, 25e9)
    gov16, _ = sector_income(ps, 2016, 0.5)
    assert gov16 == pytest.approx(5e9 * 1.1 * 0.5)
    assert sector_government_share(ps, 2015, 1.0, 0.0, 0.0) == pytest.approx(5 / 30)
    # community organizations living on government money raise the share
    assert sector_government_share(ps, 2015, 1.0, 1e9, 1e9) == pytest.approx(6 / 31)
    zero = Sector(government_yuan_2015=0.0, other_income_yuan_2015=0.0)
    assert sector_government_share(zero, 2015, 1.0, 0.0, 0.0) == 0.0
