"""Learning curve of the code classifier: CV metrics per code against training set size.

For each size n (default: five sizes up to a whole training fold) and each repeat: take a random subset of n
training conversations, fit the classifier on it (thresholds from an inner 5-fold CV on the
subset) and score it on conversations outside the subset (5-fold outer CV over the corpus:
each outer fold's held-out part is scored by models trained on subsets of the other folds).
Writes a CSV table (size, repeat, code, precision, recall, f1 for classifier and combined)
and a PNG figure of micro F1 (classifier, combined, rules) against size.

    .venv/bin/python scripts/learning_curve.py /work/shared/corpus/dev -o out/learning_curve
    .venv/bin/python scripts/learning_curve.py /work/shared/corpus/dev tests/data/heldout_like*.jsonl
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.metrics import precision_recall_fscore_support
from sklearn.model_selection import KFold

from indicators.classifier.features import views
from indicators.classifier.model import StackedClassifier, label_matrix
from indicators.corpus import ReadReport, read_conversations
from indicators.rules.engine import RuleEngine


def prf(y: np.ndarray, pred: np.ndarray) -> tuple[float, float, float]:
    p, r, f, _ = precision_recall_fscore_support(np.asarray(y, dtype=bool),
                                                 np.asarray(pred, dtype=bool),
                                                 average="binary", zero_division=0.0)
    return float(p), float(r), float(f)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="+", type=Path)
    ap.add_argument("-o", "--output", type=Path, default=Path("out/learning_curve"))
    ap.add_argument("--sizes", type=int, nargs="+", default=None)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--cv", type=int, default=5)
    ap.add_argument("--recall-target", type=float, default=0.9)
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore", category=UserWarning)

    convs = [c for c in read_conversations(args.data, "jsonl", report=ReadReport())
             if c.gold is not None]
    engine = RuleEngine()
    codes = engine.codebook.annotatable_codes
    sugs, X = views(engine, convs)
    Y = label_matrix(convs, codes)
    R = np.array([[c in s.codes for c in codes] for s in sugs], dtype=bool)
    if not args.sizes:
        fold = len(convs) - -(-len(convs) // args.cv)  # the smallest training fold
        args.sizes = sorted({max(2 * args.cv, round(fold * f)) for f in (0.2, 0.4, 0.6, 0.8, 1)})
    rows = []
    t0 = time.perf_counter()
    for rep in range(args.repeats):
        rng = np.random.default_rng(rep)
        for n in args.sizes:
            P_cls = np.zeros_like(Y, dtype=bool)
            P_comb = np.zeros_like(Y, dtype=bool)
            outer = KFold(args.cv, shuffle=True, random_state=rep)
            for train, test in outer.split(np.zeros((len(convs), 1))):
                if n > len(train):
                    break
                sub = rng.choice(train, size=n, replace=False)
                est = StackedClassifier(codes, recall_target=args.recall_target,
                                        cv=min(args.cv, n // 2), random_state=rep)
                est.fit(X.iloc[sub], Y[sub])
                probs = est.text_proba(X.iloc[test])
                th = np.array([est.thresholds_.get(c, np.inf) for c in codes])
                P_cls[test] = np.nan_to_num(probs, nan=0.0) >= th
                P_comb[test] = est.predict(X.iloc[test]).astype(bool)
            else:
                for label, P in (("classifier", P_cls), ("combined", P_comb), ("rules", R)):
                    for j, c in enumerate(codes):
                        rows.append((n, rep, label, c, *prf(Y[:, j], P[:, j])))
                    rows.append((n, rep, label, "micro", *prf(Y.ravel(), P.ravel())))
                print(f"size {n} repeat {rep}: done ({time.perf_counter() - t0:.0f} s)",
                      file=sys.stderr)
                continue
            print(f"size {n}: larger than a training fold, skipped", file=sys.stderr)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    csv_path = args.output.with_suffix(".csv")
    with csv_path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["train_size", "repeat", "system", "code", "precision", "recall", "f1"])
        for r in rows:
            w.writerow([*r[:4], *(f"{x:.4f}" for x in r[4:])])
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for label in ("rules", "classifier", "combined"):
        sizes = sorted({r[0] for r in rows})
        f1 = [[r[6] for r in rows if r[0] == n and r[2] == label and r[3] == "micro"]
              for n in sizes]
        mean = [float(np.mean(x)) for x in f1]
        sd = [float(np.std(x)) for x in f1]
        ax.errorbar(sizes, mean, yerr=sd, marker="o", capsize=3, label=label)
    ax.set_xlabel("training conversations")
    ax.set_ylabel(f"micro F1 ({args.cv}-fold CV, {args.repeats} repeats)")
    ax.set_ylim(0, 1)
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    png = args.output.with_suffix(".png")
    fig.savefig(png, dpi=120)
    print(f"wrote {csv_path} and {png}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
