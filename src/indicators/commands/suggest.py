"""``indicators suggest``: propose codes with evidence for every conversation."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from ..corpus import CsvOptions
from .common import INTERRUPTED, err, fail, report_skips


def build_engine(patterns: Path | None, model: str | None, classifier: Path | None = None,
                 token_cache: Path | None = None):
    """The engine for a command (``EngineSpec.build``, the one builder); unusable patterns,
    models or codebook end the command with the reason."""
    from ..batch import EngineSpec

    return build_checked(EngineSpec(patterns=patterns, spacy_model=model, classifier=classifier,
                                    token_cache=token_cache))


def build_checked(spec):
    from ..codebook import CodebookError

    try:
        return spec.build()
    except (ValueError, CodebookError) as e:  # PatternError and ModelError are ValueErrors
        fail(str(e))


def register(app: typer.Typer) -> None:
    @app.command()
    def suggest(
        inputs: list[Path] = typer.Argument(..., help="Transcript files or directories."),
        output: Path = typer.Option(..., "-o", "--output", help="Suggestions JSONL; - for stdout."),
        fmt: str = typer.Option("auto", "--format", help="auto, jsonl, csv or txt."),
        strict: bool = typer.Option(False, help="Stop at the first skipped record."),
        patterns: Path | None = typer.Option(None, help="Pattern directory (default patterns/)."),
        model: Path | None = typer.Option(None, "--model", help="Classifier directory made "
                                          "by 'indicators train', e.g. models/NAME (see README)."),
        spacy_model: str | None = typer.Option(None, "--spacy-model",
                                                help="Installed spaCy pipeline, e.g. nl_core_news_sm."),
        batch_size: int = typer.Option(64, help="Conversations per batch."),
        n_process: int = typer.Option(1, "--n-process", "-j",
                                      help="Worker processes; 0 = all cores."),
        resume: bool = typer.Option(False, "--resume", help="Continue an interrupted run from "
                                    "its <output>.part file."),
        progress: bool | None = typer.Option(None, "--progress/--no-progress",
                                             help="Progress bar on stderr (default: on a "
                                             "terminal)."),
        id_col: str = typer.Option("conversation_id", help="CSV: conversation id column."),
        speaker_col: str = typer.Option("speaker", help="CSV: speaker column."),
        text_col: str = typer.Option("text", help="CSV: message text column."),
        delimiter: str | None = typer.Option(None, "--delimiter", help="CSV: field "
                                             "delimiter, one character, e.g. '|' or 'tab' "
                                             "(default: sniffed from , ; tab |)."),
        encoding: str = typer.Option("utf-8", "--encoding", help="Input encoding, e.g. "
                                     "latin-1 or cp1252 (default utf-8; a BOM is accepted)."),
        quiet: bool = typer.Option(False, "-q", help="No summary table."),
    ) -> None:
        """Suggest codebook codes, meeting platforms and evidence for each conversation.

        Output is written to <output>.part and renamed when complete; after an interruption
        run the same command with --resume.
        """
        from ..batch import BatchError, EngineSpec, Interrupted, run_suggest
        from ..corpus import InputError

        classifier = classifier_dir(model)
        spec = EngineSpec(patterns=patterns, spacy_model=spacy_model, classifier=classifier)
        engine = build_checked(spec)  # checks everything; workers build theirs from spec
        cb = engine.codebook
        if n_process != 1:
            engine = None  # workers build their own
        if delimiter is not None and delimiter.lower() in ("tab", "\\t"):
            delimiter = "\t"
        if delimiter is not None and len(delimiter) != 1:
            fail(f"--delimiter must be one character (or 'tab'), got {delimiter!r}")
        csv = CsvOptions(id_col=id_col, speaker_col=speaker_col, text_col=text_col,
                         delimiter=delimiter)
        if progress is None:
            progress = err.is_terminal
        try:
            result = run_suggest(inputs, output, fmt=fmt, strict=strict, csv_options=csv,
                                 encoding=encoding, spec=spec, engine=engine, n_process=n_process,
                                 batch_size=batch_size, resume=resume, progress=progress)
        except BatchError as e:
            fail(str(e))
        except InputError as e:
            if str(output) != "-" and Path(f"{output}.part").exists():
                err.print(f"partial output kept in {output}.part")
            fail(str(e))
        except Interrupted as e:
            r = e.result
            err.print(f"[bold yellow]interrupted[/] after {r.total} conversations; partial "
                      f"output kept in {r.part}. Run the same command with --resume to "
                      "continue." if r.part else "[bold yellow]interrupted[/]")
            raise typer.Exit(INTERRUPTED) from None
        if result.already_complete:
            err.print(f"{output} is already complete ({result.resumed} conversations); nothing "
                      "to resume (run without --resume to redo it)")
            return
        report_skips(result.report)
        if result.cut_messages:
            from ..batch import CONVERSATION_CHARS, MESSAGE_CHARS

            err.print(f"[bold yellow]warning:[/] {result.cut_messages} long message"
                      f"{'s' * (result.cut_messages != 1)} cut for analysis (over "
                      f"{MESSAGE_CHARS:,} characters, or past {CONVERSATION_CHARS:,} in one "
                      "conversation); codes and evidence come from the analysed part only, "
                      "the output keeps the full text. Conversations: "
                      + ", ".join(result.cut_ids[:5]) + (" ..." if len(result.cut_ids) > 5
                                                          else ""))
        if result.resumed:
            err.print(f"resumed: {result.resumed} conversations were already done")
        if not quiet:
            t = Table(title=f"Suggestions for {result.total} conversations")
            t.add_column("code")
            t.add_column("conversations", justify="right")
            per_code = result.per_code
            for c in cb.codes:
                t.add_row(c, str(per_code.get(c, 0)))
            for p in cb.platforms:
                if per_code.get(f"platform:{p}"):
                    t.add_row(f"platform:{p}", str(per_code[f"platform:{p}"]))
            err.print(t)
        if result.output is not None:
            err.print(f"wrote {result.total} suggestions to {result.output}")


def classifier_dir(model: Path | None) -> Path | None:
    """``--model``: a classifier directory made by ``indicators train``, nothing else (a
    spaCy pipeline goes to ``--spacy-model``); anything else is a usage error."""
    if model is None:
        return None
    from ..classifier.store import CARD_JSON

    if not (model / CARD_JSON).is_file():
        why = ("no such directory" if not model.exists() else "not a directory"
               if not model.is_dir() else f"no {CARD_JSON} in it")
        fail(f"--model {model}: not a classifier directory made by 'indicators train' "
             f"({why}); a spaCy pipeline is given with --spacy-model")
    return model
