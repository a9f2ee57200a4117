"""Social workers (Mesa agents) and their labour market.

Rules, all with parameters in ``SocialWorkers`` of the register:

* supply: graduates enter each year in ``graduation_month`` (the city's 950+
  graduates, shared out per resident of the simulated world);
* matching: each month vacancies in organizations and committees are filled
  from the job seekers, best-paid vacancy first; seekers not placed leave
  the field with ``unemployed_exit_rate`` per month;
* certification: once a year uncertified employed workers sit the exam with
  chance ``exam_take_rate`` (more with exam support) and pass with a chance
  logistic in experience and support;
* wage against outside option: the yearly quit rate is ``attrition_base``
  times exp(sensitivity * relative gap to the average wage);
* skill grows with experience and on-the-job training, towards 1.
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

    def unfloored_wage(self, p: SWParams) -> float:
        """Employer base + seniority + grade pay if certified (before the pay floor)."""
        base = p.wage_committee_yuan if getattr(self.employer, "is_committee", False) else p.wage_org_yuan
        wage = base + p.wage_growth_per_year * self.experience_months / 12.0
        if self.certified:
            wage += p.certified_pay_yuan
        return wage

    def compute_wage(self, p: SWParams) -> float:
        """Wage: employer base + seniority + grade pay if certified, raised to the pay floor."""
        return max(self.unfloored_wage(p), p.pay_floor_share * p.outside_wage_yuan)

    def subsidy(self, p: SWParams) -> float:
        """Monthly salary subsidy the district pays for a certified worker in an organization."""
        if self.certified and self.employer is not None and not getattr(self.employer, "is_committee", False):
            return p.salary_subsidy_certified_yuan
        return 0.0

    def quit_chance(self, p: SWParams) -> float:
        """Monthly chance of leaving: a constant hazard with yearly turnover rate
        attrition_base*exp(s*gap) (gap relative to the outside wage; rate capped at 5 a year),
        i.e. 1 - exp(-rate/12) a month, so quits / mean employed over a year is the rate."""
        take_home = self.wage + self.subsidy(p)
        gap = (p.outside_wage_yuan - take_home) / max(p.outside_wage_yuan, 1.0)
        rate = min(5.0, p.attrition_base * math.exp(p.attrition_wage_sensitivity * gap))
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


def committee_wages(p: SWParams, experience_months: np.ndarray, certified: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
    """(:meth:`SocialWorker.unfloored_wage`, :meth:`SocialWorker.compute_wage`) of social
    workers employed by committees, over arrays: the same operations in the same order
    (``max(a, b)`` written as ``where(b > a, b, a)``), so the same values to the last bit."""
    unfloored = p.wage_committee_yuan + p.wage_growth_per_year * experience_months / 12.0
    unfloored = np.where(certified, unfloored + p.certified_pay_yuan, unfloored)
    floor = p.pay_floor_share * p.outside_wage_yuan
    return unfloored, np.where(floor > unfloored, floor, unfloored)


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
