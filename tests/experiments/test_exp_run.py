"""Whole experiments on a tiny world: outputs, failures, resume, executors, auto replications, sensitivity."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import warnings

import numpy as np
import pandas as pd
import pytest
from exp_helpers import PYTHON, ROOT, RUN_PY, folder_digest, run_quiet, write_experiment

from experiments import worker
from experiments.design import replication_seed

RENT = "parameters.organizations.rent_subsidy_share"
FUND = "parameters.committees.self_governance_fund_yuan"


def test_in_process_experiment_writes_every_output(tmp_path):
    out = tmp_path / "out"
    res = run_quiet(write_experiment(tmp_path), out)
    assert (res.exit_code, res.done, res.failed, res.executed) == (0, 9, 0, 9)
    for name in ("experiment.toml", "manifest.csv", "summary.csv", "effects.csv", "cost_effectiveness.csv",
                 "needs_by_group.csv", "needs_by_type.csv", "report.md", "report.html"):
        assert (out / name).is_file(), name
    assert not (out / "failures.csv").exists()
    for fig in ("outcomes_over_time", "effects_forest", "cost_outcome_frontier", "needs_met_by_group"):
        assert (out / "figures" / f"{fig}.png").stat().st_size > 5000
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary.columns) == ["arm", "outcome", "mean", "ci_low", "ci_high", "n"]
    assert set(summary["arm"]) == {"base", "rent", "funds"} and (summary["n"] == 3).all()
    effects = pd.read_csv(out / "effects.csv")
    assert set(effects["arm"]) == {"rent", "funds"} and set(effects["reference"]) == {"base"}
    ce = pd.read_csv(out / "cost_effectiveness.csv")
    funds = ce[ce["arm"] == "funds"].iloc[0]
    assert funds["extra_public_yuan"] > 0  # self-governance funds are public money
    manifest = pd.read_csv(out / "manifest.csv")
    assert len(manifest) == 9 and manifest["run_id"].is_monotonic_increasing
    run = pd.read_parquet(out / "runs" / "rent.r0002.parquet")
    assert len(run) == 12 and "needs_met_share" in run and "group.elderly.needs_met" in run
    entry = json.loads((out / "manifest" / "rent.r0002.json").read_text())
    assert entry["seed"] == replication_seed(11, 2) and entry["overrides"] == {}
    report = (out / "report.md").read_text()
    assert "Which support helps?" in report and "Compared with base" in report
    assert "SHA-256" in report and "figures/effects_forest.png" in report
    by_type = pd.read_csv(out / "needs_by_type.csv")
    assert set(by_type["arm"]) == {"base", "rent", "funds"} and by_type["type"].nunique() >= 2
    assert "## By community type" in report and "old lane housing" in report
    # the gap between committees: kept in each run's last row, averaged over replications per arm
    gap = run["gap.between_type_share"]
    assert gap.iloc[:-1].isna().all() and 0.0 <= gap.iloc[-1] <= 1.0
    for arm, sub in by_type.groupby("arm"):
        kept = [pd.read_parquet(out / "runs" / f"{arm}.r{r:04d}.parquet").iloc[-1] for r in range(3)]
        for key in ("between_type_share", "org_services_share_of_within", "chance_share"):
            assert sub[key].nunique() == 1
            assert sub[key].iloc[0] == pytest.approx(np.mean([k[f"gap.{key}"] for k in kept]))
    assert "Gap between types" in report and "Within types: organizations" in report and "| Chance |" in report
    assert "data:image/png;base64," in (out / "report.html").read_text()


def test_the_report_says_which_groups_gain_most_and_least(tmp_path):
    """'Who gains' reads needs_by_group.csv: the group with the largest and the smallest change
    in share of needs met against the reference, per arm, and all residents' change."""
    from types import SimpleNamespace

    from experiments.report import _gains_blocks

    groups = pd.DataFrame({"arm": ["base"] * 3 + ["pilot"] * 3,
                           "group": ["elderly", "social_assistance", "others"] * 2,
                           "needs_met_share": [0.40, 0.30, 0.50, 0.42, 0.61, 0.49]})
    summary = pd.DataFrame({"arm": ["base", "pilot"], "outcome": ["needs_met_share"] * 2, "mean": [0.42, 0.45]})
    arms = {"base": SimpleNamespace(name="base", label="Base", label_zh="基"),
            "pilot": SimpleNamespace(name="pilot", label="Pilot", label_zh="试点")}
    exp = SimpleNamespace(reference="base", arms=list(arms.values()), arm=arms.__getitem__)
    blocks = _gains_blocks(exp, SimpleNamespace(groups=groups, summary=summary), "en")
    assert blocks[0] == ("h2", "Who gains")
    (line,) = blocks[2][1]
    assert line == ("**Pilot**: most for social-assistance recipients (+31.0 percentage points), least for other "
                    "residents (-1.0 percentage points); all residents +3.0 percentage points.")
    assert _gains_blocks(exp, SimpleNamespace(groups=groups[groups.arm == "pilot"], summary=summary), "en") == []


