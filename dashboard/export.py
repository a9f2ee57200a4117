"""What the dashboard saves and shares: the setting as a scenario file, a link and a command.

* :func:`setting_changes` — the dotted paths where a setting differs from its
  preset (changed world sizes, unless a street profile sets them, and run length;
  every changed lever: switched off, or switched on / set differently with all its values);
* :func:`scenario_toml` — a scenario file that ``python run.py validate``
  accepts: ``extends`` the preset, plus those changes and the street profile
  (``[world] profile``, a path from the project folder); the seed (a scenario
  has none) in its header comment and in :func:`simulate_command`;
* :func:`simulate_command` — ``python run.py simulate ...`` that writes the same
  ``timeseries.csv`` as :func:`timeseries_csv` of the dashboard's run (the profile
  as ``--profile`` when nothing else changes, else inside the scenario file);
* :func:`encode_query` / :func:`decode_query` — the setting, the language and
  street profile and the :class:`View` (compare mode with setting B's start and
  lever switches, the month shown) in a URL's query string; a value that cannot be used is
  left out with a catalogue message (``i18n.Message``), never an exception.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, urlencode

import tomli_w

from model.policies import LEVERS

from . import i18n
from .compare import SAME_AS_A
from .controls import (
    DEFAULT_PRESET,
    DEFAULT_SEED,
    GENERIC_STREET,
    MAX_SEED,
    Control,
    Settings,
    all_controls,
    changed_levers,
    dashboard_presets,
    lever_controls,
    profile_ref,
    settings_from_preset,
    street_profiles,
    world_controls,
)

_TRUE, _FALSE = ("1", "true", "on"), ("0", "false", "off")


def _typed(ctl: Control, value: Any) -> int | float:
    """A control's value as the scenario field takes it (int sliders give ints, the rest floats)."""
    return int(value) if ctl.kind == "int" else float(value)


@cache
def _preset_settings(preset: str) -> Settings:
    """A preset's settings, read once (callers copy them)."""
    return settings_from_preset(preset, DEFAULT_SEED)


def _base(settings: Settings) -> Settings:
    """The settings of ``settings``' preset, with its seed."""
    return _preset_settings(settings.preset).copy(seed=settings.seed)


PROFILE_SIZES = ("world.committees_per_street", "world.residents_per_committee")  # what a street profile sets


def setting_changes(settings: Settings) -> dict[str, Any]:
    """Dotted-path values where ``settings`` differ from its preset (in control order; with a street profile
    the world's sizes are the profile's and left out)."""
    base = _base(settings)
    out: dict[str, Any] = {}
    for ctl in world_controls():
        if settings.profile != GENERIC_STREET and ctl.path in PROFILE_SIZES:
            continue
        value = settings.values.get(ctl.path, base.values[ctl.path])
        if value != base.values[ctl.path]:
            out[ctl.path] = _typed(ctl, value)
    for key in changed_levers(base, settings):
        on = bool(settings.enabled.get(key, False))
        out[f"policies.{key}.enabled"] = on
        if on:
            for ctl in lever_controls()[key]:
                out[ctl.path] = _typed(ctl, settings.values.get(ctl.path, ctl.default))
    return out


def scenario_name(settings: Settings) -> str:
    """The saved scenario's name: the preset's, marked as a dashboard setting."""
    return f"{settings.preset}-dashboard"


def toml_filename(settings: Settings) -> str:
    """The file name the scenario is offered under (and the command refers to)."""
    return f"{scenario_name(settings)}.toml"


