"""Residual-PII guard: find direct identifiers in a conversation before it leaves the machine.

Dutch de-identification with ``deduce`` plus a few regular expressions it misses (URLs with a
scheme, e-mail addresses). Only kinds that are reliable on chat text block a push; what was found
is reported as a kind and a turn number, never as the identifier itself.

Blocking kinds and why (checked on the 120 dev-corpus conversations, where deduce's raw output was
10 single-word "persons" -- ``Pas``, ``Geven``, ``Niks``, ``Sem`` -- a greeting as a location,
three ages, two helpline URLs and three helpline phone numbers, all said by the counsellor):

- ``person_name``: a deduce person of at least two words (first + last name). Single words are
  too noisy on chat text (capitalised verbs and interjections) and are not reported.
- ``phone``: deduce phone numbers and ``id`` numbers of 10 digits, except public service numbers
  (0800, 0900, 088, 112, 113, 116...), which counsellors give out.
- ``email``: deduce e-mail addresses and a regular expression.
- ``address``: a deduce location that contains a digit (street + house number, postcode).
  A city or a region alone is not a direct identifier.
- ``id_number``: BSN (deduce checks the eleven test) and other deduce id / patient numbers.
- ``url``: deduce URLs and ``scheme://`` links, except bare domains of public organisations
  (``PUBLIC_DOMAINS``), which counsellors refer to.

- ``handle``: a social-media handle (``@lisa_2009``, or a user name with a digit, ``_`` or ``.``
  named after a platform word: ``mijn snap is sanne.b2010``).
- ``licence_plate``: a Dutch plate with dashes (``12-ABC-3``, ``xx-99-zz``; letter and digit
  groups, any case).
- ``school``: a named school with its town (``het Montessori College in Nijmegen``); a generic
  ``middelbare school`` is not a name.
- ``birth_date``: a full date after a birth word (``geboren``, ``geboortedatum``, ``geb.``,
  ``ik ben van``).
- ``iban``: a bank account number (IBAN), reported as such and masked before deduce (which
  would call its digits a phone number).

Names, addresses and phone numbers are also found in any case and in chat spelling, beyond
deduce: a first name and surname from deduce's own name lists (``lisa de vries``), a first name
after ``ik heet`` / ``mijn naam is`` / ``ik ben`` (at the end of the clause), a street name with
a house number (``de kerkstraat 12``), a postcode, ``+31`` / ``0031`` numbers and ``06``
numbers with spaces, e-mail addresses with spaces around the ``@``.

Never blocking: ages (codes depend on them), dates that are not dates of birth, institutions,
amounts, times, cities, platforms, and anonymisation placeholders such as ``[naam]``,
``[school]``, ``[stad]``. ``scripts/pii_eval.py`` reports recall and the false-block rate on the
labelled cases in ``tests/data/pii_cases.jsonl``.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

BLOCKING_KINDS = ("person_name", "phone", "email", "address", "id_number", "url", "handle",
                  "licence_plate", "school", "birth_date", "iban")

PUBLIC_DOMAINS = frozenset({
    "helpwanted.nl", "fier.nl", "chatmetfier.nl", "veiligthuis.nl", "kindertelefoon.nl",
    "113.nl", "slachtofferhulp.nl", "politie.nl", "meldknop.nl", "comensha.nl",
    "centrumseksueelgeweld.nl", "watwerkt.nl", "meldmisdaadanoniem.nl", "mijnvriendinnetje.nl",
    "sense.info", "jouwggd.nl", "rutgers.nl", "government.nl", "rijksoverheid.nl",
})
_SERVICE_NUMBER = re.compile(r"^\s*(0800|0900|0880|088|112|113|116)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_SCHEME_URL = re.compile(r"\b(?:https?|ftp)://\S+|\bwww\.\S+", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\[[^\[\]\n]{1,40}\]")
_I = re.IGNORECASE
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}[ ]?[A-Z]{4}(?:[ ]?\d){10}\b", _I)
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)[ ]?(?:31|32|49|44|33|90|212|597)[ \-]?(?:\(0\)[ ]?)?\d(?:[ \-]?\d){7,9}"
    r"|0[1-9](?:[ \-]?\d){8})(?!\d)")
_EMAIL_SPACED = re.compile(r"[\w.+-]+[ ]?@[ ]?[\w-]+\.(?:com|nl|be|net|org|eu|de|info|live)\b", _I)
_HANDLE_AT = re.compile(r"(?<![\w@.])@[A-Za-z0-9_.]*[A-Za-z][A-Za-z0-9_.]{1,29}")
_PLATFORM_NAME = re.compile(
    r"\b(?:snap(?:chat)?|insta(?:gram)?|tik ?tok|tt|discord|telegram|kik|facebook|fb|twitter"
    r"|account|gebruikersnaam|username)\b(?:\s+(?:naam|name|account))?\s*(?:is|:|=|-|heet|onder)"
    r"?\s+(?:onder\s+)?([A-Za-z0-9_.]{3,30})", _I)
_STREET = re.compile(
    r"\b[a-zà-ÿ][\w'\-]*(?:straat|laan|weg|plein|gracht|kade|singel|dijk|dreef|hof|pad|steeg"
    r"|park|boulevard|markt|ring|erf|baan|wal|straatweg|lei|dam)\s+\d{1,4}(?:\s?[a-z])?\b", _I)
_POSTCODE = re.compile(r"\b[1-9]\d{3}[ ]?(?!SA|SD|SS)[A-Z]{2}\b|\b[1-9]\d{3}[a-z]{2}\b")
_PLATE = re.compile(r"(?<![\w-])([A-Za-z]{1,3}|\d{1,3})-([A-Za-z]{1,3}|\d{1,3})-([A-Za-z]{1,3}|\d{1,3})"
                    r"(?![\w-])")
_SCHOOL_TYPES = (r"college|lyceum|gymnasium|scholengemeenschap|school|atheneum|mavo|vmbo"
                 r"|montessori|campus|academie")
_SCHOOL = re.compile(
    r"\b((?:[\w'\-]+\s+){1,3})(?:" + _SCHOOL_TYPES + r")\b(?:\s+(?!(?:in|te)\b)([\w'\-]+))?(?:\s+(?:in|te)\s+"
    r"([A-Za-zà-ÿ][\w'\-]+))?", _I)
_SCHOOL_GENERIC = frozenset(
    "de het een mijn m'n mn op naar middelbare basis andere nieuwe zelfde die deze zijn haar hun "
    "onze jullie je speciaal speciale praktijk in van na voor bij uit zit ga gaat school "
    "zelfde oude vorige welke wat hele".split())
_TOWN_NOT = frozenset("de het een mijn je jouw zijn haar hun onze welke wat die deze dit dat "
                      "totaal principe elk ieder geval klas buurt".split())
_MONTHS = (r"jan(?:uari)?|feb(?:ruari)?|maart|mrt|apr(?:il)?|mei|jun(?:i)?|jul(?:i)?|aug(?:ustus)?"
           r"|sep(?:t(?:ember)?)?|okt(?:ober)?|nov(?:ember)?|dec(?:ember)?")
_BIRTH_DATE = re.compile(
    r"\b(?:geboren|geboortedatum|geb|verjaardag|ik ben van|dob|born)\b\.?[^.!?\n]{0,25}?"
    r"\b(?:\d{1,2}[\-/.]\d{1,2}[\-/.](?:19|20)\d{2}|\d{1,2}\s+(?:" + _MONTHS + r")\s+(?:19|20)\d{2})\b", _I)
_NAME_INTRO = re.compile(
    r"\b(?:heet|heette|naam is|naam was|noemen me|noemt me|noem me)\s+([A-Za-zà-ÿ'\-]+)", _I)
_IK_BEN = re.compile(r"\b(?:ik ben|ben ik|dit is)\s+([A-Za-zà-ÿ'\-]+)\s*($|[,.!?;:)]|\s+(?:en|uit|van"
                     r"|hier|\d))", _I)
# Dutch words that are also in deduce's name lists (verbs, chat words, platforms)
_NOT_NAMES = frozenset("ken kan wil mag zal ben dan kik snap insta tiktok discord hoi hey doei "
                       "oke ok oké lol jij jou mam pap".split())
_WORD = re.compile(r"[A-Za-zà-ÿ][A-Za-zà-ÿ'\-]*")

_DEDUCE = None


def _deduce():
    """One ``Deduce`` per process; its first load builds lookup structures (~80 s)."""
    global _DEDUCE
    if _DEDUCE is None:
        root = logging.getLogger()
        level, handlers = root.level, list(root.handlers)
        from deduce import Deduce

        _DEDUCE = Deduce()
        # deduce configures the root logger (level and handler); undo that for the rest of us
        root.setLevel(level)
        for h in list(root.handlers):
            if h not in handlers:
                root.removeHandler(h)
    return _DEDUCE


@dataclass(frozen=True)
class Finding:
    kind: str
    turn: int


@dataclass
class PiiReport:
    conversation_id: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def kinds(self) -> list[str]:
        return sorted({f.kind for f in self.findings})

    @property
    def turns(self) -> list[int]:
        return sorted({f.turn for f in self.findings})

    @property
    def blocked(self) -> bool:
        return bool(self.findings)


def _domain(url: str) -> str:
    u = re.sub(r"^[a-z]+://", "", url.strip().lower())
    u = re.sub(r"^www\.", "", u)
    return u.rstrip("/.,;:!?)")


def _public_url(url: str) -> bool:
    d = _domain(url)
    return "/" not in d and "?" not in d and d in PUBLIC_DOMAINS


def _classify(tag: str, text: str) -> str | None:
    tag = tag.lower()
    if tag in ("persoon", "patient"):
        return "person_name" if len(text.split()) >= 2 else None
    if tag == "telefoonnummer":
        return None if _SERVICE_NUMBER.match(text) else "phone"
    if tag == "emailadres":
        return "email"
    if tag == "locatie":
        return "address" if any(c.isdigit() for c in text) else None
    if tag in ("bsn", "patientnummer"):
        return "id_number"
    if tag == "id":
        digits = re.sub(r"\D", "", text)
        if len(digits) == 10 and digits.startswith("0"):
            return None if _SERVICE_NUMBER.match(text) else "phone"
        return "id_number"
    if tag == "url":
        return None if _public_url(text) else "url"
    return None  # leeftijd, datum, instelling, ziekenhuis, ...


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class _Names:
    """deduce's first-name and surname lists, looked up in any case, minus common words."""

    def __init__(self, d) -> None:
        from spacy.lang.nl.stop_words import STOP_WORDS

        ls = d.lookup_structs
        self.first, self.sur = ls["first_name"], ls["surname"]
        self.interfix = {x.lower() for x in ls["interfix"]}
        self.interfix_sur = ls["interfix_surname"]
        self.common = ({w.lower() for w in ls["common_word"]} | {w.lower() for w in
                       ls["stop_word"]} | set(STOP_WORDS))
        self.whitelist = ls["whitelist"]
        self.common |= _NOT_NAMES

    def _word(self, w: str) -> bool:
        low = w.lower()
        return low not in self.common and low not in self.whitelist and len(w) > 1

    def is_first(self, w: str) -> bool:
        return self._word(w) and [w[:1].upper() + w[1:].lower()] in self.first

    def surname_len(self, words: list[str]) -> int:
        """How many of ``words`` (from the start) form a surname, 0 if none."""
        if not words:
            return 0
        cap = [w[:1].upper() + w[1:].lower() for w in words]
        for n in (3, 2):  # "van der Berg", "de Vries"
            if len(words) >= n and " ".join(words[: n - 1]).lower() in self.interfix and (
                    cap[n - 1] in self.interfix_sur or [cap[n - 1]] in self.sur):
                return n
        if words[0].lower() not in self.common and [cap[0]] in self.sur:
            return 1
        return 0

    def find(self, text: str) -> bool:
        words = _WORD.findall(text)
        for i, w in enumerate(words[:-1]):
            if self.is_first(w) and self.surname_len(words[i + 1: i + 4]):
                return True
        for m in _NAME_INTRO.finditer(text):
            w = m.group(1)
            if self.is_first(w) or (self._word(w) and self.surname_len([w])):
                return True
        return any(self.is_first(m.group(1)) for m in _IK_BEN.finditer(text))


