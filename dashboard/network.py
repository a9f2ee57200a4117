"""The linkage network: committees, organizations and social workers, drawn with matplotlib.

Layout (deterministic, so the picture moves only when the model does):

* **committees** on an outer ring in index order, numbered, sized by residents;
* **organizations** inside the ring, each at the strength-weighted circular mean
  of its partner committees and its home committee: an organization working with
  one neighbourhood sits near it, one working street-wide sits towards the
  centre; overlaps are pushed apart. Colour = kind, size = capacity (needs per
  month); an organization still registering is drawn hollow;
* **social workers** as small dots beside their employer (outside the ring for
  committee staff, in a small circle round an organization), green when
  certified; job seekers in a corner;
* **edges**: partnerships committee-organization (width = strength) and
  employment (thin).

At the default street (25 committees, up to ~150 organizations and ~120
workers) this stays readable. ``network_figure`` draws it with matplotlib (about
60 ms on this machine) for the PNG downloads and reports; the dashboard's page
draws it in the browser from the same layout (:mod:`dashboard.network_view`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from model.organizations import ACTIVE, REGISTERING
from model.params import ORG_KINDS

from . import i18n
from .plots import DPI, TEXT_PX, TITLE_PX, pt, setup_fonts, wrap_text

if TYPE_CHECKING:
    from model import CommunityModel

COMMITTEE_COLOR = "#34495e"
ORG_COLORS = dict(zip(ORG_KINDS, ("#e67e22", "#c0392b", "#8e44ad", "#2980b9", "#16a085"), strict=True))
WORKER_CERTIFIED = "#27ae60"
WORKER_UNCERTIFIED = "#f1c40f"
RING = 1.0
ORG_MIN_DIST = 0.075


@dataclass
class Layout:
    """Positions of every node drawn, by kind."""

    committees: np.ndarray  # (n, 2)
    orgs: list[Any] = field(default_factory=list)
    org_xy: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    workers: list[Any] = field(default_factory=list)
    worker_xy: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    worker_anchor: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))  # employer position


def _angles(n: int) -> np.ndarray:
    return math.pi / 2 - 2 * math.pi * np.arange(n) / max(n, 1)


def _separate(xy: np.ndarray, min_dist: float, iterations: int = 40) -> np.ndarray:
    """Push points apart until no two are closer than ``min_dist`` (or iterations run out)."""
    xy = xy.copy()
    n = len(xy)
    if n < 2:
        return xy
    for _ in range(iterations):
        d = xy[:, None, :] - xy[None, :, :]
        dist = np.sqrt((d**2).sum(-1)) + np.eye(n)
        overlap = np.clip(min_dist - dist, 0, None)
        np.fill_diagonal(overlap, 0)
        if not overlap.any():
            break
        push = (d / dist[..., None] * overlap[..., None] / 2).sum(1)
        xy += push
        r = np.hypot(xy[:, 0], xy[:, 1])
        too_far = r > 0.85 * RING
        xy[too_far] *= (0.85 * RING / r[too_far])[:, None]
    return xy


def layout(model: "CommunityModel", points_per_unit: float = 180.0) -> Layout:
    """Where each committee, organization and social worker goes (see the module docstring).

    ``points_per_unit`` (the drawing's scale) puts an organization's workers just
    outside its marker.
    """
    committees = model.committees
    n = len(committees)
    theta = _angles(n)
    unit = np.column_stack([np.cos(theta), np.sin(theta)])
    com_xy = RING * unit
    orgs = [o for o in model.organizations if o.status in (ACTIVE, REGISTERING)]
    index = {id(o): i for i, o in enumerate(orgs)}
    acc = np.zeros((len(orgs), 2))
    weight = np.zeros(len(orgs))
    for c in committees:
        for o, strength in c.partners.items():
            i = index.get(id(o))
            if i is not None:
                acc[i] += strength * unit[c.index]
                weight[i] += strength
    for i, o in enumerate(orgs):
        acc[i] += 0.5 * unit[o.home % n]
        weight[i] += 0.5
    mean = acc / weight[:, None] if len(orgs) else acc
    resultant = np.hypot(mean[:, 0], mean[:, 1]) if len(orgs) else np.zeros(0)
    ang = np.arctan2(mean[:, 1], mean[:, 0]) if len(orgs) else np.zeros(0)
    # a small fixed offset per organization (from its id, not the model's random streams)
    jitter = np.array([((o.unique_id * 2654435761) % 1000) / 1000 - 0.5 for o in orgs])
    radius = 0.25 + 0.5 * resultant + 0.06 * jitter
    ang = ang + 0.12 * jitter
    org_xy = _separate(np.column_stack([radius * np.cos(ang), radius * np.sin(ang)]), ORG_MIN_DIST)

    workers, wxy, anchor = [], [], []
    for c in committees:
        k = len(c.workers)
        for j, w in enumerate(c.workers):
            row, col = divmod(j, 4)
            per_row = min(4, k - row * 4)
            a = theta[c.index] + (col - (per_row - 1) / 2) * 0.05
            r = RING + 0.09 + 0.055 * row
            workers.append(w)
            wxy.append((r * math.cos(a), r * math.sin(a)))
            anchor.append(com_xy[c.index])
    for i, o in enumerate(orgs):
        k = len(o.workers)
        for j, w in enumerate(o.workers):
            a = 2 * math.pi * j / max(k, 1) + 0.3
            rr = math.sqrt(org_size(o.capacity)) / 2 / points_per_unit + 0.018
            workers.append(w)
            wxy.append((org_xy[i, 0] + rr * math.cos(a), org_xy[i, 1] + rr * math.sin(a)))
            anchor.append(org_xy[i])
    seekers = [w for w in model.workers if w.employer is None]
    for j, w in enumerate(seekers):
        row, col = divmod(j, 10)
        workers.append(w)
        wxy.append((0.9 + 0.04 * col, -1.25 - 0.04 * row))
        anchor.append((np.nan, np.nan))
    return Layout(com_xy, orgs, org_xy, workers, np.array(wxy).reshape(-1, 2), np.array(anchor).reshape(-1, 2))


def org_size(capacity: float) -> float:
    """Marker area (pt²) of an organization of ``capacity`` needs per month."""
    return 18.0 + 22.0 * math.sqrt(max(capacity, 0.0))


def network_figure(model: "CommunityModel", lang: str, title: str | None = None,
                   figsize: tuple[float, float] = (9.0, 7.0), legend: str = "right") -> Figure:
    """The linkage network of ``model`` (see the module docstring); ``legend``: "right" or "bottom".

    ``figsize`` is in inches at ``plots.DPI``; text is at least ``plots.TEXT_PX`` pixels tall, the
    heading wraps to the figure's width and the drawing takes the room heading and legend leave.
    """
    fig, ax, ppu = _frame(lang, title, figsize, legend)
    _draw_month(fig, ax, model, lang, title, ppu)
    return fig


def _frame(lang: str, title: str | None, figsize: tuple[float, float], legend: str) -> tuple[Figure, Any, float]:
    """A network figure without the month: its axes (set out for the ring), the title and the legend;
    with the scale of the drawing in points per unit (for :func:`layout`)."""
    setup_fonts()
    w_px, h_px = figsize[0] * DPI, figsize[1] * DPI
    top = 1 - _heading_px(lang, title, w_px) / h_px
    width = 0.72 if legend == "right" else 1.0
    ncols = _legend_cols(lang, w_px)
    bottom = (math.ceil(9 / ncols) * TEXT_PX * 1.45 + 8) / h_px if legend == "bottom" else 0.0
    xlim = 1.32
    ppu = min(width * figsize[0], (top - bottom) * figsize[1] * 2 * xlim / 2.68) * 72 / (2 * xlim)
    fig = Figure(figsize=figsize, dpi=DPI)
    ax = fig.add_axes((0.0, bottom, width, top - bottom))
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_xlim(-xlim, xlim)
    ax.set_ylim(-1.38, 1.3)
    _draw_title(fig, lang, title)
    if legend in ("right", "bottom"):
        _draw_legend(fig, lang, legend, ncols)
    return fig, ax, ppu


def _draw_month(fig: Figure, ax, model: "CommunityModel", lang: str, title: str | None, ppu: float) -> None:
    """What a month changes: edges, committees, organizations, workers and the counts under the title."""
    lay = layout(model, points_per_unit=ppu)
    n_partner = _draw_edges(ax, model, lay)
    _draw_committees(ax, model, lay)
    _draw_organizations(ax, lay)
    _draw_workers(ax, model, lay, lang)
    _draw_counts(fig, _count_text(model, lay, lang, n_partner), lang, title)


def _draw_edges(ax, model: "CommunityModel", lay: Layout) -> int:
    """Partnership edges (width by strength) and employment edges; return the partnerships drawn."""
    org_pos = {id(o): lay.org_xy[i] for i, o in enumerate(lay.orgs)}
    segs, widths = [], []
    n_partner = 0
    for c in model.committees:
        for o, strength in c.partners.items():
            p = org_pos.get(id(o))
            if p is not None:
                segs.append((lay.committees[c.index], p))
                widths.append(0.4 + 2.2 * float(strength))
                n_partner += 1
    if segs:
        ax.add_collection(LineCollection(segs, linewidths=widths, colors="#7f8c8d", alpha=0.35, zorder=1))
    emp = [(a, b) for a, b in zip(lay.worker_anchor, lay.worker_xy, strict=True) if np.isfinite(a).all()]
    if emp:
        ax.add_collection(LineCollection(emp, linewidths=0.5, colors="#95a5a6", alpha=0.7, zorder=2))
    return n_partner


def _draw_committees(ax, model: "CommunityModel", lay: Layout) -> None:
    """Committees sized by residents, numbered when there are at most 60."""
    sizes = np.array([c.residents for c in model.committees], dtype=float)
    ax.scatter(lay.committees[:, 0], lay.committees[:, 1], s=300 * sizes / max(sizes.mean(), 1.0),
               c=COMMITTEE_COLOR, edgecolors="white", linewidths=0.8, zorder=4)
    if len(model.committees) <= 60:
        for c in model.committees:
            x, y = lay.committees[c.index]
            ax.text(x, y, str(c.index + 1), color="white", fontsize=pt(TEXT_PX), ha="center", va="center", zorder=5)


def _draw_organizations(ax, lay: Layout) -> None:
    """Organizations, one scatter per kind and status (filled when active, sized by capacity)."""
    if not lay.orgs:
        return
    kinds = np.array([o.kind for o in lay.orgs])
    active = np.array([o.status == ACTIVE for o in lay.orgs])
    caps = np.array([org_size(o.capacity) if o.status == ACTIVE else org_size(10) for o in lay.orgs])
    for kind in ORG_KINDS:
        m = (kinds == kind) & active
        if m.any():
            ax.scatter(lay.org_xy[m, 0], lay.org_xy[m, 1], s=caps[m], c=ORG_COLORS[kind],
                       edgecolors="white", linewidths=0.6, alpha=0.9, zorder=6)
        m = (kinds == kind) & ~active
        if m.any():
            ax.scatter(lay.org_xy[m, 0], lay.org_xy[m, 1], s=caps[m], facecolors="none",
                       edgecolors=ORG_COLORS[kind], linewidths=1.2, zorder=6)


def _draw_workers(ax, model: "CommunityModel", lay: Layout, lang: str) -> None:
    """Social workers coloured by certificate, and the count of those seeking work."""
    if lay.workers:
        cert = np.array([w.certified for w in lay.workers])
        colors = np.where(cert, WORKER_CERTIFIED, WORKER_UNCERTIFIED)
        ax.scatter(lay.worker_xy[:, 0], lay.worker_xy[:, 1], s=11, c=colors, edgecolors="#2c3e50",
                   linewidths=0.3, zorder=7)
    n_seek = sum(1 for w in model.workers if w.employer is None)
    if n_seek:
        ax.text(0.88, -1.19, f"{i18n.ui('n_seeking', lang)} ({n_seek})", fontsize=pt(TEXT_PX), color="#2c3e50")


def _counts(lang: str, committees: int | str, orgs: int | str, workers: int | str, partners: int | str) -> str:
    return i18n.ui("network_counts", lang, committees=committees, orgs=orgs, workers=workers, partners=partners)


def _heading_px(lang: str, title: str | None, width_px: float) -> float:
    """The height of the wrapped title and counts (counts of up to four digits)."""
    n_title = len(wrap_text(title or i18n.ui("network", lang), width_px - 12, TITLE_PX))
    n_counts = len(wrap_text(_counts(lang, "0000", "0000", "0000", "0000"), width_px - 12, TEXT_PX))
    return (n_title * TITLE_PX + n_counts * TEXT_PX) * 1.3 + 8


def _title_lines(fig: Figure, lang: str, title: str | None) -> list[str]:
    """The title wrapped to the figure's width."""
    return wrap_text(title or i18n.ui("network", lang), fig.get_figwidth() * DPI - 12, TITLE_PX)


def _draw_title(fig: Figure, lang: str, title: str | None) -> None:
    """The title, wrapped to the width, at the top left."""
    w_px, h_px = fig.get_figwidth() * DPI, fig.get_figheight() * DPI
    fig.text(6 / w_px, 1 - 4 / h_px, "\n".join(_title_lines(fig, lang, title)), fontsize=pt(TITLE_PX), va="top",
             linespacing=1.1)


def _count_text(model: "CommunityModel", lay: Layout, lang: str, n_partner: int) -> str:
    """The counts of committees, active organizations, employed workers and partnerships."""
    return _counts(lang, len(model.committees), sum(1 for o in lay.orgs if o.status == ACTIVE),
                   sum(1 for w in model.workers if w.employer is not None), n_partner)


def _draw_counts(fig: Figure, counts: str, lang: str, title: str | None) -> None:
    """The counts under the title, wrapped to the width."""
    w_px, h_px = fig.get_figwidth() * DPI, fig.get_figheight() * DPI
    y = 4 + len(_title_lines(fig, lang, title)) * TITLE_PX * 1.3
    fig.text(6 / w_px, 1 - y / h_px, "\n".join(wrap_text(counts, w_px - 12, TEXT_PX)), fontsize=pt(TEXT_PX), va="top",
             color="#2c3e50", linespacing=1.1)


def _legend_cols(lang: str, w_px: float) -> int:
    """Columns of the bottom legend that fit ``w_px`` (at most 3): each as wide as its longest label (one em
    a CJK glyph, 0.6 em other characters) and the marker and spacing (3.4 em)."""
    labels = [i18n.ui(k, lang) for k in ("n_committee", "n_worker_cert", "n_worker", "e_partner", "e_employ")]
    labels += [i18n.org_kind_label(k, lang) for k in ORG_KINDS]
    widest = max(sum(1.0 if ord(ch) > 0x2E80 else 0.6 for ch in text) for text in labels) + 3.4
    return max(1, min(3, int((w_px - 8) // (widest * TEXT_PX))))


def _draw_legend(fig: Figure, lang: str, legend: str, ncols: int = 3) -> None:
    """The legend, at the right or at the bottom."""
    handles = [Line2D([], [], marker="o", ls="", color=COMMITTEE_COLOR, markersize=9,
                      label=i18n.ui("n_committee", lang))]
    handles += [Line2D([], [], marker="o", ls="", color=ORG_COLORS[k], markersize=8,
                       label=i18n.org_kind_label(k, lang)) for k in ORG_KINDS]
    handles += [
        Line2D([], [], marker="o", ls="", color=WORKER_CERTIFIED, markeredgecolor="#2c3e50", markersize=5,
               label=i18n.ui("n_worker_cert", lang)),
        Line2D([], [], marker="o", ls="", color=WORKER_UNCERTIFIED, markeredgecolor="#2c3e50", markersize=5,
               label=i18n.ui("n_worker", lang)),
        Line2D([], [], color="#7f8c8d", lw=2, alpha=0.6, label=i18n.ui("e_partner", lang)),
        Line2D([], [], color="#95a5a6", lw=0.8, label=i18n.ui("e_employ", lang)),
    ]
    if legend == "right":
        fig.legend(handles=handles, loc="center left", bbox_to_anchor=(0.72, 0.5), fontsize=pt(TEXT_PX),
                   frameon=False)
    else:
        fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncols=ncols, fontsize=pt(TEXT_PX),
                   frameon=False, handletextpad=0.4, columnspacing=1.0, borderaxespad=0.2)
