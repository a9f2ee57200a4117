"""Scenarios: a name, a world, parameter overrides (and, later, policies).

A scenario is a TOML file (or a preset of the same form shipped in
``model/presets/``) validated with pydantic. ``extends`` names a preset or a
file whose tables this one overrides key by key. Every problem is reported at
once, each with its field path, by :class:`ScenarioError`; reading the file
and wording the problems are :mod:`model.inputs`' (list positions counted
from 1). ``[world] profile`` names a street profile file (:mod:`model.profile`,
resolved against the scenario file); on loading it becomes the scenario's
``[profile]`` table and the world is that one street (``with_profile`` does the
same for a scenario already loaded, as ``run.py simulate --profile`` does).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import Field, ValidationError, field_validator, model_validator

from .inputs import ScenarioError, finite_problems, pydantic_problems, read_toml
from .params import COMMUNITY_TYPES, GROUPS, Parameters, Section
from .policies import Policies
from .ageing import load_paths
from .neighbourhoods import need_rate_tensor, type_index
from .profile import ProfileError, StreetProfile, apply_profile, load_profile
from .residents import need_rate_matrix
from .scenario_dates import parse_month, shift_month

PRESET_DIR = Path(__file__).parent / "presets"
MAX_RESIDENTS = 30_000_000
_NAME_RE = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


class ScenarioMeta(Section):
    """The ``[scenario]`` table."""

    name: str = Field("unnamed", pattern=_NAME_RE, description="Scenario name (letters, digits, - _ .).")
    description: str = Field("", max_length=2000, description="One line on what the scenario is.")
    months: int = Field(120, ge=1, le=1200, description="Months to simulate (1-1200).")
    start: str | None = Field(None, description="Calendar month of month 1, 'YYYY-MM' (optional).")
    extends: str | None = Field(None, description="Preset name or file this scenario overrides.")

    @field_validator("start")
    @classmethod
    def _check_start(cls, v: str | None) -> str | None:
        if v is not None:
            parse_month(v)
        return v


class World(Section):
    """The ``[world]`` table: sizes of the described world and the sampled share."""

    streets: int = Field(1, ge=1, le=1000, description="Streets (and towns) in the described world.")
    committees_per_street: int = Field(25, ge=1, le=200, description="Residents' committees per street.")
    residents_per_committee: int = Field(4000, ge=10, le=200_000, description="Mean residents per committee.")
    residents_cv: float = Field(0.0, ge=0.0, le=1.0, description="Coefficient of variation of committee sizes.")
    scale: float = Field(1.0, gt=0.0, le=1.0, description="Share of streets simulated (a sample); counts are reported at full scale.")
    types: dict[str, float] = Field(default_factory=lambda: {"generic": 1.0},
                                    description="Share of each street's committees by community type (adding up to 1): "
                                    + ", ".join(COMMUNITY_TYPES) + ".")
    profile: str | None = Field(None, max_length=1000,
                                description="A street profile file (relative to the scenario file): the world is "
                                "that one street; on loading the profile becomes the scenario's [profile] table "
                                "and sets the world's sizes and type mix.")

    @field_validator("types")
    @classmethod
    def _check_types(cls, v: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(v) - set(COMMUNITY_TYPES))
        if unknown:
            raise ValueError(f"unknown community type(s) {', '.join(repr(k[:40]) for k in unknown[:5])}; "
                             f"allowed: {', '.join(COMMUNITY_TYPES)}")
        bad = [k for k, x in v.items() if not 0.0 <= x <= 1.0]
        if bad:
            raise ValueError(f"shares must be between 0 and 1 ({', '.join(bad)})")
        total = sum(v.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"shares add up to {total:.4f}; they must add up to 1")
        return v

    @model_validator(mode="after")
    def _check_size(self) -> "World":
        total = self.streets * self.committees_per_street * self.residents_per_committee * self.scale
        if total > MAX_RESIDENTS:
            raise ValueError(
                f"simulated residents streets*committees_per_street*residents_per_committee*scale = {total:,.0f} "
                f"exceeds the maximum {MAX_RESIDENTS:,}"
            )
        return self


class Scenario(Section):
    """A whole scenario as run."""

    scenario: ScenarioMeta = Field(default_factory=ScenarioMeta)
    world: World = Field(default_factory=World)
    parameters: Parameters = Field(default_factory=Parameters)
    policies: Policies = Field(default_factory=Policies)
    profile: StreetProfile | None = Field(None, description="The street profile the world is built from "
                                          "(``model.profile``), if any.")

    @model_validator(mode="after")
    def _check_profile_world(self) -> "Scenario":
        """A profile's world is its one street: the world's sizes and mix are the profile's."""
        p, w = self.profile, self.world
        if p is None:
            return self
        if w.profile is not None:
            raise ValueError("world.profile: give the profile as a file path only (it is loaded into [profile])")
        n = len(p.committee)
        if (w.streets, w.committees_per_street, w.scale) != (1, n, 1.0):
            raise ValueError(f"world: a street profile is one street of its {n} committees, simulated whole "
                             f"(streets = 1, committees_per_street = {n}, scale = 1); the world may not change them")
        return self

    @model_validator(mode="after")
    def _check_policy_dates(self) -> "Scenario":
        problems = []
        start = self.scenario.start
        for lever in self.policies.levers():
            try:
                first, last = lever.window(start)
            except ValueError as exc:
                problems.append(f"policies.{lever.key}: {exc}")
                continue
            if last is not None and last < first:
                problems.append(f"policies.{lever.key}.end ({lever.end}) is before start ({lever.start})")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @model_validator(mode="after")
    def _check_shares(self) -> "Scenario":
        shares = self.parameters.residents.group_shares
        total = sum(getattr(shares, g) for g in GROUPS if g != "others")
        if total > 1.0 + 1e-9:
            raise ValueError(
                f"parameters.residents.group_shares add up to {total:.4f}; they must add up to at most 1 "
                "(the rest are 'others')"
            )
        rates = need_rate_matrix(self.parameters.residents).sum(axis=1)
        over = [f"{g} ({r:.3f})" for g, r in zip(GROUPS, rates, strict=True) if r > 1.0]
        if over:
            raise ValueError(
                "parameters.residents.need_rates: a group's monthly need rates must add up to at most 1; "
                f"they add up to more for {', '.join(over)}"
            )
        self._check_type_profiles()
        load_paths(self.parameters)  # the population series exist and cover reference_year
        fk = self.parameters.organizations.founder_kind_shares
        ftotal = sum(fk.model_dump().values())
        if ftotal <= 0:
            raise ValueError("parameters.organizations.founder_kind_shares must not all be 0")
        return self

    def _check_type_profiles(self) -> None:
        """The community types in the world's mix: each group's need rates add up to at most 1 a
        month. (Their group shares need no check: ``group_share_matrix`` scales shares adding up
        to more than 1.)"""
        rates = need_rate_tensor(self.parameters, need_rate_matrix(self.parameters.residents)).sum(axis=2)
        for name in sorted(self.world.types):
            t = type_index(name)
            over = [g for g, r in zip(GROUPS, rates[t], strict=True) if r > 1.0]
            if over:
                raise ValueError(f"parameters.community_types.{name}.needs: need rates times factors add up to "
                                 f"more than 1 a month for {', '.join(over)}")

    # -- convenience -----------------------------------------------------
    def to_toml(self) -> str:
        """The scenario exactly as run (resolved, every field), as TOML."""
        data = self.model_dump(mode="json", exclude_none=True)
        data["scenario"].pop("extends", None)
        return tomli_w.dumps(data)

    def digest(self) -> str:
        """SHA-256 of the canonical TOML: the scenario's identity."""
        return hashlib.sha256(self.to_toml().encode()).hexdigest()


