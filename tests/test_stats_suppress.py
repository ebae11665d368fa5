"""Small-cell protection attacked the way an analyst would.

The analyst takes every count published in the CSV tables of a run, knows that a hidden
cell (``x``) holds at least 1 (zeros are published), takes the published average and median
age, and (worst case) knows exactly how the tables are related: which published cells each
kind of visitor falls in. The unknowns are the numbers of visitors of each kind, all >= 0;
every published count is an equation. With ``scipy.optimize.linprog`` the analyst computes
the smallest and largest value every hidden cell can have. The run passes when no hidden
cell is pinned to one value, while the same attack does recover small cells when only the
small cells themselves are hidden (so the attack has teeth).

The model of the attack is written here, independently of the package's own audit.
"""

from __future__ import annotations

import csv
import json
import math
import random
from datetime import date, timedelta

import numpy as np
import pytest
from scipy.optimize import linprog

from indicators.codebook import load_codebook
from indicators.stats.pipeline import run_stats
from indicators.stats.suppress import Suppression, publish, suppress


def synthetic(n_per_year: int, seed: int) -> list[dict]:
    """Conversations with registration data, drawn at random from the codebook's values."""
    cb = load_codebook()
    rng = random.Random(seed)
    coercion = ["sextortion", "inwonend", "geweld_fysiek", "geweld_psychisch",
                "leeftijdsverschil", "financiele_afhankelijkheid", "middelenafhankelijkheid"]
    out = []
    for year in (2023, 2024):
        for i in range(n_per_year):
            vorm = rng.choices([["seksueel"], ["crimineel"], ["seksueel", "crimineel"],
                                ["arbeid"], []], [60, 15, 10, 3, 12])[0]
            pleger = rng.choices([["partner"], ["ouder"], ["online_onbekende"],
                                  ["sociale_omgeving"], ["partner", "sociale_omgeving"], []],
                                 [35, 12, 20, 15, 5, 13])[0]
            codes = [c for c in coercion if rng.random() < 0.3]
            platforms = []
            if "ouder" not in pleger and rng.random() < 0.6:
                if rng.random() < 0.65:
                    codes.append("ontmoeting_online")
                    if rng.random() < 0.7:
                        platforms = [rng.choice(["instagram", "snapchat", "tiktok",
                                                 "whatsapp", "tinder", "game"])]
                else:
                    codes.append("ontmoeting_offline")
            if "seksueel" in vorm:
                codes += [c for c in cb.klant_codes if rng.random() < 0.15]
            ctx = {"chatter": rng.choices(["slachtoffer", "familielid", "sociale_omgeving",
                                           "hulpverlener", "onbekend"], [70, 10, 8, 5, 7])[0],
                   "vorm": vorm, "pleger": pleger,
                   "acuut_onveilig": rng.choice(["ja", "nee", "onbekend"]),
                   "first_disclosure": rng.choice(["ja", "nee", "onbekend"]),
                   "duur": rng.choice(["korter_dan_3_maanden", "3_tot_12_maanden",
                                       "1_tot_2_jaar", "2_tot_5_jaar", "langer_dan_5_jaar",
                                       "onbekend", "onbekend"]),
                   "aantal_plegers": rng.choice(["een", "een", "meerdere", "onbekend"]),
                   "leeftijd": rng.choice([None, *range(12, 26), 31])}
            meta = {"bezoeker_id": f"u{year}-{rng.randrange(int(n_per_year * 0.85))}",
                    "startdatum": (date(year, 1, 1) + timedelta(rng.randrange(365))).isoformat(),
                    "geslacht": rng.choices(["vrouw", "man", "neutraal", "onbekend"],
                                            [80, 12, 2, 6])[0],
                    "in_onderzoek": rng.choices(["ja", "nee"], [95, 5])[0],
                    "channel": rng.choice(["csg", "chatmetfier"])}
            if rng.random() < 0.7:
                meta["leeftijd"] = ctx["leeftijd"]
            out.append({"id": f"S{year}-{i:03d}", "year": year, "turns": [],
                        "gold": {"codes": codes, "ontmoeting_platforms": platforms,
                                 "context": ctx}, "meta": meta})
    return out


