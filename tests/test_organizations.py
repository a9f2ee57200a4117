"""Social organizations: capacity, registration, monthly accounts, failure and wind-up."""

from __future__ import annotations

import pytest

from conftest import bare_model, idle_service, make_org
from model import accounts as accounts_phase, month as month_rules, organizations
from model.organizations import ABANDONED, ACTIVE, FAILED, REGISTERING
from model.params import Organizations


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


def test_capacity_from_staff_experience_and_boosts(m):
    p = Organizations(needs_per_sw_month=14, needs_per_other_month=10, experience_gain=0.3, venue_reach=0.25,
                      incubator_capacity_gain=0.15)
    org = make_org(m, age_months=18, other_staff=2, workers=0)
    assert org.compute_capacity(p, m.month) == pytest.approx(2 * 10 * (1 + 0.3 * 18 / 36))
    make_workers = make_org(m, age_months=48, other_staff=1, workers=3)  # skill 0.5 each
    assert make_workers.compute_capacity(p, m.month) == pytest.approx((3 * 0.75 * 14 + 10) * 1.3)
    make_workers.uses_venue = True
    assert make_workers.compute_capacity(p, m.month) == pytest.approx((3 * 0.75 * 14 + 10) * 1.3 * 1.25)
    caps = []
    for n in range(4):
        o = make_org(m, age_months=48, other_staff=1, workers=n)
        caps.append(o.compute_capacity(p, m.month))
    assert all(a < b for a, b in zip(caps, caps[1:], strict=False)), "capacity grows with social workers"
    org.status = REGISTERING
    assert org.compute_capacity(p, m.month) == 0.0, "a registering organization serves nobody"


def test_quality_rises_with_skill_and_service_centre(m):
    p = Organizations(service_centre_quality=0.1)
    plain = make_org(m, workers=0)
    staffed = make_org(m, workers=3)
    q0, c0 = plain.quality(p, False, 0.0)
    q1, c1 = staffed.quality(p, False, 0.0)
    assert q0 == pytest.approx(0.5) and c0 == 0.0 and q1 > q0
    assert staffed.quality(p, True, 0.0)[0] == pytest.approx(q1 + 0.1)
    staffed.workers[0].certified = True
    assert 0.0 < staffed.quality(p, False, 0.0)[1] < 1.0


def test_registration_finishes_or_is_abandoned(m):
    street = m.streets[0]
    org = m.add_organization("mediation", street, 0, 2, False)
    m.p.organizations.abandon_rate = 0.0
    m.p.organizations.founders_per_100k = 0.0
    street.founders = 0
    for _ in range(2):
        month_rules.organizations_register(m)
        assert org.status == REGISTERING
    month_rules.organizations_register(m)
    assert org.status == ACTIVE and org.registered_month == m.month and m.recorder.events.foundings == 1
    quitter = m.add_organization("mediation", street, 0, 5, False)
    m.ledger.transfer(m.acct["founders"], quitter.account, 1000.0, "capital")
    m.p.organizations.abandon_rate = 1.0
    month_rules.organizations_register(m)
    assert quitter.status == ABANDONED and m.ledger.get(quitter.account) == 0.0
    m.check_invariants()


def test_failure_only_when_reserves_stay_negative(m):
    po = m.p.organizations
    po.failure_grace_months = 3
    org = make_org(m, workers=2, reserves=1000.0)
    m.ledger.transfer(org.account, m.acct["landlords"], 1e6, "test_drain")  # deep in debt
    workers = list(org.workers)
    for month in range(1, 4):
        accounts_phase.accounts(m, idle_service(m))
        assert org.status == ACTIVE, f"failed after {month} negative month(s) with a 3-month grace"
        assert org.months_negative == month
    accounts_phase.accounts(m, idle_service(m))
    assert org.status == FAILED and m.recorder.events.failures_money == 1
    assert not org.workers and all(w.employer is None for w in workers), "workers are released (laid off, or at wind-up)"
    assert all(w in m.workers for w in workers), "released workers seek jobs, they do not vanish"
    assert m.ledger.get(org.account) == 0.0, "debts are covered by the founders at wind-up"
    m.check_invariants()
    accounts_phase.accounts(m, idle_service(m))
    assert m.recorder.events.failures_money == 1, "a failed organization fails once"


