"""What happens in a month, in which order. This module owns the step order and holds no
rule: every decision is a function of the agent module that owns it (``docs/rules.md``
lists them; ``python run.py rules`` prints them).

0. (``CommunityModel.step``) the policy schedule sets this month's effective parameters.
1. ``yearly_rounds``  calendar events, each in its month: budget year (founders' pool
   refilled, self-governance funds granted, foundation grants, street budgets drawn,
   micro-projects started), tender, oversight, lottery bidding, annual inspection of
   organizations, certification exam, graduates, elections.
2. ``streets_act``  the district pays publicity; streets pay their service centres,
   incubators and venues and their staff; street offices push tasks down to committees
   (and staff are trained; tasks taken off committees are paid where they go),
   commission the platform and open venues; streets' guidance contracts deliver
   guidance hours to committees.
3. ``organizations_register``  registering organizations finish or abandon; would-be
   founders try.
4. ``labour_market``  employers post vacancies, job seekers are matched, unfilled
   vacancies may be filled laterally; committees refill vacant places with community
   workers; organizations with unfilled vacancies hire other staff; unplaced seekers may
   leave the field.
5. ``serving.serve_residents``  needs arise and are brought forward; supply is built
   (committee staff, micro-projects, partner organizations; then organizations reached
   directly); needs are matched and met, or wait or lapse. Returns a ``ServiceResult``.
6. ``committees.partnerships``  partnerships follow this month's performance; committees
   with unmet demand invite new partners (from the ``ServiceResult``); platforms refer
   committees' unmet needs to partner organizations (``streets.platform_referrals``).
7. ``accounts.accounts``  organizations are paid and pay; subsidies; surplus spent on
   sessional staff; hiring, lay-offs, failures and founders' exits; committees' staff
   are paid; micro-projects spend.
8. ``workers.decide_quits``  workers gain experience and skill (training is paid); some quit;
   then ``committees.decide_staff_turnover``: some regular community workers quit.
9. ``residents_social``  participation and awareness spread over neighbour ties; where the
   scenario names series, residents move between groups as the city ages (``ageing``).
10. the recorder collects the month's outcomes, then the invariants are checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import accounts, ageing, committees, funders, guidance, org_finance, organizations, street_costs, streets, workers
from .serving import ServiceResult, serve_residents

if TYPE_CHECKING:
    from .community import CommunityModel


def run_month(m: "CommunityModel") -> None:
    """Run one month: the phases above, in that order."""
    m.recorder.begin_month()
    yearly_rounds(m)
    streets_act(m)
    organizations_register(m)
    labour_market(m)
    served = serve_residents(m)
    committees.partnerships(m, served.partner_perf, served.unmet)
    streets.platform_referrals(m, served.unmet)
    accounts.accounts(m, served)
    workers.decide_quits(m)
    committees.decide_staff_turnover(m)
    residents_social(m, served)
    m.recorder.record(served)  # its pass over the residents checks their invariants
    m.check_invariants(residents=False)


def _due(m: "CommunityModel", name: str, round_month: int, cal: int) -> bool:
    """A yearly round is due in its calendar month (never twice within six months). A
    scenario starting in another month waits for it: no round is run early or twice."""
    last = m.last_round.get(name, -(10**6))
    if cal == round_month and m.month - last >= 6:
        m.last_round[name] = m.month
        return True
    return False


def yearly_rounds(m: "CommunityModel") -> None:
    """1. Yearly events, each in its calendar month."""
    _, cal = m.calendar
    pc, ps, pf, pw = m.p.committees, m.p.streets, m.p.funders, m.p.social_workers
    if _due(m, "budget_year", 1, cal):
        for street in m.streets:
            street.refill_founders()
        funders.grant_self_governance_funds(m)
        funders.foundation_round(m)
        streets.decide_budget_factors(m)
        committees.decide_micro_projects(m)
    if _due(m, "tender", ps.tender_month, cal):
        streets.run_tenders(m)
    if _due(m, "oversight", streets.oversight_month(ps), cal):
        streets.run_oversight(m)
    if _due(m, "lottery", pf.lottery_month, cal):
        funders.lottery_round(m)
    if _due(m, "inspection", m.p.organizations.inspection_month, cal):
        org_finance.annual_inspection(m)
    if cal == pw.exam_month:
        workers.certification_exam(m)
    if cal == pw.graduation_month:
        workers.graduation(m)
    if committees.election_due(pc, m.month, cal, m.last_election):
        committees.hold_elections(m)
        m.last_election = m.month


def streets_act(m: "CommunityModel") -> None:
    """2. Publicity, street facilities and street staff are paid; streets push tasks down,
    run the platform and open venues, and take delivery of guidance."""
    funders.pay_publicity(m)
    street_costs.pay_running_costs(m)
    street_costs.pay_street_staff(m)
    street_costs.push_tasks_down(m)
    streets.platforms_and_venues(m)
    guidance.run_guidance(m)


def organizations_register(m: "CommunityModel") -> None:
    """3. Registering organizations finish or abandon; each street's founders try."""
    organizations.decide_registrations(m)
    for street in m.streets:
        organizations.decide_foundings(m, street)


def labour_market(m: "CommunityModel") -> None:
    """4. Jobs are matched; committees refill vacant places; unfilled vacancies turn into
    other staff; seekers may leave."""
    workers.match_jobs(m)
    committees.fill_staff_places(m)
    organizations.decide_other_staff(m)
    workers.decide_seekers_leave(m)


def residents_social(m: "CommunityModel", served: ServiceResult) -> None:
    """9. Participation and awareness spread (micro-projects running draw residents in); the
    residents' mix follows the population series."""
    m.residents.decide_participation(m.p.residents, served.projects, m.streams["participation"])
    ageing.decide_population_change(m)
