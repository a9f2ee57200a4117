"""The dashboard laid out for a projector: 1280x720 and 1024x768, with the sidebar and in presenter mode.

A real headless Chromium opens the page at each size and a screenshot is saved
in the test's temporary folder. For every picture the page shows (compare mode's
chart), the checks are: it is shown at (nearly) its natural width, so nothing is
shrunk; its smallest text, taken from the same figure drawn here at the same size
(its dpi and font sizes), is at least 14 CSS px on screen. The live chart and the
networks are drawn by the browser (SVG): each of their texts is measured in the
page (computed font size and drawn height at least 14 px, inside the chart or the
network's box); each network shows one node per committee, organization and
social worker of the same run stepped here. Also: the monitors fit in two rows
at most; monitors, charts and networks do not overlap. Compare mode shows the
two networks side by side, each with its whole title. The browser and the
server are found and started as in ``test_dash_browser.py``.
"""

from __future__ import annotations

import re

import pytest
from dash_browser import CHART, NETWORK, browser, open_dashboard, require_chromium
from dash_browser import zh_server  # noqa: F401, F811 - fixtures this module uses
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text
from playwright.sync_api import expect

from dashboard.app import page_sizes
from dashboard.compare import DEFAULT_OUTCOMES, ComparePlot
from dashboard.export import decode_query
from dashboard.live_chart import _head, panel_pages
from dashboard.network import network_figure
from dashboard.network_view import geometry, network_state
from dashboard.plots import DPI, PANELS, TEXT_PX, LivePlot
from dashboard.session import Session
from model.organizations import ACTIVE, REGISTERING

pytestmark = pytest.mark.slow
TIMEOUT = 60_000
SIZES = [(1280, 720), (1024, 768)]
MAX_SHRINK = 0.10

require_chromium()  # one line in the summary for the whole module; an error in CI


@pytest.fixture(scope="module")
def session():
    """A month-3 run of the default setting, to draw the figures the page shows, here."""
    s = Session()
    s.build(decode_query("").settings)
    for _ in range(3):
        s.step()
    return s


def _smallest_text_pt(fig) -> float:
    """The smallest font size (points) of any visible, non-empty text of a drawn figure."""
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    return min(sizes)


def _hidden_tick_labels(fig) -> set[int]:
    """Tick labels matplotlib does not draw (their tick lies outside the axis' view)."""
    hidden = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks():
                if not lo - 1e-9 <= tick.get_loc() <= hi + 1e-9:
                    hidden |= {id(tick.label1), id(tick.label2)}
    return hidden


def _assert_text_inside(fig) -> None:
    """Every text a drawn (Agg) figure shows lies within the figure, left to right."""
    renderer = fig.canvas.get_renderer()
    width = fig.bbox.width
    hidden = _hidden_tick_labels(fig)
    for t in fig.findobj(Text):
        if t.get_visible() and t.get_text().strip() and id(t) not in hidden:
            box = t.get_window_extent(renderer)
            assert box.x0 >= -0.5 and box.x1 <= width + 0.5, f"{t.get_text()!r} runs past the figure's edge"


def _box(page, selector: str) -> dict:
    """Bounding box and natural width of the first element matching ``selector``."""
    return page.locator(selector).first.evaluate(
        "e => { const r = e.getBoundingClientRect();"
        " return {x: r.x, y: r.y, w: r.width, h: r.height, natural: e.naturalWidth || 0}; }")


