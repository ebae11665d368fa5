"""The spaCy pipeline (blank ``nl`` + the chat normaliser) and the tokens the matcher reads.

The ``indicators_normalizer`` component gives every token its normalised chat spelling
(:mod:`.normalise`) as ``token.norm_``. :class:`Tokeniser` turns the Docs of a batch of turns
into :class:`~.match.TurnTokens` (norms, sentences, the opening words): all the matcher reads,
so a cached batch (:mod:`.tokencache`) needs no spaCy at all.
"""

# no `from __future__ import annotations`: spaCy validates factory signatures at run time

from collections.abc import Iterator

import spacy
from spacy.attrs import IDX, NORM, ORTH, SENT_START
from spacy.language import Language
from spacy.strings import hash_string
from spacy.tokens import Doc

from .match import TurnTokens, turn_tokens
from .normalise import Normalizer

SENTENCE_ENDS = (".", "!", "?", "\n", "…", "?!", "!?")
_END_ORTHS = frozenset(hash_string(c) for c in SENTENCE_ENDS)


@Language.factory("indicators_normalizer", default_config={"spelling": {}})
def make_normalizer(nlp: Language, name: str, spelling: dict):
    return ChatNormalizer(nlp, spelling)


class ChatNormalizer:
    """Gives the tokens of the pipeline the normalised chat spelling as ``token.norm_``.

    The norm belongs to the word, so it lives on the vocabulary's lexemes: the component
    sets it on every lexeme the vocabulary has, makes the vocabulary give it to every
    lexeme it makes from then on, and gives spaCy's tokenizer exceptions that set a norm
    themselves ours instead. A Doc then costs nothing more than tokenising. The spelling
    map is part of the pipeline's config, so the token cache's key changes with it.
    Sentences are not set here: :class:`Tokeniser` splits a turn (:func:`~.match.turn_tokens`)
    unless the pipeline sets sentences itself (a trained pipeline's parser)."""

    def __init__(self, nlp: Language, spelling: dict = None):
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


def build_nlp(model: str = None, spelling: dict = None) -> Language:
    """The default pipeline, or an installed spaCy pipeline (``--spacy-model``) with our normaliser.

    A trained pipeline keeps its own components; we add the normaliser first. Its parser (or
    senter) sets the sentences; :class:`Tokeniser` splits the others.
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


_ATTRS = [NORM, ORTH, IDX]
_WORD_ATTRS = [ORTH, IDX]  # the blank pipeline: a token's norm is its word's


class Tokeniser:
    """The :class:`~.match.TurnTokens` of turns, through a spaCy pipeline. Token attributes
    are read as arrays, what belongs to the word (punctuation, space, sentence end, length)
    once per distinct word: no spaCy Token or Span objects are made."""

    def __init__(self, nlp: Language):
        self.nlp = nlp
        # only a component besides the normaliser (a trained pipeline's parser) can set
        # sentences or give a token a norm other than its word's
        self.other_components = any(n != "indicators_normalizer" for n in nlp.pipe_names)
        self._strings: dict = {}  # NORM hash -> string
        # ORTH id -> (is punct, is space, ends a sentence, length, norm)
        self._lex: dict = {}

    def tokens(self, texts: list, batch_size: int = 256, n_process: int = 1
               ) -> Iterator[TurnTokens]:
        for doc in self.nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
            yield self.of(doc)

    def of(self, doc: Doc) -> TurnTokens:
        """A Doc's tokens: the sentences are the pipeline's where it sets them (a trained
        pipeline's parser), else :func:`~.match.turn_tokens` splits the turn."""
        if not len(doc):
            return turn_tokens([], [], [], {})
        starts = norms = None
        if self.other_components:
            norm_h, orth, idx = doc.to_array(_ATTRS).T.tolist()
            norms = self._strings_of(norm_h, doc)
            if doc.has_annotation("SENT_START"):
                starts = [i for i, v in enumerate(doc.to_array(SENT_START).tolist())
                          if v == 1 or not i]
        else:
            orth, idx = doc.to_array(_WORD_ATTRS).T.tolist()
        try:
            return turn_tokens(norms, orth, idx, self._lex, starts)
        except KeyError:  # a word not seen before
            for o in orth:
                if o not in self._lex:
                    lex = doc.vocab[o]
                    self._lex[o] = (lex.is_punct, lex.is_space, o in _END_ORTHS,
                                    len(lex.orth_), lex.norm_)
            return turn_tokens(norms, orth, idx, self._lex, starts)

    def _strings_of(self, hashes: list, doc: Doc) -> list:
        known = self._strings
        try:
            return [known[h] for h in hashes]
        except KeyError:
            strings = doc.vocab.strings
            for h in hashes:
                if h not in known:
                    known[h] = strings[h]
            return [known[h] for h in hashes]
