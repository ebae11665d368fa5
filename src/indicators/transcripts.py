"""Transcript input layer: read conversations from JSON Lines, CSV or plain-text files.

``read_conversations(paths)`` yields :class:`~indicators.conversation.Conversation` records
one at a time and collects what it could not read in a :class:`ReadReport`. Nothing is
dropped silently: every record that is not yielded is reported as a :class:`Skip` with the
file, the line and a short reason key. With ``strict=True`` the first skip raises
:class:`InputError` instead. Messages and skip details never contain conversation text
(only ids, file names, line numbers, column names and short speaker labels).

Inputs
------
``paths`` is a path or an iterable of paths. A directory stands for its files of one format
(not recursive, hidden files ignored, sorted by name); other files in it are listed in
``ReadReport.ignored_files``. ``fmt="auto"`` takes the format from the file suffix:

- ``.jsonl`` / ``.ndjson``: JSON Lines (the development-corpus format),
- ``.csv`` / ``.tsv``: CSV, one message per row,
- ``.txt``: plain text, one conversation per file.

A directory with files of more than one of these formats needs an explicit ``fmt``.
Files are decoded as UTF-8 (a leading UTF-8 byte order mark is ignored). Another encoding,
such as ``cp1252``, is only used when asked for with ``encoding=``; undecodable bytes are
never guessed at but reported with reason ``encoding``.

JSON Lines
    One conversation per line: ``{"id": ..., "turns": [{"speaker": ..., "text": ...,
    "timestamp": ...}], "year": ..., "channel": ..., "gold": {...}, "review": {...}}``.
    ``year``, ``channel``, ``gold``, ``review`` and ``timestamp`` are optional; ``why`` and
    other keys are ignored. ``gold`` and ``review`` are kept only when ``with_gold=True``.
    Whitespace-only lines are ignored. Each other line is one conversation record; a bad
    line is skipped with its line number.

CSV
    One message per row with a header row. Column names come from :class:`CsvOptions`
    (matched case-insensitively, surrounding spaces ignored). ``conversation_id``,
    ``speaker`` and ``text`` are required; ``timestamp``, ``year`` and ``channel`` are
    used when present. The delimiter (``,`` ``;`` or tab) is sniffed from the header row
    unless given. Helpline exports are often sorted by time across conversations, so the
    rows of one conversation need not be adjacent: a CSV file is read whole and its rows
    are grouped by conversation id, in order of first appearance, keeping the row order
    within a conversation. The year and channel of a conversation are taken from its first
    row that has them. A bad row (wrong number of fields, empty speaker or text, unknown
    speaker, bad year, undecodable bytes) is skipped on its own (``ReadReport.skipped_rows``);
    the conversation keeps its other rows. A row without a conversation id is skipped as a
    conversation-level record. Whitespace-only rows are ignored. Line numbers are physical
    lines (a quoted field may span several lines; the first line of the row is reported).

Plain text
    One conversation per ``.txt`` file; the id is the file name without its extension.
    Optional header lines at the top, before the first message::

        # year: 2024
        # channel: chatmetfier

    Other ``# key: value`` header lines are kept in ``Conversation.meta["headers"]``; other
    lines starting with ``#`` before the first message are comments. Each message starts
    on a new line with a speaker label and a colon, in any case, with optional spaces
    around the label and the colon (``  BEZOEKER :  hoi``). Known labels
    (:data:`SPEAKER_ALIASES`):

    - visitor: ``bezoeker``, ``visitor``, ``b``
    - counsellor: ``hulpverlener``, ``counsellor``, ``counselor``, ``hv``, ``h``

    A line that does not start with a known label continues the previous message (joined
    with a newline), so ``ps: ...`` or ``Docent: ...`` inside a conversation is message
    text. Blank lines are ignored and lines are stripped of surrounding spaces. A file
    whose first line after the header is not a message line is skipped: reason
    ``unknown_speaker`` when it starts with a word and a colon (``Docent: ...``),
    ``no_speaker_label`` otherwise.

Every format
    ``year`` must be an integer from 1900 to 2100 (CSV and txt accept int-like text such
    as ``2024`` or ``2024.0``; JSON needs a JSON integer). Speaker values are matched
    case-insensitively against the aliases above. A conversation without any message
    text is skipped (``empty_conversation``); single messages with empty text are kept
    in JSONL and txt input (nothing is dropped) and skipped as ``bad_row`` in CSV input. Within one call, a conversation id that was
    already yielded is skipped (``duplicate_id``) wherever it appears again.
    Strings with unpaired surrogates (``"\\ud800"`` escapes in JSON) are rejected as
    ``encoding``.

Counting invariant: conversations yielded + ``len(report.skipped_conversations)`` equals
the number of conversation records in the input: non-blank lines of JSONL files, ``.txt``
files, and for CSV the distinct conversation ids plus the rows without a usable id.
Row-level CSV skips are listed separately in ``report.skipped_rows``. Reading is lazy:
the report is complete once the iterator is exhausted. JSONL and txt input is streamed
one record at a time; only the set of ids already yielded is kept.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indicators.conversation import COUNSELLOR, VISITOR, Conversation, Turn

__all__ = [
    "FORMATS",
    "REASONS",
    "SPEAKER_ALIASES",
    "CsvOptions",
    "InputError",
    "ReadReport",
    "Skip",
    "detect_format",
    "normalize_speaker",
    "read_conversations",
]

FORMATS = ("jsonl", "csv", "txt")
SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".tsv": "csv", ".txt": "txt"}

SPEAKER_ALIASES: dict[str, str] = {
    "bezoeker": VISITOR,
    "visitor": VISITOR,
    "b": VISITOR,
    "hulpverlener": COUNSELLOR,
    "counsellor": COUNSELLOR,
    "counselor": COUNSELLOR,
    "hv": COUNSELLOR,
    "h": COUNSELLOR,
}

YEAR_MIN, YEAR_MAX = 1900, 2100

# Reason keys used in Skip.reason and InputError.reason.
REASONS = {
    # skips
    "malformed_json": "the line is not valid JSON",
    "not_object": "the JSON value is not an object",
    "missing_field": "a required field (id, turns, speaker, text) is missing or empty",
    "bad_field": "a field has the wrong type",
    "unknown_speaker": "a speaker label that is not bezoeker or hulpverlener (or an alias)",
    "no_speaker_label": "a text file does not start with a speaker label",
    "bad_year": "year is not an integer from 1900 to 2100",
    "bad_row": "a CSV row that cannot be used (no id, empty speaker or text, wrong field count)",
    "encoding": "bytes that cannot be decoded with the chosen encoding",
    "empty_conversation": "a conversation without any message text",
    "duplicate_id": "a conversation id that was already read in this run",
    # fatal (InputError only)
    "not_found": "the input path does not exist",
    "unreadable": "the input file cannot be opened",
    "unknown_format": "the input format cannot be determined",
    "ambiguous_format": "a directory holds files of more than one format",
    "no_input": "a directory holds no input files",
    "missing_column": "a required CSV column is missing",
    "bad_header": "the CSV header cannot be used",
    "bad_option": "an invalid reader option",
}

_BOM = b"\xef\xbb\xbf"
_SURROGATE = re.compile("[\ud800-\udfff]")
_LABEL_SHOWN = re.compile(r"[^\W_][\w.\-]{0,29}")
_SPEAKER_LINE = re.compile(r"\s*([^\W\d_][\w\-]{0,29})\s*:(.*)", re.DOTALL)
_HEADER_LINE = re.compile(r"#\s*([A-Za-z_][\w\-]*)\s*:(.*)", re.DOTALL)
_INT_LIKE = re.compile(r"\s*\+?(\d{1,6})(?:\.0*)?\s*")


# --------------------------------------------------------------------------- records


@dataclass
class Skip:
    """One record (conversation, or CSV row) that was not read."""

    source: str  # file path
    line: int | None  # 1-based line where the problem is
    id: str | None  # conversation id if known
    reason: str  # machine-friendly key, see REASONS
    detail: str  # human message without conversation text
    level: str = "conversation"  # "conversation" or "row" (a CSV row inside a conversation)

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        ident = "" if self.id is None else f" ({_show_id(self.id)})"
        return f"{where}{ident}: {self.detail} [{self.reason}]"


@dataclass
class ReadReport:
    """Counts and skips collected while reading."""

    read: int = 0  # conversations yielded
    skipped: list[Skip] = field(default_factory=list)  # all skips, in order
    skipped_conversations: list[Skip] = field(default_factory=list)
    skipped_rows: list[Skip] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # files opened
    ignored_files: list[str] = field(default_factory=list)  # directory entries not read

    def add(self, skip: Skip) -> None:
        self.skipped.append(skip)
        if skip.level == "row":
            self.skipped_rows.append(skip)
        else:
            self.skipped_conversations.append(skip)

    def counts_by_reason(self) -> dict[str, int]:
        """Skips per reason, most frequent first."""
        counts = Counter(s.reason for s in self.skipped)
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def summary(self) -> str:
        """A short account for the terminal."""
        n_files = len(self.files)
        text = f"read {self.read} conversation{'s' * (self.read != 1)}"
        text += f" from {n_files} file{'s' * (n_files != 1)}"
        parts = []
        for label, skips in (
            ("conversation", self.skipped_conversations),
            ("row", self.skipped_rows),
        ):
            if skips:
                counts = Counter(s.reason for s in skips)
                reasons = ", ".join(f"{r}: {n}" for r, n in sorted(counts.items()))
                parts.append(f"{len(skips)} {label}{'s' * (len(skips) != 1)} ({reasons})")
        text += "; skipped " + " and ".join(parts) if parts else "; nothing skipped"
        if self.ignored_files:
            n = len(self.ignored_files)
            text += f"; {n} other file{'s' * (n != 1)} in input directories ignored"
        return text

    def describe_skips(self, limit: int | None = 20) -> list[str]:
        """One line per skip (``file:line: detail [reason]``), at most ``limit`` lines."""
        shown = self.skipped if limit is None else self.skipped[:limit]
        lines = [str(s) for s in shown]
        if limit is not None and len(self.skipped) > limit:
            lines.append(f"... and {len(self.skipped) - limit} more")
        return lines


class InputError(Exception):
    """Input that cannot be read: raised for fatal problems and, in strict mode, any skip."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        reason: str = "error",
        skip: Skip | None = None,
    ) -> None:
        super().__init__(message)
        self.source = source
        self.line = line
        self.reason = reason
        self.skip = skip


