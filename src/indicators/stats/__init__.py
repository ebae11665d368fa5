"""Statistics from confirmed codes: the yearly report over unique visitors.

Python API::

    from indicators.stats import run_stats
    run = run_stats(["annotations/"], "out/stats", links="koppelingen.csv",
                    earlier=["jaarcijfers_2023.json", "rapport_2022.csv"])

or step by step: ``load_records`` -> ``select`` (confirmed, in the study, deduplicated) ->
``link_visitors`` (unique visitors per year) -> ``build`` (all tables) -> ``suppress`` and
``publish`` (small cells hidden across all tables) -> exports and report.
"""

from .load import LoadResult, Problem, StatRecord, StatsInputError, dedupe, load_records
from .pipeline import StatsRun, run_stats
from .summary import select
from .suppress import publish, suppress
from .tables import build, compute_tables
from .visitors import link_visitors, read_links

__all__ = ["LoadResult", "Problem", "StatRecord", "StatsInputError", "StatsRun", "build",
           "compute_tables", "dedupe", "link_visitors", "load_records", "publish",
           "read_links", "run_stats", "select", "suppress"]
