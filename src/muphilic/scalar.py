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

from muphilic.constants import TWO_M_MU, MeV, alpha_em, c_light, hbar, m_mu, pi
from muphilic.errors import MuphilicError

__all__ = [
    "COUPLING_MIN",
    "COUPLING_PERTURBATIVE",
    "MASS_MIN_MeV",
    "MASS_RANGE_MeV",
    "ModelRangeError",
    "Scalar",
    "check_coupling",
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


#: Lightest scalar mass accepted, MeV. The limit is numerical, set by the meson
#: branching ratios: their Dalitz integral forms (p + k)^2 - m_mu^2 ~ 2 m_mu m_S from
#: two numbers of size m_mu^2, losing about eps * m_mu / m_S of relative precision.
#: Against a 40-digit evaluation of the same integral the error stays below 1e-7 from
#: 1e-9 MeV up and first exceeds 1e-6 near 1e-10 MeV (below 1e-14 MeV the subtraction
#: gives 0 and the branching ratio comes out infinite). Width, lifetime and g-2 are
#: accurate to 1e-7 far below this mass (their small-mass series are used).
MASS_MIN_MeV: float = 1e-9
#: The model's mass range, MeV: MASS_MIN_MeV <= m_S < 2 m_mu (the upper end excluded:
#: from 2 m_mu on the scalar decays to mu+ mu-, which this model does not include).
MASS_RANGE_MeV: tuple[float, float] = (MASS_MIN_MeV, TWO_M_MU / MeV)
#: Smallest coupling accepted. At the lightest mass it keeps the width at 1e-239 MeV,
#: so that every derived number (width, lifetime, c tau, Delta a_mu, branching ratios)
#: is a full-precision double, far from underflow and overflow.
COUPLING_MIN: float = 1e-100
#: Perturbativity bound on the Yukawa coupling, y <= sqrt(4 pi) (y^2 / (4 pi) <= 1).
COUPLING_PERTURBATIVE: float = float(np.sqrt(4.0 * pi))


class ModelRangeError(MuphilicError):
    """A parameter lies outside the range where the model is defined."""


def check_mass(mass: ArrayLike) -> FloatArray:
    """Return ``mass`` as an array after checking MASS_MIN_MeV <= m_S < 2 m_mu.

    Parameters
    ----------
    mass : array_like
        m_S, MeV.

    Raises
    ------
    ModelRangeError
        For a mass outside :data:`MASS_RANGE_MeV` (non-finite, below
        :data:`MASS_MIN_MeV` where the branching ratios lose precision, or at or
        above 2 m_mu, where this model has no S -> mu+ mu- channel). The message
        gives the range and the offending value.
    """
    m_s = np.asarray(mass, dtype=np.float64)
    low, high = MASS_RANGE_MeV[0] * MeV, MASS_RANGE_MeV[1] * MeV
    bad = ~((m_s >= low) & (m_s < high))  # NaN is bad
    if not np.any(bad):
        return m_s
    value = float(m_s[bad].flat[0] / MeV)
    text = f"scalar mass must lie in [{low / MeV!r}, {high / MeV!r}) MeV, got {value!r} MeV"
    if value >= high / MeV:
        text += (
            ": the upper end is 2 m_mu and this model has only the S -> gamma gamma channel "
            "(no S -> mu+ mu- yet)"
        )
    elif np.isfinite(value) and value > 0:
        text += " (below it the meson branching ratios lose precision)"
    raise ModelRangeError(text)


def check_coupling(mass: float, coupling: float) -> float:
    """Return ``coupling`` after checking that the model is valid at (m_S, y).

    The rule: COUPLING_MIN <= y <= y_max(m_S), with y_max the smaller of the
    perturbativity bound sqrt(4 pi) and the coupling at which the larger of
    BR(K -> mu nu S) and BR(pi -> mu nu S) reaches 1 (these scale as y^2 over a
    fixed parent width, so a larger y puts the formula outside its validity; see
    :func:`muphilic.emission.meson_decays.coupling_at_unit_branching_ratio`).

    Parameters
    ----------
    mass : float
        m_S, MeV (checked by :func:`check_mass`).
    coupling : float
        Yukawa coupling y (dimensionless).

    Raises
    ------
    ModelRangeError
        Outside the range; the message gives it at this mass and the offending value.
    """
    from muphilic.emission.meson_decays import coupling_at_unit_branching_ratio

    m_s = float(check_mass(mass))
    y = float(coupling)
    y_br = coupling_at_unit_branching_ratio(m_s)
    y_max = min(COUPLING_PERTURBATIVE, y_br)
    if not COUPLING_MIN <= y <= y_max:  # NaN fails
        raise ModelRangeError(
            f"coupling y must lie in [{COUPLING_MIN!r}, {y_max!r}] at m_S = {m_s / MeV!r} MeV, "
            f"got {y!r}: y <= sqrt(4 pi) = {COUPLING_PERTURBATIVE!r} (perturbativity) and "
            f"y <= {y_br!r}, where the larger of BR(K -> mu nu S) and BR(pi -> mu nu S) reaches 1; "
            f"y >= {COUPLING_MIN!r} keeps every output a full-precision number"
        )
    return y


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
