"""Month references in scenario files: a month index (1 = first simulated month) or "YYYY-MM"."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> tuple[int, int]:
    """Parse "YYYY-MM" into (year, month); raise ValueError otherwise."""
    m = _MONTH_RE.match(text)
    if not m:
        raise ValueError(f"expected a date 'YYYY-MM', got {text!r}")
    year, month = int(m.group(1)), int(m.group(2))
    if not (1900 <= year <= 2200 and 1 <= month <= 12):
        raise ValueError(f"date {text!r} out of range (years 1900-2200, months 01-12)")
    return year, month


def shift_month(label: str, months: int) -> str:
    """The calendar month ``months`` after "YYYY-MM" ``label`` (before it when negative)."""
    y, m = parse_month(label)
    k = y * 12 + (m - 1) + months
    return f"{k // 12:04d}-{k % 12 + 1:02d}"


def _check_ref(v: object) -> int | str:
    if isinstance(v, bool):
        raise ValueError("expected a month index (integer >= 1) or 'YYYY-MM'")
    if isinstance(v, int):
        if not 1 <= v <= 100_000:
            raise ValueError(f"month index {v} out of range (1-100000)")
        return v
    if isinstance(v, str):
        parse_month(v)
        return v
    raise ValueError("expected a month index (integer >= 1) or 'YYYY-MM'")


MonthRef = Annotated[int | str, BeforeValidator(_check_ref)]
"""A month: an index >= 1 or a 'YYYY-MM' date (needs a calendar start)."""


def month_index(ref: int | str, start_label: str | None) -> int:
    """Month index (1-based) of a reference; dates need the scenario's calendar start.

    A date before the start maps to an index <= 0 (the lever is on from month 1).
    """
    if isinstance(ref, int):
        return ref
    if start_label is None:
        raise ValueError(f"date {ref!r} needs [scenario] start = 'YYYY-MM'")
    y, m = parse_month(ref)
    y0, m0 = parse_month(start_label)
    return (y - y0) * 12 + (m - m0) + 1
