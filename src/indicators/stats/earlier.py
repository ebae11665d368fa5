"""Earlier years beside this year: the tool's own yearly figures and figures from reports.

* ``jaarcijfers_<jaar>.json``: written for every year of a run, holds the *published*
  (suppressed) figures of every table. Give it to a later run with ``--earlier``.
* A hand-filled CSV (``;`` or ``,``; decimal comma or point; UTF-8, with or without BOM) of
  figures from earlier published reports, one figure per line, columns ``jaar``, ``tabel``,
  ``rij``, ``groep`` (empty: ``alle``), ``n``, ``N``, ``pct``, ``waarde`` and an optional
  ``bron``. ``tabel``/``rij``/``groep`` are the ids of the tables (see
  ``eerdere_cijfers_sjabloon.csv`` in every output folder). Empty cells are allowed.

Both are shown beside the figures of this run, marked as such ("eerdere uitvoer" /
"rapport"). A year that this run computes from the data is not taken from earlier files.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .load import StatsInputError

FORMAT = "indicators-jaarcijfers"
COLUMNS = ["jaar", "bron", "tabel", "rij", "groep", "n", "N", "pct", "waarde"]
SOURCE_OUTPUT = "eerdere uitvoer"
SOURCE_REPORT = "rapport"


@dataclass
class Earlier:
    figures: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=COLUMNS))
    problems: list[str] = field(default_factory=list)
    ignored_years: list[str] = field(default_factory=list)

    def years(self) -> list[str]:
        return sorted(set(self.figures["jaar"].astype(str)))

    def source(self, year: str) -> str:
        b = self.figures[self.figures["jaar"].astype(str) == year]["bron"]
        return b.iloc[0] if len(b) else ""


def yearly_json(published: dict[str, pd.DataFrame], year: int, meta: dict) -> dict:
    rows = []
    for df in published.values():
        for r in df[df["jaar"] == str(year)].to_dict("records"):
            rows.append({k: _clean(r.get(k)) for k in ("tabel", "rij", "groep", "n", "N",
                                                        "pct", "waarde")})
    return {"soort": FORMAT, "versie": 1, "jaar": year, **meta, "cijfers": rows}


def _clean(x):
    if x is None or (isinstance(x, float) and pd.isna(x)) or x is pd.NA:
        return None
    if hasattr(x, "item"):
        return x.item()
    return x


def _pct_or_mark(r: dict):
    pct = _clean(r.get("pct"))
    if pct is None and "x" in (r.get("n"), r.get("N")):
        return "x"
    return pct


def _count(x):
    """A count as int (frames may hold it as float), a mark as it is."""
    x = _clean(x)
    return int(x) if isinstance(x, float) and x.is_integer() else x


def _number(s: str):
    s = (s or "").strip().replace("%", "")
    if not s:
        return None
    if s.lower() in ("x", "<5") or s.startswith("<"):
        return "x"
    if "," in s:  # Dutch: 1.234,5
        s = s.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+", s):  # 1.234 is a thousand and more
        s = s.replace(".", "")
    try:
        v = float(s)
    except ValueError:
        return None
    return int(v) if v.is_integer() else v


def read_csv(path: Path, known: dict[str, set[str]]) -> tuple[list[dict], list[str]]:
    text = path.read_text(encoding="utf-8-sig")
    first = text.split("\n", 1)[0]
    delim = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delim)
    names = [c.strip() for c in (reader.fieldnames or [])]
    raw = dict(zip(names, reader.fieldnames or [], strict=True))
    cols = {c.lower(): raw[c] for c in names if c not in ("n", "N")}
    cols.update({c: raw[c] for c in names if c in ("n", "N")})
    if "percentage" in cols and "pct" not in cols:
        cols["pct"] = cols["percentage"]
    need = {"jaar", "tabel", "rij"}
    if not need <= set(cols):
        raise StatsInputError(f"{path}: needs the columns {sorted(need)} (has {names})")
    rows, problems = [], []

    def get(r, name):
        c = cols.get(name)
        return (r.get(c) or "").strip() if c else ""

    for lineno, r in enumerate(reader, start=2):
        year, tabel, rij = get(r, "jaar"), get(r, "tabel"), get(r, "rij")
        if not (year or tabel or rij) or year.startswith("#"):
            continue
        if not year.isdigit() or tabel not in known or rij not in known[tabel]:
            problems.append(f"{path.name}:{lineno}: unknown year, table or row "
                            f"({year!r}, {tabel!r}, {rij!r})")
            continue
        rows.append({"jaar": year, "bron": get(r, "bron") or SOURCE_REPORT, "tabel": tabel,
                     "rij": rij, "groep": get(r, "groep") or "alle",
                     "n": _number(get(r, "n")), "N": _number(get(r, "N")),
                     "pct": _number(get(r, "pct")), "waarde": _number(get(r, "waarde"))})
    return rows, problems


def read_earlier(paths: Iterable[str | Path], known: dict[str, set[str]],
                 data_years: Iterable[int]) -> Earlier:
    """Earlier figures from ``jaarcijfers_*.json`` and hand-filled CSV files."""
    out = Earlier()
    rows: list[dict] = []
    for p in map(Path, paths):
        if not p.is_file():
            raise StatsInputError(f"{p}: no such file")
        if p.suffix.lower() == ".json":
            try:
                data = json.loads(p.read_text(encoding="utf-8"))
            except json.JSONDecodeError as e:
                raise StatsInputError(f"{p}: not JSON ({e.msg})") from e
            if not isinstance(data, dict) or data.get("soort") != FORMAT:
                raise StatsInputError(f"{p}: not a jaarcijfers file of this tool")
            for r in data.get("cijfers", []):
                if r.get("tabel") in known and r.get("rij") in known[r["tabel"]]:
                    rows.append({**r, "jaar": str(data["jaar"]), "bron": SOURCE_OUTPUT})
        else:
            got, problems = read_csv(p, known)
            rows += got
            out.problems += problems
    df = pd.DataFrame(rows, columns=COLUMNS)
    data_years = {str(y) for y in data_years}
    out.ignored_years = sorted(set(df["jaar"]) & data_years)
    df = df[~df["jaar"].isin(data_years)]
    # one source per year: the tool's own output before a hand-filled report
    keep = []
    for _year, g in df.groupby("jaar", sort=True):
        src = SOURCE_OUTPUT if (g["bron"] == SOURCE_OUTPUT).any() else g["bron"].iloc[0]
        keep.append(g[g["bron"] == src] if src == SOURCE_OUTPUT else g[g["bron"] != SOURCE_OUTPUT])
    out.figures = pd.concat(keep, ignore_index=True) if keep else df.reset_index(drop=True)
    return out


def template(published: dict[str, pd.DataFrame], labels: dict[str, str]) -> pd.DataFrame:
    """Every (tabel, rij, groep) of this run, with labels, for filling in by hand."""
    seen, rows = set(), []
    for name, df in published.items():
        for r in df.to_dict("records"):
            k = (name, r["rij"], r["groep"])
            if k in seen:
                continue
            seen.add(k)
            rows.append({"jaar": "", "tabel": name, "rij": r["rij"], "groep": r["groep"],
                         "omschrijving": f"{labels.get(name, name)}: {r['label']}"
                         + ("" if r["groep"] == "alle" else f" ({r['groep_label']})"),
                         "n": "", "N": "", "pct": "", "waarde": "", "bron": ""})
    return pd.DataFrame(rows)


def combined(published: dict[str, pd.DataFrame], earlier: Earlier) -> pd.DataFrame:
    """This run's published figures and the earlier ones in one long frame with ``bron``."""
    parts = []
    for name, df in published.items():
        d = df[["jaar", "rij", "groep", "n", "N", "pct", "waarde"]].copy()
        d.insert(1, "tabel", name)
        d.insert(1, "bron", "deze uitvoer")
        parts.append(d)
    if len(earlier.figures):
        parts.append(earlier.figures[COLUMNS])
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)


def trend_frame(published: dict[str, pd.DataFrame], earlier: Earlier, items) -> pd.DataFrame:
    """The trend table: per key figure and year (earlier years first) its value and source.

    A count row (unique visitors) shows n; the other rows show the percentage."""
    allf = combined(published, earlier)
    years = sorted(set(allf["jaar"].astype(str)))
    rows = []
    for tabel, rij, groep, label in items:
        for y in years:
            m = allf[(allf["jaar"].astype(str) == y) & (allf["tabel"] == tabel)
                     & (allf["rij"] == rij) & (allf["groep"] == groep)]
            r = m.iloc[0].to_dict() if len(m) else {}
            is_count = tabel == "bezoekers"
            rows.append({"jaar": y, "bron": r.get("bron", ""), "tabel": tabel, "rij": rij,
                         "groep": groep, "label": label,
                         "waarde": _count(r.get("n")) if is_count else _pct_or_mark(r),
                         "n": _count(r.get("n")), "N": _count(r.get("N")),
                         "eenheid": "aantal" if is_count else "%"})
    return pd.DataFrame(rows, columns=["jaar", "bron", "tabel", "rij", "groep", "label",
                                       "waarde", "n", "N", "eenheid"], dtype=object)
