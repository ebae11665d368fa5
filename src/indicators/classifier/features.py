"""Features for the code classifier: chat text views plus the rule engine's hits.

One row per conversation, as a :class:`pandas.DataFrame` with three columns:

- ``visitor``: the visitor's turns joined with newlines;
- ``qa``: each counsellor question joined with the visitor's next answer (``"q || a"``), so
  a bare "ja" carries the question it confirms;
- ``rules``: a dict of rule-engine features: ``pattern=<id>`` and ``fact=<name>`` (1.0 for
  each pattern or fact that fired), ``rule=<code>`` (the rule score of each proposed code)
  and ``vetoed=<code>`` (a "nee" to a matching question).

The rule features are computed once per conversation with the (data-independent) rule
engine; the text views are vectorised by :func:`build_features` inside the pipeline.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer

from ..conversation import COUNSELLOR, VISITOR, Conversation
from ..suggestion import Suggestion

COLUMNS = ("visitor", "qa", "rules")
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


def rule_features(sug: Suggestion) -> dict[str, float]:
    feats: dict[str, float] = {}
    for e in sug.evidence:
        if e.source.startswith("pattern:"):
            key = "pattern=" + e.source.removeprefix("pattern:")
            feats[key] = max(feats.get(key, 0.0), float(e.score))
    for f in sug.facts:
        feats[f"fact={f}"] = 1.0
    for code, score in sug.scores.items():
        feats[f"rule={code}"] = float(score)
    for code in sug.vetoed:
        feats[f"vetoed={code}"] = 1.0
    return feats


def frame(convs: Iterable[Conversation], sugs: Iterable[Suggestion]) -> pd.DataFrame:
    """The feature frame for conversations and their rule suggestions (same order)."""
    rows = [
        {"visitor": visitor_text(c), "qa": question_answers(c), "rules": rule_features(s)}
        for c, s in zip(convs, sugs, strict=True)
    ]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def sentence_frame(texts: list[str]) -> pd.DataFrame:
    """Rows for single visitor sentences (evidence scoring): text only, no rule features."""
    return pd.DataFrame({"visitor": texts, "qa": [""] * len(texts),
                         "rules": [{} for _ in texts]}, columns=list(COLUMNS))


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
                   min_df: int = 2, rule_features: bool = False) -> ColumnTransformer:
    """Word and char_wb TF-IDF of the visitor's text, word TF-IDF of question/answer pairs,
    and (``rule_features``) the rule features.

    The default leaves the rule features out: a text model that copies the rules makes the
    rules' mistakes (measured: its probabilities were low on almost every conversation the
    rules missed); the rules enter in the second stage, the stacker (:mod:`.model`)."""
    def tfidf(**kw) -> TfidfVectorizer:
        return CompactTfidfVectorizer(sublinear_tf=True, strip_accents="unicode",
                                      min_df=min_df, **kw)

    return ColumnTransformer(
        [
            ("visitor_words", tfidf(ngram_range=word_ngrams), "visitor"),
            ("visitor_chars", tfidf(analyzer="char_wb", ngram_range=char_ngrams,
                                    max_features=30000), "visitor"),
            ("qa_words", tfidf(ngram_range=word_ngrams), "qa"),
            *([("rules", DictVectorizer(), "rules")] if rule_features else []),
        ],
        sparse_threshold=1.0,
    )
