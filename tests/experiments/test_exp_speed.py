"""The serial part of an experiment kept small: runs reduced in their worker, pool workers started (and
warmed up) before the parent validates, stopped at once after the last run; every output unchanged."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from exp_helpers import folder_digest, run_quiet, write_experiment

from experiments import executors, worker
from experiments.design import Plan
from experiments.reduce import GROUP_SUMS, ReduceSpec, reduce_run
from experiments.load import load_experiment

RENT = "parameters.organizations.rent_subsidy_share"


def test_a_run_reduced_in_its_worker_equals_the_reduction_of_its_file(tmp_path):
    exp = load_experiment(write_experiment(tmp_path))
    task = Plan(exp).tasks(range(1))[1]
    spec = ReduceSpec(("needs_met_share", "satisfaction"))
    res = worker.execute(task, spec)
    assert res["ok"]
    in_worker = res["reduced"]
    table = pd.read_parquet(io.BytesIO(res["parquet"]), engine="pyarrow")
    from_file = reduce_run(table, spec, swept_point=False)
    assert in_worker.values == from_file.values and len(in_worker.values) > 20
    assert in_worker.band.dtype == from_file.band.dtype and np.array_equal(in_worker.band, from_file.band)
    assert in_worker.months.dtype == from_file.months.dtype and np.array_equal(in_worker.months, from_file.months)
    # runs of a sweep's design points keep no monthly series
    assert reduce_run(table, spec, swept_point=True).band is None
    # without a spec nothing is reduced (the parent reads the file)
    assert "reduced" not in worker.execute(task)


@pytest.mark.slow
def test_warmed_up_prestarted_pool_gives_the_same_files_as_in_process(tmp_path):
    path = write_experiment(tmp_path, arms={"base": {}, "rent": {RENT: 0.8}}, replications=3, months=8)
    digests = {}
    for name, workers in (("inprocess", 0), ("pool", 2)):
        if workers:
            executors.prestart(workers)  # as the command line does: warmed-up workers
        res = run_quiet(path, tmp_path / name, workers=workers)
        assert executors._prestarted is None
        assert res.exit_code == 0 and res.done == 6
        digests[name] = folder_digest(tmp_path / name)
    assert sum(k.startswith("figures/") for k in digests["pool"]) == 4
    assert digests["pool"] == digests["inprocess"]


def test_a_prestarted_pool_is_taken_once_or_stopped():
    executors.prestart(1)
    pool = executors.make_executor(1, None)
    try:
        assert isinstance(pool, executors.LocalPool) and pool.warm and pool.workers == 1
        assert executors._prestarted is None
        # another experiment in this process gets a fresh pool
        other = executors.make_executor(1, None)
        assert other is not pool and not other.warm
    finally:
        pool.finish()
    executors.prestart(1)
    assert isinstance(executors.make_executor(0, None), executors.InProcess)
    assert executors._prestarted is None  # stopped: it did not fit


def test_a_runs_outcome_is_its_mean_over_the_window_of_last_months():
    """Windowed values: each outcome is the mean of the run's last ``window`` months (the
    whole-run totals and the group sums are not windowed); a window of 1 is the last month."""
    from model.outcomes import OUTCOME_NAMES

    months = np.arange(1, 31)
    table = pd.DataFrame({name: months * (i + 1.0) for i, name in enumerate(OUTCOME_NAMES)})
    table["month"] = months
    for c in GROUP_SUMS:
        table[c] = 1.0
    mean_12 = reduce_run(table, ReduceSpec((), 12), swept_point=False).values
    last = reduce_run(table, ReduceSpec((), 1), swept_point=False).values
    first = OUTCOME_NAMES[0]
    assert mean_12[first] == pytest.approx(np.mean(months[-12:])) == pytest.approx(24.5)
    assert last[first] == 30.0 and last[OUTCOME_NAMES[1]] == 60.0
    assert mean_12["total.needs_met"] == last["total.needs_met"] == table["needs_met"].sum()


def test_the_default_window_is_12_months_or_the_whole_of_a_shorter_run(tmp_path):
    long = load_experiment(write_experiment(tmp_path, filename="a.toml", months=36))
    short = load_experiment(write_experiment(tmp_path, filename="b.toml", months=8))
    assert (long.window, short.window) == (12, 8)
    windowed = write_experiment(tmp_path, filename="c.toml", months=36, meta="window_months = 3")
    assert load_experiment(windowed).window == 3
