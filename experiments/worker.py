"""What a worker does with one task: build the scenario, run the model, return its table as Parquet bytes.

The function is importable by name (spawned pool processes and Dask workers
import it) and never raises: a failing run comes back with its traceback, so
the parent can record it and let the other runs finish.
"""

from __future__ import annotations

import ctypes
import io
import os
import sys
import time
import traceback
from typing import Any

import numpy as np
import pandas as pd

from model import CommunityModel
from model.output import git_commit, versions
from model.params import COMMUNITY_TYPES, GROUPS
from model.scenario import load_scenario, validate_dict, with_overrides

from .checkout import code_digest
from .design import Task
from .reduce import GAP_COLUMNS, LAST_MONTHS, ReduceSpec, reduce_run

M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024
"""glibc's own ceiling for its dynamic mmap threshold (64-bit)."""

_malloc_tuned = False


def tune_malloc() -> bool:
    """Undo the slowdown an explicit ``MALLOC_TRIM_THRESHOLD_`` causes in numpy-heavy runs.

    Setting ``MALLOC_TRIM_THRESHOLD_`` (Dask's nanny sets 65536 in every
    worker) switches off glibc's dynamic mmap threshold: every array above
    128 KiB is then mmap'ed and unmapped afresh, page-faulting on each use.
    Measured here with the numpy version of the model (one street of 100,000
    residents, 60 months): 0.70 s CPU without the variable, 1.42 s with it,
    0.62 s with it plus this fix (425,000 vs 1,800 minor page faults); with
    the compiled kernels now in the model the cost is within noise (see
    docs/experiments.md, ``python -m benchmarks.bench_malloc``). Raising the mmap threshold to glibc's
    own dynamic ceiling restores the fast path and keeps Dask's trimming of
    the heap top. Only acts on Linux/glibc when the variable is set and
    ``MALLOC_MMAP_THRESHOLD_`` is not. Returns whether it acted.
    """
    global _malloc_tuned
    if _malloc_tuned or not sys.platform.startswith("linux"):
        return False
    if "MALLOC_TRIM_THRESHOLD_" not in os.environ or "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        _malloc_tuned = bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
    except (OSError, AttributeError):
        return False
    return _malloc_tuned


def run_table(model: CommunityModel) -> pd.DataFrame:
    """A run's table: ``month``, every declared outcome, then needs met and lapsed by resident group
    and by community type (counted and severity-weighted; 0 for a type the world lacks), and in the
    last row the gap between committees over the last 12 months (``GAP_COLUMNS``, NaN before)."""
    ts = model.recorder.timeseries()
    ts = ts.drop(columns=[c for c in ("date",) if c in ts.columns])
    groups = model.recorder.group_table()
    extra = {}
    for col in ("needs_met", "needs_lapsed", "needs_met_weighted", "needs_lapsed_weighted"):
        wide = groups.pivot(index="month", columns="group", values=col).reindex(columns=list(GROUPS))
        for g in GROUPS:
            extra[f"group.{g}.{col}"] = wide[g].to_numpy(dtype=np.float64)
    types = model.recorder.types.table()
    types = types[types["group"] == "all"]
    for col in ("needs_met", "needs_lapsed", "needs_met_weighted", "needs_lapsed_weighted"):
        wide = types.pivot(index="month", columns="type", values=col).reindex(columns=list(COMMUNITY_TYPES))
        for t in COMMUNITY_TYPES:
            extra[f"type.{t}.{col}"] = wide[t].fillna(0.0).to_numpy(dtype=np.float64)
    # the gap between committees over the run's last 12 months, in the last row only
    gap = model.recorder.committee_gap(LAST_MONTHS)
    for key, col in GAP_COLUMNS.items():
        extra[col] = np.full(len(ts), np.nan)
        if len(ts):
            extra[col][-1] = float(gap[key])
    return pd.concat([ts.reset_index(drop=True), pd.DataFrame(extra)], axis=1)


def parquet_bytes(df: pd.DataFrame) -> bytes:
    """Canonical Parquet bytes of a table (no index, fixed compression)."""
    buf = io.BytesIO()
    df.to_parquet(buf, engine="pyarrow", index=False, compression="zstd")
    return buf.getvalue()


_versions: dict[str, str] | None = None


def provenance() -> dict[str, Any]:
    """The git commit (read at each run: ~2 ms) and library versions (once per process) of this worker."""
    global _versions
    if _versions is None:
        _versions = versions()
    return {"git_commit": git_commit(), "versions": dict(_versions)}


def execute_many(tasks: list[Task], reduce: ReduceSpec | None = None) -> list[dict[str, Any]]:
    """Run several tasks one after the other (one Dask task for a chunk of runs); see :func:`execute`."""
    return [execute(task, reduce) for task in tasks]


def execute(task: Task, reduce: ReduceSpec | None = None) -> dict[str, Any]:
    """Run one task; return its Parquet bytes, or its traceback if it failed. Never raises.

    With ``reduce``, a finished run also comes back reduced (``"reduced"``: see :mod:`experiments.reduce`),
    so the parent need not read its file again; a reduction that fails is left out (the parent then
    reads the file)."""
    tune_malloc()
    start = time.perf_counter()
    out: dict[str, Any] = {"run_id": task.run_id, "key": task.key}
    try:
        out.update(provenance())
    except Exception:  # noqa: BLE001 - provenance must never fail a run
        out.update({"git_commit": "unknown", "versions": {}})
    try:
        scenario = validate_dict(task.base, f"<arm {task.arm}>")
        if task.overrides:
            scenario = with_overrides(scenario, task.overrides)
        model = CommunityModel(scenario, rng=task.seed)
        model.run(task.months)
        table = run_table(model)
        out["parquet"] = parquet_bytes(table)
        if reduce is not None:
            try:
                out["reduced"] = reduce_run(table, reduce, task.point is not None)
            except Exception:  # noqa: BLE001 - only a shortcut: the parent reduces the file instead
                pass
        out["scenario_sha256"] = scenario.digest()
        out["ok"] = True
    except Exception:  # noqa: BLE001 - a failing run is data: it is recorded and the rest go on
        out["ok"] = False
        out["traceback"] = traceback.format_exc()
    out["seconds"] = time.perf_counter() - start
    return out


def worker_info() -> dict[str, Any]:
    """What a worker runs (code and library versions), to check a joined Dask cluster matches ours."""
    return {"versions": versions(), "code": code_digest(),
            "malloc_trim": os.environ.get("MALLOC_TRIM_THRESHOLD_"),
            "malloc_mmap": os.environ.get("MALLOC_MMAP_THRESHOLD_")}


WARM_WORLD = {"world.committees_per_street": 2, "world.residents_per_committee": 200}


def warm_up() -> None:
    """Load what the first run would otherwise load: the model's compiled kernels (from numba's cache),
    by a two-month run of a tiny world (~0.25 s; the first real run is then ~0.5 s faster). Results do
    not depend on it: every run builds its model afresh from its own seed. Never raises."""
    try:
        scenario = with_overrides(load_scenario("shanghai-2015"), WARM_WORLD)
        CommunityModel(scenario, rng=0).run(2)
    except Exception:  # noqa: BLE001 - only a head start
        pass

