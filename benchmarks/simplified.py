"""The simplified needs-and-providers model that both reference implementations follow.

It keeps the resident rules of the full model (``model/residents.py``) and
replaces everything else by one provider: each committee's own staff. All
numbers come from the parameter register (``model.params.Parameters``), so the
rules match the full model's. One month, in this order:

1. every resident, in turn:

   a. *wait or lapse* (``Residents.lapse_rate``, ``max_wait_months``): a need
      left open by last month's service waits one more month; it lapses with
      chance ``lapse_rate`` or surely once it has waited ``max_wait_months``.
      A lapse pulls satisfaction (and, for a need brought to the committee,
      trust) towards 0 by ``satisfaction_step`` (``trust_step``);
   b. *participation* (``participation_*``, ``group_participation_bias``,
      ``publicity_participation``): a non-participant joins with chance
      ``participation_base * bias + participation_peer * share of participating
      neighbours + participation_satisfaction * max(satisfaction - 0.5, 0) +
      publicity_participation``; a participant stops with chance
      ``participation_quit`` (one uniform decides either);
   c. *needs arise* (``need_rates``): a resident with no open need draws one
      uniform u; u < total rate of the group raises a need, and u / total picks
      the kind from the group's cumulative rates;
   d. *bring forward* (``express_*``): an open need not yet brought forward is
      brought to the committee with chance ``express_base + express_trust *
      trust + express_awareness * awareness`` (clipped to [0, 1]);

2. every committee serves the needs brought to it, longest-waiting first
   (ties at random), up to its capacity this month: the staff hours the full
   model gives a committee's own service (``Committees.staff *
   hours_per_staff_month * (1 - admin_burden) * own_service_share /
   hours_per_need``), rounded stochastically (floor(cap + u)). A met need
   closes; satisfaction and trust move by ``satisfaction_step`` and
   ``trust_step`` towards the experienced quality ``quality_base -
   quality_wait_penalty * months waited`` (clipped to [0, 1]).

Steps 1a-1b close the previous month (the full model runs them at the end of
a month, after service); running them at the start of the next month lets the
Mesa reference visit each resident once a month, and is the same sequence of
events. Left out of the full model: organizations, the organization channel,
micro-projects, certification, volunteering, awareness dynamics, elections.

Both references start from the same initial state (``initial_state``): groups
from the register's shares, awareness as in the full model, initial trust,
satisfaction and participation, and neighbour ties drawn within each
committee area exactly as ``ResidentArrays._ties`` draws them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from model.params import GROUPS, NEED_KINDS, Parameters

NO_NEED = -1


@dataclass(frozen=True)
class SimpleParams:
    """The register's values the simplified model uses, as plain numbers and arrays."""

    rates: np.ndarray  # (group x kind) monthly need rates
    total_rate: np.ndarray  # per group
    cum_share: np.ndarray  # (group x kind) cumulative rates / total (kind from u / total)
    group_shares: np.ndarray  # per group, 'others' the remainder
    express_base: float
    express_trust: float
    express_awareness: float
    lapse_rate: float
    max_wait: int
    satisfaction_step: float
    trust_step: float
    quality_wait_penalty: float
    quality: float  # committees.quality_base
    capacity: float  # needs a committee meets per month
    join_base: np.ndarray  # per group: participation_base * (1 + bias for elderly, women at home)
    participation_peer: float
    participation_satisfaction: float
    participation_quit: float
    publicity_participation: float
    awareness_init: float
    trust_init: float
    satisfaction_init: float
    participation_init: float
    neighbours: int

    @classmethod
    def from_register(cls, p: Parameters | None = None) -> "SimpleParams":
        """Read every value from the parameter register (defaults unless ``p`` is given)."""
        p = Parameters() if p is None else p
        pr, pc = p.residents, p.committees
        rates = np.array([[getattr(getattr(pr.need_rates, g), k) for k in NEED_KINDS] for g in GROUPS])
        total = rates.sum(axis=1)
        cum = np.cumsum(rates, axis=1) / np.where(total > 0, total, 1.0)[:, None]
        shares = np.array([getattr(pr.group_shares, g) for g in GROUPS[:-1]])
        shares = np.append(shares, max(0.0, 1.0 - shares.sum()))
        bias = np.array([1.0 + pr.group_participation_bias if g in ("elderly", "women_at_home") else 1.0
                         for g in GROUPS])
        capacity = (pc.staff * pc.hours_per_staff_month * (1.0 - pc.admin_burden) * pc.own_service_share
                    / pc.hours_per_need)
        return cls(
            rates=rates, total_rate=total, cum_share=cum, group_shares=shares / shares.sum(),
            express_base=pr.express_base, express_trust=pr.express_trust, express_awareness=pr.express_awareness,
            lapse_rate=pr.lapse_rate, max_wait=pr.max_wait_months,
            satisfaction_step=pr.satisfaction_step, trust_step=pr.trust_step,
            quality_wait_penalty=pr.quality_wait_penalty, quality=pc.quality_base, capacity=capacity,
            join_base=pr.participation_base * bias, participation_peer=pr.participation_peer,
            participation_satisfaction=pr.participation_satisfaction, participation_quit=pr.participation_quit,
            publicity_participation=pr.publicity_participation,
            awareness_init=pr.awareness_init, trust_init=pr.trust_init, satisfaction_init=pr.satisfaction_init,
            participation_init=pr.participation_init, neighbours=pr.neighbours,
        )


