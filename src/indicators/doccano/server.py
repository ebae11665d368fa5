"""Run a local doccano server: its own virtual environment, data folder, web server and task queue.

``indicators doccano serve`` creates ``.doccano/venv`` (doccano 1.8.4) and a data folder
(``DOCCANO_HOME``, default ``.doccano/home``), initialises the database, creates the admin from
``DOCCANO_USERNAME`` / ``DOCCANO_PASSWORD`` and starts the web server (gunicorn, bound to
127.0.0.1 only) and the task queue (``doccano task``) in the background. Logs and pid files live in
the home folder. ``doccano webserver`` itself binds 0.0.0.0 and ``doccano createuser`` takes the
password on the command line (visible in the process list), so the web server is started through
gunicorn directly and the admin is created by the same management command, reading the password
from the environment.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from ..paths import project_root
from ..private import make_private, private_dir

DOCCANO_REQUIREMENTS = ("doccano==1.8.4", "numpy<2", "marshmallow<4")
DEFAULT_PORT = 8000
DEFAULT_EMAIL = "admin@example.org"

# Creates (or updates the password of) the admin without putting the password in argv.
_CREATE_ADMIN = """
import os
from backend import cli  # sets DOCCANO_HOME, DATABASE_URL, sys.path like `doccano` does
import django
from django.core import management
django.setup()
management.call_command(
    "create_admin", "--noinput",
    username=os.environ["DOCCANO_USERNAME"],
    password=os.environ["DOCCANO_PASSWORD"],
    email=os.environ["DOCCANO_EMAIL"],
)
"""


class ServerError(RuntimeError):
    """The local doccano server could not be set up, started or stopped."""


@dataclass
class ServerLayout:
    venv: Path
    home: Path

    @classmethod
    def default(cls, home: str | Path | None = None, venv: str | Path | None = None) -> ServerLayout:
        base = project_root() / ".doccano"
        home = home or os.environ.get("DOCCANO_HOME") or base / "home"
        return cls(venv=Path(venv or base / "venv").resolve(), home=Path(home).resolve())

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def doccano(self) -> Path:
        return self.venv / "bin" / "doccano"

    @property
    def gunicorn(self) -> Path:
        return self.venv / "bin" / "gunicorn"

    def pid_file(self, name: str) -> Path:
        return self.home / f"{name}.pid"

    def log_file(self, name: str) -> Path:
        return self.home / f"{name}.log"

    @property
    def port_file(self) -> Path:
        return self.home / "webserver.port"

    @property
    def secret_file(self) -> Path:
        return self.home / "secret_key"

    def backend_dir(self) -> Path:
        found = sorted(self.venv.glob("lib/python3*/site-packages/backend"))
        if not found:
            raise ServerError(f"doccano is not installed in {self.venv}")
        return found[0]


def ensure_venv(layout: ServerLayout, log=print) -> None:
    """Create the virtual environment with doccano unless it already works."""
    if layout.doccano.exists() and _doccano_imports(layout):
        return
    log(f"Creating the doccano environment in {layout.venv} (takes a minute or two)")
    layout.venv.parent.mkdir(parents=True, exist_ok=True)
    if not layout.python.exists():
        _run([sys.executable, "-m", "venv", str(layout.venv)], "creating the virtual environment")
    _run([str(layout.python), "-m", "pip", "install", "-q", *DOCCANO_REQUIREMENTS],
         "installing doccano with pip")
    if not _doccano_imports(layout):
        raise ServerError(f"doccano was installed in {layout.venv} but does not start")


def _doccano_imports(layout: ServerLayout) -> bool:
    res = subprocess.run([str(layout.python), "-c", "import backend.cli"], capture_output=True,
                         env=_clean_env())
    return res.returncode == 0


def _run(cmd: list[str], what: str, env: dict | None = None, log_to: Path | None = None) -> None:
    if log_to:
        with log_to.open("ab") as fh:
            res = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env)
    else:
        res = subprocess.run(cmd, capture_output=True, env=env)
    if res.returncode != 0:
        where = f"; see {log_to}" if log_to else ""
        raise ServerError(f"{what} failed (exit code {res.returncode}){where}")


def _clean_env() -> dict[str, str]:
    """The environment for doccano processes, without our credentials."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DOCCANO_USERNAME", "DOCCANO_PASSWORD", "DOCCANO_URL")}
    return env


def server_env(layout: ServerLayout) -> dict[str, str]:
    private_dir(layout.home)
    if not layout.secret_file.exists():
        layout.secret_file.touch(mode=0o600)
        layout.secret_file.write_text(secrets.token_urlsafe(50))
    env = _clean_env()
    env.update(
        DOCCANO_HOME=str(layout.home),
        DATABASE_URL=f"sqlite:///{layout.home / 'db.sqlite3'}",
        MEDIA_ROOT=str(layout.home / "media"),
        DJANGO_SETTINGS_MODULE="config.settings.production",
        STANDALONE="True",
        DEBUG="False",
        SECRET_KEY=layout.secret_file.read_text().strip(),
    )
    return env


def init_database(layout: ServerLayout) -> None:
    env = server_env(layout)
    _run([str(layout.doccano), "init"], "doccano init", env=env, log_to=layout.log_file("init"))


