"""Start and stop the dashboard's ``solara run`` server safely.

* Bound to 127.0.0.1 unless a host is given explicitly (``run.py dashboard
  --host H`` prints a warning then). ``solara run`` would otherwise take its
  host from a ``HOST`` or ``SOLARA_HOST`` variable (``HOST=0.0.0.0`` exposes
  it to the network), so the host is always passed on the command line and
  those variables, ``PORT`` and every other inherited ``SOLARA_*`` setting
  are removed from the child's environment.
* No telemetry (``SOLARA_TELEMETRY_MIXPANEL_ENABLE=False``), no version check
  against PyPI, production mode (no auto-reload, no tracebacks in the page).
* Solara's JS/CSS come from the local cache of :mod:`dashboard.assets`, so the
  page loads with no internet. A missing cache is seeded when the npm registry
  answers; offline, start-up stops within seconds naming the command that fills it.
* A port in use is reported before anything starts (exit code 2), with the
  next free port suggested.
* The launcher imports neither the model nor Solara (``run.py`` hands
  ``dashboard`` to :func:`main` before importing anything else).
* The child runs in its own process group and is stopped by its PID (its group
  only: SIGTERM, then SIGKILL after a grace period).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO

from . import assets

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
LANGS = ("zh", "en")
# inherited variables that would change where or how the server listens
_SCRUB_EXACT = {"HOST", "PORT", "WEB_CONCURRENCY", "SOLARA_APP"}
_SCRUB_PREFIX = ("SOLARA_",)


class PortTaken(RuntimeError):
    """The port is in use: nothing was started (``run.py dashboard`` exits with code 2)."""


class AssetsMissing(RuntimeError):
    """Solara's JS/CSS are not cached and cannot be fetched now: the page would stay blank."""


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def free_port(host: str = DEFAULT_HOST) -> int:
    """A TCP port free on ``host`` right now."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def port_free(host: str, port: int) -> bool:
    """True when ``port`` can be listened on at ``host`` now (as the server binds it: SO_REUSEADDR)."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
            s.listen()
        except OSError:
            return False
        return True


def next_free_port(host: str, port: int) -> int:
    """The first free port above ``port`` (within 100), else any free port."""
    candidates = range(port + 1, min(port + 101, 65536))
    return next((p for p in candidates if port_free(host, p)), None) or free_port(host)


def check_port(host: str, port: int) -> None:
    """Raise PortTaken, naming the next free port, when ``port`` is in use on ``host``."""
    if not port_free(host, port):
        raise PortTaken(f"port {port} on {host} is already in use (another dashboard or program listens there); "
                        f"nothing was started. Use a free one: python run.py dashboard --port "
                        f"{next_free_port(host, port)}")


def ensure_assets() -> None:
    """Make sure Solara's JS/CSS are cached: seed them when the npm registry answers, else raise
    AssetsMissing with the command that fixes it (within a few seconds, not after npm's retries)."""
    if not assets.missing():
        return
    fix = (f"Solara's JS/CSS are not cached in {assets.CACHE_DIR} and the page would stay blank; "
           f"with internet, run: {assets.FIX_COMMAND}")
    if not assets.registry_reachable():
        raise AssetsMissing(f"{fix} (the npm registry {assets.REGISTRY} does not answer: offline?)")
    try:
        assets.seed(quiet=True)
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        raise AssetsMissing(f"{fix} ({exc})") from exc


