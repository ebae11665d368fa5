"""The code classifier: one estimator, training, safe storage, combined suggestions, CV
evaluation, order."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from sklearn.base import clone
from sklearn.model_selection import KFold

from conftest import DEV_CORPUS  # noqa: E402
from indicators.classifier import (
    ModelError,
    attach_classifier,
    load_model,
    order_by_uncertainty,
    side_by_side,
    uncertainty,
)
from indicators.classifier import compare as compare_mod
from indicators.classifier import model as model_mod
from indicators.classifier.features import views
from indicators.classifier.model import (
    CodeStacker,
    StackedClassifier,
    choose_threshold,
    label_matrix,
    stack_input,
    stacked_decision,
)
from indicators.classifier.store import (
    ALLOWED_TYPES,
    CARD_JSON,
    MODEL_FILE,
    MODEL_FORMAT,
    check_types,
)
from indicators.classifier.training import read_training, train
from indicators.codebook import load_codebook
from indicators.corpus import ReadReport, read_conversations

DEV = DEV_CORPUS
pytestmark = pytest.mark.skipif(not DEV.exists(), reason="dev corpus not available")


def small(**kw) -> StackedClassifier:
    """Narrow n-grams and 3 folds: a fast estimator for tests (the product trains with the
    defaults)."""
    return StackedClassifier(**{"cv": 3, "word_ngrams": (1, 1), "char_ngrams": (3, 4), **kw})


@pytest.fixture(scope="module")
def convs():
    return list(read_conversations([DEV], "jsonl", report=ReadReport()))


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory, engine, convs):
    d = tmp_path_factory.mktemp("models") / "small"
    train(engine, convs[:40], d, estimator=small(), sources=[str(DEV)])
    return d


@pytest.fixture(scope="module")
def data40(engine, convs):
    """The frame and labels of the first 40 conversations."""
    _, X = views(engine, convs[:40])
    return X, label_matrix(convs[:40], engine.codebook.annotatable_codes)


def test_training_writes_skops_and_card(model_dir, convs):
    assert (model_dir / MODEL_FILE).stat().st_size > 0
    card = json.loads((model_dir / CARD_JSON).read_text(encoding="utf-8"))
    assert card["training"]["ids"] == [c.id for c in convs[:40]]
    assert card["codebook_version"] == load_codebook().version
    assert set(card["cv_metrics"]["codes"]) == set(load_codebook().annotatable_codes)
    assert card["versions"]["scikit-learn"]
    for code, n in card["training"]["positives"].items():
        assert (code in card["rules_only_codes"]) == (n < 3)
        assert (code in card["thresholds"]) == (n >= 3)
    md = (model_dir / "model_card.md").read_text(encoding="utf-8")
    assert "codebook version" in md and card["patterns_version"] in md
    # the file is skops, not pickle, and needs exactly the allow-listed types (no more: the
    # list grants nothing the model does not use)
    assert (model_dir / MODEL_FILE).read_bytes()[:2] == b"PK"
    assert set(sio.get_untrusted_types(file=model_dir / MODEL_FILE)) == ALLOWED_TYPES
    assert card["format"] == MODEL_FORMAT
    assert card["settings"]["cv"] == 3 and card["settings"]["word_ngrams"] == [1, 1]


def test_load_refuses_other_codebook_version(model_dir, tmp_path):
    model, card = load_model(model_dir)
    assert model.codes == load_codebook().annotatable_codes
    edited = tmp_path / "edited"
    edited.mkdir()
    (edited / MODEL_FILE).write_bytes((model_dir / MODEL_FILE).read_bytes())
    card["codebook_version"] = "0.9"
    (edited / CARD_JSON).write_text(json.dumps(card), encoding="utf-8")
    with pytest.raises(ModelError, match="codebook version 0.9"):
        load_model(edited)


def test_load_refuses_model_under_changed_codebook(model_dir, tmp_path):
    import yaml

    cb = load_codebook()
    data = yaml.safe_load(Path(cb.source).read_text(encoding="utf-8"))
    data["version"] = str(cb.version) + ".1"
    other = tmp_path / "codebook.yaml"
    other.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ModelError, match="retrain"):
        load_model(model_dir, load_codebook(other))


def test_load_refuses_tampered_file_and_foreign_types(model_dir, tmp_path):
    d = tmp_path / "tampered"
    d.mkdir()
    (d / CARD_JSON).write_text((model_dir / CARD_JSON).read_text(encoding="utf-8"))
    (d / MODEL_FILE).write_bytes((model_dir / MODEL_FILE).read_bytes() + b"x")
    with pytest.raises(ModelError, match="checksum"):
        load_model(d)
    with pytest.raises(ModelError, match="os.system"):
        check_types(["sklearn.pipeline.Pipeline", "os.system"])


def test_combined_suggestions_carry_model_evidence(engine, model_dir, convs):
    combined = attach_classifier(engine, model_dir)
    assert combined.codebook is engine.codebook and combined.ps is engine.ps
    assert combined.engine_info["model"] == "small"
    held_out = convs[40:70]
    rules = {s.id: s for s in engine.suggest_many(held_out)}
    n_model = 0
    for s in combined.suggest_many(held_out):
        rec = s.to_record(include_turns=False)
        assert 0.0 <= rec["uncertainty"] <= 1.0
        assert s.platforms == rules[s.id].platforms  # platforms stay with the rules
        for e in s.evidence:
            if e.via == "model":
                n_model += 1
                assert e.source == "model:small"
                assert e.score == pytest.approx(rec["model"]["scores"][e.code], abs=1e-4)
                assert (e.score >= rec["model"]["thresholds"][e.code]
                        or e.code in rec["model"]["added"])
                text = s.conversation.turns[e.turn].text
                assert text[e.start:e.end] == e.text and e.speaker == "bezoeker"
        for code in rec["model"]["added"]:
            assert any(e.code == code and e.via == "model" for e in s.evidence)
    assert n_model > 0


def test_the_stacker_decides_where_it_has_a_model(engine, model_dir, convs):
    held_out = convs[40:70]
    rules = {s.id: set(s.codes) for s in engine.suggest_many(held_out)}
    combined = attach_classifier(engine, model_dir)
    assert "combine" not in combined.engine_info
    n_stacked = n_multi = 0
    for s in combined.suggest_many(held_out):
        comb = s.model["combined"]
        n_stacked += len(comb)
        base = {c for c in s.codes if not engine.codebook.codes[c].derived}
        for c in engine.codebook.annotatable_codes:
            if c in comb:  # the stacker decides: kept or added from 0.5
                assert (c in base) == (comb[c] >= 0.5), (s.id, c)
                assert s.scores.get(c, comb[c]) == pytest.approx(comb[c], abs=1e-4)
            elif not engine.codebook.codes[c].derived:  # no stacker: the rules decide
                assert (c in base) == (c in rules[s.id]), (s.id, c)
        # scores in a fixed order, not a set's (which changes with each process's hash seed)
        keys = [c for c in s.scores if c in base]
        assert keys == sorted(base)
        n_multi += len(keys) > 2
        assert set(s.model["added"]) == base - rules[s.id]
        assert set(s.model["vetoed"]) == {c for c in rules[s.id] - base
                                          if not engine.codebook.codes[c].derived}
    assert n_stacked > 0 and n_multi > 3


def test_stacked_decision_keeps_the_rules_where_there_is_no_stacker():
    hit = np.array([True, True, False, False, True, False])
    q = np.array([0.45, 0.9, 0.55, 0.2, np.nan, np.nan])
    assert stacked_decision(hit, q).tolist() == [False, True, True, False, True, False]


def test_estimator_clones_and_refits_deterministically(data40):
    X, Y = data40
    est = small()
    a = clone(est).fit(X, Y)
    b = clone(a)  # a clone carries the parameters, not the fitted state
    assert b.get_params() == est.get_params() and not hasattr(b, "thresholds_")
    b.fit(X, Y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    np.testing.assert_array_equal(a.text_proba(X), b.text_proba(X))
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    assert a.thresholds_ == b.thresholds_ and a.gated_ == b.gated_
    assert a.fallback_ == b.fallback_ and a.weights() == b.weights()
    assert a.predict(X).shape == Y.shape and set(np.unique(a.predict(X))) <= {0, 1}
    # another seed shuffles other folds: the out-of-fold probabilities change
    c = clone(est).set_params(random_state=1).fit(X, Y)
    assert not np.allclose(np.nan_to_num(c.oof_text_proba_), np.nan_to_num(a.oof_text_proba_))


def test_stacker_is_fitted_on_out_of_fold_probabilities(data40, monkeypatch):
    X, Y = data40
    seen = []
    real_fit = CodeStacker.fit

    def spy(self, Z, Y_):
        seen.append(np.asarray(Z).copy())
        return real_fit(self, Z, Y_)

    monkeypatch.setattr(model_mod.CodeStacker, "fit", spy)
    est = small().fit(X, Y)
    full = [z for z in seen if len(z) == len(Y)]
    assert len(full) == 1 and len(seen) == 1 + est.cv  # cross_val_predict's folds + final
    P_seen = full[0].reshape(len(Y), -1, 4)[:, :, 3]
    np.testing.assert_array_equal(P_seen, est.oof_text_proba_)
    # each row's probability comes from a text model fitted without that row
    train_idx, test_idx = next(KFold(est.cv, shuffle=True, random_state=0).split(X))
    fold = clone(est._text_pipeline()).fit(X.iloc[train_idx], Y[train_idx])
    np.testing.assert_allclose(fold.predict_proba(X.iloc[test_idx]), P_seen[test_idx])
    # ... and not from the final text model, which saw every row (it is surer on them)
    in_sample = est.text_proba(X)
    ok = ~np.isnan(P_seen) & ~np.isnan(in_sample)
    assert not np.allclose(P_seen[ok], in_sample[ok])


def test_side_by_side_cross_validates_on_training_ids(engine, model_dir, convs, monkeypatch,
                                                      capsys):
    evaluated = convs[:40]  # all were in the training data
    fitted_on: list[set[str]] = []
    scored: list[set[str]] = []
    real_fit, real_fill = compare_mod.fit_conversations, compare_mod._fill

    def spy_fit(eng, tr, *a, **kw):
        fitted_on.append({c.id for c in tr})
        return real_fit(eng, tr, *a, **kw)

    def spy_fill(eng, model, card, cs, sugs, X, idx, out):
        scored.append({cs[i].id for i in idx})
        return real_fill(eng, model, card, cs, sugs, X, idx, out)

    monkeypatch.setattr(compare_mod, "fit_conversations", spy_fit)
    monkeypatch.setattr(compare_mod, "_fill", spy_fill)
    results = side_by_side(engine, evaluated, model_dir, cv=4)
    assert [r.label for r in results] == ["rules", "classifier", "combined"]
    assert "cross-validated, 4 folds, because 40 of the evaluated" in results[2].note
    assert len(fitted_on) == len(scored) == 4
    for tr, te in zip(fitted_on, scored, strict=True):
        assert not tr & te
    assert set().union(*scored) == {c.id for c in evaluated}
    assert all(r.n_conversations == 40 for r in results)


def test_side_by_side_uses_saved_model_on_unseen(engine, model_dir, convs, monkeypatch, capsys):
    def no_fit(*a, **kw):
        raise AssertionError("no retraining expected")

    monkeypatch.setattr(compare_mod, "fit_conversations", no_fit)
    results = side_by_side(engine, convs[40:60], model_dir, cv=4)
    assert capsys.readouterr().err == ""  # the library reports in its result, the CLI prints
    assert results[1].note.startswith("held-out")
    assert "none of the evaluated conversations" in results[1].note


def test_uncertainty_orders_nearest_threshold_first():
    def rec(cid, scores, thresholds):
        return {"id": cid, "model": {"scores": scores, "thresholds": thresholds}}

    sure = rec("sure", {"a": 0.99, "b": 0.01}, {"a": 0.5, "b": 0.5})
    edge = rec("edge", {"a": 0.51, "b": 0.01}, {"a": 0.5, "b": 0.5})
    mid = rec("mid", {"a": 0.2, "b": 0.9}, {"a": 0.4, "b": 0.5})
    plain = {"id": "plain"}
    assert uncertainty(edge) > uncertainty(mid) > uncertainty(sure)
    assert uncertainty(plain) == 0.0
    assert [r["id"] for r in order_by_uncertainty([sure, plain, mid, edge])] == [
        "edge", "mid", "sure", "plain"]
    # stacked: the combined P(code | rules, text) against 0.5 decides, not the text scores
    stacked_edge = dict(sure, id="s-edge", model=dict(sure["model"], combined={"a": 0.52}))
    stacked_sure = dict(edge, id="s-sure", model=dict(edge["model"], combined={"a": 0.98}))
    assert uncertainty(stacked_edge) > uncertainty(stacked_sure)
    assert uncertainty(stacked_edge) == pytest.approx(1 - 0.02 / 0.5)


def test_choose_threshold_meets_recall_above_floor():
    y = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    p = np.array([0.9, 0.8, 0.7, 0.3, 0.6, 0.2, 0.2, 0.1, 0.1, 0.05])
    t = choose_threshold(y, p, recall_target=0.75, precision_floor=0.5)
    pred = p >= t
    assert (pred & (y == 1)).sum() / 4 >= 0.75 and (pred & (y == 1)).sum() / pred.sum() >= 0.5
    assert 0.6 < t <= 0.7  # the highest threshold that reaches the target
    t_full = choose_threshold(y, p, recall_target=1.0, precision_floor=0.5)
    assert 0.2 < t_full <= 0.3  # recall 1.0 keeps precision 4/5 >= 0.5


def test_read_training_keeps_confirmed_and_gold_only(tmp_path, convs):
    rows = []
    for i, c in enumerate(convs[:4]):
        r = c.to_record()
        if i == 1:
            r["review"] = {"status": "confirmed", "coder": "a"}
        if i == 2:
            r["review"] = {"status": "in_progress", "coder": "b"}
        if i == 3:
            r.pop("gold")
        rows.append(json.dumps(r, ensure_ascii=False))
    f = tmp_path / "pulled.jsonl"
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    kept, dropped = read_training([f])
    assert [c.id for c in kept] == [convs[0].id, convs[1].id]
    assert dropped == {"review_not_confirmed": 1, "no_codes": 1}


def _stack_data(rule_right: bool, n: int = 200, seed: int = 0):
    """Rule hits and text probabilities where only one of the two predicts the label."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    noise = rng.integers(0, 2, n)
    hit = y if rule_right else noise
    p = np.where((noise if rule_right else y) == 1, 0.85, 0.15)
    rules = np.zeros((n, 1, 3))
    rules[:, 0, 0] = hit
    rules[:, 0, 1] = hit * 0.9
    return rules, p.reshape(n, 1), y.reshape(n, 1)


