"""Residents' committees: own capacity, burden drift and gate, quality, partnerships."""

from __future__ import annotations

import numpy as np
import pytest

from model.committees import committee_arrays, own_capacities, qualities, service_time_shares

from conftest import bare_model, make_org, run_model
from model.organizations import FAILED
from model.params import Committees, NEED_KINDS
from model.workers import SocialWorker


@pytest.fixture
def m():
    return bare_model()


@pytest.fixture
def com(m):
    c = m.committees[0]
    c.direct = False
    c.extra_burden = 0.0
    return c


def _share(c, p):
    """The committee's service time share (the array rule on one committee)."""
    return float(service_time_shares(p, committee_arrays([c]))[0])


def _own(c, p, street_hours=0.0):
    """The committee's own capacity (the array rule on one committee)."""
    ca = committee_arrays([c])
    return float(own_capacities(p, ca, service_time_shares(p, ca), street_hours)[0])


def _quality(c, p):
    """(quality, certified chance) of the committee (the array rule on one committee)."""
    q, cert = qualities(p, committee_arrays([c]))
    return float(q[0]), float(cert[0])


def _reference(c, p, street_hours):
    """The rules written out for one committee in plain Python (test reference)."""
    burden = min(p.max_admin_burden, (p.admin_burden + c.extra_burden) * (1.0 - p.burden_cut))
    share = 1.0 - burden
    if c.direct:
        share *= 1.0 + p.direct_responsiveness
    share = min(share, 1.0)
    own = (c.staff * p.hours_per_staff_month * share * p.own_service_share + street_hours) / p.hours_per_need
    cert = sum(1 for w in c.workers if w.certified)
    q = p.quality_base + p.trained_quality_gain * (c.trained + len(c.workers) - cert) / c.staff
    q += p.guidance_quality_gain * c.guidance
    return share, own, (min(q, 1.0), cert / c.staff)


def test_own_capacity_formula(com):
    p = Committees(staff=9, hours_per_staff_month=168, admin_burden=0.5, own_service_share=0.6,
                   hours_per_need=10, burden_cut=0.0)
    com.staff = 9
    assert _own(com, p) == pytest.approx(9 * 168 * 0.5 * 0.6 / 10)  # 45.36 needs a month
    assert _own(com, p, street_hours=50) == pytest.approx((9 * 168 * 0.5 * 0.6 + 50) / 10)
    more_admin = p.model_copy(update={"admin_burden": 0.7})
    assert _own(com, more_admin) == pytest.approx(9 * 168 * 0.3 * 0.6 / 10)
    com.direct = True
    assert _own(com, p) == pytest.approx(9 * 168 * 0.5 * 1.15 * 0.6 / 10), "direct elections add 15 %"


def test_service_share_never_exceeds_one(com):
    p = Committees(admin_burden=0.0, direct_responsiveness=0.5)
    com.direct = True
    assert _share(com, p) == 1.0


def test_burden_drifts_up_to_the_ceiling_and_a_gate_stops_it(com):
    p = Committees(admin_burden=0.5, new_task_drift=0.01, new_task_gate=0.0, max_admin_burden=0.6, burden_cut=0.0)
    for _ in range(5):
        com.decide_burden(p, street_push=0.002)
    assert com.extra_burden == pytest.approx(5 * 0.012)
    assert (1 - _share(com, p)) == pytest.approx(0.56)
    for _ in range(50):
        com.decide_burden(p, street_push=0.002)
    assert (1 - _share(com, p)) == 0.6, "burden capped at max_admin_burden"
    gated = p.model_copy(update={"new_task_gate": 1.0})
    com.extra_burden = 0.0
    for _ in range(24):
        com.decide_burden(gated, street_push=0.0)
    assert (1 - _share(com, gated)) == 0.5, "a full gate stops new tasks"
    half = p.model_copy(update={"new_task_gate": 0.5})
    com.decide_burden(half, street_push=0.0)
    assert com.extra_burden == pytest.approx(0.005)


