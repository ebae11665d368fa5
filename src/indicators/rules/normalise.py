"""The Dutch spaCy pipeline: blank ``nl`` + chat normaliser + sentences.

Chat text is messy (lowercase, missing accents, repeated letters, apostrophes dropped or
added). The ``indicators_normalizer`` component writes a normalised form to ``token.norm_``;
patterns match on that attribute, so "NAAKTFOTO'S", "naaktfotoos" and "naaktfotós" all read
``naaktfotos``.
"""

# no `from __future__ import annotations`: spaCy validates factory signatures at run time

import re
import unicodedata
from functools import lru_cache

import numpy
import spacy
from spacy.attrs import IS_PUNCT, NORM, ORTH, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

_REPEAT = re.compile(r"(\w)\1{2,}")
_APOS = re.compile(r"[’'`´‘]")


@lru_cache(maxsize=200_000)
def _base(text: str) -> str:
    t = text.lower()
    t = unicodedata.normalize("NFKD", t)
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    t = _APOS.sub("", t)
    return _REPEAT.sub(r"\1\1", t)


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


@Language.factory("indicators_normalizer", default_config={"spelling": {}})
def make_normalizer(nlp: Language, name: str, spelling: dict):
    return ChatNormalizer(spelling)


class ChatNormalizer:
    """Sets ``token.norm_`` to the normalised chat spelling (the map is part of the pipeline's
    config, so the Doc cache's key changes with it)."""

    def __init__(self, spelling: dict | None = None):
        self.normalizer = Normalizer(spelling)
        self._strings = None
        self._norm_of: dict[int, int] = {}

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        strings = doc.vocab.strings
        if strings is not self._strings:  # the cache holds hashes of one string store
            self._strings, self._norm_of = strings, {}
        norm_of = self._norm_of  # ORTH hash -> NORM hash
        orths = doc.to_array(ORTH).tolist()
        try:
            norms = [norm_of[h] for h in orths]
        except KeyError:
            norm = self.normalizer.normalize
            for h in orths:
                if h not in norm_of:
                    norm_of[h] = strings.add(norm(strings[h]))
            norms = [norm_of[h] for h in orths]
        doc.from_array([NORM], numpy.asarray(norms, dtype="uint64").reshape(-1, 1))
        return doc


SENTENCE_ENDS = (".", "!", "?", "\n", "…", "?!", "!?")


@Language.factory("indicators_sentencizer",
                  default_config={"punct_chars": list(SENTENCE_ENDS)})
def make_sentencizer(nlp: Language, name: str, punct_chars: list):
    return ChatSentencizer(punct_chars)


class ChatSentencizer:
    """Sentence starts as spaCy's rule-based ``sentencizer`` sets them, read and written as
    arrays: a sentence ends after a token in ``punct_chars``, at the first token after it
    that is neither punctuation nor in ``punct_chars`` (``tests/test_nlp.py`` checks that
    both give the same sentences)."""

    _OTHER, _END, _PUNCT = 0, 1, 2

    def __init__(self, punct_chars: list[str]):
        self.punct_chars = frozenset(punct_chars)
        self._strings = None
        self._kind: dict[int, int] = {}  # ORTH hash -> _OTHER / _END / _PUNCT

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if not n:
            return doc
        strings = doc.vocab.strings
        if strings is not self._strings:
            self._strings, self._kind = strings, {}
        kind = self._kind
        orths, punct = doc.to_array([ORTH, IS_PUNCT]).T.tolist()
        try:
            kinds = [kind[h] for h in orths]
        except KeyError:
            for h, p in zip(orths, punct, strict=True):
                if h not in kind:
                    kind[h] = (self._END if strings[h] in self.punct_chars
                               else self._PUNCT if p else self._OTHER)
            kinds = [kind[h] for h in orths]
        starts = [-1] * n
        starts[0] = 1
        seen_end = False
        for i, k in enumerate(kinds):
            if k == self._END:
                seen_end = True
            elif seen_end and k == self._OTHER:
                starts[i] = 1
                seen_end = False
        doc.from_array([SENT_START],  # -1 (no start) as spaCy stores it: unsigned
                       numpy.asarray(starts, dtype="int64").view("uint64").reshape(-1, 1))
        return doc


def build_nlp(model: str | None = None, spelling: dict[str, str] | None = None) -> Language:
    """The default pipeline, or an installed spaCy pipeline (``--spacy-model``) with our normaliser.

    A trained pipeline keeps its own components; we add the normaliser first and a
    sentencizer only if it has no parser or senter.
    """
    if model:
        try:
            nlp = spacy.load(model, exclude=["ner"])
        except OSError as e:
            raise ValueError(
                f"spaCy pipeline {model!r} is not installed (pip install it, or omit --spacy-model "
                "to use the blank Dutch pipeline)"
            ) from e
        nlp.add_pipe("indicators_normalizer", first=True,
                     config={"spelling": dict(spelling or {})})
        if not (nlp.has_pipe("parser") or nlp.has_pipe("senter") or nlp.has_pipe("sentencizer")):
            nlp.add_pipe("indicators_sentencizer")
        return nlp
    nlp = spacy.blank("nl")
    nlp.add_pipe("indicators_normalizer", config={"spelling": dict(spelling or {})})
    nlp.add_pipe("indicators_sentencizer")
    return nlp
