"""Community types and street profiles on the dashboard: the picker's setting reaches the model, the URL,
the scenario file and the command; the type view reads the model's by-type tally."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dashboard import i18n
from dashboard.compare import settings_b
from dashboard.controls import (
    GENERIC_STREET,
    PROFILES_DIR,
    profile_ref,
    profile_size,
    settings_from_preset,
    settings_to_scenario,
    street_profiles,
)
from dashboard.decisions import settings_from_record, settings_record
from dashboard.export import decode_query, encode_query, scenario_toml, setting_changes, simulate_command, \
    timeseries_csv, toml_filename
from dashboard.session import Session
from dashboard.views import problem_lines
from model import load_scenario
from model.by_type import committee_gap
from model.profile import load_profile
from model.scenario import ScenarioError

ROOT = Path(__file__).resolve().parents[2]
MONTHS = 3


def _with(profile: str, preset: str = "baseline", seed: int = 7):
    return settings_from_preset(preset, seed=seed).copy(profile=profile)


def test_the_shipped_profiles_are_offered_with_labels_in_both_languages():
    assert street_profiles() == ("central-street", "suburban-town")
    for name in street_profiles():
        assert profile_ref(name) == f"model/profiles/{name}.toml" and (ROOT / profile_ref(name)).is_file()
        zh, en = i18n.profile_label(name, "zh"), i18n.profile_label(name, "en")
        assert zh != en and zh != name and en != name
    assert i18n.profile_label(GENERIC_STREET, "zh") == i18n.ui("profile_generic", "zh")
    assert profile_size("central-street") == (20, 36_200 + 29_000 + 26_700)


@pytest.mark.parametrize("preset", ["baseline", "shanghai-2015"])
def test_a_profile_makes_the_world_that_street(preset):
    generic = settings_to_scenario(_with(GENERIC_STREET, preset))
    assert generic.profile is None
    for name in street_profiles():
        sc = settings_to_scenario(_with(name, preset))
        pr = load_profile(PROFILES_DIR / f"{name}.toml")
        assert sc.profile == pr
        assert (sc.world.streets, sc.world.committees_per_street, sc.world.scale) == (1, len(pr.committee), 1.0)
        assert set(sc.world.types) == {c.type for c in pr.committee}


def test_the_world_size_sliders_do_not_reach_a_profiles_world():
    s = _with("central-street")
    s.values["world.committees_per_street"] = 7
    assert settings_to_scenario(s).world.committees_per_street == 20
    assert "world.committees_per_street" not in setting_changes(s)


def test_an_unknown_profile_is_refused_in_the_pages_language():
    with pytest.raises(ScenarioError) as err:
        settings_to_scenario(_with("my-street"))
    assert err.value.problems[0][0] == "profile"
    assert problem_lines(err.value.problems, "zh") == ["街道档案: 未知的街道档案：'my-street'"]
    assert problem_lines(err.value.problems, "en") == ["Street profile: unknown street profile: 'my-street'"]


def test_setting_b_keeps_setting_as_street():
    a = _with("suburban-town")
    assert settings_b(a, "A", a.enabled).profile == "suburban-town"
    assert settings_b(a, "project-led", a.enabled).profile == "suburban-town"


def test_the_type_view_reads_the_mix_and_this_months_needs_met_by_type():
    session = Session()
    session.build(_with("central-street"))
    before = session.types
    assert [(r.ctype, r.committees, r.residents) for r in before] == [
        ("old_lane", 8, 36_200), ("work_unit_estate", 6, 29_000), ("commodity_estate", 6, 26_700)]
    assert all(r.met_share is None and r.met_weighted_share is None for r in before)
    assert session.gap is None  # before the first month
    for _ in range(MONTHS):
        session.step()
    # the gap between committees: the committee table's decomposition over the months so far
    assert session.gap == pytest.approx(committee_gap(session.a.recorder.committee_table(), min(12, MONTHS)))
    assert session.gap["types"] == 3 and session.gap["committees"] == 20
    table = session.a.recorder.types.table()
    last = table[(table.month == MONTHS) & (table.group == "all")]
    rows = session.types
    assert [r.ctype for r in rows] == list(last.type)
    for r, (_, t) in zip(rows, last.iterrows(), strict=True):
        assert (r.committees, r.residents) == (t.committees, t.residents)
        assert r.met_share == pytest.approx(t.needs_met_share)
        assert r.met_weighted_share == pytest.approx(t.needs_met_weighted_share)
        assert 0 < r.met_share <= 1 and 0 < r.met_weighted_share <= 1
    session.build(_with(GENERIC_STREET))
    assert {r.ctype for r in session.types} == set(load_scenario("baseline").world.types)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_profile_comes_back_from_the_url_and_the_decision_log(lang):
    s = _with("suburban-town")
    query = encode_query(s, lang)
    assert "profile=suburban-town" in query
    back = decode_query(query)
    assert back.settings == s and not back.problems
    assert decode_query(encode_query(_with(GENERIC_STREET), lang)).settings.profile == GENERIC_STREET
    assert settings_from_record(settings_record(s)) == s


def test_an_unknown_profile_in_the_url_is_ignored_with_a_message():
    back = decode_query("lang=zh&preset=baseline&profile=nowhere")
    assert back.settings.profile == GENERIC_STREET
    assert [i18n.problem_text(m, "zh") for m in back.problems] == [
        i18n.ui("url_ignored", "zh", name="profile", value="nowhere", why=i18n.ui("url_bad_profile", "zh"))]


def test_the_command_names_the_profile_and_the_scenario_file_holds_it():
    s = _with("central-street")
    assert simulate_command(s, 12) == ("python run.py simulate baseline --profile model/profiles/central-street.toml "
                                       "--months 12 --seed 7")
    text = scenario_toml(s)
    assert 'profile = "model/profiles/central-street.toml"' in text
    s.enabled["self_governance_funds"] = not s.enabled["self_governance_funds"]
    assert simulate_command(s, 12) == f"python run.py simulate {toml_filename(s)} --months 12 --seed 7"


@pytest.mark.parametrize("change_a_lever", [False, True], ids=["profile-only", "profile-and-lever"])
def test_the_command_reproduces_a_profiles_run_byte_for_byte(tmp_path, change_a_lever):
    s = _with("suburban-town", "shanghai-2015", seed=3)
    if change_a_lever:
        s.enabled["self_governance_funds"] = False
    session = Session()
    session.build(s)
    session.run_to(MONTHS, "en")
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "profiles").symlink_to(PROFILES_DIR)  # the project folder's layout
    path = tmp_path / toml_filename(s)
    path.write_text(scenario_toml(s, MONTHS), encoding="utf-8")
    assert load_scenario(path).model_dump(exclude={"scenario"}) == settings_to_scenario(s).model_dump(
        exclude={"scenario"})
    command = simulate_command(s, MONTHS)
    assert ("--profile" in command) != change_a_lever
    args = [sys.executable, str(ROOT / "run.py"), *command.split()[2:], "--out", str(tmp_path / "out")]
    done = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "timeseries.csv").read_bytes() == timeseries_csv(session.a).encode("utf-8")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_facilitators_table_shows_each_teams_street(lang):
    from dashboard import workshop
    from dashboard.workshop_page import team_row

    cells = {}
    for profile in (GENERIC_STREET, "central-street"):
        session = Session()
        session.build(_with(profile))
        team = workshop.Team("t", "Team 1", "2026-01-01T09:30:00", [workshop.TeamPage(1, None, session=session)])
        cells[profile] = team_row(team, lang)[3]
    assert cells["central-street"].endswith(" · " + i18n.profile_label("central-street", lang))
    assert cells[GENERIC_STREET].endswith(" · " + i18n.profile_label(GENERIC_STREET, lang))
