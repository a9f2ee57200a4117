"""Residents' rules, each alone, over resident arrays built without a model."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import binomial_tolerance, residents
from model.params import GROUPS, NEED_KINDS
from model.residents import CH_COMMITTEE, CH_NONE, CH_ORG, NO_NEED, need_rate_matrix

K = len(NEED_KINDS)


# ---------------------------------------------------------------------------
# needs arise
# ---------------------------------------------------------------------------
def test_needs_arise_at_group_specific_rates():
    """Statistical: realised (group x kind) counts within 4 binomial sd of the register's rates."""
    r, p = residents(sizes=(100_000, 100_000, 100_000), neighbours=0)
    rates = need_rate_matrix(p)
    new = r.decide_needs_arise(rates, np.random.default_rng(7))
    counts = np.zeros((len(GROUPS), K))
    np.add.at(counts, (r.group[new], r.need_kind[new]), 1)
    n_g = np.bincount(r.group, minlength=len(GROUPS))
    for g in range(len(GROUPS)):
        for k in range(K):
            expected = n_g[g] * rates[g, k]
            tol = binomial_tolerance(n_g[g], rates[g, k])
            assert abs(counts[g, k] - expected) <= tol, (
                f"{GROUPS[g]}/{NEED_KINDS[k]}: {counts[g, k]} needs, expected {expected:.1f} +- {tol:.1f}")
            if rates[g, k] == 0:
                assert counts[g, k] == 0, f"{GROUPS[g]} raised a {NEED_KINDS[k]} need at rate 0"
    # the group-specific mix differs: elderly raise elder care, children raise children-youth needs
    assert counts[GROUPS.index("elderly"), NEED_KINDS.index("elder_care")] > 0
    assert counts[GROUPS.index("children_teens"), NEED_KINDS.index("elder_care")] == 0


def test_new_need_state_and_only_free_residents_raise_needs():
    r, p = residents(sizes=(20_000,), neighbours=0)
    rates = np.full((len(GROUPS), K), 0.1)  # 70 % chance a month
    busy = np.arange(0, r.n, 2)
    r.need_kind[busy] = 3
    r.need_wait[busy] = 2
    r.need_channel[busy] = CH_COMMITTEE
    new = r.decide_needs_arise(rates, np.random.default_rng(1))
    assert not np.isin(new, busy).any(), "a resident with an open need raised a second one"
    assert (r.need_kind[busy] == 3).all() and (r.need_wait[busy] == 2).all()
    assert np.all(r.need_wait[new] == 0) and np.all(r.need_channel[new] == CH_NONE)
    assert np.all((r.need_kind[new] >= 0) & (r.need_kind[new] < K))
    free = r.n - busy.size
    assert abs(new.size - 0.7 * free) <= binomial_tolerance(free, 0.7)


def test_zero_need_rates_raise_no_needs():
    r, p = residents(sizes=(5000,), neighbours=0)
    new = r.decide_needs_arise(np.zeros((len(GROUPS), K)), np.random.default_rng(3))
    assert new.size == 0
    assert np.all(r.need_kind == NO_NEED)


# ---------------------------------------------------------------------------
# bringing needs forward
# ---------------------------------------------------------------------------
def _open_needs(r, kind: int = 0) -> None:
    r.need_kind[:] = kind
    r.need_wait[:] = 0
    r.need_channel[:] = CH_NONE


def test_bring_forward_chance_follows_trust_and_awareness():
    """Statistical: share brought forward = base + trust*t + awareness*a, within 4 sd."""
    r, p = residents(sizes=(40_000,), neighbours=0, express_base=0.1, express_trust=0.3,
                     express_awareness=0.2, direct_to_org_awareness=0.0)
    _open_needs(r)
    half = r.n // 2
    r.trust[:half], r.trust[half:] = 0.2, 0.8
    r.awareness[:] = 0.5
    r.decide_bring_forward(p, np.ones((1, K), np.float32), np.random.default_rng(5))
    for sl, t in ((slice(0, half), 0.2), (slice(half, r.n), 0.8)):
        expected = 0.1 + 0.3 * t + 0.2 * 0.5
        share = np.mean(r.need_channel[sl] != CH_NONE)
        assert abs(share - expected) * half <= binomial_tolerance(half, expected), (share, expected)
    assert not np.any(r.need_channel == CH_ORG), "direct_to_org_awareness = 0 sent needs to organizations"


