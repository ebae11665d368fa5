"""Commands for the doccano review loop: ``doccano serve/stop``, ``push``, ``pull``,
``review-report``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from .common import SERVER_ERROR, fail

console = Console(stderr=True)

doccano_app = typer.Typer(help="Run a local doccano annotation server.", no_args_is_help=True)


@doccano_app.command("serve")
def serve_cmd(
    port: int = typer.Option(None, "--port", help="Port on 127.0.0.1 (default: the port of "
                             "DOCCANO_URL, else 8000), so serve, push, pull and the tests share "
                             "one setting."),
    home: Path = typer.Option(None, "--home", help="Data folder (default: DOCCANO_HOME or "
                              ".doccano/home)."),
) -> None:
    """Install (once), initialise and start doccano in the background; print its URL."""
    from ..doccano.server import ServerError, ServerLayout, default_port, serve

    layout = ServerLayout.default(home)
    port = port or default_port()
    try:
        url = serve(layout, port=port, log=lambda m: console.print(m))
    except ServerError as e:
        fail(str(e), SERVER_ERROR)
    console.print(f"doccano runs at {url} (logs in {layout.home})")
    print(url)


@doccano_app.command("stop")
def stop_cmd(
    home: Path = typer.Option(None, "--home", help="Data folder of the server to stop."),
) -> None:
    """Stop the web server and task queue started by ``indicators doccano serve``."""
    from ..doccano.server import ServerLayout, stop

    layout = ServerLayout.default(home)
    stopped = stop(layout)
    console.print(f"stopped: {', '.join(stopped)}" if stopped else "no doccano server was running")


@doccano_app.command("add-coder")
def add_coder_cmd(
    name: str = typer.Argument(..., help="The coder's user name."),
    project: str = typer.Option(None, "--project", help="Also make them an annotator of this "
                                "project."),
    email: str = typer.Option(None, "--email", help="E-mail (default NAME@example.org)."),
) -> None:
    """Create a coder account on the doccano server of DOCCANO_URL (as the admin of
    DOCCANO_USERNAME/DOCCANO_PASSWORD). The coder's password comes from DOCCANO_CODER_PASSWORD
    or a prompt, never from an argument."""
    import os

    from ..doccano.client import Doccano, DoccanoError
    from ..doccano.coders import add_coder

    password = os.environ.get("DOCCANO_CODER_PASSWORD") or typer.prompt(
        f"password for {name}", hide_input=True, confirmation_prompt=True)
    try:
        created, role = add_coder(Doccano.from_env(), name, password, email, project)
    except DoccanoError as e:
        fail(str(e), SERVER_ERROR)
    console.print(f"coder {name!r} {'created' if created else 'already existed'}"
                  f"{f'; annotator of {project!r}' if role else ''}")


class _WarmChecker:
    """The identifier check, its model (deduce, some 20 s to load) loading in the background
    while the project is set up; the first check waits for it. A push with nothing new never
    waits. Once loaded, deduce's objects are kept out of the garbage collector: freeing them
    when the process ends took 35 s (measured on this machine)."""

    def __init__(self, checker):
        import threading

        self.checker = checker
        self.thread = threading.Thread(target=self._load, daemon=True)
        self.thread.start()

    def _load(self) -> None:
        import gc

        from ..doccano import pii

        self.checker.check("warm-up", [{"speaker": "bezoeker", "text": "hoi"}])
        model = getattr(pii, "_DEDUCE", None)
        if model is not None:
            keep = [model]
            keep.append(keep)  # a cycle the frozen collector never frees: no teardown at exit
            gc.freeze()

    def check(self, conversation_id, turns):
        self.thread.join()
        return self.checker.check(conversation_id, turns)


def _warn_git(path: Path) -> None:
    from ..doccano.gitcheck import unignored_in_git

    if unignored_in_git(path):
        console.print(f"[yellow]warning: {path} holds transcript text and lies in a git work tree "
                      "where git does not ignore it; keep it under annotations/ or outside the "
                      "repository[/yellow]")


def push_cmd(
    suggestions: Path = typer.Argument(..., exists=True, dir_okay=False,
                                       help="Suggestions JSONL from `indicators suggest`."),
    project: str = typer.Option(..., "--project", help="doccano project name."),
    batch_size: int = typer.Option(500, "--batch-size", min=1,
                                   help="Conversations per import (one upload to doccano; the "
                                   "local record is written after each)."),
    allow_pii: bool = typer.Option(False, "--allow-pii",
                                   help="Push conversations with direct identifiers anyway."),
    records: Path = typer.Option(None, "--records",
                                 help="Folder of local push records (default annotations/)."),
    order: str = typer.Option("file", "--order",
                              help="file: as in the suggestions file; uncertainty: the least "
                              "certain conversations first (classifier uncertainty from "
                              "`suggest --model`, else the weakest rule score)."),
    double_code: str = typer.Option(None, "--double-code",
                                    help="Also push a reproducible sample (e.g. 10%) to "
                                    "PROJECT-dubbel for a second, independent coder."),
) -> None:
    """Push suggestions to doccano for coders to confirm (server from DOCCANO_URL)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from ..codebook import load_codebook
    from ..doccano.client import Doccano, DoccanoError
    from ..doccano.guideline import render_guideline
    from ..doccano.labels import LabelScheme
    from ..doccano.pii import PiiChecker
    from ..doccano.project import ensure_label_types, ensure_project
    from ..doccano.push import Pusher
    from ..doccano.records import PushRecord
    from ..doccano.suggestions import SuggestionError, read_suggestions

    codebook = load_codebook()
    try:
        items = list(read_suggestions(suggestions, codebook))
    except SuggestionError as e:
        fail(str(e))
    from ..doccano.push import refuse_other_versions

    try:
        refuse_other_versions(items, codebook)
    except DoccanoError as e:
        fail(str(e), SERVER_ERROR)
    if order not in ("file", "uncertainty"):
        fail(f"--order must be 'file' or 'uncertainty', not {order!r}")
    if order == "uncertainty":  # stable: ties keep file order
        items.sort(key=lambda s: -s.review_priority())
    share = None
    if double_code is not None:
        from ..doccano.double import double_project, in_sample, parse_share

        try:
            share = parse_share(double_code)
        except ValueError as e:
            fail(str(e))
    scheme = LabelScheme(codebook)
    checker = None if allow_pii else _WarmChecker(PiiChecker())

    def push_to(name: str, todo: list) -> tuple:
        record = PushRecord(name, records)
        with record.lock():  # one push per project at a time, from creating it to the end
            proj, created = ensure_project(
                dc, name, render_guideline(codebook, scheme),
                f"Suggesties voor {codebook.name} (codeboek v{codebook.version}); "
                "alleen bevestigde gesprekken tellen.")
            label_ids = ensure_label_types(dc, proj["id"], scheme)
            _warn_git(record.path)
            pusher = Pusher(dc, codebook, proj, label_ids, record, scheme)
            with Progress(TextColumn(f"pushing to {name}"), BarColumn(), MofNCompleteColumn(),
                          console=console, transient=True) as bar:
                task = bar.add_task("push", total=len(todo))
                return proj, created, pusher.push(
                    todo, batch_size=batch_size, checker=checker,
                    progress=lambda n: bar.update(task, advance=n))

    try:
        dc = Doccano.from_env()
        proj, created, result = push_to(project, items)
        if share is not None:
            sample = [s for s in items if in_sample(project, s.id, share)
                      and s.id not in {r.conversation_id for r in result.refused}]
            second = push_to(double_project(project), sample)
            console.print(f"double coding: {len(sample)} of {len(items)} conversations "
                          f"({share:.0%}) in {double_project(project)!r} "
                          f"({len(second[2].created)} pushed now); add its coders with "
                          f"`indicators doccano add-coder NAME --project "
                          f"{double_project(project)}`")
    except DoccanoError as e:
        fail(str(e), SERVER_ERROR)
    console.print(f"project {project!r} (id {proj['id']}{', created' if created else ''}): "
                  f"{len(result.created)} pushed, {len(result.already)} already there, "
                  f"{len(result.completed)} unfinished ones completed")
    if result.missing_on_server:
        console.print(f"[yellow]{len(result.missing_on_server)} conversations were pushed to this "
                      "project before and deleted there since; not pushed again[/yellow] "
                      f"(ids: {', '.join(result.missing_on_server[:10])}"
                      f"{' ...' if len(result.missing_on_server) > 10 else ''})")
    if result.duplicates:
        console.print(f"[yellow]{len(result.duplicates)} conversations are in the project more "
                      "than once (pushed from elsewhere or by an older version); delete the "
                      f"extra examples in doccano[/yellow] (ids: {', '.join(result.duplicates[:10])}"
                      f"{' ...' if len(result.duplicates) > 10 else ''})")
    if result.bad_evidence:
        console.print(f"[yellow]{result.bad_evidence} evidence spans skipped (offsets outside "
                      "their turn or unknown code)[/yellow]")
    if result.overlapping:
        console.print(f"{result.overlapping} evidence spans overlap stronger evidence; they are "
                      "kept in meta.machine only (doccano allows no overlapping spans here)")
    if allow_pii:
        console.print("[yellow]--allow-pii: the identifier check was skipped[/yellow]")
    if result.refused:
        from rich.table import Table

        table = Table(title="Refused: direct identifiers found (not pushed)")
        table.add_column("conversation")
        table.add_column("identifier kinds")
        table.add_column("turns")
        for r in result.refused:
            table.add_row(r.conversation_id, ", ".join(r.kinds),
                          ", ".join(str(t) for t in r.turns))
        console.print(table)
        fail("Remove the identifiers from the transcripts, or push with --allow-pii.")


