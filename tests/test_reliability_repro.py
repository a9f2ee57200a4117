"""Reproducibility everywhere: the same file and seed give byte-identical canonical outputs

* twice in a row, in fresh processes with different ``PYTHONHASHSEED`` values
  (``simulate`` and ``experiment``);
* in this process, on a local pool of 1 or 2 workers, started with ``spawn``
  or ``fork`` (Dask LocalCluster: ``tests/experiments/test_exp_run.py`` and the
  worker-kill test in ``test_reliability_faults.py``);
* and every run records its seed, the scenario's hash, the git commit and the
  versions of Python, Mesa and numpy (``summary.json``, ``manifest.csv`` and
  ``manifest/<run>.json``).

A static check guards the rule behind it: no iteration over a set (or a
``hash()``) in the model decides a random draw.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import platform
import subprocess
import sys
import tomllib
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import pytest

from conftest import PYTHON, ROOT, RUN_PY
from model import __version__ as model_version
from model import load_scenario
from model.output import git_commit, versions

sys.path.insert(0, str(Path(__file__).resolve().parent / "experiments"))
from exp_helpers import (NON_CANONICAL, assert_same_bytes, checkout_state, folder_digest, run_quiet,  # noqa: E402
                         write_experiment)

SIM_FILES = ("timeseries.csv", "by_group.csv", "by_committee.csv", "by_type.csv", "spending.csv", "summary.json",
             "scenario.toml")

SCENARIO = """
[scenario]
name = "repro"
extends = "shanghai-2015"
months = 14
start = "2015-01"

[world]
committees_per_street = 5
residents_per_committee = 600
residents_cv = 0.4

[policies.self_governance_funds]
start = "2015-03"
ramp_months = 3
yuan_per_committee = 20000.0
"""

ARMS = {
    "base": {"world.residents_cv": 0.3},
    "rent": {"world.residents_cv": 0.3, "policies.org_support.start": 2,
             "policies.org_support.rent_subsidy_share": 0.8},
    "funds": {"world.residents_cv": 0.3, "parameters.committees.self_governance_fund_yuan": 60000.0},
}


def env_with(hash_seed: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONHASHSEED"] = hash_seed
    return env


def expected_versions() -> dict[str, str]:
    return {"python": platform.python_version(), "mesa": mesa.__version__, "numpy": np.__version__}


def test_recorded_model_version_is_the_package_version():
    """Runs record ``model._version.__version__``; ``model.__version__`` and pyproject.toml say the same."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert versions()["model"] == model_version == project["version"]


# ---------------------------------------------------------------------------
# simulate
# ---------------------------------------------------------------------------
@pytest.mark.slow
def test_simulate_identical_across_processes_and_hash_seeds(tmp_path):
    sc = tmp_path / "repro.toml"
    sc.write_text(SCENARIO, encoding="utf-8")
    state = checkout_state()
    outs = []
    for hash_seed in ("0", "4242"):
        out = tmp_path / f"out-{hash_seed}"
        res = subprocess.run([PYTHON, str(RUN_PY), "simulate", str(sc), "--seed", "11", "--out", str(out), "--quiet"],
                             cwd=ROOT, capture_output=True, text=True, timeout=180, env=env_with(hash_seed))
        assert res.returncode == 0, res.stderr
        outs.append(out)
    for name in SIM_FILES:
        assert_same_bytes((outs[0] / name).read_bytes(), (outs[1] / name).read_bytes(), state, name)

    # provenance: seed, scenario hash, git commit, versions
    summary = json.loads((outs[0] / "summary.json").read_text())
    assert summary["seed"] == 11
    assert summary["scenario_sha256"] == load_scenario(sc).digest()
    assert summary["scenario_sha256"] == hashlib.sha256((outs[0] / "scenario.toml").read_bytes()).hexdigest()
    assert_same_bytes(summary["git_commit"], git_commit(), state)
    assert summary["git_commit"] not in ("", "unknown")
    assert {k: summary["versions"][k] for k in ("python", "mesa", "numpy")} == expected_versions()


