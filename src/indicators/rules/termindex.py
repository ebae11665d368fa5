"""The pattern terms compiled for look-up in a turn's normalised tokens.

Per distinct token string the index works out once which terms the token completes by
itself, which longer terms it can start, and which later tokens of longer terms it can be;
per distinct pair of neighbouring token strings, which longer terms can start with that
pair. After that, finding the terms of a sentence costs a dictionary look-up per token, and
a longer term is only followed further where its first two tokens match and every later
token occurs somewhere in the sentence (the pair's terms are grouped by one later token,
their key, so a sentence without it skips the group in one set operation). The result is the same as testing every term at
every token (``tests/test_termindex.py`` checks this against such a reference).
"""

from __future__ import annotations

from itertools import compress

from .terms import Term, TokenSpec, _regex

_CACHE_LIMIT = 500_000  # cached token pairs before the pair cache starts over
_UNSEEN = object()  # a pair not in the pair cache yet


class TermIndex:
    """All terms of a PatternSet, compiled for look-up in a list of normalised tokens.

    :meth:`find` returns the occurrences ordered by start token, then by the term's place in
    the index (terms whose first token is a plain word first, then the others, each in the
    order of the list).
    """

    def __init__(self, terms: list[Term]):
        self.terms = terms
        n = len(terms)
        self._exact: dict[str, list[int]] = {}
        self._words: dict[str, list[int]] = {}  # first token a list of words: /(moeder|vader)/
        other: list[int] = []
        for i, t in enumerate(terms):
            first = t.tokens[0]
            if first.kind == "exact":
                self._exact.setdefault(first.value, []).append(i)
            elif first.kind == "words":
                for w in first.words:
                    self._words.setdefault(w, []).append(i)
            else:
                other.append(i)
        self._first_other = _Wildcards([(i, terms[i].tokens[0]) for i in other])
        # the order of occurrences at one token: plain-word first tokens, then the others
        self._rank = [i if t.tokens[0].kind == "exact" else n + i for i, t in enumerate(terms)]
        self._single = [len(t.tokens) == 1 for t in terms]
        # the tokens after the second of a term of three or more, by spec: such a term is
        # only followed in a sentence where each of them matches some token (``_need[ti]``
        # <= the union of the tokens' spec sets)
        spec_id: dict[TokenSpec, int] = {}
        self._need = [frozenset(spec_id.setdefault(s, len(spec_id))
                                for s in t.tokens[2:] if s.kind != "gap") for t in terms]
        # one spec of each term's ``_need`` that a sentence must have before anything else
        # is checked: the one matching the fewest words (a wildcard counts as many)
        cost = {k: (len(s.words) if s.kind == "words" else 1 if s.kind == "exact" else 10_000)
                for s, k in spec_id.items()}
        self._key = [min(nd, key=lambda k: (cost[k], k)) if nd else -1 for nd in self._need]
        self._later_words: dict[str, list[int]] = {}
        wild: list[tuple[int, TokenSpec]] = []
        for spec, k in spec_id.items():
            if spec.kind in ("exact", "words"):
                for w in (spec.words or (spec.value,)):
                    self._later_words.setdefault(w, []).append(k)
            else:
                wild.append((k, spec))
        self._later_wild = _Wildcards(wild)
        # a longer term's second token: 0 a plain word or list of words (the terms by word in
        # _second_words), 1 a gap, 2 another spec (tested)
        self._second_kind = [-1] * n
        self._second_words: dict[str, set[int]] = {}
        for i, t in enumerate(terms):
            if len(t.tokens) > 1:
                spec = t.tokens[1]
                if spec.kind in ("exact", "words"):
                    self._second_kind[i] = 0
                    for w in (spec.words or (spec.value,)):
                        self._second_words.setdefault(w, set()).add(i)
                else:
                    self._second_kind[i] = 1 if spec.kind == "gap" else 2
        # per term: its tokens as (kind code, value) for the tight loop of _match_rest
        self._specs = [tuple(_compile_spec(s) for s in t.tokens) for t in terms]
        self._entries: dict[str, tuple | None] = {}
        self._pairs: dict[tuple[str, str], tuple] = {}  # see _pair
        self._spec: dict[tuple[int, int, str], bool] = {}

    # ------------------------------------------------------------------ per token string
    def _entry(self, norm: str):
        """(single-token occurrences as (rank, term), longer terms starting here, later-token
        specs it matches) for one token string, or None when it is in no term."""
        first = [*self._exact.get(norm, ()), *self._words.get(norm, ()),
                 *self._first_other.matching(norm)]
        singles = tuple(sorted((self._rank[i], i) for i in first if self._single[i]))
        multis = tuple(i for i in first if not self._single[i])
        later = frozenset(self._later_words.get(norm, ())).union(
            self._later_wild.matching(norm))
        entry = (singles, multis, later) if (singles or multis or later) else None
        self._entries[norm] = entry
        return entry

    def _pair(self, key: tuple[str, str], multis: tuple[int, ...]):
        """The longer terms starting with ``key`` (two neighbouring token strings): (the
        terms it completes, the set of key specs, key spec -> the terms that go on as (term,
        token to go on from: 2 after a matched second token, 1 after a gap)), or None when
        there are none."""
        whole: list[int] = []
        rest: dict[int, list[tuple[int, int]]] = {}
        second = key[1]
        words = self._second_words.get(second, ())
        kinds = self._second_kind
        for ti in multis:
            kind = kinds[ti]
            if kind == 1:
                rest.setdefault(self._key[ti], []).append((ti, 1))
            elif (ti in words) if kind == 0 else self.terms[ti].tokens[1].matches(second):
                if len(self.terms[ti].tokens) == 2:
                    whole.append(ti)
                else:
                    rest.setdefault(self._key[ti], []).append((ti, 2))
        if len(self._pairs) > _CACHE_LIMIT:
            self._pairs.clear()
        found = self._pairs[key] = (tuple(whole), frozenset(rest),
                                    {k: tuple(v) for k, v in rest.items()}) \
            if whole or rest else None  # None: no longer term starts with the pair
        return found

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
                nkind, nvalue = specs[k + 1]  # a term never ends with a gap
                for skip in range(value + 1):
                    at = pos + skip
                    if nkind == _EXACT or nkind == _WORDS:  # the next token decides at once
                        if at >= limit:
                            return None
                        if (norms[at] != nvalue) if nkind == _EXACT else (norms[at] not in nvalue):
                            continue
                    end = self._match_rest(ti, norms, at, k + 1, limit)
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

    # ------------------------------------------------------------------ look-up
    def entry(self, norm: str) -> tuple | None:
        """The entry of one token string (see :meth:`entries`)."""
        entries = self._entries
        return entries[norm] if norm in entries else self._entry(norm)

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
        starts: list[tuple[int, tuple[int, ...]]] = []
        later: list[frozenset[int]] = []
        for i in compress(range(start, end), entries[start - offset:end - offset]):
            singles, multis, specs = entries[i - offset]
            for r, ti in singles:
                found.append((i, r, ti, i + 1))
            if multis:
                starts.append((i, multis))
            if specs:
                later.append(specs)
        if starts:
            found += self.multi(norms, starts, later, end)
        if len(found) > 1:
            found.sort()
        return [(ti, a, b) for a, _, ti, b in found]

    def multi(self, norms: list[str], starts: list[tuple[int, tuple[int, ...]]],
              later: list[frozenset[int]], end: int) -> list[tuple[int, int, int, int]]:
        """Occurrences (start, rank, term index, end) of the longer terms that start at the
        given tokens (``starts``: token, its entry's longer terms) and end at most at
        ``end``; ``later``: the later-token specs of the entries of the sentence's tokens."""
        sat = frozenset().union(*later) if len(later) != 1 else later[0]
        found = []
        rank, need, pairs = self._rank, self._need, self._pairs
        for i, multis in starts:
            if i + 1 >= end:
                continue
            key = (norms[i], norms[i + 1])
            cands = pairs.get(key, _UNSEEN)
            if cands is _UNSEEN:
                cands = self._pair(key, multis)
            if cands is None:
                continue
            whole, keys, rest = cands
            for ti in whole:
                found.append((i, rank[ti], ti, i + 2))
            if keys.isdisjoint(sat):  # no term here has its key spec in the sentence
                continue
            for k in keys & sat:
                for ti, go in rest[k]:
                    if need[ti] <= sat:
                        b = self._match_rest(ti, norms, i + go, go, end)
                        if b is not None:
                            found.append((i, rank[ti], ti, b))
        return found


