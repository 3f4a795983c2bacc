"""Sampling M -> mu nu S decays in flight, isotropic or aimed at a detector.

Sampling and aiming (``../DESIGN.md``, key idea 2)
--------------------------------------------------
:func:`sample_decays` draws the Dalitz point from its exact distribution (a
piecewise-linear proposal in a smoothing variable, corrected by the exact density
ratio carried in the weight, which stays within ~1e-5 of 1), the scalar direction
isotropically in the parent rest frame (the parent is spinless) and the muon
azimuth about it uniformly, then boosts to the lab. :func:`aim_decays` instead
draws the rest-frame scalar direction uniformly over a region that contains the
preimage of the lab cone subtending a target sphere from the decay vertex, and
multiplies the weight by that region's solid-angle fraction: every scalar whose
ray can hit the sphere is represented with its exact probability, for both lab
solutions of a massive scalar.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from muphilic.constants import MeV, m_mu, pi
from muphilic.emission.kinematics import boost_from_rest, perpendicular_basis
from muphilic.emission.meson_decays.channels import (
    FloatArray,
    MesonChannel,
    MesonDecayError,
    _check_mass,
    meson_channel,
)
from muphilic.emission.meson_decays.directions import (
    _aim_region,
    _dot3,
    _draw_direction,
    _full_sphere,
    _norm3,
)
from muphilic.emission.meson_decays.rates import (
    _density_in_v,
    _density_parts,
    _ratio_to_two_body,
    _v_limits,
    dalitz_density,
)
from muphilic.events import ParentSample, ScalarSample

__all__ = [
    "DecayProducts",
    "aim_decays",
    "decay_products",
    "sample_decays",
]


#: Cells of the piecewise-linear proposal used by the sampler.
_N_CELLS = 1024


# --- sampling the Dalitz point -----------------------------------------------------------
@dataclass(frozen=True)
class _Proposal:
    """Piecewise-linear density in v through the exact density at ``n`` nodes."""

    v: FloatArray
    h: FloatArray
    cum: FloatArray  # cumulative cell areas, cum[-1] = integral of the proposal
    exact_integral: float  # Gamma3/Gamma0/y^2 (Gauss-Legendre)
    w0: float
    guide: NDArray[np.intp]  # first cell of each of len(guide) equal slices of [0, cum[-1])
    cum_ext: FloatArray  # cum with +inf appended


def _find_cells(prop: _Proposal, u: FloatArray) -> NDArray[np.intp]:
    """Cells holding u * cum[-1]: ``searchsorted(cum, u * cum[-1], "right") - 1``, exactly.

    A guide table gives, for slice floor(u G) of the G equal slices (G a power
    of 2, so g / G <= u exactly), a cell at or below the answer; the few rows
    whose answer lies further up step forward until cum[cell + 1] > target.
    """
    target = u * prop.cum[-1]
    n_guide = prop.guide.shape[0]
    cell = prop.guide[np.minimum((u * n_guide).astype(np.intp), n_guide - 1)]
    cum_ext = prop.cum_ext
    active = np.flatnonzero(cum_ext[cell + 1] <= target)
    while active.size:
        cell[active] += 1
        active = active[cum_ext[cell[active] + 1] <= target[active]]
    return cell


@functools.lru_cache(maxsize=64)
def _proposal(ch: MesonChannel, m_s: float, n_cells: int = _N_CELLS) -> _Proposal:
    w0, v_max = _v_limits(np.asarray(m_s), ch.mass)
    v = np.linspace(0.0, float(v_max), n_cells + 1)
    h = _density_in_v(v, np.asarray(m_s), ch)
    h = np.maximum(h, 0.0)
    areas = 0.5 * (h[1:] + h[:-1]) * np.diff(v)
    cum = np.concatenate(([0.0], np.cumsum(areas)))
    exact = float(_ratio_to_two_body(np.asarray(m_s), ch))
    n_guide = 1 << (8 * n_cells - 1).bit_length()  # a power of 2 (see _find_cells)
    slices = (np.arange(n_guide) / n_guide) * cum[-1]
    guide = np.maximum(np.searchsorted(cum, slices, side="right") - 1, 0).astype(np.intp)
    return _Proposal(v, h, cum, exact, float(w0), guide, np.append(cum, np.inf))


def _invert_linear(u: FloatArray, f0: FloatArray, f1: FloatArray) -> FloatArray:
    """x in [0, 1] with CDF(x) = u for a density proportional to f0 + (f1 - f0) x (f0, f1 >= 0)."""
    num = u * (f0 + f1)
    den = f0 + np.sqrt(f0**2 + u * (f1**2 - f0**2))
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.where(den > 0, num / den, u)
    return np.clip(x, 0.0, 1.0)


def _proposal_correction(prop: _Proposal, h_exact: FloatArray, g: FloatArray) -> FloatArray:
    """Exact density / proposal density at points where the proposal is ``g``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(g > 0, h_exact / g, 0.0) * (prop.cum[-1] / prop.exact_integral)


