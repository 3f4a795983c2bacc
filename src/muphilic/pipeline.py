"""The whole chain for the paper's Fig. 6: beam -> emission -> detection -> recast -> limits.

:func:`reach` runs it on a :class:`muphilic.config.RunConfig` (the paper's
choices by default) and returns a :class:`ReachResult`; :func:`write_outputs`
turns that into the plot, contour files and summary a paper needs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from muphilic.beamline import load_beam, numu_flux_total
from muphilic.cache import file_sha256
from muphilic.config import RunConfig
from muphilic.constants import MeV, cm2, m, tonne
from muphilic.detectors import Detector, apply_overrides, load_detector
from muphilic.detectors.definitions import OVERRIDE_KEYS
from muphilic.errors import MuphilicError
from muphilic.events import MuonSample, ParentSample
from muphilic.files import OutputFolderError, atomic_write, check_writable_folder, staged_files
from muphilic.g2 import g2_scenario
from muphilic.provenance import software_record
from muphilic.recast.contours import band_excluded_range, exclusion_contour
from muphilic.recast.output import (
    write_contour_csv,
    write_contours_json,
    write_g2_band_csv,
    write_hepdata_yaml,
)
from muphilic.recast.plot import plot_reach
from muphilic.recast.scan import ScanJob, ScanResult, scan_job, scan_many
from muphilic.recast.spectra import (
    MicroBooNEModel,
    PublishedSpectrum,
    microboone_ncpi0_0p,
    miniboone_ncpi0,
    read_spectrum_csv,
)
from muphilic.signal import SignalSettings, aiming_spheres, signal_function

__all__ = [
    "ReachResult",
    "SignalForMass",
    "curve_kind",
    "detector_for",
    "output_names",
    "prepare_output_folder",
    "published_spectrum",
    "reach",
    "result_keys",
    "write_outputs",
]

FloatArray = NDArray[np.float64]


def detector_for(name: str, overrides: Mapping[str, Any] | None = None) -> Detector:
    """The packaged (or file) detector ``name`` with the run's overrides applied.

    Overrides are the keys of :data:`muphilic.detectors.definitions.OVERRIDE_KEYS`
    in the units of the detector files (``pot``, ``efficiency``, ``resolution``,
    ``fiducial_mass_t``, ``background_mass_t``, ``track_mass_applies_to``,
    ``window_MeV``), applied by :func:`muphilic.detectors.apply_overrides`.
    """
    detector = load_detector(name)
    if overrides:
        unknown = sorted(set(overrides) - set(OVERRIDE_KEYS))
        if unknown:
            raise MuphilicError(
                f"detectors.{name}.{unknown[0]}: cannot override; use one of "
                f"{list(OVERRIDE_KEYS)}, or write a detector file"
            )
        try:
            detector = apply_overrides(detector, overrides)
        except MuphilicError as err:
            raise MuphilicError(f"detectors.{name}: {err}") from None
    return detector


def published_spectrum(
    key: str,
    detector: Detector,
    numu_flux_per_cm2_per_pot: float,
    csv_path: str = "",
    systematics: Mapping[str, float] | None = None,
    numu_spectrum: tuple[FloatArray, FloatArray] | None = None,
) -> PublishedSpectrum:
    """Data and background to compare the signal with in ``detector``.

    * a user's CSV file (``csv_path``) if given - the real spectrum;
    * MiniBooNE: the published NC pi0 spectrum (arXiv:0911.2063), scaled to the
      detector's POT, in its analysis window;
    * any argon detector: the modelled NC pi0 0p background (NC pi0 peak, broad
      beam-related and cosmic components normalised to the published MicroBooNE
      selection totals, scaled to the detector's flux, background mass and POT) in
      the detector's bins, as Asimov data labelled "expected, modelled background";
    * a detector of another facility (``numu_spectrum`` = (edges in MeV, nu_mu
      flux per cm^2 per POT per bin) given): the modelled NC pi0 background of
      :mod:`muphilic.recast.ncpi0`.
    """
    window = (float(detector.edges[0] / MeV), float(detector.edges[-1] / MeV))
    if csv_path:
        spectrum = read_spectrum_csv(csv_path)
        if not np.isclose(spectrum.pot, detector.pot, rtol=1e-6):
            raise MuphilicError(
                f"spectra.{key}: the spectrum in {csv_path} is for {spectrum.pot:.4g} POT but "
                f"detector {detector.name} has {detector.pot:.4g}; set detectors.{key}.pot"
            )
        return spectrum
    if numu_spectrum is not None:  # a road-map detector: the modelled NC pi0 background
        from muphilic.recast.ncpi0 import ncpi0_spectrum

        if detector.background_mass is None:
            raise MuphilicError(
                f"detector {detector.name} needs a fiducial mass for its background"
            )
        flux_edges, flux_per_bin = numu_spectrum
        return ncpi0_spectrum(
            detector.name,
            detector.edges / MeV,
            flux_edges,
            flux_per_bin,
            pot=detector.pot,
            fiducial_mass=detector.background_mass,
            efficiency=detector.efficiency,
            resolution=detector.resolution,
            window_MeV=window,
        )
    if key == "miniboone":  # see has_measured_data
        if systematics is None:
            return miniboone_ncpi0(pot=detector.pot, window_MeV=window)
        return miniboone_ncpi0(pot=detector.pot, systematics=systematics, window_MeV=window)
    if detector.background_mass is None:
        raise MuphilicError(f"detector {detector.name} needs a fiducial mass for its background")
    model = MicroBooNEModel(
        pot=detector.pot,
        fiducial_mass=detector.background_mass,
        efficiency=detector.efficiency,
        resolution=detector.resolution,
        edges_MeV=tuple(float(e) for e in detector.edges / MeV),
        window_MeV=window,
        e_high_min_MeV=detector.cuts.e_high_min / MeV,
        e_low_min_MeV=detector.cuts.e_low_min / MeV,
    )
    return microboone_ncpi0_0p(numu_flux_per_cm2_per_pot / cm2, model, name=detector.name)


@dataclass(frozen=True)
class SignalForMass:
    """Picklable ``mass -> signal (K, n_bins)`` for :func:`muphilic.recast.scan.scan`.

    The detector's analysis bins are placed inside the spectrum's binning
    (the MiniBooNE spectrum extends beyond the window).
    """

    parents: dict[str, ParentSample]
    muons: MuonSample | None
    detector: Detector
    couplings: FloatArray
    settings: SignalSettings
    spectrum_edges_MeV: FloatArray
    aim: dict[str, tuple[FloatArray, float]]

    def __call__(self, mass: float) -> FloatArray:
        return self.at_mass(mass)(self.couplings)

    def at_mass(self, mass: float) -> Callable[[ArrayLike], FloatArray]:
        """``couplings -> signal (K', n_bins)`` at ``mass`` on one draw of scalars
        (:func:`muphilic.signal.signal_function`): the scan evaluates the grid and
        then solves for the boundary between grid points with it."""
        function = signal_function(
            self.parents, self.muons, mass, self.detector, self.settings, self.aim
        )

        def signal(couplings: ArrayLike) -> FloatArray:
            spectrum = function(couplings)
            return _embed(spectrum.signal, spectrum.edges_MeV, self.spectrum_edges_MeV)

        return signal


def _embed(signal: FloatArray, edges: FloatArray, target_edges: FloatArray) -> FloatArray:
    start = int(np.argmin(np.abs(target_edges - edges[0])))
    n = edges.size - 1
    if start + n >= target_edges.size or not np.allclose(
        target_edges[start : start + n + 1], edges, rtol=0, atol=1e-6
    ):
        raise MuphilicError(
            "the detector's analysis bins are not a subset of the published spectrum's bins"
        )
    out = np.zeros((signal.shape[0], target_edges.size - 1))
    out[:, start : start + n] = signal
    return out


@dataclass(frozen=True)
class ReachResult:
    """Scans and their summaries for every experiment of a run.

    Attributes
    ----------
    config : RunConfig
        What was run.
    scans : dict
        Experiment key -> :class:`~muphilic.recast.scan.ScanResult`.
    projections : tuple of str
        Keys whose curve is a projection (future exposure).
    g2_band_excluded_MeV : dict
        Experiment key -> [low, high] mass range (MeV) where the g-2 favoured
        band is excluded, or None; ``"union"``: the union of the exclusions by
        observed data only; ``"union_with_expected"``: the union of those and
        the expected sensitivities (modelled backgrounds), labelled so.
    numu_flux_per_cm2_per_pot : dict
        Flux-integrated nu_mu flux at each detector from the beamline.
    input_files_sha256 : dict
        Path -> SHA-256 of every file the run read besides the packaged data
        (the user's beam sample and spectra), so a result names its inputs by content.
    bands : dict
        Experiment key -> :class:`~muphilic.recast.bands.ContourBand` when the run
        asks for bands (``[band] enabled``), else empty.
    """

    config: RunConfig
    scans: dict[str, ScanResult]
    projections: tuple[str, ...]
    g2_band_excluded_MeV: dict[str, list[float] | None]
    numu_flux_per_cm2_per_pot: dict[str, float] = field(default_factory=dict)
    input_files_sha256: dict[str, str] = field(default_factory=dict)
    detectors: dict[str, dict[str, Any]] = field(default_factory=dict)
    beam: dict[str, Any] = field(default_factory=dict)
    bands: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """JSON-ready summary (key ``g2_band_excluded_MeV`` as in the CLI).

        Besides the results it records what made them: the UTC time, package
        version, git commit and dependency versions
        (:func:`muphilic.provenance.software_record`), the beam source, and the
        effective parameters of every detector with its background source.
        """
        record = {
            **software_record(),
            "config_sha256": self.config.digest(),
            "g2_scenario": self.config.g2_scenario,
            "statistic": self.config.statistics.method,
            "experiments": {
                key: {
                    "label": s.label,
                    "kind": s.kind,
                    "statistic": s.statistic,
                    "cl_sigma": s.cl_sigma,
                    "projection": key in self.projections,
                    "clipped_by_scan": exclusion_contour(s).clipped,
                    "excluded_cells": int(np.count_nonzero(s.excluded)),
                }
                for key, s in self.scans.items()
            },
            "g2_band_excluded_MeV": self.g2_band_excluded_MeV,
            "numu_flux_per_cm2_per_pot": self.numu_flux_per_cm2_per_pot,
            "input_files_sha256": self.input_files_sha256,
            "beam": self.beam,
            "detectors": self.detectors,
        }
        if self.bands:
            from muphilic.recast.bands import band_record

            g2 = g2_scenario(self.config.g2_scenario)
            record["band"] = band_record(self.bands, self.config.band.names(), g2.favoured_band)
        return record


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
    settings = SignalSettings(
        channels=config.emission.channels,
        scalars_per_species=config.emission.scalars_per_species,
        seed=config.seed,
        energy_loss=config.emission.energy_loss,
        muon_multiple_scattering=config.emission.muon_multiple_scattering,
    )
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


def _beam_record(
    config: RunConfig, beam: Any, beam_from_config: bool, inputs: Mapping[str, str]
) -> dict[str, Any]:
    """Where the run's mesons and muons came from."""
    beamline = {"facility": beam.facility, "production": beam.production}
    if not beam_from_config:
        return {"source": "sample passed to reach()", "pot": int(beam.pot), **beamline}
    if config.beam.sample:
        return {
            "source": "file",
            "path": config.beam.sample,
            "sha256": inputs[config.beam.sample],
            "pot": int(beam.pot),
            **beamline,
        }
    return {
        "source": "embedded simulation",
        "pot": int(beam.pot),
        "seed": int(config.seed),
        **beamline,
    }


def _detector_record(detector: Detector, spectrum: PublishedSpectrum) -> dict[str, Any]:
    """The effective parameters of a detector in a run (units in the keys)."""
    cuts = detector.cuts
    record: dict[str, Any] = {
        "name": detector.name,
        "curve": detector.curve,
        "shape": detector.shape,
        "centre_m": [c / m for c in detector.centre],
        "distance_m": float(np.linalg.norm(detector.centre_array)) / m,
        ("radius_m" if detector.shape == "sphere" else "size_m"): [x / m for x in detector.size],
        "fiducial_mass_t": None
        if detector.fiducial_mass is None
        else round(detector.fiducial_mass / tonne, 9),
        "background_mass_t": None
        if detector.background_mass is None
        else round(detector.background_mass / tonne, 9),
        "pot": detector.pot,
        "efficiency": detector.efficiency,
        "resolution": detector.resolution,
        "window_MeV": [float(detector.edges[0] / MeV), float(detector.edges[-1] / MeV)],
        "bin_edges_MeV": [float(e / MeV) for e in detector.edges],
        "cuts": {
            "track_mass_MeV": None if cuts.track_mass is None else cuts.track_mass / MeV,
            "track_mass_table_MeV": None
            if cuts.track_mass_table is None
            else [[a / MeV, b / MeV] for a, b in cuts.track_mass_table],
            "track_mass_applies_to": cuts.track_mass_applies_to,
            "photon_energy_high_min_MeV": cuts.e_high_min / MeV,
            "photon_energy_low_min_MeV": cuts.e_low_min / MeV,
        },
        "background": {
            "source": spectrum.source,
            "label": spectrum.label,
            "measured_data": not spectrum.asimov,
            "pot": spectrum.pot,
            "systematics": dict(spectrum.systematics),
        },
    }
    return record


def _input_files(config: RunConfig, beam_from_config: bool) -> dict[str, str]:
    paths = [*config.spectra.values()]
    if beam_from_config and config.beam.sample:
        paths.insert(0, config.beam.sample)
    return {str(path): file_sha256(path) for path in paths}


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
        signal = SignalForMass(
            parents=beam.parents,
            muons=muons,
            detector=detector,
            couplings=couplings,
            settings=settings,
            spectrum_edges_MeV=spectrum.edges_MeV,
            aim=aiming_spheres(beam.parents, muons, detector),
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


#: The discovery contours of ``[statistics] mode = "discovery"``, Gaussian sigma.
DISCOVERY_SIGMAS = (3.0, 5.0)


def discovery_key(key: str, n_sigma: float) -> str:
    """The result key of the ``n_sigma`` discovery contour of experiment ``key``."""
    return f"{Path(key).stem}_discovery_{n_sigma:g}sigma"


def has_measured_data(key: str, config: RunConfig) -> bool:
    """Whether experiment ``key`` is compared with measured data (an exclusion).

    MiniBooNE's published spectrum, or any spectrum file the run names.
    """
    return key in config.spectra or key == "miniboone"


def result_keys(config: RunConfig) -> list[str]:
    """The keys of the results (and contour files) a run of ``config`` produces."""
    keys: list[str] = []
    for key in config.experiments:
        if config.statistics.mode == "discovery" and not has_measured_data(key, config):
            keys.extend(discovery_key(key, n) for n in DISCOVERY_SIGMAS)
        else:
            keys.append(key)
    return keys


def curve_kind(key: str, detector: Detector, spectrum: PublishedSpectrum, config: RunConfig) -> str:
    """What an experiment's curve is: ``"exclusion"``, ``"expected"`` or ``"projection"``.

    A spectrum with measured data (MiniBooNE's, or a user's CSV) gives an
    exclusion. Without data (a modelled background as Asimov data) the curve is
    a projection if the detector file says so (``curve = "projection"``, a
    future exposure) or the experiment is listed in ``[statistics] projections``,
    otherwise the expected sensitivity of the present data set: without data a
    curve is never an exclusion, whatever the detector file says.
    """
    if not spectrum.asimov:
        return "exclusion"
    if detector.curve == "projection" or key in config.statistics.projections:
        return "projection"
    return "expected"


def _as_list(interval: tuple[float, float] | None) -> list[float] | None:
    return None if interval is None else [float(interval[0]), float(interval[1])]


def output_names(experiments: Sequence[str], band: bool = False) -> list[str]:
    """The names of the files :func:`write_outputs` writes for ``experiments``
    (with ``band``: also each contour's band, ``band_<experiment>.csv``).

    Raises
    ------
    MuphilicError
        If two experiments would write the same contour file (detector files
        with the same stem in different folders).
    """
    contours: dict[str, str] = {}
    for key in experiments:
        name = f"contour_{Path(key).stem}.csv"
        if name in contours:
            raise MuphilicError(
                f"experiments: {contours[name]} and {key} would both write {name}; "
                "rename one detector file"
            )
        contours[name] = key
    bands = [f"band_{Path(key).stem}.csv" for key in experiments] if band else []
    return [
        "reach.png",
        "reach.pdf",
        *contours,
        *bands,
        "g2_band.csv",
        "contours.json",
        "contours_hepdata.yaml",
        "run.json",
    ]


def _previous_outputs(out: Path) -> dict[str, str]:
    """Name -> SHA-256 of the files an earlier run recorded in ``out/run.json``."""
    try:
        record = json.loads((out / "run.json").read_text(encoding="utf-8"))
        outputs = record["outputs"]
        if isinstance(outputs, dict) and all(isinstance(v, str) for v in outputs.values()):
            return {str(k): v for k, v in outputs.items()}
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return {}


def prepare_output_folder(
    out_dir: str | Path, experiments: Sequence[str], band: bool = False
) -> Path:
    """Check, before any computation, that a run can write its files to ``out_dir``.

    The folder is created if needed and must be writable. A file of the run's
    that already exists there must be one an earlier muphilic run wrote and
    recorded, unchanged since, in ``run.json``: nothing else is ever replaced.

    Raises
    ------
    MuphilicError
        Naming the folder or the file that stands in the way.
    """
    out = check_writable_folder(out_dir)
    names = output_names(experiments, band)
    previous = _previous_outputs(out)
    for name in names:
        path = out / name
        if not path.exists():
            continue
        if name == "run.json" and previous:
            continue
        if path.is_dir() or previous.get(name) != file_sha256(path):
            raise OutputFolderError(
                f"{path}: exists and is not an unchanged output of an earlier muphilic run; "
                "move it away or choose another --out folder"
            )
    return out


def footnote(result: ReachResult) -> str:
    """One line for the plot: statistic, each detector's POT and the beam source."""
    pot = ", ".join(
        f"{s.experiment} {result.detectors[k]['pot']:.3g}"
        + (
            f" + {nubar['pot']:.3g} nubar"
            if (nubar := result.detectors[k]["background"].get("antineutrino_mode"))
            else ""
        )
        for k, s in result.scans.items()
    )
    beam = result.beam
    if beam.get("source") == "file":
        source = f"beam from {Path(beam['path']).name} ({beam['pot']:.3g} POT)"
    elif beam.get("source") == "embedded simulation":
        source = f"embedded beam simulation ({beam['pot']:.3g} POT, seed {beam['seed']})"
    else:
        source = f"beam sample of {beam.get('pot', 0):.3g} POT"
    return f"statistic: {result.config.statistics.method}; POT: {pot}; {source}"


def _band_plot(result: ReachResult) -> dict[str, Any]:
    """The band arguments of :func:`plot_reach` for ``result`` (none without bands)."""
    if not result.bands:
        return {}
    from muphilic.recast.bands import band_legend

    return {
        "bands": [result.bands.get(key) for key in result.scans],
        "band_label": band_legend(result.config.band.names()),
    }


def write_outputs(result: ReachResult, out_dir: str | Path) -> list[Path]:
    """Write the reach plot (PNG, PDF), each contour (CSV), the g-2 band (CSV),
    all contours (JSON, HEPData-style YAML) and the run summary with its
    configuration (JSON).

    All files are written together or not at all (see
    :func:`muphilic.files.staged_files`); ``run.json`` records the SHA-256 of
    the others, so that a later run replaces them, and removes those it does not
    write again, only while they are unchanged. Files the package did not write
    are never replaced (:func:`prepare_output_folder`).
    """
    band = bool(result.bands)
    out = prepare_output_folder(out_dir, list(result.scans), band)
    previous = _previous_outputs(out)
    names = output_names(list(result.scans), band)
    contours = [exclusion_contour(s) for s in result.scans.values()]
    summary = result.summary()
    g2 = g2_scenario(result.config.g2_scenario)
    scans = list(result.scans.values())
    with staged_files(out) as stage:
        plot_reach(scans, stage / "reach", g2=g2, footnote=footnote(result), **_band_plot(result))
        for name, contour in zip(names[2 : 2 + len(contours)], contours, strict=True):
            write_contour_csv(contour, stage / name)
        if band:
            from muphilic.recast.bands import band_file_name, write_band_csv

            legend = summary["band"]["contains"]
            for key, contour_band in result.bands.items():
                write_band_csv(contour_band, stage / band_file_name(key), legend)
        mass_range = (
            min(float(s.masses_MeV[0]) for s in scans),
            max(float(s.masses_MeV[-1]) for s in scans),
        )
        write_g2_band_csv(g2, mass_range, stage / "g2_band.csv")
        write_contours_json(contours, stage / "contours.json", extra=summary)
        write_hepdata_yaml(contours, stage / "contours_hepdata.yaml")
        outputs = {p.name: file_sha256(p) for p in sorted(stage.iterdir())}
        record = {**summary, "config": result.config.to_dict(), "outputs": outputs}
        atomic_write(stage / "run.json", json.dumps(record, indent=2, allow_nan=False) + "\n")
    for name, digest in previous.items():
        stale = out / name
        if name not in names and stale.is_file() and file_sha256(stale) == digest:
            stale.unlink()
    return [out / name for name in names]
