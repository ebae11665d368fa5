"""Rules only, classifier only and combined, side by side, never scored on training data.

When any evaluated conversation was in the model's training data (ids in the model card),
the saved model is not used for scoring: the evaluated conversations are split into ``cv``
folds (``KFold``, shuffled with the model's ``random_state``) and, per fold, a clone of the
saved estimator (same parameters; thresholds and stacker from its inner cross-validation) is
trained on the other folds and scores the held-out fold. The
model's other training conversations (read again from the files in its card, when they are
still there) that are not among the evaluated ones join every fold's training data, so the
fold models learn from as much as the saved model did, yet never from a scored conversation.
Otherwise the saved model scores all conversations directly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import KFold

from ..conversation import Conversation
from ..evaluation import Evaluation, evaluate_engine
from .combine import CombinedEngine, ModelSuggestion
from .features import views
from .store import load_model
from .training import fit_conversations, read_training


def overlap(convs: list[Conversation], card: dict) -> int:
    trained = set((card.get("training") or {}).get("ids") or [])
    return sum(c.id in trained for c in convs)


def other_training(card: dict, convs: list[Conversation]) -> tuple[list[Conversation], str]:
    """The model's training conversations that are not evaluated now, and a note on them."""
    ids = set((card.get("training") or {}).get("ids") or [])
    evaluated = {c.id for c in convs}
    files = [Path(f) for f in (card.get("training") or {}).get("files") or []]
    missing = [str(f) for f in files if not f.exists()]
    if not files or missing:
        return [], ("the model's other training files are not available "
                    f"({', '.join(missing) or 'none listed'}); folds train on the evaluated "
                    "conversations only") if ids - evaluated else ""
    extra, _ = read_training(files)
    seen: set[str] = set()
    kept = []
    for c in extra:
        if c.id in ids and c.id not in evaluated and c.id not in seen:
            seen.add(c.id)
            kept.append(c)
    return kept, (f"each fold also trains on {len(kept)} of the model's training "
                  "conversations that are not evaluated here" if kept else "")


def predict_all(engine, convs, rule_sugs, X, model_dir: str | Path, cv: int = 5
                ) -> tuple[dict[str, list], str | None]:
    """Suggestions per label ("classifier", "combined") and a note when cross-validated;
    ``rule_sugs`` and ``X``: the rule suggestions and frame of ``convs``."""
    model, card = load_model(model_dir, engine.codebook)
    n_overlap = overlap(convs, card)
    out: dict[str, list] = {"classifier": [None] * len(convs), "combined": [None] * len(convs)}
    note = None
    if n_overlap:
        extra, extra_note = other_training(card, convs)
        extra_sugs, X_extra = views(engine, extra)
        note = (f"cross-validated, {cv} folds, because {n_overlap} of the evaluated "
                "conversations were in the training data" + (f"; {extra_note}" if extra_note
                                                             else ""))
        est = model.classifier
        kf = KFold(max(2, min(cv, len(convs))), shuffle=True, random_state=est.random_state)
        for train, test in kf.split(np.zeros((len(convs), 1))):
            tr = [convs[i] for i in train] + extra
            fold_est = _unfitted(est, min(est.cv, len(tr) // 2))
            fold_model = fit_conversations(
                engine, tr, fold_est, _concat(X.iloc[train], X_extra),
                [rule_sugs[i] for i in train] + extra_sugs)
            _fill(engine, fold_model, card, convs, rule_sugs, X, test, out)
    else:
        _fill(engine, model, card, convs, rule_sugs, X, np.arange(len(convs)), out)
    return out, note


def _unfitted(est, cv: int):
    """A clone of the saved estimator (same parameters, not fitted), ``cv`` inner folds."""
    return clone(est).set_params(cv=cv)


def _concat(a, b):
    return pd.concat([a, b], ignore_index=True) if len(b) else a.reset_index(drop=True)


def _fill(engine, model, card, convs, rule_sugs, X, idx, out) -> None:
    sub = [convs[i] for i in idx]
    sub_sugs = [rule_sugs[i] for i in idx]
    ce = CombinedEngine(engine, model, card)
    X_sub = X.iloc[idx]
    for i, sents, s in zip(idx, X_sub["sentences"], ce.merge_all(sub, sub_sugs, X_sub),
                           strict=True):
        out["combined"][i] = s
        # the classifier alone: its text model's codes at their thresholds, no rule codes,
        # platforms or context values
        probs = s.model["scores"]
        alone = sorted(c for c, p in probs.items() if p >= model.thresholds[c])
        out["classifier"][i] = ModelSuggestion(
            conversation=s.conversation, codes=engine.codebook.with_derived(alone),
            platforms=[], evidence=ce.model_evidence(s.conversation, sents, alone, probs),
            scores={c: probs[c] for c in alone}, facts=list(s.facts), vetoed=dict(s.vetoed),
            engine=dict(s.engine), model=s.model)


def side_by_side(engine, convs: list[Conversation], model_dir: str | Path, cv: int = 5
                 ) -> list[Evaluation]:
    """Evaluations labelled "rules", "classifier" and "combined" (see module doc); the
    latter two carry a ``note`` on how they were scored (cross-validated or held out)."""
    rule_sugs, X = views(engine, convs)
    preds, note = predict_all(engine, convs, rule_sugs, X, model_dir, cv)
    results = [evaluate_engine(engine, convs, rule_sugs, "rules")]
    for label in ("classifier", "combined"):
        ev = evaluate_engine(engine, convs, preds[label], label)
        ev.note = note or ("held-out: none of the evaluated conversations were in the model's "
                           "training data; scored with the saved model")
        results.append(ev)
    return results
