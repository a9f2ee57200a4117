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

Three lessons measured at city scale shape the loops (see docs/performance.md):
loops over a committee's slice from 0 vectorise where loops from ``start[c]``
do not; arrays allocated with numpy (huge pages) are cheaper to fill than
arrays allocated inside a kernel; and small helpers shared between hot
kernels, even inlined, slowed them (hence one kernel with switches, not two).

Layout, in the order of a month:

* helpers: ``_grow``, ``_geometric`` (capped geometric gaps);
* world building: ``store_by_group`` (residents stored by group per committee);
  ``regroup_order`` (the order that stores them by group again after some changed
  group: ``ageing``; it returns an order instead of writing labels, so the world's
  first draw, at city scale, needs no order array);
* needs (phase 5): ``arise``; ``bring_forward_and_split`` (bring forward and/or
  split open needs by channel); ``count_by_group``, ``met_by_group``,
  ``count_by_group_kind``, ``count_by_type_group``, ``lapsed_cells`` (the recorder's and
  streets' counts); ``turn_away`` (needs a committee may not serve); ``match``;
  ``resolve_met``; ``wait_or_lapse``; ``merge_sorted`` and ``is_open_index``
  (the open-needs index kept between months);
* participation and awareness (phase 9): ``_tie``, ``neighbour_share`` (the tie
  cycle), ``_touch``, ``_add_join``, ``participation``; ``_sum4``,
  ``awareness_step``;
* yearly: ``votes`` (elections), ``count_flags_per_committee``;
* record (phase 10): ``_states_out_of_range``,
  ``_stale_needs_and_lone_volunteers``, ``_run_sums``, ``tallies``.
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
    takes the logarithm on every call, search above), capped at 2**62."""
    if p >= 0.333333333333333333333333:
        return rng.geometric(p)
    x = np.ceil(-rng.standard_exponential() / log1m_p)
    # a vanishing p gives gaps beyond any array (even inf): cap them at 2**62, which
    # still ends every pass and cannot overflow when added to an index
    return np.int64(x) if x < 4611686018427387904.0 else np.int64(4611686018427387904)


@njit(cache=_CACHE)
def store_by_group(drawn, start, n_groups):
    """Residents' groups stored by group within each committee: returns (group, group_start)
    where committee c's residents of group g are rows group_start[c, g]:group_start[c, g+1]
    (the counts per committee and group are those of ``drawn``)."""
    n_com = start.size - 1
    group_start = np.empty((n_com, n_groups + 1), np.int64)
    group = np.empty(drawn.size, np.int8)
    counts = np.zeros(n_groups, np.int64)
    for c in range(n_com):
        counts[:] = 0
        for i in range(start[c], start[c + 1]):
            counts[drawn[i]] += 1
        at = start[c]
        for g in range(n_groups):
            group_start[c, g] = at
            for i in range(at, at + counts[g]):
                group[i] = g
            at += counts[g]
        group_start[c, n_groups] = at
    return group, group_start


@njit(cache=_CACHE)
def regroup_order(group, start, n_groups):
    """The order that stores residents by group within each committee again after some
    changed group: returns (order, group_start), the residents' old indices in their new
    places (each committee's residents stay in its rows; within a group they keep their
    order) and the new runs."""
    n_com = start.size - 1
    order = np.empty(group.size, np.int64)
    group_start = np.empty((n_com, n_groups + 1), np.int64)
    counts = np.zeros(n_groups, np.int64)
    pos = np.zeros(n_groups, np.int64)
    for c in range(n_com):
        counts[:] = 0
        for i in range(start[c], start[c + 1]):
            counts[group[i]] += 1
        at = start[c]
        for g in range(n_groups):
            group_start[c, g] = at
            pos[g] = at
            at += counts[g]
        group_start[c, n_groups] = at
        for i in range(start[c], start[c + 1]):
            order[pos[group[i]]] = i
            pos[group[i]] += 1
    return order, group_start


@njit(cache=_CACHE)
def arise(need_kind, group_start, ctype, cum_rates, rng, out):
    """Needs arise: resident i with no open need raises kind k with chance rate[t, g_i, k],
    t = ctype[c] the community type of its committee c.

    Residents of a committee are stored by group (``group_start``), so within the run of
    group g candidates are visited with Geometric(r) gaps, r = cum_rates[t, g, -1] the
    group's total rate in the committee's type; a visited free resident draws u ~ U(0, r)
    and raises the first kind k with u < cum_rates[t, g, k]. Returns the indices of the
    residents who raised a need, ascending: in ``out`` (allocated by the caller with numpy,
    whose large arrays use huge pages) unless it fills up, then in a larger copy.
    """
    n_com = group_start.shape[0]
    n_types = cum_rates.shape[0]
    n_groups = group_start.shape[1] - 1
    n_kinds = cum_rates.shape[2]
    count = 0
    log1m = np.empty((n_types, n_groups))
    for t in range(n_types):
        for g in range(n_groups):
            rg = cum_rates[t, g, n_kinds - 1]
            log1m[t, g] = np.log1p(-rg) if 0.0 < rg < 1.0 else 0.0
    for c in range(n_com):
        t = ctype[c]
        for g in range(n_groups):
            rg = cum_rates[t, g, n_kinds - 1]
            if rg <= 0.0:
                continue
            lm = log1m[t, g]
            hi = group_start[c, g + 1]
            i = group_start[c, g] - 1
            while True:
                i += _geometric(rng, rg, lm) if rg < 1.0 else 1
                if i >= hi:
                    break
                if need_kind[i] >= 0:
                    continue
                u = rng.random() * rg
                k = 0
                while k < n_kinds - 1 and u >= cum_rates[t, g, k]:
                    k += 1
                # a closed need keeps wait 0 and channel -1 (an invariant the tallies
                # check), so only the kind is written
                need_kind[i] = k
                out = _grow(out, count)
                out[count] = i
                count += 1
    return out[:count]


@njit(cache=_CACHE)
def bring_forward_and_split(idx, need_kind, need_channel, need_wait, start, trust, awareness, reach,
                            base, w_trust, w_aware, w_org, rng, decide, split, n_kinds, ch_a, ch_b,
                            out_a, out_b, demand):
    """One pass over the open needs ``idx`` (ascending): bring needs forward (``decide``),
    then split them by channel (``split``); either step can be left out.

    Bringing forward: a need not yet brought forward is brought with chance
    p = base + w_trust*trust + w_aware*awareness (clipped to [0, 1]) and then goes to an
    organization with chance w_org*awareness*reach[committee, kind], else to the committee.
    One uniform u per need decides both: brought when u < p, then to an organization when
    u/p is below the organization chance (u/p is uniform given u < p).

    Splitting: a need's cell is committee*n_kinds + kind. Fills ``out_a[0:3, :n_a]`` =
    indices, cells and waits of the needs brought to ch_a, in the order of ``idx`` (and
    ``out_b`` for ch_b); ``demand[0]`` and ``demand[1]`` (zeros on entry) += needs per cell
    of each channel, ``demand[2]`` += all the needs per cell. The caller allocates the
    outputs (as long as ``idx``; empty when not splitting): numpy backs large arrays with
    huge pages, so writing fresh ones costs a few page faults instead of thousands.

    The committee is followed along the ascending indices (``start``) instead of being read
    per resident. Returns (brought, n_a, n_b). One kernel for both steps, because helper
    functions shared between two kernels cost this hot loop almost half its speed."""
    brought = 0
    na = 0
    nb = 0
    c = 0
    for j in range(idx.size):
        i = idx[j]
        while i >= start[c + 1]:
            c += 1
        k = need_kind[i]
        if k < 0:
            continue
        ch = need_channel[i]
        if decide and ch < 0:
            a = awareness[i]
            p = base + w_trust * trust[i] + w_aware * a
            u = rng.random()
            if u < p:
                # given u < p, u / p is uniform on (0, 1) and independent of the decision to
                # bring the need forward: it decides the channel without a second draw
                to_org = (u / p if p < 1.0 else u) < w_org * a * reach[c, k]
                ch = 1 if to_org else 0
                need_channel[i] = ch
                brought += 1
        if not split:
            continue
        cell = c * n_kinds + k
        demand[2, cell] += 1
        if ch == ch_a:
            out_a[0, na] = i
            out_a[1, na] = cell
            out_a[2, na] = need_wait[i]
            demand[0, cell] += 1
            na += 1
        elif ch == ch_b:
            out_b[0, nb] = i
            out_b[1, nb] = cell
            out_b[2, nb] = need_wait[i]
            demand[1, cell] += 1
            nb += 1
    return brought, na, nb


@njit(cache=_CACHE)
def count_by_group(idx, group, n_groups):
    """Residents ``idx`` counted by group, in one pass without a gather or an int64 copy; equals
    ``np.bincount(group[idx], minlength=n_groups)`` (tested)."""
    by_g = np.zeros(n_groups, np.int64)
    for j in range(idx.size):
        by_g[group[idx[j]]] += 1
    return by_g


@njit(cache=_CACHE)
def met_by_group(idx, group, need_wait, n_groups):
    """Met needs ``idx`` counted by group, and their waits summed by group in index order, in one
    pass without gathers; equals ``np.bincount(group[idx], minlength=n_groups)`` and, bit for bit
    (the same chain of additions),
    ``np.bincount(group[idx], weights=need_wait[idx].astype(np.float64), minlength=n_groups)`` (tested)."""
    by_g = np.zeros(n_groups, np.int64)
    wait_g = np.zeros(n_groups, np.float64)
    for j in range(idx.size):
        i = idx[j]
        g = group[i]
        by_g[g] += 1
        wait_g[g] += np.float64(need_wait[i])
    return by_g, wait_g


@njit(cache=_CACHE)
def count_by_group_kind(idx, group, kinds, n_groups, n_kinds):
    """Needs of residents ``idx`` (of kinds ``kinds``, aligned with ``idx``) counted per group and kind,
    in one pass; equals ``np.bincount(group[idx] * n_kinds + kinds, minlength=n_groups * n_kinds)``
    reshaped to (n_groups, n_kinds) (tested)."""
    out = np.zeros((n_groups, n_kinds), np.int64)
    for j in range(idx.size):
        out[group[idx[j]], kinds[j]] += 1
    return out


@njit(cache=_CACHE)
def count_by_type_group(idx, committee, ctype, group, kinds, weights, n_groups, n_codes, weighted):
    """Needs of residents ``idx`` counted per (community type of their committee, group), code
    ``ctype[committee] * n_groups + group``, in one pass; with ``weighted``, also the weights of
    their kinds (``weights[kinds]``, ``kinds`` aligned with ``idx``) summed per code in index
    order. Equals ``np.bincount(code, minlength=n_codes)`` and, bit for bit,
    ``np.bincount(code, weights=weights[kinds], minlength=n_codes)`` (tested). Returns
    (counts, weighted sums; zeros without ``weighted``)."""
    counts = np.zeros(n_codes, np.int64)
    sums = np.zeros(n_codes, np.float64)
    for j in range(idx.size):
        i = idx[j]
        code = ctype[committee[i]] * n_groups + group[i]
        counts[code] += 1
        if weighted:
            sums[code] += weights[kinds[j]]
    return counts, sums


@njit(cache=_CACHE)
def turn_away(idx, cells, waits, group, need_kind, only, turned_group, demand, out_idx, out_cells, out_waits):
    """The needs (``idx``, ``cells``, ``waits``) kept when those of residents of group
    ``turned_group`` whose kind is flagged in ``only`` are turned away: the kept ones are written
    in order to ``out_idx``/``out_cells``/``out_waits`` and the turned-away ones taken off
    ``demand`` (per cell). Returns how many were kept. Equals the numpy selection
    ``away = (group[idx] == turned_group) & only[need_kind[idx]]`` (tested)."""
    n = 0
    for j in range(idx.size):
        i = idx[j]
        if group[i] == turned_group and only[need_kind[i]]:
            demand[cells[j]] -= 1
        else:
            out_idx[n] = i
            out_cells[n] = cells[j]
            out_waits[n] = waits[j]
            n += 1
    return n


@njit(cache=_CACHE)
def lapsed_cells(idx, kinds, start, n_kinds, n_cells):
    """Lapsed needs ``idx`` (kinds ``kinds``) per cell committee*n_kinds + kind; equals
    ``np.bincount(committee[idx].astype(np.int64) * n_kinds + kinds, minlength=n_cells)`` (tested).

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
                  lapse_rate, max_wait, sat_keep, trust_keep, rng, out, kinds, still):
    """Open needs (among ``idx``) wait a month more; each lapses with lapse_rate or surely
    at max_wait. A lapse scales satisfaction by sat_keep, and trust by trust_keep when the
    need was brought to the committee. Writes the lapsed indices and their kinds to ``out``
    and ``kinds``, and the indices of the needs among ``idx`` still open to ``still``
    (each at least idx.size long, allocated by the caller: numpy's large allocations
    use huge pages, numba's fault in page by page); returns (lapsed, still open) counts.

    The needs that lapse by chance are found by geometric skipping over the positions of
    ``idx`` (a position holding a closed need draws nothing more), so there is one draw
    per lapse rather than one per open need. The lapses are applied in a second loop (their
    rows are scattered; there, the memory reads of one lapse do not wait on the branches of
    another): 24.5 -> 15.4 ms at city scale."""
    count = 0
    n_still = 0
    skip = 0.0 < lapse_rate < 1.0
    log1m = np.log1p(-lapse_rate) if skip else 0.0
    if lapse_rate <= 0.0:
        nxt = idx.size
    elif skip:
        nxt = _geometric(rng, lapse_rate, log1m) - 1
    else:
        nxt = 0
    # 1. one pass over the index: waits, the needs still open, and which lapse
    for j in range(idx.size):
        i = idx[j]
        chance = j == nxt
        if chance:
            nxt += _geometric(rng, lapse_rate, log1m) if skip else 1
        k = need_kind[i]
        if k < 0:
            continue
        w = need_wait[i] + 1
        if chance or w >= max_wait:
            out[count] = i
            kinds[count] = k
            count += 1
        else:
            need_wait[i] = w
            still[n_still] = i
            n_still += 1
    # 2. the lapses, in a loop of their own: their rows are scattered, and here the reads
    # of one do not wait on the branches of another
    for j in range(count):
        i = out[j]
        satisfaction[i] *= sat_keep
        if need_channel[i] == 0:
            trust[i] *= trust_keep
        need_kind[i] = -1
        need_wait[i] = 0
        need_channel[i] = -1
    return count, n_still


