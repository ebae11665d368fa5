"""A scikit-learn classifier that learns from confirmed codes and proposes codes with the rules.

Modules: :mod:`.features` (text views and rule-hit features), :mod:`.model` (pipeline,
per-code logistic regression, cross-validated thresholds), :mod:`.training` (reading
confirmed data, model card), :mod:`.store` (skops save/load with an allow-list and codebook
version check), :mod:`.combine` (rules + classifier, evidence, review uncertainty) and
:mod:`.compare` (rules / classifier / combined evaluation, cross-validated when needed).

Combining (``suggest --model models/NAME --combine MODE``); codes without a model (fewer
than 3 positive training conversations) always come from the rules:

- ``union`` (default): the rules' codes plus every code whose P(code) reaches its threshold.
  Coders review everything, so a code either source proposes is shown. The model lowers the
  score of a rule code it scores below threshold (score x P/threshold) and lists it under
  ``model.doubted``.
- ``rules-first``: the rules' codes plus model codes with P >= max(threshold, 0.5).
- ``model-veto``: like union, but a rule code whose P is below half its threshold is dropped
  (listed under ``model.vetoed``).
- ``model``: the classifier's codes only (plus rules-only codes).

Every code the model proposes gets evidence with ``source: "model:<name>"``, ``via:
"model"`` and ``score`` = P(code): the one or two visitor sentences that the code's linear
model scores highest. Platforms always come from the rules. Each record gets ``model``
(scores, thresholds, added, doubted, vetoed) and ``uncertainty`` (:func:`uncertainty`,
used by :func:`order_by_uncertainty` to put the least certain conversations first).
"""

from __future__ import annotations

from pathlib import Path

from .combine import (
    COMBINE_MODES,
    DEFAULT_COMBINE,
    CombinedEngine,
    order_by_uncertainty,
    uncertainty,
)
from .compare import side_by_side
from .store import ModelError, load_model

__all__ = ["COMBINE_MODES", "DEFAULT_COMBINE", "CombinedEngine", "ModelError",
           "attach_classifier", "load_model", "order_by_uncertainty", "side_by_side",
           "uncertainty"]


def attach_classifier(engine, path: str | Path, combine: str = DEFAULT_COMBINE) -> CombinedEngine:
    """Wrap a RuleEngine with the classifier in ``path``; refuses incompatible models."""
    model, card = load_model(path, engine.codebook)
    return CombinedEngine(engine, model, card, combine)
