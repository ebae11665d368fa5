"""What coders did with the machine's suggestions, per code: accepted, rejected, added.

Input: the output of ``indicators pull`` (records with ``gold`` and ``review.machine``). A
suggested code the coder kept is accepted, one they removed is rejected (with the evidence
sources -- patterns or model -- that proposed it), a code the coder added is a miss. Platforms are
reported the same way as ``platform:<id>`` rows, context values as ``context:<variable>=<value>``
rows (a changed single-choice value is the machine's value rejected and the coder's added; the
age is one row, ``context:leeftijd``, accepted when the coder kept the machine's number). Every
row has its Dutch ``label`` for the table.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from ..codebook import Codebook
from ..corpus.lines import LineError, json_lines


def read_reviewed(path: str | Path) -> list[dict]:
    out = []
    for n, rec in json_lines(path):
        if isinstance(rec, LineError):
            raise ValueError(f"{path}:{n}: not valid JSON ({rec.detail})")
        if isinstance(rec, dict) and (rec.get("review") or {}).get("status") == "confirmed":
            out.append(rec)
    return out


def _as_set(value) -> set:
    return set(value) if isinstance(value, list) else {value} if value else set()


def review_report(records: Iterable[dict], codebook: Codebook) -> dict:
    rows: dict[str, dict] = {}
    sources: dict[str, Counter] = defaultdict(Counter)
    n = 0

    def row(key: str) -> dict:
        return rows.setdefault(key, {"suggested": 0, "accepted": 0, "rejected": 0, "added": 0})

    for rec in records:
        n += 1
        machine = (rec.get("review") or {}).get("machine") or {}
        gold = rec.get("gold") or {}
        pairs = [
            ("", set(machine.get("codes") or []), set(gold.get("codes") or [])),
            ("platform:", set(machine.get("platforms") or []),
             set(gold.get("ontmoeting_platforms") or [])),
        ]
        mctx, gctx = machine.get("context") or {}, gold.get("context") or {}
        for var in codebook.context.values():
            if var.id not in mctx:
                continue  # the machine said nothing about it (v1 suggestions)
            if var.number:
                m_val, g_val = mctx.get(var.id), gctx.get(var.id)
                if m_val is None and g_val is None:
                    continue
                key = f"context:{var.id}"
                pairs.append(("", {key} if m_val is not None else set(),
                              {key} if g_val is not None and g_val == m_val else set()))
                if g_val is not None and g_val != m_val:
                    row(key)["added"] += 1
                continue
            m_vals, g_vals = _as_set(mctx.get(var.id)), _as_set(gctx.get(var.id))
            if var.multi:
                m_vals, g_vals = m_vals or {"onbekend"}, g_vals or {"onbekend"}
            pairs.append(("", {f"context:{var.id}={v}" for v in m_vals},
                          {f"context:{var.id}={v}" for v in g_vals}))
        for prefix, suggested, final in pairs:
            for item in suggested:
                r = row(prefix + item)
                r["suggested"] += 1
                if item in final:
                    r["accepted"] += 1
                else:
                    r["rejected"] += 1
                    for ev in ([] if item.startswith("context:") else
                               machine.get("evidence") or []):
                        hit = ev.get("platform") == item if prefix else ev.get("code") == item
                        if hit and ev.get("source"):
                            sources[prefix + item][ev["source"]] += 1
            for item in final - suggested:
                row(prefix + item)["added"] += 1
    order = {c: i for i, c in enumerate(codebook.annotatable_codes)}
    order.update({f"platform:{p}": 100 + i for i, p in enumerate(codebook.platforms)})
    labels = {c: codebook.codes[c].label for c in codebook.codes}
    labels.update({f"platform:{p.id}": f"Platform: {p.label}"
                   for p in codebook.platforms.values()})
    for i, var in enumerate(codebook.context.values()):
        order[f"context:{var.id}"] = 200 + 20 * i
        labels[f"context:{var.id}"] = var.label
        for j, v in enumerate(var.values):
            order[f"context:{var.id}={v.id}"] = 200 + 20 * i + j
            labels[f"context:{var.id}={v.id}"] = f"{var.label}: {v.label}"
    codes = []
    for key in sorted(rows, key=lambda k: (order.get(k, 999), k)):
        r = rows[key]
        codes.append({
            "code": key, "label": labels.get(key, key), **r,
            "acceptance": round(r["accepted"] / r["suggested"], 3) if r["suggested"] else None,
            "rejected_by_source": dict(sources[key].most_common()),
        })
    return {"conversations": n, "codes": codes}
