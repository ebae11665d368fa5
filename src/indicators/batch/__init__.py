"""Batch pre-annotation: streaming, parallel, resumable and atomic ``suggest``.

``run_suggest`` reads conversations lazily, suggests codes in batches and writes one JSON line
per conversation, in input order. Memory stays flat: at most ``2 * n_process`` batches are in
flight. Output goes to ``<out>.part``, flushed after every batch and fsynced every few
seconds; only a finished run renames it to ``<out>`` (atomically), so ``<out>`` is complete or
absent. After an interruption (Ctrl-C, SIGTERM, a crash, a killed process) ``resume=True``
reads the ids already in the ``.part`` file (dropping a torn last line), skips those
conversations in the input and appends the rest. The run's identity (input files and
options, :mod:`indicators.batch.runstate`) is kept beside the ``.part``; ``resume=True`` with other
input or options is refused with the reason. A run that ends before writing anything (a fatal
input error, an interrupt) removes its ``.part``, so nothing blocks the next run. The
``.part`` and the output are created 0600 (they hold conversation text).

Analysis is bounded: a message longer than :data:`MESSAGE_CHARS` characters, and whatever
lies past :data:`CONVERSATION_CHARS` characters of one conversation, is cut for the engine
(counted in ``BatchResult.cut_messages`` for a warning). The output keeps the full text, and
evidence offsets point into it (the engine sees a prefix of each message). A conversation on
which the engine fails is skipped with reason ``analysis_error``; the run goes on.

With ``n_process > 1`` a pool of worker processes each builds its own engine once from an
:class:`EngineSpec` (paths and names, never a pickled engine) and returns finished JSON lines.
Workers end with their parent: each watches its parent process and exits when it is gone.
Messages never contain conversation text: only ids, counts and file names.
"""

from __future__ import annotations

import gc
import json
import multiprocessing as mp
import os
import signal
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..conversation import Conversation
from ..corpus import CsvOptions, InputError, ReadReport, Skip, _resolve, read_conversations
from ..iterutils import batched, gc_paused
from ..private import private_dir, private_file
from . import runstate
from .progress import _estimate_total, _Progress
from .workers import (  # noqa: F401 (for_analysis is part of this module's interface)
    CONVERSATION_CHARS,
    MESSAGE_CHARS,
    Line,
    _init_worker,
    _safe_lines,
    _work,
    for_analysis,
)

FSYNC_SECONDS = 2.0


class BatchError(Exception):
    """A batch run that cannot start or continue (message without conversation text)."""


class Interrupted(Exception):
    """The run was interrupted; the ``.part`` file is consistent and can be resumed."""

    def __init__(self, result: BatchResult):
        super().__init__("interrupted")
        self.result = result


@dataclass(frozen=True)
class EngineSpec:
    """How to build a RuleEngine: picklable, so every worker builds its own."""

    patterns: Path | None = None
    spacy_model: str | None = None
    classifier: Path | None = None
    token_cache: Path | None = None  # a directory (evaluate): indicators.rules.tokencache

    def build(self):
        """The engine (the one builder: ``suggest``, ``evaluate``, ``train`` and the batch
        workers all build theirs here). Raises ValueError (PatternError, ModelError) or
        CodebookError for unusable patterns, models or codebook."""
        from ..codebook import load_codebook
        from ..rules.engine import RuleEngine
        from ..rules.load import load_patterns

        cb = load_codebook()
        engine = RuleEngine(load_patterns(self.patterns, cb), cb, model_name=self.spacy_model,
                            token_cache=self.token_cache)
        if self.classifier is not None:
            from ..classifier import attach_classifier

            engine = attach_classifier(engine, self.classifier)
        return engine


@dataclass
class BatchResult:
    output: Path | None  # final file (None for stdout)
    written: int = 0  # conversations written in this run
    resumed: int = 0  # conversations already in the .part file when resuming
    report: ReadReport = field(default_factory=ReadReport)
    per_code: Counter = field(default_factory=Counter)  # codes and platform:<p> over all output
    part: Path | None = None
    done_ids: int = 0
    already_complete: bool = False  # resume=True found a finished output and did nothing
    cut_messages: int = 0  # messages cut for analysis (too long)
    cut_ids: list[str] = field(default_factory=list)  # first conversations with a cut

    @property
    def total(self) -> int:
        return self.written + self.resumed

    @property
    def skipped(self) -> int:
        return len(self.report.skipped_conversations)


def part_path(output: Path) -> Path:
    return output.with_name(output.name + ".part")


