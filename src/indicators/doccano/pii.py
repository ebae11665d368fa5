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

Never blocking: ages (codes depend on them), dates, institutions, and anonymisation placeholders
such as ``[naam]``, ``[school]``, ``[stad]``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

BLOCKING_KINDS = ("person_name", "phone", "email", "address", "id_number", "url")

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


class PiiChecker:
    """Checks conversations for direct identifiers; deduce is loaded on first use."""

    def check_text(self, text: str) -> list[str]:
        """The blocking kinds found in one message."""
        if not text.strip():
            return []
        masked = _PLACEHOLDER.sub(lambda m: " " * len(m.group()), text)
        kinds = set()
        for ann in _deduce().deidentify(masked).annotations:
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