# ---------------------------------------------------------------------------
# loading
# ---------------------------------------------------------------------------


def preset_names() -> list[str]:
    """Names of the shipped presets."""
    return sorted(p.stem for p in PRESET_DIR.glob("*.toml"))


def preset_path(name: str) -> Path:
    """Path of a preset; raises ScenarioError if there is none of that name."""
    path = PRESET_DIR / f"{name}.toml"
    if not path.is_file():
        raise ScenarioError(
            name, [("", f"unknown preset {name!r}; presets are: {', '.join(preset_names())}")]
        )
    return path


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _resolve_source(ref: str, relative_to: Path | None) -> Path:
    looks_like_file = ref.endswith(".toml") or "/" in ref or "\\" in ref
    if looks_like_file:
        path = Path(ref)
        if not path.is_absolute() and relative_to is not None:
            candidate = relative_to / path
            if candidate.exists():
                return candidate
        return path
    return preset_path(ref)


def _load_raw(ref: str, relative_to: Path | None, chain: tuple[str, ...]) -> tuple[dict[str, Any], str]:
    path = _resolve_source(ref, relative_to)
    key = str(path.resolve())
    if key in chain:
        names = " -> ".join([*chain, key])
        raise ScenarioError(str(path), [("scenario.extends", f"'extends' cycle: {names}")])
    if len(chain) > 20:
        raise ScenarioError(str(path), [("scenario.extends", "'extends' chain longer than 20")])
    _, data = read_toml(path, ScenarioError)
    world = data.get("world")
    if isinstance(world, dict) and isinstance(world.get("profile"), str):
        world["profile"] = str(path.parent / world["profile"])  # relative to this file
    meta = data.get("scenario")
    parent = meta.get("extends") if isinstance(meta, dict) else None
    if parent is not None:
        if not isinstance(parent, str):
            raise ScenarioError(str(path), [("scenario.extends", "must be a preset name or a file path")])
        try:
            base, _ = _load_raw(parent, path.parent, (*chain, key))
        except ScenarioError as exc:
            if any(p for p, _ in exc.problems):
                raise
            # the parent cannot be found or read: blame this file's 'extends' field
            raise ScenarioError(str(path), [("scenario.extends", f"{parent!r} ({exc.source}): {msg}")
                                            for _, msg in exc.problems]) from None
        base.get("scenario", {}).pop("name", None)
        base.get("scenario", {}).pop("description", None)
        data = _merge(base, data)
    return data, str(path)


