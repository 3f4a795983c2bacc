"""The improved Weizsacker-Williams (IWW) cross section of mu N -> mu N S.

Improved Weizsacker-Williams (IWW; Kim & Tsai, PRD 8 (1973) 3109; Bjorken, Essig,
Schuster & Toro, PRD 80 (2009) 075018, App. A; Liu, McKeen & Miller, PRD 95 (2017)
036010 for a scalar). Derived here from the |M|^2 of
:mod:`~muphilic.emission.dump_xsec.matrix_element` by keeping the transverse
photon and the leading power in t/t_min:

    d sigma/(dx dcos theta) = alpha chi |A|^2 |k| E / (32 pi^2 |p| |p'| t_min),
    t_min = (U / (|V| + |p'|))^2,  U = 2 p.k - m_S^2,
    chi = int_{t_min}^{t_max} dt (t - t_min) G2(t) / t^2,   t_max = m_S^2 + m^2,

with |A|^2 the spin- and polarisation-averaged gamma mu -> S mu matrix element
at s - m^2 = U/(1 - x), u - m^2 = -U (:func:`photon_muon_amplitude_squared`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from muphilic.constants import alpha_em, m_mu
from muphilic.emission.dump_xsec.exact_integration import _gl
from muphilic.emission.dump_xsec.matrix_element import FloatArray, photon_muon_amplitude_squared
from muphilic.emission.dump_xsec.x_theta_plane import _u_stable
from muphilic.emission.form_factors import DEFAULT_FORM_FACTOR, FormFactor, Target

__all__ = ["d2sigma_iww", "photon_flux_chi"]


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
