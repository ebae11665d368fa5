"""Yearly tables over unique visitors (codebook, "How the statistics read them").

``build(units, cb)`` computes every table of :mod:`.definitions` for every year present, as
long-format frames (see :mod:`.cells`), and keeps the cells and their declared sums for the
small-cell suppression. ``compute_tables`` gives the unsuppressed frames without the internal
key columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from ..codebook import Codebook
from .cells import KEY_COLUMNS, Registry, TableSpec, compute, relations
from .definitions import specs
from .visitors import Unit


@dataclass
class StatsResult:
    """Raw (unsuppressed) tables, their specs, cells and declared sums."""

    tables: dict[str, pd.DataFrame]
    specs: dict[str, TableSpec]
    registry: Registry
    relations: list[tuple[list[str], str]] = field(default_factory=list)
    years: list[int] = field(default_factory=list)


def build(units: Sequence[Unit], cb: Codebook) -> StatsResult:
    """All tables for the given visitor units (one per visitor and year)."""
    years = sorted({u.year for u in units})
    reg = Registry()
    for y in years:
        reg.units[y] = [u for u in units if u.year == y]
    channels = sorted({u.channel for u in units if u.channel})
    tables: dict[str, pd.DataFrame] = {}
    spec_by_id: dict[str, TableSpec] = {}
    rel: list[tuple[list[str], str]] = []
    for spec in specs(cb, channels):
        df = compute(spec, reg, years)
        tables[spec.id] = df
        spec_by_id[spec.id] = spec
        rel += relations(spec, df)
    return StatsResult(tables=tables, specs=spec_by_id, registry=reg, relations=rel,
                       years=years)


def compute_tables(units: Sequence[Unit], cb: Codebook) -> dict[str, pd.DataFrame]:
    """Unsuppressed tables (internal key columns dropped) for use from Python."""
    res = build(units, cb)
    return {name: df.drop(columns=KEY_COLUMNS) for name, df in res.tables.items()}
