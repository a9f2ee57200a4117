"""Social workers (Mesa agents), their labour market and every decision about them.

Rules, all with parameters in ``SocialWorkers`` of the register:

* supply (``graduation``): graduates enter each year in ``graduation_month`` (the
  city's 950+ graduates, shared out per resident of the simulated world);
* matching (``match_jobs``, ``fill_vacancies``): each month vacancies in
  organizations and committees are filled from the job seekers, best-paid vacancy
  first, the rest possibly laterally; seekers not placed leave the field with
  ``unemployed_exit_rate`` per month (``decide_seekers_leave``);
* certification (``certification_exam``): once a year committee staff and
  uncertified employed workers sit the exam and pass with a chance logistic in
  experience and support;
* pay (``pay``, one formula for one worker or arrays): employer base, seniority,
  grade pay, the pay floor;
* quitting (``decide_quits``): the yearly quit rate is ``attrition_base`` times
  exp(sensitivity * relative gap to the average wage); skill grows with
  experience and on-the-job training, towards 1.

Layout: ``SocialWorker``; ``pay``, ``offer``, ``graduates_this_year``,
``fill_vacancies``; then the decisions in the order of the year and the month.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from .params import SocialWorkers as SWParams

if TYPE_CHECKING:
    from .community import CommunityModel


class SocialWorker(mesa.Agent):
    """A professional social worker: employer, certificate, experience, skill, wage."""

    def __init__(self, model: "CommunityModel", certified: bool, experience_months: int, skill: float):
        super().__init__(model)
        self.employer: Any = None  # Organization or Committee, or None when seeking
        self.certified = bool(certified)
        self.experience_months = int(experience_months)
        self.skill = float(skill)
        self.supported = False  # exam support this year
        self.wage = 0.0

    @property
    def employed(self) -> bool:
        """True when the worker has an employer."""
        return self.employer is not None

    def compute_wage(self, p: SWParams) -> float:
        """This worker's wage by :func:`pay`."""
        committee = getattr(self.employer, "is_committee", False)
        base = p.wage_committee_yuan if committee else p.wage_org_yuan
        return float(pay(p, base, self.experience_months, self.certified)[1])

    def subsidy(self, p: SWParams) -> float:
        """Monthly salary subsidy the district pays for a certified worker in an organization."""
        if self.certified and self.employer is not None and not getattr(self.employer, "is_committee", False):
            return p.salary_subsidy_certified_yuan
        return 0.0

    def quit_chance(self, p: SWParams) -> float:
        """Monthly chance of leaving: a constant hazard with yearly turnover rate
        attrition_base*exp(s*gap) (gap relative to the outside wage; rate capped at attrition_max_rate),
        i.e. 1 - exp(-rate/12) a month, so quits / mean employed over a year is the rate."""
        take_home = self.wage + self.subsidy(p)
        gap = (p.outside_wage_yuan - take_home) / max(p.outside_wage_yuan, 1.0)
        rate = min(p.attrition_max_rate, p.attrition_base * math.exp(p.attrition_wage_sensitivity * gap))
        return 1.0 - math.exp(-rate / 12.0)

    def exam_pass_chance(self, p: SWParams) -> float:
        """Logistic in years of experience and exam support."""
        x = p.exam_pass_base + p.exam_pass_experience * self.experience_months / 12.0
        if self.supported:
            x += p.exam_pass_support
        return 1.0 / (1.0 + math.exp(-x))

    def gain_experience(self, p: SWParams) -> None:
        """One month of work: experience +1, skill up towards 1."""
        self.experience_months += 1
        self.skill += (p.skill_growth_per_year + p.training_skill_gain) / 12.0 * (1.0 - self.skill)


def pay(p: SWParams, base, experience_months, certified):
    """Rule: a social worker's wage is the employer's base (wage_org_yuan or
    wage_committee_yuan) + wage_growth_per_year per year of experience + certified_pay_yuan
    when certified, raised to the pay floor pay_floor_share * outside_wage_yuan.
    Returns (wage before the floor, wage). Scalars or arrays (one formula for both)."""
    unfloored = base + p.wage_growth_per_year * experience_months / 12.0 + p.certified_pay_yuan * certified
    return unfloored, np.maximum(unfloored, p.pay_floor_share * p.outside_wage_yuan)


