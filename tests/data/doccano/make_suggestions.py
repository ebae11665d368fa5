"""Build ``suggestions.jsonl`` (the ``indicators suggest`` format) from the dev-corpus gold.

A test fixture for the doccano loop until real suggestions exist: codes, platforms and context
from gold; one evidence span per code, in the first visitor turn that contains a cue word for it
(for ``ontmoeting_online``: the platform's name), else the whole first visitor turn. The fixture is
deliberately imperfect so a coder has something to correct.

    tests/conftest.py runs this when the file is missing (it is not kept in git):
    .venv/bin/python tests/data/doccano/make_suggestions.py ../shared/corpus/dev/*.jsonl \
        > tests/data/doccano/suggestions.jsonl
"""

from __future__ import annotations

import json
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
    context = {k: v for k, v in gold.get("context", {}).items()
               if k in ("chatter", "acuut_onveilig") and v != "onbekend"}
    return {
        "id": rec["id"], "year": rec.get("year"), "channel": rec.get("channel"),
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
