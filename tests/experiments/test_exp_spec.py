"""Experiment files: valid files load; bad ones are rejected with every field at fault, before anything runs."""

from __future__ import annotations

import subprocess

import pytest
from exp_helpers import PYTHON, ROOT, RUN_PY, experiment_text, write_experiment

from experiments.load import ExperimentError, load_experiment
from experiments.spec import DEFAULT_OUTCOMES
from model.inputs import InputError


def _problems(path) -> dict[str, str]:
    with pytest.raises(ExperimentError) as info:
        load_experiment(path)
    assert isinstance(info.value, InputError)  # the command line treats scenario and experiment errors alike
    return dict(info.value.problems)


def test_valid_file_loads_with_months_and_overrides_applied(tmp_path):
    exp = load_experiment(write_experiment(tmp_path, months=7))
    assert [a.name for a in exp.arms] == ["base", "rent", "funds"]
    assert exp.reference == "base"  # the first arm unless the file says
    assert exp.outcomes == list(DEFAULT_OUTCOMES)
    rent = exp.arm("rent").scenario
    assert rent.scenario.months == 7
    assert rent.world.committees_per_street == 4
    assert rent.parameters.organizations.rent_subsidy_share == 0.8
    assert exp.arm("base").scenario.parameters.organizations.rent_subsidy_share == 0.0


def test_nested_tables_in_set_are_dotted_paths(tmp_path):
    text = experiment_text(arms={"a": {}}) + "\n[[arm]]\nname = \"b\"\nscenario = \"baseline\"\n" \
        "[arm.set.parameters.organizations]\nrent_subsidy_share = 0.3\n"
    exp = load_experiment(write_experiment(tmp_path, text))
    assert exp.arm("b").set == {"parameters.organizations.rent_subsidy_share": 0.3}


BAD_ARMS = """
[[arm]]
name = "a"
scenario = "baseline"
[arm.set]
"parameters.organizations.rent_subsidy_shar" = 0.5
"parameters.committees.staff" = -3

[[arm]]
name = "a"
scenario = "no-such-preset"
"""
"""Two arms with a misspelt parameter, a bad value, a duplicate name and an unknown preset."""


def test_every_problem_is_listed_with_its_field(tmp_path):
    text = """
[experiment]
name = "bad"
months = "60"
replications = 0
seed = -1
reference = "nobody"
outcomes = ["needs_met", "happiness"]
colour = "red"

""" + BAD_ARMS
    problems = _problems(write_experiment(tmp_path, text))
    # shape errors come first (pydantic), all at once
    assert "experiment.months" in problems and "integer" in problems["experiment.months"]
    assert "experiment.seed" in problems and "greater than or equal to 0" in problems["experiment.seed"]
    assert "experiment.colour" in problems and "allowed here: name, question" in problems["experiment.colour"]
    assert "experiment.replications" in problems


@pytest.mark.parametrize("replications", [0, "some", 2.5])
def test_a_field_of_several_forms_is_reported_once_with_what_is_allowed(tmp_path, replications):
    with pytest.raises(ExperimentError) as info:
        load_experiment(write_experiment(tmp_path, replications=replications))
    found = [msg for path, msg in info.value.problems if path == "experiment.replications"]
    assert len(found) == 1 and 'an integer 1-10000 or "auto"' in found[0], info.value.problems


def test_meaning_errors_are_listed_together(tmp_path):
    text = """
[experiment]
name = "bad"
months = 12
replications = 2
reference = "nobody"
outcomes = ["needs_met", "happiness"]
output = "../../x"

""" + BAD_ARMS
    problems = _problems(write_experiment(tmp_path, text))
    assert "not allowed" in problems["experiment.output"]
    assert "no arm named 'nobody'" in problems["experiment.reference"]
    assert "unknown outcome 'happiness'" in problems["experiment.outcomes[2]"]
    assert "duplicate arm name" in problems["arm[2].name"]
    assert "unknown preset" in problems["arm[2].scenario"]
    assert "unknown key" in problems['arm[1].set."parameters.organizations.rent_subsidy_shar"']
    assert "greater than or equal to 1" in problems['arm[1].set."parameters.committees.staff"']


@pytest.mark.parametrize("output", ["/tmp/x", "a/../../x", "C:\\x"])
def test_output_outside_results_is_rejected(tmp_path, output):
    text = experiment_text(meta=f"output = {output!r}".replace("'", '"').replace("\\", "\\\\"))
    assert "experiment.output" in _problems(write_experiment(tmp_path, text))


@pytest.mark.parametrize("line, field", [
    ("seed = nan", "experiment.seed"),
    ("months = inf", "experiment.months"),
])
def test_nan_and_infinity_are_rejected(tmp_path, line, field):
    text = experiment_text().replace("seed = 11", "seed = 11" if "seed" not in line else line)
    if "months" in line:
        text = text.replace("months = 12", line)
    assert "finite" in _problems(write_experiment(tmp_path, text))[field]


def test_nan_in_an_override_is_rejected(tmp_path):
    text = experiment_text(arms={"a": {}}) + '"parameters.organizations.rent_subsidy_share" = nan\n'
    problems = _problems(write_experiment(tmp_path, text))
    assert "finite" in problems['arm[1].set."parameters.organizations.rent_subsidy_share"']


def test_months_of_arms_cannot_be_set(tmp_path):
    problems = _problems(write_experiment(tmp_path, arms={"a": {"scenario.months": 5}}))
    assert "set by the experiment" in problems["arm[1].set"]


