"""Drawing: the network layout, the live figure's redraw, its cost per step on the default street, and
the Chinese glyphs (from a real font, with or without a system CJK font)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from fontTools.ttLib import TTFont
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib import font_manager, rcParams
from matplotlib.font_manager import get_font

from dashboard.network import ORG_MIN_DIST, RING, layout, network_figure
from dashboard.plots import DPI, PANELS, LivePlot, cjk_family, setup_fonts, to_png
from experiments import fonts
from dashboard.session import Session
from model.organizations import ACTIVE, REGISTERING

from dash_session import stepped_session

PNG = b"\x89PNG\r\n\x1a\n"


def _session(preset: str, months: int) -> Session:
    return stepped_session(preset, months)


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


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("width", [340, 374, 592, 640])
def test_the_network_legend_fits_the_width_it_is_drawn_at(lang, width):
    """Every legend entry, marker and label, lies inside the figure (English labels are long: one column
    at the width beside the charts)."""
    fig = network_figure(_session("baseline", 1).a, lang, figsize=(width / DPI, 480 / DPI), legend="bottom")
    FigureCanvasAgg(fig).draw()
    box = fig.legends[0].get_window_extent()
    assert box.x0 >= 0 and box.x1 <= width + 0.5, (box.x0, box.x1)


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
    assert images == {}  # the live chart and the network: drawn in the browser
    assert s.picture("live").startswith(PNG) and s.picture("network").startswith(PNG)  # their PNGs, when downloaded
    median = float(np.median(cpu))
    print(f"step + redraw on the default street: median {median:.0f} ms of CPU")
    assert median < 600, f"a step and its redraw took {median:.0f} ms of CPU (median of 8)"


def test_a_cjk_font_is_found_for_chinese_labels():
    assert cjk_family() is not None, "no CJK font: the mplfonts package (a dependency) is missing"


ZH = "需求满足率（居委会）"


def _file_of(family: str) -> str:
    return font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)


def _glyph_id(path: str, ch: str) -> int:
    """Glyph index of ``ch`` in the font file (fontTools; first face of a collection); 0 is "no glyph"."""
    with TTFont(path, fontNumber=0, lazy=True) as font:
        name = font.getBestCmap().get(ord(ch))
        return 0 if name is None else font.getGlyphID(name)


def test_chinese_glyphs_come_from_a_real_font_not_boxes():
    """Each character goes to the first family of the dashboard's font list that has it (matplotlib's
    per-glyph fallback): for Chinese that is the CJK font, a real file with real glyphs, not LastResortHE."""
    family = setup_fonts()
    families = list(rcParams["font.family"])
    assert family is not None and families == ["DejaVu Sans", family]
    for ch in ZH:
        path = next(p for p in map(_file_of, families) if get_font(p).get_char_index(ord(ch)) != 0)
        assert "LastResort" not in path and path == _file_of(cjk_family())
        assert _glyph_id(path, ch) != 0


def test_the_packaged_font_serves_when_the_system_has_no_chinese_font(monkeypatch):
    """With every system font that has Chinese glyphs hidden from matplotlib, the Noto Sans CJK SC of
    mplfonts is chosen, and it really has the glyphs."""
    packaged = fonts.packaged_font_path()
    assert packaged is not None, "mplfonts is not installed"
    no_cjk = [f for f in font_manager.fontManager.ttflist
              if Path(f.fname) == packaged or not fonts.has_glyphs(f.fname, face_index=f.index)]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", no_cjk)
    fonts.find_cjk_font.cache_clear()
    try:
        assert fonts.system_cjk_font() is None
        assert fonts.find_cjk_font() == "Noto Sans CJK SC"
        assert Path(_file_of("Noto Sans CJK SC")) == packaged
        assert all(_glyph_id(str(packaged), ch) != 0 for ch in ZH)
    finally:
        fonts.find_cjk_font.cache_clear()


def test_drawing_zh_figures_reports_no_missing_glyph():
    s = _session("shanghai-2015", 3)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        LivePlot("zh", s.months).png(s.a)
        to_png(network_figure(s.a, "zh"))
    missing = [str(w.message) for w in seen if "missing from font" in str(w.message)]
    assert not missing, missing[:3]
