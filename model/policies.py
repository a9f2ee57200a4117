"""Policy levers of the three-society linkage as scheduled, budgeted instruments.

A lever is switched on in a scenario by a ``[policies.<key>]`` table. Every
lever has ``enabled``, a ``start`` and an optional ``end`` (a month index,
1 = the first simulated month, or "YYYY-MM" when the scenario has a calendar
start), an optional ``ramp_months`` over which it phases in linearly, and its
own parameters (each with unit, bounds and source, in the register like every
other parameter). A lever never touches an outcome: while active it sets the
parameters of the mechanisms it works through (costs, delays, capacities,
rates, budgets, decisions), blending from the scenario's own value to the
lever's value over the ramp. Money it spends flows through the ledger under
purposes that ``PURPOSE_LEVER`` maps back to the lever, so spending is
accounted by lever and by source.

Layout: ``PURPOSE_LEVER`` (ledger purposes -> lever); the base class
``Lever`` (schedule, intensity, ``apply``) and ``_blend``; then one class per
lever (``OrgSupport`` ... ``Publicity``), each a handful of register fields
and an ``apply`` that names the mechanism parameters it sets; then
``Policies`` (the ``[policies]`` table: one field per lever key) and
``PolicySchedule`` (the parameters in force in a month).

Narrow interface (cf. Starsim's ``Intervention``):

* ``lever.intensity(month_index)`` - 0 before start/after end, ramps to 1;
* ``lever.apply(params, intensity)`` - writes the mechanism parameters.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, model_validator

from .params import NEED_KINDS, P, Parameters, Section
from .scenario_dates import MonthRef, month_index

# which ledger purposes each lever pays for (spending accounted by lever)
PURPOSE_LEVER: dict[str, str] = {
    "rent_subsidy": "org_support",
    "utility_discount": "org_support",
    "incubator_grant": "incubators",
    "incubator_running": "incubators",
    "service_centre_running": "service_centres",
    "contract": "purchase_of_services",
    "lottery_grant": "venture_philanthropy",
    "self_governance_fund": "self_governance_funds",
    "foundation_endowment": "community_foundations",
    "foundation_donations": "community_foundations",
    "foundation_microprojects": "community_foundations",
    "salary_subsidy": "social_worker_support",
    "pay_floor_topup": "social_worker_support",
    "exam_subsidy": "social_worker_support",
    "training": "social_worker_support",
    "evaluation": "oversight",
    "publicity": "publicity",
    "platform_fee": "platform (street)",
}


class Lever(Section):
    """Common fields of every lever."""

    key: ClassVar[str] = ""
    year: ClassVar[str] = ""
    summary: ClassVar[str] = ""

    enabled: bool = Field(True, description="Switch the lever on (false switches off one inherited through extends).")
    start: MonthRef = Field(1, description="First month: a month index (1 = first simulated month) or 'YYYY-MM'.")
    end: MonthRef | None = Field(None, description="Last month (inclusive), index or 'YYYY-MM'; none = to the end.")
    ramp_months: int = P(0, "months", 0, 600, "assumption",
                         "Months over which the lever phases in linearly from the scenario's values (0 = at once).")

    def window(self, start_label: str | None) -> tuple[int, int | None]:
        """(first, last) month index of the lever given the scenario's calendar start."""
        first = month_index(self.start, start_label)
        last = None if self.end is None else month_index(self.end, start_label)
        return first, last

    def intensity(self, month: int, start_label: str | None) -> float:
        """0 when off, rising linearly to 1 over ramp_months from the start, 0 after the end."""
        if not self.enabled:
            return 0.0
        first, last = self.window(start_label)
        if month < first or (last is not None and month > last):
            return 0.0
        if self.ramp_months <= 0:
            return 1.0
        return min(1.0, (month - first + 1) / self.ramp_months)

    def apply(self, p: Parameters, x: float) -> None:  # pragma: no cover - abstract
        """Set the mechanism parameters of ``p`` at intensity ``x`` (0-1)."""
        raise NotImplementedError


def _blend(obj: Any, field: str, target: float, x: float) -> None:
    """obj.field <- base + x*(target - base), typed like the field."""
    base = getattr(obj, field)
    value = base + x * (target - base)
    if isinstance(base, int) and not isinstance(base, bool):
        value = int(round(value))
    setattr(obj, field, value)


# ---------------------------------------------------------------------------
# the levers
# ---------------------------------------------------------------------------


