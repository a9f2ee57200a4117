"""Does a speed-up change results? Run the same scenarios with an earlier commit and with
the working tree and compare every output file byte by byte.

    python -m benchmarks.same_results --ref f59e4f4         # exit 0 when all outputs are identical
    python -m benchmarks.same_results --ref HEAD~3 --jobs 2
    python -m benchmarks.same_results --ref HEAD~1 --new-columns  # an output gained columns, nothing else

The earlier commit is exported with ``git archive`` into a temporary folder (the
working tree is not touched). The runs are the presets and seeds in ``RUNS`` plus the
scenario files in ``benchmarks/same_results/`` (every support switched on; organizations
short of money, so that failures and wind-ups happen); each runs ``run.py simulate`` in a
fresh process in both trees. Compared: ``timeseries.csv``, ``by_group.csv``,
``by_committee.csv``, ``by_type.csv``, ``spending.csv`` and the final outcomes in ``summary.json`` (the
rest of the summary records the commit and the times, which differ by design).

An optimisation that keeps the draws and the order of floating-point operations passes;
one that changes the last bit of any output fails, and then the regression baseline
(``tests/update_baseline.py``) decides whether the change is acceptable.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = ("timeseries.csv", "by_group.csv", "by_committee.csv", "by_type.csv", "spending.csv")
RUNS: list[tuple[str, int]] = [
    ("baseline", 1), ("baseline", 7), ("shanghai-2015", 2026), ("shanghai-history", 3),
    ("platform-commissioning", 5), ("project-led", 6), ("professional-guidance", 8),
    ("internal-development", 9),
]


def scenario_runs() -> list[tuple[str, int]]:
    """(preset name or scenario file, seed) of every comparison run."""
    files = sorted((ROOT / "benchmarks" / "same_results").glob("*.toml"))
    return [(str(f), 11 + i) for i, f in enumerate(files)] + RUNS


def simulate(tree: Path, scenario: str, seed: int, out: Path) -> str | None:
    """Run one scenario in ``tree``; return an error text or None."""
    done = subprocess.run([sys.executable, "run.py", "simulate", scenario, "--seed", str(seed), "--quiet",
                           "--out", str(out)], cwd=tree, capture_output=True, text=True)
    return None if done.returncode == 0 else (done.stderr.strip().splitlines() or ["(no message)"])[-1]


def export_commit(ref: str, dest: Path) -> str | None:
    """Export commit ``ref`` into the empty folder ``dest`` (``git archive``; the working tree
    is not touched); return an error text or None."""
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True)
    if archive.returncode != 0:
        return f"git archive {ref}: {archive.stderr.decode().strip()}"
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return None


def _rows(path: Path, keep: list[str] | None = None) -> tuple[list[str], list[list[str]]]:
    """A CSV file's header and rows as text fields (only the columns ``keep``, in that order)."""
    with path.open(newline="") as f:
        rows = list(csv.reader(f))
    head, body = (rows[0], rows[1:]) if rows else ([], [])
    if keep is None:
        return head, body
    at = [head.index(c) for c in keep]
    return keep, [[r[i] for i in at] for r in body]


def same_except_new_columns(a: Path, b: Path) -> bool:
    """Whether CSV ``b`` holds every column of ``a`` with the same text in every field, in
    the same rows (``b`` may add columns): an output that gained a column, nothing else."""
    head_a, body_a = _rows(a)
    head_b = _rows(b)[0]
    if not set(head_a) <= set(head_b):
        return False
    return _rows(b, head_a)[1] == body_a


def compare(a: Path, b: Path, new_columns: bool = False) -> list[str]:
    """Names of the outputs that differ between two run folders (with ``new_columns``, a CSV
    file that only gained columns counts as the same, and is named as such)."""
    differ = []
    for f in FILES:
        if (a / f).read_bytes() == (b / f).read_bytes():
            continue
        if new_columns and same_except_new_columns(a / f, b / f):
            print(f"  {f}: same fields, new columns {sorted(set(_rows(b / f)[0]) - set(_rows(a / f)[0]))}")
            continue
        differ.append(f)
    final = [json.loads((d / "summary.json").read_text())["final"] for d in (a, b)]
    return differ + (["summary.json (final outcomes)"] if final[0] != final[1] else [])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ref", required=True, help="the earlier commit to compare with (any git revision)")
    ap.add_argument("--jobs", type=int, default=1, help="runs at a time (default 1)")
    ap.add_argument("--new-columns", action="store_true",
                    help="a CSV output that only gained columns (every old field the same) counts as identical")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="same-results-") as tmp:
        tmp_path = Path(tmp)
        ref_tree = tmp_path / "ref"
        ref_tree.mkdir()
        error = export_commit(args.ref, ref_tree)
        if error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        jobs = []
        for i, (scenario, seed) in enumerate(scenario_runs()):
            for label, tree in (("ref", ref_tree), ("now", ROOT)):
                jobs.append((i, label, tree, scenario, seed, tmp_path / label / str(i)))
        with ThreadPoolExecutor(max(1, args.jobs)) as pool:
            errors = list(pool.map(lambda j: simulate(j[2], j[3], j[4], j[5]), jobs))
        failed = 0
        for i, (scenario, seed) in enumerate(scenario_runs()):
            name = Path(scenario).stem if scenario.endswith(".toml") else scenario
            errs = [e for j, e in zip(jobs, errors, strict=True) if j[0] == i and e]
            if errs:
                print(f"{name} (seed {seed}): run failed: {errs[0]}")
                failed += 1
                continue
            differ = compare(tmp_path / "ref" / str(i), tmp_path / "now" / str(i), args.new_columns)
            print(f"{name} (seed {seed}): " + ("identical" if not differ else "DIFFERS in " + ", ".join(differ)))
            failed += bool(differ)
    print(f"{len(scenario_runs()) - failed} of {len(scenario_runs())} runs identical to {args.ref}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
