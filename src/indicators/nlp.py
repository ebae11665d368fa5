"""The Dutch spaCy pipeline: blank ``nl`` + chat normaliser + lookup lemmatizer + sentences.

Chat text is messy (lowercase, missing accents, repeated letters, apostrophes dropped or
added). The ``indicators_normalizer`` component writes a normalised form to ``token.norm_``;
patterns match on that attribute, so "NAAKTFOTO'S", "naaktfotoos" and "naaktfotós" all read
``naaktfotos``.
"""

# no `from __future__ import annotations`: spaCy validates factory signatures at run time

import re
import unicodedata
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

_REPEAT = re.compile(r"(\w)\1{2,}")
_APOS = re.compile(r"[’'`´‘]")
# Spellings chat writers use for the same word; applied to whole tokens after normalising.
SPELLING = {
    "nit": "niet", "neit": "niet",
    "mn": "mijn", "m'n": "mijn", "mijne": "mijn", "me": "me",
    "zn": "zijn", "ie": "hij", "tie": "hij", "hy": "hij", "hei": "hij",
    "dr": "haar", "d'r": "haar", "egt": "echt", "tog": "toch", "iemant": "iemand",
    "gwn": "gewoon", "gewn": "gewoon", "wrm": "waarom", "ofz": "ofzo", "nm": "niet meer",
    "ni": "niet", "nie": "niet", "kzit": "ik zit", "kben": "ik ben", "kwas": "ik was", "z'n": "zijn", "z'm": "hem", "m": "hem",
    "da": "dat", "wa": "wat", "ik'n": "ik",
    "ff": "even", "effe": "even", "efkes": "even",
    "mss": "misschien", "miss": "misschien", "wss": "waarschijnlijk",
    "nx": "niks", "niets": "niks", "nks": "niks",
    "kweet": "ik weet", "idk": "ik weet niet",
    "ook": "ook", "k": "ik", "kzou": "ik zou",
    "jij": "jij", "je": "je", "ge": "je", "gij": "jij",
    "hun": "hun", "zun": "zijn",
    "wout": "woont", "woon't": "woont",
    "nooit": "nooit", "noit": "nooit",
    "pics": "pics", "fotos": "fotos", "fotoos": "fotos", "foto's": "fotos",
    "vids": "vids", "vidjes": "vids",
}


@lru_cache(maxsize=200_000)
def normalize(text: str) -> str:
    """Lowercase, strip accents and apostrophes, shorten letters repeated 3+ times to 2."""
    t = text.lower()
    t = unicodedata.normalize("NFKD", t)
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    t = _APOS.sub("", t)
    t = _REPEAT.sub(r"\1\1", t)
    return SPELLING.get(t, t)


@Language.factory("indicators_normalizer")
def make_normalizer(nlp: Language, name: str):
    return ChatNormalizer()


class ChatNormalizer:
    """Sets ``token.norm_`` to the normalised chat spelling."""

    def __call__(self, doc: Doc) -> Doc:
        for tok in doc:
            tok.norm_ = normalize(tok.text)
        return doc


def build_nlp(model: str | None = None) -> Language:
    """The default pipeline, or an installed spaCy pipeline (``--model``) with our normaliser.

    A trained pipeline keeps its own components; we add the normaliser first and a
    sentencizer only if it has no parser or senter.
    """
    if model:
        try:
            nlp = spacy.load(model, exclude=["ner"])
        except OSError as e:
            raise ValueError(
                f"spaCy pipeline {model!r} is not installed (pip install it, or omit --model "
                "to use the blank Dutch pipeline)"
            ) from e
        nlp.add_pipe("indicators_normalizer", first=True)
        if not (nlp.has_pipe("parser") or nlp.has_pipe("senter") or nlp.has_pipe("sentencizer")):
            nlp.add_pipe("sentencizer")
        return nlp
    nlp = spacy.blank("nl")
    nlp.add_pipe("indicators_normalizer")
    try:
        lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        lemmatizer.initialize()
    except Exception:  # spacy-lookups-data missing: keep going without lemmas
        nlp.remove_pipe("lemmatizer")
    nlp.add_pipe("sentencizer", config={"punct_chars": [".", "!", "?", "\n", "…", "?!", "!?"]})
    return nlp
