"""Read confirmed annotations (dev-corpus JSONL, optionally with ``review`` and ``meta``).

A record with a ``review`` whose ``status`` is not ``"confirmed"`` is *pending*: it is kept
apart and only counted. A record without ``review`` (gold JSONL) counts as confirmed.

Registration data (codebook, "Registration data") travels in an optional ``meta`` object:
``bezoeker_id`` (pseudonymous user name), ``startdatum`` (date of the chat, ``YYYY-MM-DD``),
``leeftijd`` (registered age) and ``geslacht`` (vrouw, man, neutraal, onbekend), ``channel``
(or ``kanaal``), ``in_onderzoek`` (ja/nee: the coder's decision that the conversation belongs
in the yearly set) and optionally ``ouder_rol`` (vader, moeder, beide: which parent exploits,
also read from ``gold.context.ouder_rol``). The year of a record is the year of
``startdatum`` when given, else ``year``.
Malformed lines and invalid records are never dropped silently: each becomes a
:class:`Problem` (file, line number, reason) and is counted. Problems never quote
conversation text, only ids, files, line numbers and codebook ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..codebook import Codebook
from ..corpus.lines import LineError, json_lines

SINGLE_MISSING = "onbekend"
GESLACHT = ("vrouw", "man", "neutraal")
OUDER_ROL = ("vader", "moeder", "beide")


class StatsInputError(ValueError):
    """An input path is missing or holds no JSONL files."""


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    reason: str
    id: str | None = None

    def __str__(self) -> str:
        rid = f" (id {self.id})" if self.id else ""
        return f"{self.file}:{self.line}{rid}: {self.reason}"


@dataclass
class StatRecord:
    """One confirmed (or pending) conversation, normalised for the statistics."""

    id: str
    year: int
    channel: str | None
    codes: frozenset[str]  # confirmed codes incl. derived klant_bewust(_combinatie)
    platforms: tuple[str, ...]
    context: dict[str, Any]  # single-choice: value id; multi-choice: tuple (empty = unknown)
    turns: list[dict[str, str]] = field(default_factory=list, repr=False)
    evidence: list[dict[str, Any]] = field(default_factory=list, repr=False)
    machine_codes: tuple[str, ...] | None = None
    coder: str | None = None
    confirmed_at: str | None = None
    source: str = ""
    line: int = 0
    pending: bool = False
    # registration data (``meta``); None when not given
    bezoeker_id: str | None = None
    startdatum: date | None = None
    reg_leeftijd: int | None = None
    geslacht: str = SINGLE_MISSING
    in_onderzoek: str | None = None  # "ja" / "nee" / None (field absent)
    ouder_rol: str = SINGLE_MISSING
    year_field: int | None = None  # the record's own ``year`` (a check against startdatum)

    def known(self, variable: str) -> bool:
        v = self.context.get(variable)
        return bool(v) if isinstance(v, tuple) else v not in (None, SINGLE_MISSING)


@dataclass
class LoadResult:
    files: list[str] = field(default_factory=list)
    lines: int = 0
    confirmed: list[StatRecord] = field(default_factory=list)  # every confirmed record
    pending: list[StatRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return len(self.problems)


def jsonl_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files and directories (``*.jsonl`` below them, sorted) into a file list."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(x for x in p.rglob("*.jsonl") if x.is_file())
            if not found:
                raise StatsInputError(f"{p}: directory holds no .jsonl files")
            out.extend(found)
        elif p.is_file():
            out.append(p)
        else:
            raise StatsInputError(f"{p}: no such file or directory")
    return out


def _multi(value: Any) -> tuple[str, ...] | None:
    """A multi-choice value as a tuple without ``onbekend``; None when malformed."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        return None
    return tuple(dict.fromkeys(x for x in value if x != SINGLE_MISSING))


def _unknown(what: str, ids: list[str], known: list[str]) -> str:
    """The reason for unknown ids, with the codebook id when only the case differs."""
    fold = {k.casefold(): k for k in known}
    hints = [f"{i!r} (the codebook id is {fold[i.strip().casefold()]!r})"
             if i.strip().casefold() in fold else repr(i) for i in ids]
    wrong_case = any(i.strip().casefold() in fold for i in ids)
    return (f"unknown {what} id(s) {', '.join(hints)}"
            + (" (ids are case-sensitive)" if wrong_case else ""))


