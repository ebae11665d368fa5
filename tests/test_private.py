"""Files that hold conversation text are readable by their owner only (0600 / 0700)."""

from __future__ import annotations

import os

import pytest

from indicators.private import make_private, private_dir, private_file


@pytest.fixture
def loose_umask():
    old = os.umask(0o000)
    yield
    os.umask(old)


def mode(p) -> int:
    return p.stat().st_mode & 0o777


def test_private_file_and_dir_ignore_the_umask(tmp_path, loose_umask):
    d = private_dir(tmp_path / "a" / "b")
    assert mode(tmp_path / "a") == 0o700 and mode(d) == 0o700
    with private_file(d / "x.jsonl", "w", encoding="utf-8") as fh:
        fh.write("x\n")
    assert mode(d / "x.jsonl") == 0o600
    loose = d / "loose.txt"
    loose.write_text("x")
    os.chmod(loose, 0o644)
    with private_file(loose, "a") as fh:  # an existing file is tightened
        fh.write("y")
    assert mode(loose) == 0o600 and loose.read_text() == "xy"
    with pytest.raises(ValueError):
        private_file(loose, "r")


def test_make_private(tmp_path):
    f = tmp_path / "f"
    f.write_text("x")
    os.chmod(f, 0o666)
    make_private(f)
    make_private(tmp_path / "missing")  # nothing to do
    assert mode(f) == 0o600


def test_token_cache_is_private(tmp_path, loose_umask):
    from indicators.batch import EngineSpec
    from indicators.conversation import Conversation, Turn

    root = tmp_path / "cache" / "tokens"
    engine = EngineSpec(token_cache=root).build()
    list(engine.suggest_many([Conversation("C1", [Turn("bezoeker", "hij neemt mijn geld af")])]))
    files = list(root.rglob("*.tokens"))
    assert files and all(mode(f) == 0o600 for f in files)
    assert all(mode(d) == 0o700 for d in [root, *[p for p in root.rglob("*") if p.is_dir()]])
