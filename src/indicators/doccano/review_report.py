"""What coders did with the machine's suggestions, per code: accepted, rejected, added.

Input: the output of ``indicators pull`` (records with ``gold`` and ``review.machine``). A
suggested code the coder kept is accepted, one they removed is rejected (with the evidence
sources -- patterns or model -- that proposed it), a code the coder added is a miss. Platforms are
reported the same way as ``platform:<id>`` rows.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from ..codebook import Codebook


def read_reviewed(path: str | Path) -> list[dict]:
    out = []
    with Path(path).open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}:{n}: not valid JSON ({e.msg})") from None
            if (rec.get("review") or {}).get("status") == "confirmed":
                out.append(rec)
    return out


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
        for prefix, suggested, final in pairs:
            for item in suggested:
                r = row(prefix + item)
                r["suggested"] += 1
                if item in final:
                    r["accepted"] += 1
                else:
                    r["rejected"] += 1
                    for ev in machine.get("evidence") or []:
                        hit = ev.get("platform") == item if prefix else ev.get("code") == item
                        if hit and ev.get("source"):
                            sources[prefix + item][ev["source"]] += 1
            for item in final - suggested:
                row(prefix + item)["added"] += 1
    order = {c: i for i, c in enumerate(codebook.annotatable_codes)}
    order.update({f"platform:{p}": 100 + i for i, p in enumerate(codebook.platforms)})
    codes = []
    for key in sorted(rows, key=lambda k: (order.get(k, 999), k)):
        r = rows[key]
        codes.append({
            "code": key, **r,
            "acceptance": round(r["accepted"] / r["suggested"], 3) if r["suggested"] else None,
            "rejected_by_source": dict(sources[key].most_common()),
        })
    return {"conversations": n, "codes": codes}
