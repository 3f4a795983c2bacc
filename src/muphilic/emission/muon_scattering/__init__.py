"""Scalar emission by muons stopping in the beam dump: mu N -> mu N S (paper Eq. (5)).

A muon entering the dump with energy E_mu slows down continuously and, on its
way, emits S with the probability P_emit(E_mu) = n_N int_0^E_mu sigma(E) / (dE/dx)(E) dE.

* :mod:`~muphilic.emission.muon_scattering.probability` - the cross section at one
  m_S (:class:`MassSlice`) and :func:`emission_probability`, paper Eq. (5);
* :mod:`~muphilic.emission.muon_scattering.sampling` - the scalars emitted in the
  dump, isotropic (:func:`sample_emissions`) or aimed at a sphere
  (:func:`aim_emissions`), and the model's approximations;
* :mod:`~muphilic.emission.muon_scattering.wall_emissions` - muons stopping in the
  walls (compounds, layered paths);
* :mod:`~muphilic.emission.muon_scattering.summary` - the cross-section summary of
  the command line.

Every name is importable from this package as well as from its module.
"""

from __future__ import annotations

from muphilic.emission.muon_scattering.probability import (
    MassSlice,
    MuonScatteringError,
    emission_probability,
    mass_slice,
)
from muphilic.emission.muon_scattering.sampling import aim_emissions, sample_emissions
from muphilic.emission.muon_scattering.summary import summary_energy_range, xsec_summary
from muphilic.emission.muon_scattering.wall_emissions import (
    aim_wall_emissions,
    material_slice,
    wall_emission_points,
)

__all__ = [
    "MassSlice",
    "MuonScatteringError",
    "aim_emissions",
    "aim_wall_emissions",
    "emission_probability",
    "mass_slice",
    "material_slice",
    "sample_emissions",
    "summary_energy_range",
    "wall_emission_points",
    "xsec_summary",
]
