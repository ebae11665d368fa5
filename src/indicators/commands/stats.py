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


def _ci(value, ci) -> str:
    if value is None:
        return "n.v.t."
    lo, hi = ci
    return f"{value:.2f}" + (f" ({lo:.2f}-{hi:.2f})" if lo is not None else "")


def agreement(
    files: list[Path] = typer.Argument(..., help="Confirmed annotations of several coders."),
    machine: Path = typer.Option(None, "--machine",
                                 help="Machine suggestions JSONL ({id, codes})."),
    json_out: Path = typer.Option(None, "--json", help="Write all results as JSON here."),
    n_boot: int = typer.Option(1000, "--bootstrap", min=0, help="Bootstrap resamples."),
    codebook: Path = typer.Option(None, "--codebook", help="Codebook YAML (default: project)."),
) -> None:
    """Per-code agreement: Cohen's kappa and Krippendorff's alpha between coders, and
    machine-coder kappa, precision and recall, with bootstrap 95% intervals."""
    import json

    from ..codebook import CodebookError, load_codebook
    from ..stats.agreement import coder_agreement, machine_agreement, read_suggestions
    from ..stats.load import StatsInputError, load_records

    try:
        cb = load_codebook(codebook)
        loaded = load_records(files, cb)
        sugg, sugg_problems = read_suggestions(machine) if machine else (None, [])
    except (StatsInputError, CodebookError) as e:
        console.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from e
    for p in [*loaded.problems, *sugg_problems][:20]:
        console.print(f"[yellow]skipped[/yellow] {p}")
    coders = coder_agreement(loaded.confirmed, cb, n_boot)
    mach = machine_agreement(loaded.confirmed, sugg, cb, n_boot)
    result = {"files": loaded.files, "pending_records_ignored": len(loaded.pending),
              "skipped_lines": loaded.skipped + len(sugg_problems),
              "bootstrap_resamples": n_boot, "coders": coders, "machine": mach}
    t = Table(title=f"Overeenstemming per code ({coders['double_coded_conversations']} dubbel "
                    f"gecodeerde gesprekken, {mach['n_units']} met machinesuggestie)")
    t.add_column("code", no_wrap=True)
    pairs = [p["coders"] for p in next(iter(coders["codes"].values()))["pairs"]][:3]
    for a, b in pairs:
        t.add_column(f"kappa {a}-{b}")
    t.add_column("alpha")
    for col in ("machine kappa", "precisie", "recall"):
        t.add_column(col)
    for code, e in coders["codes"].items():
        m = mach["codes"][code]
        t.add_row(code, *[_ci(p["kappa"], p["kappa_ci95"]) for p in e["pairs"][:3]],
                  _ci(e["alpha"], e["alpha_ci95"]),
                  _ci(m["kappa"], m["kappa_ci95"]), _ci(m["precision"], m["precision_ci95"]),
                  _ci(m["recall"], m["recall_ci95"]))
    Console().print(t)
    if json_out:
        json_out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
        console.print(f"Wrote {json_out}")


def register(app: typer.Typer) -> None:
    app.command("stats")(stats)
    app.command("agreement")(agreement)
