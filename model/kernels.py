"""Compiled loops (numba) behind the residents' rules and the matching of needs.

Each kernel implements one rule documented in ``residents.py`` or
``services.py`` in a single pass over the arrays, so that a month at city
scale costs a few passes over memory rather than dozens of numpy temporaries.
Two techniques keep random draws few:

* geometric skipping: where each of n residents has a small chance p of an
  event, the gap to the next candidate is drawn from Geometric(p) instead of
  one uniform per resident; with heterogeneous chances p_i <= p, a candidate
  is accepted with p_i / p (thinning). The result has exactly the same
  distribution as one Bernoulli draw per resident.
* selection sampling: when a bucket of m needs has room for t < m of them,
  each need in turn is taken with chance (room left)/(needs left), which picks
  a uniformly random subset of size t without sorting.

Numba's ``Generator`` methods use the same bit generator as numpy, so every
draw still comes from the model's named streams.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_CACHE = True


@njit(cache=_CACHE)
def _grow(buf, count):
    if count < buf.size:
        return buf
    out = np.empty(max(16, buf.size * 2), dtype=buf.dtype)
    out[:count] = buf[:count]
    return out


@njit(cache=_CACHE)
def _geometric(rng, p, log1m_p):
    """rng.geometric(p) with log1m_p = np.log1p(-p) computed once by the caller: the same
    draw and the same value as numba's Generator.geometric (inversion below 1/3, which
    takes the logarithm on every call, search above)."""
    if p >= 0.333333333333333333333333:
        return rng.geometric(p)
    return np.int64(np.ceil(-rng.standard_exponential() / log1m_p))


@njit(cache=_CACHE)
def arise(need_kind, need_wait, need_channel, group, cum_rates, rmax, rng):
    """Needs arise: resident i with no open need raises kind k with chance rate[g_i, k].

    Skips through residents with Geometric(rmax) gaps; a visited free resident
    draws u ~ U(0, rmax) and raises the first kind k with u < cum_rates[g, k].
    Returns the indices of the residents who raised a need.
    """
    n = need_kind.size
    out = np.empty(max(16, int(rmax * n * 1.2) + 64), dtype=np.int64)
    count = 0
    if rmax <= 0.0:
        return out[:0]
    n_kinds = cum_rates.shape[1]
    log1m = np.log1p(-rmax) if rmax < 1.0 else 0.0
    i = -1
    while True:
        i += _geometric(rng, rmax, log1m) if rmax < 1.0 else 1
        if i >= n:
            break
        if need_kind[i] >= 0:
            continue
        g = group[i]
        u = rng.random() * rmax
        if u < cum_rates[g, n_kinds - 1]:
            k = 0
            while u >= cum_rates[g, k]:
                k += 1
            need_kind[i] = k
            need_wait[i] = 0
            need_channel[i] = -1
            out = _grow(out, count)
            out[count] = i
            count += 1
    return out[:count]


@njit(cache=_CACHE)
def bring_forward(idx, need_kind, need_channel, committee, trust, awareness, reach,
                  base, w_trust, w_aware, w_org, rng):
    """Open needs (among ``idx``) not yet brought forward are brought with chance
    base + w_trust*trust + w_aware*awareness (clipped to [0, 1]); a brought need
    goes to an organization with chance w_org*awareness*reach[committee, kind],
    else to the committee. Returns how many were brought forward."""
    brought = 0
    for j in range(idx.size):
        i = idx[j]
        k = need_kind[i]
        if k < 0 or need_channel[i] >= 0:
            continue
        p = base + w_trust * trust[i] + w_aware * awareness[i]
        if rng.random() < p:
            to_org = rng.random() < w_org * awareness[i] * reach[committee[i], k]
            need_channel[i] = 1 if to_org else 0
            brought += 1
    return brought


@njit(cache=_CACHE)
def open_needs(idx, need_kind, need_channel, need_wait, committee, n_kinds):
    """Cells (committee*n_kinds + kind), channels and waits of the open needs ``idx``."""
    m = idx.size
    cell = np.empty(m, np.int64)
    ch = np.empty(m, np.int8)
    wait = np.empty(m, np.int64)
    for j in range(m):
        i = idx[j]
        cell[j] = np.int64(committee[i]) * n_kinds + need_kind[i]
        ch[j] = need_channel[i]
        wait[j] = need_wait[i]
    return cell, ch, wait


@njit(cache=_CACHE)
def channel_needs(idx, cell, ch, wait, channel, n_cells):
    """The open needs brought to one channel: (indices, cells, waits) in the order of
    ``idx``, and the demand (needs per cell), from the arrays ``open_needs`` returns
    (one pass instead of a boolean mask, three selections and a bincount)."""
    m = idx.size
    count = 0
    for j in range(m):
        count += ch[j] == channel
    sel_idx = np.empty(count, np.int64)
    sel_cell = np.empty(count, np.int64)
    sel_wait = np.empty(count, np.int64)
    demand = np.zeros(n_cells, np.int64)
    k = 0
    for j in range(m):
        if ch[j] == channel:
            c = cell[j]
            sel_idx[k] = idx[j]
            sel_cell[k] = c
            sel_wait[k] = wait[j]
            demand[c] += 1
            k += 1
    return sel_idx, sel_cell, sel_wait, demand


@njit(cache=_CACHE)
def split_open_needs(idx, need_kind, need_channel, need_wait, committee, n_kinds, ch_a, ch_b, out_a, out_b, demand):
    """The open needs ``idx`` split over two channels ``ch_a`` != ``ch_b`` in one pass.

    A need's cell is committee*n_kinds + kind. Fills ``out_a[0:3, :n_a]`` = indices, cells
    and waits of the needs brought to ch_a, in the order of ``idx`` (and ``out_b`` for
    ch_b); ``demand[0]`` and ``demand[1]`` (zeros on entry) += needs per cell of each
    channel, ``demand[2]`` += all the needs ``idx`` per cell. Returns (n_a, n_b). Replaces
    ``open_needs`` followed by ``channel_needs`` for each channel (the same arrays, without
    the intermediate cell, channel and wait arrays or a second pass). The caller allocates
    the outputs (``out_a`` and ``out_b`` as long as ``idx``): numpy backs large arrays with
    huge pages, so writing fresh ones costs a few page faults instead of thousands."""
    na = 0
    nb = 0
    for j in range(idx.size):
        i = idx[j]
        c = np.int64(committee[i]) * n_kinds + need_kind[i]
        demand[2, c] += 1
        ch = need_channel[i]
        if ch == ch_a:
            out_a[0, na] = i
            out_a[1, na] = c
            out_a[2, na] = need_wait[i]
            demand[0, c] += 1
            na += 1
        elif ch == ch_b:
            out_b[0, nb] = i
            out_b[1, nb] = c
            out_b[2, nb] = need_wait[i]
            demand[1, c] += 1
            nb += 1
    return na, nb


@njit(cache=_CACHE)
def count_by_group(idx, group, n_groups):
    """Residents ``idx`` counted by group (replaces ``np.bincount(group[idx], minlength=n_groups)``:
    a gather and a bincount over an int64 copy)."""
    by_g = np.zeros(n_groups, np.int64)
    for j in range(idx.size):
        by_g[group[idx[j]]] += 1
    return by_g


@njit(cache=_CACHE)
def met_by_group(idx, group, need_wait, n_groups):
    """Met needs ``idx`` counted by group, and their waits summed by group in index order, one
    pass (replaces the gathers ``group[idx]``, ``need_wait[idx]`` and two bincounts; the sums
    are the same chain of additions as ``np.bincount(g, weights=wait)``)."""
    by_g = np.zeros(n_groups, np.int64)
    wait_g = np.zeros(n_groups, np.float64)
    for j in range(idx.size):
        i = idx[j]
        g = group[i]
        by_g[g] += 1
        wait_g[g] += np.float64(need_wait[i])
    return by_g, wait_g


@njit(cache=_CACHE)
def lapsed_cells(idx, kinds, start, n_kinds, n_cells):
    """Lapsed needs ``idx`` (kinds ``kinds``) per cell committee*n_kinds + kind (replaces
    ``np.bincount(committee[idx].astype(np.int64) * n_kinds + kinds, minlength=n_cells)``).

    Residents are contiguous by committee (committee c holds start[c] to start[c+1] - 1), so
    for ascending ``idx`` the committee is found by walking along ``start`` instead of
    reading the residents' committees; an index below the current committee's start (not
    ascending) is found by a binary search."""
    out = np.zeros(n_cells, np.int64)
    c = 0
    for j in range(idx.size):
        i = idx[j]
        if i < start[c]:
            c = np.searchsorted(start, i, side="right") - 1
        while i >= start[c + 1]:
            c += 1
        out[np.int64(c) * n_kinds + kinds[j]] += 1
    return out


@njit(cache=_CACHE)
def match(need_idx, need_cell, need_wait, row_cell, row_cap, n_cells, max_wait, rng):
    """Serve needs cell by cell, longest-waiting first, up to the cell's capacity.

    row_cell must be sorted (rows of a cell contiguous); row_cap are integer
    capacities. In the bucket of needs with the wait where capacity runs out,
    the served ones are a uniformly random subset (selection sampling). Each
    served need goes to one of its cell's rows with chance proportional to the
    row's remaining capacity (a random order of service). Returns
    (served indices, their rows, needs met per row).
    """
    n_rows = row_cell.size
    used = np.zeros(n_rows, np.int64)
    m = need_idx.size
    served = np.empty(m, np.int64)
    srow = np.empty(m, np.int64)
    if m == 0 or n_rows == 0:
        return served[:0], srow[:0], used
    w_n = max_wait + 2
    cap_cell = np.zeros(n_cells, np.int64)
    first = np.full(n_cells, -1, np.int64)
    last = np.full(n_cells, -1, np.int64)
    for r in range(n_rows):
        c = row_cell[r]
        cap_cell[c] += row_cap[r]
        if first[c] < 0:
            first[c] = r
        last[c] = r
    hist = np.zeros((n_cells, w_n), np.int64)
    for j in range(m):
        w = min(need_wait[j], w_n - 1)
        hist[need_cell[j], w] += 1
    take = np.zeros((n_cells, w_n), np.int64)
    for c in range(n_cells):
        room = cap_cell[c]
        if room == 0:
            continue
        for w in range(w_n - 1, -1, -1):
            t = min(hist[c, w], room)
            take[c, w] = t
            room -= t
            if room == 0:
                break
    left_rows = row_cap.copy()
    left_cell = np.zeros(n_cells, np.int64)
    for c in range(n_cells):
        for w in range(w_n):
            left_cell[c] += take[c, w]
    count = 0
    for j in range(m):
        c = need_cell[j]
        w = min(need_wait[j], w_n - 1)
        t = take[c, w]
        if t == 0:
            hist[c, w] -= 1
            continue
        h = hist[c, w]
        serve = t == h or rng.random() * h < t
        hist[c, w] = h - 1
        if not serve:
            continue
        take[c, w] = t - 1
        # pick a row of the cell in proportion to its remaining capacity
        total = 0
        for r in range(first[c], last[c] + 1):
            total += left_rows[r]
        x = rng.random() * total
        acc = 0.0
        row = last[c]
        for r in range(first[c], last[c] + 1):
            acc += left_rows[r]
            if x < acc:
                row = r
                break
        left_rows[row] -= 1
        used[row] += 1
        served[count] = need_idx[j]
        srow[count] = row
        count += 1
    return served[:count], srow[:count], used


@njit(cache=_CACHE)
def resolve_met(idx, quality, by_org, need_kind, need_wait, need_channel, satisfaction, trust, awareness,
                wait_penalty, sat_step, trust_step, aware_gain):
    """Met needs ``idx`` (distinct residents) close: experienced quality
    q = clip(quality - wait_penalty*wait, 0, 1) as float32; satisfaction += sat_step*(q -
    satisfaction); trust likewise with trust_step where the need was brought to the
    committee; awareness += aware_gain*(1 - awareness) where an organization met it (by_org).

    The steps must be float32: the updates are float32 arithmetic, exactly as the numpy
    expressions on float32 arrays with Python-float coefficients they replace."""
    one = np.float32(1.0)
    for j in range(idx.size):
        i = idx[j]
        x = quality[j] - wait_penalty * need_wait[i]
        if x < 0.0:
            x = 0.0
        elif x > 1.0:
            x = 1.0
        q = np.float32(x)
        s = satisfaction[i]
        satisfaction[i] = s + sat_step * (q - s)
        if need_channel[i] == 0:
            t = trust[i]
            trust[i] = t + trust_step * (q - t)
        if by_org[j]:
            a = awareness[i]
            awareness[i] = a + aware_gain * (one - a)
        need_kind[i] = -1
        need_wait[i] = 0
        need_channel[i] = -1


@njit(cache=_CACHE)
def wait_or_lapse(idx, need_kind, need_wait, need_channel, satisfaction, trust,
                  lapse_rate, max_wait, sat_keep, trust_keep, rng):
    """Open needs (among ``idx``) wait a month more; each lapses with lapse_rate or surely
    at max_wait. A lapse scales satisfaction by sat_keep, and trust by trust_keep when the
    need was brought to the committee. Returns (lapsed indices, their kinds, indices of
    the needs among ``idx`` still open)."""
    out = np.empty(max(64, idx.size // 4), np.int64)
    kinds = np.empty(out.size, np.int8)
    count = 0
    still = np.empty(idx.size, np.int64)
    n_still = 0
    for j in range(idx.size):
        i = idx[j]
        k = need_kind[i]
        if k < 0:
            continue
        w = need_wait[i] + 1
        need_wait[i] = w
        if rng.random() < lapse_rate or w >= max_wait:
            satisfaction[i] *= sat_keep
            if need_channel[i] == 0:
                trust[i] *= trust_keep
            if count >= out.size:
                out = _grow(out, count)
                nk = np.empty(out.size, np.int8)
                nk[:count] = kinds[:count]
                kinds = nk
            out[count] = i
            kinds[count] = k
            count += 1
            need_kind[i] = -1
            need_wait[i] = 0
            need_channel[i] = -1
        else:
            still[n_still] = i
            n_still += 1
    return out[:count], kinds[:count], still[:n_still]


@njit(cache=_CACHE)
def merge_sorted(a, b):
    """The ascending union of two ascending arrays with no index in common."""
    out = np.empty(a.size + b.size, np.int64)
    i = 0
    j = 0
    k = 0
    while i < a.size and j < b.size:
        if a[i] < b[j]:
            out[k] = a[i]
            i += 1
        else:
            out[k] = b[j]
            j += 1
        k += 1
    while i < a.size:
        out[k] = a[i]
        i += 1
        k += 1
    while j < b.size:
        out[k] = b[j]
        j += 1
        k += 1
    return out


@njit(cache=_CACHE)
def is_open_index(idx, need_kind):
    """Whether ``idx`` is exactly the ascending indices of the open needs (need_kind >= 0):
    strictly ascending, every entry open, and as many entries as open needs."""
    for j in range(idx.size):
        i = idx[j]
        if i < 0 or i >= need_kind.size or need_kind[i] < 0 or (j > 0 and i <= idx[j - 1]):
            return False
    n_open = 0
    for i in range(need_kind.size):
        n_open += need_kind[i] >= 0
    return n_open == idx.size


@njit(cache=_CACHE)
def neighbour_share(values, start, size, offsets, c, local):
    """Mean of ``values`` over the ties of a resident (local index ``local`` in committee c):
    the residents local +- o for each of the committee's offsets o (a circulant graph)."""
    s = size[c]
    h = offsets.shape[1]
    if s <= 1 or h == 0:
        return 0.0
    base = start[c]
    tot = 0.0
    for j in range(h):
        o = offsets[c, j]
        tot += values[base + (local + o) % s]
        tot += values[base + (local - o + s) % s]
    return tot / (2 * h)


