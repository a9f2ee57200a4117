"""An organization's own money: what residents and donors pay it, what it spends beyond
wages and rent, the reserves rule, and the exits money and people cause.

Government money (contracts, posts, platform fees, grants) is paid in ``accounts.py``
against what the organization delivers or was awarded; everything here is finite and tied
to what the organization does: residents pay fees per charged need met (``fee_shares`` by
kind of need), a street's donors share a finite pool among its organizations and give
less to those with more government money over the last year (crowding-out), each need met costs materials and transport, and the fixed
running costs are paid every month. Reserves above ``reserve_target_months`` of costs go
into services (sessional staff, extra capacity next month). Organizations leave by failing
the annual inspection (dormant ones mostly) or because their founders give up (more often
while the budget is in deficit); running out of money is ``organizations.decide_failure``.

Layout: ``government_income_mean``, ``social_income``, ``programme_costs``,
``decide_surplus_spending``, ``annual_inspection``, ``decide_founder_exits``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .organizations import ACTIVE, FAILED, GOVERNMENT_INCOME, Organization, wind_up
from .params import NEED_KINDS, Organizations as OrgParams

if TYPE_CHECKING:
    from .community import CommunityModel


def government_income_mean(org: Organization) -> float:
    """Mean monthly government income (``GOVERNMENT_INCOME`` sources) over the closed months
    of the organization's 12-month income window (0 before its first closed month)."""
    months = len(org.income_12m)
    if months == 0:
        return 0.0
    window = org.income_window()
    return sum(v for k, v in window.items() if k in GOVERNMENT_INCOME) / months


def fee_share_by_kind(po: OrgParams) -> np.ndarray:
    """Charged share of needs met of each kind (NEED_KINDS order), from ``fee_shares``."""
    return np.array([getattr(po.fee_shares, k) for k in NEED_KINDS], dtype=np.float64)


def social_income(po: OrgParams, orgs: list[Organization], residents: np.ndarray, gov_mean: np.ndarray,
                  met_kind: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rule: each street's donors give donor_pool_yuan_month per 100,000 residents a month,
    shared among its active organizations in proportion to their appeal (1 -
    donation_reputation/2 + donation_reputation * reputation); an organization's share falls
    by crowd_out per yuan of its mean monthly government income over the last 12 months
    (``gov_mean``), to no less than 0 (what is crowded out stays with the donors). Residents
    pay fee_yuan_per_need for each charged need met this month: needs met of each kind
    (``met_kind``, organizations x NEED_KINDS) times that kind's fee share. ``residents``:
    the residents of each organization's street. Returns (donations, fees) of ``orgs``."""
    appeal = 1.0 - po.donation_reputation / 2 + po.donation_reputation * np.array([o.reputation for o in orgs])
    street = np.array([o.street for o in orgs], dtype=np.int64)
    appeal = np.maximum(appeal, 0.0)
    total = np.bincount(street, weights=appeal)[street] if len(orgs) else np.zeros(0)
    pool = po.donor_pool_yuan_month * residents / 1e5
    share = np.divide(appeal, total, out=np.zeros(len(orgs)), where=total > 0)
    donation = pool * share - po.crowd_out * gov_mean
    donation = np.where(donation > 0.0, donation, 0.0)  # max(0.0, donation), NaN included
    charged = met_kind.reshape(len(orgs), len(NEED_KINDS)) @ fee_share_by_kind(po)
    return donation, po.fee_yuan_per_need * charged


def programme_costs(po: OrgParams, met: np.ndarray) -> np.ndarray:
    """Rule: an active organization pays running_cost_yuan_month plus
    programme_cost_yuan_per_need for each need it met this month (``met``)."""
    return po.running_cost_yuan_month + po.programme_cost_yuan_per_need * met


def decide_surplus_spending(po: OrgParams, reserves: np.ndarray, costs: np.ndarray) -> np.ndarray:
    """Rule: an organization whose reserves exceed reserve_target_months of its monthly costs
    (``costs``) spends surplus_spend_share of the excess this month on sessional staff, who
    add spend / sessional_yuan_per_need needs of capacity next month. Returns the yuan each
    spends."""
    excess = reserves - po.reserve_target_months * costs
    return np.where(excess > 0.0, po.surplus_spend_share * excess, 0.0)


def annual_inspection(m: "CommunityModel") -> int:
    """Rule: once a year (inspection_month) every organization registered for 12 months or
    more is inspected: a dormant one (fewer than inspection_min_needs needs met over the last
    12 months) fails with chance inspection_fail_dormant, any other with chance
    inspection_fail_base; a failing one is deregistered and wound up. Returns the failures."""
    po = m.p.organizations
    rng = m.streams["inspection"]
    failed = 0
    for org in [o for o in m.organizations if o.status == ACTIVE and o.age_registered(m.month) >= 12]:
        dormant = sum(org.needs_met_12m) < po.inspection_min_needs
        if rng.random() < (po.inspection_fail_dormant if dormant else po.inspection_fail_base):
            org.status = FAILED
            wind_up(m, org)
            m.recorder.events.failures_inspection += 1
            failed += 1
    return failed


def decide_founder_exits(m: "CommunityModel", orgs: list[Organization], deficit: np.ndarray) -> None:
    """Rule: each month the founders of an active organization give up and dissolve it with
    chance founder_exit_rate, times founder_exit_deficit when its income over the last 12
    months fell short of its costs (``deficit``); it is wound up. ``orgs``: active
    organizations still alive, in slot order."""
    po = m.p.organizations
    if not orgs:
        return
    chance = po.founder_exit_rate * np.where(deficit, po.founder_exit_deficit, 1.0)
    leave = m.streams["founder_exit"].random(len(orgs)) < chance
    for j in np.flatnonzero(leave).tolist():
        org = orgs[j]
        if org.status == ACTIVE:
            org.status = FAILED
            wind_up(m, org)
            m.recorder.events.failures_founders += 1