@dataclass
class CsvOptions:
    """Column names and delimiter of a CSV export (optional columns may be None)."""

    id_col: str = "conversation_id"
    speaker_col: str = "speaker"
    text_col: str = "text"
    timestamp_col: str | None = "timestamp"
    year_col: str | None = "year"
    channel_col: str | None = "channel"
    delimiter: str | None = None  # None: sniff , ; or tab from the header row


# --------------------------------------------------------------------------- helpers


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


def normalize_speaker(value: str) -> str | None:
    """``bezoeker`` / ``hulpverlener`` for a known label or alias (any case), else None."""
    return SPEAKER_ALIASES.get(value.strip().casefold())


def _show_label(value: Any) -> str:
    """A label for a message: shown only when it is one short word, never free text."""
    if isinstance(value, str) and _LABEL_SHOWN.fullmatch(value.strip()):
        return repr(value.strip())
    return "(value not shown)"


def _show_id(value: str) -> str:
    return repr(value if len(value) <= 60 else value[:57] + "...")


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
        line = data.count(b"\n", 0, err.start) + 1
        return line, (
            f"not valid {self.encoding}: undecodable byte at byte offset {base + err.start}"
        )


# --------------------------------------------------------------------------- JSON Lines


def _json_conversation(obj: Any, source: str, lineno: int, with_gold: bool) -> Conversation:
    """Build a Conversation from one parsed JSON value. Raises _Bad."""
    if not isinstance(obj, dict):
        raise _Bad("not_object", f"line is JSON {type(obj).__name__}, not an object")
    if obj.get("id") is None:
        raise _Bad("missing_field", "record has no 'id'")
    rid = obj["id"]
    if isinstance(rid, bool) or not isinstance(rid, str | int):
        raise _Bad("bad_field", f"'id' is {type(rid).__name__}, not a string")
    rid = str(rid).strip()
    if not rid:
        raise _Bad("missing_field", "'id' is empty")
    if _SURROGATE.search(rid):
        raise _Bad("encoding", "'id' contains an unpaired surrogate escape")

    def raise_id(reason: str, detail: str) -> _Bad:
        return _Bad(reason, detail, conv_id=rid)

    if obj.get("turns") is None:
        raise raise_id("missing_field", "record has no 'turns'")
    raw_turns = obj["turns"]
    if not isinstance(raw_turns, list):
        raise raise_id("bad_field", f"'turns' is {type(raw_turns).__name__}, not a list")
    turns: list[Turn] = []
    for n, t in enumerate(raw_turns, 1):
        if not isinstance(t, dict):
            raise raise_id("bad_field", f"turn {n} is {type(t).__name__}, not an object")
        for key in ("speaker", "text"):
            if t.get(key) is None:
                raise raise_id("missing_field", f"turn {n} has no '{key}'")
        speaker, text, ts = t["speaker"], t["text"], t.get("timestamp")
        if not isinstance(speaker, str):
            raise raise_id("bad_field", f"turn {n}: 'speaker' is {type(speaker).__name__}")
        norm = normalize_speaker(speaker)
        if norm is None:
            raise raise_id(
                "unknown_speaker",
                f"turn {n}: unknown speaker {_show_label(speaker)} "
                "(expected bezoeker or hulpverlener)",
            )
        if not isinstance(text, str):
            raise raise_id("bad_field", f"turn {n}: 'text' is {type(text).__name__}, not a string")
        if isinstance(ts, bool) or not (ts is None or isinstance(ts, str | int | float)):
            raise raise_id("bad_field", f"turn {n}: 'timestamp' is {type(ts).__name__}")
        ts = None if ts is None else str(ts).strip() or None
        if _SURROGATE.search(text) or (ts and _SURROGATE.search(ts)):
            raise raise_id("encoding", f"turn {n} contains an unpaired surrogate escape")
        turns.append(Turn(speaker=norm, text=text, timestamp=ts))

    try:
        year = _parse_year(obj.get("year"), int_like_text=False)
    except _Bad as e:
        raise raise_id(e.reason, e.detail) from None
    channel = obj.get("channel")
    if channel is not None:
        if not isinstance(channel, str):
            raise raise_id("bad_field", f"'channel' is {type(channel).__name__}, not a string")
        if _SURROGATE.search(channel):
            raise raise_id("encoding", "'channel' contains an unpaired surrogate escape")
        channel = channel.strip() or None
    gold = review = None
    if with_gold:
        gold, review = obj.get("gold"), obj.get("review")
        for key, value in (("gold", gold), ("review", review)):
            if value is not None and not isinstance(value, dict):
                raise raise_id("bad_field", f"'{key}' is {type(value).__name__}, not an object")
    return Conversation(
        id=rid,
        turns=turns,
        year=year,
        channel=channel,
        gold=gold,
        review=review,
        source=source,
        line=lineno,
    )


