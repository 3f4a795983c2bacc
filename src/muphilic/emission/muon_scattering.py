"""Scalar emission by muons stopping in the beam dump: mu N -> mu N S (paper Eq. (5)).

A muon entering the dump with energy E_mu slows down continuously and, on its
way, emits S with the probability (paper Eq. (5), generalised to an
energy-dependent stopping power)

    P_emit(E_mu) = n_N int_0^E_mu sigma(E) / (dE/dx)(E) dE
                 -> n_N / <dE/dx> int_0^E_mu sigma(E) dE     (constant dE/dx),

with the paper's ``n_N = 8.6e22 cm^-3`` and ``<dE/dx> = 16 MeV/cm`` as defaults.
sigma is the exact tree-level cross section per nucleus of
:mod:`muphilic.emission.dump_xsec` (with y = 1: all weights are per y^2), taken
from the tables of :mod:`muphilic.emission.xsec_tables`.

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

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from muphilic.beamline.materials import Material
from muphilic.beamline.walls import WallPaths
from muphilic.constants import (
    DEDX_IRON_PAPER,
    N_IRON_PAPER,
    TWO_M_MU,
    GeV,
    MeV,
    cm2,
    m_mu,
)
from muphilic.emission.dump_xsec import XThetaMap
from muphilic.emission.form_factors import DEFAULT_FORM_FACTOR, FormFactor, Target, get_target
from muphilic.emission.xsec_tables import (
    DEFAULT_MASSES,
    XsecTable,
    _threshold,
    has_packaged_table,
    integrate_cells,
    load_table,
)
from muphilic.errors import MuphilicError
from muphilic.events import MuonSample, ScalarSample
from muphilic.scalar import check_mass

__all__ = [
    "MassSlice",
    "MuonScatteringError",
    "aim_emissions",
    "aim_wall_emissions",
    "emission_probability",
    "mass_slice",
    "material_slice",
    "sample_emissions",
    "summary_energy_range",
    "wall_emission_points",
    "xsec_summary",
]

FloatArray = NDArray[np.float64]
DedxLike = float | Callable[[FloatArray], FloatArray]
_N_FINE = 4001


class MuonScatteringError(MuphilicError):
    """Invalid input to the muon-scattering emission (mass, energy, geometry)."""


@dataclass(frozen=True)
class MassSlice:
    """The cross section at one m_S as a function of the muon energy.

    Attributes
    ----------
    mass : float
        m_S, MeV.
    energies : (nE,) array
        Table energies, MeV.
    sigma : (nE,) array
        sigma/y^2 per nucleus, mm^2.
    cell_prob : (nE, n_x, n_theta) array
        Normalised cell probabilities (zero rows below threshold).
    """

    mass: float
    energies: FloatArray
    sigma: FloatArray
    cell_prob: FloatArray

    def sigma_at(self, energy: ArrayLike) -> FloatArray:
        """sigma(E)/y^2, mm^2: linear in E between table nodes.

        Zero below the kinematic threshold E = m_mu + m_S (to within the nucleus
        recoil), from which sigma rises linearly to the first non-zero node.

        Raises
        ------
        MuonScatteringError
            Above the last table energy.
        """
        energy = np.asarray(energy, dtype=np.float64)
        if np.any(energy > self.energies[-1] * (1 + 1e-12)):
            raise MuonScatteringError(
                f"muon energy {np.max(energy) / GeV:.3g} GeV above the table's "
                f"{self.energies[-1] / GeV:.3g} GeV; build a table with higher energies"
            )
        pos = self.sigma > 0
        e_thr = m_mu + self.mass
        nodes = np.concatenate([[e_thr], self.energies[pos]])
        values = np.concatenate([[0.0], self.sigma[pos]])
        return np.interp(energy, nodes, values, left=0.0)


def _check_mass(mass: float) -> None:
    if not (np.isfinite(mass) and 0 < mass < TWO_M_MU):
        raise MuonScatteringError(
            f"mass must be in (0, 2 m_mu = {TWO_M_MU / MeV:.2f} MeV), got {mass / MeV} MeV"
        )


def _slice_from_table(table: XsecTable, mass: float) -> MassSlice:
    ms = table.masses
    if not ms[0] * (1 - 1e-9) <= mass <= ms[-1] * (1 + 1e-9):
        raise MuonScatteringError(
            f"mass {mass / MeV:.4g} MeV outside the table "
            f"({ms[0] / MeV:.4g}-{ms[-1] / MeV:.4g} MeV)"
        )
    j = int(np.clip(np.searchsorted(ms, mass) - 1, 0, ms.size - 2)) if ms.size > 1 else 0
    if ms.size == 1:
        return MassSlice(mass, table.energies, table.sigma[:, 0], table.cell_prob[:, 0])
    g = float(np.clip(np.log(mass / ms[j]) / np.log(ms[j + 1] / ms[j]), 0.0, 1.0))
    s0, s1 = table.sigma[:, j], table.sigma[:, j + 1]
    both = (s0 > 0) & (s1 > 0)
    geo = np.exp((1 - g) * np.log(np.where(both, s0, 1.0)) + g * np.log(np.where(both, s1, 1.0)))
    sig = np.where(both, geo, (1 - g) * s0 + g * s1)
    mix = (1 - g) * s0[:, None, None] * table.cell_prob[:, j] + g * s1[
        :, None, None
    ] * table.cell_prob[:, j + 1]
    norm = mix.sum(axis=(1, 2), keepdims=True)
    cp = np.divide(mix, norm, out=np.zeros_like(mix), where=norm > 0)
    return MassSlice(mass, table.energies, sig, cp)


def mass_slice(
    mass: float,
    target: str | Target = "Fe",
    form_factor: FormFactor = DEFAULT_FORM_FACTOR,
    *,
    exact: bool = False,
) -> MassSlice:
    """Cross section vs muon energy at ``mass``.

    For a target with a packaged table (iron and the elements of the BNB's wall
    materials) and the default form factor the table is interpolated in m_S (exact
    on its nodes); with ``exact=True``, or for another target or form factor, a
    one-mass table is computed on the default energies and cached (~10 s once).
    """
    _check_mass(mass)
    tgt = get_target(target)
    default_model = has_packaged_table(tgt) and form_factor == DEFAULT_FORM_FACTOR
    on_node = bool(np.any(np.isclose(DEFAULT_MASSES, mass, rtol=1e-12)))
    if default_model and (on_node or not exact):
        return _slice_from_table(load_table(tgt, form_factor=form_factor), mass)
    table = load_table(tgt, masses=np.array([mass]), form_factor=form_factor)
    return _slice_from_table(table, mass)


@dataclass(frozen=True)
class _EmissionModel:
    """Cumulative emission probability and range on a fine energy grid."""

    energy: FloatArray  # fine grid, MeV
    cumulative: FloatArray  # n_N int_0^E sigma/(dE/dx) (per y^2)
    range_: FloatArray  # int dE/(dE/dx) from the grid start, mm


def _dedx_on(dedx: DedxLike, energy: FloatArray) -> FloatArray:
    if callable(dedx):
        vals = np.asarray(dedx(energy), dtype=np.float64)
    else:
        vals = np.full_like(energy, float(dedx))
    if vals.shape != energy.shape or np.any(~np.isfinite(vals)) or np.any(vals <= 0):
        raise MuonScatteringError("dedx must be positive and finite (MeV/mm) at every energy used")
    return vals


def _emission_model(
    sigma: Callable[[FloatArray], FloatArray],
    e_top: float,
    n_nuclei: float,
    dedx: DedxLike,
) -> _EmissionModel:
    if not (np.isfinite(n_nuclei) and n_nuclei > 0):
        raise MuonScatteringError(f"n_nuclei must be positive, got {n_nuclei}")
    # constant dE/dx: integrate from E = 0 (Eq. (5) literally); a callable stopping
    # power is only needed above the muon mass, where the muon can still emit
    e0 = 0.0 if not callable(dedx) else m_mu * (1 + 1e-6)
    grid = np.linspace(e0, max(e_top, e0 * 1.001 + 1e-9), _N_FINE)
    sig = np.asarray(sigma(grid), dtype=np.float64)
    if np.any(sig < 0) or np.any(~np.isfinite(sig)):
        raise MuonScatteringError("sigma must be finite and non-negative")
    inv = 1.0 / _dedx_on(dedx, grid)
    de = np.diff(grid)
    cum = np.concatenate([[0.0], np.cumsum(0.5 * (sig[1:] * inv[1:] + sig[:-1] * inv[:-1]) * de)])
    rng_ = np.concatenate([[0.0], np.cumsum(0.5 * (inv[1:] + inv[:-1]) * de)])
    return _EmissionModel(grid, n_nuclei * cum, rng_)


def _sigma_callable(
    sigma: float | Callable[[FloatArray], FloatArray] | None, slc: MassSlice | None
) -> Callable[[FloatArray], FloatArray]:
    if sigma is None:
        assert slc is not None
        return slc.sigma_at
    if callable(sigma):
        return sigma
    value = float(sigma)
    return lambda e: np.full_like(np.asarray(e, dtype=np.float64), value)


def emission_probability(
    energy: ArrayLike,
    mass: float,
    n_nuclei: float = N_IRON_PAPER,
    dedx: DedxLike = DEDX_IRON_PAPER,
    *,
    target: str | Target = "Fe",
    form_factor: FormFactor = DEFAULT_FORM_FACTOR,
    sigma: float | Callable[[FloatArray], FloatArray] | None = None,
) -> FloatArray:
    """P_emit(E_mu) / y^2 of paper Eq. (5) for muons stopping in the dump.

    Parameters
    ----------
    energy : array
        Muon (total) energy at the dump entry, MeV.
    mass : float
        m_S, MeV.
    n_nuclei : float
        Number density of nuclei, mm^-3 (paper: 8.6e22 cm^-3).
    dedx : float or callable
        Stopping power, MeV/mm: a constant (paper: 16 MeV/cm) or a function of the
        muon's *total* energy, used above m_mu; for Bethe-Bloch in iron pass
        ``muphilic.beamline.EnergyLoss("bethe").stopping_power``.
    target, form_factor
        Cross-section model (ignored when ``sigma`` is given).
    sigma : float or callable, optional
        Override sigma(E)/y^2 (mm^2), e.g. for tests.

    Returns
    -------
    array
        Expected number of emitted scalars per muon, divided by y^2.
    """
    energy = np.asarray(energy, dtype=np.float64)
    if np.any(~np.isfinite(energy)) or np.any(energy < 0):
        raise MuonScatteringError("muon energies must be finite and non-negative")
    slc = None if sigma is not None else mass_slice(mass, target, form_factor)
    e_top = float(np.max(energy)) if energy.size else 1.0
    model = _emission_model(_sigma_callable(sigma, slc), e_top, n_nuclei, dedx)
    return np.interp(energy, model.energy, model.cumulative, left=0.0)


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


# --------------------------------------------------------------------------------------
# muons stopping in the walls (compounds, layered paths)
# --------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=64)
def material_slice(mass: float, material: Material) -> MassSlice:
    """Cross section per nucleus of a compound at ``mass``, averaged over its nuclei.

    ``sigma = sum_i f_i sigma_i`` with ``f_i`` the number fraction of element i
    (so ``material.number_density * sigma`` is the sum of ``n_i sigma_i``), each
    element with its own Z, A and form factor (default model, packaged tables);
    the cell probabilities are the same mixture, weighted ``f_i sigma_i``.
    """
    _check_mass(mass)
    frac = material.nuclei_densities / material.number_density
    slices = [mass_slice(mass, el) for el in material.elements]
    energies = slices[0].energies
    for other in slices[1:]:
        if not np.array_equal(other.energies, energies):
            raise MuonScatteringError("the elements' tables have different energy grids")
    sigma = sum(f * sl.sigma for f, sl in zip(frac, slices, strict=True))
    mix = sum(
        f * sl.sigma[:, None, None] * sl.cell_prob for f, sl in zip(frac, slices, strict=True)
    )
    norm = mix.sum(axis=(1, 2), keepdims=True)
    cp = np.divide(mix, norm, out=np.zeros_like(mix), where=norm > 0)
    return MassSlice(mass, energies, np.asarray(sigma), cp)


def wall_emission_points(
    paths: WallPaths, mass: float, rng: np.random.Generator, energy_loss: str = "constant"
) -> list[tuple[int, _Emissions]]:
    """Where the wall muons emit: per material index, the emission points and weights.

    Each muon slows down layer after layer (the layer's own dE/dx); in layer k it
    emits with the probability ``P_k = C_m(E_in) - C_m(E_out)``, ``C_m`` the
    cumulative ``n sigma / (dE/dx)`` of that material. One emission per muon: the
    layer is drawn with probability ``P_k / P``, the energy from ``sigma/(dE/dx)``
    between ``E_out`` and ``E_in``, the depth from the material's range; weight =
    muon weight times ``P = sum_k P_k``.
    """
    mats = paths.materials
    slices = [material_slice(mass, mat) for mat in mats]
    e_mu = paths.muons.p4[:, 0]
    n, n_layers = paths.layer_material.shape
    if n == 0:
        return []
    e_top = float(e_mu.max())
    models = [
        _emission_model(sl.sigma_at, e_top, mat.number_density, mat.stopping_power(energy_loss))
        for sl, mat in zip(slices, mats, strict=True)
    ]
    energy = e_mu.copy()
    e_in = np.zeros((n, n_layers))
    e_out = np.zeros((n, n_layers))
    prob = np.zeros((n, n_layers))
    for k in range(n_layers):
        idx = paths.layer_material[:, k]
        e_in[:, k] = energy
        for j, model in enumerate(models):
            sel = np.flatnonzero((idx == j) & (energy > 0))
            if sel.size == 0:
                continue
            r_in = np.interp(energy[sel], model.energy, model.range_)
            r_out = r_in - paths.length[sel, k]
            after = np.where(r_out > 0, np.interp(r_out, model.range_, model.energy), 0.0)
            after = np.minimum(after, energy[sel])
            cum = model.cumulative
            prob[sel, k] = np.maximum(
                np.interp(energy[sel], model.energy, cum, left=0.0)
                - np.interp(after, model.energy, cum, left=0.0),
                0.0,
            )
            energy[sel] = after
        e_out[:, k] = energy
    total = prob.sum(axis=1)
    keep = np.flatnonzero(total > 0)
    if keep.size == 0:
        return []
    u = rng.random(keep.size) * total[keep]
    cum_p = np.cumsum(prob[keep], axis=1)
    layer = np.minimum((cum_p <= u[:, None]).sum(axis=1), n_layers - 1)
    below = np.where(layer > 0, cum_p[np.arange(keep.size), layer - 1], 0.0)
    mat_idx = paths.layer_material[keep, layer]
    p3 = paths.muons.p4[keep, 1:]
    direction = p3 / np.linalg.norm(p3, axis=1, keepdims=True)
    out: list[tuple[int, _Emissions]] = []
    for j, (model, slc) in enumerate(zip(models, slices, strict=True)):
        sel = np.flatnonzero(mat_idx == j)
        if sel.size == 0:
            continue
        rows, lay = keep[sel], layer[sel]
        cum = model.cumulative
        c_lo = np.interp(e_out[rows, lay], model.energy, cum, left=0.0)
        c = c_lo + (u[sel] - below[sel])
        i = np.clip(np.searchsorted(cum, c, side="left"), 1, cum.size - 1)
        f = (c - cum[i - 1]) / np.where(cum[i] > cum[i - 1], cum[i] - cum[i - 1], 1.0)
        e_emit = model.energy[i - 1] + np.clip(f, 0.0, 1.0) * (
            model.energy[i] - model.energy[i - 1]
        )
        e_emit = np.clip(e_emit, e_out[rows, lay], e_in[rows, lay])
        depth = np.interp(e_in[rows, lay], model.energy, model.range_) - np.interp(
            e_emit, model.energy, model.range_
        )
        depth = np.clip(depth, 0.0, paths.length[rows, lay])
        vertex = (
            paths.muons.position[rows] + (paths.start[rows, lay] + depth)[:, None] * direction[sel]
        )
        node, frac = _node_frac(slc, e_emit)
        weight = paths.muons.weight[rows] * total[rows]
        em = _Emissions(rows, e_emit, vertex, direction[sel], weight, node, frac)
        out.append((j, em))
    return out


def aim_wall_emissions(
    paths: WallPaths,
    mass: float,
    target_center: ArrayLike,
    target_radius: float,
    rng: np.random.Generator,
    *,
    energy_loss: str = "constant",
) -> ScalarSample:
    """Scalars emitted by muons stopping in the walls, every S sent into a sphere.

    As :func:`aim_emissions`, for muons that cross layers of the facility's wall
    materials (:class:`muphilic.beamline.walls.WallPaths`), each layer with its
    compound's cross section (:func:`material_slice`), density and stopping power
    (``energy_loss``: ``"constant"`` or ``"bethe"``, see
    :meth:`muphilic.beamline.materials.Material.stopping_power`).

    Returns
    -------
    ScalarSample
        Channel ``"muon"``; weights per POT per y^2 heading into the sphere.
    """
    _check_mass(mass)
    center = _check_sphere(target_center, target_radius)
    parts = []
    for j, em in wall_emission_points(paths, mass, rng, energy_loss):
        parts.append(
            _aim(em, material_slice(mass, paths.materials[j]), mass, center, target_radius, rng)
        )
    parts = [p for p in parts if len(p) > 0]
    if not parts:
        return _no_emission(mass)
    return ScalarSample(
        mass,
        "muon",
        np.concatenate([p.p4 for p in parts]),
        np.concatenate([p.vertex for p in parts]),
        np.concatenate([p.weight for p in parts]),
    )


# --------------------------------------------------------------------------------------
# summary for the command line
# --------------------------------------------------------------------------------------
#: Highest muon energy :func:`xsec_summary` accepts, 10 GeV: the top of the packaged
#: table and of the energies the quadrature was validated at (with vegas, up to 8 GeV).
#: Over MASS_RANGE_MeV x [threshold, 10 GeV] the exact integral agrees with the same
#: integral in extended (80-bit) precision to 1.4e-5 or better (the worst case is the
#: lightest mass at 10 GeV). Above, its smallest momentum transfer is formed by a
#: cancellation that grows as E^2: at 1e-6 MeV it is off by 5e-5 at 100 GeV and NaN at
#: 1e4 GeV, and at 40 MeV and 8 TeV the sum differs from a three times finer rule
#: by 0.9 %, four times the quoted error.
_SUMMARY_MAX_ENERGY = 10.0 * GeV
#: Relative distance above the kinematic threshold below which :func:`xsec_summary`
#: refuses: closer to threshold the (x, theta) cells do not resolve the phase space
#: (at m_S = 211 MeV and 1e-4 above threshold the sum is 28 % off a finer rule, from
#: 1e-3 on within the quoted error; at 1e-5 it is exactly 0).
_SUMMARY_THRESHOLD_MARGIN = 1e-3


def _summary_threshold(mass_MeV: float, target: str) -> float:
    """Kinematic threshold of mu N -> mu N S, GeV (mass checked)."""
    mass = float(check_mass(float(mass_MeV) * MeV))
    return float(_threshold(mass, get_target(target).nucleus_mass) / GeV)


def summary_energy_range(mass_MeV: float, target: str = "Fe") -> tuple[float, float]:
    """Muon energies, GeV, at which :func:`xsec_summary` gives an accurate cross section.

    The range is [E_thr (1 + 1e-3), 10 GeV]: sigma vanishes below the threshold
    E_thr = m_mu + m_S + (m_S^2 + 2 m_mu m_S) / (2 M_N), the first 0.1 % above it is
    not resolved by the quadrature, and above 10 GeV rounding and quadrature errors
    grow (see ``_SUMMARY_MAX_ENERGY``).

    Parameters
    ----------
    mass_MeV : float
        m_S in MeV, within :data:`muphilic.scalar.MASS_RANGE_MeV`.
    target : str
        Target symbol.

    Returns
    -------
    (float, float)
        Lowest and highest energy, GeV, both included.
    """
    low = _summary_threshold(mass_MeV, target) * (1.0 + _SUMMARY_THRESHOLD_MARGIN)
    return low, float(_SUMMARY_MAX_ENERGY / GeV)


def xsec_summary(mass_MeV: float, energy_GeV: float, target: str = "Fe") -> dict[str, object]:
    """sigma/y^2 per nucleus of mu N -> mu N S, exact and IWW, as a JSON-ready dict.

    Parameters
    ----------
    mass_MeV : float
        m_S in MeV, within :data:`muphilic.scalar.MASS_RANGE_MeV`.
    energy_GeV : float
        Muon (total) energy in GeV (lab, nucleus at rest), within
        :func:`summary_energy_range`.
    target : str
        Target symbol (see :data:`muphilic.emission.form_factors.TARGETS`).

    Returns
    -------
    dict
        ``sigma_exact_cm2``, ``sigma_exact_err_cm2``, ``sigma_iww_cm2``, ``mass_MeV``,
        ``energy_GeV``, ``threshold_GeV``, ``target``; every number finite and the
        exact cross section positive.

    Raises
    ------
    MuphilicError
        For a mass outside the model's range, an energy outside
        :func:`summary_energy_range` (the message gives it) or an unknown target.
    """
    tgt = get_target(target)
    e_thr = _summary_threshold(mass_MeV, tgt.name)
    low, high = summary_energy_range(mass_MeV, tgt.name)
    energy = float(energy_GeV)
    if not low <= energy <= high:  # NaN fails
        raise MuonScatteringError(
            f"muon energy must lie in [{low!r}, {high!r}] GeV for m_S = {float(mass_MeV)!r} MeV "
            f"on {tgt.name}, got {energy!r} GeV: sigma vanishes below the threshold "
            f"{e_thr!r} GeV, the first {_SUMMARY_THRESHOLD_MARGIN:.1%} above it is not resolved, "
            f"and above {high!r} GeV the integral is not accurate"
        )
    cells = integrate_cells(energy * GeV, float(mass_MeV) * MeV, tgt)
    sigmas = np.array([cells.sigma, cells.sigma_err, cells.sigma_iww]) / cm2
    if not (np.all(np.isfinite(sigmas)) and sigmas[0] > 0):
        raise MuonScatteringError(
            f"the exact cross section at m_S = {float(mass_MeV)!r} MeV, E = {energy!r} GeV "
            f"came out as {sigmas[0]!r} cm^2; no result"
        )
    return {
        "sigma_exact_cm2": float(sigmas[0]),
        "sigma_exact_err_cm2": float(sigmas[1]),
        "sigma_iww_cm2": float(sigmas[2]),
        "mass_MeV": float(mass_MeV),
        "energy_GeV": energy,
        "threshold_GeV": e_thr,
        "target": tgt.name,
    }
