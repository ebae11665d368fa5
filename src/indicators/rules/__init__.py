"""The rule stage: a conversation's turns in, codes, facts and context values with evidence out.

One module per step, in the order a conversation passes them:

- :mod:`.normalise`: the spaCy pipeline (blank ``nl``, chat spellings from
  ``patterns/spelling.yaml``, sentences); :mod:`.doccache` keeps its Docs between runs;
- :mod:`.terms`, :mod:`.context_rules`, :mod:`.patterns` and :mod:`.load`: the pattern files
  read, every key checked, into one :class:`~.patterns.PatternSet`;
- :mod:`.match`: concept hits (:mod:`.termindex`, compiled from the terms) and ConText
  categories per sentence;
- :mod:`.fire`: facts, then code patterns on visitor sentences, confirmed questions and
  answers (the dialogue);
- :mod:`.engine`: analysis, firing and the conversation-level resolution
  (``patterns/resolve.yaml``);
- :mod:`.context_values`: one value per context variable from the context patterns.
"""
