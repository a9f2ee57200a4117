"""Street profiles and community types in a real headless Chromium: pick a profile, Reset, see its types,
and get the same street back from the page's link; the Chinese page stays free of English with the new
picker and view. Server and browser as in ``test_dash_browser.py``."""

from __future__ import annotations

import re

import pytest
from dash_browser import open_dashboard, require_chromium
from dash_browser import chromium, zh_server  # noqa: F401, F811 - fixtures this module uses
from playwright.sync_api import expect

pytestmark = pytest.mark.slow
TIMEOUT = 30_000
ENGLISH = r"[A-Za-z]{2,}[ ,;:]+[A-Za-z]{2,}[ ,;:]+[A-Za-z]{2,}"

require_chromium()  # one line in the summary for the whole module; an error in CI


def _button(page, name):
    return page.get_by_role("button", name=name, exact=True)


def test_a_picked_profile_is_built_at_reset_shown_by_type_and_kept_in_the_link(server, chromium):
    ctx, _ = chromium
    page = open_dashboard(ctx, server.url)
    _button(page, "社区类型").click()
    expect(page.locator(".dash-type-name")).to_have_count(4, timeout=TIMEOUT)  # the baseline's mix
    page.locator(".dash-profile").click()
    page.locator(".v-menu__content .v-list-item", has_text="中心城区街道（示例）").click()
    expect(page.locator(".dash-profile-size")).to_have_text("街道规模由街道档案决定：20 个居委会，共 91,900 居民。",
                                                            timeout=TIMEOUT)
    expect(page.locator(".dash-control", has_text="街道居委会数")).to_have_count(0)
    expect(page.locator(".dash-pending")).to_be_visible()
    expect(page.locator(".dash-type-name")).to_have_count(4)  # applied at Reset only
    _button(page, "重置").click()
    expect(page.locator(".dash-pending")).to_have_count(0, timeout=TIMEOUT)
    expect(page.locator(".dash-type-name")).to_have_text(["老式里弄", "售后公房/工人新村", "商品房小区"], timeout=TIMEOUT)
    expect(page.locator(".dash-type-size").first).to_contain_text("8 个居委会 · 36,200 居民（39%）")
    _button(page, "单步").click()
    expect(page.locator(".dash-type-met")).to_have_count(3, timeout=TIMEOUT)
    expect(page.locator(".dash-types-title")).to_have_text("各类社区 · 第 1 个月")
    expect(page.locator(".dash-types-gap")).to_contain_text("居委会之间的差异（最近 1 个月）")
    expect(page.locator(".dash-command")).to_contain_text(
        "python run.py simulate baseline --profile model/profiles/central-street.toml --months 1", timeout=TIMEOUT)
    page.wait_for_url(re.compile(r"profile=central-street"), timeout=TIMEOUT)
    # no English on the Chinese page, with the picker, the size line and the types view shown
    command = page.locator(".dash-command").inner_text()
    english = re.findall(ENGLISH, page.locator("body").inner_text().replace(command, ""))
    assert not english, f"English on the Chinese page: {english}"
    link = page.url
    page.close()

    again = open_dashboard(ctx, link)  # a refresh or a shared link: the same street
    expect(again.locator(".dash-profile")).to_contain_text("中心城区街道（示例）", timeout=TIMEOUT)
    expect(again.locator(".dash-month")).to_have_text("第 1 个月 / 共 120 个月", timeout=TIMEOUT)
    _button(again, "社区类型").click()
    expect(again.locator(".dash-type-name")).to_have_text(["老式里弄", "售后公房/工人新村", "商品房小区"], timeout=TIMEOUT)
    again.close()


def test_the_english_page_names_the_profiles_types(server, chromium):
    ctx, _ = chromium
    page = open_dashboard(ctx, server.url + "?lang=en&profile=suburban-town")
    expect(page.locator(".dash-profile")).to_contain_text("Suburban town (example)", timeout=TIMEOUT)
    _button(page, "Community types").click()
    expect(page.locator(".dash-type-name")).to_have_text(["Commodity estates", "Resettlement estates", "Villages"],
                                                        timeout=TIMEOUT)
    expect(page.locator(".dash-types")).to_contain_text("Needs met by type are shown from month 1.")
    page.close()
