"""Comparing the Mesa re-implementation with the array version over many seeds.

For each outcome of ``world.METRICS`` the per-seed values of the two implementations
(independent samples: each side draws from its own generators) are compared by

* an equivalence test (TOST, two one-sided Welch t-tests): the implementations are
  declared equivalent on an outcome when the 90 % confidence interval of the difference
  of means (Mesa minus arrays) lies within +-margin, i.e. both one-sided p-values are
  below 0.05;
* as a check, Welch's t-test (equal means) and the two-sample Kolmogorov-Smirnov test
  (equal distributions), their p-values adjusted together by Holm.

Margins (``MARGINS``), on the 2 committees x 300 residents x 24 months world where about
430 needs arise per run: a share of needs (met, lapsed, met in the organization channel)
has a binomial standard deviation of about sqrt(0.5 x 0.5 / 430) = 2.4 percentage points
per run (2.3-2.7 observed), so +-1.5 points is about 0.6 of the spread between two seeds of
one implementation; the elderly and migrants raise about 110 and 55 needs per run (SD
4.2 and 5.7 points), margins 3 and 4 points. Mean wait of met needs: SD 0.16 month, margin
0.1. End-of-run means over 600 residents: satisfaction and awareness SD 0.005, margin 0.003;
trust SD 0.002, margin 0.0015. Every margin is 0.6-0.75 of one run's SD, so with N seeds
per side the 90 % interval is +-1.645 x sqrt(2/N) SD: at N = 100 an implementation
differing by nothing passes each outcome unless its observed difference exceeds about
0.37 SD (2.6 standard errors); a rule that moves an outcome by a margin or more fails.

Layout: ``MARGINS``; ``tost``; ``compare`` (one row per outcome); ``run_both`` (the seeds of
both implementations); ``table`` (the printed comparison).
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable

import numpy as np
from scipy import stats

from benchmarks.same_distribution import holm

from . import arrays, mesa_agents
from .world import METRICS, World

MARGINS = {"met_share": 0.015, "lapsed_share": 0.015, "wait_met": 0.1, "org_channel_share": 0.015,
           "satisfaction": 0.003, "trust": 0.0015, "awareness": 0.003, "met_share_elderly": 0.03,
           "met_share_migrants": 0.04}


def tost(a: np.ndarray, b: np.ndarray, margin: float) -> tuple[float, float, float]:
    """Two one-sided Welch t-tests of |mean(b) - mean(a)| < margin: (difference, half-width of
    its 90 % interval, TOST p-value = the larger one-sided p)."""
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = math.sqrt(va + vb)
    diff = float(b.mean() - a.mean())
    if se == 0.0:
        return diff, 0.0, 0.0 if abs(diff) < margin else 1.0
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    p_low = stats.t.sf((diff + margin) / se, df)  # H0: diff <= -margin
    p_high = stats.t.cdf((diff - margin) / se, df)  # H0: diff >= +margin
    return diff, float(stats.t.ppf(0.95, df) * se), float(max(p_low, p_high))


def compare(ref: list[dict], other: list[dict]) -> list[dict]:
    """One row per outcome: means, SDs, difference with its 90 % interval, margin, TOST p and
    verdict, and the Holm-adjusted Welch and KS p-values (``ref``: arrays, ``other``: Mesa)."""
    rows, raw = [], []
    for k in METRICS:
        a = np.array([r[k] for r in ref], dtype=np.float64)
        b = np.array([r[k] for r in other], dtype=np.float64)
        diff, half, p = tost(a, b, MARGINS[k])
        with warnings.catch_warnings():  # ties: scipy warns that the exact KS p falls back to the asymptotic one
            warnings.simplefilter("ignore", RuntimeWarning)
            raw += [stats.ttest_ind(a, b, equal_var=False).pvalue, stats.ks_2samp(a, b).pvalue]
        rows.append({"outcome": k, "arrays": float(a.mean()), "mesa": float(b.mean()),
                     "sd_arrays": float(a.std(ddof=1)), "sd_mesa": float(b.std(ddof=1)), "diff": diff,
                     "ci90": half, "margin": MARGINS[k], "p_tost": p, "equivalent": p < 0.05})
    adjusted = holm([float(x) for x in raw])
    for i, row in enumerate(rows):
        row["p_welch"], row["p_ks"] = adjusted[2 * i], adjusted[2 * i + 1]
    return rows


def run_both(world: World, seeds: range, mesa_run: Callable[[World, int], dict] = mesa_agents.run
             ) -> tuple[list[dict], list[dict], float, float]:
    """The seeds' outcomes of the array version and of ``mesa_run``, and each side's seconds."""
    t0 = time.perf_counter()
    ref = [arrays.run(world, s) for s in seeds]
    t1 = time.perf_counter()
    other = [mesa_run(world, s) for s in seeds]
    return ref, other, t1 - t0, time.perf_counter() - t1


def table(rows: list[dict]) -> str:
    """The comparison as a Markdown table."""
    out = ["| outcome | arrays mean (SD) | Mesa mean (SD) | difference ± 90 % | margin | TOST p | equivalent | "
           "Welch p (Holm) | KS p (Holm) |", "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| {r['outcome']} | {r['arrays']:.4f} ({r['sd_arrays']:.4f}) | "
                   f"{r['mesa']:.4f} ({r['sd_mesa']:.4f}) | "
                   f"{r['diff']:+.4f} ± {r['ci90']:.4f} | ±{r['margin']:g} | {r['p_tost']:.2g} | "
                   f"{'yes' if r['equivalent'] else 'NO'} | {r['p_welch']:.2f} | {r['p_ks']:.2f} |")
    return "\n".join(out)
