"""Shared fixtures and helpers for the test suite.

Worlds are small (one street of 4 committees x 500 residents unless a test
needs more) so that the whole suite stays fast; every random draw comes from
a fixed seed, so every test is deterministic.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from model import CommunityModel, load_scenario
from model.organizations import ACTIVE
from model.params import NEED_KINDS, Residents as ResidentParams
from model.residents import ResidentArrays
from model.scenario import Scenario, with_overrides
from model.serving import ServiceResult

ROOT = Path(__file__).resolve().parent.parent
RUN_PY = ROOT / "run.py"
PYTHON = sys.executable

SMALL_WORLD = {
    "world.streets": 1,
    "world.committees_per_street": 4,
    "world.residents_per_committee": 500,
    "world.residents_cv": 0.0,
    "world.scale": 1.0,
    "world.types": {"generic": 1.0},  # unit tests check the city-wide formulas; types: test_neighbourhoods
}

# Every support of the three-society linkage switched on through the parameter
# register (the levers' mechanism parameters), for invariant and regression runs.
SUPPORTS_ON = {
    "parameters.streets.purchase_budget_yuan": 1.0e6,
    "parameters.funders.lottery_budget_yuan": 6.0e5,
    "parameters.committees.self_governance_fund_yuan": 30000.0,
    "parameters.organizations.rent_subsidy_share": 0.5,
    "parameters.organizations.utility_discount_share": 0.5,
    "parameters.organizations.registration_delay_months": 2.0,
    "parameters.organizations.registration_cost_yuan": 2000.0,
    "parameters.organizations.capital_requirement_yuan": 5000.0,
    "parameters.organizations.premises_required": 0.0,
    "parameters.funders.foundation_budget_yuan": 3.0e5,
    "parameters.funders.foundation_coverage": 1.0,
    "parameters.committees.fund_coverage": 1.0,
    "parameters.streets.budget_guaranteed": 1.0,
    "parameters.streets.platform": 1.0,
    "parameters.streets.service_centre": 1.0,
    "parameters.streets.incubator": 1.0,
    "parameters.streets.venues_open_share": 0.5,
    "parameters.social_workers.pay_floor_share": 1.0,
    "parameters.social_workers.exam_support": 0.5,
    "parameters.social_workers.post_allowance_yuan": 300.0,
    "parameters.social_workers.salary_subsidy_certified_yuan": 300.0,
    "parameters.committees.training_rate": 0.1,
    "parameters.committees.new_task_gate": 1.0,
}

LEVERS_OFF = {
    "parameters.streets.purchase_budget_yuan": 0.0,
    "parameters.funders.lottery_budget_yuan": 0.0,
    "parameters.committees.self_governance_fund_yuan": 0.0,
    "parameters.organizations.rent_subsidy_share": 0.0,
    "parameters.organizations.utility_discount_share": 0.0,
    "parameters.funders.foundation_budget_yuan": 0.0,
    "parameters.streets.platform": 0.0,
    "parameters.streets.service_centre": 0.0,
    "parameters.streets.incubator": 0.0,
    "parameters.social_workers.salary_subsidy_certified_yuan": 0.0,
    "parameters.social_workers.post_allowance_yuan": 0.0,
    "parameters.social_workers.training_cost_yuan": 0.0,
    "parameters.residents.publicity_budget_yuan": 0.0,
    "parameters.streets.evaluation_cost_yuan": 0.0,
    "parameters.committees.burden_cut": 0.0,
    "parameters.committees.new_task_gate": 0.0,
    "parameters.streets.service_support_hours": 0.0,
    "parameters.streets.venues_open_share": 0.0,
}
"""Every lever parameter through which public money is spent, at zero (the committees' and streets'
own staff and venues are still paid)."""

SHARE_OUTCOMES = (
    "needs_met_share", "needs_met_by_certified_share", "satisfaction", "trust_in_committee", "participation_rate",
    "volunteer_rate", "election_turnout", "committee_service_time_share", "needs_met_by_committees_share",
    "needs_met_by_organizations_share", "needs_met_by_projects_share", "needs_met_by_volunteers_share", "government_income_share",
    "orgs_with_certified_share", "certified_share", "equity_gap_groups", "equity_gap_committees",
    "needs_referred_share", "committees_with_partner_share", "needs_met_weighted_share", "equity_gap_groups_weighted",
)
"""Declared outcomes whose unit is a share or a 0-1 score."""


def scenario(sets: dict[str, Any] | None = None, *, small: bool = True, months: int = 12,
             base: str = "baseline") -> Scenario:
    """The ``base`` preset with overrides (dotted paths), in the small world unless ``small=False``."""
    over: dict[str, Any] = {"scenario.months": months}
    if small:
        over.update(SMALL_WORLD)
    over.update(sets or {})
    return with_overrides(load_scenario(base), over)


def run_model(sets: dict[str, Any] | None = None, *, months: int = 12, seed: int = 1,
              small: bool = True) -> CommunityModel:
    """Build a model from :func:`scenario` and run it ``months`` months."""
    m = CommunityModel(scenario(sets, small=small, months=months), rng=seed)
    m.run(months)
    return m


def make_org(m: CommunityModel, kind: str = "social_work_agency", street: int = 0, home: int | None = None,
             age_months: int = 24, reputation: float = 0.5, other_staff: int = 1, workers: int = 0,
             reserves: float = 0.0):
    """An active organization registered ``age_months`` ago, with staff and reserves (from founders)."""
    from model.workers import SocialWorker

    st = m.streets[street]
    home = st.committees[0].index if home is None else home
    org = m.add_organization(kind, st, home, 0, False)
    org.status = ACTIVE
    org.registered_month = m.month - age_months
    org.founded_month = org.registered_month - 6
    org.reputation = reputation
    org.other_staff = other_staff
    for _ in range(workers):
        w = SocialWorker(m, certified=False, experience_months=12, skill=0.5)
        m.workers.append(w)
        m.hire(w, org)
    if reserves > 0:
        m.ledger.transfer(m.acct["founders"], org.account, reserves, "test_reserves")
    return org


def idle_service(m: CommunityModel) -> ServiceResult:
    """A month's service result in which nothing was served (to run a later phase alone):
    no demand, no unmet needs, no partner deliveries, no micro-projects, no organization
    met a need, none serves a committee area; organizations' capacity as they hold it now."""
    n, k = len(m.committees), len(NEED_KINDS)
    return ServiceResult(demand_cells=np.zeros((n, k), np.int64), unmet=np.zeros((n, k)), partner_perf={},
                         projects=np.zeros(n, np.int64), org_met=np.zeros(len(m.organizations), np.int64),
                         org_met_kind=np.zeros((len(m.organizations), k), np.int64),
                         org_capacity=np.array([o.capacity for o in m.organizations], dtype=np.float64),
                         org_services=np.zeros(n, np.int64))


