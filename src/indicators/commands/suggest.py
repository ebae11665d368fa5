"""``indicators suggest``: propose codes with evidence for every conversation."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import typer
from rich.table import Table

from ..codebook import load_codebook
from ..transcripts import CsvOptions, ReadReport
from .common import err, fail, open_input, report_skips


def build_engine(patterns: Path | None, model: str | None, classifier: Path | None = None):
    from ..codebook import CodebookError
    from ..engine import RuleEngine
    from ..patterns import PatternError, load_patterns

    cb = load_codebook()
    try:
        ps = load_patterns(patterns, cb)
    except PatternError as e:
        fail(str(e))
    try:
        engine = RuleEngine(ps, cb, model_name=model)
    except (ValueError, CodebookError) as e:
        fail(str(e))
    if classifier is not None:
        from ..classifier import attach_classifier

        engine = attach_classifier(engine, classifier)
    return engine


def register(app: typer.Typer) -> None:
    @app.command()
    def suggest(
        inputs: list[Path] = typer.Argument(..., help="Transcript files or directories."),
        output: Path = typer.Option(..., "-o", "--output", help="Suggestions JSONL; - for stdout."),
        fmt: str = typer.Option("auto", "--format", help="auto, jsonl, csv or txt."),
        strict: bool = typer.Option(False, help="Stop at the first skipped record."),
        patterns: Path | None = typer.Option(None, help="Pattern directory (default patterns/)."),
        model: str | None = typer.Option(None, "--model", help="Installed spaCy pipeline or a "
                                          "classifier directory under models/ (see README)."),
        spacy_model: str | None = typer.Option(None, "--spacy-model",
                                                help="Installed spaCy pipeline, e.g. nl_core_news_sm."),
        batch_size: int = typer.Option(64, help="Conversations per batch."),
        id_col: str = typer.Option("conversation_id", help="CSV: conversation id column."),
        speaker_col: str = typer.Option("speaker", help="CSV: speaker column."),
        text_col: str = typer.Option("text", help="CSV: message text column."),
        quiet: bool = typer.Option(False, "-q", help="No summary table."),
    ) -> None:
        """Suggest codebook codes, meeting platforms and evidence for each conversation."""
        classifier, spacy_name = _split_model(model, spacy_model)
        engine = build_engine(patterns, spacy_name, classifier)
        report = ReadReport()
        csv = CsvOptions(id_col=id_col, speaker_col=speaker_col, text_col=text_col)
        convs = open_input(inputs, fmt, strict, report, csv, with_gold=False)
        per_code: Counter[str] = Counter()
        n = 0
        to_stdout = str(output) == "-"
        tmp = None
        if to_stdout:
            import sys

            fh = sys.stdout
        else:
            output.parent.mkdir(parents=True, exist_ok=True)
            tmp = output.with_name(output.name + ".part")
            fh = tmp.open("w", encoding="utf-8")
        try:
            from ..transcripts import InputError

            try:
                for sug in engine.suggest_many(convs, batch_size=batch_size):
                    fh.write(json.dumps(sug.to_record(), ensure_ascii=False) + "\n")
                    per_code.update(sug.codes)
                    per_code.update(f"platform:{p}" for p in sug.platforms)
                    n += 1
            except InputError as e:
                fail(str(e))
        finally:
            if tmp is not None:
                fh.close()
        if tmp is not None:
            os.replace(tmp, output)
        report_skips(report)
        if not quiet:
            t = Table(title=f"Suggestions for {n} conversations")
            t.add_column("code")
            t.add_column("conversations", justify="right")
            cb = engine.codebook
            for c in cb.codes:
                t.add_row(c, str(per_code.get(c, 0)))
            for p in cb.platforms:
                if per_code.get(f"platform:{p}"):
                    t.add_row(f"platform:{p}", str(per_code[f"platform:{p}"]))
            err.print(t)
        if not to_stdout:
            err.print(f"wrote {n} suggestions to {output}")


def _split_model(model: str | None, spacy_model: str | None) -> tuple[Path | None, str | None]:
    """``--model`` names a classifier directory (with model.skops) or a spaCy pipeline."""
    if model is None:
        return None, spacy_model
    p = Path(model)
    if p.is_dir() and (p / "model.skops").exists():
        return p, spacy_model
    return None, spacy_model or model
