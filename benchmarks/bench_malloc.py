"""Measure what ``MALLOC_TRIM_THRESHOLD_`` (set by Dask's nanny) costs a run, and what the fix gives back.

    python -m benchmarks.bench_malloc [--months 60] [--runs 5] [--dask]

Each setting runs in a fresh process (the variables act at process start):
no ``MALLOC_*`` variable; Dask's ``MALLOC_TRIM_THRESHOLD_=65536``; and that
plus ``MALLOC_MMAP_THRESHOLD_=32 MiB`` (the fix in ``executors.DASK_WORKER_ENV``).
With ``--dask`` also on LocalCluster workers with Dask's default nanny
environment and with ours. Prints the median CPU time, wall time and minor
page faults per run of one street (the baseline preset); CPU time and page
faults hold up on a busy machine, wall time does not. Results are in
docs/experiments.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from experiments.executors import DASK_WORKER_ENV

ROOT = Path(__file__).resolve().parent.parent


def one_run(seed: int, months: int) -> tuple[float, float, int]:
    """(CPU s, wall s, minor page faults) of one run in this process."""
    from model import CommunityModel  # here, so that only the measured processes load the model

    r0 = resource.getrusage(resource.RUSAGE_SELF)
    c0, w0 = time.process_time(), time.perf_counter()
    CommunityModel("baseline", rng=seed).run(months)
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    return time.process_time() - c0, time.perf_counter() - w0, r1.ru_minflt - r0.ru_minflt


def _show(label: str, res: list) -> None:
    cpu = statistics.median(r[0] for r in res)
    wall = statistics.median(r[1] for r in res)
    faults = statistics.median(r[2] for r in res)
    print(f"{label:40s} cpu {cpu:5.2f} s   wall {wall:5.2f} s   minor page faults {faults:>10,.0f}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--months", type=int, default=60)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--dask", action="store_true", help="also measure on Dask LocalCluster workers")
    args = ap.parse_args()
    code = (f"import json, sys; sys.path.insert(0, {str(ROOT)!r}); from benchmarks.bench_malloc import one_run; "
            f"one_run(0, 3); print(json.dumps([one_run(s, {args.months}) for s in range(1, {args.runs + 1})]))")
    mmap = str(32 * 1024 * 1024)
    for label, env in [("no MALLOC_ variable", {}),
                       ("MALLOC_TRIM_THRESHOLD_=65536 (Dask's)", {"MALLOC_TRIM_THRESHOLD_": "65536"}),
                       ("the same + MALLOC_MMAP_THRESHOLD_ (fix)",
                        {"MALLOC_TRIM_THRESHOLD_": "65536", "MALLOC_MMAP_THRESHOLD_": mmap})]:
        full = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
        full.update(env)
        out = subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True, check=True)
        _show(label, json.loads(out.stdout.strip().splitlines()[-1]))
    if args.dask:
        import dask  # Dask: optional, imported only for --dask
        from distributed import Client, LocalCluster

        for label, env in [("Dask workers, default nanny environment", {}),
                           ("Dask workers, our nanny environment", DASK_WORKER_ENV)]:
            cfg = {f"distributed.nanny.pre-spawn-environ.{k}": v for k, v in env.items()}
            with dask.config.set(cfg), LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                                    dashboard_address=None, silence_logs=40) as cl, Client(cl) as c:
                [f.result() for f in [c.submit(one_run, 0, 3, pure=False) for _ in range(2)]]
                futures = [c.submit(one_run, s, args.months, pure=False) for s in range(1, 2 * args.runs + 1)]
                _show(label, [f.result() for f in futures])


if __name__ == "__main__":
    main()