def _json_error_detail(err: ValueError | RecursionError) -> str:
    if isinstance(err, json.JSONDecodeError):
        # e.msg is a fixed phrase; cut anything after a colon to never echo input
        phrase = err.msg.split(":")[0].removesuffix(" at")
        return f"malformed JSON: {phrase} at column {err.colno}"
    if isinstance(err, RecursionError):
        return "malformed JSON: nested too deeply"
    return "malformed JSON: a number is too large"


def _read_jsonl(path: Path, r: _Reader) -> Iterator[Conversation]:
    source = str(path)
    try:
        f = path.open("rb")
    except OSError as e:
        raise InputError(
            f"{path}: cannot open file ({e.strerror or type(e).__name__})",
            source=source,
            reason="unreadable",
        ) from None
    r.report.files.append(source)
    with f:
        offset = 0
        for lineno, raw in enumerate(f, 1):
            base, offset = offset, offset + len(raw)
            body = raw
            if r.utf8 and body.startswith(_BOM):  # also mid-file, e.g. concatenated files
                body, base = body[len(_BOM) :], base + len(_BOM)
            if not body.strip():
                continue
            try:
                text = body.decode(r.encoding)
            except UnicodeDecodeError as e:
                r.skip(
                    source,
                    lineno,
                    None,
                    "encoding",
                    f"line is not valid {r.encoding}: undecodable byte at byte offset "
                    f"{base + e.start}",
                )
                continue
            try:
                try:
                    obj = json.loads(text)
                except (ValueError, RecursionError) as e:
                    raise _Bad("malformed_json", _json_error_detail(e)) from None
                conv = _json_conversation(obj, source, lineno, r.with_gold)
            except _Bad as e:
                r.skip(source, lineno, e.conv_id, e.reason, e.detail)
                continue
            if r.accept(conv):
                yield conv


