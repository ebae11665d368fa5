"""Conversation and turn records shared by readers, the engine, doccano and statistics."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SPEAKERS = ("bezoeker", "hulpverlener")
VISITOR, COUNSELLOR = SPEAKERS
REGISTRATION_KEYS = ("bezoeker_id", "startdatum", "leeftijd", "geslacht", "in_onderzoek")


@dataclass
class Turn:
    speaker: str  # "bezoeker" or "hulpverlener"
    text: str
    timestamp: str | None = None


@dataclass
class Conversation:
    id: str
    turns: list[Turn]
    year: int | None = None
    channel: str | None = None
    gold: dict[str, Any] | None = None  # dev-corpus gold (codes, ontmoeting_platforms, context)
    review: dict[str, Any] | None = None  # coder metadata from `indicators pull`
    source: str | None = None  # file the conversation was read from
    line: int | None = None  # first line of the conversation in that file
    meta: dict[str, Any] = field(default_factory=dict)

    def to_record(self, with_gold: bool = True) -> dict[str, Any]:
        """The development-corpus JSON form."""
        rec: dict[str, Any] = {"id": self.id}
        if self.year is not None:
            rec["year"] = self.year
        if self.channel is not None:
            rec["channel"] = self.channel
        rec["turns"] = [
            {"speaker": t.speaker, "text": t.text}
            | ({"timestamp": t.timestamp} if t.timestamp else {})
            for t in self.turns
        ]
        reg = self.registration()
        if reg:
            rec["meta"] = reg
        if with_gold and self.gold is not None:
            rec["gold"] = self.gold
        if with_gold and self.review is not None:
            rec["review"] = self.review
        return rec

    def registration(self) -> dict[str, Any]:
        """The registration data in ``meta`` (never evidence): bezoeker_id, startdatum,
        leeftijd, geslacht, in_onderzoek; ``headers`` and other keys left out."""
        return {k: self.meta[k] for k in REGISTRATION_KEYS if k in self.meta}

    @property
    def n_tokens_estimate(self) -> int:
        return sum(len(t.text.split()) for t in self.turns)
