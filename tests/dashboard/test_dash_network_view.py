"""The network drawn in the browser (``dashboard.network_view``): what the server sends it.

The whole network (``network_frame``) holds one node per committee, organization
(active or registering) and social worker of the model, one partnership edge per
partnership and one employment edge per employed worker, at the places of
``network.layout``; a step sends only what the month changed (``network_update``),
which brings the browser's state to the whole network of the new month; the
payload is deterministic; its text is at least ``TEXT_PX`` px, its labels come
from the message catalogue, and the PNG of the network is drawn only when it is
downloaded.
"""

from __future__ import annotations

import json

import pytest

from dashboard.app import page_sizes
from dashboard.live_chart import text_px
from dashboard.network import layout
from dashboard.network_view import (
    NetworkWidget,
    apply_update,
    geometry,
    network_frame,
    network_state,
    network_update,
)
from dashboard.plots import DPI, TEXT_PX, TITLE_PX, wrap_text
from dashboard.session import Session
from model.organizations import ACTIVE, REGISTERING
from model.params import ORG_KINDS

from dash_session import recording, stepped_session

PNG = b"\x89PNG\r\n\x1a\n"
SIZE = (374, 454)


def _session(months: int = 0, preset: str = "shanghai-2015", b: bool = False) -> Session:
    return stepped_session(preset, months, "baseline" if b else None)


Recorder = recording(NetworkWidget)


@pytest.mark.parametrize("months", [0, 24])
def test_the_nodes_and_edges_are_the_models(months):
    m = _session(months).a
    frame = network_frame(m, "zh", SIZE)
    state = frame["state"]
    assert len(frame["committees"]) == len(state["radii"]) == len(m.committees)
    alive = [o for o in m.organizations if o.status in (ACTIVE, REGISTERING)]
    assert sorted(state["orgs"]) == sorted(str(o.unique_id) for o in alive)
    assert [v[4] for k, v in sorted(state["orgs"].items())] == [
        int(o.status == REGISTERING) for o in sorted(alive, key=lambda o: str(o.unique_id))]
    assert sorted(state["workers"]) == sorted(str(w.unique_id) for w in m.workers)
    partners = {(c.index, str(o.unique_id)) for c in m.committees for o in c.partners if o in alive}
    assert {(c, o) for c, o, _ in state["partners"].values()} == partners
    assert len(state["partners"]) == len(partners) and (months == 0 or partners)
    # an employment edge from each employed worker to its employer's place; none for a job seeker
    employer = {id(w): frame["committees"][c.index][:2] for c in m.committees for w in c.workers}
    employer |= {id(w): state["orgs"][str(o.unique_id)][:2] for o in alive for w in o.workers}
    for w in m.workers:
        x, y, cert, ax, ay = state["workers"][str(w.unique_id)]
        assert cert == int(w.certified)
        if w.employer is None:
            assert ax is None and ay is None
        else:
            assert [ax, ay] == employer[id(w)]
    employed = sum(1 for w in m.workers if w.employer is not None)
    assert sum(1 for v in state["workers"].values() if v[3] is not None) == employed
    assert (months == 0) or employed > 10


def test_the_places_are_the_layouts_in_px():
    m = _session(12).a
    geo = geometry("zh", None, SIZE)
    lay = layout(m, points_per_unit=geo.scale * 72 / DPI)
    state = network_state(m, "zh", geo)
    for o, (x, y) in zip(lay.orgs, lay.org_xy, strict=True):
        assert state["orgs"][str(o.unique_id)][:2] == geo.xy(x, y)
    xs = [v[0] for v in state["orgs"].values()] + [v[0] for v in state["workers"].values()]
    ys = [v[1] for v in state["orgs"].values()] + [v[1] for v in state["workers"].values()]
    assert 0 <= min(xs) and max(xs) <= SIZE[0], "every node inside the box"
    assert geo.heading <= min(ys) and max(ys) <= geo.legend_top, "between the heading and the legend"


def test_a_months_update_carries_only_its_changes_and_brings_the_whole_state():
    s = _session(6)
    geo = geometry("zh", None, SIZE)
    old = network_state(s.a, "zh", geo)
    for _ in range(12):
        s.step()
        new = network_state(s.a, "zh", geo)
        up = network_update(old, new)
        assert apply_update(old, up) == new
        for key in ("orgs", "workers", "partners"):
            for k, v in up[key].items():
                assert v is None and k not in new[key] or v == new[key][k] != old[key].get(k)
            unchanged = [k for k in new[key] if k not in up[key]]
            assert all(old[key][k] == new[key][k] for k in unchanged)
        for key in ("radii", "counts", "seeking"):
            assert (key in up) == (old[key] != new[key])
        assert len(json.dumps(up)) < len(json.dumps(new)), "an update is smaller than the month's whole state"
        old = new


