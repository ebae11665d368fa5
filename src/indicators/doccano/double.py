"""Double coding: a reproducible sample of a project coded a second time, independently.

doccano 1.8.4 has no assignment of examples to members, and in a project with shared
annotations every member sees every label. So the second coding lives in its own project,
``<project>-dubbel``: ``push --double-code 10%`` puts the sample there too (with the same machine
pre-selection), and its members are the second coders (``indicators doccano add-coder NAME
--project <project>-dubbel``), who do not see the first coder's decisions. Which conversations
are in the sample depends only on the project name and the conversation id (a hash), so it is
the same on every run, and a conversation added later is in or out for good.

``pull`` writes, beside its output, ``<output>.dubbel.jsonl``: for every conversation confirmed in
both projects, the first coder's record and the second coder's record (``review.coder`` tells
them apart), which ``indicators agreement`` reads directly. The first project's confirmed record
stays the confirmed decision: after the coders have talked, they set it to their consensus.
"""

from __future__ import annotations

import hashlib
import re

SUFFIX = "-dubbel"


def double_project(project: str) -> str:
    return project + SUFFIX


def parse_share(text: str) -> float:
    """``10%``, ``10`` or ``0.1`` as a share in (0, 1]."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(%?)\s*", text or "")
    if not m:
        raise ValueError(f"--double-code takes a share like 10% or 0.1, not {text!r}")
    value = float(m.group(1))
    share = value / 100 if m.group(2) or value > 1 else value
    if not 0 < share <= 1:
        raise ValueError(f"--double-code must be more than 0% and at most 100%, not {text!r}")
    return share


def in_sample(project: str, conversation_id: str, share: float) -> bool:
    digest = hashlib.sha256(f"{project}\0{conversation_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def pair_records(first: list[dict], second: list[dict]) -> list[dict]:
    """Both coders' records of the conversations confirmed in both projects, by id."""
    by_id = {r["id"]: r for r in first}
    out = []
    for rec in second:
        if rec["id"] in by_id:
            out += [by_id[rec["id"]], rec]
    return out
