"""Label types from the codebook, suggestions to labels and doccano labels back (no server)."""

from __future__ import annotations

from pathlib import Path

import pytest

from indicators.codebook import load_codebook
from indicators.doccano.guideline import render_guideline
from indicators.doccano.labels import CATEGORY, SPAN, LabelScheme
from indicators.doccano.numbers import parse_number
from indicators.doccano.pull import decide
from indicators.doccano.push import example_meta, plan_labels
from indicators.doccano.records import PushRecord
from indicators.doccano.render import render
from indicators.doccano.review_report import review_report
from indicators.doccano.suggestions import SuggestionError, parse_suggestion, read_suggestions

SUGGESTIONS = Path(__file__).parent / "data" / "doccano" / "suggestions.jsonl"


@pytest.fixture(scope="module")
def cb():
    return load_codebook()


@pytest.fixture(scope="module")
def scheme(cb):
    return LabelScheme(cb)


def test_every_annotatable_code_has_a_category_and_a_span(cb, scheme):
    cat_codes = [s.meaning[1] for s in scheme.categories if s.meaning[0] == "code"]
    span_codes = [s.meaning[1] for s in scheme.spans if s.meaning[0] == "code"]
    assert cat_codes == cb.annotatable_codes == span_codes
    assert all(not cb.codes[c].derived for c in cat_codes)


def test_platforms_and_every_context_value_including_onbekend_are_categories(cb, scheme):
    assert [s.meaning[1] for s in scheme.categories if s.meaning[0] == "platform"] == list(
        cb.platforms)
    for var in cb.context.values():
        for value in var.value_ids:
            spec = scheme.context_category(var.id, value)
            assert spec.text.endswith(": " + var.values[var.value_ids.index(value)].label)
        assert var.number or "onbekend" in var.value_ids  # leeftijd: a number or null


def test_shortcuts_unique_colours_valid_and_codebook_keys_kept(cb, scheme):
    """doccano 1.8.4 takes ONE key per label (modifiers do nothing): only the codes carry a key,
    their codebook key, unique over the project; nothing else shows a key that would not work."""
    specs = scheme.categories + scheme.spans
    keyed = [s for s in specs if s.suffix_key]
    keys = [s.suffix_key for s in keyed]
    assert len(keys) == len(set(keys))
    assert all(s.prefix_key is None for s in specs)
    assert all(len(k) == 1 and (k.isdigit() or k.islower()) for k in keys)
    assert {s.meaning for s in keyed} == {("code", c) for c in cb.annotatable_codes}
    assert all(s.kind == "category" for s in keyed)
    for code in cb.codes.values():
        if not code.derived:
            assert scheme.code_category(code.id).suffix_key == code.shortcut
    code_colours = [s.color for s in scheme.categories if s.meaning[0] == "code"]
    assert len(set(code_colours)) == len(code_colours)
    assert all(len(s.color) == 7 and s.color.startswith("#") for s in specs)


def test_codes_first_grouped_by_family_then_context_then_platforms(cb, scheme):
    kinds = [s.meaning[0] for s in scheme.categories]
    n_codes, n_ctx = kinds.count("code"), kinds.count("context")
    assert kinds == ["code"] * n_codes + ["context"] * n_ctx + ["platform"] * kinds.count(
        "platform")
    families = [cb.codes[s.meaning[1]].family for s in scheme.categories[:n_codes]]
    assert families == sorted(families, key=list(cb.families).index)
    # family 5 (other coercion means) is there, as categories and as spans
    for code in ("geweld_fysiek", "geweld_seksueel", "geweld_psychisch", "middelenafhankelijkheid",
                 "lvb", "leeftijdsverschil", "financiele_afhankelijkheid"):
        assert scheme.code_category(code).text == scheme.code_span(code).text == cb.codes[
            code].label
    # one hue per family: codes of one family are closer in colour than codes of two families
    assert len({s.color for s in scheme.categories if s.meaning[0] == "platform"}) == 1
    # the age is a span type, not 100 categories
    assert scheme.number_span("leeftijd").text == cb.context["leeftijd"].label
    assert not any(s.meaning[:2] == ("context", "leeftijd") for s in scheme.categories)


def test_decode_round_trip(scheme):
    for spec in scheme.categories:
        assert scheme.decode(CATEGORY, spec.text) == spec.meaning
    for spec in scheme.spans:
        assert scheme.decode(SPAN, spec.text) == spec.meaning
    assert scheme.decode(CATEGORY, "Iets wat een coder zelf maakte") is None


