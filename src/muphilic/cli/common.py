"""What the commands share: the console, the option error, printing and option checks.

Every check raises :class:`OptionError` naming the option; :func:`main
<muphilic.cli.entry.main>` turns it into a one-line message and exit status 2.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from muphilic.errors import MuphilicError

_console = Console()


class OptionError(MuphilicError):
    """A command-line option has a bad value."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(f"{option}: {message}")


def _positive(option: str, value: float) -> float:
    if not math.isfinite(value) or value <= 0:
        raise OptionError(option, f"must be a positive number, got {value}")
    return value


def _emit(payload: dict[str, Any], as_json: bool, table_title: str) -> None:
    """Print a flat ``payload`` as strict JSON (RFC 8259) or a table.

    A non-finite number is refused (exit 2) instead of printed as NaN or Infinity.
    """
    from rich.table import Table

    for key, value in payload.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise MuphilicError(f"{key} came out as {value} at these inputs; nothing printed")
    if as_json:
        click.echo(json.dumps(payload, indent=2, allow_nan=False))
        return
    table = Table(title=table_title)
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for key, value in payload.items():
        table.add_row(key, f"{value:.6g}" if isinstance(value, float) else str(value))
    _console.print(table)


_json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")


_allow_long_runs_option = click.option(
    "--allow-long-runs",
    is_flag=True,
    help="Run even if the estimated cost exceeds the limits (1 h of computing, 10 GB of beam).",
)


_PLOT_FORMATS = (".png", ".pdf", ".svg", ".eps", ".jpg")


def _plot_path(option: str, path: str | None) -> str | None:
    """Check that a plot file name has a format matplotlib writes."""
    if path is not None and not path.lower().endswith(_PLOT_FORMATS):
        raise OptionError(option, f"give a file ending in one of {', '.join(_PLOT_FORMATS)}")
    return path


def _check_output_file(option: str, path: str) -> None:
    """Refuse to overwrite a file that is not a muphilic beam sample, or an unwritable folder."""
    from muphilic.beamline import is_beam_sample
    from muphilic.files import check_writable_folder

    target = Path(path)
    if target.is_dir():
        raise OptionError(option, f"{path} is a folder; give a file name")
    if target.exists() and not is_beam_sample(target):
        raise OptionError(option, f"{path} exists and is not a muphilic beam sample: not replaced")
    if not target.parent.is_dir():
        raise OptionError(option, f"{path}: the folder {target.parent} does not exist")
    try:
        check_writable_folder(target.parent)
    except MuphilicError as err:
        raise OptionError(option, str(err)) from None


def _check_mass_option(mass: float) -> None:
    from muphilic.scalar import check_mass

    _positive("--mass", mass)
    try:
        check_mass(mass)
    except MuphilicError as err:
        raise OptionError("--mass", str(err)) from None


def _load_run_config(config_path: str | None, allow_long_runs: bool = False) -> Any:
    from muphilic.config import LimitsConfig, RunConfig, load_config

    if config_path:
        return load_config(config_path, allow_long_runs=allow_long_runs)
    return RunConfig(limits=LimitsConfig(allow_long_runs=allow_long_runs))
