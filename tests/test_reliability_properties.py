"""Property-based tests over the scenario schema (hypothesis, derandomized so CI is stable).

1. The validator is total: whatever dict, override set or TOML file it is given,
   loading either returns a Scenario or raises ScenarioError listing (field
   path, message) problems; never another exception.
2. Every accepted scenario runs: random valid values around the register's
   bounds and random policy tables, in a tiny world (1 street x 2 committees x
   50 residents) for a few months. ``check_invariants`` runs inside every step
   (money adds up, head counts agree, resident probabilities stay in [0, 1]);
   the declared share outcomes stay in [0, 1] and every outcome is finite.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import tomli_w
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import SHARE_OUTCOMES
from model import CommunityModel, ScenarioError, load_scenario, register_rows
from model.params import NEED_KINDS
from model.policies import LEVERS
from model.scenario import Scenario, validate_dict, with_overrides

ROWS = [r for r in register_rows() if r["type"] in ("float", "int", "list")]
PARAM_ROWS = [r for r in ROWS if r["path"].startswith("parameters.")]
LEVER_ROWS = {key: [r for r in ROWS if r["path"].startswith(f"policies.{key}.")] for key in LEVERS}

TINY_WORLD = {"streets": 1, "committees_per_street": 2, "residents_per_committee": 50,
              "residents_cv": 0.0, "scale": 1.0}

LEAN = settings(max_examples=40, deadline=None, derandomize=True, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                       HealthCheck.data_too_large])


# ---------------------------------------------------------------------------
# values
# ---------------------------------------------------------------------------
def _bounds(row: dict[str, Any]) -> tuple[float, float]:
    lo = row["lo"] if row["lo"] is not None else 0.0
    hi = row["hi"] if row["hi"] is not None else max(1.0, 10.0 * abs(row["default"] or 1.0))
    return float(lo), float(hi)


def valid_value(row: dict[str, Any]) -> st.SearchStrategy:
    """A value the register allows: a bound, the default or a value in between."""
    if row["type"] == "list":
        return st.lists(st.sampled_from(NEED_KINDS), min_size=0, max_size=len(NEED_KINDS), unique=True)
    lo, hi = _bounds(row)
    if row["type"] == "int":
        return st.one_of(st.sampled_from([int(lo), int(hi), row["default"]]), st.integers(int(lo), int(hi)))
    return st.one_of(st.sampled_from([lo, hi, float(row["default"])]),
                     st.floats(lo, hi, allow_nan=False, allow_infinity=False))


def any_value(row: dict[str, Any]) -> st.SearchStrategy:
    """A value around or beyond the bounds, of the wrong type, or not finite."""
    wrong = st.one_of(
        st.sampled_from([math.nan, math.inf, -math.inf, 10**20, -(10**20),
                         True, False, "0.5", "", [], {}, [1, 2], {"a": 1}, None, 1.5]),
        st.text(max_size=5),
    )
    if row["type"] == "list":
        near = st.lists(st.sampled_from([*NEED_KINDS, "bogus", "", 3]), max_size=9)
    else:
        lo, hi = _bounds(row)
        eps = max(1e-9, 1e-6 * (hi - lo))
        near = st.sampled_from([lo - eps, hi + eps, lo - 1, hi + 1, -0.0, lo, hi])
        if row["type"] == "int":
            near = st.sampled_from([int(lo) - 1, int(hi) + 1, int(lo), int(hi), float(lo), 0])
    return st.one_of(valid_value(row), near, wrong)


MONTH_LABEL = st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(1890, 2210), st.integers(0, 13))


def month_ref(valid: bool) -> st.SearchStrategy:
    if valid:
        return st.integers(1, 6)
    return st.one_of(st.integers(-3, 200_000), MONTH_LABEL, st.sampled_from(["2015-1", "x", True, 2.5, None]))


def nested(flat: dict[str, Any]) -> dict[str, Any]:
    """Dotted paths -> nested tables (a later path never replaces a table by a value or back)."""
    out: dict[str, Any] = {}
    for dotted, value in flat.items():
        node = out
        parts = dotted.split(".")
        for part in parts[:-1]:
            nxt = node.setdefault(part, {})
            if not isinstance(nxt, dict):
                break
            node = nxt
        else:
            node[parts[-1]] = value
    return out


@st.composite
def policy_tables(draw, valid: bool) -> dict[str, Any]:
    keys = list(LEVERS) + ([] if valid else ["free_money"])
    tables: dict[str, Any] = {}
    for key in draw(st.lists(st.sampled_from(keys), max_size=4, unique=True)):
        table: dict[str, Any] = {}
        if draw(st.booleans()):
            table["start"] = draw(month_ref(valid))
        if draw(st.booleans()):
            start = table.get("start", 1)
            table["end"] = draw(st.integers(start if isinstance(start, int) else 1, 8)) if valid \
                else draw(month_ref(False))
        if draw(st.booleans()):
            table["ramp_months"] = draw(st.integers(0, 6) if valid else st.sampled_from([-1, 601, "3", 2.0]))
        if draw(st.booleans()):
            table["enabled"] = draw(st.booleans() if valid else st.sampled_from([True, "yes", 1]))
        for row in draw(st.lists(st.sampled_from(LEVER_ROWS[key]), max_size=3, unique_by=lambda r: r["path"])) \
                if LEVER_ROWS.get(key) else []:
            table[row["path"].rsplit(".", 1)[1]] = draw(valid_value(row) if valid else any_value(row))
        if not valid and draw(st.booleans()):
            table["stat"] = 1  # misspelt
        tables[key] = table
    return tables


@st.composite
def any_scenario(draw) -> dict[str, Any]:
    """A scenario dict of any shape: values around and beyond the bounds, wrong types, unknown keys."""
    flat = {}
    for row in draw(st.lists(st.sampled_from(PARAM_ROWS), max_size=8, unique_by=lambda r: r["path"])):
        flat[row["path"]] = draw(any_value(row))
    data = nested(flat)
    data["scenario"] = {"months": draw(st.one_of(st.integers(-5, 2000), st.sampled_from([10**20, "12", 1.0])))}
    if draw(st.booleans()):
        data["scenario"]["start"] = draw(st.one_of(MONTH_LABEL, st.sampled_from(["2015", 201501, ""])))
    data["world"] = {k: draw(st.one_of(st.just(v), st.integers(-2, 300_000), st.floats(allow_nan=True)))
                     for k, v in TINY_WORLD.items()}
    data["policies"] = draw(policy_tables(False))
    if draw(st.integers(0, 4)) == 0:
        garbage_at = draw(st.sampled_from(["", "scenario", "world", "parameters", "parameters.residents"]))
        node = data
        for part in filter(None, garbage_at.split(".")):
            node = node.setdefault(part, {}) if isinstance(node.get(part, {}), dict) else {}
        node[draw(st.text(alphabet="abcxyz_", min_size=1, max_size=6))] = draw(st.integers())
    if draw(st.integers(0, 6)) == 0:  # a table replaced by a value
        data[draw(st.sampled_from(["scenario", "world", "parameters", "policies"]))] = \
            draw(st.sampled_from([5, "x", [1], None]))
    return data


@st.composite
def valid_scenario(draw) -> dict[str, Any]:
    """A scenario whose values all lie within the register's bounds, in the tiny world."""
    flat = {}
    for row in draw(st.lists(st.sampled_from(PARAM_ROWS), min_size=1, max_size=10, unique_by=lambda r: r["path"])):
        flat[row["path"]] = draw(valid_value(row))
    data = nested(flat)
    data["scenario"] = {"name": "property", "months": draw(st.integers(2, 4))}
    data["world"] = dict(TINY_WORLD)
    data["policies"] = draw(policy_tables(True))
    if draw(st.booleans()):
        data["scenario"]["start"] = "2015-01"
        for table in data["policies"].values():
            if "start" in table and draw(st.booleans()):
                table["start"] = f"2015-{table['start']:02d}"
                table.pop("end", None)
    return data


