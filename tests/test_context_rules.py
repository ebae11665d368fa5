"""The context-variable rules (patterns/context_*.yaml) on short conversations of our own.

Each case names the values a variable must get; the negative cases are the near misses the
rules are written to avoid (a victim who mentions her mother is no parent chatting, a
client's "vrienden" are no second exploiter, "Ben je nu veilig?" / "ja" does not mean the
victim got away, "mijn moeder weet het niet" is no earlier disclosure).
"""

from __future__ import annotations

import pytest

CASES = [
    # (id, turns, variable, expected value)
    # --- chatter
    ("chatter-victim-default",
     ["b: mn vriendje laat me met zijn vrienden naar bed gaan en die betalen hem"],
     "chatter", "slachtoffer"),
    ("chatter-victim-names-mother",
     ["b: hij zet me op een sekssite", "b: mijn moeder weet van niks"],
     "chatter", "slachtoffer"),
    ("chatter-mother",
     ["b: Goedenavond, ik maak me zorgen over mijn dochter van 16.",
      "b: Ze moet van haar vriend met andere mannen mee."],
     "chatter", "familielid"),
    ("chatter-grandfather",
     ["b: Ik ben de opa van een jongen van 15. Hij moet drugs wegbrengen voor een paar gasten."],
     "chatter", "familielid"),
    ("chatter-sister",
     ["b: hoi ik maak me echt zorgen om mijn zusje",
      "b: ze moet voor haar vriendje pakketjes rondbrengen"],
     "chatter", "familielid"),
    ("chatter-victim-asks-about-cousin-perpetrator",
     ["b: ik heb een vraag over mijn neef",
      "b: mijn neef laat mij elke week drugs verkopen en dwingt me"],
     "chatter", "slachtoffer"),
    ("chatter-care-worker",
     ["b: Goedemiddag, ik ben ambulant begeleider en heb een vraag over een cliënte van 17.",
      "b: Ze vertelde dat haar vriend haar met mannen laat afspreken."],
     "chatter", "hulpverlener"),
    ("chatter-victim-therapist-mentioned",
     ["b: mijn therapeut zei dat ik hier kon chatten",
      "b: mijn ex liet mij met klanten afspreken"],
     "chatter", "slachtoffer"),
    ("chatter-teacher",
     ["b: Ik ben lerares op een vmbo. Een leerling van mij moet voor oudere jongens stelen."],
     "chatter", "sociale_omgeving"),
    ("chatter-friend",
     ["b: ik maak me zorgen om mijn beste vriendin",
      "b: ze moet met mannen mee van haar vriend"],
     "chatter", "sociale_omgeving"),
    ("chatter-partner",
     ["b: ik ben een jongen van 22 en ik maak me zorgen om mijn vriendin",
      "b: haar ex zet haar nog steeds op een sekssite"],
     "chatter", "partner"),
    ("chatter-client",
     ["b: Ik heb vorige week via een sekssite een afspraak gemaakt met een meisje.",
      "b: Er stond een man bij de deur die het geld aanpakte."],
     "chatter", "klant"),
    # --- vorm
    ("vorm-sexual", ["b: mijn vriend laat me met mannen slapen voor geld"], "vorm", ["seksueel"]),
    ("vorm-criminal",
     ["b: ik moet elke dag pakketjes wegbrengen voor een paar gasten uit de wijk"],
     "vorm", ["crimineel"]),
    ("vorm-labour",
     ["b: ik werk in een kas via een tussenpersoon",
      "b: we werken 13 uur per dag en hij houdt mijn loon in voor de huur"],
     "vorm", ["arbeid"]),
    ("vorm-labour-across-turns",
     ["b: ik werk op een boerderij in de aardbeien", "h: Hoe gaat het daar?",
      "b: de boer houdt mijn paspoort en ik krijg 50 euro per week"],
     "vorm", ["arbeid"]),
    ("vorm-sexual-not-labour-for-a-side-job",
     ["b: ik werk in een supermarkt", "b: mijn vriend laat me met mannen slapen voor geld"],
     "vorm", ["seksueel"]),
    ("vorm-sexual-and-criminal",
     ["b: ik moet voor hem met mannen naar bed en ook drugs verkopen op school"],
     "vorm", ["seksueel", "crimineel"]),
    ("vorm-empty-partner-violence",
     ["b: mijn vriend slaat mij als hij boos is",
      "h: Moet je ook dingen voor hem doen, voor geld of voor anderen?", "b: nee"],
     "vorm", []),
    ("vorm-empty-sextortion-money",
     ["b: iemand op insta heeft een naaktfoto van mij en wil 300 euro anders zet hij hem online"],
     "vorm", []),
    # --- pleger
    ("pleger-partner", ["b: mijn lief laat mij met klanten afspreken"], "pleger", ["partner"]),
    ("pleger-partner-met-online",
     ["b: ik heb mijn vriend op snap leren kennen",
      "b: nu moet ik met zijn vrienden slapen en die betalen hem"],
     "pleger", ["partner"]),
    ("pleger-parent",
     ["b: mijn stiefvader laat mannen thuis komen en dan moet ik met ze mee"],
     "pleger", ["ouder"]),
    ("pleger-uncle",
     ["b: mijn oom laat mij in zijn restaurant werken zonder loon en ik moet voor hem dealen"],
     "pleger", ["familie_overig"]),
    ("pleger-acquaintance",
     ["b: een jongen uit mijn wijk laat me pakketjes wegbrengen"],
     "pleger", ["sociale_omgeving"]),
    ("pleger-online-stranger",
     ["b: een man voegde me toe op insta",
      "b: nu moet ik van hem naar mannen toe die hem betalen"],
     "pleger", ["online_onbekende"]),
    ("pleger-known-from-online-is-online",
     ["b: er is een man die ik ken van discord", "b: ik moet voor hem naar mannen toe"],
     "pleger", ["online_onbekende"]),
    ("pleger-known-from-the-gym",
     ["b: ik moet auto's met drugs naar belgie rijden voor mannen die ik ken van de "
      "sportschool", "b: ze zeggen dat ik ze nog 5000 euro schuldig ben"],
     "pleger", ["sociale_omgeving"]),
    ("pleger-gym-but-no-exploitation",
     ["b: een jongen van mijn sportschool stuurt me steeds berichtjes", "b: ik vind dat eng"],
     "pleger", []),
    ("pleger-boss-without-article",
     ["b: ik werk in een fabriek, 12 uur per dag, en ik krijg bijna geen loon",
      "b: baas zegt ik heb schuld voor de reis en hij houdt mijn paspoort"],
     "pleger", ["anders"]),
    ("pleger-employer",
     ["b: de eigenaar van de nagelstudio laat me 12 uur per dag werken zonder loon"],
     "pleger", ["anders"]),
    ("pleger-brother-of-boyfriend-is-no-relative",
     ["b: mijn vriend en zijn broer zetten mij op een sekssite en halen het geld op"],
     "pleger", ["partner", "sociale_omgeving"]),
    # --- aantal_plegers
    ("aantal-one-clients-are-no-perpetrators",
     ["b: mijn vriend laat me met zijn vrienden afspreken en die betalen hem"],
     "aantal_plegers", "een"),
    ("aantal-group",
     ["b: een paar gasten laten mij drugs verkopen",
      "b: ze dreigen me als ik stop"],
     "aantal_plegers", "meerdere"),
    ("aantal-couple",
     ["b: een vrouw en haar man laten mij met klanten werken in hun huis"],
     "aantal_plegers", "meerdere"),
    ("aantal-group-under-negation",
     ["b: hij werd benaderd door een groepje jongens die hij niet kende",
      "b: nu moet hij pakketjes voor ze wegbrengen"],
     "aantal_plegers", "meerdere"),
    ("aantal-unknown-without-exploitation",
     ["b: ik word gepest in de klasgroep"],
     "aantal_plegers", "onbekend"),
    # --- acuut_onveilig
    ("acuut-ongoing",
     ["b: mijn vriend laat me met mannen slapen voor geld", "b: zaterdag moet ik weer"],
     "acuut_onveilig", "ja"),
    ("acuut-safe-now-is-not-away",
     ["b: mijn vriend laat me met mannen slapen voor geld",
      "h: Ben je nu veilig?", "b: ja ik ben thuis"],
     "acuut_onveilig", "ja"),
    ("acuut-fled",
     ["b: mijn ex liet mij met klanten afspreken",
      "b: ik ben vorige maand bij hem weggegaan en zit nu in een opvang"],
     "acuut_onveilig", "nee"),
    ("acuut-runaway-from-home-is-not-away",
     ["b: ik ben van huis weggelopen en nu woon ik bij hem",
      "b: hij laat mannen komen die hem betalen"],
     "acuut_onveilig", "ja"),
    ("acuut-client-cannot-know",
     ["b: Ik heb via een advertentie een afspraak gemaakt met een meisje.",
      "b: Een man nam het geld aan en zij leek bang."],
     "acuut_onveilig", "onbekend"),
    # --- wording from other writers (tune_v2_d): forms named, past crime, acquaintances
    ("duur-weeks-from-a-form",
     ["b: sinds twee weken moet ik met venten mee die hij regelt"],
     "duur", "korter_dan_3_maanden"),
    ("duur-a-year-from-a-form",
     ["b: ik moet al een jaar drugs rondbrengen voor een paar gasten"],
     "duur", "1_tot_2_jaar"),
    ("vorm-past-crime",
     ["b: vroeger moest ik voor een man uit de buurt drugs verkopen", "b: nu woon ik op mezelf"],
     "vorm", ["crimineel"]),
    ("pleger-known-from-snackbar",
     ["b: ik ken hem van de snackbar bij ons om de hoek",
      "b: hij laat mij met mannen meegaan en die betalen hem"],
     "pleger", ["sociale_omgeving"]),
    ("pleger-old-class",
     ["b: jongens uit mijn oude klas laten mij pakketjes rondbrengen"],
     "pleger", ["sociale_omgeving"]),
    ("pleger-friends-of-brother",
     ["b: vrienden van mijn broer laten mij drugs bewaren", "b: ze komen vaak bij ons thuis"],
     "pleger", ["sociale_omgeving"]),
    ("pleger-uncles-restaurant",
     ["b: ik werk in het restaurant van mijn oom, elke dag 14 uur", "b: ik krijg geen loon"],
     "pleger", ["familie_overig"]),
    ("pleger-met-on-app-word-order",
     ["b: een man die ik van tinder ken laat mij met andere mannen slapen voor geld"],
     "pleger", ["online_onbekende"]),
    # --- first_disclosure
    ("disclosure-first-denied-question",
     ["b: mijn vriend laat me met mannen slapen voor geld",
      "h: Heb je dit al eerder aan iemand verteld?", "b: nee"],
     "first_disclosure", "ja"),
    ("disclosure-first-nobody",
     ["b: een man laat mij pakketjes bezorgen", "b: niemand weet het, jij bent de eerste"],
     "first_disclosure", "ja"),
    ("disclosure-told-mother",
     ["b: mijn ex liet mij met klanten afspreken", "b: ik heb het aan mijn moeder verteld"],
     "first_disclosure", "nee"),
    ("disclosure-third-party-told",
     ["b: ik maak me zorgen om mijn vriendin",
      "b: ze heeft me gisteren verteld dat ze met mannen mee moet van haar vriend"],
     "first_disclosure", "nee"),
    ("disclosure-mother-does-not-know-is-not-told",
     ["b: mijn vriend laat me met mannen slapen voor geld",
      "b: mijn moeder weet het niet"],
     "first_disclosure", "onbekend"),
    ("disclosure-unknown-when-not-asked",
     ["b: mijn vriend laat me met mannen slapen voor geld"],
     "first_disclosure", "onbekend"),
    # more ways of saying someone knows: a Flemish uncle, part of it, in therapy, told
    # everything to the police, a third party whom the victim told
    ("disclosure-flemish-uncle-knows",
     ["b: ik moet voor gasten uit de wijk lopen", "h: Weet iemand ervan?",
      "b: mijne nonkel weet het"],
     "first_disclosure", "nee"),
    ("disclosure-knows-a-bit",
     ["b: ik moet voor hem met mannen mee", "h: Heb je dit al met iemand gedeeld?",
      "b: mn nicht weet het een beetje"],
     "first_disclosure", "nee"),
    ("disclosure-told-in-therapy",
     ["b: jaren geleden liet mijn ex mij met klanten afspreken",
      "b: ik heb het bij mijn psycholoog besproken maar wil nu advies"],
     "first_disclosure", "nee"),
    ("disclosure-told-everything-police",
     ["b: ik heb twee jaar zonder loon in een restaurant gewerkt",
      "b: ik heb alles aan de wijkagent verteld"],
     "first_disclosure", "nee"),
    ("disclosure-third-party-then-told-all",
     ["b: mijn neefje moet drugs rondbrengen voor een groep",
      "b: ik vroeg wat er was en toen vertelde hij alles"],
     "first_disclosure", "nee"),
    ("disclosure-uncle-does-not-know",
     ["b: ik moet voor gasten uit de wijk lopen", "b: mijn nonkel weet het niet"],
     "first_disclosure", "onbekend"),
]


