"""Saving and sharing: the scenario file, the command, the time series and the setting in the URL."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard import i18n
from dashboard.controls import all_controls, settings_from_preset, settings_to_scenario
from dashboard.export import (
    View,
    decode_query,
    encode_query,
    scenario_toml,
    setting_changes,
    simulate_command,
    timeseries_csv,
    toml_filename,
)
from dashboard.session import Session
from model import load_scenario

ROOT = Path(__file__).resolve().parents[2]
MONTHS = 6


def _tiny():
    """A small street with one lever switched on, one switched off and one value changed."""
    s = settings_from_preset("shanghai-2015", seed=11)
    s.values["world.committees_per_street"] = 3
    s.values["world.residents_per_committee"] = 300
    s.enabled["self_governance_funds"] = False
    s.values["policies.purchase_of_services.budget_yuan"] = 1_234_567.5
    return s


def test_the_scenario_file_is_the_preset_plus_the_changes_and_validates_as_the_dashboards_setting(tmp_path):
    s = _tiny()
    path = tmp_path / toml_filename(s)
    path.write_text(scenario_toml(s, MONTHS), encoding="utf-8")
    loaded = load_scenario(path)
    shown = settings_to_scenario(s)
    assert loaded.model_dump(exclude={"scenario"}) == shown.model_dump(exclude={"scenario"})
    assert loaded.scenario.months == shown.scenario.months
    text = path.read_text(encoding="utf-8")
    assert 'extends = "shanghai-2015"' in text and "Random seed: 11" in text
    assert set(setting_changes(s)) == {"world.committees_per_street", "world.residents_per_committee",
                                       "policies.self_governance_funds.enabled",
                                       "policies.purchase_of_services.enabled"} | {
        c.path for c in all_controls().values() if c.lever == "purchase_of_services"}


def test_an_unchanged_preset_is_named_in_the_command_and_the_file_only_extends_it():
    s = settings_from_preset("baseline", seed=5)
    assert setting_changes(s) == {}
    assert simulate_command(s, 24) == "python run.py simulate baseline --months 24 --seed 5"
    assert simulate_command(s, 0) == "python run.py simulate baseline --seed 5"
    text = scenario_toml(s)
    assert 'extends = "baseline"' in text and "[world]" not in text and "[policies" not in text


def test_the_command_reproduces_the_dashboards_time_series_byte_for_byte(tmp_path):
    s = _tiny()
    session = Session()
    session.build(s)
    session.run_to(MONTHS, "en")
    assert session.month == MONTHS
    csv = timeseries_csv(session.a)
    assert csv.count("\n") == MONTHS + 1
    (tmp_path / toml_filename(s)).write_text(scenario_toml(s, MONTHS), encoding="utf-8")
    command = simulate_command(s, MONTHS)
    assert command.startswith(f"python run.py simulate {toml_filename(s)} --months {MONTHS} --seed 11")
    args = [sys.executable, str(ROOT / "run.py"), *command.split()[2:], "--out", str(tmp_path / "out")]
    done = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "timeseries.csv").read_bytes() == csv.encode("utf-8")


def test_run_to_month_stops_at_the_end_and_an_earlier_month_starts_again():
    s = _tiny()
    s.values["scenario.months"] = 12
    session = Session()
    session.build(s)
    session.run_to(3, "en")
    first = timeseries_csv(session.a)
    session.run_to(40, "en")
    assert session.month == 12 and session.done
    model_before = session.a
    session.run_to(3, "en")
    assert session.month == 3 and session.a is not model_before
    assert timeseries_csv(session.a) == first


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_a_setting_comes_back_whole_from_its_url(lang):
    s = _tiny()
    s.values["policies.org_support.rent_subsidy_share"] = 0.35  # a value of a lever that is off
    s.enabled["incubators"] = True
    s.values["policies.incubators.slots"] = 7
    query = encode_query(s, lang)
    back = decode_query(query)
    assert back.problems == [] and back.lang == lang
    assert back.settings == s
    assert decode_query("?" + query).settings == s
    assert decode_query("").settings == settings_from_preset("baseline")


def test_compare_mode_setting_b_and_the_month_come_back_from_the_url():
    s = _tiny()
    view = View("compare", "shanghai-2015", ("self_governance_funds", "incubators"), 17)
    back = decode_query(encode_query(s, "zh", view))
    assert back.problems == [] and back.view == View("compare", "shanghai-2015", ("incubators", "self_governance_funds"), 17)
    assert back.view.b_enabled()["incubators"] and not back.view.b_enabled()["org_support"]
    assert "mode" not in encode_query(s, "zh", View(month=3)) and decode_query(encode_query(s, "zh")).view == View()


BAD = [
    ("lang=fr", "lang"),
    ("preset=no-such-preset", "preset"),
    ("preset=shanghai-city", "preset"),  # too big for the dashboard
    ("seed=-3", "seed"),
    ("seed=abc", "seed"),
    ("world.committees_per_street=12.5", "world.committees_per_street"),
    ("world.committees_per_street=nan", "world.committees_per_street"),
    ("policies.org_support.rent_subsidy_share=7", "policies.org_support.rent_subsidy_share"),
    ("policies.org_support.enabled=maybe", "policies.org_support.enabled"),
    ("policies.no_such_lever.enabled=1", "policies.no_such_lever.enabled"),
    ("parameters.whatever=1", "parameters.whatever"),
    ("%ZZ=%%", "%ZZ"),
    ("mode=slideshow", "mode"),
    ("b=no-such-preset", "b"),
    ("b.levers=no_such_lever", "b.levers"),
    ("month=-1", "month"),
    ("month=99999", "month"),
]


@pytest.mark.parametrize(("query", "name"), BAD)
def test_bad_or_unknown_url_values_are_ignored_with_a_message_in_the_pages_language(query, name):
    good = "world.committees_per_street=6&policies.incubators.enabled=1"
    back = decode_query(f"{query}&{good}")
    assert len(back.problems) == 1
    assert back.settings.values["world.committees_per_street"] == 6 and back.settings.enabled["incubators"]
    zh, en = (i18n.problem_text(back.problems[0], lang) for lang in ("zh", "en"))
    assert name in zh and name in en
    assert re.search(r"[\u4e00-\u9fff]", zh) and not re.search(r"[\u4e00-\u9fff]", en)
    assert zh != en
