"""The local record of what was pushed: ``annotations/<project>/pushed.jsonl``.

One line per conversation pushed to doccano: the conversation id, the doccano example id, the
turns and the machine's suggestion. It lets ``pull`` recover the turns and the machine suggestion,
and lets ``push`` resume without duplicates. It holds transcript text: it stays on this machine
and is not committed (everything under ``annotations/`` but its README is git-ignored).

A line belongs to one server and one project: it carries ``server`` (the doccano URL) and
``project_key`` (project id and creation time). ``load(project_key=...)`` returns only the lines
of that project, so a new doccano (fresh data folder) or a project created anew under the same
name starts clean, and only examples deleted on that same project stay deleted.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..paths import project_root
from ..private import private_dir, private_file

RECORD_FILE = "pushed.jsonl"


def default_records_dir() -> Path:
    return Path(os.environ.get("INDICATORS_ANNOTATIONS") or project_root() / "annotations")


def project_slug(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", name.strip()).strip("._")
    return slug or "project"


class PushRecord:
    def __init__(self, project: str, records_dir: str | Path | None = None):
        self.dir = Path(records_dir or default_records_dir()) / project_slug(project)
        self.path = self.dir / RECORD_FILE
        self._locked = False

    def load(self, project_key: str | None = None) -> dict[str, dict]:
        """Records by conversation id (a later line for the same id wins); with
        ``project_key`` only those of that server and project."""
        out: dict[str, dict] = {}
        if not self.path.exists():
            return out
        with self.path.open(encoding="utf-8") as fh:
            for line in fh:
                line = line.strip()
                if not line:
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut off by an interrupted write
                if project_key is not None and rec.get("project_key") != project_key:
                    continue
                out[rec["conversation_id"]] = rec
        return out

    @contextmanager
    def lock(self) -> Iterator[None]:
        """One push at a time to this project from this machine: a second one waits until the
        first is done (and then finds its conversations on the server, never duplicates)."""
        if self._locked:  # already held by this record (creating the project, then pushing)
            yield
            return
        private_dir(self.dir)
        with private_file(self.dir / "push.lock", "a") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            self._locked = True
            try:
                yield
            finally:
                self._locked = False
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def append(self, records: Iterable[dict]) -> None:
        records = list(records)
        if not records:
            return
        private_dir(self.dir)
        broken_tail = False
        if self.path.exists() and self.path.stat().st_size:
            with self.path.open("rb") as fh:
                fh.seek(-1, os.SEEK_END)
                broken_tail = fh.read(1) != b"\n"
        with private_file(self.path, "a", encoding="utf-8") as fh:  # transcript text: 0600
            if broken_tail:
                fh.write("\n")
            for rec in records:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())


def project_key(server: str, project: dict) -> str:
    """One doccano project on one server: URL, id and creation time (a project deleted and
    created again under the same name, or on a fresh server with the same URL, differs)."""
    return f"{server.rstrip('/')}#{project['id']}@{project.get('created_at') or ''}"
