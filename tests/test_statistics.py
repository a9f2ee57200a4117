"""Statistical checks of whole runs against the register, each with a fixed seed and a
stated tolerance (4 standard deviations unless said otherwise)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import binomial_tolerance, residents, run_model
from model.neighbourhoods import need_rate_tensor
from model.params import GROUPS
from model.residents import group_share_vector, need_rate_matrix


def test_resident_groups_drawn_with_register_shares():
    r, p = residents(sizes=(50_000, 50_000), neighbours=0)
    shares = group_share_vector(p)
    counts = np.bincount(r.group, minlength=len(GROUPS))
    for g, name in enumerate(GROUPS):
        assert abs(counts[g] - r.n * shares[g]) <= binomial_tolerance(r.n, shares[g]), name


def test_realised_need_rate_matches_the_register():
    """With lapse_rate 1 every need closes within its month, so every resident is free at the
    start of each month and raises a need with the register's total rate for their group in
    their committee's community type (the baseline street is typed). Tolerance: 4 sd of the
    Poisson-binomial count, per group over 12 months."""
    m = run_model({"parameters.residents.lapse_rate": 1.0}, months=12, small=False)
    r = m.residents
    rates = need_rate_tensor(m.p, need_rate_matrix(m.p.residents)).sum(axis=2)  # types x groups
    assert len(np.unique(r.ctype)) > 1, "a typed street"
    per_com = np.diff(r.group_start, axis=1)  # committees x groups
    expected_g = (per_com * rates[r.ctype]).sum(axis=0)  # expected needs a month per group
    arising = m.recorder.group_table().groupby("group")["needs_arising"].sum()
    for g, name in enumerate(GROUPS):
        n = 12 * int(per_com[:, g].sum())
        mean_rate = expected_g[g] * 12 / max(n, 1)
        assert abs(arising[name] - 12 * expected_g[g]) <= binomial_tolerance(n, mean_rate), (
            f"{name}: {arising[name]} needs in 12 months, expected {12 * expected_g[g]:.0f}")
    ts = m.recorder.timeseries()
    assert ts["backlog"].eq(0).all()
    overall = ts["needs_arising"].sum() / (12 * r.n)
    assert overall == pytest.approx(expected_g.sum() / r.n, rel=0.02)


def test_attrition_outcome_at_wage_parity():
    """At wages equal to the outside option (pay floor at the average wage, no grade or
    seniority pay) workers quit at a constant hazard with monthly chance q = 1 - exp(-base/12),
    so the outcome (quits over 12 months / mean employed) reads attrition_base (0.2; 12q = 0.198).
    Tolerance: 4 sd of the Poisson count of quits over ten years (about 7 %)."""
    base = 0.2
    sets = {
        "world.committees_per_street": 25, "world.residents_per_committee": 400,
        "parameters.committees.staff": 60, "parameters.committees.sw_posts_share": 1.0,
        "parameters.social_workers.initial_per_100k": 10_000.0,  # 1,000 workers fill the 1,500 posts
        "parameters.social_workers.attrition_base": base,
        "parameters.social_workers.pay_floor_share": 1.0,
        "parameters.social_workers.certified_pay_yuan": 0.0,
        "parameters.social_workers.wage_growth_per_year": 0.0,
        "parameters.social_workers.salary_subsidy_certified_yuan": 0.0,
        "parameters.social_workers.wage_committee_yuan": 3000.0,
        "parameters.social_workers.wage_org_yuan": 3000.0,
        "parameters.social_workers.lateral_fill_rate": 1.0,
        "parameters.organizations.initial_per_100k": 0.0,
        "parameters.organizations.founders_per_100k": 0.0,
    }
    m = run_model(sets, months=120)
    pw = m.p.social_workers
    assert all(w.wage == pytest.approx(pw.outside_wage_yuan) for w in m.workers if w.employed), "not at parity"
    ts = m.recorder.timeseries().set_index("month")
    years = range(12, 121, 12)
    # quits of each year = attrition outcome x that year's mean employed
    quits = sum(ts.loc[y, "social_worker_attrition"] * ts.loc[y - 11:y, "social_workers"].mean() for y in years)
    employed_months = ts["social_workers"].sum()
    q = 1 - math.exp(-base / 12)
    expected = q * employed_months
    assert abs(quits - expected) <= 4 * math.sqrt(expected), (quits, expected)
    yearly = quits / employed_months * 12
    assert abs(yearly - base) <= 4 * math.sqrt(expected) / employed_months * 12, \
        f"attrition outcome {yearly:.4f} vs attrition_base {base}"