def test_quality_from_trained_and_certified_staff(m, com):
    p = Committees(staff=10, quality_base=0.6, trained_quality_gain=0.1)
    com.staff = 10
    assert _quality(com, p) == (pytest.approx(0.6), 0.0)
    com.trained = 2
    for cert in (True, True, False):
        w = SocialWorker(m, certified=cert, experience_months=0, skill=0.5)
        m.workers.append(w)
        m.hire(w, com)
    q, cert_share = _quality(com, p)
    assert q == pytest.approx(0.6 + 0.1 * 3 / 10) and cert_share == pytest.approx(0.2)
    assert com.sw_posts(Committees(sw_posts_share=0.25, staff=10)) == round(2.5)


def test_training_converts_regular_staff(com):
    p = Committees(training_rate=1.0)
    com.staff = 12
    rng = np.random.default_rng(0)
    for _ in range(120):
        com.decide_training(p, rng)
    assert com.trained == 12, "after ten years at rate 1 a year every regular worker is trained"
    com.decide_training(p, rng)
    assert com.trained == 12, "never more trained staff than staff"
    com.trained = 0
    com.decide_training(Committees(training_rate=0.0), rng)
    assert com.trained == 0


def test_partnership_reinforced_decays_and_drops(m, com):
    p = Committees(partner_decay=0.05, partner_reinforce=0.2, partner_drop_below=0.15)
    good, idle, dead = make_org(m), make_org(m), make_org(m)
    com.partners = {good: 0.5, idle: 0.5, dead: 0.9}
    dead.status = FAILED
    com.update_partners(p, {good: 0.9})
    assert com.partners[good] == pytest.approx(0.95 * 0.5 + 0.2 * (0.9 - 0.5))
    assert com.partners[idle] == pytest.approx(0.95 * 0.5 + 0.2 * (0.0 - 0.5))
    assert dead not in com.partners, "a partnership with a failed organization ends"
    for _ in range(20):
        com.update_partners(p, {good: 0.9})
    assert idle not in com.partners, "an idle partnership decays below the threshold and ends"
    assert com.partners[good] > 0.5, "a partner meeting referred needs well stays strong"


def test_new_partner_best_reputation_serving_the_kind(m, com):
    p = Committees(partner_search_rate=1.0, max_partners=2)
    kind = NEED_KINDS.index("legal_mediation")
    mediator_low = make_org(m, kind="mediation", reputation=0.4)
    mediator_high = make_org(m, kind="mediation", reputation=0.8)
    culture = make_org(m, kind="culture_sport", reputation=0.99)
    rng = np.random.default_rng(0)
    com.decide_new_partner(p, kind, [mediator_low, culture, mediator_high], rng)
    assert list(com.partners) == [mediator_high] and com.partners[mediator_high] == 0.5
    com.decide_new_partner(p, kind, [mediator_low, culture, mediator_high], rng)
    assert set(com.partners) == {mediator_high, mediator_low}
    com.decide_new_partner(p, NEED_KINDS.index("culture_sport"), [culture], rng)
    assert culture not in com.partners, "max_partners reached"
    com.partners = {}
    com.decide_new_partner(p, -1, [mediator_high], rng)
    assert com.partners == {}, "no unmet demand, no search"
    com.decide_new_partner(p.model_copy(update={"partner_search_rate": 0.0}), kind, [mediator_high], rng)
    assert com.partners == {}, "search rate 0, no search"


