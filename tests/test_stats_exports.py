"""What a researcher gets from ``indicators stats``: the report, Dutch Excel files, SPSS files
that reproduce the report's numbers, REFI-QDA valid against the official schema."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pyreadstat
import pytest
from lxml import etree
from typer.testing import CliRunner

from indicators.cli import app
from indicators.codebook import load_codebook

DATA = Path(__file__).parent / "data" / "stats"
SMALL = DATA / "report_small.jsonl"
XSD = Path(__file__).parent / "data" / "schemas" / "Project-mrt2019.xsd"
P = "{urn:QDA-XML:project:1.0}"
REPORT_2022 = """jaar;tabel;rij;groep;n;N;pct;bron
2022;bezoekers;bezoekers;;240;240;;Rapport 2022
2022;vorm;seksueel;;150;220;68,2;Rapport 2022
2022;leeftijd;minderjarig;;;;65,0;Rapport 2022
2022;nietbestaand;rij;;1;2;50;Rapport 2022
"""


def invoke(*args) -> str:
    r = CliRunner().invoke(app, ["stats", *map(str, args)])
    assert r.exit_code == 0, r.output
    return r.output


@pytest.fixture(scope="module")
def raw(tmp_path_factory) -> Path:
    """Not suppressed: the numbers to compare the SPSS file with."""
    out = tmp_path_factory.mktemp("raw")
    report = out / "rapport_2022.csv"
    report.write_text(REPORT_2022, encoding="utf-8")
    invoke(SMALL, "-o", out, "--links", DATA / "links.csv", "--earlier", report,
           "--no-suppress", "--no-pdf")
    return out


@pytest.fixture(scope="module")
def pub(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pub")
    invoke(SMALL, "-o", out, "--links", DATA / "links.csv", "--no-pdf")
    return out


def read_nl_csv(path: Path) -> list[dict]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the accents right
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


def row(rows, **where) -> dict:
    got = [r for r in rows if all(r[k] == v for k, v in where.items())]
    assert len(got) == 1, where
    return got[0]


def test_dutch_excel_csv(raw, pub):
    rows = read_nl_csv(raw / "tabellen" / "vorm.csv")
    r = row(rows, jaar="2024", rij="seksueel", groep="alle")
    assert (r["n"], r["N"], r["pct"]) == ("3", "6", "50,0")  # decimal comma
    assert r["label"] == "Alleen seksuele uitbuiting"
    assert "Seksuele én criminele uitbuiting" in {x["label"] for x in rows}
    hidden = read_nl_csv(pub / "tabellen" / "vorm.csv")
    r = row(hidden, jaar="2024", rij="arbeid", groep="alle")
    assert r["n"] == "x" and r["pct"] == "" and r["onderdrukt"].startswith("n")


def test_xlsx_numbers_are_numbers_and_hidden_cells_marked(pub, raw):
    wb = openpyxl.load_workbook(raw / "tabellen.xlsx")
    ws = wb["vorm"]
    head = [c.value for c in ws[1]]
    first = {h: c for h, c in zip(head, ws[2], strict=True)}
    assert isinstance(first["n"].value, int) and isinstance(first["N"].value, int)
    assert isinstance(first["pct"].value, int | float)
    assert first["pct"].number_format == "0.0"
    wb = openpyxl.load_workbook(pub / "tabellen.xlsx")
    ws = wb["vorm"]
    head = [c.value for c in ws[1]]
    marks = [r for r in ws.iter_rows(min_row=2) if r[head.index("n")].value == "x"]
    assert marks
    for r in marks:
        assert r[head.index("n")].fill.fgColor.rgb.endswith("D9D9D9")
        assert "n" in r[head.index("onderdrukt")].value
    assert "inhoud" in wb.sheetnames and "trend" in wb.sheetnames


def spss_frame(out: Path):
    df, meta = pyreadstat.read_sav(str(out / "bezoekers.sav"))  # 99 -> missing, as in SPSS
    return df, meta


def valid_pct(series, value) -> tuple[int, int, float]:
    """FREQUENCIES: count of a value, valid N, valid percent."""
    valid = series.dropna()
    n = int((valid == value).sum())
    return n, len(valid), round(100 * n / len(valid), 1)


def published(out: Path, tabel: str, rij: str, groep="alle", jaar="2024"):
    r = row(read_nl_csv(out / "tabellen" / f"{tabel}.csv"), jaar=jaar, rij=rij, groep=groep)
    return int(r["n"]), int(r["N"]), float(r["pct"].replace(",", "."))


def test_sav_reproduces_the_report(raw):
    df, meta = spss_frame(raw)
    y = df[df["jaar"] == 2024]
    assert len(y) == 7  # one row per unique visitor
    vl = meta.variable_value_labels
    code = {label: k for k, label in vl["vormklasse"].items()}
    assert valid_pct(y["vormklasse"], code["Alleen seksuele uitbuiting"]) == \
        published(raw, "vorm", "seksueel")
    assert valid_pct(y["minderjarig"], 1) == published(raw, "leeftijd", "minderjarig")
    v = y[y["pop_slachtoffer"] == 1]
    assert valid_pct(v["first_disclosure"], 1) == published(raw, "first_disclosure", "ja")
    m = y[y["dwangmiddel_genoemd"] == 1]
    for c in ("inwonend", "sextortion", "geweld"):
        assert valid_pct(m[c], 1) == published(raw, "dwangmiddelen", c)
    assert int(m["aantal_dwangmiddelen"].sum()) == 9
    k = y[y["pop_klant"] == 1]
    assert valid_pct(k["klant_bewust_combinatie"], 1) == \
        published(raw, "klant", "klant_bewust_combinatie")
    assert valid_pct(y["pleger_ouder"], 1) == published(raw, "pleger", "ouder")
    o = y[y["pop_ontmoeting"] == 1]
    assert valid_pct(o["ontmoeting_wijze"], 1) == published(raw, "ontmoeting", "online")
    assert valid_pct(y["duur_1jaar_plus"], 1) == published(raw, "duur", "een_jaar_of_langer")
    assert y["leeftijd"].mean().round(1) == 16.8 and y["leeftijd"].median() == 14.5
    # registration data is there
    assert set(y["geslacht"].dropna()) <= {1, 2, 3}
    assert {"startdatum", "kanaal", "bezoeker_ids", "leeftijd_bron"} <= set(df.columns)


def test_one_coding_of_yes_and_no(raw):
    _, meta = pyreadstat.read_sav(str(raw / "bezoekers.sav"), user_missing=True)
    yes_no = [v for v in meta.variable_value_labels.values() if "Ja" in v.values()]
    assert len(yes_no) > 40
    for labels in yes_no:
        assert labels[1] == "Ja" and labels[0] == "Nee"
        assert set(labels) <= {0, 1, 99}
    for var, ranges in meta.missing_ranges.items():
        assert ranges == [{"lo": 99.0, "hi": 99.0}], var


def test_sps_defines_mr_sets_and_runs_in_pspp(raw):
    sps = (raw / "bezoekers.sps").read_text(encoding="utf-8")
    _, meta = pyreadstat.read_sav(str(raw / "bezoekers.sav"))
    for name in ("$pleger", "$vorm", "$dwangmiddelen"):
        assert f"NAME={name}" in sps
    for block in re.findall(r"VARIABLES=([^/]+?) VALUE=1", sps):
        assert set(block.split()) <= set(meta.column_names)
    if not shutil.which("pspp"):
        pytest.skip("GNU PSPP not installed (Debian package pspp)")
    r = subprocess.run(["pspp", "bezoekers.sps", "-O", "format=csv", "-o", "uit.csv"],
                       cwd=raw, capture_output=True, text=True, timeout=120)
    errors = [x for x in (r.stdout + r.stderr).splitlines()
              if "error" in x.lower() and "CTABLES" not in x]
    assert not errors, errors
    year, tables = None, {}
    for block in (raw / "uit.csv").read_text(encoding="utf-8").split("\n\n"):
        if m := re.search(r"Jaar \(van de startdatum\),(\d{4})", block):
            year = m.group(1)
        elif block.startswith("Table: "):
            tables.setdefault((year, block.split("\n", 1)[0][7:]), block)
    vorm = tables[("2024", "Vorm van uitbuiting (klasse)")]
    assert "Valid,Alleen seksuele uitbuiting,3,42.9%,50.0%" in vorm  # 3 of 6 known


def test_qdpx_is_valid_against_the_official_schema(raw):
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    with zipfile.ZipFile(raw / "gesprekken.qdpx") as zf:
        doc = etree.fromstring(zf.read("project.qde"))
        texts = {n.removeprefix("sources/"): zf.read(n).decode("utf-8")
                 for n in zf.namelist() if n.startswith("sources/")}
    schema.assertValid(doc)
    cases = doc.findall(f"{P}Cases/{P}Case")
    assert len(cases) == 9  # unique visitors per year
    h = next(c for c in cases if len(c.findall(f"{P}SourceRef")) == 2 and "H1" in c.get("name"))
    assert h is not None
    names = {c.get("guid"): c.get("name") for c in doc.iter(f"{P}Code")}
    src = next(s for s in doc.iter(f"{P}TextSource") if s.get("name") == "R-09")
    text = texts[src.get("plainTextPath").removeprefix("internal://")]
    got = {}
    for sel in src.iter(f"{P}PlainTextSelection"):
        for ref in sel.iter(f"{P}CodeRef"):
            got[names[ref.get("targetGUID")]] = text[int(sel.get("startPosition")):
                                                     int(sel.get("endPosition"))]
    # evidence that starts right after an emoji, and right after a ZWJ emoji sequence
    assert got["klant_uitbuiter_aanwezig"] == "mijn moeder regelt mannen"
    assert got["klant_locatie_signaal"] == "bij ons thuis"


def test_report_in_house_style(raw):
    page = (raw / "rapport.html").read_text(encoding="utf-8")
    visible = re.sub(r"<[^>]+>", " ", re.sub(r'src="data:[^"]+"', "", page))
    titles = re.findall(r"Tabel \d+\. [^<]+", page)
    assert len(titles) >= 20 and all("n = " in t for t in titles)
    figures = re.findall(r'alt="(Figuur \d+\. [^"]+)"', page)
    assert len(figures) >= 8 and all(re.search(r"\(n = \d+", f) for f in figures)
    assert visible.count("Populatie:") == len(titles)
    cb = load_codebook()
    ids = [c for c in cb.codes if "_" in c] + ["seksueel_en_crimineel", "online_onbekende"]
    assert not [i for i in ids if re.search(rf"\b{i}\b", visible)]  # labels, never ids
    assert "2022 (Rapport 2022)" in visible  # the earlier report, marked as such
    assert "68,2%" in visible
    pngs = sorted((raw / "figuren").glob("figuur*.png"))
    assert len(pngs) == len(figures)
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in pngs)


def test_earlier_output_beside_the_next_year(tmp_path):
    lines = SMALL.read_text(encoding="utf-8").splitlines()
    y23 = tmp_path / "2023.jsonl"
    y24 = tmp_path / "2024.jsonl"
    y23.write_text("\n".join(x for x in lines if '"2023-' in x) + "\n", encoding="utf-8")
    y24.write_text("\n".join(x for x in lines if '"2024-' in x) + "\n", encoding="utf-8")
    invoke(y23, "-o", tmp_path / "a", "--no-pdf", "--no-suppress", "--no-qdpx")
    earlier = tmp_path / "a" / "jaarcijfers_2023.json"
    assert json.loads(earlier.read_text(encoding="utf-8"))["jaar"] == 2023
    out = invoke(y24, "-o", tmp_path / "b", "--earlier", earlier, "--no-pdf", "--no-qdpx",
                 "--no-suppress")
    assert "2023 (eerdere uitvoer)" in out
    page = (tmp_path / "b" / "rapport.html").read_text(encoding="utf-8")
    assert "2023 (eerdere uitvoer)" in page
    trend = read_nl_csv(tmp_path / "b" / "tabellen" / "trend.csv")
    v = [r for r in trend if r["rij"] == "bezoekers"]
    assert [(r["jaar"], r["bron"], r["waarde"]) for r in v] == [
        ("2023", "eerdere uitvoer", "2"), ("2024", "deze uitvoer", "8")]  # no --links: H1, H2


def test_unknown_rows_in_a_report_csv_are_reported(raw):
    s = json.loads((raw / "samenvatting.json").read_text(encoding="utf-8"))
    assert any("nietbestaand" in p for p in s["earlier_problems"])
    assert s["earlier_years"] == {"2022": "Rapport 2022"}
    links = read_nl_csv(raw / "koppeltabel.csv")
    h = row(links, jaar="2024", bezoeker="H1")
    assert (h["gesprekken"], h["gekoppeld_via"]) == ("R-09 R-10", "handmatig")


@pytest.mark.skipif(not shutil.which("chromium"), reason="chromium not installed")
def test_pdf_when_chromium_is_there(tmp_path):
    invoke(SMALL, "-o", tmp_path, "--no-qdpx")
    pdf = tmp_path / "rapport.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_missing_input_is_an_error(tmp_path):
    r = CliRunner().invoke(app, ["stats", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path)])
    assert r.exit_code == 2 and "nope.jsonl" in r.output


def test_only_pending_input_writes_empty_files_and_says_so(tmp_path):
    line = next(x for x in (DATA / "annotations.jsonl").read_text(encoding="utf-8").splitlines()
                if '"S-002"' in x)
    src = tmp_path / "pending.jsonl"
    src.write_text(line + "\n", encoding="utf-8")
    out = invoke(src, "-o", tmp_path / "out", "--no-pdf")
    assert "no report written" in " ".join(out.split())
    df, meta = pyreadstat.read_sav(str(tmp_path / "out" / "bezoekers.sav"))
    assert len(df) == 0 and "sextortion" in meta.column_names
    s = json.loads((tmp_path / "out" / "samenvatting.json").read_text(encoding="utf-8"))
    assert (s["confirmed_conversations"], s["pending_conversations_excluded"]) == (0, 1)
