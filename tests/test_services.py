"""services.match, round_capacity and spread: small hand-computed cases and properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.services import PT_COMMITTEE, PT_ORG, PT_PROJECTS, Supply, match, round_capacity, spread


def supply(rows: list[tuple[int, int, int, float]]) -> Supply:
    """Supply from (cell, provider type, provider id, capacity) rows."""
    cell, ptype, pid, cap = (np.array(col) for col in zip(*rows, strict=True))
    n = len(rows)
    return Supply(cell.astype(np.int64), ptype.astype(np.int8), pid.astype(np.int64), cap.astype(np.float64),
                  np.full(n, 0.6), np.zeros(n))


def needs(cells: list[int], waits: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Resident ids 100, 101, ... with the given cells and waits."""
    idx = np.arange(100, 100 + len(cells))
    return idx, np.array(cells, dtype=np.int64), np.array(waits, dtype=np.int16)


def test_longest_waiting_first():
    idx, cell, wait = needs([0, 0, 0, 0, 0], [0, 3, 1, 5, 2])
    res = match(idx, cell, wait, supply([(0, PT_COMMITTEE, 0, 2.0)]), 1, np.random.default_rng(0))
    assert sorted(res.served.tolist()) == [101, 103]
    assert res.used.tolist() == [2]


def test_capacity_per_cell_and_no_cross_cell_leakage():
    # cell 0: 3 needs, capacity 10; cell 1: 5 needs, capacity 1; cell 2: needs, no supply;
    # cell 3: supply, no needs.
    idx, cell, wait = needs([0, 0, 0, 1, 1, 1, 1, 1, 2, 2], [0, 1, 2, 0, 0, 4, 0, 0, 9, 9])
    sup = supply([(0, PT_COMMITTEE, 0, 10.0), (1, PT_COMMITTEE, 0, 1.0), (3, PT_COMMITTEE, 1, 50.0)])
    res = match(idx, cell, wait, sup, 4, np.random.default_rng(1))
    assert sorted(res.served.tolist()) == [100, 101, 102, 105]
    assert res.used.tolist() == [3, 1, 0]
    served_cell = cell[res.served - 100]
    assert np.array_equal(sup.cell[res.row], served_cell), "a need was met by a row of another cell"


def test_served_needs_share_out_over_rows_in_proportion_to_capacity():
    """Rule: each served need goes to a row of its cell with chance proportional to the
    row's remaining capacity. Statistical, fixed seed: 1,000 needs, capacities 600/300/100
    of 1,200 in all -> every need is served and rows are never over capacity; with 2,000
    needs all capacity is used exactly; with 500 needs the split is near 3:1.5:0.5 (tolerance
    4 standard errors)."""
    sup = supply([(0, PT_COMMITTEE, 0, 600.0), (0, PT_PROJECTS, 0, 300.0), (0, PT_ORG, 7, 100.0)])
    idx, cell, wait = needs([0] * 2000, [0] * 2000)
    res = match(idx, cell, wait, sup, 1, np.random.default_rng(2))
    assert res.used.tolist() == [600, 300, 100], "all capacity used, no row over capacity"
    idx, cell, wait = needs([0] * 500, [0] * 500)
    res = match(idx, cell, wait, sup, 1, np.random.default_rng(3))
    assert res.used.sum() == 500
    expected = np.array([0.6, 0.3, 0.1]) * 500
    se = np.sqrt(500 * np.array([0.6, 0.3, 0.1]) * (1 - np.array([0.6, 0.3, 0.1])))
    assert np.all(np.abs(res.used - expected) < 4 * se), res.used
    assert np.all(res.used <= np.array([600, 300, 100]))


def test_partially_served_bucket_is_a_random_subset():
    """Where capacity runs out inside a bucket of equal waits, who is served is random:
    over many seeds each of the 10 needs is served about half the time (capacity 5)."""
    idx, cell, wait = needs([0] * 10, [2] * 10)
    sup = supply([(0, PT_COMMITTEE, 0, 5.0)])
    counts = np.zeros(10)
    for seed in range(400):
        res = match(idx, cell, wait, sup, 1, np.random.default_rng(seed))
        assert res.served.size == 5
        counts[res.served - 100] += 1
    share = counts / 400
    assert np.all(np.abs(share - 0.5) < 0.1), share  # 4 standard errors of a share at n=400 is 0.1


def test_rows_of_interleaved_cells_and_zero_capacity_rows():
    idx, cell, wait = needs([1, 1, 1, 0, 0, 0], [0, 0, 0, 0, 0, 0])
    sup = supply([(1, PT_COMMITTEE, 0, 1.0), (0, PT_COMMITTEE, 1, 2.0), (1, PT_PROJECTS, 0, 0.0),
                  (1, PT_ORG, 3, 5.0), (0, PT_ORG, 4, 0.0)])
    res = match(idx, cell, wait, sup, 2, np.random.default_rng(3))
    assert res.used.tolist() == [1, 2, 0, 2, 0]
    assert res.served.size == 5


