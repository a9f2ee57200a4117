"""The compiled tallies behind the month's glue (``kernels.count_by_group_committee``,
``met_by_group_committee``, ``lapsed_cells``, ``still_open_cells``) equal the
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


def test_count_by_group_committee_equals_bincounts(world):
    group, committee, _, _, idx = world
    by_g, by_c = kernels.count_by_group_committee(idx, group, committee, N_G, N_C)
    assert np.array_equal(by_g, np.bincount(group[idx], minlength=N_G))
    assert np.array_equal(by_c, np.bincount(committee[idx], minlength=N_C))
    assert by_g.dtype == by_c.dtype == np.int64


def test_met_by_group_committee_equals_bincounts(world):
    group, committee, _, need_wait, idx = world
    by_g, by_c, wait_g = kernels.met_by_group_committee(idx, group, committee, need_wait, N_G, N_C)
    g = group[idx]
    assert np.array_equal(by_g, np.bincount(g, minlength=N_G))
    assert np.array_equal(by_c, np.bincount(committee[idx], minlength=N_C))
    expected = np.bincount(g, weights=need_wait[idx].astype(np.float64), minlength=N_G)
    assert wait_g.dtype == np.float64 and wait_g.tobytes() == expected.tobytes()


def test_lapsed_cells_equals_bincount(world):
    _, committee, need_kind, _, idx = world
    kinds = np.where(need_kind[idx] < 0, 0, need_kind[idx]).astype(np.int8)
    got = kernels.lapsed_cells(idx, kinds, committee, K, N_C * K)
    expected = np.bincount(committee[idx].astype(np.int64) * K + kinds, minlength=N_C * K)
    assert np.array_equal(got, expected)


def test_still_open_cells_equals_masked_bincount(world):
    _, committee, need_kind, _, idx = world
    cell = np.int64(K) * committee[idx] + np.maximum(need_kind[idx], 0)
    got = kernels.still_open_cells(idx, cell, need_kind, -1, N_C * K)
    expected = np.bincount(cell[need_kind[idx] != -1], minlength=N_C * K)
    assert np.array_equal(got, expected)
