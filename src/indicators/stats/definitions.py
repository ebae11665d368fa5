"""The tables of the yearly report, in the report's order, with their populations.

Every variable is counted only over the visitors for whom it is known (the population text of
each table says so). Units are unique visitors per year (see :mod:`.visitors`).
"""

from __future__ import annotations

from ..codebook import Codebook
from .cells import ALL, RowSpec, TableSpec
from .load import SINGLE_MISSING
from .visitors import DUUR_ORDER

FAMILY_PLEGERS = frozenset({"ouder", "familie_overig"})
MEETING = ("ontmoeting_online", "ontmoeting_offline")
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")
AGE_BANDS = ((0, 11, "Jonger dan 12 jaar"), (12, 13, "12-13 jaar"), (14, 15, "14-15 jaar"),
             (16, 17, "16-17 jaar"), (18, 20, "18-20 jaar"), (21, 24, "21-24 jaar"),
             (25, 29, "25-29 jaar"), (30, 200, "30 jaar of ouder"))
VORM_KLASSEN = (("seksueel", "Alleen seksuele uitbuiting"),
                ("crimineel", "Alleen criminele uitbuiting"),
                ("seksueel_en_crimineel", "Seksuele én criminele uitbuiting"),
                ("arbeid", "Arbeidsuitbuiting (ook in combinatie)"))
GESLACHT_LABELS = {"vrouw": "Vrouw", "man": "Man", "neutraal": "Neutraal"}
OUDER_ROL_LABELS = {"vader": "Vader", "moeder": "Moeder", "beide": "Vader en moeder"}
CHANNEL_LABELS = {"chatmetfier": "Chat met Fier", "csg": "Centrum Seksueel Geweld"}
N_MEANS_CLASSES = ((1, "Eén dwangmiddel"), (2, "Twee dwangmiddelen"),
                   (3, "Drie dwangmiddelen"), (4, "Vier of meer dwangmiddelen"))


LOWER_BOUND = ("Ondergrens: een dwangmiddel telt alleen mee als het in het gesprek genoemd "
               "wordt; niet genoemd is niet hetzelfde als niet aanwezig.")
LOWER_BOUND_KLANT = ("Ondergrens: een aanwijzing telt alleen mee als het gesprek haar noemt; "
                     "niet genoemd is niet hetzelfde als niet aanwezig.")


# --- derived variables ----------------------------------------------------------------------
def vorm_klasse(u) -> str | None:
    v = set(u.context.get("vorm") or ())
    if not v:
        return None
    if "arbeid" in v:
        return "arbeid"
    if v == {"seksueel", "crimineel"}:
        return "seksueel_en_crimineel"
    return "seksueel" if "seksueel" in v else "crimineel"


def age_band(age: int | None) -> str | None:
    if age is None:
        return None
    return next(label for lo, hi, label in AGE_BANDS if lo <= age <= hi)


def coercion_means(cb: Codebook) -> list[str]:
    return list(cb.codes["dwangmiddel_genoemd"].derived_from)


def n_means(u, cb: Codebook) -> int:
    return sum(c in u.codes for c in coercion_means(cb))


def non_family(u) -> bool:
    """The perpetrator is not only family: ``pleger`` names someone else, or is unknown (a
    coder codes the way of meeting only for a non-family perpetrator)."""
    pleger = set(u.context.get("pleger") or ())
    return not pleger or not pleger <= FAMILY_PLEGERS


def meeting_known(u) -> bool:
    return any(c in u.codes for c in MEETING)


def channel_label(ch: str) -> str:
    return CHANNEL_LABELS.get(ch, ch)


def _is(var: str, value: str):
    def test(u) -> bool:
        v = u.context.get(var)
        return value in v if isinstance(v, tuple) else v == value
    return test


def _known(var: str):
    return lambda u: u.known(var)


def _code(c: str):
    return lambda u: c in u.codes


def _vk(k: str):
    return lambda u: vorm_klasse(u) == k


def _victim(u) -> bool:
    return u.context.get("chatter") == "slachtoffer"


def _all(u) -> bool:
    return True


def _values(cb: Codebook, var: str) -> list[tuple[str, str]]:
    return [(v.id, v.label) for v in cb.context[var].values if not v.missing]


VORM_GROUPS = [ALL] + [(k, lab, _vk(k)) for k, lab in VORM_KLASSEN]


