"""The exact 2 -> 3 cross section of mu N -> mu N S in the lab, by quadrature.

Exact integration (lab frame, nucleus at rest, muon along +z). Variables: the
scalar's energy fraction x = E_S/E and polar angle theta; the momentum transfer
t and the recoil azimuth beta around V = p - k::

    d sigma = |M|^2 |k| dE_S dcos(theta) dt dbeta / (64 M^2 |p| |V| (2 pi)^4),

the recoil polar angle being fixed by the muon's mass shell. The (x, theta) plane
is tiled with mapped cells (log-spaced near x -> m_S/E and theta -> 0) and
integrated with Gauss-Legendre points in each cell, ln t with Gauss-Legendre
panels, beta with the periodic trapezoid rule.

The nucleus is a coherent charge (elastic form factor) plus, if the form factor
says so, incoherent protons.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from muphilic.constants import GeV, m_mu, m_proton
from muphilic.emission.dump_xsec.matrix_element import E2, FloatArray, _trace_from_dots
from muphilic.emission.dump_xsec.x_theta_plane import _u_stable
from muphilic.emission.form_factors import (
    DEFAULT_FORM_FACTOR,
    FormFactor,
    Target,
    g2_elastic,
    g2_inelastic,
)

__all__ = ["d2sigma_exact"]

#: Upper end of the t integration, MeV^2: the proton dipole form factor is
#: ~1e-3 here and the integrand falls like t^-2 beyond.
T_CUT = 4.0 * GeV**2


def _gl(n: int) -> tuple[FloatArray, FloatArray]:
    x, w = np.polynomial.legendre.leggauss(n)
    return 0.5 * (x + 1.0), 0.5 * w


def _scatterers(
    target: Target, form_factor: FormFactor
) -> list[tuple[float, Callable[[FloatArray], FloatArray]]]:
    """(mass, G2(t)) of what the muon scatters on: the nucleus, and its protons if
    ``form_factor`` has the incoherent part."""
    parts = [(target.nucleus_mass, lambda t: g2_elastic(t, target, form_factor.elastic))]
    if form_factor.inelastic:
        pm = form_factor.elastic if form_factor.pauli else None
        parts.append((m_proton, lambda t: g2_inelastic(t, target, pm)))
    return parts


def _d2sigma_one_target(
    energy: float,
    mass: float,
    x: FloatArray,
    theta: FloatArray,
    big_m: float,
    g2,
    n_t: tuple[int, int],
    n_beta: int,
) -> FloatArray:
    m = m_mu
    pabs = np.sqrt(energy**2 - m**2)
    ek = x * energy
    kabs = np.sqrt(np.maximum(ek**2 - mass**2, 0.0))
    st, ct = np.sin(theta), np.cos(theta)
    u = _u_stable(energy, pabs, ek, kabs, theta, mass)
    vx, vz = -kabs * st, pabs - kabs * ct
    vabs = np.hypot(vx, vz)
    # two-body system (p' + P'): mass^2 s', recoil momentum range along V
    above = 2.0 * big_m * (energy - ek - m) - u  # s' - (M + m)^2
    ok = (above > 0) & (kabs > 0)
    above = np.where(ok, above, 1.0)
    sp = (big_m + m) ** 2 + above
    rs = np.sqrt(sp)
    lam = above * (sp - (big_m - m) ** 2)
    pstar = np.sqrt(lam) / (2.0 * rs)
    estar = (sp + big_m**2 - m**2) / (2.0 * rs)
    w = energy + big_m - ek
    num = (vabs * estar) ** 2 - (w * pstar) ** 2  # s' * (Q_lo)(Q_hi)-like product
    q_hi = (vabs * estar + w * pstar) / rs
    q_lo = np.abs(num) / sp / q_hi
    t_lo = 2.0 * big_m * q_lo**2 / (np.sqrt(big_m**2 + q_lo**2) + big_m)
    t_hi = 2.0 * big_m * q_hi**2 / (np.sqrt(big_m**2 + q_hi**2) + big_m)
    t_up = np.minimum(t_hi, T_CUT)
    ok &= t_up > t_lo
    t_lo = np.where(ok, t_lo, 1.0)
    t_up = np.where(ok, t_up, 2.0)
    # ln t nodes: a fine panel over the first 8 e-folds (the rise above t_min), a second above
    ln_lo, ln_up = np.log(t_lo), np.log(t_up)
    ln_b = np.minimum(ln_lo + 8.0, ln_up)
    n1, n2 = n_t
    r1, w1 = _gl(n1)
    r2, w2 = _gl(n2)
    lnt = np.concatenate(
        [
            ln_lo[:, None] + (ln_b - ln_lo)[:, None] * r1,
            ln_b[:, None] + (ln_up - ln_b)[:, None] * r2,
        ],
        axis=1,
    )
    wt = np.concatenate([(ln_b - ln_lo)[:, None] * w1, (ln_up - ln_b)[:, None] * w2], axis=1)
    t = np.exp(lnt)  # (S, NT)
    beta = 2.0 * np.pi * np.arange(n_beta) / n_beta
    cb, sb = np.cos(beta), np.sin(beta)
    # kinematics at (S, NT)
    e_rec = big_m + t / (2.0 * big_m)
    qq = np.sqrt(t + t**2 / (4.0 * big_m**2))
    de = (energy - ek)[:, None]
    cos_a = (u[:, None] + de * t / big_m - t**2 / (4.0 * big_m**2) + qq**2) / (
        2.0 * vabs[:, None] * qq
    )
    cos_a = np.clip(cos_a, -1.0, 1.0)
    sin_a = np.sqrt(1.0 - cos_a**2)
    vhx, vhz = (vx / vabs)[:, None], (vz / vabs)[:, None]
    # e1 = (vhz, 0, -vhx), e2 = y
    qpar = qq * cos_a
    qperp = qq * sin_a
    qx = qpar[..., None] * vhx[..., None] + qperp[..., None] * cb * vhz[..., None]
    qy = qperp[..., None] * sb
    qz = qpar[..., None] * vhz[..., None] - qperp[..., None] * cb * vhx[..., None]
    # four-vectors (S, NT, NB): p = (E, 0, 0, |p|); k = (ek, kx, 0, kz); P' = (e_rec, Q)
    kx = (kabs * st)[:, None, None]
    kz = (kabs * ct)[:, None, None]
    ekb = ek[:, None, None]
    e_out = (w[:, None] - e_rec)[..., None]
    ppx = vx[:, None, None] - qx
    ppy = -qy
    ppz = vz[:, None, None] - qz
    tt = t[..., None]
    # q = P - P' = (-t/2M, -Q);  P_sum = P + P' = (2M + t/2M, Q)
    p_dot_q = -energy * tt / (2.0 * big_m) + pabs * qz
    ps0 = (2.0 * big_m + t / (2.0 * big_m))[..., None]
    ps_dot_p = ps0 * energy - pabs * qz
    c = ps_dot_p / p_dot_q
    # eps = P_sum - c q
    e0 = ps0 + c * tt / (2.0 * big_m)
    ex, ey, ez = qx * (1.0 + c), qy * (1.0 + c), qz * (1.0 + c)
    e_pp = e0 * e_out - ex * ppx - ey * ppy - ez * ppz
    e_k = e0 * ekb - ex * kx - ez * kz
    e_e = (4.0 * big_m**2 + tt) - c**2 * tt
    k_p = (0.5 * (u + mass**2))[:, None, None]
    d1 = 2.0 * p_dot_q - tt
    k_pp = 0.5 * (d1 - mass**2)
    pp_p = e_out * energy - pabs * ppz
    trace = _trace_from_dots(
        pp_p=pp_p,
        k_p=k_p,
        k_pp=k_pp,
        e_p=np.zeros_like(e_k),
        e_pp=e_pp,
        e_k=e_k,
        e_e=e_e,
        mass=mass,
    )
    msq = E2**2 * g2(t)[..., None] / (2.0 * tt**2) * trace
    pref = energy * st * kabs / (64.0 * big_m**2 * pabs * vabs * (2.0 * np.pi) ** 4)
    pref = np.where(ok, pref, 0.0)
    # int dt dbeta: all trapezoid points, and the even half of them (error estimate)
    fine = pref * (msq.mean(axis=-1) * 2.0 * np.pi * t * wt).sum(axis=-1)
    coarse = pref * (msq[..., ::2].mean(axis=-1) * 2.0 * np.pi * t * wt).sum(axis=-1)
    return np.stack([fine, coarse])


def d2sigma_exact(
    energy: float,
    mass: float,
    x: ArrayLike,
    theta: ArrayLike,
    target: Target,
    form_factor: FormFactor = DEFAULT_FORM_FACTOR,
    *,
    n_t: tuple[int, int] = (16, 24),
    n_beta: int = 8,
    chunk: int = 4096,
    with_coarse: bool = False,
) -> FloatArray:
    """Exact d^2 sigma / (dx dtheta) of mu N -> mu N S per nucleus at y = 1, mm^2 / rad.

    Parameters
    ----------
    energy : float
        Muon energy E, MeV (lab, nucleus at rest).
    mass : float
        m_S, MeV.
    x, theta : arrays (same shape)
        Scalar energy fraction E_S/E and polar angle to the muon direction, rad.
    target : Target
    form_factor : FormFactor
    n_t : (int, int)
        Gauss-Legendre points in ln t on the rise above t_min (8 e-folds) and above.
    n_beta : int
        Trapezoid points in the recoil azimuth.

    with_coarse : bool
        Also return the same with half the azimuth points (an error estimate).

    Returns
    -------
    array
        Coherent plus (if enabled) incoherent proton contributions, in mm^2; with
        ``with_coarse`` an array of shape ``(2, *shape)`` (fine, coarse).
    """
    from muphilic.constants import hbarc

    x = np.asarray(x, dtype=np.float64)
    theta = np.asarray(theta, dtype=np.float64)
    shape = np.broadcast(x, theta).shape
    xf = np.broadcast_to(x, shape).ravel()
    tf = np.broadcast_to(theta, shape).ravel()
    if n_beta % 2:
        raise ValueError(f"n_beta must be even, got {n_beta}")
    out = np.zeros((2, xf.size))
    step = max(1, chunk // (sum(n_t) * n_beta // 64 + 1))
    parts = _scatterers(target, form_factor)
    for lo in range(0, xf.size, step):
        sl = slice(lo, lo + step)
        for big_m, g2 in parts:
            out[:, sl] += _d2sigma_one_target(energy, mass, xf[sl], tf[sl], big_m, g2, n_t, n_beta)
    out = out * hbarc**2
    if with_coarse:
        return out.reshape((2, *shape))
    return out[0].reshape(shape)
