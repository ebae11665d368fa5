"""Tables from the dev-corpus gold equal counts computed here with plain loops."""

from __future__ import annotations

import json

import pytest

from conftest import DEV_CORPUS  # noqa: E402
from indicators.codebook import load_codebook
from indicators.stats.load import load_records
from indicators.stats.summary import select
from indicators.stats.tables import compute_tables

DEV = DEV_CORPUS
pytestmark = pytest.mark.skipif(not DEV.is_dir(), reason="dev corpus not available")
KLANT = ["klant_zeer_jong", "klant_uitbuiter_aanwezig", "klant_kind_van_uitbuiter",
         "klant_geweld", "klant_filmt_chanteert", "klant_weigering_genegeerd",
         "klant_locatie_signaal"]


def gold_records() -> list[dict]:
    out = []
    for f in sorted(DEV.glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(json.loads(line))
    return out


def codes_of(rec: dict) -> set[str]:
    """Gold codes plus the derived ones, computed independently of the package."""
    codes = set(rec["gold"]["codes"])
    n_klant = 0
    for c in KLANT:
        if c in codes:
            n_klant += 1
    if n_klant >= 1:
        codes.add("klant_bewust")
    if n_klant >= 2:
        codes.add("klant_bewust_combinatie")
    if codes & {"geweld_fysiek", "geweld_seksueel", "geweld_psychisch"}:
        codes.add("geweld")
    if codes & {"sextortion", "inwonend", "geweld_fysiek", "geweld_seksueel", "geweld_psychisch",
                "middelenafhankelijkheid", "lvb", "leeftijdsverschil",
                "financiele_afhankelijkheid"}:
        codes.add("dwangmiddel_genoemd")
    return codes


def in_year(recs: list[dict], jaar: str) -> list[dict]:
    return recs if jaar == "totaal" else [r for r in recs if str(r["year"]) == jaar]


def non_family(rec: dict) -> bool:
    pleger = [p for p in rec["gold"]["context"]["pleger"] if p != "onbekend"]
    if not pleger:
        return True
    for p in pleger:
        if p not in ("ouder", "familie_overig"):
            return True
    return False


def meeting_known(rec: dict) -> bool:
    c = codes_of(rec)
    return "ontmoeting_online" in c or "ontmoeting_offline" in c


@pytest.fixture(scope="module")
def gold() -> list[dict]:
    return gold_records()


@pytest.fixture(scope="module")
def tables() -> dict:
    cb = load_codebook()
    sel = select(load_records([DEV], cb))
    return compute_tables(sel.records, cb)


def rows(df, **where):
    for k, v in where.items():
        df = df[df[k] == v]
    return df


def one(df, **where) -> dict:
    got = rows(df, **where)
    assert len(got) == 1, where
    return got.iloc[0].to_dict()


def check(row: dict, n: int, N: int) -> None:
    assert (row["n"], row["N"]) == (n, N)
    if N:
        assert row["pct"] == pytest.approx(round(100 * n / N, 1))


def jaren(gold: list[dict]) -> list[str]:
    return sorted({str(r["year"]) for r in gold}) + ["totaal"]


def test_codes_over_all_conversations(gold, tables):
    cb = load_codebook()
    for jaar in jaren(gold):
        recs = in_year(gold, jaar)
        for c in cb.codes:
            n = 0
            for r in recs:
                if c in codes_of(r):
                    n += 1
            check(one(tables["codes"], jaar=jaar, indicator=c), n, len(recs))


def test_coercion_means(gold, tables):
    df = tables["dwangmiddelen"]
    for jaar in jaren(gold):
        recs = in_year(gold, jaar)
        coerced = [r for r in recs if {"sextortion", "inwonend"} & codes_of(r)]
        check(one(df, jaar=jaar, indicator="dwangmiddel"), len(coerced), len(recs))
        for c in ("sextortion", "inwonend"):
            n = sum(1 for r in coerced if c in codes_of(r))
            check(one(df, jaar=jaar, indicator=c, groep="dwangmiddel"), n, len(coerced))
            for vorm in ("seksueel", "crimineel"):
                pop = [r for r in recs if vorm in r["gold"]["context"]["vorm"]]
                n = sum(1 for r in pop if c in codes_of(r))
                check(one(df, jaar=jaar, indicator=c, groep=f"vorm={vorm}"), n, len(pop))


def test_living_with_parent(gold, tables):
    df = tables["inwonend_ouder"]
    for jaar in jaren(gold):
        recs = in_year(gold, jaar)
        inw = [r for r in recs if "inwonend" in codes_of(r)]
        ouder = [r for r in recs if "ouder" in r["gold"]["context"]["pleger"]]
        both = [r for r in inw if r in ouder]
        check(one(df, jaar=jaar, groep="code=inwonend"), len(both), len(inw))
        check(one(df, jaar=jaar, groep="pleger=ouder"), len(both), len(ouder))


def test_meeting_online_offline(gold, tables):
    df = tables["ontmoeting"]
    for jaar in jaren(gold):
        pop = [r for r in in_year(gold, jaar) if non_family(r) and meeting_known(r)]
        on = sum(1 for r in pop if "ontmoeting_online" in codes_of(r))
        off = sum(1 for r in pop if "ontmoeting_offline" in codes_of(r))
        check(one(df, jaar=jaar, indicator="ontmoeting_online"), on, len(pop))
        check(one(df, jaar=jaar, indicator="ontmoeting_offline"), off, len(pop))


def test_platforms_per_id_and_type(gold, tables):
    cb = load_codebook()
    for jaar in jaren(gold):
        pop = [r for r in in_year(gold, jaar) if non_family(r) and meeting_known(r)]
        named = [r for r in pop if r["gold"]["ontmoeting_platforms"]]
        online = [r for r in pop if "ontmoeting_online" in codes_of(r)]
        for pid in cb.platforms:
            for groep, base in (("platform_genoemd", named), ("online", online)):
                n = sum(1 for r in base if pid in r["gold"]["ontmoeting_platforms"])
                row = one(tables["platforms"], jaar=jaar, indicator=f"platform_{pid}",
                          groep=groep)
                check(row, n, len(base))
        for typ in cb.platform_types:
            n = 0
            for r in named:
                if any(cb.platforms[p].type == typ for p in r["gold"]["ontmoeting_platforms"]):
                    n += 1
            row = one(tables["platformtypes"], jaar=jaar, indicator=f"platformtype_{typ}",
                      groep="platform_genoemd")
            check(row, n, len(named))


def test_client_awareness_over_sexual_exploitation(gold, tables):
    df = tables["klantbewustzijn"]
    for jaar in jaren(gold):
        seks = [r for r in in_year(gold, jaar) if "seksueel" in r["gold"]["context"]["vorm"]]
        for c in ["klant_bewust", "klant_bewust_combinatie", *KLANT]:
            n = sum(1 for r in seks if c in codes_of(r))
            check(one(df, jaar=jaar, indicator=c), n, len(seks))
    # The derived codes really are derived: at least one / two klant codes.
    tot = in_year(gold, "totaal")
    seks = [r for r in tot if "seksueel" in r["gold"]["context"]["vorm"]]
    two = sum(1 for r in seks if len(set(KLANT) & set(r["gold"]["codes"])) >= 2)
    assert one(df, jaar="totaal", indicator="klant_bewust_combinatie")["n"] == two


def test_breakdowns_by_chatter_and_vorm(gold, tables):
    for jaar in jaren(gold):
        recs = in_year(gold, jaar)
        for value in ("slachtoffer", "familielid", "klant", "onbekend"):
            pop = [r for r in recs if r["gold"]["context"]["chatter"] == value]
            n = sum(1 for r in pop if "sextortion" in codes_of(r))
            row = one(tables["codes_naar_chatter"], jaar=jaar, indicator="sextortion",
                      groep=f"chatter={value}")
            check(row, n, len(pop))
        unknown = [r for r in recs if not r["gold"]["context"]["vorm"]]
        n = sum(1 for r in unknown if "inwonend" in codes_of(r))
        row = one(tables["codes_naar_vorm"], jaar=jaar, indicator="inwonend",
                  groep="vorm=onbekend")
        check(row, n, len(unknown))


def test_year_comparison_present_with_several_years(gold, tables):
    df = tables["jaarvergelijking"]
    row = one(df, tabel="dwangmiddelen", indicator="sextortion", groep="dwangmiddel")
    ys = sorted({str(r["year"]) for r in gold})
    last, prev = ys[-1], ys[-2]
    pct = {}
    for y in (last, prev):
        recs = [r for r in gold if str(r["year"]) == y]
        coerced = [r for r in recs if {"sextortion", "inwonend"} & codes_of(r)]
        n = sum(1 for r in coerced if "sextortion" in codes_of(r))
        pct[y] = round(100 * n / len(coerced), 1)
        assert row[f"{y}_n"] == n and row[f"{y}_N"] == len(coerced)
    diff = row[f"verschil_{last}_{prev}_procentpunt"]
    assert diff == pytest.approx(pct[last] - pct[prev], abs=0.051)


def test_every_table_states_its_denominator(tables):
    for name, df in tables.items():
        if name == "jaarvergelijking":
            continue
        assert {"denominator", "N", "n", "pct"} <= set(df.columns), name
        assert df["denominator"].str.len().min() > 10, name