@pytest.mark.parametrize("sweep, field, words", [
    ('design = "sobol"\nsamples = 6', "sweep.samples", "power of 2"),
    ('design = "lhs"', "sweep.samples", "required"),
    ('design = "grid"\nsamples = 4', "sweep.samples", "not used by a grid"),
    ('design = "morris"\nsamples = 4\nlevels = 3', "sweep.levels", "even"),
    ('design = "anova"\nsamples = 4', "sweep.design", "'grid', 'lhs', 'sobol' or 'morris'"),
])
def test_bad_sweeps(tmp_path, sweep, field, words):
    extra = f'[sweep]\n{sweep}\n[sweep.factors]\n"parameters.organizations.rent_subsidy_share" = [0.0, 0.5]\n' \
            '"parameters.committees.admin_burden" = [0.3, 0.6]\n'
    problems = _problems(write_experiment(tmp_path, extra=extra))
    assert words in problems[field]


def test_sweep_factor_ranges_are_checked_against_the_register(tmp_path):
    extra = ('[sweep]\ndesign = "lhs"\nsamples = 5\n[sweep.factors]\n'
             '"parameters.organizations.rent_subsidy_share" = [0.5, 1.5]\n'
             '"parameters.committees.admin_burden" = [0.6, 0.3]\n'
             '"parameters.nothing.here" = [0, 1]\n')
    problems = _problems(write_experiment(tmp_path, extra=extra))
    assert "low must be below high" in problems['sweep.factors."parameters.committees.admin_burden"']
    extra = extra.replace("[0.6, 0.3]", "[0.3, 0.6]")
    problems = _problems(write_experiment(tmp_path, extra=extra))
    assert "less than or equal to 1" in problems['sweep.factors."parameters.organizations.rent_subsidy_share"']
    assert "unknown key" in problems['sweep.factors."parameters.nothing.here"']


def test_auto_needs_its_table_and_no_sweep(tmp_path):
    problems = _problems(write_experiment(tmp_path, replications="auto"))
    assert "[experiment.auto]" in problems["experiment.auto"]
    text = experiment_text(replications="auto") + '\n[experiment.auto]\noutcome = "needs_met"\nhalf_width = 0\n'
    text = text.replace("\n[experiment.auto]", "").replace('outcome = "needs_met"\nhalf_width = 0\n', "")
    text = text.replace('seed = 11', 'seed = 11\n[experiment.auto]\noutcome = "joy"\nhalf_width = -1\nmin = 5\nmax = 3')
    problems = _problems(write_experiment(tmp_path, text))
    assert "greater than 0" in problems["experiment.auto.half_width"]


@pytest.mark.parametrize("content, words", [
    (b"[experiment\nname = 1", "not valid TOML"),
    (b'[experiment]\nname = "a"\nname = "b"\n', "not valid TOML"),
    (b"\xff\xfe[experiment]", "not UTF-8"),
])
def test_unreadable_files(tmp_path, content, words):
    path = tmp_path / "x.toml"
    path.write_bytes(content)
    assert words in _problems(path)[""]


def test_missing_file(tmp_path):
    assert "cannot read" in _problems(tmp_path / "nope.toml")[""]


def test_attribution_checks(tmp_path):
    extra = '[attribution]\narms = ["base", "ghost"]\n'
    problems = _problems(write_experiment(tmp_path, extra=extra))
    assert "is the reference" in problems["attribution.arms[1]"]
    assert "no arm named 'ghost'" in problems["attribution.arms[2]"]


def test_bad_file_on_the_command_line_exits_2_and_writes_nothing(tmp_path):
    text = experiment_text().replace("months = 12", "months = 0").replace('"parameters.organizations.rent_subsidy_share" = 0.8',
                                                                      '"parameters.organizations.rent_subsidy_share" = 2')
    path = write_experiment(tmp_path, text)
    out = tmp_path / "out"
    res = subprocess.run([PYTHON, str(RUN_PY), "experiment", str(path), "--out", str(out)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2, res.stderr
    assert str(path) in res.stderr
    assert "experiment.months" in res.stderr
    assert "Traceback" not in res.stderr
    assert not out.exists()
    res = subprocess.run([PYTHON, str(RUN_PY), "experiment", str(write_experiment(tmp_path, filename="ok.toml")),
                          "--out", "a/../../b", "--workers", "-1"], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 2 and "Traceback" not in res.stderr and "--workers" in res.stderr


def test_ready_experiment_files_validate():
    """The shipped files validate (their presets come with the policy levers; skipped until those exist)."""
    from model.scenario import preset_names

    needed = {"shanghai-2015", "platform-commissioning", "professional-guidance", "project-led",
              "internal-development"}
    if not needed <= set(preset_names()):
        pytest.skip("the practice-mode presets are not in this checkout yet")
    for name in ("default", "sensitivity-morris", "budget-purchase"):
        exp = load_experiment(ROOT / "experiments" / f"{name}.toml")
        assert exp.name == name


def test_arm_scenario_files_are_found_next_to_the_experiment(tmp_path):
    (tmp_path / "my-street.toml").write_text('[scenario]\nname = "my-street"\nextends = "baseline"\n'
                                             "[parameters.committees]\nstaff = 7\n", encoding="utf-8")
    text = experiment_text(arms={"a": {}}).replace('scenario = "baseline"', 'scenario = "my-street.toml"')
    exp = load_experiment(write_experiment(tmp_path, text))
    assert exp.arm("a").scenario.parameters.committees.staff == 7
    bad = text.replace("my-street.toml", "missing.toml")
    assert "arm[1].scenario" in _problems(write_experiment(tmp_path, bad, filename="bad.toml"))
