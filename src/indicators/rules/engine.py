"""The rule engine: conversations in, codebook codes with evidence out.

For each conversation:

1. every turn goes through the spaCy pipeline (``nlp.pipe`` over all turns of a batch), or
   its tokens come from the token cache (``evaluate``);
2. the ConceptMatcher finds concept terms per sentence and the context categories (negated,
   hypothetical, fear, plan_wish, past_before) that cover them;
3. patterns fire on the visitor's own sentences or turns; on a counsellor question the visitor
   confirms ("ja") in the next turn; or on a visitor answer that completes the question (the
   question supplies some concepts, the answer at least one). A "nee" to a question that matches
   a pattern vetoes that code in the answer turns;
4. ``fact`` patterns (e.g. the perpetrator is a parent) run first; code patterns can require
   or exclude facts;
5. meeting platforms come from the evidence of ``ontmoeting_online``, skipping platforms named
   for another role (advertising, control, clients) or as a later contact.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..codebook import Codebook, load_codebook
from ..conversation import COUNSELLOR, VISITOR, Conversation
from ..iterutils import batched, gc_paused
from ..suggestion import Evidence, Suggestion
from .context_values import ContextResolver
from .fire import Analysed, _Turn, fire
from .load import load_patterns
from .match import ConceptMatcher, Sentence, TurnTokens
from .patterns import Pattern, PatternSet


class RuleEngine:
    """Applies the pattern set to conversations."""

    def __init__(
        self,
        patterns: PatternSet | None = None,
        codebook: Codebook | None = None,
        nlp=None,
        model_name: str | None = None,
        token_cache=None,
    ):
        self.codebook = codebook or load_codebook()
        self.ps = patterns or load_patterns(codebook=self.codebook)
        if nlp is None and (model_name or token_cache is None):
            from .pipeline import build_nlp  # (is a trained pipeline installed?)

            nlp = build_nlp(model_name, self.ps.spelling)
        self._nlp = nlp  # with a token cache, the blank pipeline is made when first needed
        self._tokeniser = None
        self.matcher = ConceptMatcher(self.ps)
        if token_cache is not None and not hasattr(token_cache, "tokens"):
            from .tokencache import TokenCache, pipeline_id

            token_cache = TokenCache(token_cache, pipeline_id(  # a directory
                model_name, self.ps.spelling, nlp))
        # the token cache (indicators.rules.tokencache.TokenCache) this engine reads, or None
        self.token_cache = token_cache
        self.fact_patterns = [p for p in self.ps.patterns if p.fact]
        # fact patterns whose firing does not depend on other facts, and those it does
        self.fact_free = [p for p in self.fact_patterns
                          if not (p.requires_fact or p.unless_fact)]
        self.fact_bound = [p for p in self.fact_patterns if p.requires_fact or p.unless_fact]
        # the facts those depend on: new facts outside these change nothing
        self._fact_deps = frozenset().union(
            *(p.requires_fact_set | p.unless_fact_set for p in self.fact_bound))
        self._fact_rank = {f"pattern:{p.id}": i for i, p in enumerate(self.fact_patterns)}
        self.code_patterns = [p for p in self.ps.patterns if p.code]
        self.context_patterns = [p for p in self.ps.patterns if p.context]
        self.resolver = ContextResolver(self.ps, self.codebook)
        self.platform_concepts = self.ps.platform_concepts
        self.engine_info = {
            "codebook_version": self.codebook.version,
            "patterns_version": self.ps.version,
            "spacy_pipeline": model_name or "blank:nl",
            "model": None,
        }

    # ------------------------------------------------------------------ analysis
    @property
    def nlp(self):
        """The spaCy pipeline (with a token cache: made on first use)."""
        if self._nlp is None:
            from .pipeline import build_nlp

            self._nlp = build_nlp(None, self.ps.spelling)
        return self._nlp

    def tokenise(self, texts: list[str], n_process: int = 1, batch_size: int = 256
                 ) -> list[TurnTokens]:
        """The tokens of turns through the spaCy pipeline (no cache)."""
        if self._tokeniser is None:
            from .pipeline import Tokeniser

            self._tokeniser = Tokeniser(self.nlp)
        return list(self._tokeniser.tokens(texts, batch_size=batch_size, n_process=n_process))

    def analyse(self, conversations: list[Conversation], n_process: int = 1,
                batch_size: int = 256) -> list[list[_Turn]]:
        texts = [t.text for c in conversations for t in c.turns]
        if self.token_cache is not None:
            tokens = iter(self.token_cache.tokens(
                texts, lambda ts: self.tokenise(ts, n_process, batch_size)))
        else:
            tokens = iter(self.tokenise(texts, n_process, batch_size))
        out: list[list[_Turn]] = []
        for c in conversations:
            turns = []
            for i, t in enumerate(c.turns):
                norms, sents, answer = self.matcher.analyse(
                    next(tokens), t.text, t.speaker == VISITOR, t.speaker != COUNSELLOR)
                turns.append(_Turn(i, t.speaker, t.text, sents, answer, norms))
            out.append(turns)
        return out

    def suggest_many(self, conversations: Iterable[Conversation], batch_size: int = 64,
                     n_process: int = 1) -> Iterator[Suggestion]:
        for batch in batched(conversations, batch_size):
            yield from self._suggest_batch(batch, n_process)

    def suggest(self, conversation: Conversation) -> Suggestion:
        return next(self._suggest_batch([conversation], 1))

    def _suggest_batch(self, batch: list[Conversation], n_process: int) -> Iterator[Suggestion]:
        with gc_paused():
            out = [self.decide(conv, turns) for conv, turns in
                   zip(batch, self.analyse(batch, n_process=n_process), strict=True)]
        yield from out

    # ------------------------------------------------------------------ decisions
    def _fire(self, patterns: list[Pattern], conv: Analysed, facts: set[str]):
        return fire(patterns, conv, facts, self.ps.dialogue, self._evidence)

    def decide(self, conv: Conversation, turns: list[_Turn]) -> Suggestion:
        view = Analysed(turns)
        facts: set[str] = set()
        fact_ev: list[Evidence] = []
        # facts may depend on facts: run to a fixed point. Only the patterns that require or
        # exclude a fact run again; the others' evidence is the same every round, so it is
        # found once and merged in pattern-list order (what one pass over all would give).
        # A round whose new facts none of them depends on would repeat the last one: stop.
        free_ev, _ = self._fire(self.fact_free, view, facts=facts)
        for _ in range(3):
            bound_ev, _ = self._fire(self.fact_bound, view, facts=facts)
            fact_ev = sorted(free_ev + bound_ev, key=lambda e: (e.turn, self._fact_rank[e.source])) \
                if bound_ev else free_ev
            found = {e.code.removeprefix("fact:") for e in fact_ev}
            if found <= facts:
                break
            new, facts = found - facts, facts | found
            if new.isdisjoint(self._fact_deps):
                break
        evidence, vetoed = self._fire(self.code_patterns, view, facts=facts)
        by_code: dict[str, list[Evidence]] = {}
        for e in evidence:
            by_code.setdefault(e.code, []).append(e)
        # codes that exclude each other (online / offline meeting): the earlier, then
        # stronger first evidence wins
        for group in self.ps.exclusive:
            firsts = {c: min((e.turn, -e.score) for e in by_code[c])
                      for c in group if c in by_code}
            if len(firsts) > 1:
                winner = min(firsts, key=lambda c: (firsts[c], group.index(c)))
                for c in firsts:
                    if c != winner:
                        by_code.pop(c)
        platforms: list[str] = []
        pcode = self.ps.platform_code
        if pcode in by_code:
            # the place of first contact: the earliest meeting evidence that names a platform
            ranked = sorted(by_code[pcode], key=lambda e: (e.turn, -e.score))
            named = [e for e in ranked if e.platform]
            if named:
                first = [e.platform for e in named if e.turn == named[0].turn]
                platforms = [self._preferred_platform(first)]
        codes = self.codebook.with_derived(list(by_code))
        kept = [e for c in by_code for e in by_code[c]]
        kept.sort(key=lambda e: (e.turn, e.start, e.code))
        scores = {c: max(e.score for e in by_code[c]) for c in by_code}
        scores.update(self.codebook.derived_scores(scores, codes))
        context_ev, _ = self._fire(self.context_patterns, view, facts=facts)
        context = self.resolver.resolve(conv, context_ev, by_code, facts)
        return Suggestion(
            conversation=conv, codes=codes, platforms=platforms, evidence=kept,
            scores=scores, facts=sorted(facts), vetoed=vetoed, engine=dict(self.engine_info),
            fact_evidence=fact_ev, context=context,
        )

    def _evidence(self, p: Pattern, t: _Turn, s: Sentence | tuple[int, int] | None,
                  factor: float, via: str, q_turn: int | None,
                  scope: list[Sentence]) -> list[Evidence]:
        if isinstance(s, tuple):
            start, end = s
        else:
            start, end = (s.start_char, s.end_char) if s else (0, len(t.text))
        code = p.code or (f"fact:{p.fact}" if p.fact else p.target)
        value = p.value
        if p.number:
            value = self.resolver.number_in(p.number, t, scope)
            if value is None:
                return []
        base = Evidence(code=code, turn=t.index, speaker=t.speaker, start=start, end=end,
                        text=t.text[start:end], source=f"pattern:{p.id}",
                        score=p.score * factor, question_turn=q_turn, via=via, value=value)
        if p.code is None or p.code != self.ps.platform_code:
            return [base]
        found = self._meeting_platforms(scope)
        if not found:
            return [base]
        out = []
        for plat in found:
            e = Evidence(**{**base.__dict__, "platform": plat})
            out.append(e)
        return out

    def _preferred_platform(self, candidates: list[str]) -> str:
        """Of platforms named in the same first meeting, the one the codebook prefers
        (``platform_precedence``: a game's Discord server is discord)."""
        for cand in candidates:
            if not any(cand in self.ps.precedence.get(other, ())
                       for other in candidates if other != cand):
                return cand
        return candidates[0]

    def _meeting_platforms(self, scope: list[Sentence]) -> list[str]:
        """Platforms named in the evidence, minus those named for another role or later."""
        found: list[str] = []
        for s in scope:
            for h in s.hits:
                plat = self.platform_concepts.get(h.concept)
                if not plat or h.cats & {"negated", "other", "hypothetical"}:
                    continue
                if plat not in found:
                    found.append(plat)
        return found