@njit(cache=_CACHE)
def merge_sorted(a, b, out):
    """The ascending union of two ascending arrays with no index in common, written to
    ``out`` (a.size + b.size long) and returned."""
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
def _tie(start, size, offsets, tie_pos, tie_at, c, local, t):
    """Row index of tie t (0 <= t < 2*offsets.shape[1]) of the resident ``local`` of
    committee c: the resident at position q + o (t even) or q - o (t odd) of the committee's
    tie cycle, q the resident's own position and o = offsets[c, t // 2]."""
    s = size[c]
    base = start[c]
    q = np.int64(tie_pos[base + local])
    o = offsets[c, t >> 1]
    if t & 1:
        q -= o
        if q < 0:
            q += s
    else:
        q += o
        if q >= s:
            q -= s
    return base + np.int64(tie_at[base + q])


@njit(cache=_CACHE)
def neighbour_share(values, start, size, offsets, tie_pos, tie_at, c, local):
    """Mean of ``values`` over the 2*offsets.shape[1] ties of the resident ``local`` of
    committee c (0 without ties)."""
    h = offsets.shape[1]
    if size[c] <= 1 or h == 0:
        return 0.0
    tot = 0.0
    for t in range(2 * h):
        tot += values[_tie(start, size, offsets, tie_pos, tie_at, c, local, t)]
    return tot / (2 * h)


