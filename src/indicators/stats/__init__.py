"""Statistics from confirmed codes: yearly tables, SPSS / REFI-QDA export, figures, report.

Python API::

    from indicators.codebook import load_codebook
    from indicators.stats import load_records, select, compute_tables, publish, build
    cb = load_codebook()
    sel = select(load_records(["annotations/"], cb), years=[2024])
    tables = compute_tables(sel.records, cb)         # unsuppressed DataFrames
    published = publish(build(sel.records, cb), 5)   # small cells suppressed
    write_sav(sel.records, cb, "out.sav"); write_qdpx(sel.records, cb, "out.qdpx")

or everything at once: ``run_stats(paths, outdir, min_cell=5)``.
"""

from .figures import make_figures
from .load import LoadResult, Problem, StatRecord, StatsInputError, dedupe, load_records
from .pipeline import StatsRun, run_stats
from .qdpx import write_qdc, write_qdpx
from .report import write_report
from .sav import write_sav
from .summary import select, summary_table
from .suppress import publish, suppressed_cells
from .tables import StatsResult, build, compute_tables, year_comparison

__all__ = [
    "LoadResult", "Problem", "StatRecord", "StatsInputError", "StatsResult", "StatsRun",
    "build", "compute_tables", "dedupe", "load_records", "make_figures", "publish",
    "run_stats", "select", "summary_table", "suppressed_cells", "write_qdc", "write_qdpx",
    "write_report", "write_sav", "year_comparison",
]
