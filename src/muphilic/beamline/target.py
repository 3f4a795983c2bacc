"""The primary proton beam and its interactions in the target.

The geometry comes from a facility file (:mod:`muphilic.beamline.facility`): a
cylinder of radius R on the beam axis made of one or more segments along z (the
BNB's is one Be cylinder of radius 4.7625 mm spanning z = 34.9-746.1 mm). The
protons start at ``spot.z_start`` with an uncorrelated Gaussian spot in position
and angle (the BNB's G4BNB ``input/production.in`` sets the position-angle
correlation switches to -1, which we read as "no correlation"; at the target the
difference is below a tenth of a millimetre).

Each proton flies straight (elastic scattering neglected). Its meson-producing
interaction depth follows the attenuation cross section ``sigma_att``:

* ``"inelastic"`` (default): interactions are drawn with sigma_inel, as in G4BNB,
  and quasi-elastically scattered protons are dropped (G4BNB tracks them and
  lets them re-interact; this is part of the ~7 % "re-scattered proton" share of
  the nu_mu flux quoted by MiniBooNE that we do not model).
* ``"production"``: sigma_inel - sigma_QE, i.e. the quasi-elastically scattered
  proton continues undeflected and with its full momentum and may interact again
  (an upper estimate of the re-interaction of quasi-elastic protons).

Yields: the number of mesons of one species per POT is
``P_int * sigma_meson / sigma_att`` with ``P_int = 1 - exp(-L/lambda_att)``, L
the proton's path through target material (the per-unit-length yield
n sigma_meson does not depend on the bookkeeping; see
:mod:`muphilic.beamline.production`). Interaction points are drawn from the
truncated exponential on each proton's path in the target and ``P_int`` goes
into the weight.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from muphilic.constants import N_AVOGADRO, m_proton

__all__ = [
    "BeamSpot",
    "ProtonInteractions",
    "Target",
    "interaction_length",
    "proton_momentum",
    "sample_interactions",
]

FloatArray = NDArray[np.float64]


def proton_momentum(kinetic_energy: float) -> float:
    """|p| of a proton of the given kinetic energy (MeV in, MeV out)."""
    return math.sqrt((kinetic_energy + m_proton) ** 2 - m_proton**2)


@dataclass(frozen=True)
class BeamSpot:
    """Gaussian proton beam spot at the start plane (widths in mm and rad, z_start in mm)."""

    sigma_x: float
    sigma_y: float
    sigma_theta_x: float
    sigma_theta_y: float
    z_start: float


@dataclass(frozen=True)
class Target:
    """The production target: a segmented cylinder on the beam axis and its material.

    Attributes
    ----------
    material : str
        Material name (``"Be"``, ``"C"``); the pion absorption model knows ``"Be"``.
    atomic_number, mass_number : int
        Z and A of the target nucleus (what an event generator collides with).
    density : float
        Density, CLHEP units (``g / cm3``).
    molar_mass : float
        Molar mass, CLHEP units (``g / mole``).
    radius : float
        Radius, mm.
    segments : tuple of (z1, z2)
        Material along z, mm (increasing, non-overlapping).
    sigma_inelastic, sigma_production : float or None
        p-nucleus inelastic and production (inelastic minus quasi-elastic) cross
        sections at the facility's beam momentum, CLHEP area: the normalisation of
        event-generator samples (:mod:`muphilic.beamline.production`).
    """

    material: str
    atomic_number: int
    mass_number: int
    density: float
    molar_mass: float
    radius: float
    segments: tuple[tuple[float, float], ...]
    sigma_inelastic: float | None = None
    sigma_production: float | None = None

    @property
    def z_min(self) -> float:
        """Upstream face, mm."""
        return self.segments[0][0]

    @property
    def z_max(self) -> float:
        """Downstream face, mm."""
        return self.segments[-1][1]

    @property
    def length(self) -> float:
        """Length of the envelope along z (first to last face), mm."""
        return self.z_max - self.z_min

    @property
    def number_density(self) -> float:
        """Nuclei per volume (CLHEP units)."""
        return self.density / self.molar_mass * N_AVOGADRO


def interaction_length(sigma: float, number_density: float) -> float:
    """Mean free path (mm) for a cross section ``sigma`` (CLHEP area) among
    ``number_density`` nuclei per volume (:attr:`Target.number_density`)."""
    return 1.0 / (number_density * sigma)


def _path_in_cylinder(
    x0: FloatArray, y0: FloatArray, tx: FloatArray, ty: FloatArray, geo: Target
) -> tuple[FloatArray, FloatArray]:
    """Entry and exit z of straight rays x = x0 + tx (z - z_min) in the target.

    Returns (z_in, z_out); z_out <= z_in means no path in the target.
    """
    # r^2(z) = (x0 + tx dz)^2 + (y0 + ty dz)^2 <= R^2 with dz = z - z_min
    a = tx**2 + ty**2
    b = 2.0 * (x0 * tx + y0 * ty)
    c = x0**2 + y0**2 - geo.radius**2
    disc = b**2 - 4.0 * a * c
    sq = np.sqrt(np.maximum(disc, 0.0))
    safe_a = np.where(a > 0.0, a, 1.0)
    lo = np.where(a > 0.0, (-b - sq) / (2.0 * safe_a), -np.inf)
    hi = np.where(a > 0.0, (-b + sq) / (2.0 * safe_a), np.inf)
    never = (disc < 0.0) | ((a == 0.0) & (c > 0.0))
    z_in = geo.z_min + np.maximum(lo, 0.0)
    z_out = geo.z_min + np.minimum(hi, geo.length)
    z_out = np.where(never, z_in, z_out)
    return z_in, z_out


@dataclass(frozen=True)
class ProtonInteractions:
    """Meson-producing proton interaction points, one per requested meson.

    Attributes
    ----------
    position : (N, 3) array
        Interaction point, mm.
    direction : (N, 3) array
        Proton unit direction.
    weight : (N,) array
        Interaction probability of the proton (``P_int``).
    """

    position: FloatArray
    direction: FloatArray
    weight: FloatArray


def _material_depth_to_z(
    z_in: FloatArray, z_out: FloatArray, dz: FloatArray, segments: tuple[tuple[float, float], ...]
) -> tuple[FloatArray, FloatArray]:
    """Material length along z inside [z_in, z_out] and the z where ``dz`` of it is reached.

    Returns (material length per ray, z of the point) for a segmented target.
    """
    z1 = np.array([a for a, _ in segments])
    z2 = np.array([b for _, b in segments])
    lo = np.maximum(z_in[:, None], z1[None, :])
    overlap = np.clip(np.minimum(z_out[:, None], z2[None, :]) - lo, 0.0, None)
    cum = np.cumsum(overlap, axis=1)
    k = np.minimum(np.sum(cum < dz[:, None], axis=1), len(segments) - 1)
    rows = np.arange(len(z_in))
    before = cum[rows, k] - overlap[rows, k]
    return cum[:, -1], lo[rows, k] + (dz - before)


def sample_interactions(
    n: int,
    rng: np.random.Generator,
    lambda_att: float,
    spot: BeamSpot,
    target: Target,
) -> ProtonInteractions:
    """Draw ``n`` proton interaction points in the target (one proton each).

    The depth is drawn from the exponential with mean free path ``lambda_att``
    truncated to the proton's path through target material (the chord through
    the cylinder, minus the gaps between segments); the weight is the
    probability that the proton interacts at all on that path.
    """
    geo = target
    x_s = rng.normal(0.0, spot.sigma_x, n)
    y_s = rng.normal(0.0, spot.sigma_y, n)
    tx = rng.normal(0.0, spot.sigma_theta_x, n)
    ty = rng.normal(0.0, spot.sigma_theta_y, n)
    # position at the target front face
    dz0 = geo.z_min - spot.z_start
    x0 = x_s + tx * dz0
    y0 = y_s + ty * dz0
    z_in, z_out = _path_in_cylinder(x0, y0, tx, ty, geo)
    norm = np.sqrt(1.0 + tx**2 + ty**2)
    if len(geo.segments) == 1:
        chord = np.maximum(z_out - z_in, 0.0) * norm
    else:
        chord = _material_depth_to_z(z_in, z_out, np.zeros(n), geo.segments)[0] * norm
    p_int = -np.expm1(-chord / lambda_att)
    u = rng.random(n)
    depth = -lambda_att * np.log1p(-u * p_int)  # along the path
    dz = depth / norm
    if len(geo.segments) == 1:
        z = z_in + dz
    else:
        z = _material_depth_to_z(z_in, z_out, dz, geo.segments)[1]
    pos = np.column_stack((x0 + tx * (z - geo.z_min), y0 + ty * (z - geo.z_min), z))
    direction = np.column_stack((tx, ty, np.ones(n))) / norm[:, None]
    return ProtonInteractions(pos, direction, p_int)
