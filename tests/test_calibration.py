"""The calibrated history stays within tolerance of the article's 2015 figures (two seeds, lean)."""

import pytest

from model.tools.calibration import TARGETS, calibrate


@pytest.mark.slow
def test_history_within_tolerance_of_2015_figures():
    rows = calibrate(seeds=2, workers=2)
    assert [r["outcome"] for r in rows if not r.get("reported")] == [t.outcome for t in TARGETS]
    scope = next(r for r in rows if r["outcome"] == "community_government_bn_year")
    assert 0 < scope["mean"] < 5, "the modelled community scope is a part of the article's 5 billion yuan"
    bad = [f"{r['outcome']}: model {r['mean']:.3f} vs target {r['target']:.3f} (tolerance {r['tolerance']:.3f})"
           for r in rows if not r["ok"]]
    assert not bad, "calibration drifted:\n" + "\n".join(bad)
