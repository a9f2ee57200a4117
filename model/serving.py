"""Phase 5 of the month: residents' needs meet the supply of services.

Needs arise and are brought forward (residents' rules over arrays); supply
rows are built for the committee channel (the committee's own staff, its
residents' micro-projects, partner organizations) and the organization channel
(organizations reaching the committee area); ``services.match`` pairs them;
met needs close and pay into providers' tallies; the rest wait or lapse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from . import kernels
from .committees import (committee_arrays, eligible_needs, own_capacities, project_supply, projects_running, qualities,
                         service_time_shares, volunteer_supply)
from .contracts import credit_contracts, set_aside
from .organizations import SERVES_BY_KIND, capacity, quality
from .neighbourhoods import need_rate_tensor
from .params import NEED_KINDS
from .residents import CH_COMMITTEE, CH_ORG, need_rate_matrix
from .services import PT_COMMITTEE, PT_ORG, PT_PROJECTS, PT_VOLUNTEERS, Supply, match, spread
from .streets import remember_unmet

if TYPE_CHECKING:
    from .community import CommunityModel

K = len(NEED_KINDS)
# kind sets as bit masks (bit k = need kind k): row b lists the kinds of mask b, padded with -1
MASK_KINDS = np.full((1 << K, K), -1, dtype=np.int64)
for _b in range(1 << K):
    _ks = [k for k in range(K) if _b >> k & 1]
    MASK_KINDS[_b, : len(_ks)] = _ks
MASK_SIZE = (MASK_KINDS >= 0).sum(axis=1)
SERVES_MASK = np.array([sum(1 << int(k) for k in row if k >= 0) for row in SERVES_BY_KIND], dtype=np.int64)
"""Each organization kind's served kinds as a mask (ORG_KINDS order)."""
# an organization kind's own mask lists its kinds in its own order (as ``SERVES_BY_KIND``)
MASK_KINDS[SERVES_MASK, : SERVES_BY_KIND.shape[1]] = SERVES_BY_KIND


class Reach(NamedTuple):
    """This month's reach of the active organizations (:func:`compute_reach`)."""

    orgs: list  # active organizations, in slot order
    capacity: np.ndarray  # their capacity (needs a month)
    quality: np.ndarray  # (n x 2): base quality, certified chance
    slots: np.ndarray  # their slots in the model's organization table
    pair_org: np.ndarray  # (organization, committee) pairs they reach: organization row
    pair_com: np.ndarray  # ... and committee
    pair_partner: np.ndarray  # ... and whether the pair is a partnership
    pair_kinds: np.ndarray  # ... and the need kinds it serves there (pairs x width, padded with -1)
    cells: np.ndarray  # (committees x kinds) 1 where an active organization serves the kind in the area
    aside_row: np.ndarray  # contract set-asides (``contracts.set_aside``): organization row
    aside_kind: np.ndarray  # ... the contracted kind
    aside_cap: np.ndarray  # ... needs a month set aside for it
    aside_by_row: np.ndarray  # each organization's capacity set aside in all (needs a month)


@dataclass(frozen=True)
class ServiceResult:
    """What serving residents produced this month, for the phases after it."""

    demand_cells: np.ndarray  # (committees x kinds) needs brought to each committee
    unmet: np.ndarray  # (committees x kinds) needs lapsed or still open after matching
    partner_perf: dict[tuple[int, int], float]  # (committee, organization slot) -> best quality on referred needs
    projects: np.ndarray  # micro-projects running in each committee
    org_met: np.ndarray  # needs each organization met this month (by slot)
    org_met_kind: np.ndarray  # ... by kind of need (slots x NEED_KINDS)
    org_capacity: np.ndarray  # each organization's capacity this month (by slot; 0 unless active)
    org_services: np.ndarray  # (committees,) (active organization, need kind) pairs serving each committee area

