"""The distribution check (benchmarks/same_distribution.py): Holm's adjustment, and the
comparison passes samples from one distribution and flags a shifted one."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.same_distribution import compare, holm


def test_holm_adjustment_matches_the_textbook_example():
    # p sorted 0.01, 0.02, 0.03, 0.04 with m = 4: 0.04, 0.06, 0.06 (monotone), 0.06
    assert holm([0.03, 0.01, 0.04, 0.02]) == pytest.approx([0.06, 0.04, 0.06, 0.06])
    assert holm([0.9, 0.3]) == pytest.approx([0.9, 0.6]) and holm([]) == []


def _samples(rng, n, shift=0.0):
    return [{"final.x": float(v), "final.const": 3.0} for v in rng.normal(10.0 + shift, 1.0, n)]


def test_compare_passes_one_distribution_and_flags_a_shift():
    """Fixed seeds: 40 draws each; the same normal gives p > 0.01, a 2-sd shift p < 1e-6."""
    rng = np.random.default_rng(3)
    same = {r["outcome"]: r for r in compare(_samples(rng, 40), _samples(rng, 40))}
    assert same["final.x"]["p_welch"] > 0.01 and same["final.x"]["p_ks"] > 0.01
    assert same["final.const"]["p_welch"] == 1.0, "equal constants are the same distribution"
    moved = {r["outcome"]: r for r in compare(_samples(rng, 40), _samples(rng, 40, shift=2.0))}
    assert moved["final.x"]["p_welch"] < 1e-6 and moved["final.x"]["diff_in_sd"] > 1.5
