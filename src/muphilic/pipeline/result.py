"""The result of a run: :class:`ReachResult`, its JSON summary, and the records of where
its beam, detectors and input files came from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from muphilic.cache import file_sha256
from muphilic.config import RunConfig
from muphilic.constants import MeV, m, tonne
from muphilic.detectors import Detector
from muphilic.g2 import g2_scenario
from muphilic.provenance import software_record
from muphilic.recast.contours import exclusion_contour
from muphilic.recast.scan import ScanResult
from muphilic.recast.spectra import PublishedSpectrum

__all__ = ["ReachResult"]


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
