"""Loading an experiment file: reading it and checking it, before any run starts.

The file is checked in two passes and every problem is reported at once,
each with its field path and what is allowed, by :class:`ExperimentError`
(a sibling of :class:`model.scenario.ScenarioError` under
:class:`model.inputs.InputError`, which reads the file and words the
problems; list positions are counted from 1):

1. the shape of the file (:mod:`experiments.spec`: strict types, unknown
   keys, ranges, NaN);
2. its meaning: arm names unique, the reference and outcomes exist, every
   arm's scenario loads and every override (and every sweep point)
   validates through :func:`model.scenario.with_overrides`, output names
   stay inside the results folder, attribution arms can be built, the
   ``[uncertainty]`` parameters are uncertain register entries, its
   posterior folder holds a valid posterior (:mod:`experiments.posterior`)
   and every draw validates on every arm.

Layout: ``load_experiment`` -> ``validate_experiment`` (``is_experiment_file`` tells
``run.py validate`` an experiment file from a scenario), which runs pass 1
through :func:`model.inputs.pydantic_problems` and pass 2 through
``_check_meaning`` (outcomes, replications, arms) and the design's checks
(:func:`experiments.design.check_sweep_points`,
:func:`experiments.design.check_draws`,
:func:`experiments.design.attribution_arms`).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from pydantic import ValidationError

from model.inputs import MAX_FILE_BYTES, InputError, Problem, finite_problems, join_path, pydantic_problems, read_toml
from model.outcomes import OUTCOME_NAMES
from model.scenario import Scenario, ScenarioError, load_scenario, with_burn_in, with_overrides

from .design import attribution_arms, check_draws, check_sweep_points, n_points
from .spec import (MAX_REPLICATIONS, MAX_RUNS, Arm, ArmSpec, Experiment, ExperimentFile, ExperimentMeta, flatten,
                   owner_key)

EXPLAIN = {
    "replications": f"an integer 1-{MAX_REPLICATIONS} or \"auto\"",
    "outcomes": "a list of outcome names or \"all\"",
    "name": "1-64 letters, digits, '-' or '_', starting with a letter or digit (it names files)",
}
"""What a field must be, for the messages of fields that take one of several forms or follow a pattern."""


class ExperimentError(InputError):
    """Bad experiment input: the file and every field at fault with what is allowed."""

    kind = "experiment"


def load_experiment(path: str | Path) -> Experiment:
    """Load and fully validate an experiment file (no run starts, nothing is written).

    Raises ExperimentError naming the file and every field at fault.
    """
    path = Path(path)
    raw, data = read_toml(path, ExperimentError)
    return validate_experiment(data, raw, str(path), path.parent)


def is_experiment_file(path: str | Path) -> bool:
    """Whether ``path`` is a readable TOML file with an ``[experiment]`` table (``run.py validate`` then checks
    it as an experiment); anything else is left to the scenario checks to report."""
    import tomllib

    try:
        p = Path(path)
        if not p.is_file() or p.stat().st_size > MAX_FILE_BYTES:
            return False
        return isinstance(tomllib.loads(p.read_text(encoding="utf-8")).get("experiment"), dict)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return False


def validate_experiment(data: dict[str, Any], raw: bytes, label: str, base_dir: Path) -> Experiment:
    """Validate parsed TOML; collect every problem, then raise ExperimentError or return the Experiment."""
    problems = finite_problems(data)
    if problems:
        raise ExperimentError(label, problems)
    try:
        parsed = ExperimentFile.model_validate(data)
    except ValidationError as exc:
        raise ExperimentError(label, pydantic_problems(exc, ExperimentFile, data, EXPLAIN)) from None
    arms = _check_meaning(parsed, base_dir, problems)
    if problems:
        raise ExperimentError(label, problems)
    exp = Experiment(label, raw, parsed, arms, base_dir)
    # Design points and derived arms are checked here too, so a bad sweep or
    # attribution is rejected before anything runs.
    check_sweep_points(exp, problems)
    check_draws(exp, problems)
    if parsed.attribution is not None:
        attribution_arms(exp, problems)
    if problems:
        raise ExperimentError(label, problems)
    return exp


def _check_output(name: str | None, problems: list[Problem]) -> None:
    if name is None:
        return
    for flavour in (PurePosixPath(name), PureWindowsPath(name)):
        if flavour.is_absolute() or flavour.drive or flavour.root:
            problems.append(("experiment.output", f"must be a folder name under results/, not an absolute path (got {name!r})"))
            return
        if any(part == ".." for part in flavour.parts):
            problems.append(("experiment.output", f"'..' is not allowed: the output stays under results/ (got {name!r})"))
            return
    if not name.strip() or any(ord(c) < 32 for c in name):
        problems.append(("experiment.output", f"must be a plain folder name (got {name!r})"))


def _load_arm_scenario(ref: str, base_dir: Path) -> Scenario:
    """An arm's scenario: a preset by name, or a file (relative to the experiment file's folder)."""
    looks_like_file = ref.endswith(".toml") or "/" in ref or "\\" in ref
    if looks_like_file:
        p = Path(ref)
        if not p.is_absolute():
            p = base_dir / p
        return load_scenario(p)
    return load_scenario(ref)


def _prefix_problems(prefix: str, exc: ScenarioError) -> list[Problem]:
    out = []
    for path, msg in exc.problems:
        where = f" in {exc.source}" if exc.source not in ("<overrides>", "<scenario>") else ""
        out.append((f"{prefix}{'.' + path if path else ''}", f"{msg}{where}"))
    return out


def _check_meaning(parsed: ExperimentFile, base_dir: Path, problems: list[Problem]) -> list[ArmSpec]:
    """Pass 2: what the shape cannot say. Appends to ``problems``; returns the arms that validate."""
    meta = parsed.experiment
    _check_output(meta.output, problems)
    names = [a.name for a in parsed.arm]
    for i, name in enumerate(names):
        if name in names[:i]:
            problems.append((f"arm[{i + 1}].name", f"duplicate arm name {name!r}; each arm needs its own name"))
    if meta.reference is not None and meta.reference not in names:
        problems.append(("experiment.reference", f"no arm named {meta.reference!r}; arms are: {', '.join(names)}"))
    _check_outcomes(parsed, problems)
    _check_replications(parsed, problems)
    if meta.window_months is not None and meta.window_months > meta.months:
        problems.append(("experiment.window_months", f"{meta.window_months} is more than the {meta.months} months "
                                                     "each run simulates; allowed: 1 to experiment.months"))
    if meta.burn_in_months + meta.months > 1200:
        problems.append(("experiment.burn_in_months", f"{meta.burn_in_months} burn-in months and {meta.months} "
                                                      "reported months are more than the 1,200 a run may simulate"))
        return []
    if parsed.sweep is not None and parsed.attribution is not None:
        problems.append(("attribution", "cannot be combined with a [sweep]: attribute effects in an experiment "
                                        "without one"))
    _check_uncertainty_combinations(parsed, problems)
    arms = [spec for i, arm in enumerate(parsed.arm)
            if (spec := _check_arm(arm, f"arm[{i + 1}]", meta, base_dir, problems)) is not None]
    if not problems:
        _check_size(parsed, problems)
    return arms


def _check_uncertainty_combinations(parsed: ExperimentFile, problems: list[Problem]) -> None:
    """``[uncertainty]`` draws parameters for fixed arms and a fixed number of replications: not with a
    sweep, an attribution or automatic replications."""
    if parsed.uncertainty is None:
        return
    if parsed.uncertainty.rest is not None and parsed.uncertainty.posterior is None:
        problems.append(("uncertainty.rest", "only used with a posterior (uncertainty.posterior): without one "
                                             "every drawn entry comes from its range"))
    if parsed.sweep is not None:
        problems.append(("uncertainty", "cannot be combined with a [sweep]: a sweep sets parameters point by "
                                        "point; draw the uncertain parameters in an experiment without one"))
    if parsed.attribution is not None:
        problems.append(("uncertainty", "cannot be combined with an [attribution]: attribute effects in an "
                                        "experiment without parameter draws"))
    if parsed.experiment.replications == "auto":
        problems.append(("experiment.replications", '"auto" cannot be combined with [uncertainty]; give a number'))


def _check_outcomes(parsed: ExperimentFile, problems: list[Problem]) -> None:
    meta = parsed.experiment
    outcome_lists = [("experiment.headline", meta.headline)]
    if meta.outcomes != "all":
        outcome_lists.append(("experiment.outcomes", meta.outcomes))
    for where, names in outcome_lists:
        for j, o in enumerate(names):
            if o not in OUTCOME_NAMES:
                problems.append((f"{where}[{j + 1}]", f"unknown outcome {o!r}; outcomes are listed in docs/experiments.md "
                                                       f"(e.g. {', '.join(OUTCOME_NAMES[:4])}, ...)"))


def _check_replications(parsed: ExperimentFile, problems: list[Problem]) -> None:
    meta = parsed.experiment
    if meta.replications == "auto":
        if meta.auto is None:
            problems.append(("experiment.auto", 'replications = "auto" needs an [experiment.auto] table '
                                                "(outcome, half_width, optional min, batch, max)"))
        else:
            if meta.auto.outcome not in OUTCOME_NAMES:
                problems.append(("experiment.auto.outcome", f"unknown outcome {meta.auto.outcome!r}"))
            if meta.auto.max < meta.auto.min:
                problems.append(("experiment.auto.max", f"must be at least min ({meta.auto.min}), got {meta.auto.max}"))
        if parsed.sweep is not None:
            problems.append(("experiment.replications", '"auto" cannot be combined with a [sweep]; give a number'))
    else:
        if not 1 <= meta.replications <= MAX_REPLICATIONS:
            problems.append(("experiment.replications", f"must be 1-{MAX_REPLICATIONS} or \"auto\" (got {meta.replications})"))
        if meta.auto is not None:
            problems.append(("experiment.auto", 'only used with replications = "auto"'))


def _check_arm(arm: Arm, where: str, meta: ExperimentMeta, base_dir: Path, problems: list[Problem]) -> ArmSpec | None:
    """An arm as run (its scenario with months and overrides applied, moved behind the burn-in), or None
    after appending its problems."""
    try:
        base = _load_arm_scenario(arm.scenario, base_dir)
    except ScenarioError as exc:
        problems.extend(_prefix_problems(f"{where}.scenario", exc))
        return None
    flat = flatten(arm.set)
    bad_keys = [k for k in flat if not k or k.startswith(".") or k.endswith(".") or ".." in k]
    for k in bad_keys:
        problems.append((join_path(f"{where}.set", k), "not a dotted path like \"parameters.section.field\""))
    if any(k.split(".")[0] == "scenario" for k in flat):
        problems.append((f"{where}.set", "the [scenario] table (name, months, ...) is set by the experiment, not by arms"))
        return None
    if bad_keys:
        return None
    try:
        sc = with_burn_in(with_overrides(base, {**flat, "scenario.months": meta.months}), meta.burn_in_months)
    except ScenarioError as exc:
        for path, msg in exc.problems:
            key = owner_key(path, flat)
            problems.append((join_path(f"{where}.set", key) if key else f"{where}.set", msg))
        return None
    spec = ArmSpec(arm, sc)
    spec.set = flat
    return spec


def _check_size(parsed: ExperimentFile, problems: list[Problem]) -> None:
    meta = parsed.experiment
    reps = meta.auto.max if meta.replications == "auto" and meta.auto else meta.replications
    assert isinstance(reps, int)
    points = n_points(parsed.sweep) if parsed.sweep is not None else 1
    if parsed.uncertainty is not None:
        points *= parsed.uncertainty.draws
    runs = len(parsed.arm) * points * reps
    if runs > MAX_RUNS:
        problems.append(("experiment", f"{runs:,} runs (arms x design points or draws x replications); "
                                       f"at most {MAX_RUNS:,} allowed"))
