"""The chain itself: :func:`reach` simulates (or reads) the beam, builds each
experiment's signal and spectrum, scans the (m_S, y) grid and finds where the g-2
favoured band is excluded."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from muphilic.beamline import load_beam, numu_flux_total
from muphilic.beamline.walls import beam_walls
from muphilic.config import RunConfig
from muphilic.constants import MeV
from muphilic.detectors import Detector
from muphilic.g2 import g2_scenario
from muphilic.pipeline.curves import DISCOVERY_SIGMAS, curve_kind, discovery_key
from muphilic.pipeline.experiments import detector_for, published_spectrum
from muphilic.pipeline.result import ReachResult, _beam_record, _detector_record, _input_files
from muphilic.pipeline.signal_for_mass import SignalForMass, signal_settings
from muphilic.recast.contours import band_excluded_range
from muphilic.recast.scan import ScanJob, ScanResult, scan_job, scan_many
from muphilic.signal import SignalSettings, aiming_spheres

__all__ = ["reach"]

FloatArray = NDArray[np.float64]


def reach(
    config: RunConfig | None = None,
    *,
    beam: Any = None,
    progress: bool = True,
    n_workers: int | None = 1,
    scheduler: str | None = None,
) -> ReachResult:
    """Exclusion (and projection) scans for every experiment of ``config``.

    Parameters
    ----------
    config : RunConfig, optional
        The run; the paper's choices by default.
    beam : BeamSample, optional
        A beam sample to use instead of the one ``config.beam`` describes.
    progress : bool
        Progress bars.
    n_workers : int or None
        Worker processes on this machine for the (experiment, mass) points (1: in
        this process; None: one per usable core); the results do not depend on it.
    scheduler : str, optional
        Address of a dask.distributed scheduler.
    """

    config = (config or RunConfig()).validate()
    beam_from_config = beam is None
    if beam_from_config:
        beam = load_beam(config.beam, seed=config.seed, progress=progress)
    settings = signal_settings(config)
    grid = config.scan
    masses = np.geomspace(grid.mass_min_MeV, grid.mass_max_MeV, grid.n_masses) * MeV
    couplings = np.geomspace(grid.coupling_min, grid.coupling_max, grid.n_couplings)
    g2 = g2_scenario(config.g2_scenario)

    scans, fluxes, projections, detectors = _scan_experiments(
        config, beam, settings, masses, couplings, progress, n_workers, scheduler
    )
    band = g2.favoured_band
    excluded: dict[str, list[float] | None] = {}
    for key, result in scans.items():
        excluded[key] = _as_list(band_excluded_range(result, band))
    observed = [s for s in scans.values() if s.kind == "exclusion"]
    with_expected = [
        s
        for s in scans.values()
        if s.kind in ("exclusion", "expected") and s.statistic != "asimov_discovery"
    ]
    if observed:
        excluded["union"] = _as_list(band_excluded_range(observed, band))
    if len(with_expected) > len(observed):
        excluded["union_with_expected"] = _as_list(band_excluded_range(with_expected, band))
    inputs = _input_files(config, beam_from_config)
    beam_record = _beam_record(config, beam, beam_from_config, inputs)
    result = ReachResult(
        config, scans, projections, excluded, fluxes, inputs, detectors, beam_record
    )
    if config.band.enabled:
        from muphilic.recast.bands import compute_bands

        bands = compute_bands(
            result, beam, config.band.names(), config.band.replicas, progress=progress
        )
        result = replace(result, bands=bands)
    return result


def _roadmap_flux(beam: Any, detector: Detector) -> tuple[FloatArray, FloatArray] | None:
    """The binned nu_mu flux of a detector of another facility than the BNB (else None).

    Refuses a beam of another facility than the detector's (its position is in
    its facility's frame).
    """
    if detector.facility == "bnb":
        return None
    from muphilic.roadmap import ROADMAP_FLUX_EDGES, facility_flux

    return ROADMAP_FLUX_EDGES / MeV, facility_flux(beam, detector)


def _scan_experiments(
    config: RunConfig,
    beam: Any,
    settings: SignalSettings,
    masses: FloatArray,
    couplings: FloatArray,
    progress: bool,
    n_workers: int | None,
    scheduler: str | None,
) -> tuple[dict[str, ScanResult], dict[str, float], tuple[str, ...], dict[str, Any]]:
    scans: dict[str, ScanResult] = {}
    fluxes: dict[str, float] = {}
    records: dict[str, Any] = {}
    jobs: dict[str, ScanJob] = {}
    kinds: dict[str, tuple[str, bool]] = {}
    for key in config.experiments:
        detector = detector_for(key, config.detector_overrides.get(key))
        fluxes[key] = numu_flux_total(beam, detector)
        spectrum = published_spectrum(
            key,
            detector,
            fluxes[key],
            config.spectra.get(key, ""),
            config.statistics.miniboone_systematics,
            _roadmap_flux(beam, detector),
        )
        records[key] = _detector_record(detector, spectrum)
        muons = beam.muons if "muon" in settings.channels else None
        walls = beam_walls(beam, config.beam.facility) if muons is not None else None
        signal = SignalForMass(
            parents=beam.parents,
            muons=muons,
            detector=detector,
            couplings=couplings,
            settings=settings,
            spectrum_edges_MeV=spectrum.edges_MeV,
            aim=aiming_spheres(beam.parents, muons, detector, walls),
            walls=walls,
        )
        if key == "miniboone" and config.statistics.combine_miniboone_modes:
            from muphilic.antineutrino import combine_miniboone_modes

            signal, spectrum, nubar = combine_miniboone_modes(  # type: ignore[assignment]
                config, signal, spectrum, progress=progress
            )
            records[key]["background"]["antineutrino_mode"] = nubar
        statistic = config.statistics.method
        kind = curve_kind(key, detector, spectrum, config)
        discovery = config.statistics.mode == "discovery" and kind != "exclusion"
        if discovery:
            statistic = "discovery"
        cl = (
            config.statistics.projection_cl_sigma
            if kind == "projection"
            else config.statistics.cl_sigma
        )
        jobs[key] = scan_job(masses, couplings, signal, spectrum, statistic, cl)
        kinds[key] = (kind, discovery)
    results = scan_many(
        list(jobs.values()), n_workers=n_workers, scheduler=scheduler, progress=progress
    )
    for key, result in zip(jobs, results, strict=True):
        kind, discovery = kinds[key]
        result = replace(result, kind=kind)
        if not discovery:
            scans[key] = result
            continue
        for n_sigma in DISCOVERY_SIGMAS:
            scans[discovery_key(key, n_sigma)] = replace(
                result,
                experiment=f"{result.experiment} discovery",
                cl_sigma=n_sigma,
                excluded=result.significance >= n_sigma,
            )
            records[discovery_key(key, n_sigma)] = records[key]
    projections = tuple(k for k, s in scans.items() if s.kind == "projection")
    return scans, fluxes, projections, records


def _as_list(interval: tuple[float, float] | None) -> list[float] | None:
    return None if interval is None else [float(interval[0]), float(interval[1])]