# --------------------------------------------------------------------------- resume


def scan_part(part: Path, per_code: Counter | None = None, truncate: bool = True) -> list[str]:
    """Ids in a ``.part`` file, in order; a torn or unreadable tail is truncated away."""
    ids: list[str] = []
    good = 0  # byte offset after the last good line
    with part.open("rb") as fh:
        for raw in fh:
            if not raw.endswith(b"\n"):
                break
            try:
                rec = json.loads(raw)
                cid = rec["id"]
            except (ValueError, KeyError, TypeError):
                break
            ids.append(cid)
            if per_code is not None:
                _count(per_code, rec.get("codes", []), rec.get("platforms", []))
            good += len(raw)
    if truncate and part.stat().st_size != good:
        with part.open("r+b") as fh:
            fh.truncate(good)
            fh.flush()
            os.fsync(fh.fileno())
    return ids


def _count(per_code: Counter, codes: Iterable[str], platforms: Iterable[str]) -> None:
    per_code.update(codes)
    per_code.update(f"platform:{p}" for p in platforms)


# --------------------------------------------------------------------------- workers

def _in_process(engine, batches: Iterator[list[Conversation]]
                ) -> Iterator[tuple[list[Conversation], list[Line]]]:
    """Each batch read and analysed with the cycle collector paused (see ``gc_paused``).
    The objects there are when the run starts (the engine, the imported modules) outlive
    it: they are frozen out of the collector's full collections until the run ends
    (``gc.freeze``; measured: full collections had cost about 0.2 s per 2,000
    conversations)."""
    gc.freeze()
    try:
        while True:
            with gc_paused():
                batch = next(batches, None)
                if batch is None:
                    return
                lines = _safe_lines(engine, batch)
            yield batch, lines
    finally:
        gc.unfreeze()


def _parallel(batches: Iterator[list[Conversation]], spec: EngineSpec,
              n_process: int) -> Iterator[tuple[list[Conversation], list[Line]]]:
    """Results of the batches in input order, at most 2 * n_process batches in flight."""
    ctx = mp.get_context("spawn")
    pool = ProcessPoolExecutor(n_process, mp_context=ctx, initializer=_init_worker,
                               initargs=(spec,))
    pending: deque[tuple[list[Conversation], Future]] = deque()
    try:
        for batch in batches:
            pending.append((batch, pool.submit(_work, batch)))
            while len(pending) >= 2 * n_process:
                b, f = pending.popleft()
                yield b, f.result()
        while pending:
            b, f = pending.popleft()
            yield b, f.result()
    finally:
        for _, f in pending:
            f.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


# --------------------------------------------------------------------------- runner


