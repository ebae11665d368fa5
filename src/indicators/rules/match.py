"""Find concept terms and context modifiers in a spaCy Doc (one turn).

Terms are found with a compiled :class:`~indicators.rules.termindex.TermIndex` (each distinct
word is tested against the pattern terms once per process); token attributes are read from
the Doc as arrays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, NORM, SENT_START
from spacy.tokens import Doc

from .patterns import PatternSet, Term
from .termindex import TermIndex


@dataclass(frozen=True)
class Hit:
    concept: str
    start: int  # token index in the doc
    end: int
    term: str
    cats: frozenset[str] = frozenset()  # context categories covering this hit


@dataclass
class Sentence:
    start_char: int
    end_char: int
    start: int  # token indices
    end: int
    is_question: bool
    hits: list[Hit] = field(default_factory=list)
    is_summary: bool = False
    _cache: dict = field(default_factory=dict, repr=False, compare=False)
    _pcache: dict = field(default_factory=dict, repr=False, compare=False)

    def concepts(self, blocked: tuple[str, ...] = ()) -> frozenset[str]:
        """Concepts in the sentence, without hits covered by a ``blocked`` category."""
        got = self._cache.get(blocked)
        if got is None:
            plain = self._cache.get(())
            if plain is None:
                plain = self._cache[()] = frozenset(h.concept for h in self.hits)
                self._cache[None] = frozenset().union(*(h.cats for h in self.hits))
            b = self._cache[None].intersection(blocked)  # the categories that matter here
            got = self._cache[blocked] = frozenset(
                h.concept for h in self.hits if not (h.cats & b)) if b else plain
        return got

    def concepts_p(self, blocked: tuple[str, ...] = ()) -> frozenset[str]:
        """:meth:`concepts` plus ``PLATFORM`` when one of them is a platform (``P_...``)."""
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


_ATTRS = [NORM, IDX, LENGTH, SENT_START, IS_PUNCT, IS_SPACE]
_NO_CATS: frozenset[str] = frozenset()


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
        self._norm_strings: dict[int, str] = {}  # NORM hash -> string
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

    def analyse(self, doc: Doc, text: str, visitor: bool) -> tuple[list[str], list[Sentence],
                                                                    str | None]:
        """A turn's normalised tokens, its sentences with their hits, and (for a visitor
        turn) how it opens (:meth:`answer_kind`). ``text`` is the turn's text (``doc.text``).
        Token attributes are read as arrays: no spaCy Token or Span objects are made."""
        if not len(doc):
            return [], [], None
        norm_h, idx, length, sent_start, punct, space = doc.to_array(_ATTRS).T.tolist()
        norms = self._strings_of(norm_h, doc)
        bounds = [0, *(i for i, v in enumerate(sent_start) if v == 1 and i), len(doc)]
        entries = self.index.entries(norms)
        sents = [self._sentence(norms, entries, text, a, b, idx[a], idx[b - 1] + length[b - 1])
                 for a, b in zip(bounds, bounds[1:], strict=False)]
        answer = None
        if visitor:
            head = [n for n, p, sp in zip(norms, punct, space, strict=True)
                    if not p and not sp][:4]
            answer = self._answer_of(head)
        return norms, sents, answer

    def _strings_of(self, hashes: list[int], doc: Doc) -> list[str]:
        known = self._norm_strings
        try:
            return [known[h] for h in hashes]
        except KeyError:
            strings = doc.vocab.strings
            for h in hashes:
                if h not in known:
                    known[h] = strings[h]
            return [known[h] for h in hashes]

    def sentences(self, doc: Doc, norms: list[str] | None = None) -> list[Sentence]:
        """The sentences of a turn with their concept hits (see :meth:`analyse`)."""
        return self.analyse(doc, doc.text, False)[1]

    def _sentence(self, norms: list[str], entries: list, text: str, start: int, end: int,
                  s0: int, s1: int) -> Sentence:
        q, summary = self._dialogue_kind(text[s0:s1])
        s = Sentence(s0, s1, start, end, is_question=q, is_summary=summary)
        if not any(entries[start:end]):
            return s
        found = self.index.find(norms, start, end, entries)
        if not found:
            return s
        self._hits(s, found)
        return s

    def _hits(self, s: Sentence, found: list[tuple[int, int, int]]) -> None:
        """The concept hits of a sentence, with the context categories that cover them."""
        start, end = s.start, s.end
        raw: list[tuple[str, int, int, str]] = []
        mods: list[tuple[object, int, int]] = []
        ends: dict[str, list[int]] = {}
        kinds, texts = self.kind, self._term_text
        for ti, a, b in found:
            kind, obj = kinds[ti]
            if kind == "concept":
                raw.append((obj, a, b, texts[ti]))
            elif kind == "mod":
                mods.append((obj, a, b))
            else:
                ends.setdefault(obj, []).append(a)
        if not raw:
            return
        pseudo = [(a, b) for m, a, b in mods if m.category == "pseudo"]
        if pseudo:  # a trigger inside a pseudo-trigger phrase is no trigger
            mods = [(m, a, b) for m, a, b in mods if m.category != "pseudo" and not any(
                pa <= a and b <= pb for pa, pb in pseudo)]
        scopes = [self._scope(m, a, b, start, end, ends) for m, a, b in mods]
        seen = set()
        for concept, a, b, term in raw:
            if (concept, a, b) in seen:
                continue
            seen.add((concept, a, b))
            # a trigger inside the concept's own words ("wilde niet", "stopte niet") does
            # not modify that concept
            cats = frozenset(
                m.category for (m, ma, mb), (lo, hi) in zip(mods, scopes, strict=True)
                if lo <= a < hi and not (ma <= a < mb) and not (a <= ma and mb <= b)
            ) if mods else _NO_CATS
            s.hits.append(Hit(concept, a, b, term, cats))
        self._mark_other_role(s)

    def _dialogue_kind(self, text: str) -> tuple[bool, bool]:
        """(:meth:`is_question`, :meth:`is_summary`) of a sentence's text."""
        t = text.strip()
        low = t.lower()
        q = t.endswith("?") or low.startswith(self.check_back) or (
            self._inside is not None and self._inside.search(low) is not None)
        return q, low.startswith(self.summary)

    def is_question(self, text: str) -> bool:
        """A question, or a counsellor's check-back ("Dus hij wacht in de auto.") that the
        visitor can confirm or deny (``dialogue.check_back`` in the patterns)."""
        t = text.strip()
        low = t.lower()
        return t.endswith("?") or low.startswith(self.check_back) or any(
            w in low for w in self.check_back_inside)

    def is_summary(self, text: str) -> bool:
        """A statement about the visitor's situation that a "ja" confirms (never completed
        by an answer the way a question is; ``dialogue.summary``)."""
        return text.strip().lower().startswith(self.summary)

    def _mark_other_role(self, s: Sentence) -> None:
        """A platform named for another role, or as a later contact, gets the category 'other'."""
        role = self._role
        if not any(h.concept in role for h in s.hits):
            return
        both = [h.start for h in s.hits if h.concept in self.skip_both]
        fwd = [h.end for h in s.hits if h.concept in self.skip_forward]
        if not both and not fwd:
            return
        w = self.platform_window
        own = [h.start for h in s.hits if h.concept in self.own_platform]
        for i, h in enumerate(s.hits):
            if any(abs(x - h.start) <= w for x in own):
                continue  # "ik had een advertentie op sexjobs": where the victim was, not an ad
            if h.concept in self.ps.platform_concepts and (
                    any(abs(x - h.start) <= w for x in both)
                    or any(0 <= h.start - x <= w for x in fwd)):
                s.hits[i] = Hit(h.concept, h.start, h.end, h.term, h.cats | {"other"})

    @staticmethod
    def _scope(m, a: int, b: int, s0: int, s1: int, ends: dict[str, list[int]]) -> tuple[int, int]:
        stops = ends.get(m.category, ())
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

    def answer_kind(self, doc: Doc) -> str | None:
        """'unknown' / 'deny' / 'affirm' when the turn opens with "weet niet" / no / yes."""
        return self.analyse(doc, doc.text, True)[2]

    def _answer_of(self, head: list[str]) -> str | None:
        """The answer kind of a turn's first (at most four) words, punctuation skipped."""
        if not head:
            return None
        for kind, index in (("unknown", self.unknown), ("deny", self.deny),
                            ("affirm", self.affirm)):
            found = index.find(head)
            if found and found[0][1] == 0:
                return kind
        return None
