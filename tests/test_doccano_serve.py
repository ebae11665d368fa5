"""`indicators doccano serve` / `stop` start and end a real local doccano (needs .doccano/venv)."""

from __future__ import annotations

import secrets
import socket

import pytest
from typer.testing import CliRunner

from indicators.cli import app
from indicators.doccano.client import Doccano
from indicators.doccano.server import ServerLayout, answers, read_pid

LAYOUT = ServerLayout.default()

pytestmark = [
    pytest.mark.doccano,
    pytest.mark.slow,
    pytest.mark.skipif(not LAYOUT.doccano.exists(),
                       reason=f"doccano is not installed in {LAYOUT.venv} "
                       "(indicators doccano serve, or source scripts/doccano-ci.sh, installs it)"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_is_idempotent_and_stop_ends_it(tmp_path, monkeypatch):
    home = tmp_path / "home"
    port = free_port()
    password = secrets.token_urlsafe(16)
    monkeypatch.setenv("DOCCANO_USERNAME", "serve-admin")
    monkeypatch.setenv("DOCCANO_PASSWORD", password)
    runner = CliRunner()
    layout = ServerLayout.default(home)
    try:
        res = runner.invoke(app, ["doccano", "serve", "--port", str(port), "--home", str(home)])
        assert res.exit_code == 0, res.output
        url = f"http://127.0.0.1:{port}"
        assert url in res.output
        web, task = read_pid(layout, "webserver"), read_pid(layout, "task")
        assert web and task
        Doccano(url, "serve-admin", password)  # the admin from the environment can log in
        # a second serve reuses the running server and the data
        res = runner.invoke(app, ["doccano", "serve", "--port", str(port), "--home", str(home)])
        assert res.exit_code == 0, res.output
        assert (read_pid(layout, "webserver"), read_pid(layout, "task")) == (web, task)
        # bound to loopback only, and the password is in no log or output
        listening = open("/proc/net/tcp").read().lower()
        assert f"0100007f:{port:04x}" in listening and f"00000000:{port:04x}" not in listening
        for log in home.glob("*.log"):
            assert password not in log.read_text(errors="replace")
        assert password not in res.output
    finally:
        res = runner.invoke(app, ["doccano", "stop", "--home", str(home)])
    assert "webserver" in res.output and "task" in res.output
    assert read_pid(layout, "webserver") is None and read_pid(layout, "task") is None
    assert not answers(f"http://127.0.0.1:{port}", timeout=1)
