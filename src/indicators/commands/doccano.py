"""Commands for the doccano review loop: ``doccano serve/stop``, ``push``, ``pull``,
``review-report``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

console = Console(stderr=True)

doccano_app = typer.Typer(help="Run a local doccano annotation server.", no_args_is_help=True)


@doccano_app.command("serve")
def serve_cmd(
    port: int = typer.Option(8000, "--port", help="Port on 127.0.0.1."),
    home: Path = typer.Option(None, "--home", help="Data folder (default: DOCCANO_HOME or "
                              ".doccano/home)."),
) -> None:
    """Install (once), initialise and start doccano in the background; print its URL."""
    from ..doccano.server import ServerError, ServerLayout, serve

    layout = ServerLayout.default(home)
    try:
        url = serve(layout, port=port, log=lambda m: console.print(m))
    except ServerError as e:
        console.print(f"[red]error:[/red] {e}")
        raise typer.Exit(1) from None
    console.print(f"doccano runs at {url} (logs in {layout.home})")
    print(url)


@doccano_app.command("stop")
def stop_cmd(
    home: Path = typer.Option(None, "--home", help="Data folder of the server to stop."),
) -> None:
    """Stop the web server and task queue started by ``indicators doccano serve``."""
    from ..doccano.server import ServerLayout, stop

    layout = ServerLayout.default(home)
    stopped = stop(layout)
    console.print(f"stopped: {', '.join(stopped)}" if stopped else "no doccano server was running")


def register(app: typer.Typer) -> None:
    app.add_typer(doccano_app, name="doccano")
