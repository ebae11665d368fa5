"""A scikit-learn classifier that learns from confirmed codes and proposes codes with the rules.

Modules: :mod:`.features` (the frame: text views and the rule engine's view, one row per
conversation), :mod:`.model` (:class:`~.model.StackedClassifier`, one estimator: a text model
per code, thresholds, and per code a stacker over the rules and the text model's out-of-fold
probability), :mod:`.context_model` (context values the rules leave open), :mod:`.training`
(reading confirmed data, model card), :mod:`.store` (skops save/load with an allow-list,
format and codebook version checks), :mod:`.combine` (rules + classifier, evidence, review
uncertainty) and :mod:`.compare` (rules / classifier / combined evaluation, cross-validated
when needed).

Combining (``attach_classifier(engine, path)``, ``suggest --model``): per code the stacker's
P(code | rules, text) decides; a rule code is dropped below 0.5, a code the rules missed is
added from 0.5. Codes without a stacker (fewer than 3 positive training conversations, or a
stacker that did worse than the rules out of fold) stay with the rules, as do platforms.
Measured above rules-only on unseen conversations (README, "Classifier").

A rule code the stacker doubts (P < 0.5) is listed under ``model.doubted`` and dropped
(``model.vetoed``); every code's score is its P(code | rules, text) where it has one. Every
code the model adds gets evidence with ``source: "model:<name>"``, ``via: "model"`` and
``score`` = P_text(code): the one or two visitor sentences that the code's text model scores
highest. Each record gets ``model`` (text scores, thresholds, combined, added, doubted,
vetoed) and ``uncertainty`` (:func:`uncertainty`, used by :func:`order_by_uncertainty` to put
the least certain conversations first).
"""

from __future__ import annotations

from pathlib import Path

from .combine import CombinedEngine, order_by_uncertainty, uncertainty
from .compare import side_by_side
from .store import ModelError, load_model

__all__ = ["CombinedEngine", "ModelError", "attach_classifier", "load_model",
           "order_by_uncertainty", "side_by_side", "uncertainty"]


def attach_classifier(engine, path: str | Path) -> CombinedEngine:
    """Wrap a RuleEngine with the classifier in ``path``; refuses incompatible models."""
    model, card = load_model(path, engine.codebook)
    return CombinedEngine(engine, model, card)
