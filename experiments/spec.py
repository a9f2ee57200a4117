"""Experiment files: reading and validating them, before any run starts.

An experiment file (TOML) names arms (a scenario plus dotted-path overrides),
the months, replications and seed, optionally a sweep over factors and an
attribution of arms' effects to their levers. The file is checked in two
passes and every problem is reported at once, each with its field path and
what is allowed, by :class:`ExperimentError` (a sibling of
:class:`model.scenario.ScenarioError`, so the command line treats both alike):

1. the shape of the file (pydantic, strict types, unknown keys, ranges, NaN);
2. its meaning: arm names unique, the reference and outcomes exist, every
   arm's scenario loads and every override (and every sweep point) validates
   through :func:`model.scenario.with_overrides`, output names stay inside
   the results folder.

The format is documented in ``docs/experiments.md``.

Layout, in three sections: the shape of the file (the pydantic classes
``ExperimentMeta``, ``Arm``, ``Sweep``, ``Attribution``, ``ExperimentFile``);
the validated experiment (``ArmSpec``, ``Experiment``, what the rest of the
package uses); loading (``load_experiment`` -> ``validate_experiment``, which
runs pass 1 through ``_pydantic_problems`` and pass 2 through
``_check_meaning``).
"""

from __future__ import annotations

import hashlib
import math
import re
import tomllib
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from model.outcomes import OUTCOME_NAMES
from model.scenario import (
    MAX_FILE_BYTES,
    Scenario,
    ScenarioError,
    load_scenario,
    preset_names,
    with_overrides,
)

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
"""Experiment and arm names: letters, digits, '-' and '_' (they name files and folders)."""

MAX_REPLICATIONS = 10_000
MAX_RUNS = 200_000
MAX_ARMS = 200
MAX_LEVERS = 8

DEFAULT_OUTCOMES: tuple[str, ...] = (
    "needs_met_share",
    "needs_met",
    "backlog",
    "mean_wait_months",
    "service_quality",
    "satisfaction",
    "trust_in_committee",
    "participation_rate",
    "organizations_registered",
    "social_workers",
    "certified_share",
    "public_spending_12m_yuan",
    "spending_per_need_met_yuan",
    "equity_gap_groups",
    "linkage_index",
)
"""Outcomes reported when the file does not say (end-of-run values)."""

DEFAULT_HEADLINE: tuple[str, ...] = ("needs_met_share", "needs_met", "satisfaction", "public_spending_12m_yuan")


class ExperimentError(ScenarioError):
    """Bad experiment input: the file and every field at fault with what is allowed."""

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        self.source = source
        self.problems = problems
        lines = [f"{source}: invalid experiment ({len(problems)} problem(s))"]
        lines += [f"  - {path or '<file>'}: {msg}" for path, msg in problems]
        Exception.__init__(self, "\n".join(lines))


# ---------------------------------------------------------------------------
# the shape of the file
# ---------------------------------------------------------------------------


