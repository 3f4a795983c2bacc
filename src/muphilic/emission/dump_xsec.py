"""Cross section of mu N -> mu N S by one-photon exchange: exact 2 -> 3 and improved WW.

Squared matrix element (computed here, checked against an explicit Dirac trace in
the tests). With the Yukawa coupling ``y S mu-bar mu`` (paper Eq. (1), y = 1
here: every cross section below is sigma / y^2), photon exchange ``q = P - P'``,
``t = -q^2`` and the nucleus a scalar-like coherent charge,

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

Exact integration (lab frame, nucleus at rest, muon along +z). Variables: the
scalar's energy fraction x = E_S/E and polar angle theta; the momentum transfer
t and the recoil azimuth beta around V = p - k::

    d sigma = |M|^2 |k| dE_S dcos(theta) dt dbeta / (64 M^2 |p| |V| (2 pi)^4),

the recoil polar angle being fixed by the muon's mass shell. The (x, theta) plane
is tiled with mapped cells (log-spaced near x -> m_S/E and theta -> 0) and
integrated with Gauss-Legendre points in each cell, ln t with Gauss-Legendre
panels, beta with the periodic trapezoid rule. An independent integrator
(:func:`sigma_vegas`) uses a different phase-space parametrisation (invariant mass
of the mu S system, t, and the decay angles in its rest frame) with vegas.

Improved Weizsacker-Williams (IWW; Kim & Tsai, PRD 8 (1973) 3109; Bjorken, Essig,
Schuster & Toro, PRD 80 (2009) 075018, App. A; Liu, McKeen & Miller, PRD 95 (2017)
036010 for a scalar). Derived here from the same |M|^2 by keeping the transverse
photon and the leading power in t/t_min:

    d sigma/(dx dcos theta) = alpha chi |A|^2 |k| E / (32 pi^2 |p| |p'| t_min),
    t_min = (U / (|V| + |p'|))^2,  U = 2 p.k - m_S^2,
    chi = int_{t_min}^{t_max} dt (t - t_min) G2(t) / t^2,   t_max = m_S^2 + m^2,

with |A|^2 the spin- and polarisation-averaged gamma mu -> S mu matrix element
at s - m^2 = U/(1 - x), u - m^2 = -U (:func:`photon_muon_amplitude_squared`).

Both muon charges give the same result at this order (the charge enters squared).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from muphilic.constants import GeV, alpha_em, m_mu, m_proton
from muphilic.emission.form_factors import (
    DEFAULT_FORM_FACTOR,
    FormFactor,
    Target,
    g2_elastic,
    g2_inelastic,
)

__all__ = [
    "XThetaMap",
    "d2sigma_exact",
    "d2sigma_iww",
    "lepton_trace",
    "mdot",
    "photon_flux_chi",
    "photon_muon_amplitude_squared",
    "sigma_vegas",
]

FloatArray = NDArray[np.float64]

E2 = 4.0 * np.pi * alpha_em  # e^2 (Heaviside-Lorentz, natural units)
#: Upper end of the t integration, MeV^2: the proton dipole form factor is
#: ~1e-3 here and the integrand falls like t^-2 beyond.
T_CUT = 4.0 * GeV**2


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


# --------------------------------------------------------------------------------------
# The (x, theta) map shared by the exact integrator, the IWW and the sampling tables
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class XThetaMap:
    """Maps the unit square (r_x, r_theta) onto the scalar's (x, theta) for (E, m_S).

    ``energy`` may be an array (one map per muon); the methods broadcast.

    * x: log-spaced from ``x_lo = m_S/E`` to ``x_b`` over ``r_x < R_XB`` (= 1/4; keep
      the number of x cells a multiple of 4), then linear up to ``x_hi = 1 - m_mu/E``;
    * theta: ``theta_c ((1 + pi/theta_c)^r - 1)``, ``theta_c = max(m_mu, m_S)/E``.
    """

    energy: float | FloatArray
    mass: float

    R_XB = 0.25

    @property
    def x_lo(self) -> FloatArray:
        return self.mass / np.asarray(self.energy, dtype=np.float64)

    @property
    def x_hi(self) -> FloatArray:
        return 1.0 - m_mu / np.asarray(self.energy, dtype=np.float64)

    @property
    def x_b(self) -> FloatArray:
        return np.minimum(np.maximum(20.0 * self.x_lo, 0.05), 0.5 * (self.x_lo + self.x_hi))

    @property
    def theta_c(self) -> FloatArray:
        return max(m_mu, self.mass) / np.asarray(self.energy, dtype=np.float64)

    def x(self, r: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """x(r) and dx/dr."""
        r = np.asarray(r, dtype=np.float64)
        lo, hi, xb, rb = self.x_lo, self.x_hi, self.x_b, self.R_XB
        lg = np.log(xb / lo)
        x_log = lo * np.exp(lg * np.minimum(r, rb) / rb)
        x_lin = xb + (hi - xb) * (r - rb) / (1.0 - rb)
        x = np.where(r < rb, x_log, x_lin)
        jac = np.where(r < rb, x_log * lg / rb, (hi - xb) / (1.0 - rb))
        return x, jac

    def r_of_x(self, x: ArrayLike) -> FloatArray:
        """Inverse of :meth:`x`."""
        x = np.asarray(x, dtype=np.float64)
        lo, hi, xb, rb = self.x_lo, self.x_hi, self.x_b, self.R_XB
        r_log = rb * np.log(np.maximum(x, lo) / lo) / np.log(xb / lo)
        r_lin = rb + (1.0 - rb) * (x - xb) / (hi - xb)
        return np.where(x < xb, r_log, r_lin)

    def theta(self, r: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """theta(r) and dtheta/dr."""
        r = np.asarray(r, dtype=np.float64)
        tc = self.theta_c
        lg = np.log1p(np.pi / tc)
        th = tc * np.expm1(lg * r)
        return th, lg * (th + tc)

    def r_of_theta(self, theta: ArrayLike) -> FloatArray:
        """Inverse of :meth:`theta`."""
        tc = self.theta_c
        return np.log1p(np.asarray(theta, dtype=np.float64) / tc) / np.log1p(np.pi / tc)


# --------------------------------------------------------------------------------------
# Exact 2 -> 3 in the lab
# --------------------------------------------------------------------------------------
def _gl(n: int) -> tuple[FloatArray, FloatArray]:
    x, w = np.polynomial.legendre.leggauss(n)
    return 0.5 * (x + 1.0), 0.5 * w


def _u_stable(
    energy: float, pabs: float, ek: FloatArray, kabs: FloatArray, theta: FloatArray, mass: float
) -> FloatArray:
    """U = 2 p.k - m_S^2 without the small-angle cancellation."""
    m = m_mu
    e_minus = (m**2 * ek**2 + mass**2 * energy**2 - m**2 * mass**2) / (energy * ek + pabs * kabs)
    return 2.0 * e_minus + 4.0 * pabs * kabs * np.sin(0.5 * theta) ** 2 - mass**2


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
    parts = [(target.nucleus_mass, lambda t: g2_elastic(t, target, form_factor.elastic))]
    if form_factor.inelastic:
        pm = form_factor.elastic if form_factor.pauli else None
        parts.append((m_proton, lambda t: g2_inelastic(t, target, pm)))
    for lo in range(0, xf.size, step):
        sl = slice(lo, lo + step)
        for big_m, g2 in parts:
            out[:, sl] += _d2sigma_one_target(energy, mass, xf[sl], tf[sl], big_m, g2, n_t, n_beta)
    out = out * hbarc**2
    if with_coarse:
        return out.reshape((2, *shape))
    return out[0].reshape(shape)


# --------------------------------------------------------------------------------------
# Improved Weizsacker-Williams
# --------------------------------------------------------------------------------------
def photon_flux_chi(
    t_min: ArrayLike,
    t_max: ArrayLike,
    target: Target,
    form_factor: FormFactor = DEFAULT_FORM_FACTOR,
    n: int = 48,
) -> FloatArray:
    """Effective photon flux chi = int dt (t - t_min) G2(t)/t^2 (dimensionless).

    Gauss-Legendre in ln t with ``n`` points; t in MeV^2.
    """
    t_min = np.asarray(t_min, dtype=np.float64)
    t_max = np.broadcast_to(np.asarray(t_max, dtype=np.float64), t_min.shape)
    ok = t_max > t_min
    lo = np.log(np.where(ok, t_min, 1.0))
    hi = np.log(np.where(ok, t_max, 2.0))
    r, w = _gl(n)
    lnt = lo[..., None] + (hi - lo)[..., None] * r
    t = np.exp(lnt)
    g2 = form_factor.g2(t, target)
    val = ((t - t_min[..., None]) * g2 / t * w).sum(axis=-1) * (hi - lo)
    return np.where(ok, val, 0.0)


def d2sigma_iww(
    energy: float,
    mass: float,
    x: ArrayLike,
    theta: ArrayLike,
    target: Target,
    form_factor: FormFactor = DEFAULT_FORM_FACTOR,
) -> FloatArray:
    """IWW d^2 sigma / (dx dtheta) per nucleus at y = 1, mm^2 / rad (module docstring)."""
    from muphilic.constants import hbarc

    x = np.asarray(x, dtype=np.float64)
    theta = np.asarray(theta, dtype=np.float64)
    m = m_mu
    pabs = np.sqrt(energy**2 - m**2)
    ek = x * energy
    kabs = np.sqrt(np.maximum(ek**2 - mass**2, 0.0))
    u = _u_stable(energy, pabs, ek, kabs, theta, mass)
    vabs = np.sqrt(pabs**2 + kabs**2 - 2.0 * pabs * kabs * np.cos(theta))
    pp2 = (energy - ek) ** 2 - m**2
    ok = (pp2 > 0) & (kabs > 0) & (x < 1)
    ppabs = np.sqrt(np.where(ok, pp2, 1.0))
    t_min = (u / (vabs + ppabs)) ** 2
    chi = photon_flux_chi(t_min, mass**2 + m**2, target, form_factor)
    xs = np.where(ok, x, 0.5)
    amp2 = photon_muon_amplitude_squared(u / (1.0 - xs), -u, mass)
    val = alpha_em * chi * amp2 * kabs * energy / (32.0 * np.pi**2 * pabs * ppabs * t_min)
    return np.where(ok, val * np.sin(theta), 0.0) * hbarc**2


# --------------------------------------------------------------------------------------
# Independent integrator: vegas over (m_X^2, t, decay angles of X = mu' S)
# --------------------------------------------------------------------------------------
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

    parts = [(target.nucleus_mass, lambda t: g2_elastic(t, target, form_factor.elastic))]
    if form_factor.inelastic:
        pm = form_factor.elastic if form_factor.pauli else None
        parts.append((m_proton, lambda t: g2_inelastic(t, target, pm)))
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
