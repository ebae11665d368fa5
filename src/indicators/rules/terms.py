"""Terms of the pattern files: how a written term matches normalised tokens.

- ``woon``: one token whose normalised form is exactly ``woon``;
- ``/(moeder|vader)/``: one of these words (a set look-up);
- ``naakt*``: one token starting with ``naakt``; ``*fotos``: ending with ``fotos``;
- ``/1[0-3]/``: one token fully matching the regular expression;
- several tokens separated by spaces: a sequence; ``...`` between tokens allows a gap of up
  to five tokens (``zet ... online``).

Terms are normalised with the same function as the text (``indicators.rules.normalise.Normalizer``), so
a term is written as a chat writer would write it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass


class PatternError(ValueError):
    """A pattern file is invalid; the message names the file (and entry)."""


@dataclass(frozen=True)
class TokenSpec:
    kind: str  # exact | words | prefix | suffix | regex | gap
    value: str  # words: the regular expression as written, "(moeder|vader)"
    words: frozenset[str] = frozenset()  # words: a regex that is a plain list of words

    def matches(self, norm: str) -> bool:
        if self.kind == "exact":
            return norm == self.value
        if self.kind == "words":
            return norm in self.words
        if self.kind == "prefix":
            return norm.startswith(self.value)
        if self.kind == "suffix":
            return norm.endswith(self.value)
        if self.kind == "regex":
            return _regex(self.value).fullmatch(norm) is not None
        return False


_REGEX_CACHE: dict[str, re.Pattern] = {}
_WORD_LIST = re.compile(r"\(?((?:[a-z0-9']+)(?:\|[a-z0-9']+)*)\)?")


def _regex(src: str) -> re.Pattern:
    r = _REGEX_CACHE.get(src)
    if r is None:
        r = _REGEX_CACHE[src] = re.compile(src)
    return r


@dataclass(frozen=True)
class Term:
    concept: str
    text: str  # as written in the file
    tokens: tuple[TokenSpec, ...]


def parse_term(raw: str, concept: str, where: str,
               normalize: Callable[[str], str] = str.lower) -> Term:
    raw = str(raw).strip()
    if not raw:
        raise PatternError(f"{where}: empty term in concept {concept!r}")
    specs: list[TokenSpec] = []
    for part in raw.split():
        if part == "...":
            if not specs:
                raise PatternError(f"{where}: term {raw!r} cannot start with '...'")
            specs.append(TokenSpec("gap", "5"))
        elif part.startswith("/") != (part.endswith("/") and len(part) > 1):
            raise PatternError(
                f"{where}: term {raw!r}: a /regex/ token must start and end with '/' "
                "and contain no spaces"
            )
        elif len(part) > 2 and part.startswith("/") and part.endswith("/"):
            body = part[1:-1]
            words = _WORD_LIST.fullmatch(body)
            if words and body.startswith("(") == body.endswith(")"):
                # /(moeder|vader)/ is a set look-up, not a regular expression
                specs.append(TokenSpec("words", part[1:-1],
                                       frozenset(words.group(1).split("|"))))
                continue
            try:
                _regex(part[1:-1])
            except re.error as e:
                raise PatternError(f"{where}: bad regular expression in term {raw!r}: {e}") from e
            specs.append(TokenSpec("regex", part[1:-1]))
        elif part.endswith("*") and len(part) > 1:
            specs.append(TokenSpec("prefix", normalize(part[:-1])))
        elif part.startswith("*") and len(part) > 1:
            specs.append(TokenSpec("suffix", normalize(part[1:])))
        else:
            specs.append(TokenSpec("exact", normalize(part)))
    if specs[-1].kind == "gap":
        raise PatternError(f"{where}: term {raw!r} cannot end with '...'")
    return Term(concept, raw, tuple(specs))




def as_list(v, where: str, key: str) -> tuple[str, ...]:
    if v is None:
        return ()
    if isinstance(v, str):
        return (v,)
    if not isinstance(v, list):
        raise PatternError(f"{where}: {key!r} must be a list")
    return tuple(str(x) for x in v)
