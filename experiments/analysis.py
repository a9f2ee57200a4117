"""Statistics of an experiment: summaries, paired effects, cost-effectiveness, sensitivity, attribution.

Layout, in three sections: statistics (``mean_ci``, ``paired_effect``,
``holm``, ``fieller_ratio``, ``shapley``: plain functions on arrays, tested on
their own); collecting the runs (``collect`` -> ``Collected``: one row per run,
from the workers' reductions or the run files); tables (one ``*_table``
function per output file below, ``sensitivity_table`` with its SALib helpers;
``build_tables`` calling them all and ``write_tables`` writing them atomically).

All tables are built from windowed values (each outcome's mean over the last
``window_months`` months of a run, 12 by default) and whole-run totals. Each worker reduces its run to those numbers (and the
monthly series of the headline outcomes, for the time bands) right after the
run (:mod:`experiments.reduce`); runs finished in an earlier invocation are
read back one file at a time and reduced the same way. The parent never holds
a run's table: one row of numbers per run, plus the headline series of runs
that are not design points of a sweep.

* ``summary.csv``: arm, outcome, mean, ci_low, ci_high, n. Mean over
  replications with a t-based 95% interval.
* ``effects.csv``: arm, reference, outcome, effect, ci_low, ci_high, p_value,
  p_adjusted, n. Paired differences arm - reference over replications that
  share a seed (common random numbers); t-based 95% interval and two-sided
  paired t-test; p-values Holm-adjusted over every row of the file.
* ``cost_effectiveness.csv``: extra public yuan over the whole run and extra
  needs met over the whole run against the reference (paired, with 95%
  intervals) and their ratio, yuan per extra need met, with Fieller's 95%
  interval (unbounded, hence empty, when the extra needs met are not clearly
  above zero).
* ``sensitivity.csv`` (Sobol and Morris designs): SALib's indices with their
  95% bootstrap intervals, per arm and outcome, on the per-point mean over
  replications.
* ``uncertainty.csv``, ``ranking.csv``, ``draws.csv`` (experiments with
  ``[uncertainty]``): for every pair of arms and outcome, the mean effect,
  the 95% interval over parameter draws of the draw-level effect (mean over
  replications within a draw), the seeds' 95% interval, the share of draws
  in which the arm is higher and the 3 parameters the effect follows most
  (Spearman's rho over draws, with the |rho| the largest would reach by
  chance, Bonferroni over the parameters); the rankings of the arms on each headline
  outcome with their shares of draws; the parameter values of every draw.
  With draws, summary.csv, effects.csv and cost_effectiveness.csv pool every
  (draw, replication) run, paired by draw and replication.
* ``attribution.csv``: exact Shapley values of an arm's effect over its
  levers, with paired t intervals over replications, plus each lever's effect
  alone and its effect when added last.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from model.output import atomic_write_text, csv_text
from model.outcomes import OUTCOME_NAMES
from model.params import COMMUNITY_TYPES, GROUPS

from .design import ANALYSIS_KEY, Task, problem, stream_seed
from .uncertainty import chance_rho, draw_effects, effect_summary, rankings, top_spearman
from .reduce import (  # noqa: F401 - LAST_MONTHS, reduce_run: re-exported
    GAP_COLUMNS,
    GROUP_LAPSED,
    GROUP_LAPSED_W,
    GROUP_MET,
    GROUP_MET_W,
    GROUP_SUMS,
    LAST_MONTHS,
    TOTAL_MET,
    TOTAL_SPEND,
    TYPE_LAPSED,
    TYPE_LAPSED_W,
    TYPE_MET,
    TYPE_MET_W,
    Reduced,
    ReduceSpec,
    reduce_run,
    reported,
)

if TYPE_CHECKING:
    from .design import Plan
    from .spec import Experiment, Sweep
    from .store import Store


# ---------------------------------------------------------------------------
# statistics
# ---------------------------------------------------------------------------


def t_quantile(n: int, level: float = 0.95) -> float:
    """Two-sided t quantile for n observations (n - 1 degrees of freedom)."""
    return float(stats.t.ppf(0.5 + level / 2, n - 1))


def mean_ci(x: np.ndarray) -> tuple[float, float, float, int]:
    """(mean, ci_low, ci_high, n) with a t-based 95% interval; NaN bounds for n < 2."""
    x = np.asarray(x, dtype=np.float64)
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        return math.nan, math.nan, math.nan, 0
    m = float(x.mean())
    if n < 2:
        return m, math.nan, math.nan, n
    half = t_quantile(n) * float(x.std(ddof=1)) / math.sqrt(n)
    return m, m - half, m + half, n


def paired_effect(arm: np.ndarray, ref: np.ndarray) -> dict[str, float]:
    """Paired difference arm - ref: effect, ci_low, ci_high, p_value (two-sided t), n, half_width.

    With every difference equal (zero spread) the interval is the point and
    p is 0 (or 1 when the differences are all 0).
    """
    d = np.asarray(arm, dtype=np.float64) - np.asarray(ref, dtype=np.float64)
    d = d[np.isfinite(d)]
    n = int(d.size)
    out = {"effect": math.nan, "ci_low": math.nan, "ci_high": math.nan, "p_value": math.nan,
           "n": n, "half_width": math.nan}
    if n == 0:
        return out
    eff = float(d.mean())
    out["effect"] = eff
    if n < 2:
        return out
    sd = float(d.std(ddof=1))
    if sd == 0.0:
        out.update(ci_low=eff, ci_high=eff, half_width=0.0, p_value=1.0 if eff == 0.0 else 0.0)
        return out
    se = sd / math.sqrt(n)
    half = t_quantile(n) * se
    tstat = eff / se
    out.update(ci_low=eff - half, ci_high=eff + half, half_width=half,
               p_value=float(2.0 * stats.t.sf(abs(tstat), n - 1)))
    return out


def holm(p: np.ndarray | list[float]) -> np.ndarray:
    """Holm's step-down adjustment; NaN p-values are left out of the family and stay NaN."""
    p = np.asarray(p, dtype=np.float64)
    out = np.full(p.shape, np.nan)
    idx = np.flatnonzero(np.isfinite(p))
    m = idx.size
    order = idx[np.argsort(p[idx], kind="stable")]
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


