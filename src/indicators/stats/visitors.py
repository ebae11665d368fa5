"""Unique visitors: conversations linked by ``bezoeker_id`` and by hand, per year.

The report counts unique visitors, not conversations. Two conversations belong to the same
visitor when they carry the same ``meta.bezoeker_id``, or when a coder linked them in a small
CSV (``--links``): each line names two ids to link, each a conversation id or a
``bezoeker_id`` (a visitor who chatted under two user names). Links are transitive.

A visitor is counted once per year (the year of ``startdatum``, else ``year``), over their
conversations of that year. Their values combine the conversations, in the order of
``startdatum`` (then id):

* codes, meeting platforms, ``vorm`` and ``pleger``: everything any conversation has;
* ``chatter``, ``acuut_onveilig``, ``first_disclosure``, ``geslacht``, channel, month of the
  first chat: the first conversation where the value is known;
* ``duur``: the longest class named; ``aantal_plegers``: ``meerdere`` when any says so;
* ``leeftijd``: the registered age (``meta.leeftijd``) of the first conversation that has one,
  else the age in the text (``gold.context.leeftijd``);
* ``ouder_rol``: ``beide`` when conversations name the father and the mother.

Conflicting single values are listed (ids only) in the link table and the summary.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .load import SINGLE_MISSING, StatRecord, StatsInputError

FIRST_KNOWN = ("chatter", "acuut_onveilig", "first_disclosure")
DUUR_ORDER = ("korter_dan_3_maanden", "3_tot_12_maanden", "1_tot_2_jaar", "2_tot_5_jaar",
              "langer_dan_5_jaar")


@dataclass
class Unit:
    """One unique visitor in one year (or, for the conversation file, one conversation)."""

    key: str
    year: int
    records: list[StatRecord]
    bezoeker_ids: tuple[str, ...]
    how: str  # "bezoeker_id", "handmatig", "bezoeker_id+handmatig" or "enkel gesprek"
    codes: frozenset[str]
    platforms: tuple[str, ...]
    context: dict[str, Any]
    leeftijd: int | None
    leeftijd_bron: str | None  # "registratie" / "gesprek" / None
    geslacht: str
    channel: str | None
    startdatum: date | None
    ouder_rol: str
    conflicts: list[str] = field(default_factory=list)

    @property
    def n_gesprekken(self) -> int:
        return len(self.records)

    @property
    def ids(self) -> list[str]:
        return [r.id for r in self.records]

    def known(self, variable: str) -> bool:
        v = self.context.get(variable)
        return bool(v) if isinstance(v, tuple) else v not in (None, SINGLE_MISSING)


@dataclass
class LinkFile:
    pairs: list[tuple[str, str, int]] = field(default_factory=list)  # a, b, line
    problems: list[str] = field(default_factory=list)


def read_links(path: str | Path) -> LinkFile:
    """A CSV (``;`` or ``,``) with a header line; the first two columns are the ids to link.

    Empty lines and lines starting with ``#`` are skipped. Further columns (a note) are kept
    out of the statistics.
    """
    path = Path(path)
    if not path.is_file():
        raise StatsInputError(f"{path}: no such link file")
    text = path.read_text(encoding="utf-8-sig")
    delim = ";" if text.split("\n", 1)[0].count(";") >= text.split("\n", 1)[0].count(",") \
        else ","
    out = LinkFile()
    rows = list(csv.reader(io.StringIO(text), delimiter=delim))
    for lineno, row in enumerate(rows, start=1):
        if lineno == 1 or not row or not "".join(row).strip() or row[0].startswith("#"):
            continue
        a, b = (row + ["", ""])[:2]
        a, b = a.strip(), b.strip()
        if not a or not b:
            out.problems.append(f"{path.name}:{lineno}: needs two ids")
            continue
        out.pairs.append((a, b, lineno))
    return out


class _Union:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _order(r: StatRecord):
    return (r.startdatum or date.max, r.id)


def _first(values: Iterable[Any], missing=(None, SINGLE_MISSING)) -> tuple[Any, bool]:
    """First known value and whether later known values differ from it."""
    known = [v for v in values if v not in missing]
    if not known:
        return None, False
    return known[0], any(v != known[0] for v in known[1:])


def merge(key: str, year: int, recs: Sequence[StatRecord], how: str) -> Unit:
    recs = sorted(recs, key=_order)
    conflicts: list[str] = []
    codes: set[str] = set()
    platforms: list[str] = []
    for r in recs:
        codes |= r.codes
        platforms += [p for p in r.platforms if p not in platforms]
    context: dict[str, Any] = {}
    multi = {k for r in recs for k, v in r.context.items() if isinstance(v, tuple)}
    for var in sorted({k for r in recs for k in r.context}):
        vals = [r.context.get(var) for r in recs]
        if var in multi:
            context[var] = tuple(dict.fromkeys(x for v in vals for x in (v or ())))
        elif var == "leeftijd":
            context[var] = _first(vals)[0]
        elif var == "duur":
            known = [v for v in vals if v in DUUR_ORDER]
            context[var] = max(known, key=DUUR_ORDER.index) if known else SINGLE_MISSING
            if len(set(known)) > 1:
                conflicts.append("duur")
        elif var == "aantal_plegers":
            context[var] = ("meerdere" if "meerdere" in vals else
                            "een" if "een" in vals else SINGLE_MISSING)
        else:
            v, differ = _first(vals)
            context[var] = v if v is not None else SINGLE_MISSING
            if differ:
                conflicts.append(var)
    reg_age, differ = _first([r.reg_leeftijd for r in recs], (None,))
    if differ:
        conflicts.append("leeftijd (registratie)")
    text_age = context.get("leeftijd")
    age, bron = (reg_age, "registratie") if reg_age is not None else \
        (text_age, "gesprek") if text_age is not None else (None, None)
    geslacht, differ = _first([r.geslacht for r in recs])
    if differ:
        conflicts.append("geslacht")
    channel, _ = _first([r.channel for r in recs], (None, ""))
    roles = {r.ouder_rol for r in recs} - {SINGLE_MISSING}
    rol = ("beide" if "beide" in roles or {"vader", "moeder"} <= roles else
           roles.pop() if roles else SINGLE_MISSING)
    dates = [r.startdatum for r in recs if r.startdatum]
    return Unit(key=key, year=year, records=list(recs),
                bezoeker_ids=tuple(sorted({r.bezoeker_id for r in recs if r.bezoeker_id})),
                how=how, codes=frozenset(codes), platforms=tuple(platforms), context=context,
                leeftijd=age, leeftijd_bron=bron, geslacht=geslacht or SINGLE_MISSING,
                channel=channel, startdatum=min(dates) if dates else None, ouder_rol=rol,
                conflicts=conflicts)


@dataclass
class Linking:
    units: list[Unit]
    unknown_links: list[str] = field(default_factory=list)  # "file:line: id" not found


def link_visitors(records: Sequence[StatRecord], links: LinkFile | None = None) -> Linking:
    """Unique visitors per year from the (selected, confirmed) conversations."""
    uf = _Union()
    by_bid: dict[str, list[str]] = {}
    conv_ids = {r.id for r in records}
    for r in records:
        uf.find(f"c:{r.id}")
        if r.bezoeker_id:
            uf.union(f"c:{r.id}", f"b:{r.bezoeker_id}")
            by_bid.setdefault(r.bezoeker_id, []).append(r.id)
    hand: set[str] = set()
    unknown: list[str] = []
    for a, b, lineno in (links.pairs if links else []):
        nodes = []
        for x in (a, b):
            found = ([f"c:{x}"] if x in conv_ids else []) + ([f"b:{x}"] if x in by_bid else [])
            if not found:
                unknown.append(f"regel {lineno}: {x}")
            nodes += found
        for n in nodes[1:]:
            if uf.find(nodes[0]) != uf.find(n):
                hand.add(n)
                hand.add(nodes[0])
            uf.union(nodes[0], n)
    hand_roots = {uf.find(n) for n in hand}
    groups: dict[tuple[int, str], list[StatRecord]] = {}
    for r in records:
        groups.setdefault((r.year, uf.find(f"c:{r.id}")), []).append(r)
    units = []
    for (year, root), recs in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        bids = sorted({r.bezoeker_id for r in recs if r.bezoeker_id})
        base = bids[0] if bids else min(r.id for r in recs)
        by_id = len(recs) > 1 and any(
            sum(r.bezoeker_id == b for r in recs) > 1 for b in bids)
        how = "+".join(x for x, on in (("bezoeker_id", by_id),
                                       ("handmatig", root in hand_roots and len(recs) > 1))
                       if on) or "enkel gesprek"
        units.append(merge(f"{year}:{base}", year, recs, how))
    return Linking(units=units, unknown_links=unknown)


def conversation_units(records: Sequence[StatRecord]) -> list[Unit]:
    """Every conversation as its own unit (for the conversation-level SPSS file)."""
    return [merge(r.id, r.year, [r], "enkel gesprek")
            for r in sorted(records, key=lambda r: (r.year, _order(r)))]


LINK_COLUMNS = ["jaar", "bezoeker", "gesprekken", "aantal_gesprekken", "bezoeker_ids",
                "gekoppeld_via", "tegenstrijdig"]


def link_rows(units: Sequence[Unit]) -> list[dict]:
    """The link table: one row per visitor and year (ids only, never text)."""
    return [{"jaar": u.year, "bezoeker": u.key.split(":", 1)[1],
             "gesprekken": " ".join(u.ids), "aantal_gesprekken": u.n_gesprekken,
             "bezoeker_ids": " ".join(u.bezoeker_ids), "gekoppeld_via": u.how,
             "tegenstrijdig": ", ".join(u.conflicts)} for u in units]
