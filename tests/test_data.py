"""The cited Shanghai series in data/: every file parses, every row has a source, years are whole
numbers, nothing after 2015 sits in the calibration set, figures agree with each other where two
series measure the same thing, and a malformed file is rejected naming the file, line and field."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from model.data import (DATA_DIR, FIELDS, LAST_CALIBRATION_YEAR, OUT_OF_SAMPLE_DIR, PRECISIONS, DataFileError,
                        load_series, series_names)

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ROOT.parent / "shared" / "seed" / "000_8b3fe4cfe6d513fd.txt"
"""The source article where the project's machines hold it; its quote check skips elsewhere."""

CALIBRATION_FILES = sorted(DATA_DIR.glob("*.csv"))
OUT_OF_SAMPLE_FILES = sorted((DATA_DIR / OUT_OF_SAMPLE_DIR).glob("*.csv"))
ALL_FILES = [(p, False) for p in CALIBRATION_FILES] + [(p, True) for p in OUT_OF_SAMPLE_FILES]


def _raw_rows(path: Path) -> list[dict[str, str]]:
    """The rows as the csv module reads them, without the loader (so a loader bug cannot hide one)."""
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_there_are_series_on_both_sides_of_the_split():
    assert len(CALIBRATION_FILES) >= 10
    assert len(OUT_OF_SAMPLE_FILES) >= 5
    assert "registered_aged60_share" in series_names()
    assert "registered_aged60_share" in series_names(out_of_sample=True)


@pytest.mark.parametrize("path, oos", ALL_FILES, ids=lambda x: x.name if isinstance(x, Path) else str(x))
def test_file_parses_with_sources_and_int_years(path, oos):
    frame = load_series(path.stem, out_of_sample=oos)
    assert list(frame.columns) == list(FIELDS)
    assert len(frame) >= 1
    assert str(frame["year"].dtype) == "int64"
    assert (frame["source"].str.strip() != "").all()
    assert (frame["quote_or_note"].str.strip() != "").all()
    assert set(frame["precision"]) <= set(PRECISIONS)
    raw = _raw_rows(path)
    assert [r["year"] for r in raw] == [r["year"].strip() for r in raw]
    assert all(re.fullmatch(r"\d{4}", r["year"]) for r in raw), "a year cell is not four digits"
    assert all(r["source"].strip() for r in raw)


@pytest.mark.parametrize("path", CALIBRATION_FILES, ids=lambda p: p.name)
def test_nothing_after_2015_in_the_calibration_set(path):
    assert all(int(r["year"]) <= LAST_CALIBRATION_YEAR for r in _raw_rows(path))


@pytest.mark.parametrize("path", OUT_OF_SAMPLE_FILES, ids=lambda p: p.name)
def test_out_of_sample_files_hold_only_later_years(path):
    assert all(int(r["year"]) > LAST_CALIBRATION_YEAR for r in _raw_rows(path))


def test_values_are_plausible_for_their_units():
    for path, oos in ALL_FILES:
        frame = load_series(path.stem, out_of_sample=oos)
        assert (frame["value"] >= 0).all(), path
        shares = frame[frame["unit"].str.startswith("percent")]
        assert (shares["value"] <= 100).all(), path


def _pairs(numerator: str, denominator: str, share: str, oos: bool):
    """(year, numerator, denominator, stated share) where the three series have a row for the year
    (rows with the same source are paired first, so a year reported on two bases is not mixed)."""
    num, den, sh = (load_series(n, out_of_sample=oos) for n in (numerator, denominator, share))
    out = []
    for _, s in sh.iterrows():
        n_rows = num[num["year"] == s["year"]]
        d_rows = den[den["year"] == s["year"]]
        if n_rows.empty or d_rows.empty:
            continue
        n_same = n_rows[n_rows["source"] == s["source"]]
        d_same = d_rows[d_rows["source"] == s["source"]]
        n_val = (n_same if not n_same.empty else n_rows)["value"].iloc[0]
        d_val = (d_same if not d_same.empty else d_rows)["value"].iloc[0]
        out.append((s["year"], n_val, d_val, s["value"]))
    return out


@pytest.mark.parametrize("oos", [False, True])
def test_registered_ageing_share_matches_count_over_population(oos):
    """A transcription check: share = aged 60+ / registered population, to the source's rounding."""
    pairs = _pairs("registered_aged60_count", "registered_population", "registered_aged60_share", oos)
    assert len(pairs) >= 3
    for year, count, population, share in pairs:
        assert abs(100 * count / population - share) < 0.1, (year, count, population, share)


