"""The report's denominators on small hand-made data whose right answers are worked out by hand.

``tests/data/stats/report_small.jsonl`` holds 13 conversations. In 2024: R-01 and R-02 are one
visitor (bezoeker_id A), R-09 and R-10 are one visitor by the hand-made link H1 = H2
(``links.csv``), R-04 is not in the study (in_onderzoek = nee), R-13 is pending review, R-05 has
no bezoeker_id and no in_onderzoek field (counted, on its own). So 2024 has 9 conversations
and 7 unique visitors: A, B, D (= R-05), E, F, G, H. 2023 has A (R-11) and I (R-12).

The visitors of 2024 (values combined over their conversations, see the visitors module):

====  ================  =====================  ===  =======  ====================================
who   chatter           vorm                   age  gender   coercion means (count)
====  ================  =====================  ===  =======  ====================================
A     slachtoffer       seksueel + crimineel   15r  vrouw    sextortion, inwonend (2)
B     familielid        seksueel               12t  vrouw    inwonend (1)
D     slachtoffer       arbeid                 30r  man      financieel, geweld_fysiek (2)
E     slachtoffer       seksueel               14r  vrouw    leeftijdsverschil (1)
F     slachtoffer       (unknown)              -    -        none
G     sociale_omgeving  crimineel              17r  neutr.   geweld_psychisch (1)
H     slachtoffer       seksueel               13r  vrouw    inwonend, geweld_seksueel (2)
====  ================  =====================  ===  =======  ====================================

(r = registered age, t = age from the text only.) Every expected number below is counted from
this table by hand; the comments say which visitors are counted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from indicators.codebook import load_codebook
from indicators.stats.pipeline import run_stats

DATA = Path(__file__).parent / "data" / "stats"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("small")
    return run_stats([DATA / "report_small.jsonl"], out, min_cell=None,
                     links=DATA / "links.csv", qdpx=False, pdf=False, cb=load_codebook())


def cell(run, tabel, rij, groep="alle", jaar="2024"):
    df = run.tables[tabel]
    got = df[(df["jaar"] == jaar) & (df["rij"] == rij) & (df["groep"] == groep)]
    assert len(got) == 1, (tabel, rij, groep, jaar)
    return got.iloc[0].to_dict()


def check(run, tabel, rij, n, N, groep="alle", jaar="2024"):
    r = cell(run, tabel, rij, groep, jaar)
    assert (r["n"], r["N"]) == (n, N), (tabel, rij, groep, r["n"], r["N"])
    if N:
        assert r["pct"] == pytest.approx(round(100 * n / N, 1))


def test_population_is_unique_visitors_in_the_study(run):
    check(run, "bezoekers", "bezoekers", 7, 7)  # A B D E F G H; not C (nee), not J (pending)
    talks = cell(run, "bezoekers", "gesprekken")  # R-01 02 03 05 06 07 08 09 10
    assert (talks["n"], talks["N"]) == (9, 7)
    check(run, "bezoekers", "meer_gesprekken", 2, 7)  # A (bezoeker_id), H (hand link)
    check(run, "bezoekers", "bezoekers", 2, 2, jaar="2023")  # A again in 2023, and I
    s = run.summary
    assert s["not_in_study_ids"] == ["R-04"] and s["pending_ids"] == ["R-13"]
    assert any("ONBEKEND-9" in p for p in s["link_problems"])


def test_channel_and_month_of_first_chat(run):
    check(run, "kanaal", "kanaal_csg", 5, 7)  # A (first chat csg), B, E, F, H
    check(run, "kanaal", "kanaal_chatmetfier", 2, 7)  # D, G
    check(run, "maand", "maand_01", 1, 7)  # A: R-01 in January, not R-02 in March
    check(run, "maand", "maand_03", 0, 7)
    check(run, "maand", "maand_05", 2, 7)  # E, F
    check(run, "maand", "maand_08", 0, 7)  # H's second chat is not a first chat


def test_form_of_exploitation_over_known_form(run):
    check(run, "vorm", "seksueel", 3, 6)  # B E H; F unknown is left out
    check(run, "vorm", "crimineel", 1, 6)  # G
    check(run, "vorm", "seksueel_en_crimineel", 1, 6)  # A: R-01 sexual + R-02 criminal
    check(run, "vorm", "arbeid", 1, 6)  # D


def test_gender_and_form_by_gender(run):
    check(run, "geslacht", "vrouw", 4, 6)  # A (registered in R-01) B E H; F unknown
    check(run, "geslacht", "man", 1, 6)
    check(run, "vorm_geslacht", "seksueel", 3, 4, groep="vrouw")  # B E H of A B E H
    check(run, "vorm_geslacht", "arbeid", 1, 1, groep="man")


def test_age_registration_first_then_text(run):
    check(run, "leeftijd", "leeftijd_12_13", 2, 6)  # B (12, text), H (13: R-09 registered)
    check(run, "leeftijd", "leeftijd_14_15", 2, 6)  # A (15 registered, not 16 of R-02), E
    check(run, "leeftijd", "minderjarig", 5, 6)  # all but D (30)
    check(run, "leeftijd", "jonger_16", 4, 6)  # 15 12 14 13
    check(run, "leeftijd", "jonger_25", 5, 6)
    stats = {r: cell(run, "leeftijd", r)["waarde"] for r in
             ("gemiddelde", "mediaan", "jongste", "oudste")}
    assert stats == {"gemiddelde": round((15 + 12 + 30 + 14 + 17 + 13) / 6, 1),
                     "mediaan": (14 + 15) / 2, "jongste": 12, "oudste": 30}


def test_who_chats_and_victims_own_answers(run):
    check(run, "chatter", "slachtoffer", 5, 7)  # A D E F H
    check(run, "chatter", "familielid", 1, 7)  # B
    # over victims who chat themselves and where it is known: A ja, D nee, E ja, H ja
    check(run, "first_disclosure", "ja", 3, 4)
    check(run, "acuut_onveilig", "ja", 3, 4)  # A ja (first chat), D ja, E nee, H ja


def test_duration_cumulative_and_per_form(run):
    check(run, "duur", "langer_dan_5_jaar", 2, 5)  # B, H (longest of)
    check(run, "duur", "2_tot_5_jaar", 1, 5)  # A (longest of)
    check(run, "duur", "een_jaar_of_langer", 3, 5)  # A B H
    check(run, "duur", "vijf_jaar_of_langer", 2, 5)
    check(run, "duur", "langer_dan_5_jaar", 2, 2, groep="seksueel")  # B H (E unknown)


def test_perpetrators(run):
    check(run, "pleger", "ouder", 2, 6)  # B H; F unknown
    check(run, "pleger", "partner", 1, 1, groep="seksueel_en_crimineel")  # A
    check(run, "ouder_rol", "beide", 1, 2)  # H: mother in R-09, father in R-10
    check(run, "ouder_rol", "vader", 1, 2)  # B
    check(run, "aantal_plegers", "meerdere", 2, 5)  # A, G; E and F unknown


def test_coercion_means_over_visitors_with_at_least_one(run):
    check(run, "dwangmiddel", "dwangmiddel_genoemd", 6, 7)  # all but F
    check(run, "dwangmiddelen", "inwonend", 3, 6)  # A B H, over the 6 with a means
    check(run, "dwangmiddelen", "sextortion", 1, 6)
    check(run, "dwangmiddelen", "geweld", 3, 6)  # D G H
    total = cell(run, "dwangmiddelen", "aantal_genoemd")
    assert (total["n"], total["N"]) == (2 + 1 + 2 + 1 + 1 + 2, 6)
    assert cell(run, "dwangmiddelen", "gemiddeld_aantal")["waarde"] == 1.5
    check(run, "aantal_dwangmiddelen", "dwangmiddelen_2", 3, 6)  # A D H
    check(run, "inwonend_ouder", "ouder_bij_inwonend", 2, 3)  # B H of A B H
    check(run, "inwonend_ouder", "inwonend_bij_ouder", 2, 2)


def test_meeting_over_non_family_perpetrators_where_known(run):
    check(run, "ontmoeting", "online", 2, 4)  # A E; D G offline; B H have a parent
    check(run, "ontmoeting", "offline", 2, 4)
    check(run, "platforms", "instagram", 1, 2)  # E; N = A, E (a platform named)
    check(run, "platformtypes", "social", 2, 2)  # snapchat (A), instagram (E)
    check(run, "platformtypes", "messaging", 1, 2)  # whatsapp (E)


def test_client_awareness_over_victims_own_sexual_exploitation(run):
    # A (vorm has seksueel), E, H; not B: a parent chatting, although B has klant codes
    check(run, "klant", "klant_bewust", 3, 3)
    check(run, "klant", "klant_bewust_combinatie", 2, 3)  # A (geweld+aanwezig), H
    check(run, "klant", "klant_zeer_jong", 0, 3)  # only B
    check(run, "klant", "klant_kind_van_uitbuiter", 0, 3)  # only B
    check(run, "klant", "aanwezig_ouder", 1, 2)  # of A and H (trafficker present): H


def test_years_are_separate_and_the_trend_has_both(run):
    check(run, "vorm", "seksueel", 2, 2, jaar="2023")  # A and I
    trend = next(p for p in run.outputs if p.name == "trend.csv")
    lines = trend.read_text(encoding="utf-8-sig").splitlines()
    visitors = [line.split(";") for line in lines if ";bezoekers;bezoekers;" in line]
    assert [(x[0], x[6]) for x in visitors] == [("2023", "2"), ("2024", "7")]
