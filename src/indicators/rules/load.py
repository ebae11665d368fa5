"""Load the researcher-edited pattern files in ``patterns/`` and check them against the codebook.

A pattern file (YAML) holds one concern: ``concepts`` (named word lists, see
:mod:`indicators.rules.terms`), ``patterns`` (which concepts must co-occur, in which scope, for which
code, fact or context variable), context ``modifiers``, the ``dialogue`` (how answers open,
which counsellor sentences a "ja" confirms, windows and factors), the chat ``spelling`` map,
``numbers`` and ``units``, context ``variables`` and the conversation-level ``resolve`` rules.
Every key of every file and entry is checked; an unknown key is an error naming the file.
See ``patterns/README.md`` for the format.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

from ..codebook import Codebook, CodebookError
from ..paths import patterns_dir
from .context_rules import check_context_target, variable_rule, when_condition
from .normalise import Normalizer
from .patterns import (
    CONTEXT_CATEGORIES,
    DEFAULT_BLOCKED,
    SCOPES,
    Dialogue,
    Modifier,
    Pattern,
    PatternSet,
)
from .terms import PatternError, Term, as_list, parse_term

__all__ = ["PatternError", "load_patterns", "parse_term"]

FILE_KEYS = {
    "concepts", "platforms", "modifiers", "terminators", "dialogue", "platform_other_role",
    "platform_later", "platform_later_back", "platform_own", "platform_precedence", "patterns",
    "variables", "numbers", "units", "spelling", "resolve",
}
PATTERN_KEYS = {
    "id", "all", "any", "none", "code", "fact", "scope", "score", "blocked_by",
    "requires_fact", "unless_fact", "inherit", "confirmable", "only_confirmed", "description",
    "context", "value", "number", "transform", "offset", "on_denial", "when",
}
MODIFIER_KEYS = {"id", "category", "direction", "window", "terms", "description"}
DIALOGUE_KEYS = {"affirm", "deny", "unknown", "check_back", "check_back_inside", "summary",
                 "answer_window", "confirm_factor", "inherit_factor"}
RESOLVE_KEYS = {"exclusive", "platform_code", "platform_window"}



def _keys(d: Any, allowed: set[str], where: str) -> dict:
    if not isinstance(d, dict):
        raise PatternError(f"{where}: must be a mapping")
    bad = sorted(set(d) - allowed)
    if bad:
        raise PatternError(f"{where}: unknown key(s) {bad}; allowed: {sorted(allowed)}")
    return d


def _read(d: Path) -> list[tuple[str, dict, bytes]]:
    files = sorted(d.glob("*.yaml"))
    if not files:
        raise PatternError(f"{d}: no pattern files (*.yaml) found")
    out = []
    for f in files:
        raw = f.read_bytes()
        try:
            data = yaml.safe_load(raw.decode("utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as e:
            mark = getattr(e, "problem_mark", None)
            line = f":{mark.line + 1}" if mark else ""
            raise PatternError(f"{f}{line}: not valid YAML: {getattr(e, 'problem', e)}") from e
        if not isinstance(data, dict):
            raise PatternError(f"{f}: a pattern file must be a mapping")
        bad = sorted(set(data) - FILE_KEYS)
        if bad:
            raise PatternError(f"{f}: unknown top-level key(s) {bad}; allowed: {sorted(FILE_KEYS)}")
        out.append((f.name, data, raw))
    return out


def _spelling(files: list[tuple[str, dict, bytes]]) -> dict[str, str]:
    spelling: dict[str, str] = {}
    for name, data, _ in files:
        for word, to in (data.get("spelling") or {}).items():
            if not isinstance(to, str) or not str(word).strip():
                raise PatternError(f"{name}: spelling.{word}: needs a word to map to")
            if str(word) in spelling:
                raise PatternError(f"{name}: spelling.{word}: defined twice")
            spelling[str(word)] = to
    return spelling


class _Loader:
    """Collects the sections of every file into one PatternSet."""

    def __init__(self, cb: Codebook, norm: Normalizer):
        self.cb, self.norm = cb, norm.normalize
        self.ps = PatternSet(concepts={}, concept_file={}, patterns=[], modifiers=[],
                             terminators={}, dialogue=Dialogue(), platform_concepts={},
                             spelling=dict(norm.spelling))
        self.seen_ids: dict[str, str] = {}

    def term(self, raw, concept: str, where: str) -> Term:
        return parse_term(raw, concept, where, self.norm)

    def concept(self, cname: str, terms, name: str, where: str) -> None:
        ps = self.ps
        if cname in ps.concepts:
            raise PatternError(f"{where}: concept already defined in {ps.concept_file[cname]}")
        if not isinstance(terms, list) or not terms:
            raise PatternError(f"{where}: needs a non-empty list of terms")
        ps.concepts[cname] = [self.term(t, cname, where) for t in terms]
        ps.concept_file[cname] = name

    def file(self, name: str, data: dict) -> None:
        ps, cb = self.ps, self.cb
        for cname, terms in (data.get("concepts") or {}).items():
            self.concept(cname, terms, name, f"{name}: concept {cname}")
        for pid, spec in (data.get("platforms") or {}).items():
            where = f"{name}: platform {pid}"
            try:
                cb.check_platform(pid, where)
            except CodebookError as e:
                raise PatternError(str(e)) from e
            terms = spec.get("terms") if isinstance(spec, dict) else spec
            if not terms:
                raise PatternError(f"{where}: needs terms")
            self.concept(f"P_{pid}", terms, name, where)
            ps.platform_concepts[f"P_{pid}"] = pid
        for i, m in enumerate(data.get("modifiers") or []):
            self.modifier(m, name, f"{name}: modifiers[{i}]")
        for cat, terms in (data.get("terminators") or {}).items():
            if cat not in CONTEXT_CATEGORIES:
                raise PatternError(f"{name}: terminators: unknown category {cat!r}")
            ps.terminators.setdefault(cat, []).extend(
                self.term(t, f"end:{cat}", f"{name}: terminators.{cat}") for t in terms)
        if data.get("dialogue") is not None:
            self.dialogue(_keys(data["dialogue"], DIALOGUE_KEYS, f"{name}: dialogue"), name)
        ps.other_role += as_list(data.get("platform_other_role"), name, "platform_other_role")
        ps.later += as_list(data.get("platform_later"), name, "platform_later")
        ps.later_back += as_list(data.get("platform_later_back"), name, "platform_later_back")
        ps.own += as_list(data.get("platform_own"), name, "platform_own")
        for winner, losers in (data.get("platform_precedence") or {}).items():
            for pid in [winner, *as_list(losers, name, "platform_precedence")]:
                self._platform(pid, f"{name}: platform_precedence")
            ps.precedence.setdefault(winner, []).extend(as_list(losers, name, "precedence"))
        if data.get("resolve") is not None:
            self.resolve(_keys(data["resolve"], RESOLVE_KEYS, f"{name}: resolve"), name)
        for key, table in (("numbers", ps.numbers), ("units", ps.units)):
            for word, val in (data.get(key) or {}).items():
                if not isinstance(val, int | float) or isinstance(val, bool):
                    raise PatternError(f"{name}: {key}.{word}: needs a number")
                table[self.norm(str(word))] = float(val)
        for vid, spec in (data.get("variables") or {}).items():
            if vid in ps.variables:
                raise PatternError(f"{name}: variables.{vid}: already defined in "
                                   f"{ps.variables[vid].file}")
            ps.variables[vid] = variable_rule(vid, spec or {}, name, cb)
        for i, p in enumerate(data.get("patterns") or []):
            ps.patterns.append(self.pattern(p, name, f"{name}: patterns[{i}]"))

    def _platform(self, pid: str, where: str) -> None:
        try:
            self.cb.check_platform(pid, where)
        except CodebookError as e:
            raise PatternError(str(e)) from e

    def modifier(self, m, name: str, where: str) -> None:
        _keys(m, MODIFIER_KEYS, where)
        mid = m.get("id") or where
        cat = m.get("category")
        if cat not in CONTEXT_CATEGORIES:
            raise PatternError(f"{where} ({mid}): unknown category {cat!r}")
        direction = m.get("direction", "forward")
        if direction not in ("forward", "backward", "both"):
            raise PatternError(f"{where} ({mid}): direction must be forward/backward/both")
        terms = tuple(self.term(t, mid, where) for t in as_list(m.get("terms"), where, "terms"))
        self.ps.modifiers.append(Modifier(mid, cat, direction, int(m.get("window", 5)), terms,
                                          name))

    def dialogue(self, d: dict, name: str) -> None:
        dl = self.ps.dialogue
        for key in ("affirm", "deny", "unknown"):
            getattr(dl, key).extend(self.term(t, key.upper(), f"{name}: dialogue.{key}")
                                    for t in d.get(key, []))
        for key in ("check_back", "check_back_inside", "summary"):
            if key in d:  # written as text: openers keep their trailing space ("je ")
                setattr(dl, key, tuple(str(x).lower() for x in d[key]))
        for key, kind in (("answer_window", int), ("confirm_factor", float),
                          ("inherit_factor", float)):
            if key in d:
                if not isinstance(d[key], int | float) or isinstance(d[key], bool):
                    raise PatternError(f"{name}: dialogue.{key}: needs a number")
                setattr(dl, key, kind(d[key]))

    def resolve(self, d: dict, name: str) -> None:
        ps = self.ps
        for group in d.get("exclusive") or []:
            codes = as_list(group, name, "resolve.exclusive")
            for c in codes:
                if c not in self.cb.codes:
                    raise PatternError(f"{name}: resolve.exclusive: unknown code {c!r}")
            ps.exclusive.append(codes)
        if "platform_code" in d:
            if d["platform_code"] not in self.cb.codes:
                raise PatternError(f"{name}: resolve.platform_code: unknown code")
            ps.platform_code = d["platform_code"]
        if "platform_window" in d:
            ps.platform_window = int(d["platform_window"])

    def pattern(self, p, name: str, where: str) -> Pattern:
        if not isinstance(p, dict) or not p.get("id"):
            raise PatternError(f"{where}: every pattern needs an id")
        pid = str(p["id"])
        where = f"{name}: pattern {pid}"
        _keys(p, PATTERN_KEYS, where)
        if pid in self.seen_ids:
            raise PatternError(f"{where}: duplicate pattern id (also in {self.seen_ids[pid]})")
        self.seen_ids[pid] = name
        targets = [k for k in ("code", "fact", "context") if p.get(k)]
        if len(targets) != 1:
            raise PatternError(f"{where}: needs exactly one of code, fact or context")
        try:
            if p.get("code"):
                self.cb.check_code(p["code"], where)
            if p.get("context"):
                check_context_target(p, self.cb, where)
            elif any(p.get(k) is not None for k in ("value", "number", "transform", "offset",
                                                     "when")):
                raise PatternError(f"{where}: value, number, transform, offset and when go "
                                   "with context only")
        except CodebookError as e:
            raise PatternError(str(e)) from e
        scope = p.get("scope", "sentence")
        if scope not in SCOPES:
            raise PatternError(f"{where}: scope must be one of {SCOPES}")
        blocked = as_list(p.get("blocked_by", list(DEFAULT_BLOCKED)), where, "blocked_by")
        for c in blocked:
            if c not in CONTEXT_CATEGORIES:
                raise PatternError(f"{where}: blocked_by names unknown category {c!r}")
        pat = Pattern(
            id=pid, file=name,
            all=as_list(p.get("all"), where, "all"),
            any=as_list(p.get("any"), where, "any"),
            none=as_list(p.get("none"), where, "none"),
            code=p.get("code"), fact=p.get("fact"),
            context=p.get("context"), value=p.get("value"), number=p.get("number"),
            transform=p.get("transform"), offset=float(p.get("offset") or 0),
            when=when_condition(p.get("when"), self.cb, where),
            scope=scope, score=float(p.get("score", 0.8)), blocked_by=blocked,
            requires_fact=as_list(p.get("requires_fact"), where, "requires_fact"),
            unless_fact=as_list(p.get("unless_fact"), where, "unless_fact"),
            inherit=bool(p.get("inherit", True)),
            confirmable=bool(p.get("confirmable", True)),
            only_confirmed=bool(p.get("only_confirmed", False)),
            on_denial=bool(p.get("on_denial", False)),
            description=str(p.get("description", "")),
        )
        if not (pat.all or pat.any):
            raise PatternError(f"{where}: needs 'all' or 'any' concepts")
        return pat

    def check(self) -> None:
        """Every concept a pattern names exists; every fact a pattern needs is produced."""
        ps = self.ps
        facts = {p.fact for p in ps.patterns if p.fact}
        for p in ps.patterns:
            for c in p.required_concepts():
                if c not in ps.concepts and c != "PLATFORM":
                    raise PatternError(f"{p.file}: pattern {p.id}: unknown concept {c!r}")
            if p.number and p.number not in ps.concepts:
                raise PatternError(f"{p.file}: pattern {p.id}: unknown number concept "
                                   f"{p.number!r}")
            for fct in p.requires_fact + p.unless_fact:
                if fct not in facts:
                    raise PatternError(f"{p.file}: pattern {p.id}: no pattern produces fact "
                                       f"{fct!r}")
        for rule in ps.variables.values():
            for fct in (rule.default_requires_fact + rule.default_unless_fact
                        + rule.requires_fact + tuple(rule.from_facts)):
                if fct not in facts:
                    raise PatternError(f"{rule.file}: variable {rule.id}: no pattern produces "
                                       f"fact {fct!r}")
        for c in ps.other_role + ps.later + ps.later_back + ps.own:
            if c not in ps.concepts:
                raise PatternError(f"platform_other_role/platform_later: unknown concept {c!r}")


def load_patterns(directory: str | Path | None = None,
                  codebook: Codebook | None = None) -> PatternSet:
    """Read every ``*.yaml`` in the directory, validate, and return one PatternSet."""
    from ..codebook import load_codebook

    d = Path(directory) if directory else patterns_dir()
    files = _read(d)
    loader = _Loader(codebook or load_codebook(), Normalizer(_spelling(files)))
    digest = hashlib.sha256()
    for name, data, raw in files:
        digest.update(name.encode() + b"\0" + raw)
        loader.file(name, data)
    loader.check()
    loader.ps.version = digest.hexdigest()[:12]
    loader.ps.files = [name for name, _, _ in files]
    return loader.ps
