"""JSON Lines of our own formats, line by line: suggestions, confirmed records, push records.

The one way those files are read. Lines are split on LF only (a JSON text holds no raw line
break, so a CR is whitespace) and decoded one at a time; blank lines are skipped; a UTF-8 byte
order mark at the start of a line is ignored. A line that is not UTF-8 or not JSON comes back
as a :class:`LineError` with its line number, and the caller decides whether that is a counted
skip or a stop. Messages never quote the line (it may hold transcript text).
(Transcripts themselves are read by :mod:`indicators.corpus.jsonl`, with its skip report.)
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .records import _BOM


@dataclass(frozen=True)
class LineError:
    detail: str  # e.g. "malformed JSON at column 7", "not UTF-8 (byte 3 of the line)"


def json_lines(path: str | Path) -> Iterator[tuple[int, Any]]:
    """``(line number, parsed value or LineError)`` for every non-blank line of ``path``."""
    with Path(path).open("rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            raw = raw.removeprefix(_BOM)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                yield lineno, LineError(f"not UTF-8 (byte {e.start + 1} of the line)")
                continue
            if not text.strip():
                continue
            try:
                yield lineno, json.loads(text)
            except json.JSONDecodeError as e:
                yield lineno, LineError(f"malformed JSON at column {e.colno}")
            except (ValueError, RecursionError):  # a number too large, nesting too deep
                yield lineno, LineError("malformed JSON")