# --------------------------------------------------------------------------- plain text


def _txt_conversation(text: str, conv_id: str, source: str) -> Conversation:
    """Parse one text file. Raises _Bad (with line)."""
    turns: list[Turn] = []
    first_line: int | None = None
    year: int | None = None
    channel: str | None = None
    headers: dict[str, str] = {}
    for lineno, raw in enumerate(text.split("\n"), 1):
        line = raw.strip()
        if not line:
            continue
        if not turns and line.startswith("#"):
            m = _HEADER_LINE.fullmatch(line)
            if m:
                key, value = m.group(1).casefold(), m.group(2).strip()
                if key == "year":
                    try:
                        year = _parse_year(value, int_like_text=True)
                    except _Bad as e:
                        raise _Bad(e.reason, f"header {e.detail}", lineno) from None
                elif key == "channel":
                    channel = value or None
                else:
                    headers[key] = value
            continue  # a header or a comment line
        m = _SPEAKER_LINE.match(raw)
        speaker = normalize_speaker(m.group(1)) if m else None
        if speaker is not None:
            assert m is not None
            turns.append(Turn(speaker=speaker, text=m.group(2).strip()))
            if first_line is None:
                first_line = lineno
            continue
        if not turns:
            if m:
                raise _Bad(
                    "unknown_speaker",
                    f"unknown speaker label {_show_label(m.group(1))} on the first message "
                    "line (expected bezoeker or hulpverlener)",
                    lineno,
                )
            raise _Bad(
                "no_speaker_label",
                "the first message line has no speaker label (expected 'Bezoeker:' or "
                "'Hulpverlener:')",
                lineno,
            )
        last = turns[-1]
        last.text = f"{last.text}\n{line}" if last.text else line
    meta: dict[str, Any] = {"headers": headers} if headers else {}
    return Conversation(
        id=conv_id,
        turns=turns,
        year=year,
        channel=channel,
        source=source,
        line=first_line,
        meta=meta,
    )


