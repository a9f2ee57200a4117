"""The live chart drawn in the browser (``dashboard.live_chart``): what the server sends it.

A step sends the new month's numbers (a small custom message), not a picture;
the whole figure goes only when the run, the language or the size changes, or
when the browser missed a month. The numbers sent month by month equal the
whole figure's at the same month; every text is at least ``TEXT_PX`` px; the
panels, lines, colours and share axes are those of ``plots.PANELS``.
"""

from __future__ import annotations

import json
import re

import pytest

from dashboard.app import page_sizes
from dashboard.live_chart import LiveChartWidget, chart_option, month_point, panel_pages
from dashboard.plots import PANELS, TEXT_PX
from dashboard.session import Session
from model.params import GROUPS

from dash_session import recording, stepped_session


def _session(months: int = 0, preset: str = "baseline") -> Session:
    return stepped_session(preset, months)


Recorder = recording(LiveChartWidget)


def _lines(option: dict) -> list[dict]:
    return option["series"][:option["grow"]]


def test_a_step_sends_the_new_month_as_numbers_not_a_picture():
    s = _session()
    w = Recorder()
    w.show(s, "zh")
    first = w.option
    assert first["month"] == 0 and all(not x["data"] for x in _lines(first))
    n = 5
    for _ in range(n):
        s.advance("zh")
        w.show(s, "zh")
    assert w.option is first, "the whole figure is not sent again for a step"
    assert len(w.sent) == n and w.sent_points == n
    lines = [[] for _ in _lines(first)]
    for m, msg in enumerate(w.sent, start=1):
        assert msg["method"] == "append"
        point = msg["args"][0]
        assert point["month"] == m and len(point["lines"]) == len(lines)
        assert len(json.dumps(msg)) < 1_000, "a month's message is a few numbers"
        assert not any(isinstance(v, (bytes, str)) for v in point["lines"])
        for i, v in enumerate(point["lines"]):
            lines[i].append([m, v])
    # the browser's series after n steps: the n months, equal to the whole figure drawn at month n
    assert [x["data"] for x in _lines(chart_option(s.a, "zh", s.sizes))] == lines
    assert "live" not in s.images, "the server draws no picture of the live chart for a step"


def test_the_whole_figure_is_sent_again_for_a_new_run_a_language_a_size_or_a_jump():
    s = _session()
    w = Recorder()
    w.show(s, "zh")
    seen = [w.option["serial"]]
    s.advance("zh")
    w.show(s, "en")  # language
    seen.append(w.option["serial"])
    s.sizes = page_sizes(1024, False)
    w.show(s, "en")  # size
    seen.append(w.option["serial"])
    s.run_to(4, "en")
    w.show(s, "en")  # three months at once
    seen.append(w.option["serial"])
    assert w.option["month"] == 4 and len(_lines(w.option)[0]["data"]) == 4
    s.build(s.settings_a)
    w.show(s, "en")  # Reset: a new run
    seen.append(w.option["serial"])
    assert w.option["month"] == 0 and seen == sorted(set(seen)) and len(seen) == 5
    assert w.sent == []
    w.vue_ready(0)  # the browser shows what was sent: nothing more
    assert w.option["serial"] == seen[-1]
    w.vue_ready(-1)  # the browser has not drawn it (or missed a month): the whole figure again
    assert w.option["serial"] == seen[-1] + 1


def _font_sizes(node, found: list[float]) -> list[float]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "fontSize":
                found.append(v)
            _font_sizes(v, found)
    elif isinstance(node, list):
        for v in node:
            _font_sizes(v, found)
    return found


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("width", [1024, 1280])
def test_the_figure_has_the_eight_panels_their_lines_and_readable_text(lang, width):
    s = _session(3)
    opt = chart_option(s.a, lang, page_sizes(width, False))
    assert len(opt["grid"]) == len(opt["title"]) == len(opt["xAxis"]) == len(opt["yAxis"]) == len(PANELS) == 8
    series = [sr for p in PANELS if p for sr in p.series]
    lines = _lines(opt)
    assert [x["color"] for x in lines] == [sr.color for sr in series]
    assert [re.sub(r"\s", "", x["name"]) for x in lines] == [re.sub(r"\s", "", sr.label(lang)) for sr in series]
    assert all(len(x["data"]) == 3 for x in lines)
    bars = opt["series"][opt["grow"]]
    assert bars["type"] == "bar" and len(bars["data"]) == len(GROUPS)
    assert min(_font_sizes(opt, [])) >= TEXT_PX
    for panel, y in zip(PANELS, opt["yAxis"], strict=True):
        if panel is not None and panel.share:
            assert y["max"] == (100 if panel.percent else 1)
    names = [n["name"] if isinstance(n, dict) else n for lg in opt["legend"] for n in lg["data"]]
    assert len(names) == len(set(names)), "a legend entry names one line only"
    assert opt["width"] == page_sizes(width, False).chart[0]
    # the needs-met share is sent in % like the monitors show it
    assert lines[0]["data"][-1][1] == pytest.approx(100 * s.a.recorder.current["needs_met_share"], rel=1e-3)


def test_month_point_matches_the_recorder():
    s = _session(2)
    point = month_point(s.a)
    cur = s.a.recorder.current
    assert point["month"] == 2
    assert point["lines"][0] == pytest.approx(100 * cur["needs_met_share"], rel=1e-3)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("viewport", [(1280, 720), (1024, 768)])
def test_a_low_window_shows_the_panels_in_pages_that_fit_its_height(lang, viewport):
    """Presenter mode on a projector: every panel is on exactly one page, each page's figure is no taller
    than the height the page leaves it, and a step sends the numbers of the shown panels only."""
    sizes = page_sizes(viewport[0], True, viewport[1])
    pages = panel_pages(lang, sizes)
    assert len(pages) > 1 and sorted(p for page in pages for p in page) == list(range(len(PANELS)))
    assert panel_pages(lang, page_sizes(viewport[0], True)) == [tuple(range(len(PANELS)))]
    s = _session(2)
    s.sizes = sizes
    for shown in pages:
        opt = chart_option(s.a, lang, sizes, shown=shown)
        assert opt["height"] <= sizes.chart_height and len(opt["grid"]) == len(shown)
        assert min(_font_sizes(opt, [])) >= TEXT_PX
        point = month_point(s.a, shown)
        assert len(point["lines"]) == opt["grow"] and bool(point["replace"]) == (opt["grow"] < len(opt["series"]))
    w = Recorder()
    w.show(s, lang, pages[1])
    s.advance(lang)
    w.show(s, lang, pages[1])
    assert len(w.sent) == 1 and len(w.sent[0]["args"][0]["lines"]) == w.option["grow"]
    w.show(s, lang, pages[0])  # another page: the whole figure
    assert len(w.sent) == 1 and len(w.option["grid"]) == len(pages[0])
