"""The layout drawn in docs/architecture.md holds: stages stacked one way, small modules.

Each top-level module or package of ``src/indicators`` sits in one layer; a module imports
only from its own layer or the layers below it (so nothing below ``commands`` imports the
command line), and no module is longer than 400 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "indicators"

LAYERS = [
    {"paths", "private", "iterutils", "metrics"},  # foundations
    {"codebook", "conversation", "suggestion", "corpus"},  # the codebook and shared records
    {"rules"},  # the rule stage
    {"evaluation"},  # scores suggestions against gold
    {"classifier"},  # learns from confirmed codes, combined with the rules
    {"batch", "workers", "runstate", "progress", "doccano", "stats"},  # at scale, review, report
    {"commands", "cli", "__main__"},  # the command line wires the stages together
]
LAYER = {name: i for i, names in enumerate(LAYERS) for name in names}


def _modules():
    for f in sorted(SRC.rglob("*.py")):
        parts = f.relative_to(SRC.parent).with_suffix("").parts
        yield f, parts


def _group(dotted: str) -> str:
    parts = [p for p in dotted.split(".") if p != "__init__"]
    return parts[1] if len(parts) > 1 else "indicators"


def _imports(f: Path, parts: tuple[str, ...]):
    pkg = list(parts[:-1])  # the package a relative import starts from
    for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg[: len(pkg) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == "indicators":
                yield from (f"indicators.{a.name}" for a in node.names)
            elif target.startswith("indicators."):
                yield target
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.startswith("indicators."))


def test_every_module_sits_in_a_layer():
    groups = {_group(".".join(p)) for _, p in _modules()} - {"indicators"}
    assert groups <= set(LAYER), f"not in a layer (add it to LAYERS and the drawing): " \
                                 f"{sorted(groups - set(LAYER))}"


def test_imports_point_down_only():
    bad = []
    for f, parts in _modules():
        me = _group(".".join(parts))
        if me == "indicators":
            continue
        for target in _imports(f, parts):
            other = _group(target)
            if other in LAYER and LAYER[other] > LAYER[me]:
                bad.append(f"{f.relative_to(SRC)} imports {target}")
    assert not bad, "imports from a higher layer:\n" + "\n".join(bad)


def test_no_module_over_400_lines():
    long = {str(f.relative_to(SRC)): n for f, _ in _modules()
            if (n := len(f.read_text(encoding="utf-8").splitlines())) > 400}
    assert not long, long


def test_the_check_catches_an_upward_import(tmp_path):
    f = tmp_path / "x.py"
    f.write_text("from ..commands.common import fail\nfrom ..codebook import Codebook\n")
    got = list(_imports(f, ("indicators", "rules", "x")))
    assert got == ["indicators.commands.common", "indicators.codebook"]
    assert LAYER[_group(got[0])] > LAYER["rules"] >= LAYER[_group(got[1])]
