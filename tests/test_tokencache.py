"""The token cache: the same tokens and suggestions as the pipeline, reused across runs
without spaCy, keyed by pipeline and texts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from indicators.batch import EngineSpec
from indicators.conversation import Conversation, Turn
from indicators.corpus import read_conversations
from indicators.rules.tokencache import TokenCache, pipeline_id

ROOT = Path(__file__).resolve().parents[1]
TEXTS = ["hoi. ik weet nie of ik hier goed ben", "Heeft hij je geld afgepakt?", "ja", "",
         "hij dreigt mn naaktfoto's online te zetten!! ik ben 16", "  \n ", "nee…  echt niet?!"]


def _conv(i: int) -> Conversation:
    return Conversation(f"C{i}", [Turn("bezoeker" if k % 2 else "hulpverlener", t)
                                  for k, t in enumerate(TEXTS)])


def test_cached_tokens_equal_fresh_tokens(tmp_path):
    engine = EngineSpec().build()
    fresh = engine.tokenise(TEXTS)
    cache = TokenCache(tmp_path, pipeline_id(None, engine.ps.spelling))
    first = cache.tokens(TEXTS, engine.tokenise)
    second = TokenCache(tmp_path, cache.prefix).tokens(TEXTS, lambda ts: 1 / 0)  # never made
    assert cache.misses == 1 and cache.hits == 0
    assert len(list(tmp_path.rglob("*.tokens"))) == 1
    assert first == fresh and second == fresh
    assert [t.norms for t in fresh] == [[t.norm_ for t in engine.nlp(x)] for x in TEXTS]


def test_engine_with_the_cache_gives_the_same_suggestions(tmp_path):
    data = sorted((ROOT / "tests" / "data").glob("*.jsonl"))[:3]
    convs = list(read_conversations(data, "jsonl", with_gold=False))
    assert len(convs) > 50
    plain = [s.to_record() for s in EngineSpec().build().suggest_many(convs)]
    engine = EngineSpec(token_cache=tmp_path).build()  # the cache is a constructor argument
    cold = [s.to_record() for s in engine.suggest_many(convs)]
    warm = [s.to_record() for s in EngineSpec(token_cache=tmp_path).build().suggest_many(convs)]
    assert plain == cold == warm
    assert engine.token_cache.misses > 1 and engine.token_cache.hits == 0


def test_a_cached_run_needs_no_spacy(tmp_path):
    """A second run on the same turns reads every batch from the cache: spaCy is not even
    imported."""
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(json.dumps({"id": f"C{i}", "turns": [
        {"speaker": "bezoeker" if k % 2 else "hulpverlener", "text": t}
        for k, t in enumerate(TEXTS)]}) for i in range(3)) + "\n", encoding="utf-8")
    code = (
        "import sys\n"
        "from indicators.batch import EngineSpec\n"
        "from indicators.corpus import read_conversations\n"
        f"e = EngineSpec(token_cache={str(tmp_path / 'c')!r}).build()\n"
        f"convs = list(read_conversations([{str(gold)!r}], 'jsonl', with_gold=False))\n"
        "out = [s.to_record() for s in e.suggest_many(convs)]\n"
        "print(e.token_cache.hits, e.token_cache.misses, 'spacy' in sys.modules, len(out))\n")
    env = {**os.environ, "INDICATORS_HOME": str(ROOT)}

    def run() -> list[str]:
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env=env, check=True)
        return r.stdout.split()

    assert run() == ["0", "1", "True", "3"]
    assert run() == ["1", "0", "False", "3"]


def test_key_depends_on_texts_and_a_damaged_entry_is_made_again(tmp_path):
    engine = EngineSpec().build()
    cache = TokenCache(tmp_path, pipeline_id(None, engine.ps.spelling))
    assert cache.key(["a", "b"]) != cache.key(["ab"]) != cache.key(["a", "c"])
    assert TokenCache(tmp_path, "other").key(["a"]) != cache.key(["a"])
    good = cache.tokens(TEXTS, engine.tokenise)
    [f] = tmp_path.rglob("*.tokens")
    for damage in (b"garbage", f.read_bytes()[:-9], b""):
        f.write_bytes(damage)
        assert cache.tokens(TEXTS, engine.tokenise) == good
    assert cache.misses == 4 and cache.hits == 0
    assert cache.tokens(TEXTS, engine.tokenise) == good and cache.hits == 1


def test_evaluate_keeps_the_cache_unless_told_not_to(tmp_path):
    from typer.testing import CliRunner

    from indicators.cli import app

    env = {"INDICATORS_HOME": str(tmp_path)}
    for name in ("codebook", "patterns"):
        (tmp_path / name).symlink_to(ROOT / name)
    gold = str(ROOT / "samples" / "gold.jsonl")
    r = CliRunner().invoke(app, ["evaluate", gold, "--no-cache", "--no-patterns-table"], env=env)
    assert r.exit_code == 0, r.output
    assert not (tmp_path / ".cache").exists()
    first = CliRunner().invoke(app, ["evaluate", gold, "--no-patterns-table"], env=env)
    assert first.exit_code == 0 and list((tmp_path / ".cache" / "tokens").rglob("*.tokens"))
    again = CliRunner().invoke(app, ["evaluate", gold, "--no-patterns-table"], env=env)
    assert again.stdout == first.stdout == r.stdout
