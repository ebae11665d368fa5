"""The context model: fills only what the rules leave open, and only variables where that was
measured to help out of fold."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from indicators.classifier.context_model import ContextClassifier


def data(n: int = 60, seed: int = 0):
    rng = np.random.default_rng(seed)
    texts, chatter, vorm = [], [], []
    for i in range(n):
        kind = i % 3
        if kind == 0:
            texts.append("mijn dochter heeft een vriend die mannen regelt " + str(rng.random()))
            chatter.append("familielid")
            vorm.append(["seksueel"])
        elif kind == 1:
            texts.append("ik moet pakketjes wegbrengen voor hem " + str(rng.random()))
            chatter.append("slachtoffer")
            vorm.append(["crimineel"])
        else:
            texts.append("hoi ik wil iets vragen " + str(rng.random()))
            chatter.append("onbekend")
            vorm.append([])
    return TfidfVectorizer().fit_transform(texts), {"chatter": chatter, "vorm": vorm}


def test_learns_values_and_keeps_variables_that_help():
    F, Y = data()
    no_rules = {"chatter": [None] * len(Y["chatter"]), "vorm": [None] * len(Y["vorm"])}
    m = ContextClassifier(["chatter", "vorm"], multi=["vorm"]).fit(F, Y, no_rules)
    assert set(m.kept_) == {"chatter", "vorm"} and m.gain_["chatter"] > 0
    probs = m.predict_proba(F[:3])
    assert m.fill("chatter", probs["chatter"][0], False)[0] == "familielid"
    assert m.fill("chatter", probs["chatter"][2], False) is None  # onbekend: no proposal
    assert m.fill("vorm", probs["vorm"][1], True)[0] == ["crimineel"]


def test_nothing_to_fill_where_the_rules_always_answer():
    F, Y = data()
    rules = {"chatter": list(Y["chatter"]), "vorm": list(Y["vorm"])}
    m = ContextClassifier(["chatter", "vorm"], multi=["vorm"]).fit(F, Y, rules)
    assert m.kept_ == [] and m.gain_ == {"chatter": 0, "vorm": 0}
    assert m.predict_proba(F) == {}


def test_a_model_that_guesses_wrong_is_not_kept():
    F, Y = data()
    rng = np.random.default_rng(1)
    noise = {"chatter": list(rng.permutation(Y["chatter"]))}  # labels unrelated to the text
    m = ContextClassifier(["chatter"]).fit(F, noise, {"chatter": [None] * len(Y["chatter"])})
    assert "chatter" not in m.kept_
