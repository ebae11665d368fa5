"""How chat spelling is normalised, for the text and the pattern terms alike.

Chat text is messy (lowercase, missing accents, repeated letters, apostrophes dropped or
added). A word's normalised form is what patterns match, so "NAAKTFOTO'S", "naaktfotoos" and
"naaktfotós" all read ``naaktfotos``. The spaCy pipeline (:mod:`.pipeline`) gives its tokens
these norms; this module needs no spaCy.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_REPEAT = re.compile(r"(\w)\1{2,}")
_APOS = re.compile(r"[’'`´‘]")


@lru_cache(maxsize=200_000)
def _base(text: str) -> str:
    t = text.lower()
    if not t.isascii():  # an ASCII string has no accents to strip
        t = unicodedata.normalize("NFKD", t)
        t = "".join(ch for ch in t if not unicodedata.combining(ch))
    t = _APOS.sub("", t)
    return _REPEAT.sub(_twice, t)


def _twice(m: re.Match) -> str:
    return m.group(1) * 2  # what r"\1\1" gives, without compiling that template per call


class Normalizer:
    """Lowercase, strip accents and apostrophes, shorten letters repeated 3+ times to 2, then
    map chat spellings to the word (``spelling:`` in ``patterns/spelling.yaml``: mn -> mijn;
    ``m'n`` reads ``mn`` first, so one key serves both)."""

    def __init__(self, spelling: dict[str, str] | None = None):
        self.spelling = dict(spelling or {})
        odd = [k for k in self.spelling if _base(k) != k]
        if odd:
            raise ValueError(f"spelling: write the chat spellings normalised (lowercase, no "
                             f"accents or apostrophes): {sorted(odd)}")

    def normalize(self, text: str) -> str:
        t = _base(text)
        return self.spelling.get(t, t)


def normalize(text: str) -> str:
    """The normalisation without a spelling map (see :class:`Normalizer`)."""
    return _base(text)
