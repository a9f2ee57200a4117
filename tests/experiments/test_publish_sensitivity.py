"""docs/sensitivity.md is written from a Sobol experiment's sensitivity.csv: the ranking of
assumptions and the tables follow the indices (constructed indices, no runs)."""

from __future__ import annotations

import pandas as pd

from experiments import publish_sensitivity as ps

FACTORS = ("parameters.committees.hours_per_need", "parameters.residents.lapse_rate",
           "parameters.streets.unit_cost_yuan")


def _table() -> pd.DataFrame:
    """hours_per_need dominates every target, lapse_rate comes second, unit cost never matters."""
    rows = []
    for arm, quantity in (("baseline", "level"), ("package", "level"), ("package", "effect")):
        for outcome in ("needs_met_share", "satisfaction"):
            for factor, st in zip(FACTORS, (0.7, 0.2, 0.01), strict=True):
                for index, v in (("ST", st), ("S1", st * 0.8)):
                    rows.append({"arm": arm, "quantity": quantity, "outcome": outcome, "factor": factor,
                                 "index": index, "value": v, "ci_low": v - 0.05, "ci_high": v + 0.05, "note": ""})
    return pd.DataFrame(rows)


def test_assumptions_are_ranked_by_how_often_and_how_much_they_decide():
    rank = ps.ranking(_table(), top=2)
    assert list(rank["factor"]) == list(FACTORS)
    assert list(rank["in_top"]) == [6, 6, 0]
    assert rank["max_total"].iloc[0] == 0.7


def test_the_document_names_the_design_the_ranking_and_each_target(tmp_path):
    exp = {"experiment": {"name": "sens", "months": 60, "replications": 1, "reference": "baseline",
                          "headline": ["needs_met_share"]},
           "arm": [{"name": "baseline"}, {"name": "package"}],
           "sweep": {"samples": 8, "factors": {f: [0, 1] for f in FACTORS}}}
    text = ps.render(_table(), exp, tmp_path)
    assert "8 base samples, 3 factors, 40 design points per arm" in text
    first = text.index("| 1 | `parameters.committees.hours_per_need`")
    assert first < text.index("| 2 | `parameters.residents.lapse_rate`")
    assert "### `package`, needs_met_share (effect)" in text and "### `baseline`, needs_met_share (effect)" not in text
    assert "| `parameters.committees.hours_per_need` | 0.70 (0.65 to 0.75) | 0.56 (0.51 to 0.61) |" in text
    assert "assumption" in text  # the register's evidence for the factor
