"""What each experiment's curve is (exclusion, expected, projection, discovery) and the
keys of the results a run produces."""

from __future__ import annotations

from pathlib import Path

from muphilic.config import RunConfig
from muphilic.detectors import Detector
from muphilic.recast.spectra import PublishedSpectrum

__all__ = ["curve_kind", "result_keys"]


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
