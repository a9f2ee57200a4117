"""The whole register as rows, each with its role.

Layout: the roles (``FIXED``, ``UNCERTAIN``, ``LEVER``); ``lever_paths`` (which
levers move each register field); ``role_of``; ``register_rows``; the table cells
``evidence_text`` and ``range_text`` (shared by the CLI, the ODD table and
docs/levers.md).

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


def role_of(path: str, evidence: str, magnitude: bool | None, moved: dict[str, list[str]]) -> str:
    """Role of the register entry at ``path`` (``parameters.*`` or ``policies.*``) resting on
    ``evidence`` (a study's ``magnitude`` says whether it gives the size)."""
    section, _, rest = path.partition(".")
    if section == "policies" or rest in moved:
        return LEVER
    unknown = evidence == "assumption" or (evidence == "study" and not magnitude)
    return UNCERTAIN if unknown else FIXED


def register_rows() -> list[dict[str, Any]]:
    """Every ``parameters.*`` entry, then every lever's own parameters as ``policies.<key>.*``:
    rows of path, default, type, unit, lo, hi, source, the evidence (kind, citation, quote,
    magnitude, note), range, role, doc (see ``model.params.field_rows``)."""
    rows = field_rows(Parameters(), "parameters.")
    for key, cls in LEVERS.items():
        rows += field_rows(cls(), f"policies.{key}.")
    moved = lever_paths()
    out = []
    for r in rows:
        doc = r.pop("doc")
        out.append({**r, "role": role_of(r["path"], r["evidence"], r["magnitude"], moved), "doc": doc})
    return out


def _number(v: float) -> str:
    return f"{v:g}"


def evidence_text(row: dict[str, Any]) -> str:
    """What a row's number rests on, in one cell: ``article: «quote»``, ``study: <cite>
    (magnitude | direction only)``, ``data: <cite>``, ``calibrated`` or ``assumption``
    (with the article passage that gives only the direction, if any), then the note, if any."""
    kind = row["evidence"]
    if kind == "article":
        text = f"article: «{row['quote']}»"
    elif kind == "study":
        text = f"study: {row['citation']} ({'magnitude' if row['magnitude'] else 'direction only'})"
    elif kind == "data":
        text = f"data: {row['citation']}"
    else:
        text = kind + (f" (article gives the direction: «{row['quote']}»)" if row["quote"] else "")
    return text + (f"; {row['note']}" if row["note"] else "")


def range_text(row: dict[str, Any]) -> str:
    """A row's plausible range in one cell: ``<distribution> [lo, hi]``, ``0 (off)`` for a
    switched-off mechanism, empty where there is none."""
    rng = row["range"]
    if rng is None:
        return ""
    if rng["lo"] == rng["hi"]:
        return f"{_number(rng['lo'])} (off)" if rng["lo"] == 0 else _number(rng["lo"])
    return f"{rng['distribution']} [{_number(rng['lo'])}, {_number(rng['hi'])}]"
