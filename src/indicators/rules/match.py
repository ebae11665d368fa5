"""Find concept terms and context modifiers in a turn's tokens.

Terms are found with a compiled :class:`~indicators.rules.termindex.TermIndex` (each distinct
word is tested against the pattern terms once per process) in a turn's
:class:`TurnTokens`, which the spaCy pipeline gives (:mod:`.pipeline`) or the token cache
keeps (:mod:`.tokencache`): this module needs no spaCy.
"""

from __future__ import annotations

import re
from itertools import compress
from typing import NamedTuple

from .patterns import PatternSet, Term
from .termindex import TermIndex


class TurnTokens(NamedTuple):
    """What the matcher reads of a turn: its tokens' normalised forms, the tokens that start
    a sentence, each sentence's (start, end) characters in the turn's text, and the turn's
    first four words (punctuation and spaces skipped) that say how it answers."""

    norms: list[str]
    starts: list[int]
    spans: list[tuple[int, int]]
    head: tuple[str, ...]


def turn_tokens(norms: list[str] | None, orths: list[int], idx: list[int],
                lex: dict[int, tuple[bool, bool, bool, int, str]],
                starts: list[int] | None = None) -> TurnTokens:
    """A turn's :class:`TurnTokens` from its tokens' norms, ORTH ids and character offsets.
    ``lex``: per ORTH id of the turn (is punctuation, is space, ends a sentence, length,
    norm); ``norms`` None: each token's norm is its word's.
    ``starts``: the sentence starts where the pipeline sets them (a trained pipeline's
    parser); else a sentence ends after a token that ends one, at the first token after it
    that is no punctuation, as spaCy's rule-based ``sentencizer`` splits
    (``tests/test_nlp.py`` checks that both give the same sentences)."""
    if not orths:
        return TurnTokens([], [], [], ())
    info = [lex[o] for o in orths]
    if norms is None:
        norms = [x[4] for x in info]
    if starts is None:
        starts = [0]
        seen_end = False
        for i, (punct, _, end, _, _) in enumerate(info):
            if end:
                seen_end = True
            elif seen_end and not punct:
                starts.append(i)
                seen_end = False
    bounds = [*starts, len(norms)]
    spans = [(idx[a], idx[b - 1] + info[b - 1][3])
             for a, b in zip(bounds, bounds[1:], strict=False)]
    head = []
    for n, (punct, space, _, _, _) in zip(norms, info, strict=True):
        if not punct and not space:
            head.append(n)
            if len(head) == 4:
                break
    return TurnTokens(norms, starts, spans, tuple(head))


class Hit(NamedTuple):
    concept: str
    start: int  # token index in the doc
    end: int
    term: str
    cats: frozenset[str] = frozenset()  # context categories covering this hit


_NO_CATS: frozenset[str] = frozenset()
_new = tuple.__new__  # _new(Hit, fields): a Hit without the Python-level __new__ call


class Sentence:
    """A sentence of a turn: its span, its dialogue kind (a counsellor's question or
    summary; a visitor's sentence is neither) and its concept hits."""

    __slots__ = ("start_char", "end_char", "start", "end", "is_question", "is_summary",
                 "hits", "_plain", "_pplain", "_cats", "_cache", "_pcache")

    def __init__(self, start_char: int, end_char: int, start: int, end: int,
                 is_question: bool, hits: list[Hit] | None = None, is_summary: bool = False):
        self.start_char, self.end_char = start_char, end_char
        self.start, self.end = start, end  # token indices
        self.is_question, self.is_summary = is_question, is_summary
        self.hits = hits if hits is not None else []  # final: the sets below come from them
        # the concepts (and with PLATFORM where one is a platform), and the categories of
        # any hit
        if hits:
            self._plain = frozenset([h.concept for h in hits])
            self._pplain = with_platform(self._plain)
            self._cats = frozenset().union(*[h.cats for h in hits])
        else:
            self._plain = self._pplain = self._cats = _NO_CATS
        self._cache: dict = {}
        self._pcache: dict = {}

    def __repr__(self) -> str:
        return (f"Sentence({self.start_char}, {self.end_char}, {self.start}, {self.end}, "
                f"is_question={self.is_question}, is_summary={self.is_summary}, "
                f"hits={self.hits!r})")

    def concepts(self, blocked: tuple[str, ...] = ()) -> frozenset[str]:
        """Concepts in the sentence, without hits covered by a ``blocked`` category."""
        plain = self._plain
        if not self._cats:  # most sentences: no hit has a context category
            return plain
        got = self._cache.get(blocked)
        if got is None:
            b = self._cats.intersection(blocked)  # the categories that matter here
            got = self._cache[blocked] = frozenset(
                h.concept for h in self.hits if not (h.cats & b)) if b else plain
        return got

    def concepts_p(self, blocked: tuple[str, ...] = ()) -> frozenset[str]:
        """:meth:`concepts` plus ``PLATFORM`` when one of them is a platform (``P_...``)."""
        if not self._cats:
            return self._pplain
        got = self._pcache.get(blocked)
        if got is None:
            got = self._pcache[blocked] = with_platform(self.concepts(blocked))
        return got


