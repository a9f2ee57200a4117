"""Severity of needs: the register's weights, the severity-weighted outcomes (timeseries and by
group), and the constructed case of an arm that meets more needs by serving only light ones.

Every run has a fixed seed, so the tests are deterministic; where a test compares effects
between arms it states the margin it allows.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import run_model

from model import kernels
from model.outcome_measures import _gap_groups, _weighted_share, severity_weights
from model.params import GROUPS, NEED_KINDS, Residents, SeverityWeights
from model.register import register_rows

sys.path.insert(0, str(Path(__file__).resolve().parent / "experiments"))
from exp_helpers import experiment_text, run_quiet, write_experiment  # noqa: E402

ONLY_ELDER_CARE = {f"parameters.residents.need_rates.{g}.{k}": 0.0 for g in GROUPS for k in NEED_KINDS}
ONLY_ELDER_CARE["parameters.residents.need_rates.elderly.elder_care"] = 0.05
ALL_ONE = {f"parameters.residents.severity.{k}": 1.0 for k in NEED_KINDS}


def test_every_need_kind_has_a_severity_weight_in_the_register():
    w = severity_weights(Residents())
    assert list(SeverityWeights.model_fields) == list(NEED_KINDS)
    assert w.shape == (len(NEED_KINDS),) and w.dtype == np.float64
    by_kind = dict(zip(NEED_KINDS, w))
    assert by_kind["culture_sport"] == 1.0  # the unit of the scale
    # the documented order: rehabilitation, then daily care and subsistence, then disputes and family,
    # then children and youth, then culture and sport
    assert by_kind["rehabilitation"] > by_kind["elder_care"] == by_kind["social_assistance"]
    assert by_kind["elder_care"] > by_kind["family"] == by_kind["legal_mediation"] > by_kind["children_youth"] > 1.0
    rows = {r["path"]: r for r in register_rows()}
    for k in NEED_KINDS:
        r = rows[f"parameters.residents.severity.{k}"]
        assert r["unit"] == "weight (culture_sport = 1)" and r["evidence"] == "assumption"
        assert r["range"]["lo"] <= r["default"] <= r["range"]["hi"] and r["range"]["reason"], k
        assert r["role"] == "uncertain", k
    culture = rows["parameters.residents.severity.culture_sport"]["range"]
    assert culture["lo"] == 1.0 == culture["hi"]  # a point: experiments do not draw it
    with pytest.raises(ValueError):
        SeverityWeights(elder_care=-1.0)
    with pytest.raises(ValueError):
        SeverityWeights(culture_sport=2.0)  # the unit stays 1


def test_count_by_group_kind_equals_bincount():
    rng = np.random.default_rng(5)
    group = rng.integers(0, 9, 5000).astype(np.int8)
    idx = np.sort(rng.choice(5000, 1200, replace=False)).astype(np.int64)
    kinds = rng.integers(0, 7, idx.size).astype(np.int8)
    got = kernels.count_by_group_kind(idx, group, kinds, 9, 7)
    want = np.bincount(group[idx].astype(np.int64) * 7 + kinds, minlength=63).reshape(9, 7)
    np.testing.assert_array_equal(got, want)
    assert kernels.count_by_group_kind(idx[:0], group, kinds[:0], 9, 7).sum() == 0


def test_weighted_share_and_weighted_gap():
    w = np.array([[3.0, 1.0], [0.0, 0.0], [1.0, 3.0]])
    np.testing.assert_allclose(_weighted_share(w), [0.75, 0.0, 0.25])
    met = [np.array([10, 0, 10])]
    lapsed = [np.array([10, 0, 10])]
    assert _gap_groups(met, lapsed, 1) == 0.0  # the counts alone: both groups meet half
    assert _gap_groups(met, lapsed, 1, weighted=[w]) == pytest.approx(0.5)  # weighted: 0.75 - 0.25
    assert _gap_groups(met, lapsed, 21, weighted=[w]) == 0.0  # too few closed needs: the same groups count


def test_weights_of_one_give_the_counts():
    m = run_model(ALL_ONE, months=12, seed=3)
    ts = m.recorder.timeseries()
    np.testing.assert_array_equal(ts["needs_met_weighted"], ts["needs_met"])
    np.testing.assert_array_equal(ts["needs_lapsed_weighted"], ts["needs_lapsed"])
    np.testing.assert_allclose(ts["needs_met_weighted_share"], ts["needs_met_share"], rtol=1e-12)
    np.testing.assert_allclose(ts["equity_gap_groups_weighted"], ts["equity_gap_groups"], rtol=1e-12)


def test_one_kind_of_need_is_weighted_by_its_weight_and_groups_add_up():
    m = run_model(ONLY_ELDER_CARE, months=12, seed=2)
    ts = m.recorder.timeseries()
    w = m.p.residents.severity.elder_care
    assert ts["needs_met"].sum() > 50  # enough needs to test with
    np.testing.assert_allclose(ts["needs_met_weighted"], w * ts["needs_met"])
    np.testing.assert_allclose(ts["needs_lapsed_weighted"], w * ts["needs_lapsed"])
    np.testing.assert_allclose(ts["needs_met_weighted_share"], ts["needs_met_share"], rtol=1e-12)
    g = m.recorder.group_table()
    for col in ("needs_met_weighted", "needs_lapsed_weighted", "needs_met_weighted_share"):
        assert col in g.columns
    by_month = g.groupby("month")[["needs_met_weighted", "needs_lapsed_weighted"]].sum()
    np.testing.assert_allclose(by_month["needs_met_weighted"].to_numpy(), ts["needs_met_weighted"].to_numpy())
    np.testing.assert_allclose(by_month["needs_lapsed_weighted"].to_numpy(), ts["needs_lapsed_weighted"].to_numpy())
    elderly = g[g["group"] == "elderly"]
    closed = elderly["needs_met"] + elderly["needs_lapsed"]
    share = np.where(closed > 0, elderly["needs_met"] / closed.where(closed > 0, 1), 0.0)
    np.testing.assert_allclose(elderly["needs_met_weighted_share"], share, rtol=1e-12)


def test_by_group_table_is_written_with_the_weighted_columns(tmp_path):
    from model.output import write_run

    m = run_model(months=3, seed=1)
    write_run(m, tmp_path)
    g = pd.read_csv(tmp_path / "by_group.csv")
    ts = pd.read_csv(tmp_path / "timeseries.csv")
    assert {"needs_met_weighted", "needs_lapsed_weighted", "needs_met_weighted_share"} <= set(g.columns)
    assert {"needs_met_weighted", "needs_met_weighted_share", "equity_gap_groups_weighted"} <= set(ts.columns)


# the constructed case: committees that can serve almost nothing (one staff member, 200 hours a
# need, no building-head volunteers), no organizations, and residents' micro-projects paid by a large self-governance fund that
# meet either only culture and sport needs (light, weight 1) or only elder care (heavy, weight 4)
SCARCE = {"parameters.organizations.initial_per_100k": 0.0, "parameters.social_workers.initial_per_100k": 0.0,
          "parameters.committees.hours_per_need": 200.0, "parameters.committees.staff": 1,
          "parameters.committees.building_heads_per_1000": 0.0}
PROJECTS = {"parameters.committees.self_governance_fund_yuan": 200000.0}
ARMS = {"none": SCARCE,
        "culture": {**SCARCE, **PROJECTS, "parameters.committees.project_kinds": ["culture_sport"]},
        "elder": {**SCARCE, **PROJECTS, "parameters.committees.project_kinds": ["elder_care"]}}


@pytest.fixture(scope="module")
def light_case(tmp_path_factory):
    folder = tmp_path_factory.mktemp("severity")
    path = write_experiment(folder, experiment_text(name="light", months=24, replications=6, seed=7, arms=ARMS))
    out = folder / "out"
    run_quiet(path, out, figures=False)
    eff = pd.read_csv(out / "effects.csv").set_index(["arm", "outcome"])
    return path, out, eff


def test_an_arm_serving_only_light_needs_raises_counts_not_the_weighted_share(light_case):
    _path, _out, eff = light_case
    met, share, wshare = (eff.loc[("culture", o)] for o in ("needs_met", "needs_met_share", "needs_met_weighted_share"))
    assert met["ci_low"] > 0 and met["p_adjusted"] < 0.05  # clearly more needs met
    assert share["effect"] > 0.1  # the share of needs met rises by more than 10 points
    # a culture need weighs 1 and the mean need closed about 2.7, so the weighted share rises by
    # about 0.4 of the count share's rise; the test allows up to half (the report's threshold)
    assert wshare["effect"] < 0.5 * share["effect"]
    # the heavy arm: the weighted share rises more than the count share
    e_share, e_wshare = (eff.loc[("elder", o), "effect"] for o in ("needs_met_share", "needs_met_weighted_share"))
    assert e_wshare > e_share > 0.1


def test_the_report_says_which_arm_serves_light_needs(light_case, tmp_path):
    from experiments.i18n import t
    from experiments.report import serves_light_needs

    _path, out, eff = light_case
    rows = {arm: [eff.loc[(arm, o)] for o in ("needs_met", "needs_met_share", "needs_met_weighted_share")]
            for arm in ("culture", "elder")}
    assert serves_light_needs(*rows["culture"]) and not serves_light_needs(*rows["elder"])
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "## " + t("severity", "en") in report
    lines = [line for line in report.splitlines() if line.startswith("- **")]
    flagged = [line for line in lines if "while heavy ones wait" in line]
    assert len(flagged) == 1 and flagged[0].startswith("- **culture**"), flagged
    assert any(line.startswith("- **elder**") and "severity-weighted share" in line for line in lines)


def test_the_light_needs_sentence_in_chinese(light_case, tmp_path):
    from experiments.i18n import t

    path, out, _eff = light_case
    zh = tmp_path / "zh"
    shutil.copytree(out, zh)
    run_quiet(path, zh, figures=False, resume=True, lang="zh")  # the finished runs are kept
    report = (zh / "report.md").read_text(encoding="utf-8")
    assert "## " + t("severity", "zh") in report
    flagged = [line for line in report.splitlines() if "较重的需求仍在等待" in line]
    assert len(flagged) == 1 and flagged[0].startswith("- **culture**"), flagged


def test_needs_by_group_has_the_weighted_share(light_case):
    _path, out, _eff = light_case
    g = pd.read_csv(out / "needs_by_group.csv")
    assert "needs_met_weighted_share" in g.columns
    # the elderly raise elder-care needs (weight 4) and culture needs (weight 1): where the arm
    # meets only culture needs their weighted share stays below their share, where it meets only
    # elder care it is above
    elderly = g[g["group"] == "elderly"].set_index("arm")
    assert elderly.loc["culture", "needs_met_weighted_share"] < elderly.loc["culture", "needs_met_share"]
    assert elderly.loc["elder", "needs_met_weighted_share"] > elderly.loc["elder", "needs_met_share"]


def test_committee_gap_percentiles_equal_numpys_to_the_last_bit():
    """``_percentile_sorted`` (behind ``equity_gap_committees``) gives np.percentile's values exactly."""
    from model.outcome_measures import _percentile_sorted

    rng = np.random.default_rng(7)
    for i in range(3000):
        n = int(rng.integers(2, 80))
        x = rng.random(n) if i % 2 else rng.integers(0, 6, n) / rng.integers(1, 9, n)
        s = np.sort(x)
        for q in (0, 10, 50, 90, 100):
            assert _percentile_sorted(s, q) == float(np.percentile(x, q))


