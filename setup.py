"""Compiles the rule stage's hot modules with Cython (the project's metadata is in
pyproject.toml).

The modules stay plain Python source: Cython compiles them as they are (no type
declarations, annotations not used for typing), which makes the matcher and the
firing about a tenth faster. Where no C compiler is found the build goes on and the
same source runs as plain Python, with the same results (tests/test_compiled.py checks
that the compiled and the plain modules write identical suggestions).
"""

import hashlib
import json
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

COMPILED = [f"src/indicators/rules/{m}.py"
            for m in ("termindex", "match", "fire", "engine", "patterns", "context_values")]


class OptionalBuildExt(build_ext):
    """A failed compilation is a warning, not a failed install."""

    def run(self):
        try:
            super().run()
        except Exception as e:  # no compiler at all
            self.warn(f"not compiled ({e}); the rule modules run as plain Python")

    def build_extension(self, ext):
        try:
            super().build_extension(ext)
        except Exception as e:
            self.warn(f"{ext.name} not compiled ({e}); it runs as plain Python")


def extensions():
    try:
        from Cython.Build import cythonize
    except ImportError:
        return []
    # what each module was compiled from: indicators.rules refuses a compiled module whose
    # source has changed since (it would run the old code)
    Path("src/indicators/rules/compiled_from.json").write_text(json.dumps(
        {Path(f).stem: hashlib.sha256(Path(f).read_bytes()).hexdigest() for f in COMPILED},
        indent=1) + "\n")
    return cythonize(COMPILED, quiet=True, compiler_directives={
        "language_level": 3, "annotation_typing": False, "binding": True})


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
