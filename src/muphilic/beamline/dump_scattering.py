"""Multiple Coulomb scattering of the muons in the iron dump before they emit S.

The emission of :mod:`muphilic.emission.muon_scattering` takes the S angle
relative to the muon's *entry* direction. On its way from the entry energy E to
the emission energy E' the muon is deflected; the plane-projected RMS angle is
(PDG Eq. (34.15), the Highland formula, integrated over the slowing down)::

    theta0^2 = int_{E'}^{E} (13.6 MeV / (p beta c))^2 / (X0 dE/dx) dE  x  (1 + 0.038 ln(x / X0))^2

with X0 = 13.84 g/cm2 of iron (PDG) and x the path from E to E'. The emission
energy follows the emission density ``sigma(E')/(dE/dx)`` on [0, E]; its CDF is
``P_emit(E') / P_emit(E)`` (:func:`muphilic.emission.muon_scattering.emission_probability`).

:func:`scatter_in_dump` gives each muon the direction it has at an emission
energy E' drawn from that density: its entry direction turned by two
independent Gaussian plane angles of width theta0(E, E'). Approximations: E'
is drawn independently of the emission sampler's own E' (the marginal
distributions agree, the correlation between the S energy and the deflection is
lost); the lateral displacement at the vertex (theta0 x / sqrt 3, a few cm) and
the range straggling (a few % of a range below 5 m) are neglected - both move
the vertex by far less than the 60-540 m to the detectors resolve.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from muphilic.constants import DEDX_IRON_PAPER, RHO_IRON, MeV, cm2, g, m_mu
from muphilic.emission.muon_scattering import emission_probability
from muphilic.events import MuonSample

__all__ = ["X0_IRON", "emission_energies", "highland_theta0", "scatter_in_dump"]

FloatArray = NDArray[np.float64]
Dedx = float | Callable[[FloatArray], FloatArray]

#: Radiation length of iron, mm (PDG: 13.84 g/cm2, rho 7.874 g/cm3).
X0_IRON = 13.84 * g / cm2 / RHO_IRON

_HIGHLAND = 13.6 * MeV
_NODES = 64


def _dedx_of(dedx: Dedx, energy: FloatArray) -> FloatArray:
    if callable(dedx):
        return np.asarray(dedx(energy), dtype=float)
    return np.full_like(energy, float(dedx))


def highland_theta0(
    entry_energy: FloatArray, emit_energy: FloatArray, dedx: Dedx = DEDX_IRON_PAPER
) -> FloatArray:
    """Plane RMS deflection (rad) of a muon slowing from ``entry_energy`` to
    ``emit_energy`` (total energies, MeV) in iron with stopping power ``dedx``
    (MeV/mm, a constant or a function of the total energy)."""
    e1 = np.asarray(entry_energy, dtype=float)
    e0 = np.clip(np.asarray(emit_energy, dtype=float), m_mu * (1.0 + 1e-6), e1)
    # midpoint rule in ln(E - m_mu): the integrand grows like 1/p^4 near stopping, so the
    # nodes crowd there (a uniform rule in E lost most of the angle below ~200 MeV)
    s = (np.arange(_NODES) + 0.5) / _NODES
    k0, k1 = e0 - m_mu, e1 - m_mu
    kinetic = k0[:, None] * (k1 / k0)[:, None] ** s[None, :]
    energy = kinetic + m_mu
    weight = kinetic * (np.log(k1 / k0) / _NODES)[:, None]  # dE per node
    p2 = energy**2 - m_mu**2
    p_beta = p2 / energy
    loss = _dedx_of(dedx, energy.ravel()).reshape(energy.shape)
    th2 = np.sum(weight * (_HIGHLAND / p_beta) ** 2 / (X0_IRON * loss), axis=1)
    path = np.sum(weight / loss, axis=1)
    log_term = 1.0 + 0.038 * np.log(np.maximum(path / X0_IRON, 1e-3))
    return np.sqrt(th2) * np.clip(log_term, 0.0, None)


def emission_energies(
    energy: FloatArray, mass: float, rng: np.random.Generator, dedx: Dedx = DEDX_IRON_PAPER
) -> FloatArray:
    """Emission energies E' (MeV) drawn from sigma(E')/(dE/dx) on [0, E] for muons of
    entry energy ``energy`` (MeV); muons below threshold keep E' = E."""
    e = np.asarray(energy, dtype=float)
    if e.size == 0:
        return e.copy()
    grid = np.linspace(m_mu, float(np.max(e)), 400)
    cdf = emission_probability(grid, mass, dedx=dedx)
    top = np.interp(e, grid, cdf)
    u = rng.random(e.size) * top
    # invert the increasing CDF (flat below threshold: take the first energy reaching u)
    cdf_inc = np.maximum.accumulate(cdf + np.arange(cdf.size) * 1e-300)
    out = np.interp(u, cdf_inc, grid)
    return np.where(top > 0.0, np.minimum(out, e), e)


def _turn(u: FloatArray, ax: FloatArray, ay: FloatArray) -> FloatArray:
    """Unit vectors ``u`` turned by the plane angles ``ax``, ``ay`` (rad)."""
    ref = np.where(np.abs(u[:, 2:3]) < 0.9, [[0.0, 0.0, 1.0]], [[1.0, 0.0, 0.0]])
    e1 = np.cross(u, ref)
    e1 /= np.linalg.norm(e1, axis=1)[:, None]
    e2 = np.cross(u, e1)
    tx, ty = np.tan(ax), np.tan(ay)
    v = u + tx[:, None] * e1 + ty[:, None] * e2
    return v / np.linalg.norm(v, axis=1)[:, None]


def scatter_in_dump(
    muons: MuonSample, mass: float, rng: np.random.Generator, dedx: Dedx = DEDX_IRON_PAPER
) -> MuonSample:
    """The muons with their direction at a drawn emission energy (see the module).

    Energies, positions, weights and charges are unchanged.
    """
    if len(muons) == 0:
        return muons
    energy = muons.p4[:, 0]
    emit = emission_energies(energy, mass, rng, dedx)
    theta0 = highland_theta0(energy, emit, dedx)
    p = np.linalg.norm(muons.p4[:, 1:], axis=1)
    u = muons.p4[:, 1:] / np.where(p > 0.0, p, 1.0)[:, None]
    ax = rng.normal(0.0, 1.0, len(p)) * theta0
    ay = rng.normal(0.0, 1.0, len(p)) * theta0
    ax, ay = np.clip(ax, -0.5 * math.pi + 1e-3, None), np.clip(ay, -0.5 * math.pi + 1e-3, None)
    ax, ay = np.minimum(ax, 0.5 * math.pi - 1e-3), np.minimum(ay, 0.5 * math.pi - 1e-3)
    p4 = muons.p4.copy()
    p4[:, 1:] = p[:, None] * _turn(u, ax, ay)
    return MuonSample(p4, muons.position, muons.weight, muons.charge)
