"""The linkage network drawn in the browser (SVG), as the live chart is (:mod:`dashboard.live_chart`).

The server draws no picture of it. From the deterministic layout of
:func:`dashboard.network.layout` it computes a compact payload in CSS px:

* ``network_frame`` — what stays while the run, language, title and size stay:
  the size, the title's lines, the legend (items, colours, places), the
  committees' places and numbers, the labels shown on hover; and the whole
  month as it is now (``network_state``);
* ``network_state`` — what a month may change: committees' radii (by residents),
  organizations (place, radius by capacity, kind, hollow while registering),
  social workers (place, certified, their employer's place for the employment
  edge), partnerships (committee, organization, width by strength), the counts'
  lines under the title and the job seekers' line; nodes and edges keyed by id;
* ``network_update`` — the difference between two states: only the entries that
  changed (``null`` for one that went), and the radii, counts and seekers' line
  only when they changed.

Sizes follow the PNG figure (:func:`dashboard.network.network_figure`, kept for
the downloads and reports): marker areas in pt² at ``plots.DPI``, line widths in
pt, the same colours and labels (:mod:`dashboard.i18n`), text at ``TEXT_PX``
(title ``TITLE_PX``) and shown at its own size.

Layout: geometry (``Geometry``, ``geometry``); the payload (``network_frame``,
``network_state``, ``network_update``); ``NetworkWidget`` (the ipyvue widget and
its template ``network_view.vue``), ``NetworkElement`` and ``NetworkView`` (the Solara components; the
second in a box with CSS classes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ipyvuetify
import solara
import traitlets

from model.organizations import ACTIVE
from model.params import ORG_KINDS

from . import i18n
from .network import (
    COMMITTEE_COLOR,
    ORG_COLORS,
    WORKER_CERTIFIED,
    WORKER_UNCERTIFIED,
    Layout,
    _count_text,
    _heading_px,
    _legend_cols,
    layout,
    org_size,
)
from .plots import DPI, TEXT_PX, TITLE_PX, wrap_text

if TYPE_CHECKING:
    from model import CommunityModel

    from .session import Session

X_SPAN = (-1.32, 1.32)  # the ring's drawing, in layout units (as the PNG figure's axes)
Y_SPAN = (-1.38, 1.3)
LEGEND_ROW_PX = round(TEXT_PX * 1.45)
LEGEND_ITEMS = 10  # committee, five kinds of organization, two of social worker, two of edge


def _px(points: float) -> float:
    """Points (marker sizes, line widths) in px at the PNG's ``DPI``."""
    return points * DPI / 72


def _r(area_pt2: float) -> float:
    """The radius in px of a marker of area ``area_pt2`` (pt², as matplotlib's scatter)."""
    return round(_px(math.sqrt(area_pt2) / 2), 1)


@dataclass(frozen=True)
class Geometry:
    """Where the drawing goes in a box ``width`` x ``height`` px: the heading's height, the legend's top and
    columns, and the layout's unit in px (``scale``) around the centre (``cx``, ``cy``)."""

    width: int
    height: int
    heading: float
    legend_top: float
    cols: int
    scale: float
    cx: float
    cy: float

    def xy(self, x: float, y: float) -> list[float]:
        """A layout point in px (y down)."""
        return [round(self.cx + x * self.scale, 1), round(self.cy - y * self.scale, 1)]


def geometry(lang: str, title: str | None, size: tuple[int, int]) -> Geometry:
    """The drawing's place in a box of ``size`` px: under the wrapped title and counts, over the legend
    (as many columns as fit its longest label), the ring as large as the room left allows."""
    w, h = size
    heading = _heading_px(lang, title, w)
    cols = _legend_cols(lang, w)
    legend_top = h - math.ceil(LEGEND_ITEMS / cols) * LEGEND_ROW_PX - 6
    room = max(legend_top - heading, 1.0)
    scale = min(w / (X_SPAN[1] - X_SPAN[0]), room / (Y_SPAN[1] - Y_SPAN[0]))
    cy = heading + (room - (Y_SPAN[1] - Y_SPAN[0]) * scale) / 2 + Y_SPAN[1] * scale
    return Geometry(w, h, heading, legend_top, cols, scale, w / 2, cy)


