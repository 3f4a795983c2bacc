r"""The matrix element, widths and branching ratios of M+- -> mu+- nu S.

Matrix element
--------------
The meson couples to the V-A leptonic current through its decay constant,
``<0| A^mu |M(P)> = i f_M P^mu``; with ``L = y S mu-bar mu`` the scalar can only
be radiated by the muon line (the neutrino and the meson do not couple to S).
For M+ -> mu+(p) nu(n) S(k), with q = p + k the off-shell antimuon momentum,

    M = (G_F V f_M y / sqrt2) ubar(n) Pslash (1 - g5) (-qslash + m) v(p) / (q^2 - m^2).

Using ``ubar(n) nslash = 0``, ``Pslash = nslash + qslash`` and ``qslash v(p) = (kslash - m) v(p)``,
the Dirac structure reduces to ``ubar(n) (1 + g5) [a + m kslash] v(p)`` with
``a = -(q^2 + m^2)``. The spin sum is then (the g5 terms vanish: only three
independent momenta)

    sum |M|^2 = (G_F V f_M y)^2 / 2 * T / (q^2 - m^2)^2,
    T = 8 [ (a^2 - m^2 m_S^2) (n.p) + 2 m^2 (k.p - a) (n.k) ].

The charge-conjugate mode has the same |M|^2. With invariants
``s = (p + k)^2`` and ``t = (n + k)^2``, ``T`` is linear in ``t`` at fixed ``s``,
so the Dalitz integral over ``t`` is done exactly and one smooth integral over
``s`` remains.

Normalisation
-------------
Branching ratios are normalised to the *measured* BR(M -> mu nu):

    BR(M -> mu nu S) = BR(M -> mu nu)_meas * Gamma(M -> mu nu S) / Gamma(M -> mu nu),

both widths at tree level, so ``G_F``, the CKM element and the decay constant
f_M cancel (and so does most of the radiative correction common to both). The
two-body width is ``Gamma = G_F^2 |V|^2 f_M^2 m_M m_mu^2 (1 - m_mu^2/m_M^2)^2 / (8 pi)``.

Soft limit
----------
For m_S -> 0 the scalar is radiated with the eikonal factor ``2 m y / (2 p.k + m_S^2)``
and the rate grows logarithmically: ``d BR / d ln m_S -> -BR(M -> mu nu) / (4 pi^2)`` per y^2.
"""

from __future__ import annotations

import functools

import numpy as np
from numpy.typing import ArrayLike

from muphilic.constants import G_FERMI, MeV, m_mu, pi
from muphilic.emission.kinematics import minkowski_dot
from muphilic.emission.meson_decays.channels import (
    KAON,
    PION,
    FloatArray,
    MesonChannel,
    MesonDecayError,
    _check_mass,
    meson_channel,
)
from muphilic.scalar import check_mass

__all__ = [
    "branching_ratio",
    "branching_ratios",
    "coupling_at_unit_branching_ratio",
    "dalitz_density",
    "differential_branching_ratio",
    "matrix_element_squared",
    "width_mu_nu",
    "width_mu_nu_s",
]


#: Gauss-Legendre order of the s-integral of the total branching ratio.
_N_GAUSS = 48


# --- matrix element ------------------------------------------------------------------------
def _t_reduced(s: ArrayLike, t: ArrayLike, ms2: ArrayLike, big_m2: float) -> FloatArray:
    """T / (s - m^2)^2 of the module docstring, from s = (p+k)^2, t = (n+k)^2 (MeV^2)."""
    s_ = np.asarray(s, dtype=np.float64)
    t_ = np.asarray(t, dtype=np.float64)
    m2 = m_mu**2
    u = big_m2 + m2 + ms2 - s_ - t_  # (p + n)^2
    n_p = 0.5 * (u - m2)
    n_k = 0.5 * (t_ - ms2)
    k_p = 0.5 * (s_ - m2 - ms2)
    a = -(s_ + m2)
    big_t = 8.0 * ((a * a - m2 * ms2) * n_p + 2.0 * m2 * (k_p - a) * n_k)
    return big_t / (s_ - m2) ** 2


