"""Rest-frame directions of the scalar: the isotropic sphere and the aimed region.

:func:`_aim_region` bounds the preimage, in the parent rest frame, of the lab cone
that subtends a target sphere from the decay vertex (both lab solutions of a
massive scalar); :func:`_draw_direction` draws uniform directions over a region,
whose solid-angle fraction the sampler carries in the weight
(``../DESIGN.md``, key idea 2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from muphilic import kernels
from muphilic.emission.kinematics import lab_max_angle, perpendicular_basis
from muphilic.emission.meson_decays.channels import FloatArray


# --- directions ------------------------------------------------------------------------------
# Vectors are handled as (3, N) component arrays: contiguous rows make the element-wise
# products, dot products and norms below cheap. Every expression keeps the operation
# order of the row-vector forms (np.linalg.norm, np.cross, np.sum(..., axis=1)), so the
# results are the same bit for bit.
def _norm3(v: FloatArray) -> FloatArray:
    """Euclidean norm of (3, N) components, as np.linalg.norm over the rows."""
    return np.sqrt((v[0] * v[0] + v[1] * v[1]) + v[2] * v[2])


def _dot3(a: FloatArray, b: FloatArray) -> FloatArray:
    """Row dot products of (3, N) components, as np.sum(a * b, axis=1)."""
    return (a[0] * b[0] + a[1] * b[1]) + a[2] * b[2]


def _cross3(a: FloatArray, b: FloatArray) -> FloatArray:
    """Cross products of (3, N) components, as np.cross."""
    return np.stack(
        (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])
    )


@dataclass(frozen=True)
class _Region:
    """Rest-frame direction region: azimuth |phi| <= dphi about ``axis`` measured from ``e1``,
    cos(theta*) in [lo1, hi1] U [lo2, hi2]. ``axis``, ``e1``, ``e2`` are (3, N) components."""

    axis: FloatArray
    e1: FloatArray
    e2: FloatArray
    lo1: FloatArray
    hi1: FloatArray
    lo2: FloatArray
    hi2: FloatArray
    dphi: FloatArray

    @property
    def solid_angle(self) -> FloatArray:
        return 2 * self.dphi * ((self.hi1 - self.lo1) + (self.hi2 - self.lo2))


def _full_sphere(axis: FloatArray) -> _Region:
    n = axis.shape[1]
    e1, e2 = perpendicular_basis(axis.T)
    ones = np.ones(n)
    zeros = np.zeros(n)
    return _Region(axis, e1.T, e2.T, -ones, ones, zeros, zeros, np.pi * ones)


def _draw_direction(region: _Region, rng: np.random.Generator) -> FloatArray:
    """Uniform unit vectors over the region, (3, N) components."""
    n = region.axis.shape[1]
    u_band, u_cos, u_phi = rng.random((3, n))
    len1 = region.hi1 - region.lo1
    len2 = region.hi2 - region.lo2
    total = len1 + len2
    pick = u_band * total
    in1 = pick < len1
    cos_t = np.where(in1, region.lo1 + u_cos * len1, region.lo2 + u_cos * len2)
    cos_t = np.where(total > 0, cos_t, 1.0)
    sin_t = np.sqrt(np.maximum(1.0 - cos_t**2, 0.0))
    phi = (2 * u_phi - 1) * region.dphi
    return (
        cos_t * region.axis + (sin_t * np.cos(phi)) * region.e1 + (sin_t * np.sin(phi)) * region.e2
    )


def _aim_region(
    parent_p3: FloatArray,
    parent_mass: float,
    vertex: FloatArray,
    centre: FloatArray,
    radius: float,
    k_rest: FloatArray,
    e_rest: FloatArray,
) -> _Region:
    """Rest-frame region containing every direction whose lab ray can meet the sphere.

    ``parent_p3`` and ``vertex`` are (3, N) components.
    """
    p_abs = _norm3(parent_p3)
    e_par = np.sqrt(p_abs**2 + parent_mass**2)
    beta = p_abs / e_par
    gamma = e_par / parent_mass
    d = centre[:, None] - vertex
    dist = _norm3(d)
    inside = dist <= radius
    zhat = np.array([[0.0], [0.0], [1.0]])
    with np.errstate(divide="ignore", invalid="ignore"):
        a_hat = np.where(inside, zhat, d / dist)
        b_hat = np.where(p_abs > 0, parent_p3 / p_abs, a_hat)
    cos_psi = np.clip(_dot3(a_hat, b_hat), -1.0, 1.0)
    sin_psi = _norm3(_cross3(b_hat, a_hat))
    psi = np.arctan2(sin_psi, cos_psi)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.arcsin(np.where(inside, 1.0, radius / dist))
    alpha = alpha * (1 + 1e-9) + 1e-15  # pad: never exclude a grazing ray by rounding

    polar = psi <= alpha
    anti = psi + alpha >= np.pi
    full = inside | (polar & anti)
    th_lo = np.where(polar, 0.0, psi - alpha)
    th_hi = np.where(anti, np.pi, np.minimum(psi + alpha, np.pi))
    with np.errstate(divide="ignore", invalid="ignore"):
        dphi = np.arcsin(np.clip(np.sin(alpha) / sin_psi, 0.0, 1.0))
    dphi = np.where(polar | anti, np.pi, dphi)
    th_lo = np.where(full, 0.0, th_lo)
    th_hi = np.where(full, np.pi, th_hi)
    dphi = np.where(full, np.pi, dphi)

    # Azimuth origin: toward the sphere centre around the boost axis (any
    # perpendicular where the two are aligned).
    with np.errstate(divide="ignore", invalid="ignore"):
        e1 = (a_hat - cos_psi * b_hat) / sin_psi
    degenerate = ~((sin_psi > 1e-12) & np.all(np.isfinite(e1), axis=0))
    if np.any(degenerate):
        basis1, _ = perpendicular_basis(b_hat[:, degenerate].T)
        e1[:, degenerate] = basis1.T
    e1 /= _norm3(e1)
    e2 = _cross3(b_hat, e1)

    # Preimage of the lab polar interval [th_lo, th_hi] in cos(theta*).
    c_coef = beta * e_rest - k_rest
    two_solutions = c_coef > 0
    th_max = lab_max_angle(k_rest, e_rest, beta, gamma)
    th_h = np.minimum(th_hi, th_max)
    f_hi, b_lo = kernels.rest_cos_both_branches(th_lo, k_rest, e_rest, beta, gamma)
    f_lo, b_hi = kernels.rest_cos_both_branches(th_h, k_rest, e_rest, beta, gamma)
    pad = 1e-12 * (1.0 + beta * e_rest / k_rest) + 1e-15
    lo1 = np.clip(np.where(th_hi >= np.pi, -1.0, f_lo - pad), -1.0, 1.0)
    hi1 = np.clip(np.where(th_lo <= 0, 1.0, f_hi + pad), -1.0, 1.0)
    lo2 = np.clip(b_lo - pad, -1.0, 1.0)
    hi2 = np.clip(b_hi + pad, -1.0, 1.0)
    lo2 = np.where(th_lo <= 0, -1.0, lo2)
    # Two bands only for a slow scalar; merge them when they touch.
    merge = two_solutions & (hi2 >= lo1)
    lo1 = np.where(merge, lo2, lo1)
    lo2 = np.where(two_solutions & ~merge, lo2, 0.0)
    hi2 = np.where(two_solutions & ~merge, hi2, 0.0)
    hi2 = np.maximum(hi2, lo2)
    unreachable = two_solutions & (th_lo > th_max)
    lo1 = np.where(unreachable, 1.0, lo1)
    hi1 = np.where(unreachable, 1.0, np.maximum(hi1, lo1))
    lo2 = np.where(unreachable, 0.0, lo2)
    hi2 = np.where(unreachable, 0.0, hi2)
    lo1 = np.where(full, -1.0, lo1)
    hi1 = np.where(full, 1.0, hi1)
    lo2 = np.where(full, 0.0, lo2)
    hi2 = np.where(full, 0.0, hi2)
    return _Region(b_hat, e1, e2, lo1, hi1, lo2, hi2, dphi)
