"""The ``muphilic`` command line: a thin layer over the Python API.

Every subcommand prints a human summary, or one JSON object with ``--json``.
Bad input ends with exit status 2 and a one-line message naming the option.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import click
import numpy as np
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
    """Print a flat ``payload`` as strict JSON (RFC 8259) or a table.

    A non-finite number is refused (exit 2) instead of printed as NaN or Infinity.
    """
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="muphilic")
def app() -> None:
    """Reach of accelerator neutrino experiments for light muon-philic scalars."""


@app.command()
@click.option("--mass", type=float, default=40.0, show_default=True, help="Scalar mass m_S, MeV.")
@click.option("--coupling", type=float, default=1e-4, show_default=True, help="Yukawa coupling y.")
@_json_option
def scalar(mass: float, coupling: float, as_json: bool) -> None:
    """Width, lifetime, decay length, g-2 contribution and meson branching ratios.

    Valid inputs: ``MASS_RANGE_MeV`` (1e-9 MeV <= m_S < 2 m_mu) and
    1e-100 <= y <= min(sqrt(4 pi), y at which a meson branching ratio reaches 1).
    """
    from muphilic.emission.meson_decays import branching_ratios
    from muphilic.scalar import Scalar, check_coupling, check_mass

    try:
        check_mass(mass)
    except MuphilicError as err:
        raise OptionError("--mass", str(err)) from None
    try:
        check_coupling(mass, coupling)
    except MuphilicError as err:
        raise OptionError("--coupling", str(err)) from None
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
    """Cross section sigma/y^2 of mu N -> mu N S per nucleus: exact and improved WW.

    Valid inputs: ``MASS_RANGE_MeV`` and E_thr (1 + 1e-3) <= E_mu <= 10 GeV
    (``summary_energy_range``).
    """
    from muphilic.emission.form_factors import get_target
    from muphilic.emission.muon_scattering import xsec_summary
    from muphilic.scalar import check_mass

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


def _load_run_config(config_path: str | None, allow_long_runs: bool = False) -> Any:
    from muphilic.config import LimitsConfig, RunConfig, load_config

    if config_path:
        return load_config(config_path, allow_long_runs=allow_long_runs)
    return RunConfig(limits=LimitsConfig(allow_long_runs=allow_long_runs))


_allow_long_runs_option = click.option(
    "--allow-long-runs",
    is_flag=True,
    help="Run even if the estimated cost exceeds the limits (1 h of computing, 10 GB of beam).",
)


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
                "description": f.description,
            }
        )
    if as_json:
        click.echo(json.dumps({"facilities": rows}, indent=2))
        return
    table = Table(title="packaged facilities (muphilic beam --facility NAME)")
    for column in ("name", "beam", "target", "horns", "production", "description"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["name"],
            f"{row['proton_kinetic_energy_GeV']:g} GeV p",
            row["target"],
            str(row["horns"]),
            row["production"],
            row["description"],
        )
    _console.print(table)


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
    from muphilic.beamline import load_beam, numu_flux_total
    from muphilic.constants import tonne
    from muphilic.detectors import plot_spectrum, spectrum_summary
    from muphilic.pipeline import detector_for, published_spectrum
    from muphilic.scalar import check_mass
    from muphilic.signal import SignalSettings, expected_signal

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
    settings = SignalSettings(
        channels=run.emission.channels,
        scalars_per_species=run.emission.scalars_per_species,
        seed=run.seed,
        energy_loss=run.emission.energy_loss,
        muon_multiple_scattering=run.emission.muon_multiple_scattering,
    )
    result = expected_signal(sample.parents, sample.muons, mass, detector, [coupling], settings)
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


def _check_scheduler(address: str) -> None:
    """Connect to a dask scheduler once before the computation starts."""
    from distributed import Client

    try:
        with Client(address, timeout=10):
            pass
    except (OSError, ValueError, TypeError) as err:
        detail = " ".join(str(err).split())
        raise OptionError("--scheduler", f"cannot connect to {address!r} ({detail})") from None


@app.command(name="reach")
@click.option(
    "--out",
    "out_dir",
    default="muphilic-output",
    show_default=True,
    help="Folder for the plot, contours and summary.",
)
@click.option(
    "--experiments",
    default=None,
    help="Comma-separated detectors (default: miniboone,microboone,sbnd).",
)
@click.option("--cl", type=float, default=None, help="Exclusion confidence, Gaussian sigma.")
@click.option(
    "--g2",
    "g2_label",
    type=click.Choice(["2023", "2025"]),
    default=None,
    help="g-2 measurement and theory for the band.",
)
@click.option(
    "--statistic", type=click.Choice(["paper", "likelihood"]), default=None, help="Test statistic."
)
@click.option(
    "--mode",
    type=click.Choice(["exclusion", "discovery"]),
    default=None,
    help="discovery: 3 and 5 sigma discovery reach of expected curves and projections.",
)
@click.option("--config", "config_path", default=None, help="Run configuration (TOML).")
@click.option(
    "--workers",
    type=int,
    default=None,
    help="Worker processes for the mass points (default: one per core).",
)
@click.option("--scheduler", default=None, help="Address of a dask.distributed scheduler.")
@click.option(
    "--band",
    is_flag=True,
    help="Also compute each contour's band: Monte Carlo error and model variations.",
)
@click.option(
    "--band-production",
    is_flag=True,
    help="With --band: add the beam variations (production models urqmd and sibyll, "
    "no kaon absorption; each simulates a beam sample once, then cached).",
)
@_allow_long_runs_option
@click.option("--facility", default=None, help="Beamline of the run (default: the config's).")
@_json_option
def reach_command(
    out_dir: str,
    experiments: str | None,
    cl: float | None,
    g2_label: str | None,
    statistic: str | None,
    mode: str | None,
    config_path: str | None,
    workers: int | None,
    scheduler: str | None,
    band: bool,
    band_production: bool,
    allow_long_runs: bool,
    facility: str | None,
    as_json: bool,
) -> None:
    """Exclusion limits, projections and the g-2 band (the paper's Fig 6) with files."""
    from dataclasses import replace

    from muphilic.config import check_inputs
    from muphilic.pipeline import prepare_output_folder, reach, result_keys, write_outputs

    run = _load_run_config(config_path, allow_long_runs)
    if facility is not None:
        from muphilic.roadmap import facility_key

        try:
            key = facility_key(facility)
        except MuphilicError as err:
            raise OptionError("--facility", str(err)) from None
        run = replace(run, beam=replace(run.beam, facility=key, production=""))
    if experiments:
        names = tuple(e.strip().lower() for e in experiments.split(",") if e.strip())
        run = replace(run, experiments=names)
    if cl is not None:
        _positive("--cl", cl)
        run = replace(run, statistics=replace(run.statistics, cl_sigma=cl))
    if g2_label:
        run = replace(run, g2_scenario=g2_label)
    if statistic:
        run = replace(run, statistics=replace(run.statistics, method=statistic))
    if mode:
        run = replace(run, statistics=replace(run.statistics, mode=mode))
    if workers is not None and workers < 1:
        raise OptionError("--workers", f"must be at least 1, got {workers}")
    if band_production and not (band or run.band.enabled):
        raise OptionError("--band-production", "only means something with --band")
    if band or band_production:
        run = replace(
            run,
            band=replace(run.band, enabled=True, production=band_production or run.band.production),
        )
    run = run.validate()
    check_inputs(run)
    prepare_output_folder(out_dir, result_keys(run), run.band.enabled)
    if scheduler is not None:
        _check_scheduler(scheduler)
    result = reach(run, progress=not as_json, n_workers=workers, scheduler=scheduler)
    files = write_outputs(result, out_dir)
    summary = result.summary()
    summary["files"] = [str(f) for f in files]
    _warn_clipped(summary)
    if as_json:
        click.echo(json.dumps(summary, indent=2, allow_nan=False))
        return
    table = Table(title="g-2 favoured band covered (m_S range, MeV)")
    table.add_column("experiment")
    table.add_column("curve")
    table.add_column("range", justify="right")
    kinds = {key: entry["kind"] for key, entry in summary["experiments"].items()}
    kinds["union"] = "exclusion (observed data only)"
    kinds["union_with_expected"] = "exclusion + expected"
    for key, interval in summary["g2_band_excluded_MeV"].items():
        text = "none" if interval is None else f"{interval[0]:.1f} - {interval[1]:.1f}"
        table.add_row(key, kinds.get(key, ""), text)
    _console.print(table)
    if "band" in summary:
        _print_band(summary["band"])
    _console.print(f"wrote {len(files)} files to {out_dir}/ (reach.png, reach.pdf, contours)")


def _print_band(record: dict[str, Any]) -> None:
    """The Monte Carlo width of each contour and the largest shift of each variation."""
    table = Table(title="contour bands (relative, in y)")
    table.add_column("experiment")
    table.add_column("MC width")
    table.add_column("in g-2 band", justify="right")
    for key, mc in record["mc"].items():
        median, in_g2 = mc["median_relative_width"], mc["max_relative_width_in_g2_band"]
        table.add_row(
            key,
            "-" if median is None else f"{100 * median:.2g} %",
            "-" if in_g2 is None else f"{100 * in_g2:.2g} %",
        )
    _console.print(table)
    shifts = Table(title="largest boundary shift of each variation (lower / upper edge)")
    shifts.add_column("variation")
    keys = list(record["mc"])
    for key in keys:
        shifts.add_column(key, justify="right")
    for name, entry in record["variations"].items():
        if entry["status"] != "run":
            shifts.add_row(name, *([entry["status"]] * len(keys)))
            continue
        cells = []
        for key in keys:
            row = entry["experiments"].get(key, {})
            if not row.get("applies"):
                cells.append("-")
                continue
            lo, hi = row["lower_max_abs_shift"], row["upper_max_abs_shift"]
            cells.append(" / ".join("-" if v is None else f"{100 * v:.2g} %" for v in (lo, hi)))
        shifts.add_row(name, *cells)
    _console.print(shifts)


@app.command(name="roadmap")
@click.option("--out", "out_dir", default="muphilic-roadmap", show_default=True, help="Folder.")
@click.option("--config", "config_path", default=None, help="Run configuration (TOML).")
@click.option(
    "--facilities",
    default="bnb,numi",
    show_default=True,
    help="Comma-separated packaged facilities whose detectors to draw.",
)
@click.option(
    "--pot",
    "pot_options",
    multiple=True,
    help="Simulated POT of a facility's beam sample, FACILITY=N (default: the config's).",
)
@click.option("--workers", type=int, default=1, show_default=True, help="Local processes.")
@_allow_long_runs_option
@_json_option
def roadmap_command(
    out_dir: str,
    config_path: str | None,
    facilities: str,
    pot_options: tuple[str, ...],
    workers: int,
    allow_long_runs: bool,
    as_json: bool,
) -> None:
    """Every packaged detector at its facility's nominal exposure, beside the BNB (one figure)."""
    from muphilic.beamline.facility_file import available_facilities
    from muphilic.roadmap import roadmap, table_csv, write_roadmap

    run = _load_run_config(config_path, allow_long_runs)
    keys = tuple(k.strip().lower() for k in facilities.split(",") if k.strip())
    for key in keys:
        if key not in available_facilities():
            raise OptionError("--facilities", f"unknown facility {key!r}: {available_facilities()}")
    pots: dict[str, int] = {}
    for text in pot_options:
        key, _, value = text.partition("=")
        if key.strip().lower() not in keys or not value.strip().isdigit() or int(value) < 1:
            raise OptionError("--pot", f"expected FACILITY=N for one of {list(keys)}, got {text!r}")
        pots[key.strip().lower()] = int(value)
    if workers < 1:
        raise OptionError("--workers", f"must be at least 1, got {workers}")
    result = roadmap(run, facilities=keys, pot=pots, progress=not as_json, n_workers=workers)
    files = write_roadmap(result, out_dir)
    if as_json:
        payload = {"detectors": result.rows, "files": [str(f) for f in files]}
        click.echo(json.dumps(payload, indent=2, allow_nan=False))
        return
    click.echo(table_csv(result.rows), nl=False)
    _console.print(f"wrote {len(files)} files to {out_dir}/ (roadmap.png, .pdf, .csv)")


def _warn_clipped(summary: dict[str, Any]) -> None:
    """Say on stderr which regions are cut by the edge of the scanned range."""
    for key, entry in summary["experiments"].items():
        if entry["clipped_by_scan"]:
            click.echo(
                f"muphilic: warning: the {key} region reaches the edge of the scanned "
                "(m_S, y) range; its boundary there is the scan's, not the data's "
                "(widen [scan], see at_scan_edge in the contour files)",
                err=True,
            )


@app.command()
@click.option("--show-defaults", is_flag=True, help="Print the default configuration (TOML).")
@click.option("--check", "check_path", default=None, help="Validate a configuration file.")
def config(show_defaults: bool, check_path: str | None) -> None:
    """Show the default run configuration, or validate a file and every file it names."""
    from muphilic.config import RunConfig, check_inputs, estimate_cost, load_config

    if check_path:
        loaded = load_config(check_path)
        check_inputs(loaded)
        cost = estimate_cost(loaded).describe()
        click.echo(f"{check_path}: valid (sha256 {loaded.digest()[:16]}); {cost}")
        return
    click.echo(RunConfig().to_toml(), nl=False)


@app.command()
@click.option("--list", "list_entries", is_flag=True, help="List cached entries (the default).")
@click.option("--clear", is_flag=True, help="Delete every cached entry (asks first in a terminal).")
@click.option("--yes", is_flag=True, help="With --clear: do not ask.")
def cache(list_entries: bool, clear: bool, yes: bool) -> None:
    """Inspect or clear the cache of beam samples and cross-section tables.

    Only files the cache wrote itself are listed or removed.
    """
    from muphilic.cache import cache_dir, clear_cache, list_cache

    if list_entries and clear:
        raise OptionError("--list/--clear", "give one of them, not both")
    if yes and not clear:
        raise OptionError("--yes", "only means something with --clear")
    entries = list_cache()
    size_mb = sum(entry.size_bytes for entry in entries) / 1e6
    folder = cache_dir()
    if clear:
        if not entries:
            click.echo(f"cache: {folder} holds no entries; nothing removed")
            return
        question = f"remove {len(entries)} cached entries ({size_mb:.2f} MB) from {folder}?"
        if not yes and sys.stdin.isatty() and not click.confirm(question):
            click.echo("nothing removed")
            return
        removed = clear_cache()
        click.echo(f"removed {removed} cached entries ({size_mb:.2f} MB) from {folder}")
        return
    click.echo(f"cache: {folder} ({len(entries)} entries, {size_mb:.2f} MB)")
    for entry in entries:
        note = "  (left by an interrupted run)" if entry.temporary else ""
        click.echo(f"  {entry.kind:8s} {entry.path.name}  {entry.size_bytes / 1e6:8.2f} MB{note}")


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
