"""What happens in a month, in which order. This module owns the step order.

1. ``yearly_rounds``   calendar events: founders' pool refilled, self-governance
                       funds granted, foundation grants, tender (with oversight),
                       lottery bidding, certification exam, graduates, elections.
2. ``streets_act``     street offices push tasks down, commission the platform,
                       open venues.
3. ``organizations_register``  registering organizations finish or abandon;
                       would-be founders try.
4. ``labour_market``   employers post vacancies; job seekers are matched;
                       unplaced seekers may leave the field.
5. ``serve_residents`` residents raise needs and bring them forward; supply is
                       built (committee staff, micro-projects, organizations);
                       needs are matched to supply (committee channel first,
                       then needs brought straight to organizations); met needs
                       close; the rest wait or lapse.
6. ``partnerships``    partnerships strengthen or decay; committees with unmet
                       demand invite new partners.
7. ``accounts``        organizations are paid (contracts, grants, donations,
                       fees) and pay (rent, utilities, wages); subsidies are paid;
                       micro-projects spend their funds; organizations hire or
                       lay off and fail when reserves stay negative.
8. ``workforce``       workers gain experience and skill; some quit.
9. ``residents_social`` participation and awareness spread over neighbour ties.
10. ``record``         outcomes collected (Mesa DataCollector) and invariants
                       checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .committees import PROJECT_KINDS
from .funders import decide_foundation_grants, decide_lottery_awards
from .organizations import ABANDONED, ACTIVE, FAILED, REGISTERING
from .params import NEED_KINDS
from .residents import CH_COMMITTEE, CH_ORG, NO_NEED, need_rate_matrix
from .services import PT_COMMITTEE, PT_ORG, PT_PROJECTS, Supply, match, spread
from .workers import fill_vacancies, graduates_this_year

if TYPE_CHECKING:
    from .community import CommunityModel

K = len(NEED_KINDS)
_PROJECT_KIND_IDX = np.array([NEED_KINDS.index(k) for k in PROJECT_KINDS])


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
def yearly_rounds(m: "CommunityModel") -> None:
    """Yearly events, each in its calendar month (month 1 counts as a start)."""
    _, cal = m.calendar
    first = m.month == 1
    pc, ps, pf, pw = m.p.committees, m.p.streets, m.p.funders, m.p.social_workers
    if cal == 1 or first:
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
    if cal == ps.tender_month or first:
        for street in m.streets:
            m.tally["contracts_lost"] += street.decide_oversight()
            for org in street.organizations:
                org.contracts = [c for c in org.contracts if c.months_left > 0]
            budget = ps.purchase_budget_yuan * street.residents / 1e5 * street.budget_factor
            m.tally["contracts_awarded"] += len(street.decide_tender(budget))
    if cal == pf.lottery_month or first:
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


def labour_market(m: "CommunityModel") -> None:
    """Employers post vacancies; seekers are matched best-paid vacancy first."""
    pw = m.p.social_workers
    vacancies: list[tuple[float, int, object]] = []
    serial = 0
    for c in m.committees:
        open_posts = c.sw_posts(m.p.committees) - len(c.workers)
        for _ in range(max(0, open_posts)):
            vacancies.append((pw.wage_committee_yuan, serial, c))
            serial += 1
    for org in m.organizations:
        if not org.active:
            org.vacancies = 0
            continue
        for _ in range(org.vacancies):
            vacancies.append((pw.wage_org_yuan, serial, org))
            serial += 1
    seekers = [w for w in m.workers if not w.employed]
    hires = fill_vacancies(seekers, vacancies, m.streams["jobs"])
    for w, employer in hires:
        m.hire(w, employer)
        if not employer.is_committee:
            employer.vacancies -= 1
        m.tally["hires"] += 1
    # vacancies no seeker took may be filled by people from other fields (lateral entry)
    rng = m.streams["lateral"]
    for wage, _, employer in sorted(vacancies, key=lambda v: (-v[0], v[1]))[len(hires):]:
        ratio = max(wage, pw.pay_floor_share * pw.outside_wage_yuan) / pw.outside_wage_yuan
        if rng.random() < min(1.0, pw.lateral_fill_rate * ratio ** pw.lateral_wage_elasticity):
            w = _new_entrant(m)
            m.workers.append(w)
            m.hire(w, employer)
            if not employer.is_committee:
                employer.vacancies -= 1
            m.tally["lateral_entrants"] += 1
    # an organization whose social-work vacancy stays unfilled hires other staff instead
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
# 5. residents' needs and services
# ---------------------------------------------------------------------------
def build_supply(m: "CommunityModel", demand_com: np.ndarray, demand_org: np.ndarray) -> tuple[Supply, Supply]:
    """Supply rows for the committee channel and the organization channel.

    Committee channel: each committee's own capacity spread over kinds by its
    demand, its micro-projects over the kinds they meet, and partners offering
    ``partner_capacity_share`` of their capacity. Organization channel: every
    active organization's remaining capacity spread over the committees it
    reaches and the kinds it serves, by demand.
    """
    pc, po = m.p.committees, m.p.organizations
    n_com = len(m.committees)
    com_idx = np.arange(n_com)
    # committee staff rows: one per (committee, kind)
    own = np.array([c.own_capacity(pc, m.p.streets.service_support_hours) for c in m.committees])
    qual = np.array([c.quality(pc) for c in m.committees]).reshape(n_com, 2)
    cells = (com_idx[:, None] * K + np.arange(K)[None, :]).ravel()
    owner = np.repeat(com_idx, K)
    cap_own = spread(owner, cells, demand_com, own)
    rows = [Supply(cells, np.full(cells.size, PT_COMMITTEE, np.int8), owner, cap_own,
                   qual[owner, 0], qual[owner, 1])]
    # micro-project rows
    for c in m.committees:
        c.projects_this_month = c.projects if c.project_months_left > 0 else 0
    proj = np.array([c.projects_this_month * pc.micro_project_needs_month * (1 + pc.expert_guidance)
                     for c in m.committees])
    if proj.sum() > 0:
        pcells = (com_idx[:, None] * K + _PROJECT_KIND_IDX[None, :]).ravel()
        powner = np.repeat(com_idx, _PROJECT_KIND_IDX.size)
        pq = min(1.0, pc.quality_base - 0.05 + 0.2 * pc.expert_guidance)
        rows.append(Supply(pcells, np.full(pcells.size, PT_PROJECTS, np.int8), powner,
                           spread(powner, pcells, demand_com, proj), np.full(pcells.size, pq), np.zeros(pcells.size)))
    # organizations
    orgs = [o for o in m.organizations if o.active]
    for o in orgs:
        o.compute_capacity(po, m.month)
    m._org_quality = {o: m.org_quality(o) for o in orgs}
    part_cells, part_owner, part_cap = [], [], []
    reach_cells, reach_owner = [], []
    for j, o in enumerate(orgs):
        street = m.streets[o.street]
        for c in street.committees:
            if o in c.partners:
                part_cells.append(c.index * K + o.serves)
                part_owner.append(np.full(o.serves.size, j))
        for ci in street.reach(o):
            reach_cells.append(ci * K + o.serves)
            reach_owner.append(np.full(o.serves.size, j))
    cap = np.array([o.capacity for o in orgs]) if orgs else np.zeros(0)
    oq = np.array([m._org_quality[o] for o in orgs]).reshape(len(orgs), 2)
    slots = np.array([o.slot for o in orgs], dtype=np.int64)
    partner_cap = cap * pc.partner_capacity_share
    if part_cells:
        pc_cells = np.concatenate(part_cells)
        pc_owner = np.concatenate(part_owner)
        pcap = spread(pc_owner, pc_cells, demand_com, partner_cap)
        order = np.lexsort((-oq[pc_owner, 0], pc_cells))
        rows.append(Supply(pc_cells[order], np.full(order.size, PT_ORG, np.int8), slots[pc_owner][order],
                           pcap[order], oq[pc_owner, 0][order], oq[pc_owner, 1][order]))
    com_supply = Supply.concat(rows)
    # organization channel: what is left of each organization's capacity
    m._org_channel = (reach_cells, reach_owner, cap, oq, slots, bool(part_cells))
    return com_supply, Supply.empty()


def _org_channel_supply(m: "CommunityModel", demand_org: np.ndarray, used_by_slot: np.ndarray) -> Supply:
    reach_cells, reach_owner, cap, oq, slots, _ = m._org_channel
    if not reach_cells:
        return Supply.empty()
    cells = np.concatenate(reach_cells)
    owner = np.concatenate(reach_owner)
    left = np.maximum(cap - used_by_slot[slots], 0.0)
    rcap = spread(owner, cells, demand_org, left)
    order = np.lexsort((-oq[owner, 0], cells))
    return Supply(cells[order], np.full(order.size, PT_ORG, np.int8), slots[owner][order],
                  rcap[order], oq[owner, 0][order], oq[owner, 1][order])


def org_reach_matrix(m: "CommunityModel") -> np.ndarray:
    """(committee x kind) 1 where an active organization serves that kind in that area."""
    reach = np.zeros((len(m.committees), K), dtype=np.float32)
    for o in m.organizations:
        if o.active:
            for ci in m.streets[o.street].reach(o):
                reach[ci, o.serves] = 1.0
    return reach


def serve_residents(m: "CommunityModel") -> None:
    """Needs arise, are brought forward, matched to supply, met, wait or lapse."""
    r = m.residents
    pr = m.p.residents
    rates = need_rate_matrix(pr)
    new = r.decide_needs_arise(rates, m.streams["needs"])
    m.recorder.add_arising(new)
    r.decide_bring_forward(pr, org_reach_matrix(m), m.streams["bring_forward"])

    open_idx = np.flatnonzero(r.need_kind != NO_NEED)
    ch = r.need_channel[open_idx]
    cell = r.committee[open_idx].astype(np.int64) * K + r.need_kind[open_idx]
    n_cells = len(m.committees) * K
    demand_com = np.bincount(cell[ch == CH_COMMITTEE], minlength=n_cells)
    demand_org = np.bincount(cell[ch == CH_ORG], minlength=n_cells)
    m._demand_cells = demand_com.reshape(-1, K)
    com_supply, _ = build_supply(m, demand_com, demand_org)

    sel = ch == CH_COMMITTEE
    res1 = match(open_idx[sel], cell[sel], r.need_wait[open_idx[sel]], com_supply, n_cells, m.streams["match"])
    used_by_slot = np.zeros(len(m.organizations))
    org_rows = com_supply.ptype == PT_ORG
    np.add.at(used_by_slot, com_supply.pid[org_rows], res1.used[org_rows])
    org_supply = _org_channel_supply(m, demand_org, used_by_slot)
    sel = ch == CH_ORG
    res2 = match(open_idx[sel], cell[sel], r.need_wait[open_idx[sel]], org_supply, n_cells, m.streams["match"])

    for res, supply in ((res1, com_supply), (res2, org_supply)):
        _close_met(m, res, supply)
    lapsed, lapsed_kind = r.decide_wait_or_lapse(pr, m.streams["lapse"])
    m.recorder.add_lapsed(lapsed)
    # what the streets see: lapsed needs by kind, over a year (exponential window)
    lapsed_kind_com = np.zeros((len(m.committees), K))
    np.add.at(lapsed_kind_com, (r.committee[lapsed], lapsed_kind), 1)
    for street in m.streets:
        rows = [c.index for c in street.committees]
        street.unmet_by_kind = street.unmet_by_kind * (11 / 12) + lapsed_kind_com[rows].sum(axis=0)
    m._unmet_kind_by_committee = lapsed_kind_com + np.bincount(
        cell[r.need_kind[open_idx] != NO_NEED], minlength=n_cells).reshape(-1, K)


def _close_met(m: "CommunityModel", res, supply: Supply) -> None:
    r = m.residents
    if res.served.size == 0:
        return
    rng = m.streams["quality"]
    row = res.row
    cert = rng.random(row.size) < supply.cert[row]
    pc = m.p.committees
    quality = supply.quality[row] + np.where(cert, pc.certified_quality_gain, 0.0)
    by_org = supply.ptype[row] == PT_ORG
    m.recorder.add_met(res.served, r.need_wait[res.served], cert, supply.ptype[row])
    # per-organization deliveries (for fees, contracts, partnerships)
    slots = supply.pid[row][by_org]
    coms = r.committee[res.served][by_org]
    kinds = r.need_kind[res.served][by_org]
    via_com = r.need_channel[res.served][by_org] == CH_COMMITTEE
    if slots.size:
        counts = np.bincount(slots, minlength=len(m.organizations))
        for slot in np.flatnonzero(counts):
            m.organizations[slot].needs_met_month += int(counts[slot])
        qual_by_pair: dict[tuple[int, int], float] = {}
        for s, c, k, v, q in zip(slots.tolist(), coms.tolist(), kinds.tolist(), via_com.tolist(),
                                 quality[by_org].tolist(), strict=True):
            org = m.organizations[s]
            if v:
                qual_by_pair[(c, s)] = max(qual_by_pair.get((c, s), 0.0), min(q, 1.0))
            for ct in org.contracts:
                if ct.kind == k:
                    ct.delivered += 1
                    break
        m._partner_perf.update(qual_by_pair)
    r.resolve_met(res.served, quality, by_org, m.p.residents)


# ---------------------------------------------------------------------------
# 6. partnerships
# ---------------------------------------------------------------------------
def partnerships(m: "CommunityModel") -> None:
    """Partnerships follow performance; committees with unmet demand look for partners."""
    perf = m._partner_perf
    rng = m.streams["partners"]
    unmet = m._unmet_kind_by_committee
    for c in m.committees:
        mine = {m.organizations[s]: q for (ci, s), q in perf.items() if ci == c.index}
        c.update_partners(m.p.committees, mine)
        top = int(np.argmax(unmet[c.index])) if unmet[c.index].sum() > 0 else -1
        c.decide_new_partner(m.p.committees, top, m.streets[c.street].active_orgs(), rng)
    m._partner_perf = {}


# ---------------------------------------------------------------------------
# 7. accounts
# ---------------------------------------------------------------------------
def accounts(m: "CommunityModel") -> None:
    """Money moves: income, costs, subsidies, projects; hiring, lay-offs, failures."""
    po, pw, pc = m.p.organizations, m.p.social_workers, m.p.committees
    L = m.ledger
    district, purchase = m.funders["district"], m.funders["purchase"]
    for org in m.organizations:
        if not org.alive:
            continue
        acct = org.account
        # -- income ------------------------------------------------------
        gov = 0.0
        for ct in org.contracts:
            if ct.months_left > 0:
                purchase.pay(acct, ct.monthly_yuan, "contract")
                m.tally["contracts_paid"] += 1
                org.record_income("contract", ct.monthly_yuan)
                gov += ct.monthly_yuan
                ct.months_left -= 1
        if org.runs_platform:
            fee = m.p.streets.platform_fee_yuan / 12
            m.funders["street"].pay(acct, fee, "platform_fee")
            org.record_income("platform_fee", fee)
            gov += fee
        for g in org.grants:
            if g.months_left > 0:
                g.funder.pay(acct, g.monthly_yuan, g.purpose)
                if g.funder.kind == "foundation":
                    g.funder.committed -= g.monthly_yuan
                org.record_income(g.purpose, g.monthly_yuan)
                if g.purpose == "lottery_grant":
                    gov += g.monthly_yuan
                g.months_left -= 1
        org.grants = [g for g in org.grants if g.months_left > 0]
        if org.active:
            donation = max(0.0, po.donations_yuan_month * (0.5 + org.reputation) - po.crowd_out * gov)
            L.transfer(m.acct["donors"], acct, donation, "donation")
            org.record_income("donation", donation)
            staff = org.other_staff + len(org.workers)
            market = po.market_income_per_staff_yuan * staff
            L.transfer(m.acct["market"], acct, market, "market_income")
            org.record_income("market_income", market)
            share = po.fee_kinds_share * (1.0 if org.kind == "life_services" else 0.2)
            fees = po.fee_yuan_per_need * share * org.needs_met_month
            L.transfer(m.acct["residents"], acct, fees, "fee")
            org.record_income("fee", fees)
        # -- costs -------------------------------------------------------
        if org.pays_rent() and (org.active or po.premises_required >= 0.5):
            L.transfer(acct, m.acct["landlords"], org.rent_due(po), "rent")
            district.pay(m.acct["landlords"], po.rent_yuan_month * po.rent_subsidy_share, "rent_subsidy")
        if org.active:
            L.transfer(acct, m.acct["utilities"], po.utilities_yuan_month * (1 - po.utility_discount_share),
                       "utilities")
            district.pay(m.acct["utilities"], po.utilities_yuan_month * po.utility_discount_share,
                         "utility_discount")
            L.transfer(acct, m.acct["wages"], org.other_staff * po.other_wage_yuan, "wages_other")
        wages = 0.0
        for w in org.workers:
            w.wage = w.compute_wage(pw)
            wages += w.wage
            district.pay(m.acct["wages"], w.subsidy(pw), "salary_subsidy")
        L.transfer(acct, m.acct["wages"], wages, "wages_social_workers")
        org.close_income_month()
        # -- decisions ---------------------------------------------------
        if org.active:
            _decide_staffing(m, org, wages)
        if L.get(acct) < 0:
            org.months_negative += 1
            if org.months_negative > po.failure_grace_months:
                org.status = FAILED
                _wind_up(m, org)
                m.tally["failures"] += 1
        else:
            org.months_negative = 0
    # committees' social workers are paid by the district (salaries of committee posts)
    for c in m.committees:
        for w in c.workers:
            w.wage = w.compute_wage(pw)
        if c.project_months_left > 0 and c.projects > 0:
            spend = min(L.get(c.fund_account), c.projects * pc.micro_project_cost_yuan / 12)
            L.transfer(c.fund_account, m.acct["project_costs"], max(spend, 0.0), "micro_projects")
            c.project_months_left -= 1
            if c.project_months_left == 0:
                c.projects = 0


def _decide_staffing(m: "CommunityModel", org, wages: float) -> None:
    """Rule: post a social-work vacancy when reserves cover hire_reserve_months of costs
    (with the new wage), the mean monthly income of the last year covers the costs with
    the new wage too, and the organization was busy (met at least 80 % of its capacity)
    or holds a contract; when reserves fall below layoff_reserve_months of costs, let
    the newest social worker go (or one other staff member)."""
    po = m.p.organizations
    costs = org.monthly_costs(po, wages)
    reserves = m.ledger.get(org.account)
    busy = org.needs_met_month >= 0.8 * org.capacity or org.has_contract()
    next_wage = m.p.social_workers.wage_org_yuan
    income = sum(org.income_window().values()) / max(len(org.income_12m), 1)
    if (reserves > po.hire_reserve_months * (costs + next_wage) and busy
            and income >= costs + next_wage
            and len(org.workers) + org.vacancies < po.max_social_workers):
        org.vacancies += 1
    elif reserves < po.layoff_reserve_months * costs:
        if org.workers:
            m.release(org.workers[-1])
            m.tally["layoffs"] += 1
        elif org.other_staff > 1:
            org.other_staff -= 1
            m.tally["layoffs"] += 1
    org.met_last_month = org.needs_met_month
    org.needs_met_month = 0


def _wind_up(m: "CommunityModel", org) -> None:
    """A failed or abandoned organization lets its workers go, loses contracts and ties;
    what is left in (or owed by) its account goes back to its founders."""
    for w in list(org.workers):
        m.release(w)
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


# ---------------------------------------------------------------------------
# 8-9. workforce and residents' social life
# ---------------------------------------------------------------------------
def workforce(m: "CommunityModel") -> None:
    """Employed workers gain experience; each may quit (wage vs outside option)."""
    pw = m.p.social_workers
    rng = m.streams["attrition"]
    district = m.funders["district"]
    for w in list(m.workers):
        if not w.employed:
            continue
        w.gain_experience(pw)
        district.pay(m.acct["project_costs"], pw.training_cost_yuan / 12, "training")
        if rng.random() < w.quit_chance(pw):
            m.tally["quits"] += 1
            m.recorder.quit(w)
            m.leave_field(w)


def residents_social(m: "CommunityModel") -> None:
    """Participation and awareness spread over neighbour ties."""
    projects = np.array([c.projects_this_month for c in m.committees])
    m.residents.decide_participation(m.p.residents, projects, m.streams["participation"])
