"""The squared matrix element of mu N -> mu N S by one-photon exchange, and of gamma mu -> S mu.

Squared matrix element (computed here, checked against an explicit Dirac trace in
the tests). With the Yukawa coupling ``y S mu-bar mu`` (paper Eq. (1), y = 1
here: every cross section of :mod:`~muphilic.emission.dump_xsec` is sigma / y^2),
photon exchange ``q = P - P'``, ``t = -q^2`` and the nucleus a scalar-like
coherent charge,

    |M|^2 = e^4 G2(t) / (2 t^2) * T(eps),      eps = P + P',

    T(eps) = Tr[(p'/ + m) Gam (p/ + m) Gam-bar],
    Gam = (p'/ + k/ + m) eps/ / D1 + eps/ (p/ - k/ + m) / D2,
    D1 = (p' + k)^2 - m^2,   D2 = (p - k)^2 - m^2,

(1/2 for the muon spin average is in the prefactor). On shell the trace
reduces to (A = 1/D1 + 1/D2, B = 2 k.eps / D1)

    T = A^2 T1 + 2 A B T2 + B^2 T3,
    T1 = 4[a1 (2 (eps.p)(eps.p') - eps^2 p.p') + a2 (2 (eps.k)(eps.p') - eps^2 k.p')]
         + 4 m a0 eps^2,
    T2 = 8 m^2 eps.(p + p') - 4 m^2 k.eps
         - 4[(p'.eps)(k.p) - (p'.k)(p.eps) + (p.p')(k.eps)],
    T3 = 4 (p.p' + m^2),
    a1 = 4 m^2 - m_S^2,  a2 = 2 k.p - 4 m^2,  a0 = m (4 m^2 + m_S^2 - 4 k.p).

T is gauge invariant (eps -> eps + c q); we evaluate it with the equivalent
``eps = P + P' - [(P + P').p / q.p] q`` (so eps.p = 0), which avoids the large
cancellations of the boosted muon current.

:func:`photon_muon_amplitude_squared` is the same trace for a real photon, the
gamma mu -> S mu amplitude of the improved Weizsacker-Williams approximation.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from muphilic.constants import alpha_em, m_mu

__all__ = ["lepton_trace", "mdot", "photon_muon_amplitude_squared"]

FloatArray = NDArray[np.float64]

E2 = 4.0 * np.pi * alpha_em  # e^2 (Heaviside-Lorentz, natural units)


def mdot(a: ArrayLike, b: ArrayLike) -> FloatArray:
    """Minkowski product (+,-,-,-) over the last axis of ``(..., 4)`` arrays."""
    a = np.asarray(a)
    b = np.asarray(b)
    return (
        a[..., 0] * b[..., 0]
        - a[..., 1] * b[..., 1]
        - a[..., 2] * b[..., 2]
        - a[..., 3] * b[..., 3]
    )


def _trace_from_dots(
    *,
    pp_p: FloatArray,
    k_p: FloatArray,
    k_pp: FloatArray,
    e_p: FloatArray,
    e_pp: FloatArray,
    e_k: FloatArray,
    e_e: FloatArray,
    mass: float,
) -> FloatArray:
    """T(eps) of the module docstring from the invariant products (on shell)."""
    m = m_mu
    ms2 = mass**2
    d1 = 2.0 * k_pp + ms2
    d2 = ms2 - 2.0 * k_p
    a = 1.0 / d1 + 1.0 / d2
    b = 2.0 * e_k / d1
    a1 = 4.0 * m**2 - ms2
    a2 = 2.0 * k_p - 4.0 * m**2
    a0 = m * (4.0 * m**2 + ms2 - 4.0 * k_p)
    t1 = 4.0 * (a1 * (2.0 * e_p * e_pp - e_e * pp_p) + a2 * (2.0 * e_k * e_pp - e_e * k_pp))
    t1 = t1 + 4.0 * m * a0 * e_e
    t2 = 8.0 * m**2 * (e_p + e_pp) - 4.0 * m**2 * e_k
    t2 = t2 - 4.0 * (e_pp * k_p - k_pp * e_p + pp_p * e_k)
    t3 = 4.0 * (pp_p + m**2)
    return a * a * t1 + 2.0 * a * b * t2 + b * b * t3


def lepton_trace(
    p: ArrayLike, pp: ArrayLike, k: ArrayLike, eps: ArrayLike, mass: float
) -> FloatArray:
    """The lepton trace T(eps) for on-shell four-momenta (module docstring).

    Parameters
    ----------
    p, pp, k : (..., 4) arrays
        Incoming muon, outgoing muon and scalar four-momenta, MeV.
    eps : (..., 4) array
        The vector contracted with the muon current (``P + P'`` for the nucleus,
        a polarisation vector for a real photon).
    mass : float
        m_S, MeV.
    """
    return _trace_from_dots(
        pp_p=mdot(pp, p),
        k_p=mdot(k, p),
        k_pp=mdot(k, pp),
        e_p=mdot(eps, p),
        e_pp=mdot(eps, pp),
        e_k=mdot(eps, k),
        e_e=mdot(eps, eps),
        mass=mass,
    )


def photon_muon_amplitude_squared(
    s_tilde: ArrayLike, u_tilde: ArrayLike, mass: float
) -> FloatArray:
    """|A|^2 of gamma mu -> S mu, averaged over photon polarisation and muon spin (y = 1).

    Parameters
    ----------
    s_tilde, u_tilde : arrays
        ``s - m_mu^2`` and ``u - m_mu^2`` with ``u = (p - k)^2``, MeV^2.
    mass : float
        m_S, MeV.

    Notes
    -----
    The polarisation sum -g_{mu nu} applied to T(eps) (gauge invariance for a
    real photon): ``|A|^2 = e^2/4 [A^2 T1c - 4 A k.X/s~ - 4 m_S^2 T3/s~^2]``.
    """
    s_t = np.asarray(s_tilde, dtype=np.float64)
    u_t = np.asarray(u_tilde, dtype=np.float64)
    m = m_mu
    ms2 = mass**2
    k_p = 0.5 * (ms2 - u_t)
    k_pp = 0.5 * (s_t - ms2)
    t2 = ms2 - s_t - u_t  # (p - p')^2
    pp_p = m**2 - 0.5 * t2
    a = 1.0 / s_t + 1.0 / u_t
    a1 = 4.0 * m**2 - ms2
    a2 = 2.0 * k_p - 4.0 * m**2
    a0 = m * (4.0 * m**2 + ms2 - 4.0 * k_p)
    t1c = 8.0 * a1 * pp_p + 8.0 * a2 * k_pp - 16.0 * m * a0
    k_x = 8.0 * m**2 * (k_p + k_pp) - 4.0 * m**2 * ms2 - 4.0 * ms2 * pp_p
    t3 = 4.0 * (pp_p + m**2)
    total = a * a * t1c - 4.0 * a * k_x / s_t - 4.0 * ms2 * t3 / s_t**2
    return 0.25 * E2 * total
