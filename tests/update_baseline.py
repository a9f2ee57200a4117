#!/usr/bin/env python3
"""Rewrite the regression baseline ``tests/baseline.json`` -- on purpose only.

The baseline holds the end-of-run outcomes (and a few whole-run totals) of the
runs in ``RUNS``: the ``baseline`` preset and the same street with every
support switched on, each for 36 months at seed 1. ``tests/test_baseline.py``
compares fresh runs with it and fails with an old/new table when anything
moved; the test never writes the file.

When a change to the model is *meant* to move the numbers, look at the table,
then rewrite the baseline and commit it with the change:

    python tests/update_baseline.py            # show old/new, write nothing
    python tests/update_baseline.py --write    # rewrite tests/baseline.json

This script is the only thing that writes ``tests/baseline.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

BASELINE_FILE = HERE / "baseline.json"
MONTHS = 36
SEED = 1
RTOL = 1e-6
ATOL = 1e-9

# name -> (preset, overrides); overrides are dotted parameter paths
RUNS: dict[str, tuple[str, dict[str, Any]]] = {
    "baseline": ("baseline", {}),
    "supports_on": ("baseline", "SUPPORTS_ON"),  # resolved from conftest below
}
TOTALS = ("needs_arising", "needs_met", "needs_lapsed", "public_spending_yuan", "social_money_yuan",
          "organization_foundings", "organization_failures")
"""Outcomes also summed over the whole run (a change earlier in the run shows even if the end agrees)."""


def run(name: str) -> dict[str, float]:
    """Run one baseline case; return its outcomes keyed ``final.<outcome>`` and ``total.<outcome>``."""
    from conftest import SUPPORTS_ON
    from model import CommunityModel, load_scenario
    from model.scenario import with_overrides

    preset, sets = RUNS[name]
    if sets == "SUPPORTS_ON":
        sets = SUPPORTS_ON
    sc = with_overrides(load_scenario(preset), {**sets, "scenario.months": MONTHS})
    m = CommunityModel(sc, rng=SEED)
    m.run()
    ts = m.recorder.timeseries()
    out = {f"final.{k}": float(v) for k, v in m.recorder.current.items()}
    out.update({f"total.{k}": float(ts[k].sum()) for k in TOTALS})
    return out


def compute() -> dict[str, dict[str, float]]:
    """Outcomes of every run in RUNS."""
    return {name: run(name) for name in RUNS}


def close(old: float, new: float) -> bool:
    """Equal within the baseline's tolerance."""
    return math.isclose(old, new, rel_tol=RTOL, abs_tol=ATOL)


def diff_table(old: dict[str, dict[str, float]], new: dict[str, dict[str, float]], only_changed: bool = True) -> str:
    """An old/new table of every value that differs (or is new or gone)."""
    lines = [f"{'run':12s} {'outcome':46s} {'old':>16s} {'new':>16s} {'rel. change':>12s}"]
    for name in sorted(set(old) | set(new)):
        o, n = old.get(name, {}), new.get(name, {})
        for key in sorted(set(o) | set(n)):
            a, b = o.get(key), n.get(key)
            if only_changed and a is not None and b is not None and close(a, b):
                continue
            if a is None or b is None:
                rel = "new" if a is None else "gone"
            else:
                rel = f"{(b - a) / abs(a):+.3%}" if a else ("0" if b == 0 else "from 0")
            fa = "-" if a is None else f"{a:.8g}"
            fb = "-" if b is None else f"{b:.8g}"
            lines.append(f"{name:12s} {key:46s} {fa:>16s} {fb:>16s} {rel:>12s}")
    return "\n".join(lines)


def load() -> dict[str, dict[str, float]]:
    """The stored baseline's outcomes ({} when there is none)."""
    if not BASELINE_FILE.exists():
        return {}
    return json.loads(BASELINE_FILE.read_text())["runs"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="rewrite tests/baseline.json")
    args = parser.parse_args(argv)
    old, new = load(), compute()
    table = diff_table(old, new)
    print(table if table.count("\n") else "no change against the stored baseline")
    if not args.write:
        print("\nnothing written; run with --write to rewrite tests/baseline.json")
        return 0
    doc = {
        "about": "Regression baseline; rewrite only with: python tests/update_baseline.py --write",
        "months": MONTHS,
        "seed": SEED,
        "rtol": RTOL,
        "runs": new,
    }
    BASELINE_FILE.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
    print(f"\nwrote {BASELINE_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
