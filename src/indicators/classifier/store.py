"""Save and load classifier models safely: skops files and a model card, never pickle.

A model directory holds ``model.skops`` (the fitted pipeline, codes, thresholds and metadata,
written with :func:`skops.io.dump`), ``model_card.json`` (machine-readable) and
``model_card.md`` (for people). Loading:

1. reads ``model_card.json`` and refuses a model of another format (:data:`MODEL_FORMAT`;
   models saved before the classifier became one estimator have none) and a model whose
   codebook version differs from the current codebook (:class:`ModelError` naming the file
   and both versions);
2. checks the SHA-256 of ``model.skops`` against the card;
3. lists the file's types with :func:`skops.io.get_untrusted_types` (everything skops does
   not trust by default) and refuses any type that is not exactly one of
   :data:`ALLOWED_TYPES`, the classes this package's models are made of; only then loads
   with that explicit trusted list. Exact names, never prefixes: a prefix such as
   ``numpy.`` would trust ``numpy.testing._private.utils.runstring``, which calls ``exec``.
   The checksum does not protect against that, as whoever supplies a model supplies its
   card too;
4. checks the format and codebook version stored inside the model file as well.

A missing, corrupt, truncated or wrong-content model gives one :class:`ModelError` with a
clear message, never a traceback.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import skops.io as sio

from ..codebook import Codebook, load_codebook
from ..paths import file_sha256
from .model import StackedClassifier, TrainedModel

MODEL_FILE = "model.skops"
CARD_JSON = "model_card.json"
CARD_MD = "model_card.md"
# 2: one StackedClassifier with the context model beside it; 1 (no "format" in the card): a
# text pipeline, thresholds and a stacker side by side, as saved before
MODEL_FORMAT = 2
# Exactly the types `get_untrusted_types` reports for the models `indicators train` writes
# (measured; scikit-learn, NumPy and SciPy types inside them are trusted by skops itself).
ALLOWED_TYPES = frozenset({
    "indicators.classifier.model.StackedClassifier",
    "indicators.classifier.model.CodeClassifiers",
    "indicators.classifier.model.CodeStacker",
    "indicators.classifier.features.CompactTfidfVectorizer",
    "indicators.classifier.context_model.ContextClassifier",
})


class ModelError(ValueError):
    """A model directory is missing, damaged, untrusted or made for another codebook."""


def save_model(model: TrainedModel, directory: str | Path, card: dict) -> Path:
    """Write the skops file and the card (JSON + Markdown); returns the directory."""
    from .card import card_markdown

    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    tmp = d / (MODEL_FILE + ".part")
    # deflate: the vocabularies are JSON inside the zip (36 MB stored, a few MB deflated)
    sio.dump(model.to_state(MODEL_FORMAT), tmp, compression=zipfile.ZIP_DEFLATED, compresslevel=6)
    tmp.replace(d / MODEL_FILE)
    card = dict(card, model_file=MODEL_FILE, model_sha256=file_sha256(d / MODEL_FILE))
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
    fmt = card.get("format", 1)
    if fmt != MODEL_FORMAT:
        raise ModelError(
            f"{d / CARD_JSON}: model format {fmt}, this version of indicators reads format "
            f"{MODEL_FORMAT} only (the classifier changed); retrain it with 'indicators train'")
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
    if card.get("model_sha256") != file_sha256(path):
        raise ModelError(f"{path}: checksum does not match {CARD_JSON}; refusing to load")
    try:
        types = sio.get_untrusted_types(file=path)
    except Exception as e:  # a damaged zip, bad JSON, an unknown node: all one message
        raise ModelError(f"{path}: not a readable skops model file "
                         f"({e.__class__.__name__})") from None
    trusted = check_types(types)
    try:
        state = sio.load(path, trusted=trusted)
        if not isinstance(state, dict) or state.get("format", 1) != MODEL_FORMAT:
            raise ModelError(f"{path}: model format "
                             f"{state.get('format', 1) if isinstance(state, dict) else '?'}, "
                             f"this version reads format {MODEL_FORMAT} only; retrain it with "
                             "'indicators train'")
        model = TrainedModel.from_state(state)
        codes = [str(c) for c in model.codes]
    except ModelError:
        raise
    except Exception as e:
        raise ModelError(f"{path}: the model file is damaged or holds something other than "
                         f"a model of 'indicators train' ({e.__class__.__name__})") from None
    if not isinstance(model.meta, dict) or not isinstance(model.classifier, StackedClassifier):
        raise ModelError(f"{path}: the model file holds no usable model")
    inner = str(model.meta.get("codebook_version"))
    if inner != str(cb.version):
        raise ModelError(f"{path}: model file is for codebook version {inner}, the current "
                         f"codebook is version {cb.version}; retrain it")
    unknown = [c for c in codes if c not in cb.annotatable_codes]
    if unknown:
        raise ModelError(f"{path}: model codes not in the codebook: {', '.join(unknown)}")
    return model, card
