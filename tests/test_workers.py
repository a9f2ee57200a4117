"""Social workers: wages, quitting, the exam, skill, graduates and the matching of vacancies."""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import bare_model, binomial_tolerance, make_org
from model.params import SocialWorkers
from model.workers import SocialWorker, certification_exam, community_pay, fill_vacancies, graduates_this_year


@pytest.fixture
def m():
    return bare_model()


def worker(m, certified=False, experience_months=0, skill=0.3, employer=None) -> SocialWorker:
    w = SocialWorker(m, certified=certified, experience_months=experience_months, skill=skill)
    m.workers.append(w)
    if employer is not None:
        m.hire(w, employer)
    return w


def test_wage_base_seniority_grade_pay_and_floor(m):
    p = SocialWorkers(wage_org_yuan=4000, wage_committee_yuan=4600, certified_pay_yuan=500,
                      wage_growth_per_year=120, outside_wage_yuan=6000, pay_floor_share=0.0)
    org = make_org(m)
    com = m.committees[0]
    assert worker(m, employer=org).compute_wage(p) == 4000
    assert worker(m, employer=com).compute_wage(p) == 4600
    assert worker(m, employer=org, experience_months=30).compute_wage(p) == pytest.approx(4000 + 120 * 2.5)
    assert worker(m, employer=org, certified=True).compute_wage(p) == 4500
    floor = p.model_copy(update={"pay_floor_share": 1.0})
    assert worker(m, employer=com).compute_wage(floor) == 6000, "the pay floor lifts a community worker's low wage"
    assert worker(m, employer=org).compute_wage(floor) == 4000, "the pay floor does not apply in organizations"
    high = worker(m, employer=com, certified=True, experience_months=240)
    assert high.compute_wage(floor) == pytest.approx(4600 + 500 + 2400), "the floor never lowers a wage"


def test_quit_chance_at_parity_and_rising_with_wage_gap(m):
    p = SocialWorkers(attrition_base=0.2, attrition_wage_sensitivity=1.5, outside_wage_yuan=6000,
                      salary_subsidy_certified_yuan=0.0)
    w = worker(m)
    w.wage = 6000
    assert w.quit_chance(p) == pytest.approx(1 - math.exp(-0.2 / 12)), "constant hazard, 0.2 quits per worker-year"
    chances = []
    for wage in (7000, 6000, 5000, 4000, 3000):
        w.wage = wage
        chances.append(w.quit_chance(p))
    assert all(a < b for a, b in zip(chances, chances[1:], strict=False)), chances
    w.wage = 0.0
    assert w.quit_chance(p) <= 1 - math.exp(-5.0 / 12) + 1e-12, "turnover rate is capped at 5 a year"


def test_quit_chance_over_an_array_is_each_workers_own_to_the_last_bit():
    """decide_quits computes all workers' chances at once: the same numbers as one at a time."""
    from model.workers import quit_chance

    p = SocialWorkers()
    take_home = np.random.default_rng(3).uniform(0.0, 3 * p.outside_wage_yuan, 5000)
    together = quit_chance(p, p.attrition_base, take_home).tolist()
    assert together == [float(quit_chance(p, p.attrition_base, x)) for x in take_home.tolist()]


def test_salary_subsidy_counts_towards_take_home_for_certified_org_workers(m):
    p = SocialWorkers(salary_subsidy_certified_yuan=800.0, outside_wage_yuan=6000)
    org = make_org(m)
    cert = worker(m, certified=True, employer=org)
    plain = worker(m, certified=False, employer=org)
    in_com = worker(m, certified=True, employer=m.committees[0])
    for w in (cert, plain, in_com):
        w.wage = 5000
    assert cert.subsidy(p) == 800 and plain.subsidy(p) == 0 and in_com.subsidy(p) == 0
    assert cert.quit_chance(p) < plain.quit_chance(p)
    assert in_com.quit_chance(p) == pytest.approx(plain.quit_chance(p))


def test_exam_pass_chance_rises_with_experience_and_support(m):
    p = SocialWorkers(exam_pass_base=-1.2, exam_pass_experience=0.35, exam_pass_support=0.8)
    w = worker(m, experience_months=0)
    assert w.exam_pass_chance(p) == pytest.approx(1 / (1 + math.exp(1.2)))
    by_exp = []
    for months in (0, 12, 36, 120):
        w.experience_months = months
        by_exp.append(w.exam_pass_chance(p))
    assert all(a < b for a, b in zip(by_exp, by_exp[1:], strict=False))
    w.supported = True
    assert w.exam_pass_chance(p) > by_exp[-1]
    assert 0.0 < min(by_exp) and w.exam_pass_chance(p) < 1.0


def test_gain_experience_moves_skill_towards_one(m):
    p = SocialWorkers(skill_growth_per_year=0.12, training_skill_gain=0.12)
    w = worker(m, skill=0.5)
    w.gain_experience(p)
    assert w.experience_months == 1
    assert w.skill == pytest.approx(0.5 + 0.02 * 0.5)
    for _ in range(600):
        w.gain_experience(p)
    assert 0.99 < w.skill <= 1.0


