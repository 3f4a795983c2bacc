"""The signal of one experiment as the scan asks for it: a picklable ``mass -> signal``
in the spectrum's bins, and the emission settings of a run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from muphilic.beamline.walls import WallPaths
from muphilic.config import RunConfig
from muphilic.detectors import Detector
from muphilic.errors import MuphilicError
from muphilic.events import MuonSample, ParentSample
from muphilic.signal import SignalSettings, signal_function

__all__ = ["SignalForMass"]

FloatArray = NDArray[np.float64]


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
    walls: WallPaths | None = None

    def __call__(self, mass: float) -> FloatArray:
        return self.at_mass(mass)(self.couplings)

    def at_mass(self, mass: float) -> Callable[[ArrayLike], FloatArray]:
        """``couplings -> signal (K', n_bins)`` at ``mass`` on one draw of scalars
        (:func:`muphilic.signal.signal_function`): the scan evaluates the grid and
        then solves for the boundary between grid points with it."""
        function = signal_function(
            self.parents,
            self.muons,
            mass,
            self.detector,
            self.settings,
            self.aim,
            self.walls,
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


def signal_settings(config: RunConfig) -> SignalSettings:
    """The emission settings of a run (its ``[emission]`` table and seed)."""
    return SignalSettings(
        channels=config.emission.channels,
        scalars_per_species=config.emission.scalars_per_species,
        seed=config.seed,
        energy_loss=config.emission.energy_loss,
        muon_multiple_scattering=config.emission.muon_multiple_scattering,
    )