def _legend(lang: str, geo: Geometry) -> list[dict[str, Any]]:
    """The legend's items in columns: a marker ("dot": colour, radius, edge; "line": colour, width, opacity)
    and its label."""
    items = [{"kind": "dot", "color": COMMITTEE_COLOR, "r": 5.5, "label": i18n.ui("n_committee", lang)}]
    items += [{"kind": "dot", "color": ORG_COLORS[k], "r": 5, "label": i18n.org_kind_label(k, lang)}
              for k in ORG_KINDS]
    items += [{"kind": "dot", "color": WORKER_CERTIFIED, "r": 3.5, "edge": "#2c3e50",
               "label": i18n.ui("n_worker_cert", lang)},
              {"kind": "dot", "color": WORKER_UNCERTIFIED, "r": 3.5, "edge": "#2c3e50",
               "label": i18n.ui("n_worker", lang)},
              {"kind": "line", "color": "#7f8c8d", "width": 2.2, "opacity": 0.6, "label": i18n.ui("e_partner", lang)},
              {"kind": "line", "color": "#95a5a6", "width": 1, "opacity": 1, "label": i18n.ui("e_employ", lang)}]
    col_w = (geo.width - 8) / geo.cols
    for i, item in enumerate(items):
        row, col = divmod(i, geo.cols)
        item["x"] = round(4 + col * col_w, 1)
        item["y"] = round(geo.legend_top + (row + 0.5) * LEGEND_ROW_PX, 1)
    return items


def network_frame(model: CommunityModel, lang: str, size: tuple[int, int], title: str | None = None,
                  serial: int = 0) -> dict[str, Any]:
    """The whole network for the model's current month: the fixed parts (size, title lines, legend,
    committees' places and numbers, hover labels) and ``state`` (:func:`network_state`); ``serial`` makes a
    frame sent again differ from the last."""
    geo = geometry(lang, title, size)
    lay = layout(model, points_per_unit=geo.scale * 72 / DPI)
    n = len(model.committees)
    return {
        "width": geo.width, "height": geo.height, "serial": serial, "text_px": TEXT_PX, "title_px": TITLE_PX,
        "title": wrap_text(title or i18n.ui("network", lang), geo.width - 12, TITLE_PX),
        "legend": _legend(lang, geo),
        "committees": [geo.xy(*xy) + [str(i + 1) if n <= 60 else ""] for i, xy in enumerate(lay.committees)],
        "colors": {"committee": COMMITTEE_COLOR, "kinds": [ORG_COLORS[k] for k in ORG_KINDS],
                   "certified": WORKER_CERTIFIED, "uncertified": WORKER_UNCERTIFIED},
        "labels": {"committee": i18n.ui("n_committee", lang),
                   "kinds": [i18n.org_kind_label(k, lang) for k in ORG_KINDS],
                   "registering": i18n.outcome_label("organizations_registering", lang),
                   "certified": i18n.ui("n_worker_cert", lang), "uncertified": i18n.ui("n_worker", lang),
                   "key": i18n.ui("network_tip", lang)},
        "state": network_state(model, lang, geo, lay),
    }


def _orgs(lay: Layout, geo: Geometry) -> dict[str, list]:
    """Organizations by id: place, radius (by capacity; registering ones as at capacity 10), kind, hollow."""
    out = {}
    for o, xy in zip(lay.orgs, lay.org_xy, strict=True):
        active = o.status == ACTIVE
        out[str(o.unique_id)] = [*geo.xy(*xy), _r(org_size(o.capacity if active else 10)), o.kind_index,
                                 0 if active else 1]
    return out


def _workers(lay: Layout, geo: Geometry) -> dict[str, list]:
    """Social workers by id: place, certified (1/0), and their employer's place (None for a job seeker)."""
    out = {}
    for w, xy, anchor in zip(lay.workers, lay.worker_xy, lay.worker_anchor, strict=True):
        employer = geo.xy(*anchor) if math.isfinite(anchor[0]) else [None, None]
        out[str(w.unique_id)] = [*geo.xy(*xy), int(w.certified), *employer]
    return out


def _partners(model: CommunityModel, lay: Layout) -> dict[str, list]:
    """Partnerships by "committee:organization": committee index, organization id, width (px, by strength)."""
    shown = {id(o) for o in lay.orgs}
    return {f"{c.index}:{o.unique_id}": [c.index, str(o.unique_id), round(_px(0.4 + 2.2 * float(s)), 1)]
            for c in model.committees for o, s in c.partners.items() if id(o) in shown}


def network_state(model: CommunityModel, lang: str, geo: Geometry, lay: Layout | None = None) -> dict[str, Any]:
    """What a month may change (see the module docstring), for the model's current month."""
    lay = lay if lay is not None else layout(model, points_per_unit=geo.scale * 72 / DPI)
    residents = [c.residents for c in model.committees]
    mean = max(sum(residents) / max(len(residents), 1), 1.0)
    partners = _partners(model, lay)
    n_seek = sum(1 for w in model.workers if w.employer is None)
    return {
        "month": int(model.month),
        "radii": [_r(300 * r / mean) for r in residents],
        "counts": wrap_text(_count_text(model, lay, lang, len(partners)), geo.width - 12, TEXT_PX),
        "seeking": f"{i18n.ui('n_seeking', lang)} ({n_seek})" if n_seek else "",
        "seeking_xy": geo.xy(1.3, -1.19),
        "orgs": _orgs(lay, geo), "workers": _workers(lay, geo), "partners": partners,
    }


