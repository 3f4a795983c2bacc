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

Quasi-elastic re-scattering (:func:`rescatter_quasielastic`, with ``"inelastic"``):
G4BNB's own treatment of the primary proton (``src/BooNEpBeInteraction.cc``: a
fraction sigma_QE / sigma_inel of the p-Be interactions is quasi-elastic, handled by
``src/BooNEHadronQuasiElasticModel.cc``). The proton scatters elastically off a
nucleon at rest with q^2 drawn from exp(-beta q^2), beta(p) = c0 + c1 p + c2 p^2
(``input/production.in``, ``proQuasiElasticPar``: 9.47 (GeV/c)^-2 at 8.89 GeV/c,
a lab angle of ~37 mrad), keeps flying in its new direction and may interact again
on its remaining path in the target. One quasi-elastic step is followed (a second
one changes the yield by < 0.5 %); the mesons of the re-interaction are drawn at
the beam momentum (the proton has lost 0.6 % of it).

Yields: the number of mesons of one species per POT is
``P_int * sigma_meson / sigma_att`` with ``P_int = 1 - exp(-L/lambda_att)``, L
the proton's path through target material (the per-unit-length yield
n sigma_meson does not depend on the bookkeeping; see
:mod:`muphilic.beamline.production`). Interaction points are drawn from the
truncated exponential on each proton's path in the target and ``P_int`` goes
into the weight.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from muphilic.beamline.geometry import rotate_to
from muphilic.beamline.target_support import Fins, Sleeve, path_in_fins, path_in_sleeve
from muphilic.constants import N_AVOGADRO, GeV, m_proton
from muphilic.data import data_file

__all__ = [
    "G4BNB_PROTON_QE_SLOPE",
    "BeamSpot",
    "ProtonInteractions",
    "Target",
    "interaction_length",
    "proton_momentum",
    "quasielastic_scatter",
    "quasielastic_slope",
    "rescatter_quasielastic",
    "sample_interactions",
]


def _qe_slope_coefficients() -> tuple[float, ...]:
    text = data_file("beamline", "g4bnb_hadron_production_parameters.json").read_text()
    return tuple(float(c) for c in json.loads(text)["quasielastic_slope_proton"]["coefficients"])


#: G4BNB ``input/production.in`` ``/boone/physics/quasielastic/proQuasiElasticPar``: the
#: q^2 slope of quasi-elastic p-Be scattering, sum c_k p^k in (GeV/c)^-2, p in GeV/c
#: (``data/beamline/g4bnb_hadron_production_parameters.json``).
G4BNB_PROTON_QE_SLOPE = _qe_slope_coefficients()

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
    mean_excitation : float or None
        Mean excitation energy I, MeV, for the ionisation loss of mesons
        (:mod:`muphilic.beamline.energy_loss`); None: the element's value
        (:data:`muphilic.constants.MEAN_EXCITATION`).
    sleeve, fins : Sleeve or None, Fins or None
        The rod's cooling sleeve and the fins holding it, of the target's material
        (:mod:`muphilic.beamline.target_support`); None: a bare rod.
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
    mean_excitation: float | None = None
    sleeve: Sleeve | None = None
    fins: Fins | None = None

    def material_path(self, position: FloatArray, direction: FloatArray) -> FloatArray:
        """Straight path (mm) of mesons from ``position`` along ``direction`` through the
        target's material: the rod from inside it, then its sleeve and fins."""
        from muphilic.beamline.absorption import path_in_target

        path = path_in_target(position, direction, self.radius, self.z_max, self.segments)
        if self.sleeve is not None:
            path = path + path_in_sleeve(position, direction, self.sleeve)
        if self.fins is not None:
            path = path + path_in_fins(position, direction, self.fins)
        return path

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


