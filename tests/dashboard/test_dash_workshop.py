"""Workshop mode in a real headless Chromium: the join code, separate team sessions, the facilitator's
view, and the replay of a team's run from the decision log.

One workshop server for the module, listening on this machine's network address
(not loopback: a request from loopback is the facilitator's and needs no code),
cut off from the internet; each participant is its own Chromium (its own
cookies). Skipped with one line without a Chromium (an error in CI), or when
this machine has no network address but loopback.
"""

from __future__ import annotations

import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from dash_browser import CHART, CHART_SHOWN, dashboard_server, require_chromium, separate_browsers
from playwright.sync_api import expect

from dashboard import decisions, server as dash_server
from dashboard.export import timeseries_csv
from dashboard.workshop import WorkshopSetup, new_code

pytestmark = pytest.mark.slow
TIMEOUT = 30_000
LOAD_TIMEOUT = 60_000

require_chromium()  # one line in the summary for the whole module; an error in CI
ADDRESS = dash_server.lan_address()
if ADDRESS.startswith("127."):
    pytest.skip("no network address but loopback: workshop mode's join code cannot be tried",
                allow_module_level=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A workshop server on this machine's network address, its decision log in a temporary folder."""
    folder = tmp_path_factory.mktemp("workshop")
    port = dash_server.free_port(ADDRESS)
    setup = WorkshopSetup(new_code(), new_code(16), folder / decisions.LOG_NAME, f"http://{ADDRESS}:{port}/")
    with open(folder / "server.log", "wb") as log, dashboard_server(log=log, host=ADDRESS, workshop=setup,
                                                                     port=port) as srv:
        yield srv


def _join(ctx, srv, team: str):
    """A new participant page: open the join address, name the team, wait for the dashboard."""
    page = ctx.new_page()
    page.goto(f"{srv.url}?join={srv.workshop.join_code}")
    page.locator(".dash-team-name input").fill(team)
    page.locator(".dash-join").click()
    page.locator(CHART_SHOWN).first.wait_for(timeout=LOAD_TIMEOUT)
    expect(page.locator(".dash-team-banner")).to_have_text(f"小组：{team}")
    return page


def _step(page, months: int, reached: int, of: int = 120):
    for _ in range(months):
        page.get_by_role("button", name="单步", exact=True).click()
    expect(page.locator(".dash-month")).to_have_text(f"第 {reached} 个月 / 共 {of} 个月", timeout=TIMEOUT)


def test_a_missing_or_wrong_join_code_is_refused_before_solara(server):
    for query in ("", "?join=WRONGCODE", "?view=facilitator", f"?view=facilitator&fcode={server.workshop.join_code}"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(server.url + query, timeout=10)
        assert refused.value.code == 403, query
        body = refused.value.read().decode()
        assert "solara" not in body.lower() and ("加入码" in body or "主持人" in body), body
    with separate_browsers(1, (ADDRESS,)) as [ctx]:
        page = ctx.new_page()
        assert page.goto(server.url).status == 403
        expect(page.locator(".dash-refused")).to_have_text("需要加入码 · Join code required")
        page.locator("input[name=join]").fill("wrong-code")
        page.locator("button").click()
        expect(page.locator(".dash-refused")).to_have_text("加入码不对 · Wrong join code")
        code = server.workshop.join_code
        page.locator("input[name=join]").fill(f"{code[:4].lower()}-{code[4:].lower()}")  # as people type it
        page.locator("button").click()
        expect(page.locator(".dash-team-name")).to_be_visible(timeout=LOAD_TIMEOUT)


def test_two_teams_have_separate_runs_and_the_facilitator_sees_projects_and_removes(server):
    with separate_browsers(3, (ADDRESS,)) as [ctx_a, ctx_b, ctx_f]:
        red, blue = _join(ctx_a, server, "红队"), _join(ctx_b, server, "蓝队")
        _step(red, 2, 2)
        expect(blue.locator(".dash-month")).to_have_text("第 0 个月 / 共 120 个月")
        taken = ctx_f.new_page()  # a third device may not take a team's name
        taken.goto(f"{server.url}?join={server.workshop.join_code}")
        taken.locator(".dash-team-name input").fill("红队")
        taken.locator(".dash-join").click()
        expect(taken.locator(".dash-join-problem")).to_contain_text("已被另一组使用", timeout=TIMEOUT)

        fac = ctx_f.new_page()
        fac.goto(f"{server.url}?view=facilitator&fcode={server.workshop.facilitator_code}")
        expect(fac.locator(".dash-join-code")).to_have_text(
            f"{server.workshop.join_code[:4]}-{server.workshop.join_code[4:]}", timeout=LOAD_TIMEOUT)
        expect(fac.locator("img.dash-join-qr")).to_be_visible()  # the join address as a QR code
        assert fac.locator("img.dash-join-qr").get_attribute("src").startswith("data:image/svg+xml")
        rows = fac.locator(".dash-team-row")
        expect(rows).to_have_count(2, timeout=TIMEOUT)
        expect(rows.filter(has_text="红队")).to_contain_text("2/120")
        expect(rows.filter(has_text="蓝队")).to_contain_text("0/120")
        rows.filter(has_text="红队").locator(".dash-project").click()
        expect(fac.locator(".dash-projected")).to_contain_text("投影中：红队", timeout=TIMEOUT)
        expect(fac.locator(f".dash-projected-live {CHART}")).to_have_attribute("data-month", "2", timeout=TIMEOUT)
        _step(red, 1, 3)  # the projector follows the team
        expect(fac.locator(".dash-projected-month")).to_have_text("第 3 个月 / 共 120 个月", timeout=TIMEOUT)
        expect(fac.locator(f".dash-projected-live {CHART}")).to_have_attribute("data-month", "3", timeout=TIMEOUT)
        projected_net = fac.locator(".dash-projected-network .dash-network-view")  # the team's network, too
        expect(projected_net).to_have_attribute("data-month", "3", timeout=TIMEOUT)
        expect(projected_net).to_have_attribute("data-committees", "25")

        rows.filter(has_text="蓝队").locator(".dash-remove").click()
        expect(rows).to_have_count(1, timeout=TIMEOUT)
        assert blue.goto(server.url).status == 403  # the removed team's token is refused from now on
        expect(blue.locator(".dash-refused")).to_contain_text("已被主持人移出")
    events = [(r["team"], r["event"]) for r in decisions.read_log(server.workshop.log_path)]
    assert ("蓝队", "remove") in events and events.count(("红队", "step")) == 3


def test_replay_from_the_decision_log_reproduces_a_team_run_byte_for_byte(server, tmp_path):
    with separate_browsers(1, (ADDRESS,)) as [ctx]:
        page = _join(ctx, server, "绿队")
        page.get_by_text("○ 居委会自治金").click()  # a lever switched on, then Reset
        page.locator(".dash-lever", has_text="居委会自治金").locator(".dash-lever-switch").click()
        page.get_by_role("button", name="重置", exact=True).click()
        expect(page.locator(".dash-pending")).to_have_count(0, timeout=TIMEOUT)
        _step(page, 3, 3)
        page.get_by_role("button", name="重置", exact=True).click()  # start again, then run to month 7
        expect(page.locator(".dash-month")).to_have_text("第 0 个月 / 共 120 个月", timeout=TIMEOUT)
        box = page.locator(".dash-run-to-month input")
        box.fill("7")
        box.press("Enter")
        page.get_by_role("button", name="运行到该月", exact=True).click()
        _step(page, 1, 8)
        with page.expect_download(timeout=TIMEOUT) as info:
            page.get_by_role("button", name="时间序列（CSV）").click()
        live = info.value.path().read_bytes()
    log = server.workshop.log_path
    session = decisions.replay_team(log, "绿队")
    assert session.month == 8 and session.settings_a.enabled["self_governance_funds"]
    assert timeseries_csv(session.a).encode() == live
    out = tmp_path / "replayed.csv"
    cli = subprocess.run([sys.executable, str(dash_server.ROOT / "run.py"), "dashboard-replay", str(log),
                          "--team", "绿队", "--csv", str(out)], capture_output=True, text=True, timeout=300, check=False)
    assert cli.returncode == 0, cli.stderr
    assert out.read_bytes() == live
    assert "month    8" in cli.stdout.splitlines()[-2]
