"""Parameter uncertainty: draws from the register's ranges, common random numbers, the statistics, resume."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from experiments.design import Plan, replication_seed
from experiments.load import load_experiment
from experiments.uncertainty import (
    draw_effects,
    effect_summary,
    rankings,
    renormalise,
    sample_draws,
    top_spearman,
    uncertain_entries,
)

from exp_helpers import folder_digest, run_quiet, write_experiment

HOURS = "parameters.committees.hours_per_need"
PROJECT = "parameters.committees.micro_project_needs_month"
FOUNDERS = "parameters.organizations.founder_kind_shares."


def _by_dist() -> dict[str, str]:
    """One float entry of each distribution, and one integer entry."""
    out = {}
    for path, row in uncertain_entries().items():
        key = "int" if row["type"] == "int" else row["range"]["distribution"]
        if not path.startswith(FOUNDERS) and "group_shares" not in path:
            out.setdefault(key, path)
    return out


def _expected_mean(row: dict) -> float:
    lo, hi, dist = row["range"]["lo"], row["range"]["hi"], row["range"]["distribution"]
    if dist == "uniform":
        return (lo + hi) / 2
    if dist == "triangular":
        return (lo + hi + min(max(row["default"], lo), hi)) / 3
    return (hi - lo) / math.log(hi / lo)


@pytest.mark.parametrize("design, n, tol", [("lhs", 400, 0.01), ("random", 400, 0.06)])
def test_draws_stay_in_their_ranges_and_follow_their_distributions(design, n, tol):
    # tolerance: share of the range; LHS strata make the sample mean nearly exact, random uniforms have
    # a standard error under 1.5% of the range at n = 400, so 6% is over 4 standard errors
    picked = _by_dist()
    assert {"uniform", "triangular", "loguniform", "int"} <= set(picked)
    entries = uncertain_entries()
    draws = sample_draws(list(picked.values()), n, 7, design)
    for j, path in enumerate(draws.paths):
        row, x = entries[path], draws.values[:, j]
        lo, hi = row["range"]["lo"], row["range"]["hi"]
        assert x.min() >= lo and x.max() <= hi, path
        if row["type"] == "int":
            assert np.array_equal(x, np.round(x)), path
            continue
        assert abs(x.mean() - _expected_mean(row)) <= tol * (hi - lo), (path, x.mean(), _expected_mean(row))
    if design == "lhs":  # one draw in each of n equal strata of every uniform
        assert all(np.array_equal(np.sort(np.floor(draws.uniforms[:, j] * n)), np.arange(n))
                   for j in range(len(draws.paths)))


def test_default_draws_every_uncertain_entry_and_founder_shares_add_up_to_one():
    draws = sample_draws(None, 4, 3)
    assert draws.paths == list(uncertain_entries())
    cols = [j for j, p in enumerate(draws.paths) if p.startswith(FOUNDERS)]
    assert len(cols) == 5
    assert np.allclose(draws.values[:, cols].sum(axis=1), 1.0, rtol=0, atol=1e-12)


def test_share_groups_are_renormalised():
    defaults = {f"{FOUNDERS}a": 0.5, f"{FOUNDERS}b": 0.3, f"{FOUNDERS}c": 0.2,
                "parameters.residents.group_shares.x": 0.4, "parameters.residents.group_shares.y": 0.5}
    paths = [f"{FOUNDERS}a", f"{FOUNDERS}b", "parameters.residents.group_shares.x"]
    values = np.array([[0.6, 0.6, 0.3],    # founders sampled 1.2 (+ 0.2 fixed): scaled to 0.8; groups 0.8 <= 1
                       [0.4, 0.4, 0.7]])   # groups 0.7 + 0.5 fixed = 1.2: x scaled to 0.5
    out = renormalise(values, paths, defaults)
    assert out[:, :2] == pytest.approx(np.array([[0.4, 0.4], [0.4, 0.4]]))
    assert out[:, 2] == pytest.approx(np.array([0.3, 0.5]))


def _uncertainty_experiment(tmp_path, draws: int = 4, months: int = 2, replications: int = 2):
    arms = {"base": {}, "hours": {HOURS: 20.0}}
    extra = f'[uncertainty]\ndraws = {draws}\nparameters = ["{HOURS}", "{PROJECT}", "{FOUNDERS}mediation"]'
    return write_experiment(tmp_path, months=months, replications=replications, arms=arms, extra=extra)


def test_a_draw_is_the_same_in_every_arm_and_a_replication_the_same_seed_in_every_draw(tmp_path):
    exp = load_experiment(_uncertainty_experiment(tmp_path))
    tasks = Plan(exp).tasks(range(2))
    assert len(tasks) == 2 * 4 * 2 and len({t.run_id for t in tasks}) == len(tasks)
    by = {(t.arm, t.draw, t.replication): t for t in tasks}
    for d in range(4):
        base, hours = by[("base", d, 0)].overrides, by[("hours", d, 0)].overrides
        assert base == exp.draws.overrides(d)
        # the arm's own entry stays the arm's; every other drawn value is shared
        assert HOURS not in hours and hours == {k: v for k, v in base.items() if k != HOURS}
        for r in range(2):
            assert by[("base", d, r)].seed == by[("hours", d, r)].seed == replication_seed(exp.seed, r)
    assert len({tuple(sorted(exp.draws.overrides(d).items())) for d in range(4)}) == 4


def test_draw_statistics_on_a_constructed_table():
    # effects by draw: draw 0: [1, 3] (mean 2); draw 1: [-1, -1] (-1); draw 2: [4, 6] (5); draw 3: [0, 2] (1)
    arm = {(0, 0): 11.0, (0, 1): 13.0, (1, 0): 9.0, (1, 1): 9.0, (2, 0): 14.0, (2, 1): 16.0, (3, 0): 10.0,
           (3, 1): 12.0, (4, 0): 1.0}
    ref = {(d, r): 10.0 for d in range(4) for r in range(2)}
    by_draw = draw_effects(arm, ref)
    assert sorted(by_draw) == [0, 1, 2, 3]  # draw 4 has no reference run
    s = effect_summary(by_draw)
    level = np.array([2.0, -1.0, 5.0, 1.0])
    assert s["effect"] == pytest.approx(1.75)
    assert s["p_higher"] == 0.75
    assert (s["draw_low"], s["draw_high"]) == pytest.approx(tuple(np.percentile(level, [2.5, 97.5])))
    # within-draw sum of squares 2 + 0 + 2 + 2 = 6 over 4 degrees of freedom; 8 runs
    half = stats.t.ppf(0.975, 4) * math.sqrt(6 / 4 / 8)
    assert (s["seed_low"], s["seed_high"]) == pytest.approx((1.75 - half, 1.75 + half))
    assert (s["draws"], s["runs"]) == (4, 8)


def test_rankings_and_spearman_on_constructed_draws():
    levels = {"a": {0: 3.0, 1: 3.0, 2: 1.0, 3: 2.0}, "b": {0: 2.0, 1: 1.0, 2: 2.0, 3: 2.0},
              "c": {0: 1.0, 1: 2.0, 2: 0.0, 3: 1.0}}
    counts, n = rankings(levels)
    assert n == 4
    assert counts == {"a > b > c": 1, "a > c > b": 1, "b > a > c": 1, "a = b > c": 1}
    params = np.array([[1.0, 5.0, 0.0], [2.0, 3.0, 0.0], [3.0, 4.0, 0.0], [4.0, 1.0, 0.0]])
    y = np.array([1.0, 2.0, 4.0, 3.0])
    top = top_spearman(params, ["p", "q", "constant"], y)
    assert [name for name, _ in top] == ["p", "q"]
    assert top[0][1] == pytest.approx(stats.spearmanr(params[:, 0], y).statistic)
    assert top[1][1] == pytest.approx(stats.spearmanr(params[:, 1], y).statistic)
    assert top[0][1] == pytest.approx(0.8) and top[1][1] == pytest.approx(-0.4)


def test_uncertainty_run_writes_its_tables_and_resumes_by_draw(tmp_path):
    path = _uncertainty_experiment(tmp_path)
    out = tmp_path / "out"
    res = run_quiet(path, out, figures=False)
    assert res.exit_code == 0 and res.executed == 16
    unc = pd.read_csv(out / "uncertainty.csv")
    row = unc[(unc["arm"] == "hours") & (unc["outcome"] == "needs_met_share")].iloc[0]
    assert row["compared_with"] == "base" and row["draws"] == 4 and row["runs"] == 8
    assert 0 <= row["p_higher"] <= 1 and row["draw_low"] <= row["effect"] <= row["draw_high"]
    ranking = pd.read_csv(out / "ranking.csv")
    assert set(ranking["kind"]) == {"ranking", "first"}
    assert ranking[ranking["kind"] == "ranking"].groupby("outcome")["draws"].sum().eq(4).all()
    assert len(pd.read_csv(out / "draws.csv")) == 4
    assert "uncertainty.csv" in (out / "report.md").read_text(encoding="utf-8")
    first = folder_digest(out)
    again = run_quiet(path, out, figures=False, resume=True)
    assert again.executed == 0 and folder_digest(out) == first
    (out / "manifest" / "hours.d0002.r0001.json").unlink()
    assert run_quiet(path, out, figures=False, resume=True).executed == 1
    assert folder_digest(out) == first
