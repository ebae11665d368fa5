"""The Dutch spaCy pipeline: blank ``nl`` + the chat normaliser, which also sets the sentences.

Chat text is messy (lowercase, missing accents, repeated letters, apostrophes dropped or
added). The ``indicators_normalizer`` component writes a normalised form to ``token.norm_``;
patterns match on that attribute, so "NAAKTFOTO'S", "naaktfotoos" and "naaktfotós" all read
``naaktfotos``.
"""

# no `from __future__ import annotations`: spaCy validates factory signatures at run time

import re
import unicodedata
from collections.abc import Iterable
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


SENTENCE_ENDS = (".", "!", "?", "\n", "…", "?!", "!?")


@Language.factory("indicators_normalizer",
                  default_config={"spelling": {}, "punct_chars": list(SENTENCE_ENDS)})
def make_normalizer(nlp: Language, name: str, spelling: dict, punct_chars: list | None):
    return ChatNormalizer(spelling, punct_chars)


class ChatNormalizer:
    """Sets ``token.norm_`` to the normalised chat spelling, and (unless ``punct_chars`` is
    None: a trained pipeline's parser finds the sentences) the sentence starts as spaCy's
    rule-based ``sentencizer`` sets them: a sentence ends after a token in ``punct_chars``,
    at the first token after it that is neither punctuation nor in ``punct_chars``
    (``tests/test_nlp.py`` checks that both give the same sentences). Tokens are read and
    written as arrays; the spelling map and ``punct_chars`` are part of the pipeline's
    config, so the Doc cache's key changes with them."""

    _OTHER, _END, _PUNCT = 0, 1, 2

    def __init__(self, spelling: dict | None = None,
                 punct_chars: Iterable[str] | None = SENTENCE_ENDS):
        self.normalizer = Normalizer(spelling)
        self.punct_chars = None if punct_chars is None else frozenset(punct_chars)
        self._strings = None
        self._of: dict[int, tuple[int, int]] = {}  # ORTH hash -> (NORM hash, kind)

    def _learn(self, orths: list[int], punct: list[int], strings) -> None:
        norm, ends = self.normalizer.normalize, self.punct_chars or ()
        for h, p in zip(orths, punct, strict=True):
            if h not in self._of:
                text = strings[h]
                kind = self._END if text in ends else self._PUNCT if p else self._OTHER
                self._of[h] = (strings.add(norm(text)), kind)

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if not n:
            return doc
        strings = doc.vocab.strings
        if strings is not self._strings:  # the cache holds hashes of one string store
            self._strings, self._of = strings, {}
        of = self._of
        orths, punct = doc.to_array([ORTH, IS_PUNCT]).T.tolist()
        try:
            got = [of[h] for h in orths]
        except KeyError:
            self._learn(orths, punct, strings)
            got = [of[h] for h in orths]
        if self.punct_chars is None:
            doc.from_array([NORM], numpy.asarray([g[0] for g in got], dtype="uint64"
                                                 ).reshape(-1, 1))
            return doc
        starts = [-1] * n
        starts[0] = 1
        seen_end = False
        for i, (_, k) in enumerate(got):
            if k == self._END:
                seen_end = True
            elif seen_end and k == self._OTHER:
                starts[i] = 1
                seen_end = False
        arr = numpy.empty((n, 2), dtype="uint64")
        arr[:, 0] = [g[0] for g in got]
        arr[:, 1] = numpy.asarray(starts, dtype="int64").view("uint64")  # -1: no start
        doc.from_array([NORM, SENT_START], arr)
        return doc


def build_nlp(model: str | None = None, spelling: dict[str, str] | None = None) -> Language:
    """The default pipeline, or an installed spaCy pipeline (``--spacy-model``) with our normaliser.

    A trained pipeline keeps its own components; we add the normaliser first, and it sets
    the sentences only when the pipeline has no parser, senter or sentencizer.
    """
    if model:
        try:
            nlp = spacy.load(model, exclude=["ner"])
        except OSError as e:
            raise ValueError(
                f"spaCy pipeline {model!r} is not installed (pip install it, or omit --spacy-model "
                "to use the blank Dutch pipeline)"
            ) from e
        own = nlp.has_pipe("parser") or nlp.has_pipe("senter") or nlp.has_pipe("sentencizer")
        nlp.add_pipe("indicators_normalizer", first=True,
                     config={"spelling": dict(spelling or {}),
                             "punct_chars": None if own else list(SENTENCE_ENDS)})
        return nlp
    nlp = spacy.blank("nl")
    nlp.add_pipe("indicators_normalizer", config={"spelling": dict(spelling or {})})
    return nlp
