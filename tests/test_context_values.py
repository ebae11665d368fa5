"""Context variables from rules: the mechanism (numbers, transforms, when, classes) and the
leeftijd and duur rules, on small conversations in several voices."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import ROOT, conv
from indicators.codebook import load_codebook
from indicators.conversation import Conversation
from indicators.rules.load import PatternError, load_patterns

# a sentence that establishes exploitation (clients who pay), so that duur may be known
CLIENTS = "b: hij regelt mannen en die betalen hem voor mij"


def value(engine, c: Conversation, var: str):
    return engine.suggest(c).context[var]["value"]


def with_year(c: Conversation, year: int) -> Conversation:
    c.year = year
    return c


@pytest.mark.parametrize("turns, want", [
    (["b: hoi ik ben 15 en ik weet niet wat ik moet doen"], 15),
    (["b: ik ben een jongen van 16"], 16),
    (["h: Hoe oud ben je, als je dat wilt zeggen?", "b: 16. hij is 30"], 16),
    (["h: Hoe oud zijn jullie?", "b: ik 17 hij 19"], 17),
    (["b: ik word volgende maand 20"], 19),
    (["b: ben bijna 17"], 16),
    (["b: Goedenavond, ik schrijf over mijn dochter van 14."], 14),
    (["b: ik was 14 toen het begon"], None),  # an age then, not now
    (["b: hij is 22 en hij regelt alles"], None),  # the perpetrator's age
    (["b: ik zit in de 3e klas en ben minderjarig"], None),
])
def test_leeftijd(engine, turns, want):
    assert value(engine, conv(*turns), "leeftijd") == want


def test_leeftijd_from_year_of_birth(engine):
    c = with_year(conv("b: ik ben van 2009 btw"), 2024)
    got = engine.suggest(c).context["leeftijd"]
    assert got["value"] == 15
    assert got["evidence"][0].source == "pattern:leeftijd.geboortejaar"


@pytest.mark.parametrize("turns, want", [
    ([CLIENTS, "b: dit gaat al twee jaar zo"], "2_tot_5_jaar"),
    ([CLIENTS, "b: al een jaar"], "1_tot_2_jaar"),  # the boundary goes to the longer class
    ([CLIENTS, "b: het gaat nu al een paar weken zo"], "korter_dan_3_maanden"),
    ([CLIENTS, "b: al anderhalf jaar"], "1_tot_2_jaar"),
    ([CLIENTS, "b: het is al bijna een jaar zo"], "3_tot_12_maanden"),
    ([CLIENTS, "h: Hoe lang gaat dit al zo?", "b: 8 maanden"], "3_tot_12_maanden"),
    ([CLIENTS, "b: ik ben nu 16", "b: het is begonnen sinds ik 13 ben"], "2_tot_5_jaar"),
    ([CLIENTS, "b: ik ben 19", "b: het begon toen ik 11 was", "b: tot ik 16 was"],
     "langer_dan_5_jaar"),
    ([CLIENTS, "b: het begon een paar weken geleden"], "korter_dan_3_maanden"),
    ([CLIENTS, "b: sinds de zomer"], "onbekend"),  # a season of the same year: no class
    ([CLIENTS, "b: 2 jaar geleden leerde ik hem kennen"], "onbekend"),  # when they met
    ([CLIENTS, "b: ik woon al 3 jaar bij mijn oma"], "onbekend"),  # not the exploitation
    (["b: mijn vriend slaat me al twee jaar"], "onbekend"),  # nobody exploits the victim
])
def test_duur(engine, turns, want):
    assert value(engine, conv(*turns), "duur") == want


def test_duur_since_a_year_uses_the_chat_year(engine):
    c = with_year(conv(CLIENTS, "b: het gaat zo sinds 2019"), 2025)
    assert value(engine, c, "duur") == "langer_dan_5_jaar"
    c = with_year(conv(CLIENTS, "b: het gaat zo sinds 2024"), 2025)
    assert value(engine, c, "duur") == "1_tot_2_jaar"


def test_every_variable_is_in_the_output_with_value_score_evidence(engine):
    c = conv(CLIENTS, "b: ik ben 15", "b: al twee jaar")
    rec = engine.suggest(c).to_record()
    cb = load_codebook()
    assert list(rec["context"]) == list(cb.context)
    for var, got in rec["context"].items():
        assert set(got) == {"value", "score", "evidence"}, var
    assert rec["context"]["leeftijd"]["value"] == 15
    ev = rec["context"]["leeftijd"]["evidence"][0]
    assert ev["code"] == "context:leeftijd" and ev["value"] == 15
    assert c.turns[ev["turn"]].text[ev["start"]:ev["end"]] == ev["text"]
    assert rec["context"]["duur"]["value"] == "2_tot_5_jaar"


def test_registration_meta_passes_through_but_is_no_evidence(engine):
    c = conv("b: hoi")
    c.meta = {"bezoeker_id": "u123", "leeftijd": 15, "headers": {"x": "y"}}
    rec = engine.suggest(c).to_record()
    assert rec["meta"] == {"bezoeker_id": "u123", "leeftijd": 15}
    assert rec["context"]["leeftijd"]["value"] is None  # the text does not say


# --- the pattern format ------------------------------------------------------------------
@pytest.fixture()
def pattern_dir(tmp_path: Path) -> Path:
    d = tmp_path / "patterns"
    shutil.copytree(ROOT / "patterns", d)
    return d


def _add(d: Path, text: str) -> None:
    (d / "zz_test.yaml").write_text(text, encoding="utf-8")


@pytest.mark.parametrize("text, msg", [
    ("contexts: {}\n", "unknown top-level key"),
    ("patterns:\n  - {id: x.a, context: chatter, value: moeder, any: [LFT_SELF]}\n",
     "not a value of 'chatter'"),
    ("patterns:\n  - {id: x.a, context: leeftijd, value: '15', any: [LFT_SELF]}\n",
     "is a number"),
    ("patterns:\n  - {id: x.a, code: lvb, value: ja, any: [LFT_SELF]}\n",
     "go with context only"),
    ("patterns:\n  - {id: x.a, context: duur, number: NOPE, any: [LFT_SELF]}\n",
     "unknown number concept"),
    ("patterns:\n  - {id: x.a, context: duur, number: LFT_SELF, transform: squared, "
     "any: [LFT_SELF]}\n", "transform must be one of"),
    ("patterns:\n  - {id: x.a, context: leeftijd, number: LFT_SELF, any: [LFT_SELF], "
     "when: {chatter: [moeder]}}\n", "not values of 'chatter'"),
    ("variables:\n  duur: {classes: []}\n", "already defined"),
    ("variables:\n  leeftijd: {defualt: slachtoffer}\n", "unknown key"),
    ("variables:\n  leeftijd: {default: moeder}\n", "not a value of 'leeftijd'"),
    ("variables:\n  chatter: {default: klant}\n", "already defined in context_chatter.yaml"),
    ("numbers:\n  dozijn: twaalf\n", "needs a number"),
])
def test_bad_context_rules_are_errors_naming_the_file(pattern_dir, text, msg):
    _add(pattern_dir, text)
    with pytest.raises(PatternError, match=msg) as e:
        load_patterns(pattern_dir)
    assert "zz_test.yaml" in str(e.value) or "context_duur.yaml" in str(e.value)


def test_when_conditions_that_form_a_cycle_are_refused(pattern_dir):
    from indicators.rules.context_values import ContextResolver

    _add(pattern_dir, "patterns:\n"
         "  - {id: x.a, context: chatter, value: klant, any: [LFT_SELF], "
         "when: {acuut_onveilig: [ja]}}\n"
         "  - {id: x.b, context: acuut_onveilig, value: ja, any: [LFT_SELF], "
         "when: {chatter: [klant]}}\n")
    ps = load_patterns(pattern_dir)
    with pytest.raises(ValueError, match="cycle"):
        ContextResolver(ps, load_codebook())