def create_admin(layout: ServerLayout) -> None:
    user, password = os.environ.get("DOCCANO_USERNAME"), os.environ.get("DOCCANO_PASSWORD")
    if not user or not password:
        raise ServerError("set DOCCANO_USERNAME and DOCCANO_PASSWORD to create the doccano admin")
    env = server_env(layout)
    env.update(DOCCANO_USERNAME=user, DOCCANO_PASSWORD=password,
               DOCCANO_EMAIL=os.environ.get("DOCCANO_EMAIL") or DEFAULT_EMAIL)
    _run([str(layout.python), "-c", _CREATE_ADMIN], "creating the doccano admin", env=env,
         log_to=layout.log_file("init"))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            return False
    except OSError:
        pass
    return True


def _ours(layout: ServerLayout, pid: int) -> bool:
    """The process was started from our venv (guards against reused pids)."""
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return _alive(pid)
    if str(layout.venv) not in cmd:
        return False
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return True
    return f"DOCCANO_HOME={layout.home}".encode() in environ


def read_pid(layout: ServerLayout, name: str) -> int | None:
    f = layout.pid_file(name)
    try:
        pid = int(f.read_text().strip())
    except (OSError, ValueError):
        return None
    if _alive(pid) and _ours(layout, pid):
        return pid
    return None


def answers(url: str, timeout: float = 3.0) -> bool:
    """The server answers HTTP (any status) at ``url``."""
    try:
        # /v1/me answers at once (403 when not logged in); /v1/health/ waits for the task queue
        with urllib.request.urlopen(url.rstrip("/") + "/v1/me", timeout=timeout):
            return True
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, OSError, ValueError):
        return False


def default_port() -> int:
    """The port of DOCCANO_URL when it names one on this machine, else 8000: serve, push, pull
    and the tests then share one setting."""
    from urllib.parse import urlparse

    url = os.environ.get("DOCCANO_URL") or ""
    try:
        parsed = urlparse(url)
        if parsed.hostname in ("127.0.0.1", "localhost") and parsed.port:
            return parsed.port
    except ValueError:
        pass
    return DEFAULT_PORT


def local_url(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def _spawn(cmd: list[str], layout: ServerLayout, name: str, env: dict) -> int:
    log = layout.log_file(name).open("ab")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env=env, start_new_session=True, cwd=str(layout.home))
    log.close()
    layout.pid_file(name).write_text(str(proc.pid))
    return proc.pid


def start(layout: ServerLayout, port: int = DEFAULT_PORT, workers: int = 2,
          wait_seconds: float = 120.0, log=print) -> str:
    """Start (or reuse) the web server and the task queue; return the URL once it answers."""
    url = local_url(port)
    env = server_env(layout)
    running = read_pid(layout, "webserver")
    if running is not None:
        old_port = _read_port(layout)
        if old_port != port:
            raise ServerError(
                f"a doccano server from {layout.home} already runs on port {old_port}; "
                "stop it first (indicators doccano stop)")
    else:
        if answers(url, timeout=1.0):
            raise ServerError(f"port {port} is already in use by another server")
        cmd = [str(layout.gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
               "--timeout", "120", "--chdir", str(layout.backend_dir()), "--capture-output",
               "--log-level", "info", "config.wsgi:application"]
        _spawn(cmd, layout, "webserver", env)
        layout.port_file.write_text(str(port))
    if read_pid(layout, "task") is None:
        _spawn([str(layout.doccano), "task", "--concurrency", "1"], layout, "task", env)
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        if answers(url):
            return url
        if read_pid(layout, "webserver") is None:
            raise ServerError(f"the doccano web server exited; see {layout.log_file('webserver')}")
        time.sleep(0.5)
    raise ServerError(f"the doccano web server did not answer within {wait_seconds:.0f} s; "
                      f"see {layout.log_file('webserver')}")


def _read_port(layout: ServerLayout) -> int | None:
    try:
        return int(layout.port_file.read_text().strip())
    except (OSError, ValueError):
        return None


def serve(layout: ServerLayout, port: int = DEFAULT_PORT, log=print) -> str:
    """Everything ``indicators doccano serve`` does; idempotent."""
    ensure_venv(layout, log=log)
    private_dir(layout.home)  # the database and media hold transcripts: owner only
    init_database(layout)
    for path in (layout.home / "db.sqlite3", layout.home / "media"):
        if path.exists():
            make_private(path)
    if os.environ.get("DOCCANO_USERNAME") and os.environ.get("DOCCANO_PASSWORD"):
        create_admin(layout)
    else:
        log("DOCCANO_USERNAME / DOCCANO_PASSWORD not set: the admin was not created or updated")
    return start(layout, port=port, log=log)


def stop(layout: ServerLayout, timeout: float = 20.0) -> list[str]:
    """Stop the web server and the task queue started from ``layout``; return what was stopped."""
    stopped = []
    for name in ("webserver", "task"):
        pid = read_pid(layout, name)
        if pid is not None:
            _terminate(pid, timeout)
            stopped.append(name)
        layout.pid_file(name).unlink(missing_ok=True)
    return stopped


def _terminate(pid: int, timeout: float) -> None:
    # The process was started in its own session, so its group id is its pid: this ends the
    # gunicorn workers / celery pool children with it, and nothing else.
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not _alive(pid):
                return
            time.sleep(0.2)
