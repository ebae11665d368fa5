"""Helpers shared by the format readers: the internal skip signal, safe labels, the reader
state of one ``read_conversations`` call (skips, duplicate ids, strict mode)."""

from __future__ import annotations

import codecs
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from indicators.conversation import Conversation

from .records import (
    _INT_LIKE,
    _LABEL_SHOWN,
    _SPEAKER_SUFFIX,
    SPEAKER_ALIASES,
    YEAR_MAX,
    YEAR_MIN,
    CsvOptions,
    InputError,
    ReadReport,
    Skip,
    _show_id,
)


class _Bad(Exception):
    """Internal: the record being parsed is skipped."""

    def __init__(
        self, reason: str, detail: str, line: int | None = None, conv_id: str | None = None
    ) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.line = line
        self.conv_id = conv_id

_LINE_ENDS = re.compile(rb"\r\n|\r|\n")


@lru_cache(maxsize=4096)  # a file has a handful of distinct labels, read on every turn
def normalize_speaker(value: str) -> str | None:
    """``bezoeker`` / ``hulpverlener`` for a known label or alias (any case), else None."""
    label = _SPEAKER_SUFFIX.sub("", value).strip().casefold()
    return SPEAKER_ALIASES.get(label)


def _show_label(value: Any) -> str:
    """A label for a message: shown only when it is one short word, never free text."""
    if isinstance(value, str) and _LABEL_SHOWN.fullmatch(value.strip()):
        return repr(value.strip())
    return "(value not shown)"


def _where(source: str, line: int | None) -> str:
    return source if line is None else f"{source}:{line}"


def _parse_year(value: Any, *, int_like_text: bool) -> int | None:
    """A year from JSON (int) or text (int-like); None when absent. Raises _Bad."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    year: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        year = value
    elif int_like_text and isinstance(value, str):
        m = _INT_LIKE.fullmatch(value)
        if m:
            year = int(m.group(1))
    if year is None:
        kind = "text" if isinstance(value, str) else type(value).__name__
        raise _Bad("bad_year", f"year is {kind}, not an integer")
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise _Bad("bad_year", f"year {year} is outside {YEAR_MIN}-{YEAR_MAX}")
    return year


def _check_encoding(encoding: str) -> tuple[str, bool]:
    """Validated codec name and whether it is UTF-8 (so a byte order mark is removed)."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}", reason="bad_option") from None
    probe = "\n\r\t #:,;\"'{}[]azAZ09"
    try:
        ascii_compatible = probe.encode(name) == probe.encode("ascii")
    except (UnicodeError, LookupError):
        ascii_compatible = False
    if not ascii_compatible:
        raise InputError(
            f"encoding {encoding!r} is not supported (it must be ASCII-compatible)",
            reason="bad_option",
        )
    return name, name in ("utf-8", "utf-8-sig")


class _Reader:
    """State shared by the readers during one read_conversations call."""

    def __init__(
        self,
        *,
        strict: bool,
        report: ReadReport,
        csv_options: CsvOptions,
        with_gold: bool,
        encoding: str,
    ) -> None:
        self.strict = strict
        self.report = report
        self.csv = csv_options
        self.with_gold = with_gold
        self.encoding, self.utf8 = _check_encoding(encoding)
        self.seen: dict[str, tuple[str, int | None]] = {}

    def skip(
        self,
        source: str,
        line: int | None,
        conv_id: str | None,
        reason: str,
        detail: str,
        level: str = "conversation",
    ) -> None:
        s = Skip(source=source, line=line, id=conv_id, reason=reason, detail=detail, level=level)
        self.report.add(s)
        if self.strict:
            raise InputError(str(s), source=source, line=line, reason=reason, skip=s)

    def bad_value(self, source: str, line: int | None, conv_id: str | None,
                  detail: str) -> None:
        """A registration value left out; the conversation is still read (strict too)."""
        self.report.bad_values.append(Skip(source=source, line=line, id=conv_id,
                                           reason="bad_meta", detail=detail, level="value"))

    def accept(self, conv: Conversation, empty_detail: str | None = None) -> bool:
        """Check a parsed conversation against the run: empty, duplicate id. Counts it."""
        source = conv.source or "?"
        if not any(t.text.strip() for t in conv.turns):
            detail = empty_detail or (
                "conversation has no messages" if not conv.turns else "all messages are empty"
            )
            self.skip(source, conv.line, conv.id, "empty_conversation", detail)
            return False
        prev = self.seen.get(conv.id)
        if prev is not None:
            self.skip(
                source,
                conv.line,
                conv.id,
                "duplicate_id",
                f"conversation id {_show_id(conv.id)} at {_where(source, conv.line)} was "
                f"already read from {_where(*prev)}",
            )
            return False
        self.seen[conv.id] = (source, conv.line)
        self.report.read += 1
        return True

    def read_bytes(self, path: Path) -> bytes:
        try:
            data = path.read_bytes()
        except OSError as e:
            raise InputError(
                f"{path}: cannot read file ({e.strerror or type(e).__name__})",
                source=str(path),
                reason="unreadable",
            ) from None
        self.report.files.append(str(path))
        return data

    def decode_error(self, data: bytes, err: UnicodeDecodeError, base: int = 0) -> tuple[int, str]:
        """Line number and a message for an undecodable byte (offset relative to ``data``)."""
        line = len(_LINE_ENDS.findall(data, 0, err.start)) + 1
        return line, (
            f"not valid {self.encoding}: undecodable byte at byte offset {base + err.start}"
        )


