"""The dashboard in a real headless Chromium: load, preset, slider + Reset, Step/Play, language, compare.

One server for the module, started by the tests on a free port with
``HOST=0.0.0.0`` and ``SOLARA_HOST=0.0.0.0`` in the environment (it must still
listen on 127.0.0.1 only) and no route to the internet (its page must still
load: the JS/CSS come from the local cache); one headless Chromium. Every test
opens its own page, which is its own session with its own model. The browser is
Debian's Chromium or Playwright's own; without either the module is skipped with
one line on a developer's machine and fails in CI (CI=true), where ``.ci/run``
installs Debian's.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from dash_browser import CHART, CHART_SHOWN, NETWORK, dashboard_server, img_src, open_dashboard, require_chromium
from dash_browser import chromium  # noqa: F401, F811 - fixtures this module uses
from playwright.sync_api import expect

pytestmark = pytest.mark.slow
TIMEOUT = 30_000


require_chromium()  # one line in the summary for the whole module; an error in CI


# The fixtures live here, not in a conftest.py: the suite's top-level tests import
# helpers with `from conftest import ...`, which a second conftest module would shadow.
@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The dashboard server (Chinese first), started with HOST=SOLARA_HOST=0.0.0.0 around it and no
    route to the internet; its log in a temporary file."""
    log_path = tmp_path_factory.mktemp("dashboard") / "server.log"
    with open(log_path, "wb") as log, dashboard_server(lang="zh", log=log) as srv:
        srv.log_path = log_path
        yield srv


def _button(page, name):
    return page.get_by_role("button", name=name, exact=True)


def _month(page):
    return page.locator(".dash-month")


def _month_number(page) -> int:
    return int(re.search(r"\d+", _month(page).inner_text()).group(0))


def _listening(port: int) -> set[str]:
    """Local addresses listening on ``port`` (from /proc/net/tcp*)."""
    found = set()
    for name, width in (("tcp", 8), ("tcp6", 32)):
        path = Path("/proc/net") / name
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            addr, p = local.split(":")
            if int(p, 16) == port and state == "0A":  # LISTEN
                found.add(addr)
    return found


def test_page_loads_on_loopback_only_and_without_internet(server, chromium):
    ctx, blocked = chromium
    page = open_dashboard(ctx, server.url)
    expect(page.get_by_text("三社联动 · 社区治理工作坊").first).to_be_visible()
    expect(_month(page)).to_have_text("第 0 个月 / 共 120 个月")
    expect(page.locator(f"{NETWORK} svg")).to_be_visible()
    expect(page.locator(NETWORK)).to_have_attribute("data-month", "0")
    # started with HOST=SOLARA_HOST=0.0.0.0 around it, it listens on 127.0.0.1 only
    assert _listening(server.port) == {"0100007F"}, _listening(server.port)
    assert blocked == [], f"the page asked for outside addresses: {blocked}"
    log = server.log_path.read_text(errors="replace")
    assert "Could not load URL" not in log, "Solara tried to fetch an asset from the internet"
    page.close()


def test_step_and_play_advance_time_and_the_plots_change(server, chromium):
    ctx, _ = chromium
    page = open_dashboard(ctx, server.url)
    net = page.locator(f"{NETWORK} svg").inner_html()
    _button(page, "单步").click()
    expect(_month(page)).to_have_text("第 1 个月 / 共 120 个月", timeout=TIMEOUT)
    expect(page.locator(CHART)).to_have_attribute("data-month", "1", timeout=TIMEOUT)
    expect(page.locator(NETWORK)).to_have_attribute("data-month", "1", timeout=TIMEOUT)
    assert page.locator(f"{NETWORK} svg").inner_html() != net, "the network did not change with the month"
    expect(page.locator(".dash-timing")).to_contain_text("毫秒")
    _button(page, "▶").click()
    expect(_month(page)).to_have_text(re.compile(r"第 ([4-9]|\d\d+) 个月"), timeout=TIMEOUT)
    _button(page, "❚❚").click()
    expect(_button(page, "单步")).to_be_enabled(timeout=TIMEOUT)
    stopped = _month_number(page)
    time.sleep(1.0)
    assert _month_number(page) == stopped, "Play did not stop"
    expect(page.locator(CHART)).to_have_attribute("data-month", str(stopped), timeout=TIMEOUT)
    page.close()