def parse_record(obj: Any, cb: Codebook, file: str, line: int) -> StatRecord | Problem:
    """Validate one decoded JSON line against the codebook."""

    def bad(reason: str) -> Problem:
        rid = obj.get("id") if isinstance(obj, dict) and isinstance(obj.get("id"), str) else None
        return Problem(file, line, reason, rid)

    if not isinstance(obj, dict):
        return bad("line is not a JSON object")
    rid = obj.get("id")
    if not isinstance(rid, str) or not rid:
        return bad("missing or empty 'id'")
    meta = obj.get("meta")
    if meta is not None and not isinstance(meta, dict):
        return bad("'meta' is not an object")
    reg = _registration(meta or {}, obj.get("gold"))
    if isinstance(reg, str):
        return bad(reg)
    year = obj.get("year")
    if isinstance(year, str) and year.isdigit():
        year = int(year)
    if year is not None and (not isinstance(year, int) or isinstance(year, bool)):
        return bad("non-integer 'year'")
    year_field = year
    if reg["startdatum"] is not None:
        year = reg["startdatum"].year
    if year is None:
        return bad("missing 'year' and no 'meta.startdatum'")
    gold = obj.get("gold")
    if not isinstance(gold, dict):
        return bad("missing 'gold' block with the confirmed codes")
    codes = gold.get("codes", [])
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        return bad("'gold.codes' is not a list of code ids")
    unknown = sorted(set(codes) - set(cb.codes))
    if unknown:
        return bad(_unknown("code", unknown, list(cb.codes)))
    platforms = gold.get("ontmoeting_platforms", []) or []
    if not isinstance(platforms, list) or not all(isinstance(p, str) for p in platforms):
        return bad("'gold.ontmoeting_platforms' is not a list of platform ids")
    unknown = sorted(set(platforms) - set(cb.platforms))
    if unknown:
        return bad(_unknown("platform", unknown, list(cb.platforms)))
    raw_ctx = gold.get("context") or {}
    if not isinstance(raw_ctx, dict):
        return bad("'gold.context' is not an object")
    context: dict[str, Any] = {}
    for var in cb.context.values():
        value = raw_ctx.get(var.id)
        if var.number:
            value = None if value in (None, "", SINGLE_MISSING) else value
            if not var.accepts(value):
                return bad(f"context {var.id!r} is not a whole number from {var.minimum} "
                           f"to {var.maximum} or null")
            context[var.id] = value
        elif var.multi:
            vals = _multi(value)
            if vals is None:
                return bad(f"context {var.id!r} is not a list of value ids")
            wrong = [v for v in vals if v not in var.value_ids]
            if wrong:
                return bad(f"context {var.id!r} has unknown value(s) {wrong}")
            context[var.id] = vals
        else:
            value = value if value not in (None, "") else SINGLE_MISSING
            if not isinstance(value, str) or value not in var.value_ids:
                return bad(f"context {var.id!r} has unknown value {value!r}")
            context[var.id] = value
    review = obj.get("review")
    if review is not None and not isinstance(review, dict):
        return bad("'review' is not an object")
    review = review or {}
    pending = bool(review) and review.get("status") != "confirmed"
    machine = review.get("machine") if isinstance(review.get("machine"), dict) else {}
    evidence = _evidence(obj, machine)
    mcodes = machine.get("codes")
    machine_codes = (
        tuple(c for c in mcodes if isinstance(c, str)) if isinstance(mcodes, list) else None
    )
    turns = obj.get("turns") or []
    if not isinstance(turns, list) or not all(
        isinstance(t, dict) and isinstance(t.get("text", ""), str) for t in turns
    ):
        return bad("'turns' is not a list of {speaker, text} objects")
    return StatRecord(
        id=rid,
        year=year,
        channel=reg["channel"] or (obj.get("channel") if isinstance(obj.get("channel"), str)
                                   else None),
        codes=frozenset(cb.with_derived(codes)),
        platforms=tuple(dict.fromkeys(platforms)),
        context=context,
        turns=[{"speaker": str(t.get("speaker", "")), "text": t.get("text", "")} for t in turns],
        evidence=evidence,
        machine_codes=machine_codes,
        coder=review.get("coder") if isinstance(review.get("coder"), str) else None,
        confirmed_at=str(review["confirmed_at"]) if review.get("confirmed_at") else None,
        source=file,
        line=line,
        pending=pending,
        bezoeker_id=reg["bezoeker_id"],
        startdatum=reg["startdatum"],
        reg_leeftijd=reg["leeftijd"],
        geslacht=reg["geslacht"],
        in_onderzoek=reg["in_onderzoek"],
        ouder_rol=reg["ouder_rol"],
        year_field=year_field,
    )


