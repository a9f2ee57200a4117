"""Social organizations (Mesa agents): registration, accounts, staff, capacity, failure.

Life cycle: a would-be founder tries (see ``streets.decide_foundings``), the
new organization is *registering* for a random delay (and may abandon it;
it pays rent meanwhile when premises are required, and can fail), then
*active* until its reserves stay negative for more than
``failure_grace_months`` months, when it *fails*.

Monthly accounts (every yuan through the ledger): rent (less the rent
subsidy, none in a free venue, incubator or platform), utilities (less the
discount), wages of social workers and other staff; income from contracts,
venture-philanthropy and foundation grants, donations (crowded out by
government money: Andreoni & Payne), market income and fees.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import mesa
import numpy as np

from .params import NEED_KINDS, ORG_KINDS, ORG_SERVES, Organizations as OrgParams

if TYPE_CHECKING:
    from .community import CommunityModel
    from .workers import SocialWorker

REGISTERING, ACTIVE, FAILED, ABANDONED = "registering", "active", "failed", "abandoned"
# the need kinds each organization kind serves, one row per kind (ORG_KINDS order), padded with -1
SERVES_BY_KIND = np.full((len(ORG_KINDS), max(len(v) for v in ORG_SERVES.values())), -1, dtype=np.int64)
for _i, _k in enumerate(ORG_KINDS):
    SERVES_BY_KIND[_i, : len(ORG_SERVES[_k])] = [NEED_KINDS.index(n) for n in ORG_SERVES[_k]]
GOVERNMENT_INCOME = ("contract", "platform_fee", "lottery_grant", "incubator_grant")
INCOME_SOURCES = (*GOVERNMENT_INCOME, "foundation_grant", "donation", "fee", "market_income")


class Contract:
    """A purchase-of-services contract: yuan per month for serving one kind in a street."""

    def __init__(self, org: "Organization", street: int, kind: int, monthly_yuan: float,
                 months: int, price: float):
        self.org = org
        self.street = street
        self.kind = kind
        self.monthly_yuan = monthly_yuan
        self.months = months
        self.months_left = months
        self.price = price
        self.delivered = 0  # needs met in the street's committees under the contract


class Grant:
    """A grant paid in monthly instalments from one funder account."""

    def __init__(self, funder, purpose: str, monthly_yuan: float, months: int):
        self.funder = funder
        self.purpose = purpose
        self.monthly_yuan = monthly_yuan
        self.months_left = months


class Organization(mesa.Agent):
    """A social organization."""

    is_committee = False

    def __init__(self, model: "CommunityModel", kind: str, street: int, home: int,
                 registration_months: int, incubated: bool):
        super().__init__(model)
        self.kind = kind
        self.kind_index = ORG_KINDS.index(kind)
        self.serves = np.array([NEED_KINDS.index(k) for k in ORG_SERVES[kind]], dtype=np.int64)
        self.serves_kinds = frozenset(self.serves.tolist())  # the same, for membership tests
        self.street = street
        self.home = home  # committee where it is located
        self.status = REGISTERING
        self.months_to_register = registration_months
        self.founded_month = model.month
        self.registered_month: int | None = None
        self.account = model.ledger.open(f"org:{self.unique_id}", "organization")
        self.workers: list["SocialWorker"] = []
        self.other_staff = 0
        self.reputation = model.p.organizations.reputation_init
        self.incubated_until = model.month + model.p.organizations.incubation_months if incubated else -1
        self.contracts: list[Contract] = []
        self.grants: list[Grant] = []
        self.uses_venue = False
        self.runs_platform = False
        self.months_negative = 0
        self.needs_met_month = 0
        self.met_last_month = 0
        self.capacity = 0.0
        self.income_12m: deque[dict[str, float]] = deque(maxlen=12)
        self.income_month: dict[str, float] = {}
        self._income_total: dict[str, float] = {}  # running sum of the window
        self._window: dict[str, float] = {}  # the window clipped at 0, set at each close
        self.income_window_total = 0.0  # the sum of its values
        self.vacancies = 0
        self.required_hires = 0  # social workers a funded project still has to hire
        self.slot = -1  # index in the model's organization table

    # ------------------------------------------------------------------
    @property
    def alive(self) -> bool:
        """Registering or active."""
        return self.status in (REGISTERING, ACTIVE)

    @property
    def active(self) -> bool:
        """Registered and not failed."""
        return self.status == ACTIVE

    def incubated(self, month: int) -> bool:
        """True while in the incubator."""
        return month < self.incubated_until

    def age_registered(self, month: int) -> int:
        """Months since registration (0 if not registered)."""
        return 0 if self.registered_month is None else month - self.registered_month

    def has_contract(self) -> bool:
        """Holds a contract still running."""
        return bool(self.contracts) and any(c.months_left > 0 for c in self.contracts)

    def certified_workers(self) -> int:
        """Certified social workers employed."""
        return sum(1 for w in self.workers if w.certified)

    # ------------------------------------------------------------------
    def staff_units(self) -> tuple[float, float, float]:
        """(social workers' output units, the certified ones' units, mean skill): a social
        worker counts 0.5 + 0.5*skill; the mean skill is 0 without social workers."""
        if not self.workers:
            return 0, 0, 0.0  # what the sums below give for no workers
        units = [0.5 + 0.5 * w.skill for w in self.workers]
        cert = sum(u for u, w in zip(units, self.workers, strict=True) if w.certified)
        mean_skill = (sum(w.skill for w in self.workers) / len(self.workers)) if self.workers else 0.0
        return sum(units), cert, mean_skill

    def compute_capacity(self, p: OrgParams, month: int, units: tuple[float, float, float] | None = None) -> float:
        """Needs per month (see :func:`capacity`); 0 unless active. ``units``: this
        moment's :meth:`staff_units`, if known."""
        if not self.active:
            self.capacity = 0.0
            return 0.0
        self.capacity = float(capacity(p, (units or self.staff_units())[0], self.other_staff,
                                       self.age_registered(month), self.uses_venue or self.runs_platform,
                                       self.incubated(month)))
        return self.capacity

    def quality(self, p: OrgParams, service_centre: bool, guidance: float,
                units: tuple[float, float, float] | None = None) -> tuple[float, float]:
        """(base quality, chance a need is met by a certified worker); see :func:`quality`.
        ``units``: this moment's :meth:`staff_units`, if known."""
        sw_units, cert_units, mean_skill = units or self.staff_units()
        q, cert = quality(p, sw_units, cert_units, mean_skill, self.other_staff, service_centre, guidance)
        return float(q), float(cert)

    def monthly_costs(self, p: OrgParams, wages: float) -> float:
        """Costs the organization itself pays this month (for hiring/layoff rules)."""
        return self.rent_due(p) + p.utilities_yuan_month * (1 - p.utility_discount_share) + wages \
            + self.other_staff * p.other_wage_yuan

    def pays_rent(self) -> bool:
        """No rent in an open venue, the platform's centre or the incubator."""
        return not (self.uses_venue or self.runs_platform or self.incubated(self.model.month))

    def rent_due(self, p: OrgParams) -> float:
        """Rent the organization pays itself (after the subsidy)."""
        return p.rent_yuan_month * (1 - p.rent_subsidy_share) if self.pays_rent() else 0.0

    def record_income(self, source: str, amount: float) -> None:
        """Tally this month's income by source."""
        if amount > 0:
            self.income_month[source] = self.income_month.get(source, 0.0) + amount

    def close_income_month(self) -> None:
        """Push this month's income into the 12-month window (and its running sum)."""
        total = self._income_total
        if len(self.income_12m) == self.income_12m.maxlen:
            for k, v in self.income_12m[0].items():
                total[k] -= v
        for k, v in self.income_month.items():
            total[k] = total.get(k, 0.0) + v
        self.income_12m.append(self.income_month)
        self.income_month = {}
        self._window = {k: max(v, 0.0) for k, v in total.items()}
        self.income_window_total = sum(self._window.values())

    def income_window(self) -> dict[str, float]:
        """Income by source over the last 12 months (negative rounding residue clipped to 0),
        as of the last closed month. Read-only: the dict is shared until the next close."""
        return self._window


