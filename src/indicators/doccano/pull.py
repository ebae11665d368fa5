"""Pull what coders confirmed in doccano, as dev-corpus records with the review beside them.

Only examples in doccano's confirmed state are exported; the others are counted as pending.
The state is only read here, never posted (posting it toggles it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..codebook import Codebook
from .client import Doccano, DoccanoError
from .labels import CATEGORY, SPAN, LabelScheme
from .project import find_project
from .records import PushRecord
from .render import RenderError, parse, render


@dataclass
class PullResult:
    project_id: int
    records: list[dict] = field(default_factory=list)
    pending: int = 0
    unknown_labels: int = 0  # labels a coder made that the codebook does not know
    conflicts: list[str] = field(default_factory=list)  # single-choice context with 2+ values
    not_ours: int = 0  # examples without a conversation id (not pushed by us)


def decide(codebook: Codebook, meanings: list[tuple[str, ...]]) -> tuple[dict, list[str]]:
    """The ``gold`` block from the category meanings on an example, and conflicting variables.

    Multi-choice context variables become lists without ``onbekend`` (``[]`` when unknown),
    single-choice ones a value, ``onbekend`` when none was chosen, as in the dev corpus.
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
        local_by_example = {r["example_id"]: r for r in self.record.load().values()
                            if r.get("project_id") == self.pid}
        users = self._usernames()
        cat_text = {t["id"]: t["text"] for t in self.dc.label_types(self.pid, CATEGORY)}
        span_text = {t["id"]: t["text"] for t in self.dc.label_types(self.pid, SPAN)}
        for ex in self.dc.examples(self.pid):
            meta = ex.get("meta") or {}
            if not meta.get("conversation_id"):
                result.not_ours += 1
                continue
            if not ex.get("is_confirmed"):
                result.pending += 1
                continue
            rec = self._record(ex, local_by_example.get(ex["id"]), users, cat_text, span_text,
                               result)
            if rec is not None:
                result.records.append(rec)
        return result

    def _record(self, ex: dict, local: dict | None, users: dict[int, str],
                cat_text: dict[int, str], span_text: dict[int, str],
                result: PullResult) -> dict | None:
        states = self.dc.states(self.pid, ex["id"])
        if not states:  # unconfirmed between the listing and now
            result.pending += 1
            return None
        state = max(states, key=lambda s: s.get("confirmed_at") or "")
        meta = ex.get("meta") or {}
        cid = str(meta["conversation_id"])
        if local is not None:
            turns = local["turns"]
            machine = local["machine"]
            year, channel = local.get("year"), local.get("channel")
        else:
            try:
                turns = parse(ex["text"])
            except RenderError as e:
                raise DoccanoError(f"example {ex['id']} ({cid}): {e}") from None
            machine = json.loads(meta["machine"]) if meta.get("machine") else None
            year, channel = meta.get("year"), meta.get("channel")
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
        evidence = []
        for sp in sorted(self.dc.spans(self.pid, ex["id"]),
                         key=lambda s: (s["start_offset"], s["end_offset"])):
            meaning = self.scheme.decode(SPAN, span_text.get(sp["label"], ""))
            if meaning is None:
                result.unknown_labels += 1
                continue
            try:
                turn, start, end = rendered.to_local(sp["start_offset"], sp["end_offset"])
            except RenderError:
                result.unknown_labels += 1
                continue
            who = users.get(sp["user"], str(sp["user"]))
            annotators.add(who)
            evidence.append({"code": meaning[1], "turn": turn, "speaker": turns[turn]["speaker"],
                             "start": start, "end": end, "user": who})
        review = {
            "status": "confirmed",
            "coder": users.get(state["confirmed_by"], str(state["confirmed_by"])),
            "confirmed_at": state.get("confirmed_at"),
            "annotators": sorted(annotators),
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
        out.update(turns=turns, gold=gold, gold_evidence=evidence, review=review)
        return out