@njit(cache=_CACHE)
def _touch(tie_at, participating, lo, hi):
    """Read a committee's tie cycle and participation rows in order (one streamed pass) so
    that the random tie lookups that follow find them in cache instead of each waiting on
    memory; returns a checksum that the caller keeps (so the reads are not dropped)."""
    at = tie_at[lo:hi]
    part = participating[lo:hi]
    acc = 0
    for k in range(at.size):
        acc += np.int64(at[k]) + part[k]
    return acc


@njit(cache=_CACHE)
def _add_join(joins, vol, nj, i, volunteers):
    """Append a joiner (and whether they volunteer) to the growing buffers."""
    joins = _grow(joins, nj)
    if nj >= vol.size:
        nv = np.empty(joins.size, np.bool_)
        nv[:nj] = vol[:nj]
        vol = nv
    joins[nj] = i
    vol[nj] = volunteers
    return joins, vol


@njit(cache=_CACHE)
def participation(participating, volunteer, group_start, satisfaction, start, size, offsets, tie_pos, tie_at,
                  projects, base, bias, bias_groups, peer, sat_coef, pull, publicity, quit_rate,
                  volunteer_share, rng):
    """Joining and quitting (synchronous: chances from the state before anyone changes).

    A non-participant of group g joins with chance a_g + sat_coef*max(satisfaction-0.5, 0)
    + peer*(share of participating ties), where a_g = base[c]*(1+bias if g in bias_groups)
    + pull*(committee runs projects) + publicity; a participant quits with quit_rate; a
    joiner volunteers with volunteer_share.

    Joins, run by run (a committee's residents of one group, ``group_start``): with
    b = a_g + sat_coef/2 + peer, residents are visited with Geometric(b) gaps and draw
    u ~ U(0, b). u < a_g: the resident joins; a_g <= u < a_g + sat_coef/2: it joins if
    u - a_g < sat_coef*max(satisfaction-0.5, 0); above, u falls in one of 2h equal
    segments of width peer/(2h), one per tie, and it joins if that tie participates. So a
    visited resident joins with chance (its whole chance)/b, and reads its satisfaction
    or one tie only when its draw needs them. (Where b >= 1 every resident of the run is
    visited and draws once against the whole chance.) A run's visited residents are
    drawn first and the ties they look at then read in loops without branches, so that
    the memory reads overlap; each committee's tie cycle and participation rows are first
    read in order (``_touch``), so that those lookups find them in cache. Quits:
    Geometric(quit_rate) gaps over all residents. Returns (joins, quits, checksum of the
    touched rows).
    """
    n = participating.size
    n_com = start.size - 1
    n_groups = group_start.shape[1] - 1
    h = offsets.shape[1]
    joins = np.empty(64, np.int64)
    vol = np.empty(64, np.bool_)
    nj = 0
    biggest = 0
    for c in range(n_com):
        biggest = max(biggest, size[c])
    warm = 0
    cand = np.empty(biggest, np.int64)  # visited rows of the run
    draw = np.empty(biggest)  # their u
    row = np.empty(biggest, np.int64)  # the tie looked at (or the resident)
    ok = np.empty(biggest, np.bool_)
    for c in range(n_com):
        s = size[c]
        lo = start[c]
        pmax = peer if (h > 0 and s > 1) else 0.0
        seg = pmax / (2 * h) if pmax > 0.0 else 1.0
        if pmax > 0.0:
            warm += _touch(tie_at, participating, lo, lo + s)
        for g in range(n_groups):
            r_lo = group_start[c, g]
            r_hi = group_start[c, g + 1]
            a_g = base[c] * (1.0 + bias if bias_groups[g] else 1.0) + publicity + (pull if projects[c] > 0 else 0.0)
            a_max = a_g + sat_coef * 0.5
            b = a_max + pmax
            if b <= 0.0 or r_hi == r_lo:
                continue
            if b >= 1.0:
                for i in range(r_lo, r_hi):
                    p = a_g + sat_coef * max(satisfaction[i] - 0.5, 0.0)
                    p += peer * neighbour_share(participating, start, size, offsets, tie_pos, tie_at, c, i - lo)
                    if rng.random() < p and not participating[i]:
                        joins, vol = _add_join(joins, vol, nj, i, rng.random() < volunteer_share)
                        nj += 1
                continue
            log1m = np.log1p(-b)
            # 1. the visited residents and their draws
            m = 0
            i = r_lo - 1
            while True:
                i += _geometric(rng, b, log1m)
                if i >= r_hi:
                    break
                cand[m] = i
                draw[m] = rng.random() * b
                m += 1
            # 2. the tie each resident looks at (itself where u < a_max), read without branches
            if pmax > 0.0:
                for j in range(m):
                    t = min(max(int((draw[j] - a_max) / seg), 0), 2 * h - 1)
                    row[j] = _tie(start, size, offsets, tie_pos, tie_at, c, cand[j] - lo, t)
                for j in range(m):
                    ok[j] = participating[row[j]]
            # 3. the decisions
            for j in range(m):
                u = draw[j]
                i = cand[j]
                if u < a_g:
                    join = True
                elif u < a_max:
                    join = u - a_g < sat_coef * (satisfaction[i] - 0.5)
                else:
                    join = ok[j]
                if join and not participating[i]:
                    joins, vol = _add_join(joins, vol, nj, i, rng.random() < volunteer_share)
                    nj += 1
    # quits, applied as they are found (the resident's row is then in cache): a quitter's
    # state is not read again, and joiners are non-participants, so this equals applying
    # all changes at the end
    nq = 0
    if quit_rate > 0.0:
        log1m = np.log1p(-quit_rate) if quit_rate < 1.0 else 0.0
        i = -1
        while True:
            i += _geometric(rng, quit_rate, log1m) if quit_rate < 1.0 else 1
            if i >= n:
                break
            if participating[i]:
                participating[i] = False
                volunteer[i] = False
                nq += 1
    for j in range(nj):
        participating[joins[j]] = True
        volunteer[joins[j]] = vol[j]
    return nj, nq, warm