def _changed(old: dict[str, list], new: dict[str, list]) -> dict[str, list | None]:
    """The entries of ``new`` that are not in ``old`` as they are, and None for each key ``new`` lacks."""
    out: dict[str, list | None] = {k: v for k, v in new.items() if old.get(k) != v}
    out.update({k: None for k in old if k not in new})
    return out


def network_update(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """What the browser needs to go from state ``old`` to ``new``: the month, the changed organizations,
    workers and partnerships (None: gone), and the radii, counts and seekers' line when they changed."""
    out: dict[str, Any] = {"month": new["month"]}
    for key in ("orgs", "workers", "partners"):
        out[key] = _changed(old[key], new[key])
    for key in ("radii", "counts", "seeking"):
        if old[key] != new[key]:
            out[key] = new[key]
    return out


def apply_update(state: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """``state`` after ``update`` (what the browser does with it; tests use it)."""
    out = {**state, **{k: v for k, v in update.items() if k not in ("orgs", "workers", "partners")}}
    for key in ("orgs", "workers", "partners"):
        merged = {**state[key], **update[key]}
        out[key] = {k: v for k, v in merged.items() if v is not None}
    return out


class NetworkWidget(ipyvuetify.VuetifyTemplate):
    """The browser's network. ``frame`` (synced) is the whole network as last sent; ``show`` sends a month's
    changes (``network_update``, as a custom message) when the run moved on by one month, else the whole
    frame; the browser calls ``vue_ready`` with the month it shows and gets the whole frame if that is late."""

    template_file = (__file__, "network_view.vue")
    frame = traitlets.Dict({}).tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session: Session | None = None
        self.key: tuple | None = None  # (model, lang, title, size) shown
        self.state: dict[str, Any] | None = None  # the month's state last sent
        self.sent_updates = 0  # months sent as changes, not as whole frames (tests read it)

    def show(self, session: Session, which: str, lang: str, title: str | None, size: tuple[int, int]) -> None:
        """Bring the browser's network to the session's run ``which`` ("a" or "b") as it is now."""
        with session.lock:
            model = session.a if which == "a" else session.b
            if model is None:
                return
            key, month = (model, lang, title, size), int(model.month)
            if key == self.key and self.state is not None and month == self.state["month"]:
                return
            if key == self.key and self.state is not None and month == self.state["month"] + 1:
                new = network_state(model, lang, geometry(lang, title, size))
                self.send({"method": "update", "args": [network_update(self.state, new)]})
                self.sent_updates += 1
                self.state = new
            else:
                self._send_frame(model, lang, title, size)
            self.session, self.key = session, key

    def _send_frame(self, model: CommunityModel, lang: str, title: str | None, size: tuple[int, int]) -> None:
        self.frame = network_frame(model, lang, size, title, self.frame.get("serial", 0) + 1)
        self.state = self.frame["state"]

    def vue_ready(self, month: int) -> None:
        """The browser shows ``month``: send the whole frame again when that is not the month last sent."""
        if self.session is None or self.key is None or self.state is None or month == self.state["month"]:
            return
        with self.session.lock:
            self._send_frame(*self.key)


@solara.component
def NetworkElement(session: Session, which: str, lang: str, tick: int, title: str | None, size: tuple[int, int]):
    """The browser's network of ``session``'s run ``which``, brought up to date whenever ``tick``, the language,
    the title, the size or the run change."""
    el = NetworkWidget.element()
    model = session.a if which == "a" else session.b

    def show() -> None:
        solara.get_widget(el).show(session, which, lang, title, size)

    solara.use_effect(show, [tick, lang, title, size, model])
    return el


@solara.component
def NetworkView(session: Session, which: str, lang: str, tick: int, title: str | None, size: tuple[int, int],
                classes: tuple[str, ...] = ()):
    """The network of ``session``'s run ``which`` ("a" or "b") in a box of ``size`` px with the CSS ``classes``,
    titled ``title`` (the network's name when None)."""
    with solara.Div(classes=list(classes), style=f"width: {size[0]}px; flex: none;") as box:
        NetworkElement(session, which, lang, tick, title, size)
    return box
