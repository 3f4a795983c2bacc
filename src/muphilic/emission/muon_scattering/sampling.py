"""Sampling the scalars that muons stopping in the dump emit, isotropic or aimed.

Samplers (one entry per muon that can emit; muons below threshold give none):

* :func:`sample_emissions` - the emission energy E' is drawn from
  ``sigma(E)/(dE/dx)(E)`` on [0, E_mu], the depth is the range between E_mu and
  E' along the muon's entry direction, and (x = E_S/E', theta, phi) come from the
  tabulated differential cross section in the muon frame, rotated to the lab.
  Weight: muon weight times P_emit (per POT per y^2).
* :func:`aim_emissions` - as above but the S direction is drawn uniformly inside
  the cone of a sphere (e.g. a detector) seen from the vertex, and the weight
  carries ``dP/dOmega * Omega_cone``, which is exact for the same model and
  bounded (dP/dOmega is finite everywhere).

Model of the differential distribution used for sampling: inside each cell of
the mapped (x, theta) grid the scalar is uniform in r_x and in solid angle; the
cell probabilities are the exact integrals, interpolated linearly in ln E
between table energies (a mixture of the two neighbouring nodes) and, off the
mass nodes, mixed between the two neighbouring masses in ln m_S.

Approximations: the muon's multiple scattering and energy-loss straggling are
neglected (the vertex lies on the entry line and the S angle is taken relative
to the entry direction; multiple Coulomb scattering over ~0.5 m of iron deflects
a 1 GeV muon by ~0.1 rad, more than the typical S emission angle m_mu/E, so the
S directions come out somewhat too forward); the dump is assumed thick enough to
stop the muon, and the range uses the same (mean) dE/dx, without straggling.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from muphilic.constants import DEDX_IRON_PAPER, N_IRON_PAPER
from muphilic.emission.dump_xsec import XThetaMap
from muphilic.emission.form_factors import DEFAULT_FORM_FACTOR, FormFactor, Target
from muphilic.emission.muon_scattering.probability import (
    DedxLike,
    FloatArray,
    MassSlice,
    MuonScatteringError,
    _check_mass,
    _emission_model,
    mass_slice,
)
from muphilic.events import MuonSample, ScalarSample

__all__ = [
    "aim_emissions",
    "sample_emissions",
]


# --------------------------------------------------------------------------------------
# sampling
# --------------------------------------------------------------------------------------
def _orthonormal_basis(d: FloatArray) -> tuple[FloatArray, FloatArray]:
    a = np.zeros_like(d)
    use_y = np.abs(d[:, 0]) > 0.9
    a[~use_y, 0] = 1.0
    a[use_y, 1] = 1.0
    e1 = a - np.sum(a * d, axis=1, keepdims=True) * d
    e1 /= np.linalg.norm(e1, axis=1, keepdims=True)
    e2 = np.cross(d, e1)
    return e1, e2


def _direction(axis: FloatArray, v: FloatArray, phi: FloatArray) -> FloatArray:
    """Unit vectors at ``1 - cos = v`` and azimuth ``phi`` around ``axis`` (N, 3)."""
    e1, e2 = _orthonormal_basis(axis)
    cos = 1.0 - v
    sin = np.sqrt(np.clip(v * (2.0 - v), 0.0, None))
    n = sin[:, None] * (np.cos(phi)[:, None] * e1 + np.sin(phi)[:, None] * e2) + cos[:, None] * axis
    return n / np.linalg.norm(n, axis=1, keepdims=True)


@dataclass(frozen=True)
class _Emissions:
    """Per-muon emission point and the energy-node mixture of the S distribution."""

    keep: NDArray[np.bool_]
    energy: FloatArray  # emission energy E', MeV
    vertex: FloatArray
    direction: FloatArray  # muon direction
    weight: FloatArray  # muon weight * P_emit (per y^2)
    node: NDArray[np.int64]  # lower table energy node
    frac: FloatArray  # probability of the upper node


def _emit(
    muons: MuonSample,
    slc: MassSlice,
    rng: np.random.Generator,
    n_nuclei: float,
    dedx: DedxLike,
) -> _Emissions:
    e_mu = muons.p4[:, 0]
    model = _emission_model(slc.sigma_at, float(e_mu.max()), n_nuclei, dedx)
    p_emit = np.interp(e_mu, model.energy, model.cumulative, left=0.0)
    keep = p_emit > 0
    e_mu, p_emit = e_mu[keep], p_emit[keep]
    # emission energy: inverse of the cumulative sigma/(dE/dx)
    c = rng.random(e_mu.size) * p_emit
    cum = model.cumulative
    i = np.clip(np.searchsorted(cum, c, side="left"), 1, cum.size - 1)
    f = (c - cum[i - 1]) / np.where(cum[i] > cum[i - 1], cum[i] - cum[i - 1], 1.0)
    e_emit = model.energy[i - 1] + np.clip(f, 0.0, 1.0) * (model.energy[i] - model.energy[i - 1])
    e_emit = np.minimum(e_emit, e_mu)
    depth = np.interp(e_mu, model.energy, model.range_) - np.interp(
        e_emit, model.energy, model.range_
    )
    p3 = muons.p4[keep, 1:]
    d = p3 / np.linalg.norm(p3, axis=1, keepdims=True)
    vertex = muons.position[keep] + np.maximum(depth, 0.0)[:, None] * d
    node, frac = _node_frac(slc, e_emit)
    weight = muons.weight[keep] * p_emit
    return _Emissions(keep, e_emit, vertex, d, weight, node, frac)


def _node_frac(slc: MassSlice, e_emit: FloatArray) -> tuple[NDArray[np.int64], FloatArray]:
    """Table energy nodes around E' (linear mixture in ln E), dropping nodes below threshold."""
    en = slc.energies
    node = np.clip(np.searchsorted(en, e_emit) - 1, 0, en.size - 2)
    frac = np.clip(np.log(e_emit / en[node]) / np.log(en[node + 1] / en[node]), 0.0, 1.0)
    lo_ok = slc.sigma[node] > 0
    hi_ok = slc.sigma[node + 1] > 0
    frac = np.where(lo_ok, frac, 1.0)
    frac = np.where(hi_ok, frac, 0.0)
    return node, frac