def child_env(lang: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """The server's environment: the caller's, scrubbed of host/port/Solara settings, plus ours."""
    src = dict(os.environ if base is None else base)
    env = {k: v for k, v in src.items() if k not in _SCRUB_EXACT and not k.startswith(_SCRUB_PREFIX)}
    env.update({
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "SOLARA_ASSETS_PROXY_CACHE_DIR": str(assets.CACHE_DIR),
        "DASHBOARD_LANG": lang,
        "MPLBACKEND": "Agg",
        # solara warns on every page load that a samesite=none cookie needs https; plain http on
        # 127.0.0.1 is what we serve, so the warning is noise in the facilitator's terminal
        "PYTHONWARNINGS": "ignore:Cookies with samesite=none require https:UserWarning",
        "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [src.get("PYTHONPATH")])]),
    })
    return env


def command(host: str, port: int) -> list[str]:
    """The ``solara run`` command line (host and port always explicit)."""
    return [sys.executable, "-m", "solara", "run", "dashboard.app",
            "--host", host, "--port", str(port),
            "--no-open", "--no-check-version", "--production",
            "--log-level", "warning", "--no-access-log"]


class DashboardServer:
    """A ``solara run`` child process serving the dashboard.

    Use as a context manager, or ``start()`` / ``stop()``. ``extra_env`` is added
    to the child's environment after scrubbing (tests use it to cut the server
    off from the internet with a dead proxy).
    """

    def __init__(self, port: int | None = None, host: str = DEFAULT_HOST, lang: str = "zh",
                 log: IO[bytes] | int | None = None, extra_env: dict[str, str] | None = None):
        if lang not in LANGS:
            raise ValueError(f"lang {lang!r}: allowed {', '.join(LANGS)}")
        if port is not None and not 1 <= port <= 65535:
            raise ValueError(f"port {port}: allowed 1-65535")
        self.host = host
        self.port = free_port(host) if port is None else port
        self.lang = lang
        self.log = log
        self.extra_env = dict(extra_env or {})
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The page's address."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def start(self, timeout: float = 90.0) -> "DashboardServer":
        """Start the server and wait until it answers; raise RuntimeError if it does not.

        Before anything runs: PortTaken when the port is in use, AssetsMissing when Solara's
        JS/CSS are not cached and cannot be fetched.
        """
        check_port(self.host, self.port)
        ensure_assets()
        self.proc = subprocess.Popen(
            command(self.host, self.port), cwd=str(ROOT / "dashboard"), env={**child_env(self.lang), **self.extra_env},
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT if self.log is not None else None,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"dashboard server exited with code {self.proc.returncode}")
            try:
                with urllib.request.urlopen(self.url, timeout=5) as resp:
                    if resp.status == 200 and self.proc.poll() is None:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"dashboard server did not answer at {self.url} within {timeout:.0f} s")

    def stop(self, grace: float = 10.0) -> None:
        """Stop the server (its own process group), politely first."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)  # the group created by start_new_session: ours only
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=grace)

    def wait(self) -> int:
        """Block until the server exits; return its exit code."""
        assert self.proc is not None, "server not started"
        return self.proc.wait()

    def __enter__(self) -> "DashboardServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(port: int = DEFAULT_PORT, lang: str = "zh", host: str | None = None) -> int:
    """Run the dashboard in the foreground until Ctrl-C (``python run.py dashboard``).

    ``host`` None means 127.0.0.1; any host given explicitly prints a warning.
    """
    if host is None:
        host = DEFAULT_HOST
    else:
        loopback = host in (DEFAULT_HOST, "localhost", "::1")
        risk = ("" if loopback else " It will be reachable from other machines on that network, and the "
                "dashboard has no login: use it only on a network you trust.")
        print(f"warning: --host {host} given: the dashboard listens on {host}, not the default {DEFAULT_HOST}.{risk}",
              file=sys.stderr)
    server = DashboardServer(port=port, host=host, lang=lang)

    def _terminate(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)  # runs the ``finally`` below: the server is stopped too

    previous = {sig: signal.signal(sig, _terminate) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        server.start()
        print(f"dashboard: {server.url}  (language {lang}; Ctrl-C stops it)", flush=True)
        return server.wait()
    except KeyboardInterrupt:
        return 0
    except PortTaken as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def cmd_dashboard(args: argparse.Namespace) -> int:
    """``run.py dashboard``: check the arguments, then serve."""
    if not 1 <= args.port <= 65535:
        print(f"error: --port {args.port}: allowed 1-65535", file=sys.stderr)
        return 2
    return serve(port=args.port, lang=args.lang, host=args.host)


def _add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    p.add_argument("--lang", choices=LANGS, default="zh", help="first language of the page (default zh)")
    p.add_argument("--host", default=None,
                   help=f"listen on this address instead of {DEFAULT_HOST} (prints a warning); "
                        "HOST/SOLARA_HOST in the environment are ignored")


def add_parser(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add ``dashboard`` to ``run.py``'s subcommands (its help and argument checks)."""
    p = sub.add_parser("dashboard", help="serve the workshop dashboard in the browser (127.0.0.1)")
    _add_arguments(p)
    p.set_defaults(func=cmd_dashboard)


def main(argv: list[str]) -> int:
    """``run.py dashboard ARGS`` without ``run.py``'s other subcommands (which import the model)."""
    p = argparse.ArgumentParser(prog="run.py dashboard",
                                description="serve the workshop dashboard in the browser (127.0.0.1)")
    _add_arguments(p)
    return cmd_dashboard(p.parse_args(argv))
