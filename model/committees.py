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
  micro-projects and partners serve a cell's needs in random order); a partnership strengthens when the partner meets
  referred needs well and weakens otherwise, ending below a threshold;
  committees with unmet demand look for new partners;
* micro-projects: the self-governance fund pays for projects run by
  volunteers, each meeting a few needs a month.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import mesa
import numpy as np

from .params import Committees as ComParams

if TYPE_CHECKING:
    from .community import CommunityModel
    from .organizations import Organization
    from .workers import SocialWorker

PROJECT_KINDS = ("elder_care", "children_youth", "family", "culture_sport")
"""Need kinds residents' own micro-projects can meet."""


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
        self.direct = direct
        self.partners: dict["Organization", float] = {}
        self.fund_account = model.ledger.open(f"committee_fund:{index}", "committee_fund")
        self.projects = 0
        self.projects_this_month = 0
        self.project_months_left = 0
        self.last_turnout = float("nan")
        self.coverage_rank = index

    # ------------------------------------------------------------------
    def burden(self, p: ComParams) -> float:
        """Share of staff time on administrative tasks."""
        return min(p.max_admin_burden, (p.admin_burden + self.extra_burden) * (1.0 - p.burden_cut))

    def service_time_share(self, p: ComParams) -> float:
        """Share of staff time on service to residents (elections add responsiveness)."""
        share = 1.0 - self.burden(p)
        if self.direct:
            share *= 1.0 + p.direct_responsiveness
        return min(share, 1.0)

    def own_capacity(self, p: ComParams, street_hours: float = 0.0) -> float:
        """Needs per month the committee meets itself (with street staff's support hours)."""
        hours = self.staff * p.hours_per_staff_month * self.service_time_share(p) * p.own_service_share
        return (hours + street_hours) / p.hours_per_need

    def has_fund(self, p: ComParams) -> bool:
        """Covered by the self-governance fund (first ``fund_coverage`` of committees in coverage order)."""
        return (self.coverage_rank + 0.5) / len(self.model.committees) <= p.fund_coverage

    def quality(self, p: ComParams) -> tuple[float, float]:
        """(base quality, chance a need is met by a certified social worker)."""
        cert = sum(1 for w in self.workers if w.certified)
        uncert_sw = len(self.workers) - cert
        q = p.quality_base + p.trained_quality_gain * (self.trained + uncert_sw) / self.staff
        q += p.guidance_quality_gain * p.expert_guidance
        return min(q, 1.0), cert / self.staff

    def sw_posts(self, p: ComParams) -> int:
        """Posts for professional social workers among the staff."""
        return int(round(p.sw_posts_share * self.staff))

    def decide_burden(self, p: ComParams, street_push: float) -> None:
        """Rule: new tasks accumulate at new_task_drift*(1-new_task_gate) plus the street's push."""
        self.extra_burden += p.new_task_drift * (1.0 - p.new_task_gate) + street_push

    def decide_training(self, p: ComParams, rng) -> None:
        """Rule: each month training_rate/12 of untrained regular staff learn social work."""
        regular = self.staff - len(self.workers) - self.trained
        if regular > 0 and p.training_rate > 0:
            self.trained += int(rng.binomial(regular, min(1.0, p.training_rate / 12.0)))

    def update_partners(self, p: ComParams, performance: dict["Organization", float]) -> None:
        """Rule: strength moves towards the partner's performance (its quality when it met
        referred needs this month, 0 otherwise) and decays; weak or dead ties end."""
        for org in list(self.partners):
            s = self.partners[org]
            perf = performance.get(org, 0.0)
            s = (1.0 - p.partner_decay) * s + p.partner_reinforce * (perf - s)
            if s < p.partner_drop_below or not org.alive:
                del self.partners[org]
            else:
                self.partners[org] = s

    def decide_new_partner(self, p: ComParams, unmet_kind: int, candidates: list["Organization"], rng) -> None:
        """Rule: with unmet demand, with chance partner_search_rate a month, invite the
        best-reputation active organization of the street that serves the kind most unmet."""
        if len(self.partners) >= p.max_partners or unmet_kind < 0 or rng.random() >= p.partner_search_rate:
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
# the same rules over arrays of committees (one value per committee, in index order)
# ---------------------------------------------------------------------------
class CommitteeArrays(NamedTuple):
    """The state of every committee that its service time, capacity and quality depend on."""

    staff: np.ndarray  # float64
    trained: np.ndarray  # int64
    workers: np.ndarray  # int64, social workers employed
    certified: np.ndarray  # int64, of them certified
    extra_burden: np.ndarray  # float64
    direct: np.ndarray  # bool


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
        direct=np.array([c.direct for c in committees], dtype=bool))


def service_time_shares(p: ComParams, ca: CommitteeArrays) -> np.ndarray:
    """:meth:`Committee.service_time_share` of every committee: the same operations in the
    same order (``min(a, b)`` written as ``where(b < a, b, a)``), so the same values to the
    last bit."""
    b = (p.admin_burden + ca.extra_burden) * (1.0 - p.burden_cut)
    burden = np.where(b < p.max_admin_burden, b, p.max_admin_burden)
    share = 1.0 - burden
    share = np.where(ca.direct, share * (1.0 + p.direct_responsiveness), share)
    return np.where(1.0 < share, 1.0, share)


def own_capacities(p: ComParams, ca: CommitteeArrays, share: np.ndarray, street_hours: float = 0.0) -> np.ndarray:
    """:meth:`Committee.own_capacity` of every committee (``share``: their
    :func:`service_time_shares`), the same values to the last bit."""
    hours = ca.staff * p.hours_per_staff_month * share * p.own_service_share
    return (hours + street_hours) / p.hours_per_need


def qualities(p: ComParams, ca: CommitteeArrays) -> tuple[np.ndarray, np.ndarray]:
    """:meth:`Committee.quality` of every committee: (base quality, chance a need is met by
    a certified social worker), the same values to the last bit."""
    uncert_sw = ca.workers - ca.certified
    q = p.quality_base + p.trained_quality_gain * (ca.trained + uncert_sw) / ca.staff
    q += p.guidance_quality_gain * p.expert_guidance
    return np.where(1.0 < q, 1.0, q), ca.certified / ca.staff
