"""Bad input corpus: every file under tests/bad_inputs/ is rejected before any run starts.

Street profiles (tests/bad_inputs/profiles/) are given to ``validate --profile`` and
``simulate --profile``. Each committed file says in ``# expect: ...`` comment lines what the message must
contain (the field paths at fault, and often what is allowed). Large and binary
files (many megabytes, non-UTF-8 bytes, nesting deep enough to exhaust the TOML
parser's recursion) are generated here at run time rather than committed.

For every file: exit code 2, the message names the file and every expected
fragment, no traceback, nothing written (``simulate --out`` and the
experiment's results folder stay absent). Most run in this process through
``run.py``'s ``main()``; two go through a fresh ``python run.py`` process.
"""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

import pytest

from conftest import PYTHON, ROOT, RUN_PY

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
SCENARIOS = sorted((CORPUS / "scenarios").glob("*.toml"))
EXPERIMENTS = sorted((CORPUS / "experiments").glob("*.toml"))
PROFILES = sorted((CORPUS / "profiles").glob("*.toml"))


def expectations(path: Path) -> list[str]:
    """The fragments a file's ``# expect:`` lines ask for."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("# expect:")]


@pytest.fixture(scope="module")
def run_main():
    spec = importlib.util.spec_from_file_location("run_cli_bad_inputs", RUN_PY)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.main


@pytest.fixture
def results_root(tmp_path, monkeypatch):
    """The experiment command's default results folder moved under tmp_path (must stay absent)."""
    import experiments.cli as cli

    root = tmp_path / "root"
    monkeypatch.setattr(cli, "ROOT", root)
    return root


def assert_rejected(code: int, err: str, path: Path, fragments: list[str]) -> None:
    assert code == 2, err
    assert "Traceback" not in err, err
    assert str(path) in err, f"the message must name the file:\n{err}"
    missing = [f for f in fragments if f not in err]
    assert not missing, f"{path.name}: message lacks {missing}:\n{err[:3000]}"


def test_corpus_is_large_enough_and_every_file_says_what_it_expects():
    assert len(SCENARIOS) + len(EXPERIMENTS) >= 30
    assert len(PROFILES) >= 15
    for path in SCENARIOS + EXPERIMENTS + PROFILES:
        assert expectations(path), f"{path.name} has no '# expect:' line"


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_bad_scenario_file(path, run_main, capsys, tmp_path):
    fragments = expectations(path)
    assert_rejected(run_main(["validate", str(path)]), capsys.readouterr().err, path, fragments)
    out = tmp_path / "out"
    code = run_main(["simulate", str(path), "--out", str(out), "--quiet"])
    assert_rejected(code, capsys.readouterr().err, path, fragments)
    assert not out.exists(), "nothing may be written on bad input"


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_bad_street_profile(path, run_main, capsys, tmp_path):
    fragments = expectations(path)
    assert_rejected(run_main(["validate", "--profile", str(path)]), capsys.readouterr().err, path, fragments)
    out = tmp_path / "out"
    code = run_main(["simulate", "--profile", str(path), "--out", str(out), "--quiet"])
    assert_rejected(code, capsys.readouterr().err, path, fragments)
    assert not out.exists(), "nothing may be written on bad input"


@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: p.stem)
def test_bad_experiment_file(path, run_main, capsys, tmp_path, results_root):
    code = run_main(["experiment", str(path), "--workers", "0", "--quiet"])
    assert_rejected(code, capsys.readouterr().err, path, expectations(path))
    assert not results_root.exists(), "nothing may be written on bad input"
    assert not (tmp_path / "x").exists() and not Path("/tmp/sanshe-bad-output").exists()


# ---------------------------------------------------------------------------
# generated files: huge, non-UTF-8, nested too deeply
# ---------------------------------------------------------------------------
SCENARIO_HEAD = '[scenario]\nname = "generated"\n'
EXPERIMENT_HEAD = '[experiment]\nname = "generated"\nmonths = 12\nreplications = 2\n'
ARM = '\n[[arm]]\nname = "base"\nscenario = "baseline"\n'


def _huge(head: str) -> bytes:
    # about 5 MB of valid TOML: a comment line repeated
    return (head + ("# " + "x" * 98 + "\n") * 50_000).encode()


