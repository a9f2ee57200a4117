"""Residents' committees (Mesa agents): staff time, service, partnerships, projects, elections.

Rules, parameters in ``Committees`` of the register:

* time: each worker has ``hours_per_staff_month``; the administrative burden
  (tasks handed down, growing with ungated new tasks and the street's push)
  takes its share; a directly elected committee gives ``direct_responsiveness``
  more of the rest to residents;
* own service: ``own_service_share`` of service time meets needs at
  ``hours_per_need`` hours each; quality rises with certified and trained staff;
* referral: needs brought to the committee are also met by partner
  organizations, which offer a share of their capacity (committee staff,
  micro-projects and partners serve a cell's needs in random order); a
  partnership strengthens when the partner meets referred needs well and weakens otherwise, ending below a threshold;
  committees with unmet demand look for new partners;
* micro-projects: the self-governance fund pays for projects run by
  volunteers, each meeting a few needs a month, more with guidance
  (``decide_micro_projects``, ``project_supply``, ``spend_micro_projects``);
* guidance: a committee's guidance intensity (``Committee.guidance``) is set
  by its street's guidance contract (``guidance.py``) and raises its quality
  and its micro-projects';
* internal development (``Committee.develops``): committees in the first
  ``development_coverage`` of the coverage order train staff in social work
  (``decide_training``), co-design with organizations (a higher partner search
  rate) and send staff to the exam (``exam_take_rate``);
* elections (``hold_elections``): a share of committees elect directly;
* workforce: a committee's ``staff`` places are held by social workers
  (``SocialWorker`` agents: its social-work posts and community workers who passed
  the exam), regular community workers (counts by whole years of experience, one
  row per committee of the model's ``staff_cohorts``; how many are trained in
  social work) or are vacant. Regular community workers quit
  (``decide_staff_turnover``, the social workers' quit rule at their pay) and
  vacant places are refilled from the local labour market
  (``fill_staff_places``); ``staff_wage_bill`` is what a committee's staff are
  paid (the pay floor applies to them; the district pays it,
  ``accounts._pay_committee_staff``); the administrative hours the task list and
  the gate take off committees (``admin_hours_taken_off``) are paid where they go
  (``street_costs.take_over_tasks``).

Service time, own capacity and quality are rules over arrays of committees
(``service_time_shares``, ``own_capacities``, ``qualities``, ``admin_hours_taken_off``);
``partnerships``
runs each committee's partnership rules after serving.

Layout: ``in_coverage``; ``Committee`` (its methods: coverage, posts, burden,
training, partners); the rules over arrays of committees (``CommitteeArrays``,
``committee_arrays``, ``service_time_shares``, ``admin_hours_taken_off``,
``own_capacities``, ``qualities``); the workforce (``EXPERIENCE_YEARS``,
``cohort_months``, ``initial_staff``, ``StaffWageBill``, ``staff_wage_bill``,
``decide_staff_turnover``, ``fill_staff_places``); micro-projects
(``decide_micro_projects``, ``project_supply``, ``volunteer_supply``, ``eligible_needs``, ``projects_running``,
``spend_micro_projects``); ``partnerships``; elections (``election_due``,
``hold_elections``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import mesa
import numpy as np

from . import kernels
from .params import COMMUNITY_TYPES, GROUPS, NEED_KINDS, Committees as ComParams, Residents as ResidentParams, \
    SocialWorkers as SWParams
from .workers import community_pay, offer, quit_chance

MIGRANTS = GROUPS.index("migrants")

if TYPE_CHECKING:
    from .community import CommunityModel
    from .organizations import Organization
    from .workers import SocialWorker



def in_coverage(rank: int, n: int, share: float) -> bool:
    """Rule: a facility or fund that covers ``share`` of the streets (or committees) reaches
    the first ``share`` of the ``n`` of them in a fixed random coverage order (``rank``)."""
    return (rank + 0.5) / n <= share


class Committee(mesa.Agent):
    """A residents' committee."""

    is_committee = True

    def __init__(self, model: "CommunityModel", index: int, street: int, residents: int, direct: bool,
                 ctype: int = 0):
        super().__init__(model)
        p = model.p.committees
        self.index = index
        self.street = street
        self.residents = residents
        self.ctype = ctype  # community type (index into params.COMMUNITY_TYPES)
        profile = getattr(model.p.community_types, COMMUNITY_TYPES[ctype])
        self.admin_factor = profile.admin_factor  # the type's factor on the administrative burden
        self.space_factor = profile.space_factor  # ... on what a micro-project meets (activity space)
        self.staff = p.staff  # places
        self.vacant = 0  # places no one holds
        self.trained = 0  # regular community workers trained in social work
        self.cohorts = model.staff_cohorts[index]  # regular community workers by whole years of experience (a view)
        self.workers: list["SocialWorker"] = []
        self.extra_burden = 0.0  # accumulated new administrative tasks
        self.kept_off_burden = 0.0  # accumulated new tasks the gate kept off the committee
        self.direct = direct
        self.partners: dict["Organization", float] = {}
        self.fund_account = model.ledger.open(f"committee_fund:{index}", "committee_fund")
        self.projects = 0
        self.project_months_left = 0
        self.last_turnout = float("nan")
        self.coverage_rank = index
        self.guidance = 0.0  # guidance intensity this month (0-1), from the street's guidance contract

    # ------------------------------------------------------------------
    def has_fund(self, p: ComParams) -> bool:
        """Covered by the self-governance fund (:func:`in_coverage` with fund_coverage)."""
        return in_coverage(self.coverage_rank, len(self.model.committees), p.fund_coverage)

    def co_builds(self, p: ComParams) -> bool:
        """In regional co-building (:func:`in_coverage` with co_building_coverage)."""
        return in_coverage(self.coverage_rank, len(self.model.committees), p.co_building_coverage)

    def develops(self, p: ComParams) -> bool:
        """Practises internal development (:func:`in_coverage` with development_coverage)."""
        return in_coverage(self.coverage_rank, len(self.model.committees), p.development_coverage)

    def exam_take_rate(self, p: ComParams, staff_rate: float) -> float:
        """Rule: a committee's regular staff sit the social-work exam at the staff rate
        (``staff_rate``, social_workers.staff_exam_take_rate), or at development_exam_take_rate
        if higher in a committee practising internal development (:meth:`develops`)."""
        return max(staff_rate, p.development_exam_take_rate) if self.develops(p) else staff_rate

    def sw_posts(self, p: ComParams) -> int:
        """Posts for professional social workers among the staff."""
        return int(round(p.sw_posts_share * self.staff))

    @property
    def regular(self) -> int:
        """Regular community workers: places held neither by a social worker nor vacant."""
        return self.staff - len(self.workers) - self.vacant

    def seat(self, worker: "SocialWorker", promoted: bool) -> None:
        """Rule: a social worker just hired (``worker``, already on the committee's list) takes a
        vacant place if there is one, else the newest regular community worker makes way; one
        promoted (a community worker of this committee who passed the exam) keeps their own
        place, leaving the regular staff of their experience, taken from the trained ones
        first. Trained staff never outnumber regular staff."""
        if promoted:
            self.cohorts[min(worker.experience_months // 12, EXPERIENCE_YEARS - 1)] -= 1
            self.trained = max(0, self.trained - 1)
        elif self.vacant > 0:
            self.vacant -= 1
        elif self.cohorts.any():  # (with none left the committee is over-staffed: the invariant check says so)
            self.cohorts[int(np.flatnonzero(self.cohorts)[0])] -= 1
        self.trained = min(self.trained, self.regular)

    def unseat(self) -> None:
        """A social worker left: their place falls vacant."""
        self.vacant += 1

    def decide_burden(self, p: ComParams, street_push: float) -> None:
        """Rule: new tasks accumulate at new_task_drift*(1-new_task_gate) plus the street's push;
        the gated part, new_task_drift*new_task_gate, is kept off the committee (``kept_off_burden``)
        and is done elsewhere or dropped (:func:`admin_hours_taken_off`)."""
        self.extra_burden += p.new_task_drift * (1.0 - p.new_task_gate) + street_push
        self.kept_off_burden += p.new_task_drift * p.new_task_gate

    def decide_training(self, p: ComParams, rng) -> None:
        """Rule: each month training_rate/12 of untrained regular staff learn social work, in a
        committee practising internal development (:meth:`develops`)."""
        untrained = self.regular - self.trained
        if untrained > 0 and p.training_rate > 0 and self.develops(p):
            self.trained += int(rng.binomial(untrained, min(1.0, p.training_rate / 12.0)))

    def update_partners(self, p: ComParams, performance: dict["Organization", float]) -> None:
        """Rule: strength decays by partner_decay and moves by partner_reinforce towards the
        partner's performance (its quality when it met referred needs this month, 0
        otherwise); a tie below partner_drop_below, or with an organization no longer
        alive, ends."""
        for org in list(self.partners):
            s = self.partners[org]
            perf = performance.get(org, 0.0)
            s = (1.0 - p.partner_decay) * s + p.partner_reinforce * (perf - s)
            if s < p.partner_drop_below or not org.alive:
                del self.partners[org]
            else:
                self.partners[org] = s

    def decide_new_partner(self, p: ComParams, unmet_kind: int, candidates: list["Organization"], rng) -> None:
        """Rule: with unmet demand and fewer than max_partners partners, with chance
        partner_search_rate a month (development_search_rate if higher in a committee practising
        internal development: co-design), invite the best-reputation active organization of the
        street that serves the kind most unmet, at new_partner_strength."""
        rate = p.partner_search_rate
        if p.development_search_rate > rate and self.develops(p):
            rate = p.development_search_rate
        if len(self.partners) >= p.max_partners or unmet_kind < 0 or rng.random() >= rate:
            return
        best = None
        for org in candidates:
            if org in self.partners or unmet_kind not in org.serves_kinds:
                continue
            if best is None or org.reputation > best.reputation:
                best = org
        if best is not None:
            self.partners[best] = p.new_partner_strength


# ---------------------------------------------------------------------------
# service time, capacity and quality over arrays of committees (one value per committee,
# in index order)
# ---------------------------------------------------------------------------
class CommitteeArrays(NamedTuple):
    """The state of every committee that its service time, capacity and quality depend on."""

    staff: np.ndarray  # float64, staff at work (places less vacant ones)
    trained: np.ndarray  # int64
    workers: np.ndarray  # int64, social workers employed
    certified: np.ndarray  # int64, of them certified
    extra_burden: np.ndarray  # float64
    direct: np.ndarray  # bool
    kept_off_burden: np.ndarray  # float64
    guidance: np.ndarray  # float64, guidance intensity (0-1)
    admin_factor: np.ndarray  # float64, the community type's factor on the administrative burden
    space_factor: np.ndarray  # float64, the community type's factor on micro-projects (activity space)


def committee_arrays(committees: list[Committee]) -> CommitteeArrays:
    """Read the committees' state into arrays (``committees`` in index order): one pass over
    the committees into a float64 table (its integers and flags are exact there)."""
    n = len(committees)
    table = np.array([(c.staff - c.vacant, c.trained, len(c.workers), c.extra_burden, c.direct, c.kept_off_burden,
                       c.guidance, c.admin_factor, c.space_factor) for c in committees],
                     dtype=np.float64).reshape(n, 9).T
    workers = table[2].astype(np.int64)
    cert_flags = np.array([w.certified for c in committees for w in c.workers], dtype=bool)
    certified = np.bincount(np.repeat(np.arange(n), workers)[cert_flags], minlength=n)
    return CommitteeArrays(
        staff=table[0].copy(), trained=table[1].astype(np.int64), workers=workers, certified=certified,
        extra_burden=table[3].copy(), direct=table[4].astype(bool), kept_off_burden=table[5].copy(),
        guidance=table[6].copy(), admin_factor=table[7].copy(), space_factor=table[8].copy())


def service_time_shares(p: ComParams, ca: CommitteeArrays) -> np.ndarray:
    """Rule: the administrative burden is (admin_burden * the community type's admin_factor +
    accumulated new tasks) * (1 - burden_cut), at most max_admin_burden; the rest of staff
    time is service, raised by direct_responsiveness in a directly elected committee, at
    most all of it. One value per committee."""
    b = (p.admin_burden * ca.admin_factor + ca.extra_burden) * (1.0 - p.burden_cut)
    burden = np.where(b < p.max_admin_burden, b, p.max_admin_burden)
    share = 1.0 - burden
    share = np.where(ca.direct, share * (1.0 + p.direct_responsiveness), share)
    return np.where(1.0 < share, 1.0, share)


def admin_hours_taken_off(p: ComParams, ca: CommitteeArrays) -> np.ndarray:
    """Rule: administrative hours a month the task list (burden_cut) and the gate on new tasks
    take off a committee: staff * hours_per_staff_month * (the burden without them,
    min(admin_burden * admin_factor + accumulated and gated new tasks, max_admin_burden), less the burden
    with them, :func:`service_time_shares`'s). One value per committee, never below 0."""
    base = p.admin_burden * ca.admin_factor
    without = np.minimum(base + ca.extra_burden + ca.kept_off_burden, p.max_admin_burden)
    with_reform = np.minimum((base + ca.extra_burden) * (1.0 - p.burden_cut), p.max_admin_burden)
    return ca.staff * p.hours_per_staff_month * np.maximum(without - with_reform, 0.0)


def own_capacities(p: ComParams, ca: CommitteeArrays, share: np.ndarray, street_hours: float = 0.0) -> np.ndarray:
    """Rule: needs a month a committee meets itself: staff * hours_per_staff_month * service
    time share (``share``, :func:`service_time_shares`) * own_service_share, plus the street
    staff's support hours (``street_hours``, service_support_hours), at hours_per_need each."""
    hours = ca.staff * p.hours_per_staff_month * share * p.own_service_share
    return (hours + street_hours) / p.hours_per_need


def qualities(p: ComParams, ca: CommitteeArrays) -> tuple[np.ndarray, np.ndarray]:
    """Rule: a committee's service quality is quality_base + trained_quality_gain * the share
    of staff at work trained in social work or uncertified social workers +
    guidance_quality_gain * its guidance intensity (``streets.decide_guidance``), at most 1; a need it meets is met by a certified
    social worker with chance certified workers / staff at work. Returns (quality, certified
    chance) per committee."""
    uncert_sw = ca.workers - ca.certified
    at_work = np.maximum(ca.staff, 1.0)
    q = p.quality_base + p.trained_quality_gain * (ca.trained + uncert_sw) / at_work
    q += p.guidance_quality_gain * ca.guidance
    return np.where(1.0 < q, 1.0, q), ca.certified / at_work


# ---------------------------------------------------------------------------
# the workforce: community workers' pay, turnover and refilling
# ---------------------------------------------------------------------------
EXPERIENCE_YEARS = 41
"""Regular community workers are counted by whole years of experience, 0 to 39, and 40 or more."""


def cohort_months() -> np.ndarray:
    """The experience, in months, of a regular community worker of each cohort (mid-year)."""
    return (np.arange(EXPERIENCE_YEARS) + 0.5) * 12.0


def initial_staff(m: "CommunityModel", rng: np.random.Generator) -> None:
    """Rule: at the start every place is held by a regular community worker whose experience
    is uniform between 0 and twice staff_experience_years (whole years, 40 at most)."""
    pc = m.p.committees
    for c in m.committees:
        years = np.floor(rng.uniform(0.0, 2.0 * pc.staff_experience_years, c.staff)).astype(np.int64)
        c.cohorts[:] = np.bincount(np.minimum(years, EXPERIENCE_YEARS - 1), minlength=EXPERIENCE_YEARS)


class StaffWageBill(NamedTuple):
    """A month's pay of each committee's staff (yuan, one value per committee in index order)."""

    base: np.ndarray  # before the pay floor
    topup: np.ndarray  # what the pay floor adds


def staff_wage_bill(pw: SWParams, committees: list[Committee], cohorts: np.ndarray) -> StaffWageBill:
    """Rule: a committee's staff wage bill is what its community workers at work are paid by
    ``workers.community_pay`` (the pay floor applies to each of them): each social worker at
    their experience and certificate, each regular community worker uncertified at the
    middle of their year of experience (``cohorts``: committees x years); vacant places are
    not paid."""
    n = len(committees)
    base_y, wage_y = community_pay(pw, cohort_months(), False)
    rows = [(j, w.experience_months, w.certified) for j, c in enumerate(committees) for w in c.workers]
    idx = np.array([r[0] for r in rows], dtype=np.int64)
    base_w, wage_w = community_pay(pw, np.array([r[1] for r in rows], dtype=np.float64),
                                   np.array([r[2] for r in rows], dtype=bool))
    base = cohorts @ base_y + np.bincount(idx, weights=base_w, minlength=n)
    paid = cohorts @ wage_y + np.bincount(idx, weights=wage_w, minlength=n)
    return StaffWageBill(base, paid - base)


def decide_staff_turnover(m: "CommunityModel") -> None:
    """Rule: each regular community worker quits with ``workers.quit_chance`` at
    staff_attrition_base and the pay of an uncertified community worker of their year of
    experience (``workers.community_pay``); which of those quitting were trained in social
    work is drawn at random (hypergeometric); their places fall vacant. Every 12 months
    those staying move up a year of experience."""
    pc, pw = m.p.committees, m.p.social_workers
    cohorts = m.staff_cohorts
    chance = quit_chance(pw, pc.staff_attrition_base, community_pay(pw, cohort_months(), False)[1])
    cells = np.flatnonzero(cohorts)
    quits = np.zeros(cohorts.size, dtype=np.int64)
    quits[cells] = m.streams["staff_quits"].binomial(cohorts.ravel()[cells], chance[cells % EXPERIENCE_YEARS])
    quits = quits.reshape(cohorts.shape)
    per_committee = quits.sum(axis=1)
    trained = np.array([c.trained for c in m.committees], dtype=np.int64)
    regular = cohorts.sum(axis=1)
    trained_quit = m.streams["staff_quits"].hypergeometric(trained, regular - trained, per_committee)
    cohorts -= quits
    for j in np.flatnonzero(per_committee).tolist():
        c = m.committees[j]
        c.vacant += int(per_committee[j])
        c.trained -= int(trained_quit[j])
    if m.month > 0 and m.month % 12 == 0:
        cohorts[:, -1] += cohorts[:, -2]
        cohorts[:, 1:-1] = cohorts[:, :-2].copy()
        cohorts[:, 0] = 0
    m.recorder.events.staff_quits += int(per_committee.sum())


def fill_staff_places(m: "CommunityModel") -> None:
    """Rule: each vacant place is filled from the local labour market with chance
    staff_fill_rate * (offer / outside_wage_yuan) ** lateral_wage_elasticity a month (at most
    1; offer: ``workers.offer`` of a committee) by a new regular community worker with no
    experience and no training in social work."""
    pc, pw = m.p.committees, m.p.social_workers
    cs = m.committees
    vacant = np.array([c.vacant for c in cs], dtype=np.int64)
    if not vacant.any():
        return
    ratio = offer(pw, committee=True) / pw.outside_wage_yuan
    chance = min(1.0, pc.staff_fill_rate * ratio ** pw.lateral_wage_elasticity)
    hired = m.streams["staff_hires"].binomial(vacant, chance)
    m.staff_cohorts[:, 0] += hired
    for j in np.flatnonzero(hired).tolist():
        cs[j].vacant -= int(hired[j])
    m.recorder.events.staff_hired += int(hired.sum())


# ---------------------------------------------------------------------------
# decisions: micro-projects, partnerships, elections
# ---------------------------------------------------------------------------
def decide_micro_projects(m: "CommunityModel") -> None:
    """Rule: once a year each committee starts as many micro-projects (of micro_project_months)
    as its fund pays for (micro_project_cost_yuan each) and its volunteers can staff
    (volunteers_per_project each)."""
    pc = m.p.committees
    volunteers = m.residents.per_committee(m.residents.volunteer)
    for c in m.committees:
        funds = m.ledger.get(c.fund_account)
        by_money = int(funds // pc.micro_project_cost_yuan)
        by_people = int(volunteers[c.index] // pc.volunteers_per_project)
        c.projects = max(0, min(by_money, by_people))
        c.project_months_left = pc.micro_project_months if c.projects else 0
        m.recorder.events.micro_projects += c.projects


def project_supply(pc: ComParams, projects: np.ndarray, guidance: np.ndarray,
                   space: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rule: each running micro-project meets micro_project_needs_month needs a month, times
    (1 + the committee's guidance intensity) and the community type's space_factor (activity
    space), of the need kinds project_kinds, at quality quality_base +
    project_quality_offset + project_guidance_gain * guidance intensity (within 0-1).
    ``projects``: running projects per committee; ``guidance``: the committees' guidance
    intensities; ``space``: their space factors. Returns (needs a month per committee, the
    kinds' indices, quality per committee)."""
    needs = projects.astype(np.float64) * pc.micro_project_needs_month * (1 + guidance) * space
    kinds = np.array([NEED_KINDS.index(k) for k in pc.project_kinds])
    q = np.clip(pc.quality_base + pc.project_quality_offset + pc.project_guidance_gain * guidance, 0.0, 1.0)
    return needs, kinds, q


def volunteer_supply(pc: ComParams, residents: np.ndarray, volunteers: np.ndarray, projects: np.ndarray,
                     trust: np.ndarray, co_building: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Rule: a committee's building heads (building_heads_per_1000 per 1,000 residents) each keep
    up to volunteers_per_head of its volunteers active, among those not staffing its running
    micro-projects (volunteers_per_project each), times min(1, its residents' mean trust /
    volunteer_trust_ref); in regional co-building (``co_building``) the area's units add
    co_building_volunteers_per_1000 per 1,000 residents. Each active volunteer gives
    volunteer_hours_month hours, volunteer_hours_per_need of them per need met, of the
    volunteer_kinds, at quality quality_base + volunteer_quality_offset. ``residents``,
    ``volunteers``, ``projects``, ``trust`` (mean): per committee. Returns (needs a month per
    committee, the kinds' indices, the quality)."""
    free = np.maximum(volunteers - projects * pc.volunteers_per_project, 0.0)
    kept = np.minimum(free, residents / 1000 * pc.building_heads_per_1000 * pc.volunteers_per_head)
    active = kept * np.minimum(1.0, trust / pc.volunteer_trust_ref)
    active = active + np.where(co_building, residents / 1000 * pc.co_building_volunteers_per_1000, 0.0)
    needs = active * pc.volunteer_hours_month / pc.volunteer_hours_per_need
    kinds = np.array([NEED_KINDS.index(k) for k in pc.volunteer_kinds], dtype=np.int64)
    return needs, kinds, float(np.clip(pc.quality_base + pc.volunteer_quality_offset, 0.0, 1.0))


def eligible_needs(pr: "ResidentParams", group: np.ndarray, need_kind: np.ndarray, needs: tuple,
                   demand: np.ndarray) -> tuple:
    """Rule: a committee serves (itself, by micro-projects or through the partners it refers
    to) only the needs its residents are eligible for: a migrant's need of a kind in
    hukou_only_kinds is turned away (it stays open, waits and may lapse). ``needs``: the
    (indices, cells, waits) brought to the committees; ``demand``: needs per cell, from
    which the turned-away ones are taken off. Returns the eligible needs."""
    if not pr.hukou_only_kinds or needs[0].size == 0:
        return needs
    only = np.zeros(len(NEED_KINDS), dtype=bool)
    only[[NEED_KINDS.index(k) for k in pr.hukou_only_kinds]] = True
    idx, cells, waits = needs
    out = (np.empty_like(idx), np.empty_like(cells), np.empty_like(waits))
    n = kernels.turn_away(idx, cells, waits, group, need_kind, only, MIGRANTS, demand, *out)
    return needs if n == idx.size else (out[0][:n], out[1][:n], out[2][:n])


def projects_running(committees: list[Committee]) -> np.ndarray:
    """Micro-projects running this month in each committee (index order)."""
    return np.array([c.projects if c.project_months_left > 0 else 0 for c in committees], dtype=np.int64)


def spend_micro_projects(m: "CommunityModel") -> None:
    """Rule: running micro-projects spend micro_project_cost_yuan a year each from the
    committee's fund, as far as the fund reaches; projects end after their months."""
    pc = m.p.committees
    for c in m.committees:
        if c.project_months_left > 0 and c.projects > 0:
            spend = min(m.ledger.get(c.fund_account), c.projects * pc.micro_project_cost_yuan / 12)
            m.ledger.transfer(c.fund_account, m.acct["project_costs"], max(spend, 0.0), "micro_projects")
            c.project_months_left -= 1
            if c.project_months_left == 0:
                c.projects = 0


def partnerships(m: "CommunityModel", partner_perf: dict[tuple[int, int], float], unmet: np.ndarray) -> None:
    """Each committee updates its partnerships (:meth:`Committee.update_partners`, from
    ``partner_perf``: (committee, organization slot) -> best quality delivered on referred
    needs this month) and, with unmet demand (``unmet``: committees x kinds), may invite a
    partner for its most unmet kind (:meth:`Committee.decide_new_partner`)."""
    by_committee: dict[int, dict] = {}
    for (ci, s), q in partner_perf.items():
        by_committee.setdefault(ci, {})[m.organizations[s]] = q
    rng = m.streams["partners"]
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


def election_due(pc: ComParams, month: int, cal: int, last_election: int) -> bool:
    """Rule: committees hold elections in calendar month election_month once
    election_interval_months have passed since the last (less half a year, so a scenario
    starting in any month keeps the cycle)."""
    return cal == pc.election_month and month - last_election >= pc.election_interval_months - 6


def hold_elections(m: "CommunityModel") -> None:
    """Rule: all committees hold elections; the first direct_election_share of committees
    (in a fixed order) elect directly from now on; residents vote and trust follows
    (``ResidentArrays.decide_votes`` with election_trust_gain)."""
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
    m.recorder.events.election = True

