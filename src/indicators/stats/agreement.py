"""Inter-coder and machine-coder agreement per code, context variable and platform, with
bootstrap 95% intervals.

* Coders: the same conversation id in records from different coders (``review.coder``, else the
  file name without extension). Per item, Cohen's kappa for every pair of coders over the
  conversations both coded, and Krippendorff's alpha (nominal) over all coders and every
  conversation coded by at least two of them. Items: every code (coded or not); every
  single-choice context variable with its values (``onbekend`` is a value: one coder saying
  "not said" where the other reads a value is a disagreement); every value of a multi-choice
  variable (``vorm=seksueel``: the value chosen or not); the age (the same whole number or
  both unknown); every meeting platform and platform type (named or not).
* A pair of coders whose files share no conversation gives a warning: nothing can be compared.
* Machine: suggestions (``{"id", "codes"}`` lines, or ``review.machine.codes`` in the records)
  against the confirmed codes (one record per conversation, as in the tables): kappa,
  precision and recall of the machine.
* Intervals: percentile bootstrap over conversations, 1000 resamples, fixed seed. A statistic
  that is undefined (e.g. kappa when both raters never use a code) is ``None``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import combinations
from pathlib import Path

import numpy as np

from ..codebook import Codebook
from ..corpus.lines import LineError, json_lines
from ..metrics import counts
from .load import Problem, StatRecord, dedupe, jsonl_files

N_BOOT = 1000
SEED = 20240611


def cohen_kappa(a: np.ndarray, b: np.ndarray) -> float:
    """Cohen's kappa for two raters' nominal labels (numbers); nan when undefined."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    n = len(a)
    if n == 0:
        return float("nan")
    po = np.mean(a == b)
    cats = np.union1d(a, b)
    pe = float(sum(np.mean(a == k) * np.mean(b == k) for k in cats))
    return float("nan") if pe >= 1 - 1e-12 else float((po - pe) / (1 - pe))


def krippendorff_alpha_nominal(data: np.ndarray) -> float:
    """Krippendorff's alpha, nominal: ``data`` is raters x units with nan for missing."""
    data = np.asarray(data, dtype=float)
    values = np.unique(data[~np.isnan(data)])
    # counts[u, c]: how many raters gave unit u value c
    counts = np.stack([(data == v).sum(axis=0) for v in values], axis=1).astype(float)
    m = counts.sum(axis=1)
    counts, m = counts[m >= 2], m[m >= 2]
    if len(m) == 0:
        return float("nan")
    # coincidence matrix o[c, k] = sum_u (n_uc n_uk - [c=k] n_uc) / (m_u - 1)
    o = np.einsum("uc,uk->ck", counts / (m - 1)[:, None], counts)
    o -= np.diag((counts / (m - 1)[:, None]).sum(axis=0))
    n_c = o.sum(axis=1)
    n = n_c.sum()
    d_o = o.sum() - np.trace(o)
    d_e = (n_c.sum() ** 2 - (n_c**2).sum()) / (n - 1)
    return float("nan") if d_e == 0 else float(1 - d_o / d_e)


def precision_recall(machine: np.ndarray, gold: np.ndarray) -> tuple[float, float]:
    """Precision and recall of the machine against the coders; NaN where undefined."""
    tp, fp, fn = counts(machine, gold)
    return (tp / (tp + fp) if tp + fp else float("nan"),
            tp / (tp + fn) if tp + fn else float("nan"))


def _clean(x: float) -> float | None:
    return None if x is None or np.isnan(x) else round(float(x), 4)


def bootstrap(stat, columns: Sequence[np.ndarray], n_boot: int = N_BOOT,
              seed: int = SEED, axis: int = 0) -> tuple[float | None, float | None]:
    """Percentile 95% interval of ``stat(*columns)`` resampling units along ``axis``."""
    n = columns[0].shape[axis]
    if n < 2 or n_boot < 1:  # --bootstrap 0: no intervals
        return None, None
    rng = np.random.default_rng(seed)
    vals = []
    for _ in range(n_boot):
        idx = rng.integers(0, n, n)
        v = stat(*(np.take(c, idx, axis=axis) for c in columns))
        if not np.isnan(v):
            vals.append(v)
    if len(vals) < n_boot / 2:  # mostly undefined: no interval
        return None, None
    lo, hi = np.percentile(vals, [2.5, 97.5])
    return _clean(lo), _clean(hi)


def coder_name(rec: StatRecord) -> str:
    return rec.coder or Path(rec.source).stem


def items(cb: Codebook) -> dict[str, dict[str, Callable[[StatRecord], object]]]:
    """What is compared, per group: name -> the value a record gives it."""
    codes = {c: (lambda r, c=c: int(c in r.codes)) for c in cb.codes}
    context: dict[str, Callable[[StatRecord], object]] = {}
    for var in cb.context.values():
        if var.number:
            context[var.id] = lambda r, v=var.id: r.context.get(v)
        elif var.multi:
            for x in var.values:
                if not x.missing:
                    context[f"{var.id}={x.id}"] = (
                        lambda r, v=var.id, x=x.id: int(x in (r.context.get(v) or ())))
        else:
            context[var.id] = lambda r, v=var.id: r.context.get(v)
    platforms = {f"platform_{p}": (lambda r, p=p: int(p in r.platforms)) for p in cb.platforms}
    for t in cb.platform_types:
        platforms[f"platformtype_{t}"] = (
            lambda r, t=t: int(any(cb.platforms[p].type == t for p in r.platforms)))
    return {"codes": codes, "context": context, "platforms": platforms}