def _overlap(a: dict, b: dict) -> bool:
    return (min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"]) > 1
            and min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"]) > 1)


def _wait_for_natural_width(page, selector: str, width: int) -> None:
    """Wait until the page shows the picture redrawn for its window (its natural width ``width``)."""
    page.wait_for_function("([s, w]) => { const e = document.querySelector(s); return e && e.naturalWidth === w; }",
                           arg=[selector, width], timeout=TIMEOUT)


def _check_picture(page, selector: str, fig) -> dict:
    """Shown unshrunk, its smallest text >= TEXT_PX on screen; returns its box."""
    box = _box(page, selector)
    assert box["natural"] == round(fig.get_figwidth() * DPI), (selector, box)
    scale = box["w"] / box["natural"]
    assert scale >= 1 - MAX_SHRINK, f"{selector} shown at {box['w']:.0f} px of its {box['natural']} px"
    smallest = _smallest_text_pt(fig) * DPI / 72 * scale
    assert smallest >= TEXT_PX - 0.01, f"{selector}: smallest text {smallest:.1f} px on screen"
    return box


def _counts(month: int, which: str = "a") -> dict[str, int]:
    """The nodes and partnerships the page's default run (A, or B as the same setting) has at ``month``,
    stepped here."""
    s = Session()
    a = decode_query("").settings
    s.build(a, a if which == "b" else None)
    for _ in range(month):
        s.step()
    m = s.a if which == "a" else s.b
    alive = [o for o in m.organizations if o.status in (ACTIVE, REGISTERING)]
    state = network_state(m, "zh", geometry("zh", None, (400, 500)))
    return {"committees": len(m.committees), "orgs": len(alive), "workers": len(m.workers),
            "partners": len(state["partners"])}


def _wait_for_network(page, selector: str, size: tuple[int, int], month: int | None = None) -> None:
    """Wait until the network ``selector`` is drawn at ``size`` (and shows ``month``)."""
    page.wait_for_function(
        "([s, w, h, m]) => { const e = document.querySelector(s); if (!e || e.dataset.month === '-1') return false;"
        " const r = e.getBoundingClientRect();"
        " return r.width === w && r.height === h && (m === null || e.dataset.month === String(m)); }",
        arg=[selector, size[0], size[1], month], timeout=TIMEOUT)


def check_network(page, selector: str, size: tuple[int, int], title: str | None = None) -> dict:
    """The network (SVG, drawn by the browser) is shown at ``size``, with one node per committee,
    organization and social worker and one line per partnership of the run stepped here to the month it
    shows; every text in it is at least TEXT_PX px (computed font size and drawn height) and inside its box,
    and so is every node; its title is ``title`` whole (when given). Returns its box."""
    box = _box(page, selector)
    assert abs(box["w"] - size[0]) <= 0.5 and abs(box["h"] - size[1]) <= 0.5, (selector, box, size)
    month = int(page.locator(selector).first.get_attribute("data-month"))
    shown = page.locator(selector).first.evaluate(
        "e => ({committees: e.querySelectorAll('g.net-committee').length,"
        " orgs: e.querySelectorAll('circle.net-org').length, workers: e.querySelectorAll('circle.net-worker').length,"
        " partners: e.querySelectorAll('line.net-partner').length})")
    assert shown == _counts(month, "b" if selector.startswith(".dash-network-b") else "a"), (selector, month)
    assert shown["committees"] > 0 and shown["workers"] > 0
    texts = page.locator(f"{selector} svg text").evaluate_all(
        "es => es.filter(e => e.textContent.trim()).map(e => { const r = e.getBoundingClientRect();"
        " return {t: e.textContent, cls: e.getAttribute('class'), size: parseFloat(getComputedStyle(e).fontSize),"
        " x0: r.x, x1: r.x + r.width, y0: r.y, y1: r.y + r.height, h: r.height}; })")
    assert len(texts) > shown["committees"] + 10, texts  # committees' numbers, title, counts, legend
    for t in texts:
        assert t["size"] >= TEXT_PX - 0.01 and t["h"] >= TEXT_PX - 0.5, f"network text {t}"
        assert t["x0"] >= box["x"] - 0.5 and t["x1"] <= box["x"] + box["w"] + 0.5, f"{t['t']!r} runs past the network"
        assert t["y0"] >= box["y"] - 0.5 and t["y1"] <= box["y"] + box["h"] + 0.5, f"{t['t']!r} runs past the network"
    nodes = page.locator(f"{selector} svg circle").evaluate_all(
        "es => es.map(e => { const r = e.getBoundingClientRect(); return [r.x, r.y, r.x + r.width, r.y + r.height]; })")
    assert all(x0 >= box["x"] - 0.5 and y0 >= box["y"] - 0.5 and x1 <= box["x"] + box["w"] + 0.5
               and y1 <= box["y"] + box["h"] + 0.5 for x0, y0, x1, y1 in nodes), "a node outside the network's box"
    if title is not None:
        whole = "".join(t["t"] for t in texts if t["cls"] == "net-title")
        assert whole == title, (whole, title)
    return box


def check_chart(page, width: int, titles: list[str]) -> dict:
    """The live chart (SVG, drawn by the browser) is shown at the width it was laid out for, with the panels
    titled ``titles`` (their first lines) and more than ten texts for each; every text in it is at least
    TEXT_PX px (its computed font size and its drawn height) and none runs past its left or right edge.
    Returns its box."""
    box = _box(page, CHART)
    assert abs(box["w"] - width) <= 1, f"the chart is {box['w']:.0f} px wide, laid out for {width}"
    texts = page.locator(f"{CHART} svg text").evaluate_all(
        "es => es.filter(e => e.textContent.trim()).map(e => { const r = e.getBoundingClientRect();"
        " return {t: e.textContent, size: parseFloat(getComputedStyle(e).fontSize), x0: r.x, x1: r.x + r.width,"
        " h: r.height}; })")
    assert len(texts) > 10 * len(titles), texts
    shown = [t["t"] for t in texts]
    assert all(any(title in t for t in shown) for title in titles), (titles, shown)
    for t in texts:
        assert t["size"] >= TEXT_PX - 0.01 and t["h"] >= TEXT_PX - 0.5, f"chart text {t}"
        assert t["x0"] >= box["x"] - 0.5 and t["x1"] <= box["x"] + box["w"] + 0.5, f"{t['t']!r} runs past the chart"
    return box


def _titles(shown: tuple[int, ...]) -> list[str]:
    """The first lines of the Chinese titles of the panels ``shown`` (indices of ``PANELS``)."""
    sizes = page_sizes(1280, True)
    return [_head(PANELS[p], "zh", sizes.chart[0]).title.split("\n")[0][:4] for p in shown]


def _open(ctx, url: str, presenter: bool):
    page = open_dashboard(ctx, url)
    if presenter:
        page.get_by_role("button", name="投影模式", exact=True).click()
        expect(page.locator(".dash-controls")).to_have_count(0, timeout=TIMEOUT)
    return page


@pytest.mark.parametrize("presenter", [False, True], ids=["sidebar", "presenter"])
@pytest.mark.parametrize("viewport", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_live_view_fits_the_projector(server, session, viewport, presenter, tmp_path):
    sizes = page_sizes(viewport[0], presenter, viewport[1])
    with browser(viewport=viewport) as (ctx, _):
        page = _open(ctx, server.url, False)
        page.get_by_role("button", name="单步", exact=True).click()  # a month with partnerships to draw
        expect(page.locator(".dash-month")).to_have_text("第 1 个月 / 共 120 个月", timeout=TIMEOUT)
        if presenter:
            page.get_by_role("button", name="投影模式", exact=True).click()
            expect(page.locator(".dash-controls")).to_have_count(0, timeout=TIMEOUT)
        page.wait_for_function("([s, w]) => { const e = document.querySelector(s);"
                               " return e && e.dataset.month === '1' && e.getBoundingClientRect().width === w; }",
                               arg=[CHART, sizes.chart[0]], timeout=TIMEOUT)
        _wait_for_network(page, NETWORK, sizes.network, 1)
        page.wait_for_timeout(500)
        mode = "presenter" if presenter else "sidebar"
        page.screenshot(path=str(tmp_path / f"live-{viewport[0]}x{viewport[1]}-{mode}.png"))
        pages = panel_pages("zh", sizes)
        chart = check_chart(page, sizes.chart[0], _titles(pages[0]))
        network = check_network(page, NETWORK, sizes.network)
        band = _box(page, ".dash-monitors")
        rows = page.locator(".dash-monitor").evaluate_all("es => es.map(e => Math.round(e.getBoundingClientRect().y))")
        assert len(rows) == 15 and len(set(rows)) <= 2, f"monitors in {len(set(rows))} rows"
        assert band["x"] + band["w"] <= viewport[0], "the monitors run off the screen"
        for a, b in ((band, chart), (band, network), (chart, network)):
            assert not _overlap(a, b), (a, b)
        if sizes.beside:
            assert network["x"] >= chart["x"] + chart["w"] and network["y"] < chart["y"] + chart["h"]
        if presenter:
            assert chart["x"] < 40, "presenter mode should give the charts the whole width"
        assert page.locator("a[href='https://solara.dev']").filter(visible=True).count() == 0
        for k, shown in enumerate(pages[1:], start=1):  # the other pages of panels, one click away
            page.locator(".dash-chart-pages button").nth(k).click()
            page.wait_for_function("t => [...document.querySelectorAll('.dash-live-chart svg text')]"
                                   ".some(e => e.textContent.includes(t))", arg=_titles(shown)[0], timeout=TIMEOUT)
            page.wait_for_timeout(300)
            assert not _overlap(check_chart(page, sizes.chart[0], _titles(shown)), network)


@pytest.mark.parametrize("viewport", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_compare_view_fits_the_projector_with_networks_side_by_side(server, session, viewport, tmp_path):
    sizes = page_sizes(viewport[0], True)
    with browser(viewport=viewport) as (ctx, _):
        page = _open(ctx, server.url, presenter=True)
        page.get_by_role("button", name="对比模式", exact=True).click()
        _wait_for_natural_width(page, "img.dash-compare-plot", sizes.compare_width)
        for k in "ab":
            _wait_for_network(page, f".dash-network-{k} .dash-network-view", sizes.pair, 0)
        page.wait_for_timeout(500)
        page.screenshot(path=str(tmp_path / f"compare-{viewport[0]}x{viewport[1]}.png"))
        plot = ComparePlot(DEFAULT_OUTCOMES, "zh", "A", "B", session.months, sizes)
        session.build(session.settings_a, session.settings_a)
        plot.png(session.a, session.b)
        _assert_text_inside(plot.fig)
        boxes = [_check_picture(page, "img.dash-compare-plot", plot.fig)]
        a, b = (check_network(page, f".dash-network-{k} .dash-network-view", sizes.pair, title)
                for k, title in zip("ab", session.titles("zh"), strict=True))
        assert abs(a["y"] - b["y"]) < 1 and a["x"] + a["w"] <= b["x"], "networks A and B are not side by side"
        assert b["x"] + b["w"] <= viewport[0]
        for i, x in enumerate(boxes + [a]):
            for y in (boxes + [a, b])[i + 1:]:
                assert not _overlap(x, y), (x, y)
        page.locator("img.dash-compare-plot").scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / f"compare-plot-{viewport[0]}x{viewport[1]}.png"))
        page.locator(".dash-network-a").scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / f"compare-networks-{viewport[0]}x{viewport[1]}.png"))