def parse_date(value: Any) -> date | None:
    """``YYYY-MM-DD`` (optionally with a time), or ``DD-MM-YYYY``; None when not a date."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    v = value.strip()
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(v[:10], fmt).date()
        except ValueError:
            continue
    return None


def _registration(meta: dict, gold: Any) -> dict | str:
    """The registration fields of ``meta``, validated; a reason string when invalid."""
    out: dict[str, Any] = {"bezoeker_id": None, "startdatum": None, "leeftijd": None,
                           "geslacht": SINGLE_MISSING, "in_onderzoek": None, "channel": None,
                           "ouder_rol": SINGLE_MISSING}
    bid = meta.get("bezoeker_id")
    if bid not in (None, ""):
        if not isinstance(bid, str | int) or isinstance(bid, bool):
            return "'meta.bezoeker_id' is not a string"
        out["bezoeker_id"] = str(bid).strip()
    sd = meta.get("startdatum")
    if sd not in (None, ""):
        out["startdatum"] = parse_date(sd)
        if out["startdatum"] is None:
            return "'meta.startdatum' is not a date (YYYY-MM-DD)"
    age = meta.get("leeftijd")
    if isinstance(age, str) and age.strip().isdigit():
        age = int(age)
    if age not in (None, "", SINGLE_MISSING):
        if not isinstance(age, int) or isinstance(age, bool) or not 0 <= age <= 120:
            return "'meta.leeftijd' is not a whole number from 0 to 120 or null"
        out["leeftijd"] = age
    g = meta.get("geslacht")
    if g not in (None, ""):
        g = str(g).strip().lower()
        if g not in (*GESLACHT, SINGLE_MISSING):
            return f"'meta.geslacht' is not one of {[*GESLACHT, SINGLE_MISSING]}"
        out["geslacht"] = g
    io = meta.get("in_onderzoek")
    if io is not None:
        io = {True: "ja", False: "nee"}.get(io, io)
        io = str(io).strip().lower()
        if io not in ("ja", "nee"):
            return "'meta.in_onderzoek' is not ja or nee"
        out["in_onderzoek"] = io
    ch = meta.get("channel", meta.get("kanaal"))
    if ch not in (None, ""):
        out["channel"] = str(ch)
    ctx = gold.get("context") if isinstance(gold, dict) else None
    rol = meta.get("ouder_rol") or (ctx.get("ouder_rol") if isinstance(ctx, dict) else None)
    if rol not in (None, ""):
        rol = str(rol).strip().lower()
        if rol not in (*OUDER_ROL, SINGLE_MISSING):
            return f"'ouder_rol' is not one of {[*OUDER_ROL, SINGLE_MISSING]}"
        out["ouder_rol"] = rol
    return out


def _evidence(obj: dict, machine: dict) -> list[dict[str, Any]]:
    """Evidence spans (turn, start, end, code) from gold_evidence, evidence or the machine."""
    for src in (obj.get("gold_evidence"), obj.get("evidence"), machine.get("evidence")):
        if isinstance(src, list) and src:
            return [e for e in src if isinstance(e, dict)]
    return []




def load_records(paths: Iterable[str | Path], cb: Codebook) -> LoadResult:
    """Read every line of every JSONL file; sort records into confirmed, pending, problems.

    Lines are decoded one at a time: a line that is not UTF-8 is one problem at its own line
    number and the rest of the file is still read. A UTF-8 byte order mark (at the start of
    a file, or of a line in concatenated files) is ignored.
    """
    res = LoadResult()
    for path in jsonl_files(paths):
        res.files.append(str(path))
        try:
            for lineno, obj in json_lines(path):
                res.lines += 1
                if isinstance(obj, LineError):
                    res.problems.append(Problem(str(path), lineno, obj.detail))
                    continue
                rec = parse_record(obj, cb, str(path), lineno)
                if isinstance(rec, Problem):
                    res.problems.append(rec)
                elif rec.pending:
                    res.pending.append(rec)
                else:
                    res.confirmed.append(rec)
        except OSError as e:
            raise StatsInputError(f"{path}: cannot be read ({e.strerror})") from e
    return res


def dedupe(records: list[StatRecord]) -> tuple[list[StatRecord], list[StatRecord]]:
    """One record per conversation id: the latest ``confirmed_at`` wins, then the last read.

    Returns (kept, dropped). Double-coded conversations (agreement studies) thus count once.
    """
    best: dict[str, StatRecord] = {}
    dropped: list[StatRecord] = []
    for rec in records:
        old = best.get(rec.id)
        if old is None:
            best[rec.id] = rec
        elif (rec.confirmed_at or "") >= (old.confirmed_at or ""):
            dropped.append(old)
            best[rec.id] = rec
        else:
            dropped.append(rec)
    return list(best.values()), dropped