@pytest.mark.parametrize("rule_right", [True, False])
def test_stacker_learns_which_source_to_trust(rule_right):
    rules, P, Y = _stack_data(rule_right)
    st = CodeStacker().fit(stack_input(rules, P), Y)
    test_rules = np.zeros((2, 1, 3))
    test_rules[:, 0, 0] = [1, 0]  # rule hit, text says no / no rule hit, text says yes
    test_rules[:, 0, 1] = [0.9, 0.0]
    q = st.predict_proba(stack_input(test_rules, np.array([[0.15], [0.85]])))[:, 0]
    if rule_right:
        assert q[0] > 0.5 > q[1]
    else:
        assert q[1] > 0.5 > q[0]
    few = CodeStacker().fit(stack_input(rules[:10], P[:10]), np.zeros((10, 1), int))
    assert np.isnan(few.predict_proba(stack_input(rules[:3], P[:3]))).all()  # rules only


def test_cv_folds_add_the_models_other_training_data(engine, model_dir, convs, monkeypatch):
    fitted_on: list[set[str]] = []
    real_fit = compare_mod.fit_conversations

    def spy_fit(eng, tr, *a, **kw):
        fitted_on.append({c.id for c in tr})
        return real_fit(eng, tr, *a, **kw)

    monkeypatch.setattr(compare_mod, "fit_conversations", spy_fit)
    evaluated = convs[:20] + convs[80:90]  # 20 trained on, 10 never seen
    results = side_by_side(engine, evaluated, model_dir, cv=3)
    assert "each fold also trains on 20 of the model's training conversations" in \
        results[-1].note
    others = {c.id for c in convs[20:40]}
    ev_ids = [c.id for c in evaluated]
    folds = KFold(3, shuffle=True, random_state=0).split(np.zeros((len(evaluated), 1)))
    for k, (tr, te) in enumerate(folds):
        assert fitted_on[k] == {ev_ids[i] for i in tr} | others
        assert not fitted_on[k] & {ev_ids[i] for i in te}


