"""Statistics against hand computations: paired effects, Holm, Fieller, Shapley, the effect table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from exp_helpers import write_experiment

from experiments.analysis import (
    effects_table,
    fieller_ratio,
    holm,
    mean_ci,
    paired_effect,
    shapley,
    summary_table,
)
from experiments.load import load_experiment


def test_paired_effect_matches_a_hand_computation():
    # differences d = 1, 2, 3, 4: mean 2.5, sd = sqrt(5/3) = 1.290994, se = 0.645497,
    # t(0.975, 3) = 3.182446 (table), half-width 2.054260; t = 3.872983, two-sided p = 0.030466
    ref = np.array([10.0, 20.0, 30.0, 40.0])
    arm = ref + np.array([1.0, 2.0, 3.0, 4.0])
    e = paired_effect(arm, ref)
    assert e["n"] == 4
    assert e["effect"] == pytest.approx(2.5)
    assert e["ci_low"] == pytest.approx(2.5 - 2.054260, abs=1e-5)
    assert e["ci_high"] == pytest.approx(2.5 + 2.054260, abs=1e-5)
    assert e["p_value"] == pytest.approx(0.030466, abs=1e-5)


def test_pairing_removes_the_shared_noise():
    # big spread between replications, tiny spread of the differences: a paired test sees the effect
    ref = np.array([100.0, 300.0, 200.0, 500.0, 50.0])
    arm = ref + np.array([1.0, 1.1, 0.9, 1.0, 1.05])
    e = paired_effect(arm, ref)
    assert e["ci_low"] > 0.8 and e["ci_high"] < 1.3
    unpaired_half = 2.776 * math.sqrt(np.var(arm, ddof=1) / 5 + np.var(ref, ddof=1) / 5)
    assert e["half_width"] < unpaired_half / 100


def test_paired_effect_edge_cases():
    same = paired_effect(np.ones(3), np.ones(3))
    assert (same["effect"], same["ci_low"], same["ci_high"], same["p_value"]) == (0.0, 0.0, 0.0, 1.0)
    shift = paired_effect(np.ones(3) + 2, np.ones(3))
    assert (shift["ci_low"], shift["ci_high"], shift["p_value"]) == (2.0, 2.0, 0.0)
    one = paired_effect(np.array([3.0]), np.array([1.0]))
    assert one["effect"] == 2.0 and math.isnan(one["ci_low"]) and math.isnan(one["p_value"])


def test_mean_ci_matches_a_hand_computation():
    # 2, 4, 6: mean 4, sd 2, se 1.154701, t(0.975, 2) = 4.302653 -> half-width 4.968275
    m, lo, hi, n = mean_ci(np.array([2.0, 4.0, 6.0]))
    assert (m, n) == (4.0, 3)
    assert lo == pytest.approx(4 - 4.968275, abs=1e-5) and hi == pytest.approx(4 + 4.968275, abs=1e-5)


def test_holm_matches_a_hand_computation():
    # sorted: 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06, max(0.06, 0.04*1) = 0.06
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    out = holm([0.5, math.nan, 0.4])  # NaN stays out of the family (m = 2)
    assert out[0] == pytest.approx(0.8) and math.isnan(out[1]) and out[2] == pytest.approx(0.8)
    assert holm([0.9, 0.8]) == pytest.approx([1.0, 1.0])  # capped at 1


def test_fieller_with_a_constant_denominator_is_the_scaled_t_interval():
    a = np.array([100.0, 120.0, 80.0, 110.0])
    b = np.full(4, 10.0)
    ratio, lo, hi = fieller_ratio(a, b)
    m, mlo, mhi, _ = mean_ci(a)
    assert ratio == pytest.approx(m / 10)
    assert lo == pytest.approx(mlo / 10) and hi == pytest.approx(mhi / 10)


def test_fieller_is_unbounded_when_the_denominator_may_be_zero():
    ratio, lo, hi = fieller_ratio(np.array([1.0, 2.0, 3.0]), np.array([-1.0, 0.5, 1.0]))
    assert math.isnan(lo) and math.isnan(hi)


def test_shapley_of_an_additive_game_is_each_levers_own_effect():
    # v(S) = sum of effects in S: 2 and 5
    v = {0: np.zeros(2), 1: np.full(2, 2.0), 2: np.full(2, 5.0), 3: np.full(2, 7.0)}
    phi = shapley(v, 2)
    assert phi[:, 0] == pytest.approx([2.0, 5.0])


def test_shapley_splits_an_interaction_equally_and_adds_up():
    # only both levers together do anything: each gets half
    v = {0: np.zeros(1), 1: np.zeros(1), 2: np.zeros(1), 3: np.full(1, 6.0)}
    assert shapley(v, 2)[:, 0] == pytest.approx([3.0, 3.0])
    rng = np.random.default_rng(0)
    v3 = {m: rng.normal(size=4) if m else np.zeros(4) for m in range(8)}
    assert shapley(v3, 3).sum(axis=0) == pytest.approx(v3[7])  # efficiency
    # three levers by hand: phi_1 = 1/3 v1 + 1/6 (v3 - v2) + 1/6 (v5 - v4) + 1/3 (v7 - v6)
    hand = v3[1] / 3 + (v3[3] - v3[2]) / 6 + (v3[5] - v3[4]) / 6 + (v3[7] - v3[6]) / 3
    assert shapley(v3, 3)[0] == pytest.approx(hand)


def test_effect_table_pairs_by_replication_and_adjusts_over_the_table(tmp_path):
    exp = load_experiment(write_experiment(tmp_path))
    rows = []
    for rep, (b, r, f) in enumerate([(1.0, 2.0, 1.5), (2.0, 3.1, 2.4), (3.0, 4.0, 3.6), (4.0, 5.2, 4.3)]):
        for arm, v in (("base", b), ("rent", r), ("funds", f)):
            rows.append({"arm": arm, "point": -1, "replication": rep, **{o: v for o in exp.outcomes}})
    rows = [r for r in rows if not (r["arm"] == "funds" and r["replication"] == 3)]  # a failed run
    ends = pd.DataFrame(rows)
    eff = effects_table(exp, ends)
    rent = eff[(eff["arm"] == "rent") & (eff["outcome"] == "needs_met")].iloc[0]
    funds = eff[(eff["arm"] == "funds") & (eff["outcome"] == "needs_met")].iloc[0]
    assert rent["n"] == 4 and rent["effect"] == pytest.approx(np.mean([1.0, 1.1, 1.0, 1.2]))
    assert funds["n"] == 3 and funds["effect"] == pytest.approx(np.mean([0.5, 0.4, 0.6]))
    assert list(eff.columns) == ["arm", "reference", "outcome", "effect", "ci_low", "ci_high", "p_value",
                                 "p_adjusted", "n"]
    assert eff["p_adjusted"].to_numpy() == pytest.approx(holm(eff["p_value"].to_numpy()))
    assert (eff["p_adjusted"] >= eff["p_value"]).all()
    summ = summary_table(exp, ends)
    base = summ[(summ["arm"] == "base") & (summ["outcome"] == "needs_met")].iloc[0]
    assert base["mean"] == pytest.approx(2.5) and base["n"] == 4