def test_the_payload_is_deterministic():
    a, b = _session(18), _session(18)
    fa, fb = network_frame(a.a, "en", SIZE, "A"), network_frame(b.a, "en", SIZE, "A")
    assert json.dumps(fa, sort_keys=True) == json.dumps(fb, sort_keys=True)
    assert network_frame(a.a, "en", SIZE, "A") == fa


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("width", [340, 374, 592, 640])
def test_text_is_large_enough_labelled_and_inside_the_box(lang, width):
    from dashboard import i18n

    m = _session(3).a
    title = "设置B：专业指导型（徐汇凌云）（−居委会自治金，+社区基金会，~社会工作者支持）" * 2
    f = network_frame(m, lang, (width, 480), title)
    assert f["text_px"] >= TEXT_PX and f["title_px"] >= TITLE_PX
    assert "".join(f["title"]) == title, "the whole title, wrapped"
    assert all(text_px(line, TITLE_PX) <= width - 12 for line in f["title"])
    labels = [it["label"] for it in f["legend"]]
    assert labels[0] == i18n.ui("n_committee", lang) and len(labels) == 10
    assert labels[1:6] == [i18n.org_kind_label(k, lang) for k in ORG_KINDS]
    for it in f["legend"]:
        assert it["x"] >= 0 and it["x"] + 22 + text_px(it["label"]) <= width, it
        assert it["y"] + TEXT_PX / 2 <= 480
    assert f["state"]["counts"] == wrap_text(i18n.ui("network_counts", lang, committees=len(m.committees),
                                                     orgs=sum(o.status == ACTIVE for o in m.organizations),
                                                     workers=sum(w.employer is not None for w in m.workers),
                                                     partners=len(f["state"]["partners"])), width - 12, TEXT_PX)


def test_a_step_sends_the_months_changes_and_a_new_run_language_title_or_size_the_whole_frame():
    s = _session()
    w = Recorder()
    w.show(s, "a", "zh", None, SIZE)
    first = w.frame
    for m in range(1, 4):
        s.advance("zh")
        w.show(s, "a", "zh", None, SIZE)
        assert w.frame is first and len(w.sent) == m and w.sent[-1]["method"] == "update"
        assert w.sent[-1]["args"][0]["month"] == m
    state = first["state"]
    for msg in w.sent:
        state = apply_update(state, msg["args"][0])
    assert state == network_frame(s.a, "zh", SIZE)["state"], "the browser's state: the whole network of month 3"
    serials = [first["serial"]]
    for lang, title, size in (("en", None, SIZE), ("en", "A", SIZE), ("en", "A", (592, 680))):
        w.show(s, "a", lang, title, size)
        serials.append(w.frame["serial"])
    s.run_to(6, "en")
    w.show(s, "a", "en", "A", (592, 680))  # three months at once
    serials.append(w.frame["serial"])
    s.build(s.settings_a)
    w.show(s, "a", "en", "A", (592, 680))  # Reset: a new run
    serials.append(w.frame["serial"])
    assert serials == sorted(set(serials)) and len(w.sent) == 3
    assert w.frame["state"]["month"] == 0
    w.vue_ready(0)  # the browser shows what was sent
    assert w.frame["serial"] == serials[-1]
    w.vue_ready(-1)  # it missed a month: the whole frame again
    assert w.frame["serial"] == serials[-1] + 1


def test_a_step_draws_no_network_picture_and_the_downloads_draw_it_now():
    s = _session(b=True)
    assert s.advance("zh").keys() == {"compare"}, "compare mode's chart is the only picture a step draws"
    for name in ("network_a", "network_b"):
        assert s.picture(name).startswith(PNG)
    w = Recorder()
    w.show(s, "b", "zh", s.titles("zh")[1], s.sizes.pair)
    assert w.frame["title"] == wrap_text(s.titles("zh")[1], s.sizes.pair[0] - 12, TITLE_PX)
    assert len(w.frame["state"]["orgs"]) == sum(o.status in (ACTIVE, REGISTERING) for o in s.b.organizations)
    live = _session()
    live.sizes = page_sizes(1280, False, 720)
    assert live.advance("zh") == {} and live.picture("network").startswith(PNG)
