"""``report.md`` and ``report.html``: the published tables and figures with their definitions.

Everything shown comes from the published (suppressed) tables; no conversation text is used.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

import pandas as pd

from ..codebook import Codebook
from .figures import fmt_pct
from .tables import DENOMINATORS, TOTAL

SECTIONS = [
    ("dwangmiddelen", "Dwangmiddelen: sextortion en inwonend",
     "Per dwangmiddel over de gesprekken met minstens één dwangmiddel, en over alle "
     "gesprekken per vorm van uitbuiting."),
    ("inwonend_ouder", "Inwonend met een ouder als pleger",
     "Gesprekken met inwonend én een ouder als pleger, over alle gesprekken met inwonend en "
     "over alle gesprekken met een ouder als pleger."),
    ("ontmoeting", "Manier van ontmoeten",
     "Over gesprekken met een pleger die niet alleen familie is en een bekende manier van "
     "ontmoeten. Online + offline - beide = N."),
    ("platformtypes", "Ontmoetingsplatforms naar type",
     "Gesprekken met minstens één platform van het type."),
    ("platforms", "Meest genoemde ontmoetingsplatforms",
     "Platforms die minstens één keer genoemd zijn, totaal over alle jaren."),
    ("klantbewustzijn", "Klant op de hoogte (seksuele uitbuiting)",
     "Over gesprekken over seksuele uitbuiting; klant_bewust en klant_bewust_combinatie zijn "
     "afgeleid uit de klant_*-codes."),
    ("codes", "Alle codes", "Over alle bevestigde gesprekken."),
]


FILES = [
    ["tabel_*.csv, tabellen.xlsx", "De tabellen van dit rapport (onderdrukt), een blad per tabel; "
     "jaar 'totaal' is alle jaren samen."],
    ["samenvatting.json", "Ingelezen bestanden, meegetelde en uitgesloten gesprekken, "
     "overgeslagen regels (bestand:regel), controles op de codering."],
    ["gesprekken.sav", "SPSS, een rij per gesprek, niet onderdrukt. Codes en platforms 0/1; "
     "chatter, acuut_onveilig en first_disclosure als gelabelde categorieën; vorm_* en "
     "pleger_* 0/1 per waarde. 'Onbekend' = 99 en als user-missing gedeclareerd (bij vorm en "
     "pleger: alle dummies 99 als de variabele leeg of onbekend is)."],
    ["gesprekken.qdpx, codeboek.qdc", "REFI-QDA-project en codeboek. Tekst: een regel per "
     "bericht ('bezoeker: ...'), posities in Unicode-tekens vanaf 0. Codes staan op hun "
     "bewijsfragmenten als die er zijn; anders (en voor afgeleide codes en platforms) op een "
     "selectie van het hele gesprek."],
    ["figuur*.png", "De figuren; onderdrukte waarden zijn niet getekend."],
]


def cell_text(n, N, pct) -> str:
    if pct is None or pd.isna(pct):
        return f"{n}/{N}"
    return f"{n}/{N} ({fmt_pct(pct)})"


def pivot(df: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """Rows per (indicator, groep), a column per year: ``n/N (pct)``."""
    years = list(dict.fromkeys(df["jaar"]))
    head = ["Indicator", "Noemer", *years]
    rows = []
    for (_, groep), g in df.groupby(["indicator", "groep"], sort=False):
        by = {r["jaar"]: r for r in g.to_dict("records")}
        rows.append([g["label"].iloc[0], groep]
                    + [cell_text(by[y]["n"], by[y]["N"], by[y]["pct"]) for y in years])
    return head, rows


def breakdown(df: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """Totals over all years: rows per code, a column per group of the breakdown."""
    df = df[df["jaar"] == TOTAL]
    groups = list(dict.fromkeys(df["groep"]))
    head = ["Code", *groups]
    rows = []
    for _, g in df.groupby("indicator", sort=False):
        by = {r["groep"]: r for r in g.to_dict("records")}
        rows.append([g["label"].iloc[0]]
                    + [cell_text(by[x]["n"], by[x]["N"], by[x]["pct"]) for x in groups])
    return head, rows


def _most_named(df: pd.DataFrame) -> pd.DataFrame:
    tot = df[(df["jaar"] == TOTAL) & (df["groep"] == "platform_genoemd")]
    named = tot[tot["n"].map(lambda x: isinstance(x, str) or x > 0)]
    ids = named.assign(_k=pd.to_numeric(named["n"], errors="coerce").fillna(0)) \
        .sort_values("_k", ascending=False, kind="stable")["indicator"]
    keep = df[df["indicator"].isin(ids)]
    return keep.set_index("indicator").loc[list(ids)].reset_index()


def _blocks(tables, summary, figures, min_cell):
    """The report as a list of ("h1"|"h2"|"p"|"table"|"figure", payload)."""
    s = summary
    b: list[tuple[str, object]] = [("h1", "Indicatoren in hulplijnchats: statistieken")]
    yrs = ", ".join(r["jaar"] for r in s["per_year"]) or "geen"
    b.append(("p", f"Gebaseerd op {s['confirmed_conversations']} gesprekken waarvan de codes "
                   f"door een codeur zijn bevestigd (jaren: {yrs})."))
    b.append(("p", f"Nog niet beoordeeld en daarom uitgesloten: "
                   f"{s['pending_conversations_excluded']} gesprekken "
                   f"({s['pending_records']} records in afwachting van review). "
                   f"Overgeslagen regels (onleesbaar of ongeldig): {s['skipped_lines']}. "
                   f"Dubbele records van hetzelfde gesprek niet meegeteld: "
                   f"{s['duplicate_records_not_counted']}."))
    if min_cell:
        b.append(("p", f"Kleine aantallen: aantallen van 1 tot en met {min_cell - 1} worden "
                       f"getoond als '<{min_cell}' en het percentage wordt weggelaten. Om "
                       "terugrekenen uit totalen te voorkomen wordt daarnaast waar nodig een "
                       "tweede cel onderdrukt, getoond als 'x' (secundaire onderdrukking over "
                       "jaren, categorieën van 'wie chat er', online/offline en platformtypes)."))
    else:
        b.append(("p", "Let op: deze tabellen zijn niet beschermd tegen kleine aantallen "
                       "(--no-suppress); niet publiceren."))
    b.append(("p", "Het SPSS-bestand (gesprekken.sav) bevat microdata per gesprek voor de "
                   "onderzoekers en is niet onderdrukt. Het REFI-QDA-project (gesprekken.qdpx) "
                   "bevat de transcripten. Beide bestanden zijn niet voor publicatie en worden "
                   "bewaard als de brongegevens."))
    b.append(("h2", "Samenvatting"))
    sm = tables["samenvatting"]
    b.append(("table", (list(sm.columns), sm.astype(str).values.tolist())))
    b.append(("h2", "Noemers"))
    b.append(("p", "Elke cel is n/N (percentage). N is de noemer; de noemers zijn:"))
    b.append(("table", (["Noemer", "Definitie"], [[k, v] for k, v in DENOMINATORS.items()])))
    for name, title, note in SECTIONS:
        df = tables[name]
        if name == "platforms":
            df = _most_named(df)
            if df.empty:
                continue
        b.append(("h2", title))
        b.append(("p", note))
        b.append(("table", pivot(df)))
    b.append(("h2", "Codes naar vorm van uitbuiting (alle jaren)"))
    b.append(("p", "Een gesprek kan over beide vormen gaan; de kolommen overlappen."))
    b.append(("table", breakdown(tables["codes_naar_vorm"])))
    b.append(("h2", "Codes naar wie chat er (alle jaren)"))
    b.append(("table", breakdown(tables["codes_naar_chatter"])))
    if "jaarvergelijking" in tables:
        b.append(("p", "De vergelijking tussen jaren (met het verschil in procentpunten tussen "
                       "de laatste twee jaren) staat in tabel_jaarvergelijking.csv."))
    b.append(("h2", "Bestanden"))
    b.append(("table", (["Bestand", "Inhoud"], FILES)))
    if figures:
        b.append(("h2", "Figuren"))
        for f in figures:
            b.append(("figure", Path(f)))
    return b


def _md(blocks) -> str:
    out = []
    for kind, x in blocks:
        if kind == "h1":
            out.append(f"# {x}\n")
        elif kind == "h2":
            out.append(f"## {x}\n")
        elif kind == "p":
            out.append(f"{x}\n")
        elif kind == "table":
            head, rows = x
            out.append("| " + " | ".join(head) + " |")
            out.append("|" + "|".join(["---"] * len(head)) + "|")
            out += ["| " + " | ".join(str(c).replace("|", "/") for c in r) + " |" for r in rows]
            out.append("")
        elif kind == "figure":
            out.append(f"![{x.stem}]({x.name})\n")
    return "\n".join(out)


def _html(blocks) -> str:
    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="nl"><head><meta charset="utf-8">',
           "<title>Indicatoren in hulplijnchats: statistieken</title><style>",
           "body{font-family:Georgia,serif;max-width:60em;margin:2em auto;color:#222}",
           "table{border-collapse:collapse;margin:1em 0;font-size:0.9em}",
           "th,td{border-bottom:1px solid #bbb;padding:0.2em 0.6em;text-align:left}",
           "img{max-width:100%;display:block;margin:1.5em 0}</style></head><body>"]
    for kind, x in blocks:
        if kind in ("h1", "h2"):
            out.append(f"<{kind}>{e(x)}</{kind}>")
        elif kind == "p":
            out.append(f"<p>{e(x)}</p>")
        elif kind == "table":
            head, rows = x
            out.append("<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in head)
                       + "</tr></thead><tbody>")
            out += ["<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in r) + "</tr>" for r in rows]
            out.append("</tbody></table>")
        elif kind == "figure":
            data = base64.b64encode(x.read_bytes()).decode("ascii")
            out.append(f'<img alt="{e(x.stem)}" src="data:image/png;base64,{data}">')
    out.append("</body></html>")
    return "\n".join(out)


def write_report(tables: dict[str, pd.DataFrame], summary: dict, cb: Codebook,
                 outdir: str | Path, figures: list[Path], min_cell: int | None) -> list[Path]:
    outdir = Path(outdir)
    blocks = _blocks(tables, summary, figures, min_cell)
    md, page = outdir / "report.md", outdir / "report.html"
    md.write_text(_md(blocks), encoding="utf-8")
    page.write_text(_html(blocks), encoding="utf-8")
    return [md, page]
