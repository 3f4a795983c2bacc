"""An independent integrator of the total cross section of mu N -> mu N S, with vegas.

:func:`sigma_vegas` checks the exact integrator with a different phase-space
parametrisation: the invariant mass of the mu S system X, the momentum transfer
t, and the decay angles of X -> mu S in its rest frame, integrated with vegas.
"""

from __future__ import annotations

import numpy as np

from muphilic.constants import m_mu
from muphilic.emission.dump_xsec.exact_integration import T_CUT, _scatterers
from muphilic.emission.dump_xsec.matrix_element import E2, FloatArray, lepton_trace, mdot
from muphilic.emission.form_factors import DEFAULT_FORM_FACTOR, FormFactor, Target

__all__ = ["sigma_vegas"]


def _lambda(a: FloatArray, b: float, c: float) -> FloatArray:
    return (a - (np.sqrt(b) + np.sqrt(c)) ** 2) * (a - (np.sqrt(b) - np.sqrt(c)) ** 2)


def _boost(vec4: FloatArray, beta: FloatArray) -> FloatArray:
    """Boost (..., 4) four-vectors by velocity ``beta`` (..., 3)."""
    b2 = np.sum(beta**2, axis=-1)
    gam = 1.0 / np.sqrt(1.0 - b2)
    bp = np.sum(beta * vec4[..., 1:], axis=-1)
    gam2 = np.where(b2 > 0, (gam - 1.0) / np.where(b2 > 0, b2, 1.0), 0.0)
    e = gam * (vec4[..., 0] + bp)
    p3 = vec4[..., 1:] + (gam2 * bp + gam * vec4[..., 0])[..., None] * beta
    return np.concatenate([e[..., None], p3], axis=-1)


def _sigma_integrand_cm(y: FloatArray, energy: float, mass: float, big_m: float, g2) -> FloatArray:
    """sigma integrand over the unit hypercube (m_X^2, t, cos theta*, phi*); MeV^-2."""
    m = m_mu
    n = y.shape[0]
    pabs = np.sqrt(energy**2 - m**2)
    s = big_m**2 + m**2 + 2.0 * big_m * energy
    rs = np.sqrt(s)
    # m_X^2 - m^2 log-mapped between threshold and the end point
    a_lo = (m + mass) ** 2 - m**2
    a_hi = (rs - big_m) ** 2 - m**2
    la = np.log(a_hi / a_lo)
    a = a_lo * np.exp(la * y[:, 0])
    mx2 = m**2 + a
    jac = a * la
    # t range of p + P -> X + P' (CM formulae, stable form)
    ea = (2.0 * m**2 + 2.0 * big_m * energy) / (2.0 * rs)
    pa = big_m * pabs / rs
    ec = (m**2 + 2.0 * big_m * energy + mx2) / (2.0 * rs)
    pc = np.sqrt(np.maximum(ec**2 - mx2, 0.0))
    prod = (m**2 * ec**2 + mx2 * ea**2 - m**2 * mx2) / (ea * ec + pa * pc)
    tau_lo = 2.0 * prod - m**2 - mx2
    tau_hi = np.minimum(2.0 * (ea * ec + pa * pc) - m**2 - mx2, T_CUT)
    ok = tau_hi > tau_lo
    tau_lo = np.where(ok, tau_lo, 1.0)
    tau_hi = np.where(ok, tau_hi, 2.0)
    lt = np.log(tau_hi / tau_lo)
    tau = tau_lo * np.exp(lt * y[:, 1])
    jac = jac * tau * lt
    # recoil in the lab
    trec = tau / (2.0 * big_m)
    qabs = np.sqrt(tau + trec**2)
    qz = (0.5 * (a + tau) + energy * trec) / pabs
    qt = np.sqrt(np.maximum(qabs**2 - qz**2, 0.0))
    zeros = np.zeros(n)
    p4 = np.stack([np.full(n, energy), zeros, zeros, np.full(n, pabs)], axis=-1)
    big_p = np.stack([np.full(n, big_m), zeros, zeros, zeros], axis=-1)
    big_pp = np.stack([big_m + trec, qt, zeros, qz], axis=-1)
    x4 = p4 + big_p - big_pp
    # X -> mu' S in the X rest frame
    mx = np.sqrt(mx2)
    pst = np.sqrt(np.maximum(_lambda(mx2, m**2, mass**2), 0.0)) / (2.0 * mx)
    cth = 2.0 * y[:, 2] - 1.0
    sth = np.sqrt(1.0 - cth**2)
    phi = 2.0 * np.pi * y[:, 3]
    nvec = np.stack([sth * np.cos(phi), sth * np.sin(phi), cth], axis=-1)
    k_rest = np.concatenate([np.sqrt(pst**2 + mass**2)[:, None], pst[:, None] * nvec], axis=-1)
    pp_rest = np.concatenate([np.sqrt(pst**2 + m**2)[:, None], -pst[:, None] * nvec], axis=-1)
    bx = x4[:, 1:] / x4[:, :1]
    k4 = _boost(k_rest, bx)
    pp4 = _boost(pp_rest, bx)
    q4 = big_p - big_pp
    psum = big_p + big_pp
    c = mdot(psum, p4) / mdot(q4, p4)
    eps = psum - c[:, None] * q4
    trace = lepton_trace(p4, pp4, k4, eps, mass)
    msq = E2**2 * g2(tau) / (2.0 * tau**2) * trace
    # dPhi3 = dt/(8 pi lambda^1/2(s,m^2,M^2)) dm_X^2/(2 pi) |p*| dOmega*/(16 pi^2 m_X)
    lam_i = 2.0 * rs * pa
    dphi = pst * 4.0 * np.pi / (8.0 * np.pi * lam_i * 2.0 * np.pi * 16.0 * np.pi**2 * mx)
    val = msq * dphi * jac / (2.0 * lam_i)
    return np.where(ok & (pst > 0), val, 0.0)


def sigma_vegas(
    energy: float,
    mass: float,
    target: Target,
    form_factor: FormFactor = DEFAULT_FORM_FACTOR,
    *,
    neval: int = 100_000,
    nitn: int = 10,
    seed: int = 1,
) -> tuple[float, float]:
    """Total sigma/y^2 with vegas in an independent phase-space parametrisation.

    Returns
    -------
    (mean, sdev) : floats
        mm^2 per nucleus; ``sdev`` is vegas' statistical error estimate (adaptation
        iterations discarded).
    """
    import vegas

    from muphilic.constants import hbarc

    parts = _scatterers(target, form_factor)
    mean = 0.0
    var = 0.0
    for i, (big_m, g2) in enumerate(parts):
        if energy <= m_mu + mass + (m_mu + mass) ** 2 / (2 * big_m):
            continue

        @vegas.lbatchintegrand
        def f(y: FloatArray, big_m: float = big_m, g2=g2) -> FloatArray:
            return _sigma_integrand_cm(y, energy, mass, big_m, g2)

        rng = np.random.default_rng(seed + i)
        integ = vegas.Integrator(4 * [[0.0, 1.0]], ran_array_generator=rng.random)
        integ(f, nitn=5, neval=neval)
        res = integ(f, nitn=nitn, neval=neval)
        mean += res.mean
        var += res.sdev**2
    return mean * hbarc**2, float(np.sqrt(var)) * hbarc**2
