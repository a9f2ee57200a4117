"""What a policy lever is: its schedule, its fields naming the register fields they move,
and the one ``apply`` (the levers themselves are in ``policies.py``).

A lever's own parameters each name the register field they move and how (``BLEND``: from
the scenario's value to the lever's over the ramp; ``SET``: the lever's value at once);
unit, bounds and meaning come from that register field (``register_field``), only the
default and the source (the evidence) are the lever's.

Layout: the modes ``BLEND`` and ``SET``, ``register_field`` and the field builders
``blend``, ``setting`` and ``like``; ``move`` and ``_blend``; the base class ``Lever``
(schedule, intensity, its table ``targets`` and the one ``apply``).

Narrow interface (cf. Starsim's ``Intervention``):

* ``lever.intensity(month_index)`` - 0 before start/after end, ramps to 1;
* ``lever.apply(params, intensity)`` - moves the register fields of its table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from pydantic import BaseModel, Field
from pydantic.fields import FieldInfo

from .params import ASSUMED, Evidence, P, Parameters, Section
from .scenario_dates import MonthRef, month_index


BLEND = "blend"
"""Move mode: from the scenario's value to the lever's, by the intensity (integers rounded)."""
SET = "set"
"""Move mode: the lever's value, whatever the intensity, while the lever is active."""


def register_field(path: str) -> FieldInfo:
    """The register field at ``path`` (dotted, below ``parameters``, e.g. ``streets.incubator``)."""
    cls: type[BaseModel] = Parameters
    *sections, name = path.split(".")
    for section in sections:
        cls = cls.model_fields[section].annotation  # type: ignore[assignment]
    return cls.model_fields[name]


def _from_register(path: str, mode: str | None, default: Any, source: Evidence, note: str) -> Any:
    """A lever field with the unit, bounds and meaning of the register field at ``path``; ``source``
    is what the lever's default rests on, ``note`` is appended to the meaning."""
    reg = register_field(path)
    extra = reg.json_schema_extra
    assert isinstance(extra, dict), path
    doc = (reg.description or "") + (f" {note}" if note else "")
    field = P(default, extra["unit"], extra["lo"], extra["hi"], source, doc)
    field.json_schema_extra.update(register=path, mode=mode)
    return field


def blend(path: str, default: Any, source: Evidence, note: str = "") -> Any:
    """A lever field that blends register field ``path`` towards its value over the ramp."""
    return _from_register(path, BLEND, default, source, note)


def setting(path: str, default: Any, source: Evidence, note: str = "") -> Any:
    """A lever field whose value register field ``path`` takes at once while the lever is active."""
    return _from_register(path, SET, default, source, note)


def like(path: str, default: Any | Callable[[], Any], source: Evidence, note: str = "") -> Any:
    """A lever field shaped like register field ``path`` whose value the lever's ``computed``
    turns into that field's value (``default`` may be a factory)."""
    return _from_register(path, None, default, source, note)


def _blend(obj: Any, field: str, target: float, x: float) -> None:
    """obj.field <- base + x*(target - base), typed like the field."""
    base = getattr(obj, field)
    value = base + x * (target - base)
    if isinstance(base, int) and not isinstance(base, bool):
        value = int(round(value))
    setattr(obj, field, value)


def move(p: Parameters, path: str, mode: str, value: Any, x: float) -> None:
    """Move register field ``path`` of ``p`` to ``value`` at intensity ``x`` (``BLEND``) or at once (``SET``)."""
    *sections, name = path.split(".")
    obj: Any = p
    for section in sections:
        obj = getattr(obj, section)
    if mode == BLEND:
        _blend(obj, name, value, x)
    else:
        setattr(obj, name, value)


class Lever(Section):
    """Common fields of every lever, its table of moves and the one ``apply``."""

    key: ClassVar[str] = ""
    year: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    computes: ClassVar[dict[str, tuple[str, tuple[str, ...]]]] = {}
    """Register fields the lever computes: path -> (mode, the lever fields the value is computed from)."""

    enabled: bool = Field(True, description="Switch the lever on (false switches off one inherited through extends).")
    start: MonthRef = Field(1, description="First month: a month index (1 = first simulated month) or 'YYYY-MM'.")
    end: MonthRef | None = Field(None, description="Last month (inclusive), index or 'YYYY-MM'; none = to the end.")
    ramp_months: int = P(0, "months", 0, 600, ASSUMED,
                         "Months over which the lever phases in linearly from the scenario's values (0 = at once).")

    @classmethod
    def targets(cls) -> dict[str, tuple[str, str]]:
        """The lever's table: own field -> (register path, mode), in declaration order."""
        out = {}
        for name, field in cls.model_fields.items():
            extra = field.json_schema_extra
            if isinstance(extra, dict) and extra.get("mode"):
                out[name] = (extra["register"], extra["mode"])
        return out

    @classmethod
    def moved_paths(cls) -> list[str]:
        """Every register path the lever moves (its table, then what it computes)."""
        return [path for path, _mode in cls.targets().values()] + list(cls.computes)

    def window(self, start_label: str | None) -> tuple[int, int | None]:
        """(first, last) month index of the lever given the scenario's calendar start."""
        first = month_index(self.start, start_label)
        last = None if self.end is None else month_index(self.end, start_label)
        return first, last

    def intensity(self, month: int, start_label: str | None) -> float:
        """0 when off, rising linearly to 1 over ramp_months from the start, 0 after the end."""
        if not self.enabled:
            return 0.0
        first, last = self.window(start_label)
        if month < first or (last is not None and month > last):
            return 0.0
        if self.ramp_months <= 0:
            return 1.0
        return min(1.0, (month - first + 1) / self.ramp_months)

    def computed(self, p: Parameters) -> dict[str, Any]:
        """Values of the register fields in ``computes``, from the lever's fields and ``p``."""
        return {}

    def apply(self, p: Parameters, x: float) -> None:
        """Move the register fields of ``p`` at intensity ``x`` (0-1): the table in declaration
        order, then the computed fields (computed from ``p`` before any move)."""
        values = self.computed(p)
        for name, (path, mode) in self.targets().items():
            move(p, path, mode, getattr(self, name), x)
        for path, (mode, _reads) in self.computes.items():
            move(p, path, mode, values[path], x)
