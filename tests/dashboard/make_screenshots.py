"""Take the dashboard screenshots in docs/ (Chinese, English, compare mode).

    python tests/dashboard/make_screenshots.py [--months 36]

Starts its own server (like the browser tests), picks the professional-guidance
preset, plays the given months and saves docs/dashboard-zh.png,
docs/dashboard-en.png and docs/dashboard-compare-zh.png (B: the same street
without the self-governance fund).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(ROOT), str(HERE)]

from dash_browser import browser, dashboard_server, open_dashboard  # noqa: E402

DOCS = ROOT / "docs"
PRESET_ZH = "专业指导型（徐汇凌云）"


def _play_to(page, months: int) -> None:
    slider = page.locator(".dash-controls").get_by_role("slider")
    slider.focus()
    slider.press("Home")  # no pause between months
    page.get_by_role("button", name="▶", exact=True).click()
    page.wait_for_function(
        "m => { const e = document.querySelector('.dash-month'); const n = e && e.innerText.match(/\\d+/);"
        " return n && parseInt(n[0]) >= m; }", arg=months, timeout=600_000)
    page.get_by_role("button", name="❚❚", exact=True).click()
    page.get_by_role("button", name=re.compile("^(单步|Step)$")).wait_for()
    page.wait_for_timeout(1500)


def main() -> int:
    """Take the screenshots."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--months", type=int, default=36)
    args = parser.parse_args()
    with dashboard_server(lang="zh") as srv, browser(viewport=(1600, 1500)) as (ctx, _blocked):
        page = open_dashboard(ctx, srv.url)
        page.locator(".dash-preset").click()
        page.locator(".v-menu__content .v-list-item", has_text=PRESET_ZH).click()
        page.get_by_text("● 居委会自治金").wait_for()
        page.get_by_text("● 居委会自治金").click()  # open one lever: its switch and sliders with units
        _play_to(page, args.months)
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
        _play_to(page, args.months)
        page.screenshot(path=str(DOCS / "dashboard-compare-zh.png"))
    for name in ("dashboard-zh.png", "dashboard-en.png", "dashboard-compare-zh.png"):
        print(DOCS / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
