"""Parameter uncertainty: draws of the register's uncertain entries, and their statistics.

An experiment with ``[uncertainty]`` runs every arm at ``draws`` parameter sets
crossed with its replications. This module turns the register's declared
ranges (``model.register.register_rows()``: rows with role "uncertain" and a
range lo < hi) into those parameter sets, and computes the statistics of
``uncertainty.csv`` and ``ranking.csv``.

Sampling
    One uniform per draw and parameter, from a Latin hypercube
    (``scipy.stats.qmc.LatinHypercube``, the default) or plain random
    uniforms, seeded from ``[uncertainty] seed`` (default: the experiment
    seed) through a stream reserved for the draws. Each uniform goes through
    the quantile function of the entry's distribution: uniform on [lo, hi];
    triangular on [lo, hi] with its mode at the register default; log-uniform
    on [lo, hi]. Integer entries are rounded to the nearest integer.

Rules that tie sampled values together
    * ``parameters.organizations.founder_kind_shares.*``: the sampled shares
      are scaled so that the whole group (sampled shares and the defaults of
      unsampled ones) adds up to its default total, 1 (the model normalises
      these shares itself; the scaling keeps a draw readable as proportions);
    * ``parameters.residents.group_shares.*``: the named groups may add up to
      at most 1 (``others`` is the rest); a draw whose named groups add up to
      more has its sampled shares scaled so the total is 1;
    * (``parameters.community_types.<type>.groups.*`` need no rule here: a
      type whose named groups, city share times factor, add up to more than 1
      has them scaled to 1 by the model, ``neighbourhoods.group_share_matrix``);
    * ordered pairs the register validates (``initial_skill_lo`` <=
      ``initial_skill_hi``, ``entrant_skill_lo`` <= ``entrant_skill_hi``,
      ``initial_age_min_months`` < ``initial_age_max_months``): when a draw
      puts them the wrong way round, their two values are swapped (for the
      strict pair an equal draw moves the upper one up by one month).
    Any other draw that fails a scenario's validation rejects the experiment
    file at load time (field ``uncertainty``, the draw and the message).

Draws from a posterior
    ``[uncertainty] posterior`` takes the entries a posterior estimated from
    its particles (:mod:`experiments.posterior`); the other uncertain entries
    are drawn here from their ranges (``rest = "ranges"``) or stay at their
    defaults (``rest = "default"``). The tie rules apply to the whole draw.

Applying a draw to an arm
    Draw d is the same parameter set in every arm; it is applied on top of
    each arm's scenario, except for the entries the arm sets itself (its
    ``set`` overrides, or its scenario's value differing from the register
    default: e.g. the project-led preset's founder share of social-work
    agencies). Entries a lever moves have role "lever" and are never drawn.

Layout: the register's uncertain entries (``register_by_path``, ``uncertain_entries``,
``check_parameters``); sampling (``quantiles``, ``Draws``, ``range_values``, ``tie``,
``sample_draws``, ``renormalise``, ``order_pairs``, ``arm_overrides``); statistics
(``draw_effects``, ``effect_summary``, ``rankings``, ``chance_rho``, ``top_spearman``).
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import stats

UNCERTAINTY_KEY = zlib.crc32(b"experiments.uncertainty")

SHARE_GROUPS: dict[str, str] = {
    "parameters.organizations.founder_kind_shares.": "total",
    "parameters.residents.group_shares.": "at_most_one",
}
"""Groups of shares sampled together: ``total`` keeps the group's default total; ``at_most_one`` caps it at 1."""

ORDERED_PAIRS: tuple[tuple[str, str, bool], ...] = (
    ("parameters.social_workers.initial_skill_lo", "parameters.social_workers.initial_skill_hi", False),
    ("parameters.social_workers.entrant_skill_lo", "parameters.social_workers.entrant_skill_hi", False),
    ("parameters.organizations.initial_age_min_months", "parameters.organizations.initial_age_max_months", True),
)
"""(lower, upper, strict): pairs the register's validators order."""



