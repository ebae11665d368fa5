"""The codebook rendered as the doccano project guideline (Markdown, Dutch)."""

from __future__ import annotations

from ..codebook import Codebook
from .labels import SHORT, LabelScheme


def render_guideline(codebook: Codebook, scheme: LabelScheme | None = None) -> str:
    scheme = scheme or LabelScheme(codebook)
    age = next((v for v in codebook.context.values() if v.number), None)
    out = [
        f"# {codebook.name or 'Codeboek'} (codeboek v{codebook.version})",
        "",
        "Elk voorbeeld is een heel gesprek, een regel per bericht (`bezoeker:` of "
        "`hulpverlener:`). De machine heeft codes, context en platforms al aangevinkt (de "
        "gekleurde knoppen boven het gesprek) en het bewijs onderstreept. Rechts, bij "
        "*Metadata*, staat het voorstel van de machine per code met zijn zekerheid (0 tot 1).",
        "",
        "## Werkwijze",
        "",
        "1. Kies links **Start Annotation** en zet het filter (trechter) op **Undone**: dan zie "
        "je alleen gesprekken die nog niet bevestigd zijn.",
        "2. Lees het gesprek. Klopt een code niet, druk op de **sneltoets** (de letter of het "
        "cijfer in het rondje op de knop) of klik de knop: het vinkje verdwijnt. Mist er een "
        "code, druk op zijn sneltoets: het vinkje verschijnt. Een code zonder vinkje neemt "
        "zijn bewijs mee: dat bewijs telt niet meer.",
        "3. Bewijs toevoegen: selecteer de zin met de muis en kies de code in het menu (typ om "
        "te zoeken). Alleen de bezoeker, of de bezoeker die een vraag beantwoordt.",
        "4. Context: bij elke vraag (Chat, Vorm, Pleger, Acuut, 1e keer, Duur, Plegers) staat het "
        "voorstel aangevinkt, ook `Onbekend`. Klopt het niet: klik het goede antwoord aan en "
        "het verkeerde uit. Bij een-keuzevragen hoort precies een vinkje.",
        "5. Platform (grijze knoppen): alleen bij `Online ontmoet`, waar slachtoffer en pleger "
        "elkaar ontmoetten.",
        "6. **Bevestigen**: de eerste knop in de werkbalk (een kruisje met de tekst *Not "
        "Checked*) wordt een vinkje (*Checked*) als je erop klikt. Pas dan telt het gesprek "
        "mee in de statistiek; niet bevestigde gesprekken blijven *in afwachting*.",
        "",
        "Afgeleide codes (klant bewust, combinatie, geweld, dwangmiddel genoemd) worden "
        "berekend; ze hebben geen knop.",
        "",
    ]
    if age is not None:
        out += [
            f"## {age.label} (een getal)",
            "",
            f"Er is geen knop per leeftijd. De leeftijd is een markering `{age.label}` op de "
            "woorden in het gesprek die haar noemen (`16`, `zestien`, of een geboortejaar als "
            "`2009`). De machine heeft haar al gemarkeerd als zij haar vond.",
            "",
            "- Klopt ze: niets doen.",
            f"- Klopt ze niet: klik op de markering en verwijder haar, selecteer het juiste getal "
            f"en kies `{age.label}`.",
            "- Noemt het gesprek geen leeftijd: geen markering (de leeftijd blijft leeg).",
            "",
        ]
    out += ["## Sneltoetsen", "",
            "Alleen codes hebben een sneltoets: een toets, zonder shift of ctrl. De toets staat "
            "in het rondje op de knop.", "",
            "| toets | code |", "| --- | --- |"]
    for spec in scheme.categories:
        if spec.suffix_key:
            out.append(f"| `{spec.suffix_key}` | {spec.text} |")
    out += ["", "## Codes", ""]
    for fam in codebook.families.values():
        out += [f"### {fam.label}", ""]
        for code in codebook.codes.values():
            if code.family != fam.id:
                continue
            if code.derived:
                out += [f"- **{code.label}** (`{code.id}`, afgeleid): {code.definition}"]
                continue
            key = scheme.code_category(code.id).suffix_key
            out += [f"- **{code.label}** (`{code.id}`{f'; toets `{key}`' if key else ''}): "
                    f"{code.definition}"]
        out.append("")
    out += ["## Platforms (waar ze elkaar ontmoetten)", "",
            "| knop | id | soort |", "| --- | --- | --- |"]
    for p in codebook.platforms.values():
        spec = scheme.platform_category(p.id)
        ptype = codebook.platform_types.get(p.type, p.type)
        out.append(f"| {spec.text} | `{p.id}` | {ptype} |")
    out += ["", "Een platform met een andere rol (klanten werven, telefoon controleren) is geen "
            "ontmoetingsplatform.", "", "## Context", ""]
    for var in codebook.context.values():
        if var.number:
            out.append(f"- **{var.label}** (`{var.id}`, een getal): markering `{var.label}` op "
                       "het getal in het gesprek (zie boven); leeg als het gesprek het niet "
                       "zegt.")
            continue
        kind = "meerdere keuzes" if var.multi else "een keuze"
        values = ", ".join(v.label for v in var.values)
        out.append(f"- **{var.label}** (`{var.id}`; knoppen `{SHORT.get(var.id, var.label)}: "
                   f"...`, {kind}): {values}")
    out.append("")
    return "\n".join(out)
