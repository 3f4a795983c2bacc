"""Ionisation energy loss of mesons in the target and in the horns' conductors.

GEANT4 (G4BNB and the other facilities' simulations) slows every meson down on its way
through the target and the horns' aluminium. A pion made at the upstream end of the 71 cm
BNB target within a few mrad of the axis crosses all of it and leaves ~200 MeV there; one
that crosses the neck of the inner conductor loses a further ~1 MeV per 2 mm. The loss
lowers the neutrinos' energies by about as much, and where the flux falls steeply (above
its peak) a 2 % lower energy is a 4-5 % lower flux (docs/validation.md, "Flux shape").

The model, with the mean loss of PDG Eq. (34.5) (:func:`muphilic.beamline.muons.bethe_dedx`
with the meson's mass; the density effect of Sternheimer & Peierls,
:func:`muphilic.beamline.materials.sternheimer_peierls`; the mean excitation energies of
:data:`muphilic.constants.MEAN_EXCITATION`):

* **target**: along the meson's straight path through the target's material, its sleeve and
  fins included (:meth:`muphilic.beamline.target.Target.material_path`), applied where it is
  made: the
  targets lie where there is no field (inside the inner conductor's bore, or upstream of
  the horns), so the meson flies the same straight line whether it slows down along it or
  at its start (:func:`momentum_after`, in 16 steps of the midpoint rule);
* **conductors**: the meson leaves the target with momentum p and CSDA range R in
  aluminium (:meth:`Medium.csda_range`); after a path w in the walls its momentum is the one
  whose range is R - w (:func:`momentum_after_walls`, exact for the mean loss) and it stops
  at w = R. The horn tracker follows the walls step by step (``wall_range``,
  ``wall_exponent`` of :func:`muphilic.beamline.horn_kernel.track`) so that the field bends
  the meson with the momentum it has left; for that it uses p (1 - w / R)^g with
  g = R (dp/ds) / p (:func:`wall_loss`): the Bethe slope dp/ds = (dE/dx) / beta at w = 0
  (:func:`momentum_loss_rate`) and zero at the range. Its loss is within 5 % of the exact
  one up to a third of the range and up to 15 % high near the end of it
  (``tests/test_energy_loss.py``), which only changes how a slow meson about to stop is
  bent; the momenta at the horn's end and at the decay are the exact ones. A meson that
  reaches its range has ranged out (``TrackStatus.RANGED_OUT``): it stops there; its decay at
  rest is not part of the decays in flight (the stopped-meson estimate of
  :mod:`muphilic.beamline.at_rest` is separate and does not use this loss);
* **outer conductor**: :func:`momentum_after` along the straight path through it
  (:mod:`muphilic.beamline.outer_conductor`).

Left out: multiple Coulomb scattering (a random kick of a few mrad in the target and the
conductors; it changes the flux at MiniBooNE and MicroBooNE by +2.4 % or less per bin,
``benchmarks/flux_transport.py``, so the model draws no random numbers for it), range
straggling and the energy lost by the primary protons before they interact (~70 MeV of
8.9 GeV/c on average in the BNB target). The
switch is ``meson_energy_loss`` of :class:`muphilic.beamline.BeamlineConfig`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray

from muphilic.beamline.materials import sternheimer_peierls
from muphilic.beamline.muons import bethe_dedx
from muphilic.constants import (
    A_ALUMINIUM,
    MEAN_EXCITATION,
    N_AVOGADRO,
    RHO_ALUMINIUM,
    Z_ALUMINIUM,
    g,
    mole,
)
from muphilic.errors import MuphilicError

__all__ = [
    "ALUMINIUM",
    "EnergyLossError",
    "Medium",
    "momentum_after",
    "momentum_after_walls",
    "momentum_loss_rate",
    "wall_loss",
]

FloatArray = NDArray[np.float64]


class EnergyLossError(MuphilicError):
    """A medium whose ionisation loss cannot be computed (unknown mean excitation energy)."""


@dataclass(frozen=True)
class Medium:
    """A homogeneous medium for the mean ionisation loss of mesons.

    Attributes
    ----------
    name : str
        What it is (error messages).
    density : float
        Mass density, CLHEP units.
    z_over_a : float
        Z/A, mol/g.
    mean_excitation : float
        I, MeV.
    """

    name: str
    density: float
    z_over_a: float
    mean_excitation: float

    @classmethod
    def element(
        cls,
        symbol: str,
        atomic_number: int,
        molar_mass: float,
        density: float,
        mean_excitation: float | None = None,
    ) -> Medium:
        """A one-element medium; I from :data:`~muphilic.constants.MEAN_EXCITATION` unless
        given (molar mass and density in CLHEP units)."""
        if mean_excitation is None:
            if symbol not in MEAN_EXCITATION:
                raise EnergyLossError(
                    f"no mean excitation energy known for {symbol!r} (known: "
                    f"{', '.join(sorted(MEAN_EXCITATION))}); give the target's "
                    "mean_excitation_eV in the facility file"
                )
            mean_excitation = MEAN_EXCITATION[symbol]
        return cls(symbol, density, atomic_number / (molar_mass / (g / mole)), mean_excitation)

    @property
    def electron_density(self) -> float:
        """Electrons per volume, mm^-3."""
        return self.density / (g / mole) * N_AVOGADRO * self.z_over_a

    def dedx(self, kinetic_energy: FloatArray, mass: float) -> FloatArray:
        """Mean ionisation loss -dE/dx (MeV/mm) of a singly charged particle of ``mass``
        (MeV) at kinetic energy T (MeV)."""
        density_effect = sternheimer_peierls(self.mean_excitation, self.density, self.z_over_a)
        return bethe_dedx(
            kinetic_energy, self.electron_density, self.mean_excitation, density_effect, mass
        )

    def csda_range(self, kinetic_energy: FloatArray, mass: float) -> FloatArray:
        """Continuous-slowing-down range (mm) of a singly charged particle of ``mass``
        (MeV) at kinetic energy T (MeV): the integral of 1 / (dE/dx) from 0 to T."""
        grid, cumulative = _range_table(self, float(mass))
        return np.interp(np.asarray(kinetic_energy, dtype=float), grid, cumulative)

    def kinetic_energy_at_range(self, reach: FloatArray, mass: float) -> FloatArray:
        """The kinetic energy (MeV) whose CSDA range is ``reach`` (mm; 0 for reach <= 0)."""
        grid, cumulative = _range_table(self, float(mass))
        r = np.asarray(reach, dtype=float)
        t = np.interp(r, cumulative, grid)
        return np.where(r > 0.0, np.where(r < cumulative[0], grid[0] * r / cumulative[0], t), 0.0)


@cache
def _range_table(medium: Medium, mass: float) -> tuple[FloatArray, FloatArray]:
    """(T grid, range) for :meth:`Medium.csda_range`: trapezoids on 4001 log-spaced points
    from 0.01 MeV to 1 TeV, below the first point dE/dx taken as constant."""
    t = np.geomspace(0.01, 1.0e6, 4001)
    inverse = 1.0 / medium.dedx(t, mass)
    steps = 0.5 * (inverse[1:] + inverse[:-1]) * np.diff(t)
    return t, np.concatenate(([t[0] * inverse[0]], t[0] * inverse[0] + np.cumsum(steps)))


#: The horns' aluminium (the G4BNB material's density and molar mass, PDG's I = 166 eV).
ALUMINIUM = Medium.element("Al", Z_ALUMINIUM, A_ALUMINIUM, RHO_ALUMINIUM)


def momentum_after(
    momentum: FloatArray, mass: float, path: FloatArray, medium: Medium, steps: int = 16
) -> FloatArray:
    """Momentum (MeV/c) after a straight ``path`` (mm) through ``medium``; 0 where the
    particle ranges out.

    The energy follows dE/ds = -dE/dx(E) in ``steps`` equal steps of the midpoint rule
    (second order; the kinetic energy never goes below zero).
    """
    p = np.asarray(momentum, dtype=float)
    ds = np.asarray(path, dtype=float) / steps
    kinetic = np.hypot(p, mass) - mass
    for _ in range(steps):
        half = np.maximum(kinetic - 0.5 * ds * medium.dedx(kinetic, mass), 0.0)
        kinetic = np.maximum(kinetic - ds * medium.dedx(half, mass), 0.0)
    return np.sqrt(kinetic * (kinetic + 2.0 * mass))


def wall_loss(momentum: FloatArray, mass: float, medium: Medium) -> tuple[FloatArray, FloatArray]:
    """(R, g) of p(w) = p (1 - w / R)^g in ``medium`` for mesons of ``momentum`` (MeV/c):
    R the CSDA range (mm), g = R (dp/ds) / p (module docstring)."""
    p = np.asarray(momentum, dtype=float)
    reach = medium.csda_range(np.hypot(p, mass) - mass, mass)
    return reach, reach * momentum_loss_rate(p, mass, medium) / p


def momentum_after_walls(
    momentum: FloatArray, wall_path: FloatArray, reach: FloatArray, mass: float, medium: Medium
) -> FloatArray:
    """Momentum (MeV/c) after ``wall_path`` w (mm) of ``medium`` of mesons of ``momentum``
    whose range there is ``reach`` R (:func:`wall_loss`): the momentum of range R - w (0 from
    w = R on; the unchanged momentum where R is infinite, no loss)."""
    p = np.asarray(momentum, dtype=float)
    r = np.asarray(reach, dtype=float)
    finite = np.isfinite(r)
    t = medium.kinetic_energy_at_range(np.where(finite, r - wall_path, 0.0), mass)
    return np.where(finite, np.sqrt(t * (t + 2.0 * mass)), p)


def momentum_loss_rate(momentum: FloatArray, mass: float, medium: Medium) -> FloatArray:
    """dp/ds = (dE/dx) / beta (MeV/c per mm) at ``momentum`` (MeV/c) in ``medium``."""
    p = np.asarray(momentum, dtype=float)
    energy = np.hypot(p, mass)
    beta = np.where(energy > 0.0, p / energy, 1.0)
    return medium.dedx(energy - mass, mass) / np.maximum(beta, 1e-6)
