"""The age as a span: find the suggested number in the text, read the number a coder marked.

doccano 1.8.4 has no number field, and a category per age (0-99) would bury the screen. So the age
is evidence like a code: a ``Leeftijd`` span on the words that state it. Push marks where the
machine's age stands; the coder moves or removes it; ``pull`` reads the number from the marked
text: digits (``16``, ``16-jarige``), a Dutch number word (``zestien``), or a birth year
(``2009``: the conversation's year minus it).
"""

from __future__ import annotations

import re

_UNITS = ["nul", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen"]
_TEENS = ["tien", "elf", "twaalf", "dertien", "veertien", "vijftien", "zestien", "zeventien",
          "achttien", "negentien"]
_TENS = {20: "twintig", 30: "dertig", 40: "veertig", 50: "vijftig", 60: "zestig",
         70: "zeventig", 80: "tachtig", 90: "negentig"}


def _words() -> dict[str, int]:
    out = {w: i for i, w in enumerate(_UNITS)} | {w: 10 + i for i, w in enumerate(_TEENS)}
    out["één"] = 1
    for tens, word in _TENS.items():
        out[word] = tens
        for unit in range(1, 10):
            joint = "ën" if _UNITS[unit].endswith("e") else "en"
            out[f"{_UNITS[unit]}{joint}{word}"] = tens + unit
            out[f"{_UNITS[unit]}en{word}"] = tens + unit
    return out


WORDS = _words()
_TOKEN = re.compile(r"\d+|[^\W\d_]+")


def _value(token: str, year: int | None) -> int | None:
    if token.isdigit():
        n = int(token)
        if len(token) == 4 and year and 1900 <= n <= year:
            return year - n  # a birth year
        return n if len(token) <= 2 else None
    return WORDS.get(token.lower())


def parse_number(text: str, year: int | None = None) -> int | None:
    """The number a marked span states, or None: digits first, then number words ("een" only
    when it is all the span says: "een meisje van 15" is 15)."""
    tokens = [m.group() for m in _TOKEN.finditer(text)]
    for pass_ in ("digits", "words"):
        for tok in tokens:
            if (pass_ == "digits") != tok.isdigit():
                continue
            if tok.lower() in ("een", "één") and len(tokens) > 1:
                continue
            n = _value(tok, year)
            if n is not None:
                return n
    return None


def find_number(text: str, value, start: int = 0, end: int | None = None,
                year: int | None = None) -> tuple[int, int] | None:
    """Offsets of the first token within ``text[start:end]`` that states ``value``."""
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    end = len(text) if end is None else end
    for m in _TOKEN.finditer(text, start, end):
        if _value(m.group(), year) == value:
            return m.start(), m.end()
    return None
