"""Social organizations (Mesa agents) and every decision they make.

Life cycle: a would-be founder tries (``decide_foundings``, with
``founding_chance``), the new organization is *registering* for a random delay
(``registration_delay``; ``decide_registrations``: it may abandon; it pays rent
meanwhile when premises are required, and can fail), then *active* until its
reserves stay negative for more than ``failure_grace_months`` months
(``decide_failure``), when it *fails* and is wound up (``wind_up``).

Decisions while active: its bid price in a tender (``bid_price``), posting a
social-work vacancy or laying off (``decide_staffing``), hiring other staff when
a vacancy finds no one (``decide_other_staff``). Its capacity and quality are one
formula each for one organization or arrays of them (``capacity``, ``quality``);
who pays rent is ``Organization.pays_rent``. The money itself moves in
``accounts.py``; fees, donations, running costs, the reserves rule, the annual
inspection and founders' exits are in ``org_finance.py``.

Layout: ``Grant``, ``Organization`` (contracts are ``contracts.Contract``); ``capacity`` and ``quality``;
then the decisions, in life-cycle order: ``founding_chance``,
``founder_kind_probabilities``, ``registration_delay``, ``decide_foundings``,
``decide_registrations``, ``bid_price``,
``decide_other_staff``, ``decide_staffing``, ``decide_failure``, ``wind_up``.
"""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING

import mesa
import numpy as np

from .contracts import Contract
from .params import NEED_KINDS, ORG_KINDS, ORG_SERVES, Organizations as OrgParams, Streets as StreetParams
from .workers import offer

if TYPE_CHECKING:
    from .community import CommunityModel
    from .streets import StreetOffice
    from .workers import SocialWorker

REGISTERING, ACTIVE, FAILED, ABANDONED = "registering", "active", "failed", "abandoned"
GOVERNMENT_INCOME = frozenset({"contract", "post_wage", "platform_fee", "lottery_grant", "incubator_grant",
                               "guidance_contract"})
