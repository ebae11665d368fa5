"""``indicators stats`` and ``indicators agreement``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from .common import fail

console = Console(stderr=True)


def stats(
    data: list[Path] = typer.Argument(..., help="Confirmed annotations: JSONL files or folders."),
    outdir: Path = typer.Option(..., "-o", "--outdir", help="Folder for the report and files."),
    year: int = typer.Option(None, "--year",
                             help="Report year (default: the latest year in the data); "
                                  "earlier years of the data are shown beside it."),
    links: Path = typer.Option(None, "--links",
                               help="CSV of hand-made visitor links: two ids per line "
                                    "(conversation ids or bezoeker_ids)."),
    earlier: list[Path] = typer.Option(None, "--earlier",
                                       help="Earlier figures: a jaarcijfers_<jaar>.json of "
                                            "an earlier run, or a hand-filled CSV of a "
                                            "published report (repeatable)."),
    min_cell: int = typer.Option(5, "--min-cell", min=2,
                                 help="Hide counts below this in everything published."),
    no_suppress: bool = typer.Option(False, "--no-suppress",
                                     help="Publish all counts (not for publication)."),
    qdpx: bool = typer.Option(True, "--qdpx/--no-qdpx", help="Write the REFI-QDA project."),
    pdf: bool = typer.Option(True, "--pdf/--no-pdf",
                             help="Also print the report to PDF (needs chromium)."),
    codebook: Path = typer.Option(None, "--codebook", help="Codebook YAML (default: project)."),
) -> None:
    """The yearly report from confirmed codes: unique visitors, every table and figure,
    earlier years beside, small cells hidden; Excel, SPSS and REFI-QDA files."""
    from ..codebook import CodebookError, load_codebook
    from ..stats.load import StatsInputError
    from ..stats.pipeline import run_stats

    try:
        cb = load_codebook(codebook)
        run = run_stats(data, outdir, min_cell=None if no_suppress else min_cell, year=year,
                        links=links, earlier=earlier or [], cb=cb, qdpx=qdpx, pdf=pdf)
    except (StatsInputError, CodebookError) as e:
        fail(str(e))
    s = run.summary
    for p in [*s["problems"], *s["link_problems"], *s["earlier_problems"]][:20]:
        console.print(f"[yellow]skipped[/yellow] {p}")
    n_prob = len(s["problems"]) + len(s["link_problems"]) + len(s["earlier_problems"])
    if n_prob > 20:
        console.print(f"[yellow]... and {n_prob - 20} more (samenvatting.json)")
    for y in s["earlier_years_ignored_in_data"]:
        console.print(f"[yellow]note[/yellow] {y}: earlier figures ignored, the data has "
                      "this year")
    t = Table(title="Per jaar")
    for col in ("jaar", "gesprekken", "unieke bezoekers", "niet in onderzoek",
                "in afwachting"):
        t.add_column(col, justify="right")
    for row in s["per_year"]:
        t.add_row(row["jaar"], str(row["bevestigd"]), str(row.get("bezoekers", 0)),
                  str(row["niet_in_onderzoek"]), str(row["in_afwachting"]))
    console.print(t)
    console.print(
        f"{s['confirmed_conversations']} confirmed conversations in the study, "
        f"{s['unique_visitors']} unique visitors (per year), "
        f"{s['pending_conversations_excluded']} pending excluded, "
        f"{s['not_in_study_excluded']} not in the study, "
        f"{s['skipped_lines']} lines skipped, "
        f"{s['duplicate_records_not_counted']} duplicate records not counted."
    )
    if s["earlier_years"]:
        console.print("Earlier years beside: " + ", ".join(
            f"{y} ({src})" for y, src in s["earlier_years"].items()))
    if no_suppress:
        console.print("[bold red]Small-cell suppression is OFF: do not publish these tables.")
    else:
        hidden = len(run.suppression.hidden)
        console.print(f"{hidden} cells hidden (small counts and what would give them away).")
    if run.year is None:
        console.print("[yellow]No confirmed conversations in the study: no report written "
                      "(the other files are empty).")
    report = outdir / "rapport.html"
    console.print(f"Wrote {len(run.outputs)} files to {outdir}"
                  + (f"; open {report}" if report.exists() else ""))


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
        fail(str(e))
    for p in [*loaded.problems, *sugg_problems][:20]:
        console.print(f"[yellow]skipped[/yellow] {p}")
    coders = coder_agreement(loaded.confirmed, cb, n_boot)
    mach = machine_agreement(loaded.confirmed, sugg, cb, n_boot)
    result = {"files": loaded.files, "pending_records_ignored": len(loaded.pending),
              "skipped_lines": loaded.skipped + len(sugg_problems),
              "bootstrap_resamples": n_boot, "coders": coders, "machine": mach}
    for w in coders["warnings"]:
        console.print(f"[yellow]warning[/yellow] {w}")
    if not coders["double_coded_conversations"] and len(coders["all_coders"]) < 2:
        console.print("[yellow]warning[/yellow] only one coder found: no agreement between "
                      "coders can be computed")
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
    t2 = Table(title="Overeenstemming: contextvariabelen en ontmoetingsplatforms")
    t2.add_column("variabele", no_wrap=True)
    for a, b in pairs:
        t2.add_column(f"kappa {a}-{b}")
    t2.add_column("alpha")
    for group in ("context", "platforms"):
        for name, e in coders[group].items():
            t2.add_row(name, *[_ci(p["kappa"], p["kappa_ci95"]) for p in e["pairs"][:3]],
                       _ci(e["alpha"], e["alpha_ci95"]))
    Console().print(t2)
    if json_out:
        json_out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
        console.print(f"Wrote {json_out}")


def register(app: typer.Typer) -> None:
    app.command("stats")(stats)
    app.command("agreement")(agreement)
