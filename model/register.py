"""The whole register as rows, each with its role.

Layout: the roles (``FIXED``, ``UNCERTAIN``, ``LEVER``); ``lever_paths`` (which
levers move each register field); ``role_of``; ``register_rows``.

A role says what an entry is to an experiment, as EMA Workbench separates
constants, uncertainties and levers:

* ``lever``: a policy lever sets it: every ``policies.<key>.*`` field, and every
  ``parameters.*`` field that a lever's table (``Lever.targets``, ``Lever.computes``)
  names;
* ``uncertain``: an assumption, a number whose value we do not know (source
  "assumption");
* ``fixed``: a fixed input (a cited figure, a statistic, a calibrated value).
"""

from __future__ import annotations

from typing import Any

from .params import Parameters, field_rows
from .policies import LEVERS

FIXED = "fixed"
UNCERTAIN = "uncertain"
LEVER = "lever"


def lever_paths() -> dict[str, list[str]]:
    """Register path (below ``parameters.``) -> keys of the levers that move it."""
    out: dict[str, list[str]] = {}
    for key, cls in LEVERS.items():
        for path in cls.moved_paths():
            out.setdefault(path, []).append(key)
    return out


def role_of(path: str, source: str, moved: dict[str, list[str]]) -> str:
    """Role of the register entry at ``path`` (``parameters.*`` or ``policies.*``)."""
    section, _, rest = path.partition(".")
    if section == "policies" or rest in moved:
        return LEVER
    return UNCERTAIN if source == "assumption" else FIXED


def register_rows() -> list[dict[str, Any]]:
    """Every ``parameters.*`` entry, then every lever's own parameters as ``policies.<key>.*``:
    rows of path, default, type, unit, lo, hi, source, role, doc."""
    rows = field_rows(Parameters(), "parameters.")
    for key, cls in LEVERS.items():
        rows += field_rows(cls(), f"policies.{key}.")
    moved = lever_paths()
    out = []
    for r in rows:
        doc = r.pop("doc")
        out.append({**r, "role": role_of(r["path"], r["source"], moved), "doc": doc})
    return out
