"""Minimal pairs (tests/data/context_pairs.jsonl, written independently of the dev corpus):
the positive has the code, the negative, differing in one context cue, must not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data" / "context_pairs.jsonl"

# Pairs the rules still get wrong; strict, so a fix shows up as an unexpected pass.
KNOWN_MISSES = {
    "CP-family_perpetrator-4": "own bedroom at home without a clear parent-exploiter sentence",
}


def _pairs():
    recs = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    by = {}
    for r in recs:
        stem, kind = r["id"].rsplit("-", 1)
        by.setdefault(stem, {})[kind] = r
    return [(stem, d["pos"], d["neg"]) for stem, d in sorted(by.items())
            if "pos" in d and "neg" in d]


def _labels(gold_or_sug) -> set[str]:
    if isinstance(gold_or_sug, dict):
        return set(gold_or_sug["codes"]) | {f"platform:{p}"
                                            for p in gold_or_sug["ontmoeting_platforms"]}
    return set(gold_or_sug.codes) | {f"platform:{p}" for p in gold_or_sug.platforms}


PAIRS = _pairs()


def test_pairs_are_loaded():
    assert len(PAIRS) >= 30


@pytest.mark.parametrize(
    "stem,pos,neg",
    [pytest.param(*p, marks=pytest.mark.xfail(reason=KNOWN_MISSES[p[0]], strict=True))
     if p[0] in KNOWN_MISSES else p for p in PAIRS],
    ids=[p[0] for p in PAIRS],
)
def test_pair(engine, stem, pos, neg):
    from indicators.corpus import _json_conversation

    target = _labels(pos["gold"]) - _labels(neg["gold"])
    assert target, f"{stem}: the pair does not differ in a code"
    got_pos = _labels(engine.suggest(_json_conversation(pos, str(DATA), 1, True)))
    got_neg = _labels(engine.suggest(_json_conversation(neg, str(DATA), 1, True)))
    assert target <= got_pos, f"positive misses {target - got_pos}"
    assert not (target & got_neg), f"negative gets {target & got_neg}"
