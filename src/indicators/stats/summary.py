"""What went in: files, confirmed and pending conversations, the yearly set, skipped lines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from .definitions import MEETING, non_family
from .load import LoadResult, StatRecord, dedupe


@dataclass
class Selection:
    """The confirmed conversations in the yearly set, and what was left out."""

    records: list[StatRecord]
    summary: dict = field(default_factory=dict)


def select(loaded: LoadResult, years: Sequence[int] | None = None) -> Selection:
    """Confirmed records (one per id) with ``in_onderzoek`` = ja (or no such field),
    optionally only some years, with a summary dict (ids only, never text)."""
    want = set(years) if years else None

    def keep(r: StatRecord) -> bool:
        return want is None or r.year in want

    confirmed = [r for r in loaded.confirmed if keep(r)]
    pending = [r for r in loaded.pending if keep(r)]
    deduped, dropped = dedupe(confirmed)
    outside = sorted(r.id for r in deduped if r.in_onderzoek == "nee")
    records = [r for r in deduped if r.in_onderzoek != "nee"]
    confirmed_ids = {r.id for r in deduped}
    pending_only = sorted({r.id for r in pending} - confirmed_ids)
    all_years = sorted({r.year for r in deduped} | {r.year for r in pending})
    per_year = [{
        "jaar": str(y),
        "bevestigd": sum(r.year == y for r in records),
        "niet_in_onderzoek": sum(r.year == y and r.in_onderzoek == "nee" for r in deduped),
        "in_afwachting": len({r.id for r in pending if r.year == y} - confirmed_ids),
    } for y in all_years]
    summary = {
        "files": loaded.files,
        "lines_read": loaded.lines,
        "years_selected": sorted(want) if want else None,
        "confirmed_records": len(confirmed),
        "confirmed_conversations": len(records),
        "not_in_study_excluded": len(outside),
        "not_in_study_ids": outside,
        "duplicate_records_not_counted": len(dropped),
        "duplicate_ids": sorted({r.id for r in dropped}),
        "pending_records": len(pending),
        "pending_conversations_excluded": len(pending_only),
        "pending_ids": pending_only,
        "skipped_lines": loaded.skipped,
        "problems": [str(p) for p in loaded.problems],
        "per_year": per_year,
        "checks": checks(records),
    }
    return Selection(records=records, summary=summary)


def checks(records: Sequence[StatRecord]) -> dict[str, list[str]]:
    """Coding and registration to look at again (conversation ids only)."""
    return {
        "ontmoeting_coded_but_family_perpetrator_only": [
            r.id for r in records if any(c in r.codes for c in MEETING) and not non_family(r)],
        "platform_named_without_ontmoeting_online": [
            r.id for r in records if r.platforms and "ontmoeting_online" not in r.codes],
        "year_differs_from_startdatum": [
            r.id for r in records
            if r.startdatum and r.year_field is not None and r.year_field != r.startdatum.year],
        "registered_age_differs_from_text": [
            r.id for r in records if r.reg_leeftijd is not None
            and r.context.get("leeftijd") is not None
            and r.reg_leeftijd != r.context.get("leeftijd")],
    }


def summary_table(summary: dict) -> pd.DataFrame:
    """Per year: conversations in the set, unique visitors, and what was left out."""
    rows = []
    for r in summary["per_year"]:
        rows.append({"jaar": r["jaar"], "gesprekken_meegeteld": r["bevestigd"],
                     "unieke_bezoekers": r.get("bezoekers", 0),
                     "niet_in_onderzoek": r["niet_in_onderzoek"],
                     "in_afwachting_van_review": r["in_afwachting"]})
    return pd.DataFrame(rows, columns=["jaar", "gesprekken_meegeteld", "unieke_bezoekers",
                                       "niet_in_onderzoek", "in_afwachting_van_review"])