def matrix_element_squared(
    p_mu: ArrayLike,
    p_nu: ArrayLike,
    p_s: ArrayLike,
    mass: float,
    meson: str | int | MesonChannel = "kaon",
) -> FloatArray:
    """Spin-summed |M|^2 / y^2 of M+ -> mu+ nu S (dimensionless).

    Parameters
    ----------
    p_mu, p_nu, p_s : (..., 4) arrays
        Four-momenta of the muon, neutrino and scalar (any frame), MeV.
    mass : float
        m_S, MeV (the four-momenta must be on shell).
    meson : str, int or MesonChannel
        Decaying meson; sets f_M and the CKM element.

    Returns
    -------
    array
        ``(G_F V f_M)^2 / 2 * T / (q^2 - m_mu^2)^2`` (module docstring).
    """
    ch = meson_channel(meson)
    p = np.asarray(p_mu, dtype=np.float64)
    n = np.asarray(p_nu, dtype=np.float64)
    k = np.asarray(p_s, dtype=np.float64)
    s = minkowski_dot(p + k, p + k)
    t = minkowski_dot(n + k, n + k)
    big = p + n + k
    big_m2 = minkowski_dot(big, big)
    norm = 0.5 * (G_FERMI * ch.ckm * ch.decay_constant) ** 2
    return norm * _t_reduced(s, t, mass**2, big_m2)


def width_mu_nu(meson: str | int | MesonChannel) -> float:
    """Tree-level Standard-Model width Gamma(M+ -> mu+ nu), MeV.

    ``G_F^2 |V|^2 f_M^2 m_M m_mu^2 (1 - m_mu^2/m_M^2)^2 / (8 pi)``; the measured
    width is larger by the radiative correction (about +1.8 % for pi, +1.1 % for K
    after the short-distance enhancement; Marciano & Sirlin, PRL 71 (1993) 3629).
    """
    ch = meson_channel(meson)
    r = (m_mu / ch.mass) ** 2
    return (G_FERMI * ch.ckm * ch.decay_constant) ** 2 * ch.mass * m_mu**2 * (1 - r) ** 2 / (8 * pi)


# --- the Dalitz integral in a smoothing variable ---------------------------------------------
# w = s - m^2 runs over [w0, w1], w0 = m_S (2 m + m_S), w1 = M^2 - m^2. With
# w = w0 cosh^2 v the square-root end point and the 1/w peak of the soft region
# both become smooth in v in [0, V], V = arccosh(sqrt(w1 / w0)).
def _v_limits(m_s: FloatArray, big_m: float) -> tuple[FloatArray, FloatArray]:
    w0 = m_s * (2 * m_mu + m_s)
    w1 = big_m**2 - m_mu**2
    ratio = np.where(w0 < w1, w1 / w0, 1.0)
    return w0, np.arccosh(np.sqrt(ratio))


def _s_of_v(v: FloatArray, w0: FloatArray) -> FloatArray:
    return m_mu**2 + w0 * np.cosh(v) ** 2


def _t_limits(s: FloatArray, ms2: FloatArray, big_m2: float) -> tuple[FloatArray, FloatArray]:
    """Range of t = (n + k)^2 at fixed s, MeV^2."""
    m2 = m_mu**2
    root_s = np.sqrt(s)
    e_nu = (big_m2 - s) / (2 * root_s)  # in the (mu S) rest frame
    e_s = (s - m2 + ms2) / (2 * root_s)
    k_s = np.sqrt(
        np.maximum((s - (m_mu + np.sqrt(ms2)) ** 2) * (s - (m_mu - np.sqrt(ms2)) ** 2), 0.0)
    )
    k_s = k_s / (2 * root_s)
    return ms2 + 2 * e_nu * (e_s - k_s), ms2 + 2 * e_nu * (e_s + k_s)


def _ratio_prefactor(big_m: float) -> float:
    """(1/(256 pi^3 M^3)) * (1/2) / Gamma_0 with G_F, V, f stripped, MeV^-4 ... ."""
    r = (m_mu / big_m) ** 2
    return 1.0 / (64 * pi**2 * big_m**4 * m_mu**2 * (1 - r) ** 2)


def _density_in_v(v: FloatArray, m_s: FloatArray, ch: MesonChannel) -> FloatArray:
    """d(Gamma3/Gamma0)/dv / y^2, with the t-integral done exactly (T is linear in t)."""
    return _density_parts(v, m_s, ch)[0]