def _theta_edges(
    grid: XThetaMap, j: NDArray[np.int64], n_theta: int
) -> tuple[FloatArray, FloatArray]:
    """v = 1 - cos(theta) at the lower and upper edge of theta cell j (per event)."""
    th_lo, _ = grid.theta(j / n_theta)
    th_hi, _ = grid.theta((j + 1) / n_theta)
    return 2.0 * np.sin(0.5 * th_lo) ** 2, 2.0 * np.sin(0.5 * th_hi) ** 2


def _scalar_p4(mass: float, x: FloatArray, e_emit: FloatArray, n: FloatArray) -> FloatArray:
    # x >= m_S/E' by construction; the floor only guards rounding at the soft end
    # (a scalar at rest would have no direction)
    e_s = np.maximum(x * e_emit, mass * (1.0 + 1e-12))
    k = np.sqrt(np.maximum(e_s**2 - mass**2, 0.0))
    return np.concatenate([e_s[:, None], k[:, None] * n], axis=1)


def _no_emission(mass: float) -> ScalarSample:
    return ScalarSample(mass, "muon", np.zeros((0, 4)), np.zeros((0, 3)), np.zeros(0))


def sample_emissions(
    muons: MuonSample,
    mass: float,
    rng: np.random.Generator,
    *,
    n_nuclei: float = N_IRON_PAPER,
    dedx: DedxLike = DEDX_IRON_PAPER,
    target: str | Target = "Fe",
    form_factor: FormFactor = DEFAULT_FORM_FACTOR,
) -> ScalarSample:
    """Scalars emitted by dump muons (channel ``"muon"``), weights per POT per y^2.

    Parameters
    ----------
    muons : MuonSample
        Muons at the dump entry (position, four-momentum, weight per POT).
    mass : float
        m_S, MeV.
    rng : numpy.random.Generator
    n_nuclei, dedx, target, form_factor
        See :func:`emission_probability`.

    Returns
    -------
    ScalarSample
        One entry per muon above threshold: vertex at the emission depth along the
        muon's entry direction, S four-momentum from the differential cross section,
        weight = muon weight * P_emit / y^2.
    """
    _check_mass(mass)
    slc = mass_slice(mass, target, form_factor)
    em = _emit(muons, slc, rng, n_nuclei, dedx)
    n = em.energy.size
    if n == 0:
        return _no_emission(mass)  # no muon above threshold: no scalars, not an error
    nx, nth = slc.cell_prob.shape[1:]
    node = em.node + (rng.random(n) < em.frac)
    flat = slc.cell_prob.reshape(slc.energies.size, -1)
    cdf = np.cumsum(flat, axis=1)
    cdf[:, -1] = np.where(cdf[:, -1] > 0, 1.0, 0.0)
    glob = (cdf + np.arange(cdf.shape[0])[:, None]).ravel()
    cell = np.searchsorted(glob, node + rng.random(n), side="right") - node * nx * nth
    cell = np.clip(cell, 0, nx * nth - 1)
    ix, jt = np.divmod(cell, nth)
    grid = XThetaMap(em.energy, mass)
    x, _ = grid.x((ix + rng.random(n)) / nx)
    v_lo, v_hi = _theta_edges(grid, jt, nth)
    v = v_lo + rng.random(n) * (v_hi - v_lo)
    direction = _direction(em.direction, v, 2.0 * np.pi * rng.random(n))
    p4 = _scalar_p4(mass, x, em.energy, direction)
    return ScalarSample(mass, "muon", p4, em.vertex, em.weight)