class OrgSupport(Lever):
    """Rent subsidies and utility-fee discounts for community organizations (2009, 13 kinds of support)."""

    key: ClassVar[str] = "org_support"
    year: ClassVar[str] = "2009"
    summary: ClassVar[str] = "rent subsidy and utility discount shares for community organizations"
    rent_subsidy_share: float = P(0.5, "share of rent", 0, 1, "source article", "Share of rent the district pays.")
    utility_discount_share: float = P(0.3, "share of utilities", 0, 1, "source article",
                                      "Discount on utility fees (paid by the district).")

    def apply(self, p: Parameters, x: float) -> None:
        _blend(p.organizations, "rent_subsidy_share", self.rent_subsidy_share, x)
        _blend(p.organizations, "utility_discount_share", self.utility_discount_share, x)


class DirectRegistration(Lever):
    """Registration without a sponsor (2013); lower capital and premises requirements (2014-15)."""

    key: ClassVar[str] = "direct_registration"
    year: ClassVar[str] = "2013"
    summary: ClassVar[str] = "registration without a sponsor: shorter delay, lower cost, lower capital and premises"
    registration_delay_months: float = P(2.0, "months (mean)", 0, 60, "source article", "Mean months to register.")
    registration_cost_yuan: float = P(3000.0, "yuan", 0, 1e7, "assumption", "Cost of registering.")
    capital_requirement_yuan: float = P(10000.0, "yuan", 0, 1e7, "source article", "Founding capital required.")
    premises_required: float = P(0.0, "0 or 1", 0, 1, "source article", "Premises needed to register.")
    abandon_rate: float = P(0.02, "per month while registering", 0, 1, "assumption",
                            "Monthly chance a registration is abandoned (simpler approval).")

    def apply(self, p: Parameters, x: float) -> None:
        for f in ("registration_delay_months", "registration_cost_yuan", "capital_requirement_yuan",
                  "premises_required", "abandon_rate"):
            _blend(p.organizations, f, getattr(self, f), x)


class Incubators(Lever):
    """Incubators (孵化基地): space, grants, registration help, capacity building for start-ups."""

    key: ClassVar[str] = "incubators"
    year: ClassVar[str] = "2007"
    summary: ClassVar[str] = "space, small grants, registration help, capacity building for start-ups"
    coverage: float = P(1.0, "share of streets", 0, 1, "source article", "Share of streets an incubator serves (all 17 districts by 2015).")
    slots: int = P(6, "start-ups per street", 0, 100, "assumption", "Start-ups hosted at once.")
    grant_yuan: float = P(50000.0, "yuan per start-up", 0, 1e7, "source article", "Small grant per start-up.")
    delay_cut: float = P(0.5, "share of delay", 0, 1, "source article", "Share of the registration delay removed.")
    capacity_gain: float = P(0.15, "relative capacity", 0, 5, "source article", "Capacity building of start-ups.")
    running_cost_yuan: float = P(200000.0, "yuan per incubator-year", 0, 1e8, "assumption", "Cost of running an incubator.")

    def apply(self, p: Parameters, x: float) -> None:
        _blend(p.streets, "incubator", self.coverage, x)
        po = p.organizations
        po.incubator_slots = self.slots
        po.incubator_grant_yuan = self.grant_yuan
        po.incubator_delay_cut = self.delay_cut
        po.incubator_capacity_gain = self.capacity_gain
        p.streets.incubator_running_cost_yuan = self.running_cost_yuan


class ServiceCentres(Lever):
    """Social-organization service centres (from 2002; 168 by c.2015, 80 % coverage)."""

    key: ClassVar[str] = "service_centres"
    year: ClassVar[str] = "2002"
    summary: ClassVar[str] = "support network for organizations (coverage share of streets)"
    coverage: float = P(0.8, "share of streets", 0, 1, "source article", "Share of streets a centre covers (80 % c.2015).")
    quality_gain: float = P(0.1, "score", 0, 1, "assumption", "Quality gain of supported organizations.")
    founding_gain: float = P(0.3, "relative founding rate", 0, 5, "assumption", "Rise in founding where a centre operates.")
    running_cost_yuan: float = P(300000.0, "yuan per centre-year", 0, 1e8, "assumption", "Cost of running a centre.")

    def apply(self, p: Parameters, x: float) -> None:
        _blend(p.streets, "service_centre", self.coverage, x)
        p.organizations.service_centre_quality = self.quality_gain
        p.organizations.service_centre_founding = self.founding_gain
        p.streets.service_centre_running_cost_yuan = self.running_cost_yuan