@njit(cache=_CACHE)
def _sum4(v):
    """Sum of the float array ``v`` in float64, in four interleaved partial sums
    ((s0 + s1) + (s2 + s3), s_k adding v[k], v[k+4], ... in order): a fixed order, so the
    same value on every machine, and the additions need not wait on each other."""
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    s3 = 0.0
    m = v.size - v.size % 4
    for k in range(0, m, 4):
        s0 += v[k]
        s1 += v[k + 1]
        s2 += v[k + 2]
        s3 += v[k + 3]
    for k in range(m, v.size):
        s0 += v[k]
    return (s0 + s1) + (s2 + s3)


@njit(cache=_CACHE)
def awareness_step(awareness, start, gain, decay, push):
    """Word of mouth within each committee area, decay and publicity:
    a += gain*max(mean_c - a, 0) - decay*a + push*(1 - a), clipped to [0, 1],
    with mean_c the committee's mean awareness before the step.

    Loops run over each committee's slice from 0 (a view), so that the compiler knows the
    indices are in bounds and vectorises the update (6x faster than indexing the whole
    array from start[c])."""
    n_com = start.size - 1
    for c in range(n_com):
        v = awareness[start[c]:start[c + 1]]
        if v.size == 0:
            continue
        mean = _sum4(v) / v.size
        for k in range(v.size):
            a = np.float64(v[k])
            d = mean - a
            x = a + (gain * d if d > 0.0 else 0.0) - decay * a + push * (1.0 - a)
            v[k] = 0.0 if x < 0.0 else (1.0 if x > 1.0 else x)