@njit(cache=_CACHE)
def participation(participating, volunteer, group, committee, satisfaction, start, size, offsets,
                  projects, base, bias, bias_groups, peer, sat_coef, pull, publicity, quit_rate,
                  volunteer_share, rng):
    """Joining and quitting (synchronous: chances from the state before anyone changes).

    A non-participant joins with chance base*(1+bias if in bias_groups) + peer*share of
    participating ties + sat_coef*max(satisfaction-0.5, 0) + pull*(committee runs
    projects) + publicity; a participant quits with quit_rate; a joiner volunteers with
    volunteer_share. Candidates are found by geometric skipping with thinning.
    Returns (joins, quits).
    """
    n = participating.size
    bound = base * (1.0 + bias) + peer + sat_coef * 0.5 + pull + publicity
    joins = np.empty(64, np.int64)
    vol = np.empty(64, np.bool_)
    nj = 0
    if bound > 0.0:
        b = min(bound, 1.0)
        log1m = np.log1p(-b) if b < 1.0 else 0.0
        i = -1
        while True:
            i += _geometric(rng, b, log1m) if b < 1.0 else 1
            if i >= n:
                break
            if participating[i]:
                continue
            c = committee[i]
            g = group[i]
            p = base * (1.0 + bias if bias_groups[g] else 1.0)
            p += peer * neighbour_share(participating, start, size, offsets, c, i - start[c])
            d = satisfaction[i] - 0.5
            if d > 0.0:
                p += sat_coef * d
            if projects[c] > 0:
                p += pull
            p += publicity
            if rng.random() * b < p:
                joins = _grow(joins, nj)
                if nj >= vol.size:
                    nv = np.empty(joins.size, np.bool_)
                    nv[:nj] = vol[:nj]
                    vol = nv
                joins[nj] = i
                vol[nj] = rng.random() < volunteer_share
                nj += 1
    quits = np.empty(64, np.int64)
    nq = 0
    if quit_rate > 0.0:
        log1m = np.log1p(-quit_rate) if quit_rate < 1.0 else 0.0
        i = -1
        while True:
            i += _geometric(rng, quit_rate, log1m) if quit_rate < 1.0 else 1
            if i >= n:
                break
            if participating[i]:
                quits = _grow(quits, nq)
                quits[nq] = i
                nq += 1
    for j in range(nq):
        participating[quits[j]] = False
        volunteer[quits[j]] = False
    for j in range(nj):
        participating[joins[j]] = True
        volunteer[joins[j]] = vol[j]
    return nj, nq