def build_supply(m: "CommunityModel", demand_com: np.ndarray, reach: Reach, projects: np.ndarray) -> Supply:
    """Supply rows of the committee channel: each committee's own capacity spread over kinds
    by its demand, its running micro-projects (``projects``) over the kinds they meet, and
    partners offering ``partner_capacity_share`` of their capacity not set aside for
    contracts (the set-asides' rows follow: :func:`_aside_committee_supply`)."""
    pc = m.p.committees
    n_com = len(m.committees)
    com_idx = np.arange(n_com)
    # committee staff rows: one per (committee, kind)
    ca = committee_arrays(m.committees)
    own = own_capacities(pc, ca, service_time_shares(pc, ca), m.p.streets.service_support_hours)
    qual = np.column_stack(qualities(pc, ca))
    cells = (com_idx[:, None] * K + np.arange(K)[None, :]).ravel()
    owner = np.repeat(com_idx, K)
    cap_own = spread(owner, cells, demand_com, own)
    rows = [Supply(cells, np.full(cells.size, PT_COMMITTEE, np.int8), owner, cap_own,
                   qual[owner, 0], qual[owner, 1])]
    # micro-project rows (regional co-building lends the area's venues)
    co_building = np.array([c.co_builds(pc) for c in m.committees], dtype=bool)
    space = ca.space_factor + np.where(co_building, pc.co_building_space_gain, 0.0)
    proj, kinds, pq = project_supply(pc, projects, ca.guidance, space)
    if proj.sum() > 0:
        pcells = (com_idx[:, None] * K + kinds[None, :]).ravel()
        powner = np.repeat(com_idx, kinds.size)
        rows.append(Supply(pcells, np.full(pcells.size, PT_PROJECTS, np.int8), powner,
                           spread(powner, pcells, demand_com, proj), pq[powner], np.zeros(pcells.size)))
    rows += _volunteer_rows(m, demand_com, projects, co_building)
    # partner organizations
    if reach.orgs:
        partner_cap = (reach.capacity - reach.aside_by_row) * pc.partner_capacity_share
        p_org, p_com = reach.pair_org[reach.pair_partner], reach.pair_com[reach.pair_partner]
        if p_org.size:
            pc_cells, pc_owner = _expand(p_org, p_com, reach.pair_kinds[reach.pair_partner])
            pcap = spread(pc_owner, pc_cells, demand_com, partner_cap)
            rows.append(Supply(pc_cells, np.full(pc_cells.size, PT_ORG, np.int8), reach.slots[pc_owner],
                               pcap, reach.quality[pc_owner, 0], reach.quality[pc_owner, 1]))
    return Supply.concat(rows)


def _volunteer_rows(m: "CommunityModel", demand_com: np.ndarray, projects: np.ndarray,
                    co_building: np.ndarray) -> list[Supply]:
    """Committee-channel rows of the volunteers the building heads keep active
    (``committees.volunteer_supply``), spread over the committee's volunteer kinds by demand."""
    pc = m.p.committees
    r = m.residents
    if pc.building_heads_per_1000 <= 0 and not co_building.any():
        return []
    sizes = r.size.astype(np.float64)
    trust = r.per_committee(r.trust) / np.maximum(sizes, 1.0)
    needs, kinds, q = volunteer_supply(pc, sizes, r.per_committee(r.volunteer), projects.astype(np.float64), trust,
                                       co_building)
    if needs.sum() <= 0 or kinds.size == 0:
        return []
    n_com = len(m.committees)
    owner = np.repeat(np.arange(n_com), kinds.size)
    cells = (np.arange(n_com)[:, None] * K + kinds[None, :]).ravel()
    return [Supply(cells, np.full(cells.size, PT_VOLUNTEERS, np.int8), owner, spread(owner, cells, demand_com, needs),
                   np.full(cells.size, q), np.zeros(cells.size))]