def _plate(m: re.Match) -> bool:
    groups = m.groups()
    homogeneous = all(g.isalpha() or g.isdigit() for g in groups)
    alternating = all(a.isalpha() != b.isalpha() for a, b in zip(groups, groups[1:], strict=False))
    letters = sum(g.isalpha() for g in groups)
    return (homogeneous and len("".join(groups)) == 6 and 0 < letters < 3
            and (alternating or letters == 2))


def _school(m: re.Match) -> bool:
    """A school name: a non-generic word right before the school word (or two school words,
    ``montessori college``), with a town (``in Leiden``) or, capitalised, a town right after
    (``Christelijk Lyceum Zeist``)."""
    before = m.group(1).split()
    after, town = m.group(2) or "", m.group(3) or ""
    adjacent = before[-1] if before else ""
    named = adjacent.lower() not in _SCHOOL_GENERIC or re.fullmatch(_SCHOOL_TYPES, after, _I)
    if not named:
        return False
    if town and town.lower() not in _SCHOOL_GENERIC and town.lower() not in _TOWN_NOT:
        return True
    return adjacent[:1].isupper() and after[:1].isupper()


def pattern_kinds(text: str) -> set[str]:
    """Identifiers found by the regular expressions alone (no deduce)."""
    kinds: set[str] = set()
    if _IBAN.search(text):
        kinds.add("iban")
    text = _IBAN.sub(lambda m: " " * len(m.group()), text)
    for m in _PHONE.finditer(text):
        if not _SERVICE_NUMBER.match(m.group().lstrip("+")):
            kinds.add("phone")
    if _EMAIL.search(text) or _EMAIL_SPACED.search(text):
        kinds.add("email")
    no_mail = _EMAIL_SPACED.sub(" ", _EMAIL.sub(" ", text))
    if _HANDLE_AT.search(no_mail) or any(
            re.search(r"[\d_.]", m.group(1)) and not m.group(1).endswith(".")
            for m in _PLATFORM_NAME.finditer(no_mail)):
        kinds.add("handle")
    if _STREET.search(text) or _POSTCODE.search(text):
        kinds.add("address")
    if any(_plate(m) for m in _PLATE.finditer(text)):
        kinds.add("licence_plate")
    if any(_school(m) for m in _SCHOOL.finditer(text)):
        kinds.add("school")
    if _BIRTH_DATE.search(text):
        kinds.add("birth_date")
    return kinds


