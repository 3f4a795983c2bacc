"""``muphilic beam`` and ``muphilic facilities``: simulate or read a beam sample, and list
the packaged facilities."""

from __future__ import annotations

import json
from typing import Any

import click
import numpy as np

from muphilic.cli.common import (
    OptionError,
    _allow_long_runs_option,
    _check_mass_option,
    _check_output_file,
    _console,
    _json_option,
    _load_run_config,
    _plot_path,
)
from muphilic.cli.entry import app
from muphilic.errors import MuphilicError


def _scalar_curves(sample: Any, mass_MeV: float | None, seed: int) -> tuple[Any, ...]:
    """(mass, channel -> (kinetic energies, weights)) of unaimed scalars for the beam plot."""
    if mass_MeV is None:
        return ()
    from muphilic.constants import MeV
    from muphilic.emission.spectra import scalar_samples

    rng = np.random.default_rng(seed)
    samples = scalar_samples(sample.parents, sample.muons, mass_MeV * MeV, rng)
    curves = {ch: (s.p4[:, 0] - s.mass, s.weight) for ch, s in samples.items()}
    return mass_MeV * MeV, curves


@app.command()
@click.option("--pot", type=int, default=None, help="Protons on target to simulate.")
@click.option("--seed", type=int, default=None, help="Random seed.")
@click.option("--sample", "sample_path", default=None, help="Read this beam sample (HDF5).")
@click.option("--output", default=None, help="Write the simulated sample to this HDF5 file.")
@click.option("--plot", "plot_path", default=None, help="Fig. 4-style energy spectra (PNG/PDF).")
@click.option(
    "--mass", type=float, default=None, help="With --plot: add the scalar spectra at this m_S, MeV."
)
@click.option("--config", "config_path", default=None, help="Run configuration (TOML).")
@_allow_long_runs_option
@click.option("--facility", default=None, help="Facility: a packaged name or a TOML file.")
@click.option("--production", default=None, help="Production backend (bnb-fits, urqmd, sibyll).")
@_json_option
def beam(
    pot: int | None,
    seed: int | None,
    sample_path: str | None,
    output: str | None,
    plot_path: str | None,
    mass: float | None,
    config_path: str | None,
    allow_long_runs: bool,
    facility: str | None,
    production: str | None,
    as_json: bool,
) -> None:
    """Simulate a beamline (the BNB by default): mesons, muons, nu_mu flux at the detectors."""
    from dataclasses import replace

    from rich.table import Table

    from muphilic.beamline import beam_summary, load_beam, plot_beam, read_sample, write_sample
    from muphilic.beamline.facility_file import load_facility
    from muphilic.beamline.production import get_backend
    from muphilic.config import check_cost

    _plot_path("--plot", plot_path)
    if mass is not None:
        if not plot_path:
            raise OptionError("--mass", "draws scalar spectra on the --plot figure; give --plot")
        _check_mass_option(mass)
    run = _load_run_config(config_path, allow_long_runs)
    if pot is not None and pot <= 0:
        raise OptionError("--pot", f"must be a positive integer, got {pot}")
    if seed is not None and seed < 0:
        raise OptionError("--seed", f"must be a non-negative integer, got {seed}")
    for option, value, check in (
        ("--facility", facility, load_facility),
        ("--production", production, get_backend),
    ):
        if value is not None:
            try:
                check(value)
            except MuphilicError as err:
                raise OptionError(option, str(err)) from None
    sample_path = sample_path or run.beam.sample or None
    given = {"--pot": pot, "--seed": seed, "--facility": facility, "--production": production}
    if sample_path and any(v is not None for v in given.values()):
        option = next(k for k, v in given.items() if v is not None)
        raise OptionError(
            option, f"the sample {sample_path} fixes the POT, seed and beamline; drop {option}"
        )
    if output:
        _check_output_file("--output", output)
    if sample_path:
        sample = read_sample(sample_path)
    else:
        beam_config = replace(
            run.beam,
            pot=pot if pot is not None else run.beam.pot,
            sample="",
            facility=facility if facility is not None else run.beam.facility,
            production=production if production is not None else run.beam.production,
        )
        allowed = allow_long_runs or run.limits.allow_long_runs
        check_cost(replace(run, beam=beam_config), beam_only=True, allow_long_runs=allowed)
        sample = load_beam(
            beam_config, seed=seed if seed is not None else run.seed, progress=not as_json
        )
    if output:
        write_sample(sample, output)
    if plot_path:
        plot_beam(sample, plot_path, *_scalar_curves(sample, mass, run.seed))
    summary = beam_summary(sample, _beam_flux_volumes(sample.facility))
    if as_json:
        click.echo(json.dumps(summary, indent=2, allow_nan=False))
        return
    origin = (
        f"read from {sample_path} ({summary['pot']:,} POT)"
        if sample_path
        else f"simulated, {summary['pot']:,} POT"
    )
    click.echo(f"{(summary['facility'] or 'the').upper()} beam {origin}")
    table = Table()
    table.add_column("quantity")
    table.add_column("per proton on target", justify="right")
    for name, value in summary["produced_per_pot"].items():
        table.add_row(f"{name} produced in the target", f"{value:.4g}")
    for name, value in summary["decays_per_pot"].items():
        table.add_row(f"{name} decays before the absorber", f"{value:.4g}")
    words = {"produced": "muons from pi/K decays", "to_dump": "muons reaching the absorber"}
    for name, value in summary["muons_per_pot"].items():
        table.add_row(words.get(name, f"muons {name}"), f"{value:.4g}")
    for name, flux in summary["numu_flux"].items():
        table.add_row(
            f"nu_mu flux at {name}, 0-10 GeV [1/cm^2]", f"{flux['total_per_cm2_per_pot']:.4g}"
        )
    _console.print(table)


def _beam_flux_volumes(facility_name: str) -> dict[str, Any]:
    """Flux volumes of the packaged detectors of a beam sample's facility (the BNB's if unknown)."""
    from muphilic.roadmap import facility_key, flux_volumes

    try:
        return flux_volumes(facility_key(facility_name)) if facility_name else flux_volumes("bnb")
    except MuphilicError:
        return flux_volumes("bnb")


@app.command()
@_json_option
def facilities(as_json: bool) -> None:
    """List the packaged facilities (beamlines) and their production backends."""
    from rich.table import Table

    from muphilic.beamline.facility_file import available_facilities, load_facility
    from muphilic.constants import GeV

    rows = []
    for key in available_facilities():
        f = load_facility(key)
        rows.append(
            {
                "name": key,
                "title": f.name,
                "proton_kinetic_energy_GeV": f.proton_kinetic_energy / GeV,
                "target": f.target.material,
                "horns": len(f.horns),
                "polarity": f.polarity,
                "production": f.production,
                "approximate": f.approximate,
                "description": f.description,
            }
        )
    if as_json:
        click.echo(json.dumps({"facilities": rows}, indent=2))
        return
    table = Table(title="packaged facilities (muphilic beam --facility NAME)")
    for column in ("name", "beam", "target", "horns", "production", "approximate", "description"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["name"],
            f"{row['proton_kinetic_energy_GeV']:g} GeV p",
            row["target"],
            str(row["horns"]),
            row["production"],
            "yes" if row["approximate"] else "no",
            row["description"],
        )
    _console.print(table)
