"""``muphilic spectrum``: the expected signal in a detector's m_gg bins, by channel, beside
the data and the background."""

from __future__ import annotations

import json

import click
import numpy as np

from muphilic.cli.common import (
    OptionError,
    _console,
    _json_option,
    _load_run_config,
    _plot_path,
    _positive,
)
from muphilic.cli.entry import app
from muphilic.errors import MuphilicError


@app.command()
@click.option(
    "--detector",
    "detector_name",
    default="microboone",
    show_default=True,
    help="Detector name or TOML file.",
)
@click.option("--mass", type=float, default=24.0, show_default=True, help="m_S, MeV.")
@click.option("--coupling", type=float, default=3e-4, show_default=True, help="Coupling y.")
@click.option("--plot", "plot_path", default=None, help="Fig. 5-style plot (PNG/PDF).")
@click.option("--config", "config_path", default=None, help="Run configuration (TOML).")
@_json_option
def spectrum(
    detector_name: str,
    mass: float,
    coupling: float,
    plot_path: str | None,
    config_path: str | None,
    as_json: bool,
) -> None:
    """Expected signal in a detector's m_gg bins, by channel, with data and background."""
    from rich.table import Table

    from muphilic.beamline import load_beam, numu_flux_total
    from muphilic.constants import tonne
    from muphilic.detectors import plot_spectrum, spectrum_summary
    from muphilic.pipeline import detector_for, published_spectrum
    from muphilic.scalar import check_mass
    from muphilic.signal import expected_signal

    _positive("--mass", mass)
    _positive("--coupling", coupling)
    _plot_path("--plot", plot_path)
    try:
        check_mass(mass)
    except MuphilicError as err:
        raise OptionError("--mass", str(err)) from None
    run = _load_run_config(config_path)
    key = detector_name.lower()
    try:
        detector = detector_for(key, run.detector_overrides.get(key))
    except MuphilicError as err:
        raise OptionError("--detector", str(err)) from None
    sample = load_beam(run.beam, seed=run.seed, progress=not as_json)
    from muphilic.beamline.walls import beam_walls
    from muphilic.pipeline import signal_settings

    settings = signal_settings(run)

    walls = beam_walls(sample, run.beam.facility)
    result = expected_signal(
        sample.parents, sample.muons, mass, detector, [coupling], settings, walls=walls
    )
    payload = spectrum_summary(result, 0)
    flux = numu_flux_total(sample, detector)
    published = published_spectrum(key, detector, flux, run.spectra.get(key, ""))
    lo = int(np.argmin(np.abs(published.edges_MeV - result.edges_MeV[0])))
    n = result.edges_MeV.size - 1
    background = published.background[lo : lo + n]
    data = published.data[lo : lo + n]
    payload["background"] = background.tolist()
    payload["data"] = None if published.asimov else data.tolist()
    payload["background_label"] = published.label or published.source
    for mass_key, target_mass in (
        ("fiducial_mass_t", detector.fiducial_mass),
        ("background_mass_t", detector.background_mass),
    ):
        payload[mass_key] = None if target_mass is None else round(target_mass / tonne, 9)
    if plot_path:
        plot_spectrum(
            result, 0, plot_path, background=background, data=None if published.asimov else data
        )
    if as_json:
        click.echo(json.dumps(payload, indent=2, allow_nan=False))
        return
    table = Table(title=f"{detector.name}: m_S = {mass:g} MeV, y = {coupling:g}")
    for column in ("m_gg bin [MeV]", "kaon", "pion", "muon", "signal", "background"):
        table.add_column(column, justify="right")
    edges = payload["edges_MeV"]
    for i in range(n):
        table.add_row(
            f"{edges[i]:g}-{edges[i + 1]:g}",
            *(f"{payload['by_channel'][c][i]:.3g}" for c in ("kaon", "pion", "muon")),
            f"{payload['signal'][i]:.3g}",
            f"{background[i]:.3g}",
        )
    _console.print(table)
    rel = payload["mc_rel_error"]
    _console.print(
        f"total signal {payload['signal_total']:.4g} events"
        + (f" (MC error {100 * rel:.2g} %)" if rel is not None else "")
    )
