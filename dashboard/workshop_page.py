"""Workshop mode's page (the Solara app that :mod:`dashboard.gate` serves): a team's dashboard or the
facilitator's view.

Who is asking comes from the headers the gate sets (never from the browser):

* a participant (any page but ``?view=facilitator``) names the team once, then
  gets the ordinary dashboard (:func:`dashboard.app.Page`) with its own session,
  whose builds, steps and setting changes go to the decision log;
* the facilitator (``?view=facilitator``; the gate lets only the facilitator
  open it) sees the join address and code, every team's setting and headline
  results side by side (refreshed every 2 s), can remove a team and can put one
  team's charts on the projector.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qsl

import solara
import solara.lab
from solara.server import kernel_context

from . import app as dashboard, i18n, workshop
from .app import LANG_NAMES, Line
from .gate import FACILITATOR_VIEW, PARTICIPANT_HEADER, ROLE_HEADER
from .live_chart import LiveChart
from .network_view import NetworkView
from .plots import format_value, monitor_label
from .qr import qr_data_uri

HEADLINES = ("needs_met_share", "mean_wait_months", "satisfaction", "public_spending_12m_yuan")
REFRESH_S = 2.0
CSS = """
.dash-join-url { font-size: 40px; font-weight: 600; word-break: break-all; line-height: 1.2; }
.dash-join-code { font-size: 56px; font-weight: 700; letter-spacing: 4px; line-height: 1.2; }
.dash-join-qr { width: 240px; height: 240px; image-rendering: pixelated; flex: none; }
.dash-teams td, .dash-teams th { padding: 4px 10px; border-bottom: 1px solid #ddd; text-align: left; font-size: 15px; }
.dash-projected img { max-width: 100%; height: auto; }
"""


def _header(name: str) -> str:
    """A header the gate set on this page's connection ('' when absent)."""
    return ((solara.lab.headers.value or {}).get(name) or [""])[0]


@solara.component
def Page():
    """The facilitator's view for ``?view=facilitator`` (facilitator only), else a team's page."""
    router = solara.use_router()
    role, token = _header(ROLE_HEADER), _header(PARTICIPANT_HEADER)
    if FACILITATOR_VIEW in parse_qsl(router.search or ""):
        if role == "facilitator":
            FacilitatorView()
        else:
            solara.Error(i18n.ui("facilitator_only", i18n.initial_lang()))
    elif token:
        TeamView(token)
    else:
        solara.Error(i18n.ui("no_participant", i18n.initial_lang()))


@solara.component
def TeamView(token: str):
    """The team-name form until the token's team has joined, then the team's dashboard."""
    team = solara.use_reactive(workshop.registry().team(token))
    if team.value is None:
        JoinForm(token, team.set)
    else:
        TeamDashboard(team.value)


@solara.component
def JoinForm(token: str, on_team):
    """A box for the team's name; a name that is empty, too long or taken is refused with the reason."""
    lang = i18n.initial_lang()
    name = solara.use_reactive("")
    problem = solara.use_reactive("")

    def join():
        try:
            on_team(workshop.registry().join(token, name.value))
        except ValueError as exc:
            problem.set(i18n.ui(str(exc), lang, most=workshop.MAX_TEAM_NAME))

    solara.Title(i18n.ui("title", lang))
    with solara.Card(i18n.ui("join_title", lang), style="max-width: 520px; margin: 40px auto;"):
        Line(i18n.ui("join_tip", lang), [], "margin-bottom: 8px;")
        solara.InputText(i18n.ui("team_name", lang), value=name, continuous_update=True, classes=["dash-team-name"])
        solara.Button(i18n.ui("join_button", lang), color="primary", on_click=join, classes=["dash-join"])
        if problem.value:
            solara.Error(problem.value, classes=["dash-join-problem"])


def _open_page(team: workshop.Team) -> workshop.TeamPage:
    """Register this connection as a page of ``team``; its run is forgotten when the connection closes."""
    registry, context = workshop.registry(), kernel_context.get_current_context()
    page = registry.open_page(team, context)
    context.on_close(lambda: registry.close_page(page))
    return page


@solara.component
def TeamDashboard(team: workshop.Team):
    """The ordinary dashboard of one page of the team, logging its decisions."""
    page = solara.use_memo(lambda: _open_page(team), [])
    with solara.Div(classes=["dash-team-banner"], style="font-size: 15px; margin-bottom: 4px;"):
        solara.Text(i18n.ui("team_label", i18n.initial_lang(), team=team.name))
    dashboard.Page(journal=page.journal, on_session=lambda s: setattr(page, "session", s))


def team_row(team: workshop.Team, lang: str) -> list[str]:
    """One team's cells: name, joined, month, setting (preset, levers on, street profile, compare) and headline results."""
    s = team.session
    if s is None or s.settings_a is None:
        return [team.name, team.joined[11:16], "–", "–"] + ["–"] * len(HEADLINES)
    levers = [i18n.lever_label(k, lang) for k, on in s.settings_a.enabled.items() if on]
    sep = "、" if lang == "zh" else ", "
    setting = i18n.preset_label(s.settings_a.preset, lang) + (f"（{sep.join(levers)}）" if levers else "")
    setting += " · " + i18n.profile_label(s.settings_a.profile, lang)
    if s.compare:
        setting += " · " + i18n.ui("mode_compare", lang)
    current = s.current
    values = [format_value(n, current.get(n, float("nan")), lang) for n in HEADLINES]
    return [team.name, team.joined[11:16], f"{s.month}/{s.months}", setting, *values]


@solara.component
def FacilitatorView():
    """The join address and code, the projected team's charts, and the teams' table (refreshed every 2 s)."""
    lang = solara.use_reactive(i18n.initial_lang())
    tick = solara.use_reactive(0)
    ctx = kernel_context.get_current_context()

    def refresh():
        while not ctx.closed_event.wait(REFRESH_S):
            tick.set(tick.value + 1)

    solara.lab.use_task(refresh, dependencies=[], prefer_threaded=True)
    _ = tick.value
    L, reg = lang.value, workshop.registry()
    solara.Title(i18n.ui("facilitator_title", L))
    solara.Style(dashboard.CSS + CSS)  # the dashboard's rules hide Solara's badge here too
    with solara.Row(style="align-items: center; gap: 16px;"):
        solara.Text(i18n.ui("facilitator_title", L), style="font-size: 22px; font-weight: 600;")
        solara.ToggleButtonsSingle(value=L, on_value=lang.set, children=[
            solara.Button(LANG_NAMES[code], value=code, text=True) for code in i18n.LANGS])
    projected = reg.team(reg.projected) if reg.projected else None
    JoinPanel(L, compact=projected is not None)
    if projected is not None:
        Projected(projected, L, lambda: (setattr(reg, "projected", None), tick.set(tick.value + 1)))
    TeamsTable(reg, L, lambda: tick.set(tick.value + 1))


def JoinPanel(lang: str, compact: bool) -> None:
    """The address participants open as a QR code and as text, and the join code, large enough to read
    from the back of the room (one line without the QR code when ``compact``: a team's charts are on the
    projector)."""
    code = workshop.shown_code(os.environ[workshop.JOIN_ENV])
    url = os.environ.get(workshop.JOIN_URL_ENV, "")
    if compact:
        Line(f"{i18n.ui('join_url_label', lang)} {url} · {i18n.ui('join_code_label', lang)} {code}",
             ["dash-join-line"], "font-size: 18px; font-weight: 500; margin: 4px 0;")
        return
    with solara.Card(i18n.ui("join_panel", lang), margin=0, classes=["dash-join-panel"]):
        with solara.Row(style="align-items: center; gap: 24px; flex-wrap: wrap;"):
            if url:
                solara.v.Html(tag="img", class_="dash-join-qr",
                              attributes={"src": qr_data_uri(url), "alt": i18n.ui("join_qr_alt", lang)})
            with solara.Div(style="min-width: 0; flex: 1;"):
                Line(i18n.ui("join_url_label", lang), [], "font-size: 16px;")
                Line(url, ["dash-join-url"])
                Line(i18n.ui("join_code_label", lang), [], "font-size: 16px; margin-top: 8px;")
                Line(code, ["dash-join-code"])
                Line(i18n.ui("join_qr_tip", lang), [], "font-size: 14px; color: #555;")


def Projected(team: workshop.Team, lang: str, on_stop) -> None:
    """The projected team's current charts (as drawn on its own page)."""
    s = team.session
    with solara.Card(i18n.ui("projected", lang, team=team.name), margin=0, classes=["dash-projected"]):
        solara.Button(i18n.ui("stop_projecting", lang), outlined=True, on_click=on_stop, classes=["dash-unproject"])
        if s is not None:
            Line(i18n.ui("month", lang, month=s.month, months=s.months), ["dash-projected-month"], "font-size: 18px;")
            with solara.Row(style="flex-wrap: wrap; gap: 12px;"):
                if not s.compare:  # the live chart and the network, drawn in the browser
                    with solara.Div(classes=["dash-projected-live"]):
                        LiveChart(s, lang, s.month)
                    NetworkView(s, "a", lang, s.month, None, s.sizes.network, ("dash-projected-network",))
                for key, png in s.images.items():
                    solara.Image(png, classes=[f"dash-projected-{key}"])
                if s.compare:
                    for which, title in zip("ab", s.titles(lang), strict=True):
                        NetworkView(s, which, lang, s.month, title, s.sizes.pair, (f"dash-projected-network-{which}",))


def TeamsTable(reg: workshop.Registry, lang: str, changed) -> None:
    """Every team: setting and headline results side by side, with 'project' and 'remove' buttons."""
    heads = [i18n.ui(k, lang) for k in ("team", "joined_at", "month_short", "setting")]
    heads += [monitor_label(n, 12, lang) for n in HEADLINES]
    teams = reg.teams()

    def project(token):
        reg.projected = token
        changed()

    def remove(token):
        reg.remove(token)
        changed()

    with solara.Card(i18n.ui("teams", lang, n=len(teams)), margin=0, classes=["dash-teams"]):
        if not teams:
            Line(i18n.ui("no_teams", lang), ["dash-no-teams"])
            return
        rows = [solara.v.Html(tag="tr", children=[solara.v.Html(tag="th", children=[h]) for h in heads + [""]])]
        for team in teams:
            cells = [solara.v.Html(tag="td", children=[c]) for c in team_row(team, lang)]
            buttons = solara.Row(children=[
                solara.Button(i18n.ui("project", lang), small=True, outlined=True, classes=["dash-project"],
                              on_click=lambda t=team.token: project(t)),
                solara.Button(i18n.ui("remove", lang), small=True, color="error", outlined=True,
                              classes=["dash-remove"], on_click=lambda t=team.token: remove(t))])
            rows.append(solara.v.Html(tag="tr", class_="dash-team-row", children=[
                *cells, solara.v.Html(tag="td", children=[buttons])]))
        solara.v.Html(tag="table", children=[solara.v.Html(tag="tbody", children=rows)],
                      style_="border-collapse: collapse;")
