"""The four practice modes, each through its own mechanism (issue 13): the guidance contract
(professional guidance), the platform's monthly referrals (platform commissioning), the
targeted social-assistance purchase (project-led) and internal development in one committee
(and its labelled scale-up)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import bare_model, make_org
from model import CommunityModel, guidance, load_scenario
from model.committees import committee_arrays, qualities
from model.contracts import TARGET_GROUP
from model.organizations import FAILED, wind_up
from model.params import NEED_KINDS
from model.scenario import with_overrides

K = len(NEED_KINDS)
YEAR = 300_000.0  # the guidance contract of the small street (2,000 residents), yuan a year


@pytest.fixture
def m():
    m = bare_model()
    m.p.streets.guidance_budget_yuan = YEAR * 1e5 / m.streets[0].residents
    m.p.streets.guidance_hour_yuan = 150.0
    m.p.streets.guidance_hours_per_worker_month = 60.0
    m.p.committees.guidance_saturation_hours = 100.0
    m.ledger.close_month()
    return m


def paid(m, purpose: str) -> float:
    """Yuan paid this month under ``purpose`` (and the month's flows are cleared)."""
    return sum(v for (_s, _d, p), v in m.ledger.close_month().items() if p == purpose)


# ---------------------------------------------------------------------------
# professional guidance: a contract with an organization agent
# ---------------------------------------------------------------------------
def test_guidance_contract_pays_per_hour_its_social_workers_deliver(m):
    agency = make_org(m, workers=2)
    make_org(m, kind="culture_sport", workers=5)  # not a professional organization
    street = m.streets[0]
    before = m.ledger.get(agency.account)
    guidance.run_guidance(m)
    assert street.guidance.org is agency
    hours = min(YEAR / 12 / 150.0, 2 * 60.0)  # the money buys 166.7 hours; two workers give 120
    assert agency.guidance_hours == pytest.approx(hours)
    assert m.ledger.get(agency.account) - before == pytest.approx(hours * 150.0)
    assert paid(m, "guidance_contract") == pytest.approx(hours * 150.0)
    assert agency.income_month["guidance_contract"] == pytest.approx(hours * 150.0)
    per_committee = hours / len(street.committees)
    assert all(c.guidance == pytest.approx(per_committee / 100.0) for c in street.committees)
    assert agency.required_hires == math.ceil(YEAR / 12 / 150.0 / 60.0) - 2, "the contract needs a third worker"


def test_guidance_takes_the_organizations_staff_time(m):
    agency = make_org(m, workers=3, other_staff=1)
    po = m.p.organizations
    free = agency.compute_capacity(po, m.month)
    guidance.run_guidance(m)
    share = agency.guidance_hours / (4 * m.p.streets.staff_hours_month)
    assert agency.off_service_share(m.p.streets) == pytest.approx(share) and share > 0.2
    assert agency.compute_capacity(po, m.month) == pytest.approx(free * (1 - share))


def test_guidance_raises_committee_and_project_quality_only_with_hours(m):
    make_org(m, workers=3)
    pc = m.p.committees
    q0, _ = qualities(pc, committee_arrays(m.committees))
    guidance.run_guidance(m)
    q1, _ = qualities(pc, committee_arrays(m.committees))
    g = m.committees[0].guidance
    assert g > 0 and np.allclose(q1 - q0, pc.guidance_quality_gain * g)


def test_zero_guidance_budget_no_contract_no_guidance_no_spending(m):
    m.p.streets.guidance_budget_yuan = 0.0
    agency = make_org(m, workers=3)
    n_orgs = len(m.organizations)
    guidance.run_guidance(m)
    assert m.streets[0].guidance is None and agency.guidance_hours == 0.0
    assert all(c.guidance == 0.0 for c in m.committees)
    assert paid(m, "guidance_contract") == 0.0 and len(m.organizations) == n_orgs, "no agency brought in"


def test_guidance_stops_when_the_contract_ends(m):
    agency = make_org(m, workers=3)
    guidance.run_guidance(m)
    assert m.committees[0].guidance > 0
    m.ledger.close_month()
    m.p.streets.guidance_budget_yuan = 0.0  # the street stops paying
    guidance.run_guidance(m)
    assert m.streets[0].guidance is None and agency.guidance_hours == 0.0 and agency.off_service_share(m.p.streets) == 0
    assert all(c.guidance == 0.0 for c in m.committees) and paid(m, "guidance_contract") == 0.0


def test_guidance_stops_when_the_organization_fails_and_a_new_agency_is_brought_in(m):
    agency = make_org(m, workers=3)
    guidance.run_guidance(m)
    m.ledger.close_month()
    agency.status = FAILED
    wind_up(m, agency)
    guidance.run_guidance(m)
    new = m.streets[0].guidance.org
    assert new is not agency and new.kind == "social_work_agency" and new.active, "an agency is brought in"
    assert new.required_hires == math.ceil(YEAR / 12 / 150.0 / 60.0), "it must hire the workers the hours need"
    assert agency.guidance_hours == 0.0 and new.guidance_hours == 0.0, "no social workers yet: no hours"
    assert all(c.guidance == 0.0 for c in m.committees)
    flows = m.ledger.close_month()
    assert not any(p == "guidance_contract" for (_s, _d, p) in flows), "nothing paid for no hours"
    m.check_invariants()


def test_guidance_contract_is_awarded_again_when_its_months_run_out(m):
    m.p.streets.contract_months = 2
    first = make_org(m, workers=1)
    guidance.run_guidance(m)
    guidance.run_guidance(m)
    bigger = make_org(m, workers=3)
    guidance.run_guidance(m)
    assert m.streets[0].guidance.org is bigger and first.guidance_hours == 0.0
    assert m.streets[0].guidance.months_left == 1


def test_professional_guidance_preset_has_no_free_guidance_and_pays_a_contract():
    sc = load_scenario("professional-guidance")
    assert "expert_guidance" not in type(sc.parameters.committees).model_fields
    assert sc.parameters.streets.guidance_budget_yuan > 0
    m = CommunityModel(with_overrides(sc, {"scenario.months": 24}), rng=1)  # the preset's street of 100,000
    m.run()
    street = m.streets[0]
    assert street.guidance is not None and street.guidance.org.kind == "social_work_agency"
    assert street.guidance.org.workers, "the contract's agency hired social workers"
    assert m.committees[0].guidance > 0
    spend = m.recorder.spending_table()
    assert spend[spend.purpose == "guidance_contract"].yuan.sum() > 0


# ---------------------------------------------------------------------------
# platform commissioning: brokering every month
# ---------------------------------------------------------------------------
def _platform(m, slots=1):
    kinds = ["life_services", "culture_sport", "welfare_charity", "mediation"]
    orgs = [make_org(m, kind=k, workers=1, reputation=0.9 - 0.1 * i) for i, k in enumerate(kinds)]
    m.p.streets.platform = 1.0
    m.p.streets.platform_partner_slots = slots
    m.p.streets.platform_agency_preference = 0.0
    street = m.streets[0]
    street.decide_platform()
    return street, orgs


def test_platform_refers_unmet_needs_to_partners_after_commissioning(m):
    street, orgs = _platform(m, slots=2)
    runner = street.platform_org
    mediation = next(o for o in orgs if o.kind == "mediation")
    welfare = next(o for o in orgs if o.kind == "welfare_charity")
    assert street.platform_partners == [orgs[1], welfare] and runner is orgs[0]
    c = street.committees[1]
    unmet = np.zeros((len(street.committees), K))
    unmet[1, NEED_KINDS.index("legal_mediation")] = 5
    assert street.decide_referrals(unmet) == 0 and mediation not in c.partners, "roster full, none serves the kind"
    welfare.status = FAILED
    wind_up(m, welfare)
    made = street.decide_referrals(unmet)
    assert made == 1 and street.platform_partners == [orgs[1], mediation], "a failed partner is replaced by one " \
        "serving the unmet kind"
    assert c.partners[mediation] == m.p.streets.platform_partner_strength
    assert runner.broker_hours == m.p.streets.platform_referral_hours
    assert all(mediation not in o.partners for o in street.committees if o is not c)


def test_platform_referrals_strengthen_ties_cost_staff_time_and_have_a_cap(m):
    street, orgs = _platform(m, slots=3)
    runner = street.platform_org
    partner = street.platform_partners[0]
    kind = sorted(partner.serves_kinds)[0]
    for c in street.committees:
        c.partners[partner] = 0.2  # weakened since commissioning
    m.p.streets.platform_referrals_month = 2
    unmet = np.zeros((len(street.committees), K))
    unmet[:, kind] = [1, 4, 3, 2]
    po = m.p.organizations
    free = runner.compute_capacity(po, m.month)
    assert street.decide_referrals(unmet) == 2
    strong = [c.partners[partner] for c in street.committees]
    assert strong == [0.2, m.p.streets.platform_partner_strength, m.p.streets.platform_partner_strength, 0.2], \
        "the two committees with most unmet needs"
    assert runner.compute_capacity(po, m.month) < free, "referrals take the platform staff's time"
    assert street.decide_referrals(np.zeros_like(unmet)) == 0 and runner.broker_hours == 0.0


def test_platform_referrals_continue_in_a_run():
    m = CommunityModel(with_overrides(load_scenario("platform-commissioning"), {"scenario.months": 24}), rng=1)
    m.run()  # the preset's street of 100,000
    street = m.streets[0]
    assert street.platform_org is not None and street.platform_org.broker_hours > 0


# ---------------------------------------------------------------------------
# project-led: a targeted contract with mobilisation, not a founder mix
# ---------------------------------------------------------------------------
def test_project_led_is_a_social_assistance_purchase_with_mobilisation():
    sc, base = load_scenario("project-led"), load_scenario("baseline")
    assert sc.parameters.organizations.founder_kind_shares == base.parameters.organizations.founder_kind_shares
    assert sc.policies.purchase_of_services.kinds == ["social_assistance"]
    assert sc.policies.publicity.budget_yuan > 0 and sc.policies.venture_philanthropy is None


def _needs_met_share(name: str, seed: int, target: str) -> tuple[float, float]:
    """Needs-met share of ``target`` and of all other residents, months 109-120 of a preset."""
    m = CommunityModel(with_overrides(load_scenario(name), {"scenario.months": 120}), rng=seed)
    m.run()
    g = m.recorder.group_table()
    g = g[g.month > 108]
    mine = g.group == target

    def share(d):
        return d.needs_met.sum() / (d.needs_met.sum() + d.needs_lapsed.sum())

    return share(g[mine]), share(g[~mine])


@pytest.mark.slow
def test_project_led_contract_target_group_gains_twice_what_others_gain():
    """Issue 13: the social-assistance contract's target group (its recipients) gains at least
    twice what all other residents gain in needs-met share over baseline (paired seeds 1-5,
    months 109-120, street of 100,000). Measured: recipients +28.5 points, others +3.0
    (seeds 1-6), because the holder serves its contracted kind first (contracts.set_aside)."""
    target = TARGET_GROUP["social_assistance"]
    gain_t, gain_o = [], []
    for seed in range(1, 6):
        (bt, bo), (at, ao) = _needs_met_share("baseline", seed, target), _needs_met_share("project-led", seed, target)
        gain_t.append(at - bt)
        gain_o.append(ao - bo)
    assert np.mean(gain_o) > 0, "the others gain a little (their own social-assistance needs, mobilisation)"
    assert np.mean(gain_t) >= 2 * np.mean(gain_o) and min(gain_t) > 0, (gain_t, gain_o)


# ---------------------------------------------------------------------------
# internal development: one committee; the scale-up is a separate preset
# ---------------------------------------------------------------------------
def _covered(m):
    return [c for c in m.committees if c.develops(m.p.committees)]


def test_internal_development_touches_only_the_covered_committee():
    m = bare_model({"parameters.committees.development_coverage": 0.25,
                    "parameters.committees.training_rate": 1.0,
                    "parameters.committees.partner_search_rate": 0.0,
                    "parameters.committees.development_search_rate": 1.0,
                    "parameters.committees.development_exam_take_rate": 0.9})
    pc = m.p.committees
    (hehuachi,) = _covered(m)
    assert hehuachi.coverage_rank == 0
    rng = np.random.default_rng(0)
    for _ in range(24):
        for c in m.committees:
            c.decide_training(pc, rng)
    assert hehuachi.trained > 0 and all(c.trained == 0 for c in m.committees if c is not hehuachi)
    org = make_org(m, kind="mediation", reputation=0.9)
    kind = NEED_KINDS.index("legal_mediation")
    for c in m.committees:
        c.partners = {}
        c.decide_new_partner(pc, kind, [org], rng)
    assert [c for c in m.committees if c.partners] == [hehuachi], "only Hehuachi co-designs with organizations"
    rate = m.p.social_workers.staff_exam_take_rate
    assert hehuachi.exam_take_rate(pc, rate) == 0.9
    assert all(c.exam_take_rate(pc, rate) == rate for c in m.committees if c is not hehuachi)


def test_internal_development_is_one_committee_and_the_scale_up_every_committee():
    one = CommunityModel("internal-development", rng=1)
    assert len(_covered(one)) == 1
    p = one.schedule.params_for(1).committees  # the self-governance fund's lever in force
    assert [c for c in one.committees if c.has_fund(p)] == _covered(one), "the fund goes to the same committee"
    every = CommunityModel("internal-development-scale-up", rng=1)
    assert len(_covered(every)) == len(every.committees) == 25
    assert "not in the article" in every.spec.scenario.description
