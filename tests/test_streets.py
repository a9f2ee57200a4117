"""Street offices: tender, oversight, founding, platform, venues and reach."""

from __future__ import annotations

import math

import numpy as np
import pytest

from model.organizations import decide_foundings, founding_chance, registration_delay

from model.streets import evaluation_score

from conftest import bare_model, make_org
from model.organizations import Contract, REGISTERING
from model.params import NEED_KINDS

K = len(NEED_KINDS)


@pytest.fixture
def m():
    return bare_model({"parameters.streets.catalogue_min_age_months": 6,
                       "parameters.streets.catalogue_min_reputation": 0.3})


def street_with_orgs(m, n=12, workers=2):
    kinds = ["life_services", "welfare_charity", "culture_sport", "mediation", "social_work_agency"]
    orgs = [make_org(m, kind=kinds[i % len(kinds)], workers=workers, reputation=0.5 + 0.03 * i) for i in range(n)]
    return m.streets[0], orgs


def contract_total(contracts) -> float:
    return sum(c.monthly_yuan * c.months_left for c in contracts)


@pytest.mark.parametrize("budget", [500.0, 2e4, 3e5, 1e6, 5e7])
def test_tender_never_awards_more_than_the_budget(m, budget):
    street, orgs = street_with_orgs(m)
    street.unmet_by_kind = np.random.default_rng(int(budget)).integers(0, 50, K).astype(float)
    awarded = street.decide_tender(budget)
    total = contract_total(awarded)
    assert total <= budget * (1 + 1e-12), f"awarded {total} of a {budget} budget"
    assert all(c.monthly_yuan > 0 and c.months_left == m.p.streets.contract_months for c in awarded)
    if budget >= 3e5:
        assert awarded, "a large budget with eligible bidders awards contracts"
    if budget == 500.0:
        assert awarded == [], "each kind's share is below the unit cost"


def test_tender_caps_awards_by_what_an_organization_can_deliver(m):
    """A winner's volumes are capped by its capacity plus the social workers it commits to hire
    (contracts.project_hires: at most contract_max_hires), times tender_capacity_factor."""
    street, orgs = street_with_orgs(m, n=3, workers=1)
    street.unmet_by_kind = np.ones(K)
    awarded = street.decide_tender(1e9)
    assert awarded
    ps, po = m.p.streets, m.p.organizations
    for org in {c.org for c in awarded}:
        cap = org.compute_capacity(po, m.month)
        volume = sum(c.volume for c in awarded if c.org is org)
        assert 0 < org.required_hires <= ps.contract_max_hires * len([c for c in awarded if c.org is org])
        assert volume <= (max(cap, 1.0) + org.required_hires * po.needs_per_sw_month) * ps.tender_capacity_factor \
            * len([c for c in awarded if c.org is org]) * (1 + 1e-9)


def test_a_contract_commits_the_winner_to_hire_for_its_volume():
    from model.contracts import project_hires
    from model.params import Organizations, Streets

    ps, po = Streets(tender_capacity_factor=1.5, contract_max_hires=3), Organizations(needs_per_sw_month=14.0)
    assert project_hires(ps, po, wanted=15.0, capacity=10.0, room=5) == 0, "capacity x 1.5 covers it"
    assert project_hires(ps, po, wanted=45.0, capacity=10.0, room=5) == 2  # (30 - 10) / 14 -> 2
    assert project_hires(ps, po, wanted=1e4, capacity=10.0, room=5) == 3, "at most contract_max_hires"
    assert project_hires(ps, po, wanted=1e4, capacity=10.0, room=1) == 1, "at most its room"
    assert project_hires(Streets(contract_max_hires=0), po, wanted=1e4, capacity=1.0, room=5) == 0


