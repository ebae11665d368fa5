"""Connection errors are clear and never show credentials (no server needed)."""

from __future__ import annotations

import socket

import pytest

from indicators.doccano.client import Doccano, DoccanoError, credentials


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_server_down_is_a_clear_error_without_the_password():
    url = f"http://127.0.0.1:{closed_port()}"
    with pytest.raises(DoccanoError) as e:
        Doccano(url, "someone", "geheim-wachtwoord-123")
    msg = str(e.value)
    assert "no doccano server answers" in msg and url in msg
    assert "geheim-wachtwoord-123" not in msg


def test_missing_credentials_are_named(monkeypatch):
    monkeypatch.delenv("DOCCANO_USERNAME", raising=False)
    monkeypatch.setenv("DOCCANO_PASSWORD", "x")
    with pytest.raises(DoccanoError, match="DOCCANO_USERNAME"):
        credentials()


def test_url_defaults_to_the_local_server(monkeypatch):
    monkeypatch.delenv("DOCCANO_URL", raising=False)
    monkeypatch.setenv("DOCCANO_USERNAME", "u")
    monkeypatch.setenv("DOCCANO_PASSWORD", "p")
    assert credentials() == ("http://127.0.0.1:8000", "u", "p")


class _Flaky:
    """A local HTTP endpoint that answers 503 a given number of times before it works."""

    def __init__(self, failures: int):
        import http.server
        import threading

        self.failures = failures
        self.calls: list[tuple[str, str]] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self):
                length = int(self.headers.get("content-length") or 0)
                self.rfile.read(length)
                outer.calls.append((self.command, self.path))
                if self.path.startswith("/v1/auth/login/"):
                    code, body = 200, b'{"key": "k"}'
                elif len([c for c in outer.calls if c[1] == self.path]) <= outer.failures:
                    code, body = 503, b"{}"
                else:
                    code, body = 200, b'{"count": 0, "next": null, "results": []}'
                self.send_response(code)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                if code == 200 and self.path.startswith("/v1/auth/login/"):
                    self.send_header("set-cookie", "csrftoken=t; Path=/")
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_reads_are_retried_after_server_errors():
    flaky = _Flaky(failures=2)
    try:
        dc = Doccano(flaky.url, "u", "p")
        assert dc.projects() == []
        gets = [c for c in flaky.calls if c[0] == "GET"]
        assert len(gets) == 3
    finally:
        flaky.close()


def test_posts_are_never_sent_twice():
    # the example state endpoint toggles: a retried POST would undo a confirmation
    flaky = _Flaky(failures=1)
    try:
        dc = Doccano(flaky.url, "u", "p")
        with pytest.raises(DoccanoError, match="HTTP 503"):
            dc.post("projects/1/examples/1/states")
        assert [c for c in flaky.calls if c[0] == "POST" and "states" in c[1]] == [
            ("POST", "/v1/projects/1/examples/1/states")]
    finally:
        flaky.close()