def test_bring_forward_goes_to_organizations_only_where_one_serves_the_kind():
    r, p = residents(sizes=(20_000, 20_000), neighbours=0, express_base=1.0, direct_to_org_awareness=0.6)
    _open_needs(r, kind=2)
    r.awareness[:] = 0.5
    reach = np.zeros((2, K), np.float32)
    reach[0, 2] = 1.0  # an organization serves kind 2 in committee 0 only
    r.decide_bring_forward(p, reach, np.random.default_rng(9))
    assert np.all(r.need_channel != CH_NONE), "express chance 1: every need must be brought forward"
    c0, c1 = r.committee == 0, r.committee == 1
    share_org = np.mean(r.need_channel[c0] == CH_ORG)
    assert abs(share_org - 0.3) * c0.sum() <= binomial_tolerance(c0.sum(), 0.3)
    assert not np.any(r.need_channel[c1] == CH_ORG), "no organization reaches committee 1"


def test_bring_forward_keeps_needs_already_brought_forward():
    r, p = residents(sizes=(1000,), neighbours=0, express_base=1.0, direct_to_org_awareness=1.0)
    _open_needs(r)
    r.need_channel[:] = CH_COMMITTEE
    r.awareness[:] = 1.0
    r.decide_bring_forward(p, np.ones((1, K), np.float32), np.random.default_rng(0))
    assert np.all(r.need_channel == CH_COMMITTEE)


# ---------------------------------------------------------------------------
# waiting and lapsing
# ---------------------------------------------------------------------------
def test_need_waits_then_lapses_at_max_wait():
    r, p = residents(sizes=(100,), neighbours=0, lapse_rate=0.0, max_wait_months=3)
    _open_needs(r, kind=4)
    rng = np.random.default_rng(0)
    for month in (1, 2):
        lapsed, _ = r.decide_wait_or_lapse(p, rng)
        assert lapsed.size == 0, f"a need lapsed after {month} month(s) with lapse_rate 0 and max wait 3"
        assert np.all(r.need_wait == month)
    lapsed, kinds = r.decide_wait_or_lapse(p, rng)
    assert lapsed.size == r.n and np.all(kinds == 4)
    assert np.all(r.need_kind == NO_NEED) and np.all(r.need_wait == 0) and np.all(r.need_channel == CH_NONE)
    lapsed, _ = r.decide_wait_or_lapse(p, rng)
    assert lapsed.size == 0, "no open needs, nothing can lapse"


def test_lapse_rate_statistical():
    r, p = residents(sizes=(50_000,), neighbours=0, lapse_rate=0.15, max_wait_months=60)
    _open_needs(r)
    lapsed, _ = r.decide_wait_or_lapse(p, np.random.default_rng(11))
    assert abs(lapsed.size - 0.15 * r.n) <= binomial_tolerance(r.n, 0.15)


def test_lapse_lowers_satisfaction_and_trust_only_via_committee():
    r, p = residents(sizes=(10,), neighbours=0, lapse_rate=1.0, satisfaction_step=0.3, trust_step=0.2)
    _open_needs(r)
    r.need_channel[:5] = CH_COMMITTEE
    r.need_channel[5:] = CH_ORG
    r.satisfaction[:] = 0.8
    r.trust[:] = 0.6
    r.decide_wait_or_lapse(p, np.random.default_rng(0))
    np.testing.assert_allclose(r.satisfaction, 0.8 * 0.7, rtol=1e-6)
    np.testing.assert_allclose(r.trust[:5], 0.6 * 0.8, rtol=1e-6)
    np.testing.assert_allclose(r.trust[5:], 0.6, rtol=1e-6)