def test_gate_drops_a_stacker_that_does_worse_than_the_rules():
    rules, P, Y = _stack_data(rule_right=True, n=60)
    rules = np.concatenate([rules, rules], axis=1)
    P, Y = np.hstack([P, P]), np.hstack([Y, Y])
    Z = stack_input(rules, P)
    est = StackedClassifier(codes=["worse", "better"])
    est.codes_ = ["worse", "better"]
    est.stacker_ = CodeStacker().fit(Z, Y)
    y = Y[:, 0].astype(float)
    # out-of-fold stacked probabilities: always wrong for "worse", always right for "better"
    assert est._gate(Z, np.c_[1.0 - y, y], Y) == ["worse"]
    q = est.stacker_.predict_proba(Z)
    assert np.isnan(q[:, 0]).all() and not np.isnan(q[:, 1]).any()
    # within the tolerance the stacker stays: a little worse than the rules is allowed
    est.stacker_ = CodeStacker().fit(Z, Y)
    near = y.copy()
    near[np.flatnonzero(y == 1)[0]] = 0.0  # one false negative out of ~30 positives
    assert est._gate(Z, np.c_[near, y], Y) == []


def test_compact_vectorizer_round_trips_through_skops(tmp_path):
    import zipfile

    import skops.io as sio

    from indicators.classifier.features import CompactTfidfVectorizer

    texts = ["hij heeft fotos van mij", "ik woon bij hem", "fotos van mij op insta",
             "ik woon nog thuis", "hij dreigt met fotos"]
    vec = CompactTfidfVectorizer(min_df=1, ngram_range=(1, 2)).fit(texts)
    path = tmp_path / "v.skops"
    sio.dump(vec, path)
    with zipfile.ZipFile(path) as z:
        schema = z.read("schema.json").decode("utf-8")
    assert "dreigt met" not in schema  # the terms are in an array file, not the JSON schema
    back = sio.load(path, trusted=sio.get_untrusted_types(file=path))
    assert back.vocabulary_ == vec.vocabulary_  # saving left the fitted one intact as well
    assert (back.transform(texts) != vec.transform(texts)).nnz == 0


