"""The ``muphilic`` command line: a thin layer over the Python API.

Every subcommand prints a human summary, or one JSON object with ``--json``.
Bad input ends with exit status 2 and a one-line message naming the option.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from muphilic import __version__
from muphilic.constants import m, s
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
    if as_json:
        click.echo(json.dumps(payload, indent=2))
        return
    table = Table(title=table_title)
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for key, value in payload.items():
        table.add_row(key, f"{value:.6g}" if isinstance(value, float) else str(value))
    _console.print(table)


_json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="muphilic")
def app() -> None:
    """Reach of accelerator neutrino experiments for light muon-philic scalars."""


@app.command()
@click.option("--mass", type=float, default=40.0, show_default=True, help="Scalar mass m_S, MeV.")
@click.option("--coupling", type=float, default=1e-4, show_default=True, help="Yukawa coupling y.")
@_json_option
def scalar(mass: float, coupling: float, as_json: bool) -> None:
    """Width, lifetime, decay length, g-2 contribution and meson branching ratios."""
    from muphilic.emission.meson_decays import branching_ratios
    from muphilic.scalar import Scalar, check_mass

    _positive("--mass", mass)
    _positive("--coupling", coupling)
    try:
        check_mass(mass)
    except MuphilicError as err:
        raise OptionError("--mass", str(err)) from None
    point = Scalar(mass=mass, coupling=coupling)
    payload: dict[str, Any] = {
        "mass_MeV": mass,
        "coupling": coupling,
        "width_MeV": point.width,
        "tau_s": point.lifetime / s,
        "ctau_m": point.ctau / m,
        "delta_a_mu": point.delta_a_mu,
        **branching_ratios(mass, coupling),
    }
    _emit(payload, as_json, f"S with m_S = {mass:g} MeV, y = {coupling:g}")


@app.command()
@click.option("--mass", type=float, required=True, help="Scalar mass m_S, MeV.")
@click.option("--energy", type=float, required=True, help="Muon energy E_mu, GeV.")
@click.option("--target", default="Fe", show_default=True, help="Target nucleus (Fe, Cu, Pb, ...).")
@_json_option
def xsec(mass: float, energy: float, target: str, as_json: bool) -> None:
    """Cross section sigma/y^2 of mu N -> mu N S per nucleus: exact and improved WW."""
    from muphilic.emission.form_factors import get_target
    from muphilic.emission.muon_scattering import xsec_summary
    from muphilic.scalar import check_mass

    _positive("--mass", mass)
    _positive("--energy", energy)
    try:
        check_mass(mass)
    except MuphilicError as err:
        raise OptionError("--mass", str(err)) from None
    try:
        get_target(target)
    except MuphilicError as err:
        raise OptionError("--target", str(err)) from None
    try:
        payload = xsec_summary(mass, energy, target=target)
    except MuphilicError as err:
        raise OptionError("--energy", str(err)) from None
    _emit(payload, as_json, f"mu {target} -> mu {target} S, m_S = {mass:g} MeV, E = {energy:g} GeV")


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
    sys.exit(0)