# ---------------------------------------------------------------------------
# needs met
# ---------------------------------------------------------------------------
def test_met_need_updates_satisfaction_trust_and_awareness():
    r, p = residents(sizes=(4,), neighbours=0, satisfaction_step=0.5, trust_step=0.25,
                     quality_wait_penalty=0.1, awareness_gain_served=0.5)
    _open_needs(r)
    r.need_wait[:] = [0, 2, 0, 0]
    r.need_channel[:] = [CH_COMMITTEE, CH_COMMITTEE, CH_ORG, CH_COMMITTEE]
    r.satisfaction[:] = 0.5
    r.trust[:] = 0.5
    r.awareness[:] = 0.2
    idx = np.array([0, 1, 2])
    quality = np.array([0.9, 0.9, 0.7])
    by_org = np.array([False, False, True])
    r.resolve_met(idx, quality, by_org, p)
    # experienced quality: 0.9, 0.9 - 0.1*2 = 0.7, 0.7
    np.testing.assert_allclose(r.satisfaction[:3], [0.7, 0.6, 0.6], rtol=1e-6)
    np.testing.assert_allclose(r.trust[:3], [0.6, 0.55, 0.5], rtol=1e-6)  # resident 2 came to an organization
    np.testing.assert_allclose(r.awareness[:3], [0.2, 0.2, 0.6], rtol=1e-6)
    assert list(r.need_kind[:3]) == [NO_NEED] * 3 and r.need_kind[3] == 0
    assert np.all(r.need_wait[:3] == 0) and np.all(r.need_channel[:3] == CH_NONE)
    assert r.satisfaction[3] == pytest.approx(0.5) and r.trust[3] == pytest.approx(0.5)
    r.check()


def test_experienced_quality_is_clipped_to_unit_interval():
    r, p = residents(sizes=(2,), neighbours=0, satisfaction_step=1.0, quality_wait_penalty=0.5)
    _open_needs(r)
    r.need_wait[:] = [0, 5]
    r.resolve_met(np.array([0, 1]), np.array([1.4, 0.9]), np.array([False, False]), p)
    np.testing.assert_allclose(r.satisfaction, [1.0, 0.0])
    r.check()


# ---------------------------------------------------------------------------
# participation, awareness, ties
# ---------------------------------------------------------------------------
def test_neighbour_ties_stay_within_committee_and_are_row_normalised():
    r, _ = residents(sizes=(300, 200, 500), neighbours=6)
    mat = r.neighbours.tocoo()
    assert np.all(r.committee[mat.row] == r.committee[mat.col]), "a tie crosses committee areas"
    assert not np.any(mat.row == mat.col), "a resident is their own neighbour"
    sums = np.asarray(r.neighbours.sum(axis=1)).ravel()
    np.testing.assert_allclose(sums[sums > 0], 1.0, rtol=1e-5)
    assert (sums > 0).mean() > 0.99
    pattern = (r.neighbours != 0).astype(np.int8)
    assert (pattern != pattern.T).nnz == 0, "ties are not symmetric"
    assert 4 <= (r.neighbours != 0).sum(axis=1).mean() <= 7


def test_residents_stored_by_group_within_each_committee():
    r, _ = residents(sizes=(700, 0, 1, 1300), neighbours=6, seed=5)
    gs = r.group_start
    assert gs.shape == (4, len(GROUPS) + 1)
    np.testing.assert_array_equal(gs[:, 0], r.start[:-1])
    np.testing.assert_array_equal(gs[:, -1], r.start[1:])
    assert np.all(np.diff(gs, axis=1) >= 0)
    for c in range(4):
        for g in range(len(GROUPS)):
            run = r.group[gs[c, g]:gs[c, g + 1]]
            assert np.all(run == g), f"committee {c}: the run of {GROUPS[g]} holds other groups"
    # the groups themselves are still drawn with the register's shares
    big, p = residents(sizes=(200_000,), neighbours=0, seed=3)
    shares = np.bincount(big.group, minlength=len(GROUPS)) / big.n
    expected = [getattr(p.group_shares, g) for g in GROUPS[:-1]]
    for g, e in enumerate(expected):
        assert abs(shares[g] - e) * big.n <= binomial_tolerance(big.n, e), (GROUPS[g], shares[g], e)


def test_tie_cycle_is_a_permutation_and_mixes_groups_at_random():
    """The tie cycle is a permutation of each committee; because it is random, the share of
    ties joining two residents of the same group is the chance that two random residents
    share a group (sum of squared shares), not the near-1 share that tying neighbours in
    the group-sorted storage order would give. Tolerance: 4 sd of the share over ties."""
    r, _ = residents(sizes=(3000, 5000, 2), neighbours=6, seed=11)
    for c in range(3):
        lo, hi = r.start[c], r.start[c + 1]
        at, pos = r.tie_at[lo:hi].astype(np.int64), r.tie_pos[lo:hi].astype(np.int64)
        np.testing.assert_array_equal(np.sort(at), np.arange(hi - lo))
        np.testing.assert_array_equal(pos[at], np.arange(hi - lo))
    mat = r.neighbours.tocoo()
    same = (r.group[mat.row] == r.group[mat.col]).mean()
    shares = np.bincount(r.group, minlength=len(GROUPS)) / r.n
    expected = float((shares ** 2).sum())
    sd = np.sqrt(expected * (1 - expected) / (mat.nnz / 2))
    assert abs(same - expected) <= 4 * sd, (same, expected)


