"""Fixtures of the dashboard's browser tests: one server and one headless Chromium for the module.

The server is started by the tests on a free port with ``HOST=0.0.0.0`` and
``SOLARA_HOST=0.0.0.0`` in the environment (it must still listen on
127.0.0.1 only) and no route to the internet (its pages must still load: the
JS/CSS come from the local cache). Each test opens its own page, i.e. its own
session and model. Without Debian's Chromium the browser tests are skipped on
a developer's machine and fail in CI (CI=true), where ``.ci/run`` installs it.
"""

from __future__ import annotations

import os

import pytest

from dash_browser import browser, chromium_available, dashboard_server


def _require_browser() -> None:
    if not chromium_available():
        msg = "Debian's chromium is not installed (apt-get install chromium); .ci/run installs it"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The dashboard server (Chinese first), its log in a temporary file."""
    _require_browser()
    log_path = tmp_path_factory.mktemp("dashboard") / "server.log"
    with open(log_path, "wb") as log, dashboard_server(lang="zh", log=log) as srv:
        srv.log_path = log_path
        yield srv


@pytest.fixture(scope="module")
def chromium():
    """(browser context, URLs outside 127.0.0.1 the pages tried and were refused)."""
    _require_browser()
    with browser() as pair:
        yield pair
