"""Measure `indicators push` of N synthetic conversations against a real doccano server.

The conversations are made up here by recombining a few invented sentences (no real transcript,
no dev-corpus text), with suggestions in the v2 shape: codes with evidence, every context
variable, the age marked, registration meta. The server comes from DOCCANO_URL /
DOCCANO_USERNAME / DOCCANO_PASSWORD (e.g. ``source scripts/doccano-ci.sh``). The benchmark
project is deleted afterwards.

    PYTHONPATH=src .venv/bin/python scripts/bench_push.py --n 2000
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from indicators.codebook import load_codebook
from indicators.doccano.client import Doccano

VISITOR = [
    "hoi ik weet niet of ik hier goed zit",
    "ik ben {age} en mijn vriend zegt dat ik met andere mannen moet afspreken",
    "hij heeft fotos van mij en zegt dat hij ze doorstuurt",
    "we hebben elkaar leren kennen op een app",
    "ik woon bij hem sinds de zomer",
    "soms slaat hij me als ik nee zeg",
    "ik moet geld terugbetalen dat hij voor mij heeft uitgegeven",
    "de mannen weten hoe oud ik ben",
    "ik durf het niemand te vertellen",
    "hij geeft me pillen voor de afspraken",
]
HELPER = [
    "Hoi, fijn dat je er bent. Vertel maar wat er speelt.",
    "Dat klinkt heel naar. Ben je nu veilig?",
    "Wat goed dat je dit vertelt.",
    "Mag ik vragen hoe oud je bent?",
    "Je kunt ook bellen met de politie of Veilig Thuis.",
]
CODES = {1: "sextortion", 4: "inwonend", 5: "geweld_fysiek", 6: "financiele_afhankelijkheid",
         9: "middelenafhankelijkheid"}


def conversation(i: int, rng: random.Random, codebook) -> dict:
    age = rng.randint(13, 24)
    turns, evidence, codes = [], [], []
    for k in range(rng.randint(8, 24)):
        if k % 2 == 0:
            j = rng.randrange(len(VISITOR))
            text = VISITOR[j].format(age=age)
            turns.append({"speaker": "bezoeker", "text": text})
            code = CODES.get(j)
            if code and code not in codes:
                codes.append(code)
                evidence.append({"code": code, "turn": len(turns) - 1, "start": 0,
                                 "end": len(text), "source": "pattern:bench", "score": 0.8})
        else:
            turns.append({"speaker": "hulpverlener", "text": rng.choice(HELPER)})
    age_turn = next((n for n, t in enumerate(turns) if f" {age} " in t["text"]), None)
    context = {}
    for var in codebook.context.values():
        if var.number:
            value = age if age_turn is not None else None
            start = turns[age_turn]["text"].find(str(age)) if age_turn is not None else 0
            ev = ([{"code": "context:leeftijd", "turn": age_turn, "start": start,
                    "end": start + len(str(age))}] if age_turn is not None else [])
            context[var.id] = {"value": value, "score": 0.9, "evidence": ev}
        elif var.multi:
            context[var.id] = {"value": [rng.choice(var.value_ids[:-1])], "score": 0.6,
                               "evidence": []}
        else:
            context[var.id] = {"value": rng.choice(var.value_ids), "score": 0.5, "evidence": []}
    return {"id": f"BENCH-{i:05d}", "year": 2024, "channel": "bench",
            "meta": {"bezoeker_id": f"bz-{i % 1700}", "in_onderzoek": "ja"},
            "turns": turns, "codes": codes, "platforms": [], "scores": dict.fromkeys(codes, 0.8),
            "evidence": evidence, "context": context,
            "engine": {"codebook_version": codebook.version}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--allow-pii", action="store_true",
                    help="skip the de-identification check, to time the doccano part alone")
    args = ap.parse_args()
    codebook = load_codebook()
    rng = random.Random(args.seed)
    name = f"bench-push-{uuid.uuid4().hex[:6]}"
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "bench.jsonl"
        with f.open("w", encoding="utf-8") as fh:
            for i in range(args.n):
                fh.write(json.dumps(conversation(i, rng, codebook), ensure_ascii=False) + "\n")
        cmd = [str(Path(sys.executable).parent / "indicators"), "push", str(f), "--project", name,
               "--records", str(Path(tmp) / "records")] + (["--allow-pii"] if args.allow_pii
                                                           else [])
        t0 = time.perf_counter()
        first = subprocess.run(cmd, capture_output=True, text=True)
        t1 = time.perf_counter()
        again = subprocess.run(cmd, capture_output=True, text=True)
        t2 = time.perf_counter()
    if first.returncode:
        sys.exit(f"push failed (exit {first.returncode}): {first.stderr[-2000:]}")
    dc = Doccano.from_env()
    project = next(p for p in dc.projects() if p["name"] == name)
    on_server = sum(1 for _ in dc.examples(project["id"]))
    dc.call("delete", f"projects/{project['id']}")
    with open("/proc/loadavg") as fh:
        load = float(fh.read().split()[0])
    print(json.dumps({"conversations": args.n, "pii_check": not args.allow_pii,
                      "load_average_after": load, "push_seconds": round(t1 - t0, 1),
                      "per_conversation_ms": round(1000 * (t1 - t0) / args.n, 1),
                      "second_push_seconds": round(t2 - t1, 1),
                      "examples_on_server": on_server,
                      "exit_codes": [first.returncode, again.returncode]}))
    if first.returncode or again.returncode or on_server != args.n:
        sys.exit(1)


if __name__ == "__main__":
    main()