def _nested(paths: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for dotted, value in paths.items():
        node = out
        *parents, last = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return out


def scenario_toml(settings: Settings, months: int | None = None) -> str:
    """A scenario file of the setting: ``extends`` its preset, with every change and the street profile
    (``[world] profile``); the seed in the header."""
    changes = setting_changes(settings)
    if settings.profile != GENERIC_STREET:
        changes["world.profile"] = profile_ref(settings.profile)
    data = _nested(changes)
    meta = {"extends": settings.preset, "name": scenario_name(settings),
            "description": f"Dashboard setting: preset {settings.preset} with the changes below."}
    data["scenario"] = {**meta, **data.get("scenario", {})}
    header = ("# A setting saved from the three-society linkage dashboard.\n"
              f"# Random seed: {settings.seed} (a scenario file holds no seed: give it to run.py).\n"
              f"# Reproduce the dashboard's run: {simulate_command(settings, months, scenario_file=True)}\n")
    if settings.profile != GENERIC_STREET:
        header += ("# The street profile's path is relative to this file: keep the file in the project folder "
                   "(where run.py is).\n")
    ordered = {k: data[k] for k in ("scenario", "world", "policies") if k in data}
    return header + tomli_w.dumps(ordered)


def simulate_command(settings: Settings, months: int | None = None, scenario_file: bool = False) -> str:
    """``python run.py simulate`` for the setting: the preset's name when nothing is changed (a street
    profile then as ``--profile``), else (or with ``scenario_file``) the saved scenario file, which
    holds the profile; ``--months`` the months run so far (none: the scenario's whole run)."""
    if scenario_file or setting_changes(settings):
        parts = ["python", "run.py", "simulate", toml_filename(settings)]
    else:
        parts = ["python", "run.py", "simulate", settings.preset]
        if settings.profile != GENERIC_STREET:
            parts += ["--profile", profile_ref(settings.profile)]
    if months:
        parts += ["--months", str(int(months))]
    parts += ["--seed", str(settings.seed)]
    return " ".join(parts)


def timeseries_csv(model) -> str:
    """The run's monthly outcomes so far, as ``run.py simulate`` writes timeseries.csv."""
    from model.output import csv_text

    return csv_text(model.recorder.timeseries())


# -- the URL ----------------------------------------------------------------------
MAX_URL_MONTH = 1200


@dataclass(frozen=True)
class View:
    """What the URL holds besides the setting: the mode, setting B's start and lever switches (compare
    mode), the month shown."""

    mode: str = "live"
    b_base: str = SAME_AS_A
    b_levers: tuple[str, ...] = ()  # the levers B has on
    month: int = 0

    def b_enabled(self) -> dict[str, bool]:
        """B's lever switches, every lever named."""
        return {key: key in self.b_levers for key in LEVERS}


def _view_pairs(view: View) -> list[tuple[str, str]]:
    pairs = []
    if view.mode == "compare":
        pairs += [("mode", "compare"), ("b", view.b_base), ("b.levers", ",".join(k for k in LEVERS if k in view.b_levers))]
    if view.month:
        pairs.append(("month", str(view.month)))
    return pairs


def encode_query(settings: Settings, lang: str, view: View = View()) -> str:
    """The query string of a setting, language and view: lang, preset, seed, the street profile (if any), the
    levers switched differently from the preset and every value that differs from it (an off lever's too, so
    the sidebar comes back whole), then the view (``mode=compare&b=...&b.levers=...`` in compare mode,
    ``month=N`` after month 0)."""
    base = _base(settings)
    pairs = [("lang", lang), ("preset", settings.preset), ("seed", str(settings.seed))]
    if settings.profile != GENERIC_STREET:
        pairs.append(("profile", settings.profile))
    for key in LEVERS:
        on = bool(settings.enabled.get(key, False))
        if on != base.enabled.get(key, False):
            pairs.append((f"policies.{key}.enabled", "1" if on else "0"))
    for path, ctl in all_controls().items():
        value = settings.values.get(path, base.values[path])
        if value != base.values[path]:
            pairs.append((path, repr(_typed(ctl, value))))
    return urlencode(pairs + _view_pairs(view))


@dataclass
class Decoded:
    """A query string read back: the setting, the language (None: not given or unusable) and what was left out."""

    settings: Settings
    lang: str | None = None
    problems: list[i18n.Message] = field(default_factory=list)
    view: View = View()


def _number(ctl: Control, text: str) -> tuple[int | float | None, str]:
    """The value of a query parameter for ``ctl``, or None and the catalogue key of why not."""
    try:
        value = float(text)
    except ValueError:
        return None, "err_number"
    if not math.isfinite(value):
        return None, "err_finite"
    if ctl.kind == "int" and not value.is_integer():
        return None, "err_int"
    if ctl.valid_lo is not None and value < ctl.valid_lo:
        return None, "err_ge"
    if ctl.valid_hi is not None and value > ctl.valid_hi:
        return None, "err_le"
    return _typed(ctl, value), ""


def _seed(text: str) -> int | None:
    try:
        seed = int(text)
    except ValueError:
        return None
    return seed if 0 <= seed <= MAX_SEED else None


def _ignored(name: str, value: str, why: str = "", **limit: Any) -> i18n.Message:
    return i18n.Message("url_ignored", name=name, value=value[:40], why=i18n.Message(why, **limit) if why else "")


def _decode_view(given: dict[str, str], problems: list[i18n.Message]) -> View:
    """The view of a query's ``mode``, ``b``, ``b.levers`` and ``month``; unusable values left out with a message."""
    mode = given.get("mode", "live")
    if mode not in ("live", "compare"):
        problems.append(_ignored("mode", mode, "url_bad_mode"))
        mode = "live"
    b_base = given.get("b", SAME_AS_A)
    if b_base != SAME_AS_A and b_base not in dashboard_presets():
        problems.append(_ignored("b", b_base, "url_bad_b"))
        b_base = SAME_AS_A
    levers = tuple(k for k in given.get("b.levers", "").split(",") if k)
    unknown = [k for k in levers if k not in LEVERS]
    if unknown:
        problems.append(_ignored("b.levers", ",".join(unknown), "err_unknown"))
    text = given.get("month", "0")
    month = int(text) if text.isdigit() and int(text) <= MAX_URL_MONTH else None
    if month is None:
        problems.append(_ignored("month", text, "url_bad_month", limit=str(MAX_URL_MONTH)))
    return View(mode, b_base, tuple(k for k in levers if k in LEVERS), month or 0)


def decode_query(search: str | None) -> Decoded:
    """The setting and language in a query string; anything unusable is left out with a message."""
    params = parse_qsl((search or "").lstrip("?"), keep_blank_values=True)
    given = dict(params)
    problems: list[i18n.Message] = []
    preset = given.get("preset", DEFAULT_PRESET)
    if preset not in dashboard_presets():
        problems.append(_ignored("preset", preset, "url_bad_preset"))
        preset = DEFAULT_PRESET
    seed = _seed(given.get("seed", str(DEFAULT_SEED)))
    if seed is None:
        problems.append(_ignored("seed", given["seed"], "err_seed_input", max=f"{MAX_SEED:,}"))
        seed = DEFAULT_SEED
    lang = given.get("lang")
    if lang is not None and lang not in i18n.LANGS:
        problems.append(_ignored("lang", lang, "url_bad_lang"))
        lang = None
    settings = _base(Settings(preset, seed))
    profile = given.get("profile", GENERIC_STREET)
    if profile != GENERIC_STREET and profile not in street_profiles():
        problems.append(_ignored("profile", profile, "url_bad_profile"))
        profile = GENERIC_STREET
    settings.profile = profile
    controls = all_controls()
    view = _decode_view(given, problems)
    for name, text in params:
        if name in ("preset", "seed", "lang", "profile", "mode", "b", "b.levers", "month"):
            continue
        parts = name.split(".")
        if len(parts) == 3 and parts[0] == "policies" and parts[1] in LEVERS and parts[2] == "enabled":
            if text.lower() in _TRUE + _FALSE:
                settings.enabled[parts[1]] = text.lower() in _TRUE
            else:
                problems.append(_ignored(name, text, "url_bad_switch"))
        elif name in controls:
            ctl = controls[name]
            value, why = _number(ctl, text)
            if value is None:
                limit = ctl.valid_hi if why == "err_le" else ctl.valid_lo
                problems.append(_ignored(name, text, why, limit=f"{limit:g}" if limit is not None else ""))
            else:
                settings.values[name] = value
        else:
            problems.append(_ignored(name, text, "err_unknown"))
    return Decoded(settings, lang, problems, view)