def _sample_dalitz(
    ch: MesonChannel, m_s: float, rng: np.random.Generator, n: int
) -> tuple[FloatArray, FloatArray, FloatArray, float]:
    """Draw (s, t) and the exact-density correction factor (mean 1); also BR/y^2."""
    prop = _proposal(ch, m_s)
    u_cell, u_in, u_t = rng.random((3, n))
    cell = _find_cells(prop, u_cell)
    cell = np.clip(cell, 0, len(prop.v) - 2)
    h0 = prop.h[cell]
    h1 = prop.h[cell + 1]
    x = _invert_linear(u_in, h0, h1)
    v = prop.v[cell] + x * (prop.v[cell + 1] - prop.v[cell])
    g = h0 + x * (h1 - h0)
    h_exact, s, t_lo, t_hi, f0, f1 = _density_parts(v, np.asarray(m_s), ch, t_ends=True)
    corr = _proposal_correction(prop, h_exact, g)
    t = t_lo + _invert_linear(u_t, np.maximum(f0, 0.0), np.maximum(f1, 0.0)) * (t_hi - t_lo)
    return s, t, corr, ch.br_mu_nu * prop.exact_integral


#: Aimed decays: share of the Dalitz points drawn near the endpoint k* = 0 ...
ENDPOINT_SHARE = 0.2
#: ... namely uniformly in k* below this fraction of its maximum.
ENDPOINT_FRACTION = 0.2


def _sample_dalitz_aimed(
    ch: MesonChannel, m_s: float, rng: np.random.Generator, n: int
) -> tuple[FloatArray, FloatArray, FloatArray, float]:
    """:func:`_sample_dalitz` with a share of the points drawn near the k* = 0 endpoint.

    A scalar nearly at rest in the parent frame moves with the parent, so all of the
    aimed region hits the detector when the parent points at it: its aimed weight was
    up to ~2000 times the median at MiniBooNE, while the exact density vanishes there
    like k*^2, so a few such draws
    carried several per cent of a distant detector's kaon signal each. Here a share
    ``ENDPOINT_SHARE`` of the points is drawn uniformly in k* below
    ``ENDPOINT_FRACTION`` of its maximum (the muon energy uniform over its range at
    that k*) and the correction factor becomes exact density / mixture density,
    at most corr / (1 - ENDPOINT_SHARE) and vanishing like k*^2 at the endpoint.
    """
    s, t, corr, br = _sample_dalitz(ch, m_s, rng, n)
    u_mix, u_k, u_mu = rng.random((3, n))
    big_m = ch.mass
    e_max = (big_m**2 + m_s**2 - m_mu**2) / (2 * big_m)
    k_cut = ENDPOINT_FRACTION * np.sqrt(e_max**2 - m_s**2)
    prop = _proposal(ch, m_s)

    # the endpoint draws: k* uniform on [0, k_cut], E_mu uniform over its range there
    b = np.flatnonzero(u_mix < ENDPOINT_SHARE)
    k_b = k_cut * u_k[b]
    e_b = np.sqrt(k_b**2 + m_s**2)
    centre, half = _muon_range(big_m, m_s, e_b, k_b)
    e_mu_b = centre + (2 * u_mu[b] - 1) * half
    s[b] = big_m**2 - 2 * big_m * (big_m - e_b - e_mu_b)
    t[b] = big_m**2 + m_mu**2 - 2 * big_m * e_mu_b
    v_b = np.arccosh(np.sqrt(np.maximum((s[b] - m_mu**2) / prop.w0, 1.0)))
    g_b = np.interp(v_b, prop.v, prop.h)
    corr[b] = _proposal_correction(prop, _density_in_v(v_b, np.asarray(m_s), ch), g_b)

    # exact / mixture density (the endpoint proposal is zero above k_cut)
    e_s = (s + t - m_mu**2) / (2 * big_m)
    k = np.sqrt(np.maximum((e_s - m_s) * (e_s + m_s), 0.0))
    near = np.flatnonzero(k < k_cut)
    with np.errstate(divide="ignore", invalid="ignore"):
        exact = dalitz_density(ch, m_s, s[near], t[near]) / br  # per ds dt, normalised
        q_end = _endpoint_density(big_m, m_s, e_s[near], k[near], k_cut)
        inv = (1 - ENDPOINT_SHARE) / corr[near] + ENDPOINT_SHARE * q_end / exact
        corr = corr / (1 - ENDPOINT_SHARE)
        corr[near] = np.where(np.isfinite(inv) & (inv > 0), 1.0 / inv, 0.0)
    return s, t, corr, br


