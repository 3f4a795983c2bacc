"""Closed-form ray intersections with the fiducial volumes (design key idea 3).

A scalar made at ``vertex`` and flying along ``direction`` is inside the volume
for path lengths ``L_in <= L <= L_out`` (mm, measured from the vertex, L >= 0).
A ray that misses, or whose intersection lies wholly behind the vertex, gets
``L_in = L_out = 0``. A ray starting inside gets ``L_in = 0``.

All functions take ``(N, 3)`` arrays and work on the whole array at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from muphilic.errors import MuphilicError

if TYPE_CHECKING:
    from muphilic.detectors.definitions import Detector

__all__ = ["GeometryError", "ray_box", "ray_intervals", "ray_sphere", "unit_directions"]

FloatArray = NDArray[np.float64]


class GeometryError(MuphilicError):
    """Rays with bad shapes, non-finite values or zero directions."""


def _points(name: str, value: ArrayLike) -> FloatArray:
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 1 and array.shape[0] == 3:
        array = array[None, :]
    if array.ndim != 2 or array.shape[1] != 3:
        raise GeometryError(f"{name} must have shape (N, 3), got {array.shape}")
    if not np.all(np.isfinite(array)):
        raise GeometryError(f"{name} contains NaN or infinite values")
    return array


def unit_directions(direction: ArrayLike) -> FloatArray:
    """Normalise ``(N, 3)`` directions (any positive length) to unit vectors.

    Raises
    ------
    GeometryError
        For a zero or non-finite direction.
    """
    d = _points("direction", direction)
    norm = np.linalg.norm(d, axis=1)
    if np.any(norm == 0):
        raise GeometryError("direction has zero length for some rays")
    return d / norm[:, None]


def _finish(t_near: FloatArray, t_far: FloatArray) -> tuple[FloatArray, FloatArray]:
    # Clip to the forward half-line; empty or backward intervals become (0, 0).
    l_in = np.maximum(t_near, 0.0)
    l_out = np.maximum(t_far, 0.0)
    hit = l_out > l_in
    return np.where(hit, l_in, 0.0), np.where(hit, l_out, 0.0)


def ray_sphere(
    vertex: ArrayLike, direction: ArrayLike, centre: ArrayLike, radius: float
) -> tuple[FloatArray, FloatArray]:
    """Entry and exit path lengths of rays through a sphere, mm.

    With w = vertex - centre and unit d, |w + t d| = R at
    t = -(w.d) -+ sqrt(R^2 - |w_perp|^2), where w_perp = w - (w.d) d. The
    discriminant is formed from the perpendicular distance (not b^2 - c), so it
    keeps full precision for a 5 m sphere seen from 500 m.

    Parameters
    ----------
    vertex, direction : (N, 3) array_like
        Ray origins (mm) and directions (any positive length).
    centre : (3,) array_like
        Sphere centre, mm.
    radius : float
        Sphere radius, mm.

    Returns
    -------
    L_in, L_out : (N,) arrays
        Path lengths from the vertex to the entry and exit points, mm.
    """
    v = _points("vertex", vertex)
    d = unit_directions(direction)
    if v.shape[0] != d.shape[0]:
        raise GeometryError(f"vertex has {v.shape[0]} rays but direction has {d.shape[0]}")
    w = v - np.asarray(centre, dtype=np.float64)[None, :]
    b = np.einsum("ij,ij->i", w, d)
    w_perp = w - b[:, None] * d
    disc = radius**2 - np.einsum("ij,ij->i", w_perp, w_perp)
    half_chord = np.sqrt(np.maximum(disc, 0.0))
    t_near = np.where(disc > 0, -b - half_chord, 0.0)
    t_far = np.where(disc > 0, -b + half_chord, 0.0)
    return _finish(t_near, t_far)


def ray_box(
    vertex: ArrayLike, direction: ArrayLike, centre: ArrayLike, half_lengths: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Entry and exit path lengths of rays through an axis-aligned box, mm.

    Slab method: on each axis the ray is between the two faces for
    t in [(c - h - v)/d, (c + h - v)/d] (ordered); the box interval is the
    intersection of the three. A ray parallel to a pair of faces is inside that
    slab for every t or for none.

    Parameters
    ----------
    vertex, direction : (N, 3) array_like
        Ray origins (mm) and directions (any positive length).
    centre : (3,) array_like
        Box centre, mm.
    half_lengths : (3,) array_like
        Half lengths along x, y, z, mm.

    Returns
    -------
    L_in, L_out : (N,) arrays
        Path lengths from the vertex to the entry and exit points, mm.
    """
    v = _points("vertex", vertex)
    d = unit_directions(direction)
    if v.shape[0] != d.shape[0]:
        raise GeometryError(f"vertex has {v.shape[0]} rays but direction has {d.shape[0]}")
    c = np.asarray(centre, dtype=np.float64)[None, :]
    h = np.asarray(half_lengths, dtype=np.float64)[None, :]
    low = c - h - v
    high = c + h - v
    moving = d != 0
    safe_d = np.where(moving, d, 1.0)
    t1 = low / safe_d
    t2 = high / safe_d
    # Parallel axes: (-inf, inf) inside the slab, empty (inf, -inf) outside.
    inside_slab = (low <= 0) & (high >= 0)
    t_lo = np.where(moving, np.minimum(t1, t2), np.where(inside_slab, -np.inf, np.inf))
    t_hi = np.where(moving, np.maximum(t1, t2), np.where(inside_slab, np.inf, -np.inf))
    return _finish(np.max(t_lo, axis=1), np.min(t_hi, axis=1))


def ray_intervals(
    detector: Detector, vertex: ArrayLike, direction: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Entry and exit path lengths (L_in, L_out) of rays through a detector, mm.

    Parameters
    ----------
    detector : Detector
        Its fiducial volume (sphere or box).
    vertex : (N, 3) array_like
        Production points, mm.
    direction : (N, 3) array_like
        Flight directions (momenta may be passed directly; they are normalised).

    Returns
    -------
    L_in, L_out : (N,) arrays
        Zero for rays that miss; L_in = 0 for rays that start inside.
    """
    from muphilic import kernels  # compiled: the same numbers as ray_sphere / ray_box

    v = _points("vertex", vertex)
    d = _points("direction", direction)
    if v.shape[0] != d.shape[0]:
        raise GeometryError(f"vertex has {v.shape[0]} rays but direction has {d.shape[0]}")
    if detector.shape == "sphere":
        return kernels.ray_sphere(v, d, detector.centre_array, detector.radius)
    return kernels.ray_box(v, d, detector.centre_array, detector.half_lengths)
