"""Public cost is the whole cost: committee and street staff, venues, and every lever that
changes staff time are paid in the ledger by a named source (issue 13)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from conftest import LEVERS_OFF, run_model, scenario
from model import CommunityModel
from model import accounts as accounts_phase
from model.committees import admin_hours_taken_off, committee_arrays, staff_wage_bill
from model.funders import PUBLIC_CATEGORIES, STAFF_PURPOSES
from model.policies import LEVERS, PURPOSE_LEVER
from model.scenario import with_overrides
from model.street_costs import pay_running_costs, pay_street_staff, street_hour_yuan, take_over_tasks

STAFF_TIME_PATHS = {"committees.burden_cut", "committees.new_task_gate", "streets.service_support_hours"}
"""Register fields through which a lever moves staff time from one place to another; each has a cost."""
NO_COST_BY_DESIGN = {
    "committees.direct_election_share": "a directly elected committee gives more of its own time to residents: "
                                        "no task moves anywhere",
    "streets.investment_duty_share": "the investment-attraction duty is abolished: the tasks it pushed down are "
                                     "no longer created",
}
"""Register fields through which a lever changes committee time without moving tasks (ODD says why)."""


def flowed(m: CommunityModel, purpose: str, source: str | None = None) -> float:
    """Yuan moved for ``purpose`` (from ``source``) in the current (unclosed) month of the ledger."""
    return float(sum(v for (s, _d, p), v in m.ledger.month_flows.items() if p == purpose and source in (None, s)))


def spent(m: CommunityModel, purposes: set[str] | str) -> float:
    """Yuan paid for ``purposes`` over the run so far (full scale)."""
    sp = m.recorder.spending_table()
    wanted = {purposes} if isinstance(purposes, str) else purposes
    return float(sp.loc[sp["purpose"].isin(wanted), "yuan"].sum())


def with_lever(key: str, fields: dict[str, Any] | None = None, months: int = 6) -> CommunityModel:
    sets = {f"policies.{key}.{f}": v for f, v in {"enabled": True, **(fields or {})}.items()}
    m = CommunityModel(with_overrides(scenario(LEVERS_OFF, months=months), sets), rng=3)
    m.run(months)
    return m


# ---------------------------------------------------------------------------
# the baseline: the committees and streets that exist
# ---------------------------------------------------------------------------
def test_baseline_public_spending_is_positive_and_pays_committee_and_street_staff():
    m = run_model(months=12, small=False)
    ts = m.recorder.timeseries()
    sp = m.recorder.spending_table()
    assert ts["public_spending_yuan"].gt(0).all() and ts["public_staff_yuan"].gt(0).all()
    staff = sp[sp["purpose"] == "committee_staff_wages"]
    assert set(staff["source"]) == {"district"} and staff["yuan"].gt(0).all()
    assert set(sp.loc[sp["purpose"] == "street_staff_wages", "source"]) == {"street"}
    public = sp[sp["source"].isin(PUBLIC_CATEGORIES)].groupby("month")["yuan"].sum()
    np.testing.assert_allclose(public.to_numpy(), ts["public_spending_yuan"].to_numpy(), rtol=1e-12)
    assert (ts["public_staff_yuan"] < ts["public_spending_yuan"]).all()  # venues' upkeep too
    assert ts["spending_per_need_met_yuan"].iloc[-1] == pytest.approx(
        ts["public_spending_yuan"].sum() / ts["needs_met"].sum())


def test_committee_wage_bill_is_the_staff_pay_with_on_costs():
    """The district pays each committee's wage bill (committees.staff_wage_bill: every community
    worker at work, social workers included) times 1 + public_oncost_share."""
    m = CommunityModel(scenario(months=1), rng=1)
    pw, pf = m.p.social_workers, m.p.funders
    bill = staff_wage_bill(pw, m.committees, m.staff_cohorts)
    accounts_phase._pay_committee_staff(m)
    assert flowed(m, "committee_staff_wages", "district") == pytest.approx(
        bill.base.sum() * (1 + pf.public_oncost_share), rel=1e-12)
    assert flowed(m, "pay_floor_topup", "district") == pytest.approx(bill.topup.sum() * (1 + pf.public_oncost_share),
                                                                   rel=1e-12, abs=1e-9)
    assert bill.base.sum() > 0 and pf.public_oncost_share > 0


def test_street_staff_and_venues_are_paid_by_the_street():
    m = CommunityModel(scenario({"parameters.streets.venues_open_share": 0.5}, months=1), rng=1)
    ps, pf = m.p.streets, m.p.funders
    pay_street_staff(m)
    pay_running_costs(m)
    assert flowed(m, "street_staff_wages", "street") == pytest.approx(
        ps.street_staff * ps.street_staff_wage_yuan * (1 + pf.public_oncost_share))
    assert flowed(m, "street_service_support") == 0.0  # no support hours without the street reform
    assert flowed(m, "venue_upkeep", "street") == pytest.approx(ps.venues * ps.venue_upkeep_yuan / 12)
    assert flowed(m, "open_venue_running", "street") == pytest.approx(
        round(ps.venues * 0.5) * ps.venue_open_cost_yuan / 12)
    assert street_hour_yuan(m) == pytest.approx(ps.street_staff_wage_yuan * (1 + pf.public_oncost_share)
                                                / ps.staff_hours_month)


# ---------------------------------------------------------------------------
# tasks taken off committees: moved (and paid) or dropped (and counted)
# ---------------------------------------------------------------------------
def test_hours_taken_off_are_the_burden_the_cut_and_the_gate_remove():
    m = CommunityModel(scenario({"parameters.committees.burden_cut": 0.3}, months=1), rng=1)
    pc = m.p.committees
    c0, c1 = m.committees[0], m.committees[1]
    c0.extra_burden, c0.kept_off_burden = 0.1, 0.05
    c1.extra_burden, c1.kept_off_burden = 0.0, 0.0
    hours = admin_hours_taken_off(pc, committee_arrays(m.committees))
    full = min(pc.admin_burden + 0.15, pc.max_admin_burden)
    assert hours[0] == pytest.approx(c0.staff * pc.hours_per_staff_month * (full - (pc.admin_burden + 0.1) * 0.7))
    assert hours[1] == pytest.approx(c1.staff * pc.hours_per_staff_month * pc.admin_burden * 0.3)
    off = with_overrides(scenario(months=1), {"parameters.committees.burden_cut": 0.0})
    assert admin_hours_taken_off(off.parameters.committees, committee_arrays(m.committees))[1] == 0.0


def test_the_gate_keeps_new_tasks_off_the_committee_and_counts_them():
    m = CommunityModel(scenario({"parameters.committees.new_task_gate": 1.0}, months=1), rng=1)
    pc = m.p.committees
    c = m.committees[0]
    for _ in range(4):
        c.decide_burden(pc, street_push=0.0)
    assert c.extra_burden == 0.0 and c.kept_off_burden == pytest.approx(4 * pc.new_task_drift)


@pytest.mark.parametrize("to_street,to_dep", [(0.4, 0.3), (0.0, 0.0), (1.0, 0.0), (0.8, 0.6)])
def test_tasks_taken_off_are_paid_where_they_go_and_the_dropped_rest_is_counted(to_street, to_dep):
    sets = {"parameters.committees.burden_cut": 0.3, "parameters.committees.admin_to_street_share": to_street,
            "parameters.committees.admin_to_departments_share": to_dep}
    m = CommunityModel(scenario(sets, months=1), rng=1)
    m.month, m.p = 1, m.schedule.params_for(1)
    hours = float(admin_hours_taken_off(m.p.committees, committee_arrays(m.committees)).sum())
    assert hours > 0
    take_over_tasks(m)
    scale = max(1.0, to_street + to_dep)
    s, d = to_street / scale, to_dep / scale
    assert flowed(m, "admin_tasks_street", "street") == pytest.approx(hours * s * street_hour_yuan(m))
    assert flowed(m, "admin_tasks_departments", "district") == pytest.approx(
        hours * d * m.p.streets.department_hour_yuan)
    ev = m.recorder.events
    assert ev.admin_hours_moved == pytest.approx(hours * (s + d))
    assert ev.admin_hours_dropped == pytest.approx(hours * max(0.0, 1 - s - d), abs=1e-9)
    assert ev.admin_hours_moved + ev.admin_hours_dropped == pytest.approx(hours)


# ---------------------------------------------------------------------------
# no lever changes staff time at zero cost
# ---------------------------------------------------------------------------
def test_every_lever_path_that_changes_staff_time_is_costed_or_explained():
    """A lever moving committee time goes through a field here: costed (STAFF_TIME_PATHS) or,
    for the two that move no task anywhere, explained (a new such lever must be added to one)."""
    time_paths = {"committees.burden_cut", "committees.new_task_gate", "committees.direct_election_share",
                  "committees.admin_burden", "committees.max_admin_burden", "committees.staff",
                  "committees.hours_per_staff_month", "committees.own_service_share",
                  "committees.direct_responsiveness", "streets.service_support_hours",
                  "streets.investment_duty_share", "streets.admin_push", "committees.new_task_drift"}
    moved = {path for cls in LEVERS.values() for path in cls.moved_paths()} & time_paths
    assert moved == STAFF_TIME_PATHS | set(NO_COST_BY_DESIGN)


STAFF_TIME_LEVERS = [
    ("committee_reform", {}, "burden cut and gate"),
    ("committee_reform", {"burden_cut": 0.0, "direct_election_share": 0.1}, "gate only"),
    ("committee_reform", {"new_task_gate": 0.0, "direct_election_share": 0.1}, "burden cut only"),
    ("street_reform", {}, "support hours"),
]


@pytest.mark.parametrize("key,fields,what", STAFF_TIME_LEVERS, ids=[w for _k, _f, w in STAFF_TIME_LEVERS])
def test_a_lever_that_changes_staff_time_has_a_nonzero_public_cost(key, fields, what):
    m = with_lever(key, fields)
    own = {p for p, k in PURPOSE_LEVER.items() if k == key}
    assert spent(m, own) > 0, f"{key} ({what}) changes staff time at no cost"
    assert own <= set(STAFF_PURPOSES) | {"open_venue_running"}
    base = with_lever(key, {"enabled": False})
    ts, ts0 = m.recorder.timeseries(), base.recorder.timeseries()
    assert ts["public_staff_yuan"].sum() > ts0["public_staff_yuan"].sum()


def test_dropping_every_task_taken_off_costs_nothing_but_is_visible():
    sets = {**LEVERS_OFF, "parameters.committees.admin_to_street_share": 0.0,
            "parameters.committees.admin_to_departments_share": 0.0}
    m = CommunityModel(with_overrides(scenario(sets, months=6), {"policies.committee_reform.enabled": True}), rng=3)
    m.run(6)
    ts = m.recorder.timeseries()
    assert spent(m, {"admin_tasks_street", "admin_tasks_departments"}) == 0.0
    assert ts["admin_hours_dropped"].gt(0).all() and ts["admin_hours_moved"].eq(0).all()


def test_open_venues_cost_the_street():
    m = with_lever("open_venues")
    assert spent(m, "open_venue_running") > 0


def test_the_ledger_balances_with_every_cost_posted():
    m = run_model(months=6, small=False, sets={"policies.committee_reform.enabled": True,
                                               "policies.street_reform.enabled": True,
                                               "policies.open_venues.enabled": True})
    assert abs(m.ledger.total()) <= 1e-9 * np.abs(m.ledger.balance).sum()
