"""Designs: run seeds, sweep points (grid, LHS, Sobol, Morris via SALib), attribution arms, the run plan.

Seeds (common random numbers)
    Replication ``r`` of every arm and every design point uses the seed
    ``SeedSequence(experiment_seed, spawn_key=(r,))`` (the r-th child of
    ``SeedSequence(experiment_seed).spawn``), so arms differ only where their
    scenarios differ, and adding replications, arms or points never changes a
    run that exists. Run seeds depend on (experiment seed, replication) only.

Design points
    Drawn once, deterministically, from a child of the experiment seed
    reserved for the design (``spawn_key=(DESIGN_KEY,)``), in the order the
    factors appear in the file. Integer bounds (``[1, 10]``) make an integer
    factor: sampled values are rounded when run (the unrounded values are kept
    for the sensitivity analysis).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from model.scenario import Scenario, ScenarioError, with_overrides

from .checkout import code_digest
from .spec import MAX_LEVERS, Arm, ArmSpec, Experiment, Sweep, owner_key
from .posterior import posterior_draws, posterior_folder, read_posterior, rest_paths
from .uncertainty import Draws, arm_overrides, check_parameters, sample_draws

DESIGN_KEY = zlib.crc32(b"experiments.design")
ANALYSIS_KEY = zlib.crc32(b"experiments.analysis")
RUN_FORMAT = 1
"""Version of what a run file holds; part of every run's identity key."""


def replication_seed(experiment_seed: int, replication: int) -> int:
    """Seed of replication ``replication`` (0-based) for every arm and point: a 63-bit integer."""
    ss = np.random.SeedSequence(experiment_seed, spawn_key=(replication,))
    return int(ss.generate_state(1, np.uint64)[0] >> np.uint64(1))


def stream_seed(experiment_seed: int, key: int) -> int:
    """A 32-bit seed for a named purpose (design sampling, bootstrap) derived from the experiment seed."""
    return int(np.random.SeedSequence(experiment_seed, spawn_key=(key,)).generate_state(1, np.uint32)[0])


# ---------------------------------------------------------------------------
# sweeps
# ---------------------------------------------------------------------------


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def n_points(sweep: Sweep) -> int:
    """Number of design points of a (shape-valid) sweep."""
    d = len(sweep.factors)
    n = sweep.samples or 0
    if sweep.design == "grid":
        return int(np.prod([max(1, len(v)) for v in sweep.factors.values()]))
    if sweep.design == "lhs":
        return n
    if sweep.design == "sobol":
        return n * (2 * d + 2 if sweep.second_order else d + 2)
    return n * (d + 1)  # morris


def problem(sweep: Sweep) -> dict[str, Any]:
    """The SALib problem of a continuous sweep."""
    names = list(sweep.factors)
    return {"num_vars": len(names), "names": names,
            "bounds": [[float(v[0]), float(v[1])] for v in sweep.factors.values()]}


def sample_matrix(sweep: Sweep, seed: int) -> np.ndarray:
    """The design matrix (points x factors) of a continuous design, unrounded."""
    from SALib.sample import latin, morris, sobol  # SALib is slow to import: only continuous designs need it

    prob = problem(sweep)
    s = stream_seed(seed, DESIGN_KEY)
    n = int(sweep.samples or 0)
    if sweep.design == "lhs":
        return latin.sample(prob, n, seed=s)
    if sweep.design == "sobol":
        return sobol.sample(prob, n, calc_second_order=sweep.second_order, scramble=True, seed=s)
    if sweep.design == "morris":
        return morris.sample(prob, n, num_levels=sweep.levels, seed=s)
    raise ValueError(f"not a continuous design: {sweep.design}")


def design_points(sweep: Sweep, seed: int) -> tuple[np.ndarray | None, list[dict[str, Any]]]:
    """(design matrix or None for grids, overrides of each point)."""
    names = list(sweep.factors)
    if sweep.design == "grid":
        combos = itertools.product(*sweep.factors.values())
        return None, [dict(zip(names, c)) for c in combos]
    X = sample_matrix(sweep, seed)
    integer = [all(isinstance(v, int) and not isinstance(v, bool) for v in sweep.factors[k]) for k in names]
    points = []
    for row in X:
        points.append({k: (int(round(x)) if is_int else float(x)) for k, x, is_int in zip(names, row, integer)})
    return X, points