class Strict(BaseModel):
    """Base of every table: unknown keys, wrong types and NaN are errors."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class AutoReplications(Strict):
    """``[experiment.auto]``: how ``replications = "auto"`` decides when to stop."""

    outcome: str = Field(description="Outcome whose effect intervals must become narrow.")
    half_width: float = Field(gt=0, description="Target half-width of every arm's 95% effect interval (outcome units).")
    min: int = Field(5, ge=2, le=MAX_REPLICATIONS, description="Replications of the first batch.")
    batch: int = Field(5, ge=1, le=MAX_REPLICATIONS, description="Replications added per further batch.")
    max: int = Field(50, ge=2, le=MAX_REPLICATIONS, description="Most replications run.")


class ExperimentMeta(Strict):
    """``[experiment]``."""

    name: str = Field(pattern=NAME_PATTERN, description="Name; results go to results/<name>/.")
    question: str = Field("", max_length=2000, description="The question the experiment answers (opens the report).")
    description: str = Field("", max_length=4000, description="More on the design (in the report).")
    months: int = Field(ge=1, le=1200, description="Months every run simulates.")
    replications: Annotated[int, Field(ge=1, le=MAX_REPLICATIONS)] | Literal["auto"] = Field(
        10, description="Replications per arm (1-10000) or \"auto\".")
    seed: int = Field(2026, ge=0, le=2**63 - 1, description="Experiment seed; run seeds derive from it.")
    reference: str | None = Field(None, description="Arm the others are compared with (default: the first).")
    outcomes: list[str] | Literal["all"] = Field(list(DEFAULT_OUTCOMES), description="Outcomes reported.")
    headline: list[str] = Field(list(DEFAULT_HEADLINE), min_length=1, max_length=6,
                                description="Outcomes put in words and figures (1-6).")
    output: str | None = Field(None, max_length=200,
                               description="Output folder under results/ (default: the name).")
    auto: AutoReplications | None = None


class Arm(Strict):
    """One ``[[arm]]``."""

    name: str = Field(pattern=NAME_PATTERN, description="Arm name (letters, digits, - _).")
    scenario: str = Field(min_length=1, max_length=500, description="Preset name or scenario file.")
    label: str = Field("", max_length=200, description="Label in figures and the report.")
    label_zh: str = Field("", max_length=200, description="Chinese label (--lang zh).")
    description: str = Field("", max_length=2000, description="What the arm is.")
    set: dict[str, Any] = Field(default_factory=dict, description="Dotted-path overrides of the scenario.")


class Sweep(Strict):
    """``[sweep]``: design points applied on top of every arm."""

    design: Literal["grid", "lhs", "sobol", "morris"]
    samples: int | None = Field(None, ge=1, le=100_000,
                                description="lhs: points; sobol: base samples N (a power of 2); morris: trajectories.")
    levels: int = Field(4, ge=2, le=100, description="morris: grid levels (even).")
    second_order: bool = Field(False, description="sobol: also second-order indices (N*(2D+2) points).")
    factors: dict[str, list[Any]] = Field(min_length=1, max_length=50,
                                          description="Dotted path = [low, high] (grid: = [values...]).")


class Attribution(Strict):
    """``[attribution]``: Shapley decomposition of arms' effects over their levers."""

    arms: list[str] = Field(min_length=1, description="Arms whose effect is decomposed.")
    levers: dict[str, list[str]] | None = Field(
        None, description="Optional grouping: lever name = [dotted path prefixes]; default: one lever per "
                          "policy table or parameter that differs from the reference.")


class ExperimentFile(Strict):
    """The whole file."""

    experiment: ExperimentMeta
    arm: list[Arm] = Field(min_length=1, max_length=MAX_ARMS)
    sweep: Sweep | None = None
    attribution: Attribution | None = None


# ---------------------------------------------------------------------------
# the validated experiment
# ---------------------------------------------------------------------------


class ArmSpec:
    """An arm as run: its validated scenario (months and overrides applied)."""

    def __init__(self, arm: Arm, scenario: Scenario, hidden: bool = False):
        self.name = arm.name
        self.scenario_ref = arm.scenario
        self.label = arm.label or arm.name
        self.label_zh = arm.label_zh or self.label
        self.description = arm.description
        self.set = dict(arm.set)
        self.scenario = scenario
        self.hidden = hidden  # derived arms of an attribution (not in summaries of the arms)


class Experiment:
    """A validated experiment: meta data, arms with their scenarios, sweep, attribution."""

    def __init__(self, source: str, text: bytes, data: ExperimentFile, arms: list[ArmSpec],
                 base_dir: Path):
        self.source = source
        self.text = text
        self.sha256 = hashlib.sha256(text).hexdigest()
        self.meta = data.experiment
        self.sweep = data.sweep
        self.attribution_spec = data.attribution
        self.arms = arms
        self.base_dir = base_dir
        self.reference = data.experiment.reference or arms[0].name
        self.attribution: list[Any] = []  # filled by design.attribution_arms

    @property
    def name(self) -> str:
        return self.meta.name

    @property
    def months(self) -> int:
        return self.meta.months

    @property
    def seed(self) -> int:
        return self.meta.seed

    @property
    def outcomes(self) -> list[str]:
        o = self.meta.outcomes
        return list(OUTCOME_NAMES) if o == "all" else list(o)

    @property
    def headline(self) -> list[str]:
        return list(self.meta.headline)

    @property
    def auto(self) -> AutoReplications | None:
        return self.meta.auto if self.meta.replications == "auto" else None

    @property
    def output_name(self) -> str:
        return self.meta.output or self.meta.name

    def arm(self, name: str) -> ArmSpec:
        for a in self.arms:
            if a.name == name:
                return a
        raise KeyError(name)

    @property
    def visible_arms(self) -> list[ArmSpec]:
        return [a for a in self.arms if not a.hidden]


# ---------------------------------------------------------------------------
# loading
# ---------------------------------------------------------------------------


