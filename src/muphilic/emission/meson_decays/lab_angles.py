"""The lab angular distribution of the scalar from one decaying meson.

:func:`lab_angle_cdf` (accurate everywhere) and :func:`lab_angular_density`
average the boosted rest-frame isotropic emission over the Dalitz plot by
Gauss-Legendre quadrature (the tests compare the sampled directions with them).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from muphilic.constants import m_mu, pi
from muphilic.emission.kinematics import (
    lab_max_angle,
    rest_cos_from_lab_angle,
    rest_per_lab_solid_angle,
)
from muphilic.emission.meson_decays.channels import (
    FloatArray,
    MesonChannel,
    MesonDecayError,
    _check_mass,
    meson_channel,
)
from muphilic.emission.meson_decays.rates import (
    _density_in_v,
    _gauss_legendre,
    _s_of_v,
    _t_limits,
    _t_reduced,
    _v_limits,
)

__all__ = [
    "lab_angle_cdf",
    "lab_angular_density",
]


def _dalitz_nodes(
    ch: MesonChannel, m_s: float, n_s: int, n_t: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Quadrature nodes of the Dalitz plot: probabilities, rest-frame |k| and E of S (MeV)."""
    big_m = ch.mass
    big_m2 = big_m**2
    ms2 = m_s**2
    w0, v_max = _v_limits(np.asarray(m_s), big_m)
    xv, wv = _gauss_legendre(n_s)
    v = float(v_max) * xv
    pv = _density_in_v(v, np.asarray(m_s), ch) * wv
    s = _s_of_v(v, np.asarray(w0))
    t_lo, t_hi = _t_limits(s, ms2, big_m2)
    f0 = _t_reduced(s, t_lo, ms2, big_m2)
    f1 = _t_reduced(s, t_hi, ms2, big_m2)
    xt, wt = _gauss_legendre(n_t)
    t = t_lo[:, None] + xt[None, :] * (t_hi - t_lo)[:, None]
    lin = (f0[:, None] + (f1 - f0)[:, None] * xt[None, :]) / (0.5 * (f0 + f1))[:, None]
    prob = (pv[:, None] * lin * wt[None, :]).ravel()
    prob /= np.sum(prob)
    u = big_m2 + m_mu**2 + ms2 - s[:, None] - t
    e_s = ((big_m2 + ms2 - u) / (2 * big_m)).ravel()
    k = np.sqrt(np.maximum((e_s - m_s) * (e_s + m_s), 0.0))
    return prob, k, e_s


def _parent_boost(ch: MesonChannel, parent_p4: ArrayLike) -> tuple[float, float]:
    big = np.asarray(parent_p4, dtype=np.float64)
    if big.shape != (4,) or not np.all(np.isfinite(big)):
        raise MesonDecayError(f"parent_p4 must be a finite (4,) array, got {parent_p4!r}")
    p_abs = float(np.linalg.norm(big[1:]))
    e_par = float(np.hypot(p_abs, ch.mass))
    return p_abs / e_par, e_par / ch.mass


def lab_angle_cdf(
    meson: str | int | MesonChannel,
    mass: float,
    parent_p4: ArrayLike,
    theta_lab: ArrayLike,
    *,
    n_s: int = 512,
    n_t: int = 32,
) -> FloatArray:
    """P(lab angle of S to the parent's direction <= theta_lab) for one decaying parent.

    For a fixed rest-frame momentum k* the rest-frame directions reaching lab angles
    <= theta are the caps cos(theta*) >= c+(theta) (and, for a scalar slower than
    the frame, cos(theta*) <= c-(theta)), so the probability is
    (1 - c+)/2 [+ (1 + c-)/2]: bounded and continuous, hence accurately averaged over
    the Dalitz plot by Gauss-Legendre quadrature (``n_s`` x ``n_t`` nodes).

    Parameters
    ----------
    meson : str, int or MesonChannel
    mass : float
        m_S, MeV.
    parent_p4 : (4,) array
        Lab four-momentum of the parent, MeV (put on shell with the PDG mass).
    theta_lab : array
        Lab angles, rad, in [0, pi].
    """
    ch = meson_channel(meson)
    m_s = float(_check_mass(mass))
    theta = np.asarray(theta_lab, dtype=np.float64)
    if m_s >= ch.mass - m_mu:
        return np.zeros_like(theta)
    beta, gamma = _parent_boost(ch, parent_p4)
    prob, k, e_s = _dalitz_nodes(ch, m_s, n_s, n_t)
    th = theta[..., None]
    c_plus, _ = rest_cos_from_lab_angle(th, k, e_s, beta, gamma, +1)
    c_minus, _ = rest_cos_from_lab_angle(th, k, e_s, beta, gamma, -1)
    two = beta * e_s > k
    th_max = lab_max_angle(k, e_s, beta, gamma)
    frac = np.where(two, 1.0 - 0.5 * (c_plus - c_minus), 0.5 * (1.0 - c_plus))
    frac = np.where(two & (th >= th_max), 1.0, frac)
    return np.clip(np.sum(frac * prob, axis=-1), 0.0, 1.0)


def lab_angular_density(
    meson: str | int | MesonChannel,
    mass: float,
    parent_p4: ArrayLike,
    cos_theta_lab: ArrayLike,
    *,
    n_s: int = 128,
    n_t: int = 8,
) -> FloatArray:
    """dP/dOmega_lab (sr^-1) of the scalar's lab direction for one parent, per decay to mu nu S.

    ``theta_lab`` is measured from the parent's momentum; the density is azimuthally
    symmetric and integrates to 1 over the sphere. It sums the rest-frame isotropic
    density times dOmega*/dOmega_lab over both lab solutions of a massive scalar and
    averages over the Dalitz plot by Gauss-Legendre quadrature (``n_s`` x ``n_t``
    nodes). Where a Dalitz node's maximum lab angle is near ``theta_lab`` the
    Jacobian has an integrable 1/sqrt peak, so there (only for a scalar slower than
    its parent in the parent frame) the quadrature is rough; :func:`lab_angle_cdf`
    is accurate everywhere.

    Parameters
    ----------
    meson : str, int or MesonChannel
    mass : float
        m_S, MeV.
    parent_p4 : (4,) array
        Lab four-momentum of the parent, MeV (put on shell with the PDG mass).
    cos_theta_lab : array
        cos of the lab angle to the parent's direction.
    """
    ch = meson_channel(meson)
    m_s = float(_check_mass(mass))
    cos_lab = np.asarray(cos_theta_lab, dtype=np.float64)
    if m_s >= ch.mass - m_mu:
        return np.zeros_like(cos_lab)
    beta, gamma = _parent_boost(ch, parent_p4)
    prob, k, e_s = _dalitz_nodes(ch, m_s, n_s, n_t)
    theta = np.arccos(np.clip(cos_lab, -1.0, 1.0))[..., None]
    reach = theta <= lab_max_angle(k, e_s, beta, gamma)
    total = np.zeros(np.broadcast_shapes(theta.shape, k.shape))
    for branch in (+1, -1):
        _, p_lab = rest_cos_from_lab_angle(theta, k, e_s, beta, gamma, branch)
        e_lab = np.sqrt(p_lab**2 + m_s**2)
        jac = rest_per_lab_solid_angle(p_lab, e_lab, np.cos(theta), k, beta, gamma)
        if branch < 0:
            jac = np.where(beta * e_s > k, jac, 0.0)
        total += np.where(reach, jac, 0.0)
    return np.sum(total * prob, axis=-1) / (4 * pi)
