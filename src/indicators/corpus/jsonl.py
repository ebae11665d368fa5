"""JSON Lines reader: one conversation record per line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from indicators.conversation import Conversation, Turn

from .reader import _Bad, _parse_year, _Reader, _show_label, normalize_speaker
from .records import _BOM, _SURROGATE, InputError
from .registration import parse_registration


def _json_conversation(obj: Any, source: str, lineno: int, with_gold: bool,
                       problems: list[str] | None = None) -> Conversation:
    """Build a Conversation from one parsed JSON value. Raises _Bad.

    Registration values that are not valid are left out and described in ``problems``.
    """
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
    meta: dict[str, Any] = {}
    raw_meta = obj.get("meta")
    if isinstance(raw_meta, dict):
        meta, bad = parse_registration(raw_meta, from_text=False)
    else:
        bad = [] if raw_meta is None else [f"'meta' is {type(raw_meta).__name__}, not an object"]
    if problems is not None:
        problems.extend(bad)
    return Conversation(
        meta=meta,
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
            if not text.strip():  # blank in any Unicode whitespace, e.g. a lone U+2028
                continue
            try:
                try:
                    obj = json.loads(text)
                except (ValueError, RecursionError) as e:
                    raise _Bad("malformed_json", _json_error_detail(e)) from None
                problems: list[str] = []
                conv = _json_conversation(obj, source, lineno, r.with_gold, problems)
            except _Bad as e:
                r.skip(source, lineno, e.conv_id, e.reason, e.detail)
                continue
            if r.accept(conv):
                for detail in problems:
                    r.bad_value(source, lineno, conv.id, detail)
                yield conv