def _sweep_shape_problems(sweep: Sweep) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    design = sweep.design
    for key, values in sweep.factors.items():
        where = f'sweep.factors."{key}"'
        if not key or key.startswith(".") or key.endswith(".") or ".." in key:
            problems.append((where, "not a dotted path like \"parameters.section.field\""))
            continue
        if key.split(".")[0] == "scenario":
            problems.append((where, "the [scenario] table is set by the experiment, not swept"))
        if design == "grid":
            if not values:
                problems.append((where, "grid factors need a list of at least one value"))
            if any(isinstance(v, (dict, list)) for v in values):
                problems.append((where, "grid values must be plain values (numbers, strings, booleans)"))
        else:
            if len(values) != 2 or not all(_is_number(v) for v in values):
                problems.append((where, f"{design} factors need [low, high], two numbers (got {values!r})"))
            elif not values[0] < values[1]:
                problems.append((where, f"low must be below high (got {values!r})"))
    if design == "grid":
        if sweep.samples is not None:
            problems.append(("sweep.samples", "not used by a grid: the grid is every combination of the listed values"))
    elif sweep.samples is None:
        problems.append(("sweep.samples", f"required for design {design!r}"))
    elif design == "sobol" and (sweep.samples < 2 or sweep.samples & (sweep.samples - 1)):
        problems.append(("sweep.samples", f"sobol needs a power of 2 (2, 4, 8, ..., 1024, ...), got {sweep.samples}"))
    elif design == "morris" and sweep.samples < 2:
        problems.append(("sweep.samples", f"morris needs at least 2 trajectories, got {sweep.samples}"))
    if design == "morris" and sweep.levels % 2:
        problems.append(("sweep.levels", f"morris levels must be even (2, 4, 6, ...), got {sweep.levels}"))
    if design != "sobol" and sweep.second_order:
        problems.append(("sweep.second_order", "only used by the sobol design"))
    if design == "sobol" and len(sweep.factors) < 2:
        problems.append(("sweep.factors", "sobol needs at least 2 factors"))
    return problems


def check_sweep_points(exp: Experiment, problems: list[tuple[str, str]]) -> None:
    """Check the sweep's shape, then that every design point validates on every arm."""
    sweep = exp.sweep
    if sweep is None:
        return
    shape = _sweep_shape_problems(sweep)
    if shape:
        problems.extend(shape)
        return
    _, points = design_points(sweep, exp.seed)
    reported: set[str] = set()
    for arm in exp.visible_arms:
        for i, point in enumerate(points):
            try:
                with_overrides(arm.scenario, point)
            except ScenarioError as exc:
                for path, msg in exc.problems:
                    key = owner_key(path, point)
                    where = f'sweep.factors."{key}"' if key in point else "sweep.factors"
                    if where in reported:
                        continue
                    reported.add(where)
                    value = point.get(key, "")
                    problems.append((where, f"{msg} (design point {i + 1}, value {value!r}, arm {arm.name!r})"))
            if len(reported) >= 20:
                return


def check_draws(exp: Experiment, problems: list[tuple[str, str]]) -> None:
    """Check ``[uncertainty]``'s parameters (and posterior), draw them (``exp.draws``) and check that every
    draw validates on every arm (after the arm's own entries are left out)."""
    spec = exp.uncertainty
    if spec is None:
        return
    bad = check_parameters(spec.parameters)
    if bad:
        problems.extend(bad)
        return
    seed = spec.seed if spec.seed is not None else exp.seed
    if spec.posterior is None:
        draws = sample_draws(spec.parameters, spec.draws, seed, spec.design)
    else:
        drawn = _posterior_draws(exp, seed, problems)
        if drawn is None:
            return
        draws = drawn
    for arm in exp.visible_arms:
        values = _flat(arm.scenario.model_dump(mode="json", exclude_none=True))
        draws.per_arm[arm.name] = [arm_overrides(draws, d, arm.set, values) for d in range(spec.draws)]
        for d, sets in enumerate(draws.per_arm[arm.name]):
            try:
                with_overrides(arm.scenario, sets)
            except ScenarioError as exc:
                msg = "; ".join(f"{p}: {m}" for p, m in exc.problems)
                problems.append(("uncertainty", f"draw {d + 1} does not validate on arm {arm.name!r}: {msg}; "
                                                "narrow uncertainty.parameters or report the range"))
                return
    exp.draws = draws


def _posterior_draws(exp: Experiment, seed: int, problems: list[tuple[str, str]]) -> Draws | None:
    """The draws of an ``[uncertainty]`` with a posterior, or None after appending the posterior's problems
    and those of ``parameters`` beside it."""
    spec = exp.uncertainty
    assert spec is not None and spec.posterior is not None
    post, found = read_posterior(posterior_folder(spec.posterior, exp.base_dir))
    problems.extend(found)
    if post is None:
        return None
    rest = spec.rest or "ranges"
    if spec.parameters is not None and rest == "default":
        found.append(("uncertainty.parameters", 'with rest = "default" nothing is drawn from ranges beside the '
                                                   'posterior; leave parameters out or set rest = "ranges"'))
    for i, p in enumerate(spec.parameters or []):
        if p in post.paths:
            found.append((f"uncertainty.parameters[{i + 1}]", f"{p!r} comes from the posterior; list only "
                                                               "entries drawn from their ranges beside it"))
    if found:
        problems.extend(found)
        return None
    return posterior_draws(post, rest_paths(post, spec.parameters, rest), rest, spec.draws, seed, spec.design)


