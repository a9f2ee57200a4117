"""The compiled passes behind the month's glue (``kernels.count_by_group``,
``met_by_group``, ``count_by_type_group``, ``turn_away``, ``lapsed_cells``, the split of ``bring_forward_and_split``) and ``serving.count_per_committee`` equal the
straightforward numpy expressions they replace, exactly."""

from __future__ import annotations

import numpy as np
import pytest

from model import kernels

N_G, N_C, K = 5, 7, 9


@pytest.fixture(params=[0, 1, 2])
def world(request):
    """Residents' group, committee (uint16 as in the model), need kind and wait (int8), and
    an ascending index of some of them (empty for seed 0)."""
    rng = np.random.default_rng(request.param)
    n = 500
    group = rng.integers(0, N_G, n).astype(np.int8)
    committee = np.sort(rng.integers(0, N_C, n)).astype(np.uint16)
    need_kind = rng.integers(-1, K, n).astype(np.int8)
    need_wait = rng.integers(0, 12, n).astype(np.int8)
    idx = np.flatnonzero(rng.random(n) < (0.4 if request.param else 0.0)).astype(np.int64)
    return group, committee, need_kind, need_wait, idx


def test_count_by_group_equals_bincount(world):
    group, _, _, _, idx = world
    by_g = kernels.count_by_group(idx, group, N_G)
    assert by_g.dtype == np.int64 and np.array_equal(by_g, np.bincount(group[idx], minlength=N_G))


def test_met_by_group_equals_bincounts(world):
    group, _, _, need_wait, idx = world
    by_g, wait_g = kernels.met_by_group(idx, group, need_wait, N_G)
    g = group[idx]
    assert np.array_equal(by_g, np.bincount(g, minlength=N_G))
    expected = np.bincount(g, weights=need_wait[idx].astype(np.float64), minlength=N_G)
    assert wait_g.dtype == np.float64 and wait_g.tobytes() == expected.tobytes()


def test_count_by_type_group_equals_bincounts(world):
    """TypeTally's counts: codes ctype[committee] * groups + group, weighted sums bit for bit."""
    group, committee, need_kind, _, idx = world
    rng = np.random.default_rng(idx.size)
    ctype = rng.integers(0, 3, N_C).astype(np.int64)
    kinds = np.where(need_kind[idx] < 0, 0, need_kind[idx]).astype(np.int8)
    weights = rng.lognormal(0, 3, K)  # many magnitudes: another summation order would show
    code = ctype[committee[idx]] * N_G + group[idx]
    counts, sums = kernels.count_by_type_group(idx, committee, ctype, group, kinds, weights, N_G, 3 * N_G, True)
    assert np.array_equal(counts, np.bincount(code, minlength=3 * N_G))
    assert sums.tobytes() == np.bincount(code, weights=weights[kinds], minlength=3 * N_G).tobytes()
    counts, sums = kernels.count_by_type_group(idx, committee, ctype, group, np.zeros(0, np.int8), weights, N_G,
                                               3 * N_G, False)
    assert np.array_equal(counts, np.bincount(code, minlength=3 * N_G)) and not sums.any()


def test_turn_away_equals_the_numpy_selection(world):
    """committees.eligible_needs' pass: kept needs in order, the turned-away ones off the demand."""
    group, _, need_kind, need_wait, idx = world
    cells = (idx % 11).astype(np.int64)
    waits = need_wait[idx].astype(np.int64)
    only = np.zeros(K, dtype=bool)
    only[[1, 4]] = True
    demand = np.bincount(cells, minlength=11)
    away = (group[idx] == 2) & only[need_kind[idx]]
    expected_demand = demand.copy()
    np.subtract.at(expected_demand, cells[away], 1)
    out = (np.empty_like(idx), np.empty_like(cells), np.empty_like(waits))
    n = kernels.turn_away(idx, cells, waits, group, need_kind, only, 2, demand, *out)
    assert n == int((~away).sum()) and np.array_equal(demand, expected_demand)
    for got, want in zip(out, (idx, cells, waits)):
        assert np.array_equal(got[:n], want[~away])


def test_count_per_committee_equals_bincount(world):
    """serving.count_per_committee: a binary search for ascending indices, a bincount otherwise."""
    from types import SimpleNamespace

    from model.serving import count_per_committee

    _, committee, _, _, idx = world
    sizes = np.bincount(committee, minlength=N_C + 1)  # the last committee empty
    r = SimpleNamespace(committee=committee, n_committees=N_C + 1,
                        start=np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64))
    rng = np.random.default_rng(idx.size)
    for case in (idx, idx[::-1].copy(), rng.permutation(idx), np.repeat(idx, 2), idx[:1]):
        got = count_per_committee(r, case)
        assert np.array_equal(got, np.bincount(committee[case], minlength=N_C + 1))


