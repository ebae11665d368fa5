"""Progress of a ``suggest`` run on stderr: done, rate, ETA, skipped (never conversation
text)."""

from __future__ import annotations

import time
from pathlib import Path

from ..corpus import InputError, ReadReport, _resolve


def _estimate_total(inputs: list[Path], fmt: str) -> int | None:
    """Conversation records in the input (JSONL lines, txt files); None for CSV."""
    try:
        files = _resolve(inputs, fmt, ReadReport())
    except InputError:
        return None
    total = 0
    for path, kind in files:
        if kind == "txt":
            total += 1
        elif kind == "jsonl":
            with path.open("rb") as fh:  # blank lines as the reader sees them
                total += sum(1 for line in fh if line.decode("utf-8", "replace").strip())
        else:
            return None
    return total


class _Progress:
    """A rich progress bar on stderr: done, rate, ETA, skipped (no conversation text)."""

    def __init__(self, report: ReadReport, total: int | None, start: int):
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.report = report
        self.t0 = time.monotonic()
        self.start = start
        self.p = Progress(
            TextColumn("suggest"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} conv/s"), TimeElapsedColumn(),
            TextColumn("ETA"), TimeRemainingColumn(),
            TextColumn("skipped {task.fields[skipped]}"),
            console=Console(stderr=True), transient=False,
        )
        self.task = self.p.add_task("suggest", total=total, completed=start, rate="-",
                                    skipped=0)
        self.p.start()

    def update(self, done: int) -> None:
        dt = time.monotonic() - self.t0
        rate = f"{(done - self.start) / dt:.0f}" if dt > 0 else "-"
        skipped = len(self.report.skipped_conversations)  # records read: done + skipped
        self.p.update(self.task, completed=done + skipped, rate=rate, skipped=skipped)

    def stop(self) -> None:
        self.p.stop()
