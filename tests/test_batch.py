"""The batch runner: streaming, ordered, atomic and resumable ``suggest``."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indicators.batch import BatchError, EngineSpec, Interrupted, run_suggest, scan_part

SENTINEL = "ZWAARDVISGEHEIM"  # stands for conversation text that must never be echoed
VISITOR = [
    "hoi ik weet niet of ik hier goed ben", "mijn vriend wil dat ik met mannen seks heb",
    "hij neemt al het geld af", "we hebben elkaar op snapchat leren kennen",
    "hij dreigt mijn naaktfotos te verspreiden", "ik mag niet weg van hem",
    f"ja dat klopt {SENTINEL}", "nee", "ik ben 16", "hij zegt dat ik het hem schuldig ben",
]
COUNSELLOR = [
    "Welkom bij de chat. Waar wil je het over hebben?", "Heeft hij je geld afgepakt?",
    "Dat klinkt heel zwaar.", "Moet je met andere mannen seks hebben?", "Hoe oud ben je?",
]


def make_jsonl(path: Path, n: int, seed: int = 1, turns: int = 12) -> list[str]:
    rnd = random.Random(seed)
    ids = []
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            cid = f"T{seed}-{i:05d}"
            ids.append(cid)
            ts = [{"speaker": "bezoeker" if k % 2 else "hulpverlener",
                   "text": rnd.choice(VISITOR if k % 2 else COUNSELLOR)} for k in range(turns)]
            fh.write(json.dumps({"id": cid, "year": 2024, "turns": ts}) + "\n")
    return ids


def ids_of(path: Path) -> list[str]:
    return [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def engine():
    return EngineSpec().build()


def test_writes_all_in_order_and_renames(tmp_path, engine):
    src = tmp_path / "in.jsonl"
    ids = make_jsonl(src, 23)
    out = tmp_path / "sub" / "out.jsonl"
    res = run_suggest([src], out, engine=engine, batch_size=5)
    assert ids_of(out) == ids
    assert res.written == 23 and res.resumed == 0 and res.skipped == 0
    assert not (tmp_path / "sub" / "out.jsonl.part").exists()
    assert sum(res.per_code.values()) > 0


def test_skips_are_counted(tmp_path, engine):
    src = tmp_path / "in.jsonl"
    ids = make_jsonl(src, 4)
    with src.open("a") as fh:
        fh.write("{not json\n")
        fh.write(json.dumps({"id": "E", "turns": []}) + "\n")
    res = run_suggest([src], tmp_path / "o.jsonl", engine=engine)
    assert ids_of(tmp_path / "o.jsonl") == ids
    assert res.written + res.skipped == 6


def test_interrupt_then_resume_exactly_once(tmp_path, engine):
    src = tmp_path / "in.jsonl"
    ids = make_jsonl(src, 30)
    out = tmp_path / "out.jsonl"

    def stop(result):
        if result.written >= 12:
            raise KeyboardInterrupt

    with pytest.raises(Interrupted) as exc:
        run_suggest([src], out, engine=engine, batch_size=4, on_batch=stop)
    part = exc.value.result.part
    assert not out.exists() and part.exists()
    assert ids_of(part) == ids[:12]
    with part.open("a") as fh:  # a torn last line, as a killed process leaves it
        fh.write('{"id": "T1-00012", "codes": [')
    with pytest.raises(BatchError, match="--resume"):
        run_suggest([src], out, engine=engine)
    res = run_suggest([src], out, engine=engine, batch_size=4, resume=True)
    assert res.resumed == 12 and res.written == 18
    assert ids_of(out) == ids
    assert not part.exists()


def test_scan_part_truncates_garbage_tail(tmp_path):
    part = tmp_path / "x.part"
    part.write_text('{"id": "a"}\n{"id": "b"}\nnot json\n{"id": "c"}\n', encoding="utf-8")
    assert scan_part(part) == ["a", "b"]
    assert part.read_text(encoding="utf-8") == '{"id": "a"}\n{"id": "b"}\n'


def test_resume_without_part_starts_fresh(tmp_path, engine):
    src = tmp_path / "in.jsonl"
    ids = make_jsonl(src, 3)
    res = run_suggest([src], tmp_path / "o.jsonl", engine=engine, resume=True)
    assert res.resumed == 0 and ids_of(tmp_path / "o.jsonl") == ids


def test_resume_after_finish_does_nothing(tmp_path, engine):
    src = tmp_path / "in.jsonl"
    ids = make_jsonl(src, 3)
    out = tmp_path / "o.jsonl"
    run_suggest([src], out, engine=engine)
    before = out.read_bytes()
    res = run_suggest([src], out, engine=engine, resume=True)
    assert res.already_complete and res.resumed == 3 and res.written == 0
    assert out.read_bytes() == before and ids_of(out) == ids


def test_progress_bar_shows_counts_not_text(tmp_path, engine, capsys):
    src = tmp_path / "in.jsonl"
    make_jsonl(src, 6)
    with src.open("a") as fh:
        fh.write("{broken\n")
    run_suggest([src], tmp_path / "o.jsonl", engine=engine, batch_size=2, progress=True)
    err = capsys.readouterr().err
    assert "skipped 1" in err and "7/7" in err
    assert SENTINEL not in err


def test_stdout_cannot_resume(tmp_path, engine):
    src = tmp_path / "in.jsonl"
    make_jsonl(src, 1)
    with pytest.raises(BatchError):
        run_suggest([src], "-", engine=engine, resume=True)


def test_parallel_matches_serial(tmp_path, engine):
    src = tmp_path / "in.jsonl"
    ids = make_jsonl(src, 40)
    serial, par = tmp_path / "s.jsonl", tmp_path / "p.jsonl"
    run_suggest([src], serial, engine=engine, batch_size=3)
    run_suggest([src], par, spec=EngineSpec(), n_process=2, batch_size=3)
    assert ids_of(par) == ids
    assert par.read_text(encoding="utf-8") == serial.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- real processes

CLI = [sys.executable, "-c", "from indicators.cli import app; app(prog_name='indicators')"]


# The interrupted child handles Ctrl-C as in a terminal even when the test runner was started
# with SIGINT ignored (a background job of a non-interactive shell, nohup), which the child
# would otherwise inherit.
CLI_CTRL_C = [sys.executable, "-c", "import signal; signal.signal(signal.SIGINT, "
              "signal.default_int_handler); from indicators.cli import app; "
              "app(prog_name='indicators')"]


def _start(src: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [*CLI_CTRL_C, "suggest", str(src), "-o", str(out), "--batch-size", "1", "-q",
         "--no-progress", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_lines(part: Path, n: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if part.exists() and part.read_bytes().count(b"\n") >= n:
            return
        assert proc.poll() is None, "run ended before it could be interrupted"
        time.sleep(0.05)
    raise AssertionError("no progress in the .part file")


@pytest.fixture(scope="module")
def big_input(tmp_path_factory):
    src = tmp_path_factory.mktemp("big") / "in.jsonl"
    return src, make_jsonl(src, 3000, seed=7, turns=30)


def test_sigkill_then_resume(tmp_path, big_input):
    src, ids = big_input
    out = tmp_path / "out.jsonl"
    part = tmp_path / "out.jsonl.part"
    proc = _start(src, out)
    _wait_for_lines(part, 25, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not out.exists()
    got = ids_of(part) if part.read_bytes().endswith(b"\n") else None
    assert got is None or got == ids[:len(got)]
    r = subprocess.run([*CLI, "suggest", str(src), "-o", str(out), "--resume", "-q",
                        "--no-progress", "--batch-size", "64"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert ids_of(out) == ids  # every conversation exactly once, in input order
    assert not part.exists()
    assert SENTINEL not in r.stderr


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_sigint_leaves_resumable_part(tmp_path, big_input, sig):
    src, ids = big_input
    out = tmp_path / "out.jsonl"
    part = tmp_path / "out.jsonl.part"
    proc = _start(src, out)
    _wait_for_lines(part, 10, proc)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "--resume" in stderr and "interrupted" in stderr
    assert SENTINEL not in stderr
    assert not out.exists()
    done = ids_of(part)
    assert done == ids[:len(done)] and part.read_bytes().endswith(b"\n")
