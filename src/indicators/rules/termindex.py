"""The pattern terms compiled for look-up in a turn's normalised tokens.

Per distinct token string the index works out once which terms the token can complete,
start or end; after that finding the terms of a sentence costs one dictionary look-up per
token, and a multi-token term is only tried where it can start and when some token of the
sentence can end it. The result is the same as testing every term at every token
(``tests/test_termindex.py`` checks this against such a reference).
"""

from __future__ import annotations

from itertools import compress

from .terms import Term, TokenSpec


class TermIndex:
    """All terms of a PatternSet, compiled for look-up in a list of normalised tokens.

    Per distinct token string the index computes once (and caches) which single-token terms
    it completes, which multi-token terms it can start and which it anchors (see
    :func:`_anchor`). Finding terms in a sentence is then one dictionary look-up per token;
    a multi-token term is only tried where it starts and when its anchor is in the sentence. :meth:`find` returns the
    occurrences ordered by start token, then by the term's place in the index (terms whose
    first token is a plain word first).
    """

    def __init__(self, terms: list[Term]):
        self.terms = terms
        n = len(terms)
        self._exact: dict[str, list[int]] = {}
        self._words: dict[str, list[int]] = {}  # first token a list of words: /(moeder|vader)/
        self._other: list[int] = []
        for i, t in enumerate(terms):
            first = t.tokens[0]
            if first.kind == "exact":
                self._exact.setdefault(first.value, []).append(i)
            elif first.kind == "words":
                for w in first.words:
                    self._words.setdefault(w, []).append(i)
            else:
                self._other.append(i)
        # the order of occurrences at one token: plain-word first tokens, then the others
        self._rank = [i if t.tokens[0].kind == "exact" else n + i for i, t in enumerate(terms)]
        self._single = [len(t.tokens) == 1 for t in terms]
        # multi-token terms by an anchor, the most telling of their later tokens (a plain
        # word before a list of words before a wildcard): a term whose anchor occurs nowhere
        # in the sentence is not tried
        self._anchor = [_anchor(t) for t in terms]
        self._anchor_exact: dict[str, set[int]] = {}
        self._anchor_other: list[int] = []
        for i, t in enumerate(terms):
            if len(t.tokens) > 1:
                spec = t.tokens[self._anchor[i]]
                if spec.kind in ("exact", "words"):
                    for w in (spec.words or (spec.value,)):
                        self._anchor_exact.setdefault(w, set()).add(i)
                else:
                    self._anchor_other.append(i)
        self._first_other = _Wildcards([(i, terms[i].tokens[0]) for i in self._other])
        self._anchor_others = _Wildcards([(i, terms[i].tokens[self._anchor[i]])
                                          for i in self._anchor_other])
        # per term: its tokens as (kind code, value) for the tight loop of _match_rest
        self._specs = [tuple(_compile_spec(s) for s in t.tokens) for t in terms]
        self._entries: dict[str, tuple | None] = {}
        self._spec: dict[tuple[int, int, str], bool] = {}

    def _entry(self, norm: str):
        """(single-token occurrences as (rank, term), multi-token terms starting here,
        multi-token terms anchored here) for one token string, or None when it has none."""
        first = [*self._exact.get(norm, ()), *self._words.get(norm, ()),
                 *self._first_other.matching(norm)]
        singles = tuple(sorted((self._rank[i], i) for i in first if self._single[i]))
        multis = frozenset(i for i in first if not self._single[i])
        last = frozenset(self._anchor_exact.get(norm, ())).union(
            self._anchor_others.matching(norm))
        entry = (singles, multis, last) if (singles or multis or last) else None
        self._entries[norm] = entry
        return entry

    def _spec_ok(self, ti: int, k: int, norm: str) -> bool:
        key = (ti, k, norm)
        v = self._spec.get(key)
        if v is None:
            v = self._spec[key] = self.terms[ti].tokens[k].matches(norm)
        return v

    def _match_rest(self, ti: int, norms: list[str], pos: int, k: int, limit: int) -> int | None:
        """Match term tokens k.. starting at pos; return the end index or None (a gap takes
        the fewest tokens that let the rest match)."""
        specs = self._specs[ti]
        while k < len(specs):
            kind, value = specs[k]
            if kind == _GAP:
                for skip in range(value + 1):
                    end = self._match_rest(ti, norms, pos + skip, k + 1, limit)
                    if end is not None:
                        return end
                return None
            if pos >= limit:
                return None
            n = norms[pos]
            if kind == _EXACT:
                if n != value:
                    return None
            elif kind == _WORDS:
                if n not in value:
                    return None
            elif not self._spec_ok(ti, k, n):
                return None
            pos += 1
            k += 1
        return pos

    def entries(self, norms: list[str]) -> list[tuple | None]:
        """The index entry of every token (None: the token is in no term)."""
        entries = self._entries
        try:
            return list(map(entries.__getitem__, norms))
        except KeyError:
            return [entries[n] if n in entries else self._entry(n) for n in norms]

    def find(self, norms: list[str], start: int = 0, end: int | None = None,
             entries: list[tuple | None] | None = None) -> list[tuple[int, int, int]]:
        """Occurrences (term index, start, end) of the terms in ``norms[start:end]``, in
        order of start token, then of the term's place in the index. ``entries``:
        :meth:`entries` of ``norms``, when the caller has them."""
        end = len(norms) if end is None else end
        if entries is None:
            entries = self.entries(norms[start:end])
            offset = start
        else:
            offset = 0
        found: list[tuple[int, int, int, int]] = []
        starts: list[tuple[int, frozenset[int]]] = []
        lasts: list[frozenset[int]] = []
        for i in compress(range(start, end), entries[start - offset:end - offset]):
            singles, multis, last = entries[i - offset]
            for r, ti in singles:
                found.append((i, r, ti, i + 1))
            if multis:
                starts.append((i, multis))
            if last:
                lasts.append(last)
        if starts and lasts:
            possible = lasts[0].union(*lasts[1:]) if len(lasts) > 1 else lasts[0]
            rank = self._rank
            specs = self._specs
            for i, multis in starts:
                nxt = norms[i + 1] if i + 1 < end else None
                for ti in multis & possible:
                    kind, value = specs[ti][1]  # the second token, tested here first
                    if (kind == _EXACT and nxt != value) or (
                            kind == _WORDS and (nxt is None or nxt not in value)):
                        continue
                    b = self._match_rest(ti, norms, i + 1, 1, end)
                    if b is not None:
                        found.append((i, rank[ti], ti, b))
        if len(found) > 1:
            found.sort()
        return [(ti, a, b) for a, _, ti, b in found]


