"""Firing patterns on one conversation: the visitor's own words, a confirmed or denied
counsellor question, and an answer that completes a question.

:class:`Analysed` holds a conversation's turns and what every pass shares: the concepts
present anywhere, the union of concepts per run of sentences and blocking categories, and
the dialogue walked once (:meth:`Analysed.steps`: per visitor turn, the question it may
answer and the concepts it can reach). :func:`fire` runs one list of patterns over it
(facts, codes or context variables) as a :class:`_Pass`, one named step per way a pattern
can fire.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from ..conversation import COUNSELLOR
from ..suggestion import Evidence
from .match import Sentence, with_platform
from .patterns import Dialogue, Pattern

PLATFORM = "PLATFORM"  # stands for "some platform concept (P_...)" in patterns


@dataclass
class _Turn:
    index: int
    speaker: str
    text: str
    sentences: list[Sentence]
    answer: str | None  # affirm / deny / unknown / None (visitor turns)
    norms: list[str] = field(default_factory=list)  # normalised tokens (numbers for context)


class _Step(NamedTuple):
    turn: _Turn  # a visitor turn
    block: list[Sentence]  # the sentences of the visitor's consecutive turns up to it
    question: list[Sentence] | None  # the counsellor's last question or summary
    q_turn: int | None
    real_question: bool
    in_answer: bool  # the turn may answer the question
    first_answer: bool  # ... and is the first turn after it
    reach: frozenset[str]  # the concepts of the block, and of the question when answering


class Analysed:
    """A conversation's analysed turns and the concept sets every pass reads."""

    def __init__(self, turns: list[_Turn]):
        self.turns = turns
        present: set[str] = set()
        for t in turns:
            for s in t.sentences:
                present |= s.concepts()
        self.present = with_platform(frozenset(present))
        self._unions: dict[tuple, frozenset[str]] = {}
        self._steps: dict[int, list[_Step]] = {}

    def steps(self, window: int) -> list[_Step]:
        """The visitor turns with the dialogue around them, the same for every pass: the
        counsellor's last question (or summary), whether the turn answers it (within
        ``window`` visitor turns; "weet ik niet" first leaves it unanswered), and the
        concepts the turn can reach (its block's, and the question's when answering)."""
        got = self._steps.get(window)
        if got is not None:
            return got
        steps: list[_Step] = []
        question: list[Sentence] | None = None
        q_turn: int | None = None
        answers_left = 0
        real_question = False  # a question, not only a summary
        block: list[Sentence] = []  # sentences of the consecutive visitor turns so far
        for t in self.turns:
            if t.speaker == COUNSELLOR:  # ends the visitor's block, may ask a new question
                block = []
                qs = [s for s in t.sentences if s.is_question or s.is_summary]
                if qs:
                    question, q_turn, answers_left = qs, t.index, window
                    real_question = any(s.is_question for s in qs)
                else:
                    question, answers_left = None, 0
                continue
            block = block + t.sentences
            if t.answer == "unknown" and answers_left == window:
                answers_left = 0  # "weet ik niet": the question is not answered
            in_answer = question is not None and answers_left > 0
            reach = self.union(block, ())
            if in_answer:
                reach = reach | self.union(question, ())
            steps.append(_Step(t, block, question, q_turn, real_question, in_answer,
                               in_answer and answers_left == window, reach))
            if in_answer:
                answers_left -= 1
        self._steps[window] = steps
        return steps

    def union(self, sents: list[Sentence], blocked: tuple[str, ...]) -> frozenset[str]:
        """Concepts of the sentences not covered by a ``blocked`` category, with PLATFORM
        where one is a platform. ``sents`` is a run of one turn's or consecutive turns'
        sentences (or a question's), so its first sentence and length identify it."""
        key = (id(sents[0]) if sents else 0, len(sents), blocked)
        got = self._unions.get(key)
        if got is None:
            got = self._unions[key] = with_platform(frozenset().union(
                *(s.concepts(blocked) for s in sents)))
        return got