@pytest.fixture(scope="module")
def published_run(tmp_path_factory):
    d = tmp_path_factory.mktemp("attack")
    src = d / "data.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in synthetic(70, 11)), encoding="utf-8")
    run = run_stats([src], d / "out", min_cell=5, qdpx=False, pdf=False)
    return run, d / "out"


def read_published(outdir) -> dict[tuple, dict]:
    """Every published row of the CSV tables, as the analyst reads them (Dutch Excel CSV)."""
    rows = {}
    for f in sorted((outdir / "tabellen").glob("*.csv")):
        if f.stem in ("trend", "samenvatting", "eerdere_jaren"):
            continue
        with f.open(encoding="utf-8-sig", newline="") as fh:
            for r in csv.DictReader(fh, delimiter=";"):
                rows[(r["jaar"], r["tabel"], r["rij"], r["groep"])] = r
    return rows


def structure(run) -> dict[tuple, tuple]:
    """What the analyst knows in the worst case: the visitors behind every published cell."""
    reg = run.result.registry
    out = {}
    for name, df in run.result.tables.items():
        for r in df.to_dict("records"):
            key = (r["jaar"], name, r["rij"], r["groep"])
            n = reg.cells[r["_n_key"]] if isinstance(r["_n_key"], str) else None
            N = reg.cells[r["_N_key"]]
            out[key] = (n, N)
    return out


def _number(s: str):
    return None if s in ("", None) else s if s == "x" else float(s.replace(",", "."))


def attack(run, shown: dict, year: int, ages: dict | None = None):
    """The analyst's (min, max) for every hidden cell of one year.

    ``shown``: cell -> published value (a number, or "x" for hidden), per distinct cell.
    """
    units = run.result.registry.units[year]
    cells = list(shown)
    sig = [[] for _ in units]
    for ci, c in enumerate(cells):
        w = c.weights or (1,) * len(c.members)
        for m, wt in zip(c.members, w, strict=True):
            sig[m].append((ci, wt))
    if ages:
        for u, age in ages["age"].items():
            sig[u].append(("age", age))
    kinds: dict[tuple, list[int]] = {}
    for u, s in enumerate(sig):
        kinds.setdefault(tuple(s), []).append(u)
    kinds_l = list(kinds.values())
    coef = np.zeros((len(cells), len(kinds_l)))
    for k, us in enumerate(kinds_l):
        for ci, wt in (x for x in sig[us[0]] if x[0] != "age"):
            coef[ci, k] = wt
    eq = [i for i, c in enumerate(cells) if shown[c] != "x"]
    hidden = [i for i, c in enumerate(cells) if shown[c] == "x"]
    A_ub, b_ub = [-coef[i] for i in hidden], [-1.0] * len(hidden)
    if ages and ages["mean"] is not None:  # published average age (one decimal) over N
        v = np.array([ages["age"].get(us[0], 0) for us in kinds_l], dtype=float)
        ind = np.array([us[0] in ages["age"] for us in kinds_l], dtype=float)
        N = ages["N"]
        A_ub += [v * ind, -v * ind]
        b_ub += [(ages["mean"] + 0.05) * N, -(ages["mean"] - 0.05) * N]
    res = {}
    for i in hidden:
        bounds = []
        for sign in (1, -1):
            r = linprog(sign * coef[i], A_ub=np.array(A_ub) if A_ub else None,
                        b_ub=np.array(b_ub) if b_ub else None,
                        A_eq=coef[eq] if eq else None,
                        b_eq=np.array([shown[cells[j]] for j in eq]) if eq else None,
                        bounds=(0, None), method="highs")
            assert r.status in (0, 3), r.message
            bounds.append(sign * r.fun if r.status == 0 else sign * math.inf)
        res[cells[i]] = tuple(bounds)
    return res


def whole(lo, hi) -> int:
    return math.inf if math.isinf(hi) else math.floor(hi + 1e-6) - math.ceil(lo - 1e-6) + 1


