"""Declared outcomes: each named once with unit and definition, collected monthly.

The model-level outcomes go through Mesa's ``DataCollector`` (one reporter
per declared outcome); breakdowns by resident group and by committee are
kept as arrays and turned into tables at the end. Counts of residents'
needs, organizations, workers and money are reported at full scale (divided
by the sampled share ``model.scale``).

Layout: ``Outcome`` and ``OUTCOMES`` (every outcome declared once: name, unit,
definition); ``Recorder`` (``begin_month``; the ``add_*`` calls and ``events`` the month's
phases report to; ``record``, which computes the month's outcomes and collects
them, its pass over the residents checking their invariants: ``_close_books``, ``_gather`` the month's state
into a ``_MonthState``, ``_push_windows``, one ``_*_outcomes`` method per family of
outcomes, ``_breakdowns``; the tables written at the end). The measures it computes
them with (income shares, reserves, attrition, equity gaps, the finite check) are in
``outcome_measures.py``.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np
import pandas as pd

from . import kernels
from .by_type import TypeTally, committee_gap_arrays
from .committees import CommitteeArrays, committee_arrays, service_time_shares
from .funders import public_spending, public_staff_spending, spending_by
from .outcome_measures import (_attrition, _check_finite, _gap_committees, _gap_groups, _government_income_share,
                               _nanmean_or0, _reserve_months_median, _sector_share, _stack_columns,
                               _weighted_share, severity_weights)
from .params import COMMUNITY_TYPES, GROUPS, NEED_KINDS
from .policies import PURPOSE_LEVER
from .services import PT_COMMITTEE, PT_ORG, PT_PROJECTS, PT_VOLUNTEERS

if TYPE_CHECKING:
    from .community import CommunityModel
    from .serving import ServiceResult


@dataclass(frozen=True)
class Outcome:
    """A declared outcome."""

    name: str
    unit: str
    definition: str
    scaled: bool = False  # a count reported at full scale


OUTCOMES: tuple[Outcome, ...] = (
    Outcome("needs_arising", "needs per month", "New needs raised by residents this month.", True),
    Outcome("needs_met", "needs per month", "Needs met this month (by committees, micro-projects or organizations).", True),
    Outcome("needs_lapsed", "needs per month", "Needs that lapsed unmet this month.", True),
    Outcome("needs_met_share", "share", "Needs met / (needs met + needs lapsed) this month; 0 when none closed."),
    Outcome("needs_met_weighted", "severity-weighted needs per month", "Needs met this month, each counted by its kind's severity weight (residents.severity; a culture or sport need = 1).", True),
    Outcome("needs_lapsed_weighted", "severity-weighted needs per month", "Needs lapsed this month, each counted by its kind's severity weight.", True),
    Outcome("needs_met_weighted_share", "share", "Severity-weighted needs met / severity-weighted needs closed (met + lapsed) this month; 0 when none closed. Below needs_met_share when heavy needs lapse more often than light ones."),
    Outcome("backlog", "needs", "Open needs (raised, not yet met or lapsed) at the end of the month.", True),
    Outcome("mean_wait_months", "months", "Mean months waited by the needs met this month; 0 when none met."),
    Outcome("needs_met_by_certified_share", "share", "Share of needs met this month that a certified social worker served."),
    Outcome("satisfaction", "score 0-1", "Mean satisfaction of residents."),
    Outcome("trust_in_committee", "score 0-1", "Mean trust of residents in their committee."),
    Outcome("participation_rate", "share", "Share of residents taking part in community activities."),
    Outcome("volunteer_rate", "share", "Share of residents volunteering."),
    Outcome("election_turnout", "share", "Turnout at the latest committee elections (0 before the first)."),
    Outcome("committee_service_time_share", "share", "Mean share of committee staff time spent on service (not administration)."),
    Outcome("needs_met_by_committees_share", "share", "Share of needs met this month that committee staff met themselves."),
    Outcome("needs_met_by_organizations_share", "share", "Share of needs met this month that organizations met."),
    Outcome("needs_met_by_projects_share", "share", "Share of needs met this month that residents' micro-projects met."),
    Outcome("needs_met_by_volunteers_share", "share", "Share of needs met this month that volunteers kept by building heads met."),
    Outcome("micro_projects", "projects", "Residents' micro-projects running this month.", True),
    Outcome("organizations_registered", "organizations", "Registered organizations not failed.", True),
    Outcome("organizations_registering", "organizations", "Organizations still registering.", True),
    Outcome("organizations_active", "organizations", "Registered organizations that met at least one need this month.", True),
    Outcome("organization_foundings", "organizations per month", "Registrations completed this month.", True),
    Outcome("organization_failures", "organizations per month", "Organizations failed this month: reserves exhausted, failed the annual inspection, or founders gave up.", True),
    Outcome("organization_failures_money", "organizations per month", "Organizations failed this month because their reserves stayed negative.", True),
    Outcome("organization_failures_inspection", "organizations per month", "Organizations deregistered at the annual inspection this month.", True),
    Outcome("organization_failures_founders", "organizations per month", "Organizations dissolved by their founders this month.", True),
    Outcome("organization_reserve_months_median", "months of costs", "Median over registered organizations of reserves / mean monthly costs over the last 12 months (organizations with costs)."),
    Outcome("contracts", "contracts", "Purchase-of-services contracts paid this month.", True),
    Outcome("government_income_share", "share", "Government money (contracts, platform fees, lottery and incubator grants) / all income of registered community organizations, last 12 months."),
    Outcome("sector_government_income_share", "share", "Government money / all income of the whole social-organization sector: the community organizations (last 12 months) plus the rest of the sector (aggregate block, parameters.sector), scaled to the world's residents."),
    Outcome("orgs_with_certified_share", "share", "Share of registered organizations employing a certified social worker."),
    Outcome("social_workers", "workers", "Social workers employed (organizations and committees).", True),
    Outcome("social_workers_in_organizations", "workers", "Social workers employed by organizations.", True),
    Outcome("certified_share", "share", "Share of employed social workers holding the national certificate."),
    Outcome("social_worker_attrition", "per year", "Quits over the last 12 months / mean employed over those months."),
    Outcome("public_spending_yuan", "yuan per month", "Money leaving public sources (city and district finance, street budgets, lottery fund) this month: levers, facilities and public staff.", True),
    Outcome("public_staff_yuan", "yuan per month", "Public money paying public staff this month: committee and street staff wages, street staff's support hours to committees, and street and district staff's hours on tasks taken off committees.", True),
    Outcome("public_spending_12m_yuan", "yuan per month", "Mean monthly public spending over the last 12 months (yearly payments such as funds spread over the year).", True),
    Outcome("social_money_yuan", "yuan per month", "Donations, fees and foundation donations this month (social money).", True),
    Outcome("spending_per_need_met_yuan", "yuan per need", "Public spending (the whole public cost, staff included) / needs met, last 12 months; 0 when none met."),
    Outcome("admin_hours_moved", "hours per month", "Committee administrative hours taken off committees (task list, gate on new tasks) and done by street or district staff this month.", True),
    Outcome("admin_hours_dropped", "hours per month", "Committee administrative hours taken off committees and done by no one (dropped) this month.", True),
    Outcome("equity_gap_groups", "share", "Largest minus smallest needs-met share across resident groups (last 12 months; groups with at least residents.equity_min_closed_needs closed needs)."),
    Outcome("equity_gap_groups_weighted", "share", "Largest minus smallest severity-weighted needs-met share across resident groups (last 12 months; the groups equity_gap_groups counts)."),
    Outcome("equity_gap_committees", "share", "90th minus 10th percentile of committees' needs-met share (last 12 months)."),
    Outcome("service_centre_coverage", "share", "Share of (simulated) streets covered by a social-organization service centre."),
    Outcome("incubator_coverage", "share", "Share of (simulated) streets served by an incubator."),
    Outcome("community_foundations", "foundations", "Streets with a community foundation (full scale: sampled count / scale).", True),
    Outcome("needs_referred_share", "share", "Share of needs met this month that a partner organization met on a committee's referral (needs brought to the committee)."),
    Outcome("committees_with_partner_share", "share", "Share of committees with an active tie (a partnership) to at least one organization."),
    Outcome("orgs_with_social_worker_per_10k", "organizations per 10,000 residents", "Registered organizations employing at least one social worker, per 10,000 residents."),
    Outcome("tri_party_ties_per_10k", "ties per 10,000 residents", "Committee-organization pairs in which the organization employs a social worker and met needs the committee referred this month, per 10,000 residents."),
)
OUTCOME_NAMES = tuple(o.name for o in OUTCOMES)
SCALED = {o.name for o in OUTCOMES if o.scaled}
K = len(NEED_KINDS)

GROUP_COLUMNS = ("residents", "needs_arising", "needs_met", "needs_lapsed", "needs_met_share",
                 "mean_wait_months", "satisfaction", "trust_in_committee", "participation_rate",
                 "needs_met_weighted", "needs_lapsed_weighted", "needs_met_weighted_share")
COMMITTEE_COLUMNS = ("residents", "needs_arising", "needs_met", "needs_lapsed", "needs_met_share",
                     "backlog", "service_time_share", "partners", "social_workers", "certified_workers",
                     "micro_projects", "satisfaction", "trust_in_committee", "participation_rate",
                     "election_turnout", "org_services")


@dataclass(slots=True)
class MonthEvents:
    """Counts of the month's events, reported by the phases as they happen
    (``m.recorder.events.foundings += 1``); reset at the start of each month. A misspelt
    event is an error (slots)."""

    foundings: int = 0
    founding_blocked: int = 0
    registrations_abandoned: int = 0
    failures_money: int = 0
    failures_inspection: int = 0
    failures_founders: int = 0
    layoffs: int = 0
    other_staff_hired: int = 0
    contracts_awarded: int = 0
    contracts_paid: int = 0
    contracts_lost: int = 0
    lottery_grants: int = 0
    foundation_grants: int = 0
    micro_projects: int = 0
    graduates: int = 0
    hires: int = 0
    lateral_entrants: int = 0
    seekers_left: int = 0
    exam_takers: int = 0
    exam_passed: int = 0
    staff_certified: int = 0
    admin_hours_moved: float = 0.0
    admin_hours_dropped: float = 0.0
    other_staff_certified: int = 0
    staff_quits: int = 0
    staff_hired: int = 0
    election: bool = False


@dataclass(frozen=True)
class _MonthState:
    """What the month's outcomes read, gathered once by ``Recorder._gather``."""

    orgs: list  # registered organizations not failed
    employed: list  # employed social workers
    ca: CommitteeArrays
    service_share: np.ndarray  # committees' service time shares
    by_g: np.ndarray  # residents' sums by group (count, satisfaction, trust, participating)
    by_c: np.ndarray  # by committee (satisfaction, trust, participating, open needs)
    totals: np.ndarray  # participating, volunteers, open needs
    n_res: int  # residents (at least 1)
    met: int
    lapsed: int
    weighted_g: np.ndarray  # severity-weighted needs met and lapsed by group, shape (groups, 2)
    spend: float  # public spending this month
    staff_spend: float  # of it, public staff
    social: float  # social money this month
    served: "ServiceResult"  # what serving residents produced this month


