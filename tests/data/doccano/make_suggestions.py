"""Build ``suggestions.jsonl`` (the ``indicators suggest`` format) from the dev-corpus gold.

A test fixture for the doccano loop until real suggestions exist: codes, platforms and context
from gold; one evidence span per code, in the first visitor turn that contains a cue word for it
(for ``ontmoeting_online``: the platform's name), else the whole first visitor turn. The fixture is
deliberately imperfect so a coder has something to correct.

Codebook v2 shape: ``context`` holds every variable of the codebook as ``{value, score,
evidence}`` (``leeftijd`` with the place where the number stands when the text shows it), and
``meta`` carries registration data (made up here from the id: a pseudonymous visitor id and the
age of the gold context, never text).

    tests/conftest.py runs this when the file is missing (it is not kept in git):
    .venv/bin/python tests/data/doccano/make_suggestions.py ../shared/corpus/dev/*.jsonl \
        > tests/data/doccano/suggestions.jsonl
"""

from __future__ import annotations

import json
import re
import sys

from indicators.codebook import load_codebook

CODEBOOK = load_codebook()

CUES = {
    "sextortion": ["foto", "filmp", "video", "naakt"],
    "inwonend": ["woon", "huis", "thuis"],
    "ontmoeting_offline": ["school", "feest", "buurt", "vriend", "werk"],
    "klant_zeer_jong": ["was 1", "jaar oud", "jaar toen"],
    "klant_uitbuiter_aanwezig": ["erbij", "kamer", "wacht", "bleef"],
    "klant_kind_van_uitbuiter": ["vader", "moeder", "dochter", "zoon"],
    "klant_geweld": ["sloeg", "geslagen", "vast", "pijn", "mes"],
    "klant_filmt_chanteert": ["film", "foto", "chant"],
    "klant_weigering_genegeerd": ["nee", "huil", "wilde nie", "stop"],
    "klant_locatie_signaal": ["kamer", "slaapkamer", "op slot", "huis"],
    "geweld_fysiek": ["sloeg", "slaat", "geslagen", "schopt", "pijn"],
    "geweld_seksueel": ["verkracht", "misbruik", "dwong"],
    "geweld_psychisch": ["dreig", "bang", "vermoord", "schreeuw"],
    "middelenafhankelijkheid": ["drugs", "coke", "wiet", "pillen", "drank"],
    "lvb": ["lvb", "verstandelijk", "beperking"],
    "leeftijdsverschil": ["ouder", "jaar oud", "man van"],
    "financiele_afhankelijkheid": ["geld", "schuld", "betaalt"],
}
PLATFORM_CUES = {
    "instagram": ["insta", "ig"], "snapchat": ["snap"], "tiktok": ["tiktok"],
    "facebook": ["facebook", "messenger", "fb"], "whatsapp": ["whatsapp", "app"],
    "telegram": ["telegram"], "kik": ["kik"], "discord": ["discord"], "x": ["twitter", " x "],
    "tinder": ["tinder", "tindr"], "badoo": ["badoo"], "grindr": ["grindr"],
    "bumble": ["bumble"], "lovoo": ["lovoo"], "tagged": ["tagged"], "waplog": ["waplog"],
    "partypeeps": ["partypeeps"], "datingapp": ["dating"], "omegle": ["omegle", "video"],
    "chatsite": ["chat"], "game": ["game", "roblox", "fortnite", "minecraft"],
    "forum": ["forum"], "sekssite": ["site", "kinky", "sexjobs", "redlights"],
}

def number_evidence(turns, value):
    """Where the age stands in a visitor turn, as the suggester would point at it."""
    if value is None:
        return []
    for i, t in enumerate(turns):
        if t["speaker"] != "bezoeker":
            continue
        m = re.search(rf"\b{value}\b", t["text"])
        if m:
            return [{"code": "context:leeftijd", "platform": None, "turn": i,
                     "speaker": "bezoeker", "start": m.start(), "end": m.end(),
                     "text": m.group(), "source": "pattern:context.leeftijd", "score": 0.9}]
    return []


def evidence_for(turns, cues, code, platform, source):
    visitor = [i for i, t in enumerate(turns) if t["speaker"] == "bezoeker" and t["text"]]
    for i in visitor:
        low = turns[i]["text"].lower()
        for cue in cues:
            pos = low.find(cue)
            if pos >= 0:
                return {"code": code, "platform": platform, "turn": i, "speaker": "bezoeker",
                        "start": 0, "end": len(turns[i]["text"]), "text": turns[i]["text"],
                        "source": source, "score": 0.8}
    i = visitor[0]
    return {"code": code, "platform": platform, "turn": i, "speaker": "bezoeker", "start": 0,
            "end": len(turns[i]["text"]), "text": turns[i]["text"], "source": source + ".fallback",
            "score": 0.5}


def convert(rec: dict) -> dict:
    gold = rec["gold"]
    codes = list(gold["codes"])
    platforms = list(gold.get("ontmoeting_platforms") or [])
    evidence = []
    for code in codes:
        if code == "ontmoeting_online" and platforms:
            cues = [c for p in platforms for c in PLATFORM_CUES.get(p, [p])]
            evidence.append(evidence_for(rec["turns"], cues, code, platforms[0],
                                         "pattern:ontmoeting.platform_meeting"))
        else:
            evidence.append(evidence_for(rec["turns"], CUES.get(code, [code]), code, None,
                                         f"pattern:{code}.gold_fixture"))
    derived = [c for c in CODEBOOK.with_derived(codes) if CODEBOOK.codes[c].derived]
    gold_ctx = gold.get("context", {})
    context = {}
    for var in CODEBOOK.context.values():
        value = gold_ctx.get(var.id, None if var.number else ([] if var.multi else "onbekend"))
        known = value not in (None, "onbekend", [])
        ev = number_evidence(rec["turns"], value) if var.number else []
        context[var.id] = {"value": value, "score": 0.8 if known else 0.0, "evidence": ev}
    meta = {"bezoeker_id": f"bz-{rec['id'].lower()}", "in_onderzoek": "ja"}
    if gold_ctx.get("leeftijd") is not None:
        meta["leeftijd"] = gold_ctx["leeftijd"]
    return {
        "id": rec["id"], "year": rec.get("year"), "channel": rec.get("channel"), "meta": meta,
        "turns": rec["turns"], "codes": codes + derived, "platforms": platforms,
        "context": context, "scores": {c: 0.8 for c in codes}, "evidence": evidence,
        "engine": {"codebook_version": CODEBOOK.version, "patterns_version": "gold-fixture", "model": None},
    }


def main(paths: list[str]) -> None:
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    print(json.dumps(convert(json.loads(line)), ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
