"""Exports of ``indicators stats``: SPSS, REFI-QDA, CSV/XLSX, figures, report, CLI."""

from __future__ import annotations

import json
import uuid
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pandas as pd
import pyreadstat
import pytest
from typer.testing import CliRunner

from conftest import DEV_CORPUS  # noqa: E402
from indicators.cli import app
from indicators.codebook import load_codebook
from indicators.stats.load import load_records
from indicators.stats.qdpx import project_xml
from indicators.stats.summary import select

DEV = DEV_CORPUS
FIXTURE = Path(__file__).parent / "data" / "stats" / "annotations.jsonl"
P = "{urn:QDA-XML:project:1.0}"
C = "{urn:QDA-XML:codebook:1.0}"


def gold_records() -> list[dict]:
    return [json.loads(line) for f in sorted(DEV.glob("*.jsonl"))
            for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    if not DEV.is_dir():
        pytest.skip("dev corpus not available")
    d = tmp_path_factory.mktemp("stats")
    r = CliRunner().invoke(app, ["stats", str(DEV), "-o", str(d)])
    assert r.exit_code == 0, r.output
    return d


def test_sav_reads_back_with_labels_and_gold_values(out):
    cb = load_codebook()
    df, meta = pyreadstat.read_sav(str(out / "gesprekken.sav"), user_missing=True)
    gold = {r["id"]: r for r in gold_records()}
    assert sorted(df["id"]) == sorted(gold)
    labels = meta.column_names_to_labels
    assert labels["sextortion"] == cb.codes["sextortion"].label
    assert labels["klant_bewust_combinatie"] == cb.codes["klant_bewust_combinatie"].label
    assert labels["vorm_seksueel"] == "Vorm van uitbuiting: Seksueel"
    assert labels["platform_snapchat"].endswith("Snapchat")
    chatter_ids = [v.id for v in cb.context["chatter"].values if not v.missing]
    vl = meta.variable_value_labels
    assert vl["chatter"][99] == "Onbekend"
    assert vl["chatter"][1 + chatter_ids.index("familielid")] == "Familielid"
    assert vl["vorm_seksueel"] == {0: "Nee", 1: "Ja", 99: "Onbekend"}
    for var in ("chatter", "acuut_onveilig", "first_disclosure", "vorm_seksueel",
                "pleger_ouder"):
        assert meta.missing_ranges[var] == [{"lo": 99.0, "hi": 99.0}]
    klant = [c for c in cb.codes if c.startswith("klant_") and not cb.codes[c].derived]
    for row in df.to_dict("records"):
        g = gold[row["id"]]["gold"]
        assert row["year"] == gold[row["id"]]["year"]
        for c in cb.codes:
            if c == "klant_bewust":
                want = int(any(k in g["codes"] for k in klant))
            elif c == "klant_bewust_combinatie":
                want = int(sum(k in g["codes"] for k in klant) >= 2)
            elif c == "geweld":
                want = int(any(k.startswith("geweld_") for k in g["codes"]))
            elif c == "dwangmiddel_genoemd":  # every coercion means of the codebook
                want = int(bool(set(g["codes"]) & {
                    "sextortion", "inwonend", "geweld_fysiek", "geweld_seksueel",
                    "geweld_psychisch", "middelenafhankelijkheid", "lvb", "leeftijdsverschil",
                    "financiele_afhankelijkheid"}))
            else:
                want = int(c in g["codes"])
            assert row[c] == want, (row["id"], c)
        for p in cb.platforms:
            assert row[f"platform_{p}"] == int(p in g["ontmoeting_platforms"])
        ch = g["context"]["chatter"]
        assert row["chatter"] == (99 if ch == "onbekend" else chatter_ids.index(ch) + 1)
        for v in ("seksueel", "crimineel"):
            want = 99 if not g["context"]["vorm"] else int(v in g["context"]["vorm"])
            assert row[f"vorm_{v}"] == want
    # without user_missing, 99 becomes system-missing: SPSS counts only known values
    df2, _ = pyreadstat.read_sav(str(out / "gesprekken.sav"))
    n_unknown = sum(1 for r in gold.values() if not r["gold"]["context"]["vorm"])
    assert df2["vorm_seksueel"].isna().sum() == n_unknown


def _check_project(data: bytes, texts: dict[str, str]) -> ET.Element:
    root = ET.fromstring(data)  # well-formed
    assert root.tag == f"{P}Project" and root.get("name")
    order = [c.tag.replace(P, "") for c in root]
    allowed = ["Users", "CodeBook", "Variables", "Cases", "Sources", "Notes", "Links", "Sets",
               "Graphs", "Description"]
    assert order == sorted(order, key=allowed.index)
    for el in root.iter():
        for attr in ("guid", "targetGUID", "creatingUser", "creatingUserGUID"):
            if el.get(attr) is not None:
                uuid.UUID(el.get(attr))  # valid UUID
    guids = [el.get("guid") for el in root.iter() if el.get("guid")]
    assert len(guids) == len(set(guids))
    codes = {el.get("guid") for el in root.iter(f"{P}Code")}
    for el in root.iter(f"{P}Code"):
        assert el.get("name") and el.get("isCodable") in ("true", "false")
    users = {el.get("guid") for el in root.iter(f"{P}User")}
    for ref in root.iter(f"{P}CodeRef"):
        assert ref.get("targetGUID") in codes
    variables = {el.get("guid") for el in root.iter(f"{P}Variable")}
    for ref in root.iter(f"{P}VariableRef"):
        assert ref.get("targetGUID") in variables
    for src in root.iter(f"{P}TextSource"):
        assert src.get("creatingUser") in users
        path = src.get("plainTextPath")
        assert path.startswith("internal://")
        text = texts[path.removeprefix("internal://")]
        sels = list(src.iter(f"{P}PlainTextSelection"))
        for sel in sels:
            s, e = int(sel.get("startPosition")), int(sel.get("endPosition"))
            assert 0 <= s < e <= len(text)
            assert list(sel.iter(f"{P}Coding"))
            for coding in sel.iter(f"{P}Coding"):
                assert len(list(coding.iter(f"{P}CodeRef"))) == 1
    return root


def test_qdpx_is_a_valid_project(out):
    cb = load_codebook()
    with zipfile.ZipFile(out / "gesprekken.qdpx") as zf:
        assert zf.testzip() is None
        names = zf.namelist()
        assert "project.qde" in names
        texts = {n.removeprefix("sources/"): zf.read(n).decode("utf-8")
                 for n in names if n.startswith("sources/")}
        root = _check_project(zf.read("project.qde"), texts)
    sources = list(root.iter(f"{P}TextSource"))
    gold = {r["id"]: r for r in gold_records()}
    assert sorted(s.get("name") for s in sources) == sorted(gold)
    code_names = {el.get("guid"): el.get("name") for el in root.iter(f"{P}Code")}
    for src in sources:
        g = gold[src.get("name")]
        text = texts[src.get("plainTextPath").removeprefix("internal://")]
        lines = text.split("\n")
        assert len(lines) == len(g["turns"])
        assert all(line.startswith(("bezoeker: ", "hulpverlener: ")) for line in lines)
        coded = {code_names[ref.get("targetGUID")] for ref in src.iter(f"{P}CodeRef")}
        want = set(g["gold"]["codes"]) | {f"platform_{p}" for p in g["gold"]["ontmoeting_platforms"]}
        assert want <= coded
        assert all(c in cb.codes or c.startswith("platform_") for c in coded)
    qdc = ET.parse(out / "codeboek.qdc").getroot()
    assert qdc.tag == f"{C}CodeBook"
    qdc_codes = {el.get("guid"): el.get("name") for el in qdc.iter(f"{C}Code")}
    assert qdc_codes == code_names
    assert set(cb.codes) <= set(qdc_codes.values())


def test_qdpx_codes_evidence_spans_at_character_offsets():
    cb = load_codebook()
    sel = select(load_records([FIXTURE], cb))
    data, files = project_xml(sel.records, cb)
    root = _check_project(data, files)
    names = {el.get("guid"): el.get("name") for el in root.iter(f"{P}Code")}
    raw = {}
    for line in FIXTURE.read_text(encoding="utf-8").splitlines():
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            continue
        raw.setdefault(obj["id"], obj)
    src = next(s for s in root.iter(f"{P}TextSource") if s.get("name") == "S-001")
    text = files[src.get("plainTextPath").removeprefix("internal://")]
    by_code = {}
    for s in src.iter(f"{P}PlainTextSelection"):
        for ref in s.iter(f"{P}CodeRef"):
            by_code[names[ref.get("targetGUID")]] = (int(s.get("startPosition")),
                                                     int(s.get("endPosition")))
    ev = raw["S-001"]["review"]["machine"]["evidence"][0]
    turn_text = raw["S-001"]["turns"][ev["turn"]]["text"]
    s, e = by_code["sextortion"]
    assert text[s:e] == turn_text[ev["start"]:ev["end"]]  # emoji earlier in the text
    assert by_code["ontmoeting_online"] == (0, len(text))  # no evidence: whole document
    assert "inwonend" not in by_code  # evidence for an unconfirmed code is ignored
    # a CRLF inside a message does not break the one-line-per-message layout
    src6 = next(s for s in root.iter(f"{P}TextSource") if s.get("name") == "S-006")
    text6 = files[src6.get("plainTextPath").removeprefix("internal://")]
    assert len(text6.split("\n")) == 2 and "\r" not in text6


def test_tables_written_as_csv_and_xlsx(out):
    wb = openpyxl.load_workbook(out / "tabellen.xlsx", read_only=True)
    csvs = sorted(p.stem.removeprefix("tabel_") for p in out.glob("tabel_*.csv"))
    assert sorted(wb.sheetnames) == csvs
    assert {"samenvatting", "dwangmiddelen", "ontmoeting", "klantbewustzijn",
            "jaarvergelijking", "codes_naar_vorm", "codes_naar_chatter"} <= set(csvs)
    df = pd.read_csv(out / "tabel_klantbewustzijn.csv", dtype=str, keep_default_na=False)
    gold = gold_records()
    seks = [r for r in gold if "seksueel" in r["gold"]["context"]["vorm"]]
    row = df[(df["jaar"] == "totaal") & (df["indicator"] == "klant_geweld")].iloc[0]
    assert row["N"] == str(len(seks))
    assert row["n"] == str(sum("klant_geweld" in r["gold"]["codes"] for r in seks))
    assert "seksueel" in row["denominator"]
    summary = json.loads((out / "samenvatting.json").read_text(encoding="utf-8"))
    assert summary["confirmed_conversations"] == len(gold)
    assert summary["pending_conversations_excluded"] == 0


def test_figures_are_png_and_non_trivial(out):
    figs = sorted(out.glob("figuur*.png"))
    assert len(figs) >= 4
    for f in figs:
        data = f.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert len(data) > 10_000


def test_report_embeds_figures_and_counts(out):
    md = (out / "report.md").read_text(encoding="utf-8")
    html = (out / "report.html").read_text(encoding="utf-8")
    for f in out.glob("figuur*.png"):
        assert f"]({f.name})" in md
    assert html.count("data:image/png;base64,") == len(list(out.glob("figuur*.png")))
    n_coerced = sum(1 for r in gold_records()
                    if {"sextortion", "inwonend"} & set(r["gold"]["codes"]))
    assert "niet onderdrukt" in md and "<5" in md
    assert f"/{n_coerced} (" in md


def test_cli_on_fixture_reports_pending_and_skipped(tmp_path):
    r = CliRunner().invoke(app, ["stats", str(FIXTURE), "-o", str(tmp_path), "--no-suppress",
                                 "--no-qdpx"])
    assert r.exit_code == 0, r.output
    assert "GEHEIM" not in r.output
    s = json.loads((tmp_path / "samenvatting.json").read_text(encoding="utf-8"))
    assert (s["pending_conversations_excluded"], s["skipped_lines"]) == (2, 3)
    assert "2 pending excluded" in " ".join(r.output.split())
    assert not (tmp_path / "gesprekken.qdpx").exists()
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "niet beschermd" in md


def test_only_pending_input_still_writes_empty_outputs(tmp_path):
    line = next(x for x in FIXTURE.read_text(encoding="utf-8").splitlines() if '"S-002"' in x)
    src = tmp_path / "pending.jsonl"
    src.write_text(line + "\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["stats", str(src), "-o", str(tmp_path / "out")])
    assert r.exit_code == 0, r.output
    df, meta = pyreadstat.read_sav(str(tmp_path / "out" / "gesprekken.sav"))
    assert len(df) == 0 and "sextortion" in meta.column_names
    s = json.loads((tmp_path / "out" / "samenvatting.json").read_text(encoding="utf-8"))
    assert (s["confirmed_conversations"], s["pending_conversations_excluded"]) == (0, 1)
