"""The Dutch spaCy pipeline: blank ``nl`` + the chat normaliser.

Chat text is messy (lowercase, missing accents, repeated letters, apostrophes dropped or
added). The ``indicators_normalizer`` component gives every token a normalised form as
``token.norm_``; patterns match on that attribute, so "NAAKTFOTO'S", "naaktfotoos" and
"naaktfotós" all read ``naaktfotos``.
"""

# no `from __future__ import annotations`: spaCy validates factory signatures at run time

import re
import unicodedata
from functools import lru_cache

import spacy
from spacy.attrs import NORM, ORTH
from spacy.language import Language
from spacy.tokens import Doc

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


@Language.factory("indicators_normalizer", default_config={"spelling": {}})
def make_normalizer(nlp: Language, name: str, spelling: dict):
    return ChatNormalizer(nlp, spelling)


class ChatNormalizer:
    """Gives the tokens of the pipeline the normalised chat spelling as ``token.norm_``.

    The norm belongs to the word, so it lives on the vocabulary's lexemes: the component
    sets it on every lexeme the vocabulary has, makes the vocabulary give it to every
    lexeme it makes from then on, and gives spaCy's tokenizer exceptions that set a norm
    themselves ours instead. A Doc then costs nothing more than tokenising. The spelling
    map is part of the pipeline's config, so the Doc cache's key changes with it.
    Sentences are not set here: the matcher splits a turn
    (:func:`~indicators.rules.match.sentence_starts`) unless the pipeline sets sentences
    itself (a trained pipeline's parser)."""

    def __init__(self, nlp: Language, spelling: dict | None = None):
        self.normalizer = Normalizer(spelling)
        norm = self.normalizer.normalize
        vocab = nlp.vocab
        vocab.lex_attr_getters[NORM] = norm  # lexemes made from now on
        for lex in vocab:  # ... and those made already (the tokenizer's exceptions)
            lex.norm_ = norm(lex.orth_)
        for key, tokens in (nlp.tokenizer.rules or {}).items():
            if any(NORM in t for t in tokens):
                nlp.tokenizer.add_special_case(
                    key, [{**t, NORM: norm(t[ORTH])} if NORM in t else t for t in tokens])

    def __call__(self, doc: Doc) -> Doc:
        return doc  # the norms come with the lexemes


def build_nlp(model: str | None = None, spelling: dict[str, str] | None = None) -> Language:
    """The default pipeline, or an installed spaCy pipeline (``--spacy-model``) with our normaliser.

    A trained pipeline keeps its own components; we add the normaliser first. Its parser (or
    senter) sets the sentences; the matcher splits the others.
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
        return nlp
    nlp = spacy.blank("nl")
    nlp.add_pipe("indicators_normalizer", config={"spelling": dict(spelling or {})})
    return nlp
