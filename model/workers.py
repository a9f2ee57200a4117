"""Social workers (Mesa agents), their labour market and every decision about them.

Rules, all with parameters in ``SocialWorkers`` of the register:

* supply (``graduation``): graduates enter each year in ``graduation_month`` (the
  city's 950+ graduates, shared out per resident of the simulated world);
* matching (``match_jobs``, ``fill_vacancies``): each month vacancies in
  organizations and committees are filled from the job seekers, best-paid vacancy
  first, the rest possibly laterally; seekers not placed leave the field with
  ``unemployed_exit_rate`` per month (``decide_seekers_leave``);
* certification (``certification_exam``): once a year community workers
  (committee staff), organizations' other staff and uncertified employed workers
  sit the exam and pass with a chance logistic in experience and support (one who
  passes is a certified social worker in the same place);
* pay (``pay`` and ``community_pay``, one formula for one worker or arrays):
  employer base, seniority, grade pay; a community worker's pay (committee staff,
  social-work posts included) is raised to the pay floor; the district pays
  certified workers a salary subsidy (organizations) or a post allowance
  (committees);
* quitting (``decide_quits``): the yearly quit rate is ``attrition_base`` times
  exp(sensitivity * relative gap to the average wage) (``quit_chance``, also the
  form of community workers' turnover); skill grows with experience and
  on-the-job training, towards 1.

Layout: ``SocialWorker``; ``quit_chance``, ``pass_chance``, ``pay``,
``community_pay``, ``offer``, ``graduates_this_year``, ``fill_vacancies``; then
the decisions in the order of the year and the month.
"""

from __future__ import annotations

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
        """This worker's wage: :func:`community_pay` in a committee, :func:`pay` in an organization."""
        if getattr(self.employer, "is_committee", False):
            return float(community_pay(p, self.experience_months, self.certified)[1])
        return float(pay(p, p.wage_org_yuan, self.experience_months, self.certified))

    def subsidy(self, p: SWParams) -> float:
        """Monthly money the district pays a certified worker on top of the wage: the salary
        subsidy in an organization, the professional post allowance in a committee."""
        if not self.certified or self.employer is None:
            return 0.0
        if getattr(self.employer, "is_committee", False):
            return p.post_allowance_yuan
        return p.salary_subsidy_certified_yuan

    def quit_chance(self, p: SWParams) -> float:
        """Monthly chance of leaving: :func:`quit_chance` with attrition_base at the take-home pay."""
        return float(quit_chance(p, p.attrition_base, self.wage + self.subsidy(p)))

    def exam_pass_chance(self, p: SWParams) -> float:
        """:func:`pass_chance` at this worker's experience and support."""
        return float(pass_chance(p, self.experience_months, self.supported))

    def gain_experience(self, p: SWParams) -> None:
        """One month of work: experience +1, skill up towards 1."""
        self.experience_months += 1
        self.skill += (p.skill_growth_per_year + p.training_skill_gain) / 12.0 * (1.0 - self.skill)


def quit_chance(p: SWParams, base_rate, take_home):
    """Rule: a worker leaves at a constant hazard with yearly turnover rate
    base_rate*exp(attrition_wage_sensitivity*gap) (gap: outside_wage_yuan less the take-home
    pay, relative to outside_wage_yuan; the rate capped at attrition_max_rate), i.e. with
    chance 1 - exp(-rate/12) a month, so quits / mean employed over a year is the rate.
    Scalars or arrays."""
    gap = (p.outside_wage_yuan - take_home) / max(p.outside_wage_yuan, 1.0)
    rate = np.minimum(p.attrition_max_rate, base_rate * np.exp(p.attrition_wage_sensitivity * gap))
    return 1.0 - np.exp(-rate / 12.0)


def pass_chance(p: SWParams, experience_months, supported):
    """Rule: the exam pass chance is logistic in exam_pass_base + exam_pass_experience per
    year of experience + exam_pass_support when supported. Scalars or arrays."""
    x = p.exam_pass_base + p.exam_pass_experience * experience_months / 12.0 + p.exam_pass_support * supported
    return 1.0 / (1.0 + np.exp(-x))


def pay(p: SWParams, base, experience_months, certified):
    """Rule: a wage is the employer's base (wage_org_yuan in an organization) +
    wage_growth_per_year per year of experience + certified_pay_yuan when certified.
    Scalars or arrays (one formula for both)."""
    return base + p.wage_growth_per_year * experience_months / 12.0 + p.certified_pay_yuan * certified


