"""Fixtures the dashboard's browser test modules share: a Chinese dashboard server and one
headless Chromium per module (a module needing a logged or workshop server defines its own)."""

from __future__ import annotations

import pytest
from dash_browser import browser, dashboard_server


@pytest.fixture(scope="module")
def server():
    with dashboard_server(lang="zh") as srv:
        yield srv


@pytest.fixture(scope="module")
def chromium():
    with browser() as pair:
        yield pair
