"""The ABC calibration's files (``model.tools.abc.run_abc``'s result), written atomically.

In the output folder (default ``results/posterior/<setting>``):

* ``posterior.csv``: ``particle`` (0..n-1), ``weight`` (sums to 1), then one column per
  estimated parameter named by its register path; the final generation, rows by particle;
* ``summaries.csv``: ``particle``, then one column per summary statistic (the particles'
  simulated values);
* ``generations.csv``: ``t``, ``epsilon`` (``inf`` for the prior generation), ``acceptance_rate``,
  ``ess``, ``particles``, ``simulations``;
* ``posterior.json``: format 1: model version, git commit, seed, setting and its numbers, each
  parameter's prior and posterior (weighted median ``central``, weighted ``mean`` and ``sd``),
  each statistic's target, scale and sources, the generations (epsilon ``null`` when
  infinite), and when the file was created.

The CSV files hold no times, so the same seed and setting give byte-identical CSV files.

Layout: ``weighted_median``; the tables (``posterior_table``, ``summaries_table``,
``generations_table``); ``posterior_json``; ``write_outputs``; ``convergence_text``.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._version import __version__
from ..output import atomic_write_text, csv_text, git_commit
from .abc import SETTINGS
from .abc_statistics import STATISTICS, target_of

FORMAT = 1
"""Version of the posterior file format (posterior.csv and posterior.json)."""


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The smallest value at which the cumulative weight (values sorted) reaches half."""
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cum, 0.5 * cum[-1])])


def posterior_table(result: dict[str, Any]) -> pd.DataFrame:
    """``particle``, ``weight``, one column per estimated register path."""
    rows = [{"particle": i, "weight": p["weight"], **p["parameters"]} for i, p in enumerate(result["particles"])]
    return pd.DataFrame(rows, columns=["particle", "weight", *(q.path for q in result["priors"])])


def summaries_table(result: dict[str, Any]) -> pd.DataFrame:
    """``particle``, one column per statistic."""
    rows = [{"particle": i, **p["statistics"]} for i, p in enumerate(result["particles"])]
    return pd.DataFrame(rows, columns=["particle", *(s.name for s in STATISTICS)])


def generations_table(result: dict[str, Any]) -> pd.DataFrame:
    """One row per generation."""
    return pd.DataFrame(result["generations"],
                        columns=["t", "epsilon", "acceptance_rate", "ess", "particles", "simulations"])


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _parameters(result: dict[str, Any], table: pd.DataFrame) -> list[dict[str, Any]]:
    w = table["weight"].to_numpy(dtype=np.float64)
    out = []
    for q in result["priors"]:
        v = table[q.path].to_numpy(dtype=np.float64)
        mean = float(np.sum(w * v))
        out.append({"path": q.path, "prior": q.kind, "lo": q.lo, "hi": q.hi, "default": q.default,
                    "central": weighted_median(v, w), "mean": mean,
                    "sd": float(np.sqrt(np.sum(w * (v - mean) ** 2)))})
    return out


def _statistics() -> list[dict[str, Any]]:
    out = []
    for s in STATISTICS:
        target, sources = target_of(s)
        years = sorted({r.year for r in (*s.start, *s.numer, *s.denom)})
        out.append({"name": s.name, "target": target, "scale": s.scale, "source": "; ".join(sources),
                    "years": years, "outcome": s.outcome, "kind": s.kind, "model_dates": list(s.dates),
                    "why_scale": s.why_scale, "note": s.note})
    return out


def posterior_json(result: dict[str, Any], table: pd.DataFrame) -> dict[str, Any]:
    """The description of the posterior (format 1)."""
    setting = SETTINGS[result["setting"]]
    commit = git_commit()
    gens = [{**g, "epsilon": _finite(g["epsilon"])} for g in result["generations"]]
    return {
        "format": FORMAT, "model_version": __version__, "git_commit": None if commit == "unknown" else commit,
        "seed": result["seed"], "setting": result["setting"],
        "settings": {**asdict(setting), "preset": "shanghai-history", "end": "2015-12",
                     "distance": "2-norm of (simulated - target) / scale over the statistics",
                     "epsilon": "median of the previous generation's distances; the first generation is the prior",
                     "workers": result["workers"]},
        "parameters": _parameters(result, table), "statistics": _statistics(), "generations": gens,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def write_outputs(result: dict[str, Any], out: Path) -> list[Path]:
    """Write the four files into ``out`` (created); the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    post = posterior_table(result)
    files = {
        "posterior.csv": csv_text(post),
        "summaries.csv": csv_text(summaries_table(result)),
        "generations.csv": csv_text(generations_table(result)),
        "posterior.json": json.dumps(posterior_json(result, post), indent=2, ensure_ascii=False) + "\n",
    }
    for name, text in files.items():
        atomic_write_text(out / name, text)
    return [out / name for name in files]


def convergence_text(result: dict[str, Any]) -> str:
    """Per generation: epsilon, acceptance rate, ESS, particles and simulations; then the
    posterior's central values."""
    lines = [f"ABC-SMC, setting {result['setting']!r}, seed {result['seed']}, {result['workers']} worker(s), "
             f"{result['seconds']:.1f} s", "", "  t   epsilon   acceptance     ESS  particles  simulations"]
    for g in result["generations"]:
        lines.append(f"{g['t']:3d} {g['epsilon']:9.3f} {g['acceptance_rate']:12.3f} {g['ess']:7.1f} "
                     f"{g['particles']:10d} {g['simulations']:12d}")
    table = posterior_table(result)
    lines += ["", "parameter (prior range): posterior central (weighted median), mean +- sd"]
    for p in _parameters(result, table):
        lines.append(f"  {p['path']} ({p['lo']:g}-{p['hi']:g}, {p['prior']}): {p['central']:.4g}, "
                     f"{p['mean']:.4g} +- {p['sd']:.3g}")
    return "\n".join(lines)