def _read_txt(path: Path, r: _Reader) -> Iterator[Conversation]:
    source = str(path)
    conv_id = path.name[: -len(path.suffix)] if path.suffix else path.name
    data = r.read_bytes(path)
    if r.utf8 and data.startswith(_BOM):
        data = data[len(_BOM) :]
        base = len(_BOM)
    else:
        base = 0
    try:
        text = data.decode(r.encoding)
    except UnicodeDecodeError as e:
        line, detail = r.decode_error(data, e, base)
        r.skip(source, line, conv_id, "encoding", detail)
        return
    try:
        if not conv_id.strip() or _SURROGATE.search(conv_id):
            raise _Bad("bad_field", "the file name is not a usable conversation id", None)
        conv = _txt_conversation(text, conv_id, source)
    except _Bad as e:
        r.skip(source, e.line, conv_id, e.reason, e.detail)
        return
    if r.accept(conv):
        yield conv


# --------------------------------------------------------------------------- CSV


def _first_line(text: str) -> str:
    for line in re.split(r"\r\n|\r|\n", text):
        if line.strip():
            return line
    return ""


def _sniff_delimiter(text: str, opts: CsvOptions) -> str:
    """The delimiter whose split of the header row holds the required columns; else the one
    giving the most fields (ties: comma)."""
    header = _first_line(text)
    wanted = {c.strip().casefold() for c in (opts.id_col, opts.speaker_col, opts.text_col)}
    best, best_n = ",", 0
    for d in (",", ";", "\t"):
        try:
            fields = next(csv.reader([header], delimiter=d), [])
        except csv.Error:
            continue
        if wanted <= {f.strip().casefold() for f in fields}:
            return d
        if len(fields) > best_n:
            best, best_n = d, len(fields)
    return best


