"""The one parameter register.

Layout (one class per section of ``[parameters.<section>]``, in this order; each
field is declared with :func:`P`): provenance (``EVIDENCE_KINDS``, ``DISTRIBUTIONS``,
``Range``, ``Evidence`` and its builders ``ASSUMED``, ``CALIBRATED``, ``assumed``,
``article``, ``study``, ``data``, ``calibrated``; the article passages ``CATALOGUE`` ...
``ORG_EXAM``; ``derived_range`` and ``uncertainty``); the helpers ``P``, ``known_kinds`` and
``Section``; Residents (``GroupShares``, ``KindRates``, ``NeedRates``; the community
types ``_nb``, ``GroupFactors``, ``KindFactors``, ``TypeProfile``, ``CommunityTypeProfiles``;
``SeverityWeights``, ``PopulationChange``, ``Residents``); ``Committees``; ``Streets``; Social organizations
(``FounderKindShares``, ``FeeShares``, ``Organizations``); ``SocialWorkers``; ``Funders``;
``Sector`` (the rest of the social-organization sector); then
``Parameters`` (all sections) and the readers ``flat_values`` and
``field_rows`` (``model.register`` lists the whole register, lever fields and
roles included). To find a parameter, search for its name; its section is the
class it stands in.

Every number the model uses lives here, once, as a typed field carrying its
default, unit, bounds and evidence: what the number rests on (``article``: the
source article states it, quoted verbatim; ``study``: a cited study, for the
magnitude or only the direction; ``data``: a public statistic or rule;
``calibrated``; ``assumption``). The one-phrase ``source`` shown in tables is
derived from it. Assumptions and direction-only studies carry a plausible range
and distribution (hand-set in the declaration, else ``derived_range`` by unit).
Scenario files override fields under ``[parameters.<section>]``; the ODD
parameter table (``docs/ODD.md``) and the dashboard sliders are generated from
these classes, never retyped.

Sources cited by short key (full references in ``docs/ODD.md``):

* ``source article``: Zhu Qinhao, "加强'三社联动' 创新社会治理" (c. 2016).
* ``Andreoni & Payne 2011``: crowding-out of donations by government grants.
* ``Hannan & Carroll 1992``: density dependence of founding (the model uses the founding
  side; mortality comes from the accounts).
* ``committee surveys``: Chinese surveys of residents' committee workload.
* ``SW turnover studies``: Chinese studies of social-worker turnover (~20 %/yr).
* ``Shanghai statistics``: Shanghai statistical yearbook figures (2014-2015).
* ``contracting studies``: public-procurement studies of tender scoring (price, quality,
  experience) and of the number of bidders.
* ``Chinese purchase-of-services studies``: studies of government purchase of services in
  China (incumbency, streets favouring their own organizations).
* ``co-production studies``: studies of residents' participation (women and older people
  take part more; participation spreads over social ties).
* ``Lujiazui self-governance fund practice``: Pudong's self-governance funds (2011-), about
  10-20 thousand yuan a project, reviewed at year end.
* ``Stinchcombe 1965``: the liability of newness.
* ``Shanghai neighbourhood studies``: studies comparing Shanghai's old neighbourhoods,
  work-unit estates and commodity estates (Li & Wu 2006, 2008; Tomba 2014; Read 2012):
  directions of the community types' differences only.
* ``Chinese working-hours rules``: State Council rules on employees' working hours (1995): 8 hours a day,
  40 hours a week.
* ``Organic Law of Urban Residents' Committees 1989``: art. 8, a committee's term is three years.
* ``Regulations on Social Organizations 1998``: State Council regulations on the registration of
  social organizations, art. 10 (fixed premises; 30,000 yuan of activity funds for a local body).
* ``national social-work exam calendar``: the national social-worker vocational level exam,
  held in June each year.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

GROUPS: tuple[str, ...] = (
    "elderly",
    "children_teens",
    "women_at_home",
    "migrants",
    "drug_rehabilitation",
    "community_correction",
    "social_assistance",
    "disabilities",
    "others",
)
"""Resident groups (one primary group per resident); ``others`` is the remainder."""

NEED_KINDS: tuple[str, ...] = (
    "elder_care",
    "children_youth",
    "family",
    "legal_mediation",
    "social_assistance",
    "culture_sport",
    "rehabilitation",
)
"""Kinds of need residents raise."""

ORG_KINDS: tuple[str, ...] = (
    "life_services",
    "welfare_charity",
    "culture_sport",
    "mediation",
    "social_work_agency",
)

COMMUNITY_TYPES: tuple[str, ...] = (
    "generic",
    "old_lane",
    "work_unit_estate",
    "commodity_estate",
    "resettlement_estate",
    "village",
)
"""Community types of Shanghai's neighbourhoods: ``generic`` (the city-average population,
no type: every factor 1), old lane housing (老式里弄), work-unit and public housing estates
(售后公房/工人新村), commodity housing estates with property management (商品房小区),
resettlement estates (动迁安置房) and village committees on the urban fringe (村委会)."""
"""Kinds of social organization (the four community kinds + social-work agencies)."""

# Which need kinds each organization kind can serve (source article: the four
# community kinds; social-work agencies serve the groups named in the article).
ORG_SERVES: dict[str, tuple[str, ...]] = {
    "life_services": ("elder_care", "family"),
    "welfare_charity": ("social_assistance", "rehabilitation", "elder_care"),
    "culture_sport": ("culture_sport", "children_youth"),
    "mediation": ("legal_mediation", "family"),
    "social_work_agency": (
        "family",
        "children_youth",
        "social_assistance",
        "rehabilitation",
        "elder_care",
    ),
}


EVIDENCE_KINDS: tuple[str, ...] = ("article", "study", "data", "calibrated", "assumption")
"""What a register number rests on: the source article states that number (``article``, with
the quote); a cited study (``study``, giving the magnitude or only the direction); a public
statistic or rule (``data``); a calibration (``calibrated``); or nothing (``assumption``)."""

DISTRIBUTIONS: tuple[str, ...] = ("uniform", "triangular", "loguniform")
"""Distributions of a plausible range (``triangular`` has its mode at the default)."""


@dataclass(frozen=True)
class Range:
    """A plausible range of a number we do not know, its distribution and the reason in one line."""

    lo: float
    hi: float
    distribution: str
    reason: str

    def problems(self, default: float, lo: float | None, hi: float | None) -> list[str]:
        """What is wrong with this range for an entry with ``default`` and bounds [lo, hi]."""
        out = []
        if self.distribution not in DISTRIBUTIONS:
            out.append(f"unknown distribution {self.distribution!r}")
        if not self.lo <= default <= self.hi:
            out.append(f"range [{self.lo}, {self.hi}] does not contain the default {default}")
        if (lo is not None and self.lo < lo) or (hi is not None and self.hi > hi):
            out.append(f"range [{self.lo}, {self.hi}] leaves the bounds [{lo}, {hi}]")
        if self.distribution == "loguniform" and self.lo <= 0:
            out.append("a loguniform range must be positive")
        if not self.reason:
            out.append("no reason")
        return out


@dataclass(frozen=True)
class Evidence:
    """What one register number rests on (see ``EVIDENCE_KINDS``). ``cite`` names a study or
    statistic (short key, full reference in docs/ODD.md); ``quote`` is a verbatim passage of the
    source article (for ``article`` the one stating the number; for other kinds the passage
    giving only the direction); ``magnitude`` says whether a study gives the size or only the
    direction; ``range`` is a hand-set plausible range (else ``derived_range`` applies)."""

    kind: str
    cite: str = ""
    quote: str = ""
    magnitude: bool | None = None
    range: Range | None = None
    note: str = ""

    def __post_init__(self) -> None:
        assert self.kind in EVIDENCE_KINDS, self.kind
        assert (self.kind == "article") <= bool(self.quote), "an article entry quotes the article"
        assert (self.kind in ("study", "data")) <= bool(self.cite), f"a {self.kind} entry cites its source"
        assert (self.kind == "study") == (self.magnitude is not None), "only a study gives or lacks the magnitude"

    @property
    def needs_range(self) -> bool:
        """An assumption, or a study that gives only the direction: its number needs a range."""
        return self.kind == "assumption" or (self.kind == "study" and not self.magnitude)

    @property
    def source(self) -> str:
        """The one-phrase source shown in tables and tooltips."""
        if self.kind == "article":
            return "source article"
        if self.kind == "study":
            return self.cite if self.magnitude else f"{self.cite} (direction only)"
        return self.cite or self.kind

    def as_dict(self) -> dict[str, Any]:
        """The evidence as plain data (the range is resolved by ``uncertainty``)."""
        return {"evidence": self.kind, "citation": self.cite, "quote": self.quote,
                "magnitude": self.magnitude, "note": self.note}


ASSUMED = Evidence("assumption")
"""A number nothing backs (its plausible range is ``derived_range``'s)."""
CALIBRATED = Evidence("calibrated")
"""A number fitted to the source article's c. 2015 figures (``model.tools.calibration``)."""


def _range(lo: float | None, hi: float | None, dist: str | None, why: str) -> Range | None:
    return None if lo is None or hi is None or dist is None else Range(lo, hi, dist, why)


def assumed(lo: float | None = None, hi: float | None = None, dist: str | None = None, why: str = "",
            quote: str = "", note: str = "") -> Evidence:
    """An assumption with a hand-set range (and, optionally, the article passage giving its direction)."""
    return Evidence("assumption", quote=quote, range=_range(lo, hi, dist, why), note=note)


def article(quote: str, note: str = "") -> Evidence:
    """A number the source article states: ``quote`` is the passage, verbatim."""
    return Evidence("article", quote=quote, note=note)


def study(cite: str, magnitude: bool, lo: float | None = None, hi: float | None = None,
          dist: str | None = None, why: str = "", note: str = "") -> Evidence:
    """A number resting on a cited study, for its size (``magnitude``) or only its direction."""
    return Evidence("study", cite=cite, magnitude=magnitude, range=_range(lo, hi, dist, why), note=note)


def data(cite: str, note: str = "") -> Evidence:
    """A public statistic or rule, cited."""
    return Evidence("data", cite=cite, note=note)


def calibrated(lo: float, hi: float, dist: str, why: str) -> Evidence:
    """A calibrated number with a range (for experiments over what calibration leaves open)."""
    return Evidence("calibrated", range=Range(lo, hi, dist, why))

# passages of the source article that give a lever or mechanism its direction, not its number
CATALOGUE = "對目錄實行“條件管理、自動生成、動態更新”"
PLATFORM = "委托屋里廂社區服務中心進行日常管理,根據社區發展需求,引入多家社會組織作為合作伙伴"
INVESTMENT = "取消了街道招商引資職能及相應考核指標和獎勵"
INCUBATOR = "為初創階段的公益組織提供場地設備、能力建設、注冊協助和小額補貼等支持"
LOTTERY = "鼓勵社會組織發現社區需求,聘用專業社工開展服務項目"
SUPPORT = "房租補貼、公用事業收費優惠等13類扶持措施"
LOWERED = "進一步降低開辦資金和住所等要求,簡化登記審批流程"
EXAM = "對通過考試獲得證書者予以專業崗位補貼"
GOV_MONEY = "政府為社會組織提供的資金已突破50億元,占到上海社會組織總收入的17%"
AGENCIES_2004 = "通過聘用專業社工,分別為藥物濫用人員、社區青少年和社區矯正人員提供專業服務"
ORG_EXAM = "鼓勵公益性社會組織從業人員參加社會工作職業資質考試"


_DURATION_UNITS = ("months", "months (mean)", "months since registration", "months of costs", "months of rent",
                   "months after the tender month", "years")


def derived_range(default: float, unit: str, lo: float | None, hi: float | None, is_int: bool) -> Range:
    """The plausible range of a number with no hand-set one, by its unit.

    0 stays 0 (a mechanism switched off or a structural zero: a scenario or a lever sets it);
    a calendar month +-1; money and need rates log-uniform over half to twice the default;
    durations uniform over half to twice; anything else (shares, probabilities, weights,
    scores, counts, coefficients) triangular over half to one and a half times, mode at the
    default. Every range is clipped to the bounds; integer ranges are rounded inwards.
    """
    d = float(default)
    if d == 0:
        return Range(0, 0, "uniform", "0 switches the mechanism off (or is a structural zero): "
                                      "a scenario or lever sets it, it is not an uncertainty")
    if unit == "month of year":
        a, b, dist, why = d - 1, d + 1, "uniform", "calendar month: known to within a month"
    elif "yuan" in unit:
        a, b, dist, why = d / 2, 2 * d, "loguniform", "money amount with no cited figure: known to a factor of two"
    elif unit == "per resident-month":
        a, b, dist, why = d / 2, 2 * d, "loguniform", ("need rate: no survey of needs by group in Shanghai; "
                                                       "known to a factor of two")
    elif unit in _DURATION_UNITS:
        a, b, dist, why = d / 2, 2 * d, "uniform", "duration with no cited figure: known to a factor of two"
    elif d < 0:
        a, b, dist, why = 1.5 * d, 0.5 * d, "triangular", "signed offset: half to one and a half times the default"
    else:
        a, b, dist, why = d / 2, 1.5 * d, "triangular", ("share, rate or coefficient: half to one and a half "
                                                         "times the default")
    a = a if lo is None else max(lo, a)
    b = b if hi is None else min(hi, b)
    if is_int:
        a, b = float(math.ceil(a)), float(math.floor(b))
    if dist == "loguniform" and a <= 0:
        dist = "triangular"
    return Range(a, b, dist, why)


def uncertainty(evidence: Evidence, default: Any, unit: str, lo: float | None, hi: float | None) -> Range | None:
    """The plausible range of an entry: its hand-set range, else, for numbers that need one
    (``Evidence.needs_range``), ``derived_range``; non-numeric entries have none."""
    if isinstance(default, bool) or not isinstance(default, (int, float)):
        return None
    if evidence.range is not None:
        return evidence.range
    if not evidence.needs_range:
        return None
    return derived_range(default, unit, lo, hi, isinstance(default, int))


def P(
    default: Any,
    unit: str,
    lo: float | None,
    hi: float | None,
    source: Evidence,
    doc: str,
) -> Any:
    """A register entry: a pydantic field with default, unit, bounds and the evidence its number
    rests on (``source``; the one-phrase ``source`` text is derived from it)."""
    if not isinstance(source, Evidence):
        raise TypeError(f"the source of a register entry is an Evidence, not {source!r}")
    if source.range is not None and not callable(default):
        bad = source.range.problems(default, lo, hi)
        if bad:
            raise ValueError(f"{doc[:40]!r}: " + "; ".join(bad))
    kwargs: dict[str, Any] = {}
    if lo is not None:
        kwargs["ge"] = lo
    if hi is not None:
        kwargs["le"] = hi
    extra = {"unit": unit, "source": source.source, "evidence": source, "lo": lo, "hi": hi}
    if callable(default):
        return Field(default_factory=default, description=doc, json_schema_extra=extra, **kwargs)
    return Field(default, description=doc, json_schema_extra=extra, **kwargs)


def known_kinds(kinds: list[str]) -> list[str]:
    """``kinds`` when every entry is a need kind; else a ValueError naming the unknown ones."""
    bad = sorted({k for k in kinds if k not in NEED_KINDS})
    if bad:
        shown = ", ".join(repr(k[:40]) for k in bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
        raise ValueError(f"unknown need kind(s) {shown}; allowed: {', '.join(NEED_KINDS)}")
    return kinds


class Section(BaseModel):
    """Base of every register section: strict about unknown keys, types (no quoted numbers,
    no booleans for numbers, no 2.0 for an integer) and NaN/inf."""

    model_config = ConfigDict(
        extra="forbid", allow_inf_nan=False, validate_assignment=True, frozen=False, strict=True
    )


# --------------------------------------------------------------------------
# Residents
# --------------------------------------------------------------------------


class GroupShares(Section):
    """Share of residents whose primary group is each group; ``others`` is the rest."""

    elderly: float = P(0.22, "share", 0, 1, data("Shanghai statistics"),
                       "Residents aged 60+ (about 30 % of hukou residents, ~22 % of all residents).")
    children_teens: float = P(0.13, "share", 0, 1, data("Shanghai statistics"),
                              "Children and teenagers under 18.")
    women_at_home: float = P(0.05, "share", 0, 1, ASSUMED,
                             "Women not in paid work (homemakers), incl. women who married in.")
    migrants: float = P(0.25, "share", 0, 1, data("Shanghai statistics"),
                        "Working-age residents from other provinces (about 40 % of all residents come from elsewhere).")
    drug_rehabilitation: float = P(0.002, "share", 0, 1, ASSUMED,
                                   "People in drug rehabilitation (source article: served by Ziqiang since 2004).")
    community_correction: float = P(0.001, "share", 0, 1, ASSUMED,
                                    "People under community correction (source article: Xinhang since 2004).")
    social_assistance: float = P(0.012, "share", 0, 1, ASSUMED,
                                 "Recipients of social assistance (minimum living guarantee and similar).")
    disabilities: float = P(0.025, "share", 0, 1, ASSUMED,
                            "People with disabilities (served by 'sunshine homes').")


def _rates(**kw: float) -> dict[str, float]:
    base = {k: 0.0 for k in NEED_KINDS}
    base.update(kw)
    return base


class KindRates(Section):
    """Monthly probability that a resident with no open need raises a need of each kind."""

    elder_care: float = P(0.0, "per resident-month", 0, 0.5, ASSUMED, "Elder-care need rate.")
    children_youth: float = P(0.0, "per resident-month", 0, 0.5, ASSUMED, "Children and youth need rate.")
    family: float = P(0.0, "per resident-month", 0, 0.5, ASSUMED, "Family need rate.")
    legal_mediation: float = P(0.0, "per resident-month", 0, 0.5, ASSUMED, "Legal aid and mediation need rate.")
    social_assistance: float = P(0.0, "per resident-month", 0, 0.5, ASSUMED, "Social-assistance need rate.")
    culture_sport: float = P(0.0, "per resident-month", 0, 0.5, ASSUMED, "Culture and sport need rate.")
    rehabilitation: float = P(0.0, "per resident-month", 0, 0.5, ASSUMED, "Rehabilitation need rate.")


def _kr(**kw: float) -> Any:
    return Field(default_factory=lambda: KindRates(**_rates(**kw)))


class NeedRates(Section):
    """Group-specific monthly need rates (assumption; to be refined with survey data)."""

    elderly: KindRates = _kr(elder_care=0.030, family=0.004, legal_mediation=0.003,
                             social_assistance=0.003, culture_sport=0.012, rehabilitation=0.006)
    children_teens: KindRates = _kr(children_youth=0.030, family=0.004, culture_sport=0.010)
    women_at_home: KindRates = _kr(family=0.012, children_youth=0.008, culture_sport=0.012,
                                   legal_mediation=0.003)
    migrants: KindRates = _kr(family=0.006, legal_mediation=0.006, social_assistance=0.003,
                              children_youth=0.004, culture_sport=0.004)
    drug_rehabilitation: KindRates = _kr(rehabilitation=0.06, family=0.015, social_assistance=0.01,
                                         legal_mediation=0.005)
    community_correction: KindRates = _kr(legal_mediation=0.04, family=0.015, social_assistance=0.01)
    social_assistance: KindRates = _kr(social_assistance=0.05, family=0.008, elder_care=0.004,
                                       legal_mediation=0.004)
    disabilities: KindRates = _kr(rehabilitation=0.04, social_assistance=0.01, family=0.006,
                                  culture_sport=0.004)
    others: KindRates = _kr(family=0.003, legal_mediation=0.003, culture_sport=0.005)


def _nb(lo: float, hi: float, dist: str, why: str) -> Evidence:
    """Direction from the Shanghai neighbourhood studies; the size is a hand-set range."""
    return study("Shanghai neighbourhood studies", False, lo, hi, dist, why)


class GroupFactors(Section):
    """A community type's resident mix: each group's share is the city share
    (``residents.group_shares``) times its factor; ``others`` takes the remainder."""

    elderly: float = P(1.0, "factor", 0, 5, _nb(0.5, 2.0, "triangular", "types' age mixes differ by up to "
                                                   "about half either way"),
                       "Factor on the share of residents aged 60+.")
    children_teens: float = P(1.0, "factor", 0, 5, assumed(0.5, 2.0, "triangular", "young families concentrate in "
                                                          "new estates"), "Factor on the share of children and teens.")
    women_at_home: float = P(1.0, "factor", 0, 5, assumed(0.5, 2.0, "triangular", "no data by type"),
                             "Factor on the share of women at home.")
    migrants: float = P(1.0, "factor", 0, 5, _nb(0.3, 3.0, "triangular", "migrants rent in old lanes and "
                                                    "fringe villages, rarely own in commodity estates"),
                        "Factor on the share of migrants.")
    drug_rehabilitation: float = P(1.0, "factor", 0, 5, assumed(0.5, 2.0, "triangular", "no data by type"),
                                   "Factor on the share of people in drug rehabilitation.")
    community_correction: float = P(1.0, "factor", 0, 5, assumed(0.5, 2.0, "triangular", "no data by type"),
                                    "Factor on the share of people under community correction.")
    social_assistance: float = P(1.0, "factor", 0, 5, _nb(0.3, 3.0, "triangular", "low-income households stay "
                                                             "in old and resettlement housing"),
                                 "Factor on the share of social-assistance recipients.")
    disabilities: float = P(1.0, "factor", 0, 5, assumed(0.5, 2.0, "triangular", "no data by type"),
                            "Factor on the share of people with disabilities.")


class KindFactors(Section):
    """A community type's need rates: every group's monthly rate of each kind times its factor."""

    elder_care: float = P(1.0, "factor", 0, 5, assumed(0.7, 1.5, "triangular", "old housing without lifts and "
                                                      "older people living alone need more care"),
                          "Factor on elder-care need rates.")
    children_youth: float = P(1.0, "factor", 0, 5, assumed(0.7, 1.5, "triangular", "no data by type"),
                              "Factor on children and youth need rates.")
    family: float = P(1.0, "factor", 0, 5, assumed(0.7, 1.5, "triangular", "no data by type"),
                      "Factor on family need rates.")
    legal_mediation: float = P(1.0, "factor", 0, 5, assumed(0.7, 1.5, "triangular", "shared kitchens, resettlement "
                                                           "and land disputes raise mediation needs"),
                               "Factor on legal-aid and mediation need rates.")
    social_assistance: float = P(1.0, "factor", 0, 5, assumed(0.7, 1.5, "triangular", "no data by type"),
                                 "Factor on social-assistance need rates.")
    culture_sport: float = P(1.0, "factor", 0, 5, assumed(0.7, 1.5, "triangular", "no data by type"),
                             "Factor on culture and sport need rates.")
    rehabilitation: float = P(1.0, "factor", 0, 5, assumed(0.7, 1.5, "triangular", "no data by type"),
                              "Factor on rehabilitation need rates.")


class TypeProfile(Section):
    """One community type: its resident mix, need rates, trust and participation, committee
    workload and space, each as a factor (or offset) on the city-wide parameter."""

    groups: GroupFactors = Field(default_factory=GroupFactors)
    needs: KindFactors = Field(default_factory=KindFactors)
    trust_offset: float = P(0.0, "trust (0-1)", -0.5, 0.5, _nb(-0.15, 0.15, "triangular", "long-settled "
                            "neighbours trust their committee more than owners in new estates"),
                            "Added to residents' initial trust in their committee (residents.trust_init).")
    participation_factor: float = P(1.0, "factor", 0, 5, _nb(0.5, 1.5, "triangular", "older, long-settled "
                                    "residents take part in committee activities more"),
                                    "Factor on the base chance of joining community activities "
                                    "(residents.participation_base) and on the initial participation.")
    admin_factor: float = P(1.0, "factor", 0.2, 3, assumed(0.8, 1.3, "triangular", "old housing, resettlement and "
                            "village affairs add committee tasks; property management takes some in commodity "
                            "estates"), "Factor on the committee's administrative burden (committees.admin_burden).")
    space_factor: float = P(1.0, "factor", 0, 3, assumed(0.5, 1.5, "triangular", "activity rooms are scarce in old "
                            "lanes and larger in new estates' clubhouses"),
                            "Factor on what a micro-project meets (committees.micro_project_needs_month): "
                            "activity space.")


def _type(groups: dict[str, float], needs: dict[str, float], **kw: float) -> Any:
    return Field(default_factory=lambda: TypeProfile(groups=GroupFactors(**groups), needs=KindFactors(**needs),
                                                     **kw))


class CommunityTypeProfiles(Section):
    """The community types' profiles (``COMMUNITY_TYPES``). Every number is an assumption
    whose direction follows the Shanghai neighbourhood studies: old lanes and work-unit
    estates are older, poorer and more tightly knit; commodity estates younger, richer, with
    less participation in committee affairs; resettlement estates poorer, with more disputes
    and less trust at first; fringe villages mostly migrant renters. ``generic`` is the
    city average (all factors 1)."""

    generic: TypeProfile = Field(default_factory=TypeProfile)
    old_lane: TypeProfile = _type(
        dict(elderly=1.5, children_teens=0.6, women_at_home=0.8, migrants=1.3, drug_rehabilitation=1.2,
             community_correction=1.2, social_assistance=2.0, disabilities=1.3),
        dict(elder_care=1.3, legal_mediation=1.2),
        trust_offset=0.05, participation_factor=1.2, admin_factor=1.15, space_factor=0.6)
    work_unit_estate: TypeProfile = _type(
        dict(elderly=1.4, children_teens=0.8, migrants=0.7, social_assistance=1.3, disabilities=1.2),
        dict(elder_care=1.1),
        trust_offset=0.08, participation_factor=1.3, admin_factor=1.0, space_factor=1.0)
    commodity_estate: TypeProfile = _type(
        dict(elderly=0.6, children_teens=1.4, women_at_home=1.3, migrants=0.6, drug_rehabilitation=0.5,
             community_correction=0.5, social_assistance=0.3, disabilities=0.6),
        dict(legal_mediation=0.8, culture_sport=1.2),
        trust_offset=-0.1, participation_factor=0.6, admin_factor=0.9, space_factor=1.3)
    resettlement_estate: TypeProfile = _type(
        dict(women_at_home=1.2, migrants=1.1, drug_rehabilitation=1.5, community_correction=1.5,
             social_assistance=1.8, disabilities=1.5),
        dict(family=1.2, legal_mediation=1.3, social_assistance=1.1),
        trust_offset=-0.08, participation_factor=0.8, admin_factor=1.15, space_factor=1.1)
    village: TypeProfile = _type(
        dict(elderly=0.7, migrants=2.2, community_correction=1.2),
        dict(legal_mediation=1.2, culture_sport=0.8),
        trust_offset=0.0, participation_factor=0.8, admin_factor=1.2, space_factor=0.8)


_SEVERITY_WHY = ("no Chinese or Shanghai scale weighs kinds of community need against each other; care-need and "
                 "case-risk gradings (Shanghai's unified elder-care needs assessment, casework risk levels) and "
                 "disability weights give only the order (daily care, rehabilitation and subsistence above "
                 "disputes and family matters above leisure)")
SEVERITY_UNIT = "weight (culture_sport = 1)"


class SeverityWeights(Section):
    """Outcome definition: how heavy a need of each kind is, in multiples of a culture or sport need.

    The weights change no behaviour; they weigh the needs met and lapsed in the severity-weighted
    outcomes (``needs_met_weighted``, ``needs_met_weighted_share``, ``equity_gap_groups_weighted``).
    The order follows what is at stake for the resident if the need waits (daily living, health,
    subsistence; then disputes and family; then leisure); the sizes are assumptions."""

    elder_care: float = P(4.0, SEVERITY_UNIT, 0, 20, assumed(2.0, 6.0, "uniform", _SEVERITY_WHY),
                          "Elder care (daily-living help, home care, meals for frail older people).")
    children_youth: float = P(2.0, SEVERITY_UNIT, 0, 20, assumed(1.0, 4.0, "uniform", _SEVERITY_WHY),
                              "Children and youth (after-school care to at-risk youth work).")
    family: float = P(2.5, SEVERITY_UNIT, 0, 20, assumed(1.5, 4.0, "uniform", _SEVERITY_WHY),
                      "Family (conflict, caregiving strain).")
    legal_mediation: float = P(2.5, SEVERITY_UNIT, 0, 20, assumed(1.5, 4.0, "uniform", _SEVERITY_WHY),
                               "Legal aid and mediation (neighbour and family disputes, legal advice).")
    social_assistance: float = P(4.0, SEVERITY_UNIT, 0, 20, assumed(2.0, 6.0, "uniform", _SEVERITY_WHY),
                                 "Social assistance (subsistence, the minimum living guarantee).")
    culture_sport: float = P(1.0, SEVERITY_UNIT, 1, 1, assumed(1.0, 1.0, "uniform",
                                                               "the unit of the scale: fixed at 1"),
                             "Culture and sport (classes, teams, activities): the unit of the scale.")
    rehabilitation: float = P(5.0, SEVERITY_UNIT, 0, 20, assumed(3.0, 8.0, "uniform", _SEVERITY_WHY),
                              "Rehabilitation (drug rehabilitation, disability rehabilitation).")


class PopulationChange(Section):
    """How the residents' mix changes month by month along cited series (``ageing``; off
    when no series is named). A named series is a file of ``data/`` (years up to 2015 only)."""

    elderly_series: str = P("", "data series (data/<name>.csv)", None, None,
                            data("Shanghai ageing monitoring (data/registered_aged60_share.csv)"),
                            "Series the share of residents aged 60+ follows, relative to its value in "
                            "reference_year ('' = no change); e.g. registered_aged60_share.")
    migrant_series: str = P("", "data series (data/<name>.csv)", None, None,
                            data("Shanghai statistics (data/migrant_share_of_residents.csv)"),
                            "Series the share of migrants follows, relative to its value in reference_year "
                            "('' = no change); e.g. migrant_share_of_residents.")
    reference_year: int = P(2015, "year", 2000, 2030, assumed(
        2015, 2015, "uniform", "the year the city shares (residents.group_shares) describe: the statistics "
        "of 2014-2015"), "The year whose value of each series the group shares stand for.")


HUKOU_RULE = data("Shanghai minimum living guarantee rules (最低生活保障: residents with a Shanghai household "
                  "registration only)")


class Residents(Section):
    """Resident behaviour: needs, help-seeking, satisfaction, trust, participation."""

    group_shares: GroupShares = Field(default_factory=GroupShares)
    population: PopulationChange = Field(default_factory=PopulationChange)
    hukou_only_kinds: list[str] = Field(
        default_factory=lambda: ["social_assistance"],
        description="Need kinds whose public services (the committee, its micro-projects and the partners it refers "
                    "to) are for registered (hukou) residents only: migrants' needs of these kinds brought to the "
                    "committee are turned away (they wait and lapse); organizations serve them directly.",
        json_schema_extra={"unit": "need kinds", "source": HUKOU_RULE.source, "evidence": HUKOU_RULE,
                           "lo": None, "hi": None})

    @field_validator("hukou_only_kinds")
    @classmethod
    def _known_hukou_kinds(cls, v: list[str]) -> list[str]:
        return known_kinds(v)
    need_rates: NeedRates = Field(default_factory=NeedRates)
    severity: SeverityWeights = Field(default_factory=SeverityWeights)
    lapse_rate: float = P(0.15, "per need-month", 0, 1, assumed(
        0.05, 0.3, "uniform", "how fast residents give up on an unmet need is not observed: "
        "within a few months to a year"),
                          "Monthly probability that a waiting (unmet) need lapses.")
    max_wait_months: int = P(6, "months", 1, 60, ASSUMED,
                             "A need still unmet after this many months lapses.")
    equity_min_closed_needs: int = P(20, "needs closed over 12 months", 0, 100000, ASSUMED,
                                     "Outcome definition: a resident group counts in equity_gap_groups only with at "
                                     "least this many needs closed (met or lapsed) over the window, so tiny groups do "
                                     "not swing the gap.")
    express_base: float = P(0.35, "probability per month", 0, 1, ASSUMED,
                            "Chance a resident brings an open need forward, before trust and awareness.")
    express_trust: float = P(0.35, "probability per unit trust", 0, 1, ASSUMED,
                             "Extra chance of bringing a need forward per unit of trust in the committee.")
    express_awareness: float = P(0.25, "probability per unit awareness", 0, 1, ASSUMED,
                                 "Extra chance of bringing a need forward per unit of awareness of services.")
    direct_to_org_awareness: float = P(0.6, "probability per unit awareness", 0, 1, ASSUMED,
                                       "Chance an aware resident turns to an organization directly, not the committee.")
    awareness_init: float = P(0.2, "share (0-1)", 0, 1, ASSUMED,
                              "Mean initial awareness of organizations' services.")
    awareness_gain_served: float = P(0.3, "per need met by an organization", 0, 1, ASSUMED,
                                     "Awareness step towards 1 after an organization meets a need.")
    awareness_gain_neighbours: float = P(0.02, "per month per unit neighbour awareness", 0, 1,
                                         ASSUMED, "Word of mouth: monthly step up towards the committee area's mean awareness.")
    awareness_decay: float = P(0.01, "per month", 0, 1, ASSUMED,
                               "Monthly relative decay of awareness.")
    satisfaction_init: float = P(0.6, "score (0-1)", 0, 1, ASSUMED, "Initial satisfaction.")
    satisfaction_step: float = P(0.3, "weight", 0, 1, ASSUMED,
                                 "Weight of the latest need outcome in satisfaction (exponential average).")
    quality_wait_penalty: float = P(0.04, "score per month waited", 0, 1, ASSUMED,
                                    "Loss of experienced quality per month a need waited.")
    trust_init: float = P(0.55, "score (0-1)", 0, 1, ASSUMED, "Initial trust in the committee.")
    trust_step: float = P(0.15, "weight", 0, 1, ASSUMED,
                          "Weight of a committee-channel outcome in trust (exponential average).")
    participation_init: float = P(0.12, "share", 0, 1, ASSUMED,
                                  "Initial share of residents taking part in community activities.")
    participation_base: float = P(0.002, "per month", 0, 1, ASSUMED,
                                  "Monthly chance a non-participant joins, before peers and satisfaction.")
    participation_peer: float = P(0.025, "per month per unit neighbour share", 0, 1, ASSUMED,
                                  "Extra joining chance per unit share of participating neighbours (co-production).")
    participation_satisfaction: float = P(0.004, "per month per unit satisfaction", 0, 1, ASSUMED,
                                          "Extra joining chance per unit satisfaction above 0.5.")
    participation_project_pull: float = P(0.01, "per month", 0, 1, ASSUMED,
                                          "Extra joining chance where the committee runs micro-projects.")
    participation_quit: float = P(0.035, "per month", 0, 1, ASSUMED,
                                  "Monthly chance a participant stops.")
    volunteer_share: float = P(0.4, "share of participants", 0, 1, ASSUMED,
                               "Share of participants who volunteer (the rest attend).")
    group_participation_bias: float = P(0.5, "relative", 0, 5, study(
        "co-production studies", False, 0.0, 1.0, "uniform",
        "studies say women and older people take part more, not by how much: from no extra to double"),
                                        "Extra joining propensity of elderly and women at home (women and older people take part more).")
    publicity_awareness: float = P(0.0, "per month", 0, 1, assumed(quote="連續成功舉辦四屆“上海公益伙伴日”活動"),
                                   "Publicity (partner days, radio, social-work weeks): monthly step of awareness towards 1 (lever).")
    publicity_participation: float = P(0.0, "per month", 0, 1, assumed(quote="連續成功舉辦四屆“上海公益伙伴日”活動"),
                                       "Publicity: extra monthly chance a non-participant joins (lever).")
    publicity_budget_yuan: float = P(0.0, "yuan per 100,000 residents-year", 0, 1e8, ASSUMED,
                                     "Publicity spending (partner days, radio, social-work weeks), paid by the district.")
    neighbours: int = P(6, "ties per resident", 0, 50, ASSUMED,
                        "Neighbour ties per resident (2 x floor(n/2)): a circulant graph within each committee area.")
    turnout_base: float = P(0.3, "share", 0, 1, ASSUMED,
                            "Election turnout of residents with no trust and no participation.")
    turnout_trust: float = P(0.4, "share per unit trust", 0, 1, ASSUMED,
                             "Extra turnout per unit trust.")
    turnout_participation: float = P(0.3, "share", 0, 1, ASSUMED,
                                     "Extra turnout of participants.")


# --------------------------------------------------------------------------
# Residents' committees
# --------------------------------------------------------------------------


class Committees(Section):
    """Residents' committees: staff time, burden, service, partnerships, micro-projects, elections."""

    staff: int = P(9, "workers per committee", 1, 100, ASSUMED,
                   "Community workers per committee (places: filled by regular community workers or social workers, or vacant).")
    staff_attrition_base: float = P(0.1, "quits per worker-year", 0, 1, assumed(
        0.05, 0.2, "uniform", "no turnover series for Shanghai's community workers; locally recruited and "
        "older than social workers, so assumed below the 10-30 % reported for social workers"),
                                    "Turnover of regular community workers at a wage equal to the outside option (the social workers' quit rule with this base).")
    staff_fill_rate: float = P(0.5, "per vacant place-month", 0, 1, assumed(
        0.2, 0.9, "uniform", "committees recruit locally (street recruitment rounds); from a few weeks to half a "
        "year to fill a place: no data"),
                               "Chance a month that a vacant community-worker place is filled from the local labour market at a wage equal to the average wage (scaled like lateral filling).")
    staff_experience_years: float = P(5.0, "years", 0, 40, ASSUMED,
                                      "Mean experience of a committee's regular community workers at the start.")
    sw_posts_share: float = P(0.2, "share of staff", 0, 1, CALIBRATED,
                              "Share of committee posts filled by professional social workers when available.")
    hours_per_staff_month: float = P(168.0, "hours per worker-month", 40, 300, ASSUMED,
                                     "Working hours per community worker per month.")
    admin_burden: float = P(0.5, "share of time", 0, 1, study("committee surveys", True),
                            "Share of committee time spent on administrative tasks handed down (about half).")
    new_task_drift: float = P(0.0005, "share per month", 0, 0.1, assumed(
        0.0, 0.001, "uniform", "no series of committee workload over time: from no growth to twice the default"),
                              "Monthly growth of the administrative burden from new tasks handed down (ungated).")
    new_task_gate: float = P(0.0, "share of new tasks blocked", 0, 1, ASSUMED,
                             "Share of new administrative tasks stopped by a gate (committee reform lever).")
    max_admin_burden: float = P(0.85, "share of time", 0, 1, ASSUMED,
                                "Ceiling of the administrative burden.")
    hours_per_need: float = P(10.0, "staff hours per need met", 0.5, 200, assumed(
        5.0, 20.0, "loguniform", "from a short visit or call to two days of casework per need; no time-use "
        "data on committee work (moves needs met most of all, issue 14)"),
                              "Staff time a committee spends to meet one need itself.")
    own_service_share: float = P(0.6, "share of service time", 0, 1, ASSUMED,
                                 "Share of service time spent meeting needs itself (rest: outreach, referrals).")
    certified_quality_gain: float = P(0.25, "score", 0, 1, ASSUMED,
                                      "Extra quality of a need met by a certified social worker.")
    quality_base: float = P(0.6, "score (0-1)", 0, 1, ASSUMED,
                            "Quality of a need met by uncertified staff.")
    partner_search_rate: float = P(0.15, "per month", 0, 1, ASSUMED,
                                   "Monthly chance a committee with unmet demand invites a new partner organization.")
    partner_decay: float = P(0.05, "per month", 0, 1, ASSUMED,
                             "Monthly decay of partnership strength without performance.")
    partner_reinforce: float = P(0.2, "per unit performance", 0, 1, ASSUMED,
                                 "Weight of the partner's performance (best quality it gave the committee's referred needs this month, 0 if none) in the strength.")
    partner_drop_below: float = P(0.15, "strength", 0, 1, ASSUMED,
                                  "Partnerships weaker than this end.")
    max_partners: int = P(6, "organizations", 0, 50, ASSUMED,
                          "Most partner organizations a committee keeps.")
    partner_capacity_share: float = P(0.5, "share", 0, 1, ASSUMED,
                                      "Share of a partner's capacity offered to its partner committees' referrals (split over them by demand).")
    building_heads_per_1000: float = P(10.0, "building heads per 1,000 residents", 0, 100, assumed(
        5.0, 20.0, "uniform", "one building head (楼组长) per building or stairwell of some 30-50 households"),
                                      "Building heads (楼组长): residents who keep their building's volunteers active.")
    volunteers_per_head: float = P(3.0, "volunteers per building head", 0, 50, assumed(
        1.0, 6.0, "uniform", "a building head keeps a few neighbours visiting and helping; no count published"),
                                   "Volunteers a building head keeps active.")
    volunteer_hours_month: float = P(2.0, "hours per active volunteer-month", 0, 100, assumed(
        1.0, 6.0, "uniform", "an hour or two a month to a weekly visit"),
                                     "Hours an active volunteer gives a month through the building heads.")
    volunteer_hours_per_need: float = P(8.0, "volunteer hours per need met", 0.5, 200, assumed(
        4.0, 16.0, "uniform", "a month of weekly visits or help with an activity"),
                                        "Volunteer time to meet one need.")
    volunteer_trust_ref: float = P(0.5, "trust (0-1)", 0.01, 1, assumed(
        0.3, 0.7, "uniform", "residents volunteer through a committee they trust (direction: co-production "
        "studies)"), "Mean trust in the committee at which building heads keep all the volunteers they can; "
                     "below it, proportionally fewer.")
    volunteer_quality_offset: float = P(-0.1, "score", -1, 1, assumed(
        -0.2, 0.0, "uniform", "untrained neighbours: a little below committee staff"),
                                        "Quality of a need volunteers meet, relative to quality_base.")
    volunteer_kinds: list[str] = Field(default_factory=lambda: ["elder_care", "culture_sport", "children_youth"],
                                       description="Need kinds building-head volunteers meet (visits to older "
                                                   "people, activities, homework help).",
                                       json_schema_extra={"unit": "need kinds", "source": ASSUMED.source,
                                                          "evidence": ASSUMED, "lo": None, "hi": None})
    co_building_coverage: float = P(0.0, "share of committees", 0, 1, ASSUMED,
                                    "Regional co-building (区域化党建): share of committees (in coverage order) whose "
                                    "area's units (firms, schools, offices) pool volunteers and venues with them.")
    co_building_volunteers_per_1000: float = P(3.0, "volunteers per 1,000 residents", 0, 100, assumed(
        1.0, 6.0, "uniform", "staff of the units in a committee's area volunteering through co-building"),
                                               "Volunteers the area's units lend a committee in co-building.")
    co_building_space_gain: float = P(0.3, "added space factor", 0, 3, assumed(
        0.1, 0.5, "uniform", "units open meeting rooms and halls to residents' projects"),
                                      "Added to the community type's space_factor (micro-projects) in co-building.")

    @field_validator("volunteer_kinds")
    @classmethod
    def _known_volunteer_kinds(cls, v: list[str]) -> list[str]:
        return known_kinds(v)

    micro_project_cost_yuan: float = P(15000.0, "yuan per project-year", 1000, 200000,
                                       data("Lujiazui self-governance fund practice"),
                                       "Cost of one residents' micro-project (10-20 thousand yuan).")
    micro_project_needs_month: float = P(6.0, "needs per project-month", 0, 100, assumed(
        2.0, 12.0, "loguniform", "8 volunteers and 15,000 yuan a year meet a few to a dozen needs a month; nothing "
        "observed (it decides the ranking of the practice modes, issue 14)"),
                                         "Needs a running micro-project meets per month.")
    volunteers_per_project: int = P(8, "volunteers", 1, 100, ASSUMED,
                                    "Volunteers a micro-project needs.")
    micro_project_months: int = P(12, "months", 1, 120, ASSUMED,
                                  "Length of a residents' micro-project.")
    project_kinds: list[str] = Field(default_factory=lambda: ["elder_care", "children_youth", "family", "culture_sport"],
                                     min_length=1, description="Need kinds residents' micro-projects meet.",
                                     json_schema_extra={"unit": "need kinds", "source": ASSUMED.source,
                                                        "evidence": ASSUMED,
                                                        "lo": None, "hi": None})
    self_governance_fund_yuan: float = P(0.0, "yuan per committee-year", 0, 5e6, ASSUMED,
                                         "Self-governance fund granted to each covered committee each year (lever).")
    fund_coverage: float = P(1.0, "share of committees", 0, 1, ASSUMED,
                             "Share of committees that receive the self-governance fund.")
    burden_cut: float = P(0.0, "share of burden", 0, 1, ASSUMED,
                          "Share of the administrative burden removed by a task list (committee reform).")
    admin_to_street_share: float = P(0.4, "share of tasks moved", 0, 1, assumed(
        0.2, 0.6, "uniform", "no account says where the listed-out tasks went; the street office is the "
        "nearest level and takes the largest part"),
                                     "Share of the administrative tasks taken off committees (task list, gate on new "
                                     "tasks) that street staff now do.")
    admin_to_departments_share: float = P(0.3, "share of tasks moved", 0, 1, assumed(
        0.1, 0.5, "uniform", "no account says where the listed-out tasks went; the departments that raised "
        "them keep part"),
                                          "Share of the administrative tasks taken off committees that the district's "
                                          "other departments now do; the rest is dropped (when the two shares add up "
                                          "to more than 1 they are scaled down to add up to 1).")
    direct_election_share: float = P(0.1, "share of committees", 0, 1, ASSUMED,
                                     "Share of committees whose members are directly elected.")
    election_interval_months: int = P(36, "months", 12, 120, data(
        "Organic Law of Urban Residents' Committees 1989",
        note="art. 8: a three-year term; the article names the 2015 round"),
                                      "Months between committee elections (2015 round named in the article).")
    election_month: int = P(3, "month of year", 1, 12, ASSUMED,
                            "Calendar month of committee elections.")
    direct_responsiveness: float = P(0.15, "share of service time", 0, 1, ASSUMED,
                                     "Extra service share of a directly elected committee (responsiveness).")
    election_trust_gain: float = P(0.1, "trust", 0, 1, ASSUMED,
                                   "Trust gain of voters after a direct election.")
    training_rate: float = P(0.0, "per worker-year", 0, 1, ASSUMED,
                             "Share of non-social-work staff trained in social work per year (internal development).")
    trained_quality_gain: float = P(0.1, "score", 0, 1, ASSUMED,
                                    "Extra quality of a need met by staff trained (not certified) in social work.")
    development_coverage: float = P(1.0, "share of committees", 0, 1, assumed(
        quote="黃浦區小東門街道荷花池居委會工作人員學習社會工作知識"),
                                    "Share of committees that practise internal development (training at "
                                    "training_rate, co-design at development_search_rate, the exam at "
                                    "development_exam_take_rate), in the fixed coverage order of committees; the "
                                    "article's Hehuachi is one committee of its street.")
    development_search_rate: float = P(0.0, "per month", 0, 1, ASSUMED,
                                       "Co-design with organizations: monthly chance a committee practising internal "
                                       "development with unmet demand invites a new partner (when above "
                                       "partner_search_rate).")
    development_exam_take_rate: float = P(0.0, "share of regular committee staff per year", 0, 1, ASSUMED,
                                          "Regular staff of a committee practising internal development sitting "
                                          "the social-work exam each year (when above "
                                          "social_workers.staff_exam_take_rate).")
    guidance_saturation_hours: float = P(10.0, "guidance hours per committee-month", 0.1, 1000, assumed(
        4.0, 30.0, "loguniform", "a professional organization's worker spending an afternoon to a few days a "
        "month with a committee and its residents' project teams; no time-use account is cited"),
                                         "Guidance hours a month (delivered by the guidance contract's social "
                                         "workers, streets.guidance_budget_yuan) at which a committee's guidance "
                                         "intensity reaches 1 (linear below).")
    guidance_quality_gain: float = P(0.1, "score per unit guidance", 0, 1, ASSUMED,
                                     "Quality gain of committee staff at guidance intensity 1.")
    project_quality_offset: float = P(-0.05, "score", -1, 1, ASSUMED,
                                      "Quality of residents' micro-projects relative to quality_base.")
    project_guidance_gain: float = P(0.2, "score per unit guidance", 0, 1, ASSUMED,
                                     "Quality gain of micro-projects at guidance intensity 1.")
    new_partner_strength: float = P(0.5, "strength", 0, 1, ASSUMED,
                                    "Strength of a newly formed partnership.")

    @field_validator("project_kinds")
    @classmethod
    def _known_kinds(cls, v: list[str]) -> list[str]:
        return known_kinds(v)


# --------------------------------------------------------------------------
# Street offices
# --------------------------------------------------------------------------


class Streets(Section):
    """Street offices: budgets, venues, platforms, purchase of services by tender."""

    purchase_budget_yuan: float = P(0.0, "yuan per 100,000 residents-year", 0, 1e9, ASSUMED,
                                    "Purchase-of-services budget a street spends by tender (lever).")
    tender_month: int = P(1, "month of year", 1, 12, ASSUMED, "Month contracts are tendered.")
    oversight_lag_months: int = P(6, "months after the tender month", 1, 11, ASSUMED,
                                  "Months from the tender to the evaluation of running contracts (half-way through "
                                  "the contract year).")
    contract_months: int = P(12, "months", 1, 60, ASSUMED, "Length of a service contract.")
    unit_cost_yuan: float = P(450.0, "yuan per need met", 10, 100000, assumed(
        150, 1200, "loguniform", "no Shanghai purchasing catalogue's price per case was found; a case of "
        "community service takes a few hours of a social worker (30-60 yuan an hour with overheads) up to "
        "several casework sessions; one Shanghai street's report (Caojiadu, Jing'an, 2010-2017: 34 purchased "
        "projects, 15.25 M yuan, 926,000 service attendances, 16.5 yuan an attendance) counts attendances, "
        "not cases, so it bounds the price of one visit, not of a need met"),
                              "Price an organization bids per need met under contract (the contract's unit price).")
    contract_advance_months: float = P(3.0, "months of contracted value", 0, 12, assumed(
        1.0, 6.0, "uniform", "purchase contracts commonly pay a first instalment of a quarter to a half of "
        "the value at signing, so that the provider can hire; not documented for Shanghai's street contracts"),
        "Advance paid at signing, in months of the contracted volume at the price, set off against the "
        "instalments (what is not set off goes back).")
    price_spread: float = P(0.25, "relative", 0, 2, ASSUMED,
                            "Spread of bid prices around the unit cost (cheaper with experience).")
    weight_price: float = P(0.3, "weight", 0, 1, study("contracting studies", False), "Tender weight of price.")
    weight_quality: float = P(0.3, "weight", 0, 1, study("contracting studies", False), "Tender weight of quality.")
    weight_track_record: float = P(0.3, "weight", 0, 1, study("contracting studies", False),
                                   "Tender weight of reputation.")
    weight_incumbency: float = P(0.1, "weight", 0, 1, study("Chinese purchase-of-services studies", False),
                                 "Tender weight of being the incumbent or the street's own organization.")
    max_bidders: int = P(5, "bidders", 1, 100, study(
        "contracting studies", False, 3, 8, "uniform", "studies find three bidders give most of the "
        "benefit; street tenders draw a handful"),
                         "Bidders a tender considers (three already give most of the benefit).")
    catalogue_min_age_months: int = P(6, "months since registration", 0, 120, assumed(quote=CATALOGUE),
                                      "Eligibility catalogue: minimum months registered to bid.")
    catalogue_min_reputation: float = P(0.3, "score (0-1)", 0, 1, assumed(quote=CATALOGUE),
                                        "Eligibility catalogue: minimum reputation to bid.")
    lose_contract_below: float = P(0.0, "score (0-1)", 0, 1, ASSUMED,
                                   "Oversight: contracts are withdrawn from organizations evaluated below this.")
    evaluation_cost_yuan: float = P(0.0, "yuan per evaluation", 0, 1e6, ASSUMED,
                                    "Cost of a third-party evaluation, paid by the district.")
    purchase_kinds: list[str] = Field(default_factory=lambda: list(NEED_KINDS),
                                      description="Need kinds the purchase catalogue allows.",
                                      json_schema_extra={"unit": "need kinds", "source": ASSUMED.source,
                                                         "evidence": assumed(quote=CATALOGUE),
                                                         "lo": None, "hi": None})

    @field_validator("purchase_kinds")
    @classmethod
    def _known_kinds(cls, v: list[str]) -> list[str]:
        return known_kinds(v)
    posts_per_100k: float = P(0.0, "posts per 100,000 residents", 0, 1000, ASSUMED,
                              "Social-work posts the government pays for in an agency (purchase of posts; lever).")
    post_yuan_year: float = P(60000.0, "yuan per post-year", 0, 1e7, assumed(
        40000, 100000, "uniform", "Shenzhen paid 60,000 yuan a post-year in 2008 (wage, welfare and the "
        "agency's costs; China Daily, 11 Jan 2008); no Shanghai figure for the 2004 agencies was found"),
                              "Most the government pays a year for one filled post (it pays the post's wage "
                              "up to this).")
    post_kinds: list[str] = Field(default_factory=lambda: ["children_youth", "legal_mediation", "rehabilitation"],
                                  description="Need kinds government-paid posts serve across the street (the 2004 "
                                              "agencies: drug rehabilitation, community correction, youth).",
                                  json_schema_extra={"unit": "need kinds", "source": ASSUMED.source,
                                                     "evidence": assumed(quote=AGENCIES_2004),
                                                     "lo": None, "hi": None})

    @field_validator("post_kinds")
    @classmethod
    def _known_post_kinds(cls, v: list[str]) -> list[str]:
        return known_kinds(v)
    evaluation_coverage: float = P(0.3, "share of contracts", 0, 1, ASSUMED,
                                   "Share of contracts whose performance is evaluated each year.")
    platform: float = P(0.0, "share of streets", 0, 1, assumed(quote=PLATFORM),
                        "Share of streets that commission one organization to run a community platform (citizen centre).")
    platform_fee_yuan: float = P(600000.0, "yuan per year", 0, 1e8, ASSUMED,
                                 "Yearly fee paid to the organization running the platform.")
    platform_partner_strength: float = P(0.6, "strength", 0, 1, ASSUMED,
                                         "Strength of the partnerships the platform brings to every committee at "
                                         "commissioning and of those its monthly referrals make (at least).")
    platform_agency_preference: float = P(0.2, "score", 0, 1, ASSUMED,
                                          "Score bonus of social-work agencies when the street picks the platform organization.")
    tender_capacity_factor: float = P(1.5, "relative", 0.1, 10, ASSUMED,
                                      "A contract is at most this times what the winner's capacity delivers at its price.")
    contract_max_hires: int = P(3, "social workers per contract", 0, 20, assumed(
        0, 6, "uniform", "a street project is staffed by one to a few social workers; the article's project "
        "funding 'hires professional social workers to run service projects'", quote=LOTTERY),
        "Social workers a bidder may commit to hire to deliver a contract's volume (the volume then counts "
        "their output); the hires are posted until filled.")
    price_experience_discount: float = P(0.1, "share", 0, 1, ASSUMED,
                                         "Bid price discount of an organization registered price_discount_months or more (linear).")
    price_discount_months: int = P(60, "months since registration", 1, 600, ASSUMED,
                                   "Months of registration over which the bid price discount for experience reaches its full value.")
    unmet_memory_months: float = P(12.0, "months", 1, 120, ASSUMED,
                                   "Memory of the unmet needs a street sees (exponential window).")
    platform_partner_slots: int = P(4, "organizations", 0, 50, assumed(
        2, 8, "uniform", "the article says several (多家) partners for four groups; two to eight", quote=PLATFORM),
                                    "Partner organizations on the platform's roster: brought in at commissioning, "
                                    "recruited later for need kinds no roster member serves.")
    platform_referrals_month: int = P(10, "committees per month", 0, 1000, assumed(
        2, 25, "uniform", "the article says the centre brings in partners according to the community's needs "
        "(根據社區發展需求), not how often; a few to all of a street's committees a month", quote=PLATFORM),
                                      "Committees whose most unmet need kind the platform organization refers to a "
                                      "partner organization each month (most unmet first).")
    platform_referral_hours: float = P(3.0, "staff hours per referral", 0, 100, assumed(
        1.0, 8.0, "loguniform", "a call, a meeting and a follow-up per referral; no time-use data"),
                                       "Staff hours of the platform organization a referral takes (off its "
                                       "service capacity).")
    guidance_budget_yuan: float = P(0.0, "yuan per 100,000 residents-year", 0, 1e8, assumed(
        quote="通過專業組織的介入,引導社區居民發現需求,提升項目化運作能力",
        note="the article names the guidance, not its price; the preset's 300,000 yuan is an assumption"),
                                    "Yearly guidance contract a street awards to a professional (social-work) "
                                    "organization, paid per guidance hour delivered (the professional-guidance mode; "
                                    "model/guidance.py).")
    guidance_hour_yuan: float = P(150.0, "yuan per guidance hour", 1, 1e4, assumed(
        80.0, 300.0, "loguniform", "a social worker's wage and on-costs (about 40 yuan an hour) plus the "
        "agency's overhead and preparation; Shanghai agencies' hourly rates are not cited"),
                                  "Price of an hour of guidance the contract pays the organization.")
    guidance_hours_per_worker_month: float = P(60.0, "hours per social worker-month", 0, 167, assumed(
        30.0, 100.0, "uniform", "a fifth to three fifths of a social worker's 167 hours; the rest is the "
        "organization's own service"),
                                               "Most hours a month each of the guidance organization's social "
                                               "workers spends guiding committees and residents' projects.")
    service_centre: float = P(0.0, "share of streets", 0, 1, ASSUMED,
                              "Share of streets a social-organization service centre covers.")
    service_centre_running_cost_yuan: float = P(300000.0, "yuan per centre-year", 0, 1e8, ASSUMED,
                                                "Cost of running a service centre, paid by the street.")
    incubator: float = P(0.0, "share of streets", 0, 1, ASSUMED,
                         "Share of streets an incubator serves.")
    incubator_running_cost_yuan: float = P(200000.0, "yuan per incubator-year", 0, 1e8, ASSUMED,
                                           "Cost of running an incubator, paid by the district (incubators are district bases).")
    venues: int = P(8, "venues per street", 0, 200, assumed(
        quote="老年活動室、百姓健身房、志愿服務中心、陽光之家、助餐點等場地資源"),
                    "Community venues (activity centres, elderly rooms, meal points, ...).")
    venues_open_share: float = P(0.0, "share of venues", 0, 1, ASSUMED,
                                 "Share of venues opened free to organizations.")
    budget_guaranteed: float = P(0.0, "0 or 1", 0, 1, ASSUMED,
                                 "Street budget guaranteed by the district (2014 reform); below 1 budgets vary with revenue.")
    budget_volatility: float = P(0.3, "log-scale sd", 0, 3, ASSUMED,
                                 "Year-to-year shortfall of an unguaranteed street's purchase budget (log-normal, cut at 1).")
    service_support_hours: float = P(0.0, "hours per committee-month", 0, 1000, ASSUMED,
                                     "Street staff hours supporting each committee's service (street reform), "
                                     "paid by the street at the street staff's hourly cost.")
    street_staff: int = P(30, "workers per street", 0, 1000, assumed(
        15, 60, "uniform", "no staffing table is cited; a street office's community-affairs, self-governance and "
        "service offices employ a few dozen people"),
                          "Street-office staff doing community work (community affairs, self-governance, services).")
    street_staff_wage_yuan: float = P(7000.0, "yuan per month", 0, 1e6, assumed(
        5000.0, 10000.0, "uniform", "street staff are civil servants and contract staff paid above the city's "
        "average wage (5,939 yuan in 2015); no pay table is cited"),
                                      "Monthly wage of a street-office staff member, paid by the street.")
    staff_hours_month: float = P(167.0, "hours per worker-month", 100, 300, data(
        "Chinese working-hours rules", note="40 hours a week: 2,000 hours a year, 167 a month"),
                                 "Working hours of a street or district staff member per month (prices their hours).")
    department_hour_yuan: float = P(60.0, "yuan per staff hour", 0, 1e4, assumed(
        30.0, 120.0, "loguniform", "staff of district departments cost about as much as street staff; known to "
        "a factor of two"),
                                    "Cost of an hour of a district department's staff (wage and on-costs).")
    venue_upkeep_yuan: float = P(40000.0, "yuan per venue-year", 0, 1e8, assumed(
        15000.0, 100000.0, "loguniform", "utilities, cleaning, a caretaker's hours and repairs of an activity "
        "room or meal point; no budget line is cited"),
                                 "Yearly upkeep of a community venue, paid by the street (every venue, open or not).")
    venue_open_cost_yuan: float = P(20000.0, "yuan per venue-year", 0, 1e8, assumed(
        5000.0, 60000.0, "loguniform", "longer opening hours, access management and wear of a venue shared with "
        "organizations; no budget line is cited"),
                                    "Extra yearly cost of a venue opened to organizations, paid by the street.")
    investment_duty_share: float = P(0.3, "share of street time", 0, 1, assumed(
        0.1, 0.5, "uniform", "the article says the duty was removed, not how much time it took", quote=INVESTMENT),
                                     "Share of street effort on investment attraction (removed by the 2014 reform).")
    admin_push: float = P(0.0005, "burden share per month", 0, 0.1, ASSUMED,
                          "Extra monthly burden a street pushes onto committees per unit investment duty.")


# --------------------------------------------------------------------------
# Social organizations
# --------------------------------------------------------------------------


class FounderKindShares(Section):
    """Share of would-be founders by organization kind."""

    life_services: float = P(0.25, "share", 0, 1, ASSUMED, "Life-service founders.")
    welfare_charity: float = P(0.2, "share", 0, 1, ASSUMED, "Welfare and charity founders.")
    culture_sport: float = P(0.3, "share", 0, 1, ASSUMED, "Culture and sport founders.")
    mediation: float = P(0.1, "share", 0, 1, ASSUMED, "Mediation founders.")
    social_work_agency: float = P(0.15, "share", 0, 1, ASSUMED, "Social-work agency founders.")


class FeeShares(Section):
    """Share of needs met of each kind that organizations charge residents a fee for: fees are
    usual for care and classes, rare for assistance, mediation and rehabilitation (residents in
    need cannot pay)."""

    elder_care: float = P(0.6, "share", 0, 1, ASSUMED, "Charged share of elder-care needs met.")
    children_youth: float = P(0.4, "share", 0, 1, ASSUMED, "Charged share of children and youth needs met.")
    family: float = P(0.2, "share", 0, 1, ASSUMED, "Charged share of family needs met.")
    legal_mediation: float = P(0.0, "share", 0, 1, ASSUMED, "Charged share of legal and mediation needs met.")
    social_assistance: float = P(0.0, "share", 0, 1, ASSUMED, "Charged share of social-assistance needs met.")
    culture_sport: float = P(0.5, "share", 0, 1, ASSUMED, "Charged share of culture and sport needs met.")
    rehabilitation: float = P(0.1, "share", 0, 1, ASSUMED, "Charged share of rehabilitation needs met.")


class Organizations(Section):
    """Social organizations: founding, registration, accounts, staffing, capacity, failure."""

    founder_kind_shares: FounderKindShares = Field(default_factory=FounderKindShares)
    initial_per_100k: float = P(6.0, "organizations per 100,000 residents", 0, 1000, ASSUMED,
                                "Registered organizations at the start.")
    founders_per_100k: float = P(40.0, "would-be founders per 100,000 residents", 0, 10000,
                                 ASSUMED, "Pool of would-be founders (replenished yearly).")
    founding_rate: float = P(0.02, "per founder-month", 0, 1, CALIBRATED,
                             "Monthly chance a would-be founder tries, at zero barriers and reference density.")
    density_legitimation: float = P(0.08, "per organization per 10,000 residents", 0, 10,
                                    study(
                                        "Hannan & Carroll 1992", False, 0.03, 0.2, "loguniform",
                                        "the study gives the inverted U, not its size for "
                                        "Shanghai organizations per 10,000 residents"),
                                    "Founding rises with density (legitimation).")
    density_competition: float = P(0.004, "per (organization per 10,000 residents)^2", 0, 10,
                                   study(
                                       "Hannan & Carroll 1992", False, 0.0015, 0.01, "loguniform",
                                       "the study gives the inverted U, not its size; the founding peak "
                                       "(legitimation / 2 competition) stays within 2-30 per 10,000"),
                                   "Founding falls at high density (competition).")
    registration_delay_months: float = P(9.0, "months (mean)", 0, 60, ASSUMED,
                                         "Mean time to finish registration (with a sponsor: slow).")
    registration_cost_yuan: float = P(20000.0, "yuan", 0, 1e7, ASSUMED,
                                      "Cost of getting registered (fees, documents, sponsor).")
    capital_requirement_yuan: float = P(30000.0, "yuan", 0, 1e7, data(
        "Regulations on Social Organizations 1998",
        note="art. 10: 30,000 yuan of activity funds for a local social group (社会团体); the rule for private "
             "non-enterprise units names no sum"),
                                        "Founding capital required to register.")
    premises_required: float = P(1.0, "0 or 1", 0, 1, data(
        "Regulations on Social Organizations 1998", note="art. 10: fixed premises required"),
                                 "Registration needs premises (a lease paid from the start).")
    cost_sensitivity: float = P(1.0, "per 100,000 yuan", 0, 100, ASSUMED,
                                "Deterrence of founding by up-front cost.")
    delay_sensitivity: float = P(0.05, "per month of delay", 0, 10, ASSUMED,
                                 "Deterrence of founding by registration delay.")
    abandon_rate: float = P(0.06, "per month while registering", 0, 1, ASSUMED,
                            "Monthly chance a registration is abandoned ('many never finished').")
    founder_capital_median_yuan: float = P(40000.0, "yuan", 0, 1e8, ASSUMED,
                                           "Median capital a founder brings (log-normal).")
    founder_capital_sigma: float = P(0.8, "log-scale sd", 0, 5, ASSUMED,
                                     "Spread of founders' capital.")
    rent_yuan_month: float = P(2500.0, "yuan per month", 0, 1e6, ASSUMED,
                               "Office rent of an organization.")
    rent_subsidy_share: float = P(0.0, "share of rent", 0, 1, ASSUMED,
                                  "Share of rent paid by government (org-support lever).")
    utilities_yuan_month: float = P(400.0, "yuan per month", 0, 1e6, ASSUMED,
                                    "Utilities of an organization.")
    utility_discount_share: float = P(0.0, "share of utilities", 0, 1, ASSUMED,
                                      "Discount on utility fees (org-support lever).")
    other_staff: int = P(1, "staff", 0, 100, ASSUMED,
                         "Non-social-worker staff of a new organization (its founders included).")
    unpaid_staff: int = P(1, "staff", 0, 10, study(
        "studies of grassroots organizations in China (founder-run, volunteer-staffed)", False, 0, 2, "uniform",
        "most community groups are run by an unpaid founder or retired volunteers"),
        "Other staff who draw no wage (founders and core volunteers): an organization pays wages to "
        "its other staff beyond these.")
    max_other_staff: int = P(6, "staff", 0, 100, ASSUMED,
                             "Most non-social-worker staff; an organization hires one when a social-work vacancy stays unfilled.")
    other_wage_yuan: float = P(3500.0, "yuan per month", 0, 1e6, ASSUMED,
                               "Wage of non-social-worker staff.")
    needs_per_sw_month: float = P(14.0, "needs per worker-month", 0, 1000, assumed(
        7.0, 28.0, "loguniform", "a caseworker closes a few to a few dozen needs a month, by kind of need"),
                                  "Needs a social worker can meet per month (at skill 1).")
    sw_skill_output_share: float = P(0.5, "share of output", 0, 1, ASSUMED,
                                     "Share of a social worker's output that depends on skill: the worker counts "
                                     "(1 - share) + share * skill output units.")
    needs_per_other_month: float = P(10.0, "needs per worker-month", 0, 1000, ASSUMED,
                                     "Needs other staff can meet per month.")
    experience_gain: float = P(0.3, "relative capacity at experience_months", 0, 5, ASSUMED,
                               "Capacity gain from organizational experience (saturating).")
    donor_pool_yuan_month: float = P(15000.0, "yuan per 100,000 residents-month", 0, 1e8, assumed(
        5000.0, 50000.0, "loguniform", "residents' and local firms' giving to community organizations, a few yuan "
        "per resident a year"),
        "Donations a street's residents and firms give its community organizations each month, shared by "
        "appeal (reputation) among the active ones.")
    crowd_out: float = P(0.757, "yuan of donations lost per yuan of government money", 0, 2,
                         study("Andreoni & Payne 2011", True),
                         "Crowding-out of donations by government money: yuan of monthly donations lost per yuan "
                         "of the mean monthly government income over the last 12 months (donors react to a year's "
                         "funding, not to one instalment).")
    fee_shares: FeeShares = Field(default_factory=FeeShares)
    fee_yuan_per_need: float = P(60.0, "yuan per need met", 0, 10000, assumed(
        20.0, 150.0, "loguniform", "a subsidised session of home care, a class or a day-care meal costs residents "
        "tens of yuan"), "Fee residents pay per charged need met by an organization.")
    running_cost_yuan_month: float = P(800.0, "yuan per month", 0, 1e6, assumed(
        300.0, 2000.0, "loguniform", "office, phone, insurance, bookkeeping of a small organization"),
        "Fixed running costs of an active organization besides rent, utilities and wages.")
    programme_cost_yuan_per_need: float = P(40.0, "yuan per need met", 0, 10000, assumed(
        10.0, 120.0, "loguniform", "materials, meals, transport per service episode"),
        "Direct cost of each need an organization meets (materials, transport), paid by the organization.")
    hire_reserve_months: float = P(4.0, "months of costs", 0, 60, ASSUMED,
                                   "Reserves (in months of costs) needed before hiring a social worker.")
    max_social_workers: int = P(20, "workers", 0, 500, ASSUMED,
                                "Most social workers one organization employs.")
    layoff_reserve_months: float = P(1.0, "months of costs", 0, 60, ASSUMED,
                                     "Below these reserves an organization lets a social worker go.")
    failure_grace_months: int = P(3, "months", 0, 60, ASSUMED,
                                  "Months with negative reserves before an organization fails.")
    reserve_target_months: float = P(6.0, "months of costs", 0, 60, study(
        "Calabrese 2013 (operating reserves of US nonprofits); Nonprofit Operating Reserves Initiative 2008", False,
        3.0, 12.0, "uniform", "guidance and practice cluster at 3-6 months; Chinese grassroots organizations "
        "rarely hold more"),
        "Reserves an organization keeps; a share of what is above them each month goes into services "
        "(sessional staff).")
    surplus_spend_share: float = P(0.25, "share per month", 0, 1, ASSUMED,
                                   "Share of reserves above reserve_target_months of costs spent each month on "
                                   "sessional staff (extra capacity).")
    sessional_yuan_per_need: float = P(400.0, "yuan per need", 1, 1e5, assumed(
        250.0, 800.0, "uniform", "an hourly-paid worker's pay per need met, near other_wage_yuan / "
        "needs_per_other_month"), "Cost of one need's capacity bought from sessional (part-time) staff.")
    inspection_month: int = P(5, "month of year", 1, 12, ASSUMED,
                              "Month of the civil-affairs annual inspection (年检) of registered organizations.")
    inspection_min_needs: int = P(12, "needs met over 12 months", 0, 10000, ASSUMED,
                                  "An organization registered a year or more that met fewer needs over the last "
                                  "12 months counts as dormant at the inspection.")
    inspection_fail_dormant: float = P(0.3, "probability per inspection", 0, 1, ASSUMED,
                                       "Chance a dormant organization fails the annual inspection and is "
                                       "deregistered.")
    inspection_fail_base: float = P(0.01, "probability per inspection", 0, 1, ASSUMED,
                                    "Chance any other organization fails the inspection (accounts, paperwork).")
    founder_exit_rate: float = P(0.004, "per organization-month", 0, 1, study(
        "Hager, Galaskiewicz & Larson 2004; Hannan & Freeman 1989", False, 0.001, 0.01, "loguniform",
        "a few per cent of small organizations a year dissolve for reasons of their leaders"),
        "Monthly chance the founders of an organization give up and dissolve it, at a balanced budget.")
    founder_exit_deficit: float = P(3.0, "relative", 1, 20, ASSUMED,
                                    "Founders give up this many times as often while the last 12 months' income "
                                    "fell short of the costs.")
    quality_base: float = P(0.5, "score (0-1)", 0, 1, ASSUMED,
                            "Quality of a need met by an organization with no social workers.")
    quality_skill: float = P(0.2, "score per unit skill", 0, 1, ASSUMED,
                             "Extra quality from social workers' mean skill, weighted by their share of capacity.")
    experience_months: int = P(36, "months", 1, 240, ASSUMED,
                               "Months of registration over which the experience gain builds up (linearly).")
    busy_threshold: float = P(0.8, "share of capacity", 0, 1, ASSUMED,
                              "An organization counts as busy (may hire) when it met this share of its capacity.")
    donation_reputation: float = P(1.0, "relative", 0, 5, ASSUMED,
                                   "An organization's appeal to donors is 1 - weight/2 + weight*reputation "
                                   "(reputation 0.5 -> 1).")
    initial_reserve_months: float = P(4.0, "months of costs", 0, 60, ASSUMED,
                                      "Reserves of the organizations present at the start.")
    initial_age_min_months: int = P(6, "months since registration", 0, 599, ASSUMED,
                                    "Youngest age of the organizations present at the start (whole months, uniform in [min, max)).")
    initial_age_max_months: int = P(60, "months since registration", 1, 600, ASSUMED,
                                    "Age bound of the organizations present at the start (whole months, uniform in [min, max)).")
    initial_registration_months: int = P(6, "months", 0, 120, ASSUMED,
                                         "Months between founding and registration of the organizations present at the start.")
    premises_rent_months: float = P(3.0, "months of rent", 0, 24, ASSUMED,
                                    "Rent a founder must pay up front when premises are required.")
    evaluation_quality_weight: float = P(0.5, "weight", 0, 1, ASSUMED,
                                         "Weight of quality (vs delivery) in a performance evaluation.")
    reputation_init: float = P(0.5, "score (0-1)", 0, 1, ASSUMED, "Reputation of a new organization.")
    reputation_step: float = P(0.3, "weight", 0, 1, ASSUMED,
                               "Weight of the latest evaluation in reputation.")
    venue_reach: float = P(0.25, "relative capacity", 0, 5, ASSUMED,
                           "Extra reach (capacity) of an organization using an open community venue.")
    service_centre_quality: float = P(0.1, "score", 0, 1, ASSUMED,
                                      "Quality gain of organizations supported by a service centre.")
    service_centre_founding: float = P(0.3, "relative founding rate", 0, 5, ASSUMED,
                                       "Relative rise in founding where a service centre operates.")
    incubation_months: int = P(18, "months", 0, 60, assumed(quote=INCUBATOR),
                               "Months an incubated start-up gets free space.")
    incubator_slots: int = P(6, "start-ups per street", 0, 100, ASSUMED,
                             "Start-ups an incubator hosts at once.")
    incubator_grant_yuan: float = P(50000.0, "yuan per start-up", 0, 1e7, assumed(quote=INCUBATOR),
                                    "Small grant to each incubated start-up.")
    incubator_delay_cut: float = P(0.5, "share of delay removed", 0, 1, assumed(quote=INCUBATOR),
                                   "Registration help: share of the registration delay an incubator removes.")
    incubator_capacity_gain: float = P(0.15, "relative capacity", 0, 5, assumed(quote=INCUBATOR),
                                       "Capacity building of incubated organizations.")

    @model_validator(mode="after")
    def _initial_ages(self) -> "Organizations":
        if self.initial_age_min_months >= self.initial_age_max_months:
            raise ValueError(f"initial_age_min_months ({self.initial_age_min_months}) must be below "
                             f"initial_age_max_months ({self.initial_age_max_months})")
        return self


# --------------------------------------------------------------------------
# Social workers
# --------------------------------------------------------------------------


class SocialWorkers(Section):
    """Social workers: supply, matching, certification, wages, attrition, skill."""

    graduates_per_year: float = P(950.0, "graduates per year (whole city)", 0, 1e6,
                                  article("每年畢業生達950多人"),
                                  "Social-work graduates of Shanghai's 15 universities each year.")
    city_residents: float = P(24.2e6, "residents", 1e6, 1e8, data("Shanghai statistics"),
                              "Residents of the whole city (graduates are shared out per resident; a city of "
                              "1 to 100 million).")
    graduate_entry_share: float = P(0.5, "share", 0, 1, ASSUMED,
                                    "Share of graduates who look for social-work jobs in the city.")
    graduation_month: int = P(7, "month of year", 1, 12, ASSUMED, "Month graduates enter the market.")
    initial_per_100k: float = P(30.0, "workers per 100,000 residents", 0, 10000, CALIBRATED,
                                "Social workers at the start: they fill committees' social-work posts, then the organizations present (one each in turn); any rest seek jobs.")
    initial_certified_share: float = P(0.3, "share", 0, 1, ASSUMED,
                                       "Certified share of the initial workforce.")
    initial_skill_lo: float = P(0.2, "skill (0-1)", 0, 1, ASSUMED,
                                "Lowest skill of the initial workforce (skill uniform between lo and hi).")
    initial_skill_hi: float = P(0.7, "skill (0-1)", 0, 1, ASSUMED,
                                "Highest skill of the initial workforce (skill uniform between lo and hi).")
    initial_experience_max_months: int = P(96, "months", 1, 480, ASSUMED,
                                           "Experience of the initial workforce: whole months, uniform in [0, this).")
    entrant_skill_lo: float = P(0.2, "skill (0-1)", 0, 1, ASSUMED,
                                "Lowest skill of a new entrant (graduate or lateral; skill uniform between lo and hi).")
    entrant_skill_hi: float = P(0.4, "skill (0-1)", 0, 1, ASSUMED,
                                "Highest skill of a new entrant (graduate or lateral; skill uniform between lo and hi).")
    staff_exam_skill: float = P(0.4, "skill (0-1)", 0, 1, ASSUMED,
                                "Skill of a community worker or an organization's other staff member sitting the social-work exam (a social worker on passing).")
    exam_month: int = P(6, "month of year", 1, 12, data("national social-work exam calendar"),
                        "Month of the certification exam (since 2003).")
    exam_take_rate: float = P(0.4, "share of uncertified workers per year", 0, 1, ASSUMED,
                              "Share of uncertified workers sitting the exam each year.")
    exam_pass_base: float = P(-1.5, "log-odds", -10, 10, CALIBRATED, "Pass chance at no experience.")
    exam_pass_experience: float = P(0.35, "log-odds per year of experience", 0, 5, ASSUMED,
                                    "Pass chance grows with experience.")
    exam_pass_support: float = P(0.8, "log-odds", 0, 5, ASSUMED,
                                 "Pass chance gain with exam support (subsidy, training).")
    exam_support: float = P(0.0, "share of candidates", 0, 1, ASSUMED,
                            "Share of exam candidates supported with study courses and time to prepare (lever).")
    post_allowance_yuan: float = P(0.0, "yuan per month", 0, 1e5, ASSUMED,
                                   "Professional post allowance the district pays each month to a certified social worker in a committee post (lever).")
    exam_take_support: float = P(0.3, "share", 0, 1, ASSUMED,
                                 "Extra share of supported workers who sit the exam.")
    wage_org_yuan: float = P(4500.0, "yuan per month", 0, 1e6, ASSUMED,
                             "Base wage of a social worker in an organization.")
    wage_committee_yuan: float = P(4800.0, "yuan per month", 0, 1e6, assumed(
        3500.0, 5900.0, "uniform", "community workers' pay was below the city's average wage before the 2015 "
        "floor (why the floor was set); no figure: from 60 % of the average wage to the average",
        quote="社區工作者不低于社平工資的待遇標準"),
                                   "Base wage of a community worker (committee staff, social-work posts included).")
    certified_pay_yuan: float = P(500.0, "yuan per month", 0, 1e6, assumed(quote="持有社工師證的享有相應定級定薪的薪酬激勵"),
                                  "Grade pay of certificate holders.")
    wage_growth_per_year: float = P(150.0, "yuan per month per year of experience", 0, 1e5, ASSUMED,
                                    "Seniority pay.")
    outside_wage_yuan: float = P(5939.0, "yuan per month", 100, 1e6, data("Shanghai statistics"),
                                 "Average wage in Shanghai (2015): the outside option.")
    pay_floor_share: float = P(0.0, "share of average wage", 0, 2, ASSUMED,
                               "Pay floor of community workers (committee staff) as share of the average wage (lever; 1.0 in 2015).")
    salary_subsidy_certified_yuan: float = P(0.0, "yuan per month", 0, 1e6, ASSUMED,
                                             "Salary subsidy for certified workers hired by organizations (lever).")
    attrition_base: float = P(0.2, "quits per worker-year", 0, 1, study(
        "SW turnover studies", True, 0.1, 0.3, "uniform", "reported turnover of Chinese social workers "
        "runs from about 10 to 30 % a year"),
                              "Turnover rate (quits / mean employed over a year) at a wage equal to the outside option.")
    attrition_wage_sensitivity: float = P(1.5, "per unit relative wage gap", 0, 20, study(
        "SW turnover studies", False, 0.5, 3.0, "uniform", "low pay is the reason most given for quitting; "
        "no elasticity is reported: from a weak to a strong response"),
                                          "Quit rate rises as pay falls below the outside option.")
    attrition_max_rate: float = P(5.0, "quits per worker-year", 0, 100, ASSUMED,
                                  "Cap on a worker's yearly quit rate, however far pay falls below the outside option.")
    skill_growth_per_year: float = P(0.08, "skill per year", 0, 1, ASSUMED,
                                     "Skill growth with experience (skill 0-1).")
    training_skill_gain: float = P(0.0, "skill per year", 0, 1, ASSUMED,
                                   "Extra skill from on-the-job training (lever).")
    lateral_fill_rate: float = P(0.07, "per unfilled vacancy-month", 0, 1, CALIBRATED,
                                 "Chance a vacancy no social worker took is filled by someone from another field (at a wage equal to the average wage).")
    lateral_wage_elasticity: float = P(2.0, "elasticity", 0, 20, ASSUMED,
                                       "Lateral filling scales with (offered wage / average wage) to this power.")
    staff_exam_take_rate: float = P(0.03, "share of regular committee staff per year", 0, 1, CALIBRATED,
                                    "Regular community workers sitting the social-work exam each year (passing makes them social workers).")
    other_staff_exam_take_rate: float = P(0.03, "share of organizations' other staff per year", 0, 1, assumed(
        0.0, 0.1, "uniform", "the 2009 policy encouraged organizations' staff to sit the exam; no count of how "
        "many did: from none to a tenth a year", quote=ORG_EXAM),
                                          "Organizations' other staff sitting the social-work exam each year (passing makes them certified social workers of their organization).")
    other_staff_experience_years: float = P(3.0, "years", 0, 40, ASSUMED,
                                            "Experience credited to an organization's other staff member sitting the exam.")
    training_cost_yuan: float = P(0.0, "yuan per worker-year", 0, 1e6, ASSUMED,
                                  "Cost of on-the-job training per employed worker, paid by the district.")
    unemployed_exit_rate: float = P(0.1, "per month", 0, 1, ASSUMED,
                                    "Monthly chance a job-seeking social worker leaves the field.")

    @model_validator(mode="after")
    def _skill_ranges(self) -> "SocialWorkers":
        for lo, hi in (("initial_skill_lo", "initial_skill_hi"), ("entrant_skill_lo", "entrant_skill_hi")):
            if getattr(self, lo) > getattr(self, hi):
                raise ValueError(f"{lo} ({getattr(self, lo)}) must not exceed {hi} ({getattr(self, hi)})")
        return self


# --------------------------------------------------------------------------
# Funders
# --------------------------------------------------------------------------


class Funders(Section):
    """Welfare-lottery fund, community foundations and the district's grants."""

    lottery_budget_yuan: float = P(0.0, "yuan per 100,000 residents-year", 0, 1e9, ASSUMED,
                                   "Welfare-lottery venture-philanthropy budget (lever).")
    lottery_grant_yuan: float = P(150000.0, "yuan per project", 1000, 1e8, ASSUMED,
                                  "Size of a venture-philanthropy project grant.")
    lottery_month: int = P(3, "month of year", 1, 12, ASSUMED, "Month of the yearly bidding round.")
    lottery_project_months: int = P(12, "months", 1, 60, ASSUMED,
                                    "Duration of a venture-philanthropy project.")
    lottery_sw_hire: float = P(1.0, "social workers per project", 0, 20, assumed(quote=LOTTERY),
                               "Social workers a funded project must hire.")
    foundation_budget_yuan: float = P(0.0, "yuan per foundation-year", 0, 1e9, ASSUMED,
                                      "Public endowment of a street's community foundation each year (lever).")
    foundation_coverage: float = P(0.0, "share of streets", 0, 1, ASSUMED,
                                   "Share of streets with a community foundation.")
    foundation_grant_yuan: float = P(30000.0, "yuan per project", 1000, 1e8, ASSUMED,
                                     "Size of a community-foundation grant.")
    foundation_grant_months: int = P(12, "months", 1, 120, ASSUMED,
                                     "Months over which a community-foundation grant is paid in instalments.")
    foundation_org_share: float = P(0.5, "share", 0, 1, ASSUMED,
                                    "Share of a foundation's pot granted to organizations (the rest to micro-projects).")
    lottery_weight_need: float = P(0.4, "weight", 0, 1, assumed(quote=LOTTERY),
                                   "Bidding score weight of the need a proposal finds ('organizations find needs').")
    lottery_weight_quality: float = P(0.3, "weight", 0, 1, ASSUMED, "Bidding score weight of quality.")
    lottery_weight_reputation: float = P(0.3, "weight", 0, 1, ASSUMED, "Bidding score weight of reputation.")
    foundation_social_match: float = P(0.5, "yuan raised per yuan granted", 0, 10, ASSUMED,
                                       "Social money a foundation raises per public yuan (leverage).")
    public_oncost_share: float = P(0.4, "share of wages", 0, 1, assumed(
        0.3, 0.45, "uniform", "Shanghai employers' pension, medical, unemployment, injury and maternity "
        "contributions and the housing fund added up to about 40 % of pay c. 2015; lower bases and rates later"),
                                   "Employer's contributions on public staff pay (committee and street staff): their "
                                   "cost to the public purse is wage * (1 + this).")


# --------------------------------------------------------------------------
# The rest of the social-organization sector (an aggregate block)
# --------------------------------------------------------------------------


class Sector(Section):
    """The rest of Shanghai's social-organization sector (fee-charging schools, clinics, elderly
    homes, associations and foundations outside community services), as one aggregate block
    with its own income, at city scale. It does not serve the modelled needs; it exists so that
    city-wide figures over all social organizations (the article's 17 %) have the right
    denominator. Its two 2015 levels are fitted with the model's community scope to the
    article's two figures (over 5 billion yuan of government money, 17 % of all income)."""

    government_yuan_2015: float = P(4.9e9, "yuan per year (whole city)", 0, 1e12, calibrated(
        4.0e9, 6.0e9, "uniform", "with the community scope, the article's 'over 5 billion yuan' in 2015"),
        "Government money to the rest of the sector in 2015 (purchase of services by departments, "
        "subsidies).")
    other_income_yuan_2015: float = P(2.6e10, "yuan per year (whole city)", 0, 1e13, calibrated(
        1.8e10, 3.2e10, "uniform", "with the community scope, 17 % of all income from government in 2015"),
        "Income of the rest of the sector from fees, sales, dues and donations in 2015.")
    growth_per_year: float = P(0.08, "share per year", -0.5, 1, assumed(
        0.04, 0.15, "uniform", "nominal growth of the sector near Shanghai's nominal GDP growth"),
        "Growth of both income sources of the rest of the sector (backwards before 2015).")
    reference_year: int = P(2015, "year", 1900, 2200, assumed(
        2014, 2016, "uniform", "the article gives its figures as current (目前) in a text of c. 2016; the "
        "calibration reads them at 2015-12"),
                            "Year of the two levels; scenarios without a calendar use it.")


class Parameters(Section):
    """All parameter sections; ``[parameters.<section>]`` in a scenario overrides them."""

    residents: Residents = Field(default_factory=Residents)
    community_types: CommunityTypeProfiles = Field(default_factory=CommunityTypeProfiles)
    committees: Committees = Field(default_factory=Committees)
    streets: Streets = Field(default_factory=Streets)
    organizations: Organizations = Field(default_factory=Organizations)
    social_workers: SocialWorkers = Field(default_factory=SocialWorkers)
    funders: Funders = Field(default_factory=Funders)
    sector: Sector = Field(default_factory=Sector)


def flat_values(p: BaseModel) -> dict[str, Any]:
    """Every value of a parameter model by dotted path (e.g. ``residents.lapse_rate``)."""
    out: dict[str, Any] = {}

    def walk(d: dict[str, Any], prefix: str) -> None:
        for k, v in d.items():
            if isinstance(v, dict):
                walk(v, f"{prefix}{k}.")
            else:
                out[f"{prefix}{k}"] = v

    walk(p.model_dump(), "")
    return out


def field_rows(obj: BaseModel, prefix: str = "") -> list[dict[str, Any]]:
    """Flatten a register section (or a lever) into rows: path, default, type, unit, lo, hi,
    source (one phrase), the evidence (kind, citation, quote, magnitude, note), the plausible
    range (lo, hi, distribution, reason; ``None`` where there is none) and doc.

    Defaults are read from the instance, so nested tables such as the group need
    rates show their real defaults. Fields without a unit (the scheduling fields of
    levers: enabled, start, end) are not parameters and are left out.
    """
    rows: list[dict[str, Any]] = []
    for name, field in type(obj).model_fields.items():
        path = f"{prefix}{name}"
        value = getattr(obj, name)
        if isinstance(value, BaseModel):
            rows.extend(field_rows(value, path + "."))
            continue
        extra = field.json_schema_extra or {}
        assert isinstance(extra, dict), path
        if "unit" not in extra:
            continue
        evidence: Evidence = extra["evidence"]
        rng = uncertainty(evidence, value, extra["unit"], extra["lo"], extra["hi"])
        rows.append({
            "path": path,
            "default": value,
            "type": type(value).__name__,
            "unit": extra["unit"],
            "lo": extra["lo"],
            "hi": extra["hi"],
            "source": evidence.source,
            **evidence.as_dict(),
            "range": None if rng is None else {"lo": rng.lo, "hi": rng.hi, "distribution": rng.distribution,
                                               "reason": rng.reason},
            "doc": field.description or "",
        })
    return rows
