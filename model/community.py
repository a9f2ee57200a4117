"""The CommunityModel: the world, its agents and accounts; the month itself is in ``month.py``."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from . import month as month_rules
from .committees import EXPERIENCE_YEARS, Committee, initial_staff
from .ageing import initial_factors, load_paths
from .funders import Funder
from .ledger import Ledger
from .neighbourhoods import assign_types, group_share_matrix, type_arrays
from .organizations import ACTIVE, Organization, founder_kind_probabilities
from .outcomes import Recorder
from .params import ORG_KINDS
from .policies import PolicySchedule
from .profile import committee_layout, direct_committees, hire_listed_workers, place_organizations
from .residents import ResidentArrays, ResidentTypes
from .rng import Streams
from .scenario import Scenario, load_scenario, parse_month
from .streets import StreetOffice
from .workers import SocialWorker

SINKS = ("landlords", "utilities", "wages", "registration", "project_costs", "suppliers")
SOURCES = {"city": "city", "district": "district", "lottery": "lottery", "donors": "donors",
           "residents": "residents", "founders": "founders"}


class CommunityModel(mesa.Model):
    """Three-society linkage in one or more streets; one step is one month.

    Args:
        scenario: a preset name, a TOML path, a dict or a :class:`Scenario`.
        rng: an integer seed (recorded); ``None`` draws one from the OS and records it.
    """

    def __init__(self, scenario: str | Path | dict[str, Any] | Scenario = "baseline", rng: int | None = None):
        if rng is None:
            rng = int(np.random.SeedSequence().entropy % (2**63))
        if not isinstance(rng, (int, np.integer)) or isinstance(rng, bool):
            raise TypeError(f"rng must be an integer seed, got {type(rng).__name__}")
        super().__init__(rng=int(rng))
        self.seed = int(rng)
        self.spec: Scenario = load_scenario(scenario)
        self.schedule = PolicySchedule(self.spec.parameters, self.spec.policies, self.spec.scenario.start)
        self.p = self.spec.parameters  # initial conditions use the scenario's own values
        self.month = 0
        self.streams = Streams(self.rng)
        self.ledger = Ledger()
        self.acct = {k: self.ledger.open(k, cat) for k, cat in SOURCES.items()}
        self.acct.update({k: self.ledger.open(k, "sink") for k in SINKS})
        self.last_election = -10**6
        self.last_round: dict[str, int] = {}
        self._build_world()
        self.recorder = Recorder(self)
        self.running = True

    # ------------------------------------------------------------------
    # world
    # ------------------------------------------------------------------
    def _build_world(self) -> None:
        w = self.spec.world
        profile = self.spec.profile
        rng = self.streams["init"]
        self.n_streets = max(1, int(round(w.streets * w.scale)))
        self.scale = self.n_streets / w.streets  # realised sampling share
        n_com = self.n_streets * w.committees_per_street
        if profile is not None:  # the street as the profile lists it
            sizes, ctype = committee_layout(profile)
        else:
            sizes = self._committee_sizes(n_com, rng)
            ctype = assign_types(w.types, self.n_streets, w.committees_per_street, rng)
        ta = type_arrays(self.p)
        self.population_paths = load_paths(self.p)  # the series the residents' mix follows (ageing)
        shares = group_share_matrix(self.p, initial_factors(self.p, self.spec.scenario.start))
        self.residents = ResidentArrays(sizes, self.p.residents, rng,
                                        ResidentTypes(ctype, shares, ta.trust_offset, ta.participation))
        self.simulated_residents = self.residents.n

        self._build_committees(sizes, ctype, rng)
        self.committee_street = np.array([c.street for c in self.committees], dtype=np.int64)
        self.streets: list[StreetOffice] = [
            StreetOffice(self, s, self.committees[s * w.committees_per_street:(s + 1) * w.committees_per_street])
            for s in range(self.n_streets)
        ]
        # coverage order: which streets get facilities and which committees get funds first
        for rank, s in enumerate(rng.permutation(self.n_streets)):
            self.streets[int(s)].coverage_rank = rank
        for rank, c in enumerate(rng.permutation(n_com)):
            self.committees[int(c)].coverage_rank = rank
        self.funders: dict[str, Funder] = {
            "purchase": Funder(self, "purchase", "city", "purchase_fund"),
            "district": Funder(self, "district", "district", "district_finance"),
            "lottery": Funder(self, "lottery", "lottery", "welfare_lottery_fund"),
            "street": Funder(self, "street", "street", "street_budgets"),
        }
        self.foundations: list[Funder] = [
            Funder(self, "foundation", "foundation", f"community_foundation:{s}") for s in range(self.n_streets)
        ]
        self.organizations: list[Organization] = []
        self.workers: list[SocialWorker] = []
        for street in self.streets:
            street.refill_founders()
        if profile is not None:
            place_organizations(self, profile, rng)
            hire_listed_workers(self, profile, rng)
        else:
            self._initial_organizations(rng)
        self._initial_workers(rng)

    def _build_committees(self, sizes: np.ndarray, ctype: np.ndarray, rng: np.random.Generator) -> None:
        """The committees (sizes, types), who elects directly, staff places and initial staff."""
        profile = self.spec.profile
        per_street = self.spec.world.committees_per_street
        n_com = len(sizes)
        # one fixed order decides which committees elect directly, now and after reforms
        self.direct_order = [int(i) for i in rng.permutation(n_com)]
        if profile is not None:
            self.direct_order, direct = direct_committees(profile, self.direct_order)
        else:
            n_direct = int(round(self.p.committees.direct_election_share * n_com))
            direct = np.zeros(n_com, dtype=bool)
            direct[self.direct_order[:n_direct]] = True
        self.staff_cohorts = np.zeros((n_com, EXPERIENCE_YEARS), dtype=np.int64)  # regular community workers
        self.committees: list[Committee] = [
            Committee(self, i, i // per_street, int(sizes[i]), bool(direct[i]), int(ctype[i]))
            for i in range(n_com)
        ]
        if profile is not None:
            for c, entry in zip(self.committees, profile.committee, strict=True):
                c.staff = c.staff if entry.staff is None else entry.staff
        initial_staff(self, self.streams["staff_init"])

    def _committee_sizes(self, n_com: int, rng: np.random.Generator) -> np.ndarray:
        """Committee sizes of a world: residents_per_committee each, or lognormal around it
        with residents_cv (at least 10)."""
        w = self.spec.world
        if w.residents_cv > 0:
            sigma = float(np.sqrt(np.log1p(w.residents_cv**2)))
            sizes = w.residents_per_committee * rng.lognormal(-sigma**2 / 2, sigma, n_com)
            return np.maximum(np.round(sizes), 10).astype(np.int64)
        return np.full(n_com, w.residents_per_committee, dtype=np.int64)

    def _initial_organizations(self, rng: np.random.Generator) -> None:
        po = self.p.organizations
        shares = founder_kind_probabilities(po)
        for street in self.streets:
            n = int(rng.poisson(po.initial_per_100k * street.residents / 1e5))
            for _ in range(n):
                kind = ORG_KINDS[int(rng.choice(len(ORG_KINDS), p=shares))]
                home = street.committees[int(rng.integers(len(street.committees)))].index
                org = self.add_organization(kind, street, home, 0, False)
                org.status = ACTIVE
                age = int(rng.integers(po.initial_age_min_months, po.initial_age_max_months))
                org.registered_month = -age
                org.founded_month = -age - po.initial_registration_months
                org.other_staff = po.other_staff
                reserve = po.initial_reserve_months * org.monthly_costs(po, 0.0, 0)
                self.ledger.transfer(self.acct["founders"], org.account, reserve, "initial_reserves")

    def _initial_workers(self, rng: np.random.Generator) -> None:
        """The initial workforce fills committees' social-work posts first (in random order),
        then the organizations present, one worker each in turn up to their maximum (an
        organization's reserves grow by initial_reserve_months of that wage); any rest seek jobs.
        In a street built from a profile the organizations already have the social workers it
        lists (``profile.hire_listed_workers``): the rest of the workforce seeks jobs."""
        ps = self.p.social_workers
        po = self.p.organizations
        n = int(round(ps.initial_per_100k * self.simulated_residents / 1e5))
        posts: list[Any] = []
        for c in self.committees:
            posts += [c] * c.sw_posts(self.p.committees)
        order = rng.permutation(len(posts)).tolist()
        orgs = [o for o in self.organizations if o.active] if self.spec.profile is None else []
        turn = 0
        for _ in range(n):
            w = SocialWorker(self, certified=bool(rng.random() < ps.initial_certified_share),
                             experience_months=int(rng.integers(0, ps.initial_experience_max_months)),
                             skill=float(rng.uniform(ps.initial_skill_lo, ps.initial_skill_hi)))
            self.workers.append(w)
            if order:
                self.hire(w, posts[order.pop()])
            elif orgs and turn < len(orgs) * po.max_social_workers:
                org = orgs[turn % len(orgs)]
                turn += 1
                if len(org.workers) < po.max_social_workers:
                    self.hire(w, org)
                    self.ledger.transfer(self.acct["founders"], org.account,
                                         po.initial_reserve_months * w.wage, "initial_reserves")

    # ------------------------------------------------------------------
    # services used by the rules
    # ------------------------------------------------------------------
    def add_organization(self, kind: str, street: StreetOffice, home: int, reg_months: int,
                         incubated: bool) -> Organization:
        """Create an organization in a street (registering)."""
        org = Organization(self, kind, street.index, home, reg_months, incubated)
        org.slot = len(self.organizations)
        self.organizations.append(org)
        street.organizations.append(org)
        return org

    def hire(self, worker: SocialWorker, employer: Any, promoted: bool = False) -> None:
        """Employ a social worker. ``promoted``: a member of the employer's own staff who passed
        the exam (a committee's community worker, an organization's other staff member) is the
        worker, in their own place (:meth:`Committee.seat`; an organization has one other staff
        member fewer)."""
        worker.employer = employer
        employer.workers.append(worker)
        if employer.is_committee:
            employer.seat(worker, promoted)
        elif promoted:
            employer.other_staff -= 1
        worker.wage = worker.compute_wage(self.p.social_workers)

    def release(self, worker: SocialWorker) -> None:
        """A worker leaves their employer and seeks a job (a committee's place falls vacant)."""
        if worker.employer is not None:
            worker.employer.workers.remove(worker)
            if worker.employer.is_committee:
                worker.employer.unseat()
        worker.employer = None

    def leave_field(self, worker: SocialWorker) -> None:
        """A worker leaves social work in the city (quits or stops searching)."""
        self.release(worker)
        self.workers.remove(worker)
        worker.remove()

    def org_quality(self, org: Organization) -> tuple[float, float]:
        """(base quality, certified chance) of an organization's service."""
        return org.quality(self.p.organizations, self.streets[org.street].has_service_centre())

    @property
    def calendar(self) -> tuple[int, int]:
        """(year, month) of the current step; year 1 when the scenario has no start."""
        return self._calendar_of(self.month)

    def _calendar_of(self, month: int) -> tuple[int, int]:
        """(year, month) of a month index; year 1 when the scenario has no start."""
        y0, m0 = parse_month(self.spec.scenario.start) if self.spec.scenario.start else (1, 1)
        total = (m0 - 1) + max(month - 1, 0)
        return y0 + total // 12, total % 12 + 1

    def calendar_label(self, month: int | None = None) -> str:
        """'YYYY-MM' of a month index (the current one by default), or '' with no start."""
        if not self.spec.scenario.start:
            return ""
        year, cal = self._calendar_of(self.month if month is None else month)
        return f"{year:04d}-{cal:02d}"

    # ------------------------------------------------------------------
    def step(self) -> None:
        """Advance one month (the order of events is in ``month.py``)."""
        self.month = int(round(self.time))
        self.p = self.schedule.params_for(self.month)
        month_rules.run_month(self)

    def run(self, months: int | None = None, progress: bool = False) -> None:
        """Run the scenario's months (or ``months``), inside ``stepping``."""
        n = self.spec.scenario.months if months is None else months
        it = range(n)
        if progress:
            from tqdm import tqdm

            it = tqdm(it, desc=self.spec.scenario.name, unit="month", mininterval=0.5)
        with self.stepping():
            for _ in it:
                self.step()

    _stepping_depth = 0  # contexts ``stepping`` open in this process (only the outermost acts)

    @staticmethod
    @contextmanager
    def stepping() -> Iterator[None]:
        """Context for stepping a model many times (``run`` uses it; so does the benchmark).

        The Python objects alive when it is entered (the world: streets, committees,
        organizations, workers, accounts) live for the whole run, yet the cyclic garbage
        collector scanned all of them in each full collection: about 15 ms a month at city
        scale. Inside the context they are set aside (``gc.freeze``); on leaving they are
        handed back (``gc.unfreeze``, which also hands back whatever was frozen before,
        such as the few hundred start-up objects Python 3.12 freezes), so a process that
        runs many models frees each one when it is done. Nested contexts act only once.
        Results do not depend on it."""
        outermost = CommunityModel._stepping_depth == 0
        CommunityModel._stepping_depth += 1
        if outermost:
            gc.freeze()
        try:
            yield
        finally:
            CommunityModel._stepping_depth -= 1
            if outermost:
                gc.unfreeze()

    # -- invariants ---------------------------------------------------------
    def check_invariants(self, residents: bool = True) -> None:
        """Raise AssertionError if money, head counts or probabilities are off. ``residents``:
        check the residents' arrays too (the month skips it: the recorder's pass over the
        residents has just checked them)."""
        total = self.ledger.total()
        scale = max(1.0, float(np.abs(self.ledger.balance).sum()))
        if not np.isfinite(total) or abs(total) > 1e-9 * scale:  # a NaN/inf balance fails too
            raise AssertionError(f"money does not add up: balances sum to {total}")
        if residents:
            self.residents.check()
        employed = sum(len(o.workers) for o in self.organizations) + sum(len(c.workers) for c in self.committees)
        n_employed = sum(1 for w in self.workers if w.employed)
        if employed != n_employed:
            raise AssertionError(f"head count: employers list {employed} workers, {n_employed} employed")
        if len(self.agents_by_type.get(SocialWorker, [])) != len(self.workers):
            raise AssertionError("social-worker agents and the workforce list disagree")
        for o in self.organizations:
            if not o.alive and o.workers:
                raise AssertionError("a failed organization still employs workers")
            if o.other_staff < 0:
                raise AssertionError("an organization has fewer than no other staff")
        cohort_sums = self.staff_cohorts.sum(axis=1).tolist()  # row c.index is c.cohorts
        cohort_negative = (self.staff_cohorts < 0).any(axis=1).tolist()
        for c in self.committees:
            if c.vacant < 0:
                raise AssertionError(f"committee {c.index} has {c.vacant} vacant places")
            if c.regular < 0:
                what = "more social workers than staff" if len(c.workers) > c.staff else \
                    "more social workers and vacant places than staff"
                raise AssertionError(f"committee {c.index} has {what}")
            if not 0 <= c.trained <= c.regular:
                raise AssertionError(f"committee {c.index} has {c.trained} trained of {c.regular} regular staff")
            if cohort_sums[c.index] != c.regular or cohort_negative[c.index]:
                raise AssertionError(f"committee {c.index}: regular staff by experience {c.cohorts.tolist()} "
                                     f"do not add up to {c.regular}")
