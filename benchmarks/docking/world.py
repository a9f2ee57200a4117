"""The docking world: the fixed inputs both implementations of the resident-side submodel read.

The residents' rules (ODD 7.2.1-7.2.4) and the matching rule (ODD 7.3.2-7.3.3) are driven
by a supply that does not respond to anything: every month each cell (committee, need
kind) offers the same capacity in three supply rows, two in the committee channel (the
committee's own staff; a partner organization the committee refers to) and one in the
organization channel (an organization reached directly). An organization "reaches" a cell
(ODD 7.2.2, ``reach[c, k]``) where its organization-channel capacity is positive.

Capacities are set from the expected needs arising per cell a month (register rates and
group shares, untyped committees), so that about half of the needs are met: that keeps
every rule (longest-waiting first, lapsing, channel choice, eligibility) in play.
All resident parameters are the register's defaults (``model.params.Parameters``); the
provider qualities and certified chances are inputs of this world (not register values,
since in the model they come from the committees' and organizations' own rules).

Layout: ``World`` (inputs, ``expected_arrivals``, ``capacity``, ``reach``); ``default_world``;
``METRICS`` (the outcomes both implementations report per run, in ``summary``); ``MIGRANTS``, ``ELDERLY``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from model.params import GROUPS, NEED_KINDS, Parameters
from model.residents import group_share_vector, need_rate_matrix

K = len(NEED_KINDS)
ROW_STAFF, ROW_PARTNER, ROW_ORG = 0, 1, 2
"""Supply rows of a cell: committee staff and partner (committee channel), organization (organization channel)."""

METRICS = ("met_share", "lapsed_share", "wait_met", "org_channel_share", "satisfaction", "trust", "awareness",
           "met_share_elderly", "met_share_migrants")
"""Per run: needs met / needs arisen, needs lapsed / needs arisen, mean months waited (before the month
it was met) of the needs met, share of met needs met in the organization channel, end-of-run means of
satisfaction, trust and awareness, and the met share of the elderly's and the migrants' needs."""


@dataclass(frozen=True)
class World:
    """Sizes, months, parameters and the fixed monthly supply of a docking run.

    ``capacity``: (committees x kinds x 3) needs a month per cell and row (ROW_*);
    ``quality`` and ``cert``: per row, the provider's base quality and chance that a
    certified social worker serves (adding ``committees.certified_quality_gain``)."""

    n_committees: int = 2
    residents_per_committee: int = 300
    months: int = 24
    params: Parameters = field(default_factory=Parameters)
    staff_share: float = 0.30  # committee staff capacity / expected arrivals in the cell
    partner_share: float = 0.10  # partner organization (committee channel) / expected arrivals
    org_share: float = 0.45  # organization channel / expected arrivals, in the kinds organizations serve
    org_kinds: tuple[str, ...] = ("elder_care", "children_youth", "family", "culture_sport", "rehabilitation")
    committee_factor: tuple[float, ...] = (1.0, 1.5)  # capacity factor per committee (cycled)
    quality: tuple[float, float, float] = (0.6, 0.7, 0.7)
    cert: tuple[float, float, float] = (0.1, 0.3, 0.4)

    def expected_arrivals(self) -> np.ndarray:
        """Needs arising a month per committee area and kind when no need is open (kinds)."""
        pr = self.params.residents
        return self.residents_per_committee * group_share_vector(pr) @ need_rate_matrix(pr)

    @property
    def capacity(self) -> np.ndarray:
        """(committees x kinds x 3) needs a month per cell and supply row."""
        arr = self.expected_arrivals()
        serves = np.array([k in self.org_kinds for k in NEED_KINDS], dtype=np.float64)
        per_row = np.stack([self.staff_share * arr, self.partner_share * arr, self.org_share * arr * serves], axis=1)
        factor = np.array([self.committee_factor[c % len(self.committee_factor)] for c in range(self.n_committees)])
        return factor[:, None, None] * per_row[None, :, :]

    @property
    def reach(self) -> np.ndarray:
        """(committees x kinds) 1 where an organization serves the kind in the area, else 0."""
        return (self.capacity[:, :, ROW_ORG] > 0).astype(np.float64)


def default_world(**changes) -> World:
    """2 committees x 300 residents x 24 months (``changes``: any World field)."""
    return World(**changes)


MIGRANTS = GROUPS.index("migrants")
ELDERLY = GROUPS.index("elderly")
