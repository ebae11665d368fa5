"""Load the researcher-edited pattern files in ``patterns/`` and check them against the codebook.

A pattern file (YAML) holds one concern: ``concepts`` (named word lists) and ``patterns``
(which concepts must co-occur, in which scope, for which code, platform or fact). See
``patterns/README.md`` for the format. Terms are written in normalised chat spelling:

- ``woon``: one token whose normalised form is exactly ``woon``;
- ``naakt*``: one token starting with ``naakt``; ``*fotos``: ending with ``fotos``;
- ``/1[0-3]/``: one token fully matching the regular expression;
- several tokens separated by spaces: a sequence; ``...`` between tokens allows a gap of up
  to three tokens (``zet ... online``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .codebook import Codebook, CodebookError
from .nlp import normalize
from .paths import patterns_dir

CONTEXT_CATEGORIES = (
    "negated", "hypothetical", "conditional", "fear", "plan_wish", "past_before", "other",
    "pseudo",
)
DEFAULT_BLOCKED = ("negated", "hypothetical", "conditional", "fear", "plan_wish", "past_before")
SCOPES = ("sentence", "turn", "block")  # block: consecutive visitor turns


class PatternError(ValueError):
    """A pattern file is invalid; the message names the file (and entry)."""


@dataclass(frozen=True)
class TokenSpec:
    kind: str  # exact | words | prefix | suffix | regex | gap
    value: str  # words: the regular expression as written, "(moeder|vader)"
    words: frozenset[str] = frozenset()  # words: a regex that is a plain list of words

    def matches(self, norm: str) -> bool:
        if self.kind == "exact":
            return norm == self.value
        if self.kind == "words":
            return norm in self.words
        if self.kind == "prefix":
            return norm.startswith(self.value)
        if self.kind == "suffix":
            return norm.endswith(self.value)
        if self.kind == "regex":
            return _regex(self.value).fullmatch(norm) is not None
        return False


_REGEX_CACHE: dict[str, re.Pattern] = {}
_WORD_LIST = re.compile(r"\(?((?:[a-z0-9']+)(?:\|[a-z0-9']+)*)\)?")


def _regex(src: str) -> re.Pattern:
    r = _REGEX_CACHE.get(src)
    if r is None:
        r = _REGEX_CACHE[src] = re.compile(src)
    return r


@dataclass(frozen=True)
class Term:
    concept: str
    text: str  # as written in the file
    tokens: tuple[TokenSpec, ...]


def parse_term(raw: str, concept: str, where: str) -> Term:
    raw = str(raw).strip()
    if not raw:
        raise PatternError(f"{where}: empty term in concept {concept!r}")
    specs: list[TokenSpec] = []
    for part in raw.split():
        if part == "...":
            if not specs:
                raise PatternError(f"{where}: term {raw!r} cannot start with '...'")
            specs.append(TokenSpec("gap", "5"))
        elif part.startswith("/") != (part.endswith("/") and len(part) > 1):
            raise PatternError(
                f"{where}: term {raw!r}: a /regex/ token must start and end with '/' "
                "and contain no spaces"
            )
        elif len(part) > 2 and part.startswith("/") and part.endswith("/"):
            try:
                re.compile(part[1:-1])
            except re.error as e:
                raise PatternError(f"{where}: bad regular expression in term {raw!r}: {e}") from e
            words = _WORD_LIST.fullmatch(part[1:-1])
            if words:  # /(moeder|vader)/ is a set look-up, not a regular expression
                specs.append(TokenSpec("words", part[1:-1],
                                       frozenset(words.group(1).split("|"))))
            else:
                specs.append(TokenSpec("regex", part[1:-1]))
        elif part.endswith("*") and len(part) > 1:
            specs.append(TokenSpec("prefix", normalize(part[:-1])))
        elif part.startswith("*") and len(part) > 1:
            specs.append(TokenSpec("suffix", normalize(part[1:])))
        else:
            specs.append(TokenSpec("exact", normalize(part)))
    if specs[-1].kind == "gap":
        raise PatternError(f"{where}: term {raw!r} cannot end with '...'")
    return Term(concept, raw, tuple(specs))


@dataclass
class Pattern:
    id: str
    file: str
    all: tuple[str, ...] = ()
    any: tuple[str, ...] = ()
    none: tuple[str, ...] = ()
    code: str | None = None
    platform: str | None = None
    fact: str | None = None
    context: str | None = None  # a context variable: the pattern suggests ``value`` for it,
    value: str | None = None  # ... or the number found in the hit of concept ``number``
    number: str | None = None
    transform: str | None = None  # birth_year | since_age | since_year (see NUMBER_TRANSFORMS)
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

    @property
    def target(self) -> str:
        if self.context:
            return f"context:{self.context}"
        return self.code or self.fact or f"platform:{self.platform}"

    def required_concepts(self) -> frozenset[str]:
        req = self.__dict__.get("_required")
        if req is None:
            req = self.__dict__["_required"] = frozenset(self.all) | frozenset(self.any) | \
                frozenset(self.none)
        return req

    def can_fire(self, present: set[str] | frozenset[str]) -> bool:
        """False when the conversation lacks concepts the pattern needs in any case."""
        return self.all_set <= present and (not self.any_set or bool(self.any_set & present))


NUMBER_TRANSFORMS = {
    "birth_year": "the number is a year of birth: the age is the chat's year minus it",
    "since_age": "since the victim was this age: months from it to the victim's age now",
    "since_year": "since this year: months from it to the chat's year",
    "until_age": "it lasted until the victim was this age: since_age counts up to it",
}


@dataclass
class VariableRule:
    """How a context variable's value is decided from its patterns' evidence
    (``patterns/context_variables.yaml``)."""

    id: str
    default: str | None = None  # the value when no pattern fired (None: onbekend)
    default_requires_fact: tuple[str, ...] = ()
    default_unless_fact: tuple[str, ...] = ()
    priority: tuple[str, ...] = ()  # single choice: the first value with evidence wins
    drops: dict[str, tuple[str, ...]] = field(default_factory=dict)  # multi: value -> values it rules out
    from_codes: dict[str, str] = field(default_factory=dict)  # a suggested code implies a value
    from_facts: dict[str, str] = field(default_factory=dict)  # an established fact implies one
    classes: tuple[tuple[str, float | None], ...] = ()  # number -> class: (value, below)
    requires_fact: tuple[str, ...] = ()  # no value at all (onbekend) without these facts
    file: str = ""


@dataclass
class Modifier:
    id: str
    category: str
    direction: str  # forward | backward | both
    window: int
    terms: tuple[Term, ...]
    file: str


@dataclass
class PatternSet:
    concepts: dict[str, list[Term]]
    concept_file: dict[str, str]
    patterns: list[Pattern]
    modifiers: list[Modifier]
    terminators: dict[str, list[Term]]  # category -> terms that end a modifier's scope
    affirm: list[Term]
    deny: list[Term]
    unknown: list[Term]
    platform_concepts: dict[str, str]  # concept name -> platform id
    other_role: list[str] = field(default_factory=list)  # concepts: platform used otherwise
    later: list[str] = field(default_factory=list)  # concepts: a later contact (before it)
    later_back: list[str] = field(default_factory=list)  # "... kwam pas later" (after it)
    own: list[str] = field(default_factory=list)  # the victim's own ad/profile: not "other role"
    precedence: dict[str, list[str]] = field(default_factory=dict)  # discord over game, ...
    variables: dict[str, VariableRule] = field(default_factory=dict)
    numbers: dict[str, float] = field(default_factory=dict)  # number words -> value
    units: dict[str, float] = field(default_factory=dict)  # unit words -> months
    version: str = ""
    files: list[str] = field(default_factory=list)

    def by_id(self) -> dict[str, Pattern]:
        return {p.id: p for p in self.patterns}


def _as_list(v, where: str, key: str) -> tuple[str, ...]:
    if v is None:
        return ()
    if isinstance(v, str):
        return (v,)
    if not isinstance(v, list):
        raise PatternError(f"{where}: {key!r} must be a list")
    return tuple(str(x) for x in v)


_PATTERN_KEYS = {
    "id", "all", "any", "none", "code", "platform", "fact", "scope", "score", "blocked_by",
    "requires_fact", "unless_fact", "inherit", "confirmable", "only_confirmed", "description",
    "context", "value", "number", "transform", "offset", "on_denial", "when",
}
_FILE_KEYS = {
    "concepts", "platforms", "modifiers", "terminators", "dialogue", "platform_other_role",
    "platform_later", "platform_later_back", "platform_own", "platform_precedence", "patterns",
    "variables", "numbers", "units",
}
_VARIABLE_KEYS = {
    "default", "default_requires_fact", "default_unless_fact", "priority", "drops",
    "from_codes", "from_facts", "classes", "requires_fact", "description",
}


def load_patterns(directory: str | Path | None = None, codebook: Codebook | None = None) -> PatternSet:
    """Read every ``*.yaml`` in the directory, validate, and return one PatternSet."""
    from .codebook import load_codebook

    cb = codebook or load_codebook()
    d = Path(directory) if directory else patterns_dir()
    files = sorted(d.glob("*.yaml"))
    if not files:
        raise PatternError(f"{d}: no pattern files (*.yaml) found")
    concepts: dict[str, list[Term]] = {}
    concept_file: dict[str, str] = {}
    patterns: list[Pattern] = []
    modifiers: list[Modifier] = []
    terminators: dict[str, list[Term]] = {}
    affirm: list[Term] = []
    deny: list[Term] = []
    unknown_answers: list[Term] = []
    platform_concepts: dict[str, str] = {}
    other_role: list[str] = []
    later: list[str] = []
    later_back: list[str] = []
    own: list[str] = []
    precedence: dict[str, list[str]] = {}
    variables: dict[str, VariableRule] = {}
    numbers: dict[str, float] = {}
    units: dict[str, float] = {}
    digest = hashlib.sha256()
    seen_ids: dict[str, str] = {}
    for f in files:
        raw = f.read_bytes()
        digest.update(f.name.encode() + b"\0" + raw)
        try:
            data = yaml.safe_load(raw.decode("utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as e:
            mark = getattr(e, "problem_mark", None)
            line = f":{mark.line + 1}" if mark else ""
            raise PatternError(f"{f}{line}: not valid YAML: {getattr(e, 'problem', e)}") from e
        if not isinstance(data, dict):
            raise PatternError(f"{f}: a pattern file must be a mapping")
        name = f.name
        bad_keys = sorted(set(data) - _FILE_KEYS)
        if bad_keys:
            raise PatternError(f"{f}: unknown top-level key(s) {bad_keys}; "
                               f"allowed: {sorted(_FILE_KEYS)}")
        for key, table in (("numbers", numbers), ("units", units)):
            for word, val in (data.get(key) or {}).items():
                if not isinstance(val, int | float) or isinstance(val, bool):
                    raise PatternError(f"{f}: {key}.{word}: needs a number")
                table[normalize(str(word))] = float(val)
        for vid, spec in (data.get("variables") or {}).items():
            if vid in variables:
                raise PatternError(f"{f}: variables.{vid}: already defined in "
                                   f"{variables[vid].file}")
            variables[vid] = _variable_rule(vid, spec or {}, name, cb)
        for cname, terms in (data.get("concepts") or {}).items():
            where = f"{name}: concept {cname}"
            if cname in concepts:
                raise PatternError(
                    f"{where}: concept already defined in {concept_file[cname]}"
                )
            if not isinstance(terms, list) or not terms:
                raise PatternError(f"{where}: needs a non-empty list of terms")
            concepts[cname] = [parse_term(t, cname, where) for t in terms]
            concept_file[cname] = name
        for pid, spec in (data.get("platforms") or {}).items():
            where = f"{name}: platform {pid}"
            try:
                cb.check_platform(pid, where)
            except CodebookError as e:
                raise PatternError(str(e)) from e
            cname = f"P_{pid}"
            if cname in concepts:
                raise PatternError(f"{where}: platform defined twice")
            terms = spec.get("terms") if isinstance(spec, dict) else spec
            if not terms:
                raise PatternError(f"{where}: needs terms")
            concepts[cname] = [parse_term(t, cname, where) for t in terms]
            concept_file[cname] = name
            platform_concepts[cname] = pid
        for i, m in enumerate(data.get("modifiers") or []):
            where = f"{name}: modifiers[{i}]"
            mid = m.get("id") or f"{name}:{i}"
            cat = m.get("category")
            if cat not in CONTEXT_CATEGORIES:
                raise PatternError(f"{where} ({mid}): unknown category {cat!r}")
            direction = m.get("direction", "forward")
            if direction not in ("forward", "backward", "both"):
                raise PatternError(f"{where} ({mid}): direction must be forward/backward/both")
            modifiers.append(
                Modifier(mid, cat, direction, int(m.get("window", 5)),
                         tuple(parse_term(t, mid, where) for t in _as_list(m.get("terms"), where, "terms")),
                         name)
            )
        for cat, terms in (data.get("terminators") or {}).items():
            if cat not in CONTEXT_CATEGORIES:
                raise PatternError(f"{name}: terminators: unknown category {cat!r}")
            terminators.setdefault(cat, []).extend(
                parse_term(t, f"end:{cat}", f"{name}: terminators.{cat}") for t in terms
            )
        dialogue = data.get("dialogue") or {}
        affirm += [parse_term(t, "AFFIRM", f"{name}: dialogue.affirm") for t in dialogue.get("affirm", [])]
        deny += [parse_term(t, "DENY", f"{name}: dialogue.deny") for t in dialogue.get("deny", [])]
        unknown_answers += [parse_term(t, "UNKNOWN", f"{name}: dialogue.unknown")
                    for t in dialogue.get("unknown", [])]
        other_role += _as_list(data.get("platform_other_role"), name, "platform_other_role")
        later += _as_list(data.get("platform_later"), name, "platform_later")
        later_back += _as_list(data.get("platform_later_back"), name, "platform_later_back")
        own += _as_list(data.get("platform_own"), name, "platform_own")
        for winner, losers in (data.get("platform_precedence") or {}).items():
            for pid in [winner, *_as_list(losers, name, "platform_precedence")]:
                try:
                    cb.check_platform(pid, f"{name}: platform_precedence")
                except CodebookError as e:
                    raise PatternError(str(e)) from e
            precedence.setdefault(winner, []).extend(_as_list(losers, name, "platform_precedence"))
        for i, p in enumerate(data.get("patterns") or []):
            where = f"{name}: patterns[{i}]"
            if not isinstance(p, dict) or not p.get("id"):
                raise PatternError(f"{where}: every pattern needs an id")
            pid = str(p["id"])
            where = f"{name}: pattern {pid}"
            unknown = set(p) - _PATTERN_KEYS
            if unknown:
                raise PatternError(f"{where}: unknown keys {sorted(unknown)}")
            if pid in seen_ids:
                raise PatternError(f"{where}: duplicate pattern id (also in {seen_ids[pid]})")
            seen_ids[pid] = name
            targets = [k for k in ("code", "platform", "fact", "context") if p.get(k)]
            if len(targets) != 1:
                raise PatternError(
                    f"{where}: needs exactly one of code, platform, fact or context")
            try:
                if p.get("code"):
                    cb.check_code(p["code"], where)
                if p.get("platform"):
                    cb.check_platform(p["platform"], where)
                if p.get("context"):
                    _check_context_target(p, cb, where)
                elif any(p.get(k) is not None for k in ("value", "number", "transform",
                                                         "offset", "when")):
                    raise PatternError(f"{where}: value, number, transform, offset and when "
                                       "go with context only")
            except CodebookError as e:
                raise PatternError(str(e)) from e
            scope = p.get("scope", "sentence")
            if scope not in SCOPES:
                raise PatternError(f"{where}: scope must be one of {SCOPES}")
            blocked = _as_list(p.get("blocked_by", list(DEFAULT_BLOCKED)), where, "blocked_by")
            for c in blocked:
                if c not in CONTEXT_CATEGORIES:
                    raise PatternError(f"{where}: blocked_by names unknown category {c!r}")
            pat = Pattern(
                id=pid, file=name,
                all=_as_list(p.get("all"), where, "all"),
                any=_as_list(p.get("any"), where, "any"),
                none=_as_list(p.get("none"), where, "none"),
                code=p.get("code"), platform=p.get("platform"), fact=p.get("fact"),
                context=p.get("context"), value=p.get("value"), number=p.get("number"),
                transform=p.get("transform"), offset=float(p.get("offset") or 0),
                when=_when(p.get("when"), cb, where),
                scope=scope, score=float(p.get("score", 0.8)), blocked_by=blocked,
                requires_fact=_as_list(p.get("requires_fact"), where, "requires_fact"),
                unless_fact=_as_list(p.get("unless_fact"), where, "unless_fact"),
                inherit=bool(p.get("inherit", True)),
                confirmable=bool(p.get("confirmable", True)),
                only_confirmed=bool(p.get("only_confirmed", False)),
                on_denial=bool(p.get("on_denial", False)),
                description=str(p.get("description", "")),
            )
            if not (pat.all or pat.any):
                raise PatternError(f"{where}: needs 'all' or 'any' concepts")
            patterns.append(pat)
    # cross-checks: every concept a pattern names exists; facts a pattern needs are produced
    facts = {p.fact for p in patterns if p.fact}
    special = {"PLATFORM"}
    for p in patterns:
        for c in p.required_concepts():
            if c not in concepts and c not in special:
                raise PatternError(f"{p.file}: pattern {p.id}: unknown concept {c!r}")
        for fct in p.requires_fact + p.unless_fact:
            if fct not in facts:
                raise PatternError(f"{p.file}: pattern {p.id}: no pattern produces fact {fct!r}")
    for p in patterns:
        if p.number and p.number not in concepts:
            raise PatternError(f"{p.file}: pattern {p.id}: unknown number concept {p.number!r}")
    for rule in variables.values():
        for fct in rule.default_requires_fact + rule.default_unless_fact + rule.requires_fact \
                + tuple(rule.from_facts):
            if fct not in facts:
                raise PatternError(f"{rule.file}: variable {rule.id}: no pattern produces "
                                   f"fact {fct!r}")
    for c in other_role + later + later_back + own:
        if c not in concepts:
            raise PatternError(f"platform_other_role/platform_later: unknown concept {c!r}")
    return PatternSet(
        concepts=concepts, concept_file=concept_file, patterns=patterns, modifiers=modifiers,
        terminators=terminators, affirm=affirm, deny=deny, unknown=unknown_answers, platform_concepts=platform_concepts,
        other_role=other_role, later=later, later_back=later_back, own=own,
        precedence=precedence, variables=variables, numbers=numbers, units=units,
        version=digest.hexdigest()[:12],
        files=[f.name for f in files],
    )


def _check_context_target(p: dict, cb: Codebook, where: str) -> None:
    var = cb.context.get(p["context"])
    if var is None:
        raise PatternError(f"{where}: unknown context variable {p['context']!r}")
    numeric = var.number or any(v.id for v in var.values) and p.get("number")
    if p.get("number"):
        if p.get("value") is not None:
            raise PatternError(f"{where}: give either value or number, not both")
    elif p.get("value") is None:
        raise PatternError(f"{where}: a context pattern needs a value (or a number concept)")
    elif var.number:
        raise PatternError(f"{where}: {var.id!r} is a number: give a number concept")
    elif p["value"] not in var.value_ids:
        raise PatternError(f"{where}: {p['value']!r} is not a value of {var.id!r}")
    if not numeric and (p.get("transform") or p.get("offset")):
        raise PatternError(f"{where}: transform and offset need a number concept")
    if p.get("transform") and p["transform"] not in NUMBER_TRANSFORMS:
        raise PatternError(f"{where}: transform must be one of {sorted(NUMBER_TRANSFORMS)}")


def _variable_rule(vid: str, spec: dict, name: str, cb: Codebook) -> VariableRule:
    where = f"{name}: variables.{vid}"
    var = cb.context.get(vid)
    if var is None:
        raise PatternError(f"{where}: unknown context variable {vid!r}")
    if not isinstance(spec, dict):
        raise PatternError(f"{where}: must be a mapping")
    bad = sorted(set(spec) - _VARIABLE_KEYS)
    if bad:
        raise PatternError(f"{where}: unknown key(s) {bad}; allowed: {sorted(_VARIABLE_KEYS)}")

    def value(v, key: str) -> str:
        if v not in var.value_ids:
            raise PatternError(f"{where}.{key}: {v!r} is not a value of {vid!r}")
        return v

    default = spec.get("default")
    if default is not None:
        value(default, "default")
    classes = []
    for i, c in enumerate(spec.get("classes") or []):
        if not isinstance(c, dict) or set(c) - {"value", "below"} or "value" not in c:
            raise PatternError(f"{where}.classes[{i}]: needs value and (except the last) below")
        classes.append((value(c["value"], "classes"),
                        float(c["below"]) if c.get("below") is not None else None))
    from_codes = {}
    for code, v in (spec.get("from_codes") or {}).items():
        try:
            cb.check_code(code, where)
        except CodebookError as e:
            raise PatternError(str(e)) from e
        from_codes[code] = value(v, "from_codes")
    return VariableRule(
        id=vid, default=default,
        default_requires_fact=_as_list(spec.get("default_requires_fact"), where, "facts"),
        default_unless_fact=_as_list(spec.get("default_unless_fact"), where, "facts"),
        priority=tuple(value(v, "priority") for v in _as_list(spec.get("priority"), where,
                                                              "priority")),
        drops={value(k, "drops"): tuple(value(x, "drops") for x in _as_list(v, where, "drops"))
               for k, v in (spec.get("drops") or {}).items()},
        from_codes=from_codes,
        from_facts={str(k): value(v, "from_facts") for k, v in
                    (spec.get("from_facts") or {}).items()},
        classes=tuple(classes),
        requires_fact=_as_list(spec.get("requires_fact"), where, "requires_fact"),
        file=name,
    )


def _when(spec, cb: Codebook, where: str) -> dict[str, tuple[str, ...]]:
    """``when: {chatter: [familielid, sociale_omgeving]}``: the evidence counts only when
    another context variable was decided as one of these values."""
    if spec is None:
        return {}
    if not isinstance(spec, dict):
        raise PatternError(f"{where}: when must map context variables to lists of values")
    out = {}
    for vid, values in spec.items():
        var = cb.context.get(vid)
        if var is None or var.number:
            raise PatternError(f"{where}: when: {vid!r} is not a choice variable")
        vals = _as_list(values, where, "when")
        wrong = [v for v in vals if v not in var.value_ids]
        if wrong:
            raise PatternError(f"{where}: when: {wrong} are not values of {vid!r}")
        out[vid] = vals
    return out
