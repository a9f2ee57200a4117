"""``python -m benchmarks.docking --seeds N``: run N seeds of each implementation of the
resident-side submodel on the docking world and print the comparison table (Markdown).
Exit status 1 when an outcome is not shown equivalent (TOST) or an adjusted Welch or KS
p-value is below 0.01."""

from __future__ import annotations

import argparse
import sys

from .compare import compare, run_both, table
from .world import default_world


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run both sides, print the table; 0 when every outcome docks."""
    ap = argparse.ArgumentParser(prog="python -m benchmarks.docking", description=__doc__)
    ap.add_argument("--seeds", type=int, default=100, help="seeds per implementation (default 100)")
    ap.add_argument("--first-seed", type=int, default=1, help="first seed (default 1)")
    ap.add_argument("--committees", type=int, default=2)
    ap.add_argument("--residents", type=int, default=300, help="residents per committee")
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--supply", type=float, default=1.0,
                    help="factor on every supply row's capacity (default 1: about half the needs met)")
    a = ap.parse_args(argv)
    if a.seeds < 2 or a.supply < 0:
        ap.error("--seeds must be at least 2 and --supply not negative")
    base = default_world()
    world = default_world(n_committees=a.committees, residents_per_committee=a.residents, months=a.months,
                          staff_share=base.staff_share * a.supply, partner_share=base.partner_share * a.supply,
                          org_share=base.org_share * a.supply)
    ref, other, t_arr, t_mesa = run_both(world, range(a.first_seed, a.first_seed + a.seeds))
    rows = compare(ref, other)
    print(f"{a.seeds} seeds per side ({a.first_seed}-{a.first_seed + a.seeds - 1}), {a.committees} committees x "
          f"{a.residents} residents x {a.months} months, supply x {a.supply:g}; "
          f"arrays {t_arr:.1f} s, Mesa {t_mesa:.1f} s\n")
    print(table(rows))
    ok = all(r["equivalent"] and r["p_welch"] >= 0.01 and r["p_ks"] >= 0.01 for r in rows)
    print("\nall outcomes equivalent within their margins" if ok else "\nNOT DOCKED: see the table")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
