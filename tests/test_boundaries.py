"""Boundary cases: switch a supply or a budget off and what depends on it must vanish."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import LEVERS_OFF, SUPPORTS_ON, run_model
from model.funders import PUBLIC_CATEGORIES
from model.params import GROUPS, NEED_KINDS

ZERO_NEEDS = {f"parameters.residents.need_rates.{g}.{k}": 0.0 for g in GROUPS for k in NEED_KINDS}


def test_no_purchase_budget_no_contracts_and_no_contract_spending():
    sets = {**SUPPORTS_ON, "parameters.streets.purchase_budget_yuan": 0.0}
    m = run_model(sets, months=26, small=False)
    ts = m.recorder.timeseries()
    assert ts["contracts"].eq(0).all()
    assert not any(o.contracts for o in m.organizations)
    sp = m.recorder.spending_table()
    assert sp.loc[sp["purpose"] == "contract", "yuan"].sum() == 0.0
    assert ts["public_spending_yuan"].gt(0).any(), "other supports still spend public money"
    # the same world with a budget does buy services, so the zero above is the budget's doing
    with_budget = run_model(SUPPORTS_ON, months=14, small=False)
    assert with_budget.recorder.timeseries()["contracts"].gt(0).any()


def test_no_new_or_initial_social_workers_means_none_ever():
    sets = {
        **SUPPORTS_ON,  # lottery grants and staffing rules keep posting vacancies
        "parameters.social_workers.graduates_per_year": 0.0,
        "parameters.social_workers.lateral_fill_rate": 0.0,
        "parameters.social_workers.staff_exam_take_rate": 0.0,
        "parameters.social_workers.initial_per_100k": 0.0,
    }
    m = run_model(sets, months=24, small=False)
    ts = m.recorder.timeseries()
    assert ts["social_workers"].eq(0).all() and ts["certified_share"].eq(0).all()
    assert ts["needs_met_by_certified_share"].eq(0).all(), "no certified social worker, no need met by one"
    assert m.workers == [] and not any(c.workers for c in m.committees)


def test_zero_need_rates_no_needs_arise_none_met():
    m = run_model(ZERO_NEEDS, months=14)
    ts = m.recorder.timeseries()
    for col in ("needs_arising", "needs_met", "needs_lapsed", "backlog", "needs_met_share", "mean_wait_months"):
        assert ts[col].eq(0).all(), col
    assert m.recorder.group_table()["needs_arising"].eq(0).all()


def test_ample_capacity_and_everyone_comes_forward_meets_every_need_at_once():
    sets = {
        "parameters.committees.hours_per_need": 0.5,  # committee staff can meet ~900 needs a month each
        "parameters.residents.express_base": 1.0,
        "parameters.residents.direct_to_org_awareness": 0.0,
        "parameters.residents.hukou_only_kinds": [],  # no one is turned away (eligibility)
    }
    m = run_model(sets, months=12)
    ts = m.recorder.timeseries()
    assert ts["needs_arising"].gt(0).all()
    assert (ts["needs_met"] == ts["needs_arising"]).all()
    assert ts["needs_lapsed"].eq(0).all() and ts["backlog"].eq(0).all()
    assert ts["needs_met_share"].eq(1.0).all() and ts["mean_wait_months"].eq(0).all()


def test_no_service_capacity_nothing_met_everything_lapses():
    sets = {
        "parameters.committees.own_service_share": 0.0,
        "parameters.committees.building_heads_per_1000": 0.0,  # no volunteers kept active either
        "parameters.organizations.initial_per_100k": 0.0,
        "parameters.organizations.founders_per_100k": 0.0,
    }
    m = run_model(sets, months=12)
    ts = m.recorder.timeseries()
    assert ts["needs_met"].eq(0).all() and ts["needs_met_share"].eq(0).all()
    assert ts["needs_lapsed"].sum() > 0
    assert ts["organizations_registered"].eq(0).all()


BASE_PURPOSES = {"committee_staff_wages", "street_staff_wages", "venue_upkeep"}
"""What the committees and streets that exist cost with every lever off."""


def test_all_levers_off_public_money_pays_only_the_committees_and_streets_that_exist():
    """With every lever off no lever money flows, but the public still pays committee and street
    staff and the venues' upkeep every month (public spending was 0 before issue 13, when staff
    pay was outside the ledger), and public yuan per need met divides that whole cost."""
    m = run_model(LEVERS_OFF, months=24, small=False)
    ts = m.recorder.timeseries()
    sp = m.recorder.spending_table()
    public = sp[sp["source"].isin(PUBLIC_CATEGORIES)]
    assert set(public["purpose"]) == BASE_PURPOSES, set(public["purpose"])
    assert ts["public_spending_yuan"].gt(0).all()
    np.testing.assert_allclose(ts["public_staff_yuan"] + public[public["purpose"] == "venue_upkeep"]
                               .groupby("month")["yuan"].sum().to_numpy(), ts["public_spending_yuan"], rtol=1e-12)
    window = ts.iloc[-12:]
    assert ts["spending_per_need_met_yuan"].iloc[-1] == pytest.approx(
        window["public_spending_yuan"].sum() / window["needs_met"].sum())
    assert ts["contracts"].eq(0).all() and ts["micro_projects"].eq(0).all()
    assert ts["admin_hours_moved"].eq(0).all() and ts["admin_hours_dropped"].eq(0).all()


def test_no_staff_and_no_venues_no_public_money():
    """Staff, wages and venues at zero with every lever off: then no public yuan at all."""
    sets = {**LEVERS_OFF, "parameters.social_workers.wage_committee_yuan": 0.0,
            "parameters.social_workers.wage_growth_per_year": 0.0,
            "parameters.social_workers.certified_pay_yuan": 0.0,
            "parameters.streets.street_staff": 0, "parameters.streets.venues": 0}
    m = run_model(sets, months=12, small=False)
    ts = m.recorder.timeseries()
    assert ts["public_spending_yuan"].eq(0).all() and ts["public_staff_yuan"].eq(0).all()
    assert ts["spending_per_need_met_yuan"].eq(0).all()


def test_no_self_governance_money_no_micro_projects():
    sets = {**SUPPORTS_ON, "parameters.committees.self_governance_fund_yuan": 0.0,
            "parameters.funders.foundation_budget_yuan": 0.0}
    m = run_model(sets, months=14)
    ts = m.recorder.timeseries()
    assert ts["micro_projects"].eq(0).all() and ts["needs_met_by_projects_share"].eq(0).all()
    funds = [m.ledger.get(c.fund_account) for c in m.committees]
    assert funds == [0.0] * len(funds)


def test_no_founders_and_no_initial_organizations_no_organizations():
    sets = {**SUPPORTS_ON, "parameters.organizations.initial_per_100k": 0.0,
            "parameters.organizations.founders_per_100k": 0.0}
    m = run_model(sets, months=14)
    ts = m.recorder.timeseries()
    assert m.organizations == []
    assert ts["organizations_registered"].eq(0).all() and ts["needs_met_by_organizations_share"].eq(0).all()
    assert ts["government_income_share"].eq(0).all()


def test_no_neighbours_and_no_joining_participation_only_falls():
    sets = {"parameters.residents.neighbours": 0, "parameters.residents.participation_base": 0.0,
            "parameters.residents.participation_satisfaction": 0.0, "parameters.residents.participation_project_pull": 0.0}
    m = run_model(sets, months=12)
    rate = m.recorder.timeseries()["participation_rate"].to_numpy()
    assert np.all(np.diff(rate) <= 0) and rate[-1] < rate[0]