def test_a_positive_month_resets_the_negative_count(m):
    m.p.organizations.failure_grace_months = 1
    org = make_org(m, reserves=100.0)
    m.ledger.transfer(org.account, m.acct["landlords"], 10_000.0, "test_drain")
    accounts_phase.accounts(m, idle_service(m))
    assert org.months_negative == 1
    m.ledger.transfer(m.acct["donors"], org.account, 1e6, "rescue")
    accounts_phase.accounts(m, idle_service(m))
    assert org.months_negative == 0 and org.status == ACTIVE


def test_wind_up_releases_workers_and_ends_ties(m):
    org = make_org(m, workers=3, reserves=5000.0)
    for c in m.committees:
        c.partners[org] = 0.7
    m.streets[0].platform_org = org
    org.runs_platform = True
    organizations.wind_up(m, org)
    assert not org.workers and not org.contracts and not org.grants and not org.runs_platform
    assert m.streets[0].platform_org is None
    assert all(org not in c.partners for c in m.committees)
    assert m.ledger.get(org.account) == 0.0
    assert sum(1 for w in m.workers if w.employer is None) == 3


def test_monthly_accounts_rent_subsidy_and_costs(m):
    po = m.p.organizations
    po.rent_yuan_month, po.rent_subsidy_share = 2000.0, 0.25
    po.utilities_yuan_month, po.utility_discount_share = 400.0, 0.5
    po.other_wage_yuan = 3000.0
    org = make_org(m, other_staff=1, workers=0, reserves=50_000.0)
    accounts_phase.accounts(m, idle_service(m))
    assert m.ledger.get(org.account) == pytest.approx(50_000 - 1500 - 200 - 3000)
    venue = make_org(m, other_staff=1, workers=0, reserves=50_000.0)
    venue.uses_venue = True
    assert venue.rent_due(po, m.month) == 0.0 and not venue.pays_rent(po, m.month)
    m.check_invariants()


def test_income_window_keeps_twelve_months(m):
    org = make_org(m)
    for month in range(15):
        org.record_income("fee", 10.0)
        org.record_income("donation", 0.0)  # nothing recorded for zero
        org.close_income_month()
    window = org.income_window()
    assert window == {"fee": 120.0}


def test_capacity_and_quality_over_arrays_equal_each_organization_to_the_last_bit(m, rng):
    """compute_reach evaluates capacity and quality over all organizations at once; the values
    must be exactly those of each organization's own methods (mixed staff, ages, venues,
    incubation, certified workers, a service centre or not)."""
    import numpy as np

    from model.organizations import capacity, quality

    po = m.p.organizations
    po.incubation_months = 12
    orgs = []
    for i in range(40):
        o = make_org(m, age_months=int(rng.integers(0, 60)), other_staff=int(rng.integers(0, 4)),
                     workers=int(rng.integers(0, 4)))
        for w in o.workers:
            w.skill = float(rng.uniform(0.1, 0.9))
            w.certified = bool(rng.random() < 0.5)
        o.uses_venue = bool(i % 3 == 0)
        o.incubated_until = m.month + (5 if i % 4 == 0 else -1)
        orgs.append(o)
    centre = np.array([i % 2 == 0 for i in range(len(orgs))])
    units = np.array([o.staff_units() for o in orgs], dtype=np.float64)
    other = np.array([o.other_staff for o in orgs], dtype=np.float64)
    cap = capacity(po, units[:, 0], other, np.array([o.age_registered(m.month) for o in orgs], dtype=np.float64),
                   np.array([o.uses_venue or o.runs_platform for o in orgs]),
                   np.array([o.incubated(m.month) for o in orgs]))
    q, cert = quality(po, units[:, 0], units[:, 1], units[:, 2], other, centre)
    for j, o in enumerate(orgs):
        assert cap[j] == o.compute_capacity(po, m.month)
        assert (q[j], cert[j]) == o.quality(po, bool(centre[j]))
    assert len(set(cap.tolist())) > 10, "the organizations differ"
