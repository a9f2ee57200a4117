"""The results folder of an experiment: one Parquet file per finished run, a manifest entry per run.

Layout (all under ``results/<name>/`` unless ``--out``)::

    experiment.toml          the experiment file exactly as given
    runs/<run_id>.parquet    one finished run: month, outcomes, needs by group
    manifest/<run_id>.json   its entry: seed, arm, point, overrides, scenario hash, file hash,
                             git commit and library versions of the process that ran it
    failures/<run_id>.json   a failed run: seed, parameters, traceback
    manifest.csv             all entries, sorted (written at the end)

Rules that make a crash harmless:

* every file is written atomically (temporary file, fsync, rename), the run
  file before its manifest entry; a run counts as finished only when its
  entry exists, names the same run key and its file's SHA-256 matches, so a
  partial or stale file is never read back;
* ``--resume`` keeps finished runs and runs only the missing ones; without
  it, a folder's earlier runs, entries and failures are removed first (only
  files of those kinds);
* temporary files left by a killed write (``.*.tmp``) are removed on start.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Iterator

import pandas as pd

from model.output import atomic_write_bytes, atomic_write_text, csv_text

from .design import Task

RUNS, MANIFEST, FAILURES = "runs", "manifest", "failures"
MANIFEST_VERSIONS = ("python", "mesa", "numpy")
"""Library versions given in manifest.csv (each entry's JSON holds them all)."""


class Store:
    """Reads and writes one experiment's results folder."""

    def __init__(self, root: Path):
        self.root = Path(root)

    # -- paths -----------------------------------------------------------------
    def run_path(self, run_id: str) -> Path:
        return self.root / RUNS / f"{run_id}.parquet"

    def entry_path(self, run_id: str) -> Path:
        return self.root / MANIFEST / f"{run_id}.json"

    def failure_path(self, run_id: str) -> Path:
        return self.root / FAILURES / f"{run_id}.json"

    # -- setting up ----------------------------------------------------------------
    def prepare(self, resume: bool, experiment_text: bytes) -> None:
        """Create the folder; clean leftovers of killed writes; without resume, remove earlier runs."""
        for sub in (RUNS, MANIFEST, FAILURES):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        for sub in (RUNS, MANIFEST, FAILURES, "figures", "."):
            folder = self.root / sub
            if folder.is_dir():
                for tmp in folder.glob(".*.tmp"):
                    tmp.unlink(missing_ok=True)
        if not resume:
            for pattern in (f"{RUNS}/*.parquet", f"{MANIFEST}/*.json", f"{FAILURES}/*.json"):
                for path in self.root.glob(pattern):
                    path.unlink()
        atomic_write_bytes(self.root / "experiment.toml", experiment_text)

    # -- runs ----------------------------------------------------------------------
    def is_done(self, task: Task) -> bool:
        """A run is finished when its entry names the same key and its file has the recorded hash."""
        entry = self.entry(task.run_id)
        if entry is None or entry.get("key") != task.key:
            return False
        path = self.run_path(task.run_id)
        try:
            data = path.read_bytes()
        except OSError:
            return False
        return hashlib.sha256(data).hexdigest() == entry.get("sha256")

    def entry(self, run_id: str) -> dict[str, Any] | None:
        try:
            return json.loads(self.entry_path(run_id).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def record(self, task: Task, result: dict[str, Any]) -> bool:
        """Store a worker's result: the run file then its entry, or a failure record. Returns ok."""
        about = {
            "run_id": task.run_id,
            "arm": task.arm,
            "point": task.point,
            "replication": task.replication,
            "seed": task.seed,
            "months": task.months,
            "overrides": task.overrides,
            "git_commit": result.get("git_commit", "unknown"),
            "versions": result.get("versions", {}),
        }
        if result.get("ok"):
            data: bytes = result["parquet"]
            atomic_write_bytes(self.run_path(task.run_id), data)
            entry = {
                **about,
                "scenario_sha256": result.get("scenario_sha256", ""),
                "key": task.key,
                "sha256": hashlib.sha256(data).hexdigest(),
                "bytes": len(data),
            }
            atomic_write_text(self.entry_path(task.run_id), json.dumps(entry, indent=1, sort_keys=True) + "\n")
            self.failure_path(task.run_id).unlink(missing_ok=True)
            return True
        failure = {**about, "scenario": task.base, "traceback": result.get("traceback", "(no traceback)")}
        atomic_write_text(self.failure_path(task.run_id), json.dumps(failure, indent=1, sort_keys=True) + "\n")
        return False

    def failures(self) -> list[dict[str, Any]]:
        out = []
        for path in sorted((self.root / FAILURES).glob("*.json")):
            try:
                out.append(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                continue
        return out

    def read_run(self, run_id: str, columns: list[str] | None = None) -> pd.DataFrame:
        """One finished run's table (only call for runs whose entry exists)."""
        return pd.read_parquet(self.run_path(run_id), engine="pyarrow", columns=columns)

    def iter_done(self, tasks: list[Task]) -> Iterator[Task]:
        """The finished runs among ``tasks``, in the tasks' order."""
        for t in tasks:
            if self.entry_path(t.run_id).exists():
                yield t

    def write_manifest(self, tasks: list[Task]) -> Path:
        """All entries of the planned runs as one sorted CSV (no times: byte-reproducible)."""
        rows = []
        for t in sorted(tasks, key=lambda t: t.run_id):
            e = self.entry(t.run_id)
            if e is None:
                continue
            rows.append({"run_id": e["run_id"], "arm": e["arm"],
                         "point": "" if e["point"] is None else e["point"],
                         "replication": e["replication"], "seed": str(e["seed"]), "months": e["months"],
                         "scenario_sha256": e["scenario_sha256"], "sha256": e["sha256"],
                         "overrides": json.dumps(e["overrides"], sort_keys=True),
                         "git_commit": e.get("git_commit", "unknown"),
                         **{lib: e.get("versions", {}).get(lib, "") for lib in MANIFEST_VERSIONS}})
        df = pd.DataFrame(rows, columns=["run_id", "arm", "point", "replication", "seed", "months",
                                         "scenario_sha256", "sha256", "overrides", "git_commit",
                                         *MANIFEST_VERSIONS])
        path = self.root / "manifest.csv"
        atomic_write_text(path, csv_text(df))
        return path

    def write_failures_csv(self) -> Path | None:
        """failures.csv (run id, arm, seed, last line of the traceback), or remove a stale one."""
        path = self.root / "failures.csv"
        fails = self.failures()
        if not fails:
            path.unlink(missing_ok=True)
            return None
        df = pd.DataFrame([{"run_id": f["run_id"], "arm": f["arm"], "replication": f["replication"],
                            "seed": str(f["seed"]), "error": f["traceback"].strip().splitlines()[-1]}
                           for f in fails])
        atomic_write_text(path, csv_text(df))
        return path
