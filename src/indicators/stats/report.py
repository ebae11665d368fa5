"""The yearly report: every table and figure in the report's order, as HTML and Markdown.

Everything shown comes from the published (suppressed) tables and the earlier years; no
conversation text is used. Each table states its population and n; each figure follows the
house style of :mod:`.figures` with the population in the text above it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .cells import TableSpec
from .definitions import TREND
from .earlier import SOURCE_OUTPUT, Earlier
from .figures import count_items, fmt_num, fmt_pct, hbar, n_text, pct_items
from .suppress import MARK


@dataclass
class Block:
    kind: str  # h1, h2, h3, p, note, table, figure
    payload: object
    extra: dict = field(default_factory=dict)


def _num(x) -> str:
    if x is None or (isinstance(x, float) and pd.isna(x)):
        return ""
    if isinstance(x, str):
        return x
    if isinstance(x, float) and not x.is_integer():
        return f"{x:.1f}".replace(".", ",")
    return fmt_num(int(x))


def _pct(x) -> str:
    if x is None or (isinstance(x, float) and pd.isna(x)):
        return ""
    return fmt_pct(float(x)) if not isinstance(x, str) else x


def _waarde(x) -> str:
    if x is None or (isinstance(x, float) and pd.isna(x)):
        return ""
    return x if isinstance(x, str) else f"{float(x):.1f}".replace(".", ",")


class Report:
    def __init__(self, published: dict[str, pd.DataFrame], specs: dict[str, TableSpec],
                 year: int, data_years: list[int], earlier: Earlier, outdir: Path,
                 min_cell: int | None, summary: dict, trend: pd.DataFrame):
        self.pub, self.specs, self.year = published, specs, str(year)
        self.data_years = [str(y) for y in data_years if y <= year]
        self.earlier, self.outdir, self.min_cell = earlier, outdir, min_cell
        self.summary, self.trend = summary, trend
        self.blocks: list[Block] = []
        self.figures: list[Path] = []
        self.n_table = 0
        (outdir / "figuren").mkdir(parents=True, exist_ok=True)

    # --- helpers -------------------------------------------------------------------------
    def years(self) -> list[tuple[str, str]]:
        """(year, header) of every year shown beside the report year, oldest first."""
        out = {y: f"{y} ({self.earlier.source(y)})" for y in self.earlier.years()}
        out.update({y: y for y in self.data_years})
        return sorted(out.items())

    def rows(self, tid: str, year: str, groep: str = "alle") -> list[dict]:
        if year in self.data_years:
            df = self.pub[tid]
            return df[(df["jaar"] == year) & (df["groep"] == groep)].to_dict("records")
        e = self.earlier.figures
        e = e[(e["jaar"] == year) & (e["tabel"] == tid) & (e["groep"] == groep)]
        return e.to_dict("records")

    def base_n(self, tid: str, groep: str = "alle"):
        rows = [r for r in self.rows(tid, self.year, groep) if r["rij"] in self._plain(tid)]
        return rows[0]["N"] if rows else 0

    def _plain(self, tid: str) -> set[str]:
        return {r.id for r in self.specs[tid].rows if r.base is None}

    def ordered_rows(self, spec: TableSpec) -> list:
        rows = list(spec.rows)
        if spec.sort_by_count:
            cur = {r["rij"]: r["n"] for r in self.rows(spec.id, self.year)}
            any_year = {r.id for r in rows if any(
                (x["rij"] == r.id and x["n"] not in (0, None))
                for y, _ in self.years() for x in self.rows(spec.id, y))}
            rows = [r for r in rows if r.id in any_year]
            rows.sort(key=lambda r: -(cur.get(r.id) if isinstance(cur.get(r.id), int) else 0.5))
        return rows

    # --- blocks --------------------------------------------------------------------------
    def figure(self, spec: TableSpec, N) -> None:
        ids = spec.figure_rows or [r.id for r in spec.rows if not (r.extra or r.stat or r.weight
                                                                   or r.base)]
        order = [r.id for r in self.ordered_rows(spec)]
        ids = [i for i in order if i in ids] if spec.sort_by_count else ids
        by = {r["rij"]: r for r in self.rows(spec.id, self.year)}
        rows = [by[i] for i in ids if i in by]
        if spec.figure_sorted:
            rows.sort(key=lambda r: -(r["pct"] if isinstance(r["pct"], float) else -1.0))
        rows = rows[:12]
        if not rows or not isinstance(N, int) or N == 0:
            return
        num = len(self.figures) + 1
        title = f"Figuur {num}. {spec.figure} ({n_text(N)})"
        path = self.outdir / "figuren" / f"figuur{num:02d}_{spec.id}.png"
        self.figures.append(hbar(pct_items(rows), title, path))
        self.blocks.append(Block("figure", path, {"title": title}))

    def table(self, spec: TableSpec) -> None:
        self.n_table += 1
        N = self.base_n(spec.id)
        groups = spec.groups
        if not self._plain(spec.id):  # every row has its own denominator
            ns = [r["N"] for r in self.rows(spec.id, self.year)]
            n_part = "n = " + " en ".join(_num(x) for x in ns)
        else:
            n_part = n_text(N)
        title = f"Tabel {self.n_table}. {spec.title} ({self.year}, {n_part})"
        self.blocks.append(Block("h3", title))
        self.blocks.append(Block("p", "Populatie: " + spec.population))
        if spec.note:
            self.blocks.append(Block("note", spec.note))
        if spec.figure:
            self.figure(spec, N)
        if len(groups) > 1:
            self.grouped(spec)
        else:
            self.by_year(spec)
        if spec.id == "ouder_rol" and N == 0:
            self.blocks.append(Block("note", "Welke ouder de pleger is, staat niet in deze "
                                             "gegevens (veld ouder_rol in de registratie: "
                                             "vader, moeder of beide)."))

    def by_year(self, spec: TableSpec, groep: str = "alle") -> None:
        years = self.years()
        head = [""] + [f"{h}|{c}" for _, h in years for c in ("n", "N", "%")]
        body = []
        for r in self.ordered_rows(spec):
            label = r.label + (f" (noemer: {r.base_label})" if r.base_label else "")
            line = [label]
            for y, _ in years:
                got = next((x for x in self.rows(spec.id, y, groep) if x["rij"] == r.id), None)
                if got is None:
                    line += ["", "", ""]
                elif r.stat:
                    line += [_waarde(got.get("waarde")), _num(got.get("N")), ""]
                else:
                    line += [_num(got.get("n")), _num(got.get("N")), _pct(got.get("pct"))]
            body.append(line)
        self.blocks.append(Block("table", (head, body)))

    def grouped(self, spec: TableSpec) -> None:
        head = [""] + [f"{label}|{c}" for _, label, _ in spec.groups for c in ("n", "%")]
        body = []
        for r in self.ordered_rows(spec):
            line = [r.label]
            for gid, _, _ in spec.groups:
                got = next((x for x in self.rows(spec.id, self.year, gid) if x["rij"] == r.id),
                           {})
                line += [_num(got.get("n")), _pct(got.get("pct"))]
            body.append(line)
        body.append(["Totaal (N)"] + [x for gid, _, _ in spec.groups
                                      for x in (_num(self.base_n(spec.id, gid)), "")])
        self.blocks.append(Block("table", (head, body)))
        if len(self.years()) > 1:
            self.blocks.append(Block("p", "Per jaar (kolom Totaal):"))
            self.by_year(spec)

    def trend_section(self) -> None:
        years = sorted(set(self.trend["jaar"]))
        if len(years) < 2:
            return
        self.blocks.append(Block("h2", "Trend over de jaren"))
        self.blocks.append(Block("p", "Kerncijfers over alle beschikbare jaren. Jaren uit een "
                                      "eerder rapport of eerdere uitvoer van dit programma zijn "
                                      "als zodanig gemarkeerd; percentages steeds over de "
                                      "populatie van de tabel waar ze vandaan komen."))
        heads = {y: (y if y in self.data_years else f"{y} ({self.earlier.source(y)})")
                 for y in years}
        visitors = self.trend[self.trend["rij"] == "bezoekers"]
        items = [(heads[y], next(iter(visitors[visitors["jaar"] == y]["waarde"]), None))
                 for y in years]
        num = len(self.figures) + 1
        title = f"Figuur {num}. Unieke bezoekers per jaar ({n_text(self.base_n('bezoekers'))} "\
                f"in {self.year})"
        path = self.outdir / "figuren" / f"figuur{num:02d}_trend.png"
        self.figures.append(hbar(count_items(items), title, path, percent=False))
        self.blocks.append(Block("figure", path, {"title": title}))
        body = []
        for (_t, _r, _g, label) in TREND:
            line = [label]
            for y in years:
                m = self.trend[(self.trend["jaar"] == y) & (self.trend["label"] == label)]
                v = m["waarde"].iloc[0] if len(m) else None
                line.append(_num(v) if m["eenheid"].iloc[0] == "aantal" else _pct(v)
                            if len(m) else "")
            body.append(line)
        self.n_table += 1
        self.blocks.append(Block("h3", f"Tabel {self.n_table}. Trend over de jaren "
                                       f"({n_text(self.base_n('bezoekers'))} in {self.year})"))
        self.blocks.append(Block("p", "Populatie: per regel die van de tabel waar de regel "
                                      "vandaan komt; de eerste regel is het aantal unieke "
                                      "bezoekers per jaar."))
        self.blocks.append(Block("table", ([""] + [heads[y] for y in years], body)))

    def intro(self) -> None:
        s = self.summary
        self.blocks.append(Block("h1", f"Onzichtbare slachtoffers van mensenhandel: "
                                       f"cijfers {self.year}"))
        self.blocks.append(Block("p", (
            "Dit rapport telt unieke bezoekers, niet gesprekken: gesprekken met dezelfde "
            "bezoeker_id (of handmatig gekoppeld in de koppeltabel) tellen als één bezoeker "
            "per jaar. Alleen gesprekken die een codeur heeft bevestigd en die in het "
            "onderzoek horen (in_onderzoek = ja) tellen mee. Jaar = het jaar van de "
            "startdatum. Elke variabele is alleen geteld over de bezoekers bij wie ze bekend "
            "is; de populatie staat boven elke tabel en figuur, n in elke titel.")))
        excl = [s["pending_conversations_excluded"], s["not_in_study_excluded"]]
        excl = [x if not self.min_cell or x == 0 or x >= self.min_cell else MARK for x in excl]
        self.blocks.append(Block("p", (
            f"Niet meegeteld: {excl[0]} gesprekken in afwachting van review en {excl[1]} "
            f"gesprekken buiten het onderzoek (in_onderzoek = nee).")))
        if self.min_cell:
            self.blocks.append(Block("note", (
                f"Kleine aantallen: aantallen van 1 tot en met {self.min_cell - 1} zijn niet "
                f"gepubliceerd. Andere aantallen waaruit ze terug te rekenen zijn (uit totalen, "
                f"uit een andere tabel, of uit tabellen samen) zijn ook verborgen. Beide staan "
                f"als '{MARK}'; het percentage is dan weggelaten. Gemiddelden en medianen over "
                f"een verborgen groep zijn weggelaten; jongste en oudste leeftijd staan als "
                f"leeftijdsklasse als minder dan {self.min_cell} bezoekers die leeftijd hebben.")))
        else:
            self.blocks.append(Block("note", "Let op: deze tabellen zijn niet beschermd tegen "
                                             "kleine aantallen (--no-suppress); niet "
                                             "publiceren."))
        for y in self.earlier.years():
            src = self.earlier.source(y)
            what = ("eerdere uitvoer van dit programma" if src == SOURCE_OUTPUT
                    else f"overgenomen uit een eerder rapport ({src})")
            self.blocks.append(Block("note", f"Cijfers over {y}: {what}."))

    def build(self) -> list[Block]:
        self.intro()
        sections = [("Bezoekers", ["bezoekers", "kanaal", "maand"]),
                    ("Vorm van uitbuiting, geslacht en leeftijd",
                     ["vorm", "geslacht", "vorm_geslacht", "leeftijd"]),
                    ("Wie chat er", ["chatter", "first_disclosure", "acuut_onveilig"]),
                    ("Duur van de uitbuiting", ["duur"]),
                    ("Plegers", ["pleger", "ouder_rol", "aantal_plegers"]),
                    ("Dwangmiddelen", ["dwangmiddel", "dwangmiddelen", "aantal_dwangmiddelen",
                                       "inwonend_ouder"]),
                    ("Ontmoeting", ["ontmoeting", "platforms", "platformtypes"]),
                    ("Klant op de hoogte", ["klant"])]
        for title, ids in sections:
            self.blocks.append(Block("h2", title))
            for tid in ids:
                self.table(self.specs[tid])
        self.trend_section()
        return self.blocks
