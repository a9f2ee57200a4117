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
* pay (``pay_committee_staff``): the district pays each committee's wage bill;
  the administrative hours the task list and the gate take off committees
  (``admin_hours_taken_off``) are paid where they go (``streets.take_over_tasks``).

Service time, own capacity and quality are rules over arrays of committees
(``service_time_shares``, ``own_capacities``, ``qualities``, ``admin_hours_taken_off``);
``partnerships`` runs each committee's partnership rules after serving.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import mesa
import numpy as np

from .params import NEED_KINDS, Committees as ComParams
from .workers import pay

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

    def __init__(self, model: "CommunityModel", index: int, street: int, residents: int, direct: bool):
        super().__init__(model)
        p = model.p.committees
        self.index = index
        self.street = street
        self.residents = residents
        self.staff = p.staff
        self.trained = 0  # non-social-work staff trained in social work
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

    def decide_burden(self, p: ComParams, street_push: float) -> None:
        """Rule: new tasks accumulate at new_task_drift*(1-new_task_gate) plus the street's push;
        the gated part, new_task_drift*new_task_gate, is kept off the committee (``kept_off_burden``)
        and is done elsewhere or dropped (:func:`admin_hours_taken_off`)."""
        self.extra_burden += p.new_task_drift * (1.0 - p.new_task_gate) + street_push
        self.kept_off_burden += p.new_task_drift * p.new_task_gate

    def decide_training(self, p: ComParams, rng) -> None:
        """Rule: each month training_rate/12 of untrained regular staff learn social work, in a
        committee practising internal development (:meth:`develops`)."""
        regular = self.staff - len(self.workers) - self.trained
        if regular > 0 and p.training_rate > 0 and self.develops(p):
            self.trained += int(rng.binomial(regular, min(1.0, p.training_rate / 12.0)))

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

    staff: np.ndarray  # float64
    trained: np.ndarray  # int64
    workers: np.ndarray  # int64, social workers employed
    certified: np.ndarray  # int64, of them certified
    extra_burden: np.ndarray  # float64
    direct: np.ndarray  # bool
    kept_off_burden: np.ndarray  # float64
    guidance: np.ndarray  # float64, guidance intensity (0-1)


def committee_arrays(committees: list[Committee]) -> CommitteeArrays:
    """Read the committees' state into arrays (``committees`` in index order)."""
    n = len(committees)
    workers = np.array([len(c.workers) for c in committees], dtype=np.int64)
    cert_flags = np.array([w.certified for c in committees for w in c.workers], dtype=bool)
    certified = np.bincount(np.repeat(np.arange(n), workers)[cert_flags], minlength=n)
    return CommitteeArrays(
        staff=np.array([c.staff for c in committees], dtype=np.float64),
        trained=np.array([c.trained for c in committees], dtype=np.int64),
        workers=workers, certified=certified,
        extra_burden=np.array([c.extra_burden for c in committees], dtype=np.float64),
        direct=np.array([c.direct for c in committees], dtype=bool),
        kept_off_burden=np.array([c.kept_off_burden for c in committees], dtype=np.float64),
        guidance=np.array([c.guidance for c in committees], dtype=np.float64))


def service_time_shares(p: ComParams, ca: CommitteeArrays) -> np.ndarray:
    """Rule: the administrative burden is (admin_burden + accumulated new tasks) *
    (1 - burden_cut), at most max_admin_burden; the rest of staff time is service, raised by
    direct_responsiveness in a directly elected committee, at most all of it. One value per
    committee."""
    b = (p.admin_burden + ca.extra_burden) * (1.0 - p.burden_cut)
    burden = np.where(b < p.max_admin_burden, b, p.max_admin_burden)
    share = 1.0 - burden
    share = np.where(ca.direct, share * (1.0 + p.direct_responsiveness), share)
    return np.where(1.0 < share, 1.0, share)


