"""The scalar's one-loop contribution to the muon g-2, and the g-2 band.

For ``L = y S mu-bar mu`` the one-loop contribution is (Jegerlehner & Nyffeler,
Phys. Rept. 477 (2009) 1, Eq. (257); Chen, Pospelov, Zhong, PRD 95 (2017) 115005)

    Delta a_mu = y^2 / (8 pi^2) * int_0^1 dz (1 - z)^2 (1 + z) / ((1 - z)^2 + z r^2),

with r = m_S / m_mu. Limits: 3 y^2 / (16 pi^2) for r -> 0, and
y^2 / (8 pi^2 r^2) (ln r^2 - 7/6) for r -> infinity.

The integral has the closed form used by :func:`loop_function` (partial
fractions in z); :func:`loop_function_quad` integrates it numerically as an
independent check.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from muphilic.constants import m_mu, pi
from muphilic.errors import MuphilicError

__all__ = [
    "G2_2023",
    "G2_2025",
    "SCENARIOS",
    "G2Measurement",
    "coupling_for_delta_a_mu",
    "delta_a_mu",
    "g2_scenario",
    "loop_function",
    "loop_function_quad",
]

FloatArray = NDArray[np.float64]


def loop_function_quad(mass: float) -> float:
    """The Feynman-parameter integral I(r) by adaptive quadrature (reference).

    Parameters
    ----------
    mass : float
        m_S, MeV (any positive value).
    """
    r2 = (mass / m_mu) ** 2
    from scipy import integrate  # imported here: it costs ~1 s at start-up

    value, _ = integrate.quad(
        lambda z: (1 - z) ** 2 * (1 + z) / ((1 - z) ** 2 + z * r2), 0.0, 1.0, epsabs=0, epsrel=1e-13
    )
    return value


def loop_function(mass: ArrayLike) -> FloatArray:
    """I(r) = int_0^1 (1 - z)^2 (1 + z) / ((1 - z)^2 + z r^2) dz, vectorised.

    Closed form for r = m_S / m_mu <= 4: with D(z) = z^2 - b z + 1, b = 2 - r^2,
    polynomial division gives (1 - z)^2 (1 + z) = (z + b - 1) D + a1 z + a0 with
    a1 = b (b - 1) - 2 and a0 = 2 - b, and the integrals of 1/D and z/D are
    elementary. Written with arctan(t)/t (artanh(t)/t above r = 2), t = sqrt|4 - r^2| / r,
    so that r = 2 is regular. Above r = 4 the closed form cancels badly (O(r^4)
    terms leave an O(1/r^2) result) and adaptive quadrature is used instead.

    Parameters
    ----------
    mass : array_like
        m_S, MeV, positive.
    """
    m_s = np.asarray(mass, dtype=np.float64)
    if not np.all(np.isfinite(m_s)) or np.any(m_s <= 0):
        raise MuphilicError("scalar mass must be positive and finite")
    r2 = (m_s / m_mu) ** 2
    b = 2.0 - r2
    t2 = np.abs(4.0 - r2) / r2
    t = np.sqrt(t2)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(r2 < 4.0, np.arctan(t) / t, np.arctanh(np.minimum(t, 0.999)) / t)
    ratio = np.where(t < 1e-4, 1.0 + np.where(r2 < 4.0, -1.0, 1.0) * t2 / 3.0, ratio)
    j0 = 2.0 / r2 * ratio  # int_0^1 dz / D
    j1 = 0.5 * np.log(r2) + 0.5 * b * j0  # int_0^1 z dz / D
    closed = 0.5 + (b - 1.0) + (b * (b - 1.0) - 2.0) * j1 + (2.0 - b) * j0
    heavy = r2 > 16.0
    if np.any(heavy):
        quad = np.vectorize(loop_function_quad, otypes=[np.float64])
        closed = np.where(heavy, quad(np.where(heavy, m_s, m_mu)), closed)
    return closed


def delta_a_mu(mass: ArrayLike, coupling: ArrayLike) -> FloatArray:
    """One-loop Delta a_mu of the scalar (dimensionless).

    Parameters
    ----------
    mass : array_like
        m_S, MeV.
    coupling : array_like
        y; broadcasts against ``mass``.
    """
    y = np.asarray(coupling, dtype=np.float64)
    if not np.all(np.isfinite(y)) or np.any(y < 0):
        raise MuphilicError("coupling must be a non-negative finite number")
    return y**2 / (8.0 * pi**2) * loop_function(mass)


def coupling_for_delta_a_mu(mass: ArrayLike, target: ArrayLike) -> FloatArray:
    """The coupling y that gives ``Delta a_mu = target`` at mass m_S (inverse of
    :func:`delta_a_mu`); a non-positive target gives 0."""
    t = np.asarray(target, dtype=np.float64)
    return np.sqrt(np.maximum(t, 0.0) * 8.0 * pi**2 / loop_function(mass))


@dataclass(frozen=True)
class G2Measurement:
    """A muon g-2 discrepancy Delta a_mu = a_mu(exp) - a_mu(SM) with its error.

    Attributes
    ----------
    label : str
        Short name (``"2023"``, ``"2025"``).
    a_exp, a_exp_err : float
        Experimental world average and its error.
    a_sm, a_sm_err : float
        Standard Model prediction and its error.
    reference : str
        Citations of both numbers.
    """

    label: str
    a_exp: float
    a_exp_err: float
    a_sm: float
    a_sm_err: float
    reference: str

    @property
    def delta(self) -> float:
        """Delta a_mu = a_exp - a_SM."""
        return self.a_exp - self.a_sm

    @property
    def sigma(self) -> float:
        """Total error, the experimental and theory errors in quadrature."""
        return float(np.hypot(self.a_exp_err, self.a_sm_err))

    def favoured_band(self, mass: ArrayLike, n_sigma: float = 2.0) -> tuple[FloatArray, FloatArray]:
        """Couplings (low, high) at which the scalar brings Delta a_mu within
        ``n_sigma`` of the measured discrepancy (low is 0 if the band reaches 0)."""
        low = coupling_for_delta_a_mu(mass, self.delta - n_sigma * self.sigma)
        high = coupling_for_delta_a_mu(mass, self.delta + n_sigma * self.sigma)
        return low, high

    def excluded_above(self, mass: ArrayLike, n_sigma: float = 5.0) -> FloatArray:
        """Coupling above which the scalar overshoots the discrepancy by more than
        ``n_sigma`` (the grey 'excluded by g-2' region of the paper's Fig. 6)."""
        return coupling_for_delta_a_mu(mass, self.delta + n_sigma * self.sigma)


#: The paper's choice: Fermilab + BNL world average of 2023 (Aguillard et al.,
#: PRL 131 (2023) 161802, arXiv:2308.06230: a_mu = 116 592 059(22) e-11)
#: against the 2020 Theory Initiative white paper (Aoyama et al., Phys. Rept.
#: 887 (2020) 1, arXiv:2006.04822: a_mu(SM) = 116 591 810(43) e-11).
G2_2023 = G2Measurement(
    label="2023",
    a_exp=116_592_059e-11,
    a_exp_err=22e-11,
    a_sm=116_591_810e-11,
    a_sm_err=43e-11,
    reference="a_exp: arXiv:2308.06230; a_SM: arXiv:2006.04822",
)

#: Final Fermilab measurement, world average of 2025 (Aguillard et al.,
#: arXiv:2506.03069: a_mu = 116 592 071.5(14.5) e-11) against the 2025 Theory
#: Initiative white paper (Aliberti et al., arXiv:2505.21476:
#: a_mu(SM) = 116 592 033(62) e-11). The discrepancy is 38(63) e-11.
G2_2025 = G2Measurement(
    label="2025",
    a_exp=116_592_071.5e-11,
    a_exp_err=14.5e-11,
    a_sm=116_592_033e-11,
    a_sm_err=62e-11,
    reference="a_exp: arXiv:2506.03069; a_SM: arXiv:2505.21476",
)

#: The g-2 measurements known by label.
SCENARIOS = {"2023": G2_2023, "2025": G2_2025}


def g2_scenario(label: str | int) -> G2Measurement:
    """The g-2 measurement named ``label`` (``"2023"``, the default of the paper,
    or ``"2025"``)."""
    try:
        return SCENARIOS[str(label)]
    except KeyError:
        raise MuphilicError(
            f"unknown g-2 scenario {label!r}; choose one of {sorted(SCENARIOS)}"
        ) from None
