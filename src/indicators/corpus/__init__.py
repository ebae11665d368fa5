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
    used when present. The delimiter (``,`` ``;`` tab or ``|``) is sniffed from the header
    row unless given. A quote that is never closed would swallow the rest of the file into
    one field: when the lines inside such a field are themselves complete rows, or the file
    ends inside it, the row is skipped (``bad_row``) and reading resumes at its next line. Helpline exports are often sorted by time across conversations, so the
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

    Registration header lines (``# bezoeker_id: ...``, ``# startdatum: 2025-03-01``, ...)
    fill the registration data. Other ``# key: value`` header lines are kept in
    ``Conversation.meta["headers"]``; other
    lines starting with ``#`` before the first message are comments. Each message starts
    on a new line with a speaker label and a colon, in any case, with optional spaces
    around the label and the colon (``  BEZOEKER :  hoi``) and an optional name or number in
    brackets (``Hulpverlener (Anna):``, ``Bezoeker [2]:``; also in CSV and JSONL speaker
    values). Lines end in LF, CRLF or a lone CR. Known labels
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

Registration data
    ``bezoeker_id``, ``startdatum``, ``leeftijd``, ``geslacht``, ``in_onderzoek`` from a JSONL
    ``meta`` object, CSV columns of those names or txt header lines, validated
    (:mod:`indicators.corpus.registration`) and kept in ``Conversation.meta``. A bad value is
    left out and reported in ``ReadReport.bad_values`` (reason ``bad_meta``, file and line);
    the conversation is still read.

Counting invariant: conversations yielded + ``len(report.skipped_conversations)`` equals
the number of conversation records in the input: non-blank lines of JSONL files, ``.txt``
files, and for CSV the distinct conversation ids plus the rows without a usable id.
Row-level CSV skips are listed separately in ``report.skipped_rows``. Reading is lazy:
the report is complete once the iterator is exhausted. JSONL and txt input is streamed
one record at a time; only the set of ids already yielded is kept.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from indicators.conversation import Conversation

from .csv_reader import _read_csv
from .jsonl import _json_conversation, _read_jsonl
from .reader import _Reader, normalize_speaker
from .records import (
    FORMATS,
    REASONS,
    SPEAKER_ALIASES,
    SUFFIXES,
    CsvOptions,
    InputError,
    ReadReport,
    Skip,
)
from .txt import _read_txt

__all__ = [
    "_json_conversation",
    "_resolve",
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
