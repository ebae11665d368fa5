"""Benchmark ``indicators suggest`` against bare spaCy + SpanRuler (run via ``scripts/bench``).

1. Generates N synthetic conversations (default 20,000, ~30 turns) by recombining the turns
   of the bundled samples (``samples/*.txt``; the dev corpus when there are none): a fixed
   seed, speakers kept, turns shuffled across conversations, new ids.
2. Runs, each in its own process tree: our ``suggest`` (rules only; also with a classifier
   when ``models/*/model.skops`` exists), and two baselines: plain tokenisation,
   ``spacy.blank("nl")`` with ``nlp.pipe`` over the same turns (the floor: no pipeline can
   do less), and ``spacy.blank("nl")`` plus a SpanRuler holding every term of
   ``patterns/*.yaml`` (token patterns on LOWER, REGEX for wildcards, a bounded wildcard
   for gaps; a slow baseline, kept as a second figure).
3. Prints conversations/s, tokens/s, CPU time (user+sys of the process tree) and peak memory
   (summed RSS of the process tree, sampled from /proc; plus ru_maxrss of the largest
   process). The ratios compare equal work and resources: the first ``--baseline-n``
   conversations (default 2000), one process each, by CPU time (wall-clock time on a shared
   machine is noisy; it is printed beside). Tokenising and our ``suggest`` run alternately
   ``--repeat`` times (default 5) and each side's fastest run counts: this machine's speed
   drifts by up to a third within a minute. ``ratio ours/SpanRuler`` comes first (on the
   first ``--spanruler-n`` conversations, default 200: that baseline runs at a few
   conversations a second); the last line is ``ratio ours/tokenise: X.XX``, our ``suggest``
   against plain tokenisation (the target is at most 4). Our throughput target is the full
   run with ``-j`` processes.

Nothing here prints conversation text.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV = Path(os.environ.get("INDICATORS_DEV_CORPUS")
           or next((c for c in (ROOT.parent / "shared" / "corpus" / "dev",
                                Path("/work/shared/corpus/dev")) if c.is_dir()),
                   ROOT.parent / "shared" / "corpus" / "dev"))


# --------------------------------------------------------------------------- generation


def _source_conversations() -> list[list[tuple[str, str]]]:
    sys.path.insert(0, str(ROOT / "src"))
    from indicators.corpus import read_conversations

    samples = sorted((ROOT / "samples").glob("*.txt"))
    paths = samples or sorted(DEV.glob("*.jsonl"))
    if not paths:
        sys.exit("no samples/*.txt and no dev corpus to generate from")
    convs = read_conversations(paths, "auto", with_gold=False)
    return [[(t.speaker, t.text) for t in c.turns] for c in convs]


def generate(n: int, path: Path, seed: int = 2024, turns: int = 30) -> int:
    """Write n conversations to path (JSONL); return the number of turns."""
    rnd = random.Random(seed)
    sources = _source_conversations()
    pool: dict[str, list[str]] = {}
    for conv in sources:
        for speaker, text in conv:
            pool.setdefault(speaker, []).append(text)
    n_turns = 0
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            k = max(4, int(rnd.gauss(turns, turns / 4)))
            speakers: list[str] = []
            while len(speakers) < k:  # speaker order from real conversations
                speakers += [s for s, _ in rnd.choice(sources)]
            ts = [{"speaker": s, "text": rnd.choice(pool[s])} for s in speakers[:k]]
            n_turns += k
            fh.write(json.dumps({"id": f"BENCH-{i:06d}", "year": 2024, "turns": ts},
                                ensure_ascii=False) + "\n")
    return n_turns


# --------------------------------------------------------------------------- memory


def _tree_rss(pid: int) -> int:
    """Summed RSS (bytes) of pid and its descendants."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    stack += [int(c) for c in fh.read().split()]
        except (OSError, ValueError):
            continue
    return total


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


LAST_CPU = [0.0]  # CPU seconds (user+sys) of the process tree of the last measure()


def measure(cmd: list[str]) -> tuple[float, int]:
    """Run cmd; return (seconds, peak summed RSS of its process tree in bytes); its CPU
    time (user+sys of the whole tree, as reaped) is left in ``LAST_CPU[0]``."""
    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0

    def sample():
        nonlocal peak
        while proc.poll() is None:
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.1)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    _, stderr = proc.communicate()
    secs = time.perf_counter() - t0
    LAST_CPU[0] = _children_cpu() - cpu0
    th.join()
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{stderr[-2000:]}")
    return secs, peak


# --------------------------------------------------------------------------- baseline