@dataclass
class _CsvColumns:
    id: int
    speaker: int
    text: int
    timestamp: int | None
    year: int | None
    channel: int | None
    n: int


_COLUMN_WORDS = {
    "id", "conversation", "conversation_id", "conv_id", "gesprek", "gesprek_id", "gespreksid",
    "chat", "chat_id", "speaker", "spreker", "role", "rol", "afzender", "sender", "author",
    "text", "tekst", "message", "bericht", "body", "content", "timestamp", "time", "tijd",
    "datum", "date", "datetime", "year", "jaar", "channel", "kanaal", "turn", "beurt", "index",
    "nr", "volgnummer", "seq",
}


def _looks_like_column(cell: str, opts: CsvOptions) -> bool:
    name = cell.strip().casefold()
    own = {c.strip().casefold() for c in (opts.id_col, opts.speaker_col, opts.text_col,
                                           opts.timestamp_col, opts.year_col, opts.channel_col)
           if c}
    return bool(_LABEL_SHOWN.fullmatch(cell.strip())) and (
        name in _COLUMN_WORDS or name in own or name.replace(" ", "_") in _COLUMN_WORDS)


def _csv_columns(header: list[str], opts: CsvOptions, source: str, line: int) -> _CsvColumns:
    names = [h.strip().casefold() for h in header]
    missing: list[str] = []

    def find(col: str | None, required: bool) -> int | None:
        if col is None:
            return None
        hits = [i for i, n in enumerate(names) if n == col.strip().casefold()]
        if len(hits) > 1:
            raise InputError(
                f"{source}:{line}: column {col!r} appears {len(hits)} times in the header",
                source=source,
                line=line,
                reason="bad_header",
            )
        if not hits:
            if required:
                missing.append(col)
            return None
        return hits[0]

    idx = {
        "id": find(opts.id_col, True),
        "speaker": find(opts.speaker_col, True),
        "text": find(opts.text_col, True),
        "timestamp": find(opts.timestamp_col, False),
        "year": find(opts.year_col, False),
        "channel": find(opts.channel_col, False),
    }
    if missing:
        # show only cells that look like column names: a file without a header row would
        # otherwise echo its first message here
        shown = [h.strip() for h in header if _looks_like_column(h, opts)]
        hidden = len(header) - len(shown)
        found = ", ".join(repr(h) for h in shown) or "none shown"
        if hidden:
            found += f" and {hidden} not shown"
        raise InputError(
            f"{source}:{line}: missing required column"
            f"{'s' * (len(missing) > 1)} {', '.join(repr(c) for c in missing)} "
            f"(header has {len(header)} columns: {found}); "
            "set the column names in the CSV options",
            source=source,
            line=line,
            reason="missing_column",
        )
    return _CsvColumns(n=len(header), **idx)  # type: ignore[arg-type]


