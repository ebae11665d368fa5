"""The codebook as data: load, validate and query ``codebook/codebook.yaml``."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import yaml

from .paths import codebook_file


class CodebookError(ValueError):
    """The codebook file, or something that names codebook ids, is invalid."""


@dataclass(frozen=True)
class Code:
    id: str
    family: str
    label: str
    gloss: str
    definition: str
    shortcut: str | None = None
    derived_from: tuple[str, ...] = ()  # a derived code counts these codes ...
    at_least: int = 0  # ... and is present when at least this many are

    @property
    def derived(self) -> bool:
        return bool(self.derived_from)


@dataclass(frozen=True)
class Platform:
    id: str
    label: str
    type: str
    gloss: str


@dataclass(frozen=True)
class ContextValue:
    id: str
    label: str
    missing: bool = False


@dataclass(frozen=True)
class ContextVariable:
    """A single- or multi-choice variable with explicit values, or a number (``leeftijd``).

    A number variable has no values: its value is an integer in ``[minimum, maximum]`` or
    ``None`` when the conversation does not say.
    """

    id: str
    label: str
    gloss: str
    multi: bool
    values: tuple[ContextValue, ...]
    number: bool = False
    minimum: int = 0
    maximum: int = 0

    @property
    def value_ids(self) -> list[str]:
        return [v.id for v in self.values]

    def accepts(self, value) -> bool:
        """True for a valid value of this variable (a single value, not a list)."""
        if self.number:
            return value is None or (
                isinstance(value, int) and not isinstance(value, bool)
                and self.minimum <= value <= self.maximum)
        return value in self.value_ids


@dataclass(frozen=True)
class Family:
    id: str
    label: str
    gloss: str
    added_in: str | None = None  # the codebook version that added the family


@dataclass
class Codebook:
    version: str
    name: str
    families: dict[str, Family]
    codes: dict[str, Code]
    platforms: dict[str, Platform]
    platform_types: dict[str, str]
    context: dict[str, ContextVariable]
    source: Path | None = None
    _klant: list[str] = field(default_factory=list)

    # --- queries -------------------------------------------------------------------------
    @property
    def annotatable_codes(self) -> list[str]:
        """Codes a pattern, model or coder assigns (derived codes excluded)."""
        return [c.id for c in self.codes.values() if not c.derived]

    @property
    def klant_codes(self) -> list[str]:
        return [c.id for c in self.codes.values() if c.family == "klant" and not c.derived]

    def codes_before(self, version: str) -> list[str]:
        """Assignable codes of the families that existed before ``version``."""
        def key(v: str) -> tuple[int, ...]:
            return tuple(int(x) for x in v.split("."))
        return [c for c in self.annotatable_codes
                if not self.families[self.codes[c].family].added_in
                or key(self.families[self.codes[c].family].added_in) < key(version)]

    def family_of(self, code: str) -> str:
        return self.codes[code].family

    def codes_in_family(self, family: str, include_derived: bool = False) -> list[str]:
        return [
            c.id
            for c in self.codes.values()
            if c.family == family and (include_derived or not c.derived)
        ]

    def platform_type(self, platform: str) -> str:
        return self.platforms[platform].type

    @property
    def derived_codes(self) -> list[str]:
        return [c.id for c in self.codes.values() if c.derived]

    def with_derived(self, codes: list[str] | set[str]) -> list[str]:
        """Add the derived codes (``klant_bewust``, ``geweld``, ``dwangmiddel_genoemd``, ...).

        Returns the codes in codebook order; derived codes already present are recomputed.
        """
        base = {c for c in codes if c in self.codes and not self.codes[c].derived}
        out = set(base)
        for code in self.codes.values():
            if code.derived and len(base.intersection(code.derived_from)) >= code.at_least:
                out.add(code.id)
        return [c for c in self.codes if c in out]

    def derived_scores(self, scores: dict[str, float], codes: list[str]) -> dict[str, float]:
        """The score of each derived code in ``codes``: the ``at_least``-th highest score of
        the codes it counts (``klant_bewust_combinatie``: the second-best ``klant_*`` score)."""
        out = {}
        for cid in codes:
            code = self.codes[cid]
            if code.derived:
                ranked = sorted((scores[c] for c in code.derived_from if c in scores),
                                reverse=True)
                if len(ranked) >= code.at_least:
                    out[cid] = ranked[code.at_least - 1]
        return out

    # --- validation helpers --------------------------------------------------------------
    def check_code(self, code: str, where: str) -> None:
        if code not in self.codes:
            raise CodebookError(f"{where}: unknown code id {code!r} (not in the codebook)")
        if self.codes[code].derived:
            raise CodebookError(f"{where}: {code!r} is derived and cannot be assigned directly")

    def check_platform(self, platform: str, where: str) -> None:
        if platform not in self.platforms:
            raise CodebookError(f"{where}: unknown platform id {platform!r} (not in the codebook)")

    def check_context(self, variable: str, value, where: str) -> None:
        if variable not in self.context:
            raise CodebookError(f"{where}: unknown context variable {variable!r}")
        if not self.context[variable].accepts(value):
            raise CodebookError(
                f"{where}: {value!r} is not a value of context variable {variable!r}"
            )


_KEYS = {
    "top": {"version", "name", "families", "codes", "platform_types", "platforms", "context"},
    "families": {"id", "label", "gloss", "added_in"},
    "codes": {"id", "family", "label", "gloss", "definition", "shortcut", "derived"},
    "derived": {"codes", "family", "at_least"},
    "platforms": {"id", "label", "type", "gloss"},
    "context": {"id", "label", "gloss", "multi", "values", "number"},
    "values": {"id", "label", "missing"},
    "number": {"min", "max"},
}


def _check_keys(d, kind: str, where: str) -> None:
    if not isinstance(d, dict):
        raise CodebookError(f"{where}: expected a mapping")
    unknown = sorted(set(d) - _KEYS[kind])
    if unknown:
        raise CodebookError(f"{where}: unknown key(s) {unknown}; allowed: {sorted(_KEYS[kind])}")


def _req(d: dict, key: str, where: str):
    if not isinstance(d, dict) or key not in d or d[key] in (None, ""):
        raise CodebookError(f"{where}: missing field {key!r}")
    return d[key]


def parse_codebook(data: dict, source: Path | None = None) -> Codebook:
    where = str(source or "codebook")
    if not isinstance(data, dict):
        raise CodebookError(f"{where}: the codebook must be a mapping")
    _check_keys(data, "top", where)
    families = {}
    for i, f in enumerate(_req(data, "families", where)):
        w = f"{where}: families[{i}]"
        _check_keys(f, "families", w)
        families[_req(f, "id", w)] = Family(f["id"], _req(f, "label", w), f.get("gloss", ""),
                                           str(f["added_in"]) if f.get("added_in") else None)
    codes: dict[str, Code] = {}
    derived: dict[str, tuple[dict, str]] = {}
    for i, c in enumerate(_req(data, "codes", where)):
        w = f"{where}: codes[{i}]"
        _check_keys(c, "codes", w)
        cid = _req(c, "id", w)
        if cid in codes:
            raise CodebookError(f"{w}: duplicate code id {cid!r}")
        fam = _req(c, "family", w)
        if fam not in families:
            raise CodebookError(f"{w}: code {cid!r} names unknown family {fam!r}")
        codes[cid] = Code(
            id=cid,
            family=fam,
            label=_req(c, "label", w),
            gloss=_req(c, "gloss", w),
            definition=" ".join(str(_req(c, "definition", w)).split()),
            shortcut=str(c["shortcut"]) if c.get("shortcut") is not None else None,
        )
        if c.get("derived") is not None:
            derived[cid] = (c["derived"], w)
    for cid, (rule, w) in derived.items():
        _check_keys(rule, "derived", f"{w}.derived")
        if "family" in rule:
            if rule["family"] not in families:
                raise CodebookError(f"{w}.derived: unknown family {rule['family']!r}")
            members = [x for x in codes if codes[x].family == rule["family"] and x not in derived]
        else:
            members = list(_req(rule, "codes", f"{w}.derived"))
            wrong = [x for x in members if x not in codes or x in derived]
            if wrong:
                raise CodebookError(f"{w}.derived: {wrong} are not codes that are assigned")
        at_least = rule.get("at_least", 1)
        if not isinstance(at_least, int) or at_least < 1 or not members:
            raise CodebookError(f"{w}.derived: needs codes and a whole number 'at_least' >= 1")
        codes[cid] = replace(codes[cid], derived_from=tuple(members), at_least=at_least)
    types = dict(_req(data, "platform_types", where))
    platforms: dict[str, Platform] = {}
    for i, p in enumerate(_req(data, "platforms", where)):
        w = f"{where}: platforms[{i}]"
        _check_keys(p, "platforms", w)
        pid = _req(p, "id", w)
        if pid in platforms:
            raise CodebookError(f"{w}: duplicate platform id {pid!r}")
        ptype = _req(p, "type", w)
        if ptype not in types:
            raise CodebookError(f"{w}: platform {pid!r} has unknown type {ptype!r}")
        platforms[pid] = Platform(pid, _req(p, "label", w), ptype, p.get("gloss", ""))
    context: dict[str, ContextVariable] = {}
    for i, v in enumerate(_req(data, "context", where)):
        w = f"{where}: context[{i}]"
        _check_keys(v, "context", w)
        vid = _req(v, "id", w)
        if "number" in v:
            num = v["number"]
            _check_keys(num, "number", f"{w}.number")
            lo, hi = num.get("min"), num.get("max")
            if not (isinstance(lo, int) and isinstance(hi, int) and lo <= hi) or "values" in v:
                raise CodebookError(f"{w}: a number variable needs whole 'min' <= 'max' "
                                    "and no values")
            context[vid] = ContextVariable(vid, _req(v, "label", w), v.get("gloss", ""),
                                           False, (), number=True, minimum=lo, maximum=hi)
            continue
        values = []
        for j, x in enumerate(_req(v, "values", w)):
            _check_keys(x, "values", f"{w}.values[{j}]")
            values.append(ContextValue(_req(x, "id", f"{w}.values[{j}]"),
                                       _req(x, "label", f"{w}.values[{j}]"),
                                       bool(x.get("missing", False))))
        if "onbekend" not in [x.id for x in values]:
            raise CodebookError(f"{w}: context variable {vid!r} needs the value 'onbekend'")
        context[vid] = ContextVariable(vid, _req(v, "label", w), v.get("gloss", ""),
                                       bool(v.get("multi", False)), tuple(values))
    shortcuts = [c.shortcut for c in codes.values() if c.shortcut]
    if len(shortcuts) != len(set(shortcuts)):
        raise CodebookError(f"{where}: keyboard shortcuts must be unique")
    return Codebook(
        version=str(_req(data, "version", where)),
        name=str(data.get("name", "")),
        families=families,
        codes=codes,
        platforms=platforms,
        platform_types=types,
        context=context,
        source=source,
    )


def load_codebook(path: str | Path | None = None) -> Codebook:
    path = Path(path) if path else codebook_file()
    return _load_cached(str(path.resolve()))


@lru_cache(maxsize=8)
def _load_cached(path: str) -> Codebook:
    p = Path(path)
    try:
        # libyaml's safe loader when PyYAML has it (the same data, several times faster)
        data = yaml.load(p.read_text(encoding="utf-8"),
                         Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except FileNotFoundError as e:
        raise CodebookError(f"{p}: codebook file not found") from e
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise CodebookError(f"{p}{line}: not valid YAML ({getattr(e, 'problem', e)})") from e
    return parse_codebook(data, p)
