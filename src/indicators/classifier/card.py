"""The Markdown model card, written beside ``model_card.json``."""

from __future__ import annotations


def _f(m: dict | None, k: str) -> str:
    return "-" if not m else f"{m[k]:.2f}"


def card_markdown(card: dict) -> str:
    s = card["settings"]
    tr = card["training"]
    lines = [
        f"# Model card: {card['name']}",
        "",
        "Per-code classifier that proposes codebook codes together with the rule engine "
        "(`indicators suggest --model`). Trained with `indicators train`.",
        "",
        f"- created: {card['created']}",
        f"- codebook version: {card['codebook_version']} (a model is refused by any other "
        "codebook version)",
        f"- pattern version: {card['patterns_version']}",
        f"- training conversations: {tr['n_conversations']} (from "
        f"{', '.join(tr['files']) or 'in-memory data'}); dropped: "
        f"{tr['dropped'] or 'none'}",
        f"- model format: {card.get('format')}",
        f"- estimator: {s['estimator']}",
        f"- features: {s['features']}",
        f"- thresholds: chosen on {s['cv']}-fold cross-validated probabilities for recall "
        f">= {s['recall_target']} while precision >= {s['precision_floor']} (folds shuffled "
        f"with random_state {s['random_state']})",
        f"- training time: {card.get('training_seconds', '-')} s",
        f"- rules only (fewer than {s['min_positives']} positives): "
        f"{', '.join(card['rules_only_codes']) or 'none'}",
        "",
        "## Cross-validated metrics per code",
        "",
        "Classifier figures are out-of-fold (each conversation scored by a model that did not "
        "see it); thresholds were chosen on the same out-of-fold scores, so they are slightly "
        "optimistic. `indicators evaluate --model` gives nested figures.",
        "",
        "Combined: the stacker's out-of-fold probability (>= 0.5), trained on out-of-fold "
        "text probabilities; codes without a stacker keep the rules' decision. Micro is over "
        "all codes (the classifier proposes nothing for rules-only codes).",
        "",
        "| code | positives | threshold | rules P/R/F1 | classifier P/R/F1 | combined P/R/F1 |",
        "| --- | ---: | ---: | --- | --- | --- |",
    ]
    for c, m in card["cv_metrics"]["codes"].items():
        cols = []
        for key in ("rules", "classifier", "combined"):
            x = m.get(key)
            cols.append(f"{_f(x, 'precision')}/{_f(x, 'recall')}/{_f(x, 'f1')}")
        t = "-" if m["threshold"] is None else f"{m['threshold']:.3f}"
        lines.append(f"| {c} | {m['positives']} | {t} | {' | '.join(cols)} |")
    mi = card["cv_metrics"]["micro"]
    lines.append("| **micro** | | | " + " | ".join(
        f"{mi[k]['precision']:.2f}/{mi[k]['recall']:.2f}/{mi[k]['f1']:.2f}"
        for k in ("rules", "classifier", "combined")) + " |")
    if card.get("stacker"):
        lines += ["", "## Stacker weights", "",
                  "How each code's combination weighs the rules and the text model "
                  "(logistic regression coefficients; positive pushes towards the code).", "",
                  "| code | intercept | rule hit | logit P_text | hit x logit | rule score | "
                  "vetoed |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for c, w in card["stacker"].items():
            if w:
                lines.append(f"| {c} | " + " | ".join(f"{v:+.2f}" for v in w.values()) + " |")
        gated = card.get("stacker_gated") or []
        lines += ["", "Rules only, because the stacker's cross-validated F1 was more than "
                  f"{s['gate_tolerance']} below the rules' on the training data: "
                  f"{', '.join(gated) or 'none'}."]
    lines += ["", "## Library versions", ""]
    lines += [f"- {k}: {v}" for k, v in card["versions"].items()]
    lines += ["", "## Training data ids", "", ", ".join(tr["ids"]), ""]
    return "\n".join(lines)