# ---------------------------------------------------------------------------
# the register's uncertain entries
# ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def register_by_path() -> dict[str, dict[str, Any]]:
    """Every register row (``model.register.register_rows``) by its path."""
    from model.register import register_rows

    return {r["path"]: r for r in register_rows()}


def uncertain_entries() -> dict[str, dict[str, Any]]:
    """Register rows with role "uncertain" and a range that is not a point (lo < hi), by path."""
    return {p: r for p, r in register_by_path().items()
            if r["role"] == "uncertain" and r["range"] is not None and r["range"]["lo"] < r["range"]["hi"]}


def check_parameters(paths: list[str] | None) -> list[tuple[str, str]]:
    """Problems of an ``[uncertainty] parameters`` list: unknown paths, entries that are not uncertain,
    entries whose range is a point, duplicates."""
    if paths is None:
        return []
    problems = []
    rows, entries = register_by_path(), uncertain_entries()
    for i, p in enumerate(paths):
        where = f"uncertainty.parameters[{i + 1}]"
        if p in paths[:i]:
            problems.append((where, f"{p!r} is listed twice"))
        elif p not in rows:
            problems.append((where, f"unknown register entry {p!r}; `python run.py params` lists them"))
        elif rows[p]["role"] != "uncertain":
            problems.append((where, f"{p!r} is not uncertain (its role is {rows[p]['role']!r}): only entries "
                                    "with role \"uncertain\" are drawn"))
        elif p not in entries:
            problems.append((where, f"{p!r} has no range to draw from (its plausible range is a point)"))
    return problems


# ---------------------------------------------------------------------------
# sampling
# ---------------------------------------------------------------------------


def quantiles(u: np.ndarray, row: dict[str, Any]) -> np.ndarray:
    """Values of one register entry at uniforms ``u`` through its distribution's quantile function."""
    rng = row["range"]
    lo, hi, dist = float(rng["lo"]), float(rng["hi"]), rng["distribution"]
    if dist == "uniform":
        x = lo + u * (hi - lo)
    elif dist == "triangular":
        mode = min(max(float(row["default"]), lo), hi)
        x = stats.triang.ppf(u, (mode - lo) / (hi - lo), loc=lo, scale=hi - lo)
    elif dist == "loguniform":
        x = np.exp(math.log(lo) + u * (math.log(hi) - math.log(lo)))
    else:
        raise ValueError(f"{row['path']}: unknown distribution {dist!r}")
    x = np.clip(x, lo, hi)
    return np.round(x) if row["type"] == "int" else x


@dataclass
class Draws:
    """The parameter sets of an experiment: ``values[d, j]`` is parameter ``paths[j]`` in draw d.

    Drawn from a posterior (:mod:`experiments.posterior`), ``particles[d]`` is the particle draw d took
    the posterior's parameters from, and ``posterior``, ``rest`` say which posterior and what happened to
    the other uncertain entries; ``uniforms`` is NaN in the posterior's columns."""

    paths: list[str]
    uniforms: np.ndarray
    values: np.ndarray
    integer: list[bool]
    per_arm: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    particles: np.ndarray | None = None
    posterior: Any = None
    rest: str = "ranges"

    def overrides(self, d: int) -> dict[str, Any]:
        """Draw d as dotted overrides (integers as int)."""
        return {p: (int(v) if is_int else float(v)) for p, v, is_int in zip(self.paths, self.values[d], self.integer)}

    def table(self) -> list[dict[str, Any]]:
        """One row per draw: its index, its particle (posterior draws) and every parameter's value (draws.csv)."""
        if self.particles is None:
            return [{"draw": d, **self.overrides(d)} for d in range(len(self.values))]
        return [{"draw": d, "particle": int(self.particles[d]), **self.overrides(d)} for d in range(len(self.values))]


