"""Committee staff (community workers) as a workforce: places, pay and the pay floor, the post
allowance, turnover and refilling, and the exam for community workers and organizations'
other staff (issue 13, "the workforce the article names")."""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import bare_model, binomial_tolerance, make_org, run_model, scenario
from model import CommunityModel
from model.accounts import _pay_committee_staff, _pay_social_workers
from model.committees import decide_staff_turnover, fill_staff_places, staff_wage_bill
from model.workers import SocialWorker, certification_exam, community_pay, pay, quit_chance

NO_SOCIAL_WORKERS = {"parameters.committees.sw_posts_share": 0.0, "parameters.social_workers.staff_exam_take_rate": 0.0}


def worker(m, employer, certified=False, experience_months=0) -> SocialWorker:
    w = SocialWorker(m, certified=certified, experience_months=experience_months, skill=0.4)
    m.workers.append(w)
    m.hire(w, employer)
    return w


def open_places(c, k: int) -> None:
    """``k`` regular community workers (the newest) leave ``c``: their places fall vacant."""
    for _ in range(k):
        c.cohorts[int(np.flatnonzero(c.cohorts)[0])] -= 1
        c.vacant += 1


def set_experience(c, years: int) -> None:
    """Every regular community worker of ``c`` in the given year of experience."""
    n = int(c.cohorts.sum())
    c.cohorts[:] = 0
    c.cohorts[years] = n


def flows(m) -> dict[str, float]:
    """This month's flows by purpose (all sources), closing the ledger's month."""
    out: dict[str, float] = {}
    for (_src, _dst, purpose), v in m.ledger.close_month().items():
        out[purpose] = out.get(purpose, 0.0) + v
    return out


# ---------------------------------------------------------------------------
# places
# ---------------------------------------------------------------------------
def test_a_social_worker_takes_a_vacant_place_first_and_leaves_one_behind():
    m = bare_model()
    c = m.committees[0]
    assert (c.regular, c.vacant, len(c.workers)) == (c.staff, 0, 0) and c.cohorts.sum() == c.staff
    open_places(c, 2)
    w = worker(m, c)
    assert (c.regular, c.vacant) == (c.staff - 2, 1), "the hire fills a vacant place"
    m.release(w)
    assert (c.regular, c.vacant) == (c.staff - 2, 2), "leaving opens a vacant place"
    c.cohorts[0] += c.vacant  # the places are filled again
    c.vacant = 0
    c.trained = c.staff
    newest = int(np.flatnonzero(c.cohorts)[0])
    before = c.cohorts.copy()
    worker(m, c)
    assert (c.regular, c.vacant, c.trained) == (c.staff - 1, 0, c.staff - 1), \
        "no vacant place: a regular community worker makes way (trained never above regular)"
    assert (before - c.cohorts).tolist() == [int(y == newest) for y in range(len(before))], "the newest makes way"
    m.check_invariants()


def test_head_counts_hold_under_turnover_quits_minus_hires_is_the_change_in_vacancies():
    """No social workers: every change in vacant places is a regular community worker quitting
    or a place refilled; places never change (the invariants are checked every month)."""
    m = CommunityModel(scenario({**NO_SOCIAL_WORKERS, "parameters.committees.staff_attrition_base": 0.9,
                                 "parameters.committees.staff_fill_rate": 0.3}, months=36), rng=1)
    quits = hires = 0
    places = sum(c.staff for c in m.committees)
    with m.stepping():
        for _ in range(36):
            m.step()
            quits += m.recorder.events.staff_quits
            hires += m.recorder.events.staff_hired
            assert sum(c.regular + c.vacant + len(c.workers) for c in m.committees) == places
    assert quits > 20 and hires > 20, (quits, hires)
    assert sum(c.vacant for c in m.committees) == quits - hires
    assert all(c.regular >= 0 and 0 <= c.trained <= c.regular for c in m.committees)


def test_head_counts_hold_with_social_workers_quitting_and_passing():
    """Social workers in committee posts quit and are replaced, community workers pass the exam
    and keep their places: places stay places (36 months, invariants checked every month)."""
    m = run_model({"parameters.social_workers.initial_per_100k": 400.0,
                   "parameters.social_workers.attrition_base": 0.8,
                   "parameters.social_workers.staff_exam_take_rate": 0.5,
                   "parameters.committees.staff_attrition_base": 0.5}, months=36)
    assert all(c.regular + c.vacant + len(c.workers) == c.staff for c in m.committees)
    assert any(c.workers for c in m.committees)


