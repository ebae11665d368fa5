"""Small-cell protection for published tables.

Primary suppression: a count ``0 < x < min_cell`` is shown as ``"<min_cell"`` and the
percentage of its row is blanked. Zeros are shown. Secondary suppression shows ``"x"`` (the
count is not small, it is hidden so the small one cannot be computed back).

Secondary suppression (simple): the tables contain linear relations between cells (the years
add up to the total; the chatter categories add up to all conversations; online + offline -
both = the meeting population; the platforms of a type add up to the type). Whenever exactly
one cell of such a relation is suppressed while its total is shown, it could be computed back,
so the smallest other non-zero cell of the relation is suppressed as well (or, when there is
none, the total). This repeats until no relation has a single suppressed cell. Suppression is
per set of conversations (a cell key), so the same number is hidden in every table it
appears in.
"""

from __future__ import annotations

import pandas as pd

from .tables import KEY_COLUMNS, StatsResult, year_comparison

SECONDARY = "x"  # hidden only to stop back-calculation; the count itself is not small


def suppressed_cells(
    values: dict[str, int], relations: list[tuple[list[str], str]], min_cell: int
) -> set[str]:
    """Cell keys to hide: primary (0 < x < min_cell) plus secondary via the relations."""
    hidden = {k for k, v in values.items() if 0 < v < min_cell}
    rels = [([m for m in ms if m in values], t) for ms, t in relations if t in values]
    changed = True
    while changed:
        changed = False
        for members, total in rels:
            if total in hidden:
                continue
            open_ = [m for m in members if m not in hidden]
            if len(members) - len(open_) != 1:
                continue
            candidates = sorted((values[m], m) for m in open_ if values[m] > 0)
            hidden.add(candidates[0][1] if candidates else total)
            changed = True
    return hidden


def publish(res: StatsResult, min_cell: int | None) -> dict[str, pd.DataFrame]:
    """Published tables: small counts as ``"<min_cell"``, counts hidden only against
    back-calculation (secondary) as ``"x"``; the percentage of such a row is blank.

    ``min_cell=None`` (``--no-suppress``) publishes all counts. Adds ``jaarvergelijking``
    when there are several years.
    """
    values: dict[str, int] = {}
    for df in res.tables.values():
        for num, col in (("n", "_n_key"), ("N", "_N_key")):
            values.update(zip(df[col], df[num].astype(int), strict=True))
    hidden = suppressed_cells(values, res.relations, min_cell) if min_cell else set()
    primary = {k for k in hidden if 0 < values[k] < (min_cell or 0)}
    out: dict[str, pd.DataFrame] = {}
    for name, df in res.tables.items():
        df = df.copy()
        hide_n, hide_N = df["_n_key"].isin(hidden), df["_N_key"].isin(hidden)
        for num, col in (("n", "_n_key"), ("N", "_N_key")):
            marks = df[col].map(lambda k: f"<{min_cell}" if k in primary else SECONDARY)
            df[num] = df[num].astype(object).where(~df[col].isin(hidden), marks)
        df["pct"] = df["pct"].astype(object).where(~(hide_n | hide_N), None)
        df["pct"] = df["pct"].map(lambda x: None if x is None or pd.isna(x) else float(x))
        out[name] = df.drop(columns=KEY_COLUMNS)
    if len(res.years) > 1:
        out["jaarvergelijking"] = year_comparison(out, res.years)
    return out
