"""The rule stage: a conversation's turns in, codes, facts and context values with evidence out.

One module per step, in the order a conversation passes them:

- :mod:`.normalise`: the spaCy pipeline (blank ``nl``, chat spellings from
  ``patterns/spelling.yaml`` as the words' norms); :mod:`.doccache` keeps its Docs between
  runs;
- :mod:`.terms`, :mod:`.context_rules`, :mod:`.patterns` and :mod:`.load`: the pattern files
  read, every key checked, into one :class:`~.patterns.PatternSet`;
- :mod:`.match`: a turn's sentences, concept hits (:mod:`.termindex`, compiled from the
  terms) and ConText categories per sentence;
- :mod:`.fire`: facts, then code patterns on visitor sentences, confirmed questions and
  answers (the dialogue);
- :mod:`.engine`: analysis, firing and the conversation-level resolution
  (``patterns/resolve.yaml``);
- :mod:`.context_values`: one value per context variable from the context patterns.

The hot modules may run compiled with Cython (``setup.py``); see :func:`_check_compiled`.
"""

import hashlib
import importlib.machinery
import json
from pathlib import Path


def _check_compiled() -> None:
    """The hot modules may be compiled with Cython (setup.py). A compiled module whose
    source changed since would run the old code: stop with what to do instead."""
    here = Path(__file__).parent
    record = here / "compiled_from.json"
    if not record.exists():
        return
    sources = json.loads(record.read_text())
    for name, digest in sources.items():
        if not any((here / f"{name}{suffix}").exists()
                   for suffix in importlib.machinery.EXTENSION_SUFFIXES):
            continue  # not compiled: the source runs
        if hashlib.sha256((here / f"{name}.py").read_bytes()).hexdigest() != digest:
            raise ImportError(f"indicators/rules/{name}.py changed after it was compiled: "
                              "compile it again with `make setup` (or `pip install -e .`)")


_check_compiled()