def spanruler_patterns(pattern_dir: Path | None) -> list[dict]:
    """Every term of the pattern files as SpanRuler token patterns (the same patterns)."""
    sys.path.insert(0, str(ROOT / "src"))
    from indicators.rules.load import load_patterns

    ps = load_patterns(pattern_dir)
    groups = [(c, ts) for c, ts in ps.concepts.items()]
    groups += [(m.id, list(m.terms)) for m in ps.modifiers]
    groups += [(f"stop:{c}", ts) for c, ts in ps.terminators.items()]
    groups += [("affirm", ps.affirm), ("deny", ps.deny)]
    out = []
    for label, terms in groups:
        for term in terms:
            toks = []
            for spec in term.tokens:
                v = spec.value
                if spec.kind == "exact":
                    toks.append({"LOWER": v})
                elif spec.kind == "prefix":
                    toks.append({"LOWER": {"REGEX": "^" + re.escape(v)}})
                elif spec.kind == "suffix":
                    toks.append({"LOWER": {"REGEX": re.escape(v) + "$"}})
                elif spec.kind in ("regex", "words"):
                    toks.append({"LOWER": {"REGEX": f"^(?:{v})$"}})
                else:  # gap
                    toks.append({"OP": f"{{0,{int(v)}}}"})
            out.append({"label": label, "pattern": toks})
    return out


def run_baseline(data: Path, pattern_dir: Path | None, n_process: int, stats: Path,
                 tokenise: bool = False) -> None:
    import spacy

    nlp = spacy.blank("nl")
    if not tokenise:
        ruler = nlp.add_pipe("span_ruler", config={"spans_key": "sc"})
        ruler.add_patterns(spanruler_patterns(pattern_dir))

    def texts():
        with data.open(encoding="utf-8") as fh:
            for line in fh:
                for t in json.loads(line)["turns"]:
                    yield t["text"]

    n_tok = n_spans = 0
    for doc in nlp.pipe(texts(), batch_size=1000, n_process=n_process):
        n_tok += len(doc)
        n_spans += len(doc.spans["sc"]) if not tokenise else 0
    stats.write_text(json.dumps({"tokens": n_tok, "spans": n_spans}))


# --------------------------------------------------------------------------- main


