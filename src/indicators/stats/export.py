"""CSV and XLSX export of the published tables, and the summary as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

XLSX_NAME = "tabellen.xlsx"


def write_tables(tables: dict[str, pd.DataFrame], outdir: str | Path) -> list[Path]:
    """One UTF-8 CSV per table (``tabel_<name>.csv``) and one XLSX with a sheet per table."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in tables.items():
        path = outdir / f"tabel_{name}.csv"
        df.to_csv(path, index=False, encoding="utf-8")
        written.append(path)
    xlsx = outdir / XLSX_NAME
    with pd.ExcelWriter(xlsx, engine="openpyxl") as xw:
        for name, df in tables.items():
            df.to_excel(xw, sheet_name=name[:31], index=False)
            sheet = xw.sheets[name[:31]]
            for i, col in enumerate(df.columns, start=1):
                width = max([len(str(col))] + [len(str(v)) for v in df[col].head(200)])
                sheet.column_dimensions[sheet.cell(1, i).column_letter].width = min(width + 2, 60)
    written.append(xlsx)
    return written


def write_summary_json(summary: dict, path: str | Path) -> Path:
    path = Path(path)
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    return path
