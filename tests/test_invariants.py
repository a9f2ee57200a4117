"""Invariants: checked inside every step, they catch corrupted state, and they hold in a
run with every support switched on."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import SHARE_OUTCOMES, SUPPORTS_ON, make_org, run_model, scenario
from model import OUTCOMES, CommunityModel
from model.funders import PUBLIC_CATEGORIES
from model.organizations import FAILED
from model.workers import SocialWorker


@pytest.fixture
def m():
    model = CommunityModel(scenario(SUPPORTS_ON), rng=5)
    model.run(3)
    return model


def test_check_invariants_runs_inside_every_step(monkeypatch):
    calls = []
    original = CommunityModel.check_invariants

    def counting(self, **kw):
        calls.append(self.month)
        original(self, **kw)

    monkeypatch.setattr(CommunityModel, "check_invariants", counting)
    run_model(months=5)
    assert calls == [1, 2, 3, 4, 5]


def test_corrupted_balance_is_caught(m):
    m.check_invariants()
    m.ledger.balance[m.acct["landlords"]] += 1000.0  # money from nowhere
    with pytest.raises(AssertionError, match="money does not add up"):
        m.check_invariants()
    # the month's close finds it first: the sinks changed by more than their flows
    with pytest.raises(AssertionError, match="ledger: the sink accounts changed by"):
        m.step()


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_balance_is_caught(m, bad):
    m.ledger.balance[m.acct["wages"]] = bad
    with pytest.raises(AssertionError, match="money"):
        m.check_invariants()


@pytest.mark.parametrize("attr, value", [("trust", 1.5), ("satisfaction", -0.1), ("awareness", np.nan)])
def test_corrupted_resident_array_is_caught(m, attr, value):
    getattr(m.residents, attr)[17] = value
    with pytest.raises(AssertionError, match=attr):
        m.check_invariants()
    with pytest.raises(AssertionError, match=attr):
        m.step()


def test_head_count_mismatch_is_caught(m):
    w = SocialWorker(m, certified=False, experience_months=0, skill=0.3)
    m.workers.append(w)
    w.employer = m.committees[0]  # claims a job the committee does not list
    with pytest.raises(AssertionError, match="head count"):
        m.check_invariants()


def test_agent_list_mismatch_is_caught(m):
    SocialWorker(m, certified=False, experience_months=0, skill=0.3)  # an agent not in the workforce
    with pytest.raises(AssertionError, match="workforce"):
        m.check_invariants()


def test_failed_employer_and_overstaffed_committee_are_caught(m):
    org = make_org(m, workers=1)
    org.status = FAILED
    with pytest.raises(AssertionError, match="failed organization"):
        m.check_invariants()
    org.status = "active"
    m.check_invariants()
    c = m.committees[0]
    for _ in range(c.staff + 1 - len(c.workers)):
        w = SocialWorker(m, certified=False, experience_months=0, skill=0.3)
        m.workers.append(w)
        m.hire(w, c)
    with pytest.raises(AssertionError, match="more social workers than staff"):
        m.check_invariants()


def test_committee_places_that_do_not_add_up_are_caught(m):
    c = m.committees[0]
    m.check_invariants()
    c.vacant = -1
    with pytest.raises(AssertionError, match="vacant"):
        m.check_invariants()
    c.vacant = c.staff + 1
    with pytest.raises(AssertionError, match="more social workers and vacant places than staff"):
        m.check_invariants()
    c.vacant = 0
    c.trained = c.regular + 1
    with pytest.raises(AssertionError, match="trained"):
        m.check_invariants()
    c.trained = 0
    m.check_invariants()
    c.cohorts[0] += 1
    with pytest.raises(AssertionError, match="do not add up"):
        m.check_invariants()
    c.cohorts[0] -= 1
    m.check_invariants()


@pytest.fixture(scope="module")
def supports_run() -> CommunityModel:
    """The default street with every support on, 36 months (about half a second)."""
    return run_model(SUPPORTS_ON, months=36, seed=11, small=False)


def test_supports_on_outcomes_finite_and_shares_in_unit_interval(supports_run):
    ts = supports_run.recorder.timeseries()
    names = [o.name for o in OUTCOMES]
    values = ts[names].to_numpy(dtype=float)
    assert np.isfinite(values).all()
    assert (values >= 0).all(), ts[names].columns[(values < 0).any(axis=0)].tolist()
    for name in SHARE_OUTCOMES:
        assert ts[name].between(0.0, 1.0).all(), name
    met = ts["needs_met"] > 0
    by = ts.loc[met, ["needs_met_by_committees_share", "needs_met_by_organizations_share",
                      "needs_met_by_projects_share", "needs_met_by_volunteers_share"]].sum(axis=1)
    np.testing.assert_allclose(by, 1.0, rtol=1e-12)
    # the supports do something: contracts, projects, lottery grants and public money
    assert ts["contracts"].gt(0).any() and ts["micro_projects"].gt(0).any()
    assert ts["public_spending_yuan"].gt(0).all()


def test_supports_on_needs_flow_adds_up(supports_run):
    ts = supports_run.recorder.timeseries()
    backlog = ts["backlog"].to_numpy()
    prev = np.concatenate([[0.0], backlog[:-1]])
    np.testing.assert_array_equal(backlog, prev + ts["needs_arising"] - ts["needs_met"] - ts["needs_lapsed"])


def test_supports_on_breakdowns_add_up_to_totals(supports_run):
    ts = supports_run.recorder.timeseries().set_index("month")
    for table in (supports_run.recorder.group_table(), supports_run.recorder.committee_table()):
        sums = table.groupby("month")[["needs_arising", "needs_met", "needs_lapsed"]].sum()
        for col in sums:
            np.testing.assert_allclose(sums[col], ts[col], err_msg=col)
        assert table.groupby("month")["residents"].sum().eq(supports_run.simulated_residents).all()


def test_supports_on_public_spending_matches_the_spending_table(supports_run):
    ts = supports_run.recorder.timeseries().set_index("month")
    sp = supports_run.recorder.spending_table()
    public = sp[sp["source"].isin(PUBLIC_CATEGORIES)].groupby("month")["yuan"].sum()
    public = public.reindex(ts.index, fill_value=0.0)
    np.testing.assert_allclose(public, ts["public_spending_yuan"], rtol=1e-9)
    assert abs(supports_run.ledger.total()) <= 1e-9 * np.abs(supports_run.ledger.balance).sum()
