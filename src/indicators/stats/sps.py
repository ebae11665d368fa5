"""SPSS syntax beside ``bezoekers.sav``: the multiple-response sets (pyreadstat cannot write
them) and the commands that reproduce the report's main tables.

The main tables use FREQUENCIES, CROSSTABS and DESCRIPTIVES with ``TEMPORARY`` / ``SELECT IF``
for the populations, so they run in SPSS and in GNU PSPP alike; 99 = Onbekend is
user-missing, so the valid percentages are the report's percentages. The last part uses the
MR sets with CTABLES (SPSS only).
"""

from __future__ import annotations

from pathlib import Path

from ..codebook import Codebook
from .definitions import coercion_means


def _vars(names: list[str]) -> str:
    lines, line = [], ""
    for n in names:
        if len(line) + len(n) + 1 > 70:
            lines.append(line)
            line = ""
        line += (" " if line else "") + n
    lines.append(line)
    return "\n    ".join(lines)


def syntax(cb: Codebook, sav_name: str = "bezoekers.sav") -> str:
    pleger = [f"pleger_{v.id}" for v in cb.context["pleger"].values if not v.missing]
    vorm = [f"vorm_{v.id}" for v in cb.context["vorm"].values if not v.missing]
    means = coercion_means(cb)
    klant = ["klant_bewust", "klant_bewust_combinatie", *cb.klant_codes]
    platforms = [f"platform_{p}" for p in cb.platforms]
    types = [f"platformtype_{t}" for t in cb.platform_types]
    q = chr(39)

    def mr(name, label, members):
        return (f"  /MDGROUP NAME=${name} LABEL={q}{label}{q} CATEGORYLABELS=VARLABELS\n"
                f"    VARIABLES={_vars(members)} VALUE=1")

    return f"""* Encoding: UTF-8.
* Syntax bij {sav_name}: de tabellen van het jaarrapport, per jaar.
* Een rij is een unieke bezoeker in een jaar. 1 = Ja, 0 = Nee, 99 = Onbekend (user-missing):
* SPSS telt elke variabele alleen over de bezoekers bij wie ze bekend is, net als het rapport.
* Zet eerst de map met CD 'pad/naar/de/uitvoer'.

GET FILE={q}{sav_name}{q}.
DATASET NAME bezoekers.

MRSETS
{mr("pleger", "Relatie tot de pleger", pleger)}
{mr("vorm", "Vorm van uitbuiting", vorm)}
{mr("dwangmiddelen", "Dwangmiddelen", means)}
  /DISPLAY NAME=ALL.

SORT CASES BY jaar.
SPLIT FILE SEPARATE BY jaar.

* Tabel: gesprekken en unieke bezoekers (N = aantal rijen; gesprekken = SUM).
DESCRIPTIVES VARIABLES=n_gesprekken /STATISTICS=SUM MEAN.
* Kanaal, maand van de eerste chat.
FREQUENCIES VARIABLES=kanaal maand.
* Vorm van uitbuiting, geslacht, vorm naar geslacht.
FREQUENCIES VARIABLES=vormklasse geslacht.
CROSSTABS /TABLES=vormklasse BY geslacht /CELLS=COUNT COLUMN.
* Leeftijd: klassen, minderjarig, jonger dan 16 en 25, gemiddelde, mediaan, jongste, oudste.
FREQUENCIES VARIABLES=leeftijdsklasse minderjarig jonger_16 jonger_25.
FREQUENCIES VARIABLES=leeftijd /FORMAT=NOTABLE /STATISTICS=MEAN MEDIAN MINIMUM MAXIMUM.
* Wie chat er.
FREQUENCIES VARIABLES=chatter.
* Eerste keer verteld en acuut onveilig: slachtoffers die zelf chatten.
TEMPORARY.
SELECT IF (pop_slachtoffer = 1).
FREQUENCIES VARIABLES=first_disclosure acuut_onveilig.
* Duur (met cumulatieve klassen), per vorm.
FREQUENCIES VARIABLES=duur duur_1jaar_plus duur_2jaar_plus duur_5jaar_plus.
CROSSTABS /TABLES=duur duur_1jaar_plus duur_2jaar_plus duur_5jaar_plus BY vormklasse
  /CELLS=COUNT COLUMN.
* Relatie tot de pleger (per waarde: % Ja over pleger bekend), per vorm; welke ouder.
FREQUENCIES VARIABLES={_vars(pleger)}.
CROSSTABS /TABLES={_vars(pleger)} BY vormklasse /CELLS=COUNT COLUMN.
TEMPORARY.
SELECT IF (pleger_ouder = 1).
FREQUENCIES VARIABLES=ouder_rol.
* Een of meer plegers, per vorm.
FREQUENCIES VARIABLES=aantal_plegers.
CROSSTABS /TABLES=aantal_plegers BY vormklasse /CELLS=COUNT COLUMN.
* Dwangmiddelen: minstens een, dan elk dwangmiddel over wie er minstens een noemt.
FREQUENCIES VARIABLES=dwangmiddel_genoemd.
TEMPORARY.
SELECT IF (dwangmiddel_genoemd = 1).
FREQUENCIES VARIABLES={_vars([*means, "geweld", "aantal_dwangmiddelen_klasse"])}.
TEMPORARY.
SELECT IF (dwangmiddel_genoemd = 1).
DESCRIPTIVES VARIABLES=aantal_dwangmiddelen /STATISTICS=SUM MEAN.
* Inwonend met een ouder als pleger.
TEMPORARY.
SELECT IF (inwonend = 1).
FREQUENCIES VARIABLES=pleger_ouder.
TEMPORARY.
SELECT IF (pleger_ouder = 1).
FREQUENCIES VARIABLES=inwonend.
* Online of offline ontmoet: pleger geen familie, ontmoeting bekend.
TEMPORARY.
SELECT IF (pop_ontmoeting = 1).
FREQUENCIES VARIABLES=ontmoeting_wijze.
* Ontmoetingsplatforms (per platform en per type): wie een platform noemt.
TEMPORARY.
SELECT IF (pop_platform = 1).
FREQUENCIES VARIABLES={_vars(platforms + types)}.
* Klant op de hoogte: slachtoffers die zelf chatten over seksuele uitbuiting.
TEMPORARY.
SELECT IF (pop_klant = 1).
FREQUENCIES VARIABLES={_vars(klant)}.
* Aanwezige uitbuiters die ouder waren.
TEMPORARY.
SELECT IF (pop_klant = 1 AND klant_uitbuiter_aanwezig = 1).
FREQUENCIES VARIABLES=pleger_ouder.

* Alleen SPSS (Custom Tables): dezelfde tabellen met de MR-sets.
CTABLES /TABLE $pleger [COUNT COLPCT.COUNT] BY vormklasse.
CTABLES /TABLE $vorm [COUNT COLPCT.COUNT].
TEMPORARY.
SELECT IF (dwangmiddel_genoemd = 1).
CTABLES /TABLE $dwangmiddelen [COUNT COLPCT.COUNT].

SPLIT FILE OFF.
"""


def write_sps(cb: Codebook, path: str | Path, sav_name: str = "bezoekers.sav") -> Path:
    path = Path(path)
    path.write_text(syntax(cb, sav_name), encoding="utf-8")
    return path
