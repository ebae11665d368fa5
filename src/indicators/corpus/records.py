"""Records shared by the readers: reasons, skips, the read report, errors and CSV options."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from indicators.conversation import COUNSELLOR, VISITOR

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
    "bad_gold": "a gold block that cannot be scored: wrong types, unknown ids or ids in "
    "the wrong case (evaluate)",
    "analysis_error": "the engine failed on this conversation (suggest; the run goes on)",
    # a value left out (the conversation is read): ReadReport.bad_values
    "bad_meta": "a registration value (bezoeker_id, startdatum, leeftijd, geslacht, "
    "in_onderzoek) that is not valid",
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
# a label, optionally a name or number in brackets ("Hulpverlener (Anna):", "Bezoeker [2]:")
_BRACKETED = r"\s*(?:\([^()\[\]\n]{0,40}\)|\[[^()\[\]\n]{0,40}\])"
_SPEAKER_LINE = re.compile(r"\s*([^\W\d_][\w\-]{0,29})(?:" + _BRACKETED + r")?\s*:(.*)",
                           re.DOTALL)
_SPEAKER_SUFFIX = re.compile(_BRACKETED + r"\s*$")
_HEADER_LINE = re.compile(r"#\s*([A-Za-z_][\w\-]*)\s*:(.*)", re.DOTALL)
_INT_LIKE = re.compile(r"\s*\+?(\d{1,6})(?:\.0*)?\s*")

def _show_id(value: str) -> str:
    return repr(value if len(value) <= 60 else value[:57] + "...")


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
    bad_values: list[Skip] = field(default_factory=list)  # registration values left out

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
        if self.bad_values:
            n = len(self.bad_values)
            text += f"; {n} bad registration value{'s' * (n != 1)} left out"
        if self.ignored_files:
            n = len(self.ignored_files)
            text += f"; {n} other file{'s' * (n != 1)} in input directories ignored"
        return text

    def describe_skips(self, limit: int | None = 20) -> list[str]:
        """One line per skip (``file:line: detail [reason]``), at most ``limit`` lines."""
        every = self.skipped + self.bad_values
        shown = every if limit is None else every[:limit]
        lines = [str(s) for s in shown]
        if limit is not None and len(every) > limit:
            lines.append(f"... and {len(every) - limit} more")
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


