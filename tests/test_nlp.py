from indicators.nlp import build_nlp, normalize


def test_normalize_chat_spelling():
    assert normalize("NAAKTFOTO'S") == "naaktfotos"
    assert normalize("neeeeee") == "nee"
    assert normalize("ja") == "ja"
    assert normalize("café") == "cafe"
    assert normalize("mn") == "mijn" and normalize("nie") == "niet"
    assert normalize("zoooo") == "zoo"


def test_pipeline_sets_norms_and_sentences():
    nlp = build_nlp()
    assert nlp.pipe_names[0] == "indicators_normalizer"
    doc = nlp("hij dreigt mn naaktfoto's te sturen!! woon je bij hem?")
    assert [t.norm_ for t in doc][:4] == ["hij", "dreigt", "mijn", "naaktfotos"]
    assert len(list(doc.sents)) == 2
    assert any(t.lemma_ == "dreigen" for t in doc)


def test_unknown_spacy_model_is_a_clear_error():
    import pytest

    with pytest.raises(ValueError, match="not installed"):
        build_nlp("nl_core_news_does_not_exist")
