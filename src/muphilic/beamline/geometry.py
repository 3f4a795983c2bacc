"""Apertures of a beamline downstream of the target and straight-line transport.

A facility file (:mod:`muphilic.beamline.facility`) lists the open regions from
the horns to the absorber face: each is an axial cylinder or cone; a particle
that leaves the open radius of a region is stopped there (absorbed in the
surrounding steel, concrete or rock). The BNB's (SBNSoftware/G4BNB
``geometry/BooNE_50m.gdml``, see ``data/facilities/bnb.toml``):

==============  ==================  ================  =============================
region          z range [m]         open radius [mm]  GDML
==============  ==================  ================  =============================
horn            0 - 1.606           300               HRN1 rmax (outer conductor)
horn end        1.606 - 1.804       300 -> 161.6      HRN1 rmax taper
target hall     1.804 - 3.070       685.4             PICV air box (1370.8 mm wide;
                                                      modelled as a cylinder)
collimator      3.070 - 5.2036      300 -> 355        PIFD aperture in the steel PILE
decay pipe      5.2036 - 49.678     914.4             CVFD, DKI1, IABC holes, DKTI
==============  ==================  ================  =============================

The last region ends at the absorber face (BNB: z = 49.678 m, FABC upstream face;
its first 0.64 m is an air hole of the pipe's radius before the steel, which we
fold into the absorber). The BNB's 25 m absorber region (24.7-30.1 m) is open and
treated as pipe.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["Aperture", "StraightStatus", "rotate_to", "straight_transport"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Aperture:
    """An axial region z1 <= z < z2 open for r < r1 + (r2 - r1)(z - z1)/(z2 - z1)."""

    name: str
    z1: float
    z2: float
    r1: float
    r2: float

    def radius(self, z: FloatArray) -> FloatArray:
        """Open radius at z (mm)."""
        return self.r1 + (self.r2 - self.r1) * (np.asarray(z) - self.z1) / (self.z2 - self.z1)


class StraightStatus:
    """Codes of :func:`straight_transport`."""

    END = 0  #: reached the end plane (absorber face) inside the aperture
    WALL = 1  #: stopped on an aperture wall (pipe, collimator, hall, horn)
    UPSTREAM = 2  #: moving backwards or starting upstream of the first region


def _first_exit(
    pos: FloatArray, u: FloatArray, ap: Aperture, s_max: FloatArray
) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Path length to where the ray first reaches the open radius of ``ap``.

    Returns (s, hit) with hit False where the ray stays inside up to s_max.
    """
    slope = (ap.r2 - ap.r1) / (ap.z2 - ap.z1)
    r0 = ap.radius(pos[:, 2])
    # |x_perp + u_perp s|^2 - (r0 + slope u_z s)^2 = A s^2 + B s + C
    a = u[:, 0] ** 2 + u[:, 1] ** 2 - (slope * u[:, 2]) ** 2
    b = 2.0 * (pos[:, 0] * u[:, 0] + pos[:, 1] * u[:, 1]) - 2.0 * slope * u[:, 2] * r0
    c = pos[:, 0] ** 2 + pos[:, 1] ** 2 - r0**2
    outside = c >= 0.0
    disc = b**2 - 4.0 * a * c
    sq = np.sqrt(np.maximum(disc, 0.0))
    tiny = np.abs(a) < 1e-300
    safe_a = np.where(tiny, 1.0, a)
    q1 = (-b - sq) / (2.0 * safe_a)
    q2 = (-b + sq) / (2.0 * safe_a)
    lo, hi = np.minimum(q1, q2), np.maximum(q1, q2)
    # convex (a > 0): inside between the roots, exit at the larger root;
    # concave (a < 0): inside outside the roots, exit at the smaller positive root
    s_exit = np.where(a > 0.0, hi, np.where(lo > 0.0, lo, np.inf))
    s_exit = np.where(disc < 0.0, np.where(a > 0.0, 0.0, np.inf), s_exit)
    lin = np.where(b > 0.0, -c / np.where(b > 0.0, b, 1.0), np.inf)
    s_exit = np.where(tiny, lin, s_exit)
    s_exit = np.where(outside, 0.0, np.maximum(s_exit, 0.0))
    hit = s_exit <= s_max
    return np.where(hit, s_exit, s_max), hit


def straight_transport(
    position: FloatArray,
    direction: FloatArray,
    apertures: tuple[Aperture, ...],
) -> tuple[FloatArray, FloatArray, NDArray[np.int8]]:
    """Follow straight rays through the apertures to a wall or the end plane.

    Parameters
    ----------
    position : (N, 3) array
        Start points, mm.
    direction : (N, 3) array
        Unit directions.
    apertures : tuple of Aperture
        Ordered regions (:meth:`muphilic.beamline.facility.Facility.apertures`);
        the last region's z2 is the end plane.

    Returns
    -------
    (s, end_position, status)
        Path length to the stopping point (mm), that point (N, 3), and a
        :class:`StraightStatus` code.
    """
    aps = apertures
    pos = np.asarray(position, dtype=float)
    u = np.asarray(direction, dtype=float)
    n = len(pos)
    s = np.zeros(n)
    status = np.full(n, -1, dtype=np.int8)
    z_end = aps[-1].z2
    backwards = u[:, 2] <= 0.0
    status[backwards & (pos[:, 2] < z_end)] = StraightStatus.UPSTREAM
    status[(status < 0) & (pos[:, 2] < aps[0].z1)] = StraightStatus.UPSTREAM
    status[(status < 0) & (pos[:, 2] >= z_end)] = StraightStatus.END
    uz = np.where(u[:, 2] > 0.0, u[:, 2], 1.0)
    for ap in aps:
        live = (status < 0) & (pos[:, 2] + s * u[:, 2] < ap.z2)
        if not np.any(live):
            continue
        idx = np.flatnonzero(live)
        cur = pos[idx] + s[idx, None] * u[idx]
        s_to_end = np.maximum((ap.z2 - cur[:, 2]) / uz[idx], 0.0)
        ds, hit = _first_exit(cur, u[idx], ap, s_to_end)
        s[idx] += ds
        status[idx[hit]] = StraightStatus.WALL
    status[status < 0] = StraightStatus.END
    end = pos + s[:, None] * u
    return s, end, status


def rotate_to(direction: FloatArray, local: FloatArray) -> FloatArray:
    """Rotate vectors given relative to +z into the frame whose z-axis is ``direction``."""
    d = direction
    axis = np.column_stack((-d[:, 1], d[:, 0], np.zeros(len(d))))  # z x d
    s = np.linalg.norm(axis, axis=1)
    c = d[:, 2]
    safe = np.where(s > 0.0, s, 1.0)
    k = axis / safe[:, None]
    kxv = np.cross(k, local)
    kdv = np.sum(k * local, axis=1, keepdims=True)
    rotated = local * c[:, None] + kxv * s[:, None] + k * kdv * (1.0 - c[:, None])
    return np.where((s > 0.0)[:, None], rotated, local)
