"""Rules and classifier together: combined suggestions, model evidence, review order."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..conversation import VISITOR, Conversation
from ..iterutils import batched
from ..suggestion import Evidence, Suggestion
from .features import views
from .model import TrainedModel

TOP_SENTENCES = 2


@dataclass
class ModelSuggestion(Suggestion):
    """A suggestion with the classifier's view: P(code), thresholds and review uncertainty."""

    model: dict[str, Any] = field(default_factory=dict)
    uncertainty: float = 0.0

    def to_record(self, include_turns: bool = True) -> dict[str, Any]:
        rec = super().to_record(include_turns)
        rec["model"] = self.model
        rec["uncertainty"] = round(self.uncertainty, 4)
        return rec


def _margin(p: float, t: float) -> float:
    """Distance of P from its threshold, scaled to 0 (on it) .. 1 (at 0 or 1)."""
    span = (1.0 - t) if p >= t else t
    return min(1.0, abs(p - t) / span) if span > 0 else 1.0


def uncertainty(record: Any) -> float:
    """How unsure the classifier is about a suggestion record: 1 - the smallest margin.

    1.0 means some code's score sits on its threshold; 0.0 means every code is far from it.
    Accepts a suggestion record (dict from ``suggest --model``) or a ModelSuggestion. Records
    without model scores return their ``uncertainty`` field, else 0.0.
    """
    if hasattr(record, "to_record"):
        record = record.to_record(include_turns=False)
    m = record.get("model") or {}
    probs, ts = m.get("scores") or {}, m.get("thresholds") or {}
    if m.get("combined"):  # P(code | rules, text) against 0.5
        probs, ts = m["combined"], dict.fromkeys(m["combined"], 0.5)
    margins = [_margin(float(p), float(ts[c])) for c, p in probs.items()
               if c in ts and p is not None and not math.isnan(float(p))]
    if not margins:
        return float(record.get("uncertainty") or 0.0)
    return 1.0 - min(margins)


def order_by_uncertainty(records: Iterable[Any]) -> list[Any]:
    """Records with the least certain first (ties keep their input order)."""
    return sorted(records, key=lambda r: -uncertainty(r))


