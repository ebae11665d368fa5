"""Shared fixtures: one rule engine per test session (building the pipeline takes a second)."""

from __future__ import annotations

import pytest

from indicators.conversation import Conversation, Turn


@pytest.fixture(scope="session")
def engine():
    from indicators.engine import RuleEngine

    return RuleEngine()


@pytest.fixture(scope="session")
def make_conv():
    return conv


def conv(*turns: str, cid: str = "T-1") -> Conversation:
    """Build a conversation from 'b: ...' / 'h: ...' strings."""
    out = []
    for t in turns:
        who, _, text = t.partition(":")
        speaker = {"b": "bezoeker", "h": "hulpverlener"}[who.strip()]
        out.append(Turn(speaker, text.strip()))
    return Conversation(id=cid, turns=out)
