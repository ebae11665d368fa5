"""Plain-text reader: one conversation per ``.txt`` file, speaker labels and header lines."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from indicators.conversation import Conversation, Turn

from .reader import _Bad, _parse_year, _Reader, _show_label, normalize_speaker
from .records import _BOM, _HEADER_LINE, _SPEAKER_LINE, _SURROGATE


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


