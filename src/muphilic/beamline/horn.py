"""The BNB magnetic horn: toroidal field and a vectorised charged-particle tracker.

Field: ``B_phi = mu0 I / (2 pi r)`` between the outer surface of the inner
conductor ``r_in(z)`` and the inner surface of the outer conductor ``r_out(z)``
(the air volume HRN1 of SBNSoftware/G4BNB ``geometry/BooNE_50m.gdml``, z-planes
in ``data/beamline/g4bnb_horn_polycone_zplanes.csv``; linear between planes),
zero elsewhere (inside the inner conductor's bore and outside the horn). The
current I = 174 kA flows along +z on the inner conductor in neutrino mode, so
B = +B phi-hat and positive particles are focused (force -q c B u_z r-hat).
The skin-depth field inside the aluminium (1.4 mm in G4BNB) is neglected.

Conductors (documented choices):

* inner conductor: *transparent*. Every meson is born inside its bore (the target
  sits in it) and must cross the ~3 mm aluminium wall to reach the field;
  particles that are bent back cross it again into the field-free bore. Energy
  loss, scattering and absorption in the wall are neglected.
* outer conductor (r >= r_out(z)) and the upstream end (z < 0): the particle is
  *absorbed* there (it would enter the steel shielding around the horn, from
  which it cannot reach the collimator aperture). It may still decay before.

Tracker: a drift-kick-drift (Boris-type) step in path length s: half drift, exact
rotation of the unit direction about the field at the mid point, half drift.
|p| is conserved exactly; the method is second order in the step (tested
against the exact invariant ``p_z - q c k ln r`` of the 1/r field, k = mu0 I/2pi).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache

import numpy as np
from numpy.typing import NDArray

from muphilic.constants import MU0, c_light, kA, mm
from muphilic.data import data_file

__all__ = [
    "HornGeometry",
    "TrackStatus",
    "field_at",
    "horn_geometry",
    "track",
]

FloatArray = NDArray[np.float64]


class HornDataError(ValueError):
    """The horn z-plane table is malformed."""


@dataclass(frozen=True)
class HornGeometry:
    """Radius profile of the field region and the horn current.

    Attributes
    ----------
    z, r_inner, r_outer : arrays
        z-planes of the field region (mm) and its inner/outer radii (mm).
    current : float
        Horn current (CLHEP units; + = neutrino mode, focusing positive particles).
    z_start, z_end : float
        z-range of the horn volume (mm); the tracker hands particles on at z_end.
    """

    z: FloatArray
    r_inner: FloatArray
    r_outer: FloatArray
    current: float = 174.0 * kA
    z_start: float = 0.0 * mm
    z_end: float = 1804.0 * mm
    absorb_outer: bool = field(default=True)

    @property
    def k(self) -> float:
        """mu0 I / (2 pi): B(r) = k / r (CLHEP field units times mm)."""
        return MU0 * self.current / (2.0 * math.pi)

    def inner_radius(self, z: FloatArray) -> FloatArray:
        """r_in(z), mm (field region's inner boundary; +inf outside its z-range)."""
        z = np.asarray(z, dtype=float)
        r = np.interp(z, self.z, self.r_inner)
        return np.where((z >= self.z[0]) & (z <= self.z[-1]), r, np.inf)

    def outer_radius(self, z: FloatArray) -> FloatArray:
        """r_out(z), mm (field region's outer boundary, outer conductor)."""
        z = np.asarray(z, dtype=float)
        return np.interp(z, self.z, self.r_outer)

    def with_current(self, current: float) -> HornGeometry:
        """Same geometry with another current (negative: anti-neutrino mode)."""
        return HornGeometry(self.z, self.r_inner, self.r_outer, current, self.z_start, self.z_end)


@cache
def horn_geometry() -> HornGeometry:
    """The BNB horn from the packaged G4BNB z-planes (volume HRN1), 174 kA."""
    text = data_file("beamline", "g4bnb_horn_polycone_zplanes.csv").read_text()
    rows = [
        line.split(",")
        for line in text.splitlines()
        if line.strip() and not line.startswith("#") and not line.startswith("volume")
    ]
    hrn = [r for r in rows if r[0] == "HRN1"]
    if len(hrn) < 2:
        raise HornDataError("horn z-plane table has no HRN1 rows")
    arr = np.array([[float(v) for v in r[1:4]] for r in hrn])
    if np.any(np.diff(arr[:, 0]) <= 0):
        raise HornDataError("HRN1 z-planes must increase")
    return HornGeometry(arr[:, 0] * mm, arr[:, 1] * mm, arr[:, 2] * mm)


def field_at(position: FloatArray, horn: HornGeometry) -> FloatArray:
    """Magnetic field (N, 3) at ``position`` (N, 3) in CLHEP units (tesla = 0.001)."""
    x, y, z = position[:, 0], position[:, 1], position[:, 2]
    r = np.hypot(x, y)
    inside = (r >= horn.inner_radius(z)) & (r <= horn.outer_radius(z)) & (r > 0.0)
    b_over_r = np.where(inside, horn.k / np.where(r > 0.0, r, 1.0) ** 2, 0.0)
    return np.column_stack((-y * b_over_r, x * b_over_r, np.zeros_like(x)))


class TrackStatus:
    """Codes of :func:`track` results."""

    EXITED = 0  #: reached z_end (handed on to straight-line transport)
    ABSORBED = 1  #: hit the outer conductor
    UPSTREAM = 2  #: left the horn upstream (z < z_start)
    STOPPED = 3  #: reached its requested path length s_stop
    MAX_PATH = 4  #: exceeded the maximum path length (looping; treated as absorbed)


def _rotate(u: FloatArray, axis: FloatArray, angle: FloatArray) -> FloatArray:
    """Rodrigues rotation of unit vectors u about unit axes by angles (rad)."""
    c = np.cos(angle)[:, None]
    s = np.sin(angle)[:, None]
    kxu = np.cross(axis, u)
    kdu = np.sum(axis * u, axis=1, keepdims=True)
    return u * c + kxu * s + axis * kdu * (1.0 - c)


def boris_step(
    pos: FloatArray, u: FloatArray, qc_over_p: FloatArray, h: FloatArray, horn: HornGeometry
) -> tuple[FloatArray, FloatArray]:
    """One drift-kick-drift step of length h (mm) for unit directions u.

    ``du/ds = (q c / p) u x B``; ``qc_over_p`` is q c / |p| per particle.
    """
    half = 0.5 * h[:, None]
    mid = pos + u * half
    b = field_at(mid, horn)
    bmag = np.linalg.norm(b, axis=1)
    nonzero = bmag > 0.0
    axis = b / np.where(nonzero, bmag, 1.0)[:, None]
    # du/ds = -(qc/p) B x u: rotation about B-hat by angle -(qc/p)|B| h
    angle = -qc_over_p * bmag * h
    u_new = np.where(nonzero[:, None], _rotate(u, axis, angle), u)
    return mid + u_new * half, u_new


@dataclass(frozen=True)
class TrackResult:
    """State of each particle where :func:`track` stopped following it."""

    position: FloatArray
    direction: FloatArray
    path_length: FloatArray
    status: NDArray[np.int8]
    wall_path: FloatArray


def track(
    position: FloatArray,
    direction: FloatArray,
    momentum: FloatArray,
    charge: FloatArray,
    horn: HornGeometry,
    *,
    step: float = 10.0 * mm,
    s_stop: FloatArray | None = None,
    max_path: float = 5000.0 * mm,
    wall_thickness: float = 3.0 * mm,
) -> TrackResult:
    """Track charged particles through the horn (vectorised over particles).

    Parameters
    ----------
    position : (N, 3) array
        Start points, mm (inside the horn's z-range).
    direction : (N, 3) array
        Unit directions.
    momentum : (N,) array
        |p|, MeV (conserved).
    charge : (N,) array
        Charge in units of e (+1/-1).
    horn : HornGeometry
    step : float
        Path-length step, mm.
    s_stop : (N,) array, optional
        Stop each particle after this path length (mm), e.g. at its decay point.
    max_path : float
        Give up after this path length (status MAX_PATH).
    wall_thickness : float
        Thickness of the inner conductor inside r_in(z) (3 mm: G4BNB HWL1 rmin 19 mm
        vs HRN1 rmin 22 mm at the neck); the path inside it is accumulated by
        counting the steps whose mid point lies in the wall (``wall_path``).

    Returns
    -------
    TrackResult
        Final positions, directions, path lengths and :class:`TrackStatus` codes.
    """
    n = len(momentum)
    pos = np.array(position, dtype=float, copy=True)
    u = np.array(direction, dtype=float, copy=True)
    s = np.zeros(n)
    wall = np.zeros(n)
    status = np.full(n, -1, dtype=np.int8)
    stop = np.full(n, np.inf) if s_stop is None else np.asarray(s_stop, dtype=float)
    qc_over_p_all = np.asarray(charge, dtype=float) * c_light / np.asarray(momentum, dtype=float)

    active = np.arange(n)
    # particles already outside at the start
    while active.size:
        p_a = pos[active]
        u_a = u[active]
        s_a = s[active]
        h = np.minimum(step, stop[active] - s_a)
        mid = p_a + 0.5 * h[:, None] * u_a
        r_mid = np.hypot(mid[:, 0], mid[:, 1])
        r_in = horn.inner_radius(mid[:, 2])
        in_wall = (r_mid <= r_in) & (r_mid > r_in - wall_thickness)
        wall[active] += np.where(in_wall, h, 0.0)
        new_pos, new_u = boris_step(p_a, u_a, qc_over_p_all[active], h, horn)
        s_a = s_a + h
        r = np.hypot(new_pos[:, 0], new_pos[:, 1])
        z = new_pos[:, 2]
        st = np.full(active.size, -1, dtype=np.int8)
        st[s_a >= stop[active]] = TrackStatus.STOPPED
        st[(st < 0) & (s_a >= max_path)] = TrackStatus.MAX_PATH
        st[(st < 0) & (z < horn.z_start)] = TrackStatus.UPSTREAM
        st[(st < 0) & (z >= horn.z_end)] = TrackStatus.EXITED
        if horn.absorb_outer:
            st[(st < 0) & (r >= horn.outer_radius(z))] = TrackStatus.ABSORBED
        pos[active] = new_pos
        u[active] = new_u
        s[active] = s_a
        done = st >= 0
        status[active[done]] = st[done]
        active = active[~done]
    return TrackResult(pos, u, s, status, wall)
