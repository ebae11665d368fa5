"""The worker side of a ``suggest`` run: build the engine, bound what it analyses, turn
suggestions into output lines, and end with the parent process."""

from __future__ import annotations

import gc
import json
import os
import re
import signal
import time

from ..conversation import Conversation, Turn

MESSAGE_CHARS = 100_000  # spaCy's own limit is 1,000,000; analysis time grows fast before
CONVERSATION_CHARS = 2_000_000  # per conversation: bounds the memory of one analysis

_ENGINE = None


def _watch_parent(interval: float = 0.5) -> None:
    """End this worker as soon as the process that started it is gone (even kill -9)."""
    import threading

    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def _init_worker(spec) -> None:
    global _ENGINE
    _watch_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    _ENGINE = spec.build()
    gc.freeze()  # the engine lives as long as the worker (see batch._in_process)


# str.splitlines() also breaks at these; escape them so every consumer sees one record a line
_LINE_BREAKS = {0x85: "\\u0085", 0x2028: "\\u2028", 0x2029: "\\u2029"}
_BREAK_CHARS = re.compile("[\u0085\u2028\u2029]")  # a search is fast; translate is not
# json line (None: the engine failed), codes, platforms, messages cut, error class
Line = tuple[str | None, list[str], list[str], int, str | None]


def for_analysis(conv: Conversation) -> tuple[Conversation, int]:
    """The conversation as the engine sees it, and how many messages were cut: each message
    at most MESSAGE_CHARS, all together at most CONVERSATION_CHARS (prefixes, so offsets into
    the analysed text are offsets into the original)."""
    if (sum(len(t.text) for t in conv.turns) <= CONVERSATION_CHARS
            and all(len(t.text) <= MESSAGE_CHARS for t in conv.turns)):
        return conv, 0
    budget, cut, turns = CONVERSATION_CHARS, 0, []
    for t in conv.turns:
        keep = min(len(t.text), MESSAGE_CHARS, budget)
        budget -= keep
        cut += keep < len(t.text)
        turns.append(Turn(t.speaker, t.text[:keep], t.timestamp))
    return Conversation(conv.id, turns, conv.year, conv.channel, None, None, conv.source,
                        conv.line, conv.meta), cut


def _line(sug, original: Conversation, cut: int) -> Line:
    sug.conversation = original  # the output keeps the full text
    line = json.dumps(sug.to_record(), ensure_ascii=False)
    if _BREAK_CHARS.search(line):
        line = line.translate(_LINE_BREAKS)
    line += "\n"
    return (line, sug.codes, sug.platforms, cut, None)


def _suggest_lines(engine, batch: list[Conversation]) -> list[Line]:
    prepared = [for_analysis(c) for c in batch]
    try:
        sugs = list(engine.suggest_many([p for p, _ in prepared],  # the batch as one
                                        batch_size=len(batch) or 1))
        return [_line(s, c, cut) for s, c, (_, cut) in zip(sugs, batch, prepared, strict=True)]
    except Exception:  # one bad conversation must not stop the run: find it
        if len(batch) == 1:
            raise
    out: list[Line] = []
    for conv, (seen, cut) in zip(batch, prepared, strict=True):
        try:
            out.append(_line(engine.suggest(seen), conv, cut))
        except Exception as e:
            out.append((None, [], [], cut, type(e).__name__))
    return out


def _safe_lines(engine, batch: list[Conversation]) -> list[Line]:
    try:
        return _suggest_lines(engine, batch)
    except Exception as e:  # a batch of one that failed
        return [(None, [], [], 0, type(e).__name__) for _ in batch]


def _work(batch: list[Conversation]) -> list[Line]:
    return _safe_lines(_ENGINE, batch)


