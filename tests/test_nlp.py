import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from indicators.rules.load import load_patterns
from indicators.rules.normalise import Normalizer, build_nlp, normalize


def test_normalize_chat_spelling():
    spelling = load_patterns().spelling  # patterns/spelling.yaml
    norm = Normalizer(spelling).normalize
    assert norm("NAAKTFOTO'S") == "naaktfotos"
    assert norm("neeeeee") == "nee"
    assert norm("ja") == "ja"
    assert norm("café") == "cafe"
    assert norm("mn") == "mijn" and norm("nie") == "niet"
    assert norm("M'n") == "mijn"  # the apostrophe goes first, then the map
    assert norm("zoooo") == "zoo"
    assert normalize("mn") == "mn"  # without a map: only the spelling-independent steps


def test_spelling_keys_must_be_written_normalised():
    with pytest.raises(ValueError, match="normalised"):
        Normalizer({"M'n": "mijn"})


def test_pipeline_sets_norms_and_sentences():
    nlp = build_nlp(spelling=load_patterns().spelling)
    assert nlp.pipe_names[0] == "indicators_normalizer"
    doc = nlp("hij dreigt mn naaktfoto's te sturen!! woon je bij hem?")
    assert [t.norm_ for t in doc][:4] == ["hij", "dreigt", "mijn", "naaktfotos"]
    assert len(list(doc.sents)) == 2
    assert nlp.pipe_names == ["indicators_normalizer"]  # nothing reads lemmas


def test_the_spelling_map_is_part_of_the_pipeline_config():
    from indicators.rules.doccache import pipeline_key

    a, b = build_nlp(spelling={"mn": "mijn"}), build_nlp(spelling={"mn": "mijn", "nie": "niet"})
    assert pipeline_key(a) != pipeline_key(b)  # the Doc cache never serves stale norms


def test_unknown_spacy_model_is_a_clear_error():
    with pytest.raises(ValueError, match="not installed"):
        build_nlp("nl_core_news_does_not_exist")


def _both():
    import spacy

    from indicators.rules.normalise import SENTENCE_ENDS

    theirs = spacy.blank("nl")
    theirs.add_pipe("sentencizer", config={"punct_chars": list(SENTENCE_ENDS)})
    return build_nlp(), theirs


_BOTH = _both()
_PIECES = ["ik", "Hij", ".", "!", "?", "!?", "?!", "…", "...", "\n", " ", "  ", ",", "-", "\"",
           "(", ")", ":)", "ja", "nee", "15", "mn", "'", "?!?", "!!", "..", "\n\n", "😢"]


@seed(20261207)
@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30), st.lists(st.booleans(), max_size=30))
def test_our_sentencizer_splits_as_spacys(pieces, spaces):
    """The array-based sentencizer gives the sentences of spaCy's ``sentencizer`` with the
    same sentence ends."""
    text = "".join(p + (" " if sp else "") for p, sp in
                   zip(pieces, spaces + [False] * len(pieces), strict=False))
    ours, theirs = _BOTH
    a, b = ours(text), theirs(text)
    assert [t.is_sent_start for t in a] == [t.is_sent_start for t in b]
    assert [s.text for s in a.sents] == [s.text for s in b.sents]


def test_a_pipeline_with_its_own_sentences_gets_only_norms():
    """For a trained pipeline with a parser (--spacy-model) the normaliser leaves the
    sentences alone."""
    import spacy

    nlp = spacy.blank("nl")
    nlp.add_pipe("indicators_normalizer", config={"spelling": {"mn": "mijn"},
                                                  "punct_chars": None})
    doc = nlp("mn VRIEND. Hij")
    assert [t.norm_ for t in doc] == ["mijn", "vriend", ".", "hij"]
    assert not doc.has_annotation("SENT_START")