def test_a_long_network_title_is_wrapped_whole(session):
    title = "设置B：专业指导型（徐汇凌云）（−居委会自治金，+社区基金会，~社会工作者支持）" * 2
    fig = network_figure(session.a, "zh", title=title, figsize=(400 / DPI, 520 / DPI), legend="bottom")
    FigureCanvasAgg(fig).draw()
    shown = re.sub(r"\s", "", fig.texts[0].get_text())
    assert shown == re.sub(r"\s", "", title)
    _assert_text_inside(fig)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("presenter", [False, True], ids=["sidebar", "presenter"])
@pytest.mark.parametrize("width", [w for w, _ in SIZES])
def test_chart_text_stays_inside_the_figures_in_both_languages(session, lang, width, presenter):
    sizes = page_sizes(width, presenter)
    live = LivePlot(lang, session.months, sizes)
    live.png(session.a)
    _assert_text_inside(live.fig)
    assert _smallest_text_pt(live.fig) * DPI / 72 >= TEXT_PX - 0.01


# -- the whole page in the window: presenter mode, the default (live) view ---------------------------------
_LAYOUT_JS = """() => {
  const box = s => { const e = document.querySelector(s); if (!e) return null;
                     const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom}; };
  const small = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const text = walk.currentNode.textContent.trim(), e = walk.currentNode.parentElement;
    const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    if (text && r.width && r.height && s.visibility !== 'hidden' && parseFloat(s.fontSize) < 14)
      small.push([text.slice(0, 30), s.fontSize]);
  }
  const scrolled = [];
  for (const e of document.querySelectorAll('*')) {
    const s = getComputedStyle(e);
    if (['auto', 'scroll'].includes(s.overflowY) && e.scrollHeight > e.clientHeight + 1)
      scrolled.push([e.className.toString().slice(0, 40), e.scrollHeight, e.clientHeight]);
  }
  return {doc: document.documentElement.scrollHeight, window: window.innerHeight, small, scrolled,
          monitors: box('.dash-monitors'), side: box('.dash-side'), types: box('.dash-types')};
}"""


