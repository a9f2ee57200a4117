"""Policy levers of the three-society linkage as scheduled, budgeted instruments.

A lever is switched on in a scenario by a ``[policies.<key>]`` table. Every
lever has ``enabled``, a ``start`` and an optional ``end`` (a month index,
1 = the first simulated month, or "YYYY-MM" when the scenario has a calendar
start), an optional ``ramp_months`` over which it phases in linearly, and its
own parameters. A lever never touches an outcome: while active it moves
register fields of the mechanisms it works through (costs, delays, capacities,
rates, budgets, decisions). Each of its own parameters names the register field
it moves and how (``BLEND``: from the scenario's value to the lever's over the
ramp; ``SET``: the lever's value at once); unit, bounds and meaning come from
that register field, only the default and the source (the evidence) are the
lever's. Money a lever spends flows through the ledger under purposes that
``PURPOSE_LEVER`` maps back to the lever, so spending is accounted by lever and
by source. What every lever shares (the modes, the field builders, the base class
``Lever`` with its schedule and the one ``apply``) is in ``lever.py``.

Layout: ``PURPOSE_LEVER`` (ledger purposes -> lever or ``NOT_LEVERS``); one class per
lever (``OrgSupport`` ... ``Publicity``), each a handful of fields naming the
register field they move (a lever that computes a value from its fields also
declares ``computes`` and ``computed``); then ``LEVERS`` (key -> class), ``Policies``
(the ``[policies]`` table: one field per lever key) and ``PolicySchedule`` (the
parameters in force in a month).
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, model_validator

from .lever import BLEND, SET, Lever, blend, like, setting
from .params import (AGENCIES_2004, ASSUMED, CALIBRATED, CATALOGUE, EXAM, INCUBATOR, INVESTMENT, LOTTERY, LOWERED,
                     NEED_KINDS, SUPPORT, P, Parameters, Section, article, assumed, known_kinds, study)

# which ledger purposes each lever pays for (spending accounted by lever)
PURPOSE_LEVER: dict[str, str] = {
    "rent_subsidy": "org_support",
    "utility_discount": "org_support",
    "incubator_grant": "incubators",
    "incubator_running": "incubators",
    "service_centre_running": "service_centres",
    "contract": "purchase_of_services",
    "contract_advance": "purchase_of_services",
    "contract_refund": "purchase_of_services",
    "post_wage": "purchase_of_posts",
    "lottery_grant": "venture_philanthropy",
    "self_governance_fund": "self_governance_funds",
    "foundation_endowment": "community_foundations",
    "foundation_donations": "community_foundations",
    "foundation_microprojects": "community_foundations",
    "salary_subsidy": "social_worker_support",
    "pay_floor_topup": "social_worker_support",
    "post_allowance": "social_worker_support",
    "training": "social_worker_support",
    "evaluation": "oversight",
    "publicity": "publicity",
    "platform_fee": "platform (street)",
    "guidance_contract": "guidance contract (street)",
    "open_venue_running": "open_venues",
    "street_service_support": "street_reform",
    "admin_tasks_street": "committee_reform",
    "admin_tasks_departments": "committee_reform",
    "committee_staff_wages": "committees (staff)",
    "street_staff_wages": "streets (staff)",
    "venue_upkeep": "streets (venues)",
}
NOT_LEVERS = ("platform (street)", "guidance contract (street)", "committees (staff)", "streets (staff)",
              "streets (venues)")
"""Values of ``PURPOSE_LEVER`` that name no lever: what the committees and streets that exist cost
(and the platform and the guidance contract, which practice modes switch on, not levers)."""


# ---------------------------------------------------------------------------
# the levers
# ---------------------------------------------------------------------------


class OrgSupport(Lever):
    """Rent subsidies and utility-fee discounts for community organizations (2009, 13 kinds of support)."""

    key: ClassVar[str] = "org_support"
    year: ClassVar[str] = "2009"
    summary: ClassVar[str] = "rent subsidy and utility discount shares for community organizations"
    rent_subsidy_share: float = blend("organizations.rent_subsidy_share", 0.5, assumed(quote=SUPPORT))
    utility_discount_share: float = blend("organizations.utility_discount_share", 0.3, assumed(quote=SUPPORT))


class DirectRegistration(Lever):
    """Registration without a sponsor (2013); lower capital and premises requirements (2014-15)."""

    key: ClassVar[str] = "direct_registration"
    year: ClassVar[str] = "2013"
    summary: ClassVar[str] = "registration without a sponsor: shorter delay, lower cost, lower capital and premises"
    registration_delay_months: float = blend("organizations.registration_delay_months", 2.0, ASSUMED)
    registration_cost_yuan: float = blend("organizations.registration_cost_yuan", 3000.0, ASSUMED)
    capital_requirement_yuan: float = blend("organizations.capital_requirement_yuan", 10000.0,
                                     assumed(quote=LOWERED))
    premises_required: float = blend("organizations.premises_required", 0.0, assumed(
        0.0, 0.5, "triangular", "the article says requirements were lowered (降低), not abolished", quote=LOWERED))
    abandon_rate: float = blend("organizations.abandon_rate", 0.02, assumed(quote=LOWERED),
                                     "(Direct registration: a simpler approval.)")


class Incubators(Lever):
    """Incubators (孵化基地): space, grants, registration help, capacity building for start-ups."""

    key: ClassVar[str] = "incubators"
    year: ClassVar[str] = "2007"
    summary: ClassVar[str] = "space, small grants, registration help, capacity building for start-ups"
    coverage: float = blend("streets.incubator", 1.0, assumed(
        0.5, 1.0, "triangular", "every district has incubators; how many streets each serves is not said",
        quote="在全市17個區縣陸續建成各類社會組織孵化基地"), "(All 17 districts by 2015.)")
    slots: int = setting("organizations.incubator_slots", 6, ASSUMED)
    grant_yuan: float = setting("organizations.incubator_grant_yuan", 50000.0, assumed(quote=INCUBATOR))
    delay_cut: float = setting("organizations.incubator_delay_cut", 0.5, assumed(quote=INCUBATOR))
    capacity_gain: float = setting("organizations.incubator_capacity_gain", 0.15, assumed(quote=INCUBATOR))
    running_cost_yuan: float = setting("streets.incubator_running_cost_yuan", 200000.0, ASSUMED)


class ServiceCentres(Lever):
    """Social-organization service centres (from 2002; 168 by c.2015, 80 % coverage)."""

    key: ClassVar[str] = "service_centres"
    year: ClassVar[str] = "2002"
    summary: ClassVar[str] = "support network for organizations (coverage share of streets)"
    coverage: float = blend("streets.service_centre", 0.8, article("共建成168家,覆蓋率達到80%"), "(80 % c.2015.)")
    quality_gain: float = setting("organizations.service_centre_quality", 0.1, ASSUMED)
    founding_gain: float = setting("organizations.service_centre_founding", 0.3, ASSUMED)
    running_cost_yuan: float = setting("streets.service_centre_running_cost_yuan", 300000.0, ASSUMED)


class PurchaseOfServices(Lever):
    """Government purchase of services by tender (2011; budget rules and catalogue 2012; in the budget 2015).

    Computes ``streets.purchase_kinds``: the catalogue's kinds in the order of ``NEED_KINDS``."""

    key: ClassVar[str] = "purchase_of_services"
    year: ClassVar[str] = "2011"
    summary: ClassVar[str] = "government buys services by tender; budget, award rule, eligibility catalogue"
    computes: ClassVar[dict[str, tuple[str, tuple[str, ...]]]] = {"streets.purchase_kinds": (SET, ("kinds",))}
    budget_yuan: float = blend("streets.purchase_budget_yuan", 1.5e6, CALIBRATED,
                               "(City total over 5 billion yuan c.2015.)")
    weight_price: float = setting("streets.weight_price", 0.3, study("contracting studies", False))
    weight_quality: float = setting("streets.weight_quality", 0.3, study("contracting studies", False))
    weight_track_record: float = setting("streets.weight_track_record", 0.3, study("contracting studies", False))
    weight_incumbency: float = setting("streets.weight_incumbency", 0.1,
                                    study("Chinese purchase-of-services studies", False))
    catalogue_min_age_months: int = setting("streets.catalogue_min_age_months", 6, assumed(quote=CATALOGUE))
    catalogue_min_reputation: float = setting("streets.catalogue_min_reputation", 0.3, assumed(quote=CATALOGUE))
    kinds: list[str] = like("streets.purchase_kinds", lambda: list(NEED_KINDS), assumed(quote=CATALOGUE))

    @model_validator(mode="after")
    def _kinds(self) -> "PurchaseOfServices":
        known_kinds(self.kinds)
        return self

    def computed(self, p: Parameters) -> dict[str, Any]:
        """The catalogue's kinds in the order of ``NEED_KINDS``."""
        return {"streets.purchase_kinds": [k for k in NEED_KINDS if k in self.kinds]}