def test_context_model_fills_only_what_the_rules_leave_open(engine, model_dir, convs):
    held_out = convs[40:70]
    rules = {s.id: s.context for s in engine.suggest_many(held_out)}
    filled = 0
    for s in attach_classifier(engine, model_dir).suggest_many(held_out):
        for var, got in s.context.items():
            rule = rules[s.id][var]
            if rule["evidence"] or "source" not in got:  # the rules' value stands
                assert got["value"] == rule["value"], (s.id, var)
            else:
                filled += 1
                assert got["source"].startswith("model:") and got["evidence"] == []
                assert 0.5 <= got["score"] <= 1.0
                assert engine.codebook.context[var].accepts(got["value"]) or all(
                    engine.codebook.context[var].accepts(v) for v in got["value"])
        rec = s.to_record(include_turns=False)
        assert set(rec["context"]) == set(engine.codebook.context)
    assert filled > 0  # the dev-trained model does propose values the rules left open


def test_views_take_sentences_and_questions_from_the_engine(engine, make_conv):
    conv = make_conv("h: Hoi, fijn dat je er bent. Dus hij wacht dan in de auto.",
                     "b: ja. soms twee uur lang! ok",
                     "h: Wat vervelend voor je. Slaap je daar ook?",
                     "b: nee",
                     "h: Ik begrijp het.",
                     "b: hij pakt mijn geld af")
    sugs, X = views(engine, [conv])
    assert [s.to_record() for s in sugs] == [engine.suggest(conv).to_record()]
    row = X.iloc[0]
    # the engine's questions: a check-back without "?" counts, the greeting and the
    # statement do not
    assert row["qa"].splitlines() == [
        "Dus hij wacht dan in de auto. || ja. soms twee uur lang! ok",
        "Slaap je daar ook? || nee"]
    # the engine's visitor sentences (spaCy), without the ones too short to be evidence
    [turns] = engine.analyse([conv])
    want = [(t.index, s.start_char, s.end_char) for t in turns if t.speaker == "bezoeker"
            for s in t.sentences if s.end_char - s.start_char >= 3]
    assert row["sentences"] == want and len(want) >= 3
    assert row["visitor"] == "ja. soms twee uur lang! ok\nnee\nhij pakt mijn geld af"
