"""The residents' mix over time (model/ageing.py, ResidentArrays.regroup)."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import residents
from model import CommunityModel, load_scenario
from model.ageing import SeriesPath, load_paths
from model.params import GROUPS, Parameters
from model.scenario import ScenarioError, with_overrides

ELDERLY, OTHERS = GROUPS.index("elderly"), GROUPS.index("others")


def test_a_series_factor_is_linear_between_year_ends_and_flat_outside():
    path = SeriesPath(ELDERLY, np.array([2006.0, 2016.0]), np.array([20.0, 30.0]), 30.0)
    assert path.factor(2016.0) == 1.0 and path.factor(2020.5) == 1.0, "flat after the last year"
    assert path.factor(2004.0) == pytest.approx(20 / 30), "flat before the first"
    assert path.factor(2011.0) == pytest.approx(25 / 30)


def test_the_history_series_are_cited_files_with_their_2015_values():
    p = Parameters()
    p.residents.population.elderly_series = "registered_aged60_share"
    p.residents.population.migrant_series = "migrant_share_of_residents"
    (elderly, migrants) = load_paths(p)
    assert elderly.reference == pytest.approx(30.2) and elderly.factor(2006.0) == pytest.approx(19.58 / 30.2)
    assert migrants.reference == pytest.approx(40.6)
    assert elderly.at.max() <= 2016.0, "no year after 2015 drives a run"


def test_regrouping_keeps_every_resident_its_state_and_its_ties():
    r, _ = residents(sizes=(300, 200), seed=3, neighbours=4)
    r.trust = np.arange(r.n, dtype=np.float32)  # an identity for each resident
    def ties(r):
        out = {}
        for i in range(r.n):
            c = int(r.committee[i])
            lo = r.start[c]
            q = int(r.tie_pos[i])
            size = int(r.size[c])
            nbr = {int(r.trust[lo + r.tie_at[lo + (q + o) % size]]) for o in r.offsets[c] for o in (o, -o)}
            out[int(r.trust[i])] = (int(r.group[i]), nbr)
        return out
    before = ties(r)
    others = np.flatnonzero(r.group == OTHERS)[::7]
    r.group[others] = ELDERLY
    moved = {int(r.trust[i]) for i in others}
    r.regroup()
    after = ties(r)
    assert set(after) == set(before)
    for ident, (g, nbr) in after.items():
        assert nbr == before[ident][1], "ties unchanged"
        assert g == (ELDERLY if ident in moved else before[ident][0])
    runs = np.diff(r.group_start, axis=1)
    for c in range(2):
        lo = r.start[c]
        assert (np.repeat(np.arange(len(GROUPS)), runs[c]) == r.group[lo:lo + r.size[c]]).all(), "stored by group"


def test_history_ages_along_the_series_and_needs_rise():
    """shanghai-history at a street's scale (1 street of 27 committees), seed 1: the share aged
    60+ at 2015-12 over 2005-12 follows the series (30.2 / 19.58 = 1.54; margin 0.1, rounding
    per committee) and needs arising per 1,000 residents rise (2006 mean vs 2015 mean)."""
    sc = with_overrides(load_scenario("shanghai-history"), {"scenario.months": 144, "world.streets": 1,
                                                          "world.scale": 1.0})
    m = CommunityModel(sc, rng=1)
    m.run()
    g = m.recorder.group_table()
    share = {mo: g[(g.month == mo) & (g.group == "elderly")].residents.iloc[0] / g[g.month == mo].residents.sum()
             for mo in (24, 144)}
    assert share[144] / share[24] == pytest.approx(30.2 / 19.58, abs=0.1)
    ts = m.recorder.timeseries()
    per_1000 = ts.needs_arising / g.groupby("month").residents.sum().to_numpy() * 1000
    assert per_1000[132:144].mean() > per_1000[24:36].mean() + 1.0


@pytest.mark.parametrize("field, value, why", [
    ("elderly_series", "no_such_series", "no_such_series"),
    ("reference_year", 2003, "reference_year 2003"),
])
def test_a_bad_population_series_is_refused_naming_the_field(field, value, why):
    with pytest.raises(ScenarioError) as err:
        with_overrides(load_scenario("shanghai-history"), {f"parameters.residents.population.{field}": value})
    assert "parameters.residents.population" in str(err.value) and why in str(err.value)