# ---------------------------------------------------------------------------
# capacity and quality: one formula each, for one organization or arrays of them
# ---------------------------------------------------------------------------
def capacity(p: OrgParams, sw_units, other_staff, age_registered, in_venue, incubated):
    """Needs per month: staff output (social workers counted by :meth:`Organization.staff_units`
    times needs_per_sw_month, other staff by needs_per_other_month) times an experience
    factor saturating at experience_months of registration, times 1 + venue_reach in a venue
    or the platform's centre, plus incubator_capacity_gain while incubated. Scalars or arrays."""
    sw = np.multiply(sw_units, p.needs_per_sw_month)
    other = np.multiply(other_staff, p.needs_per_other_month)
    exp = 1.0 + p.experience_gain * np.minimum(age_registered, p.experience_months) / p.experience_months
    boost = 1.0 + np.where(in_venue, p.venue_reach, 0.0)
    boost = boost + np.where(incubated, p.incubator_capacity_gain, 0.0)
    return (sw + other) * exp * boost


def quality(p: OrgParams, sw_units, cert_units, mean_skill, other_staff, service_centre, guidance: float):
    """(base quality, chance a need is met by a certified worker): quality rises with social
    workers' mean skill (weighted by their share of the capacity), a service centre's
    support and expert guidance, up to 1; the certified chance is the certified workers'
    share of the capacity. Scalars or arrays."""
    sw_cap = np.multiply(sw_units, p.needs_per_sw_month)
    cert_cap = np.multiply(cert_units, p.needs_per_sw_month)
    total = sw_cap + np.multiply(other_staff, p.needs_per_other_month)
    staffed = total > 0
    safe = np.where(staffed, total, 1.0)
    cert = np.where(staffed, cert_cap / safe, 0.0)
    q = p.quality_base + p.quality_skill * np.asarray(mean_skill, dtype=np.float64) * np.where(staffed, sw_cap / safe, 0.0)
    q = q + np.where(service_centre, p.service_centre_quality, 0.0)
    q = q + p.guidance_quality_gain * guidance
    return np.minimum(q, 1.0), cert
