"""What happens in a month, in which order. This module owns the step order.

0. (community.py)     the policy schedule sets this month's effective parameters.
1. ``yearly_rounds``   calendar events: founders' pool refilled, self-governance
                       funds granted, foundation grants, tender (with oversight),
                       lottery bidding, certification exam, graduates, elections.
2. ``streets_act``     publicity is paid; streets pay their service centres and
                       incubators; street offices push tasks down, commission
                       the platform, open venues.
3. ``organizations_register``  registering organizations finish or abandon;
                       would-be founders try.
4. ``labour_market``   employers post vacancies; job seekers are matched;
                       unplaced seekers may leave the field.
5. ``serve_residents`` (serving.py) residents raise needs and bring them forward; supply is
                       built (committee staff, micro-projects, organizations);
                       needs are matched to supply (committee channel first,
                       then needs brought straight to organizations); met needs
                       close; the rest wait or lapse.
6. ``partnerships``    partnerships strengthen or decay; committees with unmet
                       demand invite new partners.
7. ``accounts``  (accounts.py) organizations are paid (contracts, grants, donations,
                       market income, fees) and pay (rent, utilities, wages);
                       subsidies and pay-floor top-ups are paid;
                       micro-projects spend their funds; organizations hire or
                       lay off and fail when reserves stay negative.
8. ``workforce``       workers gain experience and skill (training is paid);
                       some quit.
9. ``residents_social`` participation and awareness spread over neighbour ties.
10. ``record``         outcomes collected (Mesa DataCollector) and invariants
                       checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .accounts import _wind_up, accounts
from .funders import decide_foundation_grants, decide_lottery_awards
from .organizations import ABANDONED, ACTIVE, REGISTERING
from .serving import serve_residents
from .workers import fill_vacancies, graduates_this_year

if TYPE_CHECKING:
    from .community import CommunityModel

__all__ = ["run_month", "accounts", "serve_residents", "_wind_up"]


def run_month(m: "CommunityModel") -> None:
    """Run one month: the phases above, in that order."""
    m.tally.clear()
    m.recorder.begin_month()
    yearly_rounds(m)
    streets_act(m)
    organizations_register(m)
    labour_market(m)
    serve_residents(m)
    partnerships(m)
    accounts(m)
    workforce(m)
    residents_social(m)
    m.recorder.record()


# ---------------------------------------------------------------------------
# 1. calendar events
# ---------------------------------------------------------------------------
def _due(m: "CommunityModel", name: str, round_month: int, cal: int) -> bool:
    """A yearly round is due in its calendar month (never twice within six months). A
    scenario starting in another month waits for it: no round is run early or twice."""
    last = m.last_round.get(name, -(10**6))
    if cal == round_month and m.month - last >= 6:
        m.last_round[name] = m.month
        return True
    return False


def yearly_rounds(m: "CommunityModel") -> None:
    """Yearly events, each in its calendar month."""
    _, cal = m.calendar
    pc, ps, pf, pw = m.p.committees, m.p.streets, m.p.funders, m.p.social_workers
    if _due(m, "budget_year", 1, cal):
        for street in m.streets:
            street.refill_founders()
        if pc.self_governance_fund_yuan > 0:
            for c in m.committees:
                if c.has_fund(pc):
                    m.funders["district"].pay(c.fund_account, pc.self_governance_fund_yuan, "self_governance_fund")
        for s, foundation in enumerate(m.foundations):
            if m.streets[s].has_foundation():
                m.tally["foundation_grants"] += decide_foundation_grants(m, foundation, s)
        # an unguaranteed street budget falls short in some years (revenue-dependent)
        sigma = ps.budget_volatility * (1.0 - ps.budget_guaranteed)
        for street in m.streets:
            draw = m.streams["street_budget"].lognormal(-sigma**2 / 2, sigma) if sigma > 0 else 1.0
            street.budget_factor = min(1.0, float(draw))
        start_micro_projects(m)
    if _due(m, "tender", ps.tender_month, cal):
        for street in m.streets:
            budget = ps.purchase_budget_yuan * street.residents / 1e5 * street.budget_factor
            m.tally["contracts_awarded"] += len(street.decide_tender(budget))
    if _due(m, "oversight", (ps.tender_month + 5) % 12 + 1, cal):
        for street in m.streets:
            m.tally["contracts_lost"] += street.decide_oversight()
    if _due(m, "lottery", pf.lottery_month, cal):
        m.tally["lottery_grants"] += decide_lottery_awards(m, m.funders["lottery"])
    if cal == pw.exam_month:
        certification_exam(m)
    if cal == pw.graduation_month:
        for _ in range(graduates_this_year(pw, m.simulated_residents, m.streams["graduates"])):
            m.workers.append(_new_entrant(m))
            m.tally["graduates"] += 1

    if cal == pc.election_month and m.month - m.last_election >= pc.election_interval_months - 6:
        elections(m)
        m.last_election = m.month


def _new_entrant(m: "CommunityModel"):
    """A new job seeker (a graduate or a lateral entrant): uncertified, little skill."""
    from .workers import SocialWorker

    rng = m.streams["entrants"]
    return SocialWorker(m, certified=False, experience_months=0, skill=float(rng.uniform(0.2, 0.4)))


def start_micro_projects(m: "CommunityModel") -> None:
    """Rule: each committee starts as many year-long micro-projects as its fund pays for
    and its volunteers can staff."""
    pc = m.p.committees
    volunteers = m.residents.per_committee(m.residents.volunteer)
    for c in m.committees:
        funds = m.ledger.get(c.fund_account)
        by_money = int(funds // pc.micro_project_cost_yuan)
        by_people = int(volunteers[c.index] // pc.volunteers_per_project)
        c.projects = max(0, min(by_money, by_people))
        c.project_months_left = 12 if c.projects else 0
        m.tally["micro_projects"] += c.projects


def certification_exam(m: "CommunityModel") -> None:
    """Rule: uncertified employed workers sit the exam (more with support) and pass by chance;
    regular community workers sit it too (staff_exam_take_rate) and, passing, become
    certified social workers of their committee."""
    from .workers import SocialWorker

    pw = m.p.social_workers
    rng = m.streams["exam"]
    for c in m.committees:
        regular = c.staff - len(c.workers)
        takers = int(rng.binomial(regular, pw.staff_exam_take_rate)) if regular > 0 else 0
        for _ in range(takers):
            w = SocialWorker(m, certified=False, experience_months=int(pw.staff_experience_years * 12), skill=0.4)
            w.supported = bool(rng.random() < pw.exam_support)
            if w.supported and pw.exam_subsidy_yuan > 0:
                m.funders["district"].pay(m.acct["registration"], pw.exam_subsidy_yuan, "exam_subsidy")
            m.tally["exam_takers"] += 1
            if rng.random() < w.exam_pass_chance(pw):
                w.certified = True
                m.workers.append(w)
                m.hire(w, c)
                if c.trained > 0:
                    c.trained -= 1
                m.tally["exam_passed"] += 1
                m.tally["staff_certified"] += 1
            else:
                w.remove()
    for w in m.workers:
        if w.certified or not w.employed:
            continue
        w.supported = bool(rng.random() < pw.exam_support)
        take = pw.exam_take_rate + (pw.exam_take_support if w.supported else 0.0)
        if rng.random() >= min(take, 1.0):
            continue
        if w.supported and pw.exam_subsidy_yuan > 0:
            m.funders["district"].pay(m.acct["registration"], pw.exam_subsidy_yuan, "exam_subsidy")
        m.tally["exam_takers"] += 1
        if rng.random() < w.exam_pass_chance(pw):
            w.certified = True
            w.wage = w.compute_wage(pw)
            m.tally["exam_passed"] += 1


def elections(m: "CommunityModel") -> None:
    """Rule: all committees hold elections; the first direct_election_share of committees
    (in a fixed order) elect directly from now on; see ``ResidentArrays.decide_votes``."""
    n_direct = int(round(m.p.committees.direct_election_share * len(m.committees)))
    direct_set = set(m.direct_order[:n_direct])
    for c in m.committees:
        c.direct = c.direct or c.index in direct_set
    idx = np.arange(len(m.committees))
    direct = np.array([c.direct for c in m.committees])
    turnout = m.residents.decide_votes(m.p.residents, idx, direct, m.p.committees.election_trust_gain,
                                       m.streams["elections"])
    for c in m.committees:
        c.last_turnout = float(turnout[c.index])
    m.tally["election"] = 1


# ---------------------------------------------------------------------------
# 2-4. streets, organizations, labour market
# ---------------------------------------------------------------------------
def streets_act(m: "CommunityModel") -> None:
    """Street offices push tasks down, run the platform and open venues; streets pay their
    service centres and incubators; the district pays publicity."""
    ps = m.p.streets
    push = ps.admin_push * ps.investment_duty_share
    street_funder = m.funders["street"]
    sink = m.acct["project_costs"]
    publicity = m.p.residents.publicity_budget_yuan * m.simulated_residents / 1e5 / 12
    m.funders["district"].pay(sink, publicity, "publicity")
    for street in m.streets:
        if street.has_service_centre():
            street_funder.pay(sink, ps.service_centre_running_cost_yuan / 12, "service_centre_running")
        if street.has_incubator():
            street_funder.pay(sink, ps.incubator_running_cost_yuan / 12, "incubator_running")
        for c in street.committees:
            c.decide_burden(m.p.committees, push)
            c.decide_training(m.p.committees, m.streams["training"])
        street.decide_platform()
        street.decide_venues()


def organizations_register(m: "CommunityModel") -> None:
    """Registering organizations finish or abandon; founders try."""
    rng = m.streams["registration"]
    po = m.p.organizations
    for org in m.organizations:
        if org.status != REGISTERING:
            continue
        if rng.random() < po.abandon_rate:
            org.status = ABANDONED
            _wind_up(m, org)
            m.tally["registrations_abandoned"] += 1
        elif org.months_to_register <= 0:
            org.status = ACTIVE
            org.registered_month = m.month
            org.other_staff = po.other_staff
            m.tally["foundings"] += 1
        else:
            org.months_to_register -= 1
    for street in m.streets:
        street.decide_foundings()


def _filled(employer) -> None:
    """A vacancy was filled: a project's required hire first, then the employer's own."""
    if employer.is_committee:
        return
    if employer.required_hires > 0:
        employer.required_hires -= 1
    else:
        employer.vacancies -= 1


def labour_market(m: "CommunityModel") -> None:
    """Employers post vacancies at their offer (base wage raised to the pay floor); seekers
    are matched best offer first, equal offers in random order."""
    pw = m.p.social_workers
    floor = pw.pay_floor_share * pw.outside_wage_yuan
    offer_committee = max(pw.wage_committee_yuan, floor)
    offer_org = max(pw.wage_org_yuan, floor)
    posts: list[tuple[float, object]] = []
    for c in m.committees:
        open_posts = c.sw_posts(m.p.committees) - len(c.workers)
        posts += [(offer_committee, c)] * max(0, open_posts)
    for org in m.organizations:
        if not org.active:
            org.vacancies = 0
            continue
        posts += [(offer_org, org)] * (org.vacancies + org.required_hires)
    # equal offers are taken in a random order
    ties = m.streams["job_ties"].permutation(len(posts)) if posts else []
    vacancies = [(offer, int(t), employer) for (offer, employer), t in zip(posts, ties, strict=True)]
    seekers = [w for w in m.workers if not w.employed]
    hires = fill_vacancies(seekers, vacancies, m.streams["jobs"])
    for w, employer in hires:
        m.hire(w, employer)
        _filled(employer)
        m.tally["hires"] += 1
    # vacancies no seeker took may be filled by people from other fields (lateral entry)
    rng = m.streams["lateral"]
    for wage, _, employer in sorted(vacancies, key=lambda v: (-v[0], v[1]))[len(hires):]:
        ratio = max(wage, pw.pay_floor_share * pw.outside_wage_yuan) / pw.outside_wage_yuan
        if rng.random() < min(1.0, pw.lateral_fill_rate * ratio ** pw.lateral_wage_elasticity):
            w = _new_entrant(m)
            m.workers.append(w)
            m.hire(w, employer)
            _filled(employer)
            m.tally["lateral_entrants"] += 1
    # an organization whose own social-work vacancy stays unfilled hires other staff instead
    # (hires a funded project requires stay posted until filled)
    po = m.p.organizations
    for org in m.organizations:
        if org.active and org.vacancies > 0 and org.other_staff < po.max_other_staff:
            org.other_staff += 1
            m.tally["other_staff_hired"] += 1
        org.vacancies = 0
    rng = m.streams["job_exit"]
    for w in [w for w in m.workers if not w.employed]:
        if rng.random() < pw.unemployed_exit_rate:
            m.leave_field(w)
            m.tally["seekers_left"] += 1


# ---------------------------------------------------------------------------
# 6. partnerships
# ---------------------------------------------------------------------------
def partnerships(m: "CommunityModel") -> None:
    """Partnerships follow performance; committees with unmet demand look for partners."""
    by_committee: dict[int, dict] = {}
    for (ci, s), q in m._partner_perf.items():
        by_committee.setdefault(ci, {})[m.organizations[s]] = q
    rng = m.streams["partners"]
    unmet = m._unmet_kind_by_committee
    tops = np.where(unmet.sum(axis=1) > 0, np.argmax(unmet, axis=1), -1).tolist()
    active = [street.active_orgs() for street in m.streets]  # no organization changes status in this phase
    serving: dict[tuple[int, int], list] = {}  # (street, kind) -> its active organizations serving the kind
    for c in m.committees:
        c.update_partners(m.p.committees, by_committee.get(c.index, {}))
        top = tops[c.index]
        candidates = serving.get((c.street, top))
        if candidates is None:
            candidates = serving[(c.street, top)] = [o for o in active[c.street] if top in o.serves_kinds]
        c.decide_new_partner(m.p.committees, top, candidates, rng)
    m._partner_perf = {}


# ---------------------------------------------------------------------------
# 8-9. workforce and residents' social life
# ---------------------------------------------------------------------------
def workforce(m: "CommunityModel") -> None:
    """Employed workers gain experience; each may quit (wage vs outside option)."""
    pw = m.p.social_workers
    rng = m.streams["attrition"]
    district = m.funders["district"]
    employed = [w for w in m.workers if w.employed]
    district.pay_repeated(m.acct["project_costs"], pw.training_cost_yuan / 12, len(employed), "training")
    draws = rng.random(len(employed)).tolist()  # the same numbers as one draw per worker in turn
    for w, u in zip(employed, draws, strict=True):
        w.gain_experience(pw)
        if u < w.quit_chance(pw):
            m.tally["quits"] += 1
            m.recorder.quit(w)
            m.leave_field(w)


def residents_social(m: "CommunityModel") -> None:
    """Participation and awareness spread over neighbour ties."""
    projects = np.array([c.projects_this_month for c in m.committees])
    m.residents.decide_participation(m.p.residents, projects, m.streams["participation"])
