"""Registration data of the helpline export: read from every input format, validated.

The keys (:data:`REGISTRATION_KEYS`) are ``bezoeker_id`` (text), ``startdatum`` (a date,
stored as ``YYYY-MM-DD``), ``leeftijd`` (a whole number from 0 to 120), ``geslacht``
(:data:`GESLACHT`) and ``in_onderzoek`` (``ja`` or ``nee``). They come from the ``meta``
object of a JSON Lines record, CSV columns of those names, or ``# key: value`` header lines of
a text file. They are never evidence and never required: a missing key is simply absent. A bad
value is left out of the conversation and reported (reason ``bad_meta``, with file and line)
in ``ReadReport.bad_values``; the conversation itself is still read.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from indicators.conversation import REGISTRATION_KEYS

__all__ = ["GESLACHT", "IN_ONDERZOEK", "REGISTRATION_KEYS", "parse_registration",
           "parse_value"]
GESLACHT = ("vrouw", "man", "neutraal", "onbekend")
IN_ONDERZOEK = ("ja", "nee")
AGE_MIN, AGE_MAX = 0, 120
_INT_TEXT = re.compile(r"\s*\+?(\d{1,3})(?:\.0*)?\s*")
_DATE = re.compile(r"\s*(\d{4}-\d{2}-\d{2})(?:[T ][\d:.+\-Z]*)?\s*")


def _kind(value: Any) -> str:
    return "text" if isinstance(value, str) else type(value).__name__


def parse_value(key: str, value: Any, *, from_text: bool) -> Any:
    """The validated value of one registration key; None for an empty value.

    Raises ValueError with a message that never repeats the value (it may identify someone).
    ``from_text``: the value comes from CSV or a text header (numbers and booleans as text).
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if key == "bezoeker_id":
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValueError(f"bezoeker_id is {_kind(value)}, not text")
        return str(value).strip()
    if key == "startdatum":
        m = _DATE.fullmatch(value) if isinstance(value, str) else None
        if m is None:
            raise ValueError(f"startdatum is {_kind(value)}, not a date YYYY-MM-DD")
        try:
            return dt.date.fromisoformat(m.group(1)).isoformat()
        except ValueError:
            raise ValueError("startdatum is not an existing date (YYYY-MM-DD)") from None
    if key == "leeftijd":
        age: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            age = value
        elif isinstance(value, float) and value.is_integer():
            age = int(value)
        elif from_text and isinstance(value, str) and _INT_TEXT.fullmatch(value):
            age = int(_INT_TEXT.fullmatch(value).group(1))  # type: ignore[union-attr]
        if age is None:
            raise ValueError(f"leeftijd is {_kind(value)}, not a whole number")
        if not AGE_MIN <= age <= AGE_MAX:
            raise ValueError(f"leeftijd is outside {AGE_MIN}-{AGE_MAX}")
        return age
    if key == "geslacht":
        if not isinstance(value, str) or value.strip().casefold() not in GESLACHT:
            raise ValueError(f"geslacht is not one of {', '.join(GESLACHT)}")
        return value.strip().casefold()
    if key == "in_onderzoek":
        if isinstance(value, bool):
            return "ja" if value else "nee"
        if not isinstance(value, str) or value.strip().casefold() not in IN_ONDERZOEK:
            raise ValueError("in_onderzoek is not ja or nee")
        return value.strip().casefold()
    raise KeyError(key)


def parse_registration(raw: dict[str, Any], *, from_text: bool) -> tuple[dict[str, Any],
                                                                         list[str]]:
    """The registration keys of ``raw`` (other keys ignored): (valid values, problems)."""
    meta: dict[str, Any] = {}
    problems: list[str] = []
    for key in REGISTRATION_KEYS:
        if key not in raw:
            continue
        try:
            value = parse_value(key, raw[key], from_text=from_text)
        except ValueError as e:
            problems.append(str(e))
            continue
        if value is not None:
            meta[key] = value
    return meta, problems
