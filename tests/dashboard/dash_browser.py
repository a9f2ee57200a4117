"""Helpers to drive the dashboard in headless Debian Chromium with Playwright.

Used by the browser tests (``conftest.py``) and by ``make_screenshots.py``.
The browser is Debian's ``/usr/bin/chromium`` through ``executable_path``, else
the Chromium that ``playwright install chromium`` put in Playwright's own folder
(this project never runs that itself); the server is started on a free port with no route
to the internet (a dead proxy), so a page that loads proves the assets are
served locally. Pitfalls and selectors: ``shared/recipes/dashboard-browser-test.md``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import IO
from unittest import mock
from urllib.parse import urlparse

import pytest

from dashboard.server import DashboardServer
from dashboard.workshop import WorkshopSetup

DEBIAN_CHROMIUM = "/usr/bin/chromium"
NO_CHROMIUM = ("no Chromium found (neither Debian's /usr/bin/chromium nor Playwright's own): "
               "apt-get install chromium (.ci/run does) or playwright install chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# the server's outgoing HTTP(S) goes to a closed local port: no internet for it
NO_INTERNET = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
               "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9", "NO_PROXY": "", "no_proxy": ""}
# variables that would make a naive `solara run` listen on every interface
HOSTILE_ENV = {"HOST": "0.0.0.0", "SOLARA_HOST": "0.0.0.0"}
LOAD_TIMEOUT_MS = 60_000
LOCAL_HOSTS = ("127.0.0.1", "localhost")
CHART = ".dash-live-chart"  # the live chart (ECharts, SVG); its data-month is the month it shows, -1 before
CHART_SHOWN = f"{CHART}:not([data-month='-1'])"
NETWORK = ".dash-network .dash-network-view"  # the live view's network (SVG); its data-month as the chart's


@contextmanager
def dashboard_server(lang: str = "zh", log: IO[bytes] | None = None, host: str = "127.0.0.1",
                     workshop: WorkshopSetup | None = None, port: int | None = None) -> Iterator[DashboardServer]:
    """A dashboard server on a free port, cut off from the internet, started with HOST=0.0.0.0 around
    (in workshop mode with ``workshop``'s codes and log)."""
    with mock.patch.dict(os.environ, HOSTILE_ENV):
        server = DashboardServer(port=port, host=host, lang=lang, log=log, extra_env=NO_INTERNET, workshop=workshop)
        server.start()
    try:
        yield server
    finally:
        server.stop()


def _router(hosts: tuple[str, ...], blocked: list[str]):
    """A route handler letting requests to ``hosts`` through and noting (and aborting) the rest."""
    def only_local(route):
        host = urlparse(route.request.url).hostname or ""
        if host in hosts:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    return only_local


@contextmanager
def browser(viewport: tuple[int, int] = (1500, 1000),
            hosts: tuple[str, ...] = LOCAL_HOSTS) -> Iterator[tuple[object, list[str]]]:
    """(Playwright browser context, list of blocked URLs the pages tried outside ``hosts``)."""
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
        ctx = pw.chromium.launch_persistent_context(
            profile, executable_path=find_chromium(), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN")
        ctx.route("**/*", _router(hosts, blocked))
        try:
            yield ctx, blocked
        finally:
            ctx.close()


@contextmanager
def separate_browsers(n: int, hosts: tuple[str, ...], viewport: tuple[int, int] = (1280, 720)) -> Iterator[list]:
    """``n`` browser contexts of one Chromium, each with its own cookies (as ``n`` devices would be)."""
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=find_chromium(), headless=True, args=CHROMIUM_ARGS)
        try:
            contexts = [chromium.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN")
                        for _ in range(n)]
            for ctx in contexts:
                ctx.route("**/*", _router(hosts, blocked))
            yield contexts
        finally:
            chromium.close()
        assert not blocked, f"the pages asked for outside addresses: {blocked}"


def open_dashboard(ctx, url: str):
    """A new page (a new session) on the dashboard, once its live chart is drawn."""
    page = ctx.new_page()
    page.goto(url)
    page.locator(CHART_SHOWN).first.wait_for(timeout=LOAD_TIMEOUT_MS)
    return page


def img_src(page, cls: str) -> str:
    """``src`` of the image with class ``cls`` (a fresh ``blob:``/data URL after each redraw)."""
    return page.locator(f"img.{cls}").first.get_attribute("src") or ""


@cache
def find_chromium() -> str | None:
    """Path of Debian's Chromium, else of Playwright's own (when downloaded), else None."""
    if Path(DEBIAN_CHROMIUM).is_file():
        return DEBIAN_CHROMIUM
    from playwright.sync_api import Error, sync_playwright

    try:
        with sync_playwright() as pw:
            own = pw.chromium.executable_path
    except Error:
        return None
    return own if own and Path(own).is_file() else None


def require_chromium() -> None:
    """Skip the calling test module with one line when no Chromium is found; in CI (which
    installs Chromium) that is an error instead."""
    if find_chromium() is None:
        if os.environ.get("CI"):
            raise RuntimeError(NO_CHROMIUM)
        pytest.skip(NO_CHROMIUM, allow_module_level=True)


@pytest.fixture(scope="module", name="server")
def zh_server():
    """Fixture ``server``: a Chinese dashboard server for one test module that imports
    ``zh_server`` (modules needing a logged or workshop server define their own)."""
    with dashboard_server(lang="zh") as srv:
        yield srv


@pytest.fixture(scope="module")
def chromium():
    """Fixture: one headless Chromium (context, blocked requests) for each test module that imports it."""
    with browser() as pair:
        yield pair
