"""Loading confirmed annotations: pending excluded and counted, bad lines reported, never
silently dropped, no conversation text in messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from indicators.cli import app
from indicators.codebook import load_codebook
from indicators.stats.load import StatsInputError, load_records
from indicators.stats.summary import select
from indicators.stats.tables import compute_tables
from indicators.stats.visitors import link_visitors

DATA = Path(__file__).parent / "data" / "stats" / "annotations.jsonl"


def raw_lines() -> list[tuple[int, str]]:
    return [(i, line) for i, line in enumerate(DATA.read_text(encoding="utf-8").splitlines(), 1)
            if line.strip()]


def expected() -> dict:
    """Sort the fixture's lines by hand: valid JSON with known ids and an integer year."""
    cb = load_codebook()
    confirmed, pending, bad = [], [], []
    for lineno, line in raw_lines():
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            bad.append(lineno)
            continue
        if not isinstance(obj["year"], int) or set(obj["gold"]["codes"]) - set(cb.codes):
            bad.append(lineno)
        elif "review" in obj and obj["review"]["status"] != "confirmed":
            pending.append(obj)
        else:
            confirmed.append(obj)
    return {"confirmed": confirmed, "pending": pending, "bad": bad}


def test_records_are_sorted_into_confirmed_pending_and_problems():
    cb = load_codebook()
    exp = expected()
    res = load_records([DATA], cb)
    assert res.lines == len(raw_lines())
    assert len(res.confirmed) == len(exp["confirmed"])
    assert sorted(r.id for r in res.pending) == sorted(r["id"] for r in exp["pending"])
    assert sorted(p.line for p in res.problems) == exp["bad"]
    assert all(p.file == str(DATA) for p in res.problems)
    # nothing is lost: every non-empty line is confirmed, pending or a problem
    assert len(res.confirmed) + len(res.pending) + res.skipped == res.lines


def test_problems_never_quote_conversation_text():
    res = load_records([DATA], load_codebook())
    texts = []
    for _, line in raw_lines():
        try:
            texts += [t["text"] for t in json.loads(line)["turns"]]
        except json.JSONDecodeError:
            pass
    for p in res.problems:
        msg = str(p)
        assert f":{p.line}" in msg
        assert "GEHEIM" not in msg
        assert not any(t in msg for t in texts)


def test_selection_excludes_pending_and_counts_them():
    exp = expected()
    sel = select(load_records([DATA], load_codebook()))
    s = sel.summary
    conf_ids = {r["id"] for r in exp["confirmed"]}
    pend_only = {r["id"] for r in exp["pending"]} - conf_ids
    assert s["confirmed_conversations"] == len(conf_ids)
    assert s["duplicate_records_not_counted"] == len(exp["confirmed"]) - len(conf_ids)
    assert s["pending_conversations_excluded"] == len(pend_only)
    assert s["skipped_lines"] == len(exp["bad"])
    assert {r.id for r in sel.records} == conf_ids
    for row in s["per_year"]:
        y = int(row["jaar"])
        assert row["bevestigd"] == len({r["id"] for r in exp["confirmed"] if r["year"] == y})
        assert row["in_afwachting"] == len({r["id"] for r in exp["pending"] if r["year"] == y}
                                           - conf_ids)


def test_pending_codes_do_not_enter_tables():
    cb = load_codebook()
    sel = select(load_records([DATA], cb))
    df = compute_tables(link_visitors(sel.records).units, cb)["dwangmiddel"]
    row = df[df["jaar"] == "2024"].iloc[0]
    # In 2024 only S-002 (pending) and the dropped older duplicate of S-001 say inwonend;
    # S-001 as confirmed last has sextortion: one visitor, one with a coercion means.
    assert (row["n"], row["N"]) == (1, 1)


def test_latest_confirmation_wins_for_duplicates():
    sel = select(load_records([DATA], load_codebook()))
    s001 = next(r for r in sel.records if r.id == "S-001")
    assert s001.coder == "anna" and "inwonend" not in s001.codes


def test_year_filter():
    sel = select(load_records([DATA], load_codebook()), years=[2023])
    assert {r.year for r in sel.records} == {2023}
    assert sel.summary["pending_conversations_excluded"] == 1


def test_missing_path_is_an_error(tmp_path):
    with pytest.raises(StatsInputError, match="no such file"):
        load_records([tmp_path / "nope.jsonl"], load_codebook())
    r = CliRunner().invoke(app, ["stats", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path)])
    assert r.exit_code == 2
    assert "nope.jsonl" in r.output


