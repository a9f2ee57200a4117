"""A posterior as an experiment's input: reading and checking its folder, and drawing parameter sets from it.

``[uncertainty] posterior = "folder"`` names a folder an ABC calibration
wrote (``python run.py calibrate --abc``):

``posterior.csv``
    ``particle`` (0..n-1, in order), ``weight`` (non-negative, adding up to 1
    within 1e-6), then one column per estimated parameter named by its full
    register path (``parameters.committees.hours_per_need``).
``posterior.json``
    ``{"format": 1, "model_version", "git_commit", "seed", "setting",
    "settings", "parameters": [{"path", ...}], "statistics", "generations",
    "created"}``; only ``format`` and the parameters' paths are checked
    (they must be the CSV's columns, in any order), the rest is provenance.
``summaries.csv``
    the particles' summary statistics: not read here.

A column may be any number in the register that no lever sets and that has a
plausible range (``range``): the entries a calibration may estimate, its prior
being that range (``model.tools.abc`` draws its priors from the same ranges),
whether the register calls them uncertain assumptions, study magnitudes
within a reported range, or hand-calibrated values; and any entry whose
evidence is "calibrated" (a value fitted to data). Levers, other entries with
no plausible range (fixed by data or by definition), and entries that are
not numbers are rejected. Values must be finite and within the register's
bounds; integer entries are rounded to the nearest integer.

Resampling
    Draw d takes the posterior's parameters from particle ``particles[d]``,
    picked by weight with **systematic resampling**: one uniform ``u`` from
    the stream ``SeedSequence(seed, spawn_key=(crc32("experiments.uncertainty"),
    crc32("experiments.posterior")))``, the points ``(u + k) / draws`` for
    k = 0..draws-1 read off the cumulative weights, then shuffled by a
    permutation from the same stream (so the first draws are no subset of
    low particle numbers). Each particle is drawn ``floor(draws * w)`` or
    ``ceil(draws * w)`` times, which multinomial resampling does only on
    average: less Monte Carlo noise for the same draws. The same seed gives
    the same particles.

Layout: ``Posterior`` (what was read, ``provenance``); reading
(``posterior_folder``, ``read_posterior`` with ``_read_meta``,
``_read_csv``, ``_columns``, ``_cells``, ``_weights``); drawing
(``resample``, ``rest_paths``, ``posterior_draws``); the record of what was drawn
(``posterior_record``, ``kept_by_arm``, written to ``posterior_used.json``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .uncertainty import UNCERTAINTY_KEY, Draws, range_values, register_by_path, tie, uncertain_entries

POSTERIOR_FORMAT = 1
PARTICLE_KEY = zlib.crc32(b"experiments.posterior")
WEIGHT_TOLERANCE = 1e-6
MAX_CSV_BYTES = 200_000_000
MAX_LISTED = 20
"""Problems listed per kind (cells, weights) before the rest are counted."""

FIELD = "uncertainty.posterior"
MAKE_HINT = "`python run.py calibrate --abc --setting full` writes results/posterior/full (quick|medium|full)"


@dataclass
class Posterior:
    """A posterior as read: ``values[i, j]`` is parameter ``paths[j]`` in particle i, with ``weights[i]``."""

    folder: Path
    paths: list[str]
    values: np.ndarray
    weights: np.ndarray
    meta: dict[str, Any]
    csv_sha256: str

    def provenance(self) -> dict[str, Any]:
        """Which posterior: its folder, posterior.json's seed, setting, creation time, commit and model
        version, the SHA-256 of posterior.csv, its particles and parameters."""
        return {"folder": str(self.folder), "format": self.meta.get("format"),
                **{k: self.meta.get(k) for k in ("seed", "setting", "created", "git_commit", "model_version")},
                "posterior_csv_sha256": self.csv_sha256, "particles": len(self.weights), "parameters": self.paths}


# ---------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------


def posterior_folder(ref: str, base_dir: Path) -> Path:
    """The folder ``ref`` names: absolute, or relative to the experiment file's folder."""
    p = Path(ref).expanduser()
    return p if p.is_absolute() else base_dir / p


def read_posterior(folder: Path) -> tuple[Posterior | None, list[tuple[str, str]]]:
    """The posterior in ``folder``, or None and every problem found (field ``uncertainty.posterior``,
    each message naming the file)."""
    problems: list[tuple[str, str]] = []
    if not folder.is_dir():
        return None, [(FIELD, f"{folder}: no such folder; a posterior is a folder holding posterior.csv and "
                              f"posterior.json ({MAKE_HINT})")]
    meta = _read_meta(folder / "posterior.json", problems)
    table = _read_csv(folder / "posterior.csv", problems)
    if table is None:
        return None, problems
    raw, header, rows = table
    where = folder / "posterior.csv"
    paths = _columns(where, header, problems)
    if meta is not None and paths and isinstance(meta.get("parameters"), list):
        listed = [p.get("path") for p in meta["parameters"] if isinstance(p, dict)]
        if sorted(map(str, listed)) != sorted(paths):
            problems.append((FIELD, f"{folder / 'posterior.json'}: its parameters {listed} are not the columns of "
                                    f"posterior.csv {paths}; allowed: the same paths, each once"))
    if not rows:
        problems.append((FIELD, f"{where}: no particles (an empty posterior); allowed: at least one row"))
    if problems:
        return None, problems
    weights, values = _cells(where, header, rows, paths, problems)
    _weights(where, weights, problems)
    if problems or meta is None:
        return None, problems
    ints = [j for j, p in enumerate(paths) if register_by_path()[p]["type"] == "int"]
    values[:, ints] = np.round(values[:, ints])
    return Posterior(folder, paths, values, weights, meta, hashlib.sha256(raw).hexdigest()), []


