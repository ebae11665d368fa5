"""The codebook rendered as the doccano project guideline (Markdown)."""

from __future__ import annotations

from ..codebook import Codebook
from .labels import LabelScheme, LabelSpec


def _key(spec: LabelSpec) -> str:
    if not spec.suffix_key:
        return ""
    return f"`{spec.prefix_key} {spec.suffix_key}`" if spec.prefix_key else f"`{spec.suffix_key}`"


def render_guideline(codebook: Codebook, scheme: LabelScheme | None = None) -> str:
    scheme = scheme or LabelScheme(codebook)
    out = [
        f"# {codebook.name or 'Codeboek'} (codeboek v{codebook.version})",
        "",
        "Elk voorbeeld is een heel gesprek, een regel per bericht (`bezoeker:` of "
        "`hulpverlener:`). De machine heeft codes voorgesteld (categorieen bovenaan) met "
        "bewijs (gemarkeerde zinnen). Het voorstel staat ook in de metadata (`machine`).",
        "",
        "**Werkwijze**",
        "",
        "1. Lees het gesprek. Verwijder codes die niet kloppen, voeg ontbrekende codes toe.",
        "2. Markeer bij elke code de zin(nen) die het bewijs zijn (alleen de bezoeker, of de "
        "bezoeker die een vraag van de hulpverlener beantwoordt).",
        "3. Kies het platform waar slachtoffer en pleger elkaar ontmoetten (alleen bij "
        "`Online ontmoet`).",
        "4. Vul de contextvariabelen in; kies `Onbekend` als het gesprek het niet zegt.",
        "5. Markeer het gesprek als **bevestigd** (vinkje). Alleen bevestigde gesprekken "
        "tellen mee in de statistiek.",
        "",
        "Afgeleide codes (klant bewust, combinatie) worden berekend; niet annoteren.",
        "",
        "## Codes",
        "",
    ]
    for fam in codebook.families.values():
        out += [f"### {fam.label}", ""]
        for code in codebook.codes.values():
            if code.family != fam.id:
                continue
            if code.derived:
                out += [f"- **{code.label}** (`{code.id}`, afgeleid): {code.definition}"]
                continue
            cat, span = scheme.code_category(code.id), scheme.code_span(code.id)
            out += [f"- **{code.label}** (`{code.id}`; categorie {_key(cat)}, "
                    f"bewijs {_key(span)}): {code.definition}"]
        out.append("")
    out += ["## Platforms (waar ze elkaar ontmoetten)", "",
            "| label | id | soort | sneltoets |", "| --- | --- | --- | --- |"]
    for p in codebook.platforms.values():
        spec = scheme.platform_category(p.id)
        ptype = codebook.platform_types.get(p.type, p.type)
        out.append(f"| {spec.text} | `{p.id}` | {ptype} | {_key(spec)} |")
    out += ["", "Een platform met een andere rol (klanten werven, telefoon controleren) is geen "
            "ontmoetingsplatform.", "", "## Context", ""]
    for var in codebook.context.values():
        if var.number:
            out.append(f"- **{var.label}** (`{var.id}`, een getal): staat bij de suggestie van "
                       "de machine; leeg als het gesprek het niet zegt.")
            continue
        kind = "meerdere keuzes" if var.multi else "een keuze"
        values = ", ".join(
            f"{v.label} {_key(scheme.context_category(var.id, v.id))}".strip()
            for v in var.values)
        out.append(f"- **{var.label}** (`{var.id}`, {kind}): {values}")
    out.append("")
    return "\n".join(out)
