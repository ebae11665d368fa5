"""How fast does ``indicators evaluate`` answer after a pattern edit?

Builds N gold conversations (default 1,000) from the dev corpus (whole conversations with
their gold labels, new ids), copies patterns/ to a temporary directory, runs ``evaluate``
once, adds one term to a concept (a pattern edit), and times the re-run (the blank pipeline
keeps no Doc cache: it re-tokenises faster than a cache reads). Prints seconds only, never
conversation text.

    .venv/bin/python scripts/bench_evaluate.py [-n 1000] [--out bench-out]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV = Path(os.environ.get("INDICATORS_DEV_CORPUS")
           or next((c for c in (ROOT.parent / "shared" / "corpus" / "dev",
                                Path("/work/shared/corpus/dev")) if c.is_dir()),
                   ROOT.parent / "shared" / "corpus" / "dev"))
CLI = [sys.executable, "-c", "from indicators.cli import app; app(prog_name='indicators')"]


def run(args: list[str]) -> float:
    t0 = time.perf_counter()
    r = subprocess.run([*CLI, "evaluate", *args], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"evaluate failed ({r.returncode}): {r.stderr[-1500:]}")
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--out", type=Path, default=ROOT / "bench-out")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    recs = [json.loads(line) for f in sorted(DEV.glob("*.jsonl"))
            for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    gold = a.out / f"gold-{a.n}.jsonl"
    with gold.open("w", encoding="utf-8") as fh:
        for i in range(a.n):
            rec = dict(recs[i % len(recs)], id=f"EVAL-{i:06d}")
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    pat = a.out / "patterns-edit"
    shutil.rmtree(pat, ignore_errors=True)
    shutil.copytree(ROOT / "patterns", pat)
    common = [str(gold), "--patterns", str(pat), "--no-patterns-table"]
    fill = run(common)
    lex = pat / "lexicon.yaml"
    lex.write_text(lex.read_text(encoding="utf-8").replace(
        "  CLIENT:\n", "  CLIENT:\n    - benchklantterm\n", 1), encoding="utf-8")
    again = run(common)
    print(f"evaluate on {a.n} conversations: first run {fill:.1f} s")
    print(f"after a pattern edit: {again:.1f} s")


if __name__ == "__main__":
    main()
