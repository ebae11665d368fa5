"""The spaCy Doc cache: same Docs as the pipeline, reused across runs, keyed by pipeline."""

from __future__ import annotations

from indicators.batch import EngineSpec
from indicators.conversation import Conversation, Turn
from indicators.rules.doccache import DocCache

TEXTS = ["hoi. ik weet nie of ik hier goed ben", "Heeft hij je geld afgepakt?", "ja",
         "hij dreigt mn naaktfoto's online te zetten!! ik ben 16"]


def _conv(i: int) -> Conversation:
    return Conversation(f"C{i}", [Turn("bezoeker" if k % 2 else "hulpverlener", t)
                                  for k, t in enumerate(TEXTS)])


def test_cached_docs_equal_fresh_docs(tmp_path):
    engine = EngineSpec().build()
    cache = DocCache(tmp_path, engine.nlp)
    fresh = list(engine.nlp.pipe(TEXTS))
    first = list(cache.pipe(TEXTS))
    second = list(DocCache(tmp_path, engine.nlp).pipe(TEXTS))
    assert cache.misses == 1 and cache.hits == 0
    assert list(tmp_path.rglob("*.spacy"))
    for a, b, c in zip(fresh, first, second, strict=True):
        for doc in (b, c):
            assert [t.text for t in doc] == [t.text for t in a]
            assert [t.norm_ for t in doc] == [t.norm_ for t in a]
            assert [(s.start, s.end) for s in engine.matcher.analyse(doc, doc.text, True)[1]] \
                == [(s.start, s.end) for s in engine.matcher.analyse(a, a.text, True)[1]]


def test_engine_uses_cache_and_gives_same_suggestions(tmp_path):
    convs = [_conv(i) for i in range(3)]
    plain = [s.to_record() for s in EngineSpec().build().suggest_many(convs)]
    engine = EngineSpec(doc_cache=tmp_path).build()  # the cache is a constructor argument
    assert isinstance(engine.doc_cache, DocCache)
    cold = [s.to_record() for s in engine.suggest_many(convs)]
    warm = [s.to_record() for s in engine.suggest_many(convs)]
    assert plain == cold == warm
    assert engine.doc_cache.misses == 1 and engine.doc_cache.hits == 1


def test_key_depends_on_texts_and_damaged_entry_is_recomputed(tmp_path):
    engine = EngineSpec().build()
    cache = DocCache(tmp_path, engine.nlp)
    assert cache.key(["a", "b"]) != cache.key(["ab"]) != cache.key(["a", "c"])
    list(cache.pipe(TEXTS))
    for f in tmp_path.rglob("*.spacy"):
        f.write_bytes(b"garbage")
    docs = list(cache.pipe(TEXTS))
    assert [d.text for d in docs] == TEXTS and cache.misses == 2