@dataclass
class _CsvGroup:
    first_line: int
    rows: int = 0
    turns: list[Turn] = field(default_factory=list)
    year: int | None = None
    channel: str | None = None


def _csv_row(row: list[str], cols: _CsvColumns, group: _CsvGroup, header: list[str]) -> None:
    """Add one row's message to its conversation. Raises _Bad for a bad row."""
    if len(row) != cols.n:
        raise _Bad("bad_row", f"row has {len(row)} fields, the header has {cols.n}")
    for i, value in enumerate(row):
        if _SURROGATE.search(value):
            raise _Bad("encoding", f"column {_show_label(header[i])} has undecodable bytes")
    speaker_raw, text = row[cols.speaker], row[cols.text]
    if not speaker_raw.strip():
        raise _Bad("bad_row", "empty speaker")
    speaker = normalize_speaker(speaker_raw)
    if speaker is None:
        raise _Bad(
            "unknown_speaker",
            f"unknown speaker {_show_label(speaker_raw)} (expected bezoeker or hulpverlener)",
        )
    if not text.strip():
        raise _Bad("bad_row", "empty text")
    year = None if cols.year is None else _parse_year(row[cols.year], int_like_text=True)
    ts = None if cols.timestamp is None else row[cols.timestamp].strip() or None
    channel = None if cols.channel is None else row[cols.channel].strip() or None
    group.turns.append(Turn(speaker=speaker, text=text, timestamp=ts))
    if group.year is None:
        group.year = year
    if group.channel is None:
        group.channel = channel