class PiiChecker:
    """Checks conversations for direct identifiers; deduce is loaded on first use."""

    def __init__(self, progress=_stderr) -> None:
        self.progress = progress  # called with a message before the slow deduce load
        self._names: _Names | None = None

    def _deduce(self):
        if _DEDUCE is None and self.progress is not None:
            self.progress("loading the de-identification model (deduce); the first time "
                          "takes a minute or two ...")
        d = _deduce()
        if self._names is None:
            self._names = _Names(d)
        return d

    def check_text(self, text: str) -> list[str]:
        """The blocking kinds found in one message."""
        if not text.strip():
            return []
        masked = _PLACEHOLDER.sub(lambda m: " " * len(m.group()), text)
        kinds = pattern_kinds(masked)
        masked = _IBAN.sub(lambda m: " " * len(m.group()), masked)  # not a phone number
        d = self._deduce()
        assert self._names is not None
        if self._names.find(masked):
            kinds.add("person_name")
        for ann in d.deidentify(masked).annotations:
            kind = _classify(ann.tag, ann.text)
            if kind:
                kinds.add(kind)
        if _EMAIL.search(masked):
            kinds.add("email")
        for m in _SCHEME_URL.finditer(masked):
            if not _public_url(m.group()) and "@" not in m.group():
                kinds.add("url")
        return sorted(kinds)

    def check(self, conversation_id: str, turns: Sequence[dict]) -> PiiReport:
        report = PiiReport(conversation_id)
        for i, turn in enumerate(turns):
            for kind in self.check_text(turn.get("text", "")):
                report.findings.append(Finding(kind, i))
        return report
