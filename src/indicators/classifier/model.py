"""The per-code classifier: one pipeline, one linear model per codebook code.

``Pipeline([("features", build_features()), ("codes", CodeClassifiers(codes))])`` takes the
feature frame of :mod:`.features` and a 0/1 label matrix (one column per annotatable code).
``CodeClassifiers`` fits one ``LogisticRegression(class_weight="balanced")`` per code on the
shared features; a code with fewer than ``min_positives`` positive conversations in the
training data gets no model (``None``: rules only) and its probability is reported as NaN.
``predict_proba`` returns an (n_conversations, n_codes) matrix of P(code), like
scikit-learn's multilabel estimators.

Thresholds per code come from cross-validated probabilities (:func:`cv_probabilities`):
:func:`choose_threshold` takes the highest threshold whose recall reaches the recall target
while precision stays at or above the precision floor (default 0.5); when the target cannot
be reached above the floor, the threshold with the best recall above the floor; when no
threshold keeps the floor, the one with the best F1.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.pipeline import Pipeline

from .features import build_features

MIN_POSITIVES = 3
PRECISION_FLOOR = 0.5


class CodeClassifiers(ClassifierMixin, BaseEstimator):
    """One binary linear classifier per code over shared features (multilabel ``y``)."""

    def __init__(self, codes=None, C: float = 4.0, min_positives: int = MIN_POSITIVES):
        self.codes = codes
        self.C = C
        self.min_positives = min_positives

    def _base(self) -> LogisticRegression:
        return LogisticRegression(C=self.C, class_weight="balanced", solver="liblinear",
                                  dual=True, max_iter=1000)

    def fit(self, X, y):
        y = np.asarray(y, dtype=int)
        codes = list(self.codes) if self.codes is not None else [str(i) for i in range(y.shape[1])]
        if y.ndim != 2 or y.shape[1] != len(codes):
            raise ValueError("y must have one column per code")
        self.codes_ = codes
        self.estimators_ = []
        for j in range(len(codes)):
            col = y[:, j]
            pos = int(col.sum())
            if pos < self.min_positives or pos == len(col):
                self.estimators_.append(None)
            else:
                self.estimators_.append(clone(self._base()).fit(X, col))
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X) -> np.ndarray:
        out = np.full((X.shape[0], len(self.codes_)), np.nan)
        for j, est in enumerate(self.estimators_):
            if est is not None:
                out[:, j] = est.predict_proba(X)[:, 1]
        return out

    def decision_function(self, X) -> np.ndarray:
        out = np.full((X.shape[0], len(self.codes_)), np.nan)
        for j, est in enumerate(self.estimators_):
            if est is not None:
                out[:, j] = est.decision_function(X)
        return out

    def predict(self, X) -> np.ndarray:
        p = self.predict_proba(X)
        return (np.nan_to_num(p, nan=0.0) >= 0.5).astype(int)


def build_pipeline(codes: list[str], small: bool = False, C: float = 4.0) -> Pipeline:
    """The pipeline; ``small`` uses narrow n-gram ranges (tests, learning curves)."""
    feats = build_features(word_ngrams=(1, 1), char_ngrams=(3, 4)) if small else build_features()
    return Pipeline([("features", feats), ("codes", CodeClassifiers(codes, C=C))])


def folds(n: int, k: int, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """K shuffled folds over ``n`` rows: (train, test) index arrays, disjoint and covering."""
    k = max(2, min(k, n))
    return list(KFold(k, shuffle=True, random_state=seed).split(np.zeros((n, 1))))


def cv_probabilities(pipe: Pipeline, X, Y: np.ndarray, k: int = 5, seed: int = 0) -> np.ndarray:
    """Out-of-fold P(code): each row is predicted by a pipeline fitted without it."""
    out = np.full(Y.shape, np.nan)
    for train, test in folds(len(Y), k, seed):
        fitted = clone(pipe).fit(X.iloc[train], Y[train])
        out[test] = fitted.predict_proba(X.iloc[test])
    return out


def choose_threshold(y: np.ndarray, p: np.ndarray, recall_target: float = 0.9,
                     precision_floor: float = PRECISION_FLOOR) -> float:
    """Threshold on P(code) for a recall target above a precision floor (see module doc)."""
    ok = ~np.isnan(p)
    y, p = np.asarray(y)[ok], p[ok]
    if y.sum() == 0 or len(p) == 0:
        return 0.5
    best = None  # (key, threshold)
    cands = np.unique(p)[::-1]  # high to low
    rows = []
    for t in cands:
        pred = p >= t
        tp = int((pred & (y == 1)).sum())
        prec = tp / pred.sum() if pred.sum() else 0.0
        rec = tp / y.sum()
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        rows.append((t, prec, rec, f1))
    feasible = [r for r in rows if r[1] >= precision_floor]
    reach = [r for r in feasible if r[2] >= recall_target]
    if reach:
        best = max(reach, key=lambda r: r[0])
    elif feasible:
        best = max(feasible, key=lambda r: (r[2], r[0]))
    else:
        best = max(rows, key=lambda r: (r[3], r[0]))
    # midway to the next lower probability keeps the chosen rows and a margin for new ones
    lower = p[p < best[0]]
    t = float(best[0]) if not len(lower) else float((best[0] + lower.max()) / 2)
    return t


@dataclass
class TrainedModel:
    """A fitted pipeline with its codes, thresholds and training metadata."""

    pipeline: Pipeline
    codes: list[str]
    thresholds: dict[str, float]
    fallback: list[str]  # codes without a model (rules only)
    meta: dict = field(default_factory=dict)

    def probabilities(self, X) -> np.ndarray:
        return self.pipeline.predict_proba(X)

    def to_state(self) -> dict:
        return {"pipeline": self.pipeline, "codes": list(self.codes),
                "thresholds": dict(self.thresholds), "fallback": list(self.fallback),
                "meta": dict(self.meta)}

    @classmethod
    def from_state(cls, state: dict) -> TrainedModel:
        return cls(state["pipeline"], list(state["codes"]), dict(state["thresholds"]),
                   list(state["fallback"]), dict(state["meta"]))


def label_matrix(convs, codes: list[str]) -> np.ndarray:
    return np.array([[int(c in set((cv.gold or {}).get("codes", []))) for c in codes]
                     for cv in convs], dtype=int).reshape(len(convs), len(codes))


def fit_model(X, Y: np.ndarray, codes: list[str], recall_target: float = 0.9,
              precision_floor: float = PRECISION_FLOOR, k: int = 5, small: bool = False,
              seed: int = 0) -> tuple[TrainedModel, np.ndarray]:
    """Fit on all rows; thresholds from ``k``-fold out-of-fold probabilities.

    Returns the model and the out-of-fold probabilities (for the card's CV metrics).
    """
    pipe = build_pipeline(codes, small=small)
    oof = cv_probabilities(pipe, X, Y, k=k, seed=seed)
    fitted = clone(pipe).fit(X, Y)
    ests = fitted.named_steps["codes"].estimators_
    fallback = [c for c, e in zip(codes, ests, strict=True) if e is None]
    thresholds = {c: choose_threshold(Y[:, j], oof[:, j], recall_target, precision_floor)
                  for j, c in enumerate(codes) if c not in fallback}
    return TrainedModel(fitted, codes, thresholds, fallback), oof
