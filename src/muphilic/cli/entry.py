"""The ``muphilic`` command group and the entry point of the console script.

The commands are registered on :data:`app` by the modules of :mod:`muphilic.cli`;
:func:`main` runs it and turns every error into one line and exit status 2.
"""

from __future__ import annotations

import sys

import click

from muphilic import __version__
from muphilic.errors import MuphilicError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="muphilic")
def app() -> None:
    """Reach of accelerator neutrino experiments for light muon-philic scalars."""


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``muphilic`` console script."""
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        app.main(args=args or ["--help"], prog_name="muphilic", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("muphilic: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        click.echo(f"muphilic: error: {exc.format_message()}", err=True)
        sys.exit(2)
    except MuphilicError as exc:
        click.echo(f"muphilic: error: {exc}", err=True)
        sys.exit(2)
    except OSError as exc:  # unreadable or missing files named on the command line
        where = f": {exc.filename}" if getattr(exc, "filename", None) else ""
        click.echo(f"muphilic: error: {exc.strerror or exc}{where}", err=True)
        sys.exit(2)
    sys.exit(0)
