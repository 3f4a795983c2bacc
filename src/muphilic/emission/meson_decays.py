r"""Scalar emission in charged meson decays: K+- and pi+- -> mu+- nu S (paper Fig. 2, left).

Matrix element
--------------
The meson couples to the V-A leptonic current through its decay constant,
``<0| A^mu |M(P)> = i f_M P^mu``; with ``L = y S mu-bar mu`` the scalar can only
be radiated by the muon line (the neutrino and the meson do not couple to S).
For M+ -> mu+(p) nu(n) S(k), with q = p + k the off-shell antimuon momentum,

    M = (G_F V f_M y / sqrt2) ubar(n) Pslash (1 - g5) (-qslash + m) v(p) / (q^2 - m^2).

Using ``ubar(n) nslash = 0``, ``Pslash = nslash + qslash`` and ``qslash v(p) = (kslash - m) v(p)``,
the Dirac structure reduces to ``ubar(n) (1 + g5) [a + m kslash] v(p)`` with
``a = -(q^2 + m^2)``. The spin sum is then (the g5 terms vanish: only three
independent momenta)

    sum |M|^2 = (G_F V f_M y)^2 / 2 * T / (q^2 - m^2)^2,
    T = 8 [ (a^2 - m^2 m_S^2) (n.p) + 2 m^2 (k.p - a) (n.k) ].

The charge-conjugate mode has the same |M|^2. With invariants
``s = (p + k)^2`` and ``t = (n + k)^2``, ``T`` is linear in ``t`` at fixed ``s``,
so the Dalitz integral over ``t`` is done exactly and one smooth integral over
``s`` remains.

Normalisation
-------------
Branching ratios are normalised to the *measured* BR(M -> mu nu):

    BR(M -> mu nu S) = BR(M -> mu nu)_meas * Gamma(M -> mu nu S) / Gamma(M -> mu nu),

both widths at tree level, so ``G_F``, the CKM element and the decay constant
f_M cancel (and so does most of the radiative correction common to both). The
two-body width is ``Gamma = G_F^2 |V|^2 f_M^2 m_M m_mu^2 (1 - m_mu^2/m_M^2)^2 / (8 pi)``.

Soft limit
----------
For m_S -> 0 the scalar is radiated with the eikonal factor ``2 m y / (2 p.k + m_S^2)``
and the rate grows logarithmically: ``d BR / d ln m_S -> -BR(M -> mu nu) / (4 pi^2)`` per y^2.

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

from muphilic import kernels
from muphilic.constants import (
    BR_K_TO_MU_NU,
    BR_PI_TO_MU_NU,
    CKM_VUD,
    CKM_VUS,
    F_K,
    F_PI,
    G_FERMI,
    MeV,
    m_K,
    m_mu,
    m_pi,
    pi,
)
from muphilic.emission.kinematics import (
    boost_from_rest,
    lab_max_angle,
    minkowski_dot,
    perpendicular_basis,
    rest_cos_from_lab_angle,
    rest_per_lab_solid_angle,
)
from muphilic.errors import MuphilicError
from muphilic.events import ParentSample, ScalarSample
from muphilic.scalar import check_mass

__all__ = [
    "KAON",
    "PION",
    "DecayProducts",
    "MesonChannel",
    "MesonDecayError",
    "aim_decays",
    "branching_ratio",
    "branching_ratios",
    "coupling_at_unit_branching_ratio",
    "dalitz_density",
    "decay_products",
    "differential_branching_ratio",
    "lab_angle_cdf",
    "lab_angular_density",
    "matrix_element_squared",
    "meson_channel",
    "sample_decays",
    "threshold",
    "width_mu_nu",
    "width_mu_nu_s",
]

FloatArray = NDArray[np.float64]

#: Gauss-Legendre order of the s-integral of the total branching ratio.
_N_GAUSS = 48
#: Cells of the piecewise-linear proposal used by the sampler.
_N_CELLS = 1024


class MesonDecayError(MuphilicError):
    """An input to the meson-decay emission is invalid (species, mass, geometry)."""


@dataclass(frozen=True)
class MesonChannel:
    """A charged pseudoscalar meson decaying to mu nu (S).

    Attributes
    ----------
    name : str
        ``"kaon"`` or ``"pion"`` (also the :class:`ScalarSample` channel label).
    pdgid : int
        PDG code of the positive meson.
    mass : float
        Meson mass, MeV.
    decay_constant : float
        f_M, MeV (only enters :func:`width_mu_nu`).
    ckm : float
        |V_us| or |V_ud| (only enters :func:`width_mu_nu`).
    br_mu_nu : float
        Measured BR(M -> mu nu), the normalisation of every branching ratio here.
    """

    name: str
    pdgid: int
    mass: float
    decay_constant: float
    ckm: float
    br_mu_nu: float


KAON = MesonChannel("kaon", 321, m_K, F_K, CKM_VUS, BR_K_TO_MU_NU)
PION = MesonChannel("pion", 211, m_pi, F_PI, CKM_VUD, BR_PI_TO_MU_NU)


def meson_channel(which: str | int | MesonChannel) -> MesonChannel:
    """The :class:`MesonChannel` for ``"kaon"``/``"pion"``, a PDG id (+-321, +-211) or itself."""
    if isinstance(which, MesonChannel):
        return which
    if isinstance(which, str):
        table = {"kaon": KAON, "k": KAON, "pion": PION, "pi": PION}
        if which.lower() in table:
            return table[which.lower()]
    elif isinstance(which, int | np.integer):
        if abs(int(which)) == 321:
            return KAON
        if abs(int(which)) == 211:
            return PION
    raise MesonDecayError(
        f"meson must be 'kaon', 'pion', a PDG id +-321/+-211 or a MesonChannel, got {which!r}"
    )


def threshold(meson: str | int | MesonChannel) -> float:
    """Kinematic end point m_M - m_mu of m_S, MeV."""
    ch = meson_channel(meson)
    return ch.mass - m_mu


def _check_mass(mass: ArrayLike) -> FloatArray:
    m_s = np.asarray(mass, dtype=np.float64)
    if not np.all(np.isfinite(m_s)) or np.any(m_s <= 0):
        raise MesonDecayError(f"scalar mass must be positive and finite, got {mass!r}")
    return m_s


# --- matrix element ------------------------------------------------------------------------
def _t_reduced(s: ArrayLike, t: ArrayLike, ms2: ArrayLike, big_m2: float) -> FloatArray:
    """T / (s - m^2)^2 of the module docstring, from s = (p+k)^2, t = (n+k)^2 (MeV^2)."""
    s_ = np.asarray(s, dtype=np.float64)
    t_ = np.asarray(t, dtype=np.float64)
    m2 = m_mu**2
    u = big_m2 + m2 + ms2 - s_ - t_  # (p + n)^2
    n_p = 0.5 * (u - m2)
    n_k = 0.5 * (t_ - ms2)
    k_p = 0.5 * (s_ - m2 - ms2)
    a = -(s_ + m2)
    big_t = 8.0 * ((a * a - m2 * ms2) * n_p + 2.0 * m2 * (k_p - a) * n_k)
    return big_t / (s_ - m2) ** 2


def matrix_element_squared(
    p_mu: ArrayLike,
    p_nu: ArrayLike,
    p_s: ArrayLike,
    mass: float,
    meson: str | int | MesonChannel = "kaon",
) -> FloatArray:
    """Spin-summed |M|^2 / y^2 of M+ -> mu+ nu S (dimensionless).

    Parameters
    ----------
    p_mu, p_nu, p_s : (..., 4) arrays
        Four-momenta of the muon, neutrino and scalar (any frame), MeV.
    mass : float
        m_S, MeV (the four-momenta must be on shell).
    meson : str, int or MesonChannel
        Decaying meson; sets f_M and the CKM element.

    Returns
    -------
    array
        ``(G_F V f_M)^2 / 2 * T / (q^2 - m_mu^2)^2`` (module docstring).
    """
    ch = meson_channel(meson)
    p = np.asarray(p_mu, dtype=np.float64)
    n = np.asarray(p_nu, dtype=np.float64)
    k = np.asarray(p_s, dtype=np.float64)
    s = minkowski_dot(p + k, p + k)
    t = minkowski_dot(n + k, n + k)
    big = p + n + k
    big_m2 = minkowski_dot(big, big)
    norm = 0.5 * (G_FERMI * ch.ckm * ch.decay_constant) ** 2
    return norm * _t_reduced(s, t, mass**2, big_m2)


def width_mu_nu(meson: str | int | MesonChannel) -> float:
    """Tree-level Standard-Model width Gamma(M+ -> mu+ nu), MeV.

    ``G_F^2 |V|^2 f_M^2 m_M m_mu^2 (1 - m_mu^2/m_M^2)^2 / (8 pi)``; the measured
    width is larger by the radiative correction (about +1.8 % for pi, +1.1 % for K
    after the short-distance enhancement; Marciano & Sirlin, PRL 71 (1993) 3629).
    """
    ch = meson_channel(meson)
    r = (m_mu / ch.mass) ** 2
    return (G_FERMI * ch.ckm * ch.decay_constant) ** 2 * ch.mass * m_mu**2 * (1 - r) ** 2 / (8 * pi)


# --- the Dalitz integral in a smoothing variable ---------------------------------------------
# w = s - m^2 runs over [w0, w1], w0 = m_S (2 m + m_S), w1 = M^2 - m^2. With
# w = w0 cosh^2 v the square-root end point and the 1/w peak of the soft region
# both become smooth in v in [0, V], V = arccosh(sqrt(w1 / w0)).
def _v_limits(m_s: FloatArray, big_m: float) -> tuple[FloatArray, FloatArray]:
    w0 = m_s * (2 * m_mu + m_s)
    w1 = big_m**2 - m_mu**2
    ratio = np.where(w0 < w1, w1 / w0, 1.0)
    return w0, np.arccosh(np.sqrt(ratio))


def _s_of_v(v: FloatArray, w0: FloatArray) -> FloatArray:
    return m_mu**2 + w0 * np.cosh(v) ** 2


def _t_limits(s: FloatArray, ms2: FloatArray, big_m2: float) -> tuple[FloatArray, FloatArray]:
    """Range of t = (n + k)^2 at fixed s, MeV^2."""
    m2 = m_mu**2
    root_s = np.sqrt(s)
    e_nu = (big_m2 - s) / (2 * root_s)  # in the (mu S) rest frame
    e_s = (s - m2 + ms2) / (2 * root_s)
    k_s = np.sqrt(
        np.maximum((s - (m_mu + np.sqrt(ms2)) ** 2) * (s - (m_mu - np.sqrt(ms2)) ** 2), 0.0)
    )
    k_s = k_s / (2 * root_s)
    return ms2 + 2 * e_nu * (e_s - k_s), ms2 + 2 * e_nu * (e_s + k_s)


def _ratio_prefactor(big_m: float) -> float:
    """(1/(256 pi^3 M^3)) * (1/2) / Gamma_0 with G_F, V, f stripped, MeV^-4 ... ."""
    r = (m_mu / big_m) ** 2
    return 1.0 / (64 * pi**2 * big_m**4 * m_mu**2 * (1 - r) ** 2)


def _density_in_v(v: FloatArray, m_s: FloatArray, ch: MesonChannel) -> FloatArray:
    """d(Gamma3/Gamma0)/dv / y^2, with the t-integral done exactly (T is linear in t)."""
    return _density_parts(v, m_s, ch)[0]


def _density_parts(
    v: FloatArray, m_s: ArrayLike, ch: MesonChannel, t_ends: bool = False
) -> tuple[FloatArray, ...]:
    """:func:`_density_in_v` and its by-products (s, t_lo, t_hi), MeV^2.

    With ``t_ends`` also T/(s - m^2)^2 at t_lo and t_hi (the linear t-density).
    """
    big_m2 = ch.mass**2
    ms2 = m_s**2
    w0 = m_s * (2 * m_mu + m_s)
    ch_v = np.cosh(v)
    sh_v = np.sinh(v)
    w = w0 * ch_v**2
    s = m_mu**2 + w
    sqrt_lambda = np.sqrt(w0) * sh_v * np.sqrt(w + m_s * (2 * m_mu - m_s))
    t_lo, t_hi = _t_limits(s, ms2, big_m2)
    t_len = (big_m2 - s) * sqrt_lambda / s
    ts = (0.5 * (t_lo + t_hi), t_lo, t_hi) if t_ends else (0.5 * (t_lo + t_hi),)
    reduced = _t_reduced_many(s, ts, ms2, big_m2)
    integrand = t_len * reduced[0]
    # ds = 2 w0 cosh sinh dv
    density = _ratio_prefactor(ch.mass) * integrand * 2 * w0 * ch_v * sh_v
    return (density, s, t_lo, t_hi, *reduced[1:])


def _t_reduced_many(
    s: FloatArray, ts: tuple[FloatArray, ...], ms2: ArrayLike, big_m2: float
) -> list[FloatArray]:
    """:func:`_t_reduced` at one s and several t, the s-only factors computed once
    (same arithmetic, bit for bit)."""
    m2 = m_mu**2
    c = big_m2 + m2 + ms2 - s
    k_p = 0.5 * (s - m2 - ms2)
    a = -(s + m2)
    a1 = a * a - m2 * ms2
    a2 = 2.0 * m2 * (k_p - a)
    denom = (s - m2) ** 2
    out = []
    for t in ts:
        n_p = 0.5 * (c - t - m2)
        n_k = 0.5 * (t - ms2)
        out.append(8.0 * (a1 * n_p + a2 * n_k) / denom)
    return out


@functools.cache
def _gauss_legendre(n: int) -> tuple[FloatArray, FloatArray]:
    x, wts = np.polynomial.legendre.leggauss(n)
    return 0.5 * (x + 1.0), 0.5 * wts  # on [0, 1]


def _ratio_to_two_body(m_s: FloatArray, ch: MesonChannel, n: int = _N_GAUSS) -> FloatArray:
    """Gamma(M -> mu nu S) / Gamma(M -> mu nu) / y^2 for an array of masses (0 beyond threshold)."""
    m_s = np.asarray(m_s, dtype=np.float64)
    open_ = m_s < ch.mass - m_mu
    safe = np.where(open_, m_s, 0.5 * (ch.mass - m_mu))
    _, v_max = _v_limits(safe, ch.mass)
    x, wts = _gauss_legendre(n)
    v = v_max[..., None] * x
    dens = _density_in_v(v, safe[..., None], ch)
    out = np.sum(dens * wts, axis=-1) * v_max
    return np.where(open_, out, 0.0)


def branching_ratio(meson: str | int | MesonChannel, mass: ArrayLike) -> FloatArray:
    """BR(M -> mu nu S) / y^2, vectorised over m_S.

    Normalised to the measured BR(M -> mu nu) (``muphilic.constants``), so the
    decay constant, the CKM element and G_F drop out (module docstring). Exactly
    0 for m_S >= m_M - m_mu.

    Parameters
    ----------
    meson : str, int or MesonChannel
        ``"kaon"``, ``"pion"``, a PDG id or a :class:`MesonChannel`.
    mass : float or array
        m_S, MeV (> 0).

    Returns
    -------
    array
        Branching ratio per y^2 (same shape as ``mass``).

    Raises
    ------
    MesonDecayError
        For a non-positive or non-finite mass or an unknown meson.
    """
    ch = meson_channel(meson)
    m_s = _check_mass(mass)
    return ch.br_mu_nu * _ratio_to_two_body(m_s, ch)


def width_mu_nu_s(meson: str | int | MesonChannel, mass: ArrayLike) -> FloatArray:
    """Tree-level Gamma(M -> mu nu S) / y^2, MeV (uses f_M, CKM and G_F)."""
    ch = meson_channel(meson)
    return width_mu_nu(ch) * _ratio_to_two_body(_check_mass(mass), ch)


def dalitz_density(
    meson: str | int | MesonChannel, mass: float, s_mu_s: ArrayLike, t_nu_s: ArrayLike
) -> FloatArray:
    """d^2 BR / (ds dt) / y^2 in MeV^-4 with s = (p_mu + k)^2, t = (p_nu + k)^2.

    Zero outside the Dalitz region.
    """
    ch = meson_channel(meson)
    m_s = float(_check_mass(mass))
    s = np.asarray(s_mu_s, dtype=np.float64)
    t = np.asarray(t_nu_s, dtype=np.float64)
    big_m2 = ch.mass**2
    inside_s = (s > (m_mu + m_s) ** 2) & (s < big_m2)
    s_safe = np.where(inside_s, s, 0.5 * ((m_mu + m_s) ** 2 + big_m2))
    t_lo, t_hi = _t_limits(s_safe, m_s**2, big_m2)
    inside = inside_s & (t >= t_lo) & (t <= t_hi)
    val = ch.br_mu_nu * _ratio_prefactor(ch.mass) * _t_reduced(s_safe, t, m_s**2, big_m2)
    return np.where(inside, val, 0.0)


def differential_branching_ratio(
    meson: str | int | MesonChannel, mass: float, s_mu_s: ArrayLike
) -> FloatArray:
    """dBR/ds / y^2 in MeV^-2, s = (p_mu + p_S)^2 (equivalently E_nu = (m_M^2 - s)/(2 m_M))."""
    ch = meson_channel(meson)
    m_s = float(_check_mass(mass))
    s = np.asarray(s_mu_s, dtype=np.float64)
    big_m2 = ch.mass**2
    inside = (s > (m_mu + m_s) ** 2) & (s < big_m2)
    s_safe = np.where(inside, s, 0.5 * ((m_mu + m_s) ** 2 + big_m2))
    t_lo, t_hi = _t_limits(s_safe, m_s**2, big_m2)
    val = (
        ch.br_mu_nu
        * _ratio_prefactor(ch.mass)
        * (t_hi - t_lo)
        * _t_reduced(s_safe, 0.5 * (t_lo + t_hi), m_s**2, big_m2)
    )
    return np.where(inside, val, 0.0)


def coupling_at_unit_branching_ratio(mass: float) -> float:
    """Largest y at which BR(K -> mu nu S) and BR(pi -> mu nu S) are both <= 1 at m_S.

    The branching ratios grow as y^2 while the parent's width is held fixed, so
    beyond this coupling the tree-level formula is outside its validity. The value
    is rounded down until ``BR / y^2 * y**2 <= 1`` holds in floating point, exactly
    as :func:`branching_ratios` computes it.

    Parameters
    ----------
    mass : float
        m_S, MeV (in :data:`muphilic.scalar.MASS_RANGE_MeV`).

    Returns
    -------
    float
        The coupling (dimensionless); ``inf`` if both channels are closed.
    """
    m_s = float(check_mass(mass))
    per_y2 = max(float(branching_ratio(KAON, m_s)), float(branching_ratio(PION, m_s)))
    if per_y2 <= 0:
        return float("inf")
    y = float(1.0 / np.sqrt(per_y2))
    while per_y2 * y**2 > 1.0:
        y = float(np.nextafter(y, 0.0))
    return y


def branching_ratios(mass_MeV: float, coupling: float) -> dict[str, float]:
    """JSON-ready branching ratios at m_S = ``mass_MeV`` MeV and y = ``coupling``.

    Parameters
    ----------
    mass_MeV : float
        m_S in MeV, within :data:`muphilic.scalar.MASS_RANGE_MeV` (below it the
        Dalitz integral loses precision).
    coupling : float
        y, with 0 <= y <= :func:`coupling_at_unit_branching_ratio` (every branching
        ratio at most 1).

    Returns
    -------
    dict
        ``{"br_K_mu_nu_S": ..., "br_pi_mu_nu_S": ...}`` (plain floats, 0 above threshold).

    Raises
    ------
    MuphilicError
        For a mass outside the model's range or a coupling outside [0, y(BR = 1)].
    """
    m_s = float(check_mass(float(mass_MeV) * MeV))
    y = float(coupling)
    y_max = coupling_at_unit_branching_ratio(m_s)
    if not 0.0 <= y <= y_max:  # NaN fails
        raise MesonDecayError(
            f"coupling must lie in [0, {y_max!r}] at m_S = {m_s / MeV!r} MeV, got {coupling!r}: "
            "above it BR(K -> mu nu S) or BR(pi -> mu nu S) exceeds 1"
        )
    return {
        "br_K_mu_nu_S": float(branching_ratio(KAON, m_s)) * y**2,
        "br_pi_mu_nu_S": float(branching_ratio(PION, m_s)) * y**2,
    }


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
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = np.where(g > 0, h_exact / g, 0.0) * (prop.cum[-1] / prop.exact_integral)
    t = t_lo + _invert_linear(u_t, np.maximum(f0, 0.0), np.maximum(f1, 0.0)) * (t_hi - t_lo)
    return s, t, corr, ch.br_mu_nu * prop.exact_integral


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


def _dalitz_nodes(
    ch: MesonChannel, m_s: float, n_s: int, n_t: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Quadrature nodes of the Dalitz plot: probabilities, rest-frame |k| and E of S (MeV)."""
    big_m = ch.mass
    big_m2 = big_m**2
    ms2 = m_s**2
    w0, v_max = _v_limits(np.asarray(m_s), big_m)
    xv, wv = _gauss_legendre(n_s)
    v = float(v_max) * xv
    pv = _density_in_v(v, np.asarray(m_s), ch) * wv
    s = _s_of_v(v, np.asarray(w0))
    t_lo, t_hi = _t_limits(s, ms2, big_m2)
    f0 = _t_reduced(s, t_lo, ms2, big_m2)
    f1 = _t_reduced(s, t_hi, ms2, big_m2)
    xt, wt = _gauss_legendre(n_t)
    t = t_lo[:, None] + xt[None, :] * (t_hi - t_lo)[:, None]
    lin = (f0[:, None] + (f1 - f0)[:, None] * xt[None, :]) / (0.5 * (f0 + f1))[:, None]
    prob = (pv[:, None] * lin * wt[None, :]).ravel()
    prob /= np.sum(prob)
    u = big_m2 + m_mu**2 + ms2 - s[:, None] - t
    e_s = ((big_m2 + ms2 - u) / (2 * big_m)).ravel()
    k = np.sqrt(np.maximum((e_s - m_s) * (e_s + m_s), 0.0))
    return prob, k, e_s


