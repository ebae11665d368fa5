"""A scikit-learn classifier that learns from confirmed codes and proposes codes with the rules.

Modules: :mod:`.features` (text views and rule-hit features), :mod:`.model` (text
pipeline, per-code logistic regression, cross-validated thresholds, the stacker),
:mod:`.training` (reading confirmed data, model card), :mod:`.store` (skops save/load with an allow-list and codebook
version check), :mod:`.combine` (rules + classifier, evidence, review uncertainty) and
:mod:`.compare` (rules / classifier / combined evaluation, cross-validated when needed).

Combining (``attach_classifier(engine, path, combine=MODE)``; ``suggest --model`` uses the
default); codes without a model (fewer than 3 positive training conversations) always come
from the rules:

- ``stacked`` (default): P(code | rules, text) from the per-code stacker (:mod:`.model`),
  trained on out-of-fold text probabilities and the rule hit, score and veto: a rule code is
  dropped when it falls below 0.5 - margin, a code the rules missed is added from 0.5 +
  margin (``STACK_MARGIN``, 0 by default). Measured above rules-only on unseen conversations
  (README, "Classifier").
- ``rules-first``: the rules' codes stand; the text model adds a code the rules missed when
  it is confident, P(code) >= max(threshold, ADD_FLOOR=0.9).
- ``union``: the rules' codes plus every code whose P(code) reaches its (recall-target)
  threshold: the most recall, for coders who review everything anyway.
- ``model-veto``: like union, but a rule code whose P is below half its threshold is dropped
  (listed under ``model.vetoed``).
- ``model``: the text model's codes only (plus rules-only codes).

A rule code the model doubts gets a lower score (stacked: its P(code | rules, text); other
modes: score x P/threshold) and is listed under ``model.doubted``. Every code the model adds
gets evidence with ``source: "model:<name>"``, ``via: "model"`` and ``score`` = P(code): the
one or two visitor sentences that the code's text model scores highest. Platforms always come
from the rules. Each record gets ``model`` (scores, thresholds, combined, added, doubted,
vetoed) and ``uncertainty`` (:func:`uncertainty`, used by :func:`order_by_uncertainty` to put
the least certain conversations first).
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
