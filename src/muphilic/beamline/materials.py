"""Materials around a beamline (shielding, soil, the pipe's surroundings) as data.

A :class:`Material` is a mixture of elements given by mass fractions, with its
density and mean excitation energy I (both from the facility file). From them:

* the number density of nuclei of each element and of all of them, which with
  the per-nucleus cross sections of :mod:`muphilic.emission.xsec_tables` gives the
  emission rate ``sum_i n_i sigma_i`` of a compound (Bragg additivity: each
  nucleus scatters with its own Z and form factor);
* the mean ionisation loss of a muon (Bethe-Bloch, :func:`muphilic.beamline.muons.bethe_dedx`)
  with the electron density ``rho N_A <Z/A>`` and, unless the file gives the
  Sternheimer parameters, the general density-effect prescription of Sternheimer &
  Peierls, Phys. Rev. B 3 (1971) 3681 (as used by GEANT4 for materials without
  tabulated parameters, G4IonisParamMat): ``Cbar = 1 + 2 ln(I / hbar omega_p)``,
  ``hbar omega_p = 28.816 eV sqrt(rho <Z/A>)`` (rho in g/cm^3, PDG Table 34.1),
  for condensed media ``x1 = 2, x0 = max(0.2, 0.326 Cbar - 1.0)`` if I < 100 eV
  and ``x1 = 3, x0 = max(0.2, 0.326 Cbar - 1.5)`` otherwise, ``k = 3``,
  ``a = (Cbar - 2 ln10 x0) / (x1 - x0)^3``, ``delta0 = 0``;
* for the paper's constant-loss model, the paper's 16 MeV/cm for iron scaled by
  the material's electron density relative to iron's (the leading factor
  ``rho Z/A`` of the Bethe formula; the paper quotes no value for other materials).

Element symbols must be known to :data:`muphilic.emission.form_factors.TARGETS`
(Z and the standard atomic weight A of each).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray

from muphilic.beamline.muons import bethe_dedx
from muphilic.constants import (
    A_IRON,
    DEDX_IRON_PAPER,
    N_AVOGADRO,
    RHO_IRON,
    Z_IRON,
    GeV,
    MeV,
    cm3,
    g,
    m_mu,
    mole,
)
from muphilic.errors import MuphilicError

__all__ = ["VOID", "Material", "MaterialError", "sternheimer_peierls"]

FloatArray = NDArray[np.float64]

#: Layer name of an empty (air-filled) gap: no energy loss, no emission.
VOID = "void"

_EV = 1.0e-6 * MeV
_PLASMA_EV = 28.816  # hbar omega_p / eV per sqrt(rho[g/cm3] <Z/A>[mol/g]), PDG Table 34.1


class MaterialError(MuphilicError):
    """A material definition is invalid."""


def sternheimer_peierls(
    mean_excitation: float, density: float, z_over_a: float
) -> tuple[float, float, float, float, float, float]:
    """Density-effect parameters (Cbar, x0, x1, a, k, delta0) of a condensed medium.

    Sternheimer & Peierls (1971) (module docstring).

    Parameters
    ----------
    mean_excitation : float
        I, MeV.
    density : float
        Mass density (CLHEP units).
    z_over_a : float
        <Z/A> in mol/g.
    """
    plasma = _PLASMA_EV * _EV * math.sqrt(density / (g / cm3) * z_over_a)
    cbar = 1.0 + 2.0 * math.log(mean_excitation / plasma)
    if mean_excitation < 100.0 * _EV:
        x1, x0 = 2.0, (0.2 if cbar <= 3.681 else 0.326 * cbar - 1.0)
    else:
        x1, x0 = 3.0, (0.2 if cbar <= 5.215 else 0.326 * cbar - 1.5)
    k = 3.0
    a = (cbar - 2.0 * math.log(10.0) * x0) / (x1 - x0) ** k
    return cbar, x0, x1, a, k, 0.0


@dataclass(frozen=True)
class Material:
    """A mixture of elements (mass fractions), its density and mean excitation energy.

    Parameters
    ----------
    name : str
    density : float
        Mass density (CLHEP units, ``2.15 * g / cm3``).
    elements : tuple of str
        Element symbols (:data:`muphilic.emission.form_factors.TARGETS`).
    mass_fractions : tuple of float
        One per element, summing to 1 (to 1e-3; renormalised).
    mean_excitation : float
        I, MeV.
    sternheimer : tuple of 6 floats, optional
        (Cbar, x0, x1, a, k, delta0); default :func:`sternheimer_peierls`.
    """

    name: str
    density: float
    elements: tuple[str, ...]
    mass_fractions: tuple[float, ...]
    mean_excitation: float
    sternheimer: tuple[float, float, float, float, float, float] | None = None

    def __post_init__(self) -> None:
        from muphilic.emission.form_factors import TARGETS

        bad = f"material {self.name!r}"
        if not (math.isfinite(self.density) and self.density > 0):
            raise MaterialError(f"{bad}: density must be positive, got {self.density}")
        if not (math.isfinite(self.mean_excitation) and self.mean_excitation > 0):
            raise MaterialError(f"{bad}: mean excitation energy must be positive")
        if not self.elements or len(self.elements) != len(self.mass_fractions):
            raise MaterialError(f"{bad}: needs one mass fraction per element")
        for el in self.elements:
            if el not in TARGETS:
                raise MaterialError(
                    f"{bad}: unknown element {el!r}; known: {', '.join(sorted(TARGETS))}"
                )
        if len(set(self.elements)) != len(self.elements):
            raise MaterialError(f"{bad}: an element is listed twice")
        w = np.asarray(self.mass_fractions, dtype=float)
        if np.any(~np.isfinite(w)) or np.any(w <= 0) or abs(w.sum() - 1.0) > 1e-3:
            raise MaterialError(
                f"{bad}: mass fractions must be positive and sum to 1, got {list(w)}"
            )
        object.__setattr__(self, "mass_fractions", tuple(float(v) for v in w / w.sum()))
        if self.sternheimer is not None and len(self.sternheimer) != 6:
            raise MaterialError(f"{bad}: sternheimer needs (Cbar, x0, x1, a, k, delta0)")

    def _za(self) -> tuple[FloatArray, FloatArray]:
        from muphilic.emission.form_factors import TARGETS

        z = np.array([TARGETS[e].Z for e in self.elements], dtype=float)
        a = np.array([TARGETS[e].A for e in self.elements], dtype=float)  # g/mol
        return z, a

    @property
    def z_over_a(self) -> float:
        """<Z/A>, mol/g."""
        z, a = self._za()
        return float(np.sum(np.asarray(self.mass_fractions) * z / a))

    @property
    def electron_density(self) -> float:
        """Electrons per volume, mm^-3."""
        return self.density / (g / mole) * N_AVOGADRO * self.z_over_a

    @property
    def nuclei_densities(self) -> FloatArray:
        """Nuclei of each element per volume, mm^-3."""
        _, a = self._za()
        return self.density / (g / mole) * N_AVOGADRO * np.asarray(self.mass_fractions) / a

    @property
    def number_density(self) -> float:
        """All nuclei per volume, mm^-3."""
        return float(np.sum(self.nuclei_densities))

    @property
    def density_effect(self) -> tuple[float, float, float, float, float, float]:
        """(Cbar, x0, x1, a, k, delta0): given, else Sternheimer-Peierls."""
        if self.sternheimer is not None:
            return self.sternheimer
        return sternheimer_peierls(self.mean_excitation, self.density, self.z_over_a)

    def bethe_dedx(self, kinetic_energy: FloatArray) -> FloatArray:
        """Mean ionisation loss of a muon, MeV/mm, at kinetic energy T (MeV)."""
        return bethe_dedx(
            kinetic_energy, self.electron_density, self.mean_excitation, self.density_effect
        )

    @property
    def constant_dedx(self) -> float:
        """The paper's 16 MeV/cm for iron scaled by the electron density, MeV/mm."""
        iron = RHO_IRON / A_IRON * N_AVOGADRO * Z_IRON
        return DEDX_IRON_PAPER * self.electron_density / iron

    def stopping_power(self, model: str):
        """-dE/dx in the form :mod:`muphilic.emission.muon_scattering` takes.

        ``"constant"``: a float (MeV/mm); ``"bethe"``: a function of the muon's
        *total* energy (MeV).
        """
        if model == "constant":
            return self.constant_dedx
        if model == "bethe":
            return lambda energy: self.bethe_dedx(np.asarray(energy, dtype=float) - m_mu)
        raise MaterialError(f"energy-loss model must be 'constant' or 'bethe', got {model!r}")

    def csda_range(self, kinetic_energy: FloatArray) -> FloatArray:
        """Continuous-slowing-down range (mm) of a muon of kinetic energy T (MeV), Bethe loss."""
        grid, cum = _range_table(self)
        t = np.asarray(kinetic_energy, dtype=float)
        return np.interp(t, grid, cum, left=0.0) * np.where(t < grid[0], t / grid[0], 1.0)


@cache
def _range_table(material: Material) -> tuple[FloatArray, FloatArray]:
    t = np.geomspace(1.0 * MeV, 1000.0 * GeV, 4001)
    inv = 1.0 / material.bethe_dedx(t)
    cum = np.concatenate(
        ([t[0] * inv[0]], t[0] * inv[0] + np.cumsum(0.5 * (inv[1:] + inv[:-1]) * np.diff(t)))
    )
    return t, cum
