"""``indicators stats`` and ``indicators agreement``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

console = Console(stderr=True)


def stats(
    data: list[Path] = typer.Argument(..., help="Confirmed annotations: JSONL files or folders."),
    outdir: Path = typer.Option(..., "-o", "--outdir", help="Folder for tables, report, files."),
    min_cell: int = typer.Option(5, "--min-cell", min=1,
                                 help="Suppress counts below this in published tables."),
    no_suppress: bool = typer.Option(False, "--no-suppress",
                                     help="Publish all counts (not for publication)."),
    year: list[int] = typer.Option(None, "--year", help="Only these years (repeatable)."),
    qdpx: bool = typer.Option(True, "--qdpx/--no-qdpx", help="Write the REFI-QDA project."),
    codebook: Path = typer.Option(None, "--codebook", help="Codebook YAML (default: project)."),
) -> None:
    """Yearly tables, SPSS/REFI-QDA exports, figures and a report from confirmed codes."""
    from ..codebook import CodebookError, load_codebook
    from ..stats.load import StatsInputError
    from ..stats.pipeline import run_stats

    try:
        cb = load_codebook(codebook)
        run = run_stats(data, outdir, min_cell=None if no_suppress else min_cell,
                        years=year or None, cb=cb, qdpx=qdpx)
    except (StatsInputError, CodebookError) as e:
        console.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from e
    s = run.summary
    for p in s["problems"][:20]:
        console.print(f"[yellow]skipped[/yellow] {p}")
    if len(s["problems"]) > 20:
        console.print(f"[yellow]... and {len(s['problems']) - 20} more (samenvatting.json)")
    t = Table(title="Bevestigde gesprekken per jaar")
    for col in ("jaar", "bevestigd (meegeteld)", "in afwachting (uitgesloten)"):
        t.add_column(col, justify="right")
    for row in run.tables["samenvatting"].itertuples(index=False):
        t.add_row(*(str(x) for x in row))
    console.print(t)
    console.print(
        f"{s['confirmed_conversations']} confirmed conversations counted, "
        f"{s['pending_conversations_excluded']} pending excluded, "
        f"{s['skipped_lines']} lines skipped, "
        f"{s['duplicate_records_not_counted']} duplicate records not counted."
    )
    if no_suppress:
        console.print("[bold red]Small-cell suppression is OFF: do not publish these tables.")
    console.print(f"Wrote {len(run.outputs)} files to {outdir}")


def register(app: typer.Typer) -> None:
    app.command("stats")(stats)
