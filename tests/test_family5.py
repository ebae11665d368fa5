"""Family 5 (other coercion means): each code on short conversations of our own.

Positive and negative cases per code, written in many voices (teenagers, boys, Flemish,
adults, parents, care workers), with the minimal pairs the codebook names: negated,
hypothetical or feared; a client as the actor; a threat with images only (sextortion) or to
put the victim out of the home (inwonend); no exploitation at all (a violent partner); a parent
as perpetrator; 17 and 19. The hand-written set tests/data/f5_pairs.jsonl is scored as a whole.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indicators.conversation import Conversation, Turn

F5 = ("geweld_fysiek", "geweld_seksueel", "geweld_psychisch", "middelenafhankelijkheid", "lvb",
      "leeftijdsverschil", "financiele_afhankelijkheid")
PAIRS = Path(__file__).parent / "data" / "f5_pairs.jsonl"

CASES = [
    # (id, turns, must have, must not have)
    # --- geweld_fysiek
    ("fys-hits-when-too-little",
     ["b: ik moet voor hem met mannen mee, die betalen hem",
      "b: als ik te weinig meebreng krijg ik klappen"],
     {"geweld_fysiek"}, set()),
    ("fys-boy-beaten-up",
     ["b: ik loop voor een paar gasten met pakketjes",
      "b: vorige maand hebben ze me in elkaar getrapt omdat er geld kwijt was"],
     {"geweld_fysiek"}, set()),
    ("fys-locked-in-flemish",
     ["b: mijne vent laat mij werken in een salon zonder loon",
      "b: s avonds sluit hij mij op in de kelder"],
     {"geweld_fysiek"}, set()),
    ("fys-confirmed",
     ["b: hij regelt afspraken met mannen voor mij",
      "h: Doet hij je zelf ook pijn?",
      "b: ja soms"],
     {"geweld_fysiek"}, set()),
    ("fys-negated",
     ["b: ik moet met zijn vrienden mee, zij betalen hem",
      "b: slaan doet hij nooit, dat hoeft ook niet"],
     set(), {"geweld_fysiek"}),
    ("fys-denied-question",
     ["b: ik moet elke avond naar klanten",
      "h: Slaat hij je weleens?",
      "b: nee"],
     set(), {"geweld_fysiek"}),
    ("fys-client-actor",
     ["b: hij brengt me naar klanten in een hotel",
      "b: een klant heeft me daar geslagen"],
     set(), {"geweld_fysiek"}),
    ("fys-threat-only",
     ["b: ik moet dealen voor hem",
      "b: hij dreigt me in elkaar te slaan als ik stop"],
     {"geweld_psychisch"}, {"geweld_fysiek"}),
    ("fys-no-exploitation",
     ["b: mijn vriend slaat me als hij gedronken heeft",
      "b: ik weet niet of ik bij hem weg moet"],
     set(), {"geweld_fysiek"}),
    ("fys-fear",
     ["b: ik moet met mannen afspreken voor hem",
      "b: ik ben bang dat hij me gaat slaan als ik nee zeg"],
     set(), {"geweld_fysiek"}),
    ("fys-other-victim",
     ["b: ik moet pakketjes wegbrengen voor hem",
      "b: mijn vader slaat mijn moeder, daarom ben ik weg van huis"],
     set(), {"geweld_fysiek"}),
    ("fys-relative-exploits",
     ["b: Mijn kleinzoon moet van zijn vader drugs wegbrengen naar klanten.",
      "b: Als hij weigert slaat zijn vader hem."],
     {"geweld_fysiek"}, set()),
    ("fys-client-in-hotel",
     ["b: ik moet met mannen afspreken voor geld",
      "b: een man in het hotel heeft me vastgebonden"],
     set(), {"geweld_fysiek"}),
    ("fys-phone-locked-shop-clients",
     ["b: mijn telefoon zit op slot en mijn vriend slaat me soms",
      "b: ik werk bij de supermarkt, ik help klanten aan de kassa"],
     set(), {"geweld_fysiek"}),
    # --- geweld_seksueel
    ("sex-perp-rapes",
     ["b: hij zet me op een escortsite en regelt de klanten",
      "b: als ik niet wil verkracht hij me zelf"],
     {"geweld_seksueel"}, set()),
    ("sex-parent-tells",
     ["b: Mijn dochter moet van haar vriend met mannen naar bed voor geld.",
      "b: Ze vertelde dat hij haar ook zelf heeft verkracht."],
     {"geweld_seksueel"}, set()),
    ("sex-client-actor",
     ["b: hij neemt me mee naar mannen die hem betalen",
      "b: een van die mannen heeft me verkracht"],
     set(), {"geweld_seksueel"}),
    ("sex-no-exploitation",
     ["b: ik ben op een feest aangerand door een jongen",
      "b: moet ik aangifte doen?"],
     set(), {"geweld_seksueel"}),
    ("sex-threat-is-psychisch",
     ["b: ik moet voor hem met klanten",
      "b: hij dreigt me te verkrachten als ik weiger"],
     {"geweld_psychisch"}, {"geweld_seksueel"}),
    # --- geweld_psychisch
    ("psy-family-threat",
     ["b: ik moet tassen wegbrengen voor die jongens",
      "b: ze zeggen dat ze mijn moeder iets aandoen als ik stop"],
     {"geweld_psychisch"}, set()),
    ("psy-scolding",
     ["b: ik moet voor hem met mannen afspreken",
      "b: hij scheldt me elke dag uit en zegt dat ik niks waard ben"],
     {"geweld_psychisch"}, set()),
    ("psy-police-threat",
     ["b: ik werk in zijn kas zonder loon",
      "b: hij zegt dat hij me aangeeft bij de politie als ik wegga"],
     {"geweld_psychisch"}, set()),
    ("psy-images-only",
     ["b: hij laat me met mannen meegaan voor geld",
      "b: als ik stop stuurt hij mijn naaktfotos naar mijn ouders"],
     {"sextortion"}, {"geweld_psychisch"}),
    ("psy-housing-only",
     ["b: ik woon bij hem en er komen mannen die hem betalen",
      "b: als ik niet meewerk zet hij me op straat"],
     set(), {"geweld_psychisch"}),
    ("psy-own-fear",
     ["b: ik doe afspraken met mannen voor hem",
      "b: ik ben bang dat hij boos wordt als ik stop"],
     set(), {"geweld_psychisch"}),
    ("psy-no-exploitation",
     ["b: mijn vriend scheldt me de hele tijd uit",
      "b: en hij dreigt me te slaan"],
     set(), {"geweld_psychisch"}),
    ("psy-victim-considers-telling",
     ["b: ik moet voor hem met mannen mee",
      "b: als ik het aan mijn ouders ga vertellen, wat gebeurt er dan"],
     set(), {"geweld_psychisch"}),
    ("psy-done-after-clients",
     ["b: ik moet voor hem met mannen mee",
      "b: als ik vijf klanten heb gehad ben ik klaar"],
     set(), {"geweld_psychisch"}),
    # --- middelenafhankelijkheid
    ("drug-gives-before",
     ["b: hij regelt de afspraken",
      "b: hij geeft me coke voor elke klant zodat ik het volhoud"],
     {"middelenafhankelijkheid"}, set()),
    ("drug-debt",
     ["b: ze gaven me eerst gratis wiet",
      "b: nu zeggen ze dat ik 400 euro schuldig ben en dat ik het moet terugverdienen door te dealen"],
     {"middelenafhankelijkheid", "financiele_afhankelijkheid"}, set()),
    ("drug-use-alone",
     ["b: ik blow elke dag, dat koop ik zelf",
      "b: en ik moet voor hem met mannen mee"],
     set(), {"middelenafhankelijkheid"}),
    ("drug-carried-not-used",
     ["b: ik moet drugs rondbrengen voor een gast",
      "b: hij geeft me de pakketjes op het station"],
     set(), {"middelenafhankelijkheid"}),
    # --- lvb
    ("lvb-care-worker",
     ["b: Ik ben begeleider. Mijn client heeft een lvb.",
      "b: Hij moet voor een groep jongens stelen in winkels."],
     {"lvb"}, set()),
    ("lvb-self",
     ["b: ik ben licht verstandelijk beperkt",
      "b: mijn vriend laat mannen bij mij komen die hem betalen"],
     {"lvb"}, set()),
    ("lvb-zwakbegaafd",
     ["b: mijn broer is zwakbegaafd",
      "b: hij moet voor die gasten dealen"],
     set(), {"lvb"}),
    ("lvb-guess",
     ["b: ik denk dat ze misschien een lvb heeft",
      "b: ze moet van haar vriend met mannen mee"],
     set(), {"lvb"}),
    # --- leeftijdsverschil
    ("age-minor-adult",
     ["b: ik ben 14 en hij is 26",
      "b: hij laat me met zijn vrienden meegaan, zij betalen hem"],
     {"leeftijdsverschil"}, set()),
    ("age-answers",
     ["b: ik moet voor hem pakketjes wegbrengen",
      "h: Hoe oud ben je?",
      "b: 15",
      "h: En hoe oud is hij ongeveer?",
      "b: 30 ofzo"],
     {"leeftijdsverschil"}, set()),
    ("age-gap-words",
     ["b: mijn vriend is veel ouder dan ik",
      "b: hij laat mannen bij mij komen voor geld"],
     {"leeftijdsverschil"}, set()),
    ("age-17-19",
     ["b: ik ben 17 en mijn vriend is 19",
      "b: hij laat me met mannen afspreken voor geld"],
     set(), {"leeftijdsverschil"}),
    ("age-two-minors",
     ["b: ik ben 13 en hij is 16",
      "b: hij laat me voor geld met jongens afspreken"],
     set(), {"leeftijdsverschil"}),
    ("age-parent",
     ["b: mijn vader laat mannen bij mij komen en pakt het geld",
      "b: ik ben 14 en hij is 45"],
     set(), {"leeftijdsverschil"}),
    ("age-no-exploitation",
     ["b: ik ben 15 en mijn vriend is 24",
      "b: mijn ouders vinden het niks maar we zijn verliefd"],
     set(), {"leeftijdsverschil"}),
    ("age-clients-ages",
     ["b: ik moet met mannen afspreken voor geld",
      "b: ik ben 15",
      "b: de klanten zijn allemaal 40 of ouder"],
     set(), {"leeftijdsverschil"}),
    # --- financiele_afhankelijkheid
    ("fin-he-pays-all",
     ["b: ik heb geen eigen geld, hij betaalt alles",
      "b: en ik moet met zijn vrienden mee, die betalen hem"],
     {"financiele_afhankelijkheid"}, set()),
    ("fin-debt-worked-off",
     ["b: hij zegt dat ik hem nog 2000 euro schuldig ben voor de telefoon",
      "b: dat moet ik afbetalen met klanten"],
     {"financiele_afhankelijkheid"}, set()),
    ("fin-labour-travel-debt",
     ["b: de baas heeft de reis betaald en nu moet ik alles terugbetalen",
      "b: ik werk 14 uur per dag in zijn restaurant"],
     {"financiele_afhankelijkheid"}, set()),
    # --- wording from other writers (tune_v2_d): age bands, sexual violence paraphrases
    ("lv-flemish-lief",
     ["b: ik ben 15 en mijn lief is 26", "b: hij doet mij met andere venten meegaan voor geld"],
     {"leeftijdsverschil"}, set()),
    ("lv-year-or-so",
     ["b: ik ben 19", "b: er is een man, een jaar of 47, die mij naar mannen brengt die hem betalen"],
     {"leeftijdsverschil"}, set()),
    ("lv-decade-words",
     ["b: ik ben 14", "b: ik moet drugs rondbrengen voor een paar mannen, eind twintig"],
     {"leeftijdsverschil"}, set()),
    ("lv-subordinate-age",
     ["b: Een meisje zei dat ze 15 was.", "b: Haar pooier, zeker 32, nam het geld aan."],
     {"leeftijdsverschil"}, set()),
    ("lv-his-cousin-is-no-family-perpetrator",
     ["b: ik ben 14. hij is 31", "b: hij en zijn neef laten mij met mannen meegaan voor geld"],
     {"leeftijdsverschil"}, set()),
    ("lv-start-age-is-no-gap",
     ["b: mijn vriendin is 18 en ik ben 19",
      "b: haar ex laat haar met mannen meegaan voor geld, al sinds ze 16 was. hij is 20"],
     set(), {"leeftijdsverschil"}),
    ("sex-takes-me-when-i-say-no",
     ["b: mijne vent laat mij met mannen meegaan voor geld",
      "b: en hij pakt mij zelf ook als ik nee zeg"],
     {"geweld_seksueel"}, set()),
    ("sex-they-do-it-themselves",
     ["b: ze brengen me naar mannen die betalen",
      "b: ze doen het zelf ook met me, ook als ik huil"],
     {"geweld_seksueel"}, set()),
    ("sex-forces-himself",
     ["b: ik werk zonder loon in zijn restaurant, 14 uur per dag",
      "b: s nachts komt hij naar mijn kamer en dringt zich aan mij op"],
     {"geweld_seksueel"}, set()),
    ("sex-client-not-perpetrator",
     ["b: mijn vriend laat me met mannen mee gaan voor geld",
      "b: een klant heeft me verkracht"],
     set(), {"geweld_seksueel"}),
    ("fin-bank-debt",
     ["b: ik heb schulden bij de bank",
      "b: en ik moet voor hem met mannen mee"],
     set(), {"financiele_afhankelijkheid"}),
    ("fin-guilt",
     ["b: ik moet pakketjes brengen voor hem",
      "b: ik voel me zo schuldig naar mijn ouders"],
     set(), {"financiele_afhankelijkheid"}),
    ("fin-fault-not-debt",
     ["b: ik moet voor hem met mannen mee",
      "b: ik voel me zo schuldig, het is mijn schuld"],
     set(), {"financiele_afhankelijkheid"}),
    ("fin-no-exploitation",
     ["b: mijn vriend betaalt alles, ik heb geen eigen geld",
      "b: is dat normaal?"],
     set(), {"financiele_afhankelijkheid"}),
    # --- labour exploitation told across turns: the workplace in one message, the
    # conditions in a later answer, the threat in a third
    ("psych-labour-threat-police",
     ["b: ik werk in een bakkerij van een landgenoot",
      "h: Hoe zijn de uren?",
      "b: elke dag 13 uur, ik krijg bijna niks",
      "b: hij zegt als ik stop belt hij de politie en moet ik terug"],
     {"geweld_psychisch"}, set()),
    ("psych-labour-normal-job",
     ["b: ik werk in een bakkerij",
      "b: mijn baas zegt dat ik de politie moet bellen als er ingebroken wordt"],
     set(), {"geweld_psychisch"}),
]


def _conv(turns: list[str], cid: str, make_conv) -> Conversation:
    return make_conv(*turns, cid=cid)


@pytest.mark.parametrize("cid,turns,must,must_not", CASES, ids=[c[0] for c in CASES])
def test_family5_case(engine, make_conv, cid, turns, must, must_not):
    got = set(engine.suggest(_conv(turns, cid, make_conv)).codes)
    assert must <= got, f"{cid}: missing {sorted(must - got)}, got {sorted(got)}"
    assert not (must_not & got), f"{cid}: unexpected {sorted(must_not & got)}"


def test_family5_derived(engine, make_conv):
    s = engine.suggest(make_conv("b: ik moet voor hem met mannen mee, die betalen hem",
                                 "b: als ik te weinig meebreng slaat hij me"))
    assert {"geweld_fysiek", "geweld", "dwangmiddel_genoemd"} <= set(s.codes)
    ev = [e for e in s.evidence if e.code == "geweld_fysiek"]
    assert ev and all(e.source.startswith("pattern:geweld_fysiek.") for e in ev)


def test_family5_pairs_file(engine):
    """The hand-written set as a whole: family-5 micro F1 and no false positive on its
    negative conversations beyond a few."""
    recs = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    assert len(recs) >= 60
    tp = fp = fn = 0
    for r in recs:
        conv = Conversation(id=r["id"], turns=[Turn(t["speaker"], t["text"]) for t in r["turns"]])
        got = set(engine.suggest(conv).codes) & set(F5)
        gold = set(r["gold"]["codes"]) & set(F5)
        tp += len(got & gold)
        fp += len(got - gold)
        fn += len(gold - got)
    f1 = 2 * tp / (2 * tp + fp + fn)
    assert f1 >= 0.85, f"family-5 micro F1 on {PAIRS.name}: {f1:.2f} (tp {tp}, fp {fp}, fn {fn})"
    assert fp <= 3, f"{fp} false positives on {PAIRS.name}"
