"""Workshop mode without a browser: the join-code gate (driven as ASGI), the team registry, the decision
log and its replay."""

from __future__ import annotations

import asyncio
import json

import pytest

from dashboard import decisions, gate, workshop
from dashboard.controls import settings_from_preset
from dashboard.export import timeseries_csv
from dashboard.session import Session

JOIN, FAC = "K7QPX3MA", "FACILITATORCODE1"


def _call(scope_extra: dict, registry: workshop.Registry, kind: str = "http"):
    """Send one request through the gate to a recording app: (what the app saw or None, messages sent)."""
    seen, sent = [], []

    async def app(scope, receive, send):
        seen.append(scope)
        await send({"type": "http.response.start", "status": 200, "headers": []})

    async def receive():
        return {"type": "http.request"}

    async def send(message):
        sent.append(message)

    scope = {"type": kind, "path": "/", "query_string": b"", "headers": [], "client": ("192.0.2.7", 5000),
             **scope_extra}
    asyncio.run(gate.JoinGate(app, JOIN, FAC, registry)(scope, receive, send))
    return (seen[0] if seen else None), sent


def _cookie(**kv: str) -> list[tuple[bytes, bytes]]:
    return [(b"cookie", "; ".join(f"{k}={v}" for k, v in kv.items()).encode())]


def _headers(scope) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in scope["headers"]}


@pytest.fixture
def registry(tmp_path):
    return workshop.Registry(decisions.DecisionLog(tmp_path / decisions.LOG_NAME))


def test_the_gate_refuses_requests_without_the_right_code_before_the_app(registry):
    for extra in ({}, {"query_string": b"join=WRONG123"}, {"headers": _cookie(dash_join="WRONG123")}):
        seen, sent = _call(extra, registry)
        assert seen is None and sent[0]["status"] == 403, extra
    seen, sent = _call({}, registry, kind="websocket")
    assert seen is None and sent == [{"type": "websocket.close", "code": 1008}]


def test_the_right_code_sets_cookies_and_redirects_without_it(registry):
    seen, sent = _call({"path": "/", "query_string": b"join=k7qp-x3ma&lang=en"}, registry)
    assert seen is None and sent[0]["status"] == 303
    headers = sent[0]["headers"]
    assert (b"location", b"/?lang=en") in headers
    cookies = [v.decode() for k, v in headers if k == b"set-cookie"]
    assert any(c.startswith(f"dash_join={JOIN};") for c in cookies)
    assert any(c.startswith("dash_participant=") for c in cookies)


def test_the_gate_tells_the_page_who_asks_and_drops_headers_the_browser_forged(registry):
    forged = [(b"x-dashboard-role", b"facilitator")]
    seen, _ = _call({"headers": _cookie(dash_join=JOIN, dash_participant="tok") + forged}, registry)
    assert _headers(seen)["x-dashboard-role"] == "participant" and _headers(seen)["x-dashboard-participant"] == "tok"
    assert [k for k, _ in seen["headers"]].count(b"x-dashboard-role") == 1
    seen, sent = _call({"headers": _cookie(dash_join=JOIN), "query_string": b"view=facilitator"}, registry)
    assert seen is None and sent[0]["status"] == 403
    seen, _ = _call({"headers": _cookie(dash_facilitator=FAC), "query_string": b"view=facilitator"}, registry)
    assert _headers(seen)["x-dashboard-role"] == "facilitator"
    seen, sent = _call({"client": ("127.0.0.1", 5000), "query_string": b"view=facilitator"}, registry)
    assert _headers(seen)["x-dashboard-role"] == "facilitator"
    assert any(k == b"set-cookie" for k, _ in sent[0]["headers"])  # a participant token for the new page


def test_team_names_are_checked_and_a_removed_team_is_refused(registry):
    with pytest.raises(ValueError, match="team_name_empty"):
        registry.join("t1", "   ")
    with pytest.raises(ValueError, match="team_name_long"):
        registry.join("t1", "x" * (workshop.MAX_TEAM_NAME + 1))
    red = registry.join("t1", " 红队 ")
    assert red.name == "红队" and registry.join("t1", "红队") is red
    with pytest.raises(ValueError, match="team_name_taken"):
        registry.join("t2", "红队")
    registry.open_page(red, None)
    registry.projected = "t1"
    assert registry.remove("t1") is red and registry.projected is None and registry.teams() == []
    with pytest.raises(ValueError, match="team_removed"):
        registry.join("t1", "红队")
    seen, sent = _call({"headers": _cookie(dash_join=JOIN, dash_participant="t1")}, registry)
    assert seen is None and sent[0]["status"] == 403
    events = [json.loads(line)["event"] for line in registry.log.path.read_text().splitlines()]
    assert events == ["join", "remove"]


def _small(seed: int = 5):
    s = settings_from_preset("baseline", seed=seed)
    s.values.update({"world.committees_per_street": 5, "world.residents_per_committee": 500})
    return s


def test_replay_rebuilds_a_logged_run_exactly_and_detects_a_log_of_another_run(registry, tmp_path):
    team = registry.join("t1", "Team A")
    live = Session(registry.open_page(team, None).journal)
    live.build(_small())
    live.step()
    b = _small()
    b.enabled["self_governance_funds"] = True
    live.build(_small(), b)  # compare mode
    for _ in range(3):
        live.step()
    replayed = decisions.replay_team(registry.log.path, "Team A")
    assert replayed.month == 3 and replayed.settings_b == live.settings_b
    assert timeseries_csv(replayed.a) == timeseries_csv(live.a) and timeseries_csv(replayed.b) == timeseries_csv(live.b)

    records = decisions.read_log(registry.log.path)
    records[-1]["month"] = 7
    with pytest.raises(decisions.ReplayMismatch):
        list(decisions.replay(decisions.team_records(records, "Team A")))
    with pytest.raises(decisions.LogError, match="no team 'Team B'.*Team A"):
        decisions.team_records(records, "Team B")
    broken = tmp_path / "broken.jsonl"
    broken.write_text(registry.log.path.read_text() + "{not json\n")
    with pytest.raises(decisions.LogError, match="line 8"):
        decisions.read_log(broken)


def test_the_facilitator_sees_the_join_address_as_a_qr_code(monkeypatch):
    import ipyvuetify as v
    import segno
    import solara

    from dashboard import workshop_page

    url = "http://192.168.1.20:8765/?join=K7QPX3MA"
    monkeypatch.setenv(workshop.JOIN_ENV, "K7QPX3MA")
    monkeypatch.setenv(workshop.JOIN_URL_ENV, url)

    @solara.component
    def Panel(compact: bool):
        workshop_page.JoinPanel("zh", compact)

    _, rc = solara.render(Panel(False), handle_error=False)
    [qr] = rc.find(v.Html, class_="dash-join-qr").widgets
    assert qr.tag == "img"
    # the same code segno makes of the join address (same error level, scale and quiet zone)
    assert qr.attributes["src"] == segno.make(url, error="m").svg_data_uri(scale=6, border=2)
    assert qr.attributes["src"].startswith("data:image/svg+xml")
    rc.close()
    _, rc = solara.render(Panel(True), handle_error=False)  # a team on the projector: one line, no QR code
    assert not rc.find(v.Html, class_="dash-join-qr").widgets
    rc.close()