def test_a_step_sends_the_chart_its_numbers_not_a_picture(server, chromium, tmp_path):
    """After N steps the browser's chart holds N points per line, each step brought by one small message
    (the month's numbers); no picture of the live chart is on the page; its PNG download still works."""
    ctx, _ = chromium
    page = ctx.new_page()
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(f if isinstance(f, str) else "")))
    page.goto(server.url)
    chart = page.locator(CHART_SHOWN)
    chart.wait_for(timeout=TIMEOUT)
    expect(chart).to_have_attribute("data-points", "0")
    steps = 3
    for m in range(1, steps + 1):
        _button(page, "单步").click()
        expect(chart).to_have_attribute("data-month", str(m), timeout=TIMEOUT)
    expect(chart).to_have_attribute("data-points", str(steps))
    appends = [f for f in frames if '"method": "append"' in f or '"method":"append"' in f]
    assert len(appends) == steps, [f[:200] for f in appends]
    assert all(len(f) < 2_000 for f in appends), [len(f) for f in appends]
    assert page.locator("img.dash-live-plot").count() == 0
    chart.hover(position={"x": 200, "y": 150})  # the values at the month under the mouse, in a tooltip
    tip = page.locator(f"{CHART} > div:not(:has(svg))")
    expect(tip).to_be_visible(timeout=TIMEOUT)
    expect(tip).to_contain_text(re.compile(r"需求满足率\s*\d+(\.\d+)?%"))
    with page.expect_download(timeout=TIMEOUT) as info:
        page.get_by_role("button", name="图表：各项指标（PNG）").click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    assert saved.read_bytes().startswith(b"\x89PNG") and saved.name.endswith("-month3-live.png")
    page.close()


def test_a_slider_changes_the_model_after_reset(server, chromium):
    ctx, _ = chromium
    page = open_dashboard(ctx, server.url)
    slider = page.locator(".dash-control", has_text="模拟月数").get_by_role("slider")
    expect(slider).to_have_attribute("aria-valuenow", "120")
    slider.focus()
    slider.press("ArrowLeft")
    expect(slider).to_have_attribute("aria-valuenow", "108")
    expect(page.locator(".dash-pending")).to_be_visible()
    expect(_month(page)).to_have_text("第 0 个月 / 共 120 个月")  # nothing changes before Reset
    _button(page, "重置").click()
    expect(_month(page)).to_have_text("第 0 个月 / 共 108 个月", timeout=TIMEOUT)
    expect(page.locator(".dash-pending")).to_have_count(0)
    page.close()


def test_a_preset_can_be_chosen(server, chromium):
    ctx, _ = chromium
    page = open_dashboard(ctx, server.url)
    expect(page.get_by_text("○ 政府购买服务")).to_be_visible()
    page.locator(".dash-preset").click()
    page.locator(".v-menu__content .v-list-item", has_text="上海2015：全套政策").click()
    expect(page.get_by_text("● 政府购买服务")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator(".dash-preset")).to_contain_text("上海2015：全套政策")
    expect(_month(page)).to_have_text("第 0 个月 / 共 120 个月")
    expect(page.locator(".dash-pending")).to_have_count(0)  # a preset rebuilds the model at once
    # a lever's panel: its slider shows value and unit, its tooltip meaning, source and bounds
    page.get_by_text("● 政府购买服务").click()
    label = page.locator(".dash-control-label", has_text="购买服务预算")
    expect(label).to_have_text("购买服务预算: 1,500,000 元/每10万居民·年")
    label.hover()
    expect(page.locator(".v-tooltip__content", has_text="来源")).to_contain_text(
        "（来源：校准值；允许范围：0 至 1,000,000,000）", timeout=TIMEOUT)
    page.close()


def test_the_language_switch_changes_the_labels(server, chromium):
    ctx, _ = chromium
    page = open_dashboard(ctx, server.url)
    expect(page.locator(CHART)).to_contain_text("需求满足率")
    _button(page, "English").click()
    expect(page.get_by_text("Three-society linkage · community governance workshop").first).to_be_visible(
        timeout=TIMEOUT)
    expect(_button(page, "Reset")).to_be_visible()
    expect(_button(page, "Step")).to_be_visible()
    expect(_month(page)).to_have_text("Month 0 of 120")
    expect(page.get_by_text("○ Government purchase of services")).to_be_visible()
    expect(page.locator(CHART)).to_contain_text("Waiting (months)", timeout=TIMEOUT)  # chart redrawn in English
    expect(page.locator(CHART)).not_to_contain_text("需求满足率")
    _button(page, "中文").click()
    expect(_button(page, "重置")).to_be_visible(timeout=TIMEOUT)
    page.close()