# ---------------------------------------------------------------------------
# attribution (Shapley over the levers an arm switches on)
# ---------------------------------------------------------------------------


@dataclass
class AttributionPlan:
    """Which runs give v(S) for every subset S of an arm's levers."""

    arm: str
    levers: list[str]
    overrides: dict[str, dict[str, Any]]  # lever -> dotted overrides switching it on
    subset_arm: dict[int, str] = field(default_factory=dict)  # bitmask -> arm name holding its runs


def _flat(data: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for k, v in data.items():
            out.update(_flat(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: data}


def lever_overrides(arm: Scenario, ref: Scenario) -> dict[str, Any]:
    """Dotted overrides that turn the reference into the arm (the scenario table aside)."""
    a = arm.model_dump(mode="json", exclude_none=True)
    r = ref.model_dump(mode="json", exclude_none=True)
    a.pop("scenario", None)
    r.pop("scenario", None)
    fa, fr = _flat(a), _flat(r)
    out: dict[str, Any] = {k: v for k, v in fa.items() if fr.get(k, object()) != v}
    for k in fr:
        if k in fa:
            continue
        # present in the reference, absent in the arm: switch the table off at its top missing level
        parts = k.split(".")
        node: Any = a
        for j, part in enumerate(parts):
            if not isinstance(node, dict) or part not in node:
                out[".".join(parts[: j + 1])] = None
                break
            node = node[part]
    return out


def default_lever(path: str) -> str:
    """Lever a differing path belongs to: a policy table, or one parameter."""
    parts = path.split(".")
    if parts[0] == "policies":
        return parts[1] if len(parts) > 1 else "policies"
    if parts[0] == "parameters":
        return ".".join(parts[1:3])
    return parts[0]


def attribution_arms(exp: Experiment, problems: list[tuple[str, str]]) -> None:
    """Add the hidden arms an attribution needs (one per proper, non-empty lever subset)."""
    spec = exp.attribution_spec
    assert spec is not None
    names = [a.name for a in exp.arms]
    ref = exp.arm(exp.reference)
    for j, name in enumerate(spec.arms):
        where = f"attribution.arms[{j + 1}]"
        if name not in names:
            problems.append((where, f"no arm named {name!r}; arms are: {', '.join(names)}"))
            continue
        if name == exp.reference:
            problems.append((where, f"{name!r} is the reference; its effect is zero by definition"))
            continue
        diffs = lever_overrides(exp.arm(name).scenario, ref.scenario)
        if any(k.split(".")[0] == "world" for k in diffs):
            bad = sorted(k for k in diffs if k.startswith("world."))
            problems.append((where, f"arm {name!r} and the reference differ in the world ({', '.join(bad)}); "
                                    "attribution compares levers on one world"))
            continue
        if not diffs:
            problems.append((where, f"arm {name!r} does not differ from the reference: nothing to attribute"))
            continue
        groups = _lever_groups(name, diffs, spec.levers, problems)
        k = len(groups)
        if k > MAX_LEVERS:
            problems.append((where, f"arm {name!r} differs from the reference in {k} levers ({', '.join(groups)}); "
                                    f"exact Shapley needs 2^k runs per replication: at most {MAX_LEVERS} levers; "
                                    "group them with [attribution.levers]"))
            continue
        exp.attribution.append(_subset_arms(exp, AttributionPlan(name, list(groups), groups), problems))


def _lever_groups(name: str, diffs: dict[str, Any], levers: dict[str, list[str]] | None,
                  problems: list[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    """An arm's differences from the reference grouped by lever (the file's grouping, or the default one)."""
    groups: dict[str, dict[str, Any]] = {}
    if not levers:
        for path, value in diffs.items():
            groups.setdefault(default_lever(path), {})[path] = value
        return groups
    for path, value in diffs.items():
        owners = [lv for lv, prefixes in levers.items() if any(path == p or path.startswith(p + ".") for p in prefixes)]
        if len(owners) != 1:
            what = "no lever" if not owners else f"several levers ({', '.join(owners)})"
            problems.append(("attribution.levers", f"{path!r} (differs in arm {name!r}) falls under {what}; "
                                                   "each difference must fall under exactly one lever"))
            continue
        groups.setdefault(owners[0], {})[path] = value
    # keep the file's lever order
    return {lv: groups[lv] for lv in levers if lv in groups}


def _subset_arms(exp: Experiment, plan: AttributionPlan, problems: list[tuple[str, str]]) -> AttributionPlan:
    """Add a hidden arm for every proper, non-empty subset of the plan's levers; note which arm holds which."""
    ref, arm = exp.arm(exp.reference), exp.arm(plan.arm)
    k = len(plan.levers)
    full = (1 << k) - 1
    plan.subset_arm[0] = exp.reference
    plan.subset_arm[full] = plan.arm
    for mask in range(1, full):
        sets: dict[str, Any] = {}
        for i, lever in enumerate(plan.levers):
            if mask >> i & 1:
                sets.update(plan.overrides[lever])
        bits = "".join("1" if mask >> i & 1 else "0" for i in range(k))
        hidden = f"_shapley-{plan.arm}-{bits}"
        try:
            sc = with_overrides(ref.scenario, sets)
        except ScenarioError as exc:
            problems.extend((f"attribution ({hidden})", f"{p}: {m}") for p, m in exc.problems)
            continue
        arm_model = Arm(name=plan.arm, scenario=ref.scenario_ref, label=f"{arm.label} [{bits}]")
        derived = ArmSpec(arm_model, sc, hidden=True)
        derived.name = hidden
        derived.set = sets
        exp.arms.append(derived)
        plan.subset_arm[mask] = hidden
    return plan


# ---------------------------------------------------------------------------
# the plan
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """One run: an arm (and design point or parameter draw) at one replication."""

    run_id: str
    arm: str
    point: int | None
    replication: int
    seed: int
    months: int
    base: dict[str, Any]
    overrides: dict[str, Any]
    key: str
    draw: int | None = None


class Plan:
    """All runs of an experiment, built lazily replication by replication."""

    def __init__(self, exp: Experiment):
        self.exp = exp
        if exp.sweep is not None:
            self.matrix, self.points = design_points(exp.sweep, exp.seed)
        else:
            self.matrix, self.points = None, [{}]
        self._bases = {a.name: a.scenario.model_dump(mode="json", exclude_none=True) for a in exp.arms}
        self._keys: dict[tuple[str, int, int], str] = {}
        # a run is identified by its scenario, seed and months and by the model's code:
        # --resume never reuses a run made by other code
        self._model_code = code_digest(("model",))

    @property
    def swept(self) -> bool:
        return self.exp.sweep is not None

    @property
    def n_draws(self) -> int:
        """Parameter draws (1 without ``[uncertainty]``: the arms' own parameters)."""
        return len(self.exp.draws.values) if self.exp.draws is not None else 1

    def run_id(self, arm: str, point: int | None, rep: int, draw: int | None = None) -> str:
        if draw is not None:
            return f"{arm}.d{draw:04d}.r{rep:04d}"
        if point is None:
            return f"{arm}.r{rep:04d}"
        return f"{arm}.p{point:05d}.r{rep:04d}"

    def overrides(self, arm: str, point_index: int, draw: int | None) -> dict[str, Any]:
        """The overrides of one run: its design point's, or its parameter draw's for this arm."""
        if draw is not None:
            return dict(self.exp.draws.per_arm[arm][draw])
        return dict(self.points[point_index])

    def _digest(self, arm: str, point_index: int, draw: int | None) -> str:
        key = (arm, point_index, -1 if draw is None else draw)
        d = self._keys.get(key)
        if d is None:
            sc = self.exp.arm(arm).scenario
            sets = self.overrides(arm, point_index, draw)
            d = with_overrides(sc, sets).digest() if sets else sc.digest()
            self._keys[key] = d
        return d

    def tasks(self, replications: range) -> list[Task]:
        """The runs of the given replications, arm by arm, point (or draw) by point (a fixed order)."""
        out = []
        draws: list[int | None] = list(range(self.n_draws)) if self.exp.draws is not None else [None]
        for arm in self.exp.arms:
            for pi, draw in itertools.product(range(len(self.points)), draws):
                digest = self._digest(arm.name, pi, draw)
                sets = self.overrides(arm.name, pi, draw)
                for rep in replications:
                    seed = replication_seed(self.exp.seed, rep)
                    key = hashlib.sha256(json.dumps(
                        {"format": RUN_FORMAT, "scenario": digest, "seed": seed, "months": self.exp.run_months,
                         "model_code": self._model_code}, sort_keys=True).encode()).hexdigest()
                    point_id = pi if self.swept else None
                    out.append(Task(self.run_id(arm.name, point_id, rep, draw), arm.name, point_id, rep, seed,
                                    self.exp.run_months, self._bases[arm.name], dict(sets), key, draw))
        return out
