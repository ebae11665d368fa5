"""A conversation as one doccano example: one line per message, ``speaker: text``.

SuggestionRecord evidence carries offsets within a turn's text; doccano spans carry offsets within
the example text. Offsets are Python string (code point) offsets, as doccano stores them.
Line breaks inside a message are replaced by a space (one character for one), so offsets within
the message stay valid and every message stays on its own line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..conversation import SPEAKERS

SEPARATOR = ": "
_LINE_BREAKS = re.compile(r"[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


class RenderError(ValueError):
    """Offsets or text that do not fit the rendered conversation."""


@dataclass(frozen=True)
class Rendered:
    text: str
    speakers: tuple[str, ...]
    starts: tuple[int, ...]  # where each message's text starts in ``text``
    lengths: tuple[int, ...]

    def to_global(self, turn: int, start: int, end: int) -> tuple[int, int]:
        """Turn-local ``[start, end)`` to offsets in the rendered text."""
        if not 0 <= turn < len(self.starts):
            raise RenderError(f"turn {turn} does not exist ({len(self.starts)} turns)")
        if not 0 <= start < end <= self.lengths[turn]:
            raise RenderError(f"span {start}-{end} does not fit turn {turn} "
                              f"(length {self.lengths[turn]})")
        return self.starts[turn] + start, self.starts[turn] + end

    def to_local(self, start: int, end: int) -> tuple[int, int, int]:
        """Offsets in the rendered text to ``(turn, start, end)`` within one message.

        A span that starts in a speaker prefix is moved to the message text; a span that runs
        over the end of its message is cut at that end.
        """
        if not 0 <= start < end <= len(self.text):
            raise RenderError(f"span {start}-{end} does not fit the text")
        for turn in range(len(self.starts) - 1, -1, -1):
            line_start = self.starts[turn] - len(self.speakers[turn]) - len(SEPARATOR)
            if start >= line_start:
                t_start = max(start, self.starts[turn]) - self.starts[turn]
                t_end = min(end, self.starts[turn] + self.lengths[turn]) - self.starts[turn]
                if t_end <= t_start:
                    raise RenderError(f"span {start}-{end} covers no message text")
                return turn, t_start, t_end
        raise RenderError(f"span {start}-{end} is before the first message")


def clean_message(text: str) -> str:
    return _LINE_BREAKS.sub(" ", text)


def render(turns: Sequence[dict]) -> Rendered:
    """Render turns (``{"speaker", "text"}`` mappings) as the example text."""
    lines, starts, lengths, speakers = [], [], [], []
    pos = 0
    for i, turn in enumerate(turns):
        speaker = turn["speaker"]
        if speaker not in SPEAKERS:
            raise RenderError(f"turn {i}: unknown speaker {speaker!r}")
        text = clean_message(turn["text"])
        prefix = speaker + SEPARATOR
        starts.append(pos + len(prefix))
        lengths.append(len(text))
        speakers.append(speaker)
        lines.append(prefix + text)
        pos += len(prefix) + len(text) + 1
    return Rendered("\n".join(lines), tuple(speakers), tuple(starts), tuple(lengths))


def parse(text: str) -> list[dict]:
    """Turns back from a rendered text (line breaks inside messages come back as spaces)."""
    turns = []
    for i, line in enumerate(text.split("\n")):
        speaker, sep, rest = line.partition(SEPARATOR)
        if not sep or speaker not in SPEAKERS:
            raise RenderError(f"line {i + 1} does not start with a speaker")
        turns.append({"speaker": speaker, "text": rest})
    return turns
