"""``indicators evaluate``: score the engine against gold-labelled conversations."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from ..corpus import ReadReport
from ..evaluation import Evaluation, evaluate_engine
from ..private import private_file
from .common import err, fail, open_input, report_skips
from .suggest import build_engine, classifier_dir


def _f(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def print_evaluation(ev: Evaluation, console) -> None:
    t = Table(title=f"Codes ({ev.label}, {ev.n_conversations} conversations)")
    for col in ("code", "family", "precision", "recall", "f1", "support", "tp", "fp", "fn"):
        t.add_column(col, justify="left" if col in ("code", "family") else "right")
    from ..codebook import load_codebook

    cb = load_codebook()
    for c, m in ev.codes.items():
        t.add_row(c, cb.family_of(c), _f(m["precision"]), _f(m["recall"]), _f(m["f1"]),
                  str(m["support"]), str(m["tp"]), str(m["fp"]), str(m["fn"]))
    t.add_section()
    for c, m in ev.derived.items():
        t.add_row(c, "derived", _f(m["precision"]), _f(m["recall"]), _f(m["f1"]),
                  str(m["support"]), str(m["tp"]), str(m["fp"]), str(m["fn"]))
    t.add_section()
    for f, m in ev.families.items():
        t.add_row(f"family {f}", "", _f(m["precision"]), _f(m["recall"]), _f(m["f1"]),
                  str(m["support"]), str(m["tp"]), str(m["fp"]), str(m["fn"]))
    t.add_section()
    m = ev.micro
    t.add_row("micro", "", _f(m["precision"]), _f(m["recall"]), _f(m["f1"]), str(m["support"]),
              str(m["tp"]), str(m["fp"]), str(m["fn"]))
    if ev.micro_v1:
        m = ev.micro_v1
        t.add_row("micro, codebook 1.0 codes", "", _f(m["precision"]), _f(m["recall"]),
                  _f(m["f1"]), str(m["support"]), str(m["tp"]), str(m["fp"]), str(m["fn"]))
    m = ev.macro
    t.add_row("macro", "", _f(m["precision"]), _f(m["recall"]), _f(m["f1"]), "", "", "", "")
    m = ev.platforms
    t.add_row("platforms", "", _f(m["precision"]), _f(m["recall"]), _f(m["f1"]),
              str(m["support"]), str(m["tp"]), str(m["fp"]), str(m["fn"]))
    console.print(t)
    print_context(ev, console)


def print_context(ev: Evaluation, console) -> None:
    if not ev.context:
        return
    t = Table(title=f"Context variables ({ev.label}): accuracy where gold is known, coverage, "
              "guesses where gold is onbekend; vorm/pleger micro P/R/F1")
    for col in ("variable", "n", "accuracy", "within 1", "coverage", "known", "guesses",
                "precision", "recall", "f1"):
        t.add_column(col, justify="left" if col == "variable" else "right")
    for var, m in ev.context.items():
        if m["kind"] == "multi":
            t.add_row(var, str(m["n"]), "", "", "", "", "", _f(m["precision"]),
                      _f(m["recall"]), _f(m["f1"]))
        else:
            t.add_row(var, str(m["n"]), _f(m["accuracy"]), _f(m.get("within_1")),
                      _f(m["coverage"]), str(m["known"]),
                      f"{m['guesses']}/{m['unknown']}", "", "", "")
    console.print(t)


def print_patterns(ev: Evaluation, console) -> None:
    t = Table(title="Patterns on the gold (hits = conversations fired in)")
    for col in ("pattern", "target", "hits", "tp", "fp", "precision"):
        t.add_column(col, justify="left" if col in ("pattern", "target") else "right")
    for pid, h in ev.patterns.items():
        if h["hits"]:
            t.add_row(pid, h["target"], str(h["hits"]), str(h["tp"]), str(h["fp"]),
                      _f(h["precision"]))
    console.print(t)
    if ev.never_fired:
        console.print("never fired: " + ", ".join(ev.never_fired))


def print_errors(ev: Evaluation, console) -> None:
    t = Table(title="Errors (false positives with their evidence; false negatives)")
    for col in ("id", "code", "kind", "evidence"):
        t.add_column(col)
    for e in sorted(ev.errors, key=lambda e: (e["code"], e["kind"], e["id"])):
        ev_txt = "; ".join(
            f"t{x['turn']} [{x['source']}] {x['text']}" for x in e["evidence"][:3])
        t.add_row(e["id"], e["code"], e["kind"], ev_txt)
    console.print(t)


def valid_gold(convs: list, report: ReadReport) -> list:
    """The conversations whose gold can be scored; the others are skipped (``bad_gold``,
    ``missing_field``) and counted in the report, each with file, line and the reason."""
    from ..codebook import load_codebook
    from ..corpus import Skip
    from ..evaluation import gold_problems

    cb = load_codebook()
    out = []
    for c in convs:
        status = (c.review or {}).get("status", "confirmed")
        why = (["the record has no 'gold' block"] if c.gold is None else
               [f"review status {status!r}: not confirmed by a coder"]
               if status != "confirmed" else gold_problems(c.gold, cb))
        if why:
            report.read -= 1
            reason = ("missing_field" if c.gold is None else "not_confirmed"
                      if status != "confirmed" else "bad_gold")
            report.add(Skip(source=c.source or "?", line=c.line, id=c.id, reason=reason,
                            detail="; ".join(why[:3]) + (f" (and {len(why) - 3} more)"
                                                         if len(why) > 3 else "")))
        else:
            out.append(c)
    return out


def register(app: typer.Typer) -> None:
    @app.command("evaluate")
    def evaluate_cmd(
        gold: list[Path] = typer.Argument(..., help="Gold JSONL files or directories."),
        errors: bool = typer.Option(False, "--errors", help="List every false positive and "
                                    "negative with its evidence (shows conversation text)."),
        json_out: Path | None = typer.Option(None, "--json", help="Write all figures as JSON."),
        patterns: Path | None = typer.Option(None, help="Pattern directory (default patterns/)."),
        model: Path | None = typer.Option(None, "--model", help="Classifier directory made by "
                                          "'indicators train': rules, classifier and combined "
                                          "are reported side by side."),
        spacy_model: str | None = typer.Option(None, "--spacy-model",
                                                help="Installed spaCy pipeline, e.g. nl_core_news_sm."),
        show_patterns: bool = typer.Option(True, "--patterns-table/--no-patterns-table"),
        cv: int = typer.Option(5, "--cv", help="Folds when a classifier is evaluated on its "
                               "own training data."),
        no_cache: bool = typer.Option(False, "--no-cache", help="Do not read or write the "
                                      "token cache in .cache/tokens/ (it holds the gold "
                                      "conversations' words)."),
    ) -> None:
        """Precision, recall and F1 per code, family, platform and pattern on gold data."""
        report = ReadReport()
        convs = valid_gold(list(open_input(gold, "jsonl", False, report)), report)
        report_skips(report)
        if not convs:
            fail("no gold conversations read")
        classifier = classifier_dir(model)
        from ..rules.tokencache import default_dir

        # the turns' tokens are kept between runs: after a pattern edit only the patterns run
        # again, without spaCy
        engine = build_engine(patterns, spacy_model,
                              token_cache=None if no_cache else default_dir())
        results = []
        if classifier is None:
            sugs = list(engine.suggest_many(convs))
            results.append(evaluate_engine(engine, convs, sugs, "rules"))
        else:
            from ..classifier import ModelError, side_by_side

            try:
                results += side_by_side(engine, convs, classifier, cv=cv)
            except ModelError as e:
                fail(str(e))
            err.print(f"[bold]classifier and combined: {results[-1].note}[/]")
        from rich.console import Console

        out = Console(highlight=False, width=max(130, Console().width))
        for ev in results:
            print_evaluation(ev, out)
        if show_patterns:
            print_patterns(results[0], out)
        if errors:
            print_errors(results[-1], out)
        if json_out:
            json_out.parent.mkdir(parents=True, exist_ok=True)
            with private_file(json_out, "w", encoding="utf-8") as fh:  # holds evidence text
                fh.write(json.dumps([r.to_dict() for r in results], indent=2,
                                    ensure_ascii=False))
            err.print(f"wrote {json_out}")
