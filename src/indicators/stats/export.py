"""Tables for Dutch Excel (CSV: semicolon, decimal comma, UTF-8 with BOM) and as XLSX.

Both hold the published (suppressed) figures. In the XLSX, counts and percentages are numbers;
a hidden cell holds the text ``x`` on a grey background, and the column ``onderdrukt`` says
which of n and N are hidden, so that a formula can leave them out.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from openpyxl.styles import Font, PatternFill

from .suppress import MARK

XLSX_NAME = "tabellen.xlsx"
PUBLISHED = ["jaar", "tabel", "rij", "label", "groep", "groep_label", "soort", "n", "N", "pct",
             "waarde"]
GREY = PatternFill("solid", fgColor="D9D9D9")


def with_status(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    if {"n", "N"} <= set(df.columns):
        df["onderdrukt"] = [
            " en ".join(c for c, v in (("n", n), ("N", N)) if v == MARK)
            for n, N in zip(df["n"], df["N"], strict=True)]
    return df


def nl_csv(df: pd.DataFrame, path: Path) -> Path:
    """CSV that Dutch Excel opens as columns: ``;``, decimal comma, UTF-8 with BOM."""
    def fmt(x):
        if x is None or (isinstance(x, float) and pd.isna(x)) or x is pd.NA:
            return ""
        if isinstance(x, float):
            return f"{x:.1f}".replace(".", ",")
        return str(x)
    out = df.copy()
    for c in out.columns:
        out[c] = out[c].map(fmt)
    out.to_csv(path, sep=";", index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return path


def write_tables(tables: dict[str, pd.DataFrame], outdir: str | Path,
                 sheet_titles: dict[str, str] | None = None) -> list[Path]:
    """``tabellen/<naam>.csv`` per table and ``tabellen.xlsx`` with a sheet per table."""
    outdir = Path(outdir)
    csvdir = outdir / "tabellen"
    csvdir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in tables.items():
        written.append(nl_csv(with_status(df), csvdir / f"{name}.csv"))
    xlsx = outdir / XLSX_NAME
    with pd.ExcelWriter(xlsx, engine="openpyxl") as xw:
        legend = pd.DataFrame({"blad": list(tables), "inhoud": [
            (sheet_titles or {}).get(n, n) for n in tables]})
        legend.loc[len(legend)] = ["", f"'{MARK}' = niet gepubliceerd (klein aantal, of "
                                       "verborgen om terugrekenen te voorkomen)"]
        legend.to_excel(xw, sheet_name="inhoud", index=False)
        for name, df in tables.items():
            df = with_status(df)
            sheet_name = name[:31]
            df.to_excel(xw, sheet_name=sheet_name, index=False)
            sheet = xw.sheets[sheet_name]
            for i, col in enumerate(df.columns, start=1):
                width = max([len(str(col))] + [len(str(v)) for v in df[col].head(300)])
                letter = sheet.cell(1, i).column_letter
                sheet.column_dimensions[letter].width = min(width + 2, 60)
                if col in ("pct", "waarde"):
                    for row in range(2, len(df) + 2):
                        sheet.cell(row, i).number_format = "0.0"
                if col in ("n", "N"):
                    for row in range(2, len(df) + 2):
                        c = sheet.cell(row, i)
                        if c.value == MARK:
                            c.fill = GREY
                            c.font = Font(italic=True)
            sheet.freeze_panes = "A2"
    written.append(xlsx)
    return written


def write_json(data: dict, path: str | Path) -> Path:
    path = Path(path)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str),
                    encoding="utf-8")
    return path
