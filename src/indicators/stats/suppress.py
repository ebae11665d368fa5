"""Small-cell protection across all published tables together.

* Primary: every published count (or sum) from 1 to ``min_cell - 1`` is hidden. Zeros are
  shown.
* Secondary: counts that would let an analyst work a hidden one back are hidden as well.
  First the declared sums (the categories of a table add up to its population): no sum may
  have exactly one hidden cell. Then the attacker's linear programme of :mod:`.audit`, per
  year, over all tables at once: as long as some hidden cell can be narrowed to fewer than
  ``width + 1`` whole numbers, a further count that holds its bounds is hidden.
* Every hidden cell is shown as ``x``: small and secondary cells look alike, so the mark
  itself tells the analyst nothing but "at least 1".
* A cell is a group of visitors, not a place in a table: the same group is hidden in every
  table it appears in, under any row or column name.
* Percentages of a hidden count or denominator are left out; so are averages and medians over
  a hidden population. The youngest and oldest age are shown as their age band when fewer than
  ``min_cell`` visitors have that age.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .audit import YearModel, protected
from .cells import KEY_COLUMNS
from .definitions import age_band
from .tables import StatsResult

MARK = "x"  # every hidden cell, small or hidden to stop back-calculation: one mark


@dataclass
class Suppression:
    min_cell: int | None
    hidden: dict[str, str] = field(default_factory=dict)  # cell key -> primary / secondary
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)  # attacker's view
    banded: set[int] = field(default_factory=set)  # stat rows shown as a band

    def mark(self, key: str) -> str | None:
        kind = self.hidden.get(key)
        if kind is None:
            return None
        return MARK


def relation_pass(values: dict[str, int], relations, hidden: dict[str, str],
                  min_cell: int) -> None:
    """Declared sums: never exactly one hidden member next to a shown total."""
    rels = [([m for m in ms if m in values], t) for ms, t in relations if t in values]
    changed = True
    while changed:
        changed = False
        for members, total in rels:
            if total in hidden:
                continue
            open_ = [m for m in members if m not in hidden]
            if len(set(members)) - len(set(open_)) != 1:
                continue
            cands = sorted((values[m], m) for m in open_ if values[m] >= min_cell)
            hidden[cands[0][1] if cands else total] = "secondary"
            changed = True


def shown_stats(res: StatsResult, year: int, sup: Suppression) -> list[int]:
    """Indices (within the year) of statistics published exactly."""
    rows = [s for s in res.registry.stat_rows if s["year"] == year]
    out = []
    for i, s in enumerate(rows):
        if s["value"] is None or s["N_key"] in sup.hidden:
            continue
        if s["kind"] in ("minimum", "maximum") and s["idx"] in sup.banded:
            continue
        out.append(i)
    return out


def _band_extremes(res: StatsResult, sup: Suppression) -> None:
    for s in res.registry.stat_rows:
        if s["kind"] in ("minimum", "maximum") and s["value"] is not None:
            same = sum(1 for v in s["values"] if v == s["value"])
            if same < sup.min_cell:
                sup.banded.add(s["idx"])


def suppress(res: StatsResult, min_cell: int | None, width: int = 1) -> Suppression:
    """Choose the hidden cells (primary and secondary) for all tables together."""
    sup = Suppression(min_cell)
    if not min_cell:
        return sup
    reg = res.registry
    values = {k: c.value for k, c in reg.cells.items()}
    sup.hidden = {k: "primary" for k, v in values.items() if 0 < v < min_cell}
    relation_pass(values, res.relations, sup.hidden, min_cell)
    _band_extremes(res, sup)
    for year in res.years:
        _audit_year(res, year, sup, width)
    return sup


def _audit_year(res: StatsResult, year: int, sup: Suppression, width: int) -> None:
    """Hide more cells until the attacker can pin no hidden cell of the year.

    Hiding a cell only removes information (an equation becomes a bound), so a cell once
    found protected stays protected: each hidden cell is checked until it is protected, the
    small ones first; a cell hidden on the way joins the queue."""
    reg = res.registry
    model = YearModel(reg, year, [s for s in reg.stat_rows if s["year"] == year])
    queue = sorted((k for k in sup.hidden if k in model.index),
                   key=lambda k: (sup.hidden[k] != "primary", reg.cells[k].value, k))
    while queue:
        target = queue.pop(0)
        while True:
            stats = shown_stats(res, year, sup)
            binding: dict = {}
            rng = model.ranges(list(sup.hidden), [target], stats, binding)[target]
            sup.ranges[target] = rng
            if protected(*rng, width):
                break
            queue.append(_fix(res, model, target, sup, binding.get(target, set())))


def _fix(res: StatsResult, model: YearModel, target: str, sup: Suppression,
         binding: set[str]) -> str:
    """Hide one more cell so that ``target`` gets (closer to) its protection; returns it.

    Candidates are the shown cells whose equations hold the target's bounds (the dual values
    of the attacker's programme), else the partners of the target in declared sums, else the
    shown cells that share visitors with it; the smallest count among them is hidden.
    """
    reg, hid = res.registry, sup.hidden
    related = {m for ms, tot in res.relations if target in ms or target == tot
               for m in [*ms, tot]}
    t = set(reg.cells[target].members)
    for pool in (binding, related, {c.key for c in model.cells if t & set(c.members)},
                 {c.key for c in model.cells}):
        cands = sorted((reg.cells[k].value, k) for k in pool
                       if k not in hid and k in model.index and reg.cells[k].value > 0)
        if cands:
            hid[cands[0][1]] = "secondary"
            return cands[0][1]
    raise RuntimeError(f"cannot protect cell {target}: nothing left to hide")


def publish(res: StatsResult, sup: Suppression) -> dict[str, pd.DataFrame]:
    """Published tables: hidden counts as ``<min_cell`` or ``x``, their percentages blank;
    statistics over a hidden population blank; extremes as a band where needed."""
    banded = {(s["year"], s["tabel"], s["rij"], s["groep"]) for s in res.registry.stat_rows
              if s["idx"] in sup.banded}
    out: dict[str, pd.DataFrame] = {}
    for name, df in res.tables.items():
        df = df.copy()
        hide_n = df["_n_key"].isin(sup.hidden)
        hide_N = df["_N_key"].isin(sup.hidden)
        for num, col in (("n", "_n_key"), ("N", "_N_key")):
            vals = []
            for x, k in zip(df[num], df[col], strict=True):
                mark = sup.mark(k) if isinstance(k, str) else None
                vals.append(mark if mark else None if x is None or pd.isna(x) else int(x))
            df[num] = pd.Series(vals, index=df.index, dtype=object)
        df["pct"] = df["pct"].astype(object).where(~(hide_n | hide_N), None)
        df["pct"] = df["pct"].map(lambda x: None if x is None or pd.isna(x) else float(x))
        waarde = []
        for r in df.to_dict("records"):
            w = r["waarde"]
            w = None if w is None or pd.isna(w) else float(w)
            if w is not None and r["_N_key"] in sup.hidden:
                w = None
            elif w is not None and (int(r["jaar"]), name, r["rij"], r["groep"]) in banded:
                w = age_band(int(w))
            waarde.append(w)
        df["waarde"] = pd.Series(waarde, index=df.index, dtype=object)
        out[name] = df.drop(columns=KEY_COLUMNS)
    return out
