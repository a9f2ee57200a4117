"""Drawing uncertain parameters from a posterior: reading and checking its folder, resampling by weight,
the rest of the uncertain entries, tie rules, provenance, resume after kill -9, the example file."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.design import Plan, replication_seed
from experiments.load import ExperimentError, load_experiment
from experiments.posterior import read_posterior, resample
from experiments.uncertainty import range_values, uncertain_entries

from exp_helpers import (PYTHON, ROOT, RUN_PY, assert_same_bytes, checkout_state, folder_digest, run_quiet,
                         write_experiment)

FIXTURE = Path(__file__).resolve().parent / "posterior_fixture"
HOURS = "parameters.committees.hours_per_need"
PROJECT = "parameters.committees.micro_project_needs_month"
FOUNDING = "parameters.organizations.founding_rate"
SKILL_LO = "parameters.social_workers.initial_skill_lo"
SKILL_HI = "parameters.social_workers.initial_skill_hi"
AGE_MAX = "parameters.organizations.initial_age_max_months"
WEIGHTS = np.array([0.3, 0.2, 0.2, 0.15, 0.15, 0.0])


def write_posterior(folder: Path, columns: dict[str, list[float]], weights: list[float], **meta) -> Path:
    """A posterior folder in the calibration's format (posterior.csv, posterior.json, summaries.csv)."""
    folder.mkdir(parents=True, exist_ok=True)
    n = len(weights)
    table = pd.DataFrame({"particle": range(n), "weight": weights, **columns})
    table.to_csv(folder / "posterior.csv", index=False)
    pd.DataFrame({"particle": range(n), "s": [0.0] * n}).to_csv(folder / "summaries.csv", index=False)
    doc = {"format": 1, "model_version": "test", "git_commit": "abc", "seed": 5, "setting": "test", "settings": {},
           "parameters": [{"path": p} for p in columns], "statistics": ["s"], "generations": [],
           "created": "2026-12-03T00:00:00+00:00", **meta}
    (folder / "posterior.json").write_text(json.dumps(doc), encoding="utf-8")
    return folder


def posterior_experiment(tmp_path: Path, posterior: str, draws: int = 8, extra: str = "", **kwargs) -> Path:
    arms = {"base": {}, "hours": {HOURS: 20.0}}
    text = f'[uncertainty]\ndraws = {draws}\nposterior = "{posterior}"\n{extra}'
    return write_experiment(tmp_path, arms=arms, extra=text, **{"months": 2, "replications": 2, **kwargs})


def test_the_fixture_reads_and_systematic_resampling_draws_each_particle_by_its_weight():
    post, problems = read_posterior(FIXTURE)
    assert problems == [] and post.paths == [HOURS, PROJECT, FOUNDING]
    assert post.weights == pytest.approx(WEIGHTS) and post.values[0] == pytest.approx([8.5, 5.0, 0.018])
    assert post.meta["seed"] == 7 and len(post.csv_sha256) == 64
    for n, seed in [(10, 1), (37, 2), (1000, 3)]:
        picked = resample(WEIGHTS, n, seed)
        counts = np.bincount(picked, minlength=6)
        # systematic: every particle floor(n w) or ceil(n w) times; weight 0 never
        assert np.all(counts >= np.floor(n * WEIGHTS)) and np.all(counts <= np.ceil(n * WEIGHTS))
        assert counts[5] == 0 and counts.sum() == n
        assert np.array_equal(picked, resample(WEIGHTS, n, seed))  # same seed, same particles
    assert not np.array_equal(resample(WEIGHTS, 1000, 3), resample(WEIGHTS, 1000, 4))
    assert sorted(resample(np.full(8, 0.125), 8, 9)) == list(range(8))  # equal weights: each once