def test_service_share_capacity_and_quality_over_arrays_equal_each_committee_to_the_last_bit(m):
    """build_supply and the recorder evaluate service time, own capacity and quality over all
    committees at once; the values must be exactly those of the rules written out for each
    committee in plain Python
    (mixed staff, burdens, direct elections, trained staff, certified and uncertified
    workers, shares above 1 clipped, burdens above the cap)."""
    rng = np.random.default_rng(5)
    p = Committees(admin_burden=0.35, burden_cut=0.1, direct_responsiveness=0.6, trained_quality_gain=0.13,
                   guidance_quality_gain=0.07, quality_base=0.55)
    cs = m.committees
    seen_own, seen_share, seen_cert = set(), set(), set()
    for _ in range(8):  # the small world has a few committees: several random states of them
        for i, c in enumerate(cs):
            c.staff = int(rng.integers(1, 15))
            c.extra_burden = 0.0 if i == 0 else float(rng.uniform(0.0, 1.2))  # committee 0: share above 1
            c.direct = i == 0 or bool(rng.random() < 0.4)
            c.trained = int(rng.integers(0, 4))
            c.guidance = float(rng.choice([0.0, 0.3, 1.0]))
            c.workers = []
            for _ in range(int(rng.integers(0, 4))):
                m.hire(SocialWorker(m, certified=bool(rng.random() < 0.5), experience_months=0, skill=0.5), c)
        ca = committee_arrays(cs)
        share = service_time_shares(p, ca)
        own = own_capacities(p, ca, share, 37.5)
        q, cert = qualities(p, ca)
        for j, c in enumerate(cs):
            ref_share, ref_own, ref_q = _reference(c, p, 37.5)
            assert share[j] == ref_share
            assert own[j] == ref_own
            assert (q[j], cert[j]) == ref_q
        seen_own.update(own.tolist())
        seen_share.update(share.tolist())
        seen_cert.update(cert.tolist())
    assert len(seen_own) > 20 and 1.0 in seen_share and len(seen_cert) > 3, "the committees differ"


def test_migrants_social_assistance_is_for_registered_residents_only():
    """hukou_only_kinds: a migrant's social-assistance need brought to the committee is turned
    away (minimum living guarantee: registered residents only); without the rule the
    committee serves it. Migrants raise only social-assistance needs here; no organizations."""
    only_sa = {f"parameters.residents.need_rates.migrants.{k}": 0.0
               for k in ("family", "legal_mediation", "children_youth", "culture_sport")}
    only_sa["parameters.residents.need_rates.migrants.social_assistance"] = 0.05
    met = {}
    for rule in (["social_assistance"], []):
        m = run_model({**only_sa, "parameters.residents.hukou_only_kinds": rule,
                       "parameters.organizations.initial_per_100k": 0.0,
                       "parameters.organizations.founding_rate": 0.0}, months=12)
        g = m.recorder.group_table()
        met[bool(rule)] = int(g[g.group == "migrants"].needs_met.sum())
        arising = int(g[g.group == "migrants"].needs_arising.sum())
    assert met[True] == 0 and met[False] > 0.2 * arising, met


def test_building_heads_keep_volunteers_active_by_trust_and_co_building_adds_units():
    """committees.volunteer_supply: 4,000 residents, 10 heads per 1,000 keeping 3 each (120),
    200 volunteers of whom 16 staff 2 micro-projects; trust at the reference keeps all 120,
    half of it 60; co-building adds 3 per 1,000 (12). 2 hours a month, 8 per need."""
    from model.committees import volunteer_supply
    from model.params import Committees

    pc = Committees()
    res, vol, proj = np.full(4, 4000.0), np.array([200.0, 200.0, 200.0, 100.0]), np.array([2.0, 2.0, 0.0, 0.0])
    trust = np.array([0.5, 0.25, 0.5, 0.5])
    co = np.array([False, False, True, False])
    needs, kinds, q = volunteer_supply(pc, res, vol, proj, trust, co)
    per = pc.volunteer_hours_month / pc.volunteer_hours_per_need
    assert needs == pytest.approx(np.array([120, 60, 132, 100]) * per)
    assert [NEED_KINDS[k] for k in kinds] == pc.volunteer_kinds
    assert q == pytest.approx(pc.quality_base + pc.volunteer_quality_offset)
    pc.building_heads_per_1000 = 0.0
    assert volunteer_supply(pc, res, vol, proj, trust, co)[0].tolist() == [0, 0, 12 * per, 0], "no heads"


def test_volunteers_add_capacity_in_a_run():
    """The baseline street (where committees cannot meet every need): volunteers meet needs
    every month and more needs are met than without building heads."""
    ts = run_model({}, months=12, small=False).recorder.timeseries()
    assert ts["needs_met_by_volunteers_share"].gt(0).all()
    off = run_model({"parameters.committees.building_heads_per_1000": 0.0}, months=12,
                    small=False).recorder.timeseries()
    assert off["needs_met_by_volunteers_share"].eq(0).all() and ts["needs_met"].sum() > off["needs_met"].sum()
