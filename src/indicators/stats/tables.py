"""Yearly tables from confirmed codes, following the codebook's "How the statistics read them".

Every table is long-format with the columns ``jaar`` (a year or ``totaal``), ``indicator``,
``label``, ``groep`` (the denominator population id), ``denominator`` (its definition in
Dutch), ``n``, ``N`` and ``pct`` (= 100 n / N, one decimal; empty when N = 0), plus the
internal columns ``_n_key`` / ``_N_key`` that name the sets of conversations counted (used by
small-cell suppression, dropped on publication).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from ..codebook import Codebook
from . import populations as P
from .load import StatRecord

TOTAL = "totaal"
COLUMNS = ["jaar", "indicator", "label", "groep", "denominator", "n", "N", "pct"]
KEY_COLUMNS = ["_n_key", "_N_key"]

# Denominator definitions, by population key.
DENOMINATORS = {
    "alle": "alle bevestigde gesprekken",
    "dwangmiddel": "gesprekken met minstens één dwangmiddel (sextortion of inwonend)",
    "vorm=seksueel": "gesprekken over seksuele uitbuiting (vorm bevat seksueel)",
    "vorm=crimineel": "gesprekken over criminele uitbuiting (vorm bevat crimineel)",
    "vorm=onbekend": "gesprekken waarin de vorm onbekend is",
    "code=inwonend": "gesprekken met inwonend (slachtoffer woont bij de uitbuiter)",
    "pleger=ouder": "gesprekken met een ouder (ook stief/pleeg) als pleger",
    "ontmoeting": "gesprekken met een pleger die niet alleen familie is (pleger bevat partner, "
    "sociale_omgeving, online_onbekende of anders, of is onbekend) en een bekende manier van "
    "ontmoeten (ontmoeting_online of ontmoeting_offline gecodeerd)",
    "platform_genoemd": "gesprekken (in de ontmoetingspopulatie) met een genoemd "
    "ontmoetingsplatform",
    "online": "online ontmoetingen (ontmoeting_online, in de ontmoetingspopulatie)",
}


@dataclass
class StatsResult:
    """Raw (unsuppressed) tables plus the linear relations between their cells."""

    tables: dict[str, pd.DataFrame]
    relations: list[tuple[list[str], str]] = field(default_factory=list)
    years: list[int] = field(default_factory=list)


def cell(jaar: str, popkey: str) -> str:
    return f"{jaar}|{popkey}"


class _Rows:
    def __init__(self, by_year: dict[str, list[StatRecord]]):
        self.by_year = by_year
        self.rows: list[dict] = []

    def add(self, indicator: str, label: str, n_preds: Sequence[P.Pred],
            groep: str, N_preds: Sequence[P.Pred], denominator: str | None = None) -> None:
        for jaar, recs in self.by_year.items():
            N = P.count(recs, N_preds)
            n = P.count(recs, [*N_preds, *n_preds])
            self.rows.append({
                "jaar": jaar, "indicator": indicator, "label": label, "groep": groep,
                "denominator": denominator or DENOMINATORS[groep],
                "n": n, "N": N, "pct": round(100 * n / N, 1) if N else None,
                "_n_key": cell(jaar, P.key([*N_preds, *n_preds])),
                "_N_key": cell(jaar, P.key(N_preds)),
            })

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self.rows, columns=COLUMNS + KEY_COLUMNS)
        df["pct"] = df["pct"].astype("Float64")
        return df


def _by_year(records: Sequence[StatRecord]) -> dict[str, list[StatRecord]]:
    years = sorted({r.year for r in records})
    out = {str(y): [r for r in records if r.year == y] for y in years}
    out[TOTAL] = list(records)
    return out


def build(records: Sequence[StatRecord], cb: Codebook) -> StatsResult:
    """All tables for the given confirmed records (pending ones must be left out already)."""
    by_year = _by_year(records)
    years = sorted({r.year for r in records})
    tables: dict[str, pd.DataFrame] = {}
    rel: list[tuple[list[str], str]] = []
    codes = list(cb.codes)
    label = {c: cb.codes[c].label for c in codes}

    t = _Rows(by_year)
    for c in codes:
        t.add(c, label[c], [P.code(c)], "alle", [])
    tables["codes"] = t.frame()

    t = _Rows(by_year)
    t.add("dwangmiddel", "Minstens één dwangmiddel", [P.DWANGMIDDEL], "alle", [])
    for c in P.COERCION_CODES:
        t.add(c, label[c], [P.code(c)], "dwangmiddel", [P.DWANGMIDDEL])
        for v in ("seksueel", "crimineel"):
            t.add(c, label[c], [P.code(c)], f"vorm={v}", [P.context_is("vorm", v)])
    tables["dwangmiddelen"] = t.frame()

    t = _Rows(by_year)
    ouder = P.context_is("pleger", "ouder")
    lab = "Woont bij uitbuiter, ouder als pleger"
    t.add("inwonend_ouder", lab, [ouder], "code=inwonend", [P.code("inwonend")])
    t.add("inwonend_ouder", lab, [P.code("inwonend")], "pleger=ouder", [ouder])
    tables["inwonend_ouder"] = t.frame()

    t = _Rows(by_year)
    on, off = P.code("ontmoeting_online"), P.code("ontmoeting_offline")
    pop = list(P.ONTMOETING_POP)
    t.add("ontmoeting_online", label["ontmoeting_online"], [on], "ontmoeting", pop)
    t.add("ontmoeting_offline", label["ontmoeting_offline"], [off], "ontmoeting", pop)
    t.add("ontmoeting_beide", "Online en offline gecodeerd", [on, off], "ontmoeting", pop)
    tables["ontmoeting"] = t.frame()
    for j in by_year:
        rel.append(([cell(j, P.key(pop + [on])), cell(j, P.key(pop + [off])),
                     cell(j, P.key(pop + [on, off]))], cell(j, P.key(pop))))

    named = pop + [P.PLATFORM_GENOEMD]
    online = pop + [on]
    t = _Rows(by_year)
    for pid, p in cb.platforms.items():
        for groep, base in (("platform_genoemd", named), ("online", online)):
            t.add(f"platform_{pid}", p.label, [P.platform(pid)], groep, base)
    tables["platforms"] = t.frame()
    t = _Rows(by_year)
    for typ, tlabel in cb.platform_types.items():
        pt = P.platform_type(typ, {k: v.type for k, v in cb.platforms.items()})
        for groep, base in (("platform_genoemd", named), ("online", online)):
            t.add(f"platformtype_{typ}", tlabel, [pt], groep, base)
        members = [pid for pid, p in cb.platforms.items() if p.type == typ]
        for j in by_year:
            for base in (named, online):
                rel.append(([cell(j, P.key(base + [P.platform(m)])) for m in members],
                            cell(j, P.key(base + [pt]))))
    tables["platformtypes"] = t.frame()

    t = _Rows(by_year)
    seks = [P.context_is("vorm", "seksueel")]
    for c in ["klant_bewust", "klant_bewust_combinatie", *cb.klant_codes]:
        t.add(c, label[c], [P.code(c)], "vorm=seksueel", seks)
    tables["klantbewustzijn"] = t.frame()

    tables["codes_naar_vorm"] = _breakdown(by_year, cb, "vorm", codes, label)
    tables["codes_naar_chatter"] = _breakdown(by_year, cb, "chatter", codes, label)
    chatter_vals = cb.context["chatter"].value_ids
    for j in by_year:
        rel.append(([cell(j, f"chatter={v}") for v in chatter_vals], cell(j, "alle")))
        for c in codes:
            rel.append(([cell(j, P.key([P.code(c), P.context_is("chatter", v)]))
                         for v in chatter_vals], cell(j, P.key([P.code(c)]))))
    # Each year-specific cell sums to the total over all years.
    for df in tables.values():
        for col in KEY_COLUMNS:
            for k in df.loc[df["jaar"] == TOTAL, col].unique():
                pop_key = k.split("|", 1)[1]
                rel.append(([cell(str(y), pop_key) for y in years], k))
    return StatsResult(tables=tables, relations=rel, years=years)


def _breakdown(by_year, cb: Codebook, var: str, codes: list[str], label) -> pd.DataFrame:
    t = _Rows(by_year)
    cv = cb.context[var]
    for c in codes:
        for v in cv.values:
            groep = f"{var}={v.id}"
            den = DENOMINATORS.get(groep) or f"gesprekken met {cv.label.lower()} = {v.label}"
            t.add(c, label[c], [P.code(c)], groep, [P.context_is(var, v.id)], den)
    return t.frame()


def compute_tables(records: Sequence[StatRecord], cb: Codebook) -> dict[str, pd.DataFrame]:
    """Unsuppressed tables (internal key columns dropped) for use from Python."""
    res = build(records, cb)
    out = {name: df.drop(columns=KEY_COLUMNS) for name, df in res.tables.items()}
    if len(res.years) > 1:
        out["jaarvergelijking"] = year_comparison(out, res.years)
    return out


COMPARED = ("dwangmiddelen", "inwonend_ouder", "ontmoeting", "platformtypes", "klantbewustzijn")


def year_comparison(tables: dict[str, pd.DataFrame], years: list[int]) -> pd.DataFrame:
    """Wide table: per indicator and denominator n, N and % per year, and the change in
    percentage points of the last year against the year before. Works on published tables
    (suppressed cells stay suppressed; no change is computed from a suppressed percentage)."""
    rows = []
    ys = [str(y) for y in years]
    for name in COMPARED:
        df = tables[name]
        for (ind, groep), g in df.groupby(["indicator", "groep"], sort=False):
            row = {"tabel": name, "indicator": ind, "label": g["label"].iloc[0],
                   "groep": groep, "denominator": g["denominator"].iloc[0]}
            by = {r["jaar"]: r for r in g.to_dict("records")}
            for y in ys:
                r = by.get(y, {})
                row[f"{y}_n"], row[f"{y}_N"] = r.get("n"), r.get("N")
                row[f"{y}_pct"] = r.get("pct")
            a, b = row[f"{ys[-1]}_pct"], row[f"{ys[-2]}_pct"]
            ok = all(isinstance(x, int | float) and not pd.isna(x) for x in (a, b))
            row[f"verschil_{ys[-1]}_{ys[-2]}_procentpunt"] = round(a - b, 1) if ok else None
            rows.append(row)
    return pd.DataFrame(rows)
