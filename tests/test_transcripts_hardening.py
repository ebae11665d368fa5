"""Reader hardening (issue 14) and registration data (issue 10): broken quotes, CR-only line
ends, bracketed speaker labels, other delimiters and encodings, registration values."""

from __future__ import annotations

import csv
import io
import json

from indicators.conversation import Conversation, Turn
from indicators.corpus import CsvOptions, ReadReport, read_conversations

SENTINEL = "ZWAARDVISGEHEIM"


def read(paths, fmt="auto", **kw):
    report = ReadReport()
    return list(read_conversations(paths, fmt, report=report, **kw)), report


def csv_text(rows, header=("conversation_id", "speaker", "text")) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def test_csv_unclosed_quote_resynchronises(tmp_path):
    rows = []
    for i in range(1000):
        rows += [[f"c{i}", "bezoeker", f"hoi {SENTINEL}"], [f"c{i}", "hulpverlener", "welkom"]]
    lines = csv_text(rows).split("\r\n")
    lines[21] = lines[21].replace("hoi", '"hoi')  # c10's first row: a quote never closed
    p = tmp_path / "q.csv"
    p.write_text("\r\n".join(lines), encoding="utf-8")
    convs, report = read(p)
    assert len(convs) == 1000
    assert [(s.line, s.id, s.reason) for s in report.skipped] == [(22, "c10", "bad_row")]
    assert "quote" in report.skipped[0].detail and SENTINEL not in str(report.skipped[0])
    c10 = next(c for c in convs if c.id == "c10")
    assert [t.speaker for t in c10.turns] == ["hulpverlener"]
    assert all(len(c.turns) == 2 for c in convs if c.id != "c10")


def test_csv_unclosed_quote_in_last_row_is_reported(tmp_path):
    p = tmp_path / "q.csv"
    p.write_text('conversation_id,speaker,text\nA,bezoeker,hoi\nB,bezoeker,"kapot\n',
                 encoding="utf-8")
    convs, report = read(p)
    assert [c.id for c in convs] == ["A"]
    assert [(s.line, s.reason) for s in report.skipped_conversations] == [
        (3, "empty_conversation")]
    assert [(s.line, s.reason) for s in report.skipped_rows] == [(3, "bad_row")]


def test_csv_multiline_message_is_not_a_broken_quote(tmp_path):
    p = tmp_path / "m.csv"
    p.write_text(csv_text([["A", "bezoeker", "regel een\nregel twee, met komma"],
                           ["A", "hulpverlener", "ok"]]), encoding="utf-8")
    convs, report = read(p)
    assert [t.text for t in convs[0].turns] == ["regel een\nregel twee, met komma", "ok"]
    assert not report.skipped


def test_csv_pipe_delimiter_sniffed_and_given(tmp_path):
    p = tmp_path / "p.csv"
    p.write_text("conversation_id|speaker|text\nc1|bezoeker|hoi, daar\n", encoding="utf-8")
    for opts in (None, CsvOptions(delimiter="|")):
        convs, report = read(p, csv_options=opts)
        assert [c.turns[0].text for c in convs] == ["hoi, daar"] and not report.skipped


def test_latin1_needs_and_takes_the_encoding(tmp_path):
    p = tmp_path / "l.csv"
    p.write_bytes("conversation_id,speaker,text\nc1,bezoeker,café\n".encode("latin-1"))
    convs, report = read(p)
    assert convs == [] and report.counts_by_reason() == {"empty_conversation": 1,
                                                         "encoding": 1}
    convs, report = read(p, encoding="latin-1")
    assert convs[0].turns[0].text == "café" and not report.skipped


def test_txt_cr_only_line_ends(tmp_path):
    p = tmp_path / "cr.txt"
    p.write_bytes(b"# year: 2024\rBezoeker: hoi\rHulpverlener: hallo\rtweede regel\rB: ok")
    (conv,), report = read(p)
    assert [(t.speaker, t.text) for t in conv.turns] == [
        ("bezoeker", "hoi"), ("hulpverlener", "hallo\ntweede regel"), ("bezoeker", "ok")]
    assert conv.year == 2024 and conv.line == 2


def test_txt_undecodable_byte_reported_at_its_line_with_cr_ends(tmp_path):
    p = tmp_path / "bad.txt"
    p.write_bytes(b"Bezoeker: hoi\rHulpverlener: \xff\r")
    convs, report = read(p)
    assert convs == [] and [(s.reason, s.line) for s in report.skipped] == [("encoding", 2)]


def test_speaker_labels_with_name_or_number_in_brackets(tmp_path):
    p = tmp_path / "b.txt"
    p.write_text("Bezoeker: hoi\nHulpverlener (Anna): hallo\nBezoeker [2]: ok\n"
                 "HV (Jan de Vries) : ja\nps (even): nog iets\n", encoding="utf-8")
    (conv,), _ = read(p)
    assert [(t.speaker, t.text) for t in conv.turns] == [
        ("bezoeker", "hoi"), ("hulpverlener", "hallo"), ("bezoeker", "ok"),
        ("hulpverlener", "ja\nps (even): nog iets")]
    c = tmp_path / "b.csv"
    c.write_text(csv_text([["A", "Hulpverlener (Anna)", "hoi"], ["A", "bezoeker [1]", "ja"]]),
                 encoding="utf-8")
    (conv,), report = read(c)
    assert [t.speaker for t in conv.turns] == ["hulpverlener", "bezoeker"]


