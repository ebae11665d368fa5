"""Plain-text reader: one conversation per ``.txt`` file, speaker labels and header lines."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from indicators.conversation import Conversation, Turn

from .reader import _Bad, _parse_year, _Reader, _show_label, normalize_speaker
from .records import _BOM, _HEADER_LINE, _SPEAKER_LINE, _SURROGATE
from .registration import REGISTRATION_KEYS, parse_value

_LINE_END = re.compile(r"\r\n|\r|\n")


def _txt_conversation(text: str, conv_id: str, source: str,
                      problems: list[tuple[int, str]] | None = None) -> Conversation:
    """Parse one text file. Raises _Bad (with line). Lines end in LF, CRLF or a lone CR.

    Registration values that are not valid are left out and listed in ``problems`` as
    (line, message).
    """
    turns: list[Turn] = []
    first_line: int | None = None
    year: int | None = None
    channel: str | None = None
    headers: dict[str, str] = {}
    meta: dict[str, Any] = {}
    for lineno, raw in enumerate(_LINE_END.split(text), 1):
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
                elif key in REGISTRATION_KEYS:
                    try:
                        v = parse_value(key, value, from_text=True)
                    except ValueError as e:
                        if problems is not None:
                            problems.append((lineno, f"header {e}"))
                    else:
                        if v is not None:
                            meta[key] = v
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
    if headers:
        meta["headers"] = headers
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
        problems: list[tuple[int, str]] = []
        conv = _txt_conversation(text, conv_id, source, problems)
    except _Bad as e:
        r.skip(source, e.line, conv_id, e.reason, e.detail)
        return
    if r.accept(conv):
        for line, detail in problems:
            r.bad_value(source, line, conv.id, detail)
        yield conv