def test_vanishing_rates_end_every_pass():
    """Rates so small that a geometric gap overflows (even to inf) raise nothing and end."""
    r, p = residents(sizes=(1000, 1000), neighbours=4, lapse_rate=5e-324, participation_quit=1e-300,
                     participation_base=1e-310, participation_peer=0.0, participation_satisfaction=0.0,
                     participation_project_pull=0.0)
    rates = np.full((len(GROUPS), K), 5e-324)
    assert r.decide_needs_arise(rates, np.random.default_rng(0)).size == 0
    before = r.participating.copy()
    r.decide_participation(p, np.zeros(2), np.random.default_rng(1))
    np.testing.assert_array_equal(r.participating, before)
    r.need_kind[:10] = 0
    r._open_hint = None
    lapsed, _ = r.decide_wait_or_lapse(p, np.random.default_rng(2))
    assert lapsed.size == 0 and np.all(r.need_wait[:10] == 1)


def test_participation_when_the_bound_reaches_one():
    """Statistical: with a bound of 1 or more every resident draws once against the whole
    chance; the joining share matches the rule's mean chance within 4 sd."""
    r, p = residents(sizes=(20_000,), seed=4, neighbours=6, participation_base=0.3, participation_peer=0.9,
                     participation_satisfaction=0.0, participation_project_pull=0.0, participation_quit=0.0,
                     group_participation_bias=0.0, publicity_participation=0.0)
    rng = np.random.default_rng(9)
    r.participating[:] = rng.random(r.n) < 0.3
    r.volunteer[:] = False
    before = r.participating.copy()
    expected_p = np.minimum(p.participation_base + p.participation_peer * r.neighbour_mean(before), 1.0)
    r.decide_participation(p, np.zeros(1), np.random.default_rng(6))
    cand = ~before
    share, mean_p, n = (r.participating & cand).sum() / cand.sum(), expected_p[cand].mean(), cand.sum()
    assert abs(share - mean_p) * n <= binomial_tolerance(n, mean_p), (share, mean_p)


def test_participation_spreads_over_neighbour_ties():
    """Statistical: non-participants among participating neighbours join far more often;
    the realised joining share matches the rule's mean chance within 4 sd."""
    r, p = residents(sizes=(5000, 5000), seed=2, neighbours=8, participation_base=0.01, participation_peer=0.5,
                     participation_satisfaction=0.0, participation_project_pull=0.0,
                     participation_quit=0.0, group_participation_bias=0.0, publicity_participation=0.0)
    rng = np.random.default_rng(4)
    c0 = r.committee == 0
    r.participating[:] = c0 & (rng.random(r.n) < 0.8)  # committee 0: 80 % take part; committee 1: nobody
    r.volunteer[:] = False
    before = r.participating.copy()
    expected_p = p.participation_base + p.participation_peer * r.neighbour_mean(before)
    r.decide_participation(p, np.zeros(2), np.random.default_rng(6))
    joined = r.participating & ~before
    for com in (0, 1):
        cand = ~before & (r.committee == com)
        n, share, mean_p = cand.sum(), joined[cand].mean(), expected_p[cand].mean()
        assert abs(share - mean_p) * n <= binomial_tolerance(n, mean_p), (com, share, mean_p)
    share0 = joined[~before & c0].mean()
    share1 = joined[~before & ~c0].mean()
    assert share0 > share1 + 0.25, f"joining with participating neighbours {share0:.3f} vs without {share1:.3f}"
    assert np.all(r.participating[before]), "participation_quit = 0 but someone stopped"


def test_participants_quit_and_volunteers_stay_participants():
    r, p = residents(sizes=(2000,), neighbours=4, participation_quit=1.0, participation_base=0.0,
                     participation_peer=0.0, participation_satisfaction=0.0, participation_project_pull=0.0)
    r.participating[:] = True
    r.volunteer[:] = True
    r.decide_participation(p, np.zeros(1), np.random.default_rng(0))
    assert not r.participating.any() and not r.volunteer.any()
    r.check()