def range_values(paths: list[str], n: int, seed: int, design: str = "lhs") -> tuple[np.ndarray, np.ndarray]:
    """Uniforms and values of ``n`` draws of ``paths`` from their ranges, before the tie rules: the
    uncertainty stream of ``seed``, a Latin hypercube or plain uniforms, each entry's quantile function."""
    entries = uncertain_entries()
    rows = [entries[p] for p in paths]
    s = int(np.random.SeedSequence(seed, spawn_key=(UNCERTAINTY_KEY,)).generate_state(1, np.uint32)[0])
    if design == "lhs":
        from scipy.stats import qmc

        u = qmc.LatinHypercube(d=len(rows), rng=np.random.default_rng(s)).random(n)
    else:
        u = np.random.default_rng(s).random((n, len(rows)))
    values = np.column_stack([quantiles(u[:, j], r) for j, r in enumerate(rows)]) if rows else np.zeros((n, 0))
    return u, values


def tie(values: np.ndarray, paths: list[str]) -> np.ndarray:
    """The tie rules of the module docstring on draws of ``paths``: share groups, then ordered pairs."""
    defaults = {p: float(r["default"]) for p, r in register_by_path().items() if isinstance(r["default"], (int, float))}
    return order_pairs(renormalise(values, paths, defaults), paths)


def sample_draws(paths: list[str] | None, n: int, seed: int, design: str = "lhs") -> Draws:
    """``n`` draws of ``paths`` (default: every uncertain entry with a range), tied together by the rules
    in the module docstring."""
    entries = uncertain_entries()
    chosen = list(paths) if paths is not None else list(entries)
    u, values = range_values(chosen, n, seed, design)
    return Draws(chosen, u, tie(values, chosen), [entries[p]["type"] == "int" for p in chosen])


def renormalise(values: np.ndarray, paths: list[str], defaults: dict[str, float]) -> np.ndarray:
    """Scale the sampled members of each share group (``SHARE_GROUPS``) draw by draw: to the group's
    default total (``total``) or, when the named shares exceed 1, down to 1 (``at_most_one``)."""
    values = values.copy()
    for prefix, rule in SHARE_GROUPS.items():
        cols = [j for j, p in enumerate(paths) if p.startswith(prefix)]
        if not cols:
            continue
        members = [p for p in defaults if p.startswith(prefix)]
        fixed = sum(defaults[p] for p in members if p not in paths)
        total = sum(defaults[p] for p in members)
        sampled = values[:, cols].sum(axis=1)
        if rule == "total":
            target = np.full_like(sampled, total - fixed)
        else:
            target = np.minimum(sampled, 1.0 - fixed)
        scale = np.divide(target, sampled, out=np.ones_like(sampled), where=sampled > 0)
        values[:, cols] *= scale[:, None]
    return values


def order_pairs(values: np.ndarray, paths: list[str]) -> np.ndarray:
    """Swap the values of an ordered pair (``ORDERED_PAIRS``) in the draws that put them the wrong way
    round; a strict pair drawn equal gets its upper value one higher."""
    values = values.copy()
    for lo, hi, strict in ORDERED_PAIRS:
        if lo not in paths or hi not in paths:
            continue
        i, j = paths.index(lo), paths.index(hi)
        a, b = values[:, i].copy(), values[:, j].copy()
        values[:, i], values[:, j] = np.minimum(a, b), np.maximum(a, b)
        if strict:
            values[:, j] = np.where(values[:, i] == values[:, j], values[:, j] + 1, values[:, j])
    return values


def arm_overrides(draws: Draws, d: int, arm_set: dict[str, Any], arm_values: dict[str, Any]) -> dict[str, Any]:
    """Draw d for one arm: every drawn entry except those the arm sets itself (a key of its ``set``, or a
    value of its scenario, ``arm_values``, that differs from the register default)."""
    rows = register_by_path()
    own = set(arm_set) | {p for p in draws.paths if p in arm_values and arm_values[p] != rows[p]["default"]}
    return {p: v for p, v in draws.overrides(d).items() if p not in own}


# ---------------------------------------------------------------------------
# statistics
# ---------------------------------------------------------------------------


def draw_effects(arm: dict[tuple[int, int], float], ref: dict[tuple[int, int], float]) -> dict[int, np.ndarray]:
    """Paired differences arm - reference by draw: (draw, replication) pairs both finished, finite."""
    out: dict[int, list[float]] = {}
    for key in sorted(arm.keys() & ref.keys()):
        diff = arm[key] - ref[key]
        if math.isfinite(diff):
            out.setdefault(key[0], []).append(diff)
    return {d: np.asarray(v, dtype=np.float64) for d, v in out.items()}