"""Income sources that are government money (for the government share of income)."""
# the need kinds each organization kind serves, one row per kind (ORG_KINDS order), padded with -1
SERVES_BY_KIND = np.full((len(ORG_KINDS), max(len(v) for v in ORG_SERVES.values())), -1, dtype=np.int64)
for _i, _k in enumerate(ORG_KINDS):
    SERVES_BY_KIND[_i, : len(ORG_SERVES[_k])] = [NEED_KINDS.index(n) for n in ORG_SERVES[_k]]


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
        self.capacity = 0.0  # needs a month, as of the last time it was computed
        self.income_12m: deque[dict[str, float]] = deque(maxlen=12)
        self.income_month: dict[str, float] = {}
        self._income_total: dict[str, float] = {}  # running sum of the window
        self._window: dict[str, float] = {}  # the window clipped at 0, set at each close
        self.income_window_total = 0.0  # the sum of its values
        self.needs_met_12m: deque[int] = deque(maxlen=12)  # needs met in each of the last 12 months
        self.costs_12m: deque[float] = deque(maxlen=12)  # costs paid in each of the last 12 months
        self.sessional_needs = 0.0  # capacity bought from sessional staff for the next month
        self.guidance_hours = 0.0  # staff hours spent guiding committees this month (guidance contract)
        self.broker_hours = 0.0  # staff hours spent on the platform's referrals (for next month's service)
        self.vacancies = 0
        self.required_hires = 0  # social workers a funded project still has to hire
        self.posts = 0  # social-work posts the government pays for (purchase of posts)
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

    def off_service_share(self, ps: StreetParams) -> float:
        """Rule: the share of the staff's working time spent off service, on guidance
        (``guidance_hours``) and the platform's referrals (``broker_hours``), against
        (social workers + other staff) * staff_hours_month; at most 1."""
        staff_hours = (len(self.workers) + self.other_staff) * ps.staff_hours_month
        busy = self.guidance_hours + self.broker_hours
        return min(1.0, busy / staff_hours) if staff_hours > 0 and busy > 0 else 0.0

    def certified_workers(self) -> int:
        """Certified social workers employed."""
        return sum(1 for w in self.workers if w.certified)

    # ------------------------------------------------------------------
    def staff_units(self) -> tuple[float, float, float]:
        """(social workers' output units, the certified ones' units, mean skill): a social
        worker counts (1 - sw_skill_output_share) + sw_skill_output_share * skill; the mean
        skill is 0 without social workers."""
        if not self.workers:
            return 0, 0, 0.0  # what the sums below give for no workers
        s = self.model.p.organizations.sw_skill_output_share
        units = [(1.0 - s) + s * w.skill for w in self.workers]
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
                                       self.incubated(month), self.sessional_needs,
                                       self.off_service_share(self.model.p.streets)))
        return self.capacity

    def quality(self, p: OrgParams, service_centre: bool,
                units: tuple[float, float, float] | None = None) -> tuple[float, float]:
        """(base quality, chance a need is met by a certified worker); see :func:`quality`.
        ``units``: this moment's :meth:`staff_units`, if known."""
        sw_units, cert_units, mean_skill = units or self.staff_units()
        q, cert = quality(p, sw_units, cert_units, mean_skill, self.other_staff, service_centre)
        return float(q), float(cert)

    def monthly_costs(self, p: OrgParams, wages: float, month: int) -> float:
        """Costs the organization itself pays this month (for hiring/layoff rules)."""
        return self.rent_due(p, month) + p.utilities_yuan_month * (1 - p.utility_discount_share) + wages \
            + self.paid_other_staff(p) * p.other_wage_yuan + p.running_cost_yuan_month

    def paid_other_staff(self, p: OrgParams) -> int:
        """Rule: other staff beyond the unpaid_staff (founders, core volunteers) draw a wage."""
        return max(self.other_staff - p.unpaid_staff, 0)

    def pays_rent(self, p: OrgParams, month: int) -> bool:
        """Rule: an organization pays rent unless it is in an open venue, runs the platform's
        centre or is in the incubator; while registering, only when premises_required >= 0.5."""
        return not (self.uses_venue or self.runs_platform or month < self.incubated_until) \
            and (self.status == ACTIVE or p.premises_required >= 0.5)

    def rent_due(self, p: OrgParams, month: int) -> float:
        """Rent the organization pays itself (after rent_subsidy_share)."""
        return p.rent_yuan_month * (1 - p.rent_subsidy_share) if self.pays_rent(p, month) else 0.0

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
def capacity(p: OrgParams, sw_units, other_staff, age_registered, in_venue, incubated, sessional=0.0,
             off_service=0.0):
    """Needs per month: staff output (social workers counted by :meth:`Organization.staff_units`
    times needs_per_sw_month, other staff by needs_per_other_month) times an experience
    factor saturating at experience_months of registration, times 1 + venue_reach in a venue
    or the platform's centre, plus incubator_capacity_gain while incubated, times 1 - the
    share of staff time spent off service (``off_service``,
    :meth:`Organization.off_service_share`); plus the needs bought from sessional staff
    (``sessional``, :func:`org_finance.decide_surplus_spending`). Scalars or arrays."""
    sw = np.multiply(sw_units, p.needs_per_sw_month)
    other = np.multiply(other_staff, p.needs_per_other_month)
    exp = 1.0 + p.experience_gain * np.minimum(age_registered, p.experience_months) / p.experience_months
    boost = 1.0 + np.where(in_venue, p.venue_reach, 0.0)
    boost = boost + np.where(incubated, p.incubator_capacity_gain, 0.0)
    return (sw + other) * exp * boost * (1.0 - np.asarray(off_service)) + sessional


def quality(p: OrgParams, sw_units, cert_units, mean_skill, other_staff, service_centre):
    """(base quality, chance a need is met by a certified worker): quality rises with social
    workers' mean skill (weighted by their share of the capacity) and a service centre's
    support, up to 1; the certified chance is the certified workers'
    share of the capacity. Scalars or arrays."""
    sw_cap = np.multiply(sw_units, p.needs_per_sw_month)
    cert_cap = np.multiply(cert_units, p.needs_per_sw_month)
    total = sw_cap + np.multiply(other_staff, p.needs_per_other_month)
    staffed = total > 0
    safe = np.where(staffed, total, 1.0)
    cert = np.where(staffed, cert_cap / safe, 0.0)
    q = p.quality_base + p.quality_skill * np.asarray(mean_skill, dtype=np.float64) * np.where(staffed, sw_cap / safe, 0.0)
    q = q + np.where(service_centre, p.service_centre_quality, 0.0)
    return np.minimum(q, 1.0), cert