def _parent_boost(ch: MesonChannel, parent_p4: ArrayLike) -> tuple[float, float]:
    big = np.asarray(parent_p4, dtype=np.float64)
    if big.shape != (4,) or not np.all(np.isfinite(big)):
        raise MesonDecayError(f"parent_p4 must be a finite (4,) array, got {parent_p4!r}")
    p_abs = float(np.linalg.norm(big[1:]))
    e_par = float(np.hypot(p_abs, ch.mass))
    return p_abs / e_par, e_par / ch.mass


def lab_angle_cdf(
    meson: str | int | MesonChannel,
    mass: float,
    parent_p4: ArrayLike,
    theta_lab: ArrayLike,
    *,
    n_s: int = 512,
    n_t: int = 32,
) -> FloatArray:
    """P(lab angle of S to the parent's direction <= theta_lab) for one decaying parent.

    For a fixed rest-frame momentum k* the rest-frame directions reaching lab angles
    <= theta are the caps cos(theta*) >= c+(theta) (and, for a scalar slower than
    the frame, cos(theta*) <= c-(theta)), so the probability is
    (1 - c+)/2 [+ (1 + c-)/2]: bounded and continuous, hence accurately averaged over
    the Dalitz plot by Gauss-Legendre quadrature (``n_s`` x ``n_t`` nodes).

    Parameters
    ----------
    meson : str, int or MesonChannel
    mass : float
        m_S, MeV.
    parent_p4 : (4,) array
        Lab four-momentum of the parent, MeV (put on shell with the PDG mass).
    theta_lab : array
        Lab angles, rad, in [0, pi].
    """
    ch = meson_channel(meson)
    m_s = float(_check_mass(mass))
    theta = np.asarray(theta_lab, dtype=np.float64)
    if m_s >= ch.mass - m_mu:
        return np.zeros_like(theta)
    beta, gamma = _parent_boost(ch, parent_p4)
    prob, k, e_s = _dalitz_nodes(ch, m_s, n_s, n_t)
    th = theta[..., None]
    c_plus, _ = rest_cos_from_lab_angle(th, k, e_s, beta, gamma, +1)
    c_minus, _ = rest_cos_from_lab_angle(th, k, e_s, beta, gamma, -1)
    two = beta * e_s > k
    th_max = lab_max_angle(k, e_s, beta, gamma)
    frac = np.where(two, 1.0 - 0.5 * (c_plus - c_minus), 0.5 * (1.0 - c_plus))
    frac = np.where(two & (th >= th_max), 1.0, frac)
    return np.clip(np.sum(frac * prob, axis=-1), 0.0, 1.0)


