"""Property tests (hypothesis) for issue 14 and the registration data of issue 10: whatever
the format, line ends, broken quotes or registration values, every record is read or skipped
with a reason, and nothing is lost silently."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.corpus import ReadReport, read_conversations
from indicators.corpus.registration import REGISTRATION_KEYS

SETTINGS = settings(max_examples=80, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

words = st.text(st.sampled_from("abcdefghij klmnop"), min_size=1, max_size=12).filter(
    str.strip).map(str.strip)
speakers = st.sampled_from([("bezoeker", "bezoeker"), ("Hulpverlener", "hulpverlener"),
                            ("HV", "hulpverlener"), ("b", "bezoeker")])


def read(path: Path, **kw):
    report = ReadReport()
    return list(read_conversations([path], report=report, **kw)), report


@st.composite
def csv_with_broken_quotes(draw):
    n = draw(st.integers(1, 25))
    rows = [(draw(st.sampled_from("ABCDE")), draw(speakers), draw(words)) for _ in range(n)]
    broken = draw(st.sets(st.integers(0, n - 1), max_size=n))
    return rows, broken


@given(csv_with_broken_quotes(), st.sampled_from([",", ";", "|"]),
       st.sampled_from(["\n", "\r\n"]))
@SETTINGS
def test_csv_unclosed_quotes_lose_only_their_own_row(data, delimiter, eol):
    rows, broken = data
    lines = [delimiter.join(["conversation_id", "speaker", "text"])]
    for i, (cid, (label, _), text) in enumerate(rows):
        lines.append(delimiter.join([cid, label, ('"' if i in broken else "") + text]))
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "in.csv"
        p.write_text(eol.join(lines) + eol, encoding="utf-8")
        convs, report = read(p)
    lost = broken
    expected: dict[str, list] = {}
    for i, (cid, (_, canon), text) in enumerate(rows):
        expected.setdefault(cid, [])
        if i not in lost:
            expected[cid].append((canon, text))
    got = {c.id: [(t.speaker, t.text) for t in c.turns] for c in convs}
    assert got == {k: v for k, v in expected.items() if v}
    assert sorted(s.line for s in report.skipped_rows) == sorted(i + 2 for i in lost)
    assert all(s.reason == "bad_row" for s in report.skipped_rows)
    # records in = records out + skipped (conversation level)
    assert len(convs) + len(report.skipped_conversations) == len(expected)
    assert all(s.reason == "empty_conversation" for s in report.skipped_conversations)


VALUES = {
    "bezoeker_id": (["V-1", "123", " x9 "], [3.5, ["a"]]),
    "startdatum": (["2025-03-01", "2024-02-29"], ["01-03-2025", "2025-02-30", "gisteren"]),
    "leeftijd": ([0, 16, 120], [-1, 121, "zestien"]),
    "geslacht": (["vrouw", "Man", "NEUTRAAL", "onbekend"], ["x", "v"]),
    "in_onderzoek": (["ja", "Nee"], ["misschien", "j"]),
}


def normal(key, v):
    if key == "bezoeker_id":
        return str(v).strip()
    if key in ("geslacht", "in_onderzoek"):
        return v.strip().lower()
    return v


@st.composite
def registered(draw, fmt):
    meta, good, bad = {}, {}, 0
    for key in REGISTRATION_KEYS:
        choice = draw(st.sampled_from(["absent", "good", "bad"]))
        if choice == "absent":
            continue
        goods, bads = VALUES[key]
        if fmt != "jsonl":  # text formats: values are text
            bads = [b for b in bads if isinstance(b, str | int)]
        if not bads:
            choice = "good"
        v = draw(st.sampled_from(goods if choice == "good" else bads))
        meta[key] = v
        if choice == "good":
            good[key] = normal(key, v)
        else:
            bad += 1
    return meta, good, bad


@given(st.data(), st.sampled_from(["jsonl", "csv", "txt"]), st.integers(1, 6),
       st.sampled_from(["\n", "\r\n", "\r"]))
@SETTINGS
def test_registration_in_every_format_is_kept_or_reported(data, fmt, n, eol):
    convs_in = [(f"c{i}", data.draw(registered(fmt)), data.draw(st.lists(
        st.tuples(speakers, words), min_size=1, max_size=4))) for i in range(n)]
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        if fmt == "jsonl":
            eol = "\n"
            (root / "in.jsonl").write_text("".join(json.dumps(
                {"id": cid, "meta": meta, "turns": [{"speaker": s[0], "text": t}
                                                    for s, t in turns]}) + "\n"
                for cid, (meta, _, _), turns in convs_in), encoding="utf-8")
        elif fmt == "csv":
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\r\n" if eol == "\r\n" else "\n")
            w.writerow(["conversation_id", "speaker", "text", *REGISTRATION_KEYS])
            for cid, (meta, _, _), turns in convs_in:
                for k, ((label, _), text) in enumerate(turns):  # values on the first row
                    w.writerow([cid, label, text, *[("" if k else str(meta.get(key, "")))
                                                    for key in REGISTRATION_KEYS]])
            (root / "in.csv").write_text(buf.getvalue(), encoding="utf-8")
        else:
            for cid, (meta, _, _), turns in convs_in:
                lines = [f"# {k}: {v}" for k, v in meta.items()]
                lines += [f"{label} ({i}): {text}" if i % 2 else f"{label}: {text}"
                          for i, ((label, _), text) in enumerate(turns)]
                (root / f"{cid}.txt").write_bytes(eol.join(lines).encode("utf-8"))
        got, report = read(root)
    assert len(got) + len(report.skipped_conversations) == n and not report.skipped
    for conv, (cid, (_, good, _bad), turns) in zip(got, convs_in, strict=True):
        assert conv.id == cid
        assert {k: v for k, v in conv.meta.items() if k != "headers"} == good
        assert [(t.speaker, t.text) for t in conv.turns] == [(s[1], t) for s, t in turns]
        assert conv.to_record().get("meta", {}) == good
    assert len(report.bad_values) == sum(bad for _, (_, _, bad), _ in convs_in)
    assert all(s.reason == "bad_meta" and s.line for s in report.bad_values)