def test_rerun_without_resume_starts_afresh_and_resume_skips_finished_runs(tmp_path):
    path = write_experiment(tmp_path)
    out = tmp_path / "out"
    run_quiet(path, out, figures=False)
    first = folder_digest(out)
    again = run_quiet(path, out, figures=False, resume=True)
    assert again.executed == 0 and folder_digest(out) == first
    fresh = run_quiet(path, out, figures=False)
    assert fresh.executed == 9 and folder_digest(out) == first


def test_resume_never_reads_a_partial_or_stale_file(tmp_path):
    path = write_experiment(tmp_path)
    ref = tmp_path / "ref"
    run_quiet(path, ref, figures=False)
    out = tmp_path / "out"
    run_quiet(path, out, figures=False)
    # a crash: one run's file half-written (entry points at other bytes), one entry lost, a temp file left
    data = (out / "runs" / "base.r0001.parquet").read_bytes()
    (out / "runs" / "base.r0001.parquet").write_bytes(data[: len(data) // 2])
    (out / "manifest" / "funds.r0000.json").unlink()
    (out / "runs" / ".rent.r0000.parquet.abc.tmp").write_bytes(b"junk")
    res = run_quiet(path, out, figures=False, resume=True)
    assert res.executed == 2 and res.exit_code == 0
    assert folder_digest(out) == folder_digest(ref)


class _Failing(worker.CommunityModel):
    """A model that fails for one seed (replication 1), in every arm."""

    def __init__(self, scenario, rng=None):
        if rng == replication_seed(11, 1):
            raise RuntimeError("simulated failure")
        super().__init__(scenario, rng=rng)


def test_failing_runs_are_recorded_and_the_rest_finish(tmp_path, monkeypatch):
    path = write_experiment(tmp_path)
    out = tmp_path / "out"
    monkeypatch.setattr(worker, "CommunityModel", _Failing)
    res = run_quiet(path, out, figures=False)
    assert (res.exit_code, res.done, res.failed) == (1, 6, 3)
    failure = json.loads((out / "failures" / "rent.r0001.json").read_text())
    assert failure["seed"] == replication_seed(11, 1)
    assert failure["scenario"]["parameters"]["organizations"]["rent_subsidy_share"] == 0.8
    assert "RuntimeError: simulated failure" in failure["traceback"]
    assert len(pd.read_csv(out / "failures.csv")) == 3
    effects = pd.read_csv(out / "effects.csv")
    assert (effects["n"] == 2).all()  # pairs over the replications both arms finished
    assert "3 run(s) failed" in (out / "report.md").read_text()
    monkeypatch.undo()
    res = run_quiet(path, out, figures=False, resume=True)
    assert (res.exit_code, res.executed, res.failed) == (0, 3, 0)
    assert not (out / "failures.csv").exists() and not list((out / "failures").iterdir())


def test_auto_replications_stop_at_the_target_or_the_maximum(tmp_path):
    auto = '\n[experiment.auto]\noutcome = "participation_rate"\nhalf_width = {hw}\nmin = 3\nbatch = 2\nmax = 7\n'
    arms = {"base": {}, "funds": {FUND: 60000.0}}
    wide = write_experiment(tmp_path, filename="wide.toml", replications="auto", arms=arms,
                            meta=auto.format(hw=1.0).strip())
    res = run_quiet(wide, tmp_path / "wide", figures=False)
    assert res.replications == 3 and res.done == 6
    narrow = write_experiment(tmp_path, filename="narrow.toml", replications="auto", arms=arms,
                              meta=auto.format(hw=1e-12).strip())
    res = run_quiet(narrow, tmp_path / "narrow", figures=False)
    assert res.replications == 7 and res.done == 14
    history = pd.read_csv(tmp_path / "narrow" / "auto_replications.csv")
    assert history["replications"].tolist() == [3, 5, 7]
    assert "stopped at the maximum" in (tmp_path / "narrow" / "report.md").read_text()


@pytest.mark.parametrize("design, samples, index", [("sobol", 8, "ST"), ("morris", 4, "mu_star")])
def test_sensitivity_indices_with_intervals(tmp_path, design, samples, index):
    extra = (f'[sweep]\ndesign = "{design}"\nsamples = {samples}\n[sweep.factors]\n'
             f'"{FUND}" = [0.0, 80000.0]\n"parameters.committees.admin_burden" = [0.3, 0.7]\n')
    path = write_experiment(tmp_path, arms={"base": {}, "rent": {RENT: 0.8}}, replications=1, months=12,
                            extra=extra, meta='outcomes = ["participation_rate", "needs_met_share"]\n'
                                              'headline = ["participation_rate"]')
    out = tmp_path / "out"
    res = run_quiet(path, out)
    assert res.exit_code == 0
    sens = pd.read_csv(out / "sensitivity.csv")
    rows = sens[(sens["arm"] == "base") & (sens["quantity"] == "level") & (sens["index"] == index)
                & (sens["outcome"] == "participation_rate")].set_index("factor")
    assert (rows["ci_low"] <= rows["value"]).all() and (rows["value"] <= rows["ci_high"]).all()
    # the fund drives participation, the burden hardly
    assert rows.loc[FUND, "value"] > rows.loc["parameters.committees.admin_burden", "value"]
    assert set(sens["quantity"]) == {"level", "effect"}
    design_csv = pd.read_csv(out / "design.csv")
    assert len(design_csv) == (samples * 4 if design == "sobol" else samples * 3)
    assert (out / "figures" / "sensitivity.png").is_file()


def test_shapley_attribution_adds_up_to_the_effect(tmp_path):
    arms = {"base": {}, "both": {FUND: 60000.0, RENT: 0.8}}
    path = write_experiment(tmp_path, arms=arms, replications=3,
                            extra='[attribution]\narms = ["both"]\n',
                            meta='outcomes = ["participation_rate", "needs_met"]')
    out = tmp_path / "out"
    res = run_quiet(path, out, figures=False)
    assert res.exit_code == 0 and res.done == 4 * 3  # base, both and two one-lever arms
    att = pd.read_csv(out / "attribution.csv")
    part = att[att["outcome"] == "participation_rate"]
    effects = pd.read_csv(out / "effects.csv").set_index(["arm", "outcome"])
    assert part["shapley"].sum() == pytest.approx(effects.loc[("both", "participation_rate"), "effect"])
    assert set(part["lever"]) == {"committees.self_governance_fund_yuan", "organizations.rent_subsidy_share"}
    summary = pd.read_csv(out / "summary.csv")
    assert set(summary["arm"]) == {"base", "both"}  # the subset arms stay out of the summaries


def test_chinese_report_and_figures(tmp_path):
    """A zh report with its figures, drawn with a font that has the Chinese glyphs (mplfonts' Noto Sans CJK SC
    when the system has none): matplotlib reports no missing glyph."""
    out = tmp_path / "out"
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        res = run_quiet(write_experiment(tmp_path, arms={"base": {}, "funds": {FUND: 60000.0}}, replications=2),
                        out, lang="zh")
    assert res.exit_code == 0
    missing = [str(w.message) for w in seen if "missing from font" in str(w.message)]
    assert not missing, missing[:3]
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "研究问题" in report and "与base相比" in report and "附录：来源信息" in report
    assert (out / "figures" / "effects_forest.png").is_file()


def test_no_arguments_runs_the_default_experiment(monkeypatch):
    import experiments.cli as cli
    import run

    seen = {}

    def fake(args):
        seen["file"] = args.file
        return 0

    monkeypatch.setattr(cli, "run_experiment_cli", fake)
    assert run.main([]) == 0
    assert seen["file"] == str(ROOT / "experiments" / "default.toml")


@pytest.mark.slow
def test_process_pool_and_dask_local_cluster_equal_in_process(tmp_path):
    path = write_experiment(tmp_path, arms={"base": {}, "rent": {RENT: 0.8}}, replications=3, months=8)
    digests = {}
    env_before = {k: os.environ.get(k) for k in ("MALLOC_TRIM_THRESHOLD_", "PYTHONHASHSEED", "OMP_NUM_THREADS")}
    for name, kwargs in {"inprocess": {"workers": 0}, "pool": {"workers": 2},
                         "dask": {"workers": 2, "dask": "local"}}.items():
        res = run_quiet(path, tmp_path / name, figures=False, **kwargs)
        assert res.exit_code == 0 and res.done == 6
        digests[name] = folder_digest(tmp_path / name)
    assert digests["pool"] == digests["inprocess"]
    assert digests["dask"] == digests["inprocess"]
    # the nanny's pre-spawn environment does not leak into this process
    assert {k: os.environ.get(k) for k in env_before} == env_before


@pytest.mark.slow
def test_killed_experiment_resumes_to_the_same_bytes(tmp_path):
    arms = {"base": {}, "rent": {RENT: 0.8}, "funds": {FUND: 60000.0}}
    big = {"world.residents_per_committee": 4000}
    arms = {k: {**big, **v} for k, v in arms.items()}
    path = write_experiment(tmp_path, arms=arms, replications=12, months=24)
    ref = tmp_path / "ref"
    assert run_quiet(path, ref, figures=False).exit_code == 0

    out = tmp_path / "out"
    proc = subprocess.Popen([PYTHON, str(RUN_PY), "experiment", str(path), "--out", str(out), "--workers", "1",
                             "--quiet"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            entries = list((out / "manifest").glob("*.json")) if (out / "manifest").is_dir() else []
            if len(entries) >= 5 or proc.poll() is not None:
                break
            time.sleep(0.01)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the run.py process and its pool worker
        proc.wait(timeout=30)
    done_before = len(list((out / "manifest").glob("*.json")))
    assert 5 <= done_before < 36, "the kill must land mid-sweep"
    res = run_quiet(path, out, figures=False, resume=True)
    assert res.exit_code == 0 and res.executed == 36 - done_before
    assert folder_digest(out) == folder_digest(ref)


BURN_IN_EXPERIMENT = """[experiment]
name = "burn"
months = 12
window_months = 6
burn_in_months = 12
replications = 2
seed = 5
headline = ["needs_met_share"]

[[arm]]
name = "base"
scenario = "baseline"
[arm.set]
"world.committees_per_street" = 4
"world.residents_per_committee" = 500

[[arm]]
name = "package"
scenario = "shanghai-2015"
[arm.set]
"world.committees_per_street" = 4
"world.residents_per_committee" = 500
"""


def test_a_burn_in_runs_first_is_the_same_in_arms_that_differ_in_policies_and_is_never_reported(tmp_path):
    path = tmp_path / "burn.toml"
    path.write_text(BURN_IN_EXPERIMENT, encoding="utf-8")
    out = tmp_path / "out"
    res = run_quiet(path, out)
    assert (res.exit_code, res.failed) == (0, 0)
    base = pd.read_parquet(out / "runs" / "base.r0001.parquet")
    pkg = pd.read_parquet(out / "runs" / "package.r0001.parquet")
    assert len(base) == len(pkg) == 24  # 12 burn-in months, then the 12 reported ones
    numeric = [c for c in base.columns if base[c].dtype.kind in "fi"]
    # same seed, same world and parameters, no lever yet: identical to the last bit
    pd.testing.assert_frame_equal(base[numeric].iloc[:12], pkg[numeric].iloc[:12])
    # the package's levers start in the first reported month: its public spending departs from then on
    assert (pkg["public_spending_yuan"].iloc[12:].to_numpy() > base["public_spending_yuan"].iloc[12:].to_numpy()).any()
    summary = pd.read_csv(out / "summary.csv").set_index(["arm", "outcome"])
    runs = [pd.read_parquet(out / "runs" / f"package.r000{r}.parquet") for r in (0, 1)]
    window = [r["needs_met_share"].iloc[-6:].mean() for r in runs]  # the last 6 of the reported months
    assert summary.loc[("package", "needs_met_share"), "mean"] == pytest.approx(sum(window) / 2, rel=1e-9)  # summary.csv keeps 10 digits
    ce = pd.read_csv(out / "cost_effectiveness.csv").set_index("arm")
    bases = [pd.read_parquet(out / "runs" / f"base.r000{r}.parquet") for r in (0, 1)]
    extra = [(p["public_spending_yuan"].iloc[12:].sum() - b["public_spending_yuan"].iloc[12:].sum())
             for p, b in zip(runs, bases, strict=True)]  # whole-run totals skip the burn-in
    assert ce.loc["package", "extra_public_yuan"] == pytest.approx(sum(extra) / 2, abs=0.01)
    assert "burn-in of 12 months" in (out / "report.md").read_text()