class PurchaseOfPosts(Lever):
    """Government purchase of social-work posts (岗位购买) in agencies, the form behind the three agencies of 2004.

    Computes ``streets.post_kinds``: the posts' kinds in the order of ``NEED_KINDS``."""

    key: ClassVar[str] = "purchase_of_posts"
    computes: ClassVar[dict[str, tuple[str, tuple[str, ...]]]] = {"streets.post_kinds": (SET, ("kinds",))}
    year: ClassVar[str] = "2004"
    summary: ClassVar[str] = "government pays the wage of social-work posts in an agency, filled through the job market"
    posts_per_100k: float = blend("streets.posts_per_100k", 7.0, assumed(
        3, 15, "uniform", "the three 2004 agencies hired on the order of a thousand social workers for about "
        "18 million residents; the article gives no count", quote=AGENCIES_2004))
    yuan_per_post_year: float = setting("streets.post_yuan_year", 60000.0, assumed(
        40000, 100000, "uniform", "Shenzhen paid 60,000 yuan a post-year in 2008; no Shanghai figure was found"))
    kinds: Annotated[list[str], AfterValidator(known_kinds)] = like(
        "streets.post_kinds", lambda: ["children_youth", "legal_mediation", "rehabilitation"], assumed(quote=AGENCIES_2004))

    def computed(self, p: Parameters) -> dict[str, Any]:
        """The posts' kinds in the order of ``NEED_KINDS``."""
        return {"streets.post_kinds": [k for k in NEED_KINDS if k in self.kinds]}


