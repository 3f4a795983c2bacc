"""Importance sampling of meson momenta from the production cross sections.

The target density is ``f(p, theta) / I`` in the measure dp dOmega, with
``f = d2sigma/dp dOmega`` and ``I`` its integral (:func:`integrated_xsec`).
The proposal is a defensive mixture: with probability ``1 - eps`` a cell of a
(p, theta) grid chosen with probability proportional to f at its centre times
its phase-space volume, then a point uniform in (p, cos theta) inside the cell;
with probability ``eps`` a point uniform over the whole domain. The proposal is
positive wherever f is, so the weights ``f / (I g)`` (mean 1) make every
estimate unbiased; on smooth f they stay close to 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray

from muphilic.beamline.production.bnb_fits import integrated_xsec, production_xsec

__all__ = ["MomentumSampler", "momentum_sampler"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class MomentumSampler:
    """Tabulated proposal for one species at one beam momentum."""

    species: str
    p_beam: float
    p_edges: FloatArray
    cos_edges: FloatArray  # decreasing (theta increasing)
    cell_prob: FloatArray  # (n_p, n_theta), sums to 1
    integral: float
    eps: float = 0.02

    @property
    def domain_volume(self) -> float:
        """Volume of the (p, Omega) domain (p in [0, p_beam], theta in [0, pi/2])."""
        return self.p_edges[-1] * 2.0 * math.pi

    def density(self, p: FloatArray, cos_t: FloatArray) -> FloatArray:
        """Proposal density g(p, Omega) (per MeV per sr)."""
        ip = np.clip(np.searchsorted(self.p_edges, p, side="right") - 1, 0, len(self.p_edges) - 2)
        it = np.clip(
            np.searchsorted(-self.cos_edges, -cos_t, side="right") - 1, 0, len(self.cos_edges) - 2
        )
        vol = (self.p_edges[ip + 1] - self.p_edges[ip]) * (
            2.0 * math.pi * (self.cos_edges[it] - self.cos_edges[it + 1])
        )
        return (1.0 - self.eps) * self.cell_prob[ip, it] / vol + self.eps / self.domain_volume

    def sample(self, rng: np.random.Generator, n: int) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Draw n momenta: (|p| in MeV, cos theta, weight f / (I g))."""
        flat = self.cell_prob.ravel()
        cdf = np.cumsum(flat)
        cells = np.minimum(np.searchsorted(cdf, rng.random(n) * cdf[-1]), flat.size - 1)
        ip, it = np.divmod(cells, self.cell_prob.shape[1])
        p = self.p_edges[ip] + rng.random(n) * (self.p_edges[ip + 1] - self.p_edges[ip])
        c = self.cos_edges[it] + rng.random(n) * (self.cos_edges[it + 1] - self.cos_edges[it])
        uniform = rng.random(n) < self.eps
        n_u = int(np.count_nonzero(uniform))
        p[uniform] = rng.random(n_u) * self.p_edges[-1]
        c[uniform] = rng.random(n_u)
        f = production_xsec(self.species, p, np.arccos(np.clip(c, -1.0, 1.0)), self.p_beam)
        w = f / (self.integral * self.density(p, c))
        return p, c, w


@cache
def momentum_sampler(
    species: str, p_beam: float, n_p: int = 240, n_theta: int = 240
) -> MomentumSampler:
    """Build (and cache) the proposal for ``species`` at proton momentum ``p_beam`` (MeV)."""
    p_edges = np.linspace(0.0, p_beam, n_p + 1)
    u = np.linspace(0.0, 1.0, n_theta + 1)
    theta_edges = 0.5 * math.pi * u**2
    cos_edges = np.cos(theta_edges)
    cos_edges[-1] = 0.0
    pc = 0.5 * (p_edges[1:] + p_edges[:-1])
    tc = 0.5 * (theta_edges[1:] + theta_edges[:-1])
    pp, tt = np.meshgrid(pc, tc, indexing="ij")
    f = production_xsec(species, pp, tt, p_beam)
    vol = np.diff(p_edges)[:, None] * (2.0 * math.pi * (cos_edges[:-1] - cos_edges[1:]))[None, :]
    mass = f * vol
    prob = mass / np.sum(mass)
    return MomentumSampler(
        species, p_beam, p_edges, cos_edges, prob, integrated_xsec(species, p_beam)
    )
