"""Features for the code classifier: chat text views plus the rule engine's view.

One row per conversation, as a :class:`pandas.DataFrame` (:data:`COLUMNS`), built by
:func:`views` from what the rule engine found while it analysed the conversation (its spaCy
sentences per turn and the questions its dialogue code recognises; no sentence splitting or
question finding of its own):

- ``visitor``: the visitor's turns joined with newlines;
- ``qa``: each counsellor turn's questions (the sentences the matcher marks as a question,
  check-back or summary, ``dialogue`` in ``patterns/context.yaml``: what the engine lets a
  "ja" confirm) joined with the visitor's next turn (``"q || a"``), so a bare "ja" carries
  the question it confirms;
- ``sentences``: (turn, start, end) of the visitor's sentences (the engine's), for the
  model's evidence;
- ``rule_scores``: the rule engine's score per code it proposes (``Suggestion.scores``);
- ``vetoed``: the codes a "nee" to a matching question vetoed (``Suggestion.vetoed``).

The rule columns come once per conversation from the (data-independent) rule engine; the
text views are vectorised by :func:`build_features` inside the text model, the rule columns
are read by the stacker (:func:`rule_view`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer

from ..conversation import COUNSELLOR, VISITOR, Conversation
from ..iterutils import batched
from ..suggestion import Suggestion

COLUMNS = ("visitor", "qa", "sentences", "rule_scores", "vetoed")
MIN_SENTENCE_CHARS = 3  # shorter visitor sentences ("ja", "ok") are no model evidence


def _span(text: str, start: int, end: int) -> tuple[int, int]:
    """A sentence's span without surrounding whitespace."""
    s = text[start:end]
    lead = len(s) - len(s.lstrip())
    return start + lead, start + lead + len(s.strip())


def row(conv: Conversation, sug: Suggestion, turns: Sequence) -> dict:
    """The frame row of one conversation from the engine's analysed ``turns`` (each with
    ``speaker``, ``text`` and the matcher's ``sentences``) and its rule suggestion."""
    pairs, sentences = [], []
    for i, t in enumerate(turns):
        if t.speaker == VISITOR:
            for s in t.sentences:
                a, b = _span(t.text, s.start_char, s.end_char)
                if b - a >= MIN_SENTENCE_CHARS:
                    sentences.append((i, a, b))
        elif t.speaker == COUNSELLOR:
            qs = [s for s in t.sentences if s.is_question or s.is_summary]
            answer = next((u for u in turns[i + 1:] if u.speaker == VISITOR), None)
            if qs and answer is not None:
                q = " ".join(t.text[slice(*_span(t.text, s.start_char, s.end_char))]
                             for s in qs)
                pairs.append(f"{q} || {answer.text}")
    return {"visitor": "\n".join(t.text for t in turns if t.speaker == VISITOR),
            "qa": "\n".join(pairs), "sentences": sentences,
            "rule_scores": {k: float(v) for k, v in sug.scores.items()},
            "vetoed": sorted(sug.vetoed)}


def views(engine, convs: Sequence[Conversation], batch_size: int = 64, n_process: int = 1
          ) -> tuple[list[Suggestion], pd.DataFrame]:
    """The rule engine's suggestions for ``convs`` and their frame (same order), from one
    analysis: ``engine.analyse`` (spaCy and the matcher) then ``engine.decide``, as the
    engine's own ``suggest_many`` does, so the suggestions are the same."""
    sugs, rows = [], []
    for batch in batched(convs, batch_size):
        for conv, turns in zip(batch, engine.analyse(batch, n_process=n_process), strict=True):
            sug = engine.decide(conv, turns)
            sugs.append(sug)
            rows.append(row(conv, sug, turns))
    return sugs, pd.DataFrame(rows, columns=list(COLUMNS))


def rule_view(X, codes: list[str]) -> np.ndarray:
    """(n, codes, 3): rule hit, rule score and vetoed flag per code, from the rule columns."""
    out = np.zeros((len(X), len(codes), 3))
    for i, (scores, vetoed) in enumerate(zip(X["rule_scores"], X["vetoed"], strict=True)):
        for j, c in enumerate(codes):
            score = scores.get(c)
            out[i, j] = (score is not None, score or 0.0, c in vetoed)
    return out


def sentence_frame(texts: list[str]) -> pd.DataFrame:
    """Rows for single visitor sentences (evidence scoring): text only, no rule features."""
    n = len(texts)
    return pd.DataFrame({"visitor": texts, "qa": [""] * n, "sentences": [[] for _ in texts],
                         "rule_scores": [{} for _ in texts], "vetoed": [[] for _ in texts]},
                        columns=list(COLUMNS))


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

