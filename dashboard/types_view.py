"""The street by community type, and the street-profile picker.

* ``ProfilePicker`` (world card): one of the shipped street profiles
  (``controls.street_profiles``) or the generic street (the preset's own mix of
  types); Reset builds the model from it; with a profile, a line says the size it sets.
* ``NetworkPanel`` (live view, beside the charts): a switch between the linkage
  network (drawn in the browser, :mod:`dashboard.network_view`) and ``TypeMix``: each community type of run A's street with its
  committees and residents, and this month's needs met, counted and weighted by
  severity, as bars readable on a projector (from ``Session.types``), and how much of the gap
  between committees lies between types (``Session.gap``; not in presenter mode); the network's key to
  its marks is its legend and, on empty ground, its hover text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import solara

from . import i18n
from .controls import GENERIC_STREET, profile_size, street_profiles
from .network_view import NetworkView
from .session import TypeRow
from .views import Line, _select

if TYPE_CHECKING:
    from .app import PageState

BAR_COLORS = {"met": "#1f77b4", "weighted": "#d95f02"}


def ProfilePicker(profile: str, lang: str, on_profile) -> None:
    """The street-profile drop-down, and with a profile the size it sets."""
    items = [(GENERIC_STREET, i18n.profile_label(GENERIC_STREET, lang))]
    items += [(name, i18n.profile_label(name, lang)) for name in street_profiles()]
    with solara.Tooltip(i18n.ui("profile_tip", lang)):
        with solara.Div(style="margin-bottom: 8px;"):
            _select(i18n.ui("profile", lang), items, profile, on_profile, ["dash-profile"])
    if profile != GENERIC_STREET:
        committees, residents = profile_size(profile)
        Line(i18n.ui("profile_sizes", lang, committees=committees, residents=f"{residents:,}"),
             ["dash-profile-size"], "font-size: 13px; margin: 6px 0;")


def _bar(kind: str, share: float | None, lang: str):
    """One labelled bar: '按件数 ▇▇▇▇▇▁▁ 83%'."""
    pct = "–" if share is None else f"{100 * share:.0f}%"
    width = 0 if share is None else max(0.0, min(1.0, share)) * 100
    return solara.Row(gap="8px", style="align-items: center; font-size: 14px; line-height: 1.3;",
                      classes=[f"dash-type-{kind}"], children=[
        solara.v.Html(tag="div", children=[i18n.ui(f"types_{kind}" if kind == "met" else "types_weighted", lang)],
                      style_="flex: none; width: 8.5em; color: #444;"),
        solara.v.Html(tag="div", style_="flex: 1; height: 12px; background: #e6e6e6; border-radius: 2px;", children=[
            solara.v.Html(tag="div", style_=f"width: {width:.1f}%; height: 100%; background: {BAR_COLORS[kind]}; "
                                             "border-radius: 2px;")]),
        solara.v.Html(tag="div", children=[pct], class_="dash-type-value",
                      style_="flex: none; width: 3em; text-align: right; font-size: 16px; font-weight: 500;"),
    ])


def TypeMix(rows: list[TypeRow], month: int, lang: str, gap: dict | None = None) -> None:
    """Each community type: committees, residents (and their share), this month's needs met by type;
    below them, with two types or more, what lies between types of the gap between committees
    (``gap``: ``Session.gap``; None in presenter mode, whose panel has no room left at 1280x720)."""
    total = sum(r.residents for r in rows) or 1.0
    with solara.Div(classes=["dash-types"]):
        with solara.Tooltip(i18n.ui("types_tip", lang)):
            Line(i18n.ui("types_title", lang, month=month), ["dash-types-title"],
                 "font-size: 17px; font-weight: 600; margin-bottom: 2px;")
        Line(i18n.ui("types_heading", lang) if month else i18n.ui("types_before", lang), [],
             "font-size: 14px; color: #444; margin-bottom: 4px;")
        for r in rows:
            with solara.Div(classes=["dash-type-row"], style="padding: 3px 0; border-top: 1px solid #ddd;"):
                with solara.Row(gap="0px", style="flex-wrap: wrap; align-items: baseline; line-height: 1.3;"):
                    Line(i18n.ctype_label(r.ctype, lang), ["dash-type-name"],
                         "font-size: 16px; font-weight: 600; margin-right: 10px;")
                    Line(i18n.ui("types_size", lang, committees=r.committees, residents=f"{r.residents:,.0f}",
                                 share=f"{100 * r.residents / total:.0f}%"), ["dash-type-size"], "font-size: 14px;")
                if month:
                    _bar("met", r.met_share, lang)
                    _bar("weighted", r.met_weighted_share, lang)
        if month and gap is not None and gap["types"] > 1:
            Line(i18n.ui("types_gap", lang, months=gap["months"], between=f"{gap['between_type_share']:.0%}",
                         org=f"{gap['org_services_share_of_within']:.0%}"), ["dash-types-gap"],
                 "font-size: 14px; color: #444; margin-top: 6px; line-height: 1.3;")


@solara.component
def NetworkPanel(st: "PageState", tick: int):
    """Beside the charts: the linkage network or the community types (a switch above them, kept in the
    page's state through presenter mode; ``tick`` changes every step, so the panel re-renders, its switch not)."""
    L, session, shown = st.lang.value, st.session, st.side
    width = session.sizes.network[0]
    with solara.Column(gap="4px", style=f"width: {width}px; flex: none;", classes=["dash-side"]):
        SideSwitch(shown, L)
        if shown.value == "types":
            # the gap line needs room presenter mode lacks at 1280x720 (the panel must end in the window)
            TypeMix(session.types, session.month, L, None if st.presenter.value else session.gap)
            return
        NetworkView(session, "a", L, tick, None, session.sizes.network, ("dash-network",))


@solara.component
def SideSwitch(shown: solara.Reactive[str], lang: str):
    """The switch between the network and the community types."""
    with solara.Tooltip(i18n.ui("view_tip", lang)) as tip:
        solara.ToggleButtonsSingle(value=shown.value, on_value=shown.set, dense=True, classes=["dash-side-view"],
                                   children=[solara.Button(i18n.ui("view_network", lang), value="network", text=True),
                                             solara.Button(i18n.ui("view_types", lang), value="types", text=True)])
    return tip
