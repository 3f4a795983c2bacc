"""MiniBooNE's antineutrino-mode data as a second data set, combined with neutrino mode.

With ``[statistics] combine_miniboone_modes = true`` the MiniBooNE curve of a run is
one statistic over both NC pi0 samples of arXiv:0911.2063:

* **beam**: the run's facility with every horn current reversed
  (:meth:`muphilic.beamline.Facility.with_polarity`), so that the horn focuses pi-
  and K- and defocuses (most of) the pi+ and K+; the wrong-sign mesons that
  pass the neck unfocused still decay in the pipe. It is simulated with the run's
  POT and seed and cached as its own entry (the cache key holds the facility,
  with its polarity);
* **signal**: the same detector, efficiency, resolution and cuts, at the
  antineutrino-mode exposure ``[statistics] miniboone_nubar_pot``;
* **data**: :func:`muphilic.recast.spectra.miniboone_ncpi0_nubar` (Fig. 1(b));
* **statistic**: the run's statistic on the
  :class:`~muphilic.recast.combine.JointSpectrum` of the two windows, with the
  systematics correlated between the modes by ``miniboone_mode_correlation``
  (1: fully correlated, the default; see :mod:`muphilic.recast.combine`).

A beam sample passed to :func:`muphilic.pipeline.reach` replaces the neutrino-mode
beam only; the antineutrino-mode one is always simulated from ``[beam]``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from muphilic.beamline import BeamlineConfig, BeamSample, load_beam, numu_flux_total
from muphilic.beamline.store import beamline_config
from muphilic.constants import MeV
from muphilic.errors import MuphilicError
from muphilic.recast.combine import JointSpectrum
from muphilic.recast.spectra import (
    MINIBOONE_NUBAR_NCPI0_POT_ESTIMATE,
    PublishedSpectrum,
    miniboone_ncpi0_nubar,
)

__all__ = [
    "JointSignalForMass",
    "antineutrino_beam",
    "antineutrino_beamline",
    "combine_miniboone_modes",
]

FloatArray = NDArray[np.float64]


def antineutrino_beamline(beam: Any) -> BeamlineConfig:
    """The beamline of ``beam`` (a :class:`muphilic.config.BeamConfig`) in antineutrino mode.

    Raises
    ------
    MuphilicError
        If the run reads its beam from a file, whose horn polarity is fixed.
    """
    if beam.sample:
        raise MuphilicError(
            "statistics.combine_miniboone_modes: the antineutrino-mode beam is simulated, "
            f"but beam.sample = {beam.sample!r} is a file of one polarity; leave beam.sample "
            "empty to combine the modes"
        )
    return beamline_config(beam, polarity="antineutrino")


def antineutrino_beam(beam: Any, seed: int, progress: bool = False) -> BeamSample:
    """The run's beam in antineutrino mode, simulated or read from its own cache entry."""
    return load_beam(beam, seed=seed, config=antineutrino_beamline(beam), progress=progress)


@dataclass(frozen=True)
class JointSignalForMass:
    """Picklable ``mass -> signal (K, n_joint)``: each part's window bins, concatenated.

    Attributes
    ----------
    parts : tuple
        One ``mass -> (K, n_bins_i)`` callable per data set, on that data set's
        full binning.
    windows : tuple of slice
        The window bins of each data set in its full binning.
    """

    parts: tuple[Any, ...]
    windows: tuple[slice, ...]

    def __call__(self, mass: float) -> FloatArray:
        return np.concatenate(
            [np.asarray(f(mass))[:, w] for f, w in zip(self.parts, self.windows, strict=True)],
            axis=1,
        )


def combine_miniboone_modes(
    config: Any,
    nu_signal: Any,
    nu_spectrum: PublishedSpectrum,
    *,
    progress: bool = False,
) -> tuple[JointSignalForMass, JointSpectrum, dict[str, Any]]:
    """The neutrino-mode MiniBooNE signal and spectrum joined with antineutrino mode.

    Parameters
    ----------
    config : muphilic.config.RunConfig
        The run (its beam, seed, statistics settings).
    nu_signal : muphilic.pipeline.SignalForMass
        The neutrino-mode signal of the run's MiniBooNE detector.
    nu_spectrum : PublishedSpectrum
        The neutrino-mode spectrum.
    progress : bool
        Progress bar while simulating the antineutrino-mode beam.

    Returns
    -------
    signal, spectrum, record
        The joint signal and spectrum for :func:`muphilic.recast.scan.scan`, and a
        JSON-ready record of the antineutrino-mode data set.
    """
    from muphilic.beamline.walls import beam_walls
    from muphilic.signal import aiming_spheres

    stats = config.statistics
    beam = antineutrino_beam(config.beam, config.seed, progress)
    detector = replace(nu_signal.detector, pot=float(stats.miniboone_nubar_pot))
    window_MeV = (float(detector.edges[0] / MeV), float(detector.edges[-1] / MeV))
    nubar = miniboone_ncpi0_nubar(
        pot=detector.pot, systematics=nu_spectrum.systematics, window_MeV=window_MeV
    )
    muons = beam.muons if nu_signal.muons is not None else None
    # the wall muons of this beam, in the walls of the same facility
    walls = beam_walls(beam, config.beam.facility) if muons is not None else None
    nubar_signal = replace(
        nu_signal,
        parents=beam.parents,
        muons=muons,
        detector=detector,
        spectrum_edges_MeV=nubar.edges_MeV,
        aim=aiming_spheres(beam.parents, muons, detector, walls),
        walls=walls,
    )
    joint = JointSpectrum(
        (nu_spectrum, nubar),
        stats.miniboone_mode_correlation,
        name=f"{nu_spectrum.name} (nu + nubar)",
    )
    signal = JointSignalForMass(
        (nu_signal, nubar_signal), (nu_spectrum.window_slice(), nubar.window_slice())
    )
    record = {
        "source": nubar.source,
        "pot": nubar.pot,
        "pot_is_estimate": bool(np.isclose(nubar.pot, MINIBOONE_NUBAR_NCPI0_POT_ESTIMATE)),
        "mode_correlation": joint.correlation,
        "numu_flux_per_cm2_per_pot": numu_flux_total(beam, detector),
        "beam": {"facility": beam.facility, "production": beam.production, "pot": int(beam.pot)},
    }
    return signal, joint, record
