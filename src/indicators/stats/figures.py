"""Figures in the house style of the published report.

Grey horizontal bars, the percentage at the end of each bar, Dutch labels, and a title that
states the figure number, the subject and n: "Figuur 6. Dwangmiddelen (n = 261)". Figures
are drawn from the *published* tables: a hidden value gets no bar, only its mark ``x``.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

GREY = "#8c8c8c"
DARK = "#404040"
FONT = "DejaVu Sans"


def fmt_pct(x: float) -> str:
    return f"{x:.1f}".replace(".", ",") + "%"


def fmt_num(x) -> str:
    return f"{x:,}".replace(",", ".") if isinstance(x, int) else str(x)


def n_text(N) -> str:
    return f"n = {fmt_num(N)}"


def hbar(items: list[tuple[str, float | None, str]], title: str, path: Path,
         percent: bool = True) -> Path:
    """One grey bar per item ``(label, value, text at the end)``; value None draws no bar."""
    plt.rcParams["font.family"] = FONT
    height = 0.36 * len(items) + 0.8
    fig, ax = plt.subplots(figsize=(6.4, height), dpi=150)
    ys = list(range(len(items)))[::-1]
    top = max([v for _, v, _ in items if v is not None] + [1])
    xmax = 100 if percent else top
    for y, (_, value, text) in zip(ys, items, strict=True):
        if value is not None and value > 0:
            ax.barh(y, value, color=GREY, height=0.62)
        ax.text((value or 0) + xmax * 0.012, y, text, va="center", ha="left", fontsize=9.5,
                color=DARK)
    ax.set_yticks(ys, [label for label, _, _ in items], fontsize=9.5, color=DARK)
    ax.set_ylim(-0.6, len(items) - 0.4)
    ax.set_xlim(0, xmax * 1.12)
    ax.xaxis.set_visible(False)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color("#bfbfbf")
    ax.tick_params(axis="y", length=0, pad=6)
    fig.suptitle(title, x=0.01, ha="left", fontsize=11, fontweight="bold", color=DARK)
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    fig.savefig(path)
    plt.close(fig)
    return path


def pct_items(rows: list[dict]) -> list[tuple[str, float | None, str]]:
    """Bars from published rows: the percentage, or the mark of a hidden count."""
    out = []
    for r in rows:
        pct = r.get("pct")
        if pct is None or pct != pct:  # None or NaN
            out.append((r["label"], None, str(r["n"]) if isinstance(r["n"], str) else "–"))
        else:
            out.append((r["label"], float(pct), fmt_pct(float(pct))))
    return out


def count_items(rows: list[tuple[str, object]]) -> list[tuple[str, float | None, str]]:
    return [(label, float(v) if isinstance(v, int | float) else None, fmt_num(v))
            for label, v in rows]
