"""The records every stage shares: a code's (or a context value's) evidence and the suggestion
for one conversation, as ``suggest`` writes it (one JSON line per conversation).

Produced by :mod:`indicators.rules.engine` (and amended by :mod:`indicators.classifier`);
read by evaluation, doccano push and the classifier.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .conversation import Conversation


@dataclass
class Evidence:
    code: str  # code id, or "fact:<name>"
    turn: int
    speaker: str
    start: int
    end: int
    text: str
    source: str  # "pattern:<id>" or "model:<name>"
    score: float
    platform: str | None = None
    question_turn: int | None = None
    via: str = "visitor"  # visitor | confirmed | denied | answer | model
    value: Any = None  # context evidence: the value (or number) the pattern found

    def to_dict(self) -> dict[str, Any]:
        d = {
            "code": self.code, "platform": self.platform, "turn": self.turn,
            "speaker": self.speaker, "start": self.start, "end": self.end, "text": self.text,
            "source": self.source, "score": round(self.score, 4), "via": self.via,
        }
        if self.question_turn is not None:
            d["question_turn"] = self.question_turn
        if self.value is not None:
            d["value"] = self.value
        return d


@dataclass
class Suggestion:
    conversation: Conversation
    codes: list[str]
    platforms: list[str]
    evidence: list[Evidence]
    scores: dict[str, float]
    facts: list[str] = field(default_factory=list)
    vetoed: dict[str, list[str]] = field(default_factory=dict)  # code -> pattern ids vetoed
    fact_evidence: list[Evidence] = field(default_factory=list)  # what established the facts
    engine: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.conversation.id

    def to_record(self, include_turns: bool = True) -> dict[str, Any]:
        conv = self.conversation
        rec: dict[str, Any] = {"id": conv.id}
        if conv.year is not None:
            rec["year"] = conv.year
        if conv.channel is not None:
            rec["channel"] = conv.channel
        rec["meta"] = conv.registration()
        if include_turns:
            rec["turns"] = [{"speaker": t.speaker, "text": t.text} for t in conv.turns]
        rec.update(
            codes=self.codes,
            platforms=self.platforms,
            context={var: {"value": c["value"], "score": round(c["score"], 4),
                           "evidence": [e.to_dict() for e in c["evidence"]]}
                     | ({"source": c["source"]} if c.get("source") else {})
                     for var, c in self.context.items()},
            scores={k: round(v, 4) for k, v in self.scores.items()},
            evidence=[e.to_dict() for e in self.evidence],
            facts=self.facts,
            engine=self.engine,
        )
        return rec
