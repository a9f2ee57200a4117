"""The validation record's checks (model.tools.validation): figures from data, values from a run table."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from model.tools.validation import OUT_OF_SAMPLE, figure_of, model_value

ROOT = Path(__file__).resolve().parents[1]
CHECKS = {c.name: c for c in OUT_OF_SAMPLE}


def test_out_of_sample_figures_are_read_from_the_out_of_sample_files():
    assert figure_of(CHECKS["certified_social_workers_2017"]) == 16912
    assert figure_of(CHECKS["certified_social_workers_2020"]) == 30928
    # 2015 from the calibration file, 2018 from the out-of-sample one: yearly log growth
    assert figure_of(CHECKS["organizations_growth_2015_2018"]) == pytest.approx(math.log(16232 / 13355) / 3)


def test_model_values_come_from_the_run_table():
    table = pd.DataFrame({"date": ["2015-12", "2017-12", "2018-12"], "social_workers": [100.0, 200.0, 300.0],
                          "certified_share": [0.5, 0.25, 0.1], "organizations_registered": [99.0, 120.0, 199.0]})
    assert model_value(table, CHECKS["certified_social_workers_2017"]) == pytest.approx(50.0)
    assert model_value(table, CHECKS["organizations_growth_2015_2018"]) == pytest.approx(math.log(200 / 100) / 3)


def test_bad_seed_count_is_refused_with_exit_2_and_nothing_written():
    before = (ROOT / "docs" / "validation.md").read_bytes()
    res = subprocess.run([sys.executable, str(ROOT / "run.py"), "check-history", "--seeds", "1", "--write"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 2 and "--seeds 1" in res.stderr and "Traceback" not in res.stderr
    assert (ROOT / "docs" / "validation.md").read_bytes() == before