def test_micro_projects_pull_residents_in():
    r, p = residents(sizes=(10_000, 10_000), neighbours=0, participation_base=0.0, participation_peer=0.0,
                     participation_satisfaction=0.0, participation_project_pull=0.1, participation_quit=0.0,
                     participation_init=0.0)
    r.decide_participation(p, np.array([2, 0]), np.random.default_rng(2))
    c0 = r.committee == 0
    assert abs(r.participating[c0].sum() - 0.1 * c0.sum()) <= binomial_tolerance(c0.sum(), 0.1)
    assert not r.participating[~c0].any(), "no projects, no pull, no base: nobody may join"


def test_awareness_decays_and_publicity_raises_it():
    r, p = residents(sizes=(1000,), neighbours=0, awareness_decay=0.1, publicity_awareness=0.0)
    r.awareness[:] = 0.5
    r.decide_participation(p, np.zeros(1), np.random.default_rng(0))
    np.testing.assert_allclose(r.awareness, 0.45, rtol=1e-6)
    r2, p2 = residents(sizes=(1000,), neighbours=0, awareness_decay=0.0, publicity_awareness=0.2)
    r2.awareness[:] = 0.5
    r2.decide_participation(p2, np.zeros(1), np.random.default_rng(0))
    np.testing.assert_allclose(r2.awareness, 0.6, rtol=1e-6)


# ---------------------------------------------------------------------------
# elections
# ---------------------------------------------------------------------------
def test_votes_turnout_and_trust_gain_in_direct_elections():
    r, p = residents(sizes=(20_000, 20_000), neighbours=0, turnout_base=0.2, turnout_trust=0.4,
                     turnout_participation=0.3)
    r.trust[:] = 0.5
    r.participating[:] = False
    r.participating[::2] = True
    r.volunteer[:] = False
    turnout = r.decide_votes(p, np.array([0, 1]), np.array([True, False]), 0.5, np.random.default_rng(8))
    expected = 0.2 + 0.4 * 0.5 + 0.3 * 0.5  # half the residents take part
    for c in (0, 1):
        assert abs(turnout[c] - expected) * 20_000 <= binomial_tolerance(20_000, expected), turnout
    t0 = r.trust[r.committee == 0]
    assert set(np.round(np.unique(t0), 5)) == {0.5, 0.75}, "direct election: voters gain trust towards 1"
    assert abs(np.mean(t0 == np.float32(0.75)) - turnout[0]) < 1e-9, "exactly the voters gained trust"
    assert np.all(r.trust[r.committee == 1] == np.float32(0.5)), "indirect election changed trust"


def test_votes_only_in_committees_holding_elections():
    r, p = residents(sizes=(100, 100, 100), neighbours=0)
    turnout = r.decide_votes(p, np.array([1]), np.array([False]), 0.1, np.random.default_rng(0))
    assert np.isnan(turnout[0]) and np.isnan(turnout[2]) and 0 <= turnout[1] <= 1


def test_check_rejects_out_of_range_state():
    r, _ = residents(sizes=(50,), neighbours=0)
    r.check()
    r.trust[3] = 1.2
    with pytest.raises(AssertionError, match="trust"):
        r.check()
    r.trust[3] = 0.5
    r.satisfaction[0] = np.nan
    with pytest.raises(AssertionError, match="satisfaction"):
        r.check()
    r.satisfaction[0] = 0.5
    r.need_wait[7] = 2  # a closed need keeps waiting
    with pytest.raises(AssertionError, match="closed needs"):
        r.check()
    r.need_wait[7] = 0
    r.participating[9], r.volunteer[9] = False, True
    with pytest.raises(AssertionError, match="volunteer"):
        r.check()


def test_per_committee_counts_and_sums_match_plain_numpy():
    r, _ = residents(sizes=(5, 0, 7, 1), neighbours=2, seed=8)
    flags = np.random.default_rng(1).random(r.n) < 0.5
    values = np.random.default_rng(2).random(r.n)
    expected_counts = [flags[r.start[c]:r.start[c + 1]].sum() for c in range(4)]
    expected_sums = [values[r.start[c]:r.start[c + 1]].sum() for c in range(4)]
    np.testing.assert_array_equal(r.per_committee(flags), expected_counts)
    np.testing.assert_allclose(r.per_committee(values), expected_sums, rtol=1e-12)
    assert r.per_committee(flags).dtype == np.float64