def test_migrant_share_matches_migrants_over_residents():
    pairs = _pairs("migrant_resident_population", "resident_population", "migrant_share_of_residents", False)
    assert len(pairs) >= 4
    for year, migrants, residents, share in pairs:
        assert abs(100 * migrants / residents - share) < 0.1, (year, migrants, residents, share)


def test_source_article_quotes_are_verbatim():
    if not ARTICLE.is_file():
        pytest.skip("the source article is not beside the repository here")
    article = ARTICLE.read_text(encoding="utf-8")
    checked = 0
    for path, oos in ALL_FILES:
        frame = load_series(path.stem, out_of_sample=oos)
        for quote in frame.loc[frame["source"].str.startswith("The source article"), "quote_or_note"]:
            text = quote.split(" (")[0].rstrip("。")
            assert text in article, (path.name, text)
            checked += 1
    assert checked >= 4


def test_readme_names_every_series():
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    for name in set(series_names()) | set(series_names(out_of_sample=True)):
        assert f"`{name}`" in readme, name


# ---------------------------------------------------------------------------
# malformed files
# ---------------------------------------------------------------------------

GOOD = ["2010", "23.4", "percent", "exact", "A bulletin, 2011", "http://example.org", "the sentence"]


def _write(tmp_path: Path, rows: list[list[str]], header=FIELDS, name="s", oos=False) -> Path:
    folder = tmp_path / OUT_OF_SAMPLE_DIR if oos else tmp_path
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def _error(tmp_path: Path, oos=False) -> str:
    with pytest.raises(DataFileError) as exc:
        load_series("s", out_of_sample=oos, data_dir=tmp_path)
    return str(exc.value)


@pytest.mark.parametrize("field, bad, expected", [
    ("year", "2010.5", "line 3, year: '2010.5' is not a whole year"),
    ("year", "", "line 3, year: '' is not a whole year"),
    ("year", "2016", "line 3, year: 2016 is after 2015"),
    ("year", "1200", "line 3, year: 1200 is outside"),
    ("value", "about 20", "line 3, value: 'about 20' is not a number"),
    ("value", "nan", "line 3, value: 'nan' is not a finite number"),
    ("source", "  ", "line 3, source: empty"),
    ("unit", "", "line 3, unit: empty"),
    ("quote_or_note", "", "line 3, quote_or_note: empty"),
    ("precision", "roughly", "line 3, precision: 'roughly' is not one of"),
])
def test_a_bad_field_is_named_with_file_and_line(tmp_path, field, bad, expected):
    row = dict(zip(FIELDS, GOOD))
    row[field] = bad
    path = _write(tmp_path, [GOOD, [row[f] for f in FIELDS]])
    message = _error(tmp_path)
    assert message.startswith(f"{path}: invalid data file (1 problem(s))"), message
    assert expected in message, message


def test_every_problem_is_listed(tmp_path):
    _write(tmp_path, [["x", "y", "u", "exact", "", "", "q"]])
    message = _error(tmp_path)
    assert "(3 problem(s))" in message
    assert "line 2, year" in message and "line 2, value" in message and "line 2, source" in message


def test_a_calibration_year_in_the_out_of_sample_file_is_rejected(tmp_path):
    _write(tmp_path, [GOOD], oos=True)
    assert "line 2, year: 2010 is not after 2015" in _error(tmp_path, oos=True)


def test_missing_and_unknown_columns_are_named(tmp_path):
    header = [f for f in FIELDS if f != "source"] + ["comment"]
    _write(tmp_path, [GOOD], header=header)
    message = _error(tmp_path)
    assert "header: missing column(s) source" in message
    assert "header: unknown column(s) comment" in message


def test_ragged_rows_and_empty_files_are_rejected(tmp_path):
    _write(tmp_path, [GOOD + ["extra"], GOOD[:3]])
    message = _error(tmp_path)
    assert "line 2: 8 cells, the header has 7" in message
    assert "line 3: fewer cells than the header's 7" in message
    _write(tmp_path, [])
    assert "no rows" in _error(tmp_path)


def test_a_file_that_is_not_utf8_is_rejected(tmp_path):
    path = _write(tmp_path, [GOOD])
    path.write_bytes(path.read_bytes() + "老".encode("gbk") + b"\n")
    assert "not UTF-8 text" in _error(tmp_path)


def test_an_unknown_series_names_the_file_and_the_known_series(tmp_path):
    _write(tmp_path, [GOOD], name="known")
    with pytest.raises(FileNotFoundError) as exc:
        load_series("unknown", data_dir=tmp_path)
    assert str(tmp_path / "unknown.csv") in str(exc.value)
    assert "known" in str(exc.value)