def test_posterior_draws_rest_from_ranges_or_defaults_and_arms_keep_their_own_entries(tmp_path):
    exp = load_experiment(posterior_experiment(tmp_path, str(FIXTURE), extra="seed = 4"))
    d = exp.draws
    post, _ = read_posterior(FIXTURE)
    assert d.paths[:3] == post.paths and d.rest == "ranges"
    assert np.array_equal(d.values[:, :3], post.values[d.particles])
    assert np.array_equal(d.particles, resample(post.weights, 8, 4))
    rest = [p for p in uncertain_entries() if p not in post.paths]
    assert d.paths[3:] == rest
    # the rest come from the same stream and design as draws without a posterior (ties aside)
    _, raw = range_values(rest, 8, 4, "lhs")
    j = rest.index("parameters.committees.staff_attrition_base")
    assert np.array_equal(d.values[:, 3 + j], raw[:, j])
    tasks = Plan(exp).tasks(range(2))
    by = {(t.arm, t.draw, t.replication): t for t in tasks}
    for k in range(8):
        assert HOURS not in by[("hours", k, 0)].overrides and by[("base", k, 0)].overrides[HOURS] == d.values[k, 0]
        assert by[("base", k, 1)].seed == by[("hours", k, 1)].seed == replication_seed(exp.seed, 1)
    exp_default = load_experiment(posterior_experiment(tmp_path, str(FIXTURE), extra='seed = 4\nrest = "default"',
                                                       name="dflt"))
    assert exp_default.draws.paths == post.paths and exp_default.draws.rest == "default"
    assert np.array_equal(exp_default.draws.particles, d.particles)


def test_posterior_values_pass_the_tie_rules_and_integers_are_rounded(tmp_path):
    write_posterior(tmp_path / "post", {SKILL_LO: [0.6, 0.2], SKILL_HI: [0.4, 0.7], AGE_MAX: [40.4, 80.6]},
                    [0.5, 0.5])
    exp = load_experiment(posterior_experiment(tmp_path, "post", draws=4, extra='rest = "default"'))
    d = exp.draws
    lo, hi, age = (d.paths.index(p) for p in (SKILL_LO, SKILL_HI, AGE_MAX))
    swapped = d.particles == 0
    assert np.all(d.values[swapped, lo] == 0.4) and np.all(d.values[swapped, hi] == 0.6)
    assert set(d.values[:, age]) == {40.0, 81.0} and d.overrides(0)[AGE_MAX] in (40, 81)


def test_drawn_community_type_factors_need_no_tie_rule_the_model_scales_them():
    """Group factors drawn high (old lanes' named groups over 1 in all) validate: the model scales them."""
    assert load_experiment(ROOT / "experiments" / "uncertainty-modes.toml").draws is not None


@pytest.mark.parametrize("change, fragments", [
    (lambda f: (f / "posterior.json").write_text("{not json", encoding="utf-8"), ["posterior.json: cannot be read"]),
    (lambda f: (f / "posterior.json").write_text('{"format": 1, "parameters": [{"path": "x"}]}', encoding="utf-8"),
     ["its parameters ['x'] are not the columns"]),
    (lambda f: (f / "posterior.csv").write_text(f"particle,weight,{HOURS},{HOURS}\n0,1,6,6\n", encoding="utf-8"),
     ["listed twice"]),
    (lambda f: (f / "posterior.csv").write_text(f"particle,weight,{HOURS}\n1,0.5,6\n0,0.5,7\n", encoding="utf-8"),
     ["row 2: particle '1'; allowed: 0", "row 3: particle '0'; allowed: 1"]),
    (lambda f: (f / "posterior.csv").write_text(f"particle,weight,{HOURS}\n0,1\n", encoding="utf-8"),
     ["row 2: 2 cells; allowed: 3"]),
    (lambda f: (f / "posterior.csv").write_text(f"weight,particle,{HOURS}\n1,0,6\n", encoding="utf-8"),
     ["the header starts ['weight', 'particle']"]),
    (lambda f: (f / "posterior.csv").write_text(f"particle,weight,{HOURS}\n0,0.5,inf\n1,0.5,x\n", encoding="utf-8"),
     ["'inf' is not a finite number", "'x' is not a finite number"]),
])
def test_every_posterior_problem_is_named_with_its_file(tmp_path, change, fragments):
    folder = write_posterior(tmp_path / "post", {HOURS: [6.0, 7.0]}, [0.5, 0.5])
    (folder / "posterior.json").write_text(json.dumps({"format": 1, "parameters": [{"path": HOURS}]}), encoding="utf-8")
    change(folder)
    with pytest.raises(ExperimentError) as err:
        load_experiment(posterior_experiment(tmp_path, "post"))
    text = str(err.value)
    assert "uncertainty.posterior" in text and str(folder) in text
    assert all(f in text for f in fragments), text