_EXACT, _WORDS, _GAP, _OTHER = range(4)


def _compile_spec(spec: TokenSpec) -> tuple[int, object]:
    if spec.kind == "exact":
        return _EXACT, spec.value
    if spec.kind == "words":
        return _WORDS, spec.words
    if spec.kind == "gap":
        return _GAP, int(spec.value)
    return _OTHER, None


def _anchor(term: Term) -> int:
    """The position of the token (after the first) that a sentence must contain for the term
    to match there: a plain word (the longest), else a list of words (the shortest), else the
    last token. Any later token is a correct choice; a rare one skips the most."""
    cands = [(k, s) for k, s in enumerate(term.tokens) if k and s.kind != "gap"]
    exact = [(len(s.value), k) for k, s in cands if s.kind == "exact"]
    if exact:
        return max(exact)[1]
    words = [(len(s.words), k) for k, s in cands if s.kind == "words"]
    if words:
        return min(words)[1]
    return len(term.tokens) - 1


class _Wildcards:
    """Token specs that are no plain word (prefix*, *suffix, /regex/), by term: which match a
    token? Prefixes and suffixes are looked up by length, regular expressions tested."""

    def __init__(self, specs: list[tuple[int, TokenSpec]]):
        self.prefix: dict[str, list[int]] = {}
        self.suffix: dict[str, list[int]] = {}
        self.tested: list[tuple[int, TokenSpec]] = []
        for i, spec in specs:
            if spec.kind == "prefix":
                self.prefix.setdefault(spec.value, []).append(i)
            elif spec.kind == "suffix":
                self.suffix.setdefault(spec.value, []).append(i)
            else:
                self.tested.append((i, spec))
        self.prefix_lengths = sorted({len(v) for v in self.prefix})
        self.suffix_lengths = sorted({len(v) for v in self.suffix})

    def matching(self, norm: str) -> list[int]:
        """The terms whose spec matches ``norm``, in no particular order."""
        out: list[int] = []
        n = len(norm)
        for k in self.prefix_lengths:
            if k > n:
                break
            out += self.prefix.get(norm[:k], ())
        for k in self.suffix_lengths:
            if k > n:
                break
            out += self.suffix.get(norm[n - k:], ())
        out += [i for i, spec in self.tested if spec.matches(norm)]
        return out