def _read_meta(path: Path, problems: list[tuple[str, str]]) -> dict[str, Any] | None:
    """posterior.json as a dict with ``format`` 1, or None after a problem."""
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append((FIELD, f"{path}: missing; a posterior folder holds posterior.json ({MAKE_HINT})"))
        return None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        problems.append((FIELD, f"{path}: cannot be read as UTF-8 JSON ({exc})"))
        return None
    if not isinstance(meta, dict):
        problems.append((FIELD, f"{path}: must hold a JSON object, not {type(meta).__name__}"))
        return None
    if meta.get("format") != POSTERIOR_FORMAT or isinstance(meta.get("format"), bool):
        problems.append((FIELD, f"{path}: format {meta.get('format')!r}; this version reads format "
                                f"{POSTERIOR_FORMAT}"))
        return None
    return meta


def _read_csv(path: Path, problems: list[tuple[str, str]]) -> tuple[bytes, list[str], list[list[str]]] | None:
    """posterior.csv's bytes, header and rows, or None after a problem."""
    try:
        size = path.stat().st_size
        if size > MAX_CSV_BYTES:
            problems.append((FIELD, f"{path}: {size:,} bytes; at most {MAX_CSV_BYTES:,} allowed"))
            return None
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except FileNotFoundError:
        problems.append((FIELD, f"{path}: missing; a posterior folder holds posterior.csv ({MAKE_HINT})"))
        return None
    except (OSError, UnicodeDecodeError) as exc:
        problems.append((FIELD, f"{path}: cannot be read as UTF-8 text ({exc})"))
        return None
    try:
        lines = [row for row in csv.reader(io.StringIO(text)) if row]
    except csv.Error as exc:
        problems.append((FIELD, f"{path}: not a CSV table ({exc})"))
        return None
    if not lines:
        problems.append((FIELD, f"{path}: empty; allowed: a header (particle, weight, register paths) and rows"))
        return None
    return raw, [h.strip() for h in lines[0]], lines[1:]


def _columns(path: Path, header: list[str], problems: list[tuple[str, str]]) -> list[str]:
    """The parameter columns of the header, after checking it (``particle``, ``weight``, then estimable
    register entries, each once)."""
    if header[:2] != ["particle", "weight"]:
        problems.append((FIELD, f"{path}: the header starts {header[:2]}; allowed: 'particle', 'weight', then "
                                "one column per estimated parameter"))
        return []
    paths = header[2:]
    if not paths:
        problems.append((FIELD, f"{path}: no parameter columns; allowed: one column per estimated parameter "
                                "named by its register path"))
    rows = register_by_path()
    for j, p in enumerate(paths):
        col = f"{path}, column {j + 3} {p!r}"
        if p in paths[:j]:
            problems.append((FIELD, f"{col}: listed twice"))
        elif p not in rows:
            problems.append((FIELD, f"{col}: not a register entry; allowed: a full path such as "
                                    "'parameters.committees.hours_per_need' (`python run.py params` lists them)"))
        elif (why := _not_estimable(rows[p])) is not None:
            problems.append((FIELD, f"{col}: {why}; allowed: numeric entries with a plausible range or "
                                    "evidence 'calibrated' that no lever sets (`python run.py params --json`)"))
    return paths


def _not_estimable(row: dict[str, Any]) -> str | None:
    """Why a register entry cannot come from a posterior, or None when it can."""
    if row["role"] == "lever":
        return "a policy lever sets it (role \"lever\"): levers are what experiments compare, never estimated"
    if row["type"] not in ("float", "int"):
        return f"not a number (type {row['type']})"
    if not row.get("range") and row["evidence"] != "calibrated":
        return f"a fixed input with no plausible range (role {row['role']!r}, evidence {row['evidence']!r})"
    return None


