"""The code classifier: one scikit-learn estimator, :class:`StackedClassifier`.

``StackedClassifier().fit(X, Y)`` takes the frame of :mod:`.features` (one row per
conversation: its text views and the rule engine's view) and a 0/1 label matrix (one column
per code in ``codes``). It learns in two stages:

1. the text model, ``Pipeline([("features", build_features()), ("codes",
   CodeClassifiers())])``: TF-IDF of the text views only (so its mistakes are not the rules'
   mistakes) and one ``LogisticRegression(class_weight="balanced")`` per code. A code with
   fewer than ``min_positives`` positive conversations gets no model (rules only,
   ``fallback_``) and P_text(code) NaN;
2. the stacker, :class:`CodeStacker`: per code a small logistic regression over ``[rule
   proposes the code, logit P_text, both multiplied, rule score, vetoed by context or a
   "nee"]``. It learns how far to trust a rule hit the text model doubts and a text signal the
   rules missed; its output is P(code | rules, text).

Inside ``fit`` the stacker is trained on out-of-fold text probabilities
(:func:`sklearn.model_selection.cross_val_predict`, ``KFold(cv, shuffle=True,
random_state=random_state)``), never on probabilities of a model that saw the same row. The
same out-of-fold probabilities give each code's threshold on P_text (``thresholds_``,
:func:`choose_threshold`: the highest threshold whose recall reaches ``recall_target`` while
precision stays at or above ``precision_floor``; else the best recall above the floor; else
the best F1). The stacker's own out-of-fold probabilities decide the gate: a code whose
stacked F1 on the training data is more than ``gate_tolerance`` below the rules' F1 loses its
stacker (``gated_``; rules only), so a weak text model cannot overrule good rules.

``predict_proba(X)`` is P(code | rules, text) (NaN where a code has no stacker: the rules
decide), ``predict(X)`` the combined decision: a code where P >= 0.5, the rules' hit where P is
NaN. ``text_proba(X)`` is the text model alone (the "classifier" view of ``evaluate``, with
``thresholds_``).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_recall_curve
from sklearn.model_selection import KFold, cross_val_predict
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from .features import build_features, rule_view

MIN_POSITIVES = 3
PRECISION_FLOOR = 0.5
# the stacker of a code is dropped when its cross-validated F1 on the training data is more
# than this below the rules' F1. Learning curve on dev + test sets 1-5, micro F1 rules 0.908
# (then): without a gate combined is 0.877 at 52 training conversations (a weak text model
# overrules good rules), 0.911 at 104, 0.925 at 260; gating at any loss costs the larger sizes
# (0.906 at 104, 0.919 at 260); 0.05: 0.906, 0.911, 0.923.
GATE_TOLERANCE = 0.05
META_FEATURES = ("rule_hit", "logit_p_text", "rule_hit*logit_p_text", "rule_score", "vetoed")


def _check_y(Y, n_codes: int | None) -> np.ndarray:
    Y = np.asarray(Y, dtype=int)
    if Y.ndim != 2 or (n_codes is not None and Y.shape[1] != n_codes):
        raise ValueError("Y must be a 0/1 matrix with one column per code")
    return Y


class CodeClassifiers(ClassifierMixin, BaseEstimator):
    """One binary linear classifier per code over shared features (multilabel ``y``).

    ``classes_`` is the column index, as for scikit-learn's multilabel estimators, so
    ``cross_val_predict(..., method="predict_proba")`` keeps the (n, codes) matrix as it is.
    liblinear shuffles in the dual: ``random_state`` makes the fit repeatable.
    """

    def __init__(self, C: float = 4.0, min_positives: int = MIN_POSITIVES,
                 random_state: int = 0):
        self.C = C
        self.min_positives = min_positives
        self.random_state = random_state

    def fit(self, X, y):
        y = _check_y(y, None)
        base = LogisticRegression(C=self.C, class_weight="balanced", solver="liblinear",
                                  dual=True, max_iter=1000, random_state=self.random_state)
        self.estimators_ = []
        for j in range(y.shape[1]):
            col = y[:, j]
            pos = int(col.sum())
            if pos < self.min_positives or pos == len(col):
                self.estimators_.append(None)
            else:
                self.estimators_.append(clone(base).fit(X, col))
        self.classes_ = np.arange(y.shape[1])
        return self

    def _per_code(self, X, method: str) -> np.ndarray:
        check_is_fitted(self)
        out = np.full((X.shape[0], len(self.estimators_)), np.nan)
        for j, est in enumerate(self.estimators_):
            if est is not None:
                got = getattr(est, method)(X)
                out[:, j] = got[:, 1] if got.ndim == 2 else got
        return out

    def predict_proba(self, X) -> np.ndarray:
        """P(code) per row and code; NaN for codes without a model."""
        return self._per_code(X, "predict_proba")

    def decision_function(self, X) -> np.ndarray:
        return self._per_code(X, "decision_function")

    def predict(self, X) -> np.ndarray:
        return (np.nan_to_num(self.predict_proba(X), nan=0.0) >= 0.5).astype(int)


def stack_input(rules: np.ndarray, P: np.ndarray) -> np.ndarray:
    """The stacker's input, (n, codes * 4): per code rule hit, rule score, vetoed (``rules``
    from :func:`.features.rule_view`, (n, codes, 3)) and P_text (``P``, (n, codes))."""
    n, k = P.shape
    return np.concatenate([rules, P[:, :, None]], axis=2).reshape(n, k * 4)


def meta_features(Z_code: np.ndarray) -> np.ndarray:
    """Stacker features of one code from its (n, 4) block of :func:`stack_input`."""
    q = np.clip(np.nan_to_num(Z_code[:, 3], nan=0.5), 1e-4, 1 - 1e-4)
    logit = np.log(q / (1 - q))
    hit = Z_code[:, 0]
    return np.c_[hit, logit, hit * logit, Z_code[:, 1], Z_code[:, 2]]


class CodeStacker(ClassifierMixin, BaseEstimator):
    """Per code, a logistic regression over :func:`meta_features` (rules + text model).

    ``fit(Z, Y)`` with ``Z`` from :func:`stack_input`; codes with fewer than
    ``min_positives`` positives, or without text probabilities, get ``None`` and P(code) NaN
    (rules only).
    """

    def __init__(self, C: float = 1.0, min_positives: int = MIN_POSITIVES):
        self.C = C
        self.min_positives = min_positives

    @staticmethod
    def _blocks(Z) -> np.ndarray:
        Z = np.asarray(Z, dtype=float)
        return Z.reshape(Z.shape[0], -1, 4)

    def fit(self, Z, Y):
        B = self._blocks(Z)
        Y = _check_y(Y, B.shape[1])
        self.estimators_ = []
        for j in range(Y.shape[1]):
            y = Y[:, j]
            if np.isnan(B[:, j, 3]).all() or y.sum() < self.min_positives or y.sum() == len(y):
                self.estimators_.append(None)
                continue
            lr = LogisticRegression(C=self.C, max_iter=1000)
            self.estimators_.append(lr.fit(meta_features(B[:, j]), y))
        self.classes_ = np.arange(Y.shape[1])
        return self

    def predict_proba(self, Z) -> np.ndarray:
        check_is_fitted(self)
        B = self._blocks(Z)
        out = np.full(B.shape[:2], np.nan)
        for j, est in enumerate(self.estimators_):
            if est is not None and not np.isnan(B[:, j, 3]).all():
                out[:, j] = est.predict_proba(meta_features(B[:, j]))[:, 1]
        return out

    def predict(self, Z) -> np.ndarray:
        B = self._blocks(Z)
        return stacked_decision(B[:, :, 0] > 0, self.predict_proba(Z)).astype(int)


def stacked_decision(hit: np.ndarray, q: np.ndarray) -> np.ndarray:
    """The combination over many conversations (same shapes): a code where P(code | rules,
    text) >= 0.5; where P is NaN (no stacker), the rules decide."""
    hit = np.asarray(hit, dtype=bool)
    with np.errstate(invalid="ignore"):
        return np.where(np.isnan(q), hit, q >= 0.5)


def choose_threshold(y: np.ndarray, p: np.ndarray, recall_target: float = 0.9,
                     precision_floor: float = PRECISION_FLOOR) -> float:
    """Threshold on P(code) for a recall target above a precision floor (see module doc);
    midway to the next lower probability, which keeps the chosen rows and a margin for new
    ones."""
    ok = ~np.isnan(p)
    y, p = np.asarray(y)[ok], np.asarray(p)[ok]
    if y.sum() == 0 or len(p) == 0:
        return 0.5
    prec, rec, th = precision_recall_curve(y, p, drop_intermediate=False)
    prec, rec = prec[:-1], rec[:-1]  # the last point (recall 0) has no threshold
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(prec + rec > 0, 2 * prec * rec / (prec + rec), 0.0)
    feasible = prec >= precision_floor
    reach = feasible & (rec >= recall_target)
    if reach.any():
        i = np.flatnonzero(reach)[np.argmax(th[reach])]
    elif feasible.any():
        idx = np.flatnonzero(feasible)
        i = idx[np.lexsort((th[idx], rec[idx]))[-1]]
    else:
        i = np.lexsort((th, f1))[-1]
    best = th[i]
    lower = p[p < best]
    return float(best) if not len(lower) else float((best + lower.max()) / 2)


class StackedClassifier(ClassifierMixin, BaseEstimator):
    """Rules + text, per code (see the module doc). ``X``: the frame of
    :func:`.features.views`; ``Y``: (n, len(codes)) 0/1."""

    def __init__(self, codes=None, recall_target: float = 0.9,
                 precision_floor: float = PRECISION_FLOOR, cv: int = 5, random_state: int = 0,
                 word_ngrams: tuple[int, int] = (1, 2), char_ngrams: tuple[int, int] = (2, 5),
                 min_df: int = 2, C: float = 4.0, stacker_C: float = 1.0,
                 min_positives: int = MIN_POSITIVES, gate_tolerance: float = GATE_TOLERANCE):
        self.codes = codes
        self.recall_target = recall_target
        self.precision_floor = precision_floor
        self.cv = cv
        self.random_state = random_state
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.C = C
        self.stacker_C = stacker_C
        self.min_positives = min_positives
        self.gate_tolerance = gate_tolerance

    def _text_pipeline(self) -> Pipeline:
        feats = build_features(word_ngrams=tuple(self.word_ngrams),
                               char_ngrams=tuple(self.char_ngrams), min_df=self.min_df)
        return Pipeline([("features", feats),
                         ("codes", CodeClassifiers(C=self.C, min_positives=self.min_positives,
                                                   random_state=self.random_state))])

    def _folds(self, n: int) -> KFold:
        return KFold(max(2, min(self.cv, n)), shuffle=True, random_state=self.random_state)

    def fit(self, X, Y):
        # hundreds of tiny lbfgs fits (the stackers): BLAS threads only add overhead, about
        # ten times the fitting time on two busy cores (measured); results are the same
        with threadpool_limits(limits=1, user_api="blas"):
            return self._fit(X, Y)

    def _fit(self, X, Y):
        codes = list(self.codes) if self.codes is not None else None
        Y = _check_y(Y, None if codes is None else len(codes))
        self.codes_ = codes if codes is not None else [str(j) for j in range(Y.shape[1])]
        self.classes_ = np.arange(Y.shape[1])
        kf = self._folds(len(Y))
        text = self._text_pipeline()
        # out of fold: each row's P_text comes from a text model fitted without it
        P = cross_val_predict(text, X, Y, cv=kf, method="predict_proba")
        Z = stack_input(rule_view(X, self.codes_), P)
        stacker = CodeStacker(C=self.stacker_C, min_positives=self.min_positives)
        Q = cross_val_predict(stacker, Z, Y, cv=kf, method="predict_proba")
        self.stacker_ = clone(stacker).fit(Z, Y)
        self.gated_ = self._gate(Z, Q, Y)
        self.text_ = clone(text).fit(X, Y)
        ests = self.text_.named_steps["codes"].estimators_
        self.fallback_ = [c for c, e in zip(self.codes_, ests, strict=True) if e is None]
        self.thresholds_ = {
            c: choose_threshold(Y[:, j], P[:, j], self.recall_target, self.precision_floor)
            for j, c in enumerate(self.codes_) if c not in self.fallback_}
        gated = [self.codes_.index(c) for c in self.gated_]
        Q[:, gated] = np.nan
        self.oof_text_proba_, self.oof_proba_ = P, Q  # for the model card
        return self

    def _gate(self, Z, Q, Y) -> list[str]:
        """Drop the stacker of codes whose out-of-fold stacked F1 is more than
        ``gate_tolerance`` below the rules' F1 (both on the training data)."""
        hits = CodeStacker._blocks(Z)[:, :, 0] > 0
        gated = []
        for j, c in enumerate(self.codes_):
            if self.stacker_.estimators_[j] is None:
                continue
            y, hit = Y[:, j], hits[:, j]
            stacked = stacked_decision(hit, Q[:, j])
            if (f1_score(y, stacked, zero_division=1.0)
                    < f1_score(y, hit, zero_division=1.0) - self.gate_tolerance):
                self.stacker_.estimators_[j] = None
                gated.append(c)
        return gated

    # ------------------------------------------------------------------ predict
    def text_features(self, X):
        """The text model's TF-IDF features (the context model reads them too)."""
        check_is_fitted(self)
        return self.text_.named_steps["features"].transform(X)

    def text_proba(self, X) -> np.ndarray:
        """P_text(code), the text model alone, (n, codes); NaN for ``fallback_`` codes."""
        check_is_fitted(self)
        return self.text_.predict_proba(X)

    def proba(self, X) -> tuple[np.ndarray, np.ndarray]:
        """P_text and P(code | rules, text) at once (the latter NaN where no stacker)."""
        P = self.text_proba(X)
        return P, self.stacker_.predict_proba(stack_input(rule_view(X, self.codes_), P))

    def predict_proba(self, X) -> np.ndarray:
        """P(code | rules, text), (n, codes); NaN where a code has no stacker."""
        return self.proba(X)[1]

    def predict(self, X) -> np.ndarray:
        """The combined codes, (n, codes) 0/1: the stacker's, the rules' where it has none."""
        hit = rule_view(X, self.codes_)[:, :, 0] > 0
        return stacked_decision(hit, self.predict_proba(X)).astype(int)

    def sentence_scores(self, texts: list[str]) -> np.ndarray:
        """Each code's text-model decision value for single visitor sentences (evidence)."""
        from .features import sentence_frame

        feats = self.text_features(sentence_frame(texts))
        return self.text_.named_steps["codes"].decision_function(feats)

    def weights(self) -> dict:
        """Per code, the stacker's coefficients by meta feature (for the model card)."""
        check_is_fitted(self)
        return {c: None if e is None else
                dict(zip(("intercept", *META_FEATURES),
                         (round(float(v), 3) for v in (e.intercept_[0], *e.coef_[0])),
                         strict=True))
                for c, e in zip(self.codes_, self.stacker_.estimators_, strict=True)}