# ---------------------------------------------------------------------------
# decisions: founding, registration, bidding, staffing, failure, wind-up
# ---------------------------------------------------------------------------
def founding_chance(po: OrgParams, density: float, service_centre: bool, delay: float) -> float:
    """Rule: a would-be founder tries with monthly chance founding_rate
    * exp(density_legitimation*d - density_competition*d^2) * exp(-cost_sensitivity*F/1e5)
    * exp(-delay_sensitivity*delay) * (1 + service_centre_founding*centre), capped at 1;
    d = ``density`` (active organizations per 10,000 residents), F the up-front cost
    registration_cost_yuan + capital_requirement_yuan + premises_required * rent_yuan_month
    * (1 - rent_subsidy_share) * premises_rent_months, ``delay`` the mean registration delay."""
    d = density
    upfront = po.registration_cost_yuan + po.capital_requirement_yuan \
        + po.premises_required * po.rent_yuan_month * (1.0 - po.rent_subsidy_share) * po.premises_rent_months
    rate = po.founding_rate * math.exp(po.density_legitimation * d - po.density_competition * d * d)
    rate *= math.exp(-po.cost_sensitivity * upfront / 1e5) * math.exp(-po.delay_sensitivity * delay)
    rate *= 1.0 + po.service_centre_founding * service_centre
    return min(rate, 1.0)


def founder_kind_probabilities(po: OrgParams) -> np.ndarray:
    """The chance a new organization is of each kind (ORG_KINDS order): founder_kind_shares,
    normalised."""
    shares = np.array([getattr(po.founder_kind_shares, k) for k in ORG_KINDS])
    return shares / shares.sum()


def registration_delay(po: OrgParams, incubated: bool = False) -> float:
    """Rule: mean months to register, registration_delay_months, cut by incubator_delay_cut
    for an incubated start-up."""
    cut = po.incubator_delay_cut if incubated else 0.0
    return po.registration_delay_months * (1.0 - cut)


def decide_foundings(m: "CommunityModel", street: "StreetOffice") -> list[Organization]:
    """Rule: the street's would-be founders try (binomial in founders_per_100k's pool with
    :func:`founding_chance`); a founder's capital is lognormal (founder_capital_median_yuan,
    founder_capital_sigma) and the try is blocked unless it covers capital_requirement_yuan +
    registration_cost_yuan; the kind follows founder_kind_shares; the new organization
    registers after a geometric delay (:func:`registration_delay`), in the incubator (with
    incubator_grant_yuan) when it has room."""
    po = m.p.organizations
    rng = m.streams["founding"]
    chance = founding_chance(po, street.density(), street.has_service_centre(), registration_delay(po))
    tries = int(rng.binomial(int(street.founders), chance)) if street.founders >= 1 else 0
    created = []
    shares = founder_kind_probabilities(po)
    for _ in range(tries):
        street.founders -= 1
        capital = po.founder_capital_median_yuan * math.exp(po.founder_capital_sigma * rng.standard_normal())
        kind = ORG_KINDS[int(rng.choice(len(ORG_KINDS), p=shares))]
        home = street.committees[int(rng.integers(len(street.committees)))]
        if capital < po.capital_requirement_yuan + po.registration_cost_yuan:
            m.recorder.events.founding_blocked += 1
            continue
        incubated = street.incubator_has_room()
        mean_delay = registration_delay(po, incubated)
        months = int(rng.geometric(1.0 / (mean_delay + 1.0))) - 1 if mean_delay > 0 else 0
        org = m.add_organization(kind, street, home.index, months, incubated)
        m.ledger.transfer(m.acct["founders"], org.account, capital, "founding_capital")
        m.ledger.transfer(org.account, m.acct["registration"], po.registration_cost_yuan, "registration")
        if incubated:
            street.incubator_occupants.append(org)
            m.ledger.transfer(m.acct["district"], org.account, po.incubator_grant_yuan, "incubator_grant")
            org.record_income("incubator_grant", po.incubator_grant_yuan)
        created.append(org)
    return created


def decide_registrations(m: "CommunityModel") -> None:
    """Rule: each month a registering organization abandons with chance abandon_rate (and is
    wound up), completes its registration when its delay has run out (becoming active with
    other_staff staff), or waits one more month."""
    rng = m.streams["registration"]
    po = m.p.organizations
    for org in m.organizations:
        if org.status != REGISTERING:
            continue
        if rng.random() < po.abandon_rate:
            org.status = ABANDONED
            wind_up(m, org)
            m.recorder.events.registrations_abandoned += 1
        elif org.months_to_register <= 0:
            org.status = ACTIVE
            org.registered_month = m.month
            org.other_staff = po.other_staff
            m.recorder.events.foundings += 1
        else:
            org.months_to_register -= 1