# ---------------------------------------------------------------------------
# experiments: in-process, spawn x1, spawn x2 (command line), fork x2; hash seeds
# ---------------------------------------------------------------------------
DRIVER = """
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
from experiments import runner
from experiments.executors import LocalPool
from experiments.load import load_experiment

def run(method, workers, out):
    runner.make_executor = lambda w, dask: LocalPool(workers, start_method=method)
    res = runner.run_experiment(load_experiment({path!r}), Path(out), workers=workers, log=lambda m: None,
                                figures=False)
    assert res.exit_code == 0 and res.done == res.executed, res

run("fork", 2, {fork!r})
run("spawn", 1, {spawn!r})
"""


@pytest.fixture(scope="module")
def experiment(tmp_path_factory):
    """A small experiment (three arms, one with a lever, uneven committee sizes) and its in-process reference."""
    tmp = tmp_path_factory.mktemp("repro-exp")
    state = checkout_state()
    path = write_experiment(tmp, arms=ARMS, replications=3, months=10, seed=5)
    ref = tmp / "ref"
    res = run_quiet(path, ref, workers=0)
    assert res.exit_code == 0 and res.done == 9
    return tmp, path, ref, state


def canonical(root: Path, figures: bool = True) -> dict[str, str]:
    d = folder_digest(root, skip=NON_CANONICAL)
    return d if figures else {k: v for k, v in d.items() if not k.startswith("figures/")}


@pytest.mark.slow
def test_experiment_identical_across_executors_start_methods_and_hash_seeds(experiment):
    tmp, path, ref, state = experiment
    # the command line, spawn x 2 workers, in a fresh process with its own hash seed
    cli_out = tmp / "cli"
    res = subprocess.run([PYTHON, str(RUN_PY), "experiment", str(path), "--out", str(cli_out), "--workers", "2",
                          "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=300, env=env_with("0"))
    assert res.returncode == 0, res.stderr
    # fork x 2 and spawn x 1, in another fresh process with another hash seed
    fork_out, spawn_out = tmp / "fork", tmp / "spawn"
    driver = DRIVER.format(root=str(ROOT), path=str(path), fork=str(fork_out), spawn=str(spawn_out))
    res = subprocess.run([PYTHON, "-c", driver], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         env=env_with("987654321"))
    assert res.returncode == 0, res.stderr

    reference = canonical(ref)
    assert len([k for k in reference if k.startswith("runs/")]) == 9
    assert_same_bytes(canonical(cli_out), reference, state, "command line, spawn x 2, PYTHONHASHSEED=0")
    assert_same_bytes(canonical(fork_out, figures=False), canonical(ref, figures=False), state, "fork x 2")
    assert_same_bytes(canonical(spawn_out, figures=False), canonical(ref, figures=False), state, "spawn x 1")


def test_start_method_option_of_the_local_pool():
    from experiments.executors import ExecutorError, LocalPool

    assert LocalPool(2).start_method == "spawn"  # the default everywhere
    with pytest.raises(ExecutorError, match="not available"):
        LocalPool(2, start_method="teleport")


def test_every_run_records_seed_scenario_hash_commit_and_versions(experiment):
    tmp, path, ref, state = experiment
    from experiments.design import replication_seed
    from experiments.load import load_experiment

    exp = load_experiment(path)
    manifest = pd.read_csv(ref / "manifest.csv", dtype=str)
    assert len(manifest) == 9
    for col in ("seed", "scenario_sha256", "git_commit", "python", "mesa", "numpy"):
        assert manifest[col].notna().all() and (manifest[col] != "").all(), col
    commit = git_commit()
    versions = expected_versions()
    for row in manifest.itertuples():
        assert_same_bytes(row.git_commit, commit, state)
        assert (row.python, row.mesa, row.numpy) == (versions["python"], versions["mesa"], versions["numpy"])
        assert int(row.seed) == replication_seed(5, int(row.replication))
        assert row.scenario_sha256 == exp.arm(row.arm).scenario.digest()
        entry = json.loads((ref / "manifest" / f"{row.run_id}.json").read_text())
        assert entry["git_commit"] == commit and entry["seed"] == int(row.seed)
        assert {k: entry["versions"][k] for k in versions} == versions


# ---------------------------------------------------------------------------
# no set iteration or hash() decides a random draw
# ---------------------------------------------------------------------------
SOURCES = sorted((ROOT / "model").glob("*.py")) + [ROOT / "experiments" / "design.py",
                                                   ROOT / "experiments" / "worker.py"]


def _is_set_expr(node: ast.AST, set_names: set[str]) -> bool:
    if isinstance(node, (ast.Set, ast.SetComp)):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("set", "frozenset"):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.BitOr, ast.BitAnd, ast.Sub, ast.BitXor)):
        return _is_set_expr(node.left, set_names) or _is_set_expr(node.right, set_names)
    return isinstance(node, ast.Name) and node.id in set_names


