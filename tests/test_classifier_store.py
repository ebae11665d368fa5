"""Model files cannot execute code: exact-type allow-list, clear errors for damaged files."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
import skops.io as sio
from typer.testing import CliRunner

from indicators.classifier.store import (
    ALLOWED_TYPES,
    CARD_JSON,
    MODEL_FILE,
    MODEL_FORMAT,
    ModelError,
    check_types,
    load_model,
)
from indicators.codebook import load_codebook
from indicators.paths import file_sha256


def make_malicious(path: Path, marker: Path) -> None:
    """A skops file whose loading calls numpy.testing._private.utils.runstring (exec)."""
    sio.dump({"a": ("PAYLOAD", {})}, path)
    with zipfile.ZipFile(path) as z:
        schema = json.loads(z.read("schema.json"))
    args = schema["content"]["a"]
    args["content"][0]["content"] = json.dumps(f"open({str(marker)!r}, 'w').write('x')")
    schema["content"]["a"] = {"__class__": "runstring",
                              "__module__": "numpy.testing._private.utils",
                              "__loader__": "ConstructorFromReduceNode", "content": args,
                              "__id__": 1}
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("schema.json", json.dumps(schema))


def model_dir(d: Path, write, **card_fields) -> Path:
    d.mkdir()
    write(d / MODEL_FILE)
    card = {"format": MODEL_FORMAT, "codebook_version": load_codebook().version,
            "model_file": MODEL_FILE, "model_sha256": file_sha256(d / MODEL_FILE),
            **card_fields}  # the attacker supplies the card too
    (d / CARD_JSON).write_text(json.dumps(card), encoding="utf-8")
    return d


def test_the_malicious_file_would_run_code_when_trusted(tmp_path):
    # the oracle: this file really executes code if its type is trusted
    marker = tmp_path / "ran"
    make_malicious(tmp_path / "m.skops", marker)
    assert sio.get_untrusted_types(file=tmp_path / "m.skops") == [
        "numpy.testing._private.utils.runstring"]
    sio.load(tmp_path / "m.skops", trusted=["numpy.testing._private.utils.runstring"])
    assert marker.exists()


def test_malicious_model_is_refused_before_loading(tmp_path):
    marker = tmp_path / "ran"
    d = model_dir(tmp_path / "evil", lambda p: make_malicious(p, marker))
    with pytest.raises(ModelError, match="runstring") as exc:
        load_model(d)
    assert "allow-list" in str(exc.value)
    assert not marker.exists()


def test_malicious_model_refused_by_suggest_cli(tmp_path):
    from indicators.cli import app

    marker = tmp_path / "ran"
    d = model_dir(tmp_path / "evil", lambda p: make_malicious(p, marker))
    src = tmp_path / "in.txt"
    src.write_text("Bezoeker: hoi\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["suggest", str(src), "-o", str(tmp_path / "o.jsonl"),
                                 "--model", str(d), "-q", "--no-progress"])
    assert r.exit_code == 2 and "allow-list" in r.output and "Traceback" not in r.output
    assert not marker.exists() and not (tmp_path / "o.jsonl").exists()


def test_allow_list_is_exact_names_not_prefixes():
    assert all(not t.endswith(".") for t in ALLOWED_TYPES)
    for t in ("numpy.testing._private.utils.runstring", "sklearn.utils._testing.assert_run",
              "scipy.something", "indicators.classifier.model.CodeClassifiersX",
              "indicators.classifier.evil", "os.system", "builtins.eval"):
        with pytest.raises(ModelError, match="allow-list"):
            check_types([t])
    assert check_types(sorted(ALLOWED_TYPES)) == sorted(ALLOWED_TYPES)


@pytest.mark.parametrize("content", ["truncated", "garbage", "empty", "wrong", "json"])
def test_damaged_or_wrong_model_gives_one_clear_error(tmp_path, content):
    def write(p: Path) -> None:
        if content in ("truncated", "wrong"):
            sio.dump({"x": [1, 2, 3], "pipeline": None} if content == "wrong" else
                     {"pipeline": list(range(5000))}, p)
            if content == "truncated":
                p.write_bytes(p.read_bytes()[:200])
        elif content == "garbage":
            p.write_bytes(b"PK\x03\x04 not really a zip")
        elif content == "empty":
            p.write_bytes(b"")
        else:
            with zipfile.ZipFile(p, "w") as z:
                z.writestr("schema.json", "{not json")

    d = model_dir(tmp_path / content, write)
    with pytest.raises(ModelError) as exc:
        load_model(d)
    assert str(d) in str(exc.value)


def test_card_that_is_not_an_object_or_escapes_the_directory(tmp_path):
    d = model_dir(tmp_path / "m", lambda p: sio.dump({"x": 1}, p))
    (d / CARD_JSON).write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ModelError, match="not a model card"):
        load_model(d)
    card = {"format": MODEL_FORMAT, "codebook_version": load_codebook().version,
            "model_file": "../../etc/passwd"}
    (d / CARD_JSON).write_text(json.dumps(card), encoding="utf-8")
    with pytest.raises(ModelError, match="names no model file"):
        load_model(d)


def _old_state(p: Path) -> None:
    """What the code before format 2 saved: a text pipeline, thresholds and stacker side by
    side (here with plain values in their place), no format."""
    sio.dump({"pipeline": None, "codes": list(load_codebook().annotatable_codes),
              "thresholds": {}, "fallback": [], "stacker": None, "context": None,
              "meta": {"codebook_version": load_codebook().version}}, p)


def test_model_of_the_old_format_is_refused_naming_the_file(tmp_path):
    old = model_dir(tmp_path / "old", _old_state)
    card = json.loads((old / CARD_JSON).read_text(encoding="utf-8"))
    del card["format"]  # cards written before format 2 have none
    (old / CARD_JSON).write_text(json.dumps(card), encoding="utf-8")
    with pytest.raises(ModelError) as exc:
        load_model(old)
    msg = str(exc.value)
    assert str(old / CARD_JSON) in msg and "format 1" in msg and "retrain" in msg
    # a card edited to claim the new format does not get the old file loaded either
    edited = model_dir(tmp_path / "edited", _old_state)
    with pytest.raises(ModelError) as exc:
        load_model(edited)
    assert str(edited / MODEL_FILE) in str(exc.value) and "format 1" in str(exc.value)


def test_old_model_refused_by_the_cli_with_the_file_name(tmp_path):
    from indicators.cli import app

    old = model_dir(tmp_path / "old", _old_state, format=1)
    src = tmp_path / "in.txt"
    src.write_text("Bezoeker: hoi\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["suggest", str(src), "-o", str(tmp_path / "o.jsonl"),
                                 "--model", str(old), "-q", "--no-progress"])
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert str(old / CARD_JSON) in r.output.replace("\n", "")  # rich wraps long lines
    assert "model format 1" in " ".join(r.output.split())
