"""The doccano label types derived from the codebook, and the way back from a label to an id.

Document categories (what a coder decides per conversation), in this order on the screen:

1. one per non-derived code, grouped by family (family order of the codebook), each family in its
   own colour, with the code's Dutch label and the codebook's keyboard shortcut;
2. one per context value, ``<short variable name>: <value label>`` (``Chat: Slachtoffer``,
   ``Duur: 1 tot 2 jaar``), ``onbekend`` included, one pale colour per variable, no shortcut;
3. one per platform, its bare label (``Instagram``, ``gold.ontmoeting_platforms``), all in one
   light grey and without shortcut (a platform only matters with ``Online ontmoet``).

Short chip texts matter: doccano shows all categories as chips above the transcript (the
intent-detection page has no drop-down), and 75 long chips pushed the text off the screen.

Shortcuts: doccano 1.8.4 reacts to ONE key per label (it ignores ``shift``/``ctrl`` prefixes on
the annotation page, and a key used twice selects whichever label it finds first). So only the
codes -- the decision a coder makes on every conversation -- carry a key: their codebook key,
unique over the whole project. Span types, platforms and context values have none; a coder
picks those with the mouse (spans: select the text, choose from the menu; typing filters it).

Spans (the evidence): one span type per non-derived code, with the same text and colour as its
category, plus ``Leeftijd`` (the number variable ``leeftijd``): the coder marks the age where the
conversation states it ("ik ben 16", or a birth year), and ``pull`` reads the number from the
marked text. Derived codes get no label type; they are computed.
"""

from __future__ import annotations

import colorsys
from dataclasses import dataclass

from ..codebook import Codebook

CATEGORY, SPAN = "category", "span"
PLATFORM_PREFIX = ""
# short names of the context variables on the chips (the guideline gives the full names)
SHORT = {"chatter": "Chat", "vorm": "Vorm", "pleger": "Pleger", "acuut_onveilig": "Acuut",
         "first_disclosure": "1e keer", "duur": "Duur", "aantal_plegers": "Plegers"}
PLATFORM_COLOR = ("#e0e0e0", "#000000")


@dataclass(frozen=True)
class LabelSpec:
    kind: str  # CATEGORY or SPAN
    text: str
    meaning: tuple[str, ...]  # ("code", id) | ("platform", id) | ("context", var[, value])
    color: str
    text_color: str
    prefix_key: str | None = None
    suffix_key: str | None = None


def _rgb(hue: float, light: float, sat: float) -> tuple[str, str]:
    r, g, b = colorsys.hls_to_rgb(hue % 1.0, light, sat)
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    text = "#000000" if luminance > 0.5 else "#ffffff"
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}", text


def family_color(family_index: int, member: int) -> tuple[str, str]:
    """Codes of one family share a hue; members differ in lightness."""
    hue = (0.0, 0.58, 0.3, 0.8, 0.08, 0.45, 0.15)[family_index % 7]
    light = 0.28 + 0.06 * (member % 8)
    return _rgb(hue, light, 0.75)


def context_color(var_index: int, value_index: int) -> tuple[str, str]:
    """Context values: pale, low-saturation tints, one hue per variable."""
    hue = 0.55 + 0.13 * var_index
    return _rgb(hue, 0.86 - 0.03 * (value_index % 3), 0.35)


class LabelScheme:
    """All label types of a review project, built from the codebook."""

    def __init__(self, codebook: Codebook):
        self.codebook = codebook
        self.categories: list[LabelSpec] = []
        self.spans: list[LabelSpec] = []
        families = list(codebook.families)
        members: dict[str, int] = {}
        for fam in families:
            for code in codebook.codes.values():
                if code.family != fam or code.derived:
                    continue
                color = family_color(families.index(fam), members.get(fam, 0))
                members[fam] = members.get(fam, 0) + 1
                meaning = ("code", code.id)
                self.categories.append(LabelSpec(CATEGORY, code.label, meaning, *color, None,
                                                 code.shortcut or None))
                self.spans.append(LabelSpec(SPAN, code.label, meaning, *color))
        for vi, var in enumerate(codebook.context.values()):
            if var.number:
                self.spans.append(LabelSpec(SPAN, var.label, ("context", var.id),
                                            *context_color(vi, 0)))
                continue
            for i, val in enumerate(var.values):
                self.categories.append(LabelSpec(
                    CATEGORY, f"{SHORT.get(var.id, var.label)}: {val.label}",
                    ("context", var.id, val.id),
                    *context_color(vi, i)))
        for p in codebook.platforms.values():
            self.categories.append(LabelSpec(CATEGORY, PLATFORM_PREFIX + p.label,
                                             ("platform", p.id), *PLATFORM_COLOR))
        self._check()
        self._by_meaning = {(s.kind, s.meaning): s for s in self.categories + self.spans}
        self._by_text = {(s.kind, s.text): s for s in self.categories + self.spans}

    def _check(self) -> None:
        for group in (self.categories, self.spans):
            texts = [s.text for s in group]
            if len(texts) != len(set(texts)):
                raise ValueError("label texts derived from the codebook are not unique")
            if any(len(t) > 100 for t in texts):
                raise ValueError("a label text derived from the codebook is over 100 characters")
        keys = [s.suffix_key for s in self.categories + self.spans if s.suffix_key]
        if len(keys) != len(set(keys)):
            raise ValueError("keyboard shortcuts of the codes are not unique")
        bad = [k for k in keys if len(k) != 1 or not (k.isdigit() or "a" <= k <= "z")]
        if bad:
            raise ValueError(f"keyboard shortcuts must be one key, 0-9 or a-z: {bad}")

    # --- id -> label --------------------------------------------------------------------
    def code_category(self, code: str) -> LabelSpec:
        return self._by_meaning[(CATEGORY, ("code", code))]

    def code_span(self, code: str) -> LabelSpec:
        return self._by_meaning[(SPAN, ("code", code))]

    def platform_category(self, platform: str) -> LabelSpec:
        return self._by_meaning[(CATEGORY, ("platform", platform))]

    def context_category(self, variable: str, value: str) -> LabelSpec:
        return self._by_meaning[(CATEGORY, ("context", variable, value))]

    def number_span(self, variable: str) -> LabelSpec:
        return self._by_meaning[(SPAN, ("context", variable))]

    # --- label -> id --------------------------------------------------------------------
    def decode(self, kind: str, text: str) -> tuple[str, ...] | None:
        """The meaning of a label text, or None for a label the codebook does not know."""
        spec = self._by_text.get((kind, text))
        return spec.meaning if spec else None