def test_lapsed_cells_equals_bincount(world):
    """Ascending, descending, shuffled and repeated indices; an empty committee in the middle."""
    _, committee, need_kind, _, idx = world
    committee = np.where(committee >= 3, committee + 1, committee).astype(np.uint16)  # committee 3 empty
    n_com = N_C + 1
    start = np.concatenate([[0], np.cumsum(np.bincount(committee, minlength=n_com))]).astype(np.int64)
    rng = np.random.default_rng(idx.size)
    for case in (idx, idx[::-1].copy(), rng.permutation(idx), np.repeat(idx, 2)):
        kinds = np.where(need_kind[case] < 0, 0, need_kind[case]).astype(np.int8)
        got = kernels.lapsed_cells(case, kinds, start, K, n_com * K)
        expected = np.bincount(committee[case].astype(np.int64) * K + kinds, minlength=n_com * K)
        assert np.array_equal(got, expected)


def test_split_open_needs_equals_the_numpy_selections(world):
    """The split alone (nothing brought forward, nothing drawn): per channel, the indices,
    cells and waits of its needs in index order and its demand per cell, as numpy's masks and
    bincounts give them; demand[2] counts all open needs per cell."""
    group, committee, need_kind, need_wait, _ = world
    rng = np.random.default_rng(int(group.sum()))
    need_channel = np.where(need_kind >= 0, rng.integers(-1, 2, need_kind.size), -1).astype(np.int8)
    before = need_channel.copy()
    idx = np.flatnonzero(need_kind >= 0).astype(np.int64)
    n, n_cells = idx.size, N_C * K
    start = np.concatenate([[0], np.cumsum(np.bincount(committee, minlength=N_C))]).astype(np.int64)
    out_a, out_b = np.empty((3, n), np.int64), np.empty((3, n), np.int64)
    demand = np.zeros((3, n_cells), np.int64)
    unused = np.zeros(need_kind.size, np.float32)
    _, na, nb = kernels.bring_forward_and_split(idx, need_kind, need_channel, need_wait, start, unused, unused,
                                                np.zeros((N_C, K), np.float32), 0.0, 0.0, 0.0, 0.0,
                                                np.random.default_rng(0), False, True, K, 0, 1, out_a, out_b, demand)
    assert np.array_equal(need_channel, before), "splitting alone brought needs forward"
    cell = np.int64(K) * committee[idx] + need_kind[idx]
    assert np.array_equal(demand[2], np.bincount(cell, minlength=n_cells))
    for ch, out, count, dem in ((0, out_a, na, demand[0]), (1, out_b, nb, demand[1])):
        sel = need_channel[idx] == ch
        assert count == sel.sum()
        assert np.array_equal(out[0, :count], idx[sel]) and np.array_equal(out[1, :count], cell[sel])
        assert np.array_equal(out[2, :count], need_wait[idx][sel].astype(np.int64))
        assert out.dtype == np.int64 and np.array_equal(dem, np.bincount(cell[sel], minlength=n_cells))


def test_unmet_by_cell_counts_the_needs_still_open_after_the_month_plus_the_lapsed(small_model, monkeypatch):
    """serve_residents counts the needs still open per cell as the open ones before matching
    minus those met minus those lapsed; that must be exactly the open needs among them after
    the month (straightforward: a mask over the residents) plus the lapsed ones."""
    from model import month, serving

    m = small_model
    seen = {}
    open_by_channel = serving._open_needs_by_channel

    def spy(r, open_idx, n_cells, **kw):
        seen["open_idx"] = open_idx.copy()
        return open_by_channel(r, open_idx, n_cells, **kw)

    lapsed_cells = kernels.lapsed_cells

    def spy_lapsed(*a):
        seen["lapsed"] = out = lapsed_cells(*a)
        return out

    serve = serving.serve_residents

    def spy_serve(model):
        seen["served"] = out = serve(model)
        return out

    monkeypatch.setattr(serving, "_open_needs_by_channel", spy)
    monkeypatch.setattr(month, "serve_residents", spy_serve)
    monkeypatch.setattr(serving.kernels, "lapsed_cells", spy_lapsed)
    for _ in range(4):
        m.step()
        r, n_kinds = m.residents, serving.K
        idx = seen["open_idx"]
        still = idx[r.need_kind[idx] >= 0]
        cells = r.committee[still].astype(np.int64) * n_kinds + r.need_kind[still]
        expected = seen["lapsed"] + np.bincount(cells, minlength=len(m.committees) * n_kinds)
        assert still.size > 0 and seen["lapsed"].sum() > 0
        assert np.array_equal(seen["served"].unmet, expected.reshape(-1, n_kinds).astype(np.float64))
