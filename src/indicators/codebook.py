"""The codebook as data: load, validate and query ``codebook/codebook.yaml``."""

from __future__ import annotations

from dataclasses import dataclass, field
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
    derived: bool = False
    shortcut: str | None = None


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
    id: str
    label: str
    gloss: str
    multi: bool
    values: tuple[ContextValue, ...]

    @property
    def value_ids(self) -> list[str]:
        return [v.id for v in self.values]


@dataclass(frozen=True)
class Family:
    id: str
    label: str
    gloss: str


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

    def with_derived(self, codes: list[str] | set[str]) -> list[str]:
        """Add ``klant_bewust`` / ``klant_bewust_combinatie`` from the ``klant_*`` codes.

        Returns the codes in codebook order; derived codes already present are recomputed.
        """
        base = {c for c in codes if c in self.codes and not self.codes[c].derived}
        n_klant = len(base & set(self.klant_codes))
        out = set(base)
        if n_klant >= 1:
            out.add("klant_bewust")
        if n_klant >= 2:
            out.add("klant_bewust_combinatie")
        return [c for c in self.codes if c in out]

    # --- validation helpers --------------------------------------------------------------
    def check_code(self, code: str, where: str) -> None:
        if code not in self.codes:
            raise CodebookError(f"{where}: unknown code id {code!r} (not in the codebook)")
        if self.codes[code].derived:
            raise CodebookError(f"{where}: {code!r} is derived and cannot be assigned directly")

    def check_platform(self, platform: str, where: str) -> None:
        if platform not in self.platforms:
            raise CodebookError(f"{where}: unknown platform id {platform!r} (not in the codebook)")

    def check_context(self, variable: str, value: str, where: str) -> None:
        if variable not in self.context:
            raise CodebookError(f"{where}: unknown context variable {variable!r}")
        if value not in self.context[variable].value_ids:
            raise CodebookError(
                f"{where}: {value!r} is not a value of context variable {variable!r}"
            )


def _req(d: dict, key: str, where: str):
    if not isinstance(d, dict) or key not in d or d[key] in (None, ""):
        raise CodebookError(f"{where}: missing field {key!r}")
    return d[key]


def parse_codebook(data: dict, source: Path | None = None) -> Codebook:
    where = str(source or "codebook")
    if not isinstance(data, dict):
        raise CodebookError(f"{where}: the codebook must be a mapping")
    families = {}
    for i, f in enumerate(_req(data, "families", where)):
        w = f"{where}: families[{i}]"
        families[_req(f, "id", w)] = Family(f["id"], _req(f, "label", w), f.get("gloss", ""))
    codes: dict[str, Code] = {}
    for i, c in enumerate(_req(data, "codes", where)):
        w = f"{where}: codes[{i}]"
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
            derived=bool(c.get("derived", False)),
            shortcut=str(c["shortcut"]) if c.get("shortcut") is not None else None,
        )
    types = dict(_req(data, "platform_types", where))
    platforms: dict[str, Platform] = {}
    for i, p in enumerate(_req(data, "platforms", where)):
        w = f"{where}: platforms[{i}]"
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
        vid = _req(v, "id", w)
        values = tuple(
            ContextValue(_req(x, "id", f"{w}.values[{j}]"), _req(x, "label", f"{w}.values[{j}]"),
                         bool(x.get("missing", False)))
            for j, x in enumerate(_req(v, "values", w))
        )
        if "onbekend" not in [x.id for x in values]:
            raise CodebookError(f"{w}: context variable {vid!r} needs the value 'onbekend'")
        context[vid] = ContextVariable(vid, _req(v, "label", w), v.get("gloss", ""),
                                       bool(v.get("multi", False)), values)
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
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise CodebookError(f"{p}: codebook file not found") from e
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise CodebookError(f"{p}{line}: not valid YAML ({getattr(e, 'problem', e)})") from e
    return parse_codebook(data, p)
