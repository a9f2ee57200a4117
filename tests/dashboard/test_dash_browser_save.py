"""Saving and sharing in a real headless Chromium: a link's setting, run to month N, the scenario download,
a link's compare mode and month.

One server and one browser for the module, as in ``test_dash_browser.py``
(skipped with one line without a Chromium, an error in CI).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from dash_browser import dashboard_server, open_dashboard, require_chromium
from dash_browser import chromium  # noqa: F401, F811 - fixtures this module uses
from playwright.sync_api import expect

from model import load_scenario

pytestmark = pytest.mark.slow
TIMEOUT = 30_000
QUERY = ("lang=en&preset=baseline&seed=77&world.committees_per_street=6&world.residents_per_committee=500"
         "&scenario.months=24&policies.self_governance_funds.enabled=1&no.such.setting=3")

require_chromium()  # one line in the summary for the whole module; an error in CI


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The dashboard server (Chinese first), its log in a temporary file."""
    log_path = tmp_path_factory.mktemp("dashboard") / "server.log"
    with open(log_path, "wb") as log, dashboard_server(lang="zh", log=log) as srv:
        yield srv


def test_a_link_restores_its_setting_runs_to_a_month_and_saves_a_valid_scenario(server, chromium, tmp_path):
    ctx, _ = chromium
    page = open_dashboard(ctx, f"{server.url}?{QUERY}")
    month = page.locator(".dash-month")
    # the link's language and setting; its unknown parameter ignored with an English message
    expect(month).to_have_text("Month 0 of 24", timeout=TIMEOUT)
    expect(page.locator(".dash-seed input")).to_have_value("77")
    slider = page.locator(".dash-control", has_text="Committees in the street").get_by_role("slider")
    expect(slider).to_have_attribute("aria-valuenow", "6")
    expect(page.get_by_text("● Self-governance funds")).to_be_visible()
    expect(page.locator(".dash-url-problem")).to_have_text("link parameter no.such.setting = 3: unknown setting")
    expect(page.locator(".dash-pending")).to_have_count(0)
    # the URL keeps the setting (the unknown parameter dropped)
    expect(page).not_to_have_url(re.compile(r"no\.such\.setting"), timeout=TIMEOUT)
    kept = parse_qs(urlparse(page.url).query)
    assert kept["world.committees_per_street"] == ["6"] and "no.such.setting" not in kept

    box = page.locator(".dash-run-to-month input")
    box.fill("5")
    box.press("Enter")
    page.get_by_role("button", name="Run to month", exact=True).click()
    expect(month).to_have_text("Month 5 of 24", timeout=TIMEOUT)
    expect(page).to_have_url(re.compile(r"month=5"), timeout=TIMEOUT)  # the link keeps the month
    expect(page.locator(".dash-command")).to_have_text(
        "python run.py simulate baseline-dashboard.toml --months 5 --seed 77")

    with page.expect_download(timeout=TIMEOUT) as info:
        page.get_by_role("button", name="Scenario file (TOML)").click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    assert saved.name == "baseline-dashboard.toml"
    sc = load_scenario(saved)
    assert (sc.world.committees_per_street, sc.world.residents_per_committee, sc.scenario.months) == (6, 500, 24)
    assert sc.policies.self_governance_funds is not None and sc.policies.self_governance_funds.enabled
    page.close()


def test_a_link_restores_compare_mode_setting_b_and_the_month(server, chromium):
    ctx, _ = chromium
    query = "lang=en&mode=compare&b=A&b.levers=self_governance_funds&month=3"
    page = ctx.new_page()
    page.goto(f"{server.url}?{query}")
    expect(page.locator("img.dash-compare-plot")).to_be_visible(timeout=60_000)
    expect(page.locator(".dash-month")).to_have_text("Month 3 of 120", timeout=TIMEOUT)
    expect(page.locator(".dash-b-summary")).to_have_text("B differs from A in: Self-governance funds")
    expect(page.locator(".dash-pending")).to_have_count(0)
    page.get_by_role("button", name="Step", exact=True).click()
    expect(page.locator(".dash-month")).to_have_text("Month 4 of 120", timeout=TIMEOUT)
    expect(page).to_have_url(re.compile(r"month=4"), timeout=TIMEOUT)
    kept = parse_qs(urlparse(page.url).query)
    assert kept["mode"] == ["compare"] and kept["b.levers"] == ["self_governance_funds"]
    page.close()
