"""The rule engine: conversations in, codebook codes with evidence out.

For each conversation:

1. every turn goes through the spaCy pipeline (``nlp.pipe`` over all turns of a batch);
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
from dataclasses import dataclass, field

from ..codebook import Codebook, load_codebook
from ..conversation import COUNSELLOR, VISITOR, Conversation
from ..iterutils import batched
from ..suggestion import Evidence, Suggestion
from .context_values import ContextResolver
from .load import load_patterns
from .match import ConceptMatcher, Sentence
from .normalise import build_nlp
from .patterns import Pattern, PatternSet


def _with_platform(concepts: set[str]) -> set[str]:
    if any(c.startswith("P_") for c in concepts):
        return concepts | {"PLATFORM"}
    return concepts


@dataclass
class _Turn:
    index: int
    speaker: str
    text: str
    sentences: list[Sentence]
    answer: str | None  # affirm / deny / None (visitor turns)
    norms: list[str] = field(default_factory=list)  # normalised tokens (numbers for context)



def _focus(p: Pattern, t: _Turn) -> tuple[int, int] | None:
    """The span of turn ``t`` that a turn- or block-scope pattern rests on: from the first to
    the last sentence holding one of its concepts (not a greeting that opens the turn)."""
    want = frozenset(p.all) | frozenset(p.any)
    hit = [s for s in t.sentences if _with_platform(s.concepts()) & want]
    if not hit:
        return (t.sentences[0].start_char, t.sentences[0].end_char) if t.sentences else None
    return hit[0].start_char, max(s.end_char for s in hit)

class RuleEngine:
    """Applies the pattern set to conversations."""

    def __init__(
        self,
        patterns: PatternSet | None = None,
        codebook: Codebook | None = None,
        nlp=None,
        model_name: str | None = None,
    ):
        self.codebook = codebook or load_codebook()
        self.ps = patterns or load_patterns(codebook=self.codebook)
        self.nlp = nlp or build_nlp(model_name, self.ps.spelling)
        self.matcher = ConceptMatcher(self.ps)
        self.fact_patterns = [p for p in self.ps.patterns if p.fact]
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
    def analyse(self, conversations: list[Conversation], n_process: int = 1,
                batch_size: int = 256) -> list[list[_Turn]]:
        texts = [t.text for c in conversations for t in c.turns]
        cache = getattr(self, "doc_cache", None)  # indicators.rules.doccache.DocCache, optional
        docs = (cache or self.nlp).pipe(texts, batch_size=batch_size, n_process=n_process)
        out: list[list[_Turn]] = []
        for c in conversations:
            turns = []
            for i, t in enumerate(c.turns):
                doc = next(docs)
                norms = [tok.norm_ for tok in doc]
                sents = self.matcher.sentences(doc, norms)
                answer = self.matcher.answer_kind(doc) if t.speaker == VISITOR else None
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
        for conv, turns in zip(batch, self.analyse(batch, n_process=n_process), strict=True):
            yield self.decide(conv, turns)

    # ------------------------------------------------------------------ decisions
    def decide(self, conv: Conversation, turns: list[_Turn]) -> Suggestion:
        facts: set[str] = set()
        fact_ev: list[Evidence] = []
        for _ in range(3):  # facts may depend on facts: run to a fixed point
            fact_ev, _ = self._fire(self.fact_patterns, turns, facts=facts)
            found = {e.code.removeprefix("fact:") for e in fact_ev}
            if found <= facts:
                break
            facts |= found
        evidence, vetoed = self._fire(self.code_patterns, turns, facts=facts)
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
        context_ev, _ = self._fire(self.context_patterns, turns, facts=facts)
        context = self.resolver.resolve(conv, context_ev, by_code, facts)
        return Suggestion(
            conversation=conv, codes=codes, platforms=platforms, evidence=kept,
            scores=scores, facts=sorted(facts), vetoed=vetoed, engine=dict(self.engine_info),
            fact_evidence=fact_ev, context=context,
        )

    @staticmethod
    def _satisfied(p: Pattern, usable: frozenset[str], present: frozenset[str]) -> bool:
        """Both sets come from ``union`` (with PLATFORM where a platform is named); a platform
        in the usable words counts only where the present words name one as well."""
        if "PLATFORM" in usable and "PLATFORM" not in present:
            usable = usable - {"PLATFORM"}
        if p.none_set and (p.none_set & present):
            return False
        if not p.all_set <= usable:
            return False
        if p.any_set and not (p.any_set & usable):
            return False
        return True

    def _fire(self, patterns: list[Pattern], turns: list[_Turn], facts: set[str]):
        evidence: list[Evidence] = []
        vetoed: dict[str, list[str]] = {}
        present: set[str] = set()
        for t in turns:
            for s in t.sentences:
                present |= s.concepts()
        present = _with_platform(present)
        active = [  # patterns that cannot be satisfied anywhere in the conversation are skipped
            p for p in patterns
            if set(p.requires_fact) <= facts and not (set(p.unless_fact) & facts)
            and p.can_fire(present)
        ]
        union_cache: dict[tuple, frozenset[str]] = {}

        def union(sents: list[Sentence], blocked: tuple[str, ...]) -> frozenset[str]:
            key = (id(sents[0]) if sents else 0, len(sents), blocked)
            got = union_cache.get(key)
            if got is None:
                got = union_cache[key] = _with_platform(
                    frozenset().union(*(s.concepts(blocked) for s in sents)))
            return got

        dl = self.ps.dialogue
        window, confirm, inherit = dl.answer_window, dl.confirm_factor, dl.inherit_factor
        veto_turns: dict[str, set[int]] = {}
        question: list[Sentence] | None = None
        q_turn: int | None = None
        answers_left = 0
        real_question = False
        block: list[Sentence] = []  # sentences of the consecutive visitor turns so far
        for t in turns:
            if t.speaker == COUNSELLOR:
                block = []
                qs = [s for s in t.sentences if s.is_question or s.is_summary]
                if qs:
                    question, q_turn, answers_left = qs, t.index, window
                    real_question = any(s.is_question for s in qs)
                else:
                    question, answers_left = None, 0
                continue
            # --- visitor turn
            block = block + t.sentences
            if t.answer == "unknown" and answers_left == window:
                answers_left = 0  # "weet ik niet": the question is not answered
            in_answer = question is not None and answers_left > 0
            first_answer = in_answer and answers_left == window
            # every path below reads words of the block and the question only: a pattern
            # those words cannot satisfy is skipped for this turn
            reach = union(block, ()) | (union(question, ()) if in_answer else frozenset())
            for p in active:
                if not p.can_fire(reach):
                    continue
                blocked = p.blocked_by
                if in_answer:
                    q_use, q_all = union(question, blocked), union(question, ())
                else:
                    q_use = q_all = frozenset()
                if p.on_denial:  # "Heb je het eerder verteld?" / "nee"
                    if first_answer and t.answer == "deny" and self._satisfied(p, q_use, q_all):
                        s0 = t.sentences[0] if t.sentences else None
                        evidence += self._evidence(p, t, s0, confirm, "denied", q_turn,
                                                   question + t.sentences)
                    continue
                # "nee" to a question matching the pattern: veto in the answer turns
                if first_answer and t.answer == "deny" and p.confirmable and self._satisfied(
                        p, q_use, q_all):
                    veto_turns.setdefault(p.target, set()).update(
                        range(t.index, t.index + 2 * window))
                    vetoed.setdefault(p.target, []).append(p.id)
                    continue
                if first_answer and t.answer == "affirm" and p.confirmable:
                    a_use, a_all = union(t.sentences, blocked), union(t.sentences, ())
                    # "ja, ... geweld heeft hij niet genoemd": the answer itself negates a
                    # concept the pattern needs, so the "ja" does not confirm it
                    negated_in_answer = (a_all - a_use - {"PLATFORM"}) & p.required_concepts()
                    if not negated_in_answer and self._satisfied(
                            p, q_use | a_use, q_all | a_all) and self._satisfied(
                            p, q_use | a_use, q_all):
                        s0 = t.sentences[0] if t.sentences else None
                        evidence += self._evidence(p, t, s0, confirm, "confirmed", q_turn,
                                                   question + t.sentences)
                        continue
                if p.only_confirmed:
                    continue
                if p.scope == "sentence":
                    units: list[list[Sentence]] = [[s] for s in t.sentences]
                elif p.scope == "turn":
                    units = [t.sentences]
                else:
                    units = [block]
                for unit in units:
                    use, allc = union(unit, blocked), union(unit, ())
                    if self._satisfied(p, use, allc):
                        first = unit[0] if p.scope == "sentence" else _focus(p, t)
                        evidence += self._evidence(p, t, first, 1.0, "visitor", None, unit)
                    elif in_answer and real_question and p.inherit \
                            and use & p.required_concepts() \
                            and self._satisfied(p, use | q_use, allc):
                        first = unit[0] if p.scope == "sentence" else _focus(p, t)
                        evidence += self._evidence(p, t, first, inherit, "answer",
                                                   q_turn, unit + question)
            if in_answer:
                answers_left -= 1
        if veto_turns:
            # a "nee" to the question rules out what the question and its answer would give;
            # the visitor's own explicit statement ("nee, maar hij dreigt wel ...") stands
            evidence = [e for e in evidence
                        if e.via == "visitor" or e.turn not in veto_turns.get(e.code, set())]
        return evidence, vetoed

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
