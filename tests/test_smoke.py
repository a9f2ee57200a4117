"""A first end-to-end check: the default street runs a year with invariants checked every month."""

from model import CommunityModel, OUTCOME_NAMES


def test_default_street_runs_a_year_with_invariants():
    m = CommunityModel("baseline", rng=3)
    for _ in range(12):
        m.step()  # check_invariants runs inside every step
    df = m.recorder.timeseries()
    assert list(df.columns) == ["month", *OUTCOME_NAMES]
    assert len(df) == 12
    assert df["needs_arising"].gt(0).all()
    assert 0.0 < df["needs_met_share"].iloc[-1] < 1.0
