"""Client codes (family 4) need a client as the actor and clients who pay for sex.

Contrast cases of our own (not from the dev corpus): the client vs the trafficker as the one who
hits, goes on after a no or is present; criminal and labour exploitation, where "klanten" buy
drugs and "de mannen" are fellow workers; relatives as exploiters. Plus the contrast set
tests/data/klant_contrast.jsonl scored as a whole.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indicators.conversation import Conversation, Turn
from indicators.evaluation import evaluate

DATA = Path(__file__).parent / "data" / "klant_contrast.jsonl"

CASES = [
    # (id, turns, must have, must not have)
    ("refusal-client-named",
     ["b: mn vriend regelt afspraken met mannen voor geld",
      "b: bij 1 van die mannen zei ik stop maar hij ging gwn door"],
     {"klant_weigering_genegeerd"}, set()),
    ("refusal-after-question-about-clients",
     ["b: ik moet voor hem met mannen mee, zij betalen hem",
      "h: Hoe gaan die mannen met je om?",
      "b: 1 keer zei ik nee. hij luisterde niet"],
     {"klant_weigering_genegeerd"}, set()),
    ("refusal-boyfriend-then-clients",
     ["b: mijn vriend wilde seks en ik zei nee, hij ging toch door",
      "b: en daarna moest ik met zijn maten mee voor geld"],
     set(), {"klant_weigering_genegeerd"}),
    ("refusal-relative-own-act",
     ["b: mn vriend laat mannen komen voor geld",
      "h: Doet iemand in huis je ook pijn?",
      "b: zijn neef doet het ook met mij. ik zeg nee maar hij stopt niet"],
     set(), {"klant_weigering_genegeerd"}),
    ("violence-client",
     ["b: hij verkoopt me aan mannen via een site",
      "b: gisteren heeft een klant me geslagen en vastgehouden"],
     {"klant_geweld"}, set()),
    ("violence-pimp-punishes-refusal",
     ["b: ik moet elke avond naar klanten voor hem",
      "b: als ik een klant weiger slaat hij me"],
     set(), {"klant_geweld"}),
    ("violence-pimp-it-is-him",
     ["b: ik moet met mannen mee voor geld", "h: Doen die mannen je pijn?",
      "b: nee die zijn rustig. het is hij die slaat"],
     set(), {"klant_geweld"}),
    ("violence-labour-employer-son",
     ["b: wij werken in de kas zonder loon, de baas heeft onze paspoorten",
      "b: de zoon van de baas schopt de mannen als ze te langzaam werken"],
     set(), {"klant_geweld"}),
    ("locked-door-no-actor",
     ["b: ik woon in een flat van hem en daar komen de klanten",
      "b: de deur zit altijd op slot"],
     set(), {"klant_geweld"}),
    ("locked-door-by-client",
     ["b: hij stuurt me naar mannen thuis",
      "b: 1 keer deed de man de deur op slot en liet me niet gaan"],
     {"klant_geweld"}, set()),
    ("young-drug-customers",
     ["b: ik ben de moeder van een jongen van 14",
      "b: oudere jongens laten hem al sinds zijn twaalfde wiet verkopen aan klanten"],
     set(), {"klant_zeer_jong"}),
    ("young-sexual-clients",
     ["b: toen ik 12 was liet mijn oom mannen bij mij komen en die betaalden hem"],
     {"klant_zeer_jong"}, set()),
    ("young-duration-in-question",
     ["b: ik heb met hem samengewoond, hij liet mannen komen voor geld",
      "h: Wat gebeurde er in die drie jaar?",
      "b: vanaf het begin moest ik die mannen ontvangen"],
     set(), {"klant_zeer_jong"}),
    ("young-count-not-age",
     ["b: hij zegt dat ik met zijn vrienden moet slapen voor geld. al zes maanden"],
     set(), {"klant_zeer_jong"}),
    ("present-next-room",
     ["b: hij regelt de klanten en pakt al het geld",
      "b: hij wacht altijd in de kamer hiernaast tot ze klaar zijn"],
     {"klant_uitbuiter_aanwezig"}, set()),
    ("present-not-a-living-question",
     ["b: mijn vriend laat mij met mannen afspreken voor geld",
      "h: Woon je zelf nog thuis?", "b: ja bij mijn moeder, ik ben de oudste in huis"],
     set(), {"klant_uitbuiter_aanwezig"}),
    ("location-drugs-in-own-room",
     ["b: ik moet tassen met drugs bewaren op mijn kamer voor die jongens",
      "b: als ik stop zeggen ze dat ik ze geld schuldig ben"],
     set(), {"klant_locatie_signaal", "klant_uitbuiter_aanwezig"}),
    ("inwonend-debt-is-no-housing",
     ["b: ze gaven me elke dag gratis wiet",
      "b: nu zeggen ze dat ik 500 euro schuldig ben en dat ik het moet terugverdienen"],
     set(), {"inwonend"}),
    ("inwonend-relative",
     ["b: ik woon bij mijn oom en tante",
      "b: mijn oom laat me elke dag in zijn winkel werken en ik krijg niks betaald"],
     {"inwonend"}, set()),
    ("inwonend-lived-together",
     ["b: ik heb drie jaar met hem samengewoond",
      "b: hij liet mannen bij ons thuis komen en die betaalden hem"],
     {"inwonend"}, set()),
    ("meeting-via-acquaintance-in-person",
     ["b: ik ben begeleider van een man met een lichte beperking",
      "b: hij moet nu voor een paar mannen dealen. hij kent ze via een jongen van de dagbesteding"],
     {"ontmoeting_offline"}, {"ontmoeting_online"}),
    ("location-own-room-clients",
     ["b: ik woon nog bij mijn moeder en zij laat mannen op mijn kamer komen voor geld"],
     {"klant_locatie_signaal"}, set()),
    ("filming-client-next-sentence",
     ["b: ik doe afspraken voor geld, dat regelt iemand anders",
      "b: gisteren was er een klant die ruw deed. later zag ik dat hij het had gefilmd"],
     {"klant_filmt_chanteert"}, set()),
    ("filming-client-against-will",
     ["b: hij laat mij met klanten afspreken voor geld",
      "b: een klant heeft me gefilmd terwijl ik dat niet wilde"],
     {"klant_filmt_chanteert"}, set()),
    ("filming-trafficker-with-clients",
     ["b: mn vriend regelt mannen voor me. hij filmt het en zegt dat hij het online zet"],
     set(), {"klant_filmt_chanteert"}),
    ("filming-money-withdrawn",
     ["b: mijn zoon heeft zijn bankpas aan een man gegeven die hem geld beloofde",
      "b: er wordt geld op zijn rekening gezet en meteen weer opgenomen"],
     set(), {"klant_filmt_chanteert"}),
    ("present-stays-in-room",
     ["b: hij laat mannen betalen om met mij te zijn",
      "b: hij blijft dan gewoon in de kamer zitten"],
     {"klant_uitbuiter_aanwezig"}, set()),
    ("sextortion-he-films-and-threatens",
     ["b: hij filmt het als ik met mannen mee moet",
      "b: en hij zegt dat hij het op internet zet als ik ermee stop"],
     {"sextortion"}, {"klant_filmt_chanteert"}),
    ("sextortion-not-bullying-video",
     ["b: ze filmen mij als ik iets fout doe bij gym en zetten dat op tiktok"],
     set(), {"sextortion"}),
]


@pytest.mark.parametrize("cid,turns,must,must_not", CASES, ids=[c[0] for c in CASES])
def test_contrast(engine, make_conv, cid, turns, must, must_not):
    sug = engine.suggest(make_conv(*turns, cid=cid))
    assert must <= set(sug.codes), f"{cid}: missing {sorted(must - set(sug.codes))}"
    assert not (must_not & set(sug.codes)), f"{cid}: unwanted {sorted(must_not & set(sug.codes))}"


def test_no_sex_clients_fact_only_without_anything_sexual(engine, make_conv):
    drugs = engine.suggest(make_conv("b: ik moet drugs rondbrengen naar klanten voor hem"))
    assert "no_sex_clients" in drugs.facts
    sexual = engine.suggest(make_conv("b: ik moet drugs rondbrengen en ook seks met klanten"))
    assert "no_sex_clients" not in sexual.facts


def _records():
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def test_contrast_set(engine):
    """The whole contrast set: families 1-4 micro F1 (0.87 when written) and no client code
    at all in the criminal and labour conversations without anything sexual."""
    recs = _records()
    assert len(recs) >= 30
    convs = [Conversation(id=r["id"], turns=[Turn(t["speaker"], t["text"]) for t in r["turns"]],
                          gold=r["gold"]) for r in recs]
    sugs = [engine.suggest(c) for c in convs]
    ev = evaluate(list(zip(convs, sugs, strict=True)), engine.codebook)
    assert ev.micro_v1["f1"] >= 0.85, ev.micro_v1
    for r, s in zip(recs, sugs, strict=True):
        if "seksueel" not in r["gold"]["context"]["vorm"]:
            assert not [c for c in s.codes if c.startswith("klant_")], r["id"]
