"""Street profiles (model/profile.py): the shipped examples, the world a profile builds, the
``[world] profile`` key and ``run.py simulate/validate --profile``. Bad profiles are in
tests/bad_inputs/profiles/ (tests/test_reliability_bad_inputs.py)."""

from __future__ import annotations

import importlib.util
import shutil
from collections import Counter

import numpy as np
import pytest

from conftest import ROOT, RUN_PY
from model import CommunityModel, load_scenario
from model.params import COMMUNITY_TYPES
from model.profile import ProfileError, StreetProfile, lever_notes, load_profile
from model.scenario import ScenarioError, with_overrides, with_profile

EXAMPLES = sorted((ROOT / "model" / "profiles").glob("*.toml"))


@pytest.fixture(scope="module")
def run_main():
    spec = importlib.util.spec_from_file_location("run_cli_profiles", RUN_PY)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.main


def test_two_examples_are_shipped():
    assert {p.stem for p in EXAMPLES} >= {"central-street", "suburban-town"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_validates_and_runs_from_the_command_line(path, run_main, capsys, tmp_path):
    assert run_main(["validate", "--profile", str(path)]) == 0
    assert "valid street profile" in capsys.readouterr().out
    out = tmp_path / "out"
    code = run_main(["simulate", "shanghai-2015", "--profile", str(path), "--months", "3", "--seed", "1",
                     "--out", str(out), "--quiet"])
    assert code == 0, capsys.readouterr().err
    assert (out / "timeseries.csv").is_file() and (out / "by_type.csv").is_file()
    written = load_scenario(out / "scenario.toml")  # the run's scenario holds the whole profile
    assert written.profile == load_profile(path)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_are_typical_streets(path):
    p = load_profile(path)
    residents = sum(c.residents for c in p.committee)
    assert 15 <= len(p.committee) <= 25 and 80_000 <= residents <= 120_000
    types = {c.type for c in p.committee}
    if path.stem == "central-street":
        assert types == {"old_lane", "work_unit_estate", "commodity_estate"}
    else:
        assert types == {"commodity_estate", "resettlement_estate", "village"}


def test_the_world_is_the_street_as_listed():
    path = ROOT / "model" / "profiles" / "central-street.toml"
    profile = load_profile(path)
    sc = with_profile(load_scenario("shanghai-2015"), path)
    m = CommunityModel(sc, rng=3)
    assert len(m.streets) == 1 and m.scale == 1.0
    assert [c.residents for c in m.committees] == [c.residents for c in profile.committee]
    assert [COMMUNITY_TYPES[c.ctype] for c in m.committees] == [c.type for c in profile.committee]
    assert m.simulated_residents == sum(c.residents for c in profile.committee)
    default_staff = sc.parameters.committees.staff
    assert [c.staff for c in m.committees] == [e.staff or default_staff for e in profile.committee]
    assert [c.direct for c in m.committees] == [e.direct_election for e in profile.committee]
    direct = [i for i, e in enumerate(profile.committee) if e.direct_election]
    assert sorted(m.direct_order[:len(direct)]) == direct  # the direct ones lead the reform order
    # organizations as listed: kinds, homes, ages, staff and social workers
    listed = [e for e in profile.organization for _ in range(e.count)]
    assert len(m.organizations) == len(listed)
    names = [c.name for c in profile.committee]
    for org, e in zip(m.organizations, listed, strict=True):
        assert org.kind == e.kind and org.active
        if e.home is not None:
            assert org.home == names.index(e.home)
        if e.age_months is not None:
            assert org.registered_month == -e.age_months
        assert org.other_staff == (sc.parameters.organizations.other_staff if e.other_staff is None else e.other_staff)
        assert len(org.workers) == e.social_workers
    # the street's facilities
    ps = m.p.streets
    assert ps.service_centre == 1.0 and ps.incubator == 0.0 and ps.platform == 0.0 and ps.venues == 10
    assert ps.venues_open_share == pytest.approx(0.3)
    assert m.streets[0].has_service_centre() and not m.streets[0].has_platform()
    m.check_invariants()


def test_the_world_key_resolves_against_the_scenario_file(tmp_path, monkeypatch):
    (tmp_path / "streets").mkdir()
    shutil.copy(ROOT / "model" / "profiles" / "suburban-town.toml", tmp_path / "streets" / "town.toml")
    scenario = tmp_path / "mine.toml"
    scenario.write_text('[scenario]\nname = "mine"\nextends = "shanghai-2015"\n\n'
                        '[world]\nprofile = "streets/town.toml"\n', encoding="utf-8")
    monkeypatch.chdir(ROOT / "docs")  # somewhere else: the path is the scenario file's
    sc = load_scenario(scenario)
    assert sc.profile == load_profile(tmp_path / "streets" / "town.toml")
    assert sc.world.committees_per_street == len(sc.profile.committee) and sc.world.profile is None
    counts = Counter(c.type for c in sc.profile.committee)
    assert sc.world.types == {t: n / len(sc.profile.committee) for t, n in counts.items()}
    assert sc.parameters.streets.platform == 1.0 and sc.parameters.funders.foundation_coverage == 1.0


def _profile(**street) -> StreetProfile:
    return StreetProfile.model_validate({
        "street": {"name": "S", **street},
        "committee": [{"name": "A", "type": "old_lane", "residents": 300},
                      {"name": "B", "type": "village", "residents": 200, "staff": 4}],
        "organization": [{"kind": "mediation", "home": "B", "age_months": 0, "social_workers": 2}],
    })


def test_omitted_facilities_keep_the_scenario_values(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('[street]\nname = "S"\n\n[[committee]]\nname = "A"\ntype = "old_lane"\nresidents = 300\n',
                    encoding="utf-8")
    base = with_overrides(load_scenario("baseline"), {"parameters.streets.platform": 0.7,
                                                      "parameters.streets.venues": 5})
    sc = with_profile(base, path)
    assert sc.parameters.streets.platform == 0.7 and sc.parameters.streets.venues == 5
    assert sc.profile.organization == []
    m = CommunityModel(sc, rng=1)
    assert m.organizations == [] and m.committees[0].staff == sc.parameters.committees.staff


def test_no_organizations_listed_means_none_at_the_start(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('[street]\nname = "S"\n\n[[committee]]\nname = "A"\ntype = "generic"\nresidents = 5000\n',
                    encoding="utf-8")
    m = CommunityModel(with_profile(load_scenario("baseline"), path), rng=2)
    assert not m.organizations
    assert all(w.employer is None or w.employer.is_committee for w in m.workers)
    m.run(6)
    m.check_invariants()


def test_an_arm_override_keeps_the_profile_world():
    sc = load_scenario({"profile": _profile().model_dump(), "world": {"committees_per_street": 2}})
    over = with_overrides(sc, {"parameters.streets.platform": 1.0})
    assert over.profile == sc.profile and over.parameters.streets.platform == 1.0
    with pytest.raises(ScenarioError, match="a street profile is one street"):
        with_overrides(sc, {"world.committees_per_street": 3})


def test_an_embedded_profile_is_checked_across_fields():
    bad = _profile().model_dump()
    bad["organization"][0]["home"] = "Nowhere"
    with pytest.raises(ScenarioError, match=r"organization\[1\]\.home: no committee named 'Nowhere'"):
        load_scenario({"profile": bad, "world": {"committees_per_street": 2}})


def test_a_profile_error_is_a_scenario_error_naming_the_file(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('[street]\nname = "S"\n', encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert isinstance(info.value, ScenarioError)
    assert str(path) in str(info.value) and info.value.problems == [("committee", "required key missing")]


def test_listed_workers_are_in_addition_to_the_committee_posts():
    sc = load_scenario({"profile": _profile().model_dump(), "world": {"committees_per_street": 2}})
    m = CommunityModel(sc, rng=5)
    (org,) = m.organizations
    assert len(org.workers) == 2 and org.home == 1
    n_rule = int(round(m.p.social_workers.initial_per_100k * 500 / 1e5))
    assert len(m.workers) == 2 + n_rule
    assert m.committees[1].staff == 4
    assert np.array_equal([c.residents for c in m.committees], [300, 200])


def test_validate_needs_a_file_or_a_profile(run_main, capsys):
    assert run_main(["validate"]) == 2
    assert "give a scenario FILE, --profile FILE, or both" in capsys.readouterr().err


def test_a_lever_moving_a_facility_the_profile_gives_is_noted(run_main, capsys):
    path = ROOT / "model" / "profiles" / "central-street.toml"
    assert lever_notes(load_profile(path), load_scenario("baseline").policies.levers()) == []
    notes = lever_notes(load_profile(path), load_scenario("shanghai-2015").policies.levers())
    assert any("policies.incubators moves streets.incubator" in n and "street.incubator = false" in n for n in notes)
    assert not any("platform" in n for n in notes)  # no lever of shanghai-2015 moves the platform
    assert run_main(["validate", "shanghai-2015", "--profile", str(path)]) == 0
    assert "note: policies.incubators" in capsys.readouterr().out


def test_a_committee_table_in_csv_is_a_profile(run_main, capsys, tmp_path):
    path = tmp_path / "my-street.csv"
    path.write_text("name,type,residents,staff,direct_election\n"
                    "A,old_lane,4000,,\nB,commodity_estate,5000,8,true\n",
                    encoding="utf-8-sig")  # as a spreadsheet saves it (with a byte-order mark)
    p = load_profile(path)
    assert p.street.name == "my-street" and p.organization == []
    assert [(c.name, c.type, c.residents, c.staff, c.direct_election) for c in p.committee] == [
        ("A", "old_lane", 4000, None, False), ("B", "commodity_estate", 5000, 8, True)]
    out = tmp_path / "out"
    assert run_main(["simulate", "--profile", str(path), "--months", "2", "--out", str(out), "--quiet"]) == 0
    assert (out / "by_committee.csv").is_file()


@pytest.mark.parametrize("text, fragments", [
    ("name,type,residents,floors\nA,old_lane,4000,6\n", ["<file>", "unknown: 'floors'"]),
    ("name,type\nA,old_lane\n", ["<file>", "missing: residents"]),
    ("name,type,residents\nA,old_lane,4,000\n", ["<file>", "more cells than columns on line(s) 2"]),
    ("name,type,residents\nA,old_lane,\"4,000\"\nB,shikumen,-5\n",
     ["committee[1].residents", "valid integer", "committee[2].type", "unknown community type 'shikumen'",
      "committee[2].residents", "greater than or equal to 10"]),
    ("name,type,residents,direct_election\nA,old_lane,4000,yes\nA,village,300,false\n",
     ["committee[1].direct_election", "valid boolean", "committee[2].name", "duplicate committee name"]),
    ("name,type,residents\n", ["committee", "at least 1 item"]),
    ("", ["missing: name, type, residents"]),
])
def test_a_bad_committee_table_is_rejected(text, fragments, run_main, capsys, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert run_main(["simulate", "--profile", str(path), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "Traceback" not in err
    assert all(f in err for f in fragments), err
    assert not out.exists()


def test_a_committee_table_not_in_utf8_is_rejected(run_main, capsys, tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("name,type,residents\n永康里,old_lane,4000\n".encode("gbk"))
    assert run_main(["validate", "--profile", str(path)]) == 2
    assert "not UTF-8" in capsys.readouterr().err
