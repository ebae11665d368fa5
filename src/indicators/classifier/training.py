"""Train a classifier from confirmed annotations and/or gold JSONL; build its model card."""

from __future__ import annotations

import datetime as dt
import platform
import time
from collections import Counter
from pathlib import Path

import numpy as np

from ..conversation import Conversation
from ..corpus import ReadReport, read_conversations
from ..rules.context_rules import VariableRule
from .combine import STACK_MARGIN
from .context_model import ContextClassifier
from .features import frame
from .model import PRECISION_FLOOR, TrainedModel, fit_model, label_matrix, stacked_decision
from .store import save_model

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
    tp = int((pred & (y == 1)).sum())
    fp = int((pred & (y == 0)).sum())
    fn = int((~pred & (y == 1)).sum())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
            "tp": tp, "fp": fp, "fn": fn, "support": tp + fn}


def versions() -> dict[str, str]:
    import numpy
    import pandas
    import scipy
    import sklearn
    import skops

    return {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
            "skops": skops.__version__, "numpy": numpy.__version__, "scipy": scipy.__version__,
            "pandas": pandas.__version__}


def fit_conversations(engine, convs: list[Conversation], recall_target: float = 0.9,
                      precision_floor: float = PRECISION_FLOOR, cv: int = 5,
                      small: bool = False, rule_sugs=None, seed: int = 0
                      ) -> tuple[TrainedModel, np.ndarray, np.ndarray, list]:
    """Fit a model on conversations; returns model, labels, out-of-fold P and rule suggestions."""
    codes = engine.codebook.annotatable_codes
    sugs = rule_sugs if rule_sugs is not None else list(engine.suggest_many(convs))
    X = frame(convs, sugs)
    Y = label_matrix(convs, codes)
    model, oof = fit_model(X, Y, codes, recall_target, precision_floor, k=cv, small=small,
                           seed=seed)
    model.context = fit_context(engine, model, X, convs, sugs, cv, seed)
    model.meta.update(codebook_version=engine.codebook.version,
                      patterns_version=engine.ps.version, recall_target=recall_target,
                      precision_floor=precision_floor, cv=cv, small=small, seed=seed)
    return model, Y, oof, sugs


def fit_context(engine, model: TrainedModel, X, convs: list[Conversation], sugs, cv: int,
                seed: int) -> ContextClassifier | None:
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
    return ContextClassifier(variables, multi, cv=cv, seed=seed).fit(model.features(X), Y, rules)


def train(engine, convs: list[Conversation], out_dir: str | Path, name: str | None = None,
          recall_target: float = 0.9, precision_floor: float = PRECISION_FLOOR, cv: int = 5,
          small: bool = False, sources: list[str] | None = None,
          dropped: Counter | None = None) -> tuple[TrainedModel, dict]:
    """Train, write ``model.skops`` and the model card to ``out_dir``; returns model, card."""
    if len(convs) < 2 * cv:
        raise ValueError(f"{len(convs)} training conversations is too few for {cv}-fold CV")
    t0 = time.perf_counter()
    out = Path(out_dir)
    name = name or out.name
    model, Y, oof, sugs = fit_conversations(engine, convs, recall_target, precision_floor, cv,
                                            small)
    model.meta["name"] = name
    codes = model.codes
    rules = np.array([[c in s.codes for c in codes] for s in sugs], dtype=bool)
    stacked = model.oof_stacked
    gated = set(getattr(model.stacker, "gated_", []) or [])
    per_code = {}
    for j, c in enumerate(codes):
        entry = {"positives": int(Y[:, j].sum()), "rules": prf(Y[:, j], rules[:, j])}
        if c in model.thresholds:
            t = model.thresholds[c]
            pred = np.nan_to_num(oof[:, j], nan=0.0) >= t
            q = stacked[:, j] if c not in gated else np.full(len(Y), np.nan)
            entry.update(threshold=round(t, 4), classifier=prf(Y[:, j], pred),
                         combined=prf(Y[:, j], stacked_decision(rules[:, j], q)))
        else:
            entry.update(threshold=None, classifier=None, combined=None,
                         note="fewer than 3 positives: rules only")
        per_code[c] = entry
    def micro(key: str) -> dict:
        ms = [per_code[c][key] for c in codes if per_code[c].get(key)]
        tp, fp, fn = (sum(m[k] for m in ms) for k in ("tp", "fp", "fn"))
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4),
                "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}
    card = {
        "name": name,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "codebook_version": engine.codebook.version,
        "patterns_version": engine.ps.version,
        "engine": dict(engine.engine_info),
        "training": {"n_conversations": len(convs), "ids": [c.id for c in convs],
                     "files": sources or [], "dropped": dict(dropped or {}),
                     "positives": {c: int(Y[:, j].sum()) for j, c in enumerate(codes)}},
        "settings": {"recall_target": recall_target, "precision_floor": precision_floor,
                     "cv": cv, "min_positives": 3, "small_ngrams": small,
                     "features": "text model: visitor word 1-2 + char_wb 2-5 TF-IDF, "
                                 "question+answer word TF-IDF; stacker: rule hit, score and "
                                 "veto per code" if not small else
                                 "small: word 1-1, char_wb 3-4; stacker as usual",
                     "estimator": "text: LogisticRegression(class_weight='balanced', C=4, "
                                  "liblinear) per code; stacker: LogisticRegression(C=1) per "
                                  "code over rule hit, logit P_text, their product, rule "
                                  "score, vetoed",
                     "combine_default": f"stacked, margin {STACK_MARGIN}"},
        "rules_only_codes": model.fallback,
        "thresholds": {c: round(t, 4) for c, t in model.thresholds.items()},
        "cv_metrics": {"codes": per_code, "micro": {k: micro(k) for k in
                                                    ("rules", "classifier", "combined")}},
        "stacker": model.stacker.weights() if model.stacker is not None else None,
        "stacker_gated": sorted(gated),
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
