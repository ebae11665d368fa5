"""Train a classifier from confirmed annotations and/or gold JSONL; build its model card.

:func:`train` fits a :class:`.model.StackedClassifier` (its parameters from the caller: the
``train`` command sets recall target, precision floor and folds; tests pass a faster
estimator) and the context model beside it, and saves both with the card
(:mod:`.store`)."""

from __future__ import annotations

import datetime as dt
import platform
import time
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.metrics import precision_recall_fscore_support

from ..conversation import Conversation
from ..corpus import ReadReport, read_conversations
from ..rules.context_rules import VariableRule
from .context_model import ContextClassifier
from .features import views
from .model import StackedClassifier, TrainedModel, label_matrix, stacked_decision
from .store import MODEL_FORMAT, save_model

_NO_RULE = VariableRule("-")


def usable(conv: Conversation) -> str | None:
    """Why a record cannot train the model (None when it can)."""
    if conv.review is not None and (conv.review or {}).get("status") != "confirmed":
        return "review_not_confirmed"
    if conv.gold is None or not isinstance(conv.gold.get("codes"), list):
        return "no_codes"
    return None


def read_training(paths: list[Path], report: ReadReport | None = None
                  ) -> tuple[list[Conversation], Counter]:
    """Records that may train: no review or review.status == "confirmed", with gold codes."""
    report = report if report is not None else ReadReport()
    kept: list[Conversation] = []
    dropped: Counter = Counter()
    for conv in read_conversations(paths, "jsonl", report=report, with_gold=True):
        why = usable(conv)
        if why:
            dropped[why] += 1
        else:
            kept.append(conv)
    return kept, dropped


def prf(y: np.ndarray, pred: np.ndarray) -> dict:
    """Precision, recall and F1 of one code (sklearn.metrics), with the counts."""
    y, pred = np.asarray(y, dtype=bool), np.asarray(pred, dtype=bool)
    p, r, f, _ = precision_recall_fscore_support(y, pred, average="binary", zero_division=0.0)
    tp, fp, fn = int((pred & y).sum()), int((pred & ~y).sum()), int((~pred & y).sum())
    return {"precision": round(float(p), 4), "recall": round(float(r), 4),
            "f1": round(float(f), 4), "tp": tp, "fp": fp, "fn": fn, "support": tp + fn}


def micro(Y: np.ndarray, pred: np.ndarray) -> dict:
    """Micro precision, recall and F1 over the columns given (sklearn.metrics)."""
    p, r, f, _ = precision_recall_fscore_support(Y, pred, average="micro", zero_division=0.0)
    return {"precision": round(float(p), 4), "recall": round(float(r), 4),
            "f1": round(float(f), 4)}


def versions() -> dict[str, str]:
    import numpy
    import pandas
    import scipy
    import sklearn
    import skops

    return {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
            "skops": skops.__version__, "numpy": numpy.__version__, "scipy": scipy.__version__,
            "pandas": pandas.__version__}


def fit_conversations(engine, convs: list[Conversation], estimator: StackedClassifier, X,
                      sugs) -> TrainedModel:
    """A clone of ``estimator`` fitted on ``convs`` (their frame ``X`` and rule suggestions
    ``sugs``, from :func:`.features.views`), with the context model beside it."""
    codes = engine.codebook.annotatable_codes
    Y = label_matrix(convs, codes)
    clf = clone(estimator).set_params(codes=codes).fit(X, Y)
    context = fit_context(engine, clf, X, convs, sugs)
    return TrainedModel(clf, context, {
        "codebook_version": engine.codebook.version, "patterns_version": engine.ps.version})


def fit_context(engine, clf: StackedClassifier, X, convs: list[Conversation], sugs
                ) -> ContextClassifier | None:
    """A text model for the choice variables whose gold every training record has (number
    variables and duration classes stay with the rules)."""
    cb = engine.codebook
    variables = [v for v, var in cb.context.items() if not var.number
                 and not engine.ps.variables.get(v, _NO_RULE).classes
                 and all(v in ((c.gold or {}).get("context") or {}) for c in convs)]
    if not variables:
        return None
    multi = [v for v in variables if cb.context[v].multi]
    Y = {v: [c.gold["context"][v] or ([] if v in multi else "onbekend") for c in convs]
         for v in variables}
    rules = {v: [s.context[v]["value"] if s.context.get(v, {}).get("evidence") else None
                 for s in sugs] for v in variables}
    ctx = ContextClassifier(variables, multi, cv=clf.cv, random_state=clf.random_state)
    return ctx.fit(clf.text_features(X), Y, rules)