class PurchaseOfServices(Lever):
    """Government purchase of services by tender (2011; budget rules and catalogue 2012; in the budget 2015)."""

    key: ClassVar[str] = "purchase_of_services"
    year: ClassVar[str] = "2011"
    summary: ClassVar[str] = "government buys services by tender; budget, award rule, eligibility catalogue"
    budget_yuan: float = P(1.5e6, "yuan per 100,000 residents-year", 0, 1e9, "calibrated",
                           "Purchase-of-services budget (city total over 5 billion yuan c.2015).")
    weight_price: float = P(0.3, "weight", 0, 1, "contracting studies", "Award weight of price.")
    weight_quality: float = P(0.3, "weight", 0, 1, "contracting studies", "Award weight of quality.")
    weight_track_record: float = P(0.3, "weight", 0, 1, "contracting studies", "Award weight of track record.")
    weight_incumbency: float = P(0.1, "weight", 0, 1, "Chinese purchase-of-services studies", "Award weight of incumbency.")
    catalogue_min_age_months: int = P(6, "months registered", 0, 120, "source article", "Catalogue: minimum months registered.")
    catalogue_min_reputation: float = P(0.3, "score", 0, 1, "source article", "Catalogue: minimum reputation.")
    kinds: list[str] = Field(default_factory=lambda: list(NEED_KINDS),
                             description="Need kinds the catalogue lets the street buy.",
                             json_schema_extra={"unit": "need kinds", "source": "source article", "lo": None, "hi": None})

    @model_validator(mode="after")
    def _kinds(self) -> "PurchaseOfServices":
        bad = sorted({k for k in self.kinds if k not in NEED_KINDS})
        if bad:
            shown = ", ".join(repr(k[:40]) for k in bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
            raise ValueError(f"unknown need kind(s) {shown}; allowed: {', '.join(NEED_KINDS)}")
        return self

    def apply(self, p: Parameters, x: float) -> None:
        ps = p.streets
        _blend(ps, "purchase_budget_yuan", self.budget_yuan, x)
        for f in ("weight_price", "weight_quality", "weight_track_record", "weight_incumbency",
                  "catalogue_min_age_months", "catalogue_min_reputation"):
            setattr(ps, f, getattr(self, f))
        ps.purchase_kinds = [k for k in NEED_KINDS if k in self.kinds]


class VenturePhilanthropy(Lever):
    """Welfare-lottery venture philanthropy: from allocation to competitive bidding (2009)."""

    key: ClassVar[str] = "venture_philanthropy"
    year: ClassVar[str] = "2009"
    summary: ClassVar[str] = "welfare-lottery fund awarded by competitive project bidding"
    budget_yuan: float = P(5.0e5, "yuan per 100,000 residents-year", 0, 1e9, "assumption", "Lottery-fund budget.")
    grant_yuan: float = P(150000.0, "yuan per project", 1000, 1e8, "assumption", "Grant per project.")
    sw_hire: float = P(1.0, "social workers per project", 0, 20, "source article", "Social workers a project must hire.")

    def apply(self, p: Parameters, x: float) -> None:
        _blend(p.funders, "lottery_budget_yuan", self.budget_yuan, x)
        p.funders.lottery_grant_yuan = self.grant_yuan
        p.funders.lottery_sw_hire = self.sw_hire


class SelfGovernanceFunds(Lever):
    """Self-governance funds (自治金) at residents' committees (Lujiazui 2011, Pudong-wide 2016)."""

    key: ClassVar[str] = "self_governance_funds"
    year: ClassVar[str] = "2011"
    summary: ClassVar[str] = "yuan per committee per year for residents' micro-projects"
    yuan_per_committee: float = P(30000.0, "yuan per committee-year", 0, 5e6, "Lujiazui self-governance fund practice",
                                  "Fund granted to each covered committee each year.")
    coverage: float = P(1.0, "share of committees", 0, 1, "assumption", "Share of committees with a fund.")

    def apply(self, p: Parameters, x: float) -> None:
        _blend(p.committees, "self_governance_fund_yuan", self.yuan_per_committee, x)
        _blend(p.committees, "fund_coverage", self.coverage, x)


class CommunityFoundations(Lever):
    """Street-level community foundations (4 by c.2015)."""

    key: ClassVar[str] = "community_foundations"
    year: ClassVar[str] = "2013"
    summary: ClassVar[str] = "street-level foundations granting to local projects"
    budget_yuan: float = P(300000.0, "yuan per foundation-year", 0, 1e9, "assumption", "Public endowment per foundation-year.")
    coverage: float = P(1.0, "share of streets", 0, 1, "source article", "Share of streets with a foundation (4 of ~209 c.2015).")
    social_match: float = P(0.5, "yuan raised per public yuan", 0, 10, "assumption", "Social money raised per public yuan.")

    def apply(self, p: Parameters, x: float) -> None:
        _blend(p.funders, "foundation_budget_yuan", self.budget_yuan, x)
        _blend(p.funders, "foundation_coverage", self.coverage, x)
        p.funders.foundation_social_match = self.social_match


class SocialWorkerSupport(Lever):
    """Social-worker pay and supply: subsidies, pay floor, exam support, training (2015 and districts)."""

    key: ClassVar[str] = "social_worker_support"
    year: ClassVar[str] = "2015"
    summary: ClassVar[str] = "salary subsidy for certified workers, pay floor, exam subsidy, training"
    salary_subsidy_certified_yuan: float = P(800.0, "yuan per month", 0, 1e6, "source article",
                                             "Salary subsidy for certified workers in organizations (Xuhui).")
    pay_floor_share: float = P(1.0, "share of average wage", 0, 2, "source article", "Pay floor (average wage, 2015).")
    exam_support: float = P(0.6, "share of candidates", 0, 1, "source article", "Share of candidates with exam support.")
    exam_subsidy_yuan: float = P(500.0, "yuan per candidate", 0, 1e5, "source article", "Exam subsidy per supported candidate.")
    training_skill_gain: float = P(0.04, "skill per year", 0, 1, "source article", "Extra skill from training.")
    training_cost_yuan: float = P(1500.0, "yuan per worker-year", 0, 1e6, "assumption", "Cost of training per worker.")
    graduates_multiplier: float = P(1.0, "relative", 0, 10, "assumption", "University places relative to the register.")

    def apply(self, p: Parameters, x: float) -> None:
        pw = p.social_workers
        for f in ("salary_subsidy_certified_yuan", "pay_floor_share", "exam_support", "exam_subsidy_yuan",
                  "training_skill_gain", "training_cost_yuan"):
            _blend(pw, f, getattr(self, f), x)
        _blend(pw, "graduates_per_year", pw.graduates_per_year * self.graduates_multiplier, x)


class CommitteeReform(Lever):
    """Committee reform (2014-15): task list (burden cut), gate on new tasks, direct elections."""

    key: ClassVar[str] = "committee_reform"
    year: ClassVar[str] = "2014"
    summary: ClassVar[str] = "lower administrative burden, gate on new tasks, share of direct elections"
    burden_cut: float = P(0.3, "share of burden", 0, 1, "committee surveys", "Share of the administrative burden removed.")
    new_task_gate: float = P(0.8, "share of new tasks", 0, 1, "source article", "Share of new tasks stopped by the gate.")
    direct_election_share: float = P(0.6, "share of committees", 0, 1, "source article", "Committees directly elected.")

    def apply(self, p: Parameters, x: float) -> None:
        _blend(p.committees, "burden_cut", self.burden_cut, x)
        _blend(p.committees, "new_task_gate", self.new_task_gate, x)
        _blend(p.committees, "direct_election_share", self.direct_election_share, x)


class StreetReform(Lever):
    """Street-office reform (2014): no investment attraction, budget guaranteed, service focus."""

    key: ClassVar[str] = "street_reform"
    year: ClassVar[str] = "2014"
    summary: ClassVar[str] = "street office freed from investment attraction, budget guaranteed, service focus"
    investment_duty_share: float = P(0.0, "share of street effort", 0, 1, "source article", "Effort left on investment attraction.")
    budget_guaranteed: float = P(1.0, "0 or 1", 0, 1, "source article", "Street budget guaranteed by the district.")
    service_support_hours: float = P(40.0, "hours per committee-month", 0, 1000, "assumption",
                                     "Street staff hours freed for supporting committees' service.")

    def apply(self, p: Parameters, x: float) -> None:
        _blend(p.streets, "investment_duty_share", self.investment_duty_share, x)
        _blend(p.streets, "budget_guaranteed", self.budget_guaranteed, x)
        _blend(p.streets, "service_support_hours", self.service_support_hours, x)


class OpenVenues(Lever):
    """Community venues opened to organizations."""

    key: ClassVar[str] = "open_venues"
    year: ClassVar[str] = "2011"
    summary: ClassVar[str] = "community venues opened to organizations (lower costs, more reach)"
    open_share: float = P(0.6, "share of venues", 0, 1, "source article", "Share of venues opened free to organizations.")
    venue_reach: float = P(0.25, "relative capacity", 0, 5, "assumption", "Extra reach of an organization in a venue.")

    def apply(self, p: Parameters, x: float) -> None:
        _blend(p.streets, "venues_open_share", self.open_share, x)
        p.organizations.venue_reach = self.venue_reach


class Oversight(Lever):
    """Oversight: disclosure, credit records, performance evaluation; poor performers lose contracts."""

    key: ClassVar[str] = "oversight"
    year: ClassVar[str] = "2012"
    summary: ClassVar[str] = "evaluation, credit records; poor performers lose contracts"
    evaluation_coverage: float = P(0.8, "share of contracts", 0, 1, "source article", "Contracts evaluated each year.")
    lose_contract_below: float = P(0.45, "score", 0, 1, "assumption", "Contracts withdrawn below this evaluation score.")
    credit_weight: float = P(0.5, "weight", 0, 1, "assumption", "Weight of evaluations in reputation (credit records).")
    cost_per_evaluation_yuan: float = P(5000.0, "yuan per evaluation", 0, 1e6, "assumption", "Third-party evaluation cost.")

    def apply(self, p: Parameters, x: float) -> None:
        _blend(p.streets, "evaluation_coverage", self.evaluation_coverage, x)
        _blend(p.streets, "lose_contract_below", self.lose_contract_below, x)
        _blend(p.organizations, "reputation_step", self.credit_weight, x)
        p.streets.evaluation_cost_yuan = self.cost_per_evaluation_yuan


class Publicity(Lever):
    """Publicity: public-welfare partner days, radio, social-work weeks."""

    key: ClassVar[str] = "publicity"
    year: ClassVar[str] = "2011"
    summary: ClassVar[str] = "residents' awareness and volunteering"
    budget_yuan: float = P(100000.0, "yuan per 100,000 residents-year", 0, 1e8, "assumption", "Publicity spending.")
    awareness_per_100k_yuan: float = P(0.01, "monthly awareness step per 100,000 yuan-year per 100,000 residents",
                                       0, 1, "assumption", "Awareness raised per unit of spending.")
    participation_per_100k_yuan: float = P(0.001, "monthly joining chance per 100,000 yuan-year per 100,000 residents",
                                           0, 1, "assumption", "Joining chance raised per unit of spending.")

    def apply(self, p: Parameters, x: float) -> None:
        units = self.budget_yuan / 1e5
        pr = p.residents
        _blend(pr, "publicity_awareness", min(1.0, self.awareness_per_100k_yuan * units), x)
        _blend(pr, "publicity_participation", min(1.0, self.participation_per_100k_yuan * units), x)
        _blend(pr, "publicity_budget_yuan", self.budget_yuan, x)


LEVERS: dict[str, type[Lever]] = {
    cls.key: cls
    for cls in (OrgSupport, DirectRegistration, Incubators, ServiceCentres, PurchaseOfServices,
                VenturePhilanthropy, SelfGovernanceFunds, CommunityFoundations, SocialWorkerSupport,
                CommitteeReform, StreetReform, OpenVenues, Oversight, Publicity)
}


class Policies(Section):
    """The ``[policies.<key>]`` tables of a scenario."""

    org_support: OrgSupport | None = None
    direct_registration: DirectRegistration | None = None
    incubators: Incubators | None = None
    service_centres: ServiceCentres | None = None
    purchase_of_services: PurchaseOfServices | None = None
    venture_philanthropy: VenturePhilanthropy | None = None
    self_governance_funds: SelfGovernanceFunds | None = None
    community_foundations: CommunityFoundations | None = None
    social_worker_support: SocialWorkerSupport | None = None
    committee_reform: CommitteeReform | None = None
    street_reform: StreetReform | None = None
    open_venues: OpenVenues | None = None
    oversight: Oversight | None = None
    publicity: Publicity | None = None

    def levers(self) -> list[Lever]:
        """The configured levers in register order (enabled or not)."""
        return [getattr(self, k) for k in LEVERS if getattr(self, k) is not None]


class PolicySchedule:
    """Turns a scenario's levers into each month's effective parameters."""

    def __init__(self, base: Parameters, policies: Policies, start_label: str | None):
        self.base = base
        self.levers = policies.levers()
        self.start_label = start_label
        self._cache_key: tuple[tuple[str, float], ...] | None = None
        self._cache: Parameters = base

    def intensities(self, month: int) -> dict[str, float]:
        """Intensity of each configured lever in ``month``."""
        return {lv.key: lv.intensity(month, self.start_label) for lv in self.levers}

    def params_for(self, month: int) -> Parameters:
        """Effective parameters of ``month``: the base, then each active lever in register order."""
        xs = self.intensities(month)
        key = tuple(sorted((k, round(v, 12)) for k, v in xs.items() if v > 0))
        if key != self._cache_key:
            p = self.base.model_copy(deep=True)
            for lv in self.levers:
                x = xs[lv.key]
                if x > 0:
                    lv.apply(p, x)
            self._cache, self._cache_key = p, key
        return self._cache