def admin_hours_taken_off(p: ComParams, ca: CommitteeArrays) -> np.ndarray:
    """Rule: administrative hours a month the task list (burden_cut) and the gate on new tasks
    take off a committee: staff * hours_per_staff_month * (the burden without them,
    min(admin_burden + accumulated and gated new tasks, max_admin_burden), less the burden
    with them, :func:`service_time_shares`'s). One value per committee, never below 0."""
    without = np.minimum(p.admin_burden + ca.extra_burden + ca.kept_off_burden, p.max_admin_burden)
    with_reform = np.minimum((p.admin_burden + ca.extra_burden) * (1.0 - p.burden_cut), p.max_admin_burden)
    return ca.staff * p.hours_per_staff_month * np.maximum(without - with_reform, 0.0)


def own_capacities(p: ComParams, ca: CommitteeArrays, share: np.ndarray, street_hours: float = 0.0) -> np.ndarray:
    """Rule: needs a month a committee meets itself: staff * hours_per_staff_month * service
    time share (``share``, :func:`service_time_shares`) * own_service_share, plus the street
    staff's support hours (``street_hours``, service_support_hours), at hours_per_need each."""
    hours = ca.staff * p.hours_per_staff_month * share * p.own_service_share
    return (hours + street_hours) / p.hours_per_need


def qualities(p: ComParams, ca: CommitteeArrays) -> tuple[np.ndarray, np.ndarray]:
    """Rule: a committee's service quality is quality_base + trained_quality_gain * the share
    of staff trained in social work or uncertified social workers + guidance_quality_gain *
    its guidance intensity (``streets.decide_guidance``), at most 1; a need it meets is met by a certified social worker with
    chance certified workers / staff. Returns (quality, certified chance) per committee."""
    uncert_sw = ca.workers - ca.certified
    q = p.quality_base + p.trained_quality_gain * (ca.trained + uncert_sw) / ca.staff
    q += p.guidance_quality_gain * ca.guidance
    return np.where(1.0 < q, 1.0, q), ca.certified / ca.staff


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


def project_supply(pc: ComParams, projects: np.ndarray,
                   guidance: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rule: each running micro-project meets micro_project_needs_month needs a month, times
    (1 + the committee's guidance intensity), of the need kinds project_kinds, at quality
    quality_base + project_quality_offset + project_guidance_gain * guidance intensity
    (within 0-1). ``projects``: running projects per committee; ``guidance``: the
    committees' guidance intensities. Returns (needs a month per committee, the kinds'
    indices, quality per committee)."""
    needs = projects.astype(np.float64) * pc.micro_project_needs_month * (1 + guidance)
    kinds = np.array([NEED_KINDS.index(k) for k in pc.project_kinds])
    q = np.clip(pc.quality_base + pc.project_quality_offset + pc.project_guidance_gain * guidance, 0.0, 1.0)
    return needs, kinds, q


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


def pay_committee_staff(m: "CommunityModel") -> None:
    """Rule: each month the district pays each committee's wage bill, purpose
    committee_staff_wages: its regular staff (staff less its social workers) at
    community_worker_wage_yuan, plus its social workers' pay before the pay floor
    (:func:`workers.pay` with wage_committee_yuan; the floor's top-up is paid as
    pay_floor_topup), all times 1 + public_oncost_share (the employer's contributions)."""
    pc, pw = m.p.committees, m.p.social_workers
    cs = m.committees
    n_sw = np.array([len(c.workers) for c in cs], dtype=np.int64)
    staff_sw = [w for c in cs for w in c.workers]
    sw_pay, _ = pay(pw, pw.wage_committee_yuan, np.array([w.experience_months for w in staff_sw], dtype=np.float64),
                    np.array([w.certified for w in staff_sw], dtype=bool))
    sw_bill = np.bincount(np.repeat(np.arange(len(cs)), n_sw), weights=sw_pay, minlength=len(cs))
    regular = np.maximum(np.array([c.staff for c in cs], dtype=np.float64) - n_sw, 0.0)
    bills = (regular * pc.community_worker_wage_yuan + sw_bill) * (1.0 + m.p.funders.public_oncost_share)
    m.funders["district"].pay_many(m.acct["wages"], bills.tolist(), "committee_staff_wages")