def test_guideline_names_every_code_and_platform(cb):
    text = render_guideline(cb)
    for code in cb.codes.values():
        assert f"`{code.id}`" in text
    for p in cb.platforms:
        assert f"`{p}`" in text
    # every new code is explained, every shortcut listed with the chip it selects
    for code in cb.codes.values():
        assert code.definition.split()[0] in text
    for spec in scheme_of(cb).categories:
        if spec.suffix_key:
            assert f"| `{spec.suffix_key}` | {spec.text} |" in text
    assert "Undone" in text and "Not Checked" in text and "Leeftijd" in text


def scheme_of(cb):
    return LabelScheme(cb)


def test_review_report_counts_context_in_dutch(cb):
    machine = {"codes": [], "platforms": [], "evidence": [],
               "context": {"chatter": "slachtoffer", "vorm": ["seksueel"], "leeftijd": 15,
                           "duur": "onbekend"}}
    recs = [{"gold": {"codes": [], "context": {"chatter": "familielid", "vorm": ["seksueel"],
                                               "leeftijd": 15, "duur": "1_tot_2_jaar"}},
             "review": {"status": "confirmed", "machine": machine}},
            {"gold": {"codes": [], "context": {"chatter": "slachtoffer", "vorm": [],
                                               "leeftijd": 16, "duur": "onbekend"}},
             "review": {"status": "confirmed", "machine": machine}}]
    rows = {r["code"]: r for r in review_report(recs, cb)["codes"]}
    assert rows["context:chatter=slachtoffer"]["accepted"] == 1
    assert rows["context:chatter=slachtoffer"]["rejected"] == 1
    assert rows["context:chatter=familielid"]["added"] == 1
    assert rows["context:chatter=familielid"]["label"] == "Wie chat er: Familielid"
    assert rows["context:vorm=onbekend"]["added"] == 1
    assert rows["context:leeftijd"] == {**rows["context:leeftijd"], "suggested": 2,
                                        "accepted": 1, "rejected": 1, "added": 1}
    assert rows["context:duur=1_tot_2_jaar"]["added"] == 1


def test_suggestion_keeps_derived_codes_out_of_the_labels(cb, scheme):
    rec = {"id": "X-1", "turns": [{"speaker": "bezoeker", "text": "hij filmde het en sloeg me"}],
           "codes": ["klant_filmt_chanteert", "klant_geweld", "klant_bewust",
                     "klant_bewust_combinatie"],
           "context": {"chatter": "slachtoffer", "vorm": ["seksueel"]},
           "evidence": [
               {"code": "klant_filmt_chanteert", "turn": 0, "start": 4, "end": 10,
                "source": "pattern:a", "score": 0.9},
               {"code": "klant_geweld", "turn": 0, "start": 18, "end": 26, "source": "pattern:b",
                "score": 0.7},
               {"code": "klant_geweld", "turn": 0, "start": 5, "end": 12, "source": "model",
                "score": 0.4},
               {"code": "klant_bewust", "turn": 0, "start": 0, "end": 3},
               {"code": "sextortion", "turn": 3, "start": 0, "end": 3},
           ]}
    s = parse_suggestion(rec, cb, "test")
    assert s.codes == ["klant_geweld", "klant_filmt_chanteert"]
    assert s.derived == ["klant_bewust", "klant_bewust_combinatie"]
    plan = plan_labels(s, scheme)
    texts = [t for t, _ in plan.categories]
    assert texts == [scheme.code_category("klant_geweld").text,
                     scheme.code_category("klant_filmt_chanteert").text,
                     scheme.context_category("chatter", "slachtoffer").text,
                     scheme.context_category("vorm", "seksueel").text]
    # offsets shift by the "bezoeker: " prefix; the weaker overlapping span is left out
    prefix = len("bezoeker: ")
    assert [(t, a - prefix, b - prefix) for t, a, b, _ in plan.spans] == [
        (scheme.code_span("klant_filmt_chanteert").text, 4, 10),
        (scheme.code_span("klant_geweld").text, 18, 26)]
    assert plan.overlapping == 1 and plan.bad_evidence == 2
    meta = example_meta(s, "done", scheme)
    assert "machine" not in meta  # no raw JSON in the coder's panel; it is in the local record
    assert "text" not in s.machine()["evidence"][0]
    assert meta["afgeleid"] == "Klant bewust (afgeleid), Klant bewust, combinatie (afgeleid)"
    assert meta["voorstel codes"].startswith("Klant: geweld")


