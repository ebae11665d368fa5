"""SPSS export: one row per confirmed conversation (microdata, not suppressed).

Variables:

* ``id`` (string), ``year``, ``channel`` (string);
* one 0/1 variable per code, named by the code id, derived codes included
  (0 = niet gecodeerd, 1 = gecodeerd);
* one 0/1 variable per platform, ``platform_<id>``;
* single-choice context variables (``chatter``, ``acuut_onveilig``, ``first_disclosure``) as one
  numeric variable: 1..k in codebook order, ``onbekend`` = 99, declared user-missing;
* multi-choice context variables (``vorm``, ``pleger``) as one 0/1 variable per value
  (``vorm_seksueel``, ``pleger_ouder``, ...). When the variable is unknown (empty or only
  ``onbekend``) all of its dummies are 99 = ``Onbekend``, declared user-missing, so SPSS
  reports them over the conversations where the variable is known.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pyreadstat

from ..codebook import Codebook
from .load import StatRecord

MISSING = 99
YES_NO = {0: "Nee", 1: "Ja"}
CODED = {0: "Niet gecodeerd", 1: "Gecodeerd"}


def sav_frame(records: Sequence[StatRecord], cb: Codebook):
    """The data frame and the pyreadstat metadata (labels, value labels, missing values)."""
    rows: list[dict] = []
    labels = {"id": "Gespreks-id", "year": "Jaar", "channel": "Kanaal"}
    value_labels: dict[str, dict[int, str]] = {}
    missing: dict[str, list[int]] = {}
    measure = {"id": "nominal", "year": "ordinal", "channel": "nominal"}
    for c in cb.codes.values():
        labels[c.id] = c.label
        value_labels[c.id] = CODED
    for p in cb.platforms.values():
        labels[f"platform_{p.id}"] = f"Ontmoetingsplatform: {p.label}"
        value_labels[f"platform_{p.id}"] = CODED
    for var in cb.context.values():
        known = [v for v in var.values if not v.missing]
        if var.number:
            labels[var.id] = var.label
            measure[var.id] = "scale"
        elif var.multi:
            for v in known:
                name = f"{var.id}_{v.id}"
                labels[name] = f"{var.label}: {v.label}"
                value_labels[name] = {**YES_NO, MISSING: "Onbekend"}
                missing[name] = [MISSING]
        else:
            labels[var.id] = var.label
            value_labels[var.id] = {i: v.label for i, v in enumerate(known, start=1)}
            value_labels[var.id][MISSING] = "Onbekend"
            missing[var.id] = [MISSING]
    for r in sorted(records, key=lambda r: (r.year, r.id)):
        row: dict = {"id": r.id, "year": r.year, "channel": r.channel or ""}
        row.update({c: int(c in r.codes) for c in cb.codes})
        row.update({f"platform_{p}": int(p in r.platforms) for p in cb.platforms})
        for var in cb.context.values():
            known = [v.id for v in var.values if not v.missing]
            val = r.context.get(var.id)
            if var.number:
                row[var.id] = float("nan") if val is None else val
            elif var.multi:
                for v in known:
                    row[f"{var.id}_{v}"] = (int(v in val) if val else MISSING)
            else:
                row[var.id] = known.index(val) + 1 if val in known else MISSING
        rows.append(row)
    df = pd.DataFrame(rows, columns=list(labels))
    numbers = [v.id for v in cb.context.values() if v.number]
    df = df.astype({c: "int64" for c in df.columns if c not in ("id", "channel", *numbers)})
    df = df.astype({c: "float64" for c in numbers})
    df = df.astype({"id": str, "channel": str})
    for col in df.columns[3:]:
        measure.setdefault(col, "nominal")
    return df, labels, value_labels, missing, measure


def write_sav(records: Sequence[StatRecord], cb: Codebook, path: str | Path) -> Path:
    df, labels, value_labels, missing, measure = sav_frame(records, cb)
    formats = {c: "F2.0" for c in df.columns[3:]} | {"year": "F4.0"}
    path = Path(path)
    pyreadstat.write_sav(
        df, str(path),
        file_label=f"{cb.name} (codeboek {cb.version}): bevestigde codes per gesprek",
        column_labels=labels,
        variable_value_labels=value_labels,
        missing_ranges=missing,
        variable_measure=measure,
        variable_format=formats,
    )
    return path