def describe(clf: StackedClassifier) -> dict:
    """The card's ``settings``: the estimator's parameters and what they mean."""
    params = {k: list(v) if isinstance(v, tuple) else v
              for k, v in clf.get_params().items() if k != "codes"}
    w, c = clf.word_ngrams, clf.char_ngrams
    return {**params, "min_positives": clf.min_positives,
            "features": f"text model: visitor word {w[0]}-{w[1]} + char_wb {c[0]}-{c[1]} "
                        f"TF-IDF, question+answer word {w[0]}-{w[1]} TF-IDF (min_df "
                        f"{clf.min_df}); stacker: rule hit, score and veto per code",
            "estimator": f"StackedClassifier: text LogisticRegression(class_weight='balanced', "
                         f"C={clf.C}, liblinear) per code; stacker LogisticRegression("
                         f"C={clf.stacker_C}) per code over rule hit, logit P_text (out of "
                         "fold), their product, rule score, vetoed"}


def train(engine, convs: list[Conversation], out_dir: str | Path, name: str | None = None,
          estimator: StackedClassifier | None = None, sources: list[str] | None = None,
          dropped: Counter | None = None) -> tuple[TrainedModel, dict]:
    """Train, write ``model.skops`` and the model card to ``out_dir``; returns model, card.

    ``estimator``: the (unfitted) classifier and its parameters; default
    ``StackedClassifier()``."""
    est = estimator if estimator is not None else StackedClassifier()
    if len(convs) < 2 * est.cv:
        raise ValueError(f"{len(convs)} training conversations is too few for {est.cv}-fold CV")
    t0 = time.perf_counter()
    out = Path(out_dir)
    name = name or out.name
    sugs, X = views(engine, convs)
    model = fit_conversations(engine, convs, est, X, sugs)
    model.meta["name"] = name
    clf = model.classifier
    codes = clf.codes_
    Y = label_matrix(convs, codes)
    rules = np.array([[c in s.codes for c in codes] for s in sugs], dtype=bool)
    oof = clf.oof_text_proba_
    classifier = np.zeros_like(rules)
    combined = rules.copy()
    per_code = {}
    for j, c in enumerate(codes):
        entry = {"positives": int(Y[:, j].sum()), "rules": prf(Y[:, j], rules[:, j])}
        if c in clf.thresholds_:
            t = clf.thresholds_[c]
            classifier[:, j] = np.nan_to_num(oof[:, j], nan=0.0) >= t
            combined[:, j] = stacked_decision(rules[:, j], clf.oof_proba_[:, j])
            entry.update(threshold=round(t, 4), classifier=prf(Y[:, j], classifier[:, j]),
                         combined=prf(Y[:, j], combined[:, j]))
        else:
            entry.update(threshold=None, classifier=None, combined=None,
                         note=f"fewer than {clf.min_positives} positives: rules only")
        per_code[c] = entry
    card = {
        "name": name,
        "format": MODEL_FORMAT,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "codebook_version": engine.codebook.version,
        "patterns_version": engine.ps.version,
        "engine": dict(engine.engine_info),
        "training": {"n_conversations": len(convs), "ids": [c.id for c in convs],
                     "files": sources or [], "dropped": dict(dropped or {}),
                     "positives": {c: int(Y[:, j].sum()) for j, c in enumerate(codes)}},
        "settings": describe(clf),
        "rules_only_codes": list(clf.fallback_),
        "thresholds": {c: round(t, 4) for c, t in clf.thresholds_.items()},
        "cv_metrics": {"codes": per_code, "micro": {
            k: micro(Y, P)
            for k, P in (("rules", rules), ("classifier", classifier), ("combined", combined))}},
        "stacker": clf.weights(),
        "stacker_gated": sorted(clf.gated_),
        "context_model": None if model.context is None else {
            "variables": list(model.context.estimators_),
            "kept": list(model.context.kept_),
            "gain": dict(model.context.gain_),
            "rule": "fills a variable the rules leave without evidence when P >= "
                    f"{model.context.min_proba}; kept only where that was right more often "
                    "than wrong out of fold (gain = right - wrong fills)"},
        "versions": versions(),
    }
    card["training_seconds"] = round(time.perf_counter() - t0, 2)
    save_model(model, out, card)
    return model, card
