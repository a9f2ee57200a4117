"""Input files: reading TOML, and telling the user every problem with one, field by field.

Scenario files (:mod:`model.scenario`) and experiment files
(:mod:`experiments.load`) are read and checked through this module, so both
report problems in one form: ``file: invalid <kind> (n problem(s))``, then
one line ``- field.path: what is wrong and what is allowed`` per problem.

Field paths join table keys with dots; a key that holds a dot or a space (or
is empty) is quoted, as TOML writes it (``arm[1].set."parameters.x.y"``).
List positions are counted from 1, as a person counting the entries of a
list in the file does: ``arm[1]`` is the first ``[[arm]]``,
``experiment.outcomes[2]`` the second outcome named.

Layout: the errors (``InputError``, the base of ``ExperimentError``, and
``ScenarioError``); reading (``read_toml``); field paths (``join_path``,
``loc_path``); the checks every file gets (``finite_problems``,
``pydantic_problems``).
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

MAX_FILE_BYTES = 1_000_000
"""Largest input file read (bytes)."""

Problem = tuple[str, str]
"""(field path, message); the path is "" when the file as a whole is at fault."""


class InputError(Exception):
    """Bad input: the file and every field at fault with what is allowed.

    Subclasses name the kind of file (``kind``) that the first line of the
    message names.
    """

    kind = "input"

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        lines = [f"{source}: invalid {self.kind} ({len(problems)} problem(s))"]
        lines += [f"  - {path or '<file>'}: {msg}" for path, msg in problems]
        super().__init__("\n".join(lines))


class ScenarioError(InputError):
    """Bad scenario input: the file and every field at fault with what is allowed
    (:mod:`model.scenario`; a street profile's problems are a kind of it,
    ``profile.ProfileError``)."""

    kind = "scenario"


# ---------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------


def read_toml(path: Path, error: type[InputError]) -> tuple[bytes, dict[str, Any]]:
    """The bytes of a TOML file and its parsed tables.

    Raises ``error`` (naming the file) if the file cannot be read, is not a
    regular file, is over ``MAX_FILE_BYTES``, is not UTF-8 or is not valid TOML.
    """
    label = str(path)

    def fail(msg: str) -> InputError:
        return error(label, [("", msg)])

    try:
        size = path.stat().st_size
    except OSError as exc:
        raise fail(f"cannot read file: {exc.strerror}") from None
    if not path.is_file():
        raise fail(f"not a regular file ({error.kind} files are TOML files)")
    if size > MAX_FILE_BYTES:
        raise fail(f"file is {size:,} bytes; at most {MAX_FILE_BYTES:,} allowed")
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail(f"not UTF-8 text (byte {exc.start}); save the file as UTF-8") from None
    except OSError as exc:
        raise fail(f"cannot read file: {exc.strerror}") from None
    try:
        return raw, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise fail(f"not valid TOML: {exc}") from None
    except RecursionError:  # tomllib recurses once per level of nested arrays or inline tables
        raise fail("not valid TOML: arrays or inline tables nested too deeply") from None


# ---------------------------------------------------------------------------
# field paths
# ---------------------------------------------------------------------------


def join_path(path: str, key: Any) -> str:
    """``path.key``; the key quoted if it holds a dot or a space or is empty."""
    key = str(key)
    if "." in key or " " in key or not key:
        key = f'"{key}"'
    return f"{path}.{key}" if path else key


def loc_path(loc: tuple[Any, ...]) -> str:
    """A location (keys and 0-based list indices) as the user reads it: ``arm[2].set."parameters.x"``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out = join_path(out, part)
    return out


def show(value: Any) -> str:
    """A value as quoted in a message: its repr, cut to 80 characters."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


# ---------------------------------------------------------------------------
# checks
# ---------------------------------------------------------------------------


def finite_problems(obj: Any, path: str = "") -> list[Problem]:
    """A problem for every NaN or infinite float anywhere in parsed TOML."""
    if isinstance(obj, dict):
        return [p for k, v in obj.items() for p in finite_problems(v, join_path(path, k))]
    if isinstance(obj, list):
        return [p for i, v in enumerate(obj) for p in finite_problems(v, f"{path}[{i + 1}]")]
    if isinstance(obj, float) and not math.isfinite(obj):
        return [(path, f"must be a finite number, got {obj}")]
    return []


def allowed_keys(schema: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Field names of the table at ``loc`` (list indices skipped) of a pydantic schema; [] if not a table."""
    model = schema
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return []
        ann = field.annotation
        candidates = [ann, *getattr(ann, "__args__", ())]
        nxt = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
        if nxt is None:
            return []
        model = nxt
    return list(model.model_fields)


_BRANCH = re.compile(r"^(constrained-int|int|str|float|literal\[.*\]|list\[.*\])$")
"""How pydantic names the branch of a union (``int | "auto"``) in an error's location."""


def pydantic_problems(exc: ValidationError, schema: type[BaseModel], data: Any,
                      explain: Mapping[str, str] | None = None) -> list[Problem]:
    """Every error of a validation of ``data`` against ``schema``, as (field path, message).

    ``explain`` maps a field name to what it must be; it words the errors of
    a union field (reported once, not once per branch) and of a field whose
    text does not match its pattern: ``must be <explain> (got <value>)``.
    Unknown keys list the keys allowed in their table.
    """
    explain = explain or {}
    errors = exc.errors()
    unions: dict[tuple[Any, ...], list[str]] = {}
    for err in errors:
        base = _union_base(tuple(err["loc"]))
        if base is not None:
            unions.setdefault(base, []).append(err["msg"])
    problems: list[Problem] = []
    for err in errors:
        loc = tuple(err["loc"])
        base = _union_base(loc)
        if base is not None:
            if base in unions:
                messages = unions.pop(base)
                allowed = explain.get(_field(base)) or " or ".join(dict.fromkeys(messages))
                problems.append((loc_path(base), f"must be {allowed} (got {show(_value_at(data, base))})"))
            continue
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            keys = allowed_keys(schema, loc[:-1])
            msg = "unknown key (misspelt?)" + (f"; allowed here: {', '.join(keys)}" if keys else "")
        elif err["type"] == "missing":
            msg = "required key missing"
        elif err["type"] == "string_pattern_mismatch" and _field(loc) in explain:
            msg = f"must be {explain[_field(loc)]} (got {show(err.get('input'))})"
        elif "input" in err and not isinstance(err["input"], (dict, list)):
            msg = f"{msg} (got {show(err['input'])})"
        problems.append((loc_path(loc), msg))
    return problems


def _union_base(loc: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """The location of the union field an error is about, or None if it is not about one branch of a union."""
    branch = next((i for i, part in enumerate(loc) if isinstance(part, str) and _BRANCH.match(part)), None)
    return None if branch is None else loc[:branch]


def _field(loc: tuple[Any, ...]) -> str:
    """The name of the field at a location (its last key)."""
    return next((str(p) for p in reversed(loc) if isinstance(p, str)), "")


def _value_at(data: Any, loc: tuple[Any, ...]) -> Any:
    """The value at a location of parsed TOML, or None if there is none."""
    for part in loc:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data