# ---------------------------------------------------------------------------
# pay, the pay floor and the post allowance
# ---------------------------------------------------------------------------
def test_staff_wage_bill_pays_every_community_worker_and_no_vacant_place():
    m = bare_model({"parameters.social_workers.pay_floor_share": 1.0})
    pw = m.p.social_workers
    c = m.committees[0]
    a = worker(m, c, certified=True, experience_months=24)
    b = worker(m, c, experience_months=0)
    open_places(c, 1)
    set_experience(c, 3)
    c.cohorts[3] -= 1
    c.cohorts[12] += 1
    bill = staff_wage_bill(pw, m.committees, m.staff_cohorts)
    before = [pay(pw, pw.wage_committee_yuan, 42.0, False)] * (c.regular - 1) + [
        pay(pw, pw.wage_committee_yuan, 150.0, False)] + [
        pay(pw, pw.wage_committee_yuan, w.experience_months, w.certified) for w in (a, b)]
    floor = pw.pay_floor_share * pw.outside_wage_yuan
    assert bill.base[0] == pytest.approx(sum(before))
    assert bill.topup[0] == pytest.approx(sum(max(0.0, floor - x) for x in before))
    assert c.regular == c.staff - 3
    other = m.committees[1]
    months = (np.arange(len(other.cohorts)) + 0.5) * 12
    assert bill.base[1] == pytest.approx(float(other.cohorts @ pay(pw, pw.wage_committee_yuan, months, False)))
    assert other.cohorts.sum() == other.staff
    paid = community_pay(pw, np.array([a.experience_months, b.experience_months]), np.array([True, False]))[1]
    assert [a.compute_wage(pw), b.compute_wage(pw)] == paid.tolist()


@pytest.mark.parametrize("floor_share", [0.0, 1.0])
def test_pay_floor_tops_up_community_workers_only(floor_share):
    """The pay floor lifts community workers' pay (district money, ``pay_floor_topup``) and not
    organizations' social workers'; at pay_floor_share 0 nothing is topped up."""
    m = bare_model({"parameters.social_workers.pay_floor_share": floor_share})
    pw = m.p.social_workers
    org = make_org(m)
    fresh_org = worker(m, org)
    worker(m, m.committees[0])
    flows(m)
    wages = _pay_social_workers(m, [org])
    assert wages == [pay(pw, pw.wage_org_yuan, 0, False)] and fresh_org.wage < pw.outside_wage_yuan
    flows(m)
    _pay_committee_staff(m)
    f = flows(m)
    bill = staff_wage_bill(pw, m.committees, m.staff_cohorts)
    oncost = 1.0 + m.p.funders.public_oncost_share  # the employer's contributions
    assert f["committee_staff_wages"] == pytest.approx(bill.base.sum() * oncost)
    if floor_share == 0.0:
        assert f.get("pay_floor_topup", 0.0) == 0.0 and bill.topup.sum() == 0.0
    else:
        assert f["pay_floor_topup"] == pytest.approx(bill.topup.sum() * oncost) and bill.topup.sum() > 0


@pytest.mark.parametrize("allowance", [0.0, 250.0])
def test_post_allowance_paid_only_to_certified_workers_in_committees(allowance):
    m = bare_model({"parameters.social_workers.post_allowance_yuan": allowance,
                    "parameters.social_workers.salary_subsidy_certified_yuan": 0.0})
    c0, c1 = m.committees[0], m.committees[1]
    passed = [worker(m, c0, certified=True), worker(m, c1, certified=True)]
    plain = worker(m, c0)
    org_cert = worker(m, make_org(m), certified=True)
    flows(m)
    _pay_committee_staff(m)
    f = flows(m)
    assert f.get("post_allowance", 0.0) == 2 * allowance
    assert [w.subsidy(m.p.social_workers) for w in (*passed, plain, org_cert)] == [allowance, allowance, 0.0, 0.0]


# ---------------------------------------------------------------------------
# turnover and refilling
# ---------------------------------------------------------------------------
def test_community_worker_turnover_matches_the_quit_rule_statistical():
    """At pay equal to the outside wage regular community workers quit at staff_attrition_base
    a year: per month Bin(regular, 1 - exp(-base/12)) (4 sd over 24 draws of all committees);
    places left vacant are refilled between draws."""
    m = bare_model({**NO_SOCIAL_WORKERS, "parameters.committees.staff_attrition_base": 0.3,
                    "parameters.social_workers.wage_committee_yuan": 6000.0,
                    "parameters.social_workers.outside_wage_yuan": 6000.0,
                    "parameters.social_workers.wage_growth_per_year": 0.0})
    chance = 1 - math.exp(-0.3 / 12)
    assert float(quit_chance(m.p.social_workers, 0.3, 6000.0)) == pytest.approx(chance)
    n = quits = 0
    for _ in range(24):
        for c in m.committees:
            c.cohorts[0] += c.vacant
            c.vacant = 0
        n += sum(c.regular for c in m.committees)
        decide_staff_turnover(m)
        quits += sum(c.vacant for c in m.committees)
        m.check_invariants()
    assert quits == m.recorder.events.staff_quits
    assert abs(quits - n * chance) <= binomial_tolerance(n, chance)


def test_lower_pay_more_turnover_and_the_floor_holds_community_workers():
    rates = {}
    for floor in (0.0, 1.0):
        m = bare_model({**NO_SOCIAL_WORKERS, "parameters.social_workers.pay_floor_share": floor,
                        "parameters.social_workers.wage_committee_yuan": 3000.0})
        pw, pc = m.p.social_workers, m.p.committees
        wage = community_pay(pw, 6.0, False)[1]
        rates[floor] = float(quit_chance(pw, pc.staff_attrition_base, wage))
    assert rates[1.0] < rates[0.0]


