"""The dashboard's inputs, generated from the parameter register and the lever classes.

Nothing here retypes a label, unit or bound: each lever's sliders and switches
come from :data:`model.policies.LEVERS` and :func:`model.register.register_rows`
(path, default, unit, bounds), the world-size sliders from the scenario's
``World`` and ``ScenarioMeta`` fields. What the dashboard adds is a *display
range*: a register bound such as 0-1e9 yuan is valid but useless on a slider,
so when the upper bound is far above the default the slider stops at a round
number a few times the default (or the largest preset value). Validation
still uses the register's own bounds, because every setting reaches the model
only through :func:`settings_to_scenario`, i.e. ``model.scenario.with_overrides``
(the same validation as a scenario file); bad input raises ``ScenarioError``,
whose messages the dashboard's own checks word from the catalogue (``i18n.Message``).
The world-size sliders also stop at the dashboard's size limit (:func:`world_limits`).
A setting may name one of the shipped street profiles (:func:`street_profiles`, the files in
``model/profiles/``): the world is then that street (``model.scenario.with_profile``), and the
world-size sliders have no effect.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from model import load_scenario, preset_names, register_rows
from model.policies import LEVERS
from model.profile import load_profile
from model.scenario import Scenario, ScenarioError, ScenarioMeta, World, with_overrides, with_profile

from .i18n import Message

DEFAULT_PRESET = "baseline"
DEFAULT_SEED = 2026
MAX_SEED = 2**63 - 1
# responsiveness limit of the dashboard (a step must redraw well under a second):
# presets and world sizes beyond it are left to ``run.py simulate``
MAX_DASHBOARD_RESIDENTS = 250_000
# display caps of the world sliders (the scenario's own bounds are far wider)
WORLD_DISPLAY_MAX = {"world.committees_per_street": 50, "world.residents_per_committee": 8000,
                     "scenario.months": 240}
WORLD_DISPLAY_MIN = {"world.committees_per_street": 5, "world.residents_per_committee": 500,
                     "scenario.months": 12}
WORLD_STEP = {"world.committees_per_street": 1, "world.residents_per_committee": 100, "scenario.months": 12}
PROFILES_DIR = Path(__file__).resolve().parent.parent / "model" / "profiles"  # the shipped street profiles
GENERIC_STREET = ""  # no street profile: the preset's own world
_SKIP_FIELDS = ("ramp_months",)  # scheduling, not a lever's own parameter
_SWITCH_UNIT = "0 or 1"


@dataclass(frozen=True)
class Control:
    """One input: a slider (int or float) or a switch, bound to a dotted scenario path."""

    path: str
    kind: str  # "int", "float" or "switch"
    default: float
    unit: str
    lo: float
    hi: float  # display range (within the register's bounds)
    step: float
    doc: str
    valid_lo: float | None = None  # the register's own bounds (validation)
    valid_hi: float | None = None
    source: str = ""  # the register's source ("source article", "assumption", a study...)

    @property
    def lever(self) -> str | None:
        """The lever key of a ``policies.<key>.<field>`` control."""
        parts = self.path.split(".")
        return parts[1] if parts[0] == "policies" else None

    @property
    def name(self) -> str:
        """The field name (last part of the path)."""
        return self.path.rsplit(".", 1)[-1]


@dataclass
class Settings:
    """What the user set: a preset, a seed, values by path, which levers are on and the street profile
    (a name of :func:`street_profiles`, or ``GENERIC_STREET``: the preset's own world)."""

    preset: str
    seed: int
    values: dict[str, Any] = field(default_factory=dict)
    enabled: dict[str, bool] = field(default_factory=dict)
    profile: str = GENERIC_STREET

    def copy(self, **changes: Any) -> "Settings":
        """A copy with ``changes`` (dicts are copied too)."""
        base = replace(self, values=dict(self.values), enabled=dict(self.enabled))
        return replace(base, **changes)


def _nice_up(x: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^k that is >= x."""
    if x <= 0:
        return 1.0
    k = math.floor(math.log10(x))
    for m in (1, 2, 2.5, 5, 10):
        if m * 10**k >= x - 1e-12:
            return float(m * 10**k)
    return float(10 ** (k + 1))  # pragma: no cover


def _nice_step(span: float, is_int: bool) -> float:
    raw = span / 100.0
    if raw <= 0:
        return 1.0
    k = math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * 10**k >= raw - 1e-15:
            step = m * 10**k
            break
    if is_int:
        return float(max(1, round(step)))
    return float(step)


def _display_hi(default: float, lo: float, hi: float | None, biggest: float) -> float:
    top = max(default, biggest)
    if hi is None:
        return _nice_up(4 * top) if top > 0 else 1.0
    if top > 0 and hi > 20 * top:
        return min(hi, _nice_up(5 * top))
    return hi


@cache
def dashboard_presets() -> tuple[str, ...]:
    """Presets small enough for the dashboard (simulated residents within the limit)."""
    out = []
    for name in preset_names():
        w = load_scenario(name).world
        if w.streets * w.scale * w.committees_per_street * w.residents_per_committee <= MAX_DASHBOARD_RESIDENTS:
            out.append(name)
    order = [DEFAULT_PRESET] + sorted(n for n in out if n != DEFAULT_PRESET)
    return tuple(n for n in order if n in out)


@cache
def street_profiles() -> tuple[str, ...]:
    """The shipped street profiles' names (the stems of ``model/profiles/*.toml``), sorted."""
    return tuple(sorted(p.stem for p in PROFILES_DIR.glob("*.toml")))


def profile_path(name: str) -> Path:
    """The file of shipped street profile ``name``."""
    return PROFILES_DIR / f"{name}.toml"


def profile_ref(name: str) -> str:
    """The profile's file as ``run.py`` finds it from the project folder: ``model/profiles/<name>.toml``."""
    return profile_path(name).relative_to(PROFILES_DIR.parent.parent).as_posix()


@cache
def profile_size(name: str) -> tuple[int, int]:
    """(committees, residents) of shipped street profile ``name``."""
    profile = load_profile(profile_path(name))
    return len(profile.committee), sum(c.residents for c in profile.committee)


def _preset_lever_values() -> dict[str, list[float]]:
    vals: dict[str, list[float]] = {}
    for name in dashboard_presets():
        sc = load_scenario(name)
        for lever in sc.policies.levers():
            for fname, value in lever.model_dump().items():
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    vals.setdefault(f"policies.{lever.key}.{fname}", []).append(float(value))
    return vals


@cache
def lever_controls() -> dict[str, tuple[Control, ...]]:
    """Every lever's own numeric parameters as controls, by lever key, in register order."""
    preset_vals = _preset_lever_values()
    rows = [r for r in register_rows() if r["path"].startswith("policies.")]
    out: dict[str, list[Control]] = {key: [] for key in LEVERS}
    for r in rows:
        key, name = r["path"].split(".")[1], r["path"].split(".")[2]
        if name in _SKIP_FIELDS or r["type"] not in ("int", "float"):
            continue
        lo = float(r["lo"]) if r["lo"] is not None else 0.0
        if r["unit"] == _SWITCH_UNIT and r["lo"] == 0 and r["hi"] == 1:
            kind, hi, step = "switch", 1.0, 1.0
        else:
            kind = "int" if r["type"] == "int" else "float"
            biggest = max(preset_vals.get(r["path"], [0.0]))
            hi = _display_hi(float(r["default"]), lo, r["hi"], biggest)
            step = _nice_step(hi - lo, kind == "int")
        out[key].append(Control(r["path"], kind, float(r["default"]), r["unit"], lo, hi, step, r["doc"],
                                r["lo"], r["hi"], r["source"]))
    return {k: tuple(v) for k, v in out.items()}


def _field_bounds(model_cls: type, name: str) -> tuple[float | None, float | None]:
    lo = hi = None
    for meta in model_cls.model_fields[name].metadata:
        lo = getattr(meta, "ge", lo)
        hi = getattr(meta, "le", hi)
    return lo, hi


@cache
def world_controls() -> tuple[Control, ...]:
    """World size and run length, from the scenario's ``World`` and ``ScenarioMeta`` fields."""
    out = []
    for cls, section, name, unit in ((World, "world", "committees_per_street", "committees"),
                                     (World, "world", "residents_per_committee", "residents"),
                                     (ScenarioMeta, "scenario", "months", "months")):
        path = f"{section}.{name}"
        f = cls.model_fields[name]
        lo, hi = _field_bounds(cls, name)
        dlo = max(float(lo or 0), WORLD_DISPLAY_MIN[path])
        dhi = min(float(hi if hi is not None else WORLD_DISPLAY_MAX[path]), WORLD_DISPLAY_MAX[path])
        out.append(Control(path, "int", float(f.default), unit, dlo, dhi, float(WORLD_STEP[path]),
                           f.description or "", lo, hi))
    return tuple(out)


_SIZE_PAIRS = (("world.committees_per_street", "world.residents_per_committee"),
               ("world.residents_per_committee", "world.committees_per_street"))


@cache
def _residents_per_size(preset: str) -> float:
    """Simulated residents per committee-resident of a preset's world (streets × scale)."""
    w = load_scenario(preset).world
    return float(w.streets * w.scale)


def world_limits(settings: Settings) -> dict[str, float]:
    """The world sliders' upper ends for these settings: each size slider stops where, with the
    other size as set, the simulated residents would pass ``MAX_DASHBOARD_RESIDENTS`` (so no
    combination on the sliders is over the limit); the run length keeps its display range."""
    ctls = {c.path: c for c in world_controls()}
    out = {path: c.hi for path, c in ctls.items()}
    if settings.preset not in dashboard_presets():
        return out
    per = _residents_per_size(settings.preset)
    for path, other in _SIZE_PAIRS:
        ctl, size = ctls[path], float(settings.values.get(other) or 0)
        if size <= 0:
            continue
        cap = math.floor(MAX_DASHBOARD_RESIDENTS / (per * size) / ctl.step) * ctl.step
        out[path] = max(ctl.lo, min(ctl.hi, cap))
    return out


def all_controls() -> dict[str, Control]:
    """Every control by path."""
    ctl = {c.path: c for c in world_controls()}
    for group in lever_controls().values():
        ctl.update({c.path: c for c in group})
    return ctl


def settings_from_preset(preset: str, seed: int = DEFAULT_SEED) -> Settings:
    """The settings a preset stands for: its world, its levers (on or off) and their values."""
    sc = load_scenario(preset)
    values: dict[str, Any] = {
        "world.committees_per_street": sc.world.committees_per_street,
        "world.residents_per_committee": sc.world.residents_per_committee,
        "scenario.months": sc.scenario.months,
    }
    enabled: dict[str, bool] = {}
    for key, cls in LEVERS.items():
        lever = getattr(sc.policies, key)
        enabled[key] = lever is not None and lever.enabled
        source = lever if lever is not None else cls()
        for c in lever_controls()[key]:
            values[c.path] = getattr(source, c.name)
    return Settings(preset, seed, values, enabled)


def overrides(settings: Settings, base: Scenario) -> dict[str, Any]:
    """Dotted-path overrides turning ``base`` (the preset) into the settings.

    Every value is sent (so anything unexpected meets the scenario validation),
    except the parameters of a lever that is off: a lever table that is present
    is on, so a lever switched off sends ``enabled = false`` if the preset has
    it and nothing otherwise; a lever switched on sends ``enabled = true`` and
    its values.
    """
    out: dict[str, Any] = {}
    for path, value in settings.values.items():
        parts = path.split(".")
        if parts[0] == "policies" and len(parts) > 2 and not settings.enabled.get(parts[1], False):
            continue
        out[path] = value
    for key in LEVERS:
        if settings.enabled.get(key, False):
            out[f"policies.{key}.enabled"] = True
        elif getattr(base.policies, key) is not None:
            out[f"policies.{key}.enabled"] = False
    for key, on in settings.enabled.items():
        if key not in LEVERS and on:
            out[f"policies.{key}.enabled"] = True  # an unknown lever: let the validation name it
    return out


def check_seed(seed: Any) -> int:
    """The seed as an int, or ScenarioError if it is not one in 0..2**63-1 (as ``run.py`` allows)."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise ScenarioError("<dashboard>", [("seed", Message("err_seed", max=f"{MAX_SEED:,}", got=repr(seed)))])
    return seed


def settings_to_scenario(settings: Settings) -> Scenario:
    """Validate the settings into a Scenario, through the same validation as scenario files.

    Raises ScenarioError listing every problem (unknown preset or street profile, out-of-range,
    NaN, wrong type, unknown path, a world too big for the dashboard). With a street profile the
    world is the profile's street (its sizes replace the world-size sliders').
    """
    check_seed(settings.seed)
    if settings.preset not in dashboard_presets():
        raise ScenarioError("<dashboard>", [("preset", Message("err_preset", got=repr(settings.preset)))])
    if settings.profile != GENERIC_STREET and settings.profile not in street_profiles():
        raise ScenarioError("<dashboard>", [("profile", Message("err_profile", got=repr(settings.profile)))])
    base = load_scenario(settings.preset)
    sc = with_overrides(base, overrides(settings, base))
    if settings.profile != GENERIC_STREET:
        sc = with_profile(sc, profile_path(settings.profile))
    w = sc.world
    total = w.streets * w.scale * w.committees_per_street * w.residents_per_committee
    if total > MAX_DASHBOARD_RESIDENTS:
        raise ScenarioError("<dashboard>", [("world", Message("err_world", total=f"{total:,.0f}",
                                                              limit=f"{MAX_DASHBOARD_RESIDENTS:,}"))])
    return sc


def changed_levers(a: Settings, b: Settings) -> list[str]:
    """Lever keys switched differently or set to different values in ``b`` than in ``a``."""
    out = []
    for key in LEVERS:
        on_a, on_b = a.enabled.get(key, False), b.enabled.get(key, False)
        if on_a != on_b:
            out.append(key)
        elif on_a and any(a.values.get(c.path) != b.values.get(c.path) for c in lever_controls()[key]):
            out.append(key)
    return out