def _presenter_page(ctx, url: str, viewport):
    """A month-1 page in presenter mode, its network and its live chart redrawn for the window."""
    page = _open(ctx, url, False)
    page.get_by_role("button", name="单步", exact=True).click()
    expect(page.locator(".dash-month")).to_have_text("第 1 个月 / 共 120 个月", timeout=TIMEOUT)
    page.get_by_role("button", name="投影模式", exact=True).click()
    expect(page.locator(".dash-controls")).to_have_count(0, timeout=TIMEOUT)
    _wait_for_network(page, NETWORK, page_sizes(viewport[0], True, viewport[1]).network, 1)
    page.wait_for_function("w => { const e = document.querySelector('.dash-live-chart');"
                           " return e && e.getBoundingClientRect().width === w; }",
                           arg=page_sizes(viewport[0], True, viewport[1]).chart[0], timeout=TIMEOUT)
    page.wait_for_timeout(300)
    return page


@pytest.mark.parametrize("viewport", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_monitors_and_the_network_or_types_beside_the_charts_fit_the_window(server, viewport, tmp_path):
    """Presenter mode: the monitors and the panel beside the charts (the network, or the community types of
    the default street's four types) end inside the window, and no text on the page is under 14 px; in
    English too, with no monitor's value cut at its right edge."""
    with browser(viewport=viewport) as (ctx, _):
        page = _presenter_page(ctx, server.url, viewport)
        for view in ("联动网络", "社区类型"):
            page.get_by_role("button", name=view, exact=True).click()
            if view == "社区类型":
                expect(page.locator(".dash-type-row")).to_have_count(4, timeout=TIMEOUT)
                expect(page.locator(".dash-type-met").first).to_be_visible()
            page.wait_for_timeout(300)
            page.screenshot(path=str(tmp_path / f"side-{view}-{viewport[0]}x{viewport[1]}.png"))
            got = page.evaluate(_LAYOUT_JS)
            assert got["monitors"]["bottom"] <= viewport[1] and got["side"]["bottom"] <= viewport[1], got
            assert not got["small"], f"text under 14 px: {got['small']}"
        page.get_by_role("button", name="English", exact=True).click()  # longer words, the same room
        expect(page.locator(".dash-types-title")).to_contain_text("Community types", timeout=TIMEOUT)
        page.wait_for_timeout(300)
        got = page.evaluate(_LAYOUT_JS)
        assert got["monitors"]["bottom"] <= viewport[1] and got["side"]["bottom"] <= viewport[1], got
        cut = page.locator(".dash-monitor").evaluate_all(
            "es => es.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)")
        assert not cut, f"monitors cut at the right: {cut}"


@pytest.mark.parametrize("viewport", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_default_view_in_presenter_mode_needs_no_vertical_scrolling(server, viewport):
    with browser(viewport=viewport) as (ctx, _):
        page = _presenter_page(ctx, server.url, viewport)
        got = page.evaluate(_LAYOUT_JS)
        assert got["doc"] <= got["window"] and not got["scrolled"], got
