"""Context-variable rules of the pattern files: how a context pattern names its target
(``context`` with ``value`` or ``number``), and the ``variables:`` entries that turn evidence
into one value per variable (see :mod:`indicators.context_values`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..codebook import Codebook, CodebookError
from .terms import PatternError, as_list

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



VARIABLE_KEYS = {
    "default", "default_requires_fact", "default_unless_fact", "priority", "drops",
    "from_codes", "from_facts", "classes", "requires_fact", "description",
}


def check_context_target(p: dict, cb: Codebook, where: str) -> None:
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


def variable_rule(vid: str, spec: dict, name: str, cb: Codebook) -> VariableRule:
    where = f"{name}: variables.{vid}"
    var = cb.context.get(vid)
    if var is None:
        raise PatternError(f"{where}: unknown context variable {vid!r}")
    if not isinstance(spec, dict):
        raise PatternError(f"{where}: must be a mapping")
    bad = sorted(set(spec) - VARIABLE_KEYS)
    if bad:
        raise PatternError(f"{where}: unknown key(s) {bad}; allowed: {sorted(VARIABLE_KEYS)}")

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
        default_requires_fact=as_list(spec.get("default_requires_fact"), where, "facts"),
        default_unless_fact=as_list(spec.get("default_unless_fact"), where, "facts"),
        priority=tuple(value(v, "priority") for v in as_list(spec.get("priority"), where,
                                                              "priority")),
        drops={value(k, "drops"): tuple(value(x, "drops") for x in as_list(v, where, "drops"))
               for k, v in (spec.get("drops") or {}).items()},
        from_codes=from_codes,
        from_facts={str(k): value(v, "from_facts") for k, v in
                    (spec.get("from_facts") or {}).items()},
        classes=tuple(classes),
        requires_fact=as_list(spec.get("requires_fact"), where, "requires_fact"),
        file=name,
    )


def when_condition(spec, cb: Codebook, where: str) -> dict[str, tuple[str, ...]]:
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
        vals = as_list(values, where, "when")
        wrong = [v for v in vals if v not in var.value_ids]
        if wrong:
            raise PatternError(f"{where}: when: {wrong} are not values of {vid!r}")
        out[vid] = vals
    return out
