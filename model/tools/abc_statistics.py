"""Summary statistics of the ABC calibration: what a history run is compared with, and how.

Each ``Statistic`` reads one outcome of a ``shanghai-history`` run table (the recorder's
monthly ``timeseries``: a ``date`` column ``YYYY-MM`` and the outcomes, counts at city
scale) and compares it with a figure computed from cited series in ``data/`` (calibration
files only: years up to 2015, ``model.data.load_series``). Two kinds:

* ``level``: the outcome at one month against a figure (a sum of series values, divided by
  another such sum if the figure is a ratio, times a unit factor);
* ``growth``: the outcome's yearly log growth between two months, ``(log(1 + b) - log(1 + a))
  / years``, against the same growth of a cited series between the same two years.

Each statistic has a fixed ``scale`` (same unit as the statistic): the distance divides each
difference by it, so every pattern counts in units of how far off we accept it to be. The
data rows a statistic reads must be exact, approximate or year_approximate: a lower bound is
not a point target and is refused (``CalibrationInputError``), as is a missing file, a year
without a row or a year with two rows.

Layout: the error; ``Ref`` and ``Statistic``; ``STATISTICS`` (the declared patterns) and
``NOT_USED`` (cited series left out, with the reason); ``target_of`` / ``targets`` (figures
from data); ``value_at`` / ``summary_statistics`` (figures from a run table).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from ..data import load_series

POINT_PRECISIONS = ("exact", "approximate", "year_approximate")
"""Data precisions a statistic may read (``lower_bound`` is refused)."""


class CalibrationInputError(ValueError):
    """A calibration input that cannot be used: missing data, a lower bound, a bad prior."""


@dataclass(frozen=True)
class Ref:
    """One cited figure: ``series`` (a file in data/) at ``year``."""

    series: str
    year: int


@dataclass(frozen=True)
class Statistic:
    """A pattern: the model's ``outcome`` at ``dates`` against cited figures.

    ``level``: ``dates`` = (month,), figure = sum(``numer``) / sum(``denom``) * ``factor``.
    ``growth``: ``dates`` = (from, to); figure = yearly log growth of sum(``numer``) from
    ``start`` figures (same series, earlier year) to ``numer`` over the same span."""

    name: str
    outcome: str
    kind: str
    dates: tuple[str, ...]
    numer: tuple[Ref, ...]
    scale: float
    why_scale: str
    denom: tuple[Ref, ...] = ()
    start: tuple[Ref, ...] = ()
    factor: float = 1.0
    note: str = ""


STATISTICS: tuple[Statistic, ...] = (
    Statistic("organizations_growth_2008_2013", "organizations_registered", "growth", ("2008-12", "2013-10"),
              (Ref("social_organizations_total", 2013),), 0.05,
              "assumption: the modelled community organizations grow at the sector's rate, +-5 points a year",
              start=(Ref("social_organizations_total", 2008),),
              note="yearly log growth; the 2013 count is end of October. The model holds community organizations "
                   "only, so their level is not compared with the sector's count; their growth is."),
    Statistic("organizations_growth_2013_2015", "organizations_registered", "growth", ("2013-10", "2015-12"),
              (Ref("social_organizations_total", 2015),), 0.05,
              "assumption: as for 2008-2013", start=(Ref("social_organizations_total", 2013),),
              note="yearly log growth, end of October 2013 to 2015"),
    Statistic("social_workers_2015", "social_workers", "level", ("2015-12",), (Ref("social_workers", 2015),),
              14151 * 0.15, "15 % of the figure: undated in the article (c. 2015) and counted on the city's basis",
              note="social workers in organizations and committees' posts, city scale"),
    Statistic("certified_share_2015", "certified_share", "level", ("2015-12",),
              (Ref("certified_social_workers", 2015),), 0.06,
              "6 points: the hand calibration's tolerance; both counts undated (c. 2015)",
              denom=(Ref("social_workers", 2015),)),
    Statistic("sector_government_share_2012", "sector_government_income_share", "level", ("2012-12",),
              (Ref("government_share_of_social_org_income", 2012),), 0.02,
              "2 points: the sector outside the community scope is one aggregate block", factor=0.01),
    Statistic("sector_government_share_2015", "sector_government_income_share", "level", ("2015-12",),
              (Ref("government_share_of_social_org_income", 2015),), 0.02,
              "2 points: the article rounds to a whole percent", factor=0.01),
    Statistic("service_centre_coverage_2015", "service_centre_coverage", "level", ("2015-12",),
              (Ref("social_org_service_centres", 2015),), 0.10,
              "10 points: a sample of a few streets resolves coverage only in steps of 1/streets",
              denom=(Ref("street_offices", 2014), Ref("towns_and_townships", 2014)),
              note="168 centres over Shanghai's 209 streets and towns; the coverage is a lever's input ramped "
                   "2004-2015, so this pattern checks the ramp and no estimated parameter moves it"),
)
"""The patterns the ABC calibration fits, all from data/ years up to 2015."""

NOT_USED: tuple[tuple[str, str], ...] = (
    ("government_funding_of_social_orgs", "a lower bound ('over 5 billion yuan'), not a point target"),
    ("registered_volunteers", "a lower bound (2009)"),
    ("registered_volunteer_share", "real-name registered volunteers (0.1 % of residents, 2009) are not the "
                                   "model's residents volunteering in a month (volunteer_rate, about 5 %)"),
    ("social_organizations_total (level)", "all registered organizations (schools, clinics, trade associations, "
                                           "foundations); the model has community organizations only"),
    ("social_organizations_social_groups, _private_non_enterprise, _foundations, _pne_and_foundations",
     "types the model does not distinguish"),
    ("social_organization_employees, social_organization_fulltime_share", "all employees of all organizations; "
                                                                         "the model counts social workers only"),
    ("community_activity_teams", "unregistered street-managed teams; the model has no such agents"),
    ("community_foundations", "an input (policies.community_foundations.coverage), not an outcome"),
)
"""Cited series in data/ that no statistic reads, and why (docs/calibration.md repeats this)."""


def _figure(refs: tuple[Ref, ...]) -> tuple[float, list[str]]:
    """Sum of the cited values of ``refs`` and their sources; refuses gaps and lower bounds."""
    total, sources = 0.0, []
    for ref in refs:
        try:
            df = load_series(ref.series)
        except (OSError, ValueError) as exc:
            raise CalibrationInputError(f"data series {ref.series!r}: {exc}") from None
        rows = df[df["year"] == ref.year]
        if len(rows) != 1:
            raise CalibrationInputError(f"data series {ref.series!r}: {len(rows)} rows for {ref.year} "
                                        "(a statistic needs exactly one)")
        row = rows.iloc[0]
        if row["precision"] not in POINT_PRECISIONS:
            raise CalibrationInputError(f"data series {ref.series!r} {ref.year}: precision {row['precision']!r} "
                                        f"is not a point target (allowed: {', '.join(POINT_PRECISIONS)})")
        total += float(row["value"])
        sources.append(f"{ref.series} {ref.year}: {row['source']}")
    return total, sources


def _years(dates: tuple[str, ...]) -> float:
    """Years between two ``YYYY-MM`` dates."""
    (y0, m0), (y1, m1) = (map(int, d.split("-")) for d in dates)
    return ((y1 - y0) * 12 + (m1 - m0)) / 12.0


def target_of(stat: Statistic) -> tuple[float, list[str]]:
    """The cited figure ``stat`` is compared with, and the sources it rests on."""
    value, sources = _figure(stat.numer)
    if stat.kind == "growth":
        first, more = _figure(stat.start)
        return math.log(value / first) / _years(stat.dates), more + sources
    if stat.denom:
        below, more = _figure(stat.denom)
        value, sources = value / below, sources + more
    return value * stat.factor, sources


def targets(statistics: tuple[Statistic, ...] = STATISTICS) -> dict[str, float]:
    """Name -> cited figure of every statistic (raises ``CalibrationInputError`` on bad data)."""
    return {s.name: target_of(s)[0] for s in statistics}


def value_at(table: pd.DataFrame, outcome: str, date: str) -> float:
    """The run table's ``outcome`` in month ``date`` (``YYYY-MM``)."""
    rows = table.loc[table["date"].astype(str) == date, outcome]
    if len(rows) != 1:
        raise CalibrationInputError(f"run table: {len(rows)} rows for {date} (runs must cover 2004-01 to 2015-12)")
    return float(rows.iloc[0])


def summary_statistics(table: pd.DataFrame, statistics: tuple[Statistic, ...] = STATISTICS) -> dict[str, float]:
    """The simulated value of every statistic from one run table."""
    out = {}
    for s in statistics:
        if s.kind == "growth":
            a, b = (value_at(table, s.outcome, d) for d in s.dates)
            out[s.name] = (math.log1p(b) - math.log1p(a)) / _years(s.dates)
        else:
            out[s.name] = value_at(table, s.outcome, s.dates[0])
    return out
