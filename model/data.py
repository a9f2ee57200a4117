"""Cited Shanghai data series (``data/``): reading them and checking every row.

Each series is one CSV file named after it, with the columns ``FIELDS``: the
year, the value, its unit, how precise the source states it (``PRECISIONS``),
the source (document, issuing body, date), its address and the sentence the
number comes from. ``data/README.md`` describes every series and its gaps.

Calibration and out-of-sample figures live in separate files of the same
name: ``data/<name>.csv`` holds the years up to ``LAST_CALIBRATION_YEAR``
(the only figures a calibration may see) and ``data/out_of_sample/<name>.csv``
the later years (kept for checking the model against data it was not tuned
to). A series may have either file or both.

    from model.data import load_series
    ageing = load_series("registered_aged60_share")                  # 2005-2015
    later = load_series("registered_aged60_share", out_of_sample=True)  # 2016-2020

A malformed file raises ``DataFileError`` naming the file and, for each
problem, the line and the field at fault.

Layout: constants; the error (``DataFileError``); finding files
(``series_names``, ``series_path``); reading and checking (``load_series``).
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pandas as pd

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
"""The repository's ``data/`` folder."""

OUT_OF_SAMPLE_DIR = "out_of_sample"
"""Subfolder of ``data/`` holding the figures after ``LAST_CALIBRATION_YEAR``."""

LAST_CALIBRATION_YEAR = 2015
"""Last year a calibration may use; every later figure is out of sample."""

FIELDS = ("year", "value", "unit", "precision", "source", "url", "quote_or_note")
"""Columns of every series file, in this order."""

REQUIRED_TEXT = ("unit", "precision", "source", "quote_or_note")
"""Text columns that may not be empty (``url`` may be, for a printed source)."""

PRECISIONS = {
    "exact": "the source states the value as given",
    "approximate": "the source rounds it ('about', '近四成', a figure in 万 without decimals)",
    "lower_bound": "the source says 'more than' (超过, 突破, 余): the true value is at least this",
    "year_approximate": "the value is exact but the source gives no year; the row's year is the project's "
                        "reference year and the note says so",
}
"""Allowed values of the ``precision`` column and what each means."""

YEAR_RANGE = (1990, 2030)
"""Years a row may carry (a wider year is taken for a typing error)."""


class DataFileError(Exception):
    """A data file that cannot be used: the file, then one line per problem with its line and field."""

    def __init__(self, path: Path | str, problems: list[tuple[str, str]]):
        self.path = str(path)
        self.problems = problems
        lines = [f"{self.path}: invalid data file ({len(problems)} problem(s))"]
        lines += [f"  - {where or '<file>'}: {msg}" for where, msg in problems]
        super().__init__("\n".join(lines))


def series_names(out_of_sample: bool = False, data_dir: Path | None = None) -> list[str]:
    """Names of the series with a calibration file (or, with ``out_of_sample``, an out-of-sample file)."""
    folder = _folder(out_of_sample, data_dir)
    return sorted(p.stem for p in folder.glob("*.csv"))


def series_path(name: str, out_of_sample: bool = False, data_dir: Path | None = None) -> Path:
    """The file of series ``name``: ``data/<name>.csv`` or ``data/out_of_sample/<name>.csv``."""
    return _folder(out_of_sample, data_dir) / f"{name}.csv"


def load_series(name: str, out_of_sample: bool = False, data_dir: Path | None = None) -> pd.DataFrame:
    """The rows of series ``name`` as a DataFrame with the columns ``FIELDS``, sorted by year.

    ``year`` is an int column and ``value`` a float column; the text columns
    are strings (an empty ``url`` is ""). By default the calibration file is
    read; ``out_of_sample=True`` reads the out-of-sample file. Raises
    ``FileNotFoundError`` (naming the file and the series that exist) when
    there is no such file, and ``DataFileError`` listing every problem
    (missing or extra column, a year that is not a whole number or lies on the
    wrong side of ``LAST_CALIBRATION_YEAR``, a value that is not a finite
    number, an empty source, an unknown precision) when the file is malformed.
    """
    path = series_path(name, out_of_sample, data_dir)
    if not path.is_file():
        known = ", ".join(series_names(out_of_sample, data_dir)) or "none"
        where = "out-of-sample" if out_of_sample else "calibration"
        raise FileNotFoundError(f"{path}: no {where} file for series {name!r} (series with one: {known})")
    rows = _read_rows(path, out_of_sample)
    frame = pd.DataFrame(rows, columns=list(FIELDS))
    frame["year"] = frame["year"].astype("int64")
    frame["value"] = frame["value"].astype("float64")
    return frame.sort_values("year", kind="stable").reset_index(drop=True)


