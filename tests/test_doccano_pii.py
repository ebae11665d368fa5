"""The residual-PII guard (deduce; no server). Loads deduce once (slow on a fresh install)."""

from __future__ import annotations

from pathlib import Path

import pytest

from indicators.codebook import load_codebook
from indicators.doccano.pii import PiiChecker
from indicators.doccano.suggestions import read_suggestions

SUGGESTIONS = Path(__file__).parent / "data" / "doccano" / "suggestions.jsonl"


@pytest.fixture(scope="module")
def checker():
    return PiiChecker()


@pytest.mark.parametrize("text,kind", [
    ("bel me op 06-12345678", "phone"),
    ("mijn nummer is 0612345678", "phone"),
    ("mail naar jan.devries@gmail.com", "email"),
    ("ik woon op Kerkstraat 12 in Utrecht", "address"),
    ("Ik heet Sanne Bakker en ik ben 15", "person_name"),
    ("mijn bsn is 123456782", "id_number"),
    ("kijk op https://t.me/jongen123", "url"),
    ("zijn profiel is www.instagram.com/xyz_99", "url"),
])
def test_direct_identifiers_block(checker, text, kind):
    assert kind in checker.check_text(text)


@pytest.mark.parametrize("text", [
    "ik ben 14 en hij is 24",
    "ik woon in Utrecht",
    "[naam] zei dat ik op [school] in [stad] moest wachten",
    "Je kunt ook bellen met Veilig Thuis: 0800-2000",
    "Kijk ook eens op helpwanted.nl",
    "Pas als ik nee zeg wordt hij boos",
    "hij ging naar snapchat en tiktok",
])
def test_ages_places_placeholders_and_service_numbers_do_not_block(checker, text):
    assert checker.check_text(text) == []


def test_report_names_kind_and_turn_never_the_identifier(checker):
    turns = [{"speaker": "bezoeker", "text": "hoi"},
             {"speaker": "bezoeker", "text": "ik ben Sanne Bakker, 06-12345678"}]
    report = checker.check("X-9", turns)
    assert report.blocked
    assert report.kinds == ["person_name", "phone"]
    assert report.turns == [1]
    assert "Bakker" not in repr(report) and "12345678" not in repr(report)


def test_dev_corpus_fixture_has_no_blocking_identifiers(checker):
    blocked = [s.id for s in read_suggestions(SUGGESTIONS, load_codebook())
               if checker.check(s.id, s.turns).blocked]
    assert blocked == []


CASES = Path(__file__).parent / "data" / "pii_cases.jsonl"


def test_labelled_set_recall_and_false_blocks(checker):
    import json

    cases = [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines()
             if line.strip()]
    pos = [c for c in cases if c["block"]]
    neg = [c for c in cases if not c["block"]]
    assert len(pos) >= 60 and len(neg) >= 30
    assert len({c["kind"] for c in pos}) >= 10  # many kinds of identifier
    missed = [c["kind"] for c in pos if not checker.check_text(c["text"])]
    false = [c["kind"] for c in neg if checker.check_text(c["text"])]
    assert len(missed) / len(pos) <= 0.05, missed
    assert len(false) / len(neg) <= 0.05, false


@pytest.mark.parametrize("text,kind", [
    ("ik ben lisa de vries", "person_name"),
    ("voeg me toe @lisa_2009", "handle"),
    ("app me: 0031 6 12345678", "phone"),
    ("ik woon op de kerkstraat 12", "address"),
    ("zijn auto heeft kenteken 12-ABC-3", "licence_plate"),
    ("ik zit op het montessori college in nijmegen", "school"),
    ("ik ben geboren op 12-03-2009", "birth_date"),
])
def test_issue_14_identifiers_block(checker, text, kind):
    assert kind in checker.check_text(text)


def test_iban_is_reported_as_iban_not_phone(checker):
    assert checker.check_text("rekeningnummer NL91 ABNA 0417 1643 00") == ["iban"]


def test_progress_message_before_deduce_loads(monkeypatch):
    from indicators.doccano import pii

    class Loading(Exception):
        pass

    def load():
        assert messages, "no message before the load started"
        raise Loading

    messages: list[str] = []
    monkeypatch.setattr(pii, "_DEDUCE", None)
    monkeypatch.setattr(pii, "_deduce", load)
    with pytest.raises(Loading):
        PiiChecker(progress=messages.append).check_text("hoi")
    assert messages and "deduce" in messages[0]
    assert PiiChecker().progress is not None  # on by default (stderr)
