"""Does a change of random draws keep the model's distributions? Run many seeds with an
earlier commit and with the working tree and compare every outcome's distribution.

    python -m benchmarks.same_distribution --ref 2477eb3 --jobs 2          # 160 seeds, 2 scenarios (~1 min)
    python -m benchmarks.same_distribution --ref 2477eb3 --seeds 40 --json out.json

``benchmarks/same_results.py`` asks whether outputs are byte-identical; this asks the
question that remains when they cannot be (a kernel that draws differently, e.g. geometric
skipping per group instead of thinning): are the runs still draws from the same model?
For each scenario (the ``baseline`` street and the same street with every support
switched on, 36 months, as in the regression baseline) and each outcome (end-of-run
values and whole-run totals), the seeds' values from the two trees are compared with
Welch's t-test (means) and the two-sample Kolmogorov-Smirnov test (whole distributions).
The p-values of all tests are adjusted together (Holm), and the check fails when any
adjusted p-value is below ``--alpha`` (default 0.01). Seeds are the same numbers in both
trees, but the draws differ, so the samples are independent.

The earlier commit is exported with ``git archive`` (the working tree is not touched);
each tree runs its seeds in a fresh process.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from scipy import stats

from benchmarks.same_results import export_commit

ROOT = Path(__file__).resolve().parent.parent
MONTHS = 36
SCENARIOS = ("baseline", "supports_on")
TOTALS = ("needs_arising", "needs_met", "needs_lapsed", "public_spending_yuan", "social_money_yuan",
          "organization_foundings", "organization_failures")

# Runs inside the tree being measured (its own ``model`` package): prints one JSON object
# {outcome: value} per seed, end-of-run values as final.<name>, whole-run sums as total.<name>.
RUNNER = r"""
import json, sys
sys.path.insert(0, ".")
sys.path.insert(0, "tests")
from model import CommunityModel, load_scenario
from model.scenario import with_overrides
name, months, seeds, totals = sys.argv[1], int(sys.argv[2]), [int(s) for s in sys.argv[3].split(",")], sys.argv[4].split(",")
sets = {}
if name == "supports_on":
    from conftest import SUPPORTS_ON
    sets = dict(SUPPORTS_ON)
sc = with_overrides(load_scenario("baseline"), {**sets, "scenario.months": months})
for seed in seeds:
    m = CommunityModel(sc, rng=seed)
    m.run()
    ts = m.recorder.timeseries()
    out = {f"final.{k}": float(v) for k, v in m.recorder.current.items()}
    out.update({f"total.{k}": float(ts[k].sum()) for k in totals if k in ts})
    print(json.dumps(out), flush=True)