class VenturePhilanthropy(Lever):
    """Welfare-lottery venture philanthropy: from allocation to competitive bidding (2009)."""

    key: ClassVar[str] = "venture_philanthropy"
    year: ClassVar[str] = "2009"
    summary: ClassVar[str] = "welfare-lottery fund awarded by competitive project bidding"
    budget_yuan: float = blend("funders.lottery_budget_yuan", 5.0e5, ASSUMED)
    grant_yuan: float = setting("funders.lottery_grant_yuan", 150000.0, ASSUMED)
    sw_hire: float = setting("funders.lottery_sw_hire", 1.0, assumed(quote=LOTTERY))


class SelfGovernanceFunds(Lever):
    """Self-governance funds (自治金) at residents' committees (Lujiazui 2011, Pudong-wide 2016)."""

    key: ClassVar[str] = "self_governance_funds"
    year: ClassVar[str] = "2011"
    summary: ClassVar[str] = "yuan per committee per year for residents' micro-projects"
    yuan_per_committee: float = blend("committees.self_governance_fund_yuan", 30000.0, assumed(
        note="Lujiazui practice gives 10-20 thousand yuan a project, not a sum per committee"))
    coverage: float = blend("committees.fund_coverage", 1.0, ASSUMED)


class CommunityFoundations(Lever):
    """Street-level community foundations (4 by c.2015)."""

    key: ClassVar[str] = "community_foundations"
    year: ClassVar[str] = "2013"
    summary: ClassVar[str] = "street-level foundations granting to local projects"
    budget_yuan: float = blend("funders.foundation_budget_yuan", 300000.0, ASSUMED)
    coverage: float = blend("funders.foundation_coverage", 1.0, assumed(quote="目前已成立社區基金會4家"),
                             "(4 of ~209 c.2015.)")
    social_match: float = setting("funders.foundation_social_match", 0.5, ASSUMED)


