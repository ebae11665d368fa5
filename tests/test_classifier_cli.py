"""``indicators train``, ``suggest --model`` and ``evaluate --model`` on the command line."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from conftest import DEV_CORPUS  # noqa: E402
from indicators.cli import app

DEV = DEV_CORPUS
pytestmark = pytest.mark.skipif(not DEV.exists(), reason="dev corpus not available")


@pytest.fixture(scope="module")
def cli_model(tmp_path_factory):
    """A model trained with ``indicators train`` on 40 dev conversations."""
    tmp = tmp_path_factory.mktemp("cli")
    lines = (DEV / "part1.jsonl").read_text(encoding="utf-8").splitlines()
    lines += (DEV / "part2.jsonl").read_text(encoding="utf-8").splitlines()[:10]
    data = tmp / "train.jsonl"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    model = tmp / "models" / "cli"
    res = CliRunner().invoke(app, ["train", str(data), "-o", str(model), "--cv", "3"])
    assert res.exit_code == 0, res.output
    return model


def test_train_then_suggest_and_refuse_other_codebook(cli_model, tmp_path):
    model = tmp_path / "cli"
    shutil.copytree(cli_model, model)
    runner = CliRunner()
    card = json.loads((model / "model_card.json").read_text(encoding="utf-8"))
    assert card["training"]["n_conversations"] == 40

    out = tmp_path / "sug.jsonl"
    res = runner.invoke(app, ["suggest", str(DEV / "part4.jsonl"), "-o", str(out), "-q",
                              "--model", str(model)])
    assert res.exit_code == 0, res.output
    recs = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(recs) == 30
    assert all("uncertainty" in r and r["model"]["name"] == "cli" for r in recs)
    assert all("combine" not in r["engine"] and r["engine"]["model"] == "cli" for r in recs)
    for r in recs:  # every code with a stacker has P(code | rules, text)
        comb = r["model"]["combined"]
        assert set(comb) <= set(r["model"]["scores"])
        for c in r["codes"]:
            if c in comb and c in r["model"]["added"]:
                assert comb[c] >= 0.5
        for c in r["model"]["vetoed"]:
            assert comb[c] < 0.5

    card["codebook_version"] = "999"
    (model / "model_card.json").write_text(json.dumps(card), encoding="utf-8")
    res = runner.invoke(app, ["suggest", str(DEV / "part4.jsonl"), "-o", str(out), "-q",
                              "--model", str(model)])
    assert res.exit_code == 2
    assert "codebook version 999" in res.output


@pytest.mark.parametrize("args", [
    ["suggest", "IN", "-o", "OUT", "--combine", "stacked"],
    ["suggest", "IN", "-o", "OUT", "--combine", "union"],
    ["train", "IN", "-o", "OUT", "--small"],
])
def test_removed_options_are_refused(tmp_path, args):
    src = tmp_path / "in.jsonl"
    src.write_text("", encoding="utf-8")
    args = [str(src) if a == "IN" else str(tmp_path / "out") if a == "OUT" else a
            for a in args]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2 and "No such option" in res.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["suggest", "evaluate"])
@pytest.mark.parametrize("model", ["nl_core_news_sm", "blank:nl", "DIR", "FILE"])
def test_model_is_a_classifier_directory_only(tmp_path, command, model):
    (tmp_path / "DIR").mkdir()  # a directory without a model card
    (tmp_path / "FILE").write_text("x", encoding="utf-8")
    if model in ("DIR", "FILE"):
        model = str(tmp_path / model)
    args = [command, str(DEV / "part4.jsonl"), "--model", model]
    args += ["-o", str(tmp_path / "out.jsonl"), "-q"] if command == "suggest" else []
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2, res.output
    text = " ".join(res.output.split())  # rich wraps long lines
    assert "not a classifier directory" in text and "--spacy-model" in text
    assert "Traceback" not in text and not (tmp_path / "out.jsonl").exists()
