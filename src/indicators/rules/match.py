"""Find concept terms and context modifiers in a spaCy Doc (one turn).

Term look-up is cached per normalised token, so each distinct word is tested against the
pattern terms once per process; after that a turn costs a few dictionary look-ups per token.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc

from .patterns import PatternSet, Term


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

    def concepts(self, blocked: tuple[str, ...] = ()) -> frozenset[str]:
        """Concepts in the sentence, without hits covered by a ``blocked`` category."""
        got = self._cache.get(blocked)
        if got is None:
            b = set(blocked)
            got = self._cache[blocked] = frozenset(
                h.concept for h in self.hits if not (h.cats & b))
        return got


class TermIndex:
    """All terms of a PatternSet; finds their occurrences in a list of normalised tokens."""

    def __init__(self, terms: list[Term]):
        self.terms = terms
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
        self._first: dict[str, tuple[int, ...]] = {}
        self._spec: dict[tuple[int, int, str], bool] = {}
        # multi-token terms, indexed by their last token: a term whose last token occurs
        # nowhere in the sentence need not be tried (most gap terms, most of the time)
        self._multi = [i for i, t in enumerate(terms) if len(t.tokens) > 1]
        self._last: dict[str, frozenset[int]] = {}
        self._last_exact: dict[str, set[int]] = {}  # last token a word or a list of words
        self._last_other: list[int] = []
        for i in self._multi:
            last = terms[i].tokens[-1]
            if last.kind in ("exact", "words"):
                for w in (last.words or (last.value,)):
                    self._last_exact.setdefault(w, set()).add(i)
            else:
                self._last_other.append(i)

    def _candidates(self, norm: str) -> tuple[int, ...]:
        c = self._first.get(norm)
        if c is None:
            found = list(self._exact.get(norm, ()))
            found += sorted([*self._words.get(norm, ()),
                             *(i for i in self._other if self.terms[i].tokens[0].matches(norm))])
            c = self._first[norm] = tuple(found)
        return c

    def _spec_ok(self, ti: int, k: int, norm: str) -> bool:
        key = (ti, k, norm)
        v = self._spec.get(key)
        if v is None:
            v = self._spec[key] = self.terms[ti].tokens[k].matches(norm)
        return v

    def _match_rest(self, ti: int, norms: list[str], pos: int, k: int, limit: int) -> int | None:
        """Match term tokens k.. starting at pos; return end index or None."""
        specs = self.terms[ti].tokens
        while k < len(specs):
            spec = specs[k]
            if spec.kind == "gap":
                for skip in range(0, int(spec.value) + 1):
                    end = self._match_rest(ti, norms, pos + skip, k + 1, limit)
                    if end is not None:
                        return end
                return None
            if pos >= limit or not self._spec_ok(ti, k, norms[pos]):
                return None
            pos += 1
            k += 1
        return pos

    def _last_candidates(self, norm: str) -> frozenset[int]:
        c = self._last.get(norm)
        if c is None:
            c = self._last[norm] = frozenset(self._last_exact.get(norm, ())).union(
                i for i in self._last_other if self.terms[i].tokens[-1].matches(norm))
        return c

    def find(self, norms: list[str], start: int = 0, end: int | None = None):
        end = len(norms) if end is None else end
        possible: set[int] | None = None
        for i in range(start, end):
            for ti in self._candidates(norms[i]):
                if len(self.terms[ti].tokens) == 1:
                    yield ti, i, i + 1
                else:
                    if possible is None:
                        possible = set().union(
                            *(self._last_candidates(n) for n in norms[start:end]))
                    if ti not in possible:
                        continue
                    e = self._match_rest(ti, norms, i + 1, 1, end)
                    if e is not None:
                        yield ti, i, e


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
        # other-role words mark platforms on either side; "later" words the platforms after them
        self.skip_both = set(ps.other_role) | set(ps.later_back)
        self.skip_forward = set(ps.later)
        self.own_platform = set(ps.own)
        self.platform_window = ps.platform_window
        dl = ps.dialogue
        self.check_back, self.check_back_inside = dl.check_back, dl.check_back_inside
        self.summary = dl.summary
        self.affirm = TermIndex(ps.affirm)
        self.deny = TermIndex(ps.deny)
        self.unknown = TermIndex(ps.unknown)

    def sentences(self, doc: Doc, norms: list[str] | None = None) -> list[Sentence]:
        norms = [t.norm_ for t in doc] if norms is None else norms
        out: list[Sentence] = []
        for sent in doc.sents:
            s = Sentence(sent.start_char, sent.end_char, sent.start, sent.end,
                         is_question=self.is_question(sent.text),
                         is_summary=self.is_summary(sent.text))
            raw: list[tuple[str, int, int, str]] = []
            mods: list[tuple[object, int, int]] = []
            ends: dict[str, list[int]] = {}
            for ti, a, b in self.index.find(norms, sent.start, sent.end):
                kind, obj = self.kind[ti]
                if kind == "concept":
                    raw.append((obj, a, b, self.index.terms[ti].text))
                elif kind == "mod":
                    mods.append((obj, a, b))
                else:
                    ends.setdefault(obj, []).append(a)
            if not raw:
                out.append(s)
                continue
            pseudo = [(a, b) for m, a, b in mods if m.category == "pseudo"]
            if pseudo:  # a trigger inside a pseudo-trigger phrase is no trigger
                mods = [(m, a, b) for m, a, b in mods if m.category != "pseudo" and not any(
                    pa <= a and b <= pb for pa, pb in pseudo)]
            scopes = [self._scope(m, a, b, sent.start, sent.end, ends) for m, a, b in mods]
            seen = set()
            for concept, a, b, term in raw:
                if (concept, a, b) in seen:
                    continue
                seen.add((concept, a, b))
                # a trigger inside the concept's own words ("wilde niet", "stopte niet")
                # does not modify that concept
                cats = frozenset(
                    m.category for (m, ma, mb), (lo, hi) in zip(mods, scopes, strict=True)
                    if lo <= a < hi and not (ma <= a < mb) and not (a <= ma and mb <= b)
                )
                s.hits.append(Hit(concept, a, b, term, cats))
            self._mark_other_role(s)
            out.append(s)
        return out

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
        """'affirm' / 'deny' when the turn opens with a yes / no, else None."""
        norms = [t.norm_ for t in doc if not t.is_punct and not t.is_space]
        if not norms:
            return None
        head = norms[:4]
        for _, a, _ in self.unknown.find(head):
            if a == 0:
                return "unknown"
        for _, a, _ in self.deny.find(head):
            if a == 0:
                return "deny"
        for _, a, _ in self.affirm.find(head):
            if a == 0:
                return "affirm"
        return None