def test_tender_in_the_first_month_sees_real_capacity(m):
    """Regression: organizations' capacity is computed before the first month's tender
    (it used to be 0, so year-1 contracts were worth 1.5 needs a month)."""
    street, orgs = street_with_orgs(m, n=5, workers=3)
    for o in orgs:
        o.capacity = 0.0
    street.unmet_by_kind = np.ones(K)
    awarded = street.decide_tender(1e7)
    needs_a_month = [c.monthly_yuan / c.price for c in awarded]
    assert max(needs_a_month) > 10, needs_a_month


def test_tender_respects_the_eligibility_catalogue(m):
    street = m.streets[0]
    young = make_org(m, kind="social_work_agency", age_months=2, reputation=0.9, workers=2)
    disreputable = make_org(m, kind="social_work_agency", age_months=40, reputation=0.1, workers=2)
    registering = make_org(m, kind="social_work_agency", age_months=40, reputation=0.9, workers=2)
    registering.status = REGISTERING
    ok = make_org(m, kind="mediation", age_months=40, reputation=0.6, workers=2)
    street.unmet_by_kind = np.ones(K)
    awarded = street.decide_tender(1e7)
    assert awarded and {c.org for c in awarded} == {ok}
    assert {c.kind for c in awarded} <= set(ok.serves.tolist()), "a contract for a kind the winner does not serve"
    for kind in range(K):
        assert all(o is ok for o in street.eligible(kind))


def test_no_budget_no_contracts(m):
    street, _ = street_with_orgs(m)
    street.unmet_by_kind = np.ones(K) * 10
    assert street.decide_tender(0.0) == []
    assert all(not o.contracts for o in street.organizations)


def test_budget_split_follows_unmet_needs(m):
    street, orgs = street_with_orgs(m, n=15, workers=20)
    street.unmet_by_kind = np.zeros(K)
    street.unmet_by_kind[NEED_KINDS.index("family")] = 90.0
    street.unmet_by_kind[NEED_KINDS.index("elder_care")] = 10.0
    awarded = street.decide_tender(2e5)
    by_kind = {}
    for c in awarded:
        by_kind[c.kind] = by_kind.get(c.kind, 0.0) + c.monthly_yuan * c.months_left
    assert set(by_kind) == {NEED_KINDS.index("family"), NEED_KINDS.index("elder_care")}
    assert by_kind[NEED_KINDS.index("family")] == pytest.approx(1.8e5, rel=1e-6)
    assert by_kind[NEED_KINDS.index("elder_care")] == pytest.approx(2e4, rel=1e-6)


def _running_contract(org, street=0, months=6, delivered=0):
    c = Contract(org, street, int(org.serves[0]), 1000.0, months, 400.0)
    c.delivered = delivered
    org.contracts.append(c)
    return c


def test_oversight_removes_low_scorers_only(m):
    street, orgs = street_with_orgs(m, n=4)
    for o in orgs:
        _running_contract(o)
    ps = m.p.streets
    ps.evaluation_coverage = 1.0
    ps.lose_contract_below = 0.0
    assert street.decide_oversight() == 0 and all(o.contracts for o in orgs), "threshold 0 removes nothing"
    scores = [evaluation_score(m, o, o.contracts[0]) for o in orgs]
    assert all(s < 1.0 for s in scores)
    ps.lose_contract_below = 1.0
    assert street.decide_oversight() == 4 and not any(o.contracts for o in orgs), "all score below 1"
    for o in orgs:
        _running_contract(o)
    ps.evaluation_coverage = 0.0
    assert street.decide_oversight() == 0 and all(o.contracts for o in orgs), "nothing evaluated, nothing lost"


def test_evaluation_moves_reputation_towards_the_score(m):
    street, orgs = street_with_orgs(m, n=1)
    org = orgs[0]
    c = _running_contract(org, delivered=1000)
    m.p.streets.evaluation_coverage = 1.0
    m.p.streets.lose_contract_below = 0.0
    score = evaluation_score(m, org, c)
    before = org.reputation
    street.decide_oversight()
    step = m.p.organizations.reputation_step
    assert org.reputation == pytest.approx(before + step * (score - before))