def test_fill_vacancies_best_paid_first(m):
    seekers = [worker(m) for _ in range(2)]
    vacancies = [(4000.0, 0, "a"), (5000.0, 1, "b"), (4500.0, 2, "c"), (5000.0, 3, "d")]
    hires = fill_vacancies(seekers, vacancies, np.random.default_rng(0))
    assert sorted(e for _, e in hires) == ["b", "d"], "the two best-paid vacancies are filled"
    assert {id(w) for w, _ in hires} == {id(s) for s in seekers}
    hires = fill_vacancies([worker(m)], vacancies, np.random.default_rng(0))
    assert [e for _, e in hires] == ["b"], "equal wages: the earlier posting first"
    many = [worker(m) for _ in range(6)]
    hires = fill_vacancies(many, vacancies, np.random.default_rng(1))
    assert len(hires) == 4 and len({id(w) for w, _ in hires}) == 4
    assert fill_vacancies([], vacancies, np.random.default_rng(0)) == []
    assert fill_vacancies(many, [], np.random.default_rng(0)) == []


def test_graduates_per_resident_statistical():
    p = SocialWorkers(graduates_per_year=950, graduate_entry_share=0.5, city_residents=24.2e6)
    rng = np.random.default_rng(3)
    draws = np.array([graduates_this_year(p, 1_000_000, rng) for _ in range(2000)])
    mean = 950 * 0.5 * 1e6 / 24.2e6
    assert abs(draws.mean() - mean) <= 4 * math.sqrt(mean / 2000), (draws.mean(), mean)
    assert graduates_this_year(p.model_copy(update={"graduates_per_year": 0.0}), 1_000_000, rng) == 0


def test_exam_pass_rate_matches_pass_chance():
    """Statistical: in the yearly exam, the share of sitters who pass matches the mean
    logistic pass chance (4 sd)."""
    m = bare_model({"parameters.social_workers.exam_take_rate": 1.0,
                    "parameters.social_workers.staff_exam_take_rate": 0.0,
                    "parameters.social_workers.exam_support": 0.0})
    org = make_org(m)
    rng = np.random.default_rng(2)
    sitters = [worker(m, employer=org, experience_months=int(rng.integers(0, 120))) for _ in range(3000)]
    expected = np.mean([w.exam_pass_chance(m.p.social_workers) for w in sitters])
    certification_exam(m)
    assert m.recorder.events.exam_takers == 3000
    passed = sum(w.certified for w in sitters)
    assert passed == m.recorder.events.exam_passed
    assert abs(passed - 3000 * expected) <= binomial_tolerance(3000, expected)
    certified = [w for w in sitters if w.certified]
    assert all(w.wage == w.compute_wage(m.p.social_workers) for w in certified), "grade pay applied on passing"


def test_one_year_attrition_at_wage_parity_statistical(m):
    """Statistical: at a wage equal to the outside option, quitting is a constant hazard of
    attrition_base per worker-year, so the share of a cohort quitting within 12 months is
    1 - exp(-attrition_base) (4 sd)."""
    p = SocialWorkers(attrition_base=0.2, outside_wage_yuan=6000)
    w = worker(m)
    w.wage = 6000
    q = w.quit_chance(p)
    rng = np.random.default_rng(9)
    n = 20_000
    quit_within_year = (rng.random((n, 12)) < q).any(axis=1).mean()
    expected = 1 - math.exp(-0.2)
    assert abs(quit_within_year - expected) * n <= binomial_tolerance(n, expected)


def test_pay_over_arrays_equals_each_worker_to_the_last_bit(m):
    """committees.staff_wage_bill pays committee staff with ``community_pay`` over arrays; the
    values must be exactly those of the rule written out for each worker in plain Python and of each
    worker's compute_wage (mixed experience, certificates, pay below and above the floor,
    parameters that do not divide evenly)."""

    rng = np.random.default_rng(3)
    p = SocialWorkers(wage_committee_yuan=4613.7, wage_growth_per_year=217.3, certified_pay_yuan=333.3,
                      pay_floor_share=0.83, outside_wage_yuan=6131.0)
    ws = [worker(m, certified=bool(rng.random() < 0.5), experience_months=int(rng.integers(0, 400)),
                 employer=m.committees[i % len(m.committees)]) for i in range(200)]
    unfloored, wage = community_pay(p, np.array([w.experience_months for w in ws], dtype=np.float64),
                                    np.array([w.certified for w in ws], dtype=bool))
    for j, w in enumerate(ws):
        reference = p.wage_committee_yuan + p.wage_growth_per_year * w.experience_months / 12.0
        if w.certified:
            reference += p.certified_pay_yuan
        assert unfloored[j] == reference
        assert wage[j] == max(reference, p.pay_floor_share * p.outside_wage_yuan) == w.compute_wage(p)
    floor = p.pay_floor_share * p.outside_wage_yuan
    assert (wage == floor).any() and (wage > floor).any(), "pay below and above the floor"