def read_file(path: Path) -> tuple[bytes, dict[str, Any]]:
    """Read and parse an experiment file; ExperimentError on unreadable, huge, non-UTF-8 or bad TOML."""
    label = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ExperimentError(label, [("", f"cannot read file: {exc.strerror}")]) from None
    if not path.is_file():
        raise ExperimentError(label, [("", "not a file")])
    if size > MAX_FILE_BYTES:
        raise ExperimentError(label, [("", f"file is {size:,} bytes; at most {MAX_FILE_BYTES:,} allowed")])
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ExperimentError(label, [("", f"not UTF-8 text (byte {exc.start}); save the file as UTF-8")]) from None
    except OSError as exc:
        raise ExperimentError(label, [("", f"cannot read file: {exc.strerror}")]) from None
    try:
        return raw, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ExperimentError(label, [("", f"not valid TOML: {exc}")]) from None
    except RecursionError:  # tomllib recurses once per level of nested arrays or inline tables
        raise ExperimentError(label, [("", "not valid TOML: arrays or inline tables nested too deeply")]) from None


def load_experiment(path: str | Path) -> Experiment:
    """Load and fully validate an experiment file (no run starts, nothing is written).

    Raises ExperimentError naming the file and every field at fault.
    """
    path = Path(path)
    raw, data = read_file(path)
    return validate_experiment(data, raw, str(path), path.parent)


def validate_experiment(data: dict[str, Any], raw: bytes, label: str, base_dir: Path) -> Experiment:
    """Validate parsed TOML; collect every problem, then raise ExperimentError or return the Experiment."""
    problems: list[tuple[str, str]] = []
    _check_finite(data, "", problems)
    if problems:
        raise ExperimentError(label, problems)
    try:
        parsed = ExperimentFile.model_validate(data)
    except ValidationError as exc:
        raise ExperimentError(label, _pydantic_problems(exc, data)) from None
    arms = _check_meaning(parsed, base_dir, problems)
    if problems:
        raise ExperimentError(label, problems)
    exp = Experiment(label, raw, parsed, arms, base_dir)
    # Design points and derived arms are checked here too, so a bad sweep or
    # attribution is rejected before anything runs.
    from .design import attribution_arms, check_sweep_points

    check_sweep_points(exp, problems)
    if parsed.attribution is not None:
        attribution_arms(exp, problems)
    if problems:
        raise ExperimentError(label, problems)
    return exp


def _check_finite(obj: Any, path: str, problems: list[tuple[str, str]]) -> None:
    if isinstance(obj, dict):
        for k, v in obj.items():
            _check_finite(v, _join(path, k), problems)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            _check_finite(v, f"{path}[{i + 1}]", problems)
    elif isinstance(obj, float) and not math.isfinite(obj):
        problems.append((path, f"must be a finite number, got {obj}"))


def _join(path: str, key: Any) -> str:
    key = str(key)
    if "." in key or " " in key or not key:
        key = f'"{key}"'
    return f"{path}.{key}" if path else key