def community_pay(p: SWParams, experience_months, certified):
    """Rule: a community worker (committee staff, social-work posts included) is paid
    :func:`pay` on wage_committee_yuan, raised to the pay floor pay_floor_share *
    outside_wage_yuan ("社區工作者不低于社平工資的待遇標準"). Returns (wage before the floor,
    wage). Scalars or arrays."""
    unfloored = pay(p, p.wage_committee_yuan, experience_months, certified)
    return unfloored, np.maximum(unfloored, p.pay_floor_share * p.outside_wage_yuan)


def offer(p: SWParams, committee: bool) -> float:
    """The wage an employer offers for a vacancy: the pay of a new, uncertified worker
    (:func:`community_pay` in a committee, :func:`pay` in an organization)."""
    if committee:
        return float(community_pay(p, 0, False)[1])
    return float(pay(p, p.wage_org_yuan, 0, False))


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


def _sit(m: "CommunityModel", experience_months: float) -> bool:
    """One candidate sits the exam: supported with chance exam_support; True when they pass
    (:func:`pass_chance`)."""
    pw = m.p.social_workers
    rng = m.streams["exam"]
    supported = bool(rng.random() < pw.exam_support)
    m.recorder.events.exam_takers += 1
    passed = bool(rng.random() < pass_chance(pw, experience_months, supported))
    m.recorder.events.exam_passed += passed
    return passed


def _promote(m: "CommunityModel", employer: Any, experience_months: float) -> None:
    """A member of ``employer``'s staff passed: they become a certified social worker there
    (skill staff_exam_skill), in their own place."""
    w = SocialWorker(m, certified=True, experience_months=int(experience_months),
                     skill=m.p.social_workers.staff_exam_skill)
    m.workers.append(w)
    m.hire(w, employer, promoted=True)


def certification_exam(m: "CommunityModel") -> None:
    """Rule: once a year (exam_month) regular community workers sit the exam with chance
    staff_exam_take_rate (``Committee.exam_take_rate``: higher where the committee practises
    internal development), at the middle of their year of experience; then active
    organizations' other staff with chance other_staff_exam_take_rate, credited with
    other_staff_experience_years; a candidate is supported with chance exam_support and
    passes with :func:`pass_chance`; one who passes is a certified social worker in their own
    place. Then uncertified employed social workers sit it with chance exam_take_rate (plus
    exam_take_support when supported) and pass with :meth:`SocialWorker.exam_pass_chance`."""
    pw = m.p.social_workers
    rng = m.streams["exam"]
    rates = np.array([c.exam_take_rate(m.p.committees, pw.staff_exam_take_rate) for c in m.committees])
    takers = rng.binomial(m.staff_cohorts, rates[:, None])
    for j, year in zip(*np.nonzero(takers), strict=True):
        c, months = m.committees[int(j)], (int(year) + 0.5) * 12.0
        for _ in range(int(takers[j, year])):
            if _sit(m, months):
                _promote(m, c, months)
                m.recorder.events.staff_certified += 1
    for org in [o for o in m.organizations if o.active and o.other_staff > 0]:
        for _ in range(int(rng.binomial(org.other_staff, pw.other_staff_exam_take_rate))):
            if _sit(m, pw.other_staff_experience_years * 12.0):
                _promote(m, org, pw.other_staff_experience_years * 12.0)
                m.recorder.events.other_staff_certified += 1
    _exam_social_workers(m, rng)


def _exam_social_workers(m: "CommunityModel", rng: np.random.Generator) -> None:
    """Uncertified employed social workers sit the exam (see :func:`certification_exam`)."""
    pw = m.p.social_workers
    for w in m.workers:
        if w.certified or not w.employed:
            continue
        w.supported = bool(rng.random() < pw.exam_support)
        take = pw.exam_take_rate + (pw.exam_take_support if w.supported else 0.0)
        if rng.random() >= min(take, 1.0):
            continue
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
        ratio = wage / pw.outside_wage_yuan
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
    # SocialWorker.quit_chance for all at once: it reads the take-home pay only, and
    # quit_chance over an array gives each worker the same number as alone (tested)
    take_home = np.array([w.wage + w.subsidy(pw) for w in employed], dtype=np.float64)
    chances = quit_chance(pw, pw.attrition_base, take_home).tolist()
    for w, u, chance in zip(employed, draws, chances, strict=True):
        w.gain_experience(pw)
        if u < chance:
            m.recorder.quit(w)
            m.leave_field(w)
