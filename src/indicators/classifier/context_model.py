"""Context variables the rules leave open, proposed by a text model.

Where a variable needs judgement across the conversation (who is chatting, the form, the
perpetrator, first disclosure, acute danger), the rules decide when they have evidence; when
they have none (``onbekend``, or only their default) a text model may propose a value, with its
probability. :class:`ContextClassifier` follows scikit-learn's estimator contract: parameters
in ``__init__``, ``fit(F, Y)`` with the text features ``F`` (the classifier's shared TF-IDF
features) and a label frame ``Y`` (one column per variable: a value id, or a list for
multi-choice variables), learned state with trailing underscores, ``predict_proba``.

Per single-choice variable a one-vs-rest logistic regression over the values seen at least
``min_count`` times (``onbekend`` is a value like any other); per multi-choice variable one
binary logistic regression per value. ``fit`` also decides, from out-of-fold predictions
(``cross_val_predict``), which variables the model may fill at all (``kept_``): only those where
filling the rules' gaps with the model's value (P >= ``min_proba``) was right more often than
it was wrong on the training data (for single choice: correct minus wrong guesses, including
guesses where gold is ``onbekend``; for multi choice: true minus false positives).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.multiclass import OneVsRestClassifier

UNKNOWN = "onbekend"


def _lr(random_state: int) -> LogisticRegression:
    """As for the codes: liblinear in the dual suits many sparse features and few rows (it
    shuffles: ``random_state`` makes the fit repeatable)."""
    return LogisticRegression(C=4.0, class_weight="balanced", solver="liblinear", dual=True,
                              max_iter=1000, random_state=random_state)


class ContextClassifier(BaseEstimator):
    def __init__(self, variables=None, multi=None, min_count: int = 3,
                 min_proba: float = 0.5, cv: int = 5, random_state: int = 0):
        self.variables = variables
        self.multi = multi
        self.min_count = min_count
        self.min_proba = min_proba
        self.cv = cv
        self.random_state = random_state

    # ------------------------------------------------------------------ fit
    def fit(self, F, Y: dict[str, list], rule_values: dict[str, list] | None = None):
        """``Y[var]``: gold per row; ``rule_values[var]``: what the rules said per row, or
        None where they had no evidence (used to decide ``kept_``)."""
        multi = set(self.multi or ())
        self.estimators_: dict[str, object] = {}
        self.kept_: list[str] = []
        self.gain_: dict[str, int] = {}
        for var in self.variables or list(Y):
            y = Y[var]
            if var in multi:
                est = self._fit_multi(F, y)
            else:
                est = self._fit_single(F, y)
            if est is None:
                continue
            self.estimators_[var] = est
            if rule_values is not None:
                gain = self._gain(F, var, y, rule_values[var], var in multi)
                self.gain_[var] = gain
                if gain > 0:
                    self.kept_.append(var)
        return self

    def _fit_single(self, F, y: list[str]):
        values, counts = np.unique(np.asarray(y, dtype=object).astype(str), return_counts=True)
        if (counts >= self.min_count).sum() < 2:
            return None
        keep = np.isin(np.asarray(y, dtype=str), values[counts >= self.min_count])
        return OneVsRestClassifier(_lr(self.random_state)).fit(
            F[keep], np.asarray(y, dtype=str)[keep])

    def _fit_multi(self, F, y: list[list[str]]):
        values = sorted({v for row in y for v in row})
        out = {}
        for v in values:
            col = np.array([int(v in row) for row in y])
            if self.min_count <= col.sum() < len(col):
                out[v] = _lr(self.random_state).fit(F, col)
        return out or None

    def _folds(self, labels) -> StratifiedKFold:
        _, counts = np.unique(labels, return_counts=True)
        k = max(2, min(self.cv, int(counts.min())))
        return StratifiedKFold(n_splits=k, shuffle=True, random_state=self.random_state)

    def _gain(self, F, var: str, y, rules: list, multi: bool) -> int:
        """Right minus wrong fills of the rules' gaps, out of fold."""
        open_rows = [i for i, r in enumerate(rules) if r is None]
        if not open_rows:
            return 0
        if multi:
            gain = 0
            for v, est in self.estimators_[var].items():
                col = np.array([int(v in row) for row in y])
                p = cross_val_predict(clone(est), F, col, cv=self._folds(col),
                                      method="predict_proba")[:, 1]
                for i in open_rows:
                    if p[i] >= self.min_proba:
                        gain += 1 if col[i] else -1
            return gain
        est = self.estimators_[var]
        labels = np.asarray(y, dtype=str)
        keep = np.isin(labels, est.classes_)
        idx = np.flatnonzero(keep)
        p = cross_val_predict(clone(est), F[keep], labels[keep], cv=self._folds(labels[keep]),
                              method="predict_proba")
        classes = est.classes_
        pos = {i: k for k, i in enumerate(idx)}
        gain = 0
        for i in open_rows:
            if i not in pos:  # a rare gold value the model never sees: any fill is wrong
                continue
            row = p[pos[i]]
            best = classes[int(np.argmax(row))]
            if best != UNKNOWN and row.max() >= self.min_proba:
                gain += 1 if best == labels[i] else -1
        return gain

    # ------------------------------------------------------------------ predict
    def predict_proba(self, F) -> dict[str, list[dict[str, float]]]:
        """Per kept variable, per row: {value: P} (single choice: over its values; multi
        choice: P(value) per value)."""
        out: dict[str, list[dict[str, float]]] = {}
        for var in self.kept_:
            est = self.estimators_[var]
            if isinstance(est, dict):
                cols = {v: e.predict_proba(F)[:, 1] for v, e in est.items()}
                out[var] = [{v: float(cols[v][i]) for v in cols} for i in range(F.shape[0])]
            else:
                p = est.predict_proba(F)
                out[var] = [dict(zip(est.classes_.tolist(), map(float, row), strict=True))
                            for row in p]
        return out

    def fill(self, var: str, probs: dict[str, float], multi: bool):
        """The value the model proposes for an open variable, with its probability, or None."""
        if multi:
            values = sorted(v for v, p in probs.items() if p >= self.min_proba)
            return (values, min(probs[v] for v in values)) if values else None
        best = max(probs, key=probs.get)
        if best == UNKNOWN or probs[best] < self.min_proba:
            return None
        return best, probs[best]