def test_compare_mode_shows_two_runs_and_their_difference(server, chromium):
    ctx, _ = chromium
    page = open_dashboard(ctx, server.url)
    _button(page, "对比模式").click()
    expect(page.locator("img.dash-compare-plot")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator(".dash-network-a .dash-network-view svg")).to_be_visible()
    expect(page.locator(".dash-network-b .dash-network-view svg")).to_be_visible()
    expect(page.locator(".dash-b-summary")).to_have_text("B与A设置相同。")
    page.locator(".dash-b-levers").get_by_text("居委会自治金", exact=True).click()
    expect(page.locator(".dash-b-summary")).to_have_text("B与A不同之处：居委会自治金")
    expect(page.locator(".dash-pending")).to_be_visible()
    _button(page, "重置").click()
    expect(page.locator(".dash-pending")).to_have_count(0, timeout=TIMEOUT)
    plot = img_src(page, "dash-compare-plot")
    _button(page, "单步").click()
    expect(_month(page)).to_have_text("第 1 个月 / 共 120 个月", timeout=TIMEOUT)
    _button(page, "单步").click()
    expect(_month(page)).to_have_text("第 2 个月 / 共 120 个月", timeout=TIMEOUT)
    expect(page.locator("img.dash-compare-plot")).not_to_have_attribute("src", plot)
    # the numbers: A, B, B − A of the four default outcomes, the cumulative needs met and spending
    table = page.locator(".dash-compare-table")
    expect(table).to_contain_text("第 2 个月的数值")
    expect(table.locator(".dash-cmp-row")).to_have_count(6)
    expect(table.locator(".dash-cmp-row", has_text="公共支出（前2个月均值）")).to_be_visible()
    expect(table.locator(".dash-cmp-row", has_text="累计公共支出（第1–2个月）")).to_contain_text("元")
    expect(table.locator(".dash-cmp-ratio").first).to_contain_text("B比A每多满足一项需求多花的公共支出")
    _button(page, "单一情景").click()
    expect(page.locator(CHART_SHOWN)).to_be_visible(timeout=TIMEOUT)
    page.close()


def test_bad_input_is_reported_and_changes_nothing(server, chromium):
    ctx, _ = chromium
    page = open_dashboard(ctx, server.url)
    _button(page, "单步").click()
    expect(_month(page)).to_have_text("第 1 个月 / 共 120 个月", timeout=TIMEOUT)
    seed = page.locator(".dash-seed input")
    seed.fill("-5")
    seed.press("Enter")
    _button(page, "重置").click()
    expect(page.locator(".dash-problems")).to_contain_text("设置无效", timeout=TIMEOUT)
    expect(page.locator(".dash-problems")).to_contain_text("随机种子")
    expect(_month(page)).to_have_text("第 1 个月 / 共 120 个月")  # the run goes on untouched
    page.close()


def test_the_chinese_page_has_no_english_sentence_and_world_sliders_stop_at_the_limit(server, chromium):
    ctx, _ = chromium
    page = open_dashboard(ctx, server.url)
    seed = page.locator(".dash-seed input")
    seed.fill("abc")
    seed.press("Enter")
    expect(page.locator(".dash-seed")).to_contain_text("请输入 0 到", timeout=TIMEOUT)
    _button(page, "重置").click()
    expect(page.locator(".dash-problems")).to_contain_text("必须是 0 到", timeout=TIMEOUT)
    command = page.locator(".dash-command").inner_text()  # the run.py command is code, not a sentence
    text = page.locator("body").inner_text().replace(command, "")
    english = re.findall(r"[A-Za-z]{2,}[ ,;:]+[A-Za-z]{2,}[ ,;:]+[A-Za-z]{2,}", text)
    assert not english, f"English on the Chinese page: {english}"
    # residents per committee at its top (8,000): committees stop at 31 (31 × 8,000 ≤ 250,000)
    residents = page.locator(".dash-control", has_text="每个居委会居民数").get_by_role("slider")
    residents.focus()
    residents.press("End")
    expect(residents).to_have_attribute("aria-valuenow", "8000", timeout=TIMEOUT)
    committees = page.locator(".dash-control", has_text="街道居委会数").get_by_role("slider")
    expect(committees).to_have_attribute("aria-valuemax", "31", timeout=TIMEOUT)
    page.close()