def pull_cmd(
    project: str = typer.Option(..., "--project", help="doccano project name."),
    output: Path = typer.Option(..., "-o", "--output", help="JSONL file to write."),
    records: Path = typer.Option(None, "--records",
                                 help="Folder of local push records (default annotations/)."),
) -> None:
    """Export the conversations coders confirmed, with the coder's codes and the machine's."""

    from ..codebook import load_codebook
    from ..doccano.client import Doccano, DoccanoError
    from ..doccano.pull import Puller
    from ..doccano.records import PushRecord

    codebook = load_codebook()
    _warn_git(output)
    try:
        dc = Doccano.from_env()
        result = Puller(dc, codebook, project, PushRecord(project, records)).pull()
    except DoccanoError as e:
        fail(str(e), SERVER_ERROR)
    _write_jsonl(output, result.records + result.pending)
    try:
        double = _pull_double(dc, codebook, project, records, result.records, output)
    except DoccanoError as e:
        fail(str(e), SERVER_ERROR)
    if double is not None:
        console.print(f"double coding: {len(double[0]) // 2} conversations confirmed by both "
                      f"coders written to {double[1]} (for `indicators agreement`)")
    console.print(f"{len(result.records)} confirmed conversations written to {output}; "
                  f"{len(result.pending)} pending (not confirmed: written as pending lines "
                  "without text, counted by `stats` as not yet reviewed)")
    if result.evidence_dropped:
        console.print(f"{result.evidence_dropped} evidence spans of codes the coders removed "
                      "were left out")
    if result.unreadable_numbers:
        console.print(f"[yellow]no number found in the marked span (left empty): "
                      f"{', '.join(result.unreadable_numbers)}[/yellow]")
    if result.unknown_labels:
        console.print(f"[yellow]{result.unknown_labels} labels are not in the codebook and were "
                      "ignored[/yellow]")
    if result.conflicts:
        console.print(f"[yellow]single-choice context with more than one value (first kept): "
                      f"{', '.join(result.conflicts)}[/yellow]")


