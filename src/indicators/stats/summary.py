"""What went in: files, confirmed and pending conversations, skipped lines, duplicates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from . import populations as P
from .load import LoadResult, StatRecord, dedupe


@dataclass
class Selection:
    """The confirmed conversations the tables are computed over, and what was left out."""

    records: list[StatRecord]
    summary: dict = field(default_factory=dict)


def select(loaded: LoadResult, years: Sequence[int] | None = None) -> Selection:
    """Confirmed records (one per id), optionally only some years, with a summary dict."""
    want = set(years) if years else None

    def keep(r: StatRecord) -> bool:
        return want is None or r.year in want

    confirmed = [r for r in loaded.confirmed if keep(r)]
    pending = [r for r in loaded.pending if keep(r)]
    records, dropped = dedupe(confirmed)
    confirmed_ids = {r.id for r in records}
    pending_only = sorted({r.id for r in pending} - confirmed_ids)
    all_years = sorted({r.year for r in records} | {r.year for r in pending})
    per_year = [
        {
            "jaar": str(y),
            "bevestigd": sum(r.year == y for r in records),
            "in_afwachting": len({r.id for r in pending if r.year == y} - confirmed_ids),
        }
        for y in all_years
    ]
    fam_only = [r.id for r in records
                if P.ONTMOETING_BEKEND(r) and not P.NIET_FAMILIE(r)]
    platform_not_online = [r.id for r in records
                           if r.platforms and "ontmoeting_online" not in r.codes]
    summary = {
        "files": loaded.files,
        "lines_read": loaded.lines,
        "years_selected": sorted(want) if want else None,
        "confirmed_records": len(confirmed),
        "confirmed_conversations": len(records),
        "duplicate_records_not_counted": len(dropped),
        "duplicate_ids": sorted({r.id for r in dropped}),
        "pending_records": len(pending),
        "pending_conversations_excluded": len(pending_only),
        "pending_ids": pending_only,
        "skipped_lines": loaded.skipped,
        "problems": [str(p) for p in loaded.problems],
        "per_year": per_year,
        "checks": {
            "ontmoeting_coded_but_family_perpetrator_only": fam_only,
            "platform_named_without_ontmoeting_online": platform_not_online,
        },
    }
    return Selection(records=records, summary=summary)


def summary_table(summary: dict) -> pd.DataFrame:
    """Per year: confirmed conversations counted and pending ones excluded (not suppressed)."""
    rows = list(summary["per_year"])
    rows.append({
        "jaar": "totaal",
        "bevestigd": summary["confirmed_conversations"],
        "in_afwachting": summary["pending_conversations_excluded"],
    })
    df = pd.DataFrame(rows, columns=["jaar", "bevestigd", "in_afwachting"])
    return df.rename(columns={"bevestigd": "bevestigd_meegeteld",
                              "in_afwachting": "in_afwachting_van_review_uitgesloten"})