def _resolve_profile(data: dict[str, Any], label: str) -> dict[str, Any]:
    """The scenario's tables with the street profile named by ``[world] profile`` loaded and
    applied (``profile.apply_profile``); unchanged when there is none. A profile that cannot
    be read is this scenario's ``world.profile`` fault; a profile with bad fields raises
    ProfileError naming the profile file, this scenario and the profile's fields."""
    world = data.get("world")
    ref = world.get("profile") if isinstance(world, dict) else None
    if not isinstance(ref, str):
        return data  # none, or not a string (the schema reports it)
    try:
        profile = load_profile(ref)
    except ProfileError as exc:
        if any(path for path, _ in exc.problems):
            raise ProfileError(f"{exc.source} (world.profile of {label})", exc.problems) from None
        raise ScenarioError(label, [("world.profile", f"{ref!r}: {msg}") for _, msg in exc.problems]) from None
    return apply_profile({**data, "world": {k: v for k, v in world.items() if k != "profile"}}, profile)


def validate_dict(data: dict[str, Any], label: str = "<scenario>") -> Scenario:
    """Validate a scenario given as nested dicts; raise ScenarioError listing every problem.
    A ``[world] profile`` file (relative to the working directory, or made absolute by the
    file loader) is loaded and applied first."""
    data = _resolve_profile(data, label)
    problems = finite_problems(data)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        seen = {path for path, _ in problems}
        problems += [(path, msg) for path, msg in pydantic_problems(exc, Scenario, data) if path not in seen]
    if problems:
        raise ScenarioError(label, problems)
    return scenario


def load_scenario(source: str | Path | dict[str, Any] | Scenario = "baseline") -> Scenario:
    """Load a scenario from a preset name, a TOML file path, a dict or a Scenario.

    Raises ScenarioError (naming the file and every field at fault) on bad input.
    """
    if isinstance(source, Scenario):
        return source
    if isinstance(source, dict):
        return validate_dict(source)
    data, label = _load_raw(str(source), None, ())
    return validate_dict(data, label)


def with_profile(scenario: Scenario, path: str | Path) -> Scenario:
    """A copy of ``scenario`` whose world is the street profile in ``path`` (validated);
    raises ProfileError (naming the profile's fields) or ScenarioError."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    return validate_dict(apply_profile(data, load_profile(path)), str(path))


def with_overrides(scenario: Scenario, sets: dict[str, Any]) -> Scenario:
    """A copy of ``scenario`` with dotted-path overrides ("parameters.x.y" = v), validated."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    for dotted, value in sets.items():
        node = data
        parts = dotted.split(".")
        for part in parts[:-1]:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        node[parts[-1]] = value
    return validate_dict(data, "<overrides>")


def with_burn_in(scenario: Scenario, months: int) -> Scenario:
    """``scenario`` moved ``months`` months later behind a burn-in: the run is ``months`` longer,
    its calendar start (if any) that much earlier, and every lever's month-index start and end
    that much later (dated ones keep their dates, so they too fall ``months`` later in the run).
    The burn-in months run the scenario's world and parameters with no lever on yet. 0 returns
    ``scenario`` itself."""
    if months == 0:
        return scenario
    sets: dict[str, Any] = {"scenario.months": scenario.scenario.months + months}
    if scenario.scenario.start is not None:
        sets["scenario.start"] = shift_month(scenario.scenario.start, -months)
    for lever in scenario.policies.levers():
        for end in ("start", "end"):
            ref = getattr(lever, end)
            if isinstance(ref, int):
                sets[f"policies.{lever.key}.{end}"] = ref + months
    return with_overrides(scenario, sets)