def set_iterations(source: str, allowed: frozenset[str] = frozenset()) -> list[int]:
    """Lines where a loop or comprehension iterates over a set (or a name bound to one in the
    same function), where ``list()``/``tuple()``/``np.array()`` copies one in its order, or where
    the builtin ``hash()`` is called. ``sorted(a_set)`` is fine; names in ``allowed`` are skipped."""
    tree = ast.parse(source)
    found = []
    scopes = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module))]
    for scope in scopes:
        set_names = {t.id for n in ast.walk(scope) if isinstance(n, (ast.Assign, ast.AnnAssign))
                     and n.value is not None and _is_set_expr(n.value, set())
                     for t in (n.targets if isinstance(n, ast.Assign) else [n.target]) if isinstance(t, ast.Name)}
        for n in ast.walk(scope):
            iters = []
            if isinstance(n, (ast.For, ast.AsyncFor)):
                iters.append(n.iter)
            elif isinstance(n, ast.comprehension):
                iters.append(n.iter)
            elif isinstance(n, ast.Call):
                name = n.func.id if isinstance(n.func, ast.Name) else getattr(n.func, "attr", "")
                if name == "zip":
                    iters.extend(n.args)
                elif name in ("list", "tuple", "enumerate", "array", "asarray", "fromiter", "choice", "permutation"):
                    iters.extend(n.args[:1])
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "hash":
                found.append(n.lineno)
            found += [it.lineno for it in iters
                      if _is_set_expr(it, set_names) and not (isinstance(it, ast.Name) and it.id in allowed)]
    return sorted(set(found))


def test_the_set_iteration_check_finds_what_it_looks_for():
    bad = "def f(rng, xs):\n    s = set(xs)\n    for x in s:\n        rng.random()\n" \
          "    ys = [y for y in {1, 2}]\n    return rng.choice(list(s)), hash('a')\n"
    assert set_iterations(bad) == [3, 5, 6]
    good = "def f(rng, xs):\n    s = set(xs)\n    for x in sorted(s):\n        rng.random()\n    return 1 in s\n"
    assert set_iterations(good) == []


ALLOWED = {
    # ``for name in SCALED: cur[name] /= scale``: each scaled outcome divided by the sampling
    # share; the order cannot matter and nothing is drawn.
    "outcomes.py": frozenset({"SCALED"}),
}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_no_set_iteration_or_hash_in_the_model(path):
    lines = set_iterations(path.read_text(encoding="utf-8"), ALLOWED.get(path.name, frozenset()))
    assert not lines, f"{path.relative_to(ROOT)}: iteration over a set or hash() at lines {lines}: order (and so " \
                      "random draws) would depend on PYTHONHASHSEED or memory addresses; use sorted() or a list"