def test_empty_inputs():
    idx, cell, wait = needs([], [])
    res = match(idx, cell, wait, supply([(0, PT_COMMITTEE, 0, 3.0)]), 1, np.random.default_rng(0))
    assert res.served.size == 0 and res.used.tolist() == [0]
    idx, cell, wait = needs([0, 0], [1, 1])
    res = match(idx, cell, wait, Supply.empty(), 1, np.random.default_rng(0))
    assert res.served.size == 0 and res.used.size == 0


def test_ties_broken_at_random():
    """Statistical: among equal waits each of 4 needs is served by a capacity of 1 about 1/4 of the time."""
    idx, cell, wait = needs([0, 0, 0, 0], [1, 1, 1, 1])
    sup = supply([(0, PT_COMMITTEE, 0, 1.0)])
    rng = np.random.default_rng(4)
    counts = np.zeros(4)
    for _ in range(4000):
        counts[match(idx, cell, wait, sup, 1, rng).served - 100] += 1
    assert np.all(np.abs(counts - 1000) < 4 * np.sqrt(4000 * 0.25 * 0.75)), counts


def test_fractional_capacity_serves_its_mean():
    """Statistical: a row of capacity 0.4 meets 0.4 needs a month on average (4 sd)."""
    idx, cell, wait = needs([0] * 5, [0] * 5)
    sup = supply([(0, PT_COMMITTEE, 0, 0.4)])
    rng = np.random.default_rng(5)
    served = np.array([match(idx, cell, wait, sup, 1, rng).served.size for _ in range(5000)])
    assert set(np.unique(served)) <= {0, 1}
    assert abs(served.mean() - 0.4) <= 4 * np.sqrt(0.24 / 5000)


def test_round_capacity_unbiased_and_exact_on_integers():
    rng = np.random.default_rng(6)
    cap = np.array([0.3, 2.75, 0.0, 5.0])
    draws = np.array([round_capacity(cap, rng) for _ in range(20_000)])
    assert np.all(draws[:, 2] == 0) and np.all(draws[:, 3] == 5)
    assert set(np.unique(draws[:, 0])) == {0, 1} and set(np.unique(draws[:, 1])) == {2, 3}
    sd = np.sqrt(np.array([0.21, 0.1875]) / 20_000)
    assert np.all(np.abs(draws[:, :2].mean(axis=0) - cap[:2]) <= 4 * sd), draws[:, :2].mean(axis=0)


def test_spread_proportional_to_demand_and_even_without_demand():
    demand = np.array([1, 3, 0, 0, 0, 0])
    owner = np.array([0, 0, 0, 1, 1])
    cell = np.array([0, 1, 2, 4, 5])
    out = spread(owner, cell, demand, np.array([10.0, 6.0]))
    np.testing.assert_allclose(out, [2.5, 7.5, 0.0, 3.0, 3.0])
    np.testing.assert_allclose(np.bincount(owner, weights=out), [10.0, 6.0])


@settings(max_examples=60, deadline=None)
@given(
    n_cells=st.integers(1, 5),
    data=st.data(),
)
def test_match_properties(n_cells, data):
    """Property: with integer capacities a cell serves min(needs, capacity); no row exceeds its
    capacity; every row serves its own cell; no unmet need waited longer than a met one in its cell."""
    n_needs = data.draw(st.integers(0, 40))
    cell = np.array(data.draw(st.lists(st.integers(0, n_cells - 1), min_size=n_needs, max_size=n_needs)),
                    dtype=np.int64)
    wait = np.array(data.draw(st.lists(st.integers(0, 6), min_size=n_needs, max_size=n_needs)), dtype=np.int16)
    n_rows = data.draw(st.integers(1, 8))
    rows = [(data.draw(st.integers(0, n_cells - 1)), PT_ORG, i, float(data.draw(st.integers(0, 6))))
            for i in range(n_rows)]
    sup = supply(rows)
    idx = np.arange(n_needs) + 100
    res = match(idx, cell, wait, sup, n_cells, np.random.default_rng(data.draw(st.integers(0, 1000))))
    assert len(set(res.served.tolist())) == res.served.size, "a need was met twice"
    assert np.all(res.used <= sup.cap), "a row served beyond its capacity"
    assert res.used.sum() == res.served.size
    np.testing.assert_array_equal(sup.cell[res.row], cell[res.served - 100])
    met = np.zeros(n_needs, bool)
    met[res.served - 100] = True
    for c in range(n_cells):
        in_c = cell == c
        cap_c = sum(r[3] for r in rows if r[0] == c)
        assert met[in_c].sum() == min(in_c.sum(), cap_c)
        if met[in_c].any() and (~met & in_c).any():
            assert wait[met & in_c].min() >= wait[~met & in_c].max()


@pytest.mark.parametrize("ptype", [PT_COMMITTEE, PT_PROJECTS, PT_ORG])
def test_supply_concat_keeps_order(ptype):
    a = supply([(0, ptype, 1, 1.0)])
    b = supply([(1, PT_ORG, 2, 2.0), (0, PT_ORG, 3, 3.0)])
    both = Supply.concat([a, b, Supply.empty()])
    assert both.pid.tolist() == [1, 2, 3] and both.cell.tolist() == [0, 1, 0]
    assert Supply.concat([]).cell.size == 0
