"""A disk cache of turns' tokens, so re-running ``evaluate`` after a pattern edit skips spaCy.

``TokenCache(directory, pipeline).tokens(texts, make)`` returns the
:class:`~.match.TurnTokens` of a batch of turn texts: read from one file per batch under
``directory`` (default ``.cache/tokens/``, gitignored), or made by ``make`` and stored. The
key is a hash of the pipeline's identity (:func:`pipeline_id`: the pipeline, spaCy's version,
the spelling map and the source of the code that makes tokens) and the texts. Pattern edits do
not change it; a changed pipeline, spelling map or text does. A hit needs no spaCy: not even
its import. The cache holds the words of the conversations: keep it where the transcripts are
allowed to be, and delete it with the data. Its directories are created 0700 and its files
0600 (readable by their owner only).
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import sys
import tempfile
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from ..iterutils import gc_paused
from ..paths import project_root
from ..private import private_dir
from .match import TurnTokens

FORMAT = 1  # the layout of a cache file; a new layout gets a new number (and new keys)


def default_dir() -> Path:
    return project_root() / ".cache" / "tokens"


def pipeline_id(model: str | None, spelling: dict[str, str], nlp=None) -> str:
    """What the tokens depend on: the pipeline's name (``model``, or the blank ``nl``), the
    installed spaCy, Python's version (of the file format), the spelling map, the code that makes tokens (this package's
    ``normalise``, ``pipeline`` and ``match`` sources), and for a pipeline given as an object
    (``nlp``: a trained one) its name, version, components and config."""
    h = hashlib.sha256()
    try:
        spacy_version = version("spacy")
    except PackageNotFoundError:
        spacy_version = "?"
    parts = [FORMAT, sys.version_info[:2], model or "blank:nl", spacy_version,
             json.dumps(spelling, sort_keys=True)]
    if nlp is not None:
        parts += [nlp.meta.get("name", ""), nlp.meta.get("version", ""),
                  ",".join(nlp.pipe_names), nlp.config.to_str()]
    for part in parts:
        h.update(str(part).encode("utf-8") + b"\0")
    here = Path(__file__).parent
    for name in ("normalise.py", "pipeline.py", "match.py"):
        h.update((here / name).read_bytes())
    return h.hexdigest()


class TokenCache:
    def __init__(self, directory: Path | str | None, pipeline: str):
        self.dir = Path(directory) if directory is not None else default_dir()
        self.prefix = pipeline  # pipeline_id(...)
        self.hits = 0  # batches read from the cache
        self.misses = 0  # batches made and stored

    def key(self, texts: list[str]) -> str:
        h = hashlib.sha256(self.prefix.encode())
        for t in texts:
            b = t.encode("utf-8", "surrogatepass")
            h.update(len(b).to_bytes(8, "little") + b)
        return h.hexdigest()

    def _path(self, key: str) -> Path:
        return self.dir / key[:2] / f"{key}.tokens"

    def tokens(self, texts: list[str], make: Callable[[list[str]], list[TurnTokens]]
               ) -> list[TurnTokens]:
        """The tokens of ``texts``: from the cache, or ``make(texts)`` (then stored)."""
        texts = list(texts)
        path = self._path(self.key(texts))
        if path.exists():
            got = self._read(path, len(texts))
            if got is not None:
                self.hits += 1
                return got
        made = list(make(texts))
        self.misses += 1
        self._store(path, made)
        return made

    @staticmethod
    def _read(path: Path, n: int) -> list[TurnTokens] | None:
        """The stored tokens, or None for a damaged or foreign entry (then made again and
        overwritten)."""
        try:
            with gc_paused():  # many small lists: the cycle collector would run again and again
                fmt, data = marshal.loads(path.read_bytes())
                if fmt != FORMAT or len(data) != n:
                    return None
                return [TurnTokens(*t) for t in data]
        except (OSError, EOFError, ValueError, TypeError):
            return None

    @staticmethod
    def _store(path: Path, tokens: list[TurnTokens]) -> None:
        data = marshal.dumps((FORMAT, [tuple(t) for t in tokens]))
        try:
            private_dir(path.parent)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")  # created 0600
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except OSError:  # a read-only or full disk only costs speed
            pass
