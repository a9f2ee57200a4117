"""Helpers for the experiment tests: tiny experiment files and folder comparisons.

Worlds are tiny (one street of 4 committees x 500 residents) and runs short,
so that a whole experiment takes a fraction of a second in this process.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from model.output import git_commit

ROOT = Path(__file__).resolve().parents[2]
RUN_PY = ROOT / "run.py"
PYTHON = sys.executable

TINY_WORLD = {"world.committees_per_street": 4, "world.residents_per_committee": 500}

NON_CANONICAL = {"report.md", "report.html"}
"""Files that hold the run time and the executor, so they differ between invocations."""


def toml_value(v: Any) -> str:
    return json.dumps(v) if not isinstance(v, bool) else ("true" if v else "false")


def experiment_text(name: str = "tiny", months: int = 12, replications: Any = 3, seed: int = 11,
                    arms: dict[str, dict[str, Any]] | None = None, extra: str = "",
                    meta: str = "") -> str:
    """TOML of a small experiment; every arm runs on the baseline preset in the tiny world."""
    if arms is None:
        arms = {
            "base": {},
            "rent": {"parameters.organizations.rent_subsidy_share": 0.8},
            "funds": {"parameters.committees.self_governance_fund_yuan": 60000.0},
        }
    lines = ["[experiment]", f'name = "{name}"', 'question = "Which support helps?"', f"months = {months}",
             f"replications = {toml_value(replications)}", f"seed = {seed}"]
    if meta:
        lines.append(meta)
    for arm, sets in arms.items():
        lines += ["", "[[arm]]", f'name = "{arm}"', 'scenario = "baseline"', "[arm.set]"]
        for k, v in {**TINY_WORLD, **sets}.items():
            lines.append(f'"{k}" = {toml_value(v)}')
    if extra:
        lines += ["", extra]
    return "\n".join(lines) + "\n"


def write_experiment(folder: Path, text: str | None = None, filename: str = "exp.toml", **kwargs: Any) -> Path:
    path = folder / filename
    path.write_text(text if text is not None else experiment_text(**kwargs), encoding="utf-8")
    return path


def folder_digest(root: Path, skip: set[str] = NON_CANONICAL) -> dict[str, str]:
    """SHA-256 of every file under root (relative path -> hash), leaving out non-canonical files."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name not in skip:
            out[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def run_quiet(exp_path: Path, out: Path, workers: int = 0, **kwargs: Any):
    """Load and run an experiment in this process (no progress bar, no printing)."""
    from experiments.runner import run_experiment
    from experiments.load import load_experiment

    return run_experiment(load_experiment(exp_path), out, workers=workers, log=lambda _msg: None, **kwargs)


def checkout_state() -> tuple[str, str]:
    """The git commit and the digest of model/ and experiments/ sources: both go into the outputs
    (provenance, run keys), so a commit or an edit by someone else during a test changes bytes."""
    from experiments.checkout import code_digest

    return git_commit(), code_digest()


def assert_same_bytes(got, want, since: tuple[str, str], what: str = "") -> None:
    """``got == want``, unless the checkout changed since ``since`` (then the comparison means nothing)."""
    if got != want and checkout_state() != since:
        pytest.skip("the checkout changed during the test (a commit, or an edit of model/ or experiments/)")
    assert got == want, what