class CombinedEngine:
    """Rule engine plus classifier, with the RuleEngine's ``suggest``/``suggest_many``."""

    def __init__(self, rules, model: TrainedModel, card: dict):
        self.rules = rules
        self.model = model
        self.card = card
        self.name = str(card.get("name") or model.meta.get("name") or "model")
        self.codebook = rules.codebook
        self.ps = rules.ps
        self.engine_info = dict(rules.engine_info, model=self.name,
                                model_codebook_version=card.get("codebook_version"),
                                model_patterns_version=card.get("patterns_version"))

    @property
    def nlp(self):
        return self.rules.nlp

    @property
    def token_cache(self):
        return self.rules.token_cache

    def suggest(self, conversation: Conversation) -> Suggestion:
        return next(self.suggest_many([conversation]))

    def suggest_many(self, conversations: Iterable[Conversation], batch_size: int = 64,
                     n_process: int = 1) -> Iterator[Suggestion]:
        for batch in batched(conversations, batch_size):
            yield from self._batch(batch, n_process)

    def _batch(self, batch: list[Conversation], n_process: int) -> Iterator[Suggestion]:
        sugs, X = views(self.rules, batch, batch_size=len(batch), n_process=n_process)
        yield from self.merge_all(batch, sugs, X)

    def merge_all(self, convs: list[Conversation], sugs: list[Suggestion], X
                  ) -> Iterator[ModelSuggestion]:
        """Combined suggestions for conversations, their rule suggestions and frame ``X``."""
        probs, stacked = self.model.classifier.proba(X)
        ctx = self.model.context_probabilities(X)
        for i, (conv, sug, sents) in enumerate(zip(convs, sugs, X["sentences"], strict=True)):
            out = self.merge(conv, sug, probs[i], stacked[i], sents)
            out.context = self.merge_context(sug, {v: p[i] for v, p in ctx.items()})
            yield out

    def merge_context(self, sug: Suggestion, probs: dict[str, dict[str, float]]) -> dict:
        """The rules' context values; where the rules have no evidence for a variable the
        context model fills it (``source: model:<name>``, its probability as score)."""
        context = dict(sug.context)
        for var, p in probs.items():
            got = context.get(var)
            if got is None or got.get("evidence"):
                continue
            fill = self.model.context.fill(var, p, self.codebook.context[var].multi)
            if fill is not None:
                context[var] = {"value": fill[0], "score": fill[1], "evidence": [],
                                "source": f"model:{self.name}"}
        return context

    def merge(self, conv: Conversation, sug: Suggestion, row: np.ndarray,
              stacked_row: np.ndarray, sentences: list[tuple[int, int, int]]
              ) -> ModelSuggestion:
        """One conversation: P_text per code (``row``) and P(code | rules, text)
        (``stacked_row``) over its rule suggestion; ``sentences``: its visitor sentences
        (the frame's column). A code with a stacker is kept or added from P >= 0.5; the
        others stay with the rules."""
        m = self.model
        probs = {c: float(p) for c, p in zip(m.codes, row, strict=True)
                 if c in m.thresholds and not np.isnan(p)}
        stacked = {c: float(q) for c, q in zip(m.codes, stacked_row, strict=True)
                   if not np.isnan(q)}
        rule_codes = set(sug.codes)
        rule_base = {c for c in rule_codes if not self.codebook.codes[c].derived}
        base = ({c for c in rule_base if c not in stacked}
                | {c for c, q in stacked.items() if q >= 0.5})
        codes = self.codebook.with_derived(base)
        evidence = [e for e in sug.evidence if e.code in base or e.code.startswith("fact:")]
        model_pos = [c for c in sorted(base) if c in probs and
                     (probs[c] >= m.thresholds[c] or c not in rule_codes)]
        evidence += self.model_evidence(conv, sentences, model_pos, probs)
        evidence.sort(key=lambda e: (e.turn, e.start, e.code))
        scores: dict[str, float] = {}
        for c in sorted(base):  # P(code | rules, text) where the code has a stacker
            scores[c] = stacked[c] if c in stacked else (sug.scores.get(c) or 0.0)
        scores.update(self.codebook.derived_scores(scores, codes))
        info = {"name": self.name,
                "scores": {c: round(p, 4) for c, p in probs.items()},
                "thresholds": {c: round(t, 4) for c, t in m.thresholds.items()},
                "combined": {c: round(q, 4) for c, q in stacked.items()},
                "added": sorted(c for c in base if c not in rule_codes),
                "doubted": sorted(c for c in rule_codes if c in stacked and stacked[c] < 0.5),
                "vetoed": sorted(c for c in rule_codes - set(codes)
                                 if not self.codebook.codes[c].derived)}
        out = ModelSuggestion(
            conversation=conv, codes=codes, platforms=list(sug.platforms), evidence=evidence,
            scores=scores, facts=list(sug.facts), vetoed=dict(sug.vetoed),
            engine=dict(self.engine_info), context=dict(sug.context), model=info)
        out.uncertainty = uncertainty(out)
        return out

    def model_evidence(self, conv: Conversation, sentences: list[tuple[int, int, int]],
                       codes: list[str], probs: dict[str, float]) -> list[Evidence]:
        """The visitor sentences (turn, start, end: the engine's) that weigh most for each
        code, by the code's linear text model."""
        if not codes or not len(sentences):
            return []
        sents = [(int(t), int(a), int(b), conv.turns[t].text[a:b]) for t, a, b in sentences]
        scores = self.model.classifier.sentence_scores([s[3] for s in sents])
        out = []
        for c in codes:
            j = self.model.codes.index(c)
            order = np.argsort(-scores[:, j], kind="stable")[:TOP_SENTENCES]
            for i in sorted(order):
                turn, start, end, text = sents[i]
                out.append(Evidence(code=c, turn=turn, speaker=VISITOR, start=start, end=end,
                                    text=text, source=f"model:{self.name}", score=probs[c],
                                    via="model"))
        return out
