"""Shared CLI helpers: reading input with a skip report, writing output atomically."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console

from ..corpus import CsvOptions, InputError, ReadReport, read_conversations

err = Console(stderr=True, highlight=False)


def open_input(paths: list[Path], fmt: str, strict: bool, report: ReadReport,
               csv: CsvOptions | None = None, with_gold: bool = True):
    try:
        return read_conversations(paths, fmt, strict=strict, report=report, csv_options=csv,
                                  with_gold=with_gold)
    except InputError as e:
        fail(str(e))


def fail(message: str, code: int = 2):
    err.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def report_skips(report: ReadReport) -> None:
    err.print(report.summary())
    for line in report.describe_skips(limit=20):
        err.print(f"  skipped: {line}")


def stdout_is_file(path: Path | None) -> bool:
    return path is not None and str(path) != "-"


def write_stdout(line: str) -> None:
    sys.stdout.write(line)