def _folder(out_of_sample: bool, data_dir: Path | None) -> Path:
    base = DATA_DIR if data_dir is None else Path(data_dir)
    return base / OUT_OF_SAMPLE_DIR if out_of_sample else base


def _read_rows(path: Path, out_of_sample: bool) -> list[dict]:
    """Every row of ``path`` checked and converted; raises ``DataFileError`` with all problems found."""
    problems: list[tuple[str, str]] = []
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataFileError(path, [("", f"not UTF-8 text (byte {exc.start}); save the file as UTF-8")]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [f for f in FIELDS if f not in header]
    extra = [f for f in header if f not in FIELDS]
    if missing or extra:
        if missing:
            problems.append(("header", f"missing column(s) {', '.join(missing)}; the columns are {', '.join(FIELDS)}"))
        if extra:
            problems.append(("header", f"unknown column(s) {', '.join(extra)}; the columns are {', '.join(FIELDS)}"))
        raise DataFileError(path, problems)
    rows = []
    for raw in reader:
        line = reader.line_num
        if None in raw:
            problems.append((f"line {line}", f"{len(header) + len(raw[None])} cells, the header has {len(header)}"))
            continue
        if any(v is None for v in raw.values()):
            problems.append((f"line {line}", f"fewer cells than the header's {len(header)}"))
            continue
        row, row_problems = _check_row(raw, out_of_sample)
        problems += [(f"line {line}, {field}", msg) for field, msg in row_problems]
        rows.append(row)
    if not rows and not problems:
        problems.append(("", "no rows: a series file holds at least one figure"))
    if problems:
        raise DataFileError(path, problems)
    return rows


def _check_row(raw: dict[str, str], out_of_sample: bool) -> tuple[dict, list[tuple[str, str]]]:
    """One row converted (year int, value float, text stripped) and the problems with its fields."""
    problems: list[tuple[str, str]] = []
    row: dict = {f: (raw[f] or "").strip() for f in FIELDS}
    year_text = row["year"]
    try:
        year = int(year_text)
    except ValueError:
        problems.append(("year", f"{year_text!r} is not a whole year"))
        year = None
    if year is not None:
        low, high = YEAR_RANGE
        if not low <= year <= high:
            problems.append(("year", f"{year} is outside {low}-{high}"))
        elif out_of_sample and year <= LAST_CALIBRATION_YEAR:
            problems.append(("year", f"{year} is not after {LAST_CALIBRATION_YEAR}: it belongs in the calibration "
                                     f"file, not in {OUT_OF_SAMPLE_DIR}/"))
        elif not out_of_sample and year > LAST_CALIBRATION_YEAR:
            problems.append(("year", f"{year} is after {LAST_CALIBRATION_YEAR}: it belongs in {OUT_OF_SAMPLE_DIR}/, "
                                     "out of the calibration set"))
    row["year"] = year
    try:
        value = float(row["value"])
    except ValueError:
        problems.append(("value", f"{row['value']!r} is not a number"))
        value = math.nan
    else:
        if not math.isfinite(value):
            problems.append(("value", f"{row['value']!r} is not a finite number"))
    row["value"] = value
    for field in REQUIRED_TEXT:
        if not row[field]:
            problems.append((field, "empty; every row says " + {
                "unit": "its unit",
                "precision": "how precise its source is",
                "source": "where its number comes from (document, issuing body, date)",
                "quote_or_note": "the sentence its number comes from, or a note on it",
            }[field]))
    if row["precision"] and row["precision"] not in PRECISIONS:
        problems.append(("precision", f"{row['precision']!r} is not one of {', '.join(PRECISIONS)}"))
    return row, problems
