"""Dashboard inputs: generated from the parameter register, validated like scenario files."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dashboard.compare import SAME_AS_A, difference, settings_b
from dashboard.controls import (
    MAX_DASHBOARD_RESIDENTS,
    all_controls,
    changed_levers,
    dashboard_presets,
    lever_controls,
    overrides,
    settings_from_preset,
    settings_to_scenario,
    world_controls,
)
from model import CommunityModel, load_scenario, register_rows
from model.policies import LEVERS
from model.scenario import ScenarioError

REGISTER = {r["path"]: r for r in register_rows()}


def test_every_numeric_lever_parameter_gets_a_control_with_the_registers_unit_and_bounds():
    expected = {p for p, r in REGISTER.items()
                if p.startswith("policies.") and r["type"] in ("int", "float") and not p.endswith(".ramp_months")}
    got = {c.path for ctls in lever_controls().values() for c in ctls}
    assert got == expected
    for path in got:
        ctl, row = all_controls()[path], REGISTER[path]
        assert ctl.unit == row["unit"] and ctl.doc == row["doc"], path
        assert ctl.default == pytest.approx(row["default"]), path
        assert (ctl.valid_lo, ctl.valid_hi) == (row["lo"], row["hi"]), path
        # the display range lies within the register's bounds and shows the default
        assert row["lo"] is None or ctl.lo >= row["lo"], path
        assert row["hi"] is None or ctl.hi <= row["hi"], path
        assert ctl.lo <= ctl.default <= ctl.hi, path
        assert ctl.step > 0 and (ctl.kind != "int" or float(ctl.step).is_integer()), path
    # "0 or 1" entries are switches
    switches = {c.path for c in all_controls().values() if c.kind == "switch"}
    assert switches == {p for p in got if REGISTER[p]["unit"] == "0 or 1"}
    assert set(lever_controls()) == set(LEVERS)


def test_display_range_covers_every_dashboard_preset():
    for name in dashboard_presets():
        s = settings_from_preset(name)
        for path, value in s.values.items():
            ctl = all_controls()[path]
            assert ctl.lo <= value <= ctl.hi, f"{name}: {path} = {value} outside [{ctl.lo}, {ctl.hi}]"


def test_world_controls_come_from_the_scenario_fields():
    paths = [c.path for c in world_controls()]
    assert paths == ["world.committees_per_street", "world.residents_per_committee", "scenario.months"]
    w = {c.path: c for c in world_controls()}
    assert (w["world.committees_per_street"].valid_lo, w["world.committees_per_street"].valid_hi) == (1, 200)
    assert w["world.committees_per_street"].lo <= 25 <= w["world.committees_per_street"].hi


def test_presets_on_the_dashboard_exclude_the_city_scale_one():
    presets = dashboard_presets()
    assert presets[0] == "baseline"
    assert {"shanghai-2015", "platform-commissioning", "professional-guidance", "project-led",
            "internal-development"} <= set(presets)
    assert "shanghai-history" not in presets


@pytest.mark.parametrize("name", ["baseline", "shanghai-2015", "professional-guidance", "project-led"])
def test_a_presets_settings_rebuild_exactly_that_preset(name):
    assert settings_to_scenario(settings_from_preset(name)).digest() == load_scenario(name).digest()


def test_a_slider_value_reaches_the_scenario():
    s = settings_from_preset("professional-guidance")
    s.values["policies.self_governance_funds.yuan_per_committee"] = 50000.0
    s.values["world.committees_per_street"] = 10
    sc = settings_to_scenario(s)
    assert sc.policies.self_governance_funds.yuan_per_committee == 50000.0
    assert sc.world.committees_per_street == 10


def test_switching_a_lever_off_and_on():
    s = settings_from_preset("professional-guidance")
    s.enabled["self_governance_funds"] = False
    assert settings_to_scenario(s).policies.self_governance_funds.enabled is False
    s = settings_from_preset("baseline")
    assert settings_to_scenario(s).policies.incubators is None  # off and absent: nothing sent
    s.enabled["incubators"] = True
    assert settings_to_scenario(s).policies.incubators.enabled is True
    assert "policies.incubators.slots" in overrides(s, load_scenario("baseline"))


@pytest.mark.parametrize("path,value,where", [
    ("policies.org_support.rent_subsidy_share", 1.5, "policies.org_support.rent_subsidy_share"),
    ("policies.org_support.rent_subsidy_share", float("nan"), "policies.org_support.rent_subsidy_share"),
    ("policies.incubators.slots", "six", "policies.incubators.slots"),
    ("world.committees_per_street", 0, "world.committees_per_street"),
    ("scenario.months", 5000, "scenario.months"),
])
def test_bad_input_is_rejected_by_the_scenario_validation(path, value, where):
    s = settings_from_preset("baseline")
    key = path.split(".")[1]
    if path.startswith("policies."):
        s.enabled[key] = True
    s.values[path] = value
    with pytest.raises(ScenarioError) as err:
        settings_to_scenario(s)
    assert any(p == where for p, _ in err.value.problems), err.value.problems


def test_bad_seed_preset_and_size_are_rejected():
    s = settings_from_preset("baseline")
    for seed in (-1, 2**63, "7", 1.5, True):
        with pytest.raises(ScenarioError):
            settings_to_scenario(s.copy(seed=seed))
    with pytest.raises(ScenarioError):
        settings_to_scenario(s.copy(preset="shanghai-history"))
    with pytest.raises(ScenarioError):
        settings_to_scenario(s.copy(preset="../etc/passwd"))
    big = s.copy()
    big.values["world.committees_per_street"] = 200
    big.values["world.residents_per_committee"] = 200_000
    with pytest.raises(ScenarioError):
        settings_to_scenario(big)
    ok = s.copy()
    ok.values["world.residents_per_committee"] = MAX_DASHBOARD_RESIDENTS // 25
    settings_to_scenario(ok)


def test_unknown_paths_and_levers_are_rejected():
    s = settings_from_preset("baseline")
    s.enabled["org_support"] = True
    s.values["policies.org_support.rent_subsidy"] = 0.5  # misspelt
    with pytest.raises(ScenarioError) as err:
        settings_to_scenario(s)
    assert [p for p, _ in err.value.problems] == ["policies.org_support.rent_subsidy"]
    s = settings_from_preset("baseline")
    s.values["parameters.nonsense"] = 1
    with pytest.raises(ScenarioError):
        settings_to_scenario(s)
    s = settings_from_preset("baseline")
    s.enabled["free_money"] = True
    with pytest.raises(ScenarioError) as err:
        settings_to_scenario(s)
    assert any("free_money" in p for p, _ in err.value.problems)


def test_setting_b_and_the_difference_over_time():
    a = settings_from_preset("baseline")
    a.enabled["self_governance_funds"] = True
    a.values["world.committees_per_street"] = 5
    a.values["world.residents_per_committee"] = 800
    enabled = dict(a.enabled, self_governance_funds=False)
    b = settings_b(a, SAME_AS_A, enabled)
    assert changed_levers(a, b) == ["self_governance_funds"]
    assert b.seed == a.seed and b.values == a.values
    other = settings_b(a, "shanghai-2015", settings_from_preset("shanghai-2015").enabled)
    assert other.values["world.committees_per_street"] == 5 and other.preset == "shanghai-2015"

    # same settings, same seed: identical runs (common random numbers), a zero difference
    m1 = CommunityModel(settings_to_scenario(a), rng=a.seed)
    m2 = CommunityModel(settings_to_scenario(a), rng=a.seed)
    mb = CommunityModel(settings_to_scenario(b), rng=a.seed)
    for _ in range(13):
        m1.step(), m2.step(), mb.step()
    same = difference(m1, m2, ["needs_met_share", "micro_projects"])
    assert len(same) == 13
    assert np.allclose(same["needs_met_share_diff"], 0) and np.allclose(same["micro_projects_diff"], 0)
    d = difference(m1, mb, ["micro_projects"])
    assert d["micro_projects_b"].sum() < d["micro_projects_a"].sum(), "no fund, fewer residents' micro-projects"
    assert (d["micro_projects_diff"] <= 0).all()
    with pytest.raises(ValueError):
        difference(m1, mb, ["no_such_outcome"])
    assert not math.isnan(d["micro_projects_diff"].iloc[-1])