def _density_parts(
    v: FloatArray, m_s: ArrayLike, ch: MesonChannel, t_ends: bool = False
) -> tuple[FloatArray, ...]:
    """:func:`_density_in_v` and its by-products (s, t_lo, t_hi), MeV^2.

    With ``t_ends`` also T/(s - m^2)^2 at t_lo and t_hi (the linear t-density).
    """
    big_m2 = ch.mass**2
    ms2 = m_s**2
    w0 = m_s * (2 * m_mu + m_s)
    ch_v = np.cosh(v)
    sh_v = np.sinh(v)
    w = w0 * ch_v**2
    s = m_mu**2 + w
    sqrt_lambda = np.sqrt(w0) * sh_v * np.sqrt(w + m_s * (2 * m_mu - m_s))
    t_lo, t_hi = _t_limits(s, ms2, big_m2)
    t_len = (big_m2 - s) * sqrt_lambda / s
    ts = (0.5 * (t_lo + t_hi), t_lo, t_hi) if t_ends else (0.5 * (t_lo + t_hi),)
    reduced = _t_reduced_many(s, ts, ms2, big_m2)
    integrand = t_len * reduced[0]
    # ds = 2 w0 cosh sinh dv
    density = _ratio_prefactor(ch.mass) * integrand * 2 * w0 * ch_v * sh_v
    return (density, s, t_lo, t_hi, *reduced[1:])


def _t_reduced_many(
    s: FloatArray, ts: tuple[FloatArray, ...], ms2: ArrayLike, big_m2: float
) -> list[FloatArray]:
    """:func:`_t_reduced` at one s and several t, the s-only factors computed once
    (same arithmetic, bit for bit)."""
    m2 = m_mu**2
    c = big_m2 + m2 + ms2 - s
    k_p = 0.5 * (s - m2 - ms2)
    a = -(s + m2)
    a1 = a * a - m2 * ms2
    a2 = 2.0 * m2 * (k_p - a)
    denom = (s - m2) ** 2
    out = []
    for t in ts:
        n_p = 0.5 * (c - t - m2)
        n_k = 0.5 * (t - ms2)
        out.append(8.0 * (a1 * n_p + a2 * n_k) / denom)
    return out


@functools.cache
def _gauss_legendre(n: int) -> tuple[FloatArray, FloatArray]:
    x, wts = np.polynomial.legendre.leggauss(n)
    return 0.5 * (x + 1.0), 0.5 * wts  # on [0, 1]


def _ratio_to_two_body(m_s: FloatArray, ch: MesonChannel, n: int = _N_GAUSS) -> FloatArray:
    """Gamma(M -> mu nu S) / Gamma(M -> mu nu) / y^2 for an array of masses (0 beyond threshold)."""
    m_s = np.asarray(m_s, dtype=np.float64)
    open_ = m_s < ch.mass - m_mu
    safe = np.where(open_, m_s, 0.5 * (ch.mass - m_mu))
    _, v_max = _v_limits(safe, ch.mass)
    x, wts = _gauss_legendre(n)
    v = v_max[..., None] * x
    dens = _density_in_v(v, safe[..., None], ch)
    out = np.sum(dens * wts, axis=-1) * v_max
    return np.where(open_, out, 0.0)


def branching_ratio(meson: str | int | MesonChannel, mass: ArrayLike) -> FloatArray:
    """BR(M -> mu nu S) / y^2, vectorised over m_S.

    Normalised to the measured BR(M -> mu nu) (``muphilic.constants``), so the
    decay constant, the CKM element and G_F drop out (module docstring). Exactly
    0 for m_S >= m_M - m_mu.

    Parameters
    ----------
    meson : str, int or MesonChannel
        ``"kaon"``, ``"pion"``, a PDG id or a :class:`MesonChannel`.
    mass : float or array
        m_S, MeV (> 0).

    Returns
    -------
    array
        Branching ratio per y^2 (same shape as ``mass``).

    Raises
    ------
    MesonDecayError
        For a non-positive or non-finite mass or an unknown meson.
    """
    ch = meson_channel(meson)
    m_s = _check_mass(mass)
    return ch.br_mu_nu * _ratio_to_two_body(m_s, ch)


def width_mu_nu_s(meson: str | int | MesonChannel, mass: ArrayLike) -> FloatArray:
    """Tree-level Gamma(M -> mu nu S) / y^2, MeV (uses f_M, CKM and G_F)."""
    ch = meson_channel(meson)
    return width_mu_nu(ch) * _ratio_to_two_body(_check_mass(mass), ch)


