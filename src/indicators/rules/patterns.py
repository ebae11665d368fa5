"""What the pattern files in ``patterns/`` become: concepts, patterns, modifiers, the dialogue
and the conversation-level rules, as one :class:`PatternSet` (read and checked by
:mod:`indicators.rules.load`; the term syntax is in :mod:`indicators.rules.terms`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .context_rules import VariableRule
from .terms import PatternError, Term, TokenSpec

__all__ = ["CONTEXT_CATEGORIES", "Pattern", "PatternError", "PatternSet", "Term", "TokenSpec"]

CONTEXT_CATEGORIES = (
    "negated", "hypothetical", "conditional", "fear", "plan_wish", "past_before", "other",
    "pseudo",
)
DEFAULT_BLOCKED = ("negated", "hypothetical", "conditional", "fear", "plan_wish", "past_before")
SCOPES = ("sentence", "turn", "block")  # block: consecutive visitor turns


@dataclass
class Pattern:
    id: str
    file: str
    all: tuple[str, ...] = ()
    any: tuple[str, ...] = ()
    none: tuple[str, ...] = ()
    code: str | None = None
    fact: str | None = None
    context: str | None = None  # a context variable: the pattern suggests ``value`` for it,
    value: str | None = None  # ... or the number found in the hit of concept ``number``
    number: str | None = None
    transform: str | None = None  # see context_rules.NUMBER_TRANSFORMS
    offset: float = 0.0  # added to the number ("ik word volgende maand 20": -1)
    when: dict[str, tuple[str, ...]] = field(default_factory=dict)  # other variables' values
    scope: str = "sentence"
    score: float = 0.8
    blocked_by: tuple[str, ...] = DEFAULT_BLOCKED
    requires_fact: tuple[str, ...] = ()
    unless_fact: tuple[str, ...] = ()
    inherit: bool = True  # may use concepts from the counsellor's question before the answer
    confirmable: bool = True  # a counsellor question matching it + visitor "ja" counts
    only_confirmed: bool = False  # fires only on a counsellor question the visitor confirms
    on_denial: bool = False  # fires only on a counsellor question the visitor answers "nee" to
    description: str = ""

    def __post_init__(self) -> None:
        self.all_set = frozenset(self.all)
        self.any_set = frozenset(self.any)
        self.none_set = frozenset(self.none)
        self.wanted = self.all_set | self.any_set  # one of these must be in the words
        self.requires_fact_set = frozenset(self.requires_fact)
        self.unless_fact_set = frozenset(self.unless_fact)

    @property
    def target(self) -> str:
        """What a "nee" to a matching question vetoes: the code, the context variable, or the
        fact name (fact evidence is "fact:<name>", so a "nee" never vetoes a fact)."""
        if self.context:
            return f"context:{self.context}"
        return self.code or str(self.fact)

    def required_concepts(self) -> frozenset[str]:
        req = self.__dict__.get("_required")
        if req is None:
            req = self.__dict__["_required"] = frozenset(self.all) | frozenset(self.any) | \
                frozenset(self.none)
        return req

    def can_fire(self, present: set[str] | frozenset[str]) -> bool:
        """False when the conversation lacks concepts the pattern needs in any case."""
        return self.all_set <= present and (not self.any_set or not self.any_set.isdisjoint(present))


@dataclass
class Modifier:
    id: str
    category: str
    direction: str  # forward | backward | both
    window: int
    terms: tuple[Term, ...]
    file: str


@dataclass
class Dialogue:
    """How a visitor's answer opens, and which counsellor sentences it answers."""

    affirm: list[Term] = field(default_factory=list)
    deny: list[Term] = field(default_factory=list)
    unknown: list[Term] = field(default_factory=list)
    check_back: tuple[str, ...] = ()  # openers of a check-back ("dus ", "klopt het dat")
    check_back_inside: tuple[str, ...] = ()  # ... or words inside one (" dus ")
    summary: tuple[str, ...] = ()  # openers of a summary a "ja" confirms ("je ", "hij ")
    answer_window: int = 3  # visitor turns after a question that count as its answer
    confirm_factor: float = 0.85  # evidence via a confirmed counsellor question
    inherit_factor: float = 0.9  # evidence via an answer completing the question


@dataclass
class PatternSet:
    concepts: dict[str, list[Term]]
    concept_file: dict[str, str]
    patterns: list[Pattern]
    modifiers: list[Modifier]
    terminators: dict[str, list[Term]]  # category -> terms that end a modifier's scope
    dialogue: Dialogue
    platform_concepts: dict[str, str]  # concept name -> platform id
    other_role: list[str] = field(default_factory=list)  # concepts: platform used otherwise
    later: list[str] = field(default_factory=list)  # concepts: a later contact (before it)
    later_back: list[str] = field(default_factory=list)  # "... kwam pas later" (after it)
    own: list[str] = field(default_factory=list)  # the victim's own ad/profile: not "other role"
    precedence: dict[str, list[str]] = field(default_factory=dict)  # discord over game, ...
    exclusive: list[tuple[str, ...]] = field(default_factory=list)  # codes that exclude others
    platform_code: str | None = None  # the code whose evidence names meeting platforms
    platform_window: int = 4  # tokens around an other-role word that mark a platform
    variables: dict[str, VariableRule] = field(default_factory=dict)
    numbers: dict[str, float] = field(default_factory=dict)  # number words -> value
    units: dict[str, float] = field(default_factory=dict)  # unit words -> months
    spelling: dict[str, str] = field(default_factory=dict)  # chat spelling -> word
    version: str = ""
    files: list[str] = field(default_factory=list)

    @property
    def affirm(self) -> list[Term]:
        return self.dialogue.affirm

    @property
    def deny(self) -> list[Term]:
        return self.dialogue.deny

    @property
    def unknown(self) -> list[Term]:
        return self.dialogue.unknown

    def by_id(self) -> dict[str, Pattern]:
        return {p.id: p for p in self.patterns}