def _check_error(exc: ScenarioError) -> None:
    assert exc.problems, "a ScenarioError lists at least one problem"
    for path, msg in exc.problems:
        assert isinstance(path, str) and isinstance(msg, str) and msg
    assert "Traceback" not in str(exc)


# ---------------------------------------------------------------------------
# 1. the validator only ever raises ScenarioError
# ---------------------------------------------------------------------------
@LEAN
@given(data=any_scenario())
def test_validate_dict_only_raises_scenario_error(data):
    try:
        sc = validate_dict(data, "<property>")
    except ScenarioError as exc:
        _check_error(exc)
    else:
        assert isinstance(sc, Scenario)


BASE = load_scenario("baseline")


@LEAN
@given(sets=st.dictionaries(
    st.one_of(st.sampled_from([r["path"] for r in ROWS]),
              st.sampled_from(["world.streets", "world.scale", "scenario.months", "policies.org_support.start",
                               "parameters", "parameters.nope.x", "policies.free_money.start", "x", ""])),
    st.one_of(st.floats(allow_nan=True), st.integers(-10**21, 10**21), st.text(max_size=4), st.booleans(),
              st.lists(st.integers(), max_size=2)),
    max_size=6))
def test_with_overrides_only_raises_scenario_error(sets):
    try:
        sc = with_overrides(BASE, sets)
    except ScenarioError as exc:
        _check_error(exc)
    else:
        assert isinstance(sc, Scenario)


