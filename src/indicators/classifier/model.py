"""The per-code classifier: a text model per code, then a per-code stacker with the rules.

Stage 1, the text model: ``Pipeline([("features", build_features()), ("codes",
CodeClassifiers(codes))])`` takes the feature frame of :mod:`.features` (text views only by
default, so its mistakes are not the rules' mistakes) and a 0/1 label matrix (one column per
annotatable code).
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

Stage 2, the stacker (:class:`CodeStacker`): per code a small logistic regression over the
rule engine's view of the conversation and the text model's out-of-fold probability:
``[rule proposes the code, logit P_text, both multiplied, rule score, vetoed by context or a
"nee"]``. It learns, from confirmed data, how far to trust a rule hit the text model doubts
and a text signal the rules missed; its output P(code | rules, text) drives the ``stacked``
combination (:mod:`.combine`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.pipeline import Pipeline

from .context_model import ContextClassifier
from .features import build_features

MIN_POSITIVES = 3
PRECISION_FLOOR = 0.5
# stacked: a rule code is dropped when P(code | rules, text) < 0.5 - STACK_MARGIN, a code the
# rules missed is added when it reaches 0.5 + STACK_MARGIN (0: the stacker decides alone)
STACK_MARGIN = 0.0
# the stacker of a code is dropped when its cross-validated F1 on the training data is more
# than this below the rules' F1 (CodeStacker.gate). Learning curve on dev + test sets 1-5,
# micro F1 rules 0.908 (then): without a gate combined is 0.877 at 52 training conversations (a weak
# text model overrules good rules), 0.911 at 104, 0.925 at 260; gating at any loss costs the
# larger sizes (0.906 at 104, 0.919 at 260); 0.05: 0.906, 0.911, 0.923.
GATE_TOLERANCE = 0.05


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


def build_pipeline(codes: list[str], small: bool = False, C: float = 4.0,
                   rule_features: bool = False) -> Pipeline:
    """The text pipeline; ``small`` uses narrow n-gram ranges (tests, learning curves);
    ``rule_features`` adds the rule hits to the text features (the stacker sees them anyway)."""
    kw = {"rule_features": rule_features}
    feats = (build_features(word_ngrams=(1, 1), char_ngrams=(3, 4), **kw) if small
             else build_features(**kw))
    return Pipeline([("features", feats), ("codes", CodeClassifiers(codes, C=C))])


META_FEATURES = ("rule_hit", "logit_p_text", "rule_hit*logit_p_text", "rule_score", "vetoed")


def rule_view(X, codes: list[str]) -> np.ndarray:
    """(n, codes, 3): rule hit, rule score and vetoed flag per code, from the frame's rules."""
    out = np.zeros((len(X), len(codes), 3))
    for i, feats in enumerate(X["rules"]):
        for j, c in enumerate(codes):
            score = feats.get(f"rule={c}")
            out[i, j] = (score is not None, score or 0.0, feats.get(f"vetoed={c}", 0.0))
    return out


def meta_features(rules: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Stacker inputs for one code: ``rules`` (n, 3) from :func:`rule_view`, ``p`` (n,)."""
    q = np.clip(np.nan_to_num(p, nan=0.5), 1e-4, 1 - 1e-4)
    logit = np.log(q / (1 - q))
    hit = rules[:, 0]
    return np.c_[hit, logit, hit * logit, rules[:, 1], rules[:, 2]]


class CodeStacker(BaseEstimator):
    """Per code, a logistic regression over :func:`meta_features` (rules + text model).

    ``fit(rules, P, Y)`` with ``rules`` from :func:`rule_view`, ``P`` the text model's
    out-of-fold probabilities and ``Y`` the labels; codes with fewer than ``min_positives``
    positives (or no text model) get ``None`` and P(code) NaN: rules only.
    """

    def __init__(self, codes=None, C: float = 1.0, min_positives: int = MIN_POSITIVES):
        self.codes = codes
        self.C = C
        self.min_positives = min_positives

    def fit(self, rules: np.ndarray, P: np.ndarray, Y: np.ndarray):
        Y = np.asarray(Y, dtype=int)
        self.codes_ = list(self.codes) if self.codes is not None else list(range(Y.shape[1]))
        self.estimators_ = []
        for j in range(Y.shape[1]):
            y, p = Y[:, j], P[:, j]
            if (np.isnan(p).all() or y.sum() < self.min_positives or y.sum() == len(y)):
                self.estimators_.append(None)
                continue
            lr = LogisticRegression(C=self.C, max_iter=1000)
            self.estimators_.append(lr.fit(meta_features(rules[:, j], p), y))
        return self

    def gate(self, rules: np.ndarray, P_oof: np.ndarray, Y: np.ndarray, k: int = 5,
             seed: int = 0, margin: float = STACK_MARGIN,
             tolerance: float = GATE_TOLERANCE, q: np.ndarray | None = None) -> list[str]:
        """Keep the stacker only for codes where it does at least as well as the rules.

        Per code, compares F1 of the rules with F1 of the stacked decision, both on the
        training data, the stacker's out-of-fold (:func:`cv_stacked`, on out-of-fold text
        probabilities). A code whose stacked F1 is more than ``tolerance`` lower loses its
        stacker (rules only); with little training data this keeps a weak text model from
        overruling good rules.
        ``q``: those out-of-fold stacker probabilities when already computed.
        Returns the gated codes (also in ``gated_``).
        """
        if q is None:
            q = cv_stacked(rules, P_oof, Y, self.codes_, k, seed)
        self.gated_ = []
        for j, c in enumerate(self.codes_):
            if self.estimators_[j] is None:
                continue
            hit = rules[:, j, 0] > 0
            y = Y[:, j] == 1
            if _f1(y, stacked_decision(hit, q[:, j], margin)) < _f1(y, hit) - tolerance:
                self.estimators_[j] = None
                self.gated_.append(c)
        return list(self.gated_)

    def predict_proba(self, rules: np.ndarray, P: np.ndarray) -> np.ndarray:
        out = np.full(P.shape, np.nan)
        for j, est in enumerate(self.estimators_):
            if est is not None and not np.isnan(P[:, j]).all():
                out[:, j] = est.predict_proba(meta_features(rules[:, j], P[:, j]))[:, 1]
        return out

    def weights(self) -> dict:
        """Per code, the stacker's coefficients by meta feature (for the model card)."""
        return {c: None if e is None else
                dict(zip(("intercept", *META_FEATURES),
                         (round(float(v), 3) for v in (e.intercept_[0], *e.coef_[0])),
                         strict=True))
                for c, e in zip(self.codes_, self.estimators_, strict=True)}