@dataclass
class InitialState:
    """Initial state shared by both references (same seed, same residents)."""

    committee: np.ndarray  # int32, residents of a committee contiguous
    group: np.ndarray  # int8
    awareness: np.ndarray  # float32
    participating: np.ndarray  # bool
    ties: sp.csr_matrix  # row-normalised neighbour matrix


def initial_state(n_residents: int, n_committees: int, params: SimpleParams, seed: int) -> InitialState:
    """Residents split evenly over committees, groups, awareness, participation and ties."""
    rng = np.random.default_rng([seed, 1])
    sizes = np.full(n_committees, n_residents // n_committees, dtype=np.int64)
    sizes[: n_residents % n_committees] += 1
    committee = np.repeat(np.arange(n_committees, dtype=np.int32), sizes)
    group = rng.choice(len(params.group_shares), size=n_residents, p=params.group_shares).astype(np.int8)
    awareness = np.clip(rng.beta(2.0, 2.0, n_residents) * 2 * params.awareness_init, 0, 1).astype(np.float32)
    participating = rng.random(n_residents) < params.participation_init
    ties = neighbour_ties(committee, sizes, params.neighbours, rng)
    return InitialState(committee, group, awareness, participating, ties)


def neighbour_ties(committee: np.ndarray, sizes: np.ndarray, k: int, rng: np.random.Generator) -> sp.csr_matrix:
    """Random ties within each committee area: k/2 drawn per resident, made symmetric,
    duplicates merged, rows normalised (the algorithm of ``ResidentArrays._ties``)."""
    n = committee.size
    half = max(0, k // 2)
    if half == 0 or n == 0:
        return sp.csr_matrix((n, n), dtype=np.float32)
    start = np.concatenate([[0], np.cumsum(sizes)])
    src = np.repeat(np.arange(n, dtype=np.int64), half)
    com = np.repeat(committee, half)
    size = sizes[com]
    offset = (rng.random(src.size) * (size - 1)).astype(np.int64) + 1  # never self
    dst = start[com] + (src - start[com] + offset) % size
    rows = np.concatenate([src, dst])
    cols = np.concatenate([dst, src])
    mat = sp.csr_matrix((np.ones(rows.size, dtype=np.float32), (rows, cols)), shape=(n, n))
    mat.sum_duplicates()
    mat.data[:] = 1.0
    deg = np.diff(mat.indptr).astype(np.float32)
    deg[deg == 0] = 1.0
    mat.data *= np.repeat(1.0 / deg, np.diff(mat.indptr))
    return mat


@dataclass
class Tally:
    """What a run of either reference produced (for the side-by-side self-check)."""

    arising: int = 0
    met: int = 0
    lapsed: int = 0
    wait_met: int = 0  # months waited, summed over met needs

    def as_dict(self) -> dict[str, float]:
        """Counts and the needs-met share met / (met + lapsed)."""
        closed = self.met + self.lapsed
        return {"arising": self.arising, "met": self.met, "lapsed": self.lapsed,
                "needs_met_share": self.met / closed if closed else 0.0,
                "mean_wait_met": self.wait_met / self.met if self.met else 0.0}