def test_bom_accepted_in_every_format(tmp_path):
    bom = b"\xef\xbb\xbf"
    (tmp_path / "a.jsonl").write_bytes(bom + json.dumps(
        {"id": "A", "turns": [{"speaker": "bezoeker", "text": "hoi"}]}).encode() + b"\n")
    (tmp_path / "b.csv").write_bytes(bom + b"conversation_id,speaker,text\nB,bezoeker,hoi\n")
    (tmp_path / "c.txt").write_bytes(bom + b"Bezoeker: hoi\n")
    for name in ("a.jsonl", "b.csv", "c.txt"):
        convs, report = read(tmp_path / name)
        assert len(convs) == 1 and not report.skipped, name


# --------------------------------------------------------------------------- registration


def test_registration_from_jsonl_meta(tmp_path):
    p = tmp_path / "r.jsonl"
    good = {"bezoeker_id": 123, "startdatum": "2025-03-01", "leeftijd": 16,
            "geslacht": "Vrouw", "in_onderzoek": True, "other": "x"}
    bad = {"bezoeker_id": "B9", "startdatum": "01-03-2025", "leeftijd": "zestien",
           "geslacht": "x", "in_onderzoek": "misschien"}
    turns = [{"speaker": "bezoeker", "text": "hoi"}]
    p.write_text("\n".join(json.dumps(r) for r in (
        {"id": "A", "turns": turns, "meta": good},
        {"id": "B", "turns": turns, "meta": bad},
        {"id": "C", "turns": turns, "meta": "niet goed"},
        {"id": "D", "turns": turns})) + "\n", encoding="utf-8")
    convs, report = read(p)
    assert [c.id for c in convs] == ["A", "B", "C", "D"]
    assert convs[0].meta == {"bezoeker_id": "123", "startdatum": "2025-03-01", "leeftijd": 16,
                             "geslacht": "vrouw", "in_onderzoek": "ja"}
    assert convs[1].meta == {"bezoeker_id": "B9"}
    assert convs[2].meta == {} and convs[3].meta == {}
    got = [(s.line, s.id, s.reason) for s in report.bad_values]
    assert got == [(2, "B", "bad_meta")] * 4 + [(3, "C", "bad_meta")]
    assert not report.skipped
    assert "5 bad registration values left out" in report.summary()
    for s in report.bad_values:  # the bad value itself is never echoed
        assert "zestien" not in str(s) and "misschien" not in str(s)


def test_registration_from_csv_columns(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text(csv_text(
        [["A", "bezoeker", "hoi", "X1", "2025-03-01", "16", "man", "nee"],
         ["A", "hulpverlener", "hallo", "", "", "", "", ""],
         ["B", "bezoeker", "hoi", "X2", "2025-02-30", "16.0", "neutraal", "ja"]],
        header=("conversation_id", "speaker", "text", "Bezoeker_ID", "startdatum", "leeftijd",
                "geslacht", "in_onderzoek")), encoding="utf-8")
    convs, report = read(p)
    assert convs[0].meta == {"bezoeker_id": "X1", "startdatum": "2025-03-01", "leeftijd": 16,
                             "geslacht": "man", "in_onderzoek": "nee"}
    assert convs[1].meta == {"bezoeker_id": "X2", "leeftijd": 16, "geslacht": "neutraal",
                             "in_onderzoek": "ja"}
    assert [(s.line, s.id) for s in report.bad_values] == [(4, "B")]


def test_registration_from_txt_headers(tmp_path):
    p = tmp_path / "r.txt"
    p.write_text("# bezoeker_id: V-77\n# startdatum: 2025-03-01\n# leeftijd: 200\n"
                 "# geslacht: onbekend\n# bron: export\nBezoeker: hoi\n", encoding="utf-8")
    (conv,), report = read(p)
    assert conv.meta == {"bezoeker_id": "V-77", "startdatum": "2025-03-01",
                         "geslacht": "onbekend", "headers": {"bron": "export"}}
    assert [(s.line, s.reason) for s in report.bad_values] == [(3, "bad_meta")]


def test_to_record_writes_registration_only():
    conv = Conversation("A", [Turn("bezoeker", "hoi")],
                        meta={"leeftijd": 16, "headers": {"bron": "x"}})
    assert conv.to_record()["meta"] == {"leeftijd": 16}
    assert "meta" not in Conversation("B", [Turn("bezoeker", "hoi")]).to_record()


def test_suggest_output_carries_meta(engine):
    conv = Conversation("A", [Turn("bezoeker", "hoi")],
                        meta={"geslacht": "vrouw", "headers": {"bron": "x"}})
    rec = engine.suggest(conv).to_record()
    assert rec["meta"] == {"geslacht": "vrouw"}
    assert list(rec)[:3] == ["id", "meta", "turns"]
