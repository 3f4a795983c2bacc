"""Analytic photon-cut efficiencies for the isotropic decay S -> gamma gamma.

Kinematics
----------
In the S rest frame the photons are back to back with energy m_S / 2 and an
isotropic direction: cos(theta*) of the first photon relative to the flight
direction is uniform on [-1, 1]. Boosting with beta = |p_S| / E_S,

    E_{1,2} = E_S / 2 * (1 +- beta cos theta*),

so the harder and softer photon have E_high,low = E_S / 2 * (1 +- u) with
u = beta |cos theta*| uniform on [0, beta]. Any cut on (E_high, E_low) is an
interval of u, and its efficiency is that interval's length over beta:

    E_high > a  <=>  u > 2a / E_S - 1,
    E_low  > b  <=>  u < 1 - 2b / E_S,
    eff = clip(min(beta, 1 - 2b/E_S) - max(0, 2a/E_S - 1), 0, beta) / beta.

The MicroBooNE selection (E_high > 30 MeV, E_low > 20 MeV, any opening angle;
paper, text after Eq. (6)) is exactly this.

The MiniBooNE "track mass" cut, paper Eq. (6)
---------------------------------------------
Eq. (6) requires m_gg = sqrt(2 E1 E2 (1 - cos theta_12)) > f(E1 + E2) with
f ~ 32 MeV. For the true photons of one decay m_gg = m_S identically and
E1 + E2 = E_S, so at truth level the cut is a step function of the scalar:
m_S > f(E_S), independent of the decay angle. The cut is a selection on
*reconstructed* quantities in the experiment, so muphilic applies it by default
to the smeared m_gg (``track_mass_applies_to = "reconstructed"``): each
scalar's Gaussian m_gg distribution is integrated only above
max(bin edge, f(E_S)) (see :mod:`muphilic.detectors.spectrum`). With the
paper's constant f = 32 MeV and its window starting at 32 MeV the cut then
coincides with the window's lower edge. ``"true"`` instead removes every
scalar with m_S <= f(E_S) before smearing (a hard lower end of sensitivity at
m_S = 32 MeV); :func:`cut_efficiency` implements that mode.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from muphilic.errors import MuphilicError

if TYPE_CHECKING:
    from muphilic.detectors.definitions import PhotonCuts

__all__ = ["PhotonKinematicsError", "cut_efficiency", "photon_energy_efficiency"]

FloatArray = NDArray[np.float64]


class PhotonKinematicsError(MuphilicError):
    """Energies below the mass, negative thresholds or non-finite input."""


def photon_energy_efficiency(
    energy: ArrayLike,
    mass: float,
    e_high_min: float = 0.0,
    e_low_min: float = 0.0,
) -> FloatArray:
    """Fraction of isotropic S -> gamma gamma decays with E_high > a and E_low > b.

    Parameters
    ----------
    energy : array_like
        Lab energy E_S of each scalar, MeV (>= m_S).
    mass : float
        m_S, MeV.
    e_high_min, e_low_min : float
        Thresholds a and b on the harder and softer photon energy, MeV.

    Returns
    -------
    array
        Efficiency in [0, 1], same shape as ``energy``.
    """
    e = np.asarray(energy, dtype=np.float64)
    if not np.all(np.isfinite(e)) or not np.isfinite(mass) or mass <= 0:
        raise PhotonKinematicsError("energies and mass must be finite, mass positive")
    if np.any(e < mass * (1.0 - 1e-12)):
        raise PhotonKinematicsError("scalar energy below its mass")
    if e_high_min < 0 or e_low_min < 0:
        raise PhotonKinematicsError("photon energy thresholds must be non-negative")
    beta = np.sqrt(np.maximum(1.0 - (mass / e) ** 2, 0.0))
    u_low = np.maximum(0.0, 2.0 * e_high_min / e - 1.0)
    u_high = np.minimum(beta, 1.0 - 2.0 * e_low_min / e)
    length = np.clip(u_high - u_low, 0.0, None)
    at_rest = beta == 0
    # At rest both photons carry m_S / 2: pass iff both thresholds are below it.
    rest_pass = ((2.0 * e_high_min < e) & (2.0 * e_low_min < e)).astype(np.float64)
    safe_beta = np.where(at_rest, 1.0, beta)
    return np.where(at_rest, rest_pass, np.minimum(length / safe_beta, 1.0))


def cut_efficiency(cuts: PhotonCuts, energy: ArrayLike, mass: float) -> FloatArray:
    """Probability that the photons of each scalar's decay pass the truth-level cuts.

    Includes the photon-energy thresholds and, when ``cuts.track_mass_applies_to``
    is ``"true"``, the track-mass cut m_S > f(E_S) (Eq. (6) for the true
    m_gg = m_S). A ``"reconstructed"`` track-mass cut is applied with the
    smearing instead and contributes a factor 1 here.

    Parameters
    ----------
    cuts : PhotonCuts
        The detector's selection.
    energy : array_like
        Lab energies E_S, MeV.
    mass : float
        m_S, MeV.
    """
    eff = photon_energy_efficiency(energy, mass, cuts.e_high_min, cuts.e_low_min)
    if cuts.has_track_mass_cut and cuts.track_mass_applies_to == "true":
        threshold = cuts.track_mass_threshold(energy)
        eff = np.where(mass > threshold, eff, 0.0)  # Eq. (6) with m_gg = m_S
    return eff
