"""The muon-philic scalar: S -> gamma gamma width, lifetime and decay length.

The model is ``L = y S mu-bar mu`` with m_S < 2 m_mu, so the scalar decays only
to two photons through a muon loop (paper Eq. (3), from Chen, Pospelov, Zhong,
PRD 95 (2017) 115005):

    Gamma = alpha^2 y^2 m_S^3 / (64 pi^3 m_mu^2) * x^2 |1 + (1 - x) f(x)|^2,
    x = 4 m_mu^2 / m_S^2,   f(x) = arcsin^2(x^{-1/2})   (x > 1).

All functions take and return CLHEP units (MeV, mm, ns) and broadcast over
arrays of mass and coupling.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from muphilic.constants import TWO_M_MU, alpha_em, c_light, hbar, m_mu, pi
from muphilic.errors import MuphilicError

__all__ = [
    "ModelRangeError",
    "Scalar",
    "check_mass",
    "ctau",
    "decay_length",
    "lifetime",
    "loop_amplitude",
    "width",
]

FloatArray = NDArray[np.float64]

#: Below this value of u = 1/x = m_S^2 / (4 m_mu^2) the loop amplitude is
#: evaluated from its power series (the closed form cancels to O(u)).
_SERIES_BELOW_U = 0.25
_SERIES_TERMS = 40


class ModelRangeError(MuphilicError):
    """A parameter lies outside the range where the model is defined."""


def check_mass(mass: ArrayLike) -> FloatArray:
    """Return ``mass`` as an array after checking 0 < m_S < 2 m_mu.

    Raises
    ------
    ModelRangeError
        For non-finite, non-positive masses or m_S >= 2 m_mu (this model has no
        S -> mu+ mu- channel).
    """
    m_s = np.asarray(mass, dtype=np.float64)
    if not np.all(np.isfinite(m_s)):
        raise ModelRangeError("scalar mass must be a finite number")
    if np.any(m_s <= 0):
        raise ModelRangeError(f"scalar mass must be positive, got {np.min(m_s)} MeV")
    if np.any(m_s >= TWO_M_MU):
        raise ModelRangeError(
            f"scalar mass {np.max(m_s):.6g} MeV is not below 2 m_mu = {TWO_M_MU:.6g} MeV: "
            "this model has only the S -> gamma gamma channel (no S -> mu+ mu- yet)"
        )
    return m_s


def _check_coupling(coupling: ArrayLike) -> FloatArray:
    y = np.asarray(coupling, dtype=np.float64)
    if not np.all(np.isfinite(y)) or np.any(y <= 0):
        raise ModelRangeError("coupling y must be a positive finite number")
    return y


def _series_coefficients(n_terms: int) -> FloatArray:
    # arcsin^2(z) = sum_{n>=1} c_n z^(2n), c_n = 4^n / (2 n^2 binom(2n, n)),
    # built by the ratio c_{n+1}/c_n = 2 n^2 / ((n + 1)(2n + 1)).
    c = np.empty(n_terms + 1)
    c[0] = 1.0  # c_1
    for n in range(1, n_terms + 1):
        c[n] = c[n - 1] * 2.0 * n * n / ((n + 1.0) * (2.0 * n + 1.0))
    return c  # c[k] = c_{k+1}


_C = _series_coefficients(_SERIES_TERMS)
# x * (1 + (1 - x) f(x)) = sum_{k>=1} (c_k - c_{k+1}) u^(k-1), u = 1/x
_D = _C[:-1] - _C[1:]


def loop_amplitude(mass: ArrayLike) -> FloatArray:
    """The dimensionless loop factor A = x (1 + (1 - x) f(x)) of Eq. (3).

    Gamma = alpha^2 y^2 m_S^3 / (64 pi^3 m_mu^2) * A^2. A -> 2/3 for a light
    scalar (the heavy-muon limit) and A -> 1 at the threshold m_S -> 2 m_mu.
    Below m_S = m_mu the power series in u = 1/x is used; it agrees with the
    closed form at the switch to rounding accuracy.

    Parameters
    ----------
    mass : array_like
        m_S, MeV, with 0 < m_S < 2 m_mu.
    """
    m_s = check_mass(mass)
    u = (m_s / TWO_M_MU) ** 2  # = 1 / x, in (0, 1)
    series = np.polynomial.polynomial.polyval(np.minimum(u, _SERIES_BELOW_U), _D)
    x = 1.0 / u
    closed = x * (1.0 + (1.0 - x) * np.arcsin(np.sqrt(u)) ** 2)
    return np.where(u < _SERIES_BELOW_U, series, closed)


def width(mass: ArrayLike, coupling: ArrayLike) -> FloatArray:
    """Gamma(S -> gamma gamma), MeV (paper Eq. (3)).

    Parameters
    ----------
    mass : array_like
        m_S, MeV.
    coupling : array_like
        Yukawa coupling y (dimensionless); broadcasts against ``mass``.
    """
    m_s = check_mass(mass)
    y = _check_coupling(coupling)
    prefactor = alpha_em**2 * m_s**3 / (64.0 * pi**3 * m_mu**2)
    return prefactor * y**2 * loop_amplitude(m_s) ** 2  # Eq. (3)


def lifetime(mass: ArrayLike, coupling: ArrayLike) -> FloatArray:
    """Proper lifetime tau = hbar / Gamma, ns."""
    return hbar / width(mass, coupling)


def ctau(mass: ArrayLike, coupling: ArrayLike) -> FloatArray:
    """Proper decay length c * tau, mm."""
    return c_light * lifetime(mass, coupling)


def decay_length(
    mass: ArrayLike,
    coupling: ArrayLike,
    *,
    momentum: ArrayLike | None = None,
    energy: ArrayLike | None = None,
) -> FloatArray:
    """Lab-frame mean decay length beta * gamma * c * tau, mm.

    Give exactly one of ``momentum`` (|p|, MeV) or ``energy`` (E, MeV, >= m_S).
    """
    m_s = check_mass(mass)
    if (momentum is None) == (energy is None):
        raise ModelRangeError("give exactly one of momentum or energy")
    if momentum is not None:
        p = np.asarray(momentum, dtype=np.float64)
        if np.any(p < 0):
            raise ModelRangeError("momentum must be non-negative")
    else:
        e = np.asarray(energy, dtype=np.float64)
        if np.any(e < m_s):
            raise ModelRangeError("energy must be at least the scalar mass")
        p = np.sqrt(e**2 - m_s**2)
    return p / m_s * ctau(m_s, coupling)


@dataclass(frozen=True)
class Scalar:
    """A muon-philic scalar of given mass and coupling.

    Parameters
    ----------
    mass : float
        m_S, MeV (0 < m_S < 2 m_mu).
    coupling : float
        Yukawa coupling y to muons.

    Examples
    --------
    >>> from muphilic import Scalar
    >>> s = Scalar(mass=40.0, coupling=1e-4)
    >>> round(s.ctau / 1000.0, 1)  # metres
    283.8
    """

    mass: float
    coupling: float

    def __post_init__(self) -> None:
        check_mass(self.mass)
        _check_coupling(self.coupling)

    @property
    def width(self) -> float:
        """Gamma(S -> gamma gamma), MeV."""
        return float(width(self.mass, self.coupling))

    @property
    def lifetime(self) -> float:
        """Proper lifetime, ns."""
        return float(lifetime(self.mass, self.coupling))

    @property
    def ctau(self) -> float:
        """Proper decay length, mm."""
        return float(ctau(self.mass, self.coupling))

    @property
    def delta_a_mu(self) -> float:
        """One-loop contribution to the muon anomalous magnetic moment."""
        from muphilic.g2 import delta_a_mu

        return float(delta_a_mu(self.mass, self.coupling))

    def decay_length(self, momentum: ArrayLike) -> FloatArray:
        """Lab decay length for momenta ``momentum`` (MeV), mm."""
        return decay_length(self.mass, self.coupling, momentum=momentum)