def label_matrix(convs, codes: list[str]) -> np.ndarray:
    return np.array([[int(c in set((cv.gold or {}).get("codes", []))) for c in codes]
                     for cv in convs], dtype=int).reshape(len(convs), len(codes))


class TrainedModel:
    """What ``indicators train`` saves: the fitted :class:`StackedClassifier`, the context
    model beside it (:mod:`.context_model`, or None) and metadata (name, versions)."""

    def __init__(self, classifier: StackedClassifier, context=None, meta: dict | None = None):
        self.classifier = classifier
        self.context = context
        self.meta = dict(meta or {})

    @property
    def codes(self) -> list[str]:
        return self.classifier.codes_

    @property
    def thresholds(self) -> dict[str, float]:
        return self.classifier.thresholds_

    @property
    def fallback(self) -> list[str]:
        return self.classifier.fallback_

    def context_probabilities(self, X) -> dict[str, list[dict[str, float]]]:
        if self.context is None or not self.context.kept_:
            return {}
        return self.context.predict_proba(self.classifier.text_features(X))

    def to_state(self, model_format: int) -> dict:
        return {"format": model_format, "classifier": self.classifier, "context": self.context,
                "meta": dict(self.meta)}

    @classmethod
    def from_state(cls, state: dict) -> TrainedModel:
        return cls(state["classifier"], state.get("context"), state["meta"])