def fieller_ratio(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Ratio mean(a)/mean(b) of paired samples with Fieller's 95% interval.

    The bounds are NaN when the interval is unbounded (mean(b) not clearly
    away from zero) or there are fewer than 2 pairs.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    n = a.size
    if n == 0:
        return math.nan, math.nan, math.nan
    ma, mb = float(a.mean()), float(b.mean())
    ratio = ma / mb if mb != 0 else math.nan
    if n < 2:
        return ratio, math.nan, math.nan
    q = t_quantile(n) ** 2 / n
    saa, sbb = float(a.var(ddof=1)), float(b.var(ddof=1))
    sab = float(np.cov(a, b, ddof=1)[0, 1])
    A = mb * mb - q * sbb
    B = -2.0 * (ma * mb - q * sab)
    C = ma * ma - q * saa
    if A <= 0:
        return ratio, math.nan, math.nan
    disc = B * B - 4 * A * C
    if disc < 0:
        return ratio, math.nan, math.nan
    r1 = (-B - math.sqrt(disc)) / (2 * A)
    r2 = (-B + math.sqrt(disc)) / (2 * A)
    return ratio, min(r1, r2), max(r1, r2)


def shapley_weights(k: int) -> dict[int, float]:
    """Weight of a coalition of size s in the Shapley value of a k-player game: s!(k-s-1)!/k!."""
    return {s: math.factorial(s) * math.factorial(k - s - 1) / math.factorial(k) for s in range(k)}


def shapley(values: dict[int, np.ndarray], k: int) -> np.ndarray:
    """Exact Shapley values (k x replications) from v(S) for every bitmask S (v(0) = 0 is not assumed)."""
    w = shapley_weights(k)
    reps = next(iter(values.values())).shape[0]
    phi = np.zeros((k, reps))
    for i in range(k):
        bit = 1 << i
        for mask in range(1 << k):
            if mask & bit:
                continue
            phi[i] += w[bin(mask).count("1")] * (values[mask | bit] - values[mask])
    return phi


# ---------------------------------------------------------------------------
# collecting the runs (reduced by their workers, or read one file at a time)
# ---------------------------------------------------------------------------


class Welford:
    """Running mean and variance of equally shaped arrays (months x outcomes)."""

    def __init__(self) -> None:
        self.n = 0
        self.mean: np.ndarray | None = None
        self.m2: np.ndarray | None = None

    def add(self, x: np.ndarray) -> None:
        if self.mean is None:
            self.mean = np.zeros_like(x, dtype=np.float64)
            self.m2 = np.zeros_like(x, dtype=np.float64)
        assert self.m2 is not None
        self.n += 1
        delta = x - self.mean
        self.mean += delta / self.n
        self.m2 += delta * (x - self.mean)

    def band(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(mean, low, high) of the 95% t interval of the mean at each month."""
        assert self.mean is not None and self.m2 is not None
        if self.n < 2:
            return self.mean, self.mean.copy(), self.mean.copy()
        sd = np.sqrt(self.m2 / (self.n - 1))
        half = t_quantile(self.n) * sd / math.sqrt(self.n)
        return self.mean, self.mean - half, self.mean + half


@dataclass
class Collected:
    """What the tables and figures need, reduced run by run."""

    ends: pd.DataFrame
    bands: dict[str, Welford] = field(default_factory=dict)
    band_outcomes: list[str] = field(default_factory=list)
    months: np.ndarray | None = None


def collect(store: "Store", tasks: list[Task], band_outcomes: list[str] | None = None,
            columns: list[str] | None = None, reduced: dict[str, Reduced] | None = None,
            window: int = 12, burn_in: int = 0) -> Collected:
    """Outcome values (means over the last ``window`` months of each run), whole-run totals, group
    sums of the last 12 months and time bands per arm.

    ``reduced`` holds runs already reduced by their worker (by run id): those are not read again.
    Every other finished run is read from its file and reduced the same way, in the tasks' order.
    """
    rows = []
    bands: dict[str, Welford] = {}
    months = None
    band_outcomes = band_outcomes or []
    spec = ReduceSpec(tuple(band_outcomes), window, burn_in)
    for task in store.iter_done(tasks):
        swept = task.point is not None
        r = (reduced or {}).get(task.run_id)
        if r is None or (band_outcomes and not swept and r.band_outcomes != spec.band_outcomes):
            df = store.read_run(task.run_id, columns=columns)
            if columns is None:  # reduce_run leaves the burn-in out itself
                r = reduce_run(df, spec, swept)
            else:
                # a few columns only (auto replications): their means over the window
                df = reported(df, spec.burn_in)
                tail = df.iloc[-spec.window:]
                r = Reduced({name: float(tail[name].mean()) for name in columns if name in OUTCOME_NAMES},
                            spec.band_outcomes, None, None)
                if band_outcomes and not swept:
                    r.band = df[band_outcomes].to_numpy(dtype=np.float64)
                    r.months = df["month"].to_numpy()
            del df
        row: dict[str, float | int | str] = {"arm": task.arm, "point": -1 if task.point is None else task.point,
                                             "draw": -1 if task.draw is None else task.draw,
                                             "replication": task.replication}
        cols = columns or list(OUTCOME_NAMES)
        for name in cols:
            if name in OUTCOME_NAMES:
                row[name] = r.values[name]
        if columns is None:
            row[TOTAL_SPEND] = r.values[TOTAL_SPEND]
            row[TOTAL_MET] = r.values[TOTAL_MET]
            for c in (*GROUP_SUMS, *GAP_COLUMNS.values()):
                row[c] = r.values.get(c, math.nan)
        rows.append(row)
        if band_outcomes and not swept:
            assert r.band is not None
            bands.setdefault(task.arm, Welford()).add(r.band)
            if months is None:
                months = r.months
    names = [c for c in (columns or list(OUTCOME_NAMES)) if c in OUTCOME_NAMES]
    if columns is None:
        names += [TOTAL_SPEND, TOTAL_MET, *GROUP_SUMS, *GAP_COLUMNS.values()]
    ends = pd.DataFrame(rows, columns=["arm", "point", "draw", "replication", *names])
    return Collected(ends, bands, band_outcomes, months)


# ---------------------------------------------------------------------------
# tables
# ---------------------------------------------------------------------------


def _points(ends: pd.DataFrame) -> list[int]:
    return sorted(ends["point"].unique().tolist()) if len(ends) else [-1]


def summary_table(exp: "Experiment", ends: pd.DataFrame) -> pd.DataFrame:
    """arm, [point,] outcome, mean, ci_low, ci_high, n."""
    swept = exp.sweep is not None
    rows = []
    for arm in exp.visible_arms:
        for point in _points(ends):
            sub = ends[(ends["arm"] == arm.name) & (ends["point"] == point)]
            for outcome in exp.outcomes:
                vals = sub[outcome].to_numpy() if outcome in sub else np.array([])
                m, lo, hi, n = mean_ci(vals)
                row = {"arm": arm.name, "outcome": outcome, "mean": m, "ci_low": lo, "ci_high": hi, "n": n}
                if swept:
                    row["point"] = point
                rows.append(row)
    cols = ["arm", *(["point"] if swept else []), "outcome", "mean", "ci_low", "ci_high", "n"]
    return pd.DataFrame(rows, columns=cols)


def _paired(ends: pd.DataFrame, arm: str, ref: str, point: int, column: str) -> tuple[np.ndarray, np.ndarray]:
    """Values of ``arm`` and ``ref`` in the runs they share (same draw, if the table has draws, and
    replication), in that order."""
    keys = ["draw", "replication"] if "draw" in ends else ["replication"]
    a = ends[(ends["arm"] == arm) & (ends["point"] == point)].set_index(keys)[column]
    r = ends[(ends["arm"] == ref) & (ends["point"] == point)].set_index(keys)[column]
    common = a.index.intersection(r.index).sort_values()
    return a.loc[common].to_numpy(dtype=np.float64), r.loc[common].to_numpy(dtype=np.float64)


def effects_table(exp: "Experiment", ends: pd.DataFrame) -> pd.DataFrame:
    """Paired effects of every arm against the reference, Holm-adjusted over the whole table."""
    swept = exp.sweep is not None
    rows = []
    for arm in exp.visible_arms:
        if arm.name == exp.reference:
            continue
        for point in _points(ends):
            for outcome in exp.outcomes:
                if outcome in ends:
                    a, r = _paired(ends, arm.name, exp.reference, point, outcome)
                else:
                    a, r = np.array([]), np.array([])
                e = paired_effect(a, r)
                row = {"arm": arm.name, "reference": exp.reference, "outcome": outcome, **e}
                if swept:
                    row["point"] = point
                rows.append(row)
    cols = ["arm", "reference", *(["point"] if swept else []), "outcome", "effect", "ci_low", "ci_high",
            "p_value", "p_adjusted", "n"]
    df = pd.DataFrame(rows, columns=[*cols, "half_width"])
    df["p_adjusted"] = holm(df["p_value"].to_numpy()) if len(df) else []
    return df[cols]


def effect_half_widths(exp: "Experiment", ends: pd.DataFrame, outcome: str) -> dict[str, float]:
    """Half-width of each arm's 95% effect interval on one outcome (of its mean when there is no other arm)."""
    out = {}
    visible = exp.visible_arms
    for arm in visible:
        if len(visible) > 1 and arm.name == exp.reference:
            continue
        if len(visible) == 1:
            vals = ends[ends["arm"] == arm.name][outcome].to_numpy()
            m, lo, hi, n = mean_ci(vals)
            out[arm.name] = (hi - lo) / 2 if n >= 2 else math.inf
            continue
        a, r = _paired(ends, arm.name, exp.reference, -1, outcome)
        hw = paired_effect(a, r)["half_width"]
        out[arm.name] = hw if math.isfinite(hw) else math.inf
    return out


def cost_effectiveness_table(exp: "Experiment", ends: pd.DataFrame) -> pd.DataFrame:
    """Extra public yuan and extra needs met over the whole run against the reference, and their ratio."""
    rows = []
    for arm in exp.visible_arms:
        if arm.name == exp.reference or exp.sweep is not None:
            continue
        ya, yr = _paired(ends, arm.name, exp.reference, -1, TOTAL_SPEND)
        na, nr = _paired(ends, arm.name, exp.reference, -1, TOTAL_MET)
        dy, dn = ya - yr, na - nr
        ey, en = paired_effect(ya, yr), paired_effect(na, nr)
        ratio, lo, hi = fieller_ratio(dy, dn)
        if dn.size == 0:
            note = "no paired runs"
        elif en["effect"] <= 0 and ey["effect"] >= 0:
            note = "dominated: costs no less and meets no more needs than the reference"
            ratio, lo, hi = math.nan, math.nan, math.nan
        elif en["effect"] > 0 and ey["effect"] <= 0:
            note = "dominant: meets more needs at no extra public cost"
        elif not math.isfinite(lo):
            note = "extra needs met not clearly above zero: the ratio's interval is unbounded"
        else:
            note = ""
        rows.append({"arm": arm.name, "reference": exp.reference,
                     "extra_public_yuan": ey["effect"], "extra_public_yuan_ci_low": ey["ci_low"],
                     "extra_public_yuan_ci_high": ey["ci_high"],
                     "extra_needs_met": en["effect"], "extra_needs_met_ci_low": en["ci_low"],
                     "extra_needs_met_ci_high": en["ci_high"],
                     "yuan_per_extra_need": ratio, "yuan_per_extra_need_ci_low": lo,
                     "yuan_per_extra_need_ci_high": hi, "n": int(dn.size), "note": note})
    return pd.DataFrame(rows, columns=["arm", "reference", "extra_public_yuan", "extra_public_yuan_ci_low",
                                       "extra_public_yuan_ci_high", "extra_needs_met", "extra_needs_met_ci_low",
                                       "extra_needs_met_ci_high", "yuan_per_extra_need",
                                       "yuan_per_extra_need_ci_low", "yuan_per_extra_need_ci_high", "n", "note"])


def _point_means(ends: pd.DataFrame, arm: str, outcome: str, n_points: int, ref: str | None) -> np.ndarray:
    """Per design point, the mean over replications of the outcome (or of the paired effect arm - ref)."""
    a = ends[ends["arm"] == arm].set_index(["point", "replication"])[outcome]
    if ref is not None:
        r = ends[ends["arm"] == ref].set_index(["point", "replication"])[outcome]
        a = (a - r).dropna()
    return a.groupby(level="point").mean().reindex(range(n_points)).to_numpy(dtype=np.float64)


def sensitivity_table(exp: "Experiment", plan: "Plan", ends: pd.DataFrame) -> pd.DataFrame | None:
    """SALib indices with 95% intervals for Sobol and Morris designs (None for other designs).

    For every arm, indices of its outcome levels ("level"); for every other
    arm also of its paired effect against the reference ("effect"): which
    factor decides how large the policy's effect is.
    """
    sweep = exp.sweep
    if sweep is None or sweep.design not in ("sobol", "morris"):
        return None
    prob = problem(sweep)
    n_points = len(plan.points)
    seed = stream_seed(exp.seed, ANALYSIS_KEY)
    rows = []
    targets = [(a.name, "level", None) for a in exp.visible_arms]
    targets += [(a.name, "effect", exp.reference) for a in exp.visible_arms if a.name != exp.reference]
    for arm, quantity, ref in targets:
        for outcome in exp.outcomes:
            if outcome not in ends:
                continue
            y = _point_means(ends, arm, outcome, n_points, ref)
            base = {"arm": arm, "quantity": quantity, "outcome": outcome}
            if not np.all(np.isfinite(y)):
                rows.append({**base, "factor": "", "index": "", "value": math.nan, "ci_low": math.nan,
                             "ci_high": math.nan, "note": "some design points have no finished run"})
                continue
            res, note = _salib_indices(sweep, prob, plan, y, seed)
            if sweep.design == "sobol":
                rows += _sobol_rows(base, res, prob["names"], sweep.second_order, note)
            else:
                rows += _morris_rows(base, res, prob["names"], note)
    return pd.DataFrame(rows, columns=["arm", "quantity", "outcome", "factor", "index", "value", "ci_low",
                                       "ci_high", "note"])


def _salib_indices(sweep: "Sweep", prob: dict, plan: "Plan", y: np.ndarray, seed: int) -> tuple[dict, str]:
    """SALib's analysis of the point means ``y`` (Sobol or Morris, 200 resamples, 95% intervals) and a note:
    "constant output" or SALib's warnings."""
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if sweep.design == "sobol":
            res = sobol_analyze.analyze(prob, y, calc_second_order=sweep.second_order,
                                        num_resamples=200, conf_level=0.95, seed=seed)
        else:
            res = morris_analyze.analyze(prob, plan.matrix, y, num_resamples=200, conf_level=0.95,
                                         num_levels=sweep.levels, seed=seed)
    if np.ptp(y) <= np.finfo(float).eps:
        note = "constant output: indices are zero"
    else:
        note = "; ".join(sorted({str(w.message).strip().splitlines()[0] for w in caught}))
    return res, note


def _sobol_rows(base: dict, res: dict, names: list[str], second_order: bool, note: str) -> list[dict]:
    """Rows of first-order and total Sobol indices (and second-order ones when asked) with their intervals."""
    rows = []
    for key in ("S1", "ST"):
        for j, f in enumerate(names):
            v, c = float(res[key][j]), float(res[f"{key}_conf"][j])
            rows.append({**base, "factor": f, "index": key, "value": v, "ci_low": v - c,
                         "ci_high": v + c, "note": note})
    if second_order:
        for (i, fi), (j, fj) in combinations(enumerate(names), 2):
            v, c = float(res["S2"][i, j]), float(res["S2_conf"][i, j])
            rows.append({**base, "factor": f"{fi} x {fj}", "index": "S2", "value": v,
                         "ci_low": v - c, "ci_high": v + c, "note": note})
    return rows


def _morris_rows(base: dict, res: dict, names: list[str], note: str) -> list[dict]:
    """Rows of Morris mu* (interval floored at 0), mu and sigma per factor."""
    rows = []
    for j, f in enumerate(names):
        v, c = float(res["mu_star"][j]), float(res["mu_star_conf"][j])
        rows.append({**base, "factor": f, "index": "mu_star", "value": v, "ci_low": max(0.0, v - c),
                     "ci_high": v + c, "note": note})
        for key in ("mu", "sigma"):
            rows.append({**base, "factor": f, "index": key, "value": float(res[key][j]),
                         "ci_low": math.nan, "ci_high": math.nan, "note": note})
    return rows


def attribution_table(exp: "Experiment", ends: pd.DataFrame) -> pd.DataFrame | None:
    """Exact Shapley values of each attributed arm's effect over its levers."""
    if not exp.attribution:
        return None
    rows = []
    for plan in exp.attribution:
        k = len(plan.levers)
        full = (1 << k) - 1
        for outcome in exp.outcomes:
            if outcome not in ends:
                continue
            per_arm = {m: ends[(ends["arm"] == a) & (ends["point"] == -1)].set_index("replication")[outcome]
                       for m, a in plan.subset_arm.items()}
            common = None
            for s in per_arm.values():
                common = s.index if common is None else common.intersection(s.index)
            assert common is not None
            common = common.sort_values()
            if len(common) == 0 or len(per_arm) != (1 << k):
                continue
            base = per_arm[0].loc[common].to_numpy(dtype=np.float64)
            v = {m: s.loc[common].to_numpy(dtype=np.float64) - base for m, s in per_arm.items()}
            phi = shapley(v, k)
            total = float(v[full].mean())
            for i, lever in enumerate(plan.levers):
                bit = 1 << i
                e = paired_effect(phi[i], np.zeros_like(phi[i]))
                alone = paired_effect(v[bit], np.zeros_like(v[bit]))
                last = paired_effect(v[full], v[full & ~bit])
                rows.append({"arm": plan.arm, "reference": exp.reference, "lever": lever, "outcome": outcome,
                             "shapley": e["effect"], "ci_low": e["ci_low"], "ci_high": e["ci_high"],
                             "share_of_effect": e["effect"] / total if total != 0 else math.nan,
                             "effect_alone": alone["effect"], "effect_added_last": last["effect"],
                             "total_effect": total, "n": e["n"]})
    return pd.DataFrame(rows, columns=["arm", "reference", "lever", "outcome", "shapley", "ci_low", "ci_high",
                                       "share_of_effect", "effect_alone", "effect_added_last", "total_effect", "n"])


def _share(met: pd.Series, lapsed: pd.Series) -> np.ndarray:
    """Per run, met / (met + lapsed); NaN where nothing closed."""
    closed = met + lapsed
    return np.where(closed > 0, met / closed.where(closed > 0, 1.0), np.nan)


def group_table(exp: "Experiment", ends: pd.DataFrame) -> pd.DataFrame:
    """Share of needs met over the last 12 months by resident group and arm (mean over replications,
    with its interval), and the severity-weighted share (mean)."""
    rows = []
    for arm in exp.visible_arms:
        sub = ends[(ends["arm"] == arm.name) & (ends["point"] == -1)]
        for g, met, lapsed, met_w, lapsed_w in zip(GROUPS, GROUP_MET, GROUP_LAPSED, GROUP_MET_W, GROUP_LAPSED_W):
            if met not in sub or len(sub) == 0:
                continue
            m, lo, hi, n = mean_ci(_share(sub[met], sub[lapsed]))
            weighted = _share(sub[met_w], sub[lapsed_w])
            rows.append({"arm": arm.name, "group": g, "needs_met_share": m, "ci_low": lo, "ci_high": hi,
                         "needs_met_weighted_share": float(np.nanmean(weighted)) if np.isfinite(weighted).any()
                         else math.nan, "needs_met": float(sub[met].mean()), "n": n})
    return pd.DataFrame(rows, columns=["arm", "group", "needs_met_share", "ci_low", "ci_high",
                                       "needs_met_weighted_share", "needs_met", "n"])


def type_table(exp: "Experiment", ends: pd.DataFrame) -> pd.DataFrame:
    """Share of needs met over the last 12 months by community type and arm (mean over
    replications, with its interval), and the severity-weighted share (mean); only the types
    an arm's world has. Each arm's rows also carry the gap between committees (means over
    replications): the share of its variance between types, and the share of the variance
    within types that goes with where organizations serve (``GAP_COLUMNS``)."""
    rows = []
    for arm in exp.visible_arms:
        sub = ends[(ends["arm"] == arm.name) & (ends["point"] == -1)]
        gap = {key: float(np.nanmean(sub[col])) if col in sub and sub[col].notna().any() else math.nan
               for key, col in GAP_COLUMNS.items()}
        for t, met, lapsed, met_w, lapsed_w in zip(COMMUNITY_TYPES, TYPE_MET, TYPE_LAPSED, TYPE_MET_W, TYPE_LAPSED_W):
            if met not in sub or len(sub) == 0 or float((sub[met] + sub[lapsed]).sum()) <= 0:
                continue
            m, lo, hi, n = mean_ci(_share(sub[met], sub[lapsed]))
            weighted = _share(sub[met_w], sub[lapsed_w])
            rows.append({"arm": arm.name, "type": t, "needs_met_share": m, "ci_low": lo, "ci_high": hi,
                         "needs_met_weighted_share": float(np.nanmean(weighted)), "needs_met": float(sub[met].mean()),
                         "n": n, **gap})
    return pd.DataFrame(rows, columns=["arm", "type", "needs_met_share", "ci_low", "ci_high",
                                       "needs_met_weighted_share", "needs_met", "n", *GAP_COLUMNS])


def uncertainty_pairs(exp: "Experiment") -> list[tuple[str, str]]:
    """(arm, compared with): every arm against the reference, then every other pair in file order."""
    others = [a.name for a in exp.visible_arms if a.name != exp.reference]
    return [(a, exp.reference) for a in others] + list(combinations(others, 2))


def _by_run(ends: pd.DataFrame, arm: str, outcome: str) -> dict[tuple[int, int], float]:
    sub = ends[ends["arm"] == arm]
    return dict(zip(zip(sub["draw"].astype(int), sub["replication"].astype(int)), sub[outcome].astype(float)))


def uncertainty_table(exp: "Experiment", ends: pd.DataFrame) -> pd.DataFrame | None:
    """uncertainty.csv: for every pair of arms and outcome, the mean effect (arm - compared, paired by
    draw and replication), the 95% interval over draws of the draw-level effect, the seeds' 95% interval
    on the mean effect, the share of draws in which the arm is higher, the 3 parameters whose draws
    correlate most with the draw-level effect by rank (Spearman's rho) and the |rho| the largest of them
    would exceed by chance 5% of the time if no parameter mattered (``rho_chance``)."""
    draws = exp.draws
    if draws is None:
        return None
    rows = []
    for arm, other in uncertainty_pairs(exp):
        for outcome in exp.outcomes:
            if outcome not in ends:
                continue
            by_draw = draw_effects(_by_run(ends, arm, outcome), _by_run(ends, other, outcome))
            row: dict = {"arm": arm, "compared_with": other, "outcome": outcome, **effect_summary(by_draw)}
            y = np.full(len(draws.values), np.nan)
            for d, v in by_draw.items():
                y[d] = v.mean()
            top = top_spearman(draws.values, draws.paths, y)
            row["rho_chance"] = chance_rho(int(np.isfinite(y).sum()), len(draws.paths))
            for i in range(3):
                name, rho = top[i] if i < len(top) else ("", math.nan)
                row[f"parameter_{i + 1}"], row[f"rho_{i + 1}"] = name, rho
            rows.append(row)
    cols = ["arm", "compared_with", "outcome", "effect", "draw_low", "draw_high", "seed_low", "seed_high",
            "p_higher", "draws", "runs", "rho_chance"] + [f"{c}_{i}" for i in (1, 2, 3) for c in ("parameter", "rho")]
    return pd.DataFrame(rows, columns=cols)


def ranking_table(exp: "Experiment", ends: pd.DataFrame) -> pd.DataFrame | None:
    """ranking.csv: for each headline outcome, every ranking of the arms (highest draw-level mean first)
    seen in the draws with its share of draws, most common first ("ranking" rows), then each arm's share
    of draws alone in first place ("first" rows)."""
    if exp.draws is None:
        return None
    rows = []
    arms = [a.name for a in exp.visible_arms]
    for outcome in exp.headline:
        if outcome not in ends:
            continue
        levels = {}
        for arm in arms:
            sub = ends[ends["arm"] == arm]
            levels[arm] = sub.groupby("draw")[outcome].mean().to_dict()
        counts, n = rankings(levels)
        if n == 0:
            continue
        for order, c in sorted(counts.items(), key=lambda kv: -kv[1]):
            rows.append({"outcome": outcome, "kind": "ranking", "arms": order, "draws": c,
                         "share_of_draws": c / n})
        firsts = {arm: sum(c for order, c in counts.items() if order.split(" > ")[0] == arm) for arm in arms}
        rows += [{"outcome": outcome, "kind": "first", "arms": arm, "draws": c, "share_of_draws": c / n}
                 for arm, c in firsts.items()]
    return pd.DataFrame(rows, columns=["outcome", "kind", "arms", "draws", "share_of_draws"])


def draws_table(exp: "Experiment") -> pd.DataFrame | None:
    """draws.csv: every parameter's value in every draw (before an arm's own entries are left out)."""
    return None if exp.draws is None else pd.DataFrame(exp.draws.table())


@dataclass
class Tables:
    summary: pd.DataFrame
    effects: pd.DataFrame
    cost: pd.DataFrame
    groups: pd.DataFrame
    sensitivity: pd.DataFrame | None
    attribution: pd.DataFrame | None
    design: pd.DataFrame | None
    uncertainty: pd.DataFrame | None = None
    ranking: pd.DataFrame | None = None
    draws: pd.DataFrame | None = None
    types: pd.DataFrame | None = None


def design_table(exp: "Experiment", plan: "Plan") -> pd.DataFrame | None:
    """design.csv: the factor values of every design point (as run)."""
    if exp.sweep is None:
        return None
    df = pd.DataFrame(plan.points)
    df.insert(0, "point", range(len(plan.points)))
    return df


def build_tables(exp: "Experiment", plan: "Plan", collected: Collected) -> Tables:
    ends = collected.ends
    return Tables(summary_table(exp, ends), effects_table(exp, ends), cost_effectiveness_table(exp, ends),
                  group_table(exp, ends), sensitivity_table(exp, plan, ends), attribution_table(exp, ends),
                  design_table(exp, plan), uncertainty_table(exp, ends), ranking_table(exp, ends),
                  draws_table(exp), type_table(exp, ends))


def write_tables(root: Path, tables: Tables) -> list[Path]:
    """Write the CSV files atomically (canonical float format: byte-reproducible)."""
    files = {"summary.csv": tables.summary, "effects.csv": tables.effects,
             "cost_effectiveness.csv": tables.cost, "needs_by_group.csv": tables.groups,
             "sensitivity.csv": tables.sensitivity, "attribution.csv": tables.attribution,
             "design.csv": tables.design, "uncertainty.csv": tables.uncertainty,
             "ranking.csv": tables.ranking, "draws.csv": tables.draws, "needs_by_type.csv": tables.types}
    written = []
    for name, df in files.items():
        path = root / name
        if df is None:
            path.unlink(missing_ok=True)
            continue
        if name == "cost_effectiveness.csv" and df.empty:
            path.unlink(missing_ok=True)
            continue
        atomic_write_text(path, csv_text(df))
        written.append(path)
    return written