def aim_emissions(
    muons: MuonSample,
    mass: float,
    target_center: ArrayLike,
    target_radius: float,
    rng: np.random.Generator,
    *,
    n_nuclei: float = N_IRON_PAPER,
    dedx: DedxLike = DEDX_IRON_PAPER,
    target: str | Target = "Fe",
    form_factor: FormFactor = DEFAULT_FORM_FACTOR,
) -> ScalarSample:
    """Like :func:`sample_emissions`, every S sent into a sphere, with an exact weight.

    Parameters
    ----------
    target_center : (3,) array
        Centre of the sphere, mm (e.g. a detector's bounding sphere).
    target_radius : float
        Its radius, mm.

    Returns
    -------
    ScalarSample
        Directions uniform inside the cone of the sphere seen from each vertex
        (the whole sphere of directions if the vertex is inside); weight = muon
        weight * P_emit * (dP/dOmega)(theta to the muon) * Omega_cone, so that the sum
        of weights is the expected number (per POT per y^2) of scalars heading into
        the sphere. Entries whose direction cannot be reached get weight 0 and are
        dropped.
    """
    _check_mass(mass)
    center = _check_sphere(target_center, target_radius)
    slc = mass_slice(mass, target, form_factor)
    em = _emit(muons, slc, rng, n_nuclei, dedx)
    return _aim(em, slc, mass, center, target_radius, rng)


def _check_sphere(target_center: ArrayLike, target_radius: float) -> FloatArray:
    center = np.asarray(target_center, dtype=np.float64)
    if center.shape != (3,) or not np.all(np.isfinite(center)):
        raise MuonScatteringError(f"target_center must be a finite (3,) array, got {center!r}")
    if not (np.isfinite(target_radius) and target_radius > 0):
        raise MuonScatteringError(f"target_radius must be positive, got {target_radius}")
    return center


def _aim(
    em: _Emissions,
    slc: MassSlice,
    mass: float,
    center: FloatArray,
    target_radius: float,
    rng: np.random.Generator,
) -> ScalarSample:
    """Directions into the sphere and exact weights for emission points ``em``."""
    n = em.energy.size
    if n == 0:
        return _no_emission(mass)  # no muon above threshold: no scalars, not an error
    nx, nth = slc.cell_prob.shape[1:]
    # direction uniform in the cone toward the sphere
    to_c = center - em.vertex
    dist = np.linalg.norm(to_c, axis=1)
    inside = dist <= target_radius
    axis = np.where(inside[:, None], em.direction, to_c / np.where(dist > 0, dist, 1.0)[:, None])
    s2 = np.where(inside, 1.0, (target_radius / np.where(inside, 1.0, dist)) ** 2)
    v_max = np.where(inside, 2.0, s2 / (1.0 + np.sqrt(np.clip(1.0 - s2, 0.0, None))))
    omega = 2.0 * np.pi * v_max
    direction = _direction(axis, rng.random(n) * v_max, 2.0 * np.pi * rng.random(n))
    # angle to the muon and the theta cell it falls in
    diff = direction - em.direction
    v = 0.5 * np.sum(diff**2, axis=1)  # 1 - cos(theta)
    theta = 2.0 * np.arcsin(np.clip(np.sqrt(0.5 * v), 0.0, 1.0))
    grid = XThetaMap(em.energy, mass)
    jt = np.clip(np.floor(grid.r_of_theta(theta) * nth).astype(np.int64), 0, nth - 1)
    v_lo, v_hi = _theta_edges(grid, jt, nth)
    dv = v_hi - v_lo
    rows = slc.cell_prob.sum(axis=1)  # (nE, n_theta)
    r_lo = rows[em.node, jt]
    r_hi = rows[em.node + 1, jt]
    w_lo = (1.0 - em.frac) * r_lo
    w_hi = em.frac * r_hi
    density = (w_lo + w_hi) / (2.0 * np.pi * dv)  # dP/dOmega, sr^-1
    weight = em.weight * density * omega
    good = weight > 0
    # node given theta, then the x cell along that theta row
    tot = np.where(good, w_lo + w_hi, 1.0)
    node = em.node + (rng.random(n) * tot < w_hi)
    col = slc.cell_prob[node, :, jt]  # (n, n_x)
    cdf = np.cumsum(col, axis=1)
    last = np.where(cdf[:, -1] > 0, cdf[:, -1], 1.0)
    ix = (cdf < (rng.random(n) * last)[:, None]).sum(axis=1)
    ix = np.clip(ix, 0, nx - 1)
    x, _ = grid.x((ix + rng.random(n)) / nx)
    p4 = _scalar_p4(mass, x, em.energy, direction)
    return ScalarSample(mass, "muon", p4[good], em.vertex[good], weight[good])