GENERATED = {
    "huge": (lambda head, tail: _huge(head) + tail.encode(), ["at most 1,000,000 allowed"]),
    "non_utf8": (lambda head, tail: head.encode() + b'description = "caf\xe9 \xff\xfe"\n' + tail.encode(),
                 ["not UTF-8", "save the file as UTF-8"]),
    "utf16": (lambda head, tail: (head + tail).encode("utf-16"), ["not UTF-8"]),
    "nested_too_deeply": (lambda head, tail: (head + "description = " + "[" * 20_000 + "]" * 20_000 + "\n"
                                              + tail).encode(), ["not valid TOML"]),
    "nul_bytes": (lambda head, tail: head.encode() + b"\x00" * 1000 + tail.encode(), ["not valid TOML"]),
}


@pytest.mark.parametrize("kind", list(GENERATED))
def test_generated_bad_scenario(kind, run_main, capsys, tmp_path):
    make, fragments = GENERATED[kind]
    path = tmp_path / f"{kind}.toml"
    path.write_bytes(make(SCENARIO_HEAD, ""))
    assert_rejected(run_main(["validate", str(path)]), capsys.readouterr().err, path, fragments)
    out = tmp_path / "out"
    code = run_main(["simulate", str(path), "--out", str(out), "--quiet"])
    assert_rejected(code, capsys.readouterr().err, path, fragments)
    assert not out.exists()


@pytest.mark.parametrize("kind", list(GENERATED))
def test_generated_bad_experiment(kind, run_main, capsys, tmp_path, results_root):
    make, fragments = GENERATED[kind]
    path = tmp_path / f"{kind}.toml"
    path.write_bytes(make(EXPERIMENT_HEAD, ARM))
    out = tmp_path / "out"
    code = run_main(["experiment", str(path), "--out", str(out), "--workers", "0", "--quiet"])
    assert_rejected(code, capsys.readouterr().err, path, fragments)
    assert not out.exists() and not results_root.exists()


def test_huge_parent_blames_the_extends_field(run_main, capsys, tmp_path):
    """A scenario that extends a file of many megabytes: the child's ``extends`` is at fault."""
    (tmp_path / "parent.toml").write_bytes(_huge(SCENARIO_HEAD))
    child = tmp_path / "child.toml"
    child.write_text('[scenario]\nname = "child"\nextends = "parent.toml"\n', encoding="utf-8")
    code = run_main(["validate", str(child)])
    assert_rejected(code, capsys.readouterr().err, child, ["scenario.extends", "at most 1,000,000 allowed"])


@pytest.mark.parametrize("command, text, field", [
    ("validate", SCENARIO_HEAD + "description = '" + "x" * 900_000 + "'\n", "scenario.description"),
    ("experiment", EXPERIMENT_HEAD + "question = '" + "x" * 900_000 + "'\n" + ARM, "experiment.question"),
])
def test_a_huge_value_is_named_not_echoed(run_main, capsys, tmp_path, results_root, command, text, field):
    """A 900 kB string (the file is under the size limit): the message names the field and stays short."""
    path = tmp_path / "long.toml"
    path.write_text(text, encoding="utf-8")
    code = run_main([command, str(path), "--workers", "0"] if command == "experiment" else [command, str(path)])
    err = capsys.readouterr().err
    assert_rejected(code, err, path, [field, "at most 2000 characters"])
    assert len(err) < 2000


# ---------------------------------------------------------------------------
# two in fresh processes: the real command line, no in-process shortcuts
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("command, name", [("validate", "scenarios/many_problems.toml"),
                                           ("experiment", "experiments/arm_extends_cycle.toml"),
                                           ("simulate", "profiles/many_problems.toml")])
def test_bad_file_in_a_fresh_process(tmp_path, command, name):
    path = CORPUS / name
    out = tmp_path / "out"
    args = [PYTHON, str(RUN_PY), command, str(path)]
    if command == "simulate":
        args = [PYTHON, str(RUN_PY), command, "--profile", str(path), "--out", str(out)]
    if command == "experiment":
        args += ["--out", str(out), "--workers", "1"]
    res = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert_rejected(res.returncode, res.stderr, path, expectations(path))
    assert not out.exists()
