"""The small pure measures behind the outcomes ``Recorder`` computes: government shares of
income, reserves, severity weights, attrition and the equity gaps over the 12-month windows,
and the finite check of the month's outcomes.

Layout: ``_check_finite``; income (``government_income``, ``_government_income_share``,
``_sector_share``) and reserves (``_reserve_months_median``, ``_median``); ``_nanmean_or0``; severity
(``severity_weights``, ``_weighted_share``); the windowed measures (``_attrition``,
``_gap_groups``, ``_gap_committees`` with ``_percentile_sorted``); ``_stack_columns`` (the
breakdowns' rows).
"""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING

import numpy as np

from .organizations import GOVERNMENT_INCOME
from .params import NEED_KINDS, Residents
from .sector import sector_government_share

if TYPE_CHECKING:
    from .community import CommunityModel


def _check_finite(cur: dict[str, float]) -> None:
    """Raise AssertionError if an outcome is NaN or infinite."""
    for name, v in cur.items():
        if not math.isfinite(v):
            raise AssertionError(f"outcome {name} is not finite: {v}")


def government_income(orgs: list) -> tuple[float, float]:
    """(government money, all income) of the organizations over their income windows (also
    read by ``model.tools.calibration``)."""
    income = {"gov": 0.0, "all": 0.0}
    for o in orgs:
        for src, v in o.income_window().items():
            income["all"] += v
            if src in GOVERNMENT_INCOME:
                income["gov"] += v
    return income["gov"], income["all"]


def _government_income_share(orgs: list) -> float:
    """Government money / all income of the organizations over their income windows."""
    gov, total = government_income(orgs)
    return gov / total if total > 0 else 0.0


def _sector_share(m: "CommunityModel", orgs: list) -> float:
    """Government share of the whole sector's income (:func:`sector.sector_government_share`):
    the organizations' last 12 months scaled to a year, the rest of the sector in the
    current (calendar, else reference) year, scaled to the simulated residents."""
    gov, total = government_income(orgs)
    months = max((len(o.income_12m) for o in orgs), default=0)
    per_year = 12.0 / months if months else 0.0
    year, cal = m.calendar
    ps = m.p.sector
    when = year + (cal - 1) / 12 if m.spec.scenario.start else float(ps.reference_year)
    share = m.residents.n / m.p.social_workers.city_residents
    return sector_government_share(ps, when, share, gov * per_year, total * per_year)


def _reserve_months_median(m: "CommunityModel", orgs: list) -> float:
    """Median of reserves / mean monthly costs over the last 12 months, over organizations
    with costs (0 when none)."""
    months = [m.ledger.get(o.account) / (sum(o.costs_12m) / len(o.costs_12m))
              for o in orgs if o.costs_12m and sum(o.costs_12m) > 0]
    return _median(months) if months else 0.0


def _median(values: list[float]) -> float:
    """``float(np.median(values))`` to the last bit, in plain Python for the few values it is
    given: the mean of the middle value or the two middle ones, summed from 0.0 as numpy sums
    (so -0.0 gives 0.0); NaN if one is NaN."""
    if any(v != v for v in values):
        return math.nan
    s = sorted(values)
    mid = len(s) // 2
    return 0.0 + s[mid] if len(s) % 2 else (0.0 + s[mid - 1] + s[mid]) / 2


def _nanmean_or0(values: list[float]) -> float:
    arr = np.array(values, dtype=np.float64)
    arr = arr[~np.isnan(arr)]
    return float(arr.mean()) if arr.size else 0.0


def severity_weights(p: Residents) -> np.ndarray:
    """The severity weight of each need kind (``residents.severity``), in ``NEED_KINDS`` order."""
    return np.array([getattr(p.severity, k) for k in NEED_KINDS], dtype=np.float64)


def _weighted_share(weighted: np.ndarray) -> np.ndarray:
    """Per row of (weighted met, weighted lapsed): met / (met + lapsed), 0 where nothing closed."""
    closed = weighted[:, 0] + weighted[:, 1]
    return np.divide(weighted[:, 0], closed, out=np.zeros(closed.size), where=closed > 0)


def _attrition(quits: deque[int], employed: deque[int]) -> float:
    mean_emp = float(np.mean(employed)) if employed else 0.0
    if mean_emp <= 0:
        return 0.0
    return float(sum(quits)) / mean_emp * (12.0 / len(quits))


def _gap_groups(met_w: deque[np.ndarray], lapsed_w: deque[np.ndarray], min_closed: int,
                weighted: deque[np.ndarray] | None = None) -> float:
    """Largest minus smallest share of needs met over the window among groups with at least
    ``min_closed`` needs closed; with ``weighted`` (per month, severity-weighted met and lapsed by
    group, shape (groups, 2)), the shares are severity-weighted (the same groups count)."""
    met = np.sum(met_w, axis=0)
    closed = met + np.sum(lapsed_w, axis=0)
    # a group with no closed need has no share (the groups are few: plain Python from here)
    ok = [c >= min_closed and c > 0 for c in closed.tolist()]
    if weighted is not None:
        w = np.sum(weighted, axis=0)
        met, closed = w[:, 0], w[:, 0] + w[:, 1]
        ok = [o and c > 0 for o, c in zip(ok, closed.tolist(), strict=True)]  # needs of weight 0 only
    share = [x / c for x, c, o in zip(met.tolist(), closed.tolist(), ok, strict=True) if o]
    return float(max(share) - min(share)) if len(share) >= 2 else 0.0


def _gap_committees(met_w: deque[np.ndarray], lapsed_w: deque[np.ndarray]) -> float:
    met = np.sum(met_w, axis=0)
    closed = met + np.sum(lapsed_w, axis=0)
    ok = closed > 0
    if ok.sum() < 2:
        return 0.0
    share = np.sort(met[ok] / closed[ok])
    return _percentile_sorted(share, 90) - _percentile_sorted(share, 10)


def _percentile_sorted(values: np.ndarray, q: int) -> float:
    """The ``q``-th percentile of ascending ``values`` (at least 2), to the last bit as
    ``np.percentile`` (its default "linear" method: the virtual index (n - 1) * q / 100 and
    numpy's ``_lerp`` between its neighbours), without numpy's per-call overhead."""
    v = (values.size - 1) * (q / 100)
    lo = math.floor(v)
    t = v - lo
    a, b = float(values[lo]), float(values[min(lo + 1, values.size - 1)])
    d = b - a
    return b - d * (1 - t) if t >= 0.5 else a + d * t


def _stack_columns(n: int, columns: list) -> np.ndarray:
    """The (n x columns) float64 table of ``columns`` side by side, as ``np.column_stack``
    builds it (a number fills its column; a 2-D array gives as many columns as it has),
    written into one array."""
    widths = [x.shape[1] if isinstance(x, np.ndarray) and x.ndim == 2 else 1 for x in columns]
    out = np.empty((n, sum(widths)))
    at = 0
    for x, w in zip(columns, widths, strict=True):
        if w == 1:
            out[:, at] = x
        else:
            out[:, at:at + w] = x
        at += w
    return out
