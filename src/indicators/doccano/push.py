"""Push suggestions to doccano: one example per conversation, suggestions as labels.

New conversations go in through doccano's own import (one JSONL upload per chunk, processed by
doccano's task queue: examples and labels in bulk), so 2,000 conversations take about a minute
instead of twenty. Never duplicates a conversation (its id is kept in the example's meta and in
the local record), never changes an example a coder confirmed, and resumes an interrupted push:
an example the import created carries ``meta.push_state = "done"``; one made by the older
per-request path and cut off (``"labelling"``) gets its missing machine labels on a re-run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..codebook import Codebook
from .bulk import start_import, wait_for
from .client import Doccano, DoccanoError
from .labels import LabelScheme
from .meta import example_meta
from .numbers import find_number
from .pii import PiiChecker, PiiReport
from .project import LabelIds
from .records import PushRecord, project_key
from .render import RenderError, render
from .suggestions import SuggestionRecord

STATE_LABELLING, STATE_DONE = "labelling", "done"
NUMBER_PRIORITY = 2.0  # a number span (leeftijd) wins over overlapping code evidence

__all__ = ["PlannedLabels", "Pusher", "PushResult", "example_meta", "local_record", "plan_labels"]


@dataclass
class PlannedLabels:
    categories: list[tuple[str, float]] = field(default_factory=list)  # (label text, prob)
    spans: list[tuple[str, int, int, float]] = field(default_factory=list)  # text, start, end, p
    bad_evidence: int = 0
    overlapping: int = 0


def plan_labels(s: SuggestionRecord, scheme: LabelScheme) -> PlannedLabels:
    """The doccano labels for one suggestion (derived codes excluded): its codes, platforms and
    EVERY context value it carries (``onbekend`` too) as categories; code evidence and the age
    (``leeftijd``) as spans."""
    cb = scheme.codebook
    plan = PlannedLabels()
    for code in s.codes:
        plan.categories.append((scheme.code_category(code).text, s.scores.get(code, 0.0)))
    for var in cb.context.values():
        if var.id not in s.context or var.number:
            continue
        value = s.context[var.id]
        values = value if isinstance(value, list) else [value]
        if var.multi and not values:
            values = ["onbekend"]
        for v in values:
            plan.categories.append((scheme.context_category(var.id, v).text,
                                    s.context_scores.get(var.id, 0.0)))
    for platform in s.platforms:
        plan.categories.append((scheme.platform_category(platform).text, 0.0))
    # doccano never allows overlapping spans in this project type (with shared annotations not
    # even between users): the age first, then the strongest evidence; overlapping weaker
    # evidence stays in the machine suggestion only.
    rendered = render(s.turns)
    candidates = []
    for ev in s.evidence:
        code = ev.get("code")
        if code not in cb.codes or cb.codes[code].derived:
            plan.bad_evidence += 1
            continue
        try:
            start, end = rendered.to_global(int(ev["turn"]), int(ev["start"]), int(ev["end"]))
        except (KeyError, TypeError, ValueError, RenderError):
            plan.bad_evidence += 1
            continue
        candidates.append((scheme.code_span(code).text, start, end,
                           float(ev.get("score") or 0.0)))
    numbers = []
    for var in cb.context.values():
        if var.number and s.context.get(var.id) is not None:
            where = number_span(s, var.id, rendered)
            if where is not None:
                numbers.append((scheme.number_span(var.id).text, *where, NUMBER_PRIORITY))
    # evidence around a number keeps its longer side, so both stay visible
    candidates = numbers + [_trim(c, numbers) for c in candidates]
    candidates = [c for c in candidates if c is not None]
    chosen: list[tuple[str, int, int, float]] = []
    for cand in sorted(candidates, key=lambda c: (-c[3], c[1], c[2])):
        if any(cand[1] < c[2] and c[1] < cand[2] for c in chosen):
            if not any(c[:3] == cand[:3] for c in chosen):
                plan.overlapping += 1
            continue
        chosen.append(cand)
    plan.spans = sorted(chosen, key=lambda c: (c[1], c[2]))
    return plan


def _trim(span: tuple, numbers: list[tuple]) -> tuple | None:
    text, start, end, score = span
    for _, a, b, _ in numbers:
        if start < b and a < end:
            left, right = (start, min(a, end)), (max(b, start), end)
            start, end = max(left, right, key=lambda p: p[1] - p[0])
            if end - start < 3:
                return None
    return text, start, end, score


def number_span(s: SuggestionRecord, variable: str, rendered) -> tuple[int, int] | None:
    """Where the suggested number stands in the text: the number inside the machine's evidence
    for it, else its first mention in a visitor message; None when the text does not show it."""
    value = s.context.get(variable)
    places = [(int(e["turn"]), int(e["start"]), int(e["end"]))
              for e in s.context_evidence.get(variable, [])
              if all(isinstance(e.get(k), int) for k in ("turn", "start", "end"))]
    places += [(i, 0, len(t["text"])) for i, t in enumerate(s.turns) if t["speaker"] == "bezoeker"]
    for turn, start, end in places:
        if not 0 <= turn < len(s.turns):
            continue
        hit = find_number(s.turns[turn]["text"], value, start, end, s.year)
        if hit is not None:
            try:
                return rendered.to_global(turn, *hit)
            except RenderError:
                continue
    return None


def local_record(s: SuggestionRecord, key: str, server: str, project_id: int,
                 example_id: int | None) -> dict:
    return {
        "conversation_id": s.id,
        "example_id": example_id,
        "project_id": project_id,
        "project_key": key,
        "server": server,
        "pushed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "year": s.year,
        "channel": s.channel,
        "meta": s.meta,
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
    missing_on_server: list[str] = field(default_factory=list)  # deleted on this same project
    refused: list[PiiReport] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)  # conversations there more than once
    bad_evidence: int = 0
    overlapping: int = 0


_PROJECT_VERSION = re.compile(r"codeboek v(\d+(?:\.\d+)*)")


def refuse_other_versions(suggestions: Sequence[SuggestionRecord], codebook: Codebook,
                          project: dict | None = None) -> None:
    """Suggestions made under another codebook version, or a project made for one, are
    refused with the reason: codes and labels of two versions are never mixed."""
    old = sorted({s.codebook_version for s in suggestions
                  if s.codebook_version and s.codebook_version != codebook.version})
    if old:
        raise DoccanoError(
            f"suggestions made under codebook version {', '.join(old)}; the codebook is version "
            f"{codebook.version}: run 'indicators suggest' again before pushing")
    m = _PROJECT_VERSION.search((project or {}).get("description") or "")
    if m and m.group(1) != codebook.version:
        raise DoccanoError(
            f"doccano project {project.get('name')!r} was made for codebook version "
            f"{m.group(1)}; the codebook is version {codebook.version}: pull what was confirmed "
            "there, then push to a new project")


class Pusher:
    def __init__(self, dc: Doccano, codebook: Codebook, project: dict, label_ids: LabelIds,
                 record: PushRecord, scheme: LabelScheme | None = None):
        self.dc = dc
        self.codebook = codebook
        self.scheme = scheme or LabelScheme(codebook)
        self.project = project
        self.pid = project["id"]
        self.key = project_key(dc.url, project)
        self.label_ids = label_ids
        self.record = record

    def count(self) -> int:
        page = self.dc.get(f"projects/{self.pid}/examples", params={"limit": 1})
        return int(page["count"])

    def server_examples(self, result: PushResult | None = None) -> dict[str, dict]:
        """Examples in the project, by conversation id; a conversation that is there twice
        (a push from elsewhere, or an older version) is reported in ``result.duplicates``."""
        out = {}
        for ex in self.dc.examples(self.pid):
            cid = (ex.get("meta") or {}).get("conversation_id")
            if cid:
                if str(cid) in out and result is not None:
                    result.duplicates.append(str(cid))
                out.setdefault(str(cid), ex)
        return out

    def push(self, suggestions: Sequence[SuggestionRecord], batch_size: int = 500,
             checker: PiiChecker | None = None,
             progress: Callable[[int], None] | None = None) -> PushResult:
        refuse_other_versions(suggestions, self.codebook, self.project)
        with self.record.lock():  # a second push to the project waits, then finds the first's
            return self._push(suggestions, batch_size, checker, progress)

    def _push(self, suggestions: Sequence[SuggestionRecord], batch_size: int,
              checker: PiiChecker | None,
              progress: Callable[[int], None] | None) -> PushResult:
        result = PushResult(self.pid)
        local = self.record.load(self.key)
        on_server = self.server_examples(result)
        todo: list[SuggestionRecord] = []
        seen: set[str] = set()
        for s in suggestions:
            if s.id in seen:
                continue
            seen.add(s.id)
            ex = on_server.get(s.id)
            if ex is not None:
                self._resume(s, ex, s.id in local, result)
            elif s.id in local:
                # deleted on this very project by an admin: do not bring it back behind their back
                result.missing_on_server.append(s.id)
            else:
                todo.append(s)
        # while doccano imports one batch, the next one is checked and prepared here
        pending: tuple[str, list[SuggestionRecord], int] | None = None
        for i in range(0, len(todo), max(1, batch_size)):
            batch = self._clean(todo[i:i + batch_size], checker, result)
            lines = [self._line(s, result) for s in batch]
            if pending is not None:
                self._finish_import(*pending, result, progress)
                pending = None
            if batch:
                before = self.count()
                pending = (start_import(self.dc, self.pid, lines), batch, before)
        if pending is not None:
            self._finish_import(*pending, result, progress)
        return result

    def _clean(self, batch: list[SuggestionRecord], checker: PiiChecker | None,
               result: PushResult) -> list[SuggestionRecord]:
        if checker is None:
            return batch
        clean = []
        for s in batch:
            report = checker.check(s.id, s.turns)
            if report.blocked:
                result.refused.append(report)
            else:
                clean.append(s)
        return clean

    def _line(self, s: SuggestionRecord, result: PushResult) -> dict:
        plan = plan_labels(s, self.scheme)
        result.bad_evidence += plan.bad_evidence
        result.overlapping += plan.overlapping
        return {"text": render(s.turns).text, "cats": [t for t, _ in plan.categories],
                "entities": [[a, b, t] for t, a, b, _ in plan.spans],
                **example_meta(s, STATE_DONE, self.scheme)}

    def _finish_import(self, task_id: str, batch: list[SuggestionRecord], before: int,
                       result: PushResult, progress: Callable[[int], None] | None) -> None:
        wait_for(self.dc, task_id)
        if self.count() - before < len(batch):
            made = self.server_examples()  # find out which ones doccano did not take
            missing = [s.id for s in batch if s.id not in made]
            if missing:
                raise DoccanoError(f"doccano did not import {len(missing)} conversations "
                                   f"(first: {missing[0]}); see the doccano task log")
        # no listing of the new examples (doccano lists some 50 a second): the record finds
        # them again by conversation id, which their meta carries
        self.record.append([local_record(s, self.key, self.dc.url, self.pid, None)
                            for s in batch])
        result.created += [s.id for s in batch]
        if progress:
            progress(len(batch))

    def _resume(self, s: SuggestionRecord, ex: dict, in_local: bool, result: PushResult) -> None:
        state = (ex.get("meta") or {}).get("push_state")
        if state != STATE_DONE and not ex.get("is_confirmed"):
            self._add_labels(s, ex["id"], result)
            self.dc.patch(f"projects/{self.pid}/examples/{ex['id']}",
                          json={"meta": example_meta(s, STATE_DONE, self.scheme)})
            result.completed.append(s.id)
        else:
            result.already.append(s.id)
        if not in_local:
            self.record.append([local_record(s, self.key, self.dc.url, self.pid, ex["id"])])

    def _add_labels(self, s: SuggestionRecord, example_id: int, result: PushResult) -> None:
        """The machine labels an unfinished example lacks, one request each."""
        plan = plan_labels(s, self.scheme)
        result.bad_evidence += plan.bad_evidence
        result.overlapping += plan.overlapping
        base = f"projects/{self.pid}/examples/{example_id}"
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

