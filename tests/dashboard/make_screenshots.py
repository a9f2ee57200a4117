"""Take the dashboard screenshots in docs/ (Chinese, English, compare mode, the facilitator's view).

    python tests/dashboard/make_screenshots.py [--months 36] [--size 1280x720] [--only dashboard|types|workshop]

Starts its own server (like the browser tests), picks the professional-guidance
preset, plays the given months and saves docs/dashboard-zh.png,
docs/dashboard-en.png and docs/dashboard-compare-zh.png (B: the same street
without the self-governance fund); on the example central-city street, the
street-profile picker (docs/dashboard-profile-zh.png, -en.png) and in presenter
mode the community types beside the charts (docs/dashboard-types-zh.png, -en.png). Then starts a workshop server on this
machine's network address, lets two teams join from their own browser
contexts and step, and saves the facilitator's view as
docs/dashboard-facilitator-zh.png and docs/dashboard-facilitator-en.png (the join panel and the
teams' table; the first team on the example central-city street).
Screens are ``--size`` (a projector's 1280×720 by default).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(ROOT), str(HERE)]

from dash_browser import CHART_SHOWN, browser, dashboard_server, open_dashboard, separate_browsers  # noqa: E402

from dashboard import server as dash_server  # noqa: E402
from dashboard.workshop import WorkshopSetup, new_code  # noqa: E402

DOCS = ROOT / "docs"
PRESET_ZH = "专业指导型（徐汇凌云）"


def _play_to(page, months: int) -> None:
    """Run to month ``months`` in one go (Play at no pause now overshoots by many months before
    the pause click lands)."""
    box = page.locator(".dash-run-to-month input")
    box.fill(str(months))
    box.press("Enter")
    page.get_by_role("button", name=re.compile("^(运行到该月|Run to month)$")).click()
    page.wait_for_function(
        "m => { const e = document.querySelector('.dash-month'); const n = e && e.innerText.match(/\\d+/);"
        " return n && parseInt(n[0]) >= m; }", arg=months, timeout=600_000)
    page.get_by_role("button", name=re.compile("^(单步|Step)$")).wait_for()
    page.mouse.move(300, 30)  # off the button (its tooltip) and off the charts, onto the app bar's title
    page.evaluate("document.querySelectorAll('*').forEach(e => { if (e.scrollTop) e.scrollTop = 0; })")
    page.wait_for_timeout(1500)


def dashboard_shots(months: int, size: tuple[int, int]) -> list[str]:
    """The dashboard in Chinese, in English and in compare mode."""
    with dashboard_server(lang="zh") as srv, browser(viewport=size) as (ctx, _blocked):
        page = open_dashboard(ctx, srv.url)
        page.locator(".dash-preset").click()
        page.locator(".v-menu__content .v-list-item", has_text=PRESET_ZH).click()
        page.get_by_text("● 居委会自治金").wait_for()
        page.get_by_text("● 居委会自治金").click()  # open one lever: its switch and sliders with units
        _play_to(page, months)
        page.screenshot(path=str(DOCS / "dashboard-zh.png"))
        page.get_by_role("button", name="English", exact=True).click()
        page.get_by_role("button", name="Reset", exact=True).wait_for()
        page.wait_for_timeout(1500)
        page.screenshot(path=str(DOCS / "dashboard-en.png"))
        page.close()

        page = open_dashboard(ctx, srv.url)
        page.locator(".dash-preset").click()
        page.locator(".v-menu__content .v-list-item", has_text=PRESET_ZH).click()
        page.get_by_text("● 居委会自治金").wait_for()
        page.get_by_role("button", name="对比模式", exact=True).click()
        page.locator("img.dash-compare-plot").wait_for()
        page.locator(".dash-b-levers").get_by_text("居委会自治金", exact=True).click()
        page.get_by_role("button", name="重置", exact=True).click()
        page.locator(".dash-pending").wait_for(state="detached")
        _play_to(page, months)
        page.screenshot(path=str(DOCS / "dashboard-compare-zh.png"))
    return ["dashboard-zh.png", "dashboard-en.png", "dashboard-compare-zh.png"]


def types_shots(months: int, size: tuple[int, int]) -> list[str]:
    """The street-profile picker (the world card) and, in presenter mode, the community types beside the
    charts, on the example central-city street, in Chinese and English."""
    names = []
    with dashboard_server(lang="zh") as srv, browser(viewport=size) as (ctx, _blocked):
        for lang, profile, reset, types, presenter in (("zh", "中心城区街道（示例）", "重置", "社区类型", "投影模式"),
                                                        ("en", "Central-city street (example)", "Reset",
                                                         "Community types", "Presenter")):
            page = open_dashboard(ctx, f"{srv.url}?lang={lang}")
            page.locator(".dash-profile").click()
            page.locator(".v-menu__content .v-list-item", has_text=profile).click()
            page.locator(".dash-profile-size").wait_for()
            page.get_by_role("button", name=reset, exact=True).click()
            page.locator(".dash-pending").wait_for(state="detached")
            page.mouse.move(size[0] // 2, size[1] - 5)  # no tooltip over the card
            card = page.locator(".v-card", has=page.locator(".dash-profile"))
            card.scroll_into_view_if_needed()
            page.wait_for_timeout(1000)
            card.screenshot(path=str(DOCS / f"dashboard-profile-{lang}.png"))
            _play_to(page, months)
            page.get_by_role("button", name=types, exact=True).click()
            page.locator(".dash-type-met").first.wait_for()
            page.get_by_role("button", name=presenter, exact=True).click()  # the choice stays in presenter mode
            page.locator(".dash-controls").wait_for(state="detached")
            page.mouse.move(size[0] // 2, 8)  # on the app bar: no chart tooltip (the chart reaches the bottom)
            page.wait_for_timeout(3000)
            page.screenshot(path=str(DOCS / f"dashboard-types-{lang}.png"))
            names += [f"dashboard-profile-{lang}.png", f"dashboard-types-{lang}.png"]
            page.close()
    return names


def _team(ctx, srv, name: str, months: int, profile: str | None = None):
    """A team joins, picks the street ``profile`` (a label in Chinese; None: the generic street) and plays."""
    page = ctx.new_page()
    page.goto(f"{srv.url}?join={srv.workshop.join_code}")
    page.locator(".dash-team-name input").fill(name)
    page.locator(".dash-join").click()
    page.locator(CHART_SHOWN).first.wait_for(timeout=120_000)
    if profile is not None:
        page.locator(".dash-profile").click()
        page.locator(".v-menu__content .v-list-item", has_text=profile).click()
        page.get_by_role("button", name="重置", exact=True).click()
        page.locator(".dash-pending").wait_for(state="detached")
    _play_to(page, months)
    return page


def workshop_shots(months: int, size: tuple[int, int], folder: Path) -> list[str]:
    """The facilitator's view with two teams (the first on the example central-city street), the join panel
    and the teams' table, in Chinese and English."""
    address = dash_server.lan_address()
    port = dash_server.free_port(address)
    setup = WorkshopSetup(new_code(), new_code(16), folder / "decisions.jsonl", f"http://{address}:{port}/")
    with dashboard_server(lang="zh", host=address, workshop=setup, port=port) as srv, \
            separate_browsers(3, (address,), viewport=size) as [ctx_a, ctx_b, ctx_f]:
        _team(ctx_a, srv, "第一组", months, "中心城区街道（示例）")
        _team(ctx_b, srv, "第二组", months // 2)
        fac = ctx_f.new_page()
        fac.goto(f"{srv.url}?view=facilitator&fcode={setup.facilitator_code}")
        fac.locator(".dash-team-row").nth(1).wait_for(timeout=60_000)
        fac.wait_for_timeout(2500)
        fac.screenshot(path=str(DOCS / "dashboard-facilitator-zh.png"))
        fac.get_by_role("button", name="English", exact=True).click()
        fac.get_by_text("Teams joined (2)").wait_for()
        fac.wait_for_timeout(2500)
        fac.screenshot(path=str(DOCS / "dashboard-facilitator-en.png"))
    return ["dashboard-facilitator-zh.png", "dashboard-facilitator-en.png"]


def main() -> int:
    """Take the screenshots."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--size", default="1280x720", help="the browser window, WIDTHxHEIGHT")
    parser.add_argument("--only", choices=("dashboard", "types", "workshop"), default=None)
    args = parser.parse_args()
    size = tuple(int(x) for x in args.size.split("x"))
    names = []
    if args.only in (None, "dashboard"):
        names += dashboard_shots(args.months, size)
    if args.only in (None, "types"):
        names += types_shots(args.months, size)
    if args.only in (None, "workshop"):
        with tempfile.TemporaryDirectory() as folder:
            names += workshop_shots(args.months, size, Path(folder))
    for name in names:
        print(DOCS / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