def quasielastic_slope(momentum: float) -> float:
    """G4BNB's q^2 slope beta of quasi-elastic p-Be scattering at ``momentum`` (MeV/c),
    in MeV^-2 (``d sigma / d q^2 ~ exp(-beta q^2)``)."""
    p = momentum / GeV
    return sum(c * p**k for k, c in enumerate(G4BNB_PROTON_QE_SLOPE)) / GeV**2


def quasielastic_scatter(
    rng: np.random.Generator, momentum: float, n: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Lab polar angle (rad), lab momentum (MeV/c) and q^2 (MeV^2) of ``n`` protons of
    ``momentum`` scattered elastically off a nucleon at rest (G4BNB's quasi-elastic model).

    q^2 follows exp(-beta q^2) below its kinematic limit 4 p*^2; the centre-of-mass
    angle is 2 asin(sqrt(q^2 / 4 p*^2)), boosted to the lab.
    """
    m = m_proton
    energy = math.hypot(momentum, m)
    s = 2.0 * m**2 + 2.0 * energy * m
    p_star = momentum * m / math.sqrt(s)
    q2_max = 4.0 * p_star**2
    beta = quasielastic_slope(momentum)
    # truncated exponential (G4BNB redraws above the limit: the same distribution)
    q2 = -np.log1p(-rng.random(n) * -math.expm1(-beta * q2_max)) / beta
    theta_cm = 2.0 * np.arcsin(np.sqrt(np.clip(q2 / q2_max, 0.0, 1.0)))
    e_star = math.hypot(p_star, m)
    b = momentum / (energy + m)
    g = 1.0 / math.sqrt(1.0 - b * b)
    pz = g * (p_star * np.cos(theta_cm) + b * e_star)
    pt = p_star * np.sin(theta_cm)
    return np.arctan2(pt, pz), np.hypot(pz, pt), q2


def rescatter_quasielastic(
    protons: ProtonInteractions,
    rng: np.random.Generator,
    lambda_att: float,
    target: Target,
    qe_fraction: float,
    momentum: float,
) -> ProtonInteractions:
    """Add the meson-producing interactions of quasi-elastically scattered protons.

    ``protons`` are first interactions drawn with ``lambda_att`` (sigma_inel). A row
    becomes, with probability ``qe_fraction`` (sigma_QE / sigma_inel), a quasi-elastic
    scatter at its point (deflected by :func:`quasielastic_scatter`) followed by a
    second interaction on the remaining straight path in the target, with weight
    ``P_int1 * P_int2``; the other rows keep their point with weight
    ``P_int1 / (1 - qe_fraction)``. The expected meson yield per proton is then
    ``P_int1 + qe_fraction * <P_int1 P_int2>`` times the multiplicity per inelastic
    interaction, as in G4BNB. Single-cylinder targets only.
    """
    from muphilic.beamline.absorption import path_in_target

    if len(target.segments) != 1:
        raise ValueError("quasi-elastic re-scattering is modelled for one-cylinder targets only")
    if not 0.0 <= qe_fraction < 1.0:
        raise ValueError(f"qe_fraction must be in [0, 1), got {qe_fraction!r}")
    n = len(protons.weight)
    qe = rng.random(n) < qe_fraction
    weight = protons.weight / (1.0 - qe_fraction)
    position = protons.position.copy()
    direction = protons.direction.copy()
    k = int(np.count_nonzero(qe))
    if k:
        theta, _, _ = quasielastic_scatter(rng, momentum, k)
        phi = rng.uniform(0.0, 2.0 * math.pi, k)
        local = np.column_stack(
            (np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta))
        )
        u = rotate_to(protons.direction[qe], local)
        x1 = protons.position[qe]
        path = path_in_target(x1, u, target.radius, target.z_max, target.segments)
        p2 = -np.expm1(-path / lambda_att)
        depth = -lambda_att * np.log1p(-rng.random(k) * p2)
        position[qe] = x1 + depth[:, None] * u
        direction[qe] = u
        weight[qe] = protons.weight[qe] * p2
    return ProtonInteractions(position, direction, weight)