def dalitz_density(
    meson: str | int | MesonChannel, mass: float, s_mu_s: ArrayLike, t_nu_s: ArrayLike
) -> FloatArray:
    """d^2 BR / (ds dt) / y^2 in MeV^-4 with s = (p_mu + k)^2, t = (p_nu + k)^2.

    Zero outside the Dalitz region.
    """
    ch = meson_channel(meson)
    m_s = float(_check_mass(mass))
    s = np.asarray(s_mu_s, dtype=np.float64)
    t = np.asarray(t_nu_s, dtype=np.float64)
    big_m2 = ch.mass**2
    inside_s = (s > (m_mu + m_s) ** 2) & (s < big_m2)
    s_safe = np.where(inside_s, s, 0.5 * ((m_mu + m_s) ** 2 + big_m2))
    t_lo, t_hi = _t_limits(s_safe, m_s**2, big_m2)
    inside = inside_s & (t >= t_lo) & (t <= t_hi)
    val = ch.br_mu_nu * _ratio_prefactor(ch.mass) * _t_reduced(s_safe, t, m_s**2, big_m2)
    return np.where(inside, val, 0.0)


def differential_branching_ratio(
    meson: str | int | MesonChannel, mass: float, s_mu_s: ArrayLike
) -> FloatArray:
    """dBR/ds / y^2 in MeV^-2, s = (p_mu + p_S)^2 (equivalently E_nu = (m_M^2 - s)/(2 m_M))."""
    ch = meson_channel(meson)
    m_s = float(_check_mass(mass))
    s = np.asarray(s_mu_s, dtype=np.float64)
    big_m2 = ch.mass**2
    inside = (s > (m_mu + m_s) ** 2) & (s < big_m2)
    s_safe = np.where(inside, s, 0.5 * ((m_mu + m_s) ** 2 + big_m2))
    t_lo, t_hi = _t_limits(s_safe, m_s**2, big_m2)
    val = (
        ch.br_mu_nu
        * _ratio_prefactor(ch.mass)
        * (t_hi - t_lo)
        * _t_reduced(s_safe, 0.5 * (t_lo + t_hi), m_s**2, big_m2)
    )
    return np.where(inside, val, 0.0)


def coupling_at_unit_branching_ratio(mass: float) -> float:
    """Largest y at which BR(K -> mu nu S) and BR(pi -> mu nu S) are both <= 1 at m_S.

    The branching ratios grow as y^2 while the parent's width is held fixed, so
    beyond this coupling the tree-level formula is outside its validity. The value
    is rounded down until ``BR / y^2 * y**2 <= 1`` holds in floating point, exactly
    as :func:`branching_ratios` computes it.

    Parameters
    ----------
    mass : float
        m_S, MeV (in :data:`muphilic.scalar.MASS_RANGE_MeV`).

    Returns
    -------
    float
        The coupling (dimensionless); ``inf`` if both channels are closed.
    """
    m_s = float(check_mass(mass))
    per_y2 = max(float(branching_ratio(KAON, m_s)), float(branching_ratio(PION, m_s)))
    if per_y2 <= 0:
        return float("inf")
    y = float(1.0 / np.sqrt(per_y2))
    while per_y2 * y**2 > 1.0:
        y = float(np.nextafter(y, 0.0))
    return y


def branching_ratios(mass_MeV: float, coupling: float) -> dict[str, float]:
    """JSON-ready branching ratios at m_S = ``mass_MeV`` MeV and y = ``coupling``.

    Parameters
    ----------
    mass_MeV : float
        m_S in MeV, within :data:`muphilic.scalar.MASS_RANGE_MeV` (below it the
        Dalitz integral loses precision).
    coupling : float
        y, with 0 <= y <= :func:`coupling_at_unit_branching_ratio` (every branching
        ratio at most 1).

    Returns
    -------
    dict
        ``{"br_K_mu_nu_S": ..., "br_pi_mu_nu_S": ...}`` (plain floats, 0 above threshold).

    Raises
    ------
    MuphilicError
        For a mass outside the model's range or a coupling outside [0, y(BR = 1)].
    """
    m_s = float(check_mass(float(mass_MeV) * MeV))
    y = float(coupling)
    y_max = coupling_at_unit_branching_ratio(m_s)
    if not 0.0 <= y <= y_max:  # NaN fails
        raise MesonDecayError(
            f"coupling must lie in [0, {y_max!r}] at m_S = {m_s / MeV!r} MeV, got {coupling!r}: "
            "above it BR(K -> mu nu S) or BR(pi -> mu nu S) exceeds 1"
        )
    return {
        "br_K_mu_nu_S": float(branching_ratio(KAON, m_s)) * y**2,
        "br_pi_mu_nu_S": float(branching_ratio(PION, m_s)) * y**2,
    }
