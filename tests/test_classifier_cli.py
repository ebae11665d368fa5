"""``indicators train`` and ``suggest --model`` on the command line."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from conftest import DEV_CORPUS  # noqa: E402
from indicators.cli import app

DEV = DEV_CORPUS
pytestmark = pytest.mark.skipif(not DEV.exists(), reason="dev corpus not available")


def test_train_then_suggest_and_refuse_other_codebook(tmp_path):
    lines = (DEV / "part1.jsonl").read_text(encoding="utf-8").splitlines()
    lines += (DEV / "part2.jsonl").read_text(encoding="utf-8").splitlines()[:10]
    data = tmp_path / "train.jsonl"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    model = tmp_path / "models" / "cli"
    runner = CliRunner()
    res = runner.invoke(app, ["train", str(data), "-o", str(model), "--cv", "3", "--small"])
    assert res.exit_code == 0, res.output
    card = json.loads((model / "model_card.json").read_text(encoding="utf-8"))
    assert card["training"]["n_conversations"] == 40

    out = tmp_path / "sug.jsonl"
    res = runner.invoke(app, ["suggest", str(DEV / "part4.jsonl"), "-o", str(out), "-q",
                              "--model", str(model)])
    assert res.exit_code == 0, res.output
    recs = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(recs) == 30
    assert all("uncertainty" in r and r["model"]["name"] == "cli" for r in recs)
    assert all(r["engine"]["combine"] == "stacked" for r in recs)  # the default
    for r in recs:  # stacked: every code with a stacker has P(code | rules, text)
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
