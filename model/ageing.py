"""The residents' mix over time: ageing and the migrant share along cited series.

Where a dated scenario names series (``residents.population``; e.g. the registered
population's share aged 60+, ``data/registered_aged60_share.csv``), the share of residents
aged 60+ (and of migrants) in each committee is the city share (``residents.group_shares``)
times its type's factor (``neighbourhoods``) times the series' value now divided by its value
in ``reference_year``. At initialization the residents are drawn with these shares for the
scenario's first month (``initial_factors``); then each month residents move between
``others`` and those groups to follow the series (``decide_population_change``).

Layout: ``SeriesPath``, ``load_paths``, ``initial_factors``, ``decide_population_change``,
``_move``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from .data import DataFileError, load_series
from .neighbourhoods import group_share_matrix
from .params import GROUPS, Parameters
from .scenario_dates import parse_month

if TYPE_CHECKING:
    from .community import CommunityModel

OTHERS = GROUPS.index("others")
SERIES_GROUPS = {"elderly_series": GROUPS.index("elderly"), "migrant_series": GROUPS.index("migrants")}


class SeriesPath(NamedTuple):
    """One group's series: year-end moments (year + 1), values, and the reference value."""

    group: int
    at: np.ndarray
    values: np.ndarray
    reference: float

    def factor(self, t: float) -> float:
        """Rule: the series' value at moment ``t`` (years; linear between year-end values,
        flat before the first and after the last) over its value in the reference year."""
        return float(np.interp(t, self.at, self.values)) / self.reference


def load_paths(p: Parameters) -> list[SeriesPath]:
    """The series ``residents.population`` names (calibration files of ``data/``: years up to
    2015), each with its value in reference_year; a ValueError names the field when a series
    is missing or lacks that year."""
    pop = p.residents.population
    paths = []
    for field, group in SERIES_GROUPS.items():
        name = getattr(pop, field)
        if not name:
            continue
        try:
            df = load_series(name)
        except (FileNotFoundError, DataFileError) as exc:
            raise ValueError(f"parameters.residents.population.{field}: {exc}") from None
        df = df.groupby("year", as_index=False)["value"].mean()  # two sources for a year: their mean
        ref = df.loc[df["year"] == pop.reference_year, "value"]
        if ref.empty or float(ref.iloc[0]) <= 0:
            raise ValueError(f"parameters.residents.population.{field}: series {name!r} has no positive value "
                             f"for reference_year {pop.reference_year}")
        paths.append(SeriesPath(group, df["year"].to_numpy(np.float64) + 1.0, df["value"].to_numpy(np.float64),
                                float(ref.iloc[0])))
    return paths


def initial_factors(p: Parameters, start: str | None) -> dict[int, float]:
    """Each series group's factor at the start of a dated scenario's first month (none
    without a start date or series)."""
    if not start:
        return {}
    year, month = parse_month(start)
    return {path.group: path.factor(year + (month - 1) / 12) for path in load_paths(p)}


def decide_population_change(m: "CommunityModel") -> None:
    """Rule: at the end of each month of a dated scenario with series, each committee's
    target number of residents of a series group is round(residents x the type's share of
    the group x the series factor at the end of this month); the difference is made up by
    residents of ``others`` joining the group (an older resident in place of a younger one,
    a migrant in place of a registered one), or by members of the group joining ``others``,
    each a random member of the group it leaves (stream ``population``), at most all of
    them. A resident who moves keeps its state (need, trust, participation, ties); the
    residents are then stored by group again (``ResidentArrays.regroup``)."""
    if not m.population_paths or not m.spec.scenario.start:
        return
    year, cal = m.calendar
    t = year + cal / 12
    r = m.residents
    shares = group_share_matrix(m.p)
    rng = m.streams["population"]
    moved = 0
    for path in m.population_paths:
        counts = np.diff(r.group_start, axis=1)
        target = np.rint(r.size * shares[r.ctype, path.group] * path.factor(t)).astype(np.int64)
        moved += _move(r, target - counts[:, path.group], path.group, counts, rng)
    if moved:
        r.regroup()


def _move(r, delta: np.ndarray, group: int, counts: np.ndarray, rng: np.random.Generator) -> int:
    """Move ``delta[c]`` residents of committee c from ``others`` to ``group`` (or back where
    negative), random members of the run they leave. Returns how many moved."""
    moved = 0
    for c in np.flatnonzero(delta).tolist():
        d = int(delta[c])
        src, dst = (OTHERS, group) if d > 0 else (group, OTHERS)
        k = min(abs(d), int(counts[c, src]))
        if k <= 0:
            continue
        lo = int(r.group_start[c, src])
        pick = lo + rng.choice(int(counts[c, src]), size=k, replace=False)
        r.group[pick] = dst
        moved += k
    return moved