@njit(cache=_CACHE)
def votes(committees, direct, start, trust, participating, base32, w_trust32, w_part, gain32, uniforms, turnout):
    """Elections in ``committees`` (in that order), with one uniform per resident from
    ``uniforms`` (drawn in bulk by the caller, in the same order): a resident votes when
    u < clip(base + w_trust*trust + w_part*participating, 0, 1); in a directly elected
    committee a voter's trust rises by gain*(1 - trust); turnout[c] = voters / residents
    (0 for an empty committee).

    The arithmetic follows numpy's type rules for the same expression on float32 trust:
    base + w_trust*trust in float32, then + w_part*participating in float64; the trust
    gain in float32 (tests compare it with that numpy expression to the last bit)."""
    one32 = np.float32(1.0)
    at = 0
    for j in range(committees.size):
        c = committees[j]
        lo = start[c]
        n = start[c + 1] - lo
        t = trust[lo:lo + n]
        part = participating[lo:lo + n]
        u = uniforms[at:at + n]
        at += n
        voters = 0
        if direct[j]:
            for k in range(n):
                x = np.float64(base32 + w_trust32 * t[k]) + (w_part if part[k] else 0.0)
                vote = u[k] < min(max(x, 0.0), 1.0)
                voters += vote
                tk = t[k]
                t[k] = tk + gain32 * (one32 - tk) if vote else tk
        else:
            for k in range(n):
                x = np.float64(base32 + w_trust32 * t[k]) + (w_part if part[k] else 0.0)
                voters += u[k] < min(max(x, 0.0), 1.0)
        turnout[c] = voters / n if n > 0 else 0.0


