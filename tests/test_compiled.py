"""The rule modules compiled with Cython (setup.py) behave exactly as their Python source."""

import importlib.machinery
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

import indicators
import indicators.rules

ROOT = Path(__file__).resolve().parent.parent
RULES = Path(indicators.rules.__file__).parent
RECORD = RULES / "compiled_from.json"


def _compiled() -> list[str]:
    return [name for name, done in indicators.rules.compiled().items() if done]


def _have_compiler() -> bool:
    cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
    return shutil.which(cc) is not None


def test_the_hot_modules_are_compiled_where_a_compiler_is():
    """``make setup`` compiled every module setup.py lists (CI has a C compiler)."""
    if not _have_compiler():
        pytest.skip("no C compiler here: the rule modules run as plain Python")
    assert RECORD.exists(), "setup.py did not run Cython: run `make setup`"
    names = indicators.rules.compiled()
    assert all(names.values()) and {"match", "termindex", "fire"} <= set(names)
    import indicators.rules.match as match

    assert not match.__file__.endswith(".py")


def _suggest(pythonpath: Path | None, out: Path, inputs: list[Path]) -> str:
    env = {**os.environ, "INDICATORS_HOME": str(ROOT)}  # codebook and patterns of this checkout
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    where = subprocess.run(
        [sys.executable, "-c", "import indicators.rules.match as m; print(m.__file__)"],
        env=env, capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run([sys.executable, "-m", "indicators", "suggest", *map(str, inputs),
                    "-o", str(out), "-q", "--no-progress"],
                   env=env, capture_output=True, check=True)
    return where


@pytest.mark.slow
def test_compiled_and_plain_modules_write_the_same_suggestions(tmp_path):
    """Every bundled test conversation, once through the compiled modules and once through
    a copy of the source without them: byte-identical suggestion files."""
    if not _compiled():
        pytest.skip("the rule modules are not compiled here")
    plain = tmp_path / "plain"
    shutil.copytree(Path(indicators.__file__).parent, plain / "indicators",
                    ignore=shutil.ignore_patterns("*.so", "*.pyd", "*.c", "__pycache__",
                                                  "compiled_from.json"))
    inputs = sorted((ROOT / "tests" / "data").glob("*.jsonl"))
    assert len(inputs) >= 10
    a, b = tmp_path / "compiled.jsonl", tmp_path / "plain.jsonl"
    assert not _suggest(None, a, inputs).endswith(".py")
    assert _suggest(plain, b, inputs) == str(plain / "indicators" / "rules" / "match.py")
    assert a.read_bytes() == b.read_bytes()
    assert a.read_text().count("\n") > 500


def test_a_compiled_module_older_than_its_source_is_refused(tmp_path):
    """A compiled module whose source changed since would run the old code."""
    pkg = tmp_path / "indicators"
    shutil.copytree(Path(indicators.__file__).parent, pkg,
                    ignore=shutil.ignore_patterns("__pycache__"))
    rules = pkg / "rules"
    (rules / "compiled_from.json").write_text(json.dumps({"termindex": "0" * 64}))
    fake = rules / f"termindex{importlib.machinery.EXTENSION_SUFFIXES[0]}"
    if not fake.exists():
        fake.write_bytes(b"")  # only its presence is read before the refusal
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    run = subprocess.run([sys.executable, "-c", "import indicators.rules"], env=env,
                         capture_output=True, text=True)
    assert run.returncode != 0
    assert "termindex.py changed after it was compiled" in run.stderr
    (rules / "compiled_from.json").unlink()
    fake.unlink()
    ok = subprocess.run([sys.executable, "-c", "import indicators.rules.termindex as t; "
                         "print(t.__file__)"], env=env, capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout.strip().endswith("termindex.py")