def test_group_gaps_equal_the_numpy_expression_to_the_last_bit():
    """``_gap_groups`` (plain Python over the few groups) equals the array expression it replaced."""
    rng = np.random.default_rng(11)

    def numpy_gap(met_w, lapsed_w, min_closed, weighted=None):
        met = np.sum(met_w, axis=0)
        closed = met + np.sum(lapsed_w, axis=0)
        ok = (closed >= min_closed) & (closed > 0)
        if weighted is not None:
            w = np.sum(weighted, axis=0)
            met, closed = w[:, 0], w[:, 0] + w[:, 1]
            ok &= closed > 0
        if ok.sum() < 2:
            return 0.0
        share = met[ok] / closed[ok]
        return float(share.max() - share.min())

    for _ in range(2000):
        months = int(rng.integers(1, 13))
        met_w = [rng.integers(0, 30, 10) * (rng.random(10) < 0.8) for _ in range(months)]
        lapsed_w = [rng.integers(0, 30, 10) * (rng.random(10) < 0.8) for _ in range(months)]
        weighted = [rng.lognormal(0, 2, (10, 2)) * (rng.random((10, 1)) < 0.8) for _ in range(months)]
        min_closed = int(rng.integers(0, 40))
        assert _gap_groups(met_w, lapsed_w, min_closed) == numpy_gap(met_w, lapsed_w, min_closed)
        assert (_gap_groups(met_w, lapsed_w, min_closed, weighted=weighted)
                == numpy_gap(met_w, lapsed_w, min_closed, weighted=weighted))


def test_reserve_median_equals_numpys_to_the_last_bit():
    """``_median`` (behind organization_reserve_months_median) gives float(np.median(values)) exactly."""
    import math

    from model.outcome_measures import _median

    rng = np.random.default_rng(5)
    for i in range(3000):
        values = (rng.lognormal(0, 3, int(rng.integers(1, 12))) * rng.choice([-1.0, 1.0])).tolist()
        assert _median(values) == float(np.median(values))
    for values in ([-0.0], [-0.0, -0.0], [-1.0, -0.0, -0.0, 2.0], [0.0, -0.0], [-0.0, 0.0, 3.0]):
        assert repr(_median(values)) == repr(float(np.median(values)))  # the sign of zero too
    assert math.isnan(_median([1.0, math.nan, 2.0])) and math.isnan(float(np.median([1.0, math.nan, 2.0])))
