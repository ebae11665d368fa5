"""Where the project's data folders live (codebook, patterns, models).

The package is installed in editable mode from the repository, so the data folders sit at
the repository root. ``INDICATORS_HOME`` overrides that root.
"""

from __future__ import annotations

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