def bare_model(sets: dict[str, Any] | None = None, seed: int = 1) -> CommunityModel:
    """A small model with no initial organizations and no initial social workers (built, not run)."""
    over = {"parameters.organizations.initial_per_100k": 0.0, "parameters.social_workers.initial_per_100k": 0.0}
    over.update(sets or {})
    return CommunityModel(scenario(over), rng=seed)


def residents(sizes=(1000,), seed: int = 0, **params: Any) -> tuple[ResidentArrays, ResidentParams]:
    """Resident arrays built directly (no model) with ``Residents`` parameters overridden."""
    p = ResidentParams(**params)
    r = ResidentArrays(np.asarray(sizes, dtype=np.int64), p, np.random.default_rng(seed))
    return r, p


def binomial_tolerance(n: float, p: float, z: float = 4.0) -> float:
    """``z`` standard deviations of a Binomial(n, p) count (at least 1)."""
    return max(1.0, z * math.sqrt(max(n * p * (1.0 - p), 0.0)))


@pytest.fixture
def small_model() -> CommunityModel:
    """A small baseline model, built but not run."""
    return CommunityModel(scenario(), rng=1)


@pytest.fixture
def rng() -> np.random.Generator:
    """A fixed-seed generator."""
    return np.random.default_rng(12345)