def specs(cb: Codebook, channels: list[str]) -> list[TableSpec]:
    """All tables of the report, in order."""
    lab = {c: cb.codes[c].label for c in cb.codes}
    means = coercion_means(cb)
    t: list[TableSpec] = []
    t.append(TableSpec(
        "bezoekers", "Gesprekken en unieke bezoekers",
        "Alle unieke bezoekers van het jaar met een gesprek in het onderzoek (in_onderzoek = "
        "ja), na koppeling van gesprekken van dezelfde bezoeker.", _all,
        [RowSpec("gesprekken", "Gesprekken in het onderzoek", weight=lambda u: u.n_gesprekken),
         RowSpec("bezoekers", "Unieke bezoekers", test=_all),
         RowSpec("meer_gesprekken", "Bezoekers met meer dan één gesprek",
                 test=lambda u: u.n_gesprekken > 1, extra=True)]))
    t.append(TableSpec(
        "kanaal", "Unieke bezoekers per kanaal",
        "Unieke bezoekers van wie het kanaal bekend is (kanaal van het eerste gesprek).",
        lambda u: bool(u.channel),
        [RowSpec(f"kanaal_{c}", channel_label(c), test=lambda u, c=c: u.channel == c)
         for c in channels], partition=True))
    t.append(TableSpec(
        "maand", "Datum eerste chat per maand",
        "Unieke bezoekers van wie de startdatum bekend is, naar de maand van hun eerste chat "
        "in het jaar.", lambda u: u.startdatum is not None,
        [RowSpec(f"maand_{i + 1:02d}", m.capitalize(),
                 test=lambda u, i=i: u.startdatum.month == i + 1)
         for i, m in enumerate(MONTHS)], partition=True, figure="Datum eerste chat per maand"))
    t.append(TableSpec(
        "vorm", "Vorm van uitbuiting",
        "Unieke bezoekers van wie de vorm van uitbuiting bekend is.", _known("vorm"),
        [RowSpec(k, label, test=_vk(k)) for k, label in VORM_KLASSEN], partition=True,
        figure="Vorm van uitbuiting"))
    t.append(TableSpec(
        "geslacht", "Geslacht",
        "Unieke bezoekers van wie het geslacht geregistreerd is.",
        lambda u: u.geslacht in GESLACHT_LABELS,
        [RowSpec(g, label, test=lambda u, g=g: u.geslacht == g)
         for g, label in GESLACHT_LABELS.items()], partition=True))
    t.append(TableSpec(
        "vorm_geslacht", "Vorm van uitbuiting naar geslacht",
        "Unieke bezoekers van wie vorm en geslacht bekend zijn, per geslacht.",
        lambda u: u.known("vorm") and u.geslacht in GESLACHT_LABELS,
        [RowSpec(k, label, test=_vk(k)) for k, label in VORM_KLASSEN],
        groups=[ALL] + [(g, label, lambda u, g=g: u.geslacht == g)
                        for g, label in GESLACHT_LABELS.items()], partition=True))
    age = lambda u: u.leeftijd  # noqa: E731
    t.append(TableSpec(
        "leeftijd", "Leeftijd",
        "Unieke bezoekers van wie de leeftijd bekend is: de geregistreerde leeftijd, anders de "
        "leeftijd die in het gesprek genoemd wordt.", lambda u: u.leeftijd is not None,
        [RowSpec(f"leeftijd_{lo}_{hi}", label,
                 test=lambda u, lo=lo, hi=hi: lo <= u.leeftijd <= hi)
         for lo, hi, label in AGE_BANDS]
        + [RowSpec("minderjarig", "Minderjarig (jonger dan 18)", test=lambda u: u.leeftijd < 18,
                   extra=True),
           RowSpec("jonger_16", "Jonger dan 16 jaar", test=lambda u: u.leeftijd < 16,
                   extra=True),
           RowSpec("jonger_25", "Jonger dan 25 jaar", test=lambda u: u.leeftijd < 25,
                   extra=True),
           RowSpec("gemiddelde", "Gemiddelde leeftijd", stat="gemiddelde", value=age),
           RowSpec("mediaan", "Mediaan", stat="mediaan", value=age),
           RowSpec("jongste", "Jongste", stat="minimum", value=age),
           RowSpec("oudste", "Oudste", stat="maximum", value=age)],
        partition=True, figure="Leeftijd",
        figure_rows=[f"leeftijd_{lo}_{hi}" for lo, hi, _ in AGE_BANDS]))
    t.append(TableSpec(
        "chatter", "Wie chat er", "Unieke bezoekers van wie bekend is wie er chat.",
        _known("chatter"),
        [RowSpec(v, label, test=_is("chatter", v)) for v, label in _values(cb, "chatter")],
        partition=True, figure="Wie chat er"))
    for var, title in (("first_disclosure", "Eerste keer verteld"),
                       ("acuut_onveilig", "Acuut onveilig bij de eerste chat")):
        t.append(TableSpec(
            var, title, f"Slachtoffers die zelf chatten (wie chat er = slachtoffer), van wie "
            f"'{cb.context[var].label.lower()}' bekend is.",
            lambda u, var=var: _victim(u) and u.known(var),
            [RowSpec(v, label, test=_is(var, v)) for v, label in _values(cb, var)],
            partition=True))
    duur = _values(cb, "duur")
    cum = ((2, "een_jaar_of_langer", "Een jaar of langer"),
           (3, "twee_jaar_of_langer", "Twee jaar of langer"),
           (4, "vijf_jaar_of_langer", "Vijf jaar of langer"))
    t.append(TableSpec(
        "duur", "Duur van de uitbuiting, per vorm",
        "Unieke bezoekers van wie de duur van de uitbuiting bekend is; per vorm: van wie ook de "
        "vorm bekend is.", _known("duur"),
        [RowSpec(v, label, test=_is("duur", v)) for v, label in duur]
        + [RowSpec(rid, label, extra=True,
                   test=lambda u, i=i: u.context.get("duur") in DUUR_ORDER[i:])
           for i, rid, label in cum],
        groups=VORM_GROUPS, partition=True, figure="Duur van de uitbuiting",
        figure_rows=[v for v, _ in duur]))
    t.append(TableSpec(
        "pleger", "Relatie tot de pleger, per vorm",
        "Unieke bezoekers van wie de relatie tot de pleger bekend is (meer dan één pleger "
        "mogelijk, de percentages tellen op tot meer dan 100).", _known("pleger"),
        [RowSpec(v, label, test=_is("pleger", v)) for v, label in _values(cb, "pleger")],
        groups=VORM_GROUPS, figure="Relatie tot de pleger", figure_sorted=True))
    t.append(TableSpec(
        "ouder_rol", "Ouder als pleger: vader, moeder of beide",
        "Unieke bezoekers met een ouder (ook stief- of pleegouder) als pleger, van wie bekend "
        "is welke ouder.", lambda u: _is("pleger", "ouder")(u) and u.ouder_rol != SINGLE_MISSING,
        [RowSpec(r, label, test=lambda u, r=r: u.ouder_rol == r)
         for r, label in OUDER_ROL_LABELS.items()], partition=True))
    t.append(TableSpec(
        "aantal_plegers", "Eén of meer plegers, per vorm",
        "Unieke bezoekers van wie bekend is of er één of meer plegers zijn.",
        _known("aantal_plegers"),
        [RowSpec(v, label, test=_is("aantal_plegers", v))
         for v, label in _values(cb, "aantal_plegers")], groups=VORM_GROUPS, partition=True))
    t.append(TableSpec(
        "dwangmiddel", "Minstens één dwangmiddel",
        "Alle unieke bezoekers (een dwangmiddel dat niet genoemd wordt, telt als niet "
        "aanwezig).", _all,
        [RowSpec("dwangmiddel_genoemd", "Minstens één dwangmiddel genoemd",
                 test=_code("dwangmiddel_genoemd"))], note=LOWER_BOUND))
    t.append(TableSpec(
        "dwangmiddelen", "Dwangmiddelen",
        "Unieke bezoekers bij wie minstens één dwangmiddel genoemd is (meer dan één "
        "dwangmiddel mogelijk).", _code("dwangmiddel_genoemd"),
        [RowSpec(c, lab[c], test=_code(c)) for c in means]
        + [RowSpec("geweld", "Geweld (fysiek, seksueel of psychisch)", test=_code("geweld")),
           RowSpec("aantal_genoemd", "Totaal aantal genoemde dwangmiddelen",
                   weight=lambda u: n_means(u, cb)),
           RowSpec("gemiddeld_aantal", "Gemiddeld aantal dwangmiddelen per bezoeker",
                   stat="gemiddelde", value=lambda u: n_means(u, cb))],
        figure="Dwangmiddelen", figure_rows=means, figure_sorted=True, note=LOWER_BOUND))
    t.append(TableSpec(
        "aantal_dwangmiddelen", "Aantal dwangmiddelen per bezoeker",
        "Unieke bezoekers bij wie minstens één dwangmiddel genoemd is.",
        _code("dwangmiddel_genoemd"),
        [RowSpec(f"dwangmiddelen_{k}", label,
                 test=lambda u, k=k: min(n_means(u, cb), 4) == k)
         for k, label in N_MEANS_CLASSES], partition=True))
    ouder = _is("pleger", "ouder")
    t.append(TableSpec(
        "inwonend_ouder", "Inwonend met een ouder als pleger",
        "Per regel de eigen noemer: bezoekers die bij de uitbuiter wonen, en bezoekers met "
        "een ouder als pleger.", _all,
        [RowSpec("ouder_bij_inwonend", "Ouder is pleger, van wie bij de uitbuiter woont",
                 test=ouder, base=lambda u: "inwonend" in u.codes and u.known("pleger"),
                 base_label="bezoekers die bij de uitbuiter wonen, pleger bekend"),
         RowSpec("inwonend_bij_ouder", "Woont bij de uitbuiter, van wie een ouder als pleger "
                 "heeft", test=_code("inwonend"), base=ouder,
                 base_label="bezoekers met een ouder als pleger")]))
    meet_pop = lambda u: non_family(u) and meeting_known(u)  # noqa: E731
    on, off = _code("ontmoeting_online"), _code("ontmoeting_offline")
    t.append(TableSpec(
        "ontmoeting", "Online of offline ontmoet",
        "Unieke bezoekers met een pleger die geen familie is, van wie bekend is hoe "
        "slachtoffer en pleger elkaar ontmoetten.", meet_pop,
        [RowSpec("online", "Online", test=lambda u: on(u) and not off(u)),
         RowSpec("offline", "Offline", test=lambda u: off(u) and not on(u)),
         RowSpec("beide", "Online en offline", test=lambda u: on(u) and off(u))],
        partition=True, figure="Online of offline ontmoet"))
    named = lambda u: meet_pop(u) and bool(u.platforms)  # noqa: E731
    t.append(TableSpec(
        "platforms", "Meest genoemde ontmoetingsplatforms",
        "Unieke bezoekers (met een pleger die geen familie is) die noemen op welk platform "
        "ze de pleger ontmoetten (meer dan één platform mogelijk).", named,
        [RowSpec(p, cb.platforms[p].label, test=lambda u, p=p: p in u.platforms)
         for p in cb.platforms], sort_by_count=True, figure="Ontmoetingsplatforms"))
    types = {p: cb.platforms[p].type for p in cb.platforms}
    t.append(TableSpec(
        "platformtypes", "Ontmoetingsplatforms naar type",
        "Unieke bezoekers (met een pleger die geen familie is) die noemen op welk platform "
        "ze de pleger ontmoetten.", named,
        [RowSpec(typ, tl, test=lambda u, typ=typ: any(types[p] == typ for p in u.platforms))
         for typ, tl in cb.platform_types.items()], sort_by_count=True))
    klant_pop = lambda u: _victim(u) and _is("vorm", "seksueel")(u)  # noqa: E731
    t.append(TableSpec(
        "klant", "Klant op de hoogte",
        "Slachtoffers die zelf chatten over seksuele uitbuiting (vorm bevat seksueel).",
        klant_pop,
        [RowSpec("klant_bewust", "Klant op de hoogte (minstens één aanwijzing)",
                 test=_code("klant_bewust")),
         RowSpec("klant_bewust_combinatie", "Combinatie van aanwijzingen (twee of meer)",
                 test=_code("klant_bewust_combinatie"))]
        + [RowSpec(c, lab[c].removeprefix("Klant: ").capitalize(), test=_code(c))
           for c in cb.klant_codes]
        + [RowSpec("aanwezig_ouder", "Aanwezige uitbuiter was een ouder", test=ouder,
                   base=lambda u: "klant_uitbuiter_aanwezig" in u.codes and u.known("pleger"),
                   base_label="slachtoffers bij wie de uitbuiter aanwezig was, pleger bekend")],
        figure="Klant op de hoogte", figure_rows=["klant_bewust", "klant_bewust_combinatie",
                                                  *cb.klant_codes], note=LOWER_BOUND_KLANT))
    return t


TREND = [  # (tabel, rij, groep, label) for the trend table over all years
    ("bezoekers", "bezoekers", "alle", "Unieke bezoekers"),
    ("vorm", "seksueel", "alle", "Alleen seksuele uitbuiting (%)"),
    ("vorm", "crimineel", "alle", "Alleen criminele uitbuiting (%)"),
    ("leeftijd", "minderjarig", "alle", "Minderjarig (%)"),
    ("chatter", "slachtoffer", "alle", "Slachtoffer chat zelf (%)"),
    ("dwangmiddel", "dwangmiddel_genoemd", "alle", "Minstens één dwangmiddel (%)"),
    ("ontmoeting", "online", "alle", "Online ontmoet (%)"),
    ("klant", "klant_bewust", "alle", "Klant op de hoogte (%)"),
]