@njit(cache=_CACHE)
def count_flags_per_committee(flags, start):
    """How many of each committee's rows ``start[c]:start[c+1]`` are set in ``flags``
    (a vectorised loop over each committee's slice; np.add.reduceat on booleans with an
    integer accumulator took 0.2-0.4 s at city scale)."""
    n_com = start.size - 1
    out = np.zeros(n_com, np.int64)
    for c in range(n_com):
        v = flags[start[c]:start[c + 1]]
        k = 0
        for j in range(v.size):
            k += v[j]
        out[c] = k
    return out


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
def _run_sums(satisfaction, trust, participating, volunteer, need_kind, lo, hi):
    """Sums over the rows lo:hi: (satisfaction, trust, participating, volunteers, open
    needs); float sums by ``_sum4``, loops over slices so that they vectorise."""
    p = participating[lo:hi]
    v = volunteer[lo:hi]
    kind = need_kind[lo:hi]
    pp = 0
    vv = 0
    oo = 0
    for j in range(hi - lo):
        pp += p[j]
        vv += v[j]
        oo += kind[j] >= 0
    return _sum4(satisfaction[lo:hi]), _sum4(trust[lo:hi]), pp, vv, oo


@njit(cache=_CACHE)
def tallies(group_start, satisfaction, trust, awareness, participating, volunteer,
            need_kind, need_wait, need_channel, n_groups):
    """One pass for the sums by group and by committee, and the residents' invariants.

    Returns (by_group[n_groups, 4]: count, satisfaction, trust, participating;
    by_committee[n_com, 4]: satisfaction, trust, participating, open needs;
    totals[3]: participating, volunteers, open needs; bad: 0 if all invariants hold,
    else a code: 1 state outside [0, 1] or NaN, 2 closed need with state, 3 volunteer
    not participating).

    Residents are stored by group within each committee, so every (committee, group) run
    is summed on its own (``_run_sums``) and its sums added to its group's and its
    committee's: no lookup or scattered addition per resident. The invariants are counted
    in two separate branch-free loops (vectorised, a few ms at city scale)."""
    n_com = group_start.shape[0]
    by_g = np.zeros((n_groups, 4))
    by_c = np.zeros((n_com, 4))
    totals = np.zeros(3)
    for c in range(n_com):
        ss = 0.0
        tt = 0.0
        pp = 0
        vv = 0
        oo = 0
        for g in range(n_groups):
            lo = group_start[c, g]
            hi = group_start[c, g + 1]
            if hi == lo:
                continue
            rs, rt, rp, rv, ro = _run_sums(satisfaction, trust, participating, volunteer, need_kind, lo, hi)
            by_g[g, 0] += hi - lo
            by_g[g, 1] += rs
            by_g[g, 2] += rt
            by_g[g, 3] += rp
            ss += rs
            tt += rt
            pp += rp
            vv += rv
            oo += ro
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
