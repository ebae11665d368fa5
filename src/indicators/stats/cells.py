"""Tables as cells over unique visitors: the engine behind every table of the report.

A table is a :class:`TableSpec`: a population (its *base*), optional groups (columns, e.g. per
form of exploitation) and rows. Every published count is a :class:`Cell`: the set of visitors
(units of one year) it counts, or for a weighted row the sum of a whole number over them (the
number of conversations, the number of coercion means). Cells are keyed by their content, so
the same group of visitors is one cell wherever it appears, under whatever name: suppression
hides it everywhere alike.

Long format of a computed table (one row per year, group and row): ``jaar``, ``tabel``,
``rij``, ``label``, ``groep``, ``groep_label``, ``soort`` (``aantal``, ``som`` or
``statistiek``), ``n``, ``N``, ``pct`` (100 n / N, one decimal), ``waarde`` (a statistic),
and the internal ``_n_key`` / ``_N_key`` (cell keys, dropped on publication).
"""

from __future__ import annotations

import hashlib
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from .visitors import Unit

Test = Callable[[Unit], bool]
COLUMNS = ["jaar", "tabel", "rij", "label", "groep", "groep_label", "soort", "n", "N", "pct",
           "waarde"]
KEY_COLUMNS = ["_n_key", "_N_key"]
ALL = ("alle", "Totaal", None)


@dataclass(frozen=True)
class Cell:
    key: str
    year: int
    members: tuple[int, ...]  # unit indices within the year, sorted
    weights: tuple[int, ...] | None  # per member; None: a count
    value: int

    def weight(self, i: int) -> int:
        return 1 if self.weights is None else self.weights[self.members.index(i)]


@dataclass
class RowSpec:
    id: str
    label: str
    test: Test | None = None  # count rows: the units of the base that pass
    weight: Callable[[Unit], int] | None = None  # a sum over the base (``som``)
    stat: str | None = None  # "gemiddelde", "mediaan", "minimum", "maximum"
    value: Callable[[Unit], float | None] | None = None  # what the statistic is of
    base: Test | None = None  # a row's own denominator (within the table's base)
    base_label: str | None = None
    extra: bool = False  # not one of the categories that add up to the base


@dataclass
class TableSpec:
    id: str
    title: str
    population: str  # Dutch: who is counted (the denominator)
    base: Test
    rows: list[RowSpec]
    groups: list[tuple[str, str, Test | None]] = field(default_factory=lambda: [ALL])
    partition: bool = False  # the non-extra count rows add up to the base (per group)
    figure: str | None = None  # figure subject when the table has a figure
    figure_rows: list[str] | None = None  # rows in the figure (default: count rows)
    sort_by_count: bool = False  # report: rows by count in the report year, zero rows left out
    figure_sorted: bool = False  # figure: bars from the largest percentage down
    note: str | None = None
    key_stats: dict = field(default_factory=dict)


class Registry:
    """All cells of one run, keyed by content."""

    def __init__(self) -> None:
        self.cells: dict[str, Cell] = {}
        self.units: dict[int, list[Unit]] = {}
        self.stat_rows: list[dict] = []  # published statistics (for the audit)

    def add(self, year: int, members: Sequence[int], weights: Sequence[int] | None = None) -> str:
        members = tuple(sorted(members))
        w = None if weights is None else tuple(weights)
        if w is not None and all(x == 1 for x in w):
            w = None
        h = hashlib.sha1(repr((year, members, w)).encode()).hexdigest()[:16]
        key = f"{year}|{h}"
        if key not in self.cells:
            self.cells[key] = Cell(key, year, members, w, sum(w) if w is not None
                                   else len(members))
        return key


def pct(n: int, N: int) -> float | None:
    return round(100 * n / N, 1) if N else None


def _stat(kind: str, values: list[float]) -> float | None:
    if not values:
        return None
    if kind == "gemiddelde":
        return round(statistics.fmean(values), 1)
    if kind == "mediaan":
        return round(float(statistics.median(values)), 1)
    if kind == "minimum":
        return float(min(values))
    if kind == "maximum":
        return float(max(values))
    raise ValueError(kind)


def compute(spec: TableSpec, reg: Registry, years: Sequence[int]) -> pd.DataFrame:
    """The long-format frame of one table for the given years."""
    rows: list[dict] = []
    for year in years:
        units = reg.units[year]
        for gid, glabel, gtest in spec.groups:
            base = [i for i, u in enumerate(units) if spec.base(u) and (gtest is None or gtest(u))]
            base_key = reg.add(year, base)
            for r in spec.rows:
                own = [i for i in base if r.base(units[i])] if r.base else base
                N_key = reg.add(year, own) if r.base else base_key
                row = {"jaar": str(year), "tabel": spec.id, "rij": r.id, "label": r.label,
                       "groep": gid, "groep_label": glabel, "n": None, "N": len(own),
                       "pct": None, "waarde": None, "_n_key": None, "_N_key": N_key}
                if r.stat:
                    vals = [v for i in own if (v := r.value(units[i])) is not None]
                    row.update(soort="statistiek", waarde=_stat(r.stat, vals))
                    reg.stat_rows.append({"idx": len(reg.stat_rows), "year": year, "kind": r.stat, "N_key": N_key,
                                          "value": row["waarde"], "members": own,
                                          "values": [r.value(units[i]) for i in own],
                                          "tabel": spec.id, "rij": r.id, "groep": gid})
                elif r.weight:
                    w = [r.weight(units[i]) for i in own]
                    key = reg.add(year, own, w)
                    row.update(soort="som", n=reg.cells[key].value, _n_key=key)
                else:
                    members = [i for i in own if r.test(units[i])]
                    key = reg.add(year, members)
                    row.update(soort="aantal", n=len(members), pct=pct(len(members), len(own)),
                               _n_key=key)
                rows.append(row)
    df = pd.DataFrame(rows, columns=COLUMNS + KEY_COLUMNS)
    df["pct"] = df["pct"].astype("Float64")
    df["waarde"] = df["waarde"].astype("Float64")
    return df


def relations(spec: TableSpec, df: pd.DataFrame) -> list[tuple[list[str], str]]:
    """Declared sums: per year and group, the category rows add up to the base."""
    if not spec.partition:
        return []
    cats = {r.id for r in spec.rows if not (r.extra or r.stat or r.weight or r.base)}
    out = []
    for _, g in df[df["rij"].isin(cats)].groupby(["jaar", "groep"], sort=False):
        out.append((list(g["_n_key"]), g["_N_key"].iloc[0]))
    return out
