"""Save and load classifier models safely: skops files and a model card, never pickle.

A model directory holds ``model.skops`` (the fitted pipeline, codes, thresholds and metadata,
written with :func:`skops.io.dump`), ``model_card.json`` (machine-readable) and
``model_card.md`` (for people). Loading:

1. reads ``model_card.json`` and refuses the model when its codebook version differs from
   the current codebook (:class:`ModelError` with both versions in the message);
2. checks the SHA-256 of ``model.skops`` against the card;
3. lists the file's types with :func:`skops.io.get_untrusted_types` (everything skops does
   not trust by default) and refuses any type that is not exactly one of
   :data:`ALLOWED_TYPES`, the classes this package's models are made of; only then loads
   with that explicit trusted list. Exact names, never prefixes: a prefix such as
   ``numpy.`` would trust ``numpy.testing._private.utils.runstring``, which calls ``exec``.
   The checksum does not protect against that, as whoever supplies a model supplies its
   card too;
4. checks the codebook version stored inside the model file as well.

A missing, corrupt, truncated or wrong-content model gives one :class:`ModelError` with a
clear message, never a traceback.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import skops.io as sio
from sklearn.pipeline import Pipeline

from ..codebook import Codebook, load_codebook
from .model import TrainedModel

MODEL_FILE = "model.skops"
CARD_JSON = "model_card.json"
CARD_MD = "model_card.md"
# The types `get_untrusted_types` reports for the models `indicators train` writes (full and
# small pipelines, measured), plus two harmless builtins skops reports for column selectors.
ALLOWED_TYPES = frozenset({
    "indicators.classifier.features.CompactTfidfVectorizer",
    "indicators.classifier.model.CodeClassifiers",
    "indicators.classifier.model.CodeStacker",
    "indicators.classifier.context_model.ContextClassifier",
    "builtins.slice",
    "builtins.type",
})


class ModelError(ValueError):
    """A model directory is missing, damaged, untrusted or made for another codebook."""


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def save_model(model: TrainedModel, directory: str | Path, card: dict) -> Path:
    """Write the skops file and the card (JSON + Markdown); returns the directory."""
    from .card import card_markdown

    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    tmp = d / (MODEL_FILE + ".part")
    # deflate: the vocabularies are JSON inside the zip (36 MB stored, a few MB deflated)
    sio.dump(model.to_state(), tmp, compression=zipfile.ZIP_DEFLATED, compresslevel=6)
    tmp.replace(d / MODEL_FILE)
    card = dict(card, model_file=MODEL_FILE, model_sha256=sha256(d / MODEL_FILE))
    (d / CARD_JSON).write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n",
                               encoding="utf-8")
    (d / CARD_MD).write_text(card_markdown(card), encoding="utf-8")
    return d


def read_card(directory: str | Path) -> dict:
    d = Path(directory)
    path = d / CARD_JSON
    if not path.exists():
        raise ModelError(f"{d}: no {CARD_JSON}; not a model directory made by 'indicators train'")
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as e:
        raise ModelError(f"{path}: not valid JSON ({e.__class__.__name__})") from None
    if not isinstance(card, dict):
        raise ModelError(f"{path}: not a model card (a JSON object is expected)")
    return card


def check_types(types: list[str]) -> list[str]:
    """The untrusted types a model file needs, refused unless all are on the allow-list."""
    bad = [t for t in types if t not in ALLOWED_TYPES]
    if bad:
        raise ModelError("model file needs types outside the allow-list (refused, nothing "
                         "was loaded): " + ", ".join(sorted(bad)))
    return list(types)


def load_model(directory: str | Path, codebook: Codebook | None = None) -> tuple[TrainedModel,
                                                                                  dict]:
    """Load a model directory for the current codebook; refuses incompatible models."""
    cb = codebook or load_codebook()
    d = Path(directory)
    card = read_card(d)
    cv = str(card.get("codebook_version"))
    if cv != str(cb.version):
        raise ModelError(
            f"{d}: model was trained for codebook version {cv}, the current codebook is "
            f"version {cb.version}; retrain it with 'indicators train'")
    name = card.get("model_file", MODEL_FILE)
    if not isinstance(name, str) or Path(name).name != name:
        raise ModelError(f"{d}: {CARD_JSON} names no model file inside the directory")
    path = d / name
    if not path.is_file():
        raise ModelError(f"{d}: model file {path.name} is missing")
    if card.get("model_sha256") != sha256(path):
        raise ModelError(f"{path}: checksum does not match {CARD_JSON}; refusing to load")
    try:
        types = sio.get_untrusted_types(file=path)
    except Exception as e:  # a damaged zip, bad JSON, an unknown node: all one message
        raise ModelError(f"{path}: not a readable skops model file "
                         f"({e.__class__.__name__})") from None
    trusted = check_types(types)
    try:
        state = sio.load(path, trusted=trusted)
        model = TrainedModel.from_state(state)
        codes = [str(c) for c in model.codes]
    except Exception as e:
        raise ModelError(f"{path}: the model file is damaged or holds something other than "
                         f"a model of 'indicators train' ({e.__class__.__name__})") from None
    if not isinstance(model.meta, dict) or not isinstance(model.pipeline, Pipeline):
        raise ModelError(f"{path}: the model file holds no usable model")
    inner = str(model.meta.get("codebook_version"))
    if inner != str(cb.version):
        raise ModelError(f"{path}: model file is for codebook version {inner}, the current "
                         f"codebook is version {cb.version}; retrain it")
    unknown = [c for c in codes if c not in cb.annotatable_codes]
    if unknown:
        raise ModelError(f"{path}: model codes not in the codebook: {', '.join(unknown)}")
    return model, card