@pytest.mark.parametrize("cid,turns,var,want", CASES, ids=[c[0] for c in CASES])
def test_context_value(engine, make_conv, cid, turns, var, want):
    got = engine.suggest(make_conv(*turns, cid=cid)).context[var]["value"]
    if isinstance(want, list):
        assert sorted(got) == sorted(want), f"{cid}: {var} {got!r}"
    else:
        assert got == want, f"{cid}: {var} {got!r}"


def test_context_evidence_is_visitor_text(engine, make_conv):
    c = make_conv("b: hoi", "b: Ik ben jongerenwerker en wil overleggen over een meisje van 16",
                  "h: Vertel.")
    ctx = engine.suggest(c).context["chatter"]
    assert ctx["value"] == "hulpverlener"
    ev = ctx["evidence"][0]
    assert ev.speaker == "bezoeker" and ev.turn == 1
    assert "jongerenwerker" in c.turns[1].text[ev.start:ev.end]


def test_every_context_variable_has_a_rule_file():
    from indicators.paths import patterns_dir

    names = {p.name for p in patterns_dir().glob("context_*.yaml")}
    for var in ("chatter", "vorm", "pleger", "acuut_onveilig", "first_disclosure",
                "aantal_plegers"):
        assert f"context_{var}.yaml" in names


def test_pleger_boss_and_her_husband_is_no_partner(engine, make_conv):
    """"de bazin en haar man" is an employing couple, not the victim's partner."""
    got = engine.suggest(make_conv("b: de bazin en haar man hebben mijn paspoort",
                                   "b: ik werk in hun nagelsalon zonder loon")).context["pleger"]["value"]
    assert "partner" not in got
