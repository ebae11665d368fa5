"""Features for the code classifier: chat text views plus the rule engine's hits.

One row per conversation, as a :class:`pandas.DataFrame` (:data:`COLUMNS`):

- ``visitor``: the visitor's turns joined with newlines;
- ``qa``: each counsellor question joined with the visitor's next answer (``"q || a"``), so
  a bare "ja" carries the question it confirms;
- ``rule_scores``: the rule engine's score per code it proposes (``Suggestion.scores``);
- ``vetoed``: the codes a "nee" to a matching question vetoed (``Suggestion.vetoed``).

The rule columns come once per conversation from the (data-independent) rule engine; the
text views are vectorised by :func:`build_features` inside the text model, the rule columns
are read by the stacker (:func:`rule_view`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer

from ..conversation import COUNSELLOR, VISITOR, Conversation
from ..engine import Suggestion

COLUMNS = ("visitor", "qa", "rule_scores", "vetoed")
_SENT = re.compile(r"[^.!?\n]+[.!?]*", re.UNICODE)


def visitor_text(conv: Conversation) -> str:
    return "\n".join(t.text for t in conv.turns if t.speaker == VISITOR)


def question_answers(conv: Conversation) -> str:
    """Counsellor questions joined with the visitor's next turn, one pair per line."""
    pairs = []
    turns = conv.turns
    for i, t in enumerate(turns):
        if t.speaker != COUNSELLOR or "?" not in t.text:
            continue
        nxt = next((u for u in turns[i + 1:] if u.speaker == VISITOR), None)
        if nxt is not None:
            pairs.append(f"{t.text} || {nxt.text}")
    return "\n".join(pairs)


def rule_view(X, codes: list[str]) -> np.ndarray:
    """(n, codes, 3): rule hit, rule score and vetoed flag per code, from the rule columns."""
    out = np.zeros((len(X), len(codes), 3))
    for i, (scores, vetoed) in enumerate(zip(X["rule_scores"], X["vetoed"], strict=True)):
        for j, c in enumerate(codes):
            score = scores.get(c)
            out[i, j] = (score is not None, score or 0.0, c in vetoed)
    return out


def frame(convs: Iterable[Conversation], sugs: Iterable[Suggestion]) -> pd.DataFrame:
    """The feature frame for conversations and their rule suggestions (same order)."""
    rows = [
        {"visitor": visitor_text(c), "qa": question_answers(c),
         "rule_scores": {k: float(v) for k, v in s.scores.items()},
         "vetoed": sorted(s.vetoed)}
        for c, s in zip(convs, sugs, strict=True)
    ]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def sentence_frame(texts: list[str]) -> pd.DataFrame:
    """Rows for single visitor sentences (evidence scoring): text only, no rule features."""
    return pd.DataFrame({"visitor": texts, "qa": [""] * len(texts),
                         "rule_scores": [{} for _ in texts], "vetoed": [[] for _ in texts]},
                        columns=list(COLUMNS))


def visitor_sentences(conv: Conversation) -> list[tuple[int, int, int, str]]:
    """(turn, start, end, text) for each visitor sentence."""
    out = []
    for i, t in enumerate(conv.turns):
        if t.speaker != VISITOR:
            continue
        for m in _SENT.finditer(t.text):
            s = m.group(0)
            lead = len(s) - len(s.lstrip())
            s = s.strip()
            if len(s) >= 3:
                out.append((i, m.start() + lead, m.start() + lead + len(s), s))
    return out


class CompactTfidfVectorizer(TfidfVectorizer):
    """A TfidfVectorizer that saves its vocabulary as one array of terms, not a dict.

    skops writes a dict entry by entry into its JSON schema: 33,000 n-grams made a 30 MB
    schema whose parsing took seconds and left some 200 MB of heap in every process that
    loaded the model. As an array of terms (index order) it is one small .npy file.
    """

    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: never strip the live estimator
        vocab = state.pop("vocabulary_", None)
        if vocab is not None:
            terms = sorted(vocab, key=vocab.__getitem__)
            state["vocabulary_terms_"] = np.array(terms, dtype=str)
        return state

    def __setstate__(self, state):
        state = dict(state)
        terms = state.pop("vocabulary_terms_", None)
        if terms is not None:
            state["vocabulary_"] = {str(t): i for i, t in enumerate(terms.tolist())}
        super().__setstate__(state)


def build_features(word_ngrams: tuple[int, int] = (1, 2), char_ngrams: tuple[int, int] = (2, 5),
                   min_df: int = 2) -> ColumnTransformer:
    """Word and char_wb TF-IDF of the visitor's text and word TF-IDF of question/answer pairs.

    The rule engine's view stays out of these features: a text model that copies the rules
    makes the rules' mistakes (measured: its probabilities were low on almost every
    conversation the rules missed); the rules enter in the second stage, the stacker
    (:mod:`.model`)."""
    def tfidf(**kw) -> TfidfVectorizer:
        return CompactTfidfVectorizer(sublinear_tf=True, strip_accents="unicode",
                                      min_df=min_df, **kw)

    return ColumnTransformer(
        [
            ("visitor_words", tfidf(ngram_range=word_ngrams), "visitor"),
            ("visitor_chars", tfidf(analyzer="char_wb", ngram_range=char_ngrams,
                                    max_features=30000), "visitor"),
            ("qa_words", tfidf(ngram_range=word_ngrams), "qa"),
        ],
        sparse_threshold=1.0,
    )


def views(engine, convs: list[Conversation]) -> tuple[list[Suggestion], pd.DataFrame]:
    """The rule engine's suggestions for ``convs`` and their feature frame (same order)."""
    sugs = list(engine.suggest_many(convs))
    return sugs, frame(convs, sugs)
