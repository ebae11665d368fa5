"""The rule stage: a conversation's turns in, codes, facts and context values with evidence out.

One module per step, in the order a conversation passes them:

- :mod:`.normalise` and :mod:`.pipeline`: the spaCy pipeline (blank ``nl``, chat spellings
  from ``patterns/spelling.yaml`` as the words' norms) and the tokens the matcher reads;
  :mod:`.tokencache` keeps them between runs of ``evaluate``;
- :mod:`.terms`, :mod:`.context_rules`, :mod:`.patterns` and :mod:`.load`: the pattern files
  read, every key checked, into one :class:`~.patterns.PatternSet`;
- :mod:`.match`: a turn's sentences, concept hits (:mod:`.termindex`, compiled from the
  terms) and ConText categories per sentence;
- :mod:`.fire`: facts, then code patterns on visitor sentences, confirmed questions and
  answers (the dialogue);
- :mod:`.engine`: analysis, firing and the conversation-level resolution
  (``patterns/resolve.yaml``);
- :mod:`.context_values`: one value per context variable from the context patterns.

The hot modules may run compiled with Cython (``setup.py``); see :func:`compiled`.
"""

import hashlib
import importlib.machinery
import json
from pathlib import Path


def compiled() -> dict[str, bool]:
    """The modules ``setup.py`` compiles (from ``compiled_from.json``, written when it ran):
    for each, whether a compiled file sits beside its source. Empty: never compiled."""
    record = _HERE / "compiled_from.json"
    if not record.exists():
        return {}
    return {name: any((_HERE / f"{name}{suffix}").exists()
                      for suffix in importlib.machinery.EXTENSION_SUFFIXES)
            for name in json.loads(record.read_text())}


def _check_compiled() -> None:
    """A compiled module whose source changed since would run the old code: stop with what
    to do instead."""
    built = compiled()
    if not any(built.values()):
        return
    sources = json.loads((_HERE / "compiled_from.json").read_text())
    for name, digest in sources.items():
        if built[name] and hashlib.sha256(
                (_HERE / f"{name}.py").read_bytes()).hexdigest() != digest:
            raise ImportError(f"indicators/rules/{name}.py changed after it was compiled: "
                              "compile it again with `make setup` (or `pip install -e .`)")


_HERE = Path(__file__).parent
_check_compiled()
