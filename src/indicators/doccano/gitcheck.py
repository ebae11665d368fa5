"""Transcripts never land in git by accident: warn when push or pull writes a file that holds
transcript text inside a git work tree, outside the paths git ignores."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def unignored_in_git(path: str | Path) -> bool:
    """True when ``path`` lies in a git work tree and git would NOT ignore it."""
    git = shutil.which("git")
    if git is None:
        return False
    path = Path(path).resolve()
    folder = path.parent
    while not folder.exists():
        folder = folder.parent
    inside = subprocess.run([git, "-C", str(folder), "rev-parse", "--is-inside-work-tree"],
                            capture_output=True, text=True)
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        return False
    ignored = subprocess.run([git, "-C", str(folder), "check-ignore", "-q", str(path)],
                             capture_output=True)
    return ignored.returncode == 1
