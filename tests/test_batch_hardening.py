"""suggest hardening (issue 14): resume that cannot mix runs, aborted runs that leave nothing
behind, workers that end with their parent, bounded analysis of huge messages, a failing
conversation that does not stop the run, private output files, --encoding / --delimiter."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from indicators.batch import (
    MESSAGE_CHARS,
    BatchError,
    EngineSpec,
    Interrupted,
    for_analysis,
    run_suggest,
)
from indicators.conversation import Conversation, Turn
from indicators.corpus import InputError, ReadReport, read_conversations

SENTINEL = "ZWAARDVISGEHEIM"
CLI = [sys.executable, "-c", "from indicators.cli import app; app(prog_name='indicators')"]


@pytest.fixture(scope="module")
def engine():
    return EngineSpec().build()


def write_jsonl(path: Path, ids: list[str], text: str = "hij neemt al mijn geld af") -> None:
    with path.open("w", encoding="utf-8") as fh:
        for cid in ids:
            fh.write(json.dumps({"id": cid, "turns": [{"speaker": "bezoeker",
                                                       "text": f"{text} {SENTINEL}"}]}) + "\n")


def interrupted_run(src: Path, out: Path, engine, **kw) -> Path:
    def stop(result):
        raise KeyboardInterrupt

    with pytest.raises(Interrupted) as exc:
        run_suggest([src], out, engine=engine, batch_size=2, on_batch=stop, **kw)
    part = exc.value.result.part
    assert part is not None and part.exists()
    return part


def test_resume_refuses_other_input_or_options(tmp_path, engine):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    write_jsonl(a, ["a1", "a2", "a3", "a4"])
    write_jsonl(b, ["b1", "b2"])
    out = tmp_path / "o.jsonl"
    part = interrupted_run(a, out, engine)
    before = part.read_bytes()
    for args, kw, why in (
        ([b], {}, "new input files: b.jsonl"),
        ([a], {"strict": True}, "option strict"),
        ([a], {"fmt": "jsonl"}, "option format"),
        ([a], {"encoding": "latin-1"}, "option encoding"),
    ):
        with pytest.raises(BatchError, match=why) as exc:
            run_suggest(args, out, engine=engine, resume=True, **kw)
        assert SENTINEL not in str(exc.value)
        assert part.read_bytes() == before  # the old run is left as it was
    with a.open("a", encoding="utf-8") as fh:  # same name, other content
        fh.write(json.dumps({"id": "a5", "turns": [{"speaker": "b", "text": "x"}]}) + "\n")
    with pytest.raises(BatchError, match="input files changed since: a.jsonl"):
        run_suggest([a], out, engine=engine, resume=True)


def test_resume_with_the_same_run_continues(tmp_path, engine):
    a = tmp_path / "a.jsonl"
    write_jsonl(a, [f"c{i}" for i in range(5)])
    out = tmp_path / "o.jsonl"
    interrupted_run(a, out, engine)
    res = run_suggest([a], out, engine=engine, resume=True, batch_size=3)  # batch size free
    assert res.resumed == 2 and res.written == 3
    assert [json.loads(x)["id"] for x in out.read_text().splitlines()] == [
        f"c{i}" for i in range(5)]
    assert not (tmp_path / "o.jsonl.part").exists()
    assert not (tmp_path / "o.jsonl.part.json").exists()


def test_part_without_run_record_is_refused(tmp_path, engine):
    a = tmp_path / "a.jsonl"
    write_jsonl(a, ["c1"])
    (tmp_path / "o.jsonl.part").write_text('{"id": "c0"}\n', encoding="utf-8")
    with pytest.raises(BatchError, match="no record of the run"):
        run_suggest([a], tmp_path / "o.jsonl", engine=engine, resume=True)


def test_fatal_input_error_leaves_nothing_that_blocks(tmp_path, engine):
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,2\n", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    for inputs in ([tmp_path / "missing.jsonl"], [bad]):
        with pytest.raises(InputError):
            run_suggest(inputs, out, engine=engine)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]
    good = tmp_path / "g.jsonl"
    write_jsonl(good, ["g1"])
    run_suggest([good], out, engine=engine)  # not blocked
    assert out.exists()


def test_interrupt_before_any_output_leaves_nothing(tmp_path, engine):
    a = tmp_path / "a.jsonl"
    write_jsonl(a, ["c1"])

    def gen_stop(*_a, **_k):
        raise KeyboardInterrupt

    class Stopping:
        def __init__(self, eng):
            self.eng = eng

        suggest_many = suggest = gen_stop

    with pytest.raises(Interrupted) as exc:
        run_suggest([a], tmp_path / "o.jsonl", engine=Stopping(engine))
    assert exc.value.result.part is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl"]


def test_output_and_part_are_private(tmp_path, engine):
    a = tmp_path / "a.jsonl"
    write_jsonl(a, ["c1", "c2", "c3"])
    old = os.umask(0o022)
    try:
        part = interrupted_run(a, tmp_path / "new" / "o.jsonl", engine)
        assert part.stat().st_mode & 0o777 == 0o600
        assert (tmp_path / "new").stat().st_mode & 0o777 == 0o700
        assert Path(f"{part}.json").stat().st_mode & 0o777 == 0o600
        run_suggest([a], tmp_path / "new" / "o.jsonl", engine=engine, resume=True)
    finally:
        os.umask(old)
    assert (tmp_path / "new" / "o.jsonl").stat().st_mode & 0o777 == 0o600


def test_long_message_is_cut_for_analysis_only(tmp_path, engine):
    head = ("mijn vriend wil dat ik met mannen seks heb voor geld. hij dreigt mijn naaktfotos "
            "te verspreiden. ")
    long_text = head + "bla " * 300_000  # 1.2 million characters: over spaCy's limit
    conv = Conversation("L", [Turn("hulpverlener", "hoi"), Turn("bezoeker", long_text)])
    seen, cut = for_analysis(conv)
    assert cut == 1 and len(seen.turns[1].text) == MESSAGE_CHARS
    assert long_text.startswith(seen.turns[1].text)
    src = tmp_path / "l.jsonl"
    src.write_text(json.dumps(conv.to_record()) + "\n", encoding="utf-8")
    res = run_suggest([src], tmp_path / "o.jsonl", engine=engine)
    assert res.written == 1 and res.cut_messages == 1 and res.cut_ids == ["L"]
    rec = json.loads((tmp_path / "o.jsonl").read_text(encoding="utf-8"))
    assert rec["turns"][1]["text"] == long_text  # the output keeps the full text
    assert rec["evidence"], "the analysed part still gives evidence"
    for e in rec["evidence"]:
        assert rec["turns"][e["turn"]]["text"][e["start"]:e["end"]] == e["text"]


def test_one_failing_conversation_does_not_stop_the_run(tmp_path, engine):
    class Flaky:
        def __init__(self, eng):
            self.eng = eng

        def suggest_many(self, convs, batch_size=64):
            if any(c.id == "BAD" for c in convs):
                raise ValueError("boom")
            return self.eng.suggest_many(convs, batch_size=batch_size)

        def suggest(self, conv):
            if conv.id == "BAD":
                raise ValueError("boom")
            return self.eng.suggest(conv)

    src = tmp_path / "a.jsonl"
    write_jsonl(src, ["c1", "BAD", "c3", "c4"])
    res = run_suggest([src], tmp_path / "o.jsonl", engine=Flaky(engine), batch_size=3)
    got = [json.loads(x)["id"] for x in (tmp_path / "o.jsonl").read_text().splitlines()]
    assert got == ["c1", "c3", "c4"]
    assert res.written + res.skipped == 4 and res.report.read == 3
    (skip,) = res.report.skipped
    assert (skip.reason, skip.id, skip.line) == ("analysis_error", "BAD", 2)
    assert "ValueError" in skip.detail and SENTINEL not in str(skip)


def test_cli_encoding_and_delimiter(tmp_path):
    from indicators.cli import app

    src = tmp_path / "l.csv"
    src.write_bytes("conversation_id|speaker|text\nc1|bezoeker|café 16 jaar\n".encode("latin-1"))
    out = tmp_path / "o.jsonl"
    r = CliRunner().invoke(app, ["suggest", str(src), "-o", str(out), "-q", "--no-progress",
                                 "--encoding", "latin-1", "--delimiter", "|"])
    assert r.exit_code == 0, r.output
    rec = json.loads(out.read_text(encoding="utf-8"))
    assert rec["turns"][0]["text"] == "café 16 jaar"
    r = CliRunner().invoke(app, ["suggest", str(src), "-o", str(tmp_path / "x.jsonl"), "-q",
                                 "--no-progress", "--delimiter", "||"])
    assert r.exit_code == 2 and "one character" in r.output


def test_every_input_record_accounted_for_with_registration(tmp_path, engine):
    src = tmp_path / "a.jsonl"
    lines = [json.dumps({"id": "A", "turns": [{"speaker": "bezoeker", "text": "hoi"}],
                         "meta": {"leeftijd": 15, "geslacht": "vrouw"}}),
             json.dumps({"id": "B", "turns": [{"speaker": "bezoeker", "text": "hoi"}],
                         "meta": {"leeftijd": "oud"}}), "{kapot"]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = run_suggest([src], tmp_path / "o.jsonl", engine=engine)
    recs = [json.loads(x) for x in (tmp_path / "o.jsonl").read_text().splitlines()]
    assert [r["meta"] for r in recs] == [{"leeftijd": 15, "geslacht": "vrouw"}, {}]
    assert res.written + res.skipped == 3 and len(res.report.bad_values) == 1


def _children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                out.append(int(d.name))
    return out


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_workers_end_with_their_parent(tmp_path):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, [f"c{i}" for i in range(4000)])
    proc = subprocess.Popen([*CLI, "suggest", str(src), "-o", str(tmp_path / "o.jsonl"),
                             "-j", "2", "--batch-size", "1", "-q", "--no-progress"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    part = tmp_path / "o.jsonl.part"
    end = time.monotonic() + 120
    while time.monotonic() < end and not (part.exists() and part.read_bytes().count(b"\n")):
        assert proc.poll() is None
        time.sleep(0.1)
    workers = _children(proc.pid)
    assert len(workers) >= 2
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    end = time.monotonic() + 10
    alive = workers
    while alive and time.monotonic() < end:
        time.sleep(0.2)
        alive = [w for w in alive if Path(f"/proc/{w}").exists()
                 and "Z" not in (Path(f"/proc/{w}/stat").read_text().rsplit(")", 1)[1][:3])]
    for w in alive:  # do not leave them behind if the test fails
        os.kill(w, signal.SIGKILL)
    assert not alive, f"{len(alive)} workers still running 10 s after the parent was killed"


def test_reader_and_report_agree_on_counts(tmp_path):
    src = tmp_path / "a.jsonl"
    write_jsonl(src, ["x", "x", "y"])
    report = ReadReport()
    assert [c.id for c in read_conversations([src], report=report)] == ["x", "y"]
    assert report.counts_by_reason() == {"duplicate_id": 1}
