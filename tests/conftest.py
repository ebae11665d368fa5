"""Shared fixtures: one rule engine per test session (building the pipeline takes a second)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

from indicators.conversation import Conversation, Turn

# Property tests run with a fixed seed (derandomized) by default, so `make test` and CI give
# the same result every run; HYPOTHESIS_PROFILE=explore searches with fresh random examples.
settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parents[1]


def _dev_corpus() -> Path:
    """The development corpus lives outside the repository, in shared/ beside the checkout."""
    env = os.environ.get("INDICATORS_DEV_CORPUS")
    if env:
        return Path(env)
    for cand in (ROOT.parent / "shared" / "corpus" / "dev", Path("/work/shared/corpus/dev")):
        if cand.is_dir():
            return cand
    return ROOT.parent / "shared" / "corpus" / "dev"


DEV_CORPUS = _dev_corpus()
DOCCANO_FIXTURE = ROOT / "tests" / "data" / "doccano" / "suggestions.jsonl"


def _build_doccano_fixture() -> None:
    """The doccano tests push suggestions for the dev corpus; the fixture is built from the
    corpus (outside the repository) instead of keeping a copy of its text in git."""
    if DOCCANO_FIXTURE.exists() or not DEV_CORPUS.is_dir():
        return
    files = sorted(str(p) for p in DEV_CORPUS.glob("*.jsonl"))
    out = subprocess.run([sys.executable, str(DOCCANO_FIXTURE.parent / "make_suggestions.py"),
                          *files], check=True, capture_output=True, text=True).stdout
    DOCCANO_FIXTURE.write_text(out, encoding="utf-8")


_build_doccano_fixture()


@pytest.fixture(scope="session")
def engine():
    from indicators.rules.engine import RuleEngine

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