def _cells(path: Path, header: list[str], rows: list[list[str]], paths: list[str],
           problems: list[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
    """Weights and parameter values as arrays; every row's length, particle number, non-finite cell and
    value outside the register's bounds is a problem (the first ``MAX_LISTED`` are listed)."""
    reg = register_by_path()
    found: list[str] = []
    weights = np.full(len(rows), np.nan)
    values = np.full((len(rows), len(paths)), np.nan)
    for i, row in enumerate(rows):
        at = f"{path}, row {i + 2}"
        if len(row) != len(header):
            found.append(f"{at}: {len(row)} cells; allowed: {len(header)}, one per column")
            continue
        if row[0].strip() != str(i):
            found.append(f"{at}: particle {row[0]!r}; allowed: {i} (particles 0..n-1 in order)")
        for j, cell in enumerate(row[1:]):
            name = header[j + 1]
            x = _number(cell)
            if x is None:
                found.append(f"{at}, column {name!r}: {cell!r} is not a finite number")
                continue
            if j == 0:
                weights[i] = x
                continue
            values[i, j - 1] = x
            lo, hi = reg[name]["lo"], reg[name]["hi"]
            if (lo is not None and x < lo) or (hi is not None and x > hi):
                found.append(f"{at}, column {name!r}: {x:g} is outside the register's bounds; allowed: {lo} to {hi}")
    problems += [(FIELD, f) for f in found[:MAX_LISTED]]
    if len(found) > MAX_LISTED:
        problems.append((FIELD, f"{path}: {len(found) - MAX_LISTED} more such problem(s)"))
    return weights, values


def _number(cell: str) -> float | None:
    try:
        x = float(cell)
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def _weights(path: Path, weights: np.ndarray, problems: list[tuple[str, str]]) -> None:
    """Weights non-negative and adding up to 1 within ``WEIGHT_TOLERANCE`` (NaN cells were reported)."""
    if np.isnan(weights).any():
        return
    negative = np.flatnonzero(weights < 0)
    for i in negative[:MAX_LISTED]:
        problems.append((FIELD, f"{path}, row {i + 2}, column 'weight': {weights[i]:g} is negative; allowed: 0 or more"))
    total = float(weights.sum())
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        problems.append((FIELD, f"{path}, column 'weight': the weights add up to {total:.9g}; allowed: 1 "
                                f"(within {WEIGHT_TOLERANCE:g})"))


# ---------------------------------------------------------------------------
# drawing
# ---------------------------------------------------------------------------


def resample(weights: np.ndarray, n: int, seed: int) -> np.ndarray:
    """``n`` particle indices picked by weight (systematic resampling, then shuffled; module docstring)."""
    ss = np.random.SeedSequence(seed, spawn_key=(UNCERTAINTY_KEY, PARTICLE_KEY))
    rng = np.random.default_rng(int(ss.generate_state(1, np.uint32)[0]))
    cum = np.cumsum(weights / weights.sum())
    points = (rng.random() + np.arange(n)) / n
    picked = np.minimum(np.searchsorted(cum, points, side="right"), len(weights) - 1)
    return rng.permutation(picked)


def rest_paths(post: Posterior, parameters: list[str] | None, rest: str) -> list[str]:
    """The uncertain entries drawn from their ranges beside the posterior's: none with ``rest =
    "default"``; else ``parameters`` or every uncertain entry with a range the posterior did not estimate."""
    if rest == "default":
        return []
    if parameters is not None:
        return list(parameters)
    return [p for p in uncertain_entries() if p not in post.paths]


def posterior_draws(post: Posterior, rest: list[str], rest_mode: str, n: int, seed: int,
                    design: str = "lhs") -> Draws:
    """``n`` draws: the posterior's parameters from resampled particles, the ``rest`` entries from their
    ranges (the stream and design of :func:`experiments.uncertainty.sample_draws`), tied together."""
    particles = resample(post.weights, n, seed)
    u_rest, v_rest = range_values(rest, n, seed, design)
    paths = post.paths + rest
    values = tie(np.hstack([post.values[particles], v_rest]), paths)
    uniforms = np.hstack([np.full((n, len(post.paths)), np.nan), u_rest])
    reg = register_by_path()
    return Draws(paths, uniforms, values, [reg[p]["type"] == "int" for p in paths], particles=particles,
                 posterior=post, rest=rest_mode)


def posterior_record(draws: Draws, given: str, seed: int) -> dict[str, Any]:
    """What ``posterior_used.json`` says: the posterior (``given`` as the experiment file names it, and
    :meth:`Posterior.provenance`), the draws' seed, how many draws and distinct particles, the
    resampling scheme, how often each particle was drawn, and the rest mode."""
    post = draws.posterior
    assert post is not None and draws.particles is not None
    counts = np.bincount(draws.particles, minlength=len(post.weights))
    return {"posterior": given, **post.provenance(), "uncertainty_seed": seed, "draws": len(draws.particles),
            "distinct_particles": int((counts > 0).sum()), "resampling": "systematic",
            "draws_per_particle": {str(i): int(c) for i, c in enumerate(counts) if c},
            "rest": draws.rest, "rest_parameters": len(draws.paths) - len(post.paths),
            "kept_by_arm": kept_by_arm(draws)}


def kept_by_arm(draws: Draws) -> dict[str, list[str]]:
    """Per arm, the posterior's entries the arm keeps as its own (its ``set``, or its scenario's value
    differing from the register default), so its runs do not take them from the posterior."""
    assert draws.posterior is not None
    out = {}
    for arm, sets in draws.per_arm.items():
        kept = [p for p in draws.posterior.paths if sets and p not in sets[0]]
        if kept:
            out[arm] = kept
    return out
