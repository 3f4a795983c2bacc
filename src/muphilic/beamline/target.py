"""The primary proton beam and its interactions in the beryllium target.

Geometry (SBNSoftware/G4BNB ``geometry/BooNE_50m.gdml``): one Be cylinder of
radius 4.7625 mm spanning z = 34.9-746.1 mm (71.12 cm), on the beam axis inside
the horn's inner conductor. The protons start at z = -10 mm with the published
Gaussian spot (sigma_x = 1.51 mm, sigma_y = 0.75 mm, sigma_theta_x = 0.66 mrad,
sigma_theta_y = 0.40 mrad; G4BNB ``input/production.in``). production.in sets
the position-angle correlation switches to -1, which we read as "no
correlation" (the sampled spot is uncorrelated); at the target the difference is
below a tenth of a millimetre.

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
``P_int * sigma_meson / sigma_att`` with ``P_int = 1 - exp(-L/lambda_att)``
(the per-unit-length yield n sigma_meson does not depend on the bookkeeping;
see :mod:`muphilic.beamline.production`). Interaction points are drawn from the
truncated exponential on each proton's path in the target and ``P_int`` goes
into the weight.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from muphilic.constants import (
    A_BERYLLIUM,
    N_AVOGADRO,
    RHO_BERYLLIUM,
    GeV,
    m_proton,
    mm,
    mrad,
)

__all__ = [
    "BeamSpot",
    "ProtonInteractions",
    "TargetGeometry",
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
    """Gaussian proton beam spot at the start plane (G4BNB production.in values)."""

    sigma_x: float = 1.51 * mm
    sigma_y: float = 0.75 * mm
    sigma_theta_x: float = 0.66 * mrad
    sigma_theta_y: float = 0.40 * mrad
    z_start: float = -10.0 * mm


@dataclass(frozen=True)
class TargetGeometry:
    """The Be target cylinder (G4BNB GDML, volume TARG)."""

    z_min: float = 34.9 * mm
    z_max: float = 746.1 * mm
    radius: float = 4.7625 * mm

    @property
    def length(self) -> float:
        """Length along z, mm."""
        return self.z_max - self.z_min


def interaction_length(sigma: float) -> float:
    """Mean free path (mm) in beryllium for a cross section ``sigma`` (CLHEP area)."""
    n_be = RHO_BERYLLIUM / A_BERYLLIUM * N_AVOGADRO
    return 1.0 / (n_be * sigma)


def _path_in_cylinder(
    x0: FloatArray, y0: FloatArray, tx: FloatArray, ty: FloatArray, geo: TargetGeometry
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


def sample_interactions(
    n: int,
    rng: np.random.Generator,
    lambda_att: float,
    spot: BeamSpot | None = None,
    geometry: TargetGeometry | None = None,
) -> ProtonInteractions:
    """Draw ``n`` proton interaction points in the target (one proton each).

    The depth is drawn from the exponential with mean free path ``lambda_att``
    truncated to the proton's chord through the cylinder; the weight is the
    probability that the proton interacts at all on that chord.
    """
    spot = spot or BeamSpot()
    geo = geometry or TargetGeometry()
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
    chord = np.maximum(z_out - z_in, 0.0) * norm
    p_int = -np.expm1(-chord / lambda_att)
    u = rng.random(n)
    depth = -lambda_att * np.log1p(-u * p_int)  # along the path
    dz = depth / norm
    z = z_in + dz
    pos = np.column_stack((x0 + tx * (z - geo.z_min), y0 + ty * (z - geo.z_min), z))
    direction = np.column_stack((tx, ty, np.ones(n))) / norm[:, None]
    return ProtonInteractions(pos, direction, p_int)


def beam_momentum(kinetic_energy: float = 8.0 * GeV) -> float:
    """Proton momentum for the BNB kinetic energy (8 GeV -> 8.89 GeV/c), MeV."""
    return proton_momentum(kinetic_energy)
