import sys, json
sys.path.insert(0, "tests/dashboard")
from dash_browser import dashboard_server, browser, open_dashboard
NET = ".dash-network .dash-network-view"
with dashboard_server(lang="zh") as srv, browser(viewport=(1280, 720)) as (ctx, blocked):
    page = open_dashboard(ctx, srv.url)
    page.wait_for_selector(NET + ":not([data-month='-1'])", timeout=60000)
    page.get_by_role("button", name="单步", exact=True).click()
    page.wait_for_selector(NET + "[data-month='1']", timeout=60000)
    page.screenshot(path="/tmp/netsvg/live-1280.png")
    print(page.locator(NET).evaluate("e => ({...e.dataset, w: e.getBoundingClientRect().width, h: e.getBoundingClientRect().height})"))
    page.get_by_role("button", name="投影模式", exact=True).click()
    page.wait_for_timeout(1500)
    page.screenshot(path="/tmp/netsvg/live-1280-pres.png")
    page.get_by_role("button", name="对比模式", exact=True).click()
    page.wait_for_selector(".dash-network-b .dash-network-view:not([data-month='-1'])", timeout=60000)
    page.wait_for_timeout(500)
    page.locator(".dash-network-a").scroll_into_view_if_needed()
    page.screenshot(path="/tmp/netsvg/compare-1280.png")
    print(blocked)