def _muon_range(
    big_m: float, m_s: float, e_s: FloatArray, k: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Centre and half-width of the muon's parent-frame energy range for a scalar of
    rest-frame energy ``e_s`` and momentum ``k`` (MeV): the mu nu system of mass
    sqrt(u) recoils with momentum k, the muon's energy in it is fixed."""
    u = big_m**2 + m_s**2 - 2 * big_m * e_s
    root_u = np.sqrt(u)
    e_mu_u = (u + m_mu**2) / (2 * root_u)
    p_mu_u = (u - m_mu**2) / (2 * root_u)
    return (big_m - e_s) * e_mu_u / root_u, k * p_mu_u / root_u


def _endpoint_density(
    big_m: float, m_s: float, e_s: FloatArray, k: FloatArray, k_cut: float
) -> FloatArray:
    """Density per ds dt of the endpoint proposal (k* uniform on [0, k_cut], the muon
    energy uniform over its range; |d(s, t) / d(E*, E_mu)| = 4 M^2)."""
    _, half = _muon_range(big_m, m_s, e_s, k)
    return e_s / (k * k_cut * 2 * half) / (4 * big_m**2)


# --- the decay ------------------------------------------------------------------------------
@dataclass(frozen=True)
class DecayProducts:
    """Lab four-momenta of M -> mu nu S decays and their weights.

    Attributes
    ----------
    scalar_p4, muon_p4, neutrino_p4 : (N, 4) arrays
        Lab four-momenta, MeV. Parents are put on shell with the PDG meson mass
        (their three-momentum is kept), so the products sum to that four-vector.
    weight : (N,) array
        BR(M -> mu nu S)/y^2 times the exact-density correction times the aimed
        solid-angle fraction: the expected number of such scalars per decaying
        parent per y^2 that each entry represents.
    """

    scalar_p4: FloatArray
    muon_p4: FloatArray
    neutrino_p4: FloatArray
    weight: FloatArray


def decay_products(
    meson: str | int | MesonChannel,
    parent_p4: ArrayLike,
    mass: float,
    rng: np.random.Generator,
    *,
    vertex: ArrayLike | None = None,
    target_center: ArrayLike | None = None,
    target_radius: float | None = None,
) -> DecayProducts:
    """Decay each parent once to mu nu S (isotropic, or aimed at a sphere).

    Parameters
    ----------
    meson : str, int or MesonChannel
        Species of every parent.
    parent_p4 : (N, 4) array
        Lab four-momenta of the parents, MeV (only the three-momentum is used).
    mass : float
        m_S, MeV; must be below m_M - m_mu.
    rng : numpy.random.Generator
        Source of randomness.
    vertex, target_center, target_radius : optional
        Decay vertices (N, 3) in mm, the sphere's centre (3,) in mm and radius in
        mm. If given, the scalar is aimed at the sphere (module docstring).

    Returns
    -------
    DecayProducts
    """
    scalar_p4, weight, muon_p4, neutrino_p4 = _checked_decay(
        meson, parent_p4, mass, rng, vertex, target_center, target_radius, companions=True
    )
    assert muon_p4 is not None and neutrino_p4 is not None
    return DecayProducts(scalar_p4, muon_p4, neutrino_p4, weight)


def _checked_decay(
    meson: str | int | MesonChannel,
    parent_p4: ArrayLike,
    mass: float,
    rng: np.random.Generator,
    vertex: ArrayLike | None,
    target_center: ArrayLike | None,
    target_radius: float | None,
    companions: bool,
) -> tuple[FloatArray, FloatArray, FloatArray | None, FloatArray | None]:
    """Validate the inputs of :func:`decay_products` and run :func:`_decay`."""
    ch = meson_channel(meson)
    m_s = float(_check_mass(mass))
    if m_s >= ch.mass - m_mu:
        raise MesonDecayError(
            f"m_S = {m_s / MeV:.6g} MeV is at or above the {ch.name} threshold "
            f"{(ch.mass - m_mu) / MeV:.6g} MeV"
        )
    big = np.asarray(parent_p4, dtype=np.float64)
    if big.ndim != 2 or big.shape[1] != 4 or not np.all(np.isfinite(big)):
        raise MesonDecayError("parent_p4 must be a finite (N, 4) array")
    n = big.shape[0]
    aim = None
    if target_center is not None:
        if vertex is None or target_radius is None:
            raise MesonDecayError("aiming needs vertex, target_center and target_radius")
        centre = np.asarray(target_center, dtype=np.float64)
        if centre.shape != (3,) or not np.all(np.isfinite(centre)):
            raise MesonDecayError(
                f"target_center must be a finite (3,) array, got {target_center!r}"
            )
        radius = float(target_radius)
        if not (np.isfinite(radius) and radius > 0):
            raise MesonDecayError(f"target_radius must be positive, got {target_radius!r}")
        vtx = np.asarray(vertex, dtype=np.float64)
        if vtx.shape != (n, 3):
            raise MesonDecayError(f"vertex must have shape ({n}, 3), got {vtx.shape}")
        aim = (vtx, centre, radius)
    return _decay(ch, big, m_s, rng, aim, companions)


def _decay(
    ch: MesonChannel,
    big: FloatArray,
    m_s: float,
    rng: np.random.Generator,
    aim: tuple[FloatArray, FloatArray, float] | None,
    companions: bool,
) -> tuple[FloatArray, FloatArray, FloatArray | None, FloatArray | None]:
    """:func:`decay_products` on validated inputs: (scalar p4, weight, muon p4, neutrino p4).

    With ``companions=False`` the muon and neutrino are not built (None); the random
    numbers of their azimuth are still drawn, so the stream and every scalar are the
    same as with ``companions=True``.
    """
    n = big.shape[0]
    p3 = np.ascontiguousarray(big[:, 1:].T)  # (3, N) components
    energy = np.sqrt((p3[0] * p3[0] + p3[1] * p3[1]) + p3[2] * p3[2] + ch.mass**2)

    if aim is not None:
        s, t, corr, br = _sample_dalitz_aimed(ch, m_s, rng, n)
    else:
        s, t, corr, br = _sample_dalitz(ch, m_s, rng, n)
    big_m = ch.mass
    e_nu = (big_m**2 - s) / (2 * big_m)
    e_mu = (big_m**2 + m_mu**2 - t) / (2 * big_m)
    u = big_m**2 + m_mu**2 + m_s**2 - s - t  # (p + n)^2
    e_s = (big_m**2 + m_s**2 - u) / (2 * big_m)
    k = np.sqrt(np.maximum((e_s - m_s) * (e_s + m_s), 0.0))
    p_mu = np.sqrt(np.maximum((e_mu - m_mu) * (e_mu + m_mu), 0.0))

    if aim is not None:
        vtx, centre, radius = aim
        region = _aim_region(p3, big_m, np.ascontiguousarray(vtx.T), centre, radius, k, e_s)
    else:
        p_abs = _norm3(p3)
        with np.errstate(divide="ignore", invalid="ignore"):
            axis = np.where(p_abs > 0, p3 / np.where(p_abs > 0, p_abs, 1.0), [[0.0], [0.0], [1.0]])
        region = _full_sphere(axis)
    n_s = _draw_direction(region, rng)  # (3, N)
    weight = br * corr * (region.solid_angle / (4 * pi))

    # Scalar boosted to the lab (as boost_from_rest, on (3, N) components).
    q = k * n_s
    p_dot_q = _dot3(p3, q)
    scalar_p4 = np.empty((n, 4))
    scalar_p4[:, 0] = (energy * e_s + p_dot_q) / big_m
    factor = p_dot_q / (big_m * (energy + big_m)) + e_s / big_m
    scalar_p4[:, 1:] = (q + factor * p3).T

    # Muon at a fixed angle to S (set by the energies), uniform azimuth about it.
    phi = 2 * pi * rng.random(n)
    if not companions:
        return scalar_p4, weight, None, None
    with np.errstate(divide="ignore", invalid="ignore"):
        cos_ks = (e_nu**2 - k**2 - p_mu**2) / (2 * k * p_mu)
    cos_ks = np.clip(np.nan_to_num(cos_ks, nan=1.0), -1.0, 1.0)
    sin_ks = np.sqrt(1.0 - cos_ks**2)
    n_s_rows = n_s.T
    f1, f2 = perpendicular_basis(n_s_rows)
    n_mu = (
        cos_ks[:, None] * n_s_rows
        + (sin_ks * np.cos(phi))[:, None] * f1
        + (sin_ks * np.sin(phi))[:, None] * f2
    )
    k4 = np.column_stack((e_s, k[:, None] * n_s_rows))
    mu4 = np.column_stack((e_mu, p_mu[:, None] * n_mu))
    nu3 = -(k4[:, 1:] + mu4[:, 1:])
    nu_abs = np.linalg.norm(nu3, axis=1, keepdims=True)
    nu4 = np.column_stack((e_nu, e_nu[:, None] * nu3 / np.where(nu_abs > 0, nu_abs, 1.0)))
    on_shell = np.column_stack((energy, big[:, 1:]))
    return (
        scalar_p4,
        weight,
        boost_from_rest(mu4, on_shell, big_m),
        boost_from_rest(nu4, on_shell, big_m),
    )


def _empty(mass: float, channel: str) -> ScalarSample:
    return ScalarSample(mass, channel, np.zeros((0, 4)), np.zeros((0, 3)), np.zeros(0))


def sample_decays(parents: ParentSample, mass: float, rng: np.random.Generator) -> ScalarSample:
    """Scalars from M -> mu nu S decays of the given parents, one per parent, isotropic.

    Parameters
    ----------
    parents : ParentSample
        Charged kaons (|pdgid| = 321) or pions (211) at their decay vertices.
    mass : float
        m_S, MeV.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    ScalarSample
        Channel ``"kaon"`` or ``"pion"``; weight = parent weight * BR(M -> mu nu S)/y^2
        (times a density correction within ~1e-5 of 1), i.e. scalars per POT per y^2.
        Empty if m_S is at or above the threshold m_M - m_mu.
    """
    ch = meson_channel(int(parents.pdgid))
    m_s = float(_check_mass(mass))
    if m_s >= ch.mass - m_mu or len(parents) == 0:
        return _empty(m_s, ch.name)
    scalar_p4, weight, _, _ = _checked_decay(
        ch, parents.p4, m_s, rng, None, None, None, companions=False
    )
    return ScalarSample(m_s, ch.name, scalar_p4, parents.vertex, parents.weight * weight)


def aim_decays(
    parents: ParentSample,
    mass: float,
    target_center: ArrayLike,
    target_radius: float,
    rng: np.random.Generator,
) -> ScalarSample:
    """Scalars from M -> mu nu S, every one sent toward a sphere (forced direction).

    The rest-frame direction of S is drawn uniformly over a region that contains
    all directions whose lab ray from the decay vertex meets the sphere, and the
    weight carries that region's solid-angle fraction, so for any region inside
    the sphere the weighted sum over scalars whose rays cross it is unbiased.

    Parameters
    ----------
    parents : ParentSample
        Charged kaons (|pdgid| = 321) or pions (211).
    mass : float
        m_S, MeV.
    target_center : (3,) array
        Centre of the sphere, mm.
    target_radius : float
        Radius of the sphere, mm.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    ScalarSample
        Weights per POT per y^2 (zero where no scalar direction can reach the sphere).
    """
    ch = meson_channel(int(parents.pdgid))
    m_s = float(_check_mass(mass))
    if m_s >= ch.mass - m_mu or len(parents) == 0:
        return _empty(m_s, ch.name)
    scalar_p4, weight, _, _ = _checked_decay(
        ch,
        parents.p4,
        m_s,
        rng,
        parents.vertex,
        target_center,
        target_radius,
        companions=False,
    )
    return ScalarSample(m_s, ch.name, scalar_p4, parents.vertex, parents.weight * weight)
