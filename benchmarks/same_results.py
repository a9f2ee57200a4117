"""Does a speed-up change results? Run the same scenarios with an earlier commit and with
the working tree and compare every output file byte by byte.

    python -m benchmarks.same_results --ref f59e4f4         # exit 0 when all outputs are identical
    python -m benchmarks.same_results --ref HEAD~3 --jobs 2

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


def compare(a: Path, b: Path) -> list[str]:
    """Names of the outputs that differ between two run folders."""
    differ = [f for f in FILES if (a / f).read_bytes() != (b / f).read_bytes()]
    final = [json.loads((d / "summary.json").read_text())["final"] for d in (a, b)]
    return differ + (["summary.json (final outcomes)"] if final[0] != final[1] else [])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ref", required=True, help="the earlier commit to compare with (any git revision)")
    ap.add_argument("--jobs", type=int, default=1, help="runs at a time (default 1)")
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
            differ = compare(tmp_path / "ref" / str(i), tmp_path / "now" / str(i))
            print(f"{name} (seed {seed}): " + ("identical" if not differ else "DIFFERS in " + ", ".join(differ)))
            failed += bool(differ)
    print(f"{len(scenario_runs()) - failed} of {len(scenario_runs())} runs identical to {args.ref}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
