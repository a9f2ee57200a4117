"""The speed-up check (benchmarks/same_results.py) finds a one-bit difference and nothing else."""

from __future__ import annotations

import json

from benchmarks.same_results import FILES, compare, scenario_runs


def _run_folder(path, final, last_digit="1"):
    path.mkdir()
    for name in FILES:
        (path / name).write_text(f"month,needs_met\n1,0.5{last_digit}\n")
    (path / "summary.json").write_text(json.dumps({"final": final, "commit": str(path)}))
    return path


def test_identical_outputs_pass_and_one_changed_digit_fails(tmp_path):
    a = _run_folder(tmp_path / "a", {"needs_met": 0.5})
    b = _run_folder(tmp_path / "b", {"needs_met": 0.5})
    assert compare(a, b) == [], "the summary's commit and times may differ"
    c = _run_folder(tmp_path / "c", {"needs_met": 0.5000000000000001}, last_digit="2")
    assert compare(a, c) == [*FILES, "summary.json (final outcomes)"]


def test_a_gained_column_passes_only_when_asked_and_only_when_every_old_field_is_the_same(tmp_path):
    a = _run_folder(tmp_path / "a", {"needs_met": 0.5})
    b = _run_folder(tmp_path / "b", {"needs_met": 0.5})
    (b / "by_committee.csv").write_text("month,org_services,needs_met\n1,7,0.51\n")
    assert compare(a, b) == ["by_committee.csv"]
    assert compare(a, b, new_columns=True) == []
    (b / "by_committee.csv").write_text("month,org_services,needs_met\n1,7,0.52\n")  # an old field changed
    assert compare(a, b, new_columns=True) == ["by_committee.csv"]
    (b / "by_committee.csv").write_text("month,org_services\n1,7\n")  # an old column lost
    assert compare(a, b, new_columns=True) == ["by_committee.csv"]


def test_the_comparison_runs_include_the_stress_scenarios():
    names = [s for s, _ in scenario_runs()]
    assert any(n.endswith("supports-on.toml") for n in names) and any(n.endswith("harsh.toml") for n in names)
    assert len({seed for _, seed in scenario_runs()}) == len(names), "every run has its own seed"


def test_the_stress_scenarios_are_valid():
    from model import load_scenario

    for scenario, _ in scenario_runs():
        if scenario.endswith(".toml"):
            assert load_scenario(scenario).scenario.months == 120
