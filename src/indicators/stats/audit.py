"""The attacker's view of the published tables: linear programming over groups of visitors.

An analyst who wants a hidden count back knows every published count, that a hidden cell
holds at least 1 (zeros are published), the published averages, medians and extremes, and (worst case) how the tables relate: which
published cells every kind of visitor falls in. So the unknowns are the numbers of visitors of
each *atom* (visitors that fall in exactly the same published cells, with the same weights and
values), all >= 0; each published count is a linear equation over them, each hidden cell a
bound. The smallest and largest value a hidden cell can take under these constraints
(``scipy.optimize.linprog``) is what the analyst can learn. A hidden cell is *protected* when
that range holds at least ``width + 1`` whole numbers.

The same model is used by the suppression (to choose secondary cells until every hidden cell
is protected) and, written independently, by the test that attacks the published output.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix, vstack

from .cells import Registry

EPS = 1e-6
MEAN_HALF_WIDTH = 0.05  # averages are published to one decimal


class YearModel:
    """Atoms and cell coefficients for one year."""

    def __init__(self, reg: Registry, year: int, stat_rows: Iterable[dict] = ()):
        units = reg.units[year]
        self.cells = [c for c in reg.cells.values() if c.year == year]
        self.index = {c.key: i for i, c in enumerate(self.cells)}
        self.stats = list(stat_rows)
        sig: list[list] = [[] for _ in units]
        for ci, c in enumerate(self.cells):
            for j, m in enumerate(c.members):
                sig[m].append((ci, 1 if c.weights is None else c.weights[j]))
        for si, s in enumerate(self.stats):
            for m, v in zip(s["members"], s["values"], strict=True):
                sig[m].append(("s", si, v))
        atoms: dict[tuple, list[int]] = {}
        for i, s in enumerate(sig):
            atoms.setdefault(tuple(s), []).append(i)
        self.atoms = list(atoms.values())
        self.truth = np.array([len(a) for a in self.atoms], dtype=float)
        atom_of = {u: ai for ai, us in enumerate(self.atoms) for u in us}
        rows, cols, vals = [], [], []
        for ci, c in enumerate(self.cells):
            coef: dict[int, float] = {}
            for j, m in enumerate(c.members):
                # every unit of an atom has the same weight in the cell
                coef[atom_of[m]] = 1 if c.weights is None else c.weights[j]
            for ai, w in coef.items():
                rows.append(ci)
                cols.append(ai)
                vals.append(w)
        self.C = csr_matrix((vals, (rows, cols)), shape=(len(self.cells), len(self.atoms)))
        self.values = np.array([c.value for c in self.cells], dtype=float)
        self.atom_values = [{} for _ in self.atoms]  # per stat row: the value of an atom
        for si, s in enumerate(self.stats):
            for m, v in zip(s["members"], s["values"], strict=True):
                self.atom_values[atom_of[m]][si] = v
        self.stat_members = [{atom_of[m] for m in s["members"]} for s in self.stats]

    def _stat_constraints(self, shown_stats: Iterable[int]):
        """Inequalities A x <= b from published averages, medians and extremes."""
        A, b, Aeq, beq = [], [], [], []
        n = len(self.atoms)
        for si in shown_stats:
            s = self.stats[si]
            members = self.stat_members[si]
            N = len(s["members"])
            val = s["value"]
            if val is None or N == 0:
                continue
            v = np.zeros(n)
            for ai in members:
                v[ai] = self.atom_values[ai][si]
            ind = np.zeros(n)
            ind[list(members)] = 1
            if s["kind"] == "gemiddelde":
                A.append(v)
                b.append((val + MEAN_HALF_WIDTH) * N)
                A.append(-v)
                b.append(-(val - MEAN_HALF_WIDTH) * N)
            elif s["kind"] == "mediaan":
                A.append(ind * (v < val - EPS))
                b.append(N / 2)
                A.append(ind * (v > val + EPS))
                b.append(N / 2)
            elif s["kind"] in ("minimum", "maximum"):
                beyond = (v < val - EPS) if s["kind"] == "minimum" else (v > val + EPS)
                Aeq.append(ind * beyond)
                beq.append(0.0)
                A.append(-(ind * (np.abs(v - val) < EPS)))
                b.append(-1.0)
        return A, b, Aeq, beq

    def ranges(self, hidden: Iterable[str], targets: Iterable[str],
               shown_stats: Iterable[int] = (), binding: dict | None = None
               ) -> dict[str, tuple[float, float]]:
        """The attacker's (min, max) for each target cell, given the hidden cells and marks.

        With ``binding`` (a dict), also collects per target the shown cells whose equations
        hold the bounds (non-zero dual values): the cells to hide next."""
        hidden = set(hidden)
        shown = [i for i, c in enumerate(self.cells) if c.key not in hidden]
        hid = [self.index[k] for k in hidden if k in self.index]
        sA, sb, sAeq, sbeq = self._stat_constraints(shown_stats)
        A_ub = vstack([-self.C[hid], csr_matrix(np.array(sA).reshape(len(sA), -1))]
                      if sA else [-self.C[hid]]).tocsr() if hid or sA else None
        b_ub = np.concatenate([-np.ones(len(hid)), sb]) if A_ub is not None else None
        A_eq = self.C[shown]
        b_eq = self.values[shown]
        if sAeq:
            A_eq = vstack([A_eq, csr_matrix(np.array(sAeq))]).tocsr()
            b_eq = np.concatenate([b_eq, sbeq])
        if A_eq.shape[0] == 0:
            A_eq, b_eq = None, None
        out = {}
        for key in targets:
            obj = self.C[self.index[key]].toarray().ravel()
            res = []
            for sign in (1, -1):
                r = linprog(sign * obj, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq,
                            bounds=(0, None), method="highs")
                res.append(sign * r.fun if r.status == 0 else (-math.inf if sign == 1
                                                                else math.inf))
                if binding is not None and r.status == 0 and A_eq is not None:
                    marg = r.eqlin.marginals[:len(shown)]
                    binding.setdefault(key, set()).update(
                        self.cells[shown[i]].key for i in np.flatnonzero(np.abs(marg) > EPS))
            out[key] = (res[0], res[1])
        return out


def whole_numbers(lo: float, hi: float) -> int:
    """How many whole numbers lie in [lo, hi] (inf when unbounded)."""
    if math.isinf(hi) or math.isinf(lo):
        return math.inf
    return max(0, math.floor(hi + EPS) - math.ceil(lo - EPS) + 1)


def protected(lo: float, hi: float, width: int = 1) -> bool:
    """The analyst is left with at least ``width + 1`` possible whole numbers."""
    return whole_numbers(lo, hi) >= width + 1