class SocialWorkerSupport(Lever):
    """Social-worker pay and supply: salary subsidies, the community workers' pay floor, exam
    support and the post allowance for those who pass, training (2015 and districts).

    Computes ``social_workers.graduates_per_year``: the scenario's graduates times ``graduates_multiplier``."""

    key: ClassVar[str] = "social_worker_support"
    year: ClassVar[str] = "2015"
    summary: ClassVar[str] = ("salary subsidy for certified workers, community workers' pay floor, exam support, "
                              "post allowance for those who pass, training")
    computes: ClassVar[dict[str, tuple[str, tuple[str, ...]]]] = {
        "social_workers.graduates_per_year": (BLEND, ("graduates_multiplier",))}
    salary_subsidy_certified_yuan: float = blend("social_workers.salary_subsidy_certified_yuan", 800.0,
                                                 assumed(quote="給予薪酬補貼的形式"), "(Xuhui.)")
    pay_floor_share: float = blend("social_workers.pay_floor_share", 1.0, article(
        "社區工作者不低于社平工資的待遇標準",
        note="the article sets the floor for community workers (committee staff); the model applies it to them"))
    exam_support: float = blend("social_workers.exam_support", 0.6, assumed(
        quote="鼓勵社區工作者參加社會工作知識學習、參加全國社會工作者職業水平考試"))
    post_allowance_yuan: float = blend("social_workers.post_allowance_yuan", 300.0, assumed(
        100.0, 600.0, "loguniform", "districts' professional post allowances for certified community workers: "
        "the article names them, not their size; a few hundred yuan a month", quote=EXAM))
    training_skill_gain: float = blend("social_workers.training_skill_gain", 0.04,
                                       assumed(quote="分期、分批、分層的崗位輪訓"))
    training_cost_yuan: float = blend("social_workers.training_cost_yuan", 1500.0, ASSUMED)
    graduates_multiplier: float = P(1.0, "relative", 0, 10, ASSUMED, "University places relative to the register.")

    def computed(self, p: Parameters) -> dict[str, Any]:
        """Graduates per year: the scenario's times ``graduates_multiplier``."""
        return {"social_workers.graduates_per_year": p.social_workers.graduates_per_year * self.graduates_multiplier}


class CommitteeReform(Lever):
    """Committee reform (2014-15): task list (burden cut), gate on new tasks, direct elections."""

    key: ClassVar[str] = "committee_reform"
    year: ClassVar[str] = "2014"
    summary: ClassVar[str] = "lower administrative burden, gate on new tasks, share of direct elections"
    burden_cut: float = blend("committees.burden_cut", 0.3,
                             assumed(quote="明確了居委會依法協助行政事項清單"))
    new_task_gate: float = blend("committees.new_task_gate", 0.8, assumed(quote="建立了居民區工作事項準入機制"))
    direct_election_share: float = blend("committees.direct_election_share", 0.6,
                                        assumed(quote="大幅度提高居委會直選比例"))