def test_directory_input_reads_all_jsonl(tmp_path):
    (tmp_path / "sub").mkdir()
    lines = DATA.read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "a.jsonl").write_text("".join(lines[:3]), encoding="utf-8")
    (tmp_path / "sub" / "b.jsonl").write_text("".join(lines[3:]), encoding="utf-8")
    res = load_records([tmp_path], load_codebook())
    assert res.lines == len(raw_lines())
    assert len(res.files) == 2


def _gold_line(i: int, codes=None, **extra) -> bytes:
    cb = load_codebook()
    rec = {"id": f"S{i}", "year": 2024, "turns": [{"speaker": "bezoeker", "text": "geheim"}],
           "gold": {"codes": [cb.annotatable_codes[0]] if codes is None else codes}, **extra}
    return json.dumps(rec, ensure_ascii=False).encode("utf-8") + b"\n"


def test_undecodable_byte_is_one_problem_at_its_line_and_the_rest_is_read(tmp_path):
    lines = [_gold_line(i) for i in range(40)]
    lines[16] = lines[16].replace(b"geheim", b"geh\xffeim")
    p = tmp_path / "a.jsonl"
    p.write_bytes(b"".join(lines))
    res = load_records([p], load_codebook())
    assert len(res.confirmed) == 39 and res.lines == 40
    assert [(x.line, x.reason.split(" (")[0]) for x in res.problems] == [(17, "not UTF-8")]
    assert "geh" not in str(res.problems[0])


def test_byte_order_mark_is_accepted(tmp_path):
    p = tmp_path / "a.jsonl"
    p.write_bytes(b"\xef\xbb\xbf" + _gold_line(1) + _gold_line(2) + b"\xef\xbb\xbf"
                  + _gold_line(3))
    res = load_records([p], load_codebook())
    assert [r.id for r in res.confirmed] == ["S1", "S2", "S3"] and not res.problems


def test_gold_types_and_case_are_validated_and_counted(tmp_path):
    cb = load_codebook()
    code = cb.annotatable_codes[0]
    p = tmp_path / "a.jsonl"
    p.write_bytes(_gold_line(1) + _gold_line(2, codes=code) + _gold_line(3, codes=[code.upper()])
                  + _gold_line(4, codes=[code], year="twee") + b"[1e99999]\n")
    res = load_records([p], cb)
    assert [r.id for r in res.confirmed] == ["S1"]
    reasons = {x.line: x.reason for x in res.problems}
    assert sorted(reasons) == [2, 3, 4, 5] and res.skipped == 4
    assert "not a list" in reasons[2]
    assert "case-sensitive" in reasons[3] and repr(code) in reasons[3]
    assert "year" in reasons[4]


def _meta_line(tmp_path, **meta) -> Path:
    rec = {"id": "M-1", "year": 2024, "turns": [],
           "gold": {"codes": [], "ontmoeting_platforms": [], "context": {}}, "meta": meta}
    f = tmp_path / "m.jsonl"
    f.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    return f


@pytest.mark.parametrize("meta, reason", [
    ({"startdatum": "31-02-2024"}, "startdatum"),
    ({"startdatum": "gisteren"}, "startdatum"),
    ({"geslacht": "x"}, "geslacht"),
    ({"in_onderzoek": "misschien"}, "in_onderzoek"),
    ({"leeftijd": -3}, "leeftijd"),
    ({"ouder_rol": "oom"}, "ouder_rol"),
])
def test_invalid_registration_data_is_a_problem_not_a_guess(tmp_path, meta, reason):
    res = load_records([_meta_line(tmp_path, **meta)], load_codebook())
    assert not res.confirmed and len(res.problems) == 1
    assert reason in res.problems[0].reason


def test_registration_data_is_read(tmp_path):
    f = _meta_line(tmp_path, bezoeker_id=17, startdatum="2023-12-31", leeftijd="15",
                   geslacht="Vrouw", in_onderzoek=True, kanaal="csg")
    rec = load_records([f], load_codebook()).confirmed[0]
    assert (rec.year, rec.year_field) == (2023, 2024)  # the year of startdatum wins
    assert (rec.bezoeker_id, rec.reg_leeftijd, rec.geslacht, rec.in_onderzoek, rec.channel) \
        == ("17", 15, "vrouw", "ja", "csg")
    sel = select(load_records([f], load_codebook()))
    assert sel.summary["checks"]["year_differs_from_startdatum"] == ["M-1"]


def test_not_in_study_is_left_out_and_counted(tmp_path):
    f = _meta_line(tmp_path, in_onderzoek="nee")
    sel = select(load_records([f], load_codebook()))
    assert sel.records == [] and sel.summary["not_in_study_ids"] == ["M-1"]
    assert sel.summary["per_year"][0]["niet_in_onderzoek"] == 1
