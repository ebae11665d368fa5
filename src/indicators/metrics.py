"""Precision, recall and F1: the one place they are computed (evaluation, classifier, agreement).

``prf`` takes counts; ``prf_arrays`` takes 0/1 arrays (predictions against gold). An undefined
precision or recall (nothing predicted, nothing to find) is 0.0 here; callers that must show
"undefined" instead (the agreement table) use ``counts`` and decide themselves.
"""

from __future__ import annotations


def counts(pred, gold) -> tuple[int, int, int]:
    """True positives, false positives and false negatives of 0/1 arrays (any shape)."""
    import numpy as np  # here: ``evaluate`` of the rules needs no numpy

    p, g = np.asarray(pred) == 1, np.asarray(gold) == 1
    return int(np.sum(p & g)), int(np.sum(p & ~g)), int(np.sum(~p & g))


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "tp": tp, "fp": fp, "fn": fn,
            "support": tp + fn}


def prf_arrays(gold, pred) -> dict[str, float]:
    """``prf`` of 0/1 predictions against 0/1 gold (scikit-learn's argument order)."""
    return prf(*counts(pred, gold))
