"""Files and directories that hold conversation text: readable by their owner only.

Transcripts, suggestions, caches of analysed text, push records and doccano's database must
not be readable by other users of the machine. ``private_file(path)`` opens a file for
writing created with mode 0600 (an existing file is tightened to 0600 as well);
``private_dir(path)`` creates a directory (and missing parents) with mode 0700.
``make_private(path)`` tightens an existing file (0600) or directory (0700). The modes do not
depend on the umask.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import IO, Any

FILE_MODE = 0o600
DIR_MODE = 0o700

__all__ = ["DIR_MODE", "FILE_MODE", "make_private", "private_dir", "private_file"]


def private_dir(path: str | os.PathLike[str]) -> Path:
    """Create ``path`` and its missing parents with mode 0700; return it. Directories that
    already exist are left as they are, except ``path`` itself, which is tightened."""
    p = Path(path)
    missing = []
    q = p
    while not q.exists() and q != q.parent:
        missing.append(q)
        q = q.parent
    for d in reversed(missing):
        try:
            d.mkdir(mode=DIR_MODE)
        except FileExistsError:
            pass
        os.chmod(d, DIR_MODE)
    if not missing:
        make_private(p)
    return p


def private_file(path: str | os.PathLike[str], mode: str = "w", **kwargs: Any) -> IO[Any]:
    """``open(path, mode)`` for writing or appending, the file created with mode 0600.

    ``mode`` is one of ``w``, ``a``, ``x`` with optional ``b`` or ``+``; ``kwargs`` go to
    :func:`open` (encoding, newline, ...).
    """
    kind = mode.replace("b", "").replace("+", "")
    flags = {"w": os.O_WRONLY | os.O_CREAT | os.O_TRUNC, "a": os.O_WRONLY | os.O_CREAT
             | os.O_APPEND, "x": os.O_WRONLY | os.O_CREAT | os.O_EXCL}.get(kind)
    if flags is None:
        raise ValueError(f"private_file writes only (mode w, a or x), not {mode!r}")
    if "+" in mode:
        flags = (flags & ~os.O_WRONLY) | os.O_RDWR
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        return os.fdopen(fd, mode, **kwargs)
    except BaseException:
        os.close(fd)
        raise


def make_private(path: str | os.PathLike[str]) -> None:
    """Tighten an existing file to 0600 or directory to 0700 (nothing when it is missing)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return
    os.chmod(path, DIR_MODE if stat.S_ISDIR(st.st_mode) else FILE_MODE)
