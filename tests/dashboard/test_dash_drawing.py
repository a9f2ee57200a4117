"""Drawing: the network layout, the live figure's redraw, and its cost per step on the default street."""

from __future__ import annotations

import numpy as np

from dashboard.controls import settings_from_preset
from dashboard.network import ORG_MIN_DIST, RING, layout, network_figure
from dashboard.plots import PANELS, LivePlot, cjk_family, to_png
from dashboard.session import Session
from model.organizations import ACTIVE, REGISTERING

PNG = b"\x89PNG\r\n\x1a\n"


def _session(preset: str, months: int) -> Session:
    s = Session()
    s.build(settings_from_preset(preset))
    for _ in range(months):
        s.step()
    return s


def test_network_layout_places_every_node_readably():
    m = _session("shanghai-2015", 24).a
    lay = layout(m)
    alive = [o for o in m.organizations if o.status in (ACTIVE, REGISTERING)]
    assert len(lay.orgs) == len(alive) > 10
    assert len(lay.committees) == 25 and np.allclose(np.hypot(*lay.committees.T), RING)
    r = np.hypot(*lay.org_xy.T)
    assert np.isfinite(lay.org_xy).all() and (r < RING).all(), "organizations sit inside the ring of committees"
    d = np.hypot(*(lay.org_xy[:, None] - lay.org_xy[None]).transpose(2, 0, 1)) + np.eye(len(r)) * 9
    assert d.min() > 0.5 * ORG_MIN_DIST, "organizations pushed apart"
    assert len(lay.workers) == len(m.workers), "every social worker drawn once"
    assert to_png(network_figure(m, "zh")).startswith(PNG)


def test_live_plot_follows_the_run_and_rescales_a_growing_count():
    s = _session("shanghai-2015", 0)
    plot = LivePlot("en", s.months)
    first = plot.png(s.a)
    orgs = next(i for i, p in enumerate(PANELS) if p is not None and p.title == "p_orgs")
    tops = []
    for _ in range(36):
        s.step()
        img = plot.png(s.a)
        tops.append(plot.top[orgs])
    assert img.startswith(PNG) and img != first
    assert tops[-1] > tops[0], "the organizations axis grew with the count"
    x, y = plot.lines[orgs][0].get_data()
    assert len(x) == 36 and y[-1] == s.a.recorder.current["organizations_registered"]


def test_a_step_redraws_well_under_a_second_on_the_default_street():
    s = _session("shanghai-2015", 12)
    s.advance("zh")  # the live figure's first (full) draw
    cpu = []
    for _ in range(8):
        images = s.advance("zh")
        cpu.append(s.last_cpu_ms)
    assert set(images) == {"live", "network"} and all(v.startswith(PNG) for v in images.values())
    median = float(np.median(cpu))
    print(f"step + redraw on the default street: median {median:.0f} ms of CPU")
    assert median < 600, f"a step and its redraw took {median:.0f} ms of CPU (median of 8)"


def test_a_cjk_font_is_found_for_chinese_labels():
    assert cjk_family() is not None, "no CJK font: install fonts-wqy-microhei (see .ci/run)"
