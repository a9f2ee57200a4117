"""Starting the dashboard safely: host, environment, telemetry, local assets, the command line, and start-up
faults (a taken port, a missing asset cache offline) reported at once by a launcher without Solara."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time

import pytest

import run
from dashboard import assets, server


def test_child_environment_is_scrubbed_of_host_and_solara_settings():
    base = {"HOST": "0.0.0.0", "SOLARA_HOST": "0.0.0.0", "PORT": "80", "SOLARA_ASSETS_PROXY": "false",
            "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "True", "PATH": "/usr/bin", "PYTHONPATH": "/elsewhere"}
    env = server.child_env("en", base)
    for key in ("HOST", "SOLARA_HOST", "PORT", "SOLARA_ASSETS_PROXY"):
        assert key not in env
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert env["SOLARA_ASSETS_PROXY_CACHE_DIR"] == str(assets.CACHE_DIR)
    assert env["DASHBOARD_LANG"] == "en"
    assert env["PATH"] == "/usr/bin"
    assert env["PYTHONPATH"].split(":")[0] == str(server.ROOT) and env["PYTHONPATH"].endswith("/elsewhere")


def test_command_always_names_the_host_and_switches_off_checks():
    cmd = server.command("127.0.0.1", 8765)
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1"
    assert cmd[cmd.index("--port") + 1] == "8765"
    assert {"--no-open", "--no-check-version", "--production"} <= set(cmd)
    assert cmd[:4] == [sys.executable, "-m", "solara", "run"] and "dashboard.app" in cmd


def test_run_py_dashboard_arguments():
    args = run.build_parser().parse_args(["dashboard"])
    assert (args.port, args.lang, args.host, args.workshop) == (8765, "zh", None, False)
    args = run.build_parser().parse_args(["dashboard", "--port", "9000", "--lang", "en", "--host", "0.0.0.0"])
    assert (args.port, args.lang, args.host) == (9000, "en", "0.0.0.0")
    with pytest.raises(SystemExit):
        run.build_parser().parse_args(["dashboard", "--lang", "fr"])
    assert run.main(["dashboard", "--port", "70000"]) == 2


class _FakeServer:
    instances: list["_FakeServer"] = []

    def __init__(self, port, host, lang):
        self.port, self.host, self.lang, self.url = port, host, lang, f"http://{host}:{port}/"
        self.workshop = None
        self.stopped = False
        _FakeServer.instances.append(self)

    def start(self):
        return self

    def wait(self):
        return 0

    def stop(self):
        self.stopped = True


def test_serve_binds_loopback_by_default_and_warns_for_an_explicit_loopback_host(monkeypatch, capsys):
    monkeypatch.setattr(server, "DashboardServer", _FakeServer)
    monkeypatch.setenv("HOST", "0.0.0.0")
    assert server.serve(port=8000, lang="en") == 0
    assert _FakeServer.instances[-1].host == "127.0.0.1" and _FakeServer.instances[-1].stopped
    assert "warning" not in capsys.readouterr().err
    server.serve(port=8000, lang="zh", host="localhost")
    assert _FakeServer.instances[-1].host == "localhost"
    assert "warning: --host localhost" in capsys.readouterr().err


def test_a_network_host_without_workshop_mode_is_refused_with_exit_2():
    out = subprocess.run([sys.executable, str(server.ROOT / "run.py"), "dashboard", "--host", "0.0.0.0"],
                         cwd=server.ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
    assert out.stderr.startswith("error: --host 0.0.0.0: refused") and "--workshop" in out.stderr


def test_workshop_mode_listens_on_the_network_with_fresh_codes_and_a_log_under_results(monkeypatch, capsys):
    monkeypatch.setattr(server, "DashboardServer", _FakeServer)
    assert server.serve(port=8000, lang="zh", workshop_mode=True) == 0
    fake = _FakeServer.instances[-1]
    setup = fake.workshop
    assert fake.host == "0.0.0.0" and len(setup.join_code) == 8 and len(setup.facilitator_code) == 16
    assert setup.log_path.parent.parent == server.RESULTS and setup.log_path.name == "decisions.jsonl"
    out = capsys.readouterr().out
    assert f"?join={setup.join_code}" in out and f"fcode={setup.facilitator_code}" in out
    assert str(setup.log_path) in out
    assert server.command("0.0.0.0", 8000, gated=True)[1:3] == ["-m", "dashboard.gate"]


def test_bad_server_arguments_are_refused():
    with pytest.raises(ValueError):
        server.DashboardServer(port=70000)
    with pytest.raises(ValueError):
        server.DashboardServer(lang="fr")


def test_solara_assets_are_cached_locally():
    specs = assets.required_packages()
    assert any(s.startswith("@widgetti/solara-vuetify-app@") for s in specs), specs
    assert any(s.startswith("requirejs@") for s in specs), specs
    assert assets.missing() == [], "Solara's JS/CSS are not cached: run `python -m dashboard.assets`"


DEAD_PROXY = {k: "http://127.0.0.1:9" for k in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")}


def test_a_taken_port_is_reported_before_anything_is_served_with_a_free_one():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other:  # another program on the port
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        out = subprocess.run([sys.executable, str(server.ROOT / "run.py"), "dashboard", "--port", str(port)],
                             cwd=server.ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 2, out.stderr
    assert f"port {port} on 127.0.0.1 is already in use" in out.stderr and "nothing was started" in out.stderr
    assert "dashboard:" not in out.stdout and "Solara server" not in out.stdout + out.stderr
    suggested = int(re.search(r"--port (\d+)", out.stderr).group(1))
    assert suggested != port and server.port_free("127.0.0.1", suggested)


def test_a_missing_asset_cache_offline_fails_fast_with_the_command_that_fixes_it(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(assets, "CACHE_DIR", tmp_path / "empty-cache")
    for key, value in DEAD_PROXY.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    t0 = time.monotonic()
    code = server.serve(port=server.free_port(), lang="en")
    took = time.monotonic() - t0
    err = capsys.readouterr().err
    assert code == 1 and took < 5, (code, took, err)
    assert "python -m dashboard.assets" in err and "not cached" in err


def test_the_launcher_checks_the_cache_without_importing_solara_or_the_model():
    code = ("import sys, run\n"
            "from dashboard import assets\n"
            "assets.missing()\n"
            "assert run.main(['dashboard', '--port', '70000']) == 2\n"
            "heavy = sorted({'solara', 'model', 'mesa'} & set(sys.modules))\n"
            "assert not heavy, heavy\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=server.ROOT, capture_output=True, text=True,
                         timeout=60, check=False)
    assert out.returncode == 0, out.stderr
