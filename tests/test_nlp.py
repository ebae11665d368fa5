import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from indicators.rules.load import load_patterns
from indicators.rules.normalise import Normalizer, normalize
from indicators.rules.pipeline import Tokeniser, build_nlp


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


def test_pipeline_sets_norms():
    nlp = build_nlp(spelling=load_patterns().spelling)
    assert nlp.pipe_names[0] == "indicators_normalizer"
    doc = nlp("hij dreigt mn naaktfoto's te sturen!! woon je bij hem?")
    assert [t.norm_ for t in doc][:4] == ["hij", "dreigt", "mijn", "naaktfotos"]
    assert nlp.pipe_names == ["indicators_normalizer"]  # nothing reads lemmas


def test_every_token_gets_our_norm():
    """The norms live on the lexemes: words the vocabulary had before the normaliser came
    (the tokenizer's exceptions), words it meets later, and exceptions that set a norm of
    their own all read the normalised form, in Docs of any length."""
    nlp = build_nlp(spelling={"mn": "mijn"})
    spacy_norm = {k for k, v in nlp.tokenizer.rules.items() for t in v if 67 in t}
    assert spacy_norm  # spaCy's exceptions set a norm for a no-break space
    text = "Mn a.s. :) HÉÉÉ zo'n 't x" + "x".join(sorted(spacy_norm)) + "x Zoooo NAAKTFOTO'S."
    doc = nlp(text)
    ours = Normalizer({"mn": "mijn"}).normalize
    assert [t.norm_ for t in doc] == [ours(t.text) for t in doc]
    assert [t.norm_ for t in nlp("mn")] == ["mijn"]


def test_sentences_split_as_spacys_in_the_matcher():
    """A turn's sentences as the matcher reads them (analyse)."""
    from indicators.rules.match import ConceptMatcher

    ps = load_patterns()
    nlp, m = build_nlp(spelling=ps.spelling), ConceptMatcher(ps)
    text = "hij dreigt mn naaktfoto's te sturen!! woon je bij hem?"
    sents = m.analyse(Tokeniser(nlp).of(nlp(text)), text, True)[1]
    assert [text[s.start_char:s.end_char] for s in sents] == [
        "hij dreigt mn naaktfoto's te sturen!!", "woon je bij hem?"]


def test_the_spelling_map_is_part_of_the_pipeline_identity():
    from indicators.rules.tokencache import pipeline_id

    a, b = {"mn": "mijn"}, {"mn": "mijn", "nie": "niet"}
    assert pipeline_id(None, a) != pipeline_id(None, b)  # the cache never serves stale norms
    assert pipeline_id(None, a) == pipeline_id(None, dict(a))
    assert pipeline_id(None, a) != pipeline_id(None, a, build_nlp(spelling=a))


def test_unknown_spacy_model_is_a_clear_error():
    with pytest.raises(ValueError, match="not installed"):
        build_nlp("nl_core_news_does_not_exist")


def _both():
    import spacy

    from indicators.rules.pipeline import SENTENCE_ENDS

    theirs = spacy.blank("nl")
    theirs.add_pipe("sentencizer", config={"punct_chars": list(SENTENCE_ENDS)})
    return build_nlp(), theirs


_BOTH = _both()
_OURS = Tokeniser(_BOTH[0])


def _our_starts(doc):
    return _OURS.of(doc).starts if len(doc) else []

_PIECES = ["ik", "Hij", ".", "!", "?", "!?", "?!", "…", "...", "\n", " ", "  ", ",", "-", "\"",
           "(", ")", ":)", "ja", "nee", "15", "mn", "'", "?!?", "!!", "..", "\n\n", "😢"]


@seed(20261207)
@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30), st.lists(st.booleans(), max_size=30))
def test_our_sentencizer_splits_as_spacys(pieces, spaces):
    """The tokeniser's sentences (``turn_tokens``) are those of spaCy's ``sentencizer``
    with the same sentence ends."""
    text = "".join(p + (" " if sp else "") for p, sp in
                   zip(pieces, spaces + [False] * len(pieces), strict=False))
    ours, theirs = _BOTH
    a, b = ours(text), theirs(text)
    assert [t.text for t in a] == [t.text for t in b]
    assert _our_starts(a) == [s.start for s in b.sents]


def test_a_pipeline_with_its_own_sentences_keeps_them():
    """For a trained pipeline with a parser (--spacy-model) the matcher reads the pipeline's
    sentences (here a sentencizer that splits at commas stands in for the parser)."""
    import spacy

    from indicators.rules.match import ConceptMatcher

    nlp = spacy.blank("nl")
    nlp.add_pipe("indicators_normalizer", config={"spelling": {"mn": "mijn"}})
    nlp.add_pipe("sentencizer", config={"punct_chars": [","]})
    text = "mn VRIEND, Hij. zegt"
    doc = nlp(text)
    assert [t.norm_ for t in doc] == ["mijn", "vriend", ",", "hij", ".", "zegt"]
    tokens = Tokeniser(nlp).of(doc)
    assert tokens.norms == [t.norm_ for t in doc]  # read from the tokens, not the words
    sents = ConceptMatcher(load_patterns()).analyse(tokens, text, True)[1]
    assert [text[s.start_char:s.end_char] for s in sents] == ["mn VRIEND,", "Hij. zegt"]
