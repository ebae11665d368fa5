"""Read the suggestions file written by ``indicators suggest`` (one conversation per line)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..codebook import Codebook, CodebookError
from ..conversation import SPEAKERS
from ..corpus.lines import LineError, json_lines


class SuggestionError(ValueError):
    """A line of the suggestions file is not a valid suggestion."""


@dataclass
class SuggestionRecord:
    """One line of the suggestions file as push reads it back (plain values, evidence as dicts);
    the engine's own record is :class:`indicators.suggestion.Suggestion`."""

    id: str
    turns: list[dict]
    year: int | None = None
    channel: str | None = None
    codes: list[str] = field(default_factory=list)  # non-derived, codebook order
    derived: list[str] = field(default_factory=list)
    platforms: list[str] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)  # variable -> value (plain form)
    context_scores: dict[str, float] = field(default_factory=dict)
    context_evidence: dict[str, list[dict]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)  # registration data, never evidence
    scores: dict[str, float] = field(default_factory=dict)
    evidence: list[dict] = field(default_factory=list)
    engine: dict[str, Any] = field(default_factory=dict)

    facts: list[str] = field(default_factory=list)
    uncertainty: float | None = None  # from `suggest --model` (see push --order uncertainty)

    @property
    def codebook_version(self) -> str | None:
        """The codebook version the suggestion was made under (``engine.codebook_version``)."""
        v = (self.engine or {}).get("codebook_version")
        return None if v is None else str(v)

    def review_priority(self) -> float:
        """Higher = review first. The classifier's uncertainty when there is one; for rules-only
        suggestions, how weak the weakest suggested code is (1 - its score)."""
        if self.uncertainty is not None:
            return float(self.uncertainty)
        if self.scores:
            return 1.0 - min(self.scores.values())
        return 0.0

    def machine(self) -> dict[str, Any]:
        """The machine's suggestion as stored beside the coder's decision (no transcript text)."""
        return {
            "codes": self.codes,
            "derived": self.derived,
            "platforms": self.platforms,
            "context": self.context,
            "context_scores": self.context_scores,
            "scores": self.scores,
            # evidence as suggested, without its copy of the transcript text
            "evidence": [{k: v for k, v in e.items() if k != "text"} for e in self.evidence],
            "facts": self.facts,
            "engine": self.engine,
            "context_evidence": {k: [{x: y for x, y in e.items() if x != "text"} for e in v]
                                 for k, v in self.context_evidence.items()},
        }


REGISTRATION_KEYS = ("bezoeker_id", "startdatum", "leeftijd", "geslacht", "in_onderzoek")


def parse_context(raw: Any, where: str) -> tuple[dict, dict, dict]:
    """Values, scores and evidence per variable, from the v2 shape ``{var: {value, score,
    evidence}}`` or the v1 shape ``{var: value}``."""
    if raw is None:
        return {}, {}, {}
    if not isinstance(raw, dict):
        raise SuggestionError(f"{where}: context must be an object")
    values, scores, evidence = {}, {}, {}
    for var, item in raw.items():
        if isinstance(item, dict):
            if "value" not in item:
                raise SuggestionError(f"{where}: context {var!r} has no value")
            values[var] = item["value"]
            if isinstance(item.get("score"), int | float):
                scores[var] = float(item["score"])
            ev = item.get("evidence") or []
            if not isinstance(ev, list):
                raise SuggestionError(f"{where}: context {var!r} evidence must be a list")
            evidence[var] = [e for e in ev if isinstance(e, dict)]
        else:
            values[var] = item
    return values, scores, evidence


def parse_suggestion(rec: dict, codebook: Codebook, where: str) -> SuggestionRecord:
    if not isinstance(rec, dict):
        raise SuggestionError(f"{where}: not a JSON object")
    cid = rec.get("id")
    if not isinstance(cid, str) or not cid:
        raise SuggestionError(f"{where}: missing conversation id")
    where = f"{where} ({cid})"
    turns = rec.get("turns")
    if not isinstance(turns, list) or not turns:
        raise SuggestionError(f"{where}: no turns")
    for i, t in enumerate(turns):
        if not isinstance(t, dict) or not isinstance(t.get("text"), str):
            raise SuggestionError(f"{where}: turn {i} needs speaker and text")
        if t.get("speaker") not in SPEAKERS:
            raise SuggestionError(f"{where}: turn {i} has speaker {t.get('speaker')!r}, "
                                  f"not one of {', '.join(SPEAKERS)}")
    try:
        all_codes = list(rec.get("codes") or [])
        for c in all_codes:
            if c not in codebook.codes:
                raise CodebookError(f"{where}: unknown code id {c!r}")
        base = [c for c in codebook.codes if c in all_codes and not codebook.codes[c].derived]
        platforms = list(rec.get("platforms") or rec.get("ontmoeting_platforms") or [])
        for p in platforms:
            codebook.check_platform(p, where)
        context, context_scores, context_evidence = parse_context(rec.get("context"), where)
        for var, value in context.items():
            for v in value if isinstance(value, list) else [value]:
                codebook.check_context(var, v, where)
    except CodebookError as e:
        raise SuggestionError(str(e)) from None
    evidence = rec.get("evidence") or []
    if not isinstance(evidence, list):
        raise SuggestionError(f"{where}: evidence must be a list")
    meta = rec.get("meta") or {}
    if not isinstance(meta, dict):
        raise SuggestionError(f"{where}: meta must be an object")
    return SuggestionRecord(
        id=cid,
        turns=[{"speaker": t["speaker"], "text": t["text"]} for t in turns],
        year=rec.get("year"),
        channel=rec.get("channel"),
        codes=base,
        derived=[c for c in codebook.with_derived(base) if codebook.codes[c].derived],
        platforms=platforms,
        context=context,
        context_scores=context_scores,
        context_evidence=context_evidence,
        meta={k: meta[k] for k in REGISTRATION_KEYS if k in meta},
        scores={k: float(v) for k, v in (rec.get("scores") or {}).items()},
        evidence=[e for e in evidence if isinstance(e, dict)],
        engine=dict(rec.get("engine") or {}),
        facts=[str(f) for f in rec.get("facts") or []],
        uncertainty=(float(rec["uncertainty"]) if isinstance(rec.get("uncertainty"), int | float)
                     else None),
    )


def read_suggestions(path: str | Path, codebook: Codebook) -> Iterator[SuggestionRecord]:
    """Suggestions in file order; a bad line raises with file and line number (no text)."""
    path = Path(path)
    for n, rec in json_lines(path):
        where = f"{path}:{n}"
        if isinstance(rec, LineError):
            raise SuggestionError(f"{where}: not valid JSON ({rec.detail})")
        yield parse_suggestion(rec, codebook, where)
