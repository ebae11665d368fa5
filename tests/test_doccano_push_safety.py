"""Pushes that cannot mix codebook versions or duplicate examples, and records only their owner
can read."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from indicators.codebook import load_codebook
from indicators.doccano.client import DEFAULT_URL, Doccano, DoccanoError
from indicators.doccano.push import refuse_other_versions
from indicators.doccano.records import PushRecord
from indicators.doccano.server import answers
from indicators.doccano.suggestions import SuggestionRecord

SUGGESTIONS = Path(__file__).parent / "data" / "doccano" / "suggestions.jsonl"


def sug(version: str | None) -> SuggestionRecord:
    return SuggestionRecord(id="X-1", turns=[{"speaker": "bezoeker", "text": "hoi"}],
                      engine={"codebook_version": version} if version else {})


def test_suggestions_or_projects_of_another_codebook_version_are_refused():
    cb = load_codebook()
    refuse_other_versions([sug(cb.version), sug(None)], cb)  # current version: fine
    with pytest.raises(DoccanoError, match="codebook version 1.0.*run 'indicators suggest'"):
        refuse_other_versions([sug(cb.version), sug("1.0")], cb)
    old = {"name": "jaar2024", "description": "Suggesties voor X (codeboek v1.0); ..."}
    with pytest.raises(DoccanoError, match="'jaar2024' was made for codebook version 1.0"):
        refuse_other_versions([sug(cb.version)], cb, old)
    refuse_other_versions([sug(cb.version)], cb,
                          {"name": "n", "description": f"(codeboek v{cb.version})"})


def test_one_push_at_a_time_per_project(tmp_path):
    order: list[str] = []
    held = threading.Event()

    def first():  # another push (its own record object, as in another process)
        with PushRecord("proj", tmp_path).lock():
            held.set()
            time.sleep(0.5)
            order.append("first done")

    t = threading.Thread(target=first)
    t.start()
    held.wait(5)
    rec = PushRecord("proj", tmp_path)
    with rec.lock():  # waits for the first
        with rec.lock():  # the same push taking it again (project, then examples): no wait
            order.append("second in")
    t.join()
    assert order == ["first done", "second in"]


def test_push_records_are_private(tmp_path):
    rec = PushRecord("proj", tmp_path)
    rec.append([{"conversation_id": "A", "turns": [{"text": "geheim"}]}])
    assert stat.S_IMODE(rec.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(rec.dir.stat().st_mode) == 0o700


URL = os.environ.get("DOCCANO_URL") or DEFAULT_URL


@pytest.mark.doccano
@pytest.mark.skipif(not answers(URL), reason=f"no doccano server answers at {URL}")
def test_two_concurrent_pushes_create_each_conversation_once(tmp_path):
    admin = Doccano.from_env()
    name = f"test-concurrent-{uuid.uuid4().hex[:8]}"
    f = tmp_path / "twelve.jsonl"
    f.write_text("".join(line + "\n" for line in
                         SUGGESTIONS.read_text(encoding="utf-8").splitlines()[:12]),
                 encoding="utf-8")
    exe = Path(sys.executable).parent / "indicators"
    cmd = [str(exe), "push", str(f), "--project", name, "--records", str(tmp_path / "ann"),
           "--allow-pii"]
    try:
        procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                 for _ in range(2)]
        outs = [p.communicate(timeout=300)[0].decode() for p in procs]
        assert all(p.returncode == 0 for p in procs), outs
        pid = next(p["id"] for p in admin.projects() if p["name"] == name)
        ids = [e["meta"]["conversation_id"] for e in admin.examples(pid)]
        assert len(ids) == 12 and len(set(ids)) == 12
    finally:
        for p in admin.projects():
            if p["name"] == name:
                admin.call("delete", f"projects/{p['id']}")
