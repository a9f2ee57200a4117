"""The validation record's checks (experiments.validation): figures from data, values from a run table."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from experiments.validation import OUT_OF_SAMPLE, figure_of, model_value

ROOT = Path(__file__).resolve().parents[1]
CHECKS = {c.name: c for c in OUT_OF_SAMPLE}


def test_out_of_sample_figures_are_read_from_the_out_of_sample_files():
    assert figure_of(CHECKS["certified_social_workers_2017"]) == 16912
    assert figure_of(CHECKS["certified_social_workers_2020"]) == 30928
    # 2015 from the calibration file, 2018 from the out-of-sample one: yearly log growth
    assert figure_of(CHECKS["organizations_growth_2015_2018"]) == pytest.approx(math.log(16232 / 13355) / 3)
    # Pudong's registered community organizations over all its registered organizations, 2020
    assert figure_of(CHECKS["community_share_2020"]) == pytest.approx(571 / 2376)


def test_model_values_come_from_the_run_table():
    table = pd.DataFrame({"date": ["2015-12", "2017-12", "2018-12"], "social_workers": [100.0, 200.0, 300.0],
                          "certified_share": [0.5, 0.25, 0.1], "organizations_registered": [99.0, 120.0, 199.0]})
    assert model_value(table, CHECKS["certified_social_workers_2017"]) == pytest.approx(50.0)
    assert model_value(table, CHECKS["organizations_growth_2015_2018"]) == pytest.approx(math.log(200 / 100) / 3)
    # the modelled community organizations in 2018 over the city's registered total of 2018
    assert model_value(table, CHECKS["community_share_2020"]) == pytest.approx(199.0 / 16232)


def test_bad_seed_count_is_refused_with_exit_2_and_nothing_written():
    before = (ROOT / "docs" / "validation.md").read_bytes()
    res = subprocess.run([sys.executable, str(ROOT / "run.py"), "check-history", "--seeds", "1", "--write"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 2 and "--seeds 1" in res.stderr and "Traceback" not in res.stderr
    assert (ROOT / "docs" / "validation.md").read_bytes() == before


def test_posterior_predictive_draws_particles_by_weight_each_with_its_own_seed():
    from experiments.validation import posterior_tasks

    folder = ROOT / "tests" / "experiments" / "posterior_fixture"
    tasks, prov = posterior_tasks(folder, 8, seed=3)
    again, _ = posterior_tasks(folder, 8, seed=3)
    assert tasks == again  # the same seed picks the same particles
    assert [t[0] for t in tasks] == list(range(1, 9))  # one model seed per draw
    assert prov["draws"] == 8 and 1 <= prov["distinct_particles"] <= prov["particles"]
    assert set(tasks[0][1]) == set(prov["parameters"])


def test_a_missing_posterior_is_refused_with_exit_2(tmp_path):
    res = subprocess.run([sys.executable, str(ROOT / "run.py"), "check-history", "--posterior", str(tmp_path / "none")],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 2 and "no such folder" in res.stderr and "Traceback" not in res.stderr
