"""Recall and false-block rate of the residual-PII guard on the labelled cases.

    python scripts/pii_eval.py [tests/data/pii_cases.jsonl]

Each line of the cases file is ``{"text", "block": true|false, "kind"}``: ``block`` says
whether the guard must stop the text, ``kind`` is the identifier kind expected (positives) or
the look-alike's kind (negatives). Reports recall (positives blocked), the false-block rate
(look-alikes blocked), recall per kind and the cases got wrong (line numbers and kinds, never
the text). Exits 1 when recall is below 95% or false blocks above 5%.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from indicators.doccano.pii import PiiChecker

ROOT = Path(__file__).resolve().parents[1]
MIN_RECALL, MAX_FALSE_BLOCKS = 0.95, 0.05


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else ROOT / "tests" / "data" / "pii_cases.jsonl"
    cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
             if line.strip()]
    checker = PiiChecker(progress=lambda msg: print(msg, file=sys.stderr, flush=True))
    pos = neg = tp = fp = kind_ok = 0
    per_kind, per_kind_hit = Counter(), Counter()
    wrong = []
    for n, case in enumerate(cases, 1):
        found = checker.check_text(case["text"])
        if case["block"]:
            pos += 1
            per_kind[case["kind"]] += 1
            if found:
                tp += 1
                per_kind_hit[case["kind"]] += 1
                kind_ok += case["kind"] in found
            else:
                wrong.append(f"line {n}: missed {case['kind']}")
        else:
            neg += 1
            if found:
                fp += 1
                wrong.append(f"line {n}: blocked look-alike {case['kind']} as "
                             f"{', '.join(found)}")
    recall = tp / pos if pos else 0.0
    false_rate = fp / neg if neg else 0.0
    print(f"cases: {pos} identifiers, {neg} look-alikes ({path.name})")
    print(f"recall: {tp}/{pos} = {recall:.1%} (identifier kind also right: {kind_ok}/{tp})")
    print(f"false blocks: {fp}/{neg} = {false_rate:.1%}")
    for kind in sorted(per_kind):
        print(f"  {kind:15s} {per_kind_hit[kind]}/{per_kind[kind]}")
    for line in wrong:
        print(f"  {line}")
    return 0 if recall >= MIN_RECALL and false_rate <= MAX_FALSE_BLOCKS else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
