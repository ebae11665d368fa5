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

import spacy
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

    def __call__(self, doc: Doc) -> Doc:
        norm = self.normalizer.normalize
        for tok in doc:
            tok.norm_ = norm(tok.text)
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
            nlp.add_pipe("sentencizer")
        return nlp
    nlp = spacy.blank("nl")
    nlp.add_pipe("indicators_normalizer", config={"spelling": dict(spelling or {})})
    nlp.add_pipe("sentencizer", config={"punct_chars": [".", "!", "?", "\n", "…", "?!", "!?"]})
    return nlp
