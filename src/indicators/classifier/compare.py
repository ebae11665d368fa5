"""Rules only, classifier only and combined, side by side, never scored on training data.

When any evaluated conversation was in the model's training data (ids in the model card),
the saved model is not used for scoring: the evaluated conversations are split into ``cv``
folds and, per fold, a model with the card's settings is trained on the other folds (with
thresholds and stacker from an inner cross-validation) and scores the held-out fold. The
model's other training conversations (read again from the files in its card, when they are
still there) that are not among the evaluated ones join every fold's training data, so the
fold models learn from as much as the saved model did, yet never from a scored conversation.
Otherwise the saved model scores all conversations directly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..conversation import Conversation
from ..evaluation import Evaluation, evaluate
from .combine import DEFAULT_COMBINE, CombinedEngine
from .features import frame
from .model import folds
from .store import load_model
from .training import fit_conversations, read_training


def _score(engine, convs, sugs, label: str) -> Evaluation:
    ids = [p.id for p in engine.ps.patterns]
    targets = {p.id: (p.code or f"fact:{p.fact}") for p in engine.ps.patterns}
    return evaluate(list(zip(convs, sugs, strict=True)), engine.codebook, ids, targets, label)


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


def predict_all(engine, convs, rule_sugs, model_dir: str | Path, cv: int = 5,
                combine: str = DEFAULT_COMBINE) -> tuple[dict[str, list], str | None]:
    """Suggestions per label ("classifier", "combined") and a note when cross-validated."""
    model, card = load_model(model_dir, engine.codebook)
    n_overlap = overlap(convs, card)
    out: dict[str, list] = {"classifier": [None] * len(convs), "combined": [None] * len(convs)}
    note = None
    if n_overlap:
        extra, extra_note = other_training(card, convs)
        extra_sugs = list(engine.suggest_many(extra)) if extra else []
        note = (f"cross-validated, {cv} folds, because {n_overlap} of the evaluated "
                "conversations were in the training data" + (f"; {extra_note}" if extra_note
                                                             else ""))
        s = card.get("settings", {})
        for train, test in folds(len(convs), cv, seed=int(model.meta.get("seed", 0))):
            tr = [convs[i] for i in train] + extra
            fold_model, *_ = fit_conversations(
                engine, tr, s.get("recall_target", 0.9), s.get("precision_floor", 0.5),
                cv=min(s.get("cv", 5), len(tr) // 2), small=bool(s.get("small_ngrams")),
                rule_sugs=[rule_sugs[i] for i in train] + extra_sugs)
            _fill(engine, fold_model, card, convs, rule_sugs, test, out, combine)
    else:
        _fill(engine, model, card, convs, rule_sugs, np.arange(len(convs)), out, combine)
    return out, note


def _fill(engine, model, card, convs, rule_sugs, idx, out, combine) -> None:
    sub = [convs[i] for i in idx]
    sub_sugs = [rule_sugs[i] for i in idx]
    X = frame(sub, sub_sugs)
    probs = model.probabilities(X)
    stacked = model.stacked(X, probs)
    ctx = model.context_probabilities(X)
    for label, mode in (("classifier", "model-only"), ("combined", combine)):
        ce = CombinedEngine(engine, model, card, "model" if mode == "model-only" else mode)
        for k, (i, conv, sug, row, srow) in enumerate(zip(idx, sub, sub_sugs, probs, stacked,
                                                          strict=True)):
            s = ce.merge(conv, sug, row, srow)
            s.context = ce.merge_context(sug, {v: p[k] for v, p in ctx.items()})
            if mode == "model-only":  # the classifier alone: no rule codes at all
                base = {c for c in s.model["scores"] if s.model["scores"][c] >=
                        model.thresholds[c]}
                s.codes = engine.codebook.with_derived(base)
                s.evidence = [e for e in s.evidence if e.source.startswith("model:")]
                s.platforms = []
                s.context = {}  # context values come from the rules
            out[label][i] = s


def side_by_side(engine, convs: list[Conversation], model_dir: str | Path, cv: int = 5,
                 combine: str = DEFAULT_COMBINE) -> list[Evaluation]:
    """Evaluations labelled "rules", "classifier" and "combined" (see module doc); the
    latter two carry a ``note`` on how they were scored (cross-validated or held out)."""
    rule_sugs = list(engine.suggest_many(convs))
    preds, note = predict_all(engine, convs, rule_sugs, model_dir, cv, combine)
    results = [_score(engine, convs, rule_sugs, "rules")]
    for label in ("classifier", "combined"):
        ev = _score(engine, convs, preds[label], label)
        ev.note = note or ("held-out: none of the evaluated conversations were in the model's "
                           "training data; scored with the saved model")
        results.append(ev)
    return results
