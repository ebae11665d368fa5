"""Shared CLI helpers: reading input with a skip report, writing output, failing clearly.

Exit codes, the same for every command: 0 done; 2 the input is wrong (files, options, pattern
files, codebook, model: fix it and run again); 1 the doccano server failed or refused; 130
interrupted (Ctrl-C; a batch run can be resumed). Errors name files, lines and ids, never
conversation text.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console

from ..corpus import CsvOptions, InputError, ReadReport, read_conversations

err = Console(stderr=True, highlight=False)

INPUT_ERROR = 2  # the input, options, patterns, codebook or model are wrong
SERVER_ERROR = 1  # the doccano server failed or refused
INTERRUPTED = 130


def open_input(paths: list[Path], fmt: str, strict: bool, report: ReadReport,
               csv: CsvOptions | None = None, with_gold: bool = True):
    try:
        return read_conversations(paths, fmt, strict=strict, report=report, csv_options=csv,
                                  with_gold=with_gold)
    except InputError as e:
        fail(str(e))


def fail(message: str, code: int = INPUT_ERROR) -> NoReturn:
    """Print ``error: message`` on stderr and end the command with ``code``."""
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