def test_weights_within_the_tolerance_pass(tmp_path):
    write_posterior(tmp_path / "post", {HOURS: [6.0, 7.0]}, [0.5, 0.5 + 5e-7])
    assert load_experiment(posterior_experiment(tmp_path, "post")).draws is not None
    write_posterior(tmp_path / "post", {HOURS: [6.0, 7.0]}, [0.5, 0.5 + 5e-6])
    with pytest.raises(ExperimentError, match="add up to 1.000005"):
        load_experiment(posterior_experiment(tmp_path, "post"))


def test_a_posterior_run_records_which_posterior_and_resumes(tmp_path):
    path = posterior_experiment(tmp_path, str(FIXTURE), draws=4)
    out = tmp_path / "out"
    res = run_quiet(path, out, figures=False)
    assert res.exit_code == 0 and res.executed == 16
    record = json.loads((out / "posterior_used.json").read_text(encoding="utf-8"))
    post, _ = read_posterior(FIXTURE)
    assert record["posterior_csv_sha256"] == post.csv_sha256 and record["draws"] == 4
    assert record["seed"] == 7 and record["setting"] == "fixture" and record["rest"] == "ranges"
    assert record["resampling"] == "systematic" and sum(record["draws_per_particle"].values()) == 4
    assert record["distinct_particles"] == len(record["draws_per_particle"])
    assert record["kept_by_arm"] == {"hours": [HOURS]}  # the arm sets it: its runs keep 20.0
    draws = pd.read_csv(out / "draws.csv")
    assert list(draws.columns[:3]) == ["draw", "particle", HOURS] and len(draws) == 4
    assert (out / "uncertainty.csv").exists() and (out / "ranking.csv").exists()
    report = (out / "report.md").read_text(encoding="utf-8")
    assert post.csv_sha256 in report and "distinct particles of 6" in report and "systematic resampling" in report
    assert "keeps its own `committees.hours_per_need`" in report
    first = folder_digest(out)
    (out / "manifest" / "hours.d0002.r0001.json").unlink()
    assert run_quiet(path, out, figures=False, resume=True).executed == 1
    assert folder_digest(out) == first


@pytest.mark.slow
def test_kill_9_mid_posterior_experiment_then_resume_gives_the_same_bytes(tmp_path):
    state = checkout_state()
    path = posterior_experiment(tmp_path, str(FIXTURE), draws=4, months=6)
    ref = tmp_path / "ref"
    assert run_quiet(path, ref, figures=False).exit_code == 0
    out = tmp_path / "out"
    proc = subprocess.Popen([PYTHON, str(RUN_PY), "experiment", str(path), "--out", str(out), "--quiet",
                             "--workers", "1"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None and len(list(out.glob("manifest/*.json"))) < 3:
        time.sleep(0.01)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL, "the experiment ended before it was killed"
    res = run_quiet(path, out, figures=False, resume=True)
    assert res.exit_code == 0 and res.done == 16 and 0 < res.executed < 16
    canonical = lambda root: {k: v for k, v in folder_digest(root).items() if not k.startswith("figures/")}  # noqa: E731
    assert_same_bytes(canonical(out), canonical(ref), state)


def test_the_example_file_needs_its_posterior_and_validates_with_one(tmp_path):
    example = ROOT / "experiments" / "posterior-modes.toml"
    (tmp_path / "experiments").mkdir()
    shutil.copy(example, tmp_path / "experiments" / example.name)
    copied = tmp_path / "experiments" / example.name
    res = subprocess.run([PYTHON, str(RUN_PY), "validate", str(copied)], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "uncertainty.posterior" in res.stderr and "no such folder" in res.stderr
    assert "calibrate --abc --setting full" in res.stderr
    shutil.copytree(FIXTURE, tmp_path / "results" / "posterior" / "full")
    exp = load_experiment(copied)
    assert len(exp.visible_arms) == 6 and exp.draws.posterior.paths == [HOURS, PROJECT, FOUNDING]
