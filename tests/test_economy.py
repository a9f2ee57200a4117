"""The organizations' economy over 300 months of the 2015 package (issue 13's checks): the
population saturates instead of exploding, organizations fail every year, and the government
share of their income and their reserves stay inside the bands cited in model/tools/economy.py.
Three seeds on the default street (about 8 s); `python -m model.tools.economy` prints the table."""

from __future__ import annotations

import functools

import pytest

from model.tools.economy import BANDS, run_seed

SEEDS = (1, 2, 3)


@functools.cache
def results():
    return [run_seed("shanghai-2015", 300, s) for s in SEEDS]


@pytest.mark.slow
def test_the_population_saturates_and_organizations_fail_every_year():
    rs = results()
    mid = sum(r.orgs_mid for r in rs) / len(rs)
    end = sum(r.orgs_end for r in rs) / len(rs)
    assert mid > 0.5, f"the 2015 package carries organizations ({mid:.2f} per 10,000 residents at month 120)"
    assert end <= 1.3 * mid, f"organizations per 10,000: {mid:.2f} at month 120, {end:.2f} at month 300"
    assert all(r.min_failures_year >= 1 for r in rs), [r.min_failures_year for r in rs]


@pytest.mark.slow
@pytest.mark.parametrize("band", BANDS, ids=[b.outcome for b in BANDS])
def test_income_and_reserves_stay_in_their_bands(band):
    field = {"government_income_share": ("gov_share", "gov_share_end"),
             "organization_reserve_months_median": ("reserves", "reserves_end")}[band.outcome]
    for r in results():
        for f in field:
            v = getattr(r, f)
            assert band.lo <= v <= band.hi, f"seed {r.seed}: {band.outcome} ({f}) = {v:.3f} outside [{band.lo}, {band.hi}]"