def published_cells(run, rows, year: int) -> dict:
    """Distinct cells of a year with their published value; the same cell must be published
    alike wherever it appears."""
    out = {}
    for key, (n, N) in structure(run).items():
        if key[0] != str(year):
            continue
        row = rows[key]
        for c, val in ((n, row["n"]), (N, row["N"])):
            if c is None:
                continue
            v = _number(val)
            assert v == "x" or v == c.value, (key, val, c.value)  # published = true count
            assert out.get(c, v) == v, (key, "same group published differently")
            out[c] = v
    return out


def age_knowledge(run, rows, year):
    reg = run.result.registry
    units = reg.units[year]
    mean = _number(rows[(str(year), "leeftijd", "gemiddelde", "alle")]["waarde"])
    N = _number(rows[(str(year), "leeftijd", "gemiddelde", "alle")]["N"])
    return {"age": {i: u.leeftijd for i, u in enumerate(units) if u.leeftijd is not None},
            "mean": None if mean in (None, "x") or N == "x" else mean, "N": N}


def test_published_counts_are_true_and_small_ones_hidden(published_run):
    run, out = published_run
    rows = read_published(out)
    for year in (2023, 2024):
        cells = published_cells(run, rows, year)
        small = [c for c in cells if 0 < c.value < 5]
        assert small, "the data must have small cells to protect"
        assert all(cells[c] == "x" for c in small)
        assert any(cells[c] == "x" and c.value >= 5 for c in cells), "no secondary cells?"
    for r in rows.values():  # a hidden count has no percentage
        if "x" in (r["n"], r["N"]):
            assert r["pct"] == ""


def test_the_analyst_recovers_no_hidden_cell(published_run):
    run, out = published_run
    rows = read_published(out)
    for year in (2023, 2024):
        cells = published_cells(run, rows, year)
        ranges = attack(run, cells, year, age_knowledge(run, rows, year))
        assert ranges
        for c, (lo, hi) in ranges.items():
            assert lo - 1e-6 <= c.value <= hi + 1e-6
            assert whole(lo, hi) >= 2, (year, c.value, lo, hi)


def test_hiding_only_the_small_cells_can_be_worked_back(published_run):
    """Without secondary suppression the same attack recovers small cells: it has teeth."""
    run, _ = published_run
    res = run.result
    naive = Suppression(5, {k: "primary" for k, c in res.registry.cells.items()
                            if 0 < c.value < 5})
    recovered = 0
    for year in (2023, 2024):
        cells = {c: ("x" if c.key in naive.hidden else c.value)
                 for c in res.registry.cells.values() if c.year == year}
        for c, (lo, hi) in attack(run, cells, year).items():
            if whole(lo, hi) == 1 and 0 < c.value < 5:
                recovered += 1
    assert recovered > 0


def test_same_group_is_hidden_under_every_name(published_run):
    run, out = published_run
    rows = read_published(out)
    by_cell: dict = {}
    for key, (n, N) in structure(run).items():
        for c, col in ((n, "n"), (N, "N")):
            if c is not None:
                by_cell.setdefault(c.key, set()).add(rows[key][col] == "x")
    assert all(len(v) == 1 for v in by_cell.values())
    # and the data does have one group under several names (e.g. a category and the
    # population of a column in another table)
    names = {}
    for key, (n, _N) in structure(run).items():
        if n is not None and n.value > 0:
            names.setdefault(n.key, set()).add(key[1])
    assert any(len(t) > 1 for t in names.values())


def test_primary_and_secondary_on_a_tiny_table():
    """Unit level: the package's own audit on the hand-made data hides every cell 1-4 and
    leaves none pinned."""
    from indicators.stats.load import dedupe, load_records
    from indicators.stats.tables import build
    from indicators.stats.visitors import link_visitors

    cb = load_codebook()
    path = __import__("pathlib").Path(__file__).parent / "data" / "stats" / "report_small.jsonl"
    recs, _ = dedupe(load_records([path], cb).confirmed)
    res = build(link_visitors([r for r in recs if r.in_onderzoek != "nee"]).units, cb)
    sup = suppress(res, 5)
    pub = publish(res, sup)
    for k, c in res.registry.cells.items():
        if 0 < c.value < 5:
            assert k in sup.hidden
    for k in sup.hidden:
        lo, hi = sup.ranges[k]
        assert whole(lo, hi) >= 2
    assert set(pub["vorm"]["n"]) <= {"x", 0}
