"""``indicators train``: fit the code classifier on confirmed annotations and/or gold JSONL."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from ..corpus import ReadReport
from .common import err, fail, report_skips


def register(app: typer.Typer) -> None:
    @app.command()
    def train(
        data: list[Path] = typer.Argument(..., help="JSONL from 'pull' and/or gold JSONL "
                                          "(files or directories)."),
        output: Path = typer.Option(..., "-o", "--output", help="Model directory, "
                                    "e.g. models/NAME."),
        recall_target: float = typer.Option(0.9, help="Recall each code's threshold aims for."),
        precision_floor: float = typer.Option(0.5, help="Thresholds keep precision above this."),
        cv: int = typer.Option(5, "--cv", help="Folds for the cross-validated thresholds."),
        patterns: Path | None = typer.Option(None, help="Pattern directory (default patterns/)."),
    ) -> None:
        """Train the per-code classifier; writes model.skops, model_card.json and .md."""
        from ..classifier.model import StackedClassifier
        from ..classifier.training import read_training
        from ..classifier.training import train as train_model
        from .suggest import build_engine

        if not 0 < recall_target <= 1 or not 0 <= precision_floor < 1 or cv < 2:
            fail("need 0 < --recall-target <= 1, 0 <= --precision-floor < 1, --cv >= 2")
        report = ReadReport()
        convs, dropped = read_training(data, report)
        report_skips(report)
        for why, n in sorted(dropped.items()):
            err.print(f"  not used for training: {n} ({why})")
        if len(convs) < 2 * cv:
            fail(f"{len(convs)} usable conversations; need at least {2 * cv}")
        engine = build_engine(patterns, None)
        try:
            est = StackedClassifier(recall_target=recall_target,
                                    precision_floor=precision_floor, cv=cv)
            model, card = train_model(engine, convs, output, estimator=est,
                                      sources=[str(p.resolve()) for p in data], dropped=dropped)
        except ValueError as e:
            fail(str(e))
        t = Table(title=f"{card['name']}: {len(convs)} conversations, {cv}-fold CV "
                        f"(thresholds on the same folds)")
        for col in ("code", "positives", "threshold", "rules F1", "classifier F1", "combined F1"):
            t.add_column(col, justify="left" if col == "code" else "right")
        for c, m in card["cv_metrics"]["codes"].items():
            def f(k, m=m):
                return "-" if not m.get(k) else f"{m[k]['f1']:.2f}"
            t.add_row(c, str(m["positives"]), "-" if m["threshold"] is None
                      else f"{m['threshold']:.3f}", f("rules"), f("classifier"),
                      f("combined"))
        mi = card["cv_metrics"]["micro"]
        t.add_row("micro", "", "", f"{mi['rules']['f1']:.2f}", f"{mi['classifier']['f1']:.2f}",
                  f"{mi['combined']['f1']:.2f}")
        err.print(t)
        if model.fallback:
            err.print("rules only (fewer than 3 positives): " + ", ".join(model.fallback))
        err.print(f"wrote {output} in {card['training_seconds']} s")