def _read_csv(path: Path, r: _Reader) -> Iterator[Conversation]:
    source = str(path)
    opts = r.csv
    data = r.read_bytes(path)
    if r.utf8 and data.startswith(_BOM):
        data = data[len(_BOM) :]
    # undecodable bytes become lone surrogates; rows holding them are skipped, not guessed
    text = data.decode(r.encoding, errors="surrogateescape")
    delimiter = opts.delimiter or _sniff_delimiter(text, opts)
    if len(delimiter) != 1:
        raise InputError(
            f"CSV delimiter must be one character, got {delimiter!r}", reason="bad_option"
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    cols: _CsvColumns | None = None
    groups: dict[str, _CsvGroup] = {}
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            if cols is None:
                raise InputError(
                    f"{source}:{start}: cannot parse the CSV header ({e})",
                    source=source,
                    line=start,
                    reason="bad_header",
                ) from None
            r.skip(source, start, None, "bad_row", f"CSV parse error: {e}")
            continue
        if not any(f.strip() for f in row):
            continue
        if cols is None:
            if any(_SURROGATE.search(h) for h in row):
                raise InputError(
                    f"{source}:{start}: the CSV header is not valid {r.encoding}",
                    source=source,
                    line=start,
                    reason="encoding",
                )
            header, cols = row, _csv_columns(row, opts, source, start)
            continue
        assert header is not None
        conv_id = row[cols.id].strip() if cols.id < len(row) else ""
        if not conv_id or _SURROGATE.search(conv_id):
            if conv_id:
                r.skip(source, start, None, "encoding", "conversation id has undecodable bytes")
            else:
                r.skip(source, start, None, "bad_row", "row has no conversation id")
            continue
        group = groups.get(conv_id)
        if group is None:
            group = groups[conv_id] = _CsvGroup(first_line=start)
        group.rows += 1
        try:
            _csv_row(row, cols, group, header)
        except _Bad as e:
            r.skip(source, start, conv_id, e.reason, e.detail, level="row")
    for conv_id, group in groups.items():
        conv = Conversation(
            id=conv_id,
            turns=group.turns,
            year=group.year,
            channel=group.channel,
            source=source,
            line=group.first_line,
        )
        n = group.rows
        if r.accept(conv, f"all {n} row{'s' * (n != 1)} of this conversation were skipped"):
            yield conv


# --------------------------------------------------------------------------- entry points

_READERS = {"jsonl": _read_jsonl, "txt": _read_txt, "csv": _read_csv}


def _is_hidden(p: Path) -> bool:
    return p.name.startswith(".")


def _list_dir(p: Path) -> list[Path]:
    """The non-hidden entries of a directory, sorted by name."""
    try:
        return sorted(c for c in p.iterdir() if not _is_hidden(c))
    except OSError as e:
        raise InputError(
            f"{p}: cannot list directory ({e.strerror or type(e).__name__})",
            source=str(p),
            reason="unreadable",
        ) from None


def detect_format(path: str | os.PathLike[str]) -> str:
    """``"jsonl"``, ``"csv"`` or ``"txt"`` for a file (by suffix) or a directory (by the
    suffixes of its files). Raises InputError when it cannot tell."""
    p = Path(path)
    if p.is_dir():
        kinds = sorted(
            {
                SUFFIXES[c.suffix.lower()]
                for c in _list_dir(p)
                if c.is_file() and c.suffix.lower() in SUFFIXES
            }
        )
        if len(kinds) == 1:
            return kinds[0]
        if not kinds:
            raise InputError(
                f"{p}: directory holds no .jsonl, .csv or .txt files",
                source=str(p),
                reason="no_input",
            )
        raise InputError(
            f"{p}: directory holds files of several formats ({', '.join(kinds)}); "
            "choose one format explicitly",
            source=str(p),
            reason="ambiguous_format",
        )
    if not p.exists():
        raise InputError(f"{p}: no such file or directory", source=str(p), reason="not_found")
    fmt = SUFFIXES.get(p.suffix.lower())
    if fmt is None:
        raise InputError(
            f"{p}: cannot tell the format from the file name (expected .jsonl, .csv or .txt); "
            "choose one format explicitly",
            source=str(p),
            reason="unknown_format",
        )
    return fmt


def _resolve(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    fmt: str,
    report: ReadReport,
) -> list[tuple[Path, str]]:
    if fmt != "auto" and fmt not in FORMATS:
        raise InputError(
            f"unknown input format {fmt!r} (expected auto, {', '.join(FORMATS)})",
            reason="unknown_format",
        )
    items = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    out: list[tuple[Path, str]] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            kind = detect_format(p) if fmt == "auto" else fmt
            files, ignored = [], []
            for c in _list_dir(p):
                if c.is_file() and SUFFIXES.get(c.suffix.lower()) == kind:
                    files.append(c)
                else:
                    ignored.append(str(c))
            if not files:
                raise InputError(
                    f"{p}: directory holds no {kind} files", source=str(p), reason="no_input"
                )
            report.ignored_files.extend(ignored)
            out.extend((c, kind) for c in files)
        elif not p.exists():
            raise InputError(f"{p}: no such file or directory", source=str(p), reason="not_found")
        else:
            out.append((p, detect_format(p) if fmt == "auto" else fmt))
    return out


def read_conversations(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    fmt: str = "auto",
    *,
    strict: bool = False,
    report: ReadReport | None = None,
    csv_options: CsvOptions | None = None,
    with_gold: bool = True,
    encoding: str = "utf-8",
) -> Iterator[Conversation]:
    """Yield the conversations in ``paths`` (files or directories), see the module docs.

    Paths, formats and the encoding are checked at once (InputError for a missing path, an
    unknown or ambiguous format); the files are read lazily while iterating. Skipped
    records go to ``report``; with ``strict=True`` the first one raises InputError.
    """
    report = report if report is not None else ReadReport()
    reader = _Reader(
        strict=strict,
        report=report,
        csv_options=csv_options or CsvOptions(),
        with_gold=with_gold,
        encoding=encoding,
    )
    inputs = _resolve(paths, fmt, report)
    return _read_all(inputs, reader)


def _read_all(inputs: list[tuple[Path, str]], reader: _Reader) -> Iterator[Conversation]:
    for path, kind in inputs:
        yield from _READERS[kind](path, reader)