def test_v2_suggestion_preselects_every_context_value_marks_the_age_and_keeps_meta(cb, scheme):
    turns = [{"speaker": "hulpverlener", "text": "hoi, hoe oud ben je?"},
             {"speaker": "bezoeker", "text": "ik ben 15 en hij sloeg me toen ik nee zei"}]
    context = {v.id: {"value": None if v.number else ([] if v.multi else "onbekend"),
                      "score": 0.0, "evidence": []} for v in cb.context.values()}
    context["chatter"] = {"value": "slachtoffer", "score": 0.93, "evidence": []}
    context["vorm"] = {"value": ["seksueel", "crimineel"], "score": 0.7, "evidence": []}
    context["duur"] = {"value": "1_tot_2_jaar", "score": 0.6, "evidence": []}
    context["leeftijd"] = {"value": 15, "score": 0.9, "evidence": [
        {"code": "context:leeftijd", "turn": 1, "start": 0, "end": 9}]}
    rec = {"id": "V2-1", "year": 2024, "turns": turns, "codes": ["geweld_fysiek"],
           "context": context, "meta": {"bezoeker_id": "bz-9", "leeftijd": 15, "x": "weg"},
           "evidence": [{"code": "geweld_fysiek", "turn": 1, "start": 0, "end": 30,
                         "score": 0.8}]}
    s = parse_suggestion(rec, cb, "t")
    assert s.meta == {"bezoeker_id": "bz-9", "leeftijd": 15}
    plan = plan_labels(s, scheme)
    texts = [t for t, _ in plan.categories]
    assert texts[0] == scheme.code_category("geweld_fysiek").text
    chosen = {scheme.decode("category", t) for t in texts[1:]}
    assert chosen == {("context", "chatter", "slachtoffer"), ("context", "vorm", "seksueel"),
                      ("context", "vorm", "crimineel"), ("context", "pleger", "onbekend"),
                      ("context", "acuut_onveilig", "onbekend"),
                      ("context", "first_disclosure", "onbekend"),
                      ("context", "duur", "1_tot_2_jaar"),
                      ("context", "aantal_plegers", "onbekend")}
    text = render(s.turns).text
    spans = {t: text[a:b] for t, a, b, _ in plan.spans}
    # the age is marked on the number, the violence evidence keeps the rest of its sentence
    assert spans[scheme.number_span("leeftijd").text] == "15"
    assert spans[scheme.code_span("geweld_fysiek").text] == " en hij sloeg me toen"
    meta = example_meta(s, "done", scheme)
    assert meta["registratie"] == {"bezoeker_id": "bz-9", "leeftijd": 15}
    assert "Leeftijd: 15 (0.90)" in meta["voorstel context"]
    # the v1 shape still reads
    old = parse_suggestion({**rec, "context": {"chatter": "slachtoffer"}}, cb, "t")
    assert old.context == {"chatter": "slachtoffer"} and old.context_scores == {}


@pytest.mark.parametrize("text,year,value", [
    ("ik ben 16", None, 16), ("zestien", None, 16), ("een meisje van 15", None, 15),
    ("ik ben van 2009", 2024, 15), ("drieëntwintig", None, 23), ("geen idee", None, None),
])
def test_age_read_from_the_marked_text(text, year, value):
    assert parse_number(text, year) == value


@pytest.mark.parametrize("bad,msg", [
    ({"turns": [{"speaker": "bezoeker", "text": "x"}]}, "missing conversation id"),
    ({"id": "A", "turns": []}, "no turns"),
    ({"id": "A", "turns": [{"speaker": "bezoeker", "text": "x"}], "codes": ["geen_code"]},
     "unknown code"),
    ({"id": "A", "turns": [{"speaker": "bezoeker", "text": "x"}], "platforms": ["myspace"]},
     "unknown platform"),
    ({"id": "A", "turns": [{"speaker": "bezoeker", "text": "x"}],
      "context": {"chatter": "buurman"}}, "not a value"),
])
def test_invalid_suggestions_are_refused_with_place_not_text(cb, bad, msg):
    with pytest.raises(SuggestionError, match=msg) as e:
        parse_suggestion(bad, cb, "f.jsonl:3")
    assert "f.jsonl:3" in str(e.value)


