"""The calibrated history stays within tolerance of the article's 2015 figures (two seeds, lean)."""

import pytest

from model.tools.calibration import TARGETS, calibrate


@pytest.mark.slow
def test_history_within_tolerance_of_2015_figures():
    rows = calibrate(seeds=2, workers=2)
    assert [r["outcome"] for r in rows] == [t.outcome for t in TARGETS]
    bad = [f"{r['outcome']}: model {r['mean']:.3f} vs target {r['target']:.3f} (tolerance {r['tolerance']:.3f})"
           for r in rows if not r["ok"]]
    assert not bad, "calibration drifted:\n" + "\n".join(bad)
