"""Writing a run's results: atomically, reproducibly, with provenance.

Every file is written to a temporary file in the target folder and moved
into place with ``os.replace``: a reader sees the previous file or the new
one, never half of one. Canonical outputs hold no wall-clock times, so the
same scenario and seed give byte-identical files.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ._version import __version__

if TYPE_CHECKING:
    import pandas as pd

    from .community import CommunityModel

FLOAT_FORMAT = "%.10g"
_UMASK = os.umask(0)
os.umask(_UMASK)


def output_folder(out: str | None, name: str) -> Path:
    """Where a command writes: ``--out`` as given, or results/<name> in the project.
    Raises ValueError for a path with '..' in it."""
    if out is None:
        return Path(__file__).resolve().parent.parent / "results" / name
    path = Path(out)
    if any(part == ".." for part in path.parts):
        raise ValueError(f"--out {out!r}: '..' is not allowed in an output path")
    return path


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temp file, fsync, rename).

    On any failure (a full disk, a write error) ``path`` keeps its previous
    content, or stays absent, and the temporary file is removed. An
    ``OSError`` is raised again naming ``path`` (not the temporary file), so
    the command line can say which file could not be written.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Write UTF-8 text atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


def csv_text(df: "pd.DataFrame") -> str:
    """Canonical CSV text of a table (fixed float format, no index)."""
    return df.to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\n")


def git_commit() -> str:
    """The project's git commit, or 'unknown' outside a git checkout."""
    here = Path(__file__).resolve().parent.parent
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True,
                             timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() if out.returncode == 0 else "unknown"


def versions() -> dict[str, str]:
    """Versions of Python and the libraries that decide the numbers."""
    import mesa
    import pandas
    import scipy

    return {
        "model": __version__,
        "python": platform.python_version(),
        "mesa": mesa.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "pandas": pandas.__version__,
    }


def provenance(model: "CommunityModel") -> dict[str, Any]:
    """What identifies a run: seed, scenario hash, code commit and versions."""
    return {
        "seed": model.seed,
        "scenario": model.spec.scenario.name,
        "scenario_sha256": model.spec.digest(),
        "git_commit": git_commit(),
        "versions": versions(),
    }


def summary(model: "CommunityModel") -> dict[str, Any]:
    """Final outcomes plus provenance and world size."""
    final = {k: float(v) for k, v in model.recorder.current.items()}
    return {
        **provenance(model),
        "months": model.month,
        "end_date": model.calendar_label() or None,
        "world": {
            "streets_simulated": model.n_streets,
            "committees_simulated": len(model.committees),
            "residents_simulated": model.simulated_residents,
            "scale": model.scale,
        },
        "final": final,
        "committee_gap": model.recorder.committee_gap(),
    }


def write_run(model: "CommunityModel", out: Path) -> list[Path]:
    """Write timeseries.csv, by_group.csv, by_committee.csv, by_type.csv, spending.csv, summary.json and
    scenario.toml into ``out``. All tables are built first, then each file is written atomically."""
    rec = model.recorder
    files = {
        "timeseries.csv": csv_text(rec.timeseries()),
        "by_group.csv": csv_text(rec.group_table()),
        "by_committee.csv": csv_text(rec.committee_table()),
        "by_type.csv": csv_text(rec.types.table()),
        "spending.csv": csv_text(rec.spending_table()),
        "summary.json": json.dumps(summary(model), indent=2, sort_keys=True, allow_nan=False) + "\n",
        "scenario.toml": model.spec.to_toml(),
    }
    out = Path(out)
    written = []
    for name, text in files.items():
        path = out / name
        atomic_write_text(path, text)
        written.append(path)
    return written
