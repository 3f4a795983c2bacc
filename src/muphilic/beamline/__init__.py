"""The Booster Neutrino Beam: a fast embedded simulation and sample I/O.

Public API
----------
* :func:`simulate` -> :class:`BeamSample` (mesons decaying upstream of the
  absorber, muons reaching it, production yields), configured by
  :class:`BeamlineConfig`;
* :func:`numu_flux` -> :class:`FluxResult` (exact per-decay nu_mu flux averaged
  over a :class:`Sphere` or :class:`Box` on the beam axis), :data:`DEFAULT_FLUX_VOLUMES`;
* :func:`beam_summary`, :func:`plot_beam`;
* :func:`write_sample`, :func:`read_sample`, :func:`read_parents_csv`,
  :func:`read_root`, :class:`SampleFormatError`.
"""

from __future__ import annotations

from muphilic.beamline.flux import DEFAULT_FLUX_VOLUMES, Box, FluxResult, Sphere, numu_flux
from muphilic.beamline.simulate import BeamlineConfig, BeamSample, simulate

__all__ = [
    "DEFAULT_FLUX_VOLUMES",
    "BeamSample",
    "BeamlineConfig",
    "Box",
    "FluxResult",
    "Sphere",
    "numu_flux",
    "simulate",
]
