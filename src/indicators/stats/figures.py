"""Bar charts in the plain style of a research report (grey bars, no chart junk).

Figures are drawn from the *published* tables, so suppressed cells stay suppressed: such a
bar is left out and labelled ``<5`` (small) or ``x`` (hidden against back-calculation).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from ..codebook import Codebook  # noqa: E402
from .tables import TOTAL  # noqa: E402

GREYS = ("#7f7f7f", "#bfbfbf")
XLABEL = "Percentage van de gesprekken (%)"


def fmt_pct(x: float) -> str:
    return f"{x:.1f}".replace(".", ",") + "%"


def _style(ax) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(length=3, labelsize=9)
    ax.set_xlim(0, 105)


def _n_label(N) -> str:
    return f"n = {N}" if isinstance(N, int) else f"n {N}"


def hbar(rows: pd.DataFrame, title: str, path: Path, labels: list[str] | None = None) -> Path:
    """Horizontal bars of ``pct`` (one per row, top to bottom in the given order)."""
    labels = labels or list(rows["label"])
    fig, ax = plt.subplots(figsize=(6.3, 0.42 * len(rows) + 1.3), dpi=150)
    ys = list(range(len(rows)))[::-1]
    for y, (_, r) in zip(ys, rows.iterrows(), strict=True):
        pct = r["pct"]
        if pct is None or pd.isna(pct):
            ax.text(1, y, str(r["n"]) if isinstance(r["n"], str) else "n.v.t.",
                    va="center", fontsize=8)
            continue
        ax.barh(y, pct, color=GREYS[0], height=0.6)
        ax.text(pct + 1, y, fmt_pct(pct), va="center", fontsize=8)
    ax.set_yticks(ys, labels)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlabel(XLABEL, fontsize=9)
    _style(ax)
    fig.suptitle(title, x=0.02, ha="left", fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def grouped_by_year(df: pd.DataFrame, indicators: list[str], groep: str, title: str,
                    path: Path) -> Path:
    years = [j for j in df["jaar"].unique() if j != TOTAL]
    fig, ax = plt.subplots(figsize=(6.3, 3.2), dpi=150)
    width = 0.8 / len(indicators)
    for i, ind in enumerate(indicators):
        labelled = False
        sub = df[(df["indicator"] == ind) & (df["groep"] == groep)].set_index("jaar")
        for x, year in enumerate(years):
            r = sub.loc[year]
            xpos = x - 0.4 + width * (i + 0.5)
            if r["pct"] is None or pd.isna(r["pct"]):
                ax.text(xpos, 1, str(r["n"]), ha="center", fontsize=7)
                continue
            ax.bar(xpos, r["pct"], width=width * 0.9, color=GREYS[i % 2],
                   label=None if labelled else sub["label"].iloc[0])
            labelled = True
    ax.set_xticks(range(len(years)), years)
    ax.set_xlim(-0.6, len(years) - 0.4)
    ax.set_xlabel("Jaar", fontsize=9)
    ax.set_ylabel(XLABEL, fontsize=9)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_ylim(0, 105)
    ax.tick_params(length=3, labelsize=9)
    ax.legend(frameon=False, fontsize=8)
    fig.suptitle(title, x=0.02, ha="left", fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def make_figures(tables: dict[str, pd.DataFrame], cb: Codebook, outdir: str | Path,
                 min_cell: int | None = 5) -> list[Path]:
    """Write the report's figures as PNG; returns their paths in figure order."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []

    def total(name: str, groep: str, inds: list[str] | None = None) -> pd.DataFrame:
        df = tables[name]
        df = df[(df["jaar"] == TOTAL) & (df["groep"] == groep)]
        if inds:
            df = df.set_index("indicator").loc[inds].reset_index()
        return df

    def nxt(stem: str, rows: pd.DataFrame, title: str, labels=None) -> None:
        if rows.empty:
            return
        num = len(out) + 1
        t = f"Figuur {num}. {title} ({_n_label(rows['N'].iloc[0])})"
        out.append(hbar(rows, t, outdir / f"figuur{num}_{stem}.png", labels))

    nxt("dwangmiddelen", total("dwangmiddelen", "dwangmiddel", ["sextortion", "inwonend"]),
        "Dwangmiddelen")
    nxt("ontmoeting", total("ontmoeting", "ontmoeting",
                            ["ontmoeting_online", "ontmoeting_offline"]),
        "Manier van ontmoeten", ["Online", "Offline"])
    pt = total("platformtypes", "platform_genoemd")
    pt = pt.assign(_k=pd.to_numeric(pt["n"], errors="coerce").fillna(0))
    nxt("platformtypes", pt.sort_values("_k", ascending=False, kind="stable"),
        "Ontmoetingsplatforms naar type")
    kl = total("klantbewustzijn", "vorm=seksueel")
    nxt("klantbewustzijn", kl, "Klant op de hoogte, seksuele uitbuiting")
    years = [j for j in tables["dwangmiddelen"]["jaar"].unique() if j != TOTAL]
    if len(years) > 1:
        num = len(out) + 1
        N = total("dwangmiddelen", "dwangmiddel", ["sextortion"])["N"].iloc[0]
        out.append(grouped_by_year(
            tables["dwangmiddelen"], ["sextortion", "inwonend"], "dwangmiddel",
            f"Figuur {num}. Dwangmiddelen per jaar ({_n_label(N)})",
            outdir / f"figuur{num}_dwangmiddelen_per_jaar.png"))
    return out