def _votes_numpy(r, p, committees, direct, trust_gain, rng):
    """The numpy version the votes kernel replaced (reference for draws and values)."""
    turnout = np.full(r.n_committees, np.nan)
    for c, is_direct in zip(committees, direct, strict=True):
        lo, hi = r.start[c], r.start[c + 1]
        pv = np.clip(p.turnout_base + p.turnout_trust * r.trust[lo:hi]
                     + p.turnout_participation * r.participating[lo:hi], 0, 1)
        votes = rng.random(hi - lo) < pv
        turnout[c] = votes.mean() if hi > lo else 0.0
        if is_direct:
            t = r.trust[lo:hi]
            t[votes] += np.float32(trust_gain) * (1.0 - t[votes])
    return turnout


@pytest.mark.parametrize("block", [1 << 21, 1000])
def test_votes_kernel_equals_the_numpy_rule_to_the_last_bit(monkeypatch, block):
    """Also with blocks smaller than the committees (several bulk draws)."""
    import model.residents as residents_module

    monkeypatch.setattr(residents_module, "VOTE_BLOCK", block)
    sizes = (900, 0, 1500, 3, 700)
    r, p = residents(sizes=sizes, neighbours=2, seed=6, turnout_base=0.15, turnout_trust=0.45,
                     turnout_participation=0.35)
    r.trust[:] = np.random.default_rng(1).random(r.n).astype(np.float32)
    r2, _ = residents(sizes=sizes, neighbours=2, seed=6)
    r2.trust[:] = r.trust
    committees, direct = np.array([4, 1, 2, 0]), np.array([True, False, True, False])
    got = r.decide_votes(p, committees, direct, 0.3, np.random.default_rng(5))
    want = _votes_numpy(r2, p, committees, direct, 0.3, np.random.default_rng(5))
    np.testing.assert_array_equal(got, want)  # NaN where no election, in both
    assert r.trust.tobytes() == r2.trust.tobytes(), "trust after the election differs"


def test_bring_forward_fused_with_the_split_equals_the_two_passes():
    """decide_bring_forward with a split: the same channels (same draws) and the same split
    arrays as decide_bring_forward without one followed by split_open_needs."""
    sizes = (3000, 0, 2500, 1)
    r1, p = residents(sizes=sizes, neighbours=2, seed=4, direct_to_org_awareness=0.6)
    r2, _ = residents(sizes=sizes, neighbours=2, seed=4)
    rng = np.random.default_rng(2)
    opened = rng.random(r1.n) < 0.3
    kinds = rng.integers(0, K, r1.n).astype(np.int8)
    for r in (r1, r2):
        r.need_kind[opened] = kinds[opened]
        r.need_wait[opened] = 1
    r1.need_channel[np.flatnonzero(opened)[::5]] = CH_COMMITTEE  # some brought forward already
    r2.need_channel[:] = r1.need_channel
    reach = (np.random.default_rng(3).random((len(sizes), K)) < 0.5).astype(np.float32)
    idx = np.flatnonzero(opened)
    n_cells = len(sizes) * K
    r1.decide_bring_forward(p, reach, np.random.default_rng(9), idx)
    out_a1, out_b1 = np.zeros((3, idx.size), np.int64), np.zeros((3, idx.size), np.int64)
    dem1 = np.zeros((3, n_cells), np.int64)
    na1, nb1 = r1.split_open_needs(idx, K, CH_COMMITTEE, CH_ORG, out_a1, out_b1, dem1)
    out_a2, out_b2 = np.zeros((3, idx.size), np.int64), np.zeros((3, idx.size), np.int64)
    dem2 = np.zeros((3, n_cells), np.int64)
    na2, nb2 = r2.decide_bring_forward(p, reach, np.random.default_rng(9), idx,
                                       (K, CH_COMMITTEE, CH_ORG, out_a2, out_b2, dem2))
    assert (na1, nb1) == (na2, nb2) and na1 > 0 and nb1 > 0
    np.testing.assert_array_equal(r1.need_channel, r2.need_channel)
    np.testing.assert_array_equal(out_a1[:, :na1], out_a2[:, :na2])
    np.testing.assert_array_equal(out_b1[:, :nb1], out_b2[:, :nb2])
    np.testing.assert_array_equal(dem1, dem2)