def test_vacant_places_refilled_at_the_fill_chance_with_new_workers():
    m = bare_model({**NO_SOCIAL_WORKERS, "parameters.committees.staff_fill_rate": 1.0,
                    "parameters.social_workers.wage_committee_yuan": 6000.0,
                    "parameters.social_workers.outside_wage_yuan": 6000.0})
    for c in m.committees:
        set_experience(c, 5)
        c.cohorts[5] -= 3
        c.vacant = 3
    fill_staff_places(m)
    assert all(c.vacant == 0 and c.cohorts[0] == 3 and c.cohorts[5] == c.staff - 3
               for c in m.committees), "all filled; newcomers bring no experience"
    assert m.recorder.events.staff_hired == 3 * len(m.committees)
    m.check_invariants()
    m = bare_model({**NO_SOCIAL_WORKERS, "parameters.committees.staff_fill_rate": 0.0})
    open_places(m.committees[0], 2)
    fill_staff_places(m)
    assert m.committees[0].vacant == 2, "fill rate 0: no place is refilled"


def test_community_workers_gain_a_year_of_experience_every_twelve_months():
    m = bare_model({**NO_SOCIAL_WORKERS, "parameters.committees.staff_attrition_base": 0.0})
    c = m.committees[0]
    set_experience(c, 39)
    c.cohorts[39] -= 2
    c.cohorts[2] += 2
    for month in range(1, 25):
        m.month = month
        decide_staff_turnover(m)
    assert c.cohorts[4] == 2 and c.cohorts[40] == c.staff - 2, "two years on; 40 and more stay in the last year"


# ---------------------------------------------------------------------------
# the exam: community workers and organizations' other staff
# ---------------------------------------------------------------------------
SURE_PASS = {"parameters.social_workers.exam_pass_base": 10.0, "parameters.social_workers.exam_take_rate": 0.0}


def test_community_workers_who_pass_become_certified_social_workers_in_their_own_place():
    m = bare_model({**SURE_PASS, "parameters.social_workers.staff_exam_take_rate": 1.0,
                    "parameters.social_workers.other_staff_exam_take_rate": 0.0})
    c = m.committees[0]
    open_places(c, 2)
    set_experience(c, 4)
    c.trained = 3
    certification_exam(m)
    assert (len(c.workers), c.vacant, c.regular, c.trained) == (c.staff - 2, 2, 0, 0)
    assert all(w.certified and w.experience_months == 54 for w in c.workers), "the middle of their fifth year"
    assert m.recorder.events.staff_certified == sum(c.staff - 2 if i == 0 else c.staff
                                                    for i, c in enumerate(m.committees))
    m.check_invariants()


def test_other_staff_who_pass_become_certified_social_workers_of_their_organization():
    m = bare_model({**SURE_PASS, "parameters.social_workers.staff_exam_take_rate": 0.0,
                    "parameters.social_workers.other_staff_exam_take_rate": 1.0})
    org = make_org(m, other_staff=4, workers=1)
    idle = make_org(m, other_staff=3)
    idle.status = "registering"
    certification_exam(m)
    assert (org.other_staff, len(org.workers)) == (0, 5), "head count 5 kept: 4 other staff became social workers"
    assert sum(w.certified for w in org.workers) == 4
    assert all(w in m.workers and w.employer is org for w in org.workers)
    assert (idle.other_staff, idle.workers) == (3, []), "only active organizations' staff sit"
    assert m.recorder.events.other_staff_certified == 4
    m.check_invariants()


def test_no_take_rate_no_other_staff_sit():
    m = bare_model({**SURE_PASS, "parameters.social_workers.staff_exam_take_rate": 0.0,
                    "parameters.social_workers.other_staff_exam_take_rate": 0.0})
    org = make_org(m, other_staff=4)
    certification_exam(m)
    assert (org.other_staff, org.workers, m.recorder.events.exam_takers) == (4, [], 0)


def test_other_staff_pass_rate_matches_pass_chance_statistical():
    m = bare_model({"parameters.social_workers.staff_exam_take_rate": 0.0,
                    "parameters.social_workers.exam_take_rate": 0.0,
                    "parameters.social_workers.exam_support": 0.0,
                    "parameters.social_workers.other_staff_exam_take_rate": 1.0})
    orgs = [make_org(m, other_staff=20) for _ in range(100)]
    pw = m.p.social_workers
    p_pass = 1 / (1 + math.exp(-(pw.exam_pass_base + pw.exam_pass_experience * pw.other_staff_experience_years)))
    certification_exam(m)
    passed = sum(len(o.workers) for o in orgs)
    assert m.recorder.events.exam_takers == 2000
    assert passed == m.recorder.events.other_staff_certified == 2000 - sum(o.other_staff for o in orgs)
    assert abs(passed - 2000 * p_pass) <= binomial_tolerance(2000, p_pass)
