"""The structure that holds a target rod: a cooling sleeve around it and fins between them.

The BNB target is a beryllium rod inside a beryllium cooling tube, held by three beryllium
fins (SBNSoftware/G4BNB ``geometry/BooNE_50m.gdml`` @ 7476727e: TARG, the rod, r = 4.76 mm;
TCTI, the tube, r = 13.68-14.62 mm over z = -34.9 to 755.5 mm; TCFI, 21 fins of
1.57 x 8.83 x 88.9 mm, three per slug at 30, 150 and 270 degrees, from r = 4.76 to 13.59 mm).
A meson leaving the rod at a small angle crosses the tube's 0.94 mm at a slant, a path of
~4 cm at 25 mrad, and one in a fin's azimuth runs along that fin: both are beryllium it is
absorbed in and slowed down by, like the rod
(:meth:`muphilic.beamline.target.Target.material_path`).

:class:`Sleeve` and :class:`Fins` are of the target's material; the paths are those of
straight rays (the target region has no field). A facility gives them as ``[target.sleeve]``
and ``[target.fins]`` (docs/facilities.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["Fins", "Sleeve", "path_in_fins", "path_in_sleeve"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Sleeve:
    """A tube around the target rod, mm: ``r_inner <= r <= r_outer``, ``z1 <= z <= z2``."""

    r_inner: float
    r_outer: float
    z1: float
    z2: float


@dataclass(frozen=True)
class Fins:
    """Flat fins between the rod and the sleeve, mm and rad.

    Each fin is a slab of ``thickness`` centred on the half-plane at azimuth ``phi[k]``,
    from ``r_inner`` to ``r_outer`` along it, in each z range of ``segments``.
    """

    phi: tuple[float, ...]
    thickness: float
    r_inner: float
    r_outer: float
    segments: tuple[tuple[float, float], ...]


def _interval(start: FloatArray, rate: FloatArray, low: float, high: float):
    """(s_lo, s_hi) where ``low <= start + s rate <= high`` (empty: s_lo >= s_hi)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t1, t2 = (low - start) / rate, (high - start) / rate
    inside = (start >= low) & (start <= high)
    moving = rate != 0.0
    lo = np.where(moving, np.minimum(t1, t2), np.where(inside, -math.inf, math.inf))
    hi = np.where(moving, np.maximum(t1, t2), np.where(inside, math.inf, -math.inf))
    return lo, hi


def _inside_radius(position: FloatArray, direction: FloatArray, radius: float):
    """(s_lo, s_hi): the ray is inside the cylinder r = ``radius`` for s_lo < s < s_hi
    (empty: s_lo >= s_hi)."""
    x, y = position[:, 0], position[:, 1]
    ux, uy = direction[:, 0], direction[:, 1]
    a = ux**2 + uy**2
    b = 2.0 * (x * ux + y * uy)
    c = x**2 + y**2 - radius**2
    disc = b**2 - 4.0 * a * c
    sq = np.sqrt(np.maximum(disc, 0.0))
    safe_a = np.where(a > 0.0, a, 1.0)
    lo = np.where(a > 0.0, (-b - sq) / (2.0 * safe_a), np.where(c <= 0.0, -math.inf, math.inf))
    hi = np.where(a > 0.0, (-b + sq) / (2.0 * safe_a), np.where(c <= 0.0, math.inf, -math.inf))
    empty = (a > 0.0) & (disc <= 0.0)
    return np.where(empty, math.inf, lo), np.where(empty, -math.inf, hi)


def _length(lo: FloatArray, hi: FloatArray) -> FloatArray:
    """Length of [max(lo, 0), hi] (0 where empty; infinite bounds allowed)."""
    lo = np.maximum(lo, 0.0)
    with np.errstate(invalid="ignore"):
        return np.where(hi > lo, hi - lo, 0.0)


def path_in_sleeve(position: FloatArray, direction: FloatArray, sleeve: Sleeve) -> FloatArray:
    """Straight path (mm) through ``sleeve`` from ``position`` along unit ``direction``
    (forward only, s >= 0), both (N, 3)."""
    z_lo, z_hi = _interval(position[:, 2], direction[:, 2], sleeve.z1, sleeve.z2)
    in_lo, in_hi = _inside_radius(position, direction, sleeve.r_inner)
    out_lo, out_hi = _inside_radius(position, direction, sleeve.r_outer)
    missed = in_lo >= in_hi  # never inside the inner radius: the outer interval only
    in_lo, in_hi = np.where(missed, out_hi, in_lo), np.where(missed, out_hi, in_hi)
    # inside r_outer and outside r_inner: [out_lo, in_lo] and [in_hi, out_hi]
    total = np.zeros(len(position))
    for lo, hi in ((out_lo, np.minimum(in_lo, out_hi)), (np.maximum(in_hi, out_lo), out_hi)):
        total += _length(np.maximum(lo, z_lo), np.minimum(hi, z_hi))
    return total


def path_in_fins(position: FloatArray, direction: FloatArray, fins: Fins) -> FloatArray:
    """Straight path (mm) through the ``fins`` from ``position`` along unit ``direction``
    (forward only), both (N, 3)."""
    total = np.zeros(len(position))
    half = 0.5 * fins.thickness
    for phi in fins.phi:
        along = np.array([math.cos(phi), math.sin(phi)])
        across = np.array([-math.sin(phi), math.cos(phi)])
        a_lo, a_hi = _interval(
            position[:, :2] @ along, direction[:, :2] @ along, fins.r_inner, fins.r_outer
        )
        b_lo, b_hi = _interval(position[:, :2] @ across, direction[:, :2] @ across, -half, half)
        lo, hi = np.maximum(a_lo, b_lo), np.minimum(a_hi, b_hi)
        for z1, z2 in fins.segments:
            z_lo, z_hi = _interval(position[:, 2], direction[:, 2], z1, z2)
            total += _length(np.maximum(lo, z_lo), np.minimum(hi, z_hi))
    return total
