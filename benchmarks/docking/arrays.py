"""The array version of the resident-side submodel, driven by the docking world's fixed supply.

A thin harness over the model's public functions, in the order ``serving.serve_residents``
calls them: ``ResidentArrays.decide_needs_arise``, ``open_index``, ``decide_bring_forward``
(which also splits the open needs by channel), ``committees.eligible_needs``,
``services.match`` (committee channel, then organization channel), the closing of met needs
as ``serving._close_met`` does it (certified draw, ``ResidentArrays.resolve_met``), and
``decide_wait_or_lapse``. Only the supply differs from ``serve_residents``: the rows are the
world's fixed capacities instead of ``serving.build_supply`` and ``serving.compute_reach``,
which read committees, organizations, contracts and volunteers and would need a whole
``CommunityModel`` with those switched off (they cannot be held at a given capacity through
parameters alone: committee capacity follows staff, burden and training, organizations'
from their staff and money).

Layout: ``supply`` (the world's rows as ``services.Supply`` tables), ``ArrayRun`` (state,
``step``, ``summary``), ``run``.
"""

from __future__ import annotations

import numpy as np

from model.committees import eligible_needs
from model.params import GROUPS
from model.residents import CH_COMMITTEE, CH_ORG, ResidentArrays, need_rate_matrix
from model.services import PT_COMMITTEE, PT_ORG, Supply, match

from .world import ELDERLY, MIGRANTS, ROW_ORG, ROW_PARTNER, ROW_STAFF, K, World


def supply(world: World, rows: tuple[int, ...]) -> Supply:
    """The world's fixed supply rows ``rows`` (ROW_*) as one table, one row per cell and row."""
    cap = world.capacity
    n_cells = world.n_committees * K
    parts = []
    for row in rows:
        ptype = PT_COMMITTEE if row == ROW_STAFF else PT_ORG
        parts.append(Supply(np.arange(n_cells, dtype=np.int64), np.full(n_cells, ptype, np.int8),
                            np.zeros(n_cells, np.int64), cap[:, :, row].ravel().astype(np.float64),
                            np.full(n_cells, world.quality[row]), np.full(n_cells, world.cert[row])))
    return Supply.concat(parts)


class ArrayRun:
    """The residents as ``ResidentArrays`` and the month of ``serving.serve_residents`` over
    the fixed supply; one numpy stream per rule, spawned from ``seed``."""

    def __init__(self, world: World, seed: int):
        self.world, self.p = world, world.params.residents
        init, *rest = np.random.default_rng(seed).spawn(6)
        self.streams = dict(zip(("needs", "bring_forward", "match", "quality", "lapse"), rest, strict=True))
        sizes = np.full(world.n_committees, world.residents_per_committee, np.int64)
        self.r = ResidentArrays(sizes, self.p, init)
        self.rates = need_rate_matrix(self.p)
        self.reach = world.reach.astype(np.float32)
        self.com_supply, self.org_supply = supply(world, (ROW_STAFF, ROW_PARTNER)), supply(world, (ROW_ORG,))
        self.arisen = np.zeros(len(GROUPS), np.int64)
        self.met = np.zeros(len(GROUPS), np.int64)
        self.lapsed = self.wait_met = self.met_org_channel = 0

    def step(self) -> None:
        """One month (``serving.serve_residents`` with the fixed supply)."""
        r, p, s = self.r, self.p, self.streams
        new = r.decide_needs_arise(self.rates, s["needs"])
        self.arisen += np.bincount(r.group[new], minlength=len(GROUPS))
        open_idx = r.open_index()
        n, n_cells = open_idx.size, self.world.n_committees * K
        out_com, out_org = np.empty((3, n), np.int64), np.empty((3, n), np.int64)
        demand = np.zeros((3, n_cells), np.int64)
        n_com, n_org = r.decide_bring_forward(p, self.reach, s["bring_forward"], open_idx,
                                              (K, CH_COMMITTEE, CH_ORG, out_com, out_org, demand))
        com_needs = eligible_needs(p, r.group, r.need_kind, tuple(out_com[:, :n_com]), demand[0])
        res_com = match(*com_needs, self.com_supply, n_cells, s["match"])
        res_org = match(*tuple(out_org[:, :n_org]), self.org_supply, n_cells, s["match"])
        for res, sup in ((res_com, self.com_supply), (res_org, self.org_supply)):
            self._close_met(res, sup)
        lapsed, _ = r.decide_wait_or_lapse(p, s["lapse"], open_idx)
        self.lapsed += lapsed.size

    def _close_met(self, res, sup: Supply) -> None:
        """As ``serving._close_met`` for the residents: certified draw, quality, ``resolve_met``."""
        if res.served.size == 0:
            return
        r = self.r
        cert = self.streams["quality"].random(res.row.size) < sup.cert[res.row]
        quality = sup.quality[res.row] + np.where(cert, self.world.params.committees.certified_quality_gain, 0.0)
        self.met += np.bincount(r.group[res.served], minlength=len(GROUPS))
        self.wait_met += int(r.need_wait[res.served].sum())
        self.met_org_channel += int((r.need_channel[res.served] == CH_ORG).sum())
        r.resolve_met(res.served, quality, sup.ptype[res.row] == PT_ORG, self.p)

    def summary(self) -> dict[str, float]:
        """The run's outcomes (``world.METRICS``)."""
        arisen, met, r = max(int(self.arisen.sum()), 1), int(self.met.sum()), self.r
        return {
            "met_share": met / arisen, "lapsed_share": self.lapsed / arisen,
            "wait_met": self.wait_met / max(met, 1), "org_channel_share": self.met_org_channel / max(met, 1),
            "satisfaction": float(r.satisfaction.mean(dtype=np.float64)),
            "trust": float(r.trust.mean(dtype=np.float64)), "awareness": float(r.awareness.mean(dtype=np.float64)),
            "met_share_elderly": self.met[ELDERLY] / max(self.arisen[ELDERLY], 1),
            "met_share_migrants": self.met[MIGRANTS] / max(self.arisen[MIGRANTS], 1),
        }


def run(world: World, seed: int) -> dict[str, float]:
    """One run of ``world.months`` months."""
    a = ArrayRun(world, seed)
    for _ in range(world.months):
        a.step()
    return a.summary()
