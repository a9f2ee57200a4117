"""Scenario loading and validation: every problem listed, each with its field path."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from conftest import scenario
from model import CommunityModel, ScenarioError, load_scenario, preset_names
from model.scenario import validate_dict, with_overrides


def problems(exc: pytest.ExceptionInfo) -> dict[str, str]:
    return dict(exc.value.problems)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------
# dicts
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("data, path", [
    ({"scenario": {"nme": "x"}}, "scenario.nme"),
    ({"world": {"street": 2}}, "world.street"),
    ({"parameters": {"streetz": {}}}, "parameters.streetz"),
    ({"parameters": {"streets": {"purchase_budget": 1.0}}}, "parameters.streets.purchase_budget"),
    ({"parameters": {"residents": {"need_rates": {"elderly": {"elder_kare": 0.1}}}}},
     "parameters.residents.need_rates.elderly.elder_kare"),
    ({"extra_table": {}}, "extra_table"),
])
def test_unknown_key_named_with_its_path(data, path):
    with pytest.raises(ScenarioError) as exc:
        validate_dict(data)
    assert path in problems(exc)
    assert "unknown key" in problems(exc)[path]


@pytest.mark.parametrize("data, path", [
    ({"scenario": {"months": "twelve"}}, "scenario.months"),
    ({"scenario": {"name": 5}}, "scenario.name"),
    ({"world": {"streets": [1, 2]}}, "world.streets"),
    ({"parameters": {"organizations": {"rent_yuan_month": {"a": 1}}}}, "parameters.organizations.rent_yuan_month"),
    ({"parameters": {"committees": {"staff": 9.5}}}, "parameters.committees.staff"),
])
def test_wrong_type_named_with_its_path(data, path):
    with pytest.raises(ScenarioError) as exc:
        validate_dict(data)
    assert list(problems(exc)) == [path]


@pytest.mark.parametrize("data, path", [
    ({"scenario": {"months": 0}}, "scenario.months"),
    ({"world": {"scale": 0.0}}, "world.scale"),
    ({"world": {"residents_per_committee": 5}}, "world.residents_per_committee"),
    ({"parameters": {"residents": {"lapse_rate": 1.5}}}, "parameters.residents.lapse_rate"),
    ({"parameters": {"streets": {"purchase_budget_yuan": -1.0}}}, "parameters.streets.purchase_budget_yuan"),
    ({"parameters": {"residents": {"need_rates": {"migrants": {"family": 0.9}}}}},
     "parameters.residents.need_rates.migrants.family"),
])
def test_out_of_range_named_with_its_path(data, path):
    with pytest.raises(ScenarioError) as exc:
        validate_dict(data)
    assert list(problems(exc)) == [path]
    assert "(got" in problems(exc)[path], "the message shows the value given"


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_rejected(value):
    with pytest.raises(ScenarioError) as exc:
        validate_dict({"parameters": {"funders": {"lottery_budget_yuan": value}}})
    assert "finite" in problems(exc)["parameters.funders.lottery_budget_yuan"]


def test_every_problem_listed_at_once():
    data = {
        "scenario": {"months": 0, "nme": "x"},
        "world": {"streets": "x"},
        "parameters": {"residents": {"lapse_rate": math.nan}, "streets": {"platform": 2.0}},
    }
    with pytest.raises(ScenarioError) as exc:
        validate_dict(data, "my.toml")
    expected = {"scenario.months", "scenario.nme", "world.streets", "parameters.residents.lapse_rate",
                "parameters.streets.platform"}
    assert set(problems(exc)) == expected
    text = str(exc.value)
    assert text.startswith("my.toml: invalid scenario (5 problem(s))")
    assert all(f"  - {path}: " in text for path in expected)


def test_cross_field_checks():
    with pytest.raises(ScenarioError, match="group_shares add up to"):
        validate_dict({"parameters": {"residents": {"group_shares": {"elderly": 0.7, "migrants": 0.5}}}})
    zero = {k: 0.0 for k in ("life_services", "welfare_charity", "culture_sport", "mediation", "social_work_agency")}
    with pytest.raises(ScenarioError, match="founder_kind_shares"):
        validate_dict({"parameters": {"organizations": {"founder_kind_shares": zero}}})
    with pytest.raises(ScenarioError, match="exceeds the maximum"):
        validate_dict({"world": {"streets": 1000, "committees_per_street": 200, "residents_per_committee": 200_000}})
    with pytest.raises(ScenarioError) as exc:
        validate_dict({"scenario": {"start": "2015-13"}})
    assert "scenario.start" in problems(exc)


def test_defaults_and_presets():
    sc = validate_dict({})
    assert sc.scenario.months == 120 and sc.world.committees_per_street == 25
    assert "baseline" in preset_names()
    with pytest.raises(ScenarioError, match="unknown preset 'nope'"):
        load_scenario("nope")


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_loads_and_runs(name):
    sc = scenario(base=name, months=3)
    assert sc.scenario.name == name
    m = CommunityModel(sc, rng=2)
    m.run()
    assert m.month == 3 and len(m.recorder.timeseries()) == 3


# ---------------------------------------------------------------------------
# files
# ---------------------------------------------------------------------------
def test_file_extends_a_preset_key_by_key(tmp_path):
    f = write(tmp_path / "mine.toml", """