def lab_angular_density(
    meson: str | int | MesonChannel,
    mass: float,
    parent_p4: ArrayLike,
    cos_theta_lab: ArrayLike,
    *,
    n_s: int = 128,
    n_t: int = 8,
) -> FloatArray:
    """dP/dOmega_lab (sr^-1) of the scalar's lab direction for one parent, per decay to mu nu S.

    ``theta_lab`` is measured from the parent's momentum; the density is azimuthally
    symmetric and integrates to 1 over the sphere. It sums the rest-frame isotropic
    density times dOmega*/dOmega_lab over both lab solutions of a massive scalar and
    averages over the Dalitz plot by Gauss-Legendre quadrature (``n_s`` x ``n_t``
    nodes). Where a Dalitz node's maximum lab angle is near ``theta_lab`` the
    Jacobian has an integrable 1/sqrt peak, so there (only for a scalar slower than
    its parent in the parent frame) the quadrature is rough; :func:`lab_angle_cdf`
    is accurate everywhere.

    Parameters
    ----------
    meson : str, int or MesonChannel
    mass : float
        m_S, MeV.
    parent_p4 : (4,) array
        Lab four-momentum of the parent, MeV (put on shell with the PDG mass).
    cos_theta_lab : array
        cos of the lab angle to the parent's direction.
    """
    ch = meson_channel(meson)
    m_s = float(_check_mass(mass))
    cos_lab = np.asarray(cos_theta_lab, dtype=np.float64)
    if m_s >= ch.mass - m_mu:
        return np.zeros_like(cos_lab)
    beta, gamma = _parent_boost(ch, parent_p4)
    prob, k, e_s = _dalitz_nodes(ch, m_s, n_s, n_t)
    theta = np.arccos(np.clip(cos_lab, -1.0, 1.0))[..., None]
    reach = theta <= lab_max_angle(k, e_s, beta, gamma)
    total = np.zeros(np.broadcast_shapes(theta.shape, k.shape))
    for branch in (+1, -1):
        _, p_lab = rest_cos_from_lab_angle(theta, k, e_s, beta, gamma, branch)
        e_lab = np.sqrt(p_lab**2 + m_s**2)
        jac = rest_per_lab_solid_angle(p_lab, e_lab, np.cos(theta), k, beta, gamma)
        if branch < 0:
            jac = np.where(beta * e_s > k, jac, 0.0)
        total += np.where(reach, jac, 0.0)
    return np.sum(total * prob, axis=-1) / (4 * pi)
