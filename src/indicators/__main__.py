"""``python -m indicators``: the same command line as ``indicators``."""

from .cli import app

app(prog_name="indicators")
