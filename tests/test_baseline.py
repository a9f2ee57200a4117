"""Regression baseline: fresh runs must match ``tests/baseline.json`` closely.

On a mismatch the test prints an old/new table. If the change is intended,
rewrite the baseline on purpose with ``python tests/update_baseline.py --write``
(this test never writes it).
"""

from __future__ import annotations

import json

import pytest

import update_baseline as ub


@pytest.fixture(scope="module")
def stored() -> dict:
    assert ub.BASELINE_FILE.exists(), "no tests/baseline.json: run python tests/update_baseline.py --write"
    return json.loads(ub.BASELINE_FILE.read_text())


def test_baseline_file_matches_its_definition(stored):
    assert stored["months"] == ub.MONTHS and stored["seed"] == ub.SEED
    assert set(stored["runs"]) == set(ub.RUNS)


@pytest.mark.parametrize("name", list(ub.RUNS))
def test_matches_stored_baseline(stored, name):
    before = ub.BASELINE_FILE.read_bytes()
    old = {name: stored["runs"][name]}
    new = {name: ub.run(name)}
    missing = sorted(set(old[name]) - set(new[name]))
    changed = [k for k in old[name] if k in new[name] and not ub.close(old[name][k], new[name][k])]
    assert ub.BASELINE_FILE.read_bytes() == before, "the test must never write the baseline"
    if missing or changed:
        table = ub.diff_table(old, new)
        pytest.fail(f"run {name!r} moved from the regression baseline ({len(changed)} changed, "
                    f"{len(missing)} gone):\n{table}\n"
                    "If intended: python tests/update_baseline.py --write (and commit tests/baseline.json)",
                    pytrace=False)


def test_diff_table_shows_old_and_new():
    table = ub.diff_table({"r": {"a": 1.0, "b": 2.0, "gone": 1.0}}, {"r": {"a": 1.0, "b": 2.5, "new": 3.0}})
    lines = table.splitlines()
    assert lines[0].split()[:4] == ["run", "outcome", "old", "new"]
    assert any(line.split()[1:] == ["b", "2", "2.5", "+25.000%"] for line in lines[1:])
    assert any("gone" in line and line.split()[-1] == "gone" for line in lines[1:])
    assert any(line.split()[1] == "new" and line.split()[-1] == "new" for line in lines[1:])
    assert not any(line.split()[1] == "a" for line in lines[1:]), "unchanged values are not listed"