_EXACT, _WORDS, _GAP, _OTHER = range(4)


def _compile_spec(spec: TokenSpec) -> tuple[int, object]:
    if spec.kind == "exact":
        return _EXACT, spec.value
    if spec.kind == "words":
        return _WORDS, spec.words
    if spec.kind == "gap":
        return _GAP, int(spec.value)
    return _OTHER, None


class _Wildcards:
    """Token specs that are no plain word (prefix*, *suffix, /regex/), by term: which match a
    token? Prefixes and suffixes are looked up by length, regular expressions tested."""

    def __init__(self, specs: list[tuple[int, TokenSpec]]):
        self.prefix: dict[str, list[int]] = {}
        self.suffix: dict[str, list[int]] = {}
        tested: dict[object, list[int]] = {}  # a regular expression's fullmatch -> its terms
        for i, spec in specs:
            if spec.kind == "prefix":
                self.prefix.setdefault(spec.value, []).append(i)
            elif spec.kind == "suffix":
                self.suffix.setdefault(spec.value, []).append(i)
            else:  # each distinct expression is tested once per token
                test = _regex(spec.value).fullmatch if spec.kind == "regex" else spec.matches
                tested.setdefault(test, []).append(i)
        self.tested = list(tested.items())
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
        for test, ids in self.tested:
            if test(norm):
                out += ids
        return out