def _chance(m, street):
    """A would-be founder's monthly chance in ``street`` now."""
    po = m.p.organizations
    return founding_chance(po, street.density(), street.has_service_centre(), registration_delay(po))


def _founding_chance(m, **over):
    po = m.p.organizations
    old = {k: getattr(po, k) for k in over}
    for k, v in over.items():
        setattr(po, k, v)
    try:
        return _chance(m, m.streets[0])
    finally:
        for k, v in old.items():
            setattr(po, k, v)


def test_founding_chance_falls_with_registration_cost_delay_and_capital(m):
    costs = [_founding_chance(m, registration_cost_yuan=c) for c in (0.0, 2e4, 1e5, 1e6)]
    delays = [_founding_chance(m, registration_delay_months=d) for d in (0.0, 3.0, 9.0, 30.0)]
    capital = [_founding_chance(m, capital_requirement_yuan=c) for c in (0.0, 3e4, 3e5)]
    for series in (costs, delays, capital):
        assert all(a > b for a, b in zip(series, series[1:], strict=False)), series
        assert all(0.0 <= x <= 1.0 for x in series)
    po = m.p.organizations
    base = _founding_chance(m)
    assert _founding_chance(m, registration_cost_yuan=po.registration_cost_yuan + 1e5) == pytest.approx(
        base * math.exp(-po.cost_sensitivity)), "cost deterrence is exp(-sensitivity * cost / 100,000)"


def test_service_centre_raises_founding(m):
    base = _chance(m, m.streets[0])
    m.p.streets.service_centre = 1.0
    assert _chance(m, m.streets[0]) == pytest.approx(base * (1 + m.p.organizations.service_centre_founding))


def test_foundings_blocked_without_capital_and_money_conserved(m):
    street = m.streets[0]
    po = m.p.organizations
    po.founding_rate = 1.0
    po.cost_sensitivity = 0.0  # every founder tries; only the capital check stops them
    street.founders = 20
    po.capital_requirement_yuan = 1e7  # no founder has it
    assert decide_foundings(m, street) == [] and m.recorder.events.founding_blocked > 0
    po.capital_requirement_yuan = 0.0
    po.registration_cost_yuan = 0.0
    po.founder_capital_sigma = 0.0
    street.founders = 20
    created = decide_foundings(m, street)
    assert created and all(o.status == REGISTERING for o in created)
    assert all(m.ledger.get(o.account) == pytest.approx(po.founder_capital_median_yuan) for o in created)
    assert street.founders == pytest.approx(20 - len(created))
    m.check_invariants()


def test_platform_commissions_one_organization_and_brings_partners(m):
    street, orgs = street_with_orgs(m, n=6)
    m.p.streets.platform = 1.0
    m.p.streets.platform_partner_slots = 2
    street.decide_platform()
    runner = street.platform_org
    assert runner is not None and runner.runs_platform and sum(o.runs_platform for o in orgs) == 1
    for c in street.committees:
        assert c.partners[runner] == 1.0 and len(c.partners) == 3
    assert street.reach(runner) == [c.index for c in street.committees]
    m.p.streets.platform = 0.0
    street.decide_platform()
    assert street.platform_org is None and not runner.runs_platform


def test_venues_go_to_best_reputation_and_reach(m):
    street, orgs = street_with_orgs(m, n=5)
    m.p.streets.venues = 4
    m.p.streets.venues_open_share = 0.5
    street.decide_venues()
    users = [o for o in orgs if o.uses_venue]
    assert len(users) == 2 and set(users) == set(sorted(orgs, key=lambda o: -o.reputation)[:2])
    outsider = next(o for o in orgs if not o.uses_venue)
    assert street.reach(outsider) == [outsider.home]
    street.committees[2].partners[outsider] = 0.5
    assert street.reach(outsider) == sorted({outsider.home, street.committees[2].index})
    m.p.streets.venues_open_share = 0.0
    street.decide_venues()
    assert not any(o.uses_venue for o in orgs), "venues closed again"
