"""The command line: simulate writes its seven files; bad input exits with code 2, names the
file and the field, shows no traceback and writes nothing; validate; re-running the
written scenario.toml reproduces the run byte for byte (in a fresh process)."""

from __future__ import annotations

import importlib.util
import json
import subprocess

import pandas as pd
import pytest

from conftest import PYTHON, ROOT, RUN_PY
from model import OUTCOME_NAMES

FILES = ("timeseries.csv", "by_group.csv", "by_committee.csv", "by_type.csv", "spending.csv", "summary.json",
             "scenario.toml")

SMALL = """
[scenario]
name = "cli-small"
extends = "baseline"
months = 6

[world]
committees_per_street = 4
residents_per_committee = 500

[parameters.streets]
purchase_budget_yuan = 1e6
"""

BAD = {
    "unknown_key": ("[scenario]\nname = 'x'\n[parameters.streets]\npurchase_budget = 5.0\n",
                    "parameters.streets.purchase_budget"),
    "wrong_type": ("[scenario]\nname = 'x'\nmonths = 'twelve'\n", "scenario.months"),
    "out_of_range": ("[scenario]\nname = 'x'\n[parameters.residents]\nlapse_rate = 1.5\n",
                     "parameters.residents.lapse_rate"),
    "nan": ("[scenario]\nname = 'x'\n[parameters.funders]\nlottery_budget_yuan = nan\n",
            "parameters.funders.lottery_budget_yuan"),
    "unknown_preset": ("[scenario]\nname = 'x'\nextends = 'no-such-preset'\n", "scenario.extends"),
    "extends_cycle": ("[scenario]\nname = 'x'\nextends = 'bad.toml'\n", "scenario.extends"),
}


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, str(RUN_PY), *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def run_main():
    """run.py's main(), imported from the file (in-process: quick)."""
    spec = importlib.util.spec_from_file_location("run_cli", RUN_PY)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.main


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli")
    sc = tmp / "small.toml"
    sc.write_text(SMALL)
    out = tmp / "out"
    res = cli("simulate", str(sc), "--seed", "5", "--out", str(out), "--quiet")
    return tmp, out, res


def test_simulate_writes_the_seven_files(simulated):
    _, out, res = simulated
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    ts = pd.read_csv(out / "timeseries.csv")
    assert list(ts.columns) == ["month", *OUTCOME_NAMES]
    assert ts["month"].tolist() == list(range(1, 7))
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == 5 and summary["months"] == 6 and summary["scenario"] == "cli-small"
    assert set(summary["final"]) == set(OUTCOME_NAMES)
    assert str(out) in res.stdout


def test_written_scenario_reruns_identically(simulated):
    """The scenario.toml written is the scenario exactly as run: run again (fresh process) from it,
    with the same seed, every file is byte-identical."""
    tmp, out, _ = simulated
    again = tmp / "again"
    res = cli("simulate", str(out / "scenario.toml"), "--seed", "5", "--out", str(again), "--quiet")
    assert res.returncode == 0, res.stderr
    for name in FILES:
        assert (out / name).read_bytes() == (again / name).read_bytes(), name


def test_months_and_seed_options(tmp_path, run_main, capsys):
    sc = tmp_path / "small.toml"
    sc.write_text(SMALL)
    assert run_main(["simulate", str(sc), "--months", "3", "--seed", "9", "--out", str(tmp_path / "o"), "--quiet"]) == 0
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["months"] == 3 and summary["seed"] == 9
    assert len(pd.read_csv(tmp_path / "o" / "timeseries.csv")) == 3


@pytest.mark.parametrize("case", list(BAD))
def test_bad_scenario_file_exit_2_names_file_and_field(tmp_path, run_main, capsys, case):
    text, field = BAD[case]
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    out = tmp_path / "out"
    code = run_main(["simulate", str(bad), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert str(bad) in err and field in err, err
    assert "Traceback" not in err
    assert not out.exists(), "nothing may be written on bad input"
    assert run_main(["validate", str(bad)]) == 2


def test_bad_scenario_file_in_a_fresh_process(tmp_path):
    text, field = BAD["unknown_preset"]
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    out = tmp_path / "out"
    res = cli("simulate", str(bad), "--out", str(out))
    assert res.returncode == 2
    assert str(bad) in res.stderr and field in res.stderr
    assert "Traceback" not in res.stderr and not out.exists()


@pytest.mark.parametrize("args, fragment", [
    (["--months", "0"], "--months"),
    (["--seed", "-1"], "--seed"),
])
def test_bad_options_exit_2(tmp_path, run_main, capsys, args, fragment):
    out = tmp_path / "out"
    code = run_main(["simulate", "baseline", *args, "--out", str(out), "--quiet"])
    assert code == 2 and fragment in capsys.readouterr().err
    assert not out.exists()


def test_out_path_with_dotdot_refused(run_main, capsys):
    assert run_main(["simulate", "baseline", "--months", "1", "--out", "results/../../elsewhere"]) == 2
    assert "'..'" in capsys.readouterr().err


def test_unknown_preset_on_the_command_line(run_main, capsys, tmp_path):
    assert run_main(["simulate", "no-such-preset", "--out", str(tmp_path / "o")]) == 2
    assert "unknown preset" in capsys.readouterr().err and not (tmp_path / "o").exists()


def test_validate_accepts_a_good_file(tmp_path):
    good = tmp_path / "good.toml"
    good.write_text(SMALL)
    res = cli("validate", str(good))
    assert res.returncode == 0, res.stderr
    assert "valid scenario 'cli-small'" in res.stdout and "6 months" in res.stdout


def test_scenarios_and_params_listings(run_main, capsys):
    assert run_main(["scenarios"]) == 0
    listing = capsys.readouterr().out
    assert listing.splitlines()[0].startswith("baseline")
    assert run_main(["params"]) == 0
    assert "parameters.streets.purchase_budget_yuan" in capsys.readouterr().out


def test_params_listings_show_each_entry_s_role(run_main, capsys):
    import json

    assert run_main(["params", "--json"]) == 0
    rows = {r["path"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["parameters.streets.purchase_budget_yuan"]["role"] == "lever"
    assert rows["parameters.residents.lapse_rate"]["role"] == "uncertain"
    assert rows["parameters.social_workers.city_residents"]["role"] == "fixed"
    assert run_main(["params", "--markdown"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0] == "| parameter | default | unit | bounds | evidence | plausible range | role | meaning |"
    assert any(line.startswith("| `parameters.streets.purchase_budget_yuan` |") and "| lever |" in line
               for line in table)