def satisfied(p: Pattern, usable: frozenset[str], present: frozenset[str]) -> bool:
    """Both sets come from ``Analysed.union``; a platform in the usable words counts only
    where the present words name one as well."""
    if PLATFORM in usable and PLATFORM not in present:
        usable = usable - {PLATFORM}
    if p.none_set and (p.none_set & present):
        return False
    if not p.all_set <= usable:
        return False
    if p.any_set and not (p.any_set & usable):
        return False
    return True


def focus(p: Pattern, t: _Turn) -> tuple[int, int] | None:
    """The span of turn ``t`` that a turn- or block-scope pattern rests on: from the first to
    the last sentence holding one of its concepts (not a greeting that opens the turn)."""
    hit = [s for s in t.sentences if s.concepts_p(()) & p.wanted]
    if not hit:
        return (t.sentences[0].start_char, t.sentences[0].end_char) if t.sentences else None
    return hit[0].start_char, max(s.end_char for s in hit)


# evidence(p, turn, first sentence or span, score factor, via, question turn, scope)
MakeEvidence = Callable[..., list[Evidence]]


def fire(patterns: list[Pattern], conv: Analysed, facts: set[str], dialogue: Dialogue,
         evidence: MakeEvidence) -> tuple[list[Evidence], dict[str, list[str]]]:
    """Evidence of the patterns in the conversation, and the targets a "nee" vetoed."""
    present = conv.present
    active = [  # patterns that cannot be satisfied anywhere in the conversation are skipped
        p for p in patterns
        if p.can_fire(present)
        and p.requires_fact_set <= facts and p.unless_fact_set.isdisjoint(facts)
    ]
    if not active:
        return [], {}
    return _Pass(active, conv, dialogue, evidence).run()