def effect_summary(by_draw: dict[int, np.ndarray]) -> dict[str, float]:
    """Mean effect, the 95% interval over draws of the draw-level effect (2.5th-97.5th percentile of
    the means over replications within each draw), the 95% t interval the seeds alone leave on the mean
    effect (pooled within-draw variance), the share of draws whose effect is above zero, and counts."""
    nan = math.nan
    out = {"effect": nan, "draw_low": nan, "draw_high": nan, "seed_low": nan, "seed_high": nan,
           "p_higher": nan, "draws": len(by_draw), "runs": int(sum(v.size for v in by_draw.values()))}
    if not by_draw:
        return out
    level = np.array([v.mean() for v in by_draw.values()])
    allv = np.concatenate(list(by_draw.values()))
    eff = float(allv.mean())
    out.update(effect=eff, draw_low=float(np.percentile(level, 2.5)), draw_high=float(np.percentile(level, 97.5)),
               p_higher=float(np.mean(level > 0)))
    df = int(sum(v.size - 1 for v in by_draw.values()))
    if df > 0:
        ss = float(sum(((v - v.mean()) ** 2).sum() for v in by_draw.values()))
        half = float(stats.t.ppf(0.975, df)) * math.sqrt(ss / df / allv.size)
        out.update(seed_low=eff - half, seed_high=eff + half)
    return out


def rankings(levels: dict[str, dict[int, float]]) -> tuple[Counter, int]:
    """Rankings of arms, highest first, in each draw where every arm has a finite draw-level value
    (``levels[arm][draw]``): a count of each ranking ("a > b = c": arm names, highest first, "=" between
    equal values, equal arms in file order) and the number of draws."""
    arms = list(levels)
    draws = sorted(set.intersection(*(set(v) for v in levels.values()))) if arms else []
    counts: Counter = Counter()
    n = 0
    for d in draws:
        vals = [levels[a][d] for a in arms]
        if not all(math.isfinite(v) for v in vals):
            continue
        order = sorted(range(len(arms)), key=lambda i: (-vals[i], i))
        text = arms[order[0]]
        for prev, i in zip(order, order[1:]):
            text += (" = " if vals[i] == vals[prev] else " > ") + arms[i]
        counts[text] += 1
        n += 1
    return counts, n


def chance_rho(n_draws: int, n_params: int, level: float = 0.05) -> float:
    """The |rho| that the largest of ``n_params`` Spearman correlations over ``n_draws`` draws exceeds by
    chance with probability ``level`` when no parameter matters (Bonferroni over the parameters, t
    approximation of rho's null distribution); NaN for under 4 draws."""
    if n_draws < 4 or n_params < 1:
        return math.nan
    tq = float(stats.t.ppf(1 - level / 2 / n_params, n_draws - 2))
    return tq / math.sqrt(n_draws - 2 + tq * tq)


def top_spearman(params: np.ndarray, names: list[str], y: np.ndarray, k: int = 3) -> list[tuple[str, float]]:
    """The ``k`` parameters whose draws correlate most with ``y`` by rank (Spearman's rho: the Pearson
    correlation of average ranks, ``scipy.stats.rankdata``), largest |rho| first; parameters constant
    over the draws are left out, and so is everything when ``y`` is constant or has under 3 values."""
    ok = np.isfinite(y)
    if ok.sum() < 3 or np.ptp(y[ok]) == 0:
        return []
    x = stats.rankdata(params[ok], axis=0)
    ry = stats.rankdata(y[ok])
    xc, yc = x - x.mean(axis=0), ry - ry.mean()
    norm = np.sqrt((xc ** 2).sum(axis=0) * (yc ** 2).sum())
    varies = norm > 0
    rho = np.divide(xc.T @ yc, norm, out=np.zeros(len(names)), where=varies)
    order = [j for j in np.argsort(-np.abs(rho), kind="stable") if varies[j]]
    return [(names[j], float(rho[j])) for j in order[:k]]
