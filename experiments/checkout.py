"""What code this checkout runs: a digest of its Python sources.

Part of every run's identity key (``design.Plan``), so ``--resume`` never
reuses a run made by other code, and compared with what joined Dask workers
run. Imports no model code.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def code_digest(packages: tuple[str, ...] = ("model", "experiments")) -> str:
    """SHA-256 over the Python sources of the given packages of this checkout (read afresh: ~1 ms)."""
    h = hashlib.sha256()
    for pkg in packages:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            h.update(path.relative_to(ROOT).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()
