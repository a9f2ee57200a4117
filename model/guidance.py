"""Professional guidance (专业指导型; Lingyun street, Xuhui): the street's guidance contract
with a professional organization, whose social workers' hours guide the committees and
their residents' micro-projects.

Rules, parameters in ``Streets`` (the contract) and ``Committees`` (what guidance does) of
the register:

* award (``award_guidance``): a street with a guidance budget
  (``guidance_budget_yuan``) and no running contract awards one of ``contract_months``
  to its active social-work agency with the most social workers
  (``choose_guidance_org``), or brings one in when it has none (``bring_in_agency``);
  the contract makes the agency hire the social workers its hours need;
* delivery (``deliver_guidance``): each month the agency's social workers spend up to
  ``guidance_hours_per_worker_month`` hours guiding, as many as the month's money buys at
  ``guidance_hour_yuan``; the street pays per hour delivered (purpose
  ``guidance_contract``); the hours are off the agency's own service
  (``Organization.off_service_share``); each committee of the street gets an equal
  share of the hours, and its guidance intensity (0-1, hours against
  ``guidance_saturation_hours``) raises its staff's quality and its micro-projects'
  output and quality (``committees.qualities``, ``committees.project_supply``);
* the contract ends when the budget is 0 (the lever ends), its months run out (it is
  then awarded again) or the agency is no longer active; without one, guidance is 0.

Layout: ``GuidanceContract``; ``choose_guidance_org``, ``bring_in_agency``,
``award_guidance``, ``end_guidance``, ``deliver_guidance``; ``run_guidance`` (the
street phase's call).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .organizations import ACTIVE, Organization

if TYPE_CHECKING:
    from .community import CommunityModel
    from .streets import StreetOffice


class GuidanceContract:
    """A street's guidance contract: the organization, its yearly value and months left."""

    def __init__(self, org: Organization, yuan_year: float, months: int):
        self.org = org
        self.yuan_year = yuan_year
        self.months_left = months


def choose_guidance_org(street: "StreetOffice") -> Organization | None:
    """Rule: the professional organization a street contracts for guidance is its active
    social-work agency with the most social workers (then the best reputation, then the
    oldest); None when the street has none."""
    agencies = [o for o in street.active_orgs() if o.kind == "social_work_agency"]
    if not agencies:
        return None
    return max(agencies, key=lambda o: (len(o.workers), o.reputation, -o.unique_id))


def bring_in_agency(m: "CommunityModel", street: "StreetOffice") -> Organization:
    """Rule: a street that needs a professional organization and has no active social-work
    agency brings one in: an agency established elsewhere opens in the street (in its
    first committee), registered at once, with other_staff staff and its founders'
    founder_capital_median_yuan as reserves (counted as a founding)."""
    po = m.p.organizations
    org = m.add_organization("social_work_agency", street, street.committees[0].index, 0, False)
    org.status = ACTIVE
    org.registered_month = m.month
    org.other_staff = po.other_staff
    m.ledger.transfer(m.acct["founders"], org.account, po.founder_capital_median_yuan, "founding_capital")
    m.recorder.events.foundings += 1
    return org


def award_guidance(m: "CommunityModel", street: "StreetOffice", yuan_year: float) -> GuidanceContract:
    """Rule: the street awards a guidance contract of yuan_year a year for contract_months to
    :func:`choose_guidance_org` (else :func:`bring_in_agency`); the agency must hire the
    social workers the contract's hours need, ceil(hours a month the money buys /
    guidance_hours_per_worker_month), up to max_social_workers, less those it employs
    (required hires, posted until filled)."""
    ps, po = m.p.streets, m.p.organizations
    org = choose_guidance_org(street) or bring_in_agency(m, street)
    hours = yuan_year / 12 / ps.guidance_hour_yuan
    needed = min(math.ceil(hours / max(ps.guidance_hours_per_worker_month, 1e-9)), po.max_social_workers)
    org.required_hires = max(org.required_hires, needed - len(org.workers))
    street.guidance = GuidanceContract(org, yuan_year, ps.contract_months)
    return street.guidance


def end_guidance(street: "StreetOffice") -> None:
    """The street's guidance contract ends: its organization guides no more, its committees
    get no guidance."""
    if street.guidance is not None:
        street.guidance.org.guidance_hours = 0.0
        street.guidance = None
    for c in street.committees:
        c.guidance = 0.0


def deliver_guidance(m: "CommunityModel", street: "StreetOffice") -> float:
    """Rule: in each month of a running contract the organization's social workers guide for
    min(the hours a month of the contract buys, yuan_year / 12 / guidance_hour_yuan, social
    workers * guidance_hours_per_worker_month) hours, which the street pays at
    guidance_hour_yuan (guidance_contract) and which are off the organization's service;
    each of the street's committees gets hours / committees and a guidance intensity of
    min(1, that / guidance_saturation_hours). Returns the hours delivered."""
    ps, pc = m.p.streets, m.p.committees
    ct = street.guidance
    org = ct.org
    hours = min(ct.yuan_year / 12 / ps.guidance_hour_yuan, len(org.workers) * ps.guidance_hours_per_worker_month)
    org.guidance_hours = hours
    pay = hours * ps.guidance_hour_yuan
    if pay > 0:
        m.funders["street"].pay(org.account, pay, "guidance_contract")
        org.record_income("guidance_contract", pay)
    intensity = min(1.0, hours / len(street.committees) / pc.guidance_saturation_hours)
    for c in street.committees:
        c.guidance = intensity
    ct.months_left -= 1
    return hours


def run_guidance(m: "CommunityModel") -> None:
    """Each street with a guidance budget (guidance_budget_yuan per 100,000 residents) keeps a
    running contract (:func:`award_guidance` when it has none, its months ran out or its
    organization is no longer active) and takes delivery (:func:`deliver_guidance`); a
    street without a budget ends its contract (:func:`end_guidance`)."""
    ps = m.p.streets
    for street in m.streets:
        yuan_year = ps.guidance_budget_yuan * street.residents / 1e5
        ct = street.guidance
        if yuan_year <= 0:
            if ct is not None or any(c.guidance for c in street.committees):
                end_guidance(street)
            continue
        if ct is None or ct.months_left <= 0 or not ct.org.active:
            end_guidance(street)
            award_guidance(m, street, yuan_year)
        deliver_guidance(m, street)
