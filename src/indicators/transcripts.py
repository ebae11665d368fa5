"""Transcript input layer (kept for its importers): see :mod:`indicators.corpus`."""

from __future__ import annotations

from indicators.corpus import (
    FORMATS,
    REASONS,
    SPEAKER_ALIASES,
    CsvOptions,
    InputError,
    ReadReport,
    Skip,
    _json_conversation,
    _resolve,
    detect_format,
    normalize_speaker,
    read_conversations,
)

__all__ = [
    "FORMATS",
    "REASONS",
    "SPEAKER_ALIASES",
    "CsvOptions",
    "InputError",
    "ReadReport",
    "Skip",
    "_json_conversation",
    "_resolve",
    "detect_format",
    "normalize_speaker",
    "read_conversations",
]