def stacked_decision(hit: np.ndarray, q: np.ndarray, margin: float = STACK_MARGIN
                     ) -> np.ndarray:
    """The ``stacked`` combination for one code over many conversations: a rule hit stays
    from P >= 0.5 - margin, a code the rules missed is added from 0.5 + margin; where P is
    NaN (no stacker), the rules decide."""
    hit = np.asarray(hit, dtype=bool)
    with np.errstate(invalid="ignore"):
        comb = np.where(hit, q >= 0.5 - margin, q >= 0.5 + margin)
    return np.where(np.isnan(q), hit, comb).astype(bool)


def _f1(y: np.ndarray, pred: np.ndarray) -> float:
    tp = int((y & pred).sum())
    denom = int(y.sum()) + int(pred.sum())
    return 2 * tp / denom if denom else 1.0


def cv_stacked(rules: np.ndarray, P_oof: np.ndarray, Y: np.ndarray, codes: list[str],
               k: int = 5, seed: int = 0) -> np.ndarray:
    """Out-of-fold stacker probabilities (on out-of-fold text probabilities)."""
    out = np.full(Y.shape, np.nan)
    for train, test in folds(len(Y), k, seed):
        st = CodeStacker(codes).fit(rules[train], P_oof[train], Y[train])
        out[test] = st.predict_proba(rules[test], P_oof[test])
    return out


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
    stacker: CodeStacker | None = None
    # the stacker's out-of-fold probabilities on the training data (for the model card;
    # not saved with the model)
    oof_stacked: np.ndarray | None = field(default=None, repr=False)
    context: ContextClassifier | None = None  # context values the rules leave open

    def features(self, X):
        """The shared text features the code models and the context model read."""
        return self.pipeline.named_steps["features"].transform(X)

    def context_probabilities(self, X) -> dict[str, list[dict[str, float]]]:
        if self.context is None or not self.context.kept_:
            return {}
        return self.context.predict_proba(self.features(X))

    def probabilities(self, X) -> np.ndarray:
        """P_text(code): the text model's probabilities, (n, codes)."""
        return self.pipeline.predict_proba(X)

    def stacked(self, X, P: np.ndarray | None = None) -> np.ndarray:
        """P(code | rules, text) from the stacker (NaN where a code has none)."""
        P = self.probabilities(X) if P is None else P
        if self.stacker is None:
            return np.full(P.shape, np.nan)
        return self.stacker.predict_proba(rule_view(X, self.codes), P)

    def to_state(self) -> dict:
        return {"pipeline": self.pipeline, "codes": list(self.codes),
                "thresholds": dict(self.thresholds), "fallback": list(self.fallback),
                "meta": dict(self.meta), "stacker": self.stacker, "context": self.context}

    @classmethod
    def from_state(cls, state: dict) -> TrainedModel:
        return cls(state["pipeline"], list(state["codes"]), dict(state["thresholds"]),
                   list(state["fallback"]), dict(state["meta"]), state.get("stacker"),
                   context=state.get("context"))


def label_matrix(convs, codes: list[str]) -> np.ndarray:
    return np.array([[int(c in set((cv.gold or {}).get("codes", []))) for c in codes]
                     for cv in convs], dtype=int).reshape(len(convs), len(codes))


def fit_model(X, Y: np.ndarray, codes: list[str], recall_target: float = 0.9,
              precision_floor: float = PRECISION_FLOOR, k: int = 5, small: bool = False,
              seed: int = 0) -> tuple[TrainedModel, np.ndarray]:
    """Fit on all rows; thresholds and the stacker from ``k``-fold out-of-fold probabilities.

    Returns the model and the out-of-fold text probabilities (for the card's CV metrics).
    """
    pipe = build_pipeline(codes, small=small)
    oof = cv_probabilities(pipe, X, Y, k=k, seed=seed)
    rv = rule_view(X, codes)
    stacker = CodeStacker(codes).fit(rv, oof, Y)
    q = cv_stacked(rv, oof, Y, codes, k, seed)
    stacker.gate(rv, oof, Y, q=q)
    fitted = clone(pipe).fit(X, Y)
    ests = fitted.named_steps["codes"].estimators_
    fallback = [c for c, e in zip(codes, ests, strict=True) if e is None]
    thresholds = {c: choose_threshold(Y[:, j], oof[:, j], recall_target, precision_floor)
                  for j, c in enumerate(codes) if c not in fallback}
    return TrainedModel(fitted, codes, thresholds, fallback, stacker=stacker,
                        oof_stacked=q), oof
