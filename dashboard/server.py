"""Start and stop the dashboard's ``solara run`` server safely.

* Bound to 127.0.0.1 unless a host is given explicitly (``run.py dashboard
  --host H`` prints a warning then). A host that is not loopback is refused
  (exit code 2) unless in workshop mode (``--workshop``), where every request
  needs the join code (:mod:`dashboard.gate`); ``--workshop`` alone listens on
  every interface (0.0.0.0), prints the join address and code and logs every
  team's decisions to ``results/workshop-.../decisions.jsonl``. ``solara run`` would otherwise take its
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

from . import assets, workshop

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
WORKSHOP_HOST = "0.0.0.0"
LOOPBACK_HOSTS = (DEFAULT_HOST, "localhost", "::1")
RESULTS = ROOT / "results"
LANGS = ("zh", "en")
# inherited variables that would change where or how the server listens
_SCRUB_EXACT = {"HOST", "PORT", "WEB_CONCURRENCY", "SOLARA_APP"}
_SCRUB_PREFIX = ("SOLARA_",)


class PortTaken(RuntimeError):
    """The port is in use: nothing was started (``run.py dashboard`` exits with code 2)."""


class UsageError(ValueError):
    """Bad ``run.py dashboard`` arguments (exit code 2, nothing started)."""


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


def lan_address() -> str:
    """This machine's address on its network (the interface of the default route; no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: only picks the outgoing interface
            return str(s.getsockname()[0])
        except OSError:
            return DEFAULT_HOST


def command(host: str, port: int, gated: bool = False) -> list[str]:
    """The server's command line (host and port always explicit): ``solara run``, or in workshop mode
    (``gated``) :mod:`dashboard.gate` (the same app behind the join-code gate)."""
    if gated:
        return [sys.executable, "-m", "dashboard.gate", "--host", host, "--port", str(port)]
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
                 log: IO[bytes] | int | None = None, extra_env: dict[str, str] | None = None,
                 workshop: workshop.WorkshopSetup | None = None):
        if lang not in LANGS:
            raise ValueError(f"lang {lang!r}: allowed {', '.join(LANGS)}")
        if port is not None and not 1 <= port <= 65535:
            raise ValueError(f"port {port}: allowed 1-65535")
        self.host = host
        self.port = free_port(host) if port is None else port
        self.lang = lang
        self.log = log
        self.extra_env = dict(extra_env or {})
        self.workshop = workshop  # None: no join code (loopback only)
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The page's address."""
        host = lan_address() if self.host == WORKSHOP_HOST else self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}/"

    def start(self, timeout: float = 90.0) -> "DashboardServer":
        """Start the server and wait until it answers; raise RuntimeError if it does not.

        Before anything runs: PortTaken when the port is in use, AssetsMissing when Solara's
        JS/CSS are not cached and cannot be fetched.
        """
        check_port(self.host, self.port)
        ensure_assets()
        env = {**child_env(self.lang), **self.extra_env, **(self.workshop.env() if self.workshop else {})}
        self.proc = subprocess.Popen(
            command(self.host, self.port, gated=self.workshop is not None), cwd=str(ROOT / "dashboard"), env=env,
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
            except urllib.error.HTTPError as exc:  # the gate's refusal (no join code) is an answer too
                if exc.code == 403 and self.workshop is not None and self.proc.poll() is None:
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


def _server_for(port: int, lang: str, host: str | None, workshop_mode: bool) -> DashboardServer:
    """The server to start: loopback by default; another host only in workshop mode (else UsageError)."""
    if workshop_mode:
        host = host or WORKSHOP_HOST
        server = DashboardServer(port=port, host=host, lang=lang)
        server.workshop = workshop.WorkshopSetup.new(RESULTS, server.url)
        return server
    if host is None:
        return DashboardServer(port=port, host=DEFAULT_HOST, lang=lang)
    if host not in LOOPBACK_HOSTS:
        raise UsageError(f"--host {host}: refused: the dashboard would be open to every machine on that network "
                         f"with no join code. For a workshop use --workshop (participants then need the join "
                         f"code printed at start), or leave out --host ({DEFAULT_HOST}, this computer only)")
    print(f"warning: --host {host} given: the dashboard listens on {host}, not the default {DEFAULT_HOST}.",
          file=sys.stderr)
    return DashboardServer(port=port, host=host, lang=lang)


def _announce(server: DashboardServer) -> None:
    """Print where the dashboard is; in workshop mode the join address and code, the facilitator's view and the log."""
    setup = server.workshop
    if setup is None:
        print(f"dashboard: {server.url}  (language {server.lang}; Ctrl-C stops it)", flush=True)
        return
    local = f"http://127.0.0.1:{server.port}/"
    print(f"workshop mode on {server.host}:{server.port} (language {server.lang}; Ctrl-C stops it)\n"
          f"  participants open:  {server.url}?join={setup.join_code}\n"
          f"  join code:          {workshop.shown_code(setup.join_code)}\n"
          f"  facilitator's view: {local}?view=facilitator  (on this computer; put it on the projector)\n"
          f"  from another device: {server.url}?view=facilitator&fcode={setup.facilitator_code}\n"
          f"  decision log:       {setup.log_path}  (keep it with the results: "
          f"python run.py dashboard-replay {setup.log_path} --team NAME)", flush=True)


def serve(port: int = DEFAULT_PORT, lang: str = "zh", host: str | None = None, workshop_mode: bool = False) -> int:
    """Run the dashboard in the foreground until Ctrl-C (``python run.py dashboard``).

    ``host`` None means 127.0.0.1 (0.0.0.0 in workshop mode); a loopback host given explicitly prints a
    warning; any other host without ``workshop_mode`` is refused with exit code 2.
    """
    try:
        server = _server_for(port, lang, host, workshop_mode)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    def _terminate(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)  # runs the ``finally`` below: the server is stopped too

    previous = {sig: signal.signal(sig, _terminate) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        server.start()
        _announce(server)
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
    return serve(port=args.port, lang=args.lang, host=args.host, workshop_mode=args.workshop)


def _add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    p.add_argument("--lang", choices=LANGS, default="zh", help="first language of the page (default zh)")
    p.add_argument("--host", default=None,
                   help=f"listen on this address instead of {DEFAULT_HOST}: loopback only, unless --workshop; "
                        "HOST/SOLARA_HOST in the environment are ignored")
    p.add_argument("--workshop", action="store_true",
                   help=f"workshop mode: participants join from the room's network with a join code "
                        f"(printed at start); listens on {WORKSHOP_HOST} unless --host is given")


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
