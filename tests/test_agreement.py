"""Agreement: kappa against scikit-learn, alpha on Krippendorff's textbook example, and the
double-coding / machine logic against counts made here."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from typer.testing import CliRunner

from indicators.cli import app
from indicators.codebook import load_codebook
from indicators.stats.agreement import (
    bootstrap,
    coder_agreement,
    cohen_kappa,
    krippendorff_alpha_nominal,
    machine_agreement,
)
from indicators.stats.load import load_records

nan = np.nan


def test_alpha_textbook_example():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", nominal example:
    # 4 observers, 12 units, alpha = 0.743.
    data = np.array([
        [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
    ])
    assert krippendorff_alpha_nominal(data) == pytest.approx(0.743, abs=0.0005)


def test_alpha_two_coders_binary_hand_computed():
    # 6 units, disagreement on the third: o01 = o10 = 1; values: five 1s, seven 0s, n = 12
    # alpha = 1 - (n - 1) (o01 + o10) / (2 n0 n1) = 1 - 11 * 2 / (2 * 7 * 5)
    data = np.array([[1, 1, 1, 0, 0, 0], [1, 1, 0, 0, 0, 0]], dtype=float)
    assert krippendorff_alpha_nominal(data) == pytest.approx(1 - 11 * 2 / 70)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1)), min_size=2, max_size=40))
def test_kappa_equals_sklearn(pairs):
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    ours = cohen_kappa(a, b)
    if len(set(a) | set(b)) == 1:
        assert np.isnan(ours)  # undefined when both raters give one and the same value
    else:
        assert ours == pytest.approx(cohen_kappa_score(a, b))


def test_bootstrap_interval_contains_estimate_and_is_reproducible():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 2, 80)
    b = np.where(rng.random(80) < 0.8, a, 1 - a)
    lo, hi = bootstrap(cohen_kappa, [a, b], 500)
    assert lo < cohen_kappa(a, b) < hi
    assert (lo, hi) == bootstrap(cohen_kappa, [a, b], 500)
    assert bootstrap(cohen_kappa, [a, b], 0) == (None, None)  # --bootstrap 0: no interval


def _rec(rid, codes, coder=None, status="confirmed"):
    rec = {"id": rid, "year": 2024, "channel": "csg", "turns": [],
           "gold": {"codes": codes, "ontmoeting_platforms": [],
                    "context": {"chatter": "slachtoffer", "vorm": ["seksueel"], "pleger": [],
                                "acuut_onveilig": "ja", "first_disclosure": "nee"}}}
    if coder or status != "confirmed":
        rec["review"] = {"status": status, **({"coder": coder} if coder else {})}
    return rec


def _write(path: Path, recs) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    return path


@pytest.fixture()
def double_coded(tmp_path):
    rng = np.random.default_rng(7)
    a_codes, b_codes = {}, {}
    for i in range(40):
        a = ["sextortion"] if rng.random() < 0.4 else []
        b = list(a) if rng.random() < 0.85 else (["sextortion"] if not a else [])
        a_codes[f"C{i}"], b_codes[f"C{i}"] = a, b
    # coder A named in the records, coder B only by its file name
    fa = _write(tmp_path / "a.jsonl", [_rec(k, v, coder="anna") for k, v in a_codes.items()])
    fb = _write(tmp_path / "bram.jsonl",
                [_rec(k, v) for k, v in b_codes.items()] + [_rec("P1", [], status="pending")])
    return fa, fb, a_codes, b_codes


def test_coder_agreement_on_double_coded(double_coded):
    fa, fb, a_codes, b_codes = double_coded
    cb = load_codebook()
    loaded = load_records([fa, fb], cb)
    res = coder_agreement(loaded.confirmed, cb, n_boot=200)
    assert res["coders"] == ["anna", "bram"]
    assert res["double_coded_conversations"] == 40
    ids = sorted(a_codes)
    a = [int("sextortion" in a_codes[i]) for i in ids]
    b = [int("sextortion" in b_codes[i]) for i in ids]
    pair = res["codes"]["sextortion"]["pairs"][0]
    assert pair["kappa"] == pytest.approx(cohen_kappa_score(a, b), abs=1e-4)
    assert pair["n_units"] == 40
    assert res["codes"]["inwonend"]["pairs"][0]["kappa"] is None  # never used: undefined


def test_machine_precision_recall(tmp_path):
    cb = load_codebook()
    confirmed = {"M1": ["inwonend"], "M2": ["inwonend"], "M3": [], "M4": ["sextortion"]}
    machine = {"M1": ["inwonend"], "M2": [], "M3": ["inwonend"], "M4": ["inwonend"]}
    f = _write(tmp_path / "c.jsonl", [_rec(k, v) for k, v in confirmed.items()])
    loaded = load_records([f], cb)
    res = machine_agreement(loaded.confirmed, machine, cb, n_boot=100)
    e = res["codes"]["inwonend"]
    # TP = M1; machine says inwonend 3 times; confirmed twice
    assert e["precision"] == pytest.approx(1 / 3, abs=1e-4)
    assert e["recall"] == pytest.approx(1 / 2, abs=1e-4)
    assert e["kappa"] == pytest.approx(cohen_kappa_score([1, 1, 0, 0], [1, 0, 1, 1]), abs=1e-4)


def test_agreement_cli_writes_json(double_coded, tmp_path):
    fa, fb, _, _ = double_coded
    sugg = tmp_path / "s.jsonl"
    sugg.write_text(json.dumps({"id": "C1", "codes": ["sextortion"]}) + "\nnot json\n",
                    encoding="utf-8")
    out = tmp_path / "agr.json"
    r = CliRunner().invoke(app, ["agreement", str(fa), str(fb), "--machine", str(sugg),
                                 "--json", str(out), "--bootstrap", "50"])
    assert r.exit_code == 0, r.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["pending_records_ignored"] == 1
    assert data["skipped_lines"] == 1
    assert data["machine"]["n_units"] == 1
    assert set(data["coders"]["codes"]) == set(load_codebook().codes)


def _ctx_rec(rid, coder, chatter, vorm, leeftijd, platforms):
    rec = _rec(rid, [], coder=coder)
    rec["gold"]["context"].update(chatter=chatter, vorm=vorm, leeftijd=leeftijd)
    rec["gold"]["ontmoeting_platforms"] = platforms
    return rec


def test_kappa_for_several_categories_equals_sklearn():
    a = np.array([0, 1, 2, 2, 1, 0, 3, 3, 2, 1])
    b = np.array([0, 1, 2, 1, 1, 0, 3, 2, 2, 0])
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))


def test_context_variables_and_platforms(tmp_path):
    cb = load_codebook()
    anna = [("K1", "slachtoffer", ["seksueel"], 15, ["snapchat"]),
            ("K2", "familielid", ["crimineel"], None, []),
            ("K3", "slachtoffer", ["seksueel", "crimineel"], 16, ["instagram"]),
            ("K4", "onbekend", [], 14, ["tiktok"])]
    bram = [("K1", "slachtoffer", ["seksueel"], 15, ["snapchat"]),
            ("K2", "familielid", ["seksueel"], None, []),
            ("K3", "onbekend", ["seksueel", "crimineel"], 17, ["instagram"]),
            ("K4", "onbekend", [], 14, ["snapchat"])]
    fa = _write(tmp_path / "anna.jsonl", [_ctx_rec(*x[:1], "anna", *x[1:]) for x in anna])
    fb = _write(tmp_path / "bram.jsonl", [_ctx_rec(*x[:1], "bram", *x[1:]) for x in bram])
    res = coder_agreement(load_records([fa, fb], cb).confirmed, cb, n_boot=50)
    chatter = res["context"]["chatter"]["pairs"][0]
    # onbekend is a value: K3 slachtoffer vs onbekend is a disagreement
    assert chatter["kappa"] == pytest.approx(cohen_kappa_score(
        ["s", "f", "s", "o"], ["s", "f", "o", "o"]), abs=1e-4)
    assert res["context"]["vorm=seksueel"]["pairs"][0]["kappa"] == pytest.approx(
        cohen_kappa_score([1, 0, 1, 0], [1, 1, 1, 0]), abs=1e-4)
    assert res["context"]["leeftijd"]["pairs"][0]["kappa"] == pytest.approx(
        cohen_kappa_score(["15", "-", "16", "14"], ["15", "-", "17", "14"]), abs=1e-4)
    assert res["platforms"]["platform_snapchat"]["pairs"][0]["kappa"] == pytest.approx(
        cohen_kappa_score([1, 0, 0, 0], [1, 0, 0, 1]), abs=1e-4)
    assert res["platforms"]["platformtype_social"]["pairs"][0]["kappa"] == 1.0  # both social
    assert res["warnings"] == []


def test_warning_when_two_coders_share_no_conversation(tmp_path):
    fa = _write(tmp_path / "anna.jsonl", [_rec("A1", ["sextortion"], coder="anna")])
    fb = _write(tmp_path / "bram.jsonl", [_rec("B1", ["sextortion"], coder="bram")])
    r = CliRunner().invoke(app, ["agreement", str(fa), str(fb), "--bootstrap", "10"])
    assert r.exit_code == 0, r.output
    text = " ".join(r.output.split())
    assert "anna and bram share no conversation" in text
    res = coder_agreement(load_records([fa, fb], load_codebook()).confirmed, load_codebook(),
                          n_boot=10)
    assert res["double_coded_conversations"] == 0 and len(res["warnings"]) == 1