def bid_price(ps: StreetParams, rng: np.random.Generator, age_registered: int) -> float:
    """Rule: an organization bids unit_cost_yuan * (1 + price_spread * (u - 1/2)), u uniform,
    less price_experience_discount in proportion to its months registered, up to
    price_discount_months."""
    return ps.unit_cost_yuan * (1 + ps.price_spread * (rng.random() - 0.5)) \
        * (1 - ps.price_experience_discount * min(age_registered, ps.price_discount_months) / ps.price_discount_months)




def decide_other_staff(m: "CommunityModel") -> None:
    """Rule: an active organization whose own social-work vacancy found no one this month
    hires one more other staff member instead, up to max_other_staff (hires a funded
    project requires stay posted until filled); vacancies close at the end of the month."""
    po = m.p.organizations
    for org in m.organizations:
        if org.active and org.vacancies > 0 and org.other_staff < po.max_other_staff:
            org.other_staff += 1
            m.recorder.events.other_staff_hired += 1
        org.vacancies = 0


def decide_staffing(m: "CommunityModel", orgs: list[Organization], wages: list[float], met: np.ndarray,
                    capacity_now: np.ndarray) -> None:
    """Rule: post a social-work vacancy when reserves cover hire_reserve_months of costs
    (with the new wage), the mean monthly income of the last year covers the costs with
    the new wage too, there is room under max_social_workers, and the organization was busy
    (met at least busy_threshold of its capacity) or holds a contract; when reserves fall
    below layoff_reserve_months of costs, let the newest social worker go (or, without
    one, one other staff member, keeping at least one). ``orgs``: active organizations in
    slot order; ``wages``, ``met``, ``capacity_now``: their social workers' wages, needs
    met and capacity this month."""
    po, pw = m.p.organizations, m.p.social_workers
    if not orgs:
        return
    costs = np.array([o.monthly_costs(po, w, m.month) for o, w in zip(orgs, wages, strict=True)])
    reserves = m.ledger.balance[np.array([o.account for o in orgs], dtype=np.int64)]
    contract = np.array([bool(o.contracts) and o.has_contract() for o in orgs])
    busy = (met >= po.busy_threshold * capacity_now) | contract
    next_wage = offer(pw, committee=False)
    income = np.array([o.income_window_total for o in orgs]) / np.array([max(len(o.income_12m), 1) for o in orgs])
    room = np.array([len(o.workers) + o.vacancies < po.max_social_workers for o in orgs])
    hire = (reserves > po.hire_reserve_months * (costs + next_wage)) & busy & (income >= costs + next_wage) & room
    lay_off = ~hire & (reserves < po.layoff_reserve_months * costs)
    for j in np.flatnonzero(hire | lay_off).tolist():
        org = orgs[j]
        if hire[j]:
            org.vacancies += 1
        elif org.workers:
            m.release(org.workers[-1])
            m.recorder.events.layoffs += 1
        elif org.other_staff > 1:
            org.other_staff -= 1
            m.recorder.events.layoffs += 1


def decide_failure(m: "CommunityModel", org: Organization, negative: bool) -> None:
    """Rule: an organization whose reserves are negative at the end of the month for more
    than failure_grace_months months in a row fails and is wound up."""
    if negative:
        org.months_negative += 1
        if org.months_negative > m.p.organizations.failure_grace_months:
            org.status = FAILED
            wind_up(m, org)
            m.recorder.events.failures_money += 1
    else:
        org.months_negative = 0


def wind_up(m: "CommunityModel", org: Organization) -> None:
    """Rule: a failed or abandoned organization lets its workers go, loses its contracts,
    grants, venue, platform and partnerships; what is left in (or owed by) its account
    goes back to its founders."""
    for w in list(org.workers):
        m.release(w)
    org.vacancies = 0
    org.required_hires = 0
    org.contracts = []
    for g in org.grants:  # instalments never to be paid are no longer owed by a foundation
        if g.funder.kind == "foundation":
            g.funder.committed -= g.monthly_yuan * g.months_left
    org.grants = []
    org.uses_venue = False
    org.runs_platform = False
    for c in m.streets[org.street].committees:
        c.partners.pop(org, None)
    street = m.streets[org.street]
    if street.platform_org is org:
        street.platform_org = None
    bal = m.ledger.get(org.account)
    if bal > 0:
        m.ledger.transfer(org.account, m.acct["founders"], bal, "wind_up")
    elif bal < 0:
        m.ledger.transfer(m.acct["founders"], org.account, -bal, "debts_covered")