[scenario]
name = "mine"
extends = "baseline"
months = 24
[parameters.streets]
purchase_budget_yuan = 5e5
""")
    sc = load_scenario(f)
    base = load_scenario("baseline")
    assert sc.scenario.name == "mine" and sc.scenario.months == 24
    assert sc.parameters.streets.purchase_budget_yuan == 5e5
    assert sc.parameters.streets.tender_month == base.parameters.streets.tender_month
    assert sc.world == base.world


def test_file_extends_a_file_relative_to_itself(tmp_path):
    write(tmp_path / "parent.toml", '[scenario]\nname = "parent"\ndescription = "p"\n[world]\nstreets = 2\n')
    sub = tmp_path / "sub"
    sub.mkdir()
    child = write(sub / "child.toml", '[scenario]\nextends = "../parent.toml"\n')
    sc = load_scenario(child)
    assert sc.world.streets == 2
    assert sc.scenario.name == "unnamed" and sc.scenario.description == "", "name and description are not inherited"


def test_extends_cycle_rejected(tmp_path):
    write(tmp_path / "a.toml", '[scenario]\nname = "a"\nextends = "b.toml"\n')
    write(tmp_path / "b.toml", '[scenario]\nname = "b"\nextends = "a.toml"\n')
    with pytest.raises(ScenarioError) as exc:
        load_scenario(tmp_path / "a.toml")
    assert "cycle" in problems(exc)["scenario.extends"]


@pytest.mark.parametrize("parent", ["nope", "missing.toml"])
def test_unknown_parent_blames_the_file_and_its_extends_field(tmp_path, parent):
    f = write(tmp_path / "child.toml", f'[scenario]\nname = "c"\nextends = "{parent}"\n')
    with pytest.raises(ScenarioError) as exc:
        load_scenario(f)
    assert exc.value.source == str(f)
    assert parent in problems(exc)["scenario.extends"]


@pytest.mark.parametrize("content, fragment", [
    (b"[scenario\nname = 'x'\n", "not valid TOML"),
    (b"[scenario]\nname = '\xff\xfe'\n", "not UTF-8"),
])
def test_unreadable_files(tmp_path, content, fragment):
    f = tmp_path / "bad.toml"
    f.write_bytes(content)
    with pytest.raises(ScenarioError) as exc:
        load_scenario(f)
    assert exc.value.source == str(f) and fragment in problems(exc)[""]


def test_missing_and_oversized_files(tmp_path):
    with pytest.raises(ScenarioError, match="cannot read file"):
        load_scenario(tmp_path / "none.toml")
    big = tmp_path / "big.toml"
    big.write_text("# " + "x" * 1_100_000 + "\n")
    with pytest.raises(ScenarioError, match="at most"):
        load_scenario(big)


def test_a_folder_is_not_a_scenario_file(tmp_path):
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    with pytest.raises(ScenarioError) as exc:
        load_scenario(folder)
    assert "not a regular file" in problems(exc)[""]


def test_list_positions_in_messages_count_from_1():
    """The first entry of a list is [1] in messages, as in experiment files (model.inputs)."""
    with pytest.raises(ScenarioError) as exc:
        validate_dict({"parameters": {"streets": {"purchase_kinds": ["elder_care", 7]}},
                       "world": {"scale": [0.5, float("nan")]}})
    found = problems(exc)
    assert "valid string" in found["parameters.streets.purchase_kinds[2]"]
    assert "finite" in found["world.scale[2]"]


def test_errors_in_a_file_name_the_file(tmp_path):
    f = write(tmp_path / "s.toml", '[scenario]\nname = "s"\nmonths = -3\n[parameters.residents]\nlapse_rate = nan\n')
    with pytest.raises(ScenarioError) as exc:
        load_scenario(f)
    assert exc.value.source == str(f)
    assert set(problems(exc)) == {"scenario.months", "parameters.residents.lapse_rate"}


# ---------------------------------------------------------------------------
# overrides and round trip
# ---------------------------------------------------------------------------
def test_with_overrides_validates_and_copies():
    base = load_scenario("baseline")
    sc = with_overrides(base, {"parameters.streets.purchase_budget_yuan": 1e6, "world.streets": 3})
    assert sc.parameters.streets.purchase_budget_yuan == 1e6 and sc.world.streets == 3
    assert base.parameters.streets.purchase_budget_yuan == 0.0 and base.world.streets == 1
    with pytest.raises(ScenarioError) as exc:
        with_overrides(base, {"parameters.streets.purchase_budget_yuan": -5.0, "parameters.streets.nope": 1})
    assert set(problems(exc)) == {"parameters.streets.purchase_budget_yuan", "parameters.streets.nope"}


@pytest.mark.parametrize("name", preset_names())
def test_to_toml_round_trip(tmp_path, name):
    sc = load_scenario(name)
    text = sc.to_toml()
    again = load_scenario(write(tmp_path / "again.toml", text))
    resolved, reloaded = sc.model_dump(), again.model_dump()
    resolved["scenario"]["extends"] = None  # the written scenario is resolved: it extends nothing
    assert reloaded == resolved
    assert again.digest() == sc.digest()
    assert again.to_toml() == text
    assert "extends" not in again.scenario.model_dump(exclude_none=True)


def test_shift_month_crosses_years_both_ways():
    from model.scenario_dates import shift_month

    assert shift_month("2004-01", -24) == "2002-01"
    assert shift_month("2004-03", -3) == "2003-12"
    assert shift_month("2015-12", 1) == "2016-01"


def test_burn_in_moves_every_lever_later_and_keeps_dated_levers_on_their_dates():
    from model.scenario import load_scenario, with_burn_in
    from model.scenario_dates import month_index

    pkg = load_scenario("shanghai-2015")
    moved = with_burn_in(pkg, 24)
    assert moved.scenario.months == pkg.scenario.months + 24
    for before, after in zip(pkg.policies.levers(), moved.policies.levers(), strict=True):
        assert after.start == before.start + 24  # month indices move
    hist = load_scenario("shanghai-history")
    h = with_burn_in(hist, 12)
    assert (h.scenario.start, h.scenario.months) == ("2003-01", hist.scenario.months + 12)
    for before, after in zip(hist.policies.levers(), h.policies.levers(), strict=True):
        assert after.start == before.start  # dates stay ...
        assert month_index(after.start, h.scenario.start) == month_index(before.start, hist.scenario.start) + 12
    assert with_burn_in(pkg, 0) is pkg