class _Pass:
    """One list of patterns over the turns, following the dialogue: the counsellor's last
    question (or summary) and how many visitor turns may still answer it."""

    def __init__(self, active: list[Pattern], conv: Analysed, dialogue: Dialogue,
                 evidence: MakeEvidence):
        self.active = active
        self.conv = conv
        self.union = conv.union
        self.make = evidence
        self.window = dialogue.answer_window
        self.confirm = dialogue.confirm_factor
        self.inherit = dialogue.inherit_factor
        self.evidence: list[Evidence] = []
        self.vetoed: dict[str, list[str]] = {}
        self.veto_turns: dict[str, set[int]] = {}
        # the dialogue at the current visitor turn (see Analysed.steps)
        self.question: list[Sentence] | None = None
        self.q_turn: int | None = None
        self.real_question = False
        self.block: list[Sentence] = []

    def run(self) -> tuple[list[Evidence], dict[str, list[str]]]:
        # one concept each pattern needs in any case (None: it needs one of several), checked
        # before the pattern's own test: most patterns lack it at most turns
        keyed = [(p, min(p.all_set) if p.all_set else None) for p in self.active]
        for step in self.conv.steps(self.window):
            reach = step.reach  # every step below reads only these words
            self.question, self.q_turn = step.question, step.q_turn
            self.real_question, self.block = step.real_question, step.block
            for p, key in keyed:
                if key is not None and key not in reach:
                    continue
                if p.can_fire(reach):
                    self.pattern_on_turn(p, step.turn, step.in_answer, step.first_answer)
        return self.apply_vetoes(), self.vetoed

    def pattern_on_turn(self, p: Pattern, t: _Turn, in_answer: bool,
                        first_answer: bool) -> None:
        if first_answer and t.answer in ("deny", "affirm"):
            if self.answered(p, t):
                return
        elif p.on_denial:
            return
        if p.only_confirmed:
            return
        self.own_words(p, t, in_answer)

    def answered(self, p: Pattern, t: _Turn) -> bool:
        """The first answer to a question is a "nee" or a "ja": a denied, vetoed or confirmed
        pattern (True: nothing else to do for this pattern on this turn)."""
        if p.on_denial or p.confirmable:
            q_use, q_all = self.union(self.question, p.blocked_by), self.union(self.question, ())
        if p.on_denial:  # "Heb je het eerder verteld?" / "nee"
            if t.answer == "deny" and satisfied(p, q_use, q_all):
                self.denied(p, t)
            return True
        if not p.confirmable:
            return False
        if t.answer == "deny":
            if satisfied(p, q_use, q_all):
                self.veto(p, t)
                return True
            return False
        return self.confirmed(p, t, q_use, q_all)

    def denied(self, p: Pattern, t: _Turn) -> None:
        """An ``on_denial`` pattern: the visitor says "nee" to a question matching it."""
        s0 = t.sentences[0] if t.sentences else None
        self.evidence += self.make(p, t, s0, self.confirm, "denied", self.q_turn,
                                   self.question + t.sentences)

    def veto(self, p: Pattern, t: _Turn) -> None:
        """"nee" to a question matching the pattern: veto its target in the answer turns."""
        self.veto_turns.setdefault(p.target, set()).update(
            range(t.index, t.index + 2 * self.window))
        self.vetoed.setdefault(p.target, []).append(p.id)

    def confirmed(self, p: Pattern, t: _Turn, q_use: frozenset[str],
                  q_all: frozenset[str]) -> bool:
        """"ja" to a question that, with the answer, satisfies the pattern."""
        blocked = p.blocked_by
        a_use, a_all = self.union(t.sentences, blocked), self.union(t.sentences, ())
        # "ja, ... geweld heeft hij niet genoemd": the answer itself negates a concept the
        # pattern needs, so the "ja" does not confirm it
        negated_in_answer = (a_all - a_use - {PLATFORM}) & p.required_concepts()
        if negated_in_answer or not (satisfied(p, q_use | a_use, q_all | a_all)
                                     and satisfied(p, q_use | a_use, q_all)):
            return False
        s0 = t.sentences[0] if t.sentences else None
        self.evidence += self.make(p, t, s0, self.confirm, "confirmed", self.q_turn,
                                   self.question + t.sentences)
        return True

    def own_words(self, p: Pattern, t: _Turn, in_answer: bool) -> None:
        """The visitor's own sentence, turn or block satisfies the pattern, or completes the
        question it answers."""
        blocked = p.blocked_by
        wanted = p.wanted
        if p.scope != "sentence":
            whole = self.block if p.scope == "block" else t.sentences
            use = self.union(whole, blocked)
            if wanted and not (use & wanted):
                # both ways below need a concept of all/any in the unit's own usable words
                return
            self.unit(p, t, whole, None, use, self.union(whole, ()), in_answer)
            return
        for s in t.sentences:  # a sentence's own sets are what union([s]) gives
            use = s.concepts_p(blocked)
            if wanted and use.isdisjoint(wanted):
                continue  # neither way below can hold without one of them in the sentence
            self.unit(p, t, [s], s, use, s.concepts_p(()), in_answer)

    def unit(self, p: Pattern, t: _Turn, unit: list[Sentence], sentence: Sentence | None,
             use: frozenset[str], allc: frozenset[str], in_answer: bool) -> None:
        """One sentence (``sentence``) or the turn or block: its usable and all concepts
        satisfy the pattern, or complete the question the turn answers."""
        if satisfied(p, use, allc):
            first = sentence if sentence is not None else focus(p, t)
            self.evidence += self.make(p, t, first, 1.0, "visitor", None, unit)
        elif in_answer and self.real_question and p.inherit \
                and use & p.required_concepts() \
                and satisfied(p, use | self.union(self.question, p.blocked_by), allc):
            first = sentence if sentence is not None else focus(p, t)
            self.evidence += self.make(p, t, first, self.inherit, "answer", self.q_turn,
                                       unit + self.question)

    def apply_vetoes(self) -> list[Evidence]:
        """A "nee" to the question rules out what the question and its answer would give;
        the visitor's own explicit statement ("nee, maar hij dreigt wel ...") stands."""
        if not self.veto_turns:
            return self.evidence
        return [e for e in self.evidence
                if e.via == "visitor" or e.turn not in self.veto_turns.get(e.code, set())]
