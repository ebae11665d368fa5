"""``indicators stats`` as a function: load, select, tabulate, suppress, export."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..codebook import Codebook, load_codebook
from .export import write_summary_json, write_tables
from .load import LoadResult, load_records
from .summary import select, summary_table
from .suppress import publish
from .tables import build


@dataclass
class StatsRun:
    loaded: LoadResult
    summary: dict
    tables: dict[str, pd.DataFrame]  # published (suppressed unless min_cell is None)
    outputs: list[Path] = field(default_factory=list)


def run_stats(
    paths: Sequence[str | Path],
    outdir: str | Path,
    *,
    min_cell: int | None = 5,
    years: Sequence[int] | None = None,
    cb: Codebook | None = None,
    qdpx: bool = True,
    figures: bool = True,
) -> StatsRun:
    cb = cb or load_codebook()
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    loaded = load_records(paths, cb)
    sel = select(loaded, years)
    sel.summary["min_cell"] = min_cell
    res = build(sel.records, cb)
    tables = {"samenvatting": summary_table(sel.summary), **publish(res, min_cell)}
    outputs = write_tables(tables, outdir)
    outputs.append(write_summary_json(sel.summary, outdir / "samenvatting.json"))
    from .sav import write_sav

    outputs.append(write_sav(sel.records, cb, outdir / "gesprekken.sav"))
    if qdpx:
        from .qdpx import write_qdc, write_qdpx

        outputs.append(write_qdpx(sel.records, cb, outdir / "gesprekken.qdpx"))
        outputs.append(write_qdc(cb, outdir / "codeboek.qdc"))
    figs: list[Path] = []
    if figures:
        from .figures import make_figures

        figs = make_figures(tables, cb, outdir, min_cell)
        outputs.extend(figs)
    from .report import write_report

    outputs.extend(write_report(tables, sel.summary, cb, outdir, figs, min_cell))
    return StatsRun(loaded=loaded, summary=sel.summary, tables=tables, outputs=outputs)
