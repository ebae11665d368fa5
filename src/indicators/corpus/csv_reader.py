"""CSV reader: one message per row, rows grouped by conversation id."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indicators.conversation import Conversation, Turn

from .reader import _Bad, _parse_year, _Reader, _show_label, normalize_speaker
from .records import _BOM, _LABEL_SHOWN, _SURROGATE, CsvOptions, InputError
from .registration import REGISTRATION_KEYS, parse_value

_PHYSICAL = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
_FIELD_LIMIT = 1 << 30
_UNCLOSED = ("a quote is not closed: the row runs into the next rows (read again from the "
             "next line)")


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
    for d in (",", ";", "\t", "|"):
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
    registration: dict[str, int]  # registration key -> column


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
    registration = {key: names.index(key) for key in REGISTRATION_KEYS if key in names}
    return _CsvColumns(n=len(header), registration=registration,
                       **idx)  # type: ignore[arg-type]


@dataclass
class _CsvGroup:
    first_line: int
    rows: int = 0
    turns: list[Turn] = field(default_factory=list)
    year: int | None = None
    channel: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)  # registration values
    problems: list[tuple[int, str]] = field(default_factory=list)  # bad registration values


def _csv_row(row: list[str], cols: _CsvColumns, group: _CsvGroup, header: list[str],
             line: int) -> None:
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
    for key, i in cols.registration.items():
        if key in group.meta:
            continue
        try:
            value = parse_value(key, row[i], from_text=True)
        except ValueError as e:
            group.problems.append((line, str(e)))
            continue
        if value is not None:
            group.meta[key] = value


class _Lines:
    """Physical lines (with their ends) fed to csv.reader one at a time, so a row's line span
    is known and reading can restart at any line."""

    def __init__(self, text: str) -> None:
        self.lines = _PHYSICAL.findall(text)
        if self.lines and self.lines[-1] == "":
            self.lines.pop()
        self.pos = 0  # index of the next line to hand out

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.pos >= len(self.lines):
            raise StopIteration
        self.pos += 1
        return self.lines[self.pos - 1]


def _alone(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter), [])
    except csv.Error:
        return []


def _closes_properly(line: str, delimiter: str) -> bool:
    """Whether the quote that ends a multi-line field on ``line`` is a real closing quote:
    followed by the delimiter or the line end (``""`` inside a field is an escaped quote)."""
    k = 0
    while True:
        k = line.find('"', k)
        if k < 0:
            return True
        if line.startswith('""', k):
            k += 2
            continue
        rest = line[k + 1:]
        return rest == "" or rest[0] in (delimiter, "\r", "\n")


def _is_row(line: str, delimiter: str, cols: _CsvColumns) -> bool:
    cells = _alone(line, delimiter)
    return (len(cells) == cols.n and bool(cells[cols.id].strip())
            and normalize_speaker(cells[cols.speaker]) is not None)


def _swallowed_rows(lines: _Lines, first: int, delimiter: str, cols: _CsvColumns) -> bool:
    """Whether a multi-line row is really a quote that was never closed, which swallows the
    rows after it into one field: a line inside the field is itself a complete row (id and
    a known speaker in the right columns), or the field ends at a quote that is not a
    closing one (another row's opening quote) on a line that is itself a row."""
    inside = lines.lines[first + 1 : lines.pos - 1]
    if any(_is_row(line, delimiter, cols) for line in inside):
        return True
    last = lines.lines[lines.pos - 1]
    return not _closes_properly(last, delimiter) and _is_row(last, delimiter, cols)


def _read_csv(path: Path, r: _Reader) -> Iterator[Conversation]:
    source = str(path)
    opts = r.csv
    data = r.read_bytes(path)
    if r.utf8 and data.startswith(_BOM):
        data = data[len(_BOM) :]
    # undecodable bytes become lone surrogates; rows holding them are skipped, not guessed
    text = data.decode(r.encoding, errors="surrogateescape")
    delimiter = opts.delimiter or _sniff_delimiter(text, opts)
    if len(delimiter) != 1 or delimiter in "\r\n\"":
        raise InputError(
            f"CSV delimiter must be one character (not a quote or line end), got {delimiter!r}",
            reason="bad_option",
        )
    if csv.field_size_limit() < _FIELD_LIMIT:  # one message may be long; memory is bounded
        csv.field_size_limit(_FIELD_LIMIT)  # by the file size anyway
    lines = _Lines(text)
    del text, data
    reader = csv.reader(lines, delimiter=delimiter)
    header: list[str] | None = None
    cols: _CsvColumns | None = None
    groups: dict[str, _CsvGroup] = {}
    while True:
        first = lines.pos
        start = first + 1
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
            lines.pos = first + 1
            reader = csv.reader(lines, delimiter=delimiter)
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
        broken = (lines.pos - first > 1 and _swallowed_rows(lines, first, delimiter, cols)) or (
            lines.pos == len(lines.lines)  # the file ends inside a quoted field
            and sum(x.count('"') for x in lines.lines[first:lines.pos]) % 2 == 1)
        if broken:  # read again from the next line; this row alone is lost, and reported
            row = _alone(lines.lines[first], delimiter)
            lines.pos = first + 1
            reader = csv.reader(lines, delimiter=delimiter)
        conv_id = row[cols.id].strip() if cols.id < len(row) else ""
        if not conv_id or _SURROGATE.search(conv_id):
            if broken:
                r.skip(source, start, None, "bad_row", _UNCLOSED)
            elif conv_id:
                r.skip(source, start, None, "encoding", "conversation id has undecodable bytes")
            else:
                r.skip(source, start, None, "bad_row", "row has no conversation id")
            continue
        group = groups.get(conv_id)
        if group is None:
            group = groups[conv_id] = _CsvGroup(first_line=start)
        group.rows += 1
        try:
            if broken:
                raise _Bad("bad_row", _UNCLOSED)
            _csv_row(row, cols, group, header, start)
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
            meta=group.meta,
        )
        n = group.rows
        if r.accept(conv, f"all {n} row{'s' * (n != 1)} of this conversation were skipped"):
            for line, detail in group.problems:
                r.bad_value(source, line, conv_id, detail)
            yield conv