def _write_jsonl(path: Path, records: list[dict]) -> None:
    import json

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    tmp.replace(path)


def _pull_double(dc, codebook, project: str, records, first: list[dict], output: Path):
    """Both coders' records of the double-coded sample, beside the output; None without one."""
    from ..doccano.double import double_project, pair_records
    from ..doccano.project import find_project
    from ..doccano.pull import Puller
    from ..doccano.records import PushRecord

    name = double_project(project)
    if find_project(dc, name) is None:
        return None
    second = Puller(dc, codebook, name, PushRecord(name, records)).pull()
    pairs = pair_records(first, second.records)
    path = output.with_name(output.name.removesuffix(".jsonl") + ".dubbel.jsonl")
    _warn_git(path)
    _write_jsonl(path, pairs)
    return pairs, path


def review_report_cmd(
    file: Path = typer.Argument(..., exists=True, dir_okay=False,
                                help="Output of `indicators pull`."),
    json_out: Path = typer.Option(None, "--json", help="Also write the report as JSON here."),
) -> None:
    """Per code, platform and context value: what coders accepted, rejected (and which patterns
    proposed it) and added; in Dutch."""
    import json

    from rich.table import Table

    from ..codebook import load_codebook
    from ..doccano.review_report import read_reviewed, review_report

    try:
        report = review_report(read_reviewed(file), load_codebook())
    except ValueError as e:
        fail(str(e))
    table = Table(title=f"Beoordeling van de voorstellen van de machine "
                  f"({report['conversations']} bevestigde gesprekken)")
    table.add_column("code of waarde", no_wrap=True)
    for col in ("voorgesteld", "geaccepteerd", "afgewezen", "toegevoegd", "% geacc."):
        table.add_column(col, justify="right", no_wrap=True)
    table.add_column("afgewezen, per bron", overflow="fold")
    for r in report["codes"]:
        acc = "" if r["acceptance"] is None else f"{r['acceptance']:.0%}"
        by_src = ", ".join(f"{k} ({v})" for k, v in r["rejected_by_source"].items())
        table.add_row(r["label"], str(r["suggested"]), str(r["accepted"]), str(r["rejected"]),
                      str(r["added"]), acc, by_src)
    Console().print(table)
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                            encoding="utf-8")


def register(app: typer.Typer) -> None:
    app.add_typer(doccano_app, name="doccano")
    app.command("push")(push_cmd)
    app.command("pull")(pull_cmd)
    app.command("review-report")(review_report_cmd)