@njit(cache=_CACHE)
def _aware_update(a, mean, gain, decay, push):
    """One resident's awareness after word of mouth (towards the committee mean, only
    upwards), decay and publicity, clipped to [0, 1]."""
    d = mean - a
    a = a + (gain * d if d > 0.0 else 0.0) - decay * a + push * (1.0 - a)
    if a < 0.0:
        a = 0.0
    elif a > 1.0:
        a = 1.0
    return a


@njit(cache=_CACHE)
def awareness_step(awareness, start, gain, decay, push):
    """Word of mouth within each committee area, decay and publicity:
    a += gain*max(mean_c - a, 0) - decay*a + push*(1 - a), clipped to [0, 1],
    with mean_c the committee's mean awareness before the step.

    The mean of the next committee is summed in the same loop that updates this one:
    each sum is still one chain of additions in index order (so the same value), but its
    latency now overlaps the updates instead of adding to them."""
    n_com = start.size - 1
    if n_com == 0:
        return
    tot = 0.0
    for i in range(start[0], start[1]):
        tot += awareness[i]
    for c in range(n_com):
        lo = start[c]
        hi = start[c + 1]
        n_here = hi - lo
        n_next = start[c + 2] - hi if c + 1 < n_com else 0
        mean = tot / n_here if n_here > 0 else 0.0
        tot_next = 0.0
        both = min(n_here, n_next)
        for k in range(both):
            awareness[lo + k] = _aware_update(awareness[lo + k], mean, gain, decay, push)
            tot_next += awareness[hi + k]
        for k in range(both, n_here):
            awareness[lo + k] = _aware_update(awareness[lo + k], mean, gain, decay, push)
        for k in range(both, n_next):
            tot_next += awareness[hi + k]
        tot = tot_next


