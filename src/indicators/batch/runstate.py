"""What a ``suggest`` run writes beside its ``.part`` file, so ``--resume`` cannot mix runs.

``<output>.part.json`` (mode 0600) records the identity of the run the ``.part`` belongs to:
each input file (resolved path, size and SHA-256, in reading order) and every option that
changes the output (format, strict, encoding, CSV options, patterns, spaCy pipeline,
classifier with its model checksum). Batch size and the number of worker
processes are left out: they never change the output. ``--resume`` compares the recorded
identity with the new one and refuses any difference, naming it (file names and option
names only, never conversation text). A ``.part`` without this record (an older version) is
refused as well: nothing tells what it belongs to.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..paths import file_sha256
from ..private import private_file

VERSION = 1


def run_path(part: Path) -> Path:
    return part.with_name(part.name + ".json")


def _classifier_sha(directory: Path | None) -> str | None:
    if directory is None:
        return None
    try:
        card = json.loads((Path(directory) / "model_card.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return card.get("model_sha256") if isinstance(card, dict) else None


def run_identity(files: list[tuple[Path, str]], *, fmt: str, strict: bool, encoding: str,
                 csv_options: Any, spec: Any) -> dict[str, Any]:
    """The identity of a run: its input files (as read) and the options that shape output."""
    inputs = []
    for path, kind in files:
        p = Path(path).resolve()
        inputs.append({"path": str(p), "format": kind, "size": p.stat().st_size,
                       "sha256": file_sha256(p)})

    def s(v: Any) -> str | None:
        return None if v is None else str(Path(v).resolve()) if isinstance(v, Path) else str(v)

    options = {
        "format": fmt, "strict": strict, "encoding": encoding,
        "csv": asdict(csv_options) if csv_options is not None else None,
        "patterns": s(spec.patterns), "spacy_model": s(spec.spacy_model),
        "classifier": s(spec.classifier), "classifier_sha256": _classifier_sha(spec.classifier),
    }
    return {"version": VERSION, "inputs": inputs, "options": options}


def write_identity(part: Path, identity: dict[str, Any]) -> None:
    path = run_path(part)
    tmp = path.with_name(path.name + ".tmp")
    with private_file(tmp, "w", encoding="utf-8") as fh:
        json.dump(identity, fh, indent=1)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def read_identity(part: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(run_path(part).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Why a run cannot continue another: one short reason per difference."""
    out: list[str] = []
    if old.get("version") != new.get("version"):
        return ["the .part was written by another version of indicators"]
    before = {i["path"]: i for i in old.get("inputs", []) if isinstance(i, dict)}
    now = {i["path"]: i for i in new["inputs"]}
    gone = [p for p in before if p not in now]
    added = [p for p in now if p not in before]
    changed = [p for p in now if p in before and before[p] != now[p]]
    for label, paths in (("input files no longer given", gone), ("new input files", added),
                         ("input files changed since", changed)):
        if paths:
            names = ", ".join(Path(p).name for p in paths[:5])
            more = f" and {len(paths) - 5} more" if len(paths) > 5 else ""
            out.append(f"{label}: {names}{more}")
    if not (gone or added or changed) and list(before) != list(now):
        out.append("the input files are given in another order")
    old_opts, new_opts = old.get("options", {}), new["options"]
    for key in new_opts:
        if old_opts.get(key) != new_opts[key]:
            out.append(f"option {key} was {old_opts.get(key)!r}, now {new_opts[key]!r}")
    return out


def remove(part: Path) -> None:
    for p in (part, run_path(part)):
        try:
            p.unlink()
        except FileNotFoundError:
            pass
