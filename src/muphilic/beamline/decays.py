"""Decays in flight of pi+- and K+- and two-body decay kinematics.

Conventions: four-vectors (E, px, py, pz) in MeV; a particle of momentum p and
mass M with proper lifetime tau has the lab decay length ``lambda = (p/M) c tau``
and decays at a path length s with density exp(-s/lambda)/lambda (no energy
loss in air). A parent followed over a path L is given **one** decay point drawn
from that density *restricted to [0, L]*, and its weight is multiplied by the
decay probability ``P = 1 - exp(-L/lambda)``: every parent contributes exactly
one weighted decay, none is thrown away, and any number of independent decay
samples can be drawn from the same parent (see :func:`sample_decay_distance`).

The neutrino and muon of pi/K -> mu nu: isotropic in the parent's rest frame,
``E* = (M^2 - m_mu^2) / 2M`` (massless neutrino). For a lab direction n-hat at
angle theta to the parent's velocity beta:

* ``E_nu(theta) = E* / (gamma (1 - beta cos theta))``;
* ``dOmega*/dOmega_lab = (E_nu / E*)^2`` (the Jacobian of the aberration),

so the probability per unit lab solid angle is ``(E_nu/E*)^2 / 4 pi`` - the
standard "forced neutrino towards the detector" weight of the MiniBooNE and
NuMI flux codes.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from muphilic.constants import c_light, m_mu
from muphilic.emission.kinematics import boost_from_rest

__all__ = [
    "decay_length",
    "isotropic_two_body",
    "neutrino_energy_and_jacobian",
    "sample_decay_distance",
    "two_body_momentum",
]

FloatArray = NDArray[np.float64]


def decay_length(momentum: FloatArray, mass: float, lifetime: float) -> FloatArray:
    """Lab decay length (mm) = (p/M) c tau for |p| in MeV, M in MeV, tau in ns."""
    return np.asarray(momentum, dtype=float) / mass * c_light * lifetime


def sample_decay_distance(
    rng: np.random.Generator, lam: FloatArray, path: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Decay distance restricted to [0, path] and the decay probability.

    Parameters
    ----------
    lam : array
        Decay lengths, mm.
    path : array
        Available path lengths, mm.

    Returns
    -------
    (s, probability)
        ``s`` is drawn from exp(-s/lam) truncated to [0, path] (inverse CDF, no
        rejection); ``probability = 1 - exp(-path/lam)``.
    """
    lam = np.asarray(lam, dtype=float)
    prob = -np.expm1(-np.asarray(path, dtype=float) / lam)
    u = rng.random(lam.shape)
    s = -lam * np.log1p(-u * prob)
    return np.minimum(s, path), prob


def two_body_momentum(mass: float, m1: float, m2: float) -> float:
    """Momentum (MeV) of the daughters of a two-body decay at rest."""
    term = (mass**2 - (m1 + m2) ** 2) * (mass**2 - (m1 - m2) ** 2)
    return math.sqrt(max(term, 0.0)) / (2.0 * mass)


def isotropic_two_body(
    rng: np.random.Generator, parent_p4: FloatArray, mass: float, m1: float, m2: float = 0.0
) -> FloatArray:
    """Lab four-momentum of daughter 1 of an isotropic two-body decay (N, 4)."""
    n = len(parent_p4)
    p_star = two_body_momentum(mass, m1, m2)
    cos_t = rng.uniform(-1.0, 1.0, n)
    phi = rng.uniform(0.0, 2.0 * math.pi, n)
    sin_t = np.sqrt(1.0 - cos_t**2)
    rest = np.column_stack(
        (
            np.full(n, math.hypot(p_star, m1)),
            p_star * sin_t * np.cos(phi),
            p_star * sin_t * np.sin(phi),
            p_star * cos_t,
        )
    )
    return boost_from_rest(rest, parent_p4, mass)


def neutrino_energy_and_jacobian(
    parent_p4: FloatArray, mass: float, direction: FloatArray, m_lepton: float = m_mu
) -> tuple[FloatArray, FloatArray]:
    """E_nu and dOmega*/dOmega_lab for a neutrino emitted along ``direction``.

    Parameters
    ----------
    parent_p4 : (N, 4) array
        Parent four-momenta, MeV.
    mass : float
        Parent mass, MeV.
    direction : (N, 3) or (N, K, 3) array
        Unit vectors towards the points of interest.
    m_lepton : float
        Charged-lepton mass (m_mu for pi/K -> mu nu).

    Returns
    -------
    (E_nu, jacobian)
        Same leading shape as ``direction`` without its last axis.
    """
    e_star = (mass**2 - m_lepton**2) / (2.0 * mass)
    energy = parent_p4[:, 0]
    p3 = parent_p4[:, 1:]
    gamma = energy / mass
    if direction.ndim == 3:
        pdotn = np.einsum("nj,nkj->nk", p3, direction)
        denom = gamma[:, None] - pdotn / mass  # gamma (1 - beta cos theta)
    else:
        pdotn = np.sum(p3 * direction, axis=1)
        denom = gamma - pdotn / mass
    e_nu = e_star / denom
    return e_nu, (e_nu / e_star) ** 2