class StreetReform(Lever):
    """Street-office reform (2014): no investment attraction, budget guaranteed, service focus."""

    key: ClassVar[str] = "street_reform"
    year: ClassVar[str] = "2014"
    summary: ClassVar[str] = "street office freed from investment attraction, budget guaranteed, service focus"
    investment_duty_share: float = blend("streets.investment_duty_share", 0.0, article(INVESTMENT))
    budget_guaranteed: float = blend("streets.budget_guaranteed", 1.0, article("明確街道經費支出由區政府全額保障"))
    service_support_hours: float = blend("streets.service_support_hours", 40.0, ASSUMED)


class OpenVenues(Lever):
    """Community venues opened to organizations."""

    key: ClassVar[str] = "open_venues"
    year: ClassVar[str] = "2011"
    summary: ClassVar[str] = "community venues opened to organizations (lower costs, more reach)"
    open_share: float = blend("streets.venues_open_share", 0.6, ASSUMED)
    venue_reach: float = setting("organizations.venue_reach", 0.25, ASSUMED)


class Oversight(Lever):
    """Oversight: disclosure, credit records, performance evaluation; poor performers lose contracts."""

    key: ClassVar[str] = "oversight"
    year: ClassVar[str] = "2012"
    summary: ClassVar[str] = "evaluation, credit records; poor performers lose contracts"
    evaluation_coverage: float = blend("streets.evaluation_coverage", 0.8, assumed(quote="績效評估導則"))
    lose_contract_below: float = blend(
        "streets.lose_contract_below", 0.6,
        assumed(0.4, 0.7, "triangular", "a pass mark of 60 of 100, the usual pass line of Chinese graded "
                "evaluations; with organizations' quality near 0.5 it ends contracts delivering under "
                "about 70 % of their volume"))
    credit_weight: float = blend("organizations.reputation_step", 0.5, ASSUMED,
                                 "(Credit records: the weight of evaluations in reputation.)")
    cost_per_evaluation_yuan: float = setting("streets.evaluation_cost_yuan", 5000.0, ASSUMED)


class Publicity(Lever):
    """Publicity: public-welfare partner days, radio, social-work weeks.

    Computes ``residents.publicity_awareness`` and ``residents.publicity_participation``:
    the step per 100,000 yuan times the budget in 100,000 yuan, at most 1."""

    key: ClassVar[str] = "publicity"
    year: ClassVar[str] = "2011"
    summary: ClassVar[str] = "residents' awareness and volunteering"
    computes: ClassVar[dict[str, tuple[str, tuple[str, ...]]]] = {
        "residents.publicity_awareness": (BLEND, ("budget_yuan", "awareness_per_100k_yuan")),
        "residents.publicity_participation": (BLEND, ("budget_yuan", "participation_per_100k_yuan")),
    }
    budget_yuan: float = blend("residents.publicity_budget_yuan", 100000.0, ASSUMED)
    awareness_per_100k_yuan: float = P(0.01, "monthly awareness step per 100,000 yuan-year per 100,000 residents",
                                       0, 1, ASSUMED, "Awareness raised per unit of spending.")
    participation_per_100k_yuan: float = P(0.001, "monthly joining chance per 100,000 yuan-year per 100,000 residents",
                                           0, 1, ASSUMED, "Joining chance raised per unit of spending.")

    def computed(self, p: Parameters) -> dict[str, Any]:
        """Awareness step and joining chance: per-100,000-yuan effect times the budget, at most 1."""
        units = self.budget_yuan / 1e5
        return {"residents.publicity_awareness": min(1.0, self.awareness_per_100k_yuan * units),
                "residents.publicity_participation": min(1.0, self.participation_per_100k_yuan * units)}


LEVERS: dict[str, type[Lever]] = {
    cls.key: cls
    for cls in (OrgSupport, DirectRegistration, Incubators, ServiceCentres, PurchaseOfServices, PurchaseOfPosts,
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
    purchase_of_posts: PurchaseOfPosts | None = None
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