"""


def run_seeds(tree: Path, scenario: str, seeds: list[int], months: int) -> list[dict[str, float]]:
    """Outcomes of ``scenario`` for each seed, run in ``tree`` (one process)."""
    done = subprocess.run([sys.executable, "-c", RUNNER, scenario, str(months), ",".join(map(str, seeds)),
                           ",".join(TOTALS)], cwd=tree, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{tree}: {scenario}: " + (done.stderr.strip().splitlines() or ["?"])[-1])
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def holm(pvalues: list[float]) -> list[float]:
    """Holm-adjusted p-values (same order as given)."""
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * pvalues[i]))
        adjusted[i] = running
    return adjusted


def compare(ref: list[dict[str, float]], now: list[dict[str, float]]) -> list[dict]:
    """One row per outcome present in both: means, sds, standardised difference, raw p-values
    (Welch, KS); outcomes constant in both samples get p = 1 if equal, else 0."""
    rows = []
    for key in sorted(set(ref[0]) & set(now[0])):
        a = np.array([r[key] for r in ref], dtype=float)
        b = np.array([r[key] for r in now], dtype=float)
        a, b = a[np.isfinite(a)], b[np.isfinite(b)]
        if a.size < 3 or b.size < 3:
            continue
        sd = math.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2)
        if sd == 0:
            p_t = p_ks = 1.0 if a.mean() == b.mean() else 0.0
        else:
            with warnings.catch_warnings():  # near-constant outcomes: scipy warns of precision loss
                warnings.simplefilter("ignore", RuntimeWarning)
                p_t = float(stats.ttest_ind(a, b, equal_var=False).pvalue)
                p_ks = float(stats.ks_2samp(a, b).pvalue)
        rows.append({"outcome": key, "ref_mean": float(a.mean()), "now_mean": float(b.mean()),
                     "ref_sd": float(a.std(ddof=1)), "now_sd": float(b.std(ddof=1)),
                     "diff_in_sd": float((b.mean() - a.mean()) / sd) if sd else 0.0, "p_welch": p_t, "p_ks": p_ks})
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ref", required=True, help="the earlier commit to compare with (any git revision)")
    ap.add_argument("--seeds", type=int, default=160,
                    help="seeds per scenario and tree (default 160: a shift of 0.5 sd has p < 1e-5)")
    ap.add_argument("--months", type=int, default=MONTHS, help=f"months per run (default {MONTHS})")
    ap.add_argument("--alpha", type=float, default=0.01, help="family-wise level after Holm (default 0.01)")
    ap.add_argument("--jobs", type=int, default=1, help="processes at a time (default 1)")
    ap.add_argument("--json", type=Path, help="also write every row here")
    args = ap.parse_args(argv)
    seeds = list(range(1000, 1000 + args.seeds))
    with tempfile.TemporaryDirectory(prefix="same-distribution-") as tmp:
        ref_tree = Path(tmp) / "ref"
        ref_tree.mkdir()
        error = export_commit(args.ref, ref_tree)
        if error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        # split each tree's seeds in halves so that --jobs 2 keeps both cores busy
        halves = [seeds[: len(seeds) // 2], seeds[len(seeds) // 2:]]
        jobs = [(sc, label, tree, part) for sc in SCENARIOS for label, tree in (("ref", ref_tree), ("now", ROOT))
                for part in halves if part]
        with ThreadPoolExecutor(max(1, args.jobs)) as pool:
            outs = list(pool.map(lambda j: run_seeds(j[2], j[0], j[3], args.months), jobs))
    rows = []
    for sc in SCENARIOS:
        ref = [o for j, out in zip(jobs, outs, strict=True) if j[0] == sc and j[1] == "ref" for o in out]
        now = [o for j, out in zip(jobs, outs, strict=True) if j[0] == sc and j[1] == "now" for o in out]
        rows += [{"scenario": sc, **r} for r in compare(ref, now)]
    adj = holm([r["p_welch"] for r in rows] + [r["p_ks"] for r in rows])
    for i, r in enumerate(rows):
        r["p_welch_holm"], r["p_ks_holm"] = adj[i], adj[len(rows) + i]
    print(f"{args.seeds} seeds per scenario and tree, {args.months} months; ref {args.ref} vs working tree")
    print(f"{'scenario':12s} {'outcome':44s} {'ref mean':>12s} {'now mean':>12s} {'diff/sd':>8s} "
          f"{'p Welch':>8s} {'p KS':>8s}")
    for r in sorted(rows, key=lambda r: min(r["p_welch"], r["p_ks"])):
        print(f"{r['scenario']:12s} {r['outcome']:44s} {r['ref_mean']:12.5g} {r['now_mean']:12.5g} "
              f"{r['diff_in_sd']:+8.2f} {r['p_welch']:8.3f} {r['p_ks']:8.3f}")
    worst = min(min(r["p_welch_holm"], r["p_ks_holm"]) for r in rows) if rows else 1.0
    n_tests = 2 * len(rows)
    smallest = min(min(r["p_welch"], r["p_ks"]) for r in rows) if rows else 1.0
    verdict = "consistent" if worst >= args.alpha else "DIFFERENT"
    print(f"{n_tests} tests over {len(rows)} outcomes; smallest raw p {smallest:.4f}, smallest Holm-adjusted p "
          f"{worst:.4f}: {verdict} at family-wise level {args.alpha}")
    if args.json:
        tmp_out = args.json.with_suffix(args.json.suffix + ".tmp")
        tmp_out.write_text(json.dumps({"ref": args.ref, "seeds": args.seeds, "months": args.months,
                                       "alpha": args.alpha, "verdict": verdict, "rows": rows}, indent=1))
        tmp_out.replace(args.json)
    return 0 if worst >= args.alpha else 1


if __name__ == "__main__":
    sys.exit(main())
