"""``indicators stats`` as a function: load, select, link, tabulate, suppress, export, report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..codebook import Codebook, load_codebook
from .definitions import TREND
from .earlier import Earlier, read_earlier, template, trend_frame, yearly_json
from .export import nl_csv, write_json, write_tables
from .load import LoadResult, StatsInputError, load_records
from .render import to_html, to_markdown, to_pdf
from .report import Report
from .summary import select, summary_table
from .suppress import Suppression, publish, suppress
from .tables import StatsResult, build
from .visitors import LINK_COLUMNS, conversation_units, link_rows, link_visitors, read_links


@dataclass
class StatsRun:
    loaded: LoadResult
    summary: dict
    result: StatsResult
    suppression: Suppression
    tables: dict[str, pd.DataFrame]  # published (suppressed unless min_cell is None)
    earlier: Earlier
    year: int | None
    outputs: list[Path] = field(default_factory=list)


def run_stats(
    paths: Sequence[str | Path],
    outdir: str | Path,
    *,
    min_cell: int | None = 5,
    year: int | None = None,
    years: Sequence[int] | None = None,
    links: str | Path | None = None,
    earlier: Sequence[str | Path] = (),
    cb: Codebook | None = None,
    qdpx: bool = True,
    pdf: bool = True,
) -> StatsRun:
    """All outputs for the report year ``year`` (default: the latest year in the data);
    years after it are left out, earlier years of the data are shown beside it."""
    cb = cb or load_codebook()
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    loaded = load_records(paths, cb)
    sel = select(loaded, years)
    if year is not None:
        sel.records = [r for r in sel.records if r.year <= year]
    linkfile = read_links(links) if links else None
    linking = link_visitors(sel.records, linkfile)
    units = linking.units
    data_years = sorted({u.year for u in units})
    year = year if year is not None else (data_years[-1] if data_years else None)
    s = sel.summary
    s["report_year"] = year
    s["min_cell"] = min_cell
    s["unique_visitors"] = len(units)
    s["link_problems"] = (linkfile.problems if linkfile else []) + [
        f"koppeling {x}: id niet gevonden" for x in linking.unknown_links]
    for row in s["per_year"]:
        row["bezoekers"] = sum(u.year == int(row["jaar"]) for u in units)
    s["checks"]["visitors_with_conflicting_values"] = [
        u.key for u in units if u.conflicts]

    res = build(units, cb)
    sup = suppress(res, min_cell)
    tables = publish(res, sup)
    known = {sid: {r.id for r in sp.rows} for sid, sp in res.specs.items()}
    prev = read_earlier(earlier, known, data_years)
    s["earlier_years"] = {y: prev.source(y) for y in prev.years()}
    s["earlier_problems"] = prev.problems
    s["earlier_years_ignored_in_data"] = prev.ignored_years
    trend = trend_frame(tables, prev, TREND)

    titles = {sid: sp.title for sid, sp in res.specs.items()}
    out = write_tables({**tables, "trend": trend, **(
        {"eerdere_jaren": prev.figures} if len(prev.figures) else {})}, outdir, titles)
    out.append(nl_csv(summary_table(s), outdir / "verwerking.csv"))  # not suppressed
    out.append(nl_csv(template(tables, titles), outdir / "eerdere_cijfers_sjabloon.csv"))
    out.append(nl_csv(pd.DataFrame(link_rows(units), columns=LINK_COLUMNS),
                      outdir / "koppeltabel.csv"))
    out.append(write_json(s, outdir / "samenvatting.json"))
    meta = {"codeboek": cb.version, "min_cell": min_cell,
            "eenheid": "unieke bezoekers per jaar"}
    for y in data_years:
        out.append(write_json(yearly_json(tables, y, meta), outdir / f"jaarcijfers_{y}.json"))

    from .sav import write_sav
    from .sps import write_sps

    out.append(write_sav(units, cb, outdir / "bezoekers.sav",
                         f"{cb.name} (codeboek {cb.version}): unieke bezoekers per jaar"))
    out.append(write_sps(cb, outdir / "bezoekers.sps"))
    out.append(write_sav(conversation_units(sel.records), cb, outdir / "gesprekken.sav",
                         f"{cb.name} (codeboek {cb.version}): bevestigde gesprekken"))
    if qdpx:
        from .qdpx import write_qdc, write_qdpx

        out.append(write_qdpx(sel.records, cb, outdir / "gesprekken.qdpx", units))
        out.append(write_qdc(cb, outdir / "codeboek.qdc"))
    if year is not None:
        rep = Report(tables, res.specs, year, data_years, prev, outdir, min_cell, s, trend)
        blocks = rep.build()
        title = f"Onzichtbare slachtoffers van mensenhandel: cijfers {year}"
        page = outdir / "rapport.html"
        page.write_text(to_html(blocks, title), encoding="utf-8")
        (outdir / "rapport.md").write_text(to_markdown(blocks, outdir), encoding="utf-8")
        out += [page, outdir / "rapport.md", *rep.figures]
        if pdf and (p := to_pdf(page, outdir / "rapport.pdf")):
            out.append(p)
    return StatsRun(loaded=loaded, summary=s, result=res, suppression=sup, tables=tables,
                    earlier=prev, year=year, outputs=out)


__all__ = ["StatsInputError", "StatsRun", "run_stats"]
