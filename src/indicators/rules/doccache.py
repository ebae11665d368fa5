"""A disk cache of spaCy Docs, so re-running after a pattern edit skips the NLP pipeline.

``DocCache(directory, nlp).pipe(texts)`` returns the Docs for a batch of turn texts. A batch
is stored as one DocBin file under ``directory`` (default ``.cache/docs/``, gitignored), keyed
by a hash of the pipeline identity (name, version, spaCy version, components and config, and
the source of our normaliser) and the texts. Pattern edits do not change the key; a changed
pipeline or normaliser, or changed text, does. The cache holds conversation text (in the
Docs): keep it where the transcripts are allowed to be, and delete it with the data. Its
directories are created 0700 and its files 0600 (readable by their owner only).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, DocBin

from ..paths import project_root
from ..private import private_dir


def default_dir() -> Path:
    return project_root() / ".cache" / "docs"


def pipeline_key(nlp: Language) -> str:
    import spacy

    from . import normalise as nlp_module

    h = hashlib.sha256()
    for part in (nlp.meta.get("name", ""), nlp.meta.get("version", ""), spacy.__version__,
                 ",".join(nlp.pipe_names), nlp.config.to_str()):
        h.update(str(part).encode("utf-8") + b"\0")
    h.update(Path(nlp_module.__file__).read_bytes())
    return h.hexdigest()


class DocCache:
    def __init__(self, directory: Path | str | None, nlp: Language):
        self.dir = Path(directory) if directory is not None else default_dir()
        self.nlp = nlp
        self.prefix = pipeline_key(nlp)
        self.hits = 0  # batches read from the cache
        self.misses = 0  # batches run through the pipeline

    def key(self, texts: list[str]) -> str:
        h = hashlib.sha256(self.prefix.encode())
        for t in texts:
            b = t.encode("utf-8", "surrogatepass")
            h.update(len(b).to_bytes(8, "little") + b)
        return h.hexdigest()

    def _path(self, key: str) -> Path:
        return self.dir / key[:2] / f"{key}.spacy"

    def pipe(self, texts: list[str], batch_size: int = 256, n_process: int = 1) -> Iterator[Doc]:
        texts = list(texts)
        path = self._path(self.key(texts))
        if path.exists():
            try:
                docs = list(DocBin().from_bytes(path.read_bytes()).get_docs(self.nlp.vocab))
            except Exception:  # a damaged entry: recompute and overwrite it
                docs = []
            if len(docs) == len(texts) and all(d.text == t for d, t in zip(docs, texts,
                                                                          strict=True)):
                self.hits += 1
                return iter(docs)
        docs = list(self.nlp.pipe(texts, batch_size=batch_size, n_process=n_process))
        self.misses += 1
        self._store(path, docs)
        return iter(docs)

    def _store(self, path: Path, docs: list[Doc]) -> None:
        data = DocBin(docs=docs).to_bytes()
        try:
            private_dir(path.parent)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")  # created 0600
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except OSError:  # a read-only or full disk only costs speed
            pass
