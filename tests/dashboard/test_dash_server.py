"""Starting the dashboard safely: host, environment, telemetry, local assets, the command line."""

from __future__ import annotations

import sys

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
    assert (args.port, args.lang, args.host) == (8765, "zh", None)
    args = run.build_parser().parse_args(["dashboard", "--port", "9000", "--lang", "en", "--host", "0.0.0.0"])
    assert (args.port, args.lang, args.host) == (9000, "en", "0.0.0.0")
    with pytest.raises(SystemExit):
        run.build_parser().parse_args(["dashboard", "--lang", "fr"])
    assert run.main(["dashboard", "--port", "70000"]) == 2


class _FakeServer:
    instances: list["_FakeServer"] = []

    def __init__(self, port, host, lang):
        self.port, self.host, self.lang, self.url = port, host, lang, f"http://{host}:{port}/"
        self.stopped = False
        _FakeServer.instances.append(self)

    def start(self):
        return self

    def wait(self):
        return 0

    def stop(self):
        self.stopped = True


def test_serve_binds_loopback_by_default_and_warns_for_an_explicit_host(monkeypatch, capsys):
    monkeypatch.setattr(server, "DashboardServer", _FakeServer)
    monkeypatch.setenv("HOST", "0.0.0.0")
    assert server.serve(port=8000, lang="en") == 0
    assert _FakeServer.instances[-1].host == "127.0.0.1" and _FakeServer.instances[-1].stopped
    assert "warning" not in capsys.readouterr().err
    server.serve(port=8000, lang="zh", host="0.0.0.0")
    assert _FakeServer.instances[-1].host == "0.0.0.0"
    err = capsys.readouterr().err
    assert "warning" in err and "0.0.0.0" in err and "no login" in err


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