_WITH_PLATFORM: dict[frozenset[str], frozenset[str]] = {}  # the same sets recur all the time


def with_platform(concepts: frozenset[str]) -> frozenset[str]:
    """The concepts plus ``PLATFORM`` when one of them is a platform (``P_...``)."""
    got = _WITH_PLATFORM.get(concepts)
    if got is None:
        got = concepts | {"PLATFORM"} if any(c.startswith("P_") for c in concepts) else concepts
        if len(_WITH_PLATFORM) > 100_000:
            _WITH_PLATFORM.clear()
        _WITH_PLATFORM[concepts] = got
    return got


class ConceptMatcher:
    """Concept hits per sentence with their ConText-style modifier categories."""

    def __init__(self, ps: PatternSet):
        self.ps = ps
        terms: list[Term] = []
        self.kind: list[tuple[str, object]] = []  # per term: ("concept", name) / ("mod", Modifier) / ("end", cat)
        for name, ts in ps.concepts.items():
            for t in ts:
                terms.append(t)
                self.kind.append(("concept", name))
        for m in ps.modifiers:
            for t in m.terms:
                terms.append(t)
                self.kind.append(("mod", m))
        for cat, ts in ps.terminators.items():
            for t in ts:
                terms.append(t)
                self.kind.append(("end", cat))
        self.index = TermIndex(terms)
        self._term_text = [t.text for t in terms]
        self._info_of: dict[str, tuple | None] = {}  # token string -> _info
        self._answers: dict[tuple[str, ...], str | None] = {}  # a turn's opening -> kind
        # other-role words mark platforms on either side; "later" words the platforms after them
        self.skip_both = set(ps.other_role) | set(ps.later_back)
        self.skip_forward = set(ps.later)
        self.own_platform = set(ps.own)
        self.platform_window = ps.platform_window
        dl = ps.dialogue
        self.check_back, self.check_back_inside = dl.check_back, dl.check_back_inside
        self.summary = dl.summary
        self._inside = re.compile("|".join(map(re.escape, self.check_back_inside))) \
            if self.check_back_inside else None  # any of the words, as one search
        self._role = self.skip_both | self.skip_forward
        self.affirm = TermIndex(ps.affirm)
        self.deny = TermIndex(ps.deny)
        self.unknown = TermIndex(ps.unknown)

    def analyse(self, tokens: TurnTokens, text: str, visitor: bool, statements: bool = True
                ) -> tuple[list[str], list[Sentence], str | None]:
        """A turn's normalised tokens, its sentences with their hits, and (for a visitor
        turn) how it opens (:meth:`_answer_of`). ``text`` is the turn's text.
        ``statements=False`` (a counsellor's turn): the sentences get their dialogue kind
        (question, summary) and only those that are one get hits, since patterns never read a
        counsellor's other sentences; nobody reads another speaker's sentence as a question."""
        norms, starts, spans, head = tokens
        if not norms:
            return [], [], None
        info = self._infos(norms)
        bounds = [*starts, len(norms)]
        sents = [self._sentence(norms, info, text, a, b, s0, s1, statements)
                 for a, b, (s0, s1) in zip(bounds, bounds[1:], spans, strict=False)]
        return norms, sents, self._answer_of(head) if visitor else None

    # ------------------------------------------------------------------ concept hits
    def _infos(self, norms: list[str]) -> list[tuple | None]:
        """What every token can be in the terms (:meth:`_info`, cached per token string)."""
        infos = self._info_of
        try:
            return list(map(infos.__getitem__, norms))
        except KeyError:
            return [infos[n] if n in infos else self._info(n) for n in norms]

    def _info(self, norm: str) -> tuple | None:
        """The index entry of a token string sorted by what its terms are: (concepts it is
        by itself as (rank, concept, term), modifiers it triggers by itself, categories it
        ends, multi-token terms it starts, multi-token terms it anchors); None for a token
        in no term. A concept found by two terms keeps the first (by rank)."""
        entry = self.index.entry(norm)
        info = None
        if entry is not None:
            singles, multis, later = entry
            concepts: list[tuple[int, str, str]] = []
            mods: list[object] = []
            ends: list[str] = []
            for r, ti in singles:
                kind, obj = self.kind[ti]
                if kind == "concept":
                    if all(c != obj for _, c, _ in concepts):
                        concepts.append((r, obj, self._term_text[ti]))
                elif kind == "mod":
                    mods.append(obj)
                elif obj not in ends:
                    ends.append(obj)
            info = (tuple(concepts), tuple(mods), tuple(ends), multis, later)
        self._info_of[norm] = info
        return info

    def _sentence(self, norms: list[str], info: list, text: str, start: int, end: int,
                  s0: int, s1: int, statements: bool = True) -> Sentence:
        # only a counsellor's sentences are read as questions or summaries
        q, summary = (False, False) if statements else self._dialogue_kind(text[s0:s1])
        if not (statements or q or summary):
            return Sentence(s0, s1, start, end, q, None, summary)
        seg = info[start:end]
        if not any(seg):
            return Sentence(s0, s1, start, end, q, None, summary)
        raw: list[tuple[int, tuple]] = []  # (token, the concepts it is by itself)
        mods: list[tuple[object, int, int]] = []
        starts: list[tuple[int, tuple[int, ...]]] = []
        later: list[frozenset[int]] = []
        for i in compress(range(start, end), seg):
            concepts, ms, _, multis, specs = info[i]
            if concepts:
                raw.append((i, concepts))
            if ms:
                mods += [(m, i, i + 1) for m in ms]
            if multis:
                starts.append((i, multis))
            if specs:
                later.append(specs)
        longer = []  # multi-token concept hits as (start, rank, concept, end, term)
        end_at: list[tuple[str, int]] = []  # (category, token) of multi-token terminators
        if starts:
            for a, r, ti, b in self.index.multi(norms, starts, later, end):
                kind, obj = self.kind[ti]
                if kind == "concept":
                    longer.append((a, r, obj, b, self._term_text[ti]))
                elif kind == "mod":
                    mods.append((obj, a, b))
                else:
                    end_at.append((obj, a))
        if not raw and not longer:
            return Sentence(s0, s1, start, end, q, None, summary)
        if longer:  # in order of start token, then rank; a concept once per span
            every = [(a, r, c, a + 1, t) for a, cs in raw for r, c, t in cs] + longer
            every.sort()  # by (start, rank): no two share both (a rank is one term)
            seen: set[tuple[str, int, int]] = set()
            found = []
            for a, _, c, b, t in every:
                if (c, a, b) not in seen:
                    seen.add((c, a, b))
                    found.append((c, a, b, t))
        else:
            found = [(c, a, a + 1, t) for a, cs in raw for _, c, t in cs]
        hits = self._with_categories(found, mods, info, start, end, end_at) if mods else \
            [_new(Hit, (c, a, b, t, _NO_CATS)) for c, a, b, t in found]
        if not self._role.isdisjoint([h[0] for h in found]):
            self._mark_other_role(hits)
        return Sentence(s0, s1, start, end, q, hits, summary)

    def _with_categories(self, found: list[tuple[str, int, int, str]],
                         mods: list[tuple[object, int, int]], info: list, start: int, end: int,
                         end_at: list[tuple[str, int]]) -> list[Hit]:
        """The concept hits with the context categories (ConText modifiers) that cover them."""
        pseudo = [(a, b) for m, a, b in mods if m.category == "pseudo"]
        if pseudo:  # a trigger inside a pseudo-trigger phrase is no trigger
            mods = [(m, a, b) for m, a, b in mods if m.category != "pseudo" and not any(
                pa <= a and b <= pb for pa, pb in pseudo)]
        if not mods:
            return [_new(Hit, (c, a, b, t, _NO_CATS)) for c, a, b, t in found]
        ends: dict[str, list[int]] = {}
        for i in compress(range(start, end), info[start:end]):
            for cat in info[i][2]:
                ends.setdefault(cat, []).append(i)
        for cat, a in end_at:
            ends.setdefault(cat, []).append(a)
        scoped = [(m.category, ma, mb, *self._scope(m, ma, mb, start, end, ends))
                  for m, ma, mb in mods]
        # a trigger inside the concept's own words ("wilde niet", "stopte niet") does not
        # modify that concept
        hits = []
        for c, a, b, t in found:
            cats = [cat for cat, ma, mb, lo, hi in scoped
                    if lo <= a < hi and not (ma <= a < mb) and not (a <= ma and mb <= b)]
            hits.append(_new(Hit, (c, a, b, t, frozenset(cats) if cats else _NO_CATS)))
        return hits

    def _dialogue_kind(self, text: str) -> tuple[bool, bool]:
        """(is it a question, is it a summary) of a counsellor's sentence. A question ends
        in "?" or is a check-back ("Dus hij wacht in de auto.") that the visitor can confirm
        or deny (``dialogue.check_back`` in the patterns); a summary is a statement about the
        visitor's situation that a "ja" confirms (never completed by an answer the way a
        question is; ``dialogue.summary``)."""
        t = text.strip()
        low = t.lower()
        q = t.endswith("?") or low.startswith(self.check_back) or (
            self._inside is not None and self._inside.search(low) is not None)
        return q, low.startswith(self.summary)

    def _mark_other_role(self, hits: list[Hit]) -> None:
        """A platform named for another role, or as a later contact, gets the category 'other'."""
        both = [h.start for h in hits if h.concept in self.skip_both]
        fwd = [h.end for h in hits if h.concept in self.skip_forward]
        if not both and not fwd:
            return
        w = self.platform_window
        own = [h.start for h in hits if h.concept in self.own_platform]
        for i, h in enumerate(hits):
            if any(abs(x - h.start) <= w for x in own):
                continue  # "ik had een advertentie op sexjobs": where the victim was, not an ad
            if h.concept in self.ps.platform_concepts and (
                    any(abs(x - h.start) <= w for x in both)
                    or any(0 <= h.start - x <= w for x in fwd)):
                hits[i] = Hit(h.concept, h.start, h.end, h.term, h.cats | {"other"})

    @staticmethod
    def _scope(m, a: int, b: int, s0: int, s1: int, ends: dict[str, list[int]]) -> tuple[int, int]:
        stops = ends.get(m.category, [])
        lo, hi = a, b
        if m.direction in ("forward", "both"):
            hi = min(s1, b + m.window)
            for e in stops:
                if b <= e < hi:
                    hi = e
        if m.direction in ("backward", "both"):
            lo = max(s0, a - m.window)
            for e in stops:
                if lo <= e < a:
                    lo = e + 1
        return lo, hi

    def _answer_of(self, head: tuple[str, ...]) -> str | None:
        """The answer kind of a turn's first (at most four) words, punctuation skipped
        (cached: "ja", "nee", "ja klopt" open turn after turn)."""
        if head in self._answers:
            return self._answers[head]
        kind = None
        if head:
            for k, index in (("unknown", self.unknown), ("deny", self.deny),
                             ("affirm", self.affirm)):
                found = index.find(list(head))
                if found and found[0][1] == 0:
                    kind = k
                    break
        if len(self._answers) > 100_000:
            self._answers.clear()
        self._answers[head] = kind
        return kind
