"""Detection: fiducial volumes, decay-in-volume probabilities, photon cuts, spectra.

* :mod:`~muphilic.detectors.definitions` - the :class:`Detector` dataclass and
  its TOML files (packaged: MiniBooNE, MicroBooNE, SBND, ICARUS);
* :mod:`~muphilic.detectors.geometry` - closed-form ray/sphere and ray/box
  entry and exit distances;
* :mod:`~muphilic.detectors.decay` - probability of decaying inside the volume
  for a whole coupling grid at once;
* :mod:`~muphilic.detectors.photons` - analytic photon-cut efficiencies of the
  isotropic S -> gamma gamma decay;
* :mod:`~muphilic.detectors.spectrum` - smearing and efficiency into the
  analysis bins: expected signal per bin for every coupling;
* :mod:`~muphilic.detectors.plot` - the Fig. 5-style plot.

The packaged detectors are also module attributes, loaded on first use::

    >>> from muphilic.detectors import MINIBOONE
    >>> MINIBOONE.shape, MINIBOONE.n_bins
    ('sphere', 12)
"""

from __future__ import annotations

from functools import cache
from typing import Any

from muphilic.detectors.decay import DecayInputError, decay_probability, decay_probability_grid
from muphilic.detectors.definitions import (
    Detector,
    DetectorConfigError,
    PhotonCuts,
    apply_overrides,
    available_detectors,
    detector_from_mapping,
    detector_to_toml,
    load_detector,
)
from muphilic.detectors.geometry import GeometryError, ray_box, ray_intervals, ray_sphere
from muphilic.detectors.photons import cut_efficiency, photon_energy_efficiency
from muphilic.detectors.plot import plot_spectrum
from muphilic.detectors.spectrum import (
    CHANNELS,
    SignalSpectrum,
    SpectrumError,
    gaussian_bin_fractions,
    signal_spectrum,
    spectrum_summary,
)

__all__ = [
    "CHANNELS",
    "ICARUS",
    "MICROBOONE",
    "MINIBOONE",
    "SBND",
    "DecayInputError",
    "Detector",
    "DetectorConfigError",
    "GeometryError",
    "PhotonCuts",
    "SignalSpectrum",
    "SpectrumError",
    "apply_overrides",
    "available_detectors",
    "cut_efficiency",
    "decay_probability",
    "decay_probability_grid",
    "detector_from_mapping",
    "detector_to_toml",
    "gaussian_bin_fractions",
    "load_detector",
    "photon_energy_efficiency",
    "plot_spectrum",
    "ray_box",
    "ray_intervals",
    "ray_sphere",
    "signal_spectrum",
    "spectrum_summary",
]

_PACKAGED = {
    "MINIBOONE": "miniboone",
    "MICROBOONE": "microboone",
    "SBND": "sbnd",
    "ICARUS": "icarus",
}


@cache
def _packaged(name: str) -> Detector:
    return load_detector(name)


def __getattr__(attribute: str) -> Any:
    # Packaged detectors as lazily loaded, cached module constants (PEP 562).
    if attribute in _PACKAGED:
        return _packaged(_PACKAGED[attribute])
    raise AttributeError(f"module {__name__!r} has no attribute {attribute!r}")
