"""The ``indicators`` command line."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="indicators",
    help="Propose codebook codes for helpline chat transcripts, review them in doccano, "
    "and turn confirmed codes into statistics.",
    no_args_is_help=True,
    add_completion=False,
)

# Each command module registers its own commands.
COMMAND_MODULES = ("suggest", "evaluate", "doccano", "stats", "train")

for _name in COMMAND_MODULES:
    importlib.import_module(f"indicators.commands.{_name}").register(app)


def main() -> None:  # pragma: no cover
    app()
