"""SPSS files: one row per unique visitor and year (``bezoekers.sav``, the report's unit) and
one row per conversation (``gesprekken.sav``), microdata, not suppressed, not for publication.

One coding everywhere: a yes/no variable is 1 = Ja, 0 = Nee; a value that is not known is 99
= Onbekend, declared user-missing, so SPSS counts every variable only over the known values
(as the report does). Codes (and platforms) are never unknown: not named is 0 = Nee.

Derived variables: ``vormklasse`` (alleen seksueel, alleen crimineel, beide, arbeid),
``aantal_dwangmiddelen`` and its class, ``leeftijdsklasse`` and ``minderjarig``/``jonger_16``/
``jonger_25``, ``duur_1jaar_plus``/``duur_2jaar_plus``/``duur_5jaar_plus``,
``ontmoeting_wijze``, and the report's populations as 0/1 filters (``pop_*``). Registration
data: ``bezoeker_ids``, ``startdatum``, ``maand``, ``kanaal``, ``geslacht``, ``leeftijd``
with ``leeftijd_bron``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pyreadstat

from ..codebook import Codebook
from .definitions import (
    AGE_BANDS,
    GESLACHT_LABELS,
    MONTHS,
    N_MEANS_CLASSES,
    OUDER_ROL_LABELS,
    VORM_KLASSEN,
    age_band,
    meeting_known,
    n_means,
    non_family,
    vorm_klasse,
)
from .visitors import DUUR_ORDER, Unit

MISSING = 99
JA_NEE = {1: "Ja", 0: "Nee"}
JA_NEE_ONB = {1: "Ja", 0: "Nee", MISSING: "Onbekend"}
STRINGS = ("bezoeker", "gesprekken", "bezoeker_ids", "kanaal")


class _Vars:
    def __init__(self) -> None:
        self.labels: dict[str, str] = {}
        self.values: dict[str, dict] = {}
        self.missing: dict[str, list] = {}
        self.measure: dict[str, str] = {}

    def add(self, name: str, label: str, values: dict | None = None, missing: bool = False,
            measure: str = "nominal") -> None:
        self.labels[name] = label
        if values:
            self.values[name] = values
        if missing:
            self.missing[name] = [MISSING]
        self.measure[name] = measure


def _coded(value, order: Sequence[str]) -> int:
    return order.index(value) + 1 if value in order else MISSING


def _yn(flag: bool | None) -> int:
    return MISSING if flag is None else int(flag)


def variables(cb: Codebook) -> _Vars:
    v = _Vars()
    v.add("bezoeker", "Bezoeker (koppeling) of gesprek")
    v.add("jaar", "Jaar (van de startdatum)", measure="ordinal")
    v.add("gesprekken", "Gesprekken (ids)")
    v.add("n_gesprekken", "Aantal gesprekken in het jaar", measure="scale")
    v.add("bezoeker_ids", "Bezoeker-id's (registratie)")
    v.add("kanaal", "Kanaal (eerste gesprek)")
    v.add("startdatum", "Startdatum eerste gesprek", measure="scale")
    v.add("maand", "Maand eerste chat", {i + 1: m for i, m in enumerate(MONTHS)}
          | {MISSING: "Onbekend"}, True, "ordinal")
    v.add("geslacht", "Geslacht (registratie)",
          {i + 1: label for i, label in enumerate(GESLACHT_LABELS.values())}
          | {MISSING: "Onbekend"}, True)
    v.add("leeftijd", "Leeftijd", measure="scale")
    v.add("leeftijd_bron", "Bron leeftijd", {1: "Registratie", 2: "Gesprek", MISSING:
                                             "Onbekend"}, True)
    v.add("leeftijdsklasse", "Leeftijdsklasse",
          {i + 1: label for i, (_, _, label) in enumerate(AGE_BANDS)} | {MISSING: "Onbekend"},
          True, "ordinal")
    for name, label in (("minderjarig", "Minderjarig (jonger dan 18)"),
                        ("jonger_16", "Jonger dan 16"), ("jonger_25", "Jonger dan 25")):
        v.add(name, label, JA_NEE_ONB, True)
    for var in cb.context.values():
        if var.number:
            continue
        known = [x for x in var.values if not x.missing]
        if var.multi:
            for x in known:
                v.add(f"{var.id}_{x.id}", f"{var.label}: {x.label}", JA_NEE_ONB, True)
        elif [x.id for x in known] == ["ja", "nee"]:
            v.add(var.id, var.label, JA_NEE_ONB, True)
        else:
            v.add(var.id, var.label, {i + 1: x.label for i, x in enumerate(known)}
                  | {MISSING: "Onbekend"}, True, "ordinal" if var.id == "duur" else "nominal")
    v.add("vormklasse", "Vorm van uitbuiting (klasse)",
          {i + 1: label for i, (_, label) in enumerate(VORM_KLASSEN)} | {MISSING: "Onbekend"},
          True)
    for k, label in ((1, "Een jaar of langer"), (2, "Twee jaar of langer"),
                     (5, "Vijf jaar of langer")):
        v.add(f"duur_{k}jaar_plus", f"Duur: {label.lower()}", JA_NEE_ONB, True)
    v.add("ouder_rol", "Welke ouder is pleger",
          {i + 1: label for i, label in enumerate(OUDER_ROL_LABELS.values())}
          | {MISSING: "Onbekend"}, True)
    for c in cb.codes.values():
        v.add(c.id, c.label, JA_NEE)
    v.add("aantal_dwangmiddelen", "Aantal genoemde dwangmiddelen", measure="scale")
    v.add("aantal_dwangmiddelen_klasse", "Aantal dwangmiddelen (klasse)",
          {0: "Geen"} | dict(N_MEANS_CLASSES), measure="ordinal")
    v.add("ontmoeting_wijze", "Ontmoeting", {1: "Online", 2: "Offline", 3: "Online en offline",
                                             MISSING: "Onbekend"}, True)
    for p in cb.platforms.values():
        v.add(f"platform_{p.id}", f"Ontmoetingsplatform: {p.label}", JA_NEE)
    for t, label in cb.platform_types.items():
        v.add(f"platformtype_{t}", f"Platformtype: {label}", JA_NEE)
    for name, label in (
            ("pop_slachtoffer", "Populatie: slachtoffer chat zelf"),
            ("pop_ontmoeting", "Populatie: pleger geen familie, ontmoeting bekend"),
            ("pop_platform", "Populatie: ontmoetingspopulatie met genoemd platform"),
            ("pop_klant", "Populatie: slachtoffer chat zelf over seksuele uitbuiting")):
        v.add(name, label, JA_NEE)
    return v


def row(u: Unit, cb: Codebook) -> dict:
    ctx = u.context
    out: dict = {"bezoeker": u.key.split(":", 1)[-1], "jaar": u.year,
                 "gesprekken": " ".join(u.ids), "n_gesprekken": u.n_gesprekken,
                 "bezoeker_ids": " ".join(u.bezoeker_ids), "kanaal": u.channel or "",
                 "startdatum": u.startdatum,
                 "maand": u.startdatum.month if u.startdatum else MISSING,
                 "geslacht": _coded(u.geslacht, list(GESLACHT_LABELS)),
                 "leeftijd": u.leeftijd,
                 "leeftijd_bron": {"registratie": 1, "gesprek": 2}.get(u.leeftijd_bron, MISSING),
                 "leeftijdsklasse": _coded(age_band(u.leeftijd), [b[2] for b in AGE_BANDS])}
    age = u.leeftijd
    for name, limit in (("minderjarig", 18), ("jonger_16", 16), ("jonger_25", 25)):
        out[name] = _yn(None if age is None else age < limit)
    for var in cb.context.values():
        if var.number:
            continue
        known = [x.id for x in var.values if not x.missing]
        val = ctx.get(var.id)
        if var.multi:
            for x in known:
                out[f"{var.id}_{x}"] = _yn((x in val) if val else None)
        elif known == ["ja", "nee"]:
            out[var.id] = _yn(None if val not in known else val == "ja")
        else:
            out[var.id] = _coded(val, known)
    out["vormklasse"] = _coded(vorm_klasse(u), [k for k, _ in VORM_KLASSEN])
    duur = ctx.get("duur")
    for k, i in ((1, 2), (2, 3), (5, 4)):
        out[f"duur_{k}jaar_plus"] = _yn(None if duur not in DUUR_ORDER else
                                        duur in DUUR_ORDER[i:])
    out["ouder_rol"] = _coded(u.ouder_rol, list(OUDER_ROL_LABELS))
    for c in cb.codes:
        out[c] = int(c in u.codes)
    k = n_means(u, cb)
    out["aantal_dwangmiddelen"] = k
    out["aantal_dwangmiddelen_klasse"] = min(k, 4)
    on, off = "ontmoeting_online" in u.codes, "ontmoeting_offline" in u.codes
    out["ontmoeting_wijze"] = 3 if on and off else 1 if on else 2 if off else MISSING
    for p in cb.platforms:
        out[f"platform_{p}"] = int(p in u.platforms)
    for t in cb.platform_types:
        out[f"platformtype_{t}"] = int(any(cb.platforms[p].type == t for p in u.platforms))
    victim = ctx.get("chatter") == "slachtoffer"
    meet = non_family(u) and meeting_known(u)
    out["pop_slachtoffer"] = int(victim)
    out["pop_ontmoeting"] = int(meet)
    out["pop_platform"] = int(meet and bool(u.platforms))
    out["pop_klant"] = int(victim and "seksueel" in (ctx.get("vorm") or ()))
    return out


def sav_frame(units: Sequence[Unit], cb: Codebook) -> tuple[pd.DataFrame, _Vars]:
    v = variables(cb)
    df = pd.DataFrame([row(u, cb) for u in units], columns=list(v.labels))
    for c in df.columns:
        if c in STRINGS:
            df[c] = df[c].astype(str)
        elif c == "startdatum":
            df[c] = pd.to_datetime(df[c])
        elif c == "leeftijd":
            df[c] = df[c].astype("float64")
        else:
            df[c] = df[c].astype("int64")
    return df, v


def write_sav(units: Sequence[Unit], cb: Codebook, path: str | Path, label: str) -> Path:
    df, v = sav_frame(units, cb)
    formats = {c: "F2.0" for c in df.columns if c not in STRINGS}
    formats.update({"jaar": "F4.0", "leeftijd": "F3.0", "n_gesprekken": "F3.0",
                    "startdatum": "EDATE10"})
    path = Path(path)
    pyreadstat.write_sav(df, str(path), file_label=label, column_labels=v.labels,
                         variable_value_labels=v.values, missing_ranges=v.missing,
                         variable_measure=v.measure, variable_format=formats)
    return path