class Recorder:
    """Tallies of the month and the DataCollector."""

    def __init__(self, model: "CommunityModel"):
        self.m = model
        n_g, n_c = len(GROUPS), len(model.committees)
        self.n_g, self.n_c = n_g, n_c
        self.window_met_g: deque[np.ndarray] = deque(maxlen=12)
        self.window_lapsed_g: deque[np.ndarray] = deque(maxlen=12)
        self.window_weighted_g: deque[np.ndarray] = deque(maxlen=12)
        self.window_met_c: deque[np.ndarray] = deque(maxlen=12)
        self.window_lapsed_c: deque[np.ndarray] = deque(maxlen=12)
        self.window_spend: deque[float] = deque(maxlen=12)
        self.window_met: deque[int] = deque(maxlen=12)
        self.window_quits: deque[int] = deque(maxlen=12)
        self.window_employed: deque[int] = deque(maxlen=12)
        self.current: dict[str, float] = {}
        self.by_group: list[np.ndarray] = []
        self.by_committee: list[np.ndarray] = []
        self.spending: list[tuple[int, str, str, float]] = []
        self.types = TypeTally(model)
        self.collector = mesa.DataCollector(
            model_reporters={name: self._reporter(name) for name in OUTCOME_NAMES}
        )
        self.begin_month()

    def _reporter(self, name: str):
        return lambda _model: self.current[name]

    # -- tallies -----------------------------------------------------------
    def begin_month(self) -> None:
        """Reset the month's tallies and event counts."""
        self.events = MonthEvents()
        self.types.begin_month()
        n_g, n_c = self.n_g, self.n_c
        self.arising_g = np.zeros(n_g, np.int64)
        self.arising_c = np.zeros(n_c, np.int64)
        self.met_g = np.zeros(n_g, np.int64)
        self.met_c = np.zeros(n_c, np.int64)
        self.lapsed_g = np.zeros(n_g, np.int64)
        self.lapsed_c = np.zeros(n_c, np.int64)
        self.met_gk = np.zeros((n_g, K), np.int64)
        self.lapsed_gk = np.zeros((n_g, K), np.int64)
        self.wait_g = np.zeros(n_g, np.float64)
        self.met_cert = 0
        self.met_referred = 0
        self.met_by = np.zeros(4, np.int64)
        self.quits = 0

    def add_arising(self, idx: np.ndarray, by_committee: np.ndarray) -> None:
        """Needs raised this month (``by_committee``: how many per committee)."""
        self.arising_g += kernels.count_by_group(idx, self.m.residents.group, self.n_g)
        self.arising_c += by_committee
        self.types.add(0, idx)

    def add_met(self, idx: np.ndarray, cert: np.ndarray, ptype: np.ndarray, by_committee: np.ndarray) -> None:
        """Needs met this month, with their certification and provider type (``by_committee``:
        how many per committee); their waits are read from the residents, so this comes
        before the needs close."""
        r = self.m.residents
        met_g, wait_g = kernels.met_by_group(idx, r.group, r.need_wait, self.n_g)
        self.met_g += met_g
        self.met_gk += kernels.count_by_group_kind(idx, r.group, r.need_kind[idx], self.n_g, K)
        self.met_c += by_committee
        self.types.add(1, idx, r.need_kind[idx])
        self.wait_g += wait_g
        self.met_cert += int(cert.sum())
        self.met_by += np.bincount(ptype.astype(np.int64), minlength=4)

    def add_referred(self, n: int) -> None:
        """Needs met this month by partner organizations on a committee's referral."""
        self.met_referred += n

    def add_lapsed(self, idx: np.ndarray, kinds: np.ndarray, by_committee: np.ndarray) -> None:
        """Needs lapsed this month (``kinds``: their kinds, aligned with ``idx``; ``by_committee``: how
        many per committee)."""
        group = self.m.residents.group
        self.lapsed_g += kernels.count_by_group(idx, group, self.n_g)
        self.lapsed_gk += kernels.count_by_group_kind(idx, group, kinds, self.n_g, K)
        self.lapsed_c += by_committee
        self.types.add(2, idx, kinds)

    def quit(self, _worker) -> None:
        """A worker quit this month."""
        self.quits += 1

    # -- the month's outcomes ----------------------------------------------------
    def record(self, served: "ServiceResult") -> None:
        """Compute this month's outcomes (``served``: what serving residents produced), collect
        them and the breakdowns. Its pass over the residents checks their invariants."""
        m = self.m
        spend, staff_spend, social = self._close_books()
        st = self._gather(spend, staff_spend, social, served)
        self._push_windows(st)
        cur = {**self._needs_outcomes(st), **self._resident_outcomes(st), **self._organization_outcomes(st),
               **self._worker_outcomes(st), **self._money_outcomes(st), **self._coverage_outcomes(st)}
        cur = {name: cur[name] for name in OUTCOME_NAMES}
        for name in SCALED:
            cur[name] /= m.scale
        self.current = cur
        self.collector.collect(m)
        self._breakdowns(st, served.projects)
        _check_finite(cur)

    def _close_books(self) -> tuple[float, float, float]:
        """Close the ledger's month, append its spending rows (full scale); return the public
        spending, its part paying public staff and the social money (donations and residents'
        fees) of the month."""
        m = self.m
        flows = m.ledger.close_month()
        for (src, purpose), yuan in sorted(spending_by(flows).items()):
            self.spending.append((m.month, src, purpose, yuan / m.scale))
        spend = public_spending(flows)
        social = math.fsum(v for (src, _d, p), v in flows.items()
                           if src == "donors" or (src == "residents" and p == "fee"))
        return spend, public_staff_spending(flows), float(social)

    def _push_windows(self, st: "_MonthState") -> None:
        """Append the month's tallies to the 12-month windows."""
        self.window_met_g.append(self.met_g.copy())
        self.window_lapsed_g.append(self.lapsed_g.copy())
        self.window_weighted_g.append(st.weighted_g)
        self.window_met_c.append(self.met_c.copy())
        self.window_lapsed_c.append(self.lapsed_c.copy())
        self.window_spend.append(st.spend)
        self.window_met.append(st.met)
        self.window_quits.append(self.quits)
        self.window_employed.append(len(st.employed))

    def _gather(self, spend: float, staff_spend: float, social: float, served: "ServiceResult") -> "_MonthState":
        """The state the outcomes read: needs met and lapsed, live organizations, employed
        workers, the committees' arrays and service shares, and the residents' sums (one pass
        that also checks the residents' invariants)."""
        m = self.m
        ca = committee_arrays(m.committees)
        w = severity_weights(m.p.residents)
        by_g, by_c, totals = m.residents.tallies()  # raises AssertionError if a resident invariant fails
        return _MonthState(
            orgs=[o for o in m.organizations if o.active], employed=[w for w in m.workers if w.employed],
            ca=ca, service_share=service_time_shares(m.p.committees, ca), by_g=by_g, by_c=by_c,
            totals=totals, n_res=max(m.residents.n, 1), met=int(self.met_g.sum()), lapsed=int(self.lapsed_g.sum()),
            weighted_g=np.column_stack([self.met_gk @ w, self.lapsed_gk @ w]),
            spend=spend, staff_spend=staff_spend, social=social, served=served)

    def _needs_outcomes(self, st: "_MonthState") -> dict[str, float]:
        """Needs raised, met, lapsed and open; waits; who met them and how well."""
        met, closed = st.met, st.met + st.lapsed
        w_met, w_lapsed = st.weighted_g.sum(axis=0)
        return {
            "needs_arising": float(self.arising_g.sum()),
            "needs_met": float(met),
            "needs_lapsed": float(st.lapsed),
            "needs_met_share": met / closed if closed else 0.0,
            "needs_met_weighted": float(w_met),
            "needs_lapsed_weighted": float(w_lapsed),
            "needs_met_weighted_share": float(w_met / (w_met + w_lapsed)) if w_met + w_lapsed > 0 else 0.0,
            "backlog": float(st.totals[2]),
            "mean_wait_months": float(self.wait_g.sum() / met) if met else 0.0,
            "needs_met_by_certified_share": self.met_cert / met if met else 0.0,
            "needs_referred_share": self.met_referred / met if met else 0.0,
            "needs_met_by_committees_share": self.met_by[PT_COMMITTEE] / met if met else 0.0,
            "needs_met_by_organizations_share": self.met_by[PT_ORG] / met if met else 0.0,
            "needs_met_by_projects_share": self.met_by[PT_PROJECTS] / met if met else 0.0,
            "needs_met_by_volunteers_share": self.met_by[PT_VOLUNTEERS] / met if met else 0.0,
            "equity_gap_groups": _gap_groups(self.window_met_g, self.window_lapsed_g,
                                             self.m.p.residents.equity_min_closed_needs),
            "equity_gap_groups_weighted": _gap_groups(self.window_met_g, self.window_lapsed_g,
                                                      self.m.p.residents.equity_min_closed_needs,
                                                      weighted=self.window_weighted_g),
            "equity_gap_committees": _gap_committees(self.window_met_c, self.window_lapsed_c),
        }

    def _resident_outcomes(self, st: "_MonthState") -> dict[str, float]:
        """Residents' means and the committees' elections, service time and micro-projects."""
        cs = self.m.committees
        return {
            "satisfaction": float(st.by_g[:, 1].sum() / st.n_res),
            "trust_in_committee": float(st.by_g[:, 2].sum() / st.n_res),
            "participation_rate": float(st.totals[0] / st.n_res),
            "volunteer_rate": float(st.totals[1] / st.n_res),
            "election_turnout": _nanmean_or0([c.last_turnout for c in cs]),
            "committee_service_time_share": float(np.mean(st.service_share)),
            "micro_projects": float(st.served.projects.sum()),
        }

    def _organization_outcomes(self, st: "_MonthState") -> dict[str, float]:
        """Organizations by status, the month's foundings, failures and contracts, and where
        their income comes from."""
        m, orgs = self.m, st.orgs
        ev = m.recorder.events
        return {
            "organizations_registered": float(len(orgs)),
            "organizations_registering": float(sum(1 for o in m.organizations if o.status == "registering")),
            "organizations_active": float(sum(1 for o in orgs if st.served.org_met[o.slot] > 0)),
            "organization_foundings": float(m.recorder.events.foundings),
            "organization_failures": float(ev.failures_money + ev.failures_inspection + ev.failures_founders),
            "organization_failures_money": float(ev.failures_money),
            "organization_failures_inspection": float(ev.failures_inspection),
            "organization_failures_founders": float(ev.failures_founders),
            "organization_reserve_months_median": _reserve_months_median(m, orgs),
            "contracts": float(m.recorder.events.contracts_paid),
            "government_income_share": _government_income_share(orgs),
            "sector_government_income_share": _sector_share(m, orgs),
            "orgs_with_certified_share": (sum(1 for o in orgs if o.certified_workers() > 0) / len(orgs)) if orgs else 0.0,
        }

    def _worker_outcomes(self, st: "_MonthState") -> dict[str, float]:
        """Social workers employed, certified and quitting."""
        employed = st.employed
        return {
            "social_workers": float(len(employed)),
            "social_workers_in_organizations": float(sum(len(o.workers) for o in st.orgs)),
            "certified_share": (sum(1 for w in employed if w.certified) / len(employed)) if employed else 0.0,
            "social_worker_attrition": _attrition(self.window_quits, self.window_employed),
        }

    def _money_outcomes(self, st: "_MonthState") -> dict[str, float]:
        """Public spending (month and 12-month mean; its staff part), social money, spending per
        need met, and where the administrative hours taken off committees went."""
        window_met = sum(self.window_met)
        ev = self.events
        return {
            "public_spending_yuan": st.spend,
            "public_staff_yuan": st.staff_spend,
            "admin_hours_moved": ev.admin_hours_moved,
            "admin_hours_dropped": ev.admin_hours_dropped,
            "public_spending_12m_yuan": sum(self.window_spend) / len(self.window_spend),
            "social_money_yuan": st.social,
            "spending_per_need_met_yuan": (sum(self.window_spend) / window_met) if window_met else 0.0,
        }

    def _coverage_outcomes(self, st: "_MonthState") -> dict[str, float]:
        """The streets' platforms and the ties between committees, organizations and social
        workers, as counts and shares (no composite index)."""
        m = self.m
        streets = m.streets
        per_10k = 1e4 / max(m.residents.n, 1)
        orgs = m.organizations
        return {
            "service_centre_coverage": float(np.mean([s.has_service_centre() for s in streets])),
            "incubator_coverage": float(np.mean([s.has_incubator() for s in streets])),
            "community_foundations": float(sum(s.has_foundation() for s in streets)),
            "committees_with_partner_share": float(np.mean([bool(c.partners) for c in m.committees])),
            "orgs_with_social_worker_per_10k": sum(1 for o in st.orgs if o.workers) * per_10k,
            "tri_party_ties_per_10k": sum(1 for (_c, slot) in st.served.partner_perf
                                          if orgs[slot].active and orgs[slot].workers) * per_10k,
        }

    def _breakdowns(self, st: "_MonthState", projects: np.ndarray) -> None:
        """Append the month's rows by group and by committee (``projects``: the committees' running
        micro-projects now)."""
        by_g, by_c, ca, service_share = st.by_g, st.by_c, st.ca, st.service_share
        m = self.m
        r = m.residents
        month = m.month
        n_g = by_g[:, 0]
        safe = np.maximum(n_g, 1)
        closed = self.met_g + self.lapsed_g
        rows = _stack_columns(self.n_g, [
            month, np.arange(self.n_g), n_g / m.scale,
            self.arising_g / m.scale, self.met_g / m.scale, self.lapsed_g / m.scale,
            np.divide(self.met_g, closed, out=np.zeros(self.n_g), where=closed > 0),
            np.divide(self.wait_g, self.met_g, out=np.zeros(self.n_g), where=self.met_g > 0),
            by_g[:, 1] / safe, by_g[:, 2] / safe, by_g[:, 3] / safe,
            st.weighted_g / m.scale, _weighted_share(st.weighted_g),
        ])
        self.by_group.append(rows)
        sizes = r.sizes().astype(np.float64)
        closed_c = self.met_c + self.lapsed_c
        cs = m.committees
        turnout = np.array([c.last_turnout for c in cs], dtype=np.float64)
        crow = _stack_columns(self.n_c, [
            month, np.arange(self.n_c), m.committee_street, sizes,
            self.arising_c, self.met_c, self.lapsed_c,
            np.divide(self.met_c, closed_c, out=np.zeros(self.n_c), where=closed_c > 0),
            by_c[:, 3],
            service_share, [len(c.partners) for c in cs], ca.workers, ca.certified,
            projects,
            by_c[:, 0] / sizes, by_c[:, 1] / sizes, by_c[:, 2] / sizes,
            np.where(np.isnan(turnout), 0.0, turnout),
            st.served.org_services,
        ])
        self.by_committee.append(crow)
        self.types.end_month()

    # -- tables --------------------------------------------------------------
    def timeseries(self) -> pd.DataFrame:
        """One row a month: ``month`` (and ``date`` with a calendar) then the outcomes."""
        df = self.collector.get_model_vars_dataframe().reset_index(drop=True)
        df.insert(0, "month", np.arange(1, len(df) + 1))
        if self.m.spec.scenario.start:
            df.insert(1, "date", [self.m.calendar_label(int(i)) for i in df["month"]])
        return df

    def group_table(self) -> pd.DataFrame:
        """Outcomes by resident group and month."""
        arr = np.vstack(self.by_group) if self.by_group else np.zeros((0, 2 + len(GROUP_COLUMNS)))
        df = pd.DataFrame(arr[:, 2:], columns=list(GROUP_COLUMNS))
        df.insert(0, "group", [GROUPS[int(g)] for g in arr[:, 1]])
        df.insert(0, "month", arr[:, 0].astype(np.int64))
        return df

    def committee_table(self, last: int | None = None) -> pd.DataFrame:
        """Outcomes by committee and month (only the ``last`` months when given)."""
        months = self.by_committee[-last:] if last else self.by_committee
        arr = np.vstack(months) if months else np.zeros((0, 3 + len(COMMITTEE_COLUMNS)))
        df = pd.DataFrame(arr[:, 3:], columns=list(COMMITTEE_COLUMNS))
        for col in ("residents", "needs_arising", "needs_met", "needs_lapsed", "backlog", "partners",
                    "social_workers", "certified_workers", "micro_projects", "org_services"):
            df[col] = df[col].astype(np.int64)
        ctype = self.m.residents.ctype[arr[:, 1].astype(np.int64)]
        df.insert(0, "type", [COMMUNITY_TYPES[int(t)] for t in ctype])
        df.insert(0, "street", arr[:, 2].astype(np.int64))
        df.insert(0, "committee", arr[:, 1].astype(np.int64))
        df.insert(0, "month", arr[:, 0].astype(np.int64))
        return df

    def committee_gap(self, months: int = 12) -> dict[str, float | int]:
        """The gap between committees over the last ``months`` months (``by_type.committee_gap_arrays``
        on the stored rows, without building the committee table)."""
        rows = self.by_committee[-months:]
        if not rows:
            return committee_gap_arrays(np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0, np.int64), months)
        col = {name: 3 + i for i, name in enumerate(COMMITTEE_COLUMNS)}
        arr = np.stack(rows)  # months x committees x columns
        com = arr[0, :, 1].astype(np.int64)
        return committee_gap_arrays(arr[:, :, col["needs_met"]].sum(axis=0), arr[:, :, col["needs_lapsed"]].sum(axis=0),
                                    arr[:, :, col["org_services"]].mean(axis=0), self.m.residents.ctype[com], months)

    def spending_table(self) -> pd.DataFrame:
        """Money by source, purpose and the lever it serves, per month (full scale)."""
        df = pd.DataFrame(self.spending, columns=["month", "source", "purpose", "yuan"])
        df.insert(3, "lever", [PURPOSE_LEVER.get(p, "") for p in df["purpose"]])
        return df