def offer(p: SWParams, committee: bool) -> float:
    """The wage an employer offers for a vacancy: :func:`pay` of a new, uncertified worker."""
    return float(pay(p, p.wage_committee_yuan if committee else p.wage_org_yuan, 0, False)[1])


def graduates_this_year(p: SWParams, simulated_residents: int, rng: np.random.Generator) -> int:
    """Number of graduates entering the simulated world's market this year (Poisson)."""
    mean = p.graduates_per_year * p.graduate_entry_share * simulated_residents / p.city_residents
    return int(rng.poisson(mean))


def fill_vacancies(
    seekers: list[SocialWorker],
    vacancies: list[tuple[float, int, Any]],
    rng: np.random.Generator,
) -> list[tuple[SocialWorker, Any]]:
    """Rule: vacancies sorted by offered wage (highest first, ties by the random tie-break key)
    take seekers in a random order. Returns the (worker, employer) hires."""
    if not seekers or not vacancies:
        return []
    order = rng.permutation(len(seekers))
    ranked = sorted(vacancies, key=lambda v: (-v[0], v[1]))
    return [(seekers[i], v[2]) for i, v in zip(order, ranked, strict=False)]


# ---------------------------------------------------------------------------
# decisions: graduation, exam, job matching, quitting
# ---------------------------------------------------------------------------
def new_entrant(m: "CommunityModel") -> SocialWorker:
    """A new job seeker (a graduate or a lateral entrant): uncertified, little skill
    (uniform between entrant_skill_lo and entrant_skill_hi)."""
    pw = m.p.social_workers
    rng = m.streams["entrants"]
    return SocialWorker(m, certified=False, experience_months=0,
                        skill=float(rng.uniform(pw.entrant_skill_lo, pw.entrant_skill_hi)))


def graduation(m: "CommunityModel") -> None:
    """Rule: once a year (graduation_month) :func:`graduates_this_year` new graduates enter the
    simulated world's market as job seekers (:func:`new_entrant`)."""
    for _ in range(graduates_this_year(m.p.social_workers, m.simulated_residents, m.streams["graduates"])):
        m.workers.append(new_entrant(m))
        m.recorder.events.graduates += 1


def _pay_exam_subsidy(m: "CommunityModel", worker: SocialWorker) -> None:
    """The district pays exam_subsidy_yuan for a supported candidate."""
    pw = m.p.social_workers
    if worker.supported and pw.exam_subsidy_yuan > 0:
        m.funders["district"].pay(m.acct["registration"], pw.exam_subsidy_yuan, "exam_subsidy")


def certification_exam(m: "CommunityModel") -> None:
    """Rule: once a year (exam_month) regular community workers sit the exam with chance
    staff_exam_take_rate (``Committee.exam_take_rate``: higher where the committee practises
    internal development; credited with staff_experience_years of experience and skill
    staff_exam_skill) and, passing, become certified social workers of their committee;
    then uncertified employed social workers sit it with chance exam_take_rate (plus
    exam_take_support when supported; a share exam_support is supported) and pass with
    :meth:`SocialWorker.exam_pass_chance`."""
    pw = m.p.social_workers
    rng = m.streams["exam"]
    for c in m.committees:
        regular = c.staff - len(c.workers)
        rate = c.exam_take_rate(m.p.committees, pw.staff_exam_take_rate)
        takers = int(rng.binomial(regular, rate)) if regular > 0 else 0
        for _ in range(takers):
            w = SocialWorker(m, certified=False, experience_months=int(pw.staff_experience_years * 12),
                             skill=pw.staff_exam_skill)
            w.supported = bool(rng.random() < pw.exam_support)
            _pay_exam_subsidy(m, w)
            m.recorder.events.exam_takers += 1
            if rng.random() < w.exam_pass_chance(pw):
                w.certified = True
                m.workers.append(w)
                m.hire(w, c)
                if c.trained > 0:
                    c.trained -= 1
                m.recorder.events.exam_passed += 1
                m.recorder.events.staff_certified += 1
            else:
                w.remove()
    for w in m.workers:
        if w.certified or not w.employed:
            continue
        w.supported = bool(rng.random() < pw.exam_support)
        take = pw.exam_take_rate + (pw.exam_take_support if w.supported else 0.0)
        if rng.random() >= min(take, 1.0):
            continue
        _pay_exam_subsidy(m, w)
        m.recorder.events.exam_takers += 1
        if rng.random() < w.exam_pass_chance(pw):
            w.certified = True
            w.wage = w.compute_wage(pw)
            m.recorder.events.exam_passed += 1