def _expand(org_j: np.ndarray, com: np.ndarray, kinds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cells (committee*K + kind) and owners for (organization, committee) pairs over the
    kinds each pair serves (``kinds``: pairs x width, padded with -1)."""
    ok = kinds >= 0
    cells = (com[:, None] * K + kinds)[ok]
    owner = np.broadcast_to(org_j[:, None], kinds.shape)[ok]
    return cells.astype(np.int64), owner.astype(np.int64)


def _pairs(m: "CommunityModel", orgs: list) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(organization row, committee, partnership?, kinds mask) of every pair the organizations
    reach: all their kinds where ``StreetOffice.reach`` takes them (with the kinds contracts
    and posts open, ``StreetOffice.opened_kinds``), only the opened kinds in the rest of
    their street."""
    partner_of: dict = {}
    for c in m.committees:
        for o in c.partners:
            partner_of.setdefault(o, []).append(c.index)
    p_org: list[int] = []
    p_com: list[int] = []
    p_part: list[bool] = []
    p_mask: list[int] = []
    for j, o in enumerate(orgs):
        mine = partner_of.get(o, [])
        street = m.streets[o.street]
        coms = street.reach(o, mine)
        opened = sum(1 << k for k in street.opened_kinds(o)) if (o.contracts or o.posts) else 0
        p_org.extend([j] * len(coms))
        p_com.extend(coms)
        p_mask.extend([int(SERVES_MASK[o.kind_index]) | opened] * len(coms))
        if mine:
            is_partner = set(mine)
            p_part.extend([ci in is_partner for ci in coms])
        else:
            p_part.extend([False] * len(coms))
        if opened and len(coms) < len(street.committee_indices):
            rest = sorted(set(street.committee_indices).difference(coms))
            p_org.extend([j] * len(rest))
            p_com.extend(rest)
            p_mask.extend([opened] * len(rest))
            p_part.extend([False] * len(rest))
    return (np.array(p_org, dtype=np.int64), np.array(p_com, dtype=np.int64), np.array(p_part, dtype=bool),
            np.array(p_mask, dtype=np.int64))


def compute_reach(m: "CommunityModel") -> Reach:
    """This month's reach of the active organizations, computed once: their capacity and
    quality (which also sets each organization's ``capacity``), the (organization,
    committee) pairs each reaches with the kinds it serves there (``_pairs``) and the
    (committee x kind) matrix that is 1 where an active organization serves that kind in
    that area."""
    po = m.p.organizations
    orgs = [o for o in m.organizations if o.active]
    centre = np.array([street.has_service_centre() for street in m.streets], dtype=bool)
    month = m.month
    units = np.array([o.staff_units() for o in orgs], dtype=np.float64).reshape(len(orgs), 3)
    other = np.array([o.other_staff for o in orgs], dtype=np.float64)
    cap = capacity(po, units[:, 0], other, np.array([o.age_registered(month) for o in orgs], dtype=np.float64),
                   np.array([o.uses_venue or o.runs_platform for o in orgs], dtype=bool),
                   np.array([month < o.incubated_until for o in orgs], dtype=bool),
                   np.array([o.sessional_needs for o in orgs], dtype=np.float64),
                   np.array([o.off_service_share(m.p.streets) for o in orgs], dtype=np.float64))
    for o, c in zip(orgs, cap.tolist(), strict=True):
        o.capacity = c
    q, cert = quality(po, units[:, 0], units[:, 1], units[:, 2], other,
                      centre[np.array([o.street for o in orgs], dtype=np.int64)])
    oq = np.column_stack([q, cert]) if orgs else np.zeros((0, 2))
    pairs_org, pairs_com, pairs_part, pairs_mask = _pairs(m, orgs)
    width = int(MASK_SIZE[pairs_mask].max()) if pairs_mask.size else 0
    pair_kinds = MASK_KINDS[pairs_mask, :width]
    slots = np.array([o.slot for o in orgs], dtype=np.int64)
    reach = np.zeros(len(m.committees) * K, dtype=np.float32)
    if pairs_org.size:
        cells, _ = _expand(pairs_org, pairs_com, pair_kinds)
        reach[cells] = 1.0
    a_row, a_kind, a_cap = set_aside(orgs, cap)
    return Reach(orgs, cap, oq, slots, pairs_org, pairs_com, pairs_part, pair_kinds,
                 reach.reshape(len(m.committees), K), a_row, a_kind, a_cap,
                 np.bincount(a_row, weights=a_cap, minlength=len(orgs)))


def _aside_cells(reach: Reach) -> tuple[np.ndarray, np.ndarray]:
    """Cells (committee*K + kind) where each contract set-aside serves (the committees its
    holder reaches with the contracted kind: ``Reach.pair_kinds``) and, for each cell, its
    set-aside (index into ``Reach.aside_row``)."""
    lo = np.searchsorted(reach.pair_org, reach.aside_row, side="left")
    hi = np.searchsorted(reach.pair_org, reach.aside_row, side="right")
    cells: list[np.ndarray] = []
    owner: list[np.ndarray] = []
    for e, (a, b, k) in enumerate(zip(lo.tolist(), hi.tolist(), reach.aside_kind.tolist(), strict=True)):
        coms = reach.pair_com[a:b][(reach.pair_kinds[a:b] == k).any(axis=1)]
        cells.append(coms * K + k)
        owner.append(np.full(coms.size, e, dtype=np.int64))
    return np.concatenate(cells).astype(np.int64), np.concatenate(owner)


def _aside_committee_supply(reach: Reach, cells: np.ndarray, owner: np.ndarray, demand_com: np.ndarray,
                            demand_org: np.ndarray) -> Supply:
    """Committee-channel rows of the contract set-asides: each set-aside spread over its cells
    by the demand of both channels, the committee channel's part of each cell in proportion to
    its demand there (at most that demand): the needs committees refer to the holder."""
    both = demand_com + demand_org
    x = spread(owner, cells, both, reach.aside_cap)
    d = both[cells].astype(np.float64)
    dcom = demand_com[cells].astype(np.float64)
    com = np.minimum(np.where(d > 0, x * dcom / np.maximum(d, 1.0), 0.0), dcom)
    rows = reach.aside_row[owner]
    return Supply(cells, np.full(cells.size, PT_ORG, np.int8), reach.slots[rows], com, reach.quality[rows, 0],
                  reach.quality[rows, 1])


def _org_channel_supply(reach: Reach, demand_org: np.ndarray, used_by_slot: np.ndarray,
                        aside: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> Supply:
    """Organization channel: each contract set-aside's part not used in the committee channel
    (``aside``: its cells, their set-aside, and each set-aside's needs met there) spread by
    demand over its cells (at most the demand of each; the rest returns to the holder), then
    what is left of each organization's capacity, spread over the (committee, kind) cells of
    its pairs (``Reach.pair_kinds``), by demand."""
    if reach.pair_org.size == 0:
        return Supply.empty()
    left = np.maximum(reach.capacity - reach.aside_by_row - used_by_slot[reach.slots], 0.0)
    parts: list[Supply] = []
    if aside is not None:
        a_cells, a_owner, a_used = aside
        a_left = np.maximum(reach.aside_cap - a_used, 0.0)
        y = np.minimum(spread(a_owner, a_cells, demand_org, a_left), demand_org[a_cells])
        left += np.bincount(reach.aside_row, weights=a_left - np.bincount(a_owner, weights=y, minlength=a_left.size),
                            minlength=left.size)
        rows = reach.aside_row[a_owner]
        parts.append(Supply(a_cells, np.full(a_cells.size, PT_ORG, np.int8), reach.slots[rows], y,
                            reach.quality[rows, 0], reach.quality[rows, 1]))
    cells, owner = _expand(reach.pair_org, reach.pair_com, reach.pair_kinds)
    rcap = spread(owner, cells, demand_org, left)
    parts.insert(0, Supply(cells, np.full(cells.size, PT_ORG, np.int8), reach.slots[owner], rcap,
                           reach.quality[owner, 0], reach.quality[owner, 1]))
    return Supply.concat(parts)


def count_per_committee(r, idx: np.ndarray) -> np.ndarray:
    """How many of the residents ``idx`` live in each committee: ``np.bincount(r.committee[idx],
    minlength=r.n_committees)``. Residents are contiguous by committee, so for ascending
    ``idx`` (the usual case) a binary search for each committee's first resident gives the
    same counts without reading the residents' committees."""
    if idx.size < 2 or bool((idx[1:] >= idx[:-1]).all()):
        return np.diff(np.searchsorted(idx, r.start))
    return np.bincount(r.committee[idx], minlength=r.n_committees)


def _open_needs_by_channel(r, open_idx: np.ndarray, n_cells: int, bring: tuple | None = None) -> tuple:
    """(open needs ``open_idx`` per cell, (indices, cells, waits) of those brought to the
    committee, their demand per cell, the same for the organizations), in one pass
    (``ResidentArrays.split_open_needs``) writing into arrays numpy allocates.
    With ``bring`` = (residents' parameters, reach, stream), the needs are first brought
    forward in the same pass (``ResidentArrays.decide_bring_forward``)."""
    n = open_idx.size
    out_com = np.empty((3, n), np.int64)
    out_org = np.empty((3, n), np.int64)
    demand = np.zeros((3, n_cells), np.int64)
    if bring is None:
        n_com, n_org = r.split_open_needs(open_idx, K, CH_COMMITTEE, CH_ORG, out_com, out_org, demand)
    else:
        n_com, n_org = r.decide_bring_forward(*bring, open_idx, (K, CH_COMMITTEE, CH_ORG, out_com, out_org, demand))
    return (demand[2], (out_com[0, :n_com], out_com[1, :n_com], out_com[2, :n_com]), demand[0],
            (out_org[0, :n_org], out_org[1, :n_org], out_org[2, :n_org]), demand[1])


def serve_residents(m: "CommunityModel") -> ServiceResult:
    """Needs arise, are brought forward, matched to supply, met, wait or lapse."""
    r = m.residents
    pr = m.p.residents
    rates = need_rate_tensor(m.p, need_rate_matrix(pr))
    new = r.decide_needs_arise(rates, m.streams["needs"])
    m.recorder.add_arising(new, count_per_committee(r, new))
    # one index of the open needs serves the month: bringing forward and matching do not
    # open needs, and waiting skips the ones met in between
    open_idx = r.open_index()
    reach = compute_reach(m)
    n_cells = len(m.committees) * K
    # needs brought forward, then the open needs per cell and the needs brought to each
    # channel (indices, cells, waits in index order) with the demand per cell: one pass
    open_cells, com_needs, demand_com, org_needs, demand_org = _open_needs_by_channel(
        r, open_idx, n_cells, bring=(pr, reach.cells, m.streams["bring_forward"]))
    com_needs = eligible_needs(pr, r.group, r.need_kind, com_needs, demand_com)
    projects = projects_running(m.committees)
    com_supply = build_supply(m, demand_com, reach, projects)
    n_base = com_supply.cell.size
    aside = None
    if reach.aside_row.size:
        a_cells, a_owner = _aside_cells(reach)
        com_supply = Supply.concat([com_supply, _aside_committee_supply(reach, a_cells, a_owner, demand_com,
                                                                        demand_org)])
    res1 = match(*com_needs, com_supply, n_cells, m.streams["match"])
    used_by_slot = np.zeros(len(m.organizations))
    org_rows = com_supply.ptype[:n_base] == PT_ORG
    np.add.at(used_by_slot, com_supply.pid[:n_base][org_rows], res1.used[:n_base][org_rows])
    if reach.aside_row.size:
        aside = (a_cells, a_owner, np.bincount(a_owner, weights=res1.used[n_base:], minlength=reach.aside_row.size))
    org_supply = _org_channel_supply(reach, demand_org, used_by_slot, aside)
    res2 = match(*org_needs, org_supply, n_cells, m.streams["match"])

    met_cells = np.zeros(n_cells, np.int64)
    partner_perf: dict[tuple[int, int], float] = {}
    org_met_kind = np.zeros((len(m.organizations), K), np.int64)
    for res, supply in ((res1, com_supply), (res2, org_supply)):
        met_cells += _close_met(m, res, supply, n_cells, partner_perf, org_met_kind)
    lapsed, lapsed_kind = r.decide_wait_or_lapse(pr, m.streams["lapse"], open_idx)
    lapsed_cells = kernels.lapsed_cells(lapsed, lapsed_kind, r.start, K, n_cells)
    m.recorder.add_lapsed(lapsed, lapsed_kind, lapsed_cells.reshape(-1, K).sum(axis=1))
    lapsed_kind_com = lapsed_cells.reshape(-1, K).astype(np.float64)
    remember_unmet(m, lapsed_kind_com)
    # each need open before matching was met, lapsed or is still open (none opened since)
    still_open = open_cells - met_cells - lapsed_cells
    org_capacity = np.zeros(len(m.organizations))
    org_capacity[reach.slots] = reach.capacity
    return ServiceResult(demand_cells=demand_com.reshape(-1, K), unmet=lapsed_kind_com + still_open.reshape(-1, K),
                         partner_perf=partner_perf, projects=projects, org_met=org_met_kind.sum(axis=1),
                         org_met_kind=org_met_kind, org_capacity=org_capacity,
                         org_services=org_services(reach, len(m.committees)))


def org_services(reach: Reach, n_committees: int) -> np.ndarray:
    """How many (active organization, need kind) pairs serve each committee area this month
    (``Reach.pair_kinds`` counted by committee): where organizations are based, partner and
    hold contracts, in one number per committee (``by_committee.csv``'s ``org_services``)."""
    if reach.pair_com.size == 0:
        return np.zeros(n_committees, dtype=np.int64)
    return np.bincount(reach.pair_com, weights=(reach.pair_kinds >= 0).sum(axis=1),
                       minlength=n_committees).astype(np.int64)


def _close_met(m: "CommunityModel", res, supply: Supply, n_cells: int,
               partner_perf: dict[tuple[int, int], float], org_met_kind: np.ndarray) -> np.ndarray:
    """Met needs close: tallies, providers' deliveries (needs met by each organization
    added to ``org_met_kind``, by slot and kind; contracts' deliveries), partners' performance (the best
    quality a partner gave a committee's referred needs, into ``partner_perf``), residents'
    states. Returns the needs met per cell."""
    r = m.residents
    # a need is met in its cell, by a supply row of that cell
    met_cells = np.bincount(supply.cell[res.row], minlength=n_cells)
    if res.served.size == 0:
        return met_cells
    rng = m.streams["quality"]
    row = res.row
    cert = rng.random(row.size) < supply.cert[row]
    pc = m.p.committees
    quality = supply.quality[row] + np.where(cert, pc.certified_quality_gain, 0.0)
    ptype = supply.ptype[row]
    by_org = ptype == PT_ORG
    m.recorder.add_met(res.served, cert, ptype, met_cells.reshape(-1, K).sum(axis=1))
    # per-organization deliveries (for fees, contracts, partnerships)
    slots = supply.pid[row][by_org]
    if slots.size:
        org_served = res.served[by_org]
        kinds = r.need_kind[org_served]
        via_com = r.need_channel[org_served] == CH_COMMITTEE
        orgs = m.organizations
        counts = np.bincount(slots * K + kinds.astype(np.int64), minlength=len(orgs) * K)
        org_met_kind += counts.reshape(len(orgs), K)
        delivered = np.flatnonzero(counts.reshape(len(orgs), K).sum(axis=1))
        credit_contracts(orgs, delivered, slots, kinds)
        m.recorder.add_referred(int(via_com.sum()))
        # partner performance: the best quality a partner gave a committee's referred needs
        if via_com.any():
            pair = r.committee[org_served[via_com]].astype(np.int64) * len(orgs) + slots[via_com]
            q = np.minimum(quality[by_org][via_com], 1.0)
            order = np.lexsort((q, pair))
            last = np.flatnonzero(np.diff(np.append(pair[order], -1)) != 0)
            perf = partner_perf
            for code, best in zip(pair[order][last].tolist(), q[order][last].tolist(), strict=True):
                key = (code // len(orgs), code % len(orgs))
                perf[key] = max(perf.get(key, 0.0), best)
    r.resolve_met(res.served, quality, by_org, m.p.residents)
    return met_cells
