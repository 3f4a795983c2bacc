"""What each experiment of a run is: its detector with the run's overrides, and the
spectrum (data and background) its signal is compared with."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from muphilic.constants import MeV, cm2
from muphilic.detectors import Detector, apply_overrides, load_detector
from muphilic.detectors.definitions import OVERRIDE_KEYS
from muphilic.errors import MuphilicError
from muphilic.recast.spectra import (
    MicroBooNEModel,
    PublishedSpectrum,
    microboone_ncpi0_0p,
    miniboone_ncpi0,
    read_spectrum_csv,
)

__all__ = ["detector_for", "published_spectrum"]

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