def test_fixture_reads_and_renders(cb, scheme):
    items = list(read_suggestions(SUGGESTIONS, cb))
    assert len(items) == sum(1 for line in SUGGESTIONS.read_text(encoding="utf-8").splitlines()
                             if line.strip()) >= 150
    for s in items:
        assert plan_labels(s, scheme).bad_evidence == 0


def test_decide_follows_the_dev_corpus_context_form(cb, scheme):
    meanings = [("code", "sextortion"), ("code", "klant_geweld"), ("platform", "snapchat"),
                ("context", "chatter", "slachtoffer"), ("context", "vorm", "onbekend"),
                ("context", "pleger", "partner"), ("context", "pleger", "ouder"),
                ("context", "acuut_onveilig", "ja"), ("context", "acuut_onveilig", "nee")]
    gold, conflicts = decide(cb, meanings)
    assert gold == {"codes": ["sextortion", "klant_geweld"],
                    "ontmoeting_platforms": ["snapchat"],
                    "context": {"chatter": "slachtoffer", "vorm": [],
                                "pleger": ["partner", "ouder"], "acuut_onveilig": "onbekend",
                                "first_disclosure": "onbekend", "duur": "onbekend",
                                "aantal_plegers": "onbekend"}}
    assert conflicts == ["acuut_onveilig"]


def test_review_report_counts(cb):
    def rec(machine, final, platforms=(), final_platforms=()):
        return {"gold": {"codes": final, "ontmoeting_platforms": list(final_platforms)},
                "review": {"status": "confirmed", "machine": {
                    "codes": machine, "platforms": list(platforms),
                    "evidence": [{"code": c, "platform": None, "source": f"pattern:{c}.x"}
                                 for c in machine] +
                                [{"code": "ontmoeting_online", "platform": p,
                                  "source": "pattern:platform"} for p in platforms]}}}
    records = [rec(["sextortion", "inwonend"], ["sextortion"]),
               rec(["sextortion"], ["sextortion", "klant_geweld"]),
               rec(["ontmoeting_online"], ["ontmoeting_online"], ["kik"], ["snapchat"])]
    report = review_report(records, cb)
    rows = {r["code"]: r for r in report["codes"]}
    assert report["conversations"] == 3
    assert rows["sextortion"] == {"code": "sextortion", "label": "Sextortion", "suggested": 2, "accepted": 2,
                                  "rejected": 0, "added": 0, "acceptance": 1.0,
                                  "rejected_by_source": {}}
    assert rows["inwonend"]["rejected"] == 1
    assert rows["inwonend"]["rejected_by_source"] == {"pattern:inwonend.x": 1}
    assert rows["klant_geweld"]["added"] == 1 and rows["klant_geweld"]["acceptance"] is None
    assert rows["platform:kik"]["rejected_by_source"] == {"pattern:platform": 1}
    assert rows["platform:snapchat"]["added"] == 1


def test_push_record_survives_a_cut_off_line(tmp_path):
    rec = PushRecord("Mijn project/2024", tmp_path)
    rec.append([{"conversation_id": "A", "example_id": 1}])
    with rec.path.open("a") as fh:
        fh.write('{"conversation_id": "B", "exam')  # interrupted write
    rec.append([{"conversation_id": "C", "example_id": 3}])
    assert set(rec.load()) == {"A", "C"}
    assert rec.path.parent.name == "Mijn_project_2024"


def test_review_priority_orders_least_certain_first():
    from indicators.codebook import load_codebook
    from indicators.doccano.suggestions import parse_suggestion

    cb = load_codebook()
    turns = [{"speaker": "bezoeker", "text": "x"}]
    sure = parse_suggestion({"id": "a", "turns": turns, "codes": ["sextortion"],
                             "scores": {"sextortion": 0.9}}, cb, "t")
    weak = parse_suggestion({"id": "b", "turns": turns, "codes": ["sextortion"],
                             "scores": {"sextortion": 0.55}}, cb, "t")
    model = parse_suggestion({"id": "c", "turns": turns, "uncertainty": 0.99}, cb, "t")
    ordered = sorted([sure, weak, model], key=lambda s: -s.review_priority())
    assert [s.id for s in ordered] == ["c", "b", "a"]
