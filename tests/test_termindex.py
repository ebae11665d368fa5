"""The compiled TermIndex finds exactly what testing every term at every token finds.

The reference below is the plain reading of the term syntax (``indicators.rules.terms``):
try each term at each token, its first token by ``TokenSpec.matches``, a gap taking the
fewest tokens that let the rest match; occurrences at one token in the index's order (terms
starting with a plain word first, then by their place in the list).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from indicators.rules.match import ConceptMatcher
from indicators.rules.termindex import TermIndex
from indicators.rules.terms import Term, parse_term

WORDS = ["ik", "hij", "niet", "geld", "foto", "fotos", "naakt", "moet", "dreigt", "online",
         "zet", "15", "2021", "de", "en"]


def _match(specs, norms, pos, k, limit):
    while k < len(specs):
        spec = specs[k]
        if spec.kind == "gap":
            for skip in range(int(spec.value) + 1):
                end = _match(specs, norms, pos + skip, k + 1, limit)
                if end is not None:
                    return end
            return None
        if pos >= limit or not spec.matches(norms[pos]):
            return None
        pos += 1
        k += 1
    return pos


def reference_find(terms: list[Term], norms: list[str], start: int = 0, end: int | None = None):
    end = len(norms) if end is None else end
    out = []
    for i in range(start, end):
        cands = [ti for ti, t in enumerate(terms) if t.tokens[0].matches(norms[i])]
        cands.sort(key=lambda ti: (terms[ti].tokens[0].kind != "exact", ti))
        for ti in cands:
            e = _match(terms[ti].tokens, norms, i + 1, 1, end)
            if e is not None:
                out.append((ti, i, e))
    return out


word = st.sampled_from(WORDS)
token = st.one_of(
    word,
    word.map(lambda w: w[:2] + "*"),  # prefix
    word.map(lambda w: "*" + w[-2:]),  # suffix
    st.lists(word, min_size=2, max_size=3, unique=True).map(lambda ws: f"/({'|'.join(ws)})/"),
    st.sampled_from(["/1[0-9]/", "/20[0-9][0-9]/", "/fotos?/"]),  # regular expressions
)


@st.composite
def term_text(draw):
    parts = [draw(token)]
    for _ in range(draw(st.integers(0, 3))):
        if draw(st.booleans()) and draw(st.booleans()):
            parts.append("...")
        parts.append(draw(token))
    return " ".join(parts)


@seed(20261207)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(term_text(), min_size=1, max_size=25),
       st.lists(st.lists(word, max_size=14), min_size=1, max_size=4),
       st.integers(0, 5))
def test_compiled_index_finds_what_the_reference_finds(raw_terms, texts, cut):
    terms = [parse_term(t, "C", "test") for t in raw_terms]
    index = TermIndex(terms)
    for norms in texts:  # the same index over several texts: its caches must not leak
        assert index.find(norms) == reference_find(terms, norms)
        start = min(cut, len(norms))
        assert index.find(norms, start, len(norms)) == reference_find(terms, norms, start)
        entries = index.entries(norms)
        assert index.find(norms, start, len(norms), entries) == reference_find(
            terms, norms, start)


def test_duplicate_and_overlapping_terms_keep_their_order():
    terms = [parse_term(t, "C", "test") for t in
             ["/(ik|hij)/ ... geld", "ik", "ik moet", "ik* moet", "ik ... moet", "*ik"]]
    norms = ["ik", "moet", "de", "geld", "ik"]
    assert TermIndex(terms).find(norms) == reference_find(terms, norms)


def test_sentences_from_arrays_match_the_spacy_spans():
    """Token and character offsets as spaCy's spans of the same sentences give them (spaCy's
    ``sentencizer`` splits a second pipeline)."""
    from indicators.rules.load import load_patterns
    from indicators.rules.pipeline import SENTENCE_ENDS, Tokeniser, build_nlp

    ps = load_patterns()
    nlp, split = build_nlp(None, ps.spelling), build_nlp(None, ps.spelling)
    split.add_pipe("sentencizer", config={"punct_chars": list(SENTENCE_ENDS)})
    m = ConceptMatcher(ps)
    for text in ["Hallo!! Hoe gaat het?\nGoed.  En jij", "", "   ", "nee...", "ja, dat klopt"]:
        doc, spans = nlp(text), list(split(text).sents)
        norms, sents, _ = m.analyse(Tokeniser(nlp).of(doc), text, True)
        assert norms == [t.norm_ for t in doc]
        assert [(s.start, s.end, s.start_char, s.end_char) for s in sents] == [
            (s.start, s.end, s.start_char, s.end_char) for s in spans]
        assert [text[s.start_char:s.end_char] for s in sents] == [s.text for s in spans]


def _reference_hits(m: ConceptMatcher, norms: list[str], start: int, end: int) -> list[tuple]:
    """A sentence's hits the plain way: every occurrence from ``TermIndex.find`` in order, a
    concept once per span (the first term), ConText categories from the modifiers' scopes
    (a trigger inside a pseudo-trigger or inside the concept's own words does not count),
    then platforms named for another role marked 'other'."""
    raw, mods, ends = [], [], {}
    for ti, a, b in m.index.find(norms, start, end):
        kind, obj = m.kind[ti]
        if kind == "concept":
            raw.append((obj, a, b, m._term_text[ti]))
        elif kind == "mod":
            mods.append((obj, a, b))
        else:
            ends.setdefault(obj, []).append(a)
    pseudo = [(a, b) for mod, a, b in mods if mod.category == "pseudo"]
    mods = [(mod, a, b) for mod, a, b in mods if mod.category != "pseudo"
            and not any(pa <= a and b <= pb for pa, pb in pseudo)]
    scopes = [m._scope(mod, a, b, start, end, ends) for mod, a, b in mods]
    hits, seen = [], set()
    for concept, a, b, term in raw:
        if (concept, a, b) in seen:
            continue
        seen.add((concept, a, b))
        cats = frozenset(mod.category for (mod, ma, mb), (lo, hi) in zip(mods, scopes, strict=True)
                         if lo <= a < hi and not (ma <= a < mb) and not (a <= ma and mb <= b))
        hits.append([concept, a, b, term, cats])
    both = [h[1] for h in hits if h[0] in m.skip_both]
    fwd = [h[2] for h in hits if h[0] in m.skip_forward]
    own = [h[1] for h in hits if h[0] in m.own_platform]
    w = m.platform_window
    for h in hits:
        if (both or fwd) and h[0] in m.ps.platform_concepts \
                and not any(abs(x - h[1]) <= w for x in own) \
                and (any(abs(x - h[1]) <= w for x in both)
                     or any(0 <= h[1] - x <= w for x in fwd)):
            h[4] = h[4] | {"other"}
    return [tuple(h) for h in hits]


def test_sentence_hits_equal_the_plain_reading_on_the_bundled_conversations():
    """The matcher's per-token shortcuts (entries sorted by kind, the pair cache, terminators
    read only where a modifier is) give exactly the plain reading's hits, on every sentence of
    the bundled test conversations (many writers, about 12,000 turns)."""
    from pathlib import Path

    from indicators.corpus import read_conversations
    from indicators.rules.load import load_patterns
    from indicators.rules.pipeline import Tokeniser, build_nlp

    ps = load_patterns()
    nlp = build_nlp(None, ps.spelling)
    m = ConceptMatcher(ps)
    data = sorted((Path(__file__).parent / "data").glob("*.jsonl"))
    texts = [t.text for c in read_conversations(data, "jsonl", with_gold=False)
             for t in c.turns]
    assert len(texts) > 5000
    n_hits = 0
    for tokens, text in zip(Tokeniser(nlp).tokens(texts), texts, strict=True):
        norms, sents, _ = m.analyse(tokens, text, True)
        for s in sents:
            got = [tuple(h) for h in s.hits]
            assert got == _reference_hits(m, norms, s.start, s.end)
            n_hits += len(got)
    assert n_hits > 10_000
