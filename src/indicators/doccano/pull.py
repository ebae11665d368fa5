"""Pull what coders confirmed in doccano, as dev-corpus records with the review beside them.

Only examples in doccano's confirmed state are exported as confirmed; every other example of the
project comes back as a *pending* line (id, year, channel and ``review.status = "pending"``, no
text, an empty ``gold``), which ``stats`` counts as not yet reviewed. The state is only read
here, never posted (posting it toggles it).

Evidence follows the decision: a span of a code the coder did not keep is not exported (it is
counted in ``review.evidence_dropped``). Every exported span says whether the machine put it there
(``origin: "machine"``, same label and place as the machine's suggestion) or the coder
(``"coder"``). The age (``leeftijd``) is the number in the ``Leeftijd`` span, ``null`` without one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..codebook import Codebook
from .client import Doccano, DoccanoError
from .labels import CATEGORY, SPAN, LabelScheme
from .numbers import parse_number
from .project import find_project
from .push import plan_labels
from .records import PushRecord, project_key
from .render import RenderError, parse, render
from .suggestions import SuggestionRecord


@dataclass
class PullResult:
    project_id: int
    records: list[dict] = field(default_factory=list)
    pending: list[dict] = field(default_factory=list)  # pending lines (no text)
    unknown_labels: int = 0  # labels a coder made that the codebook does not know
    conflicts: list[str] = field(default_factory=list)  # single-choice context with 2+ values
    unreadable_numbers: list[str] = field(default_factory=list)  # "<id>:leeftijd"
    evidence_dropped: int = 0
    not_ours: int = 0  # examples without a conversation id (not pushed by us)


def decide(codebook: Codebook, meanings: list[tuple[str, ...]]) -> tuple[dict, list[str]]:
    """The ``gold`` block from the category meanings on an example, and conflicting variables.

    Multi-choice context variables become lists without ``onbekend`` (``[]`` when unknown),
    single-choice ones a value, ``onbekend`` when none was chosen, as in the dev corpus. Number
    variables are read from spans (see :func:`read_numbers`), not here.
    """
    codes = {m[1] for m in meanings if m[0] == "code"}
    platforms = {m[1] for m in meanings if m[0] == "platform"}
    context: dict[str, Any] = {}
    conflicts = []
    for var in codebook.context.values():
        if var.number:
            continue
        chosen = [v for v in var.value_ids if ("context", var.id, v) in meanings]
        if var.multi:
            context[var.id] = [v for v in chosen if v != "onbekend"]
        else:
            known = [v for v in chosen if v != "onbekend"]
            if len(known) > 1:
                conflicts.append(var.id)
            context[var.id] = known[0] if len(known) == 1 else "onbekend"
    gold = {
        "codes": [c for c in codebook.annotatable_codes if c in codes],
        "ontmoeting_platforms": [p for p in codebook.platforms if p in platforms],
        "context": context,
    }
    return gold, conflicts


def machine_suggestion(cid: str, turns: list[dict], year, channel, machine: dict | None
                       ) -> SuggestionRecord:
    m = machine or {}
    return SuggestionRecord(id=cid, turns=turns, year=year, channel=channel,
                      codes=list(m.get("codes") or []), platforms=list(m.get("platforms") or []),
                      context=dict(m.get("context") or {}),
                      context_scores=dict(m.get("context_scores") or {}),
                      context_evidence=dict(m.get("context_evidence") or {}),
                      scores=dict(m.get("scores") or {}), evidence=list(m.get("evidence") or []))


def _year_channel(meta: dict) -> tuple[int | None, str | None]:
    year = meta.get("jaar", meta.get("year"))
    if isinstance(year, str):
        year = int(year) if year.isdigit() else None
    return year, (meta.get("kanaal") or meta.get("channel") or None)


class Puller:
    def __init__(self, dc: Doccano, codebook: Codebook, project: str, record: PushRecord,
                 scheme: LabelScheme | None = None):
        self.dc = dc
        self.codebook = codebook
        self.scheme = scheme or LabelScheme(codebook)
        self.project_name = project
        found = find_project(dc, project)
        if found is None:
            raise DoccanoError(f"doccano has no project named {project!r}")
        self.pid = found["id"]
        self.key = project_key(dc.url, found)
        self.record = record

    def _usernames(self) -> dict[int, str]:
        names = {m["user"]: m["username"] for m in self.dc.members(self.pid)}
        try:
            names.update({u["id"]: u["username"] for u in self.dc.users()})
        except DoccanoError:
            pass  # only project admins may list users; members suffice then
        return names

    def pull(self) -> PullResult:
        result = PullResult(self.pid)
        local = self.record.load(self.key)  # by conversation id
        users = self._usernames()
        cat_text = {t["id"]: t["text"] for t in self.dc.label_types(self.pid, CATEGORY)}
        span_text = {t["id"]: t["text"] for t in self.dc.label_types(self.pid, SPAN)}
        for ex in self.dc.examples(self.pid):
            meta = ex.get("meta") or {}
            if not meta.get("conversation_id"):
                result.not_ours += 1
                continue
            rec, mine = None, local.get(str(meta["conversation_id"]))
            if ex.get("is_confirmed"):
                rec = self._record(ex, mine, users, cat_text, span_text, result)
            if rec is None:
                result.pending.append(self._pending(ex, mine))
            else:
                result.records.append(rec)
        return result

    def _pending(self, ex: dict, local: dict | None) -> dict:
        meta = ex.get("meta") or {}
        year, channel = (local.get("year"), local.get("channel")) if local else _year_channel(meta)
        out: dict[str, Any] = {"id": str(meta["conversation_id"])}
        if year is not None:
            out["year"] = year
        if channel is not None:
            out["channel"] = channel
        out["gold"] = {"codes": [], "ontmoeting_platforms": [], "context": {}}
        out["review"] = {"status": "pending",
                         "doccano": {"project": self.project_name, "project_id": self.pid,
                                     "example_id": ex["id"]}}
        return out

    def _record(self, ex: dict, local: dict | None, users: dict[int, str],
                cat_text: dict[int, str], span_text: dict[int, str],
                result: PullResult) -> dict | None:
        states = self.dc.states(self.pid, ex["id"])
        if not states:  # unconfirmed between the listing and now
            return None
        state = max(states, key=lambda s: s.get("confirmed_at") or "")
        meta = ex.get("meta") or {}
        cid = str(meta["conversation_id"])
        if local is not None:
            turns, machine = local["turns"], local["machine"]
            year, channel = local.get("year"), local.get("channel")
            registration = local.get("meta") or {}
        else:
            try:
                turns = parse(ex["text"])
            except RenderError as e:
                raise DoccanoError(f"example {ex['id']} ({cid}): {e}") from None
            machine = None  # the machine's suggestion lives in the local push record only
            year, channel = _year_channel(meta)
            registration = meta.get("registratie") or {}
        meanings, annotators = [], set()
        for c in self.dc.categories(self.pid, ex["id"]):
            meaning = self.scheme.decode(CATEGORY, cat_text.get(c["label"], ""))
            if meaning is None:
                result.unknown_labels += 1
                continue
            meanings.append(meaning)
            annotators.add(users.get(c["user"], str(c["user"])))
        gold, conflicts = decide(self.codebook, meanings)
        result.conflicts += [f"{cid}:{v}" for v in conflicts]
        rendered = render(turns)
        machine_spans = set()
        if machine and machine.get("evidence") is not None:
            s = machine_suggestion(cid, turns, year, channel, machine)
            machine_spans = {sp[:3] for sp in plan_labels(s, self.scheme).spans}
        evidence, numbers, dropped = [], {}, 0
        for sp in sorted(self.dc.spans(self.pid, ex["id"]),
                         key=lambda s: (s["start_offset"], s["end_offset"])):
            text = span_text.get(sp["label"], "")
            meaning = self.scheme.decode(SPAN, text)
            if meaning is None:
                result.unknown_labels += 1
                continue
            who = users.get(sp["user"], str(sp["user"]))
            if meaning[0] == "context":  # a number variable: read the marked number
                numbers.setdefault(meaning[1], ex["text"][sp["start_offset"]:sp["end_offset"]])
                annotators.add(who)
                continue
            if meaning[1] not in gold["codes"]:
                dropped += 1  # evidence of a code the coder did not keep
                continue
            try:
                turn, start, end = rendered.to_local(sp["start_offset"], sp["end_offset"])
            except RenderError:
                result.unknown_labels += 1
                continue
            annotators.add(who)
            origin = ("machine" if (text, sp["start_offset"], sp["end_offset"]) in machine_spans
                      else "coder")
            evidence.append({"code": meaning[1], "turn": turn, "speaker": turns[turn]["speaker"],
                             "start": start, "end": end, "user": who, "origin": origin})
        for var in self.codebook.context.values():
            if var.number:
                value = None
                if var.id in numbers:
                    value = parse_number(numbers[var.id], year if isinstance(year, int) else None)
                    if not var.accepts(value):
                        result.unreadable_numbers.append(f"{cid}:{var.id}")
                        value = None
                gold["context"][var.id] = value
        result.evidence_dropped += dropped
        review = {
            "status": "confirmed",
            "coder": users.get(state["confirmed_by"], str(state["confirmed_by"])),
            "confirmed_at": state.get("confirmed_at"),
            "annotators": sorted(annotators),
            "evidence_dropped": dropped,
            "machine": machine,
            "doccano": {"project": self.project_name, "project_id": self.pid,
                        "example_id": ex["id"]},
        }
        out: dict[str, Any] = {"id": cid}
        if year is not None:
            out["year"] = year
        if channel is not None:
            out["channel"] = channel
        # the coder's evidence spans as ``gold_evidence`` (turn-local offsets), as stats reads it
        out.update(turns=turns, gold=gold, gold_evidence=evidence, meta=registration,
                   review=review)
        return out