def run_suggest(
    inputs: list[Path] | Path,
    output: Path | str,
    *,
    fmt: str = "auto",
    strict: bool = False,
    csv_options: CsvOptions | None = None,
    encoding: str = "utf-8",
    spec: EngineSpec | None = None,
    engine=None,
    n_process: int = 1,
    batch_size: int = 64,
    resume: bool = False,
    progress: bool = False,
    fsync_seconds: float = FSYNC_SECONDS,
    on_batch: Callable[[BatchResult], None] | None = None,
) -> BatchResult:
    """Suggest codes for every conversation in ``inputs``; write JSONL to ``output``.

    ``output`` ``"-"`` writes to stdout (no ``.part``, no resume). ``engine`` (a built
    RuleEngine, built by ``spec.build()`` with the same spec) is used when ``n_process == 1``;
    otherwise workers build one from ``spec``. The conversations are batched once, here:
    each batch goes to the engine whole.
    Raises :class:`BatchError` for unusable arguments or a resume that does not match its
    ``.part``, :class:`Interrupted` on Ctrl-C or SIGTERM (the ``.part`` file is then
    consistent), and ``InputError`` from the reader.
    """
    spec = spec or EngineSpec()
    n_process = n_process if n_process > 0 else (os.cpu_count() or 1)
    batch_size = max(1, batch_size)
    to_stdout = str(output) == "-"
    inputs = [inputs] if isinstance(inputs, str | os.PathLike) else list(inputs)
    result = BatchResult(output=None if to_stdout else Path(output))
    report = result.report
    # paths, format, encoding and options are checked before anything is written
    convs = read_conversations(inputs, fmt, strict=strict, report=report,
                               csv_options=csv_options, with_gold=False, encoding=encoding)
    done: set[str] = set()
    if to_stdout:
        if resume:
            raise BatchError("--resume needs an output file, not stdout")
        fh = sys.stdout
    else:
        out = Path(output)
        part = result.part = part_path(out)
        if part.exists() and not resume:
            raise BatchError(f"{part} exists from an interrupted run: use --resume to continue "
                             "it, or delete it to start over")
        if resume and not part.exists() and out.exists():
            result.already_complete = True  # a finished run: nothing to resume
            result.resumed = len(scan_part(out, result.per_code, truncate=False))
            return result
        identity = runstate.run_identity(_resolve(inputs, fmt, ReadReport()), fmt=fmt,
                                         strict=strict, encoding=encoding,
                                         csv_options=csv_options or CsvOptions(), spec=spec)
        if resume and part.exists():
            old = runstate.read_identity(part)
            why = (["the .part has no record of the run it belongs to (written by an older "
                    "version or damaged)"] if old is None else runstate.differences(old,
                                                                                    identity))
            if why:
                raise BatchError(f"cannot resume {part}: " + "; ".join(why) + ". Run the "
                                 "same command as before with --resume, or delete the .part "
                                 "file to start over")
            done = set(scan_part(part, result.per_code))
            result.resumed = result.done_ids = len(done)
        if not out.parent.exists():
            private_dir(out.parent)
        runstate.write_identity(part, identity)
        fh = private_file(part, "a" if resume else "w", encoding="utf-8", newline="\n")
    if done:
        convs = (c for c in convs if c.id not in done)
    results: Iterator[tuple[list[Conversation], list[Line]]]
    if n_process == 1:
        eng = engine if engine is not None else spec.build()
        results = _in_process(eng, batched(convs, batch_size))
    else:
        results = _parallel(batched(convs, batch_size), spec, n_process)
    bar = _Progress(report, _estimate_total(inputs, fmt), result.resumed) if progress else None
    old_term = _sigterm_as_interrupt()
    last_sync = time.monotonic()
    try:
        for batch, lines in results:
            fh.write("".join(line for line, *_ in lines if line is not None))
            fh.flush()
            _account(result, batch, lines, strict)
            if not to_stdout and time.monotonic() - last_sync >= fsync_seconds:
                os.fsync(fh.fileno())
                last_sync = time.monotonic()
            if bar:
                bar.update(result.total)
            if on_batch:
                on_batch(result)
        if bar:  # skips found after the last batch
            bar.update(result.total)
    except KeyboardInterrupt:
        _abort(fh, to_stdout, result)
        raise Interrupted(result) from None
    except BaseException:
        _abort(fh, to_stdout, result)
        raise
    finally:
        if bar:
            bar.stop()
        _restore_sigterm(old_term)
        close = getattr(results, "close", None)
        if close:
            close()
    _close(fh, to_stdout)
    if not to_stdout:
        os.replace(result.part, result.output)
        runstate.remove(result.part)
        _fsync_dir(result.output.parent)
    return result


def _account(result: BatchResult, batch: list[Conversation], lines: list[Line],
             strict: bool) -> None:
    """Count a finished batch: written lines, codes, cut messages, engine failures."""
    for conv, (line, codes, platforms, cut, error) in zip(batch, lines, strict=True):
        if cut:
            result.cut_messages += cut
            if len(result.cut_ids) < 20:
                result.cut_ids.append(conv.id)
        if line is None:
            result.report.read -= 1  # read, but not written: a skip with its reason
            skip = Skip(source=conv.source or "?", line=conv.line, id=conv.id,
                        reason="analysis_error",
                        detail=f"the engine failed on this conversation ({error})")
            result.report.add(skip)
            if strict:
                raise InputError(str(skip), source=skip.source, line=skip.line,
                                 reason=skip.reason, skip=skip)
            continue
        _count(result.per_code, codes, platforms)
        result.written += 1


def _abort(fh, to_stdout: bool, result: BatchResult) -> None:
    """Close the output of a run that stops early; a .part with nothing in it is removed,
    so it cannot block the next run."""
    _close(fh, to_stdout)
    if not to_stdout and result.part is not None and result.total == 0:
        runstate.remove(result.part)
        result.part = None


def _close(fh, to_stdout: bool) -> None:
    if to_stdout:
        fh.flush()
        return
    if fh.closed:
        return
    fh.flush()
    os.fsync(fh.fileno())
    fh.close()


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _sigterm_as_interrupt() -> Any:
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None

    def handler(signum, frame):
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, handler)


def _restore_sigterm(old: Any) -> None:
    if old is not None:
        signal.signal(signal.SIGTERM, old)
