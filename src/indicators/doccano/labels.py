"""The doccano label types derived from the codebook, and the way back from a label to an id.

Document categories (what a coder decides per conversation):

- one per non-derived code, with the code's Dutch label (``Sextortion``, ``Woont bij uitbuiter``)
  and the codebook's keyboard shortcut;
- one per platform, ``Platform: <label>`` (``gold.ontmoeting_platforms``);
- one per context value, ``<variable label>: <value label>`` (``Wie chat er: Slachtoffer``),
  ``onbekend`` included.

Spans (the evidence): one span type per non-derived code, with the same text and colour as its
category. Platforms are categories, not spans: a platform is a document-level decision like a
code, and the evidence for it is a span of the code it supports (``Online ontmoet``). Derived
codes (``klant_bewust``, ``klant_bewust_combinatie``) get no label type; they are shown in the
example's meta only.

Shortcuts are unique over all label types of the project: codes keep their codebook key, their
span types get ``shift`` + the same key, the other labels get the first free key of their label
(then any free key), without ``ctrl`` (which browsers claim).
"""

from __future__ import annotations

import colorsys
import string
from dataclasses import dataclass

from ..codebook import Codebook

CATEGORY, SPAN = "category", "span"
SUFFIX_KEYS = string.digits + string.ascii_lowercase
PLATFORM_PREFIX = "Platform: "


@dataclass(frozen=True)
class LabelSpec:
    kind: str  # CATEGORY or SPAN
    text: str
    meaning: tuple[str, ...]  # ("code", id) | ("platform", id) | ("context", variable, value)
    color: str
    text_color: str
    prefix_key: str | None = None
    suffix_key: str | None = None


def _color(i: int, n: int) -> tuple[str, str]:
    hue = (i * 0.61803398875) % 1.0
    light = (0.38, 0.5, 0.62)[i % 3]
    r, g, b = colorsys.hls_to_rgb(hue, light, 0.7)
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    text = "#000000" if luminance > 0.55 else "#ffffff"
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}", text


class LabelScheme:
    """All label types of a review project, built from the codebook."""

    def __init__(self, codebook: Codebook):
        self.codebook = codebook
        cats: list[tuple[str, tuple[str, ...], str | None]] = []
        for code in codebook.codes.values():
            if not code.derived:
                cats.append((code.label, ("code", code.id), code.shortcut))
        for p in codebook.platforms.values():
            cats.append((PLATFORM_PREFIX + p.label, ("platform", p.id), None))
        for var in codebook.context.values():
            for val in var.values:
                cats.append((f"{var.label}: {val.label}", ("context", var.id, val.id), None))
        used: set[tuple[str | None, str]] = set()
        for _, _, key in cats:
            if key:
                used.add((None, key))
        colors = {}
        self.categories: list[LabelSpec] = []
        pending = []
        for i, (text, meaning, key) in enumerate(cats):
            colors[meaning] = _color(i, len(cats))
            if key:
                self.categories.append(LabelSpec(CATEGORY, text, meaning, *colors[meaning],
                                                 None, key))
            else:
                pending.append((i, text, meaning))
        self.spans: list[LabelSpec] = []
        for code in codebook.codes.values():
            if code.derived:
                continue
            meaning = ("code", code.id)
            prefix = "shift" if code.shortcut else None
            if code.shortcut:
                used.add((prefix, code.shortcut))
            self.spans.append(LabelSpec(SPAN, code.label, meaning, *colors[meaning], prefix,
                                        code.shortcut))
        for _i, text, meaning in pending:
            prefix, key = _free_key(text, used)
            self.categories.append(LabelSpec(CATEGORY, text, meaning, *colors[meaning], prefix,
                                             key))
        order = {m: i for i, (_, m, _) in enumerate(cats)}
        self.categories.sort(key=lambda s: order[s.meaning])
        self._check_unique()
        self._by_meaning = {(s.kind, s.meaning): s for s in self.categories + self.spans}
        self._by_text = {(s.kind, s.text): s for s in self.categories + self.spans}

    def _check_unique(self) -> None:
        for group in (self.categories, self.spans):
            texts = [s.text for s in group]
            if len(texts) != len(set(texts)):
                raise ValueError("label texts derived from the codebook are not unique")
            if any(len(t) > 100 for t in texts):
                raise ValueError("a label text derived from the codebook is over 100 characters")
        keys = [(s.prefix_key, s.suffix_key) for s in self.categories + self.spans if s.suffix_key]
        if len(keys) != len(set(keys)):
            raise ValueError("keyboard shortcuts are not unique")

    # --- id -> label --------------------------------------------------------------------
    def code_category(self, code: str) -> LabelSpec:
        return self._by_meaning[(CATEGORY, ("code", code))]

    def code_span(self, code: str) -> LabelSpec:
        return self._by_meaning[(SPAN, ("code", code))]

    def platform_category(self, platform: str) -> LabelSpec:
        return self._by_meaning[(CATEGORY, ("platform", platform))]

    def context_category(self, variable: str, value: str) -> LabelSpec:
        return self._by_meaning[(CATEGORY, ("context", variable, value))]

    # --- label -> id --------------------------------------------------------------------
    def decode(self, kind: str, text: str) -> tuple[str, ...] | None:
        """The meaning of a label text, or None for a label the codebook does not know."""
        spec = self._by_text.get((kind, text))
        return spec.meaning if spec else None


def _free_key(text: str, used: set[tuple[str | None, str]]) -> tuple[str | None, str | None]:
    letters = [c for c in text.lower() if c in SUFFIX_KEYS]
    candidates = letters + [c for c in SUFFIX_KEYS if c not in letters]
    for prefix in (None, "shift"):
        for key in candidates:
            if (prefix, key) not in used:
                used.add((prefix, key))
                return prefix, key
    return None, None
