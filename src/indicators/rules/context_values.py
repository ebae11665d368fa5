"""Context variables: one suggested value per variable of the codebook, with its evidence.

Context patterns (``context: <variable>`` in ``patterns/context_*.yaml``) fire like code
patterns and leave evidence carrying a value: a value id (``value: familielid``) or a number
read from the hit of a concept (``number: AGE``: "ik ben 15" -> 15; "al twee jaar" -> 24
months with ``units``). This stage turns that evidence into the suggestion, by the rules of
``patterns/context_variables.yaml``:

- numbers are transformed where the pattern says so (a year of birth into an age; "sinds ik 13
  ben" into months up to the victim's age now; "sinds 2021" into months up to the chat's
  year) and sorted into ``classes`` (``duur``);
- codes and facts may imply a value (``from_codes``, ``from_facts``);
- a single-choice variable takes the first value of ``priority`` that has evidence (else the
  strongest), a multi-choice variable every value, minus those another value ``drops``;
- without evidence the ``default`` applies when its facts hold, else ``onbekend``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..codebook import Codebook, ContextVariable
from ..conversation import Conversation
from .context_rules import VariableRule
from .patterns import PatternSet

if TYPE_CHECKING:  # pragma: no cover
    from ..suggestion import Evidence
    from .fire import _Turn
    from .match import Sentence

UNKNOWN = "onbekend"
DEFAULT_SCORE = 0.5  # a default value: no evidence, only the rule
_DIGITS = re.compile(r"(\d+(?:[.,]\d+)?)(?:e|de|ste|ste)?")


class ContextResolver:
    """Decides the context value per variable from the context patterns' evidence."""

    def __init__(self, ps: PatternSet, codebook: Codebook):
        self.codebook = codebook
        self.numbers = ps.numbers
        self.units = ps.units
        self.rules = {v: ps.variables.get(v) or VariableRule(v) for v in codebook.context}
        self.transform = {p.id: (p.transform, p.offset) for p in ps.patterns if p.number}
        self.when = {p.id: p.when for p in ps.patterns if p.when}
        self.order = self._order(ps, codebook)

    @staticmethod
    def _order(ps: PatternSet, codebook: Codebook) -> list[str]:
        """Variables in an order that decides each after those it depends on: the variables
        its patterns' ``when`` names, and for number classes (``duur``) the numbers."""
        needs: dict[str, set[str]] = {v: set() for v in codebook.context}
        numbers = {v for v, var in codebook.context.items() if var.number}
        for p in ps.patterns:
            if p.context:
                needs[p.context] |= set(p.when)
        for vid, rule in ps.variables.items():
            if rule.classes:
                needs[vid] |= numbers
        order: list[str] = []
        while len(order) < len(needs):
            ready = [v for v in codebook.context if v not in order and needs[v] <= set(order)]
            if not ready:
                cycle = sorted(v for v in needs if v not in order)
                raise ValueError(f"context patterns: 'when' conditions form a cycle: {cycle}")
            order += ready
        return order

    # ---------------------------------------------------------------- numbers in the text
    def parse_number(self, words: list[str]) -> float | None:
        """The last number in the words (digits, ordinals or number words) times the unit
        named among them: "twee jaar" -> 24 with units in months, "15" -> 15."""
        value = None
        unit = 1.0
        for w in words:
            m = _DIGITS.fullmatch(w)
            if m:
                value = float(m.group(1).replace(",", "."))
            elif w in self.numbers:
                value = self.numbers[w]
            if w in self.units:
                unit = self.units[w]
        return None if value is None else value * unit

    def number_in(self, concept: str, turn: _Turn, scope: list[Sentence]) -> float | None:
        """The number in the first hit of ``concept`` in the turn's own sentences of scope."""
        own = {id(s) for s in turn.sentences}
        for s in scope:
            if id(s) not in own:
                continue
            for h in s.hits:
                if h.concept == concept:
                    n = self.parse_number(turn.norms[h.start:h.end])
                    if n is not None:
                        return n
        return None

    # ---------------------------------------------------------------- resolution
    def resolve(self, conv: Conversation, evidence: list[Evidence],
                by_code: dict[str, list[Evidence]], facts: set[str]) -> dict[str, dict]:
        by_var: dict[str, list[Evidence]] = {}
        for e in evidence:
            by_var.setdefault(e.code.removeprefix("context:"), []).append(e)
        out: dict[str, dict] = {}
        for vid in self.order:
            var, rule = self.codebook.context[vid], self.rules[vid]
            ev = [e for e in by_var.get(vid, []) if self._holds(e, out)]
            if not set(rule.requires_fact) <= facts:
                ev = []
            if var.number:
                out[vid] = self._number(ev, conv)
            elif rule.classes:
                out[vid] = self._classes(var, rule, ev, conv, out, facts)
            else:
                out[vid] = self._choice(var, rule, ev, by_code, facts)
        return {vid: out[vid] for vid in self.codebook.context}

    def _numbers(self, ev: list[Evidence], conv: Conversation,
                 known: dict[str, dict]) -> list[tuple[float, Evidence]]:
        age = next((c["value"] for v, c in known.items()
                    if self.codebook.context[v].number and c["value"] is not None), None)
        ends = [float(e.value) + offset for e in ev
                for transform, offset in [self._transform(e)] if transform == "until_age"]
        if ends:  # "tot ik 16 was": a duration from an age runs to that age, not to now
            age = max(ends)
        got = []
        for e in ev:
            transform, offset = self._transform(e)
            n = float(e.value)
            if transform == "until_age":
                continue
            if transform == "birth_year":
                if conv.year is None:
                    continue
                n = conv.year - n
            elif transform == "since_age":
                if age is None or n > age:
                    continue
                n = (age - n) * 12
            elif transform == "since_year":
                if conv.year is None or n > conv.year:
                    continue
                n = (conv.year - n) * 12
            got.append((n + offset, e))
        return got

    def _holds(self, e: Evidence, decided: dict[str, dict]) -> bool:
        when = self.when.get(e.source.removeprefix("pattern:"))
        if not when:
            return True
        for vid, values in when.items():
            got = decided[vid]["value"]
            got = got if isinstance(got, list) else [got]
            if not set(got) & set(values):
                return False
        return True

    def _transform(self, e: Evidence) -> tuple[str | None, float]:
        return self.transform.get(e.source.removeprefix("pattern:"), (None, 0.0))

    def _number(self, ev: list[Evidence], conv: Conversation) -> dict[str, Any]:
        found = self._numbers(ev, conv, {})
        if not found:
            return {"value": None, "score": 0.0, "evidence": []}
        n, best = max(found, key=lambda x: (x[1].score, -x[1].turn))
        return {"value": int(n), "score": best.score,
                "evidence": [e for m, e in found if int(m) == int(n)][:3]}

    def _classes(self, var: ContextVariable, rule: VariableRule, ev: list[Evidence],
                 conv: Conversation, known: dict[str, dict], facts: set[str]) -> dict[str, Any]:
        found = []
        for n, e in self._numbers([e for e in ev if e.value not in var.value_ids], conv, known):
            cls = next((v for v, below in rule.classes if below is None or n < below), None)
            if cls:
                found.append((cls, e))
        found += [(e.value, e) for e in ev if e.value in var.value_ids]
        if not found:
            return self._default(var, rule, facts)
        value, best = max(found, key=lambda x: (x[1].score, -x[1].turn))
        return {"value": value, "score": best.score,
                "evidence": [e for v, e in found if v == value][:3]}

    def _choice(self, var: ContextVariable, rule: VariableRule, ev: list[Evidence],
                by_code: dict[str, list[Evidence]], facts: set[str]) -> dict[str, Any]:
        found: dict[str, list[Evidence]] = {}
        for e in ev:
            found.setdefault(e.value, []).append(e)
        for code, value in rule.from_codes.items():
            if code in by_code:
                found.setdefault(value, []).extend(by_code[code][:1])
        implied = {value for fact, value in rule.from_facts.items() if fact in facts}
        for value in implied:
            found.setdefault(value, [])
        found.pop(UNKNOWN, None)
        if not found:
            return self._default(var, rule, facts)

        # each value's strongest evidence (a dict, not a closure: a nested function here
        # would make a reference cycle that only the cycle collector frees)
        score = {v: max((e.score for e in es), default=DEFAULT_SCORE) for v, es in found.items()}
        if var.multi:
            dropped = {x for v in found for x in rule.drops.get(v, ())}
            values = [v for v in var.value_ids if v in found and v not in dropped]
            return {"value": values, "score": min(score[v] for v in values),
                    "evidence": [e for v in values for e in found[v][:2]]}
        ranked = [v for v in rule.priority if v in found]
        value = ranked[0] if ranked else max(found, key=score.__getitem__)
        return {"value": value, "score": score[value], "evidence": found[value][:3]}

    @staticmethod
    def _default(var: ContextVariable, rule: VariableRule, facts: set[str]) -> dict[str, Any]:
        applies = rule.default is not None and set(rule.default_requires_fact) <= facts \
            and not set(rule.default_unless_fact) & facts
        if applies:
            value = [rule.default] if var.multi else rule.default
            return {"value": value, "score": DEFAULT_SCORE, "evidence": []}
        return {"value": [] if var.multi else UNKNOWN, "score": 0.0, "evidence": []}
