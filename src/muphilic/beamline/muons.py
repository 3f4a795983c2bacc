"""Muons from pi/K decays: transport to the dump and energy loss in iron.

Transport: from its production (decay) point a muon flies straight (the horn
field acting on muons born inside the horn is neglected; they are a small share)
through the apertures of :mod:`muphilic.beamline.geometry` until it stops on a
wall or reaches the absorber face; its weight includes the survival probability
against its own decay, exp(-L / (beta gamma c tau_mu)).

Energy loss in the iron dump, two models:

* ``"constant"`` (default, the paper's conservative choice, its Eq. (5)):
  <dE/dx> = 16 MeV/cm, so a muon of kinetic energy T has range T / (16 MeV/cm);
* ``"bethe"``: the Bethe formula for a muon in iron with the Sternheimer density
  correction (PDG review "Passage of particles through matter", Eq. 34.5, iron
  parameters in :mod:`muphilic.constants`); radiative losses are neglected:
  about 2 % of the loss at 10 GeV and 16 % at 100 GeV (b ~ 3.5e-6 cm^2/g in iron;
  muon critical energy in iron ~ 350 GeV), i.e. negligible for the BNB's muons, an
  8-9 % overestimate of the dump emission of 100 GeV muons (docs/facilities.md).
  Ranges are continuous-slowing-down ranges.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray

from muphilic.constants import (
    A_IRON,
    DEDX_IRON_PAPER,
    I_IRON,
    N_AVOGADRO,
    R_ELECTRON,
    RHO_IRON,
    STERNHEIMER_IRON,
    Z_IRON,
    GeV,
    MeV,
    m_e,
    m_mu,
)
from muphilic.errors import MuphilicError

__all__ = [
    "ENERGY_LOSS_MODELS",
    "EnergyLoss",
    "bethe_dedx",
    "bethe_dedx_iron",
    "energy_after",
    "range_in_iron",
]

FloatArray = NDArray[np.float64]

#: Muon energy-loss models in the dump: the paper's constant <dE/dx>, or Bethe-Bloch in iron.
ENERGY_LOSS_MODELS = ("constant", "bethe")


class EnergyLossError(MuphilicError):
    """Unknown energy-loss model or bad argument."""


def bethe_dedx(
    kinetic_energy: FloatArray,
    electron_density: float,
    mean_excitation: float,
    sternheimer: tuple[float, float, float, float, float, float],
    mass: float = m_mu,
) -> FloatArray:
    """Mean ionisation loss -dE/dx (MeV/mm) of a singly charged particle in a medium.

    PDG Eq. (34.5) with W_max of Eq. (34.4) and the Sternheimer density effect.
    Kinetic energies below 1 MeV are evaluated at 1 MeV: Bethe's formula fails
    there (it turns negative below ~10 keV) and a muon has less than 0.1 mm left.

    Parameters
    ----------
    kinetic_energy : array
        T = E - m, MeV.
    electron_density : float
        Electrons per volume, mm^-3 (rho N_A <Z/A>).
    mean_excitation : float
        Mean excitation energy I, MeV.
    sternheimer : tuple
        Density-effect parameters (Cbar, x0, x1, a, k, delta0) of PDG Eq. (34.7).
    mass : float
        Particle mass, MeV (default the muon's).
    """
    t = np.maximum(np.asarray(kinetic_energy, dtype=float), _BETHE_FLOOR)
    gamma = 1.0 + t / mass
    bg2 = gamma**2 - 1.0
    beta2 = bg2 / gamma**2
    ratio = m_e / mass
    w_max = 2.0 * m_e * bg2 / (1.0 + 2.0 * gamma * ratio + ratio**2)
    cbar, x0, x1, a, k, delta0 = sternheimer
    x = 0.5 * np.log10(np.maximum(bg2, 1e-300))
    ln10 = math.log(10.0)
    delta = np.where(
        x >= x1,
        2.0 * ln10 * x - cbar,
        np.where(
            x >= x0,
            2.0 * ln10 * x - cbar + a * np.power(np.clip(x1 - x, 0.0, None), k),
            delta0 * np.power(10.0, 2.0 * (x - x0)),
        ),
    )
    coef = 2.0 * math.pi * R_ELECTRON**2 * m_e * electron_density  # = K/2 * rho Z/A
    log_term = 0.5 * np.log(2.0 * m_e * bg2 * w_max / mean_excitation**2)
    return 2.0 * coef / beta2 * (log_term - beta2 - 0.5 * delta)


def bethe_dedx_iron(kinetic_energy: FloatArray, mass: float = m_mu) -> FloatArray:
    """Mean ionisation loss -dE/dx (MeV/mm) of a singly charged particle in iron.

    :func:`bethe_dedx` with the PDG iron values of :mod:`muphilic.constants`.

    Parameters
    ----------
    kinetic_energy : array
        T = E - m, MeV.
    mass : float
        Particle mass, MeV (default the muon's).
    """
    n_e = RHO_IRON / A_IRON * N_AVOGADRO * Z_IRON  # electrons per volume
    return bethe_dedx(kinetic_energy, n_e, I_IRON, STERNHEIMER_IRON, mass)


_BETHE_FLOOR = 1.0 * MeV


@cache
def _bethe_range_table(mass: float) -> tuple[FloatArray, FloatArray]:
    t = np.geomspace(1.0 * MeV, 1000.0 * GeV, 4001)
    dedx = bethe_dedx_iron(t, mass)
    inv = 1.0 / dedx
    # range from T_low: below 1 MeV use T / (dE/dx at 1 MeV) (negligible)
    cum = np.concatenate(
        ([t[0] * inv[0]], t[0] * inv[0] + np.cumsum(0.5 * (inv[1:] + inv[:-1]) * np.diff(t)))
    )
    return t, cum


@dataclass(frozen=True)
class EnergyLoss:
    """Muon energy-loss model in the iron dump.

    Parameters
    ----------
    model : {"constant", "bethe"}
    dedx : float
        Constant <dE/dx> for ``model="constant"`` (default 16 MeV/cm).
    """

    model: str = "constant"
    dedx: float = DEDX_IRON_PAPER

    def __post_init__(self) -> None:
        if self.model not in ENERGY_LOSS_MODELS:
            raise EnergyLossError(f"model must be 'constant' or 'bethe', got {self.model!r}")
        if not self.dedx > 0.0:
            raise EnergyLossError(f"dedx must be positive, got {self.dedx}")

    def stopping_power(self, energy: FloatArray) -> FloatArray:
        """-dE/dx (MeV/mm) of a muon of *total* energy ``energy`` (MeV), the form
        :func:`muphilic.emission.muon_scattering.emission_probability` takes."""
        e = np.asarray(energy, dtype=float)
        if self.model == "constant":
            return np.full_like(e, self.dedx)
        return bethe_dedx_iron(e - m_mu)


def range_in_iron(kinetic_energy: FloatArray, loss: EnergyLoss | None = None) -> FloatArray:
    """Path length (mm) over which a muon of kinetic energy T (MeV) stops in iron."""
    loss = loss or EnergyLoss()
    t = np.asarray(kinetic_energy, dtype=float)
    if np.any(t < 0.0):
        raise EnergyLossError("kinetic energies must be non-negative")
    if loss.model == "constant":
        return t / loss.dedx
    grid, cum = _bethe_range_table(m_mu)
    return np.interp(t, grid, cum, left=0.0) * np.where(t < grid[0], t / grid[0], 1.0)


def energy_after(
    kinetic_energy: FloatArray, depth: FloatArray, loss: EnergyLoss | None = None
) -> FloatArray:
    """Kinetic energy (MeV) left after ``depth`` (mm) of iron (0 once stopped)."""
    loss = loss or EnergyLoss()
    t = np.asarray(kinetic_energy, dtype=float)
    depth = np.asarray(depth, dtype=float)
    if loss.model == "constant":
        return np.maximum(t - loss.dedx * depth, 0.0)
    grid, cum = _bethe_range_table(m_mu)
    remaining = range_in_iron(t, loss) - depth
    return np.where(remaining > 0.0, np.interp(remaining, cum, grid), 0.0)