def _entry(mat: np.ndarray, coders: list[str], n_boot: int) -> dict:
    n_units = mat.shape[1]
    entry = {"n_units": n_units,
             "alpha": _clean(krippendorff_alpha_nominal(mat)) if n_units else None}
    entry["alpha_ci95"] = list(bootstrap(krippendorff_alpha_nominal, [mat], n_boot,
                                         axis=1)) if n_units else [None, None]
    pairs = []
    for i, k in combinations(range(len(coders)), 2):
        both = ~np.isnan(mat[i]) & ~np.isnan(mat[k])
        a, b = mat[i, both], mat[k, both]
        pairs.append({"coders": [coders[i], coders[k]], "n_units": int(both.sum()),
                      "kappa": _clean(cohen_kappa(a, b)),
                      "kappa_ci95": list(bootstrap(cohen_kappa, [a, b], n_boot))})
    entry["pairs"] = pairs
    return entry


def coder_agreement(records: Sequence[StatRecord], cb: Codebook,
                    n_boot: int = N_BOOT) -> dict:
    """Per code, context variable (value) and platform: pairwise kappa and overall alpha over
    double-coded conversations; warnings for coders who share no conversation."""
    by: dict[str, dict[str, StatRecord]] = {}
    for rec in records:
        name = coder_name(rec)
        old = by.setdefault(rec.id, {}).get(name)
        if old is None or (rec.confirmed_at or "") >= (old.confirmed_at or ""):
            by[rec.id][name] = rec
    all_coders = sorted({c for d in by.values() for c in d})
    multi = {cid: d for cid, d in by.items() if len(d) >= 2}
    coders = sorted({c for d in multi.values() for c in d})
    units = sorted(multi)
    warnings = []
    for a, b in combinations(all_coders, 2):
        if not any(a in d and b in d for d in by.values()):
            warnings.append(f"coders {a} and {b} share no conversation: their agreement "
                            "cannot be computed")
    out = {"coders": coders, "all_coders": all_coders,
           "double_coded_conversations": len(units), "warnings": warnings}
    for group, its in items(cb).items():
        out[group] = {}
        for name, get in its.items():
            raw = [[get(multi[u][c]) if c in multi[u] else _NA for u in units] for c in coders]
            out[group][name] = _entry(_numeric(raw), coders, n_boot)
    return out


_NA = object()


def _numeric(raw: list[list]) -> np.ndarray:
    """Category values as numbers (nan where a coder did not code the conversation)."""
    cats: dict = {}
    mat = np.full((len(raw), len(raw[0]) if raw else 0), np.nan)
    for i, row in enumerate(raw):
        for j, v in enumerate(row):
            if v is not _NA:
                mat[i, j] = cats.setdefault(v, len(cats))
    return mat


def read_suggestions(path: str | Path) -> tuple[dict[str, list[str]], list[Problem]]:
    """Machine suggestions: JSONL lines ``{"id": ..., "codes": [...]}``."""
    sugg: dict[str, list[str]] = {}
    problems: list[Problem] = []
    for f in jsonl_files([path]):
        for lineno, obj in json_lines(f):
            if isinstance(obj, LineError):
                problems.append(Problem(str(f), lineno, obj.detail))
                continue
            if not (isinstance(obj, dict) and isinstance(obj.get("id"), str)
                    and isinstance(obj.get("codes"), list)):
                problems.append(Problem(str(f), lineno, "expected {id, codes: [...]}"))
                continue
            sugg[obj["id"]] = [c for c in obj["codes"] if isinstance(c, str)]
    return sugg, problems


def machine_agreement(records: Sequence[StatRecord], suggestions: dict[str, list[str]] | None,
                      cb: Codebook, n_boot: int = N_BOOT) -> dict:
    """Machine suggestions vs confirmed codes, per code: kappa, precision, recall (+ CIs)."""
    confirmed, _ = dedupe(list(records))
    if suggestions is None:
        suggestions = {r.id: list(r.machine_codes) for r in confirmed
                       if r.machine_codes is not None}
    pairs = [(set(cb.with_derived(suggestions[r.id])), r.codes)
             for r in confirmed if r.id in suggestions]
    out = {"n_units": len(pairs), "missing_confirmed": sorted(set(suggestions) -
                                                              {r.id for r in confirmed}),
           "codes": {}}
    for code in cb.codes:
        m = np.array([float(code in s) for s, _ in pairs])
        g = np.array([float(code in c) for _, c in pairs])
        p, r = precision_recall(m, g) if pairs else (float("nan"), float("nan"))
        out["codes"][code] = {
            "n_units": len(pairs), "machine_pos": int(m.sum()), "confirmed_pos": int(g.sum()),
            "kappa": _clean(cohen_kappa(m, g)) if pairs else None,
            "kappa_ci95": list(bootstrap(cohen_kappa, [m, g], n_boot)),
            "precision": _clean(p),
            "precision_ci95": list(bootstrap(lambda a, b: precision_recall(a, b)[0], [m, g],
                                             n_boot)),
            "recall": _clean(r),
            "recall_ci95": list(bootstrap(lambda a, b: precision_recall(a, b)[1], [m, g],
                                          n_boot)),
        }
    out["missing_confirmed"] = len(out["missing_confirmed"])
    return out
