"""Where the project's data folders live (codebook, patterns, models).

The package is installed in editable mode from the repository, so the data folders sit at
the repository root. ``INDICATORS_HOME`` overrides that root.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def project_root() -> Path:
    env = os.environ.get("INDICATORS_HOME")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2]


def codebook_file() -> Path:
    return project_root() / "codebook" / "codebook.yaml"


def patterns_dir() -> Path:
    return project_root() / "patterns"


def models_dir() -> Path:
    return project_root() / "models"


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in 1 MiB chunks (model files, run identities)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
