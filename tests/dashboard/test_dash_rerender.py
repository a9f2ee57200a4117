"""What a click on Step re-renders on the dashboard page: counts, not times.

The page is rendered in this process as ``benchmarks.dashboard_click`` renders
it (Solara's app layout and router, a 1280x720 window, the sidebar shown,
the baseline preset), stepped 3 months, then 5 more while counting
(``step_counts``): the elements the render pass visits, the components it
renders and the widgets it updates. Measured at this change: about 197
elements, 45 components (15 of them the monitors' text) and 52 widgets a
click; before it (reacton's default renderer, which reconciles the whole page
at every pass) 418 elements and 250 widgets. The bounds below leave about half
again as margin and stay far under the old counts; the counts are the same at
every run (a fixed seed, no timing).
"""

from __future__ import annotations

import ipyvuetify as v
import pytest
import reacton.core

from benchmarks.dashboard_click import rendered_page, step_counts

WARM_UP, COUNTED = 3, 5
MAX_VISITS = 280  # elements the render pass visits a click (measured ~197; the default renderer: ~418)
MAX_RENDERS = 60  # components rendered a click (measured ~45)
MAX_UPDATES = 80  # widgets updated a click (measured ~52; the default renderer: ~250)
# components that show nothing of the month: a step must not render them
KEPT = ("Page", "Root", "AppLayout", "RunCard", "SettingsState", "SaveCard", "LeverPanels", "ControlInput",
        "Monitors", "Tooltip", "PageChooser", "SideSwitch", "ToggleButtonsSingle", "CompareView")


@pytest.fixture(scope="module")
def stepped():
    """(render context, counts a click, the month line's text, the command's text) after the clicks."""
    with rendered_page(1280, 720) as (rc, step):
        for _ in range(WARM_UP):
            step.click()
        counts = step_counts(rc, step, COUNTED)
        month = rc.find(v.Html, class_="dash-month").widget.children[0]
        command = rc.find(v.Html, class_="dash-command").widget.children[0]
        yield rc, counts, month, command


def test_the_page_uses_reacton_s_fast_renderer(stepped):
    rc, *_ = stepped
    assert isinstance(rc, reacton.core._RenderContextFast)


def test_a_step_visits_renders_and_updates_few_elements(stepped):
    _, counts, *_ = stepped
    assert sum(counts["visits"].values()) <= MAX_VISITS, counts["visits"]
    assert sum(counts["renders"].values()) <= MAX_RENDERS, counts["renders"]
    assert sum(counts["updates"].values()) <= MAX_UPDATES, counts["updates"]


def test_a_step_renders_only_what_shows_the_month(stepped):
    _, counts, *_ = stepped
    renders = counts["renders"]
    assert not {name for name in KEPT if renders.get(name)}, renders
    for name in ("RunButtons", "RunMonth", "Downloads", "UrlSync", "ChartWidget", "NetworkElement"):
        assert renders[name] == 1, (name, renders)
    assert renders["MonitorText"] == 15  # one per monitor
    assert "ExpansionPanel" not in counts["updates"] and "AppBar" not in counts["updates"]


def test_the_page_shows_the_month_stepped_to(stepped):
    _, _, month, command = stepped
    stepped_to = WARM_UP + COUNTED
    assert month.startswith(f"第 {stepped_to} 个月")
    assert f"--months {stepped_to}" in command