def _line(name: str, secs: float, n: int, tokens: int, peak: int, cpu: float | None = None
          ) -> str:
    cpu = LAST_CPU[0] if cpu is None else cpu
    return (f"{name:<40} {secs:8.1f} s  {n / secs:8.1f} conv/s  {tokens / secs:10.0f} tok/s  "
            f"CPU {cpu:7.1f} s  peak {peak / 2**20:7.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=20_000, help="conversations (default 20000)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench-out", help="work directory")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                    help="processes for both ours and the baseline (default: all cores)")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--baseline-n", type=int, default=2000,
                    help="conversations for the ratio run (baseline and ours, 1 process each; "
                    "default 2000)")
    ap.add_argument("--repeat", type=int, default=5,
                    help="alternating runs of the ratio's two sides (default 5; the fastest "
                         "of each counts)")
    ap.add_argument("--spanruler-n", type=int, default=200,
                    help="conversations for the slow SpanRuler baseline and its ratio "
                    "(default 200)")
    ap.add_argument("--patterns", type=Path, default=None, help="pattern directory")
    ap.add_argument("--baseline-only", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--tokenise-only", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--stats", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.baseline_only or a.tokenise_only:
        return run_baseline(a.data, a.patterns, a.jobs, a.stats, tokenise=a.tokenise_only)

    a.out.mkdir(parents=True, exist_ok=True)
    data = a.out / f"bench-{a.n}.jsonl"
    t0 = time.perf_counter()
    n_turns = generate(a.n, data)
    print(f"generated {a.n} conversations, {n_turns} turns ({n_turns / a.n:.1f} per "
          f"conversation) in {time.perf_counter() - t0:.1f} s -> {data}")
    print(_compiled_note())
    py = sys.executable
    pat = ["--patterns", str(a.patterns)] if a.patterns else []
    ind = [py, "-c", "from indicators.cli import app; app(prog_name='indicators')"]

    def ours(name: str, src: Path, n: int, jobs: int, extra: list[str]) -> tuple[float, float]:
        out = a.out / "suggestions.jsonl"
        for stale in (out, out.with_name(out.name + ".part")):
            stale.unlink(missing_ok=True)
        secs, peak = measure([*ind, "suggest", str(src), "-o", str(out), "-q", "--no-progress",
                              "--n-process", str(jobs), "--batch-size", str(a.batch_size),
                              *pat, *extra])
        with out.open(encoding="utf-8") as fh:
            n_out = sum(1 for _ in fh)
        assert n_out == n, f"{name}: {n_out} of {n} conversations written"
        print(_line(f"{name} (j={jobs}, n={n})", secs, n, tokens * n / a.n, peak))
        return secs, LAST_CPU[0]

    def ours_cpu(src: Path, n: int) -> tuple[float, float, int]:
        """(CPU, wall, peak) of one rules-only ``suggest`` of ``src`` in one process."""
        out = a.out / "suggestions.jsonl"
        for stale in (out, out.with_name(out.name + ".part")):
            stale.unlink(missing_ok=True)
        secs, peak = measure([*ind, "suggest", str(src), "-o", str(out), "-q", "--no-progress",
                              "--n-process", "1", "--batch-size", str(a.batch_size), *pat])
        with out.open(encoding="utf-8") as fh:
            assert sum(1 for _ in fh) == n, f"suggest: not {n} conversations written"
        return LAST_CPU[0], secs, peak

    ours_runs: list[tuple[float, float, int]] = []
    # the ratio compares equal work and resources: m conversations, one process each
    m = min(a.n, a.baseline_n)
    sub = a.out / f"bench-{m}-head.jsonl"
    with data.open(encoding="utf-8") as src, sub.open("w", encoding="utf-8") as dst:
        for _, line in zip(range(m), src, strict=False):
            dst.write(line)
    stats = a.out / "baseline.json"
    # the ratio's two runs alternate, --repeat times, and each keeps its fastest CPU time:
    # this machine's speed drifts by up to a third within a minute
    tok_runs = []
    for _ in range(a.repeat):
        t_secs, t_peak = measure([py, __file__, "--tokenise-only", "--data", str(sub),
                                  "--stats", str(stats), "-j", "1"])
        tok_runs.append((LAST_CPU[0], t_secs, t_peak))
        ours_runs.append(ours_cpu(sub, m))
    t_cpu, t_secs, t_peak = min(tok_runs)
    tokens = json.loads(stats.read_text())["tokens"] * a.n / m  # estimate for all n
    print(_line(f"baseline spacy.blank tokenise (j=1, n={m})", t_secs, m, tokens * m / a.n,
                t_peak, t_cpu))
    # the SpanRuler baseline runs at a few conversations a second: its own, smaller sample
    k = min(m, a.spanruler_n)
    small = a.out / f"bench-{k}-spanruler.jsonl"
    with sub.open(encoding="utf-8") as src, small.open("w", encoding="utf-8") as dst:
        for _, line in zip(range(k), src, strict=False):
            dst.write(line)
    b_secs, b_peak = measure([py, __file__, "--baseline-only", "--data", str(small),
                              "--stats", str(stats), "-j", "1", *pat])
    b_cpu = LAST_CPU[0]
    print(_line(f"baseline spacy+SpanRuler (j=1, n={k})", b_secs, k, tokens * k / a.n, b_peak))
    _, ok_cpu = ours("ours suggest, rules", small, k, 1, [])
    o1_cpu, o1, o1_peak = min(ours_runs)
    print(_line(f"ours suggest, rules (j=1, n={m})", o1, m, tokens * m / a.n, o1_peak, o1_cpu))
    ours("ours suggest, rules", data, a.n, a.jobs, [])
    for model in sorted((ROOT / "models").glob("*/model.skops")):
        why = _unusable(model.parent)
        if why:  # a stale or foreign model must not stop the benchmark
            print(f"skipped --model {model.parent.name}: {why}", file=sys.stderr)
            continue
        ours(f"ours suggest, --model {model.parent.name}", data, a.n, a.jobs,
             ["--model", str(model.parent)])
    maxrss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(f"largest single process (ru_maxrss, children): {maxrss / 2**20:.0f} MB")
    print(f"ratio ours/SpanRuler: {ok_cpu / b_cpu:.2f} (CPU time, {k} conversations)")
    print(f"ratio ours/tokenise: {o1_cpu / t_cpu:.2f} (CPU time, fastest of {a.repeat} "
          f"alternating runs each; wall {o1 / t_secs:.2f})")


def _compiled_note() -> str:
    """Which rule modules run compiled (setup.py compiles them with Cython where a C compiler
    is; the figures depend on it)."""
    import indicators.rules

    names = indicators.rules.compiled()
    done = sorted(n for n, ok in names.items() if ok)
    if not done:
        return "rule modules: plain Python (not compiled; see setup.py)"
    return f"rule modules compiled with Cython: {len(done)} of {len(names)} ({', '.join(done)})"


def _unusable(model_dir: Path) -> str | None:
    """Why ``suggest --model`` would refuse this model directory (None when it can run)."""
    from indicators.classifier import attach_classifier
    from indicators.rules.engine import RuleEngine

    try:
        attach_classifier(RuleEngine(), model_dir)
    except ValueError as e:  # ModelError is a ValueError
        return str(e)
    return None


if __name__ == "__main__":
    main()
