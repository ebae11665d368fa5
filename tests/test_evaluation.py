"""Metrics: checked by hand on tiny examples, and the evaluate command end to end."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from indicators.cli import app
from indicators.codebook import load_codebook
from indicators.conversation import Conversation, Turn
from indicators.evaluation import evaluate
from indicators.metrics import counts, prf, prf_arrays
from indicators.suggestion import Evidence, Suggestion

ROOT = Path(__file__).resolve().parents[1]


def test_prf():
    m = prf(3, 1, 2)
    assert m["precision"] == 0.75 and m["recall"] == 0.6 and m["support"] == 5
    assert abs(m["f1"] - 2 * 0.75 * 0.6 / 1.35) < 1e-12
    assert prf(0, 0, 0)["f1"] == 0.0


def test_prf_of_arrays_counts_every_cell():
    gold = np.array([[1, 0, 1], [0, 1, 1]])
    pred = np.array([[1, 1, 0], [0, 1, 1]])
    assert counts(pred, gold) == (3, 1, 1)
    assert prf_arrays(gold, pred) == prf(3, 1, 1)


def _pair(cid, gold, pred, gold_pl=(), pred_pl=(), pattern="p.one"):
    cb = load_codebook()
    conv = Conversation(cid, [Turn("bezoeker", "x")],
                        gold={"codes": list(gold), "ontmoeting_platforms": list(gold_pl),
                              "context": {}})
    ev = [Evidence(c, 0, "bezoeker", 0, 1, "x", f"pattern:{pattern}", 0.9) for c in pred]
    return conv, Suggestion(conv, cb.with_derived(list(pred)), list(pred_pl), ev, {})


def test_evaluate_counts_codes_platforms_patterns():
    cb = load_codebook()
    pairs = [
        _pair("a", ["sextortion", "klant_geweld"], ["sextortion"], ["snapchat"], ["snapchat"]),
        _pair("b", [], ["sextortion"], [], ["tiktok"]),
        _pair("c", ["klant_geweld", "klant_zeer_jong"], ["klant_geweld", "klant_zeer_jong"]),
    ]
    ev = evaluate(pairs, cb, ["p.one", "p.never"], {"p.one": "sextortion"})
    s = ev.codes["sextortion"]
    assert (s["tp"], s["fp"], s["fn"]) == (1, 1, 0)
    g = ev.codes["klant_geweld"]
    assert (g["tp"], g["fp"], g["fn"]) == (1, 0, 1)
    assert ev.derived["klant_bewust_combinatie"]["tp"] == 1
    assert ev.derived["klant_bewust_combinatie"]["fn"] == 0
    assert ev.derived["klant_bewust"]["fn"] == 1  # conversation a: gold has klant_geweld
    assert (ev.platforms["tp"], ev.platforms["fp"], ev.platforms["fn"]) == (1, 1, 0)
    assert ev.never_fired == ["p.never"]
    assert ev.patterns["p.one"]["hits"] == 3
    assert ev.micro["tp"] == 3 and ev.micro["fp"] == 1 and ev.micro["fn"] == 1
    kinds = {(e["id"], e["code"], e["kind"]) for e in ev.errors}
    assert ("b", "sextortion", "false_positive") in kinds
    assert ("a", "klant_geweld", "false_negative") in kinds


def test_evaluate_command_writes_json(tmp_path):
    out = tmp_path / "ev.json"
    res = CliRunner().invoke(app, ["evaluate", str(ROOT / "samples" / "gold.jsonl"),
                                   "--json", str(out)])
    assert res.exit_code == 0, res.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data[0]["n_conversations"] == 6
    assert set(data[0]["codes"]) == set(load_codebook().annotatable_codes)
    # by default no conversation text reaches the terminal
    gold = [json.loads(line) for line in (ROOT / "samples" / "gold.jsonl").open()]
    longest = max((t["text"] for g in gold for t in g["turns"]), key=len)
    assert longest not in res.output


def test_fact_patterns_count_as_fired(engine, make_conv):
    """Facts (e.g. the perpetrator is a parent) are not codes, but their patterns did fire:
    they must not be listed as 'never fired'."""
    cb = load_codebook()
    conv = make_conv("b: mijn vader neemt mannen mee naar huis en die betalen hem")
    conv.gold = {"codes": [], "ontmoeting_platforms": [], "context": {}}
    sug = engine.suggest(conv)
    assert "parent_perpetrator" in sug.facts
    ids = [p.id for p in engine.ps.patterns]
    targets = {p.id: (p.code or f"fact:{p.fact}") for p in engine.ps.patterns}
    ev = evaluate([(conv, sug)], cb, ids, targets)
    fired = {pid for pid, h in ev.patterns.items() if h["hits"]}
    assert any(pid.startswith("fact.family.parent") for pid in fired)
    assert not (fired & set(ev.never_fired))


def test_gold_problems_types_ids_and_case():
    from indicators.evaluation import gold_problems

    cb = load_codebook()
    code = cb.annotatable_codes[0]
    plat = next(iter(cb.platforms))
    assert gold_problems({"codes": [code], "ontmoeting_platforms": [plat]}, cb) == []
    assert gold_problems({"codes": []}, cb) == []
    assert "not a list" in gold_problems({"codes": code}, cb)[0]
    (msg,) = gold_problems({"codes": [code.upper()]}, cb)
    assert "wrong case" in msg and repr(code) in msg
    assert "unknown code id" in gold_problems({"codes": ["bestaat_niet"]}, cb)[0]
    assert "derived" in gold_problems({"codes": ["geweld"]}, cb)[0]
    assert "platform" in gold_problems({"codes": [], "ontmoeting_platforms": "x"}, cb)[0]
    assert "missing" in gold_problems({}, cb)[0]
    assert gold_problems(["x"], cb) == ["'gold' is not an object"]


def test_evaluate_rejects_and_counts_bad_gold(tmp_path):
    cb = load_codebook()
    code = cb.annotatable_codes[0]
    turns = [{"speaker": "bezoeker", "text": "hoi ZWAARDVISGEHEIM"}]
    recs = [{"id": "ok", "turns": turns, "gold": {"codes": [code]}},
            {"id": "str", "turns": turns, "gold": {"codes": code}},
            {"id": "case", "turns": turns, "gold": {"codes": [code.title()]}},
            {"id": "none", "turns": turns}]
    p = tmp_path / "g.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in recs) + "\n", encoding="utf-8")
    out = tmp_path / "e.json"
    r = CliRunner().invoke(app, ["evaluate", str(p), "--json", str(out), "--no-cache",
                                 "--no-patterns-table"])
    assert r.exit_code == 0, r.output
    assert "skipped 3 conversations (bad_gold: 2, missing_field: 1)" in " ".join(r.output.split())
    assert "ZWAARDVISGEHEIM" not in r.output
    assert json.loads(out.read_text(encoding="utf-8"))[0]["n_conversations"] == 1
    assert out.stat().st_mode & 0o777 == 0o600


def test_evaluate_counts_but_never_scores_unconfirmed_records(tmp_path):
    import json

    from typer.testing import CliRunner

    from indicators.cli import app

    turns = [{"speaker": "bezoeker", "text": "hij dreigt mijn naaktfotos te delen"}]
    gold = {"codes": ["sextortion"], "ontmoeting_platforms": [], "context": {}}
    recs = [{"id": "C-1", "year": 2025, "turns": turns, "gold": gold,
             "review": {"status": "confirmed"}},
            {"id": "P-1", "year": 2025, "turns": turns, "gold": {"codes": []},
             "review": {"status": "pending"}}]
    f = tmp_path / "pulled.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    out = tmp_path / "ev.json"
    res = CliRunner().invoke(app, ["evaluate", str(f), "--no-cache", "--json", str(out),
                                   "--no-patterns-table"])
    assert res.exit_code == 0, res.output
    assert json.loads(out.read_text())[0]["n_conversations"] == 1
    assert "not_confirmed" in res.output