@njit(cache=_CACHE)
def _states_out_of_range(satisfaction, trust, awareness):
    """How many of the residents' satisfaction, trust and awareness values are outside
    [0, 1] or NaN (a branch-free loop the compiler vectorises)."""
    bad = 0
    for i in range(satisfaction.size):
        s = satisfaction[i]
        t = trust[i]
        a = awareness[i]
        bad += (not (s >= 0.0)) + (not (s <= 1.0)) + (not (t >= 0.0)) + (not (t <= 1.0)) \
            + (not (a >= 0.0)) + (not (a <= 1.0))
    return bad


@njit(cache=_CACHE)
def _stale_needs_and_lone_volunteers(need_kind, need_wait, need_channel, volunteer, participating):
    """(closed needs that keep wait or channel state, volunteers who do not participate),
    counted in a branch-free loop the compiler vectorises."""
    stale = 0
    lone = 0
    for i in range(need_kind.size):
        stale += (need_kind[i] < 0) & ((need_wait[i] != 0) | (need_channel[i] != -1))
        lone += volunteer[i] & ~participating[i]
    return stale, lone


@njit(cache=_CACHE)
def tallies(group, start, satisfaction, trust, awareness, participating, volunteer,
            need_kind, need_wait, need_channel, n_groups):
    """One pass for the sums by group and by committee, and the residents' invariants.

    Returns (by_group[n_groups, 4]: count, satisfaction, trust, participating;
    by_committee[n_com, 4]: satisfaction, trust, participating, open needs;
    totals[3]: participating, volunteers, open needs; bad: 0 if all invariants hold,
    else a code: 1 state outside [0, 1] or NaN, 2 closed need with state, 3 volunteer
    not participating).

    Every float sum adds its residents in index order, as one loop would. The invariants
    are counted in two separate branch-free loops (vectorised, a few ms at city scale):
    tested inside the summing loop they kept it from being compiled tightly and cost
    more than the sums themselves."""
    n_com = start.size - 1
    by_g = np.zeros((n_groups, 4))
    by_c = np.zeros((n_com, 4))
    totals = np.zeros(3)
    for c in range(n_com):
        ss = 0.0
        tt = 0.0
        pp = 0
        oo = 0
        vv = 0
        for i in range(start[c], start[c + 1]):
            s = satisfaction[i]
            t = trust[i]
            part = participating[i]
            g = group[i]
            by_g[g, 0] += 1.0
            by_g[g, 1] += s
            by_g[g, 2] += t
            by_g[g, 3] += part
            ss += s
            tt += t
            pp += part
            oo += need_kind[i] >= 0
            vv += volunteer[i]
        by_c[c, 0] = ss
        by_c[c, 1] = tt
        by_c[c, 2] = pp
        by_c[c, 3] = oo
        totals[0] += pp
        totals[1] += vv
        totals[2] += oo
    out_of_range = _states_out_of_range(satisfaction, trust, awareness)
    stale, lone_volunteer = _stale_needs_and_lone_volunteers(need_kind, need_wait, need_channel, volunteer,
                                                            participating)
    bad = 1 if out_of_range else (2 if stale else (3 if lone_volunteer else 0))
    return by_g, by_c, totals, bad
