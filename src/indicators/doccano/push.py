"""Push suggestions to doccano: one example per conversation, suggestions as labels.

Never duplicates a conversation (its id is kept in the example's meta and in the local record),
never changes an example a coder confirmed, and resumes an interrupted push: every example is
created with ``meta.push_state = "labelling"`` and set to ``"done"`` once all machine labels are
on it; a re-run completes unfinished examples that nobody confirmed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..codebook import Codebook
from .client import Doccano
from .labels import LabelScheme
from .pii import PiiChecker, PiiReport
from .project import LabelIds
from .records import PushRecord
from .render import RenderError, render
from .suggestions import Suggestion

STATE_LABELLING, STATE_DONE = "labelling", "done"


@dataclass
class PlannedLabels:
    categories: list[tuple[str, float]] = field(default_factory=list)  # (label text, prob)
    spans: list[tuple[str, int, int, float]] = field(default_factory=list)  # text, start, end, p
    bad_evidence: int = 0
    overlapping: int = 0


def plan_labels(s: Suggestion, scheme: LabelScheme) -> PlannedLabels:
    """The doccano labels for one suggestion (derived codes excluded)."""
    plan = PlannedLabels()
    for code in s.codes:
        plan.categories.append((scheme.code_category(code).text, s.scores.get(code, 0.0)))
    for platform in s.platforms:
        plan.categories.append((scheme.platform_category(platform).text, 0.0))
    for var, value in s.context.items():
        for v in value if isinstance(value, list) else [value]:
            plan.categories.append((scheme.context_category(var, v).text, 0.0))
    # doccano never allows overlapping spans in this project type (with shared annotations not
    # even between users): the strongest evidence wins, overlapping weaker evidence stays in
    # meta.machine only.
    rendered = render(s.turns)
    candidates = []
    for ev in s.evidence:
        code = ev.get("code")
        if code not in scheme.codebook.codes or scheme.codebook.codes[code].derived:
            plan.bad_evidence += 1
            continue
        try:
            start, end = rendered.to_global(int(ev["turn"]), int(ev["start"]), int(ev["end"]))
        except (KeyError, TypeError, ValueError, RenderError):
            plan.bad_evidence += 1
            continue
        candidates.append((scheme.code_span(code).text, start, end,
                           float(ev.get("score") or 0.0)))
    chosen: list[tuple[str, int, int, float]] = []
    for cand in sorted(candidates, key=lambda c: (-c[3], c[1], c[2])):
        if any(cand[1] < c[2] and c[1] < cand[2] for c in chosen):
            if not any(c[:3] == cand[:3] for c in chosen):
                plan.overlapping += 1
            continue
        chosen.append(cand)
    plan.spans = sorted(chosen, key=lambda c: (c[1], c[2]))
    return plan


def example_meta(s: Suggestion, state: str) -> dict:
    machine = s.machine()
    return {
        "conversation_id": s.id,
        "year": s.year,
        "channel": s.channel,
        "machine_codes": ", ".join(s.codes),
        "machine_derived": ", ".join(s.derived),
        "machine_platforms": ", ".join(s.platforms),
        "machine_sources": ", ".join(sorted({str(e.get("source")) for e in s.evidence
                                             if e.get("source")})),
        "machine": json.dumps(machine, ensure_ascii=False, sort_keys=True),
        "push_state": state,
    }


def local_record(s: Suggestion, project_id: int, example_id: int) -> dict:
    return {
        "conversation_id": s.id,
        "example_id": example_id,
        "project_id": project_id,
        "pushed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "year": s.year,
        "channel": s.channel,
        "turns": s.turns,
        "machine": s.machine(),
    }


@dataclass
class PushResult:
    project_id: int
    project_created: bool = False
    created: list[str] = field(default_factory=list)
    completed: list[str] = field(default_factory=list)  # unfinished examples finished now
    already: list[str] = field(default_factory=list)
    missing_on_server: list[str] = field(default_factory=list)  # in the local record only
    refused: list[PiiReport] = field(default_factory=list)
    bad_evidence: int = 0
    overlapping: int = 0


class Pusher:
    def __init__(self, dc: Doccano, codebook: Codebook, project: dict, label_ids: LabelIds,
                 record: PushRecord, scheme: LabelScheme | None = None):
        self.dc = dc
        self.codebook = codebook
        self.scheme = scheme or LabelScheme(codebook)
        self.project = project
        self.pid = project["id"]
        self.label_ids = label_ids
        self.record = record

    def server_examples(self) -> dict[str, dict]:
        """Examples already in the project, by conversation id."""
        out = {}
        for ex in self.dc.examples(self.pid):
            cid = (ex.get("meta") or {}).get("conversation_id")
            if cid:
                out.setdefault(str(cid), ex)
        return out

    def push(self, suggestions: Sequence[Suggestion], batch_size: int = 50,
             checker: PiiChecker | None = None,
             progress: Callable[[int], None] | None = None) -> PushResult:
        result = PushResult(self.pid)
        local = self.record.load()
        on_server = self.server_examples()
        todo: list[Suggestion] = []
        seen: set[str] = set()
        for s in suggestions:
            if s.id in seen:
                continue
            seen.add(s.id)
            ex = on_server.get(s.id)
            if ex is not None:
                self._resume(s, ex, s.id in local, result)
            elif s.id in local and local[s.id].get("project_id") == self.pid:
                # deleted on the server by an admin: do not bring it back behind their back
                result.missing_on_server.append(s.id)
            else:
                todo.append(s)
        if checker is not None:
            clean = []
            for s in todo:
                report = checker.check(s.id, s.turns)
                if report.blocked:
                    result.refused.append(report)
                else:
                    clean.append(s)
            todo = clean
        for i in range(0, len(todo), max(1, batch_size)):
            batch = todo[i:i + batch_size]
            done = []
            for s in batch:
                ex = self.dc.post(f"projects/{self.pid}/examples",
                                  json={"text": render(s.turns).text,
                                        "meta": example_meta(s, STATE_LABELLING)})
                self._add_labels(s, ex["id"], result)
                self._finish(s, ex["id"])
                done.append(local_record(s, self.pid, ex["id"]))
                result.created.append(s.id)
                if progress:
                    progress(1)
            self.record.append(done)
        return result

    def _resume(self, s: Suggestion, ex: dict, in_local: bool, result: PushResult) -> None:
        state = (ex.get("meta") or {}).get("push_state")
        if state != STATE_DONE and not ex.get("is_confirmed"):
            self._add_labels(s, ex["id"], result, existing=True)
            self._finish(s, ex["id"])
            result.completed.append(s.id)
        else:
            result.already.append(s.id)
        if not in_local:
            self.record.append([local_record(s, self.pid, ex["id"])])

    def _add_labels(self, s: Suggestion, example_id: int, result: PushResult,
                    existing: bool = False) -> None:
        plan = plan_labels(s, self.scheme)
        result.bad_evidence += plan.bad_evidence
        result.overlapping += plan.overlapping
        base = f"projects/{self.pid}/examples/{example_id}"
        have_cats: set[int] = set()
        have_spans: set[tuple[int, int, int]] = set()
        if existing:
            have_cats = {c["label"] for c in self.dc.categories(self.pid, example_id)}
            have_spans = {(x["label"], x["start_offset"], x["end_offset"])
                          for x in self.dc.spans(self.pid, example_id)}
        for text, prob in plan.categories:
            label = self.label_ids.category[text]
            if label not in have_cats:
                self.dc.post(f"{base}/categories", json={"label": label, "prob": prob})
                have_cats.add(label)
        for text, start, end, prob in plan.spans:
            label = self.label_ids.span[text]
            if (label, start, end) not in have_spans:
                self.dc.post(f"{base}/spans", json={"label": label, "start_offset": start,
                                                    "end_offset": end, "prob": prob})

    def _finish(self, s: Suggestion, example_id: int) -> None:
        self.dc.patch(f"projects/{self.pid}/examples/{example_id}",
                      json={"meta": example_meta(s, STATE_DONE)})