@settings(LEAN, max_examples=25)
@given(data=any_scenario())
def test_scenario_files_only_raise_scenario_error(data, tmp_path_factory):
    """The same through a TOML file (None cannot be written in TOML: such dicts are skipped)."""
    try:
        text = tomli_w.dumps(data)
    except (TypeError, ValueError):
        assume(False)
    path = tmp_path_factory.mktemp("prop") / "s.toml"
    path.write_text(text, encoding="utf-8")
    try:
        load_scenario(path)
    except ScenarioError as exc:
        _check_error(exc)
        assert exc.source == str(path)


# ---------------------------------------------------------------------------
# 2. every accepted scenario runs a few months with the invariants holding
# ---------------------------------------------------------------------------
@LEAN
@given(data=valid_scenario(), seed=st.integers(0, 2**32))
def test_every_accepted_scenario_runs_with_invariants(data, seed):
    try:
        sc = validate_dict(data, "<property>")
    except ScenarioError as exc:
        # cross-field rules (need rates of a group adding up to more than 1, ...) may still refuse it
        _check_error(exc)
        assume(False)
    m = CommunityModel(sc, rng=seed)
    for _ in range(sc.scenario.months):
        m.step()  # check_invariants runs inside every step
    m.check_invariants()
    final = m.recorder.current
    assert all(math.isfinite(v) for v in final.values()), {k: v for k, v in final.items() if not math.isfinite(v)}
    for name in SHARE_OUTCOMES:
        assert -1e-9 <= final[name] <= 1 + 1e-9, (name, final[name])
    for attr in ("trust", "satisfaction", "awareness"):
        arr = getattr(m.residents, attr)
        assert np.all((arr >= 0) & (arr <= 1)), attr


def test_outside_wage_of_zero_is_rejected():
    """Found by the schema property (exploratory run, 1,500 examples): an outside wage of 0
    divided by zero in the labour market; the register's lower bound is now 100 yuan."""
    data = {"scenario": {"months": 2}, "world": TINY_WORLD,
            "parameters": {"social_workers": {"outside_wage_yuan": 0.0}}}
    with pytest.raises(ScenarioError) as err:
        validate_dict(data)
    assert "parameters.social_workers.outside_wage_yuan" in str(err.value)