def _loc_path(loc: tuple[Any, ...]) -> str:
    """A pydantic location as the user sees it: arm[2].set."parameters.x" (arms counted from 1)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out = _join(out, part)
    return out


_TABLES: dict[str, type[BaseModel]] = {
    "": ExperimentFile,
    "experiment": ExperimentMeta,
    "experiment.auto": AutoReplications,
    "arm": Arm,
    "sweep": Sweep,
    "attribution": Attribution,
}


def _allowed_keys(loc: tuple[Any, ...]) -> str:
    table = ".".join(str(p) for p in loc[:-1] if not isinstance(p, int))
    model = _TABLES.get(table)
    if model is None:
        return ""
    return "; allowed: " + ", ".join(model.model_fields)


_BRANCH = re.compile(r"^(constrained-int|int|str|float|literal\[.*\]|list\[.*\])$")


def _pydantic_problems(exc: ValidationError, data: dict[str, Any]) -> list[tuple[str, str]]:
    problems = []
    seen = set()
    for err in exc.errors():
        loc = tuple(err["loc"])
        # A union (replications: int | "auto") reports one error per branch; say once what is allowed.
        branch = next((i for i, part in enumerate(loc) if isinstance(part, str) and _BRANCH.match(part)), None)
        if branch is not None:
            base = loc[:branch]
            if base in seen:
                continue
            seen.add(base)
            allowed = {
                "replications": f"an integer 1-{MAX_REPLICATIONS} or \"auto\"",
                "outcomes": "a list of outcome names or \"all\"",
            }.get(str(base[-1]), "see docs/experiments.md")
            value = data
            for part in base:
                value = value.get(part) if isinstance(value, dict) else None
            problems.append((_loc_path(base), f"must be {allowed} (got {_show(value)})"))
            continue
        path = _loc_path(loc)
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key (misspelt?)" + _allowed_keys(loc)
        elif err["type"] == "missing":
            msg = "required key missing"
        elif err["type"] == "string_pattern_mismatch":
            msg = (f"must be 1-64 letters, digits, '-' or '_', starting with a letter or digit "
                   f"(it names files) (got {_show(err.get('input'))})")
        elif "input" in err:
            value = err["input"]
            if not isinstance(value, (dict, list)):
                msg = f"{msg} (got {_show(value)})"
        problems.append((path, msg))
    return problems


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _check_output(name: str | None, problems: list[tuple[str, str]]) -> None:
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
    looks_like_file = ref.endswith(".toml") or "/" in ref or "\\" in ref
    if looks_like_file:
        p = Path(ref)
        if not p.is_absolute():
            p = base_dir / p
        return load_scenario(p)
    if ref not in preset_names():
        raise ScenarioError(ref, [("", f"unknown preset {ref!r}; presets are: {', '.join(preset_names())}")])
    return load_scenario(ref)


def _prefix_problems(prefix: str, exc: ScenarioError) -> list[tuple[str, str]]:
    out = []
    for path, msg in exc.problems:
        where = f" in {exc.source}" if exc.source not in ("<overrides>", "<scenario>") else ""
        out.append((f"{prefix}{'.' + path if path else ''}", f"{msg}{where}"))
    return out


def _check_meaning(parsed: ExperimentFile, base_dir: Path, problems: list[tuple[str, str]]) -> list[ArmSpec]:
    meta = parsed.experiment
    _check_output(meta.output, problems)
    names = [a.name for a in parsed.arm]
    for i, name in enumerate(names):
        if name in names[:i]:
            problems.append((f"arm[{i + 1}].name", f"duplicate arm name {name!r}; each arm needs its own name"))
    if meta.reference is not None and meta.reference not in names:
        problems.append(("experiment.reference", f"no arm named {meta.reference!r}; arms are: {', '.join(names)}"))
    outcome_lists = [("experiment.headline", meta.headline)]
    if meta.outcomes != "all":
        outcome_lists.append(("experiment.outcomes", meta.outcomes))
    for where, names_ in outcome_lists:
        for j, o in enumerate(names_):
            if o not in OUTCOME_NAMES:
                problems.append((f"{where}[{j + 1}]", f"unknown outcome {o!r}; outcomes are listed in docs/experiments.md "
                                                       f"(e.g. {', '.join(OUTCOME_NAMES[:4])}, ...)"))
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

    if parsed.sweep is not None and parsed.attribution is not None:
        problems.append(("attribution", "cannot be combined with a [sweep]: attribute effects in an experiment "
                                        "without one"))
    arms: list[ArmSpec] = []
    for i, arm in enumerate(parsed.arm):
        where = f"arm[{i + 1}]"
        try:
            base = _load_arm_scenario(arm.scenario, base_dir)
        except ScenarioError as exc:
            problems.extend(_prefix_problems(f"{where}.scenario", exc))
            continue
        flat = flatten(arm.set)
        bad_keys = [k for k in flat if not k or k.startswith(".") or k.endswith(".") or ".." in k]
        for k in bad_keys:
            problems.append((_join(f"{where}.set", k), "not a dotted path like \"parameters.section.field\""))
        if any(k.split(".")[0] == "scenario" for k in flat):
            problems.append((f"{where}.set", "the [scenario] table (name, months, ...) is set by the experiment, not by arms"))
            continue
        if bad_keys:
            continue
        try:
            sc = with_overrides(base, {**flat, "scenario.months": meta.months})
        except ScenarioError as exc:
            for path, msg in exc.problems:
                key = owner_key(path, flat)
                problems.append((_join(f"{where}.set", key) if key else f"{where}.set", msg))
            continue
        spec = ArmSpec(arm, sc)
        spec.set = flat
        arms.append(spec)
    if not problems:
        _check_size(parsed, problems)
    return arms


def owner_key(path: str, keys: Any) -> str:
    """The override key a problem path belongs to (the path itself, or a key below it)."""
    if path in keys:
        return path
    return next((k for k in keys if k.startswith(path + ".")), path)


def flatten(sets: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested tables of overrides as dotted paths (TOML dotted keys and quoted dotted keys alike)."""
    out: dict[str, Any] = {}
    for key, value in sets.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            out.update(flatten(value, path))
        else:
            out[path] = value
    return out


def _check_size(parsed: ExperimentFile, problems: list[tuple[str, str]]) -> None:
    meta = parsed.experiment
    reps = meta.auto.max if meta.replications == "auto" and meta.auto else meta.replications
    assert isinstance(reps, int)
    points = 1
    if parsed.sweep is not None:
        from .design import n_points

        points = n_points(parsed.sweep)
    runs = len(parsed.arm) * points * reps
    if runs > MAX_RUNS:
        problems.append(("experiment", f"{runs:,} runs (arms x design points x replications); at most {MAX_RUNS:,} allowed"))