def _filled(employer) -> None:
    """A vacancy was filled: a project's required hire first, then the employer's own."""
    if employer.is_committee:
        return
    if employer.required_hires > 0:
        employer.required_hires -= 1
    else:
        employer.vacancies -= 1


def _posts(m: "CommunityModel") -> list[tuple[float, Any]]:
    """(offer, employer) of every open social-work post: committees' open posts, then active
    organizations' vacancies and required hires; inactive organizations' vacancies close."""
    pw = m.p.social_workers
    offer_committee, offer_org = offer(pw, committee=True), offer(pw, committee=False)
    posts: list[tuple[float, Any]] = []
    for c in m.committees:
        open_posts = c.sw_posts(m.p.committees) - len(c.workers)
        posts += [(offer_committee, c)] * max(0, open_posts)
    for org in m.organizations:
        if not org.active:
            org.vacancies = 0
            continue
        posts += [(offer_org, org)] * (org.vacancies + org.required_hires)
    return posts


def match_jobs(m: "CommunityModel") -> None:
    """Rule: employers post vacancies at their :func:`offer`; seekers are matched best offer
    first, equal offers in random order (:func:`fill_vacancies`); a vacancy no seeker took is
    filled from another field with chance lateral_fill_rate * (offer / outside_wage_yuan)
    ** lateral_wage_elasticity (capped at 1)."""
    pw = m.p.social_workers
    posts = _posts(m)
    ties = m.streams["job_ties"].permutation(len(posts)) if posts else []
    vacancies = [(offer_, int(t), employer) for (offer_, employer), t in zip(posts, ties, strict=True)]
    seekers = [w for w in m.workers if not w.employed]
    hires = fill_vacancies(seekers, vacancies, m.streams["jobs"])
    for w, employer in hires:
        m.hire(w, employer)
        _filled(employer)
        m.recorder.events.hires += 1
    rng = m.streams["lateral"]
    for wage, _, employer in sorted(vacancies, key=lambda v: (-v[0], v[1]))[len(hires):]:
        ratio = wage / pw.outside_wage_yuan  # offers are at least the pay floor
        if rng.random() < min(1.0, pw.lateral_fill_rate * ratio ** pw.lateral_wage_elasticity):
            w = new_entrant(m)
            m.workers.append(w)
            m.hire(w, employer)
            _filled(employer)
            m.recorder.events.lateral_entrants += 1


def decide_seekers_leave(m: "CommunityModel") -> None:
    """Rule: each job seeker not placed this month leaves the field with chance
    unemployed_exit_rate."""
    rng = m.streams["job_exit"]
    for w in [w for w in m.workers if not w.employed]:
        if rng.random() < m.p.social_workers.unemployed_exit_rate:
            m.leave_field(w)
            m.recorder.events.seekers_left += 1


def decide_quits(m: "CommunityModel") -> None:
    """Rule: each employed worker gains a month of experience and skill
    (:meth:`SocialWorker.gain_experience`; the district pays training_cost_yuan a year for
    each) and quits with :meth:`SocialWorker.quit_chance`."""
    pw = m.p.social_workers
    rng = m.streams["attrition"]
    employed = [w for w in m.workers if w.employed]
    m.funders["district"].pay_repeated(m.acct["project_costs"], pw.training_cost_yuan / 12, len(employed), "training")
    draws = rng.random(len(employed)).tolist()  # the same numbers as one draw per worker in turn
    for w, u in zip(employed, draws, strict=True):
        w.gain_experience(pw)
        if u < w.quit_chance(pw):
            m.recorder.quit(w)
            m.leave_field(w)
