"""Serve Solara's own JavaScript and CSS from this machine (the dashboard works with no internet).

Solara's page loads its front-end packages through a server-side proxy,
``/_solara/cdn/<package>@<version>/<file>``, which downloads them from a public
CDN on first use; with no internet the page stays blank. That CDN path is the
file inside the package's npm tarball, so the proxy's cache can be filled
ahead of time from the npm registry (with the ordinary ``npm pack``) and
pointed at with ``SOLARA_ASSETS_PROXY_CACHE_DIR`` (see
``shared/recipes/dashboard-browser-test.md``).

    python -m dashboard.assets          # seed the cache (CI runs this; idempotent)
    python -m dashboard.assets --check  # exit 1 if anything is missing

The cache lives in ``.cache/solara-cdn/`` at the repository root (git-ignored).
Checking it reads solara's files without importing solara, so the launcher
(``run.py dashboard``) stays small.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = ROOT / ".cache" / "solara-cdn"
REGISTRY = "https://registry.npmjs.org/"
FIX_COMMAND = "python -m dashboard.assets"
"""Fills the cache (needs the internet and npm once); the dashboard then starts offline."""

# every npm package@version the installed solara references in its templates,
# .vue widgets and settings, and the dashboard's own .vue widgets (the live
# chart loads echarts; solara.Markdown would also lazy-load mermaid and katex:
# the dashboard uses solara.Text instead, so they are not needed)
_SPEC_RE = re.compile(r"(@widgetti/[a-z0-9-]+|requirejs|font-awesome|echarts)@[0-9][0-9A-Za-z.-]*[0-9A-Za-z]")
_SUFFIXES = (".j2", ".vue", ".py")
DASHBOARD_DIR = Path(__file__).resolve().parent


def solara_dir() -> Path:
    """The installed solara package's folder, found without importing it (Solara alone is ~200 MB)."""
    spec = importlib.util.find_spec("solara")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("solara is not installed: pip install -e \".[dashboard]\"")
    return Path(next(iter(spec.submodule_search_locations)))


def required_packages() -> list[str]:
    """The ``name@version`` specs the installed solara and the dashboard's .vue widgets load through
    Solara's CDN proxy."""
    found: set[str] = set()
    files = [p for p in solara_dir().rglob("*") if p.suffix in _SUFFIXES] + list(DASHBOARD_DIR.glob("*.vue"))
    for path in files:
        if path.is_file():
            found.update(m.group(0) for m in _SPEC_RE.finditer(path.read_text("utf-8", errors="replace")))
    return sorted(found)


def missing(cache_dir: Path | None = None) -> list[str]:
    """Specs not yet in the cache (``CACHE_DIR`` by default)."""
    cache_dir = CACHE_DIR if cache_dir is None else cache_dir
    return [spec for spec in required_packages() if not (cache_dir / spec / "package.json").is_file()]


def registry_reachable(timeout: float = 3.0) -> bool:
    """True when the npm registry answers within ``timeout`` seconds (honouring HTTP(S)_PROXY)."""
    try:
        with urllib.request.build_opener().open(REGISTRY, timeout=timeout):  # the proxies of now
            return True
    except urllib.error.HTTPError:
        return True  # it answered
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _unpack(tarball: Path, dest: Path) -> None:
    """Extract an npm tarball (whose files sit under ``package/``) into ``dest``."""
    with tarfile.open(tarball, "r:gz") as tar:
        members = []
        for member in tar.getmembers():
            parts = Path(member.name).parts
            if len(parts) < 2:
                continue
            member.name = str(Path(*parts[1:]))  # strip the top folder ('package/')
            members.append(member)
        tar.extractall(dest, members=members, filter="data")


def seed(cache_dir: Path | None = None, quiet: bool = False) -> list[str]:
    """Fill the cache with every missing package (``npm pack`` from the npm registry); return those added."""
    cache_dir = CACHE_DIR if cache_dir is None else cache_dir
    todo = missing(cache_dir)
    if not todo:
        return []
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm not found: install Node.js/npm to seed Solara's assets for offline use")
    added = []
    with tempfile.TemporaryDirectory() as tmp:
        for spec in todo:
            out = subprocess.run([npm, "pack", "--silent", spec], cwd=tmp, capture_output=True, text=True,
                                 timeout=300, check=False)
            if out.returncode != 0:
                raise RuntimeError(f"npm pack {spec} failed: {out.stderr.strip()[-500:]}")
            tarball = Path(tmp) / out.stdout.strip().splitlines()[-1]
            dest = cache_dir / spec
            staging = cache_dir / f".{spec.replace('/', '_')}.partial"
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True)
            _unpack(tarball, staging)
            shutil.rmtree(dest, ignore_errors=True)
            dest.parent.mkdir(parents=True, exist_ok=True)
            staging.rename(dest)
            added.append(spec)
            if not quiet:
                print(f"seeded {spec}")
    return added


def main(argv: list[str] | None = None) -> int:
    """Command line: seed (default) or check the cache."""
    parser = argparse.ArgumentParser(prog="python -m dashboard.assets", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only check; exit 1 if anything is missing")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    if args.check:
        gone = missing()
        for spec in gone:
            print(f"missing {spec}")
        return 1 if gone else 0
    try:
        seed(quiet=args.quiet)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"Solara assets ready in {CACHE_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
