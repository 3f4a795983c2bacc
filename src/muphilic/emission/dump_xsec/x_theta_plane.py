"""The scalar's (x, theta) plane in the lab: its mapped cells and the kinematics of a point.

x = E_S/E is the scalar's energy fraction and theta its polar angle to the muon
(lab frame, nucleus at rest, muon along +z). :class:`XThetaMap` maps the unit
square onto the plane, log-spaced near x -> m_S/E and theta -> 0; it is shared by
the exact integrator, the improved Weizsacker-Williams cross section and the
sampling tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from muphilic.constants import m_mu

__all__ = ["XThetaMap"]

FloatArray = NDArray[np.float64]


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


def _u_stable(
    energy: float, pabs: float, ek: FloatArray, kabs: FloatArray, theta: FloatArray, mass: float
) -> FloatArray:
    """U = 2 p.k - m_S^2 without the small-angle cancellation."""
    m = m_mu
    e_minus = (m**2 * ek**2 + mass**2 * energy**2 - m**2 * mass**2) / (energy * ek + pabs * kabs)
    return 2.0 * e_minus + 4.0 * pabs * kabs * np.sin(0.5 * theta) ** 2 - mass**2
