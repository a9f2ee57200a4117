"""The ``shanghai-history`` preset sits at the ABC posterior's central values (issue 15).

The preset's estimated entries are written in its TOML, rounded to three significant figures,
from ``results/posterior/full/posterior.json`` (``central``: the weighted median of the final
generation); this test fails when the preset and the posterior it names drift apart (a new
calibration run, or a hand edit of either)."""

from __future__ import annotations

import json
from pathlib import Path

from model.scenario import load_scenario
from model.tools.abc import ESTIMATED

ROOT = Path(__file__).resolve().parents[1]
POSTERIOR = ROOT / "results" / "posterior" / "full" / "posterior.json"


def _at(data: dict, path: str):
    node = data
    for part in path.split("."):
        node = node[part]
    return node


def test_history_preset_sits_at_the_full_posteriors_central_values():
    meta = json.loads(POSTERIOR.read_text(encoding="utf-8"))
    assert meta["setting"] == "full"
    data = load_scenario("shanghai-history").model_dump(mode="json")
    estimated = [p["path"] for p in meta["parameters"]]
    assert estimated == list(ESTIMATED), "the posterior was made with another list of estimated parameters"
    for p in meta["parameters"]:
        got = float(_at(data, p["path"]))
        assert f"{got:.3g}" == f"{p['central']:.3g}", (p["path"], got, p["central"])

