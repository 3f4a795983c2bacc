"""Compiled (numba) versions of the per-scalar hot loops.

Each kernel does, one element at a time in a single pass, the arithmetic of a NumPy
function that stays in the package as its reference (and is what the kernel is tested
against, ``tests/test_kernels.py``):

* :func:`ray_box` - :func:`muphilic.detectors.geometry.ray_box` with its direction
  normalisation; the same operations in the same order, so the same numbers bit for bit;
* :func:`ray_sphere` - :func:`muphilic.detectors.geometry.ray_sphere`, with the dot
  products summed in the order of NumPy's ``einsum`` on this kind of machine (so equal
  bit for bit where that order holds, within an ulp elsewhere);
* :func:`rest_cos_both_branches` -
  :func:`muphilic.emission.kinematics._rest_cos_both_branches` (cos and sin from the
  compiler's maths library: equal to NumPy's within an ulp or two).

The decay probabilities (:func:`muphilic.detectors.decay.probability_block`) stay in
NumPy: its SIMD exp and expm1 are faster than a compiled loop over the maths library's.

The kernels take validated inputs (C-contiguous float64 arrays of matching shapes); the
public functions that call them check their inputs first. They are compiled on first use
and the machine code is cached on disk (``cache=True``), so only the first run on a
machine pays the compilation.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from numpy.typing import NDArray

__all__ = ["ray_box", "ray_sphere", "rest_cos_both_branches"]

FloatArray = NDArray[np.float64]


@njit(cache=True, error_model="numpy")
def _ray_box(
    vertex: FloatArray,
    direction: FloatArray,
    centre: FloatArray,
    half: FloatArray,
    l_in: FloatArray,
    l_out: FloatArray,
) -> int:
    n = vertex.shape[0]
    for i in range(n):
        dx = direction[i, 0]
        dy = direction[i, 1]
        dz = direction[i, 2]
        norm = math.sqrt((dx * dx + dy * dy) + dz * dz)
        if norm == 0.0:
            return i + 1  # the ray that has no direction, counted from 1
        t_near = -np.inf
        t_far = np.inf
        for a in range(3):
            d = direction[i, a] / norm
            low = (centre[a] - half[a]) - vertex[i, a]
            high = (centre[a] + half[a]) - vertex[i, a]
            if d != 0.0:
                t1 = low / d
                t2 = high / d
                lo = min(t1, t2)
                hi = max(t1, t2)
            elif low <= 0.0 and high >= 0.0:
                lo = -np.inf
                hi = np.inf
            else:
                lo = np.inf
                hi = -np.inf
            t_near = max(t_near, lo)
            t_far = min(t_far, hi)
        a_in = max(t_near, 0.0)
        a_out = max(t_far, 0.0)
        if a_out > a_in:
            l_in[i] = a_in
            l_out[i] = a_out
        else:
            l_in[i] = 0.0
            l_out[i] = 0.0
    return 0


@njit(cache=True, error_model="numpy")
def _ray_sphere(
    vertex: FloatArray,
    direction: FloatArray,
    centre: FloatArray,
    radius: float,
    l_in: FloatArray,
    l_out: FloatArray,
) -> int:
    n = vertex.shape[0]
    r2 = radius**2
    for i in range(n):
        dx = direction[i, 0]
        dy = direction[i, 1]
        dz = direction[i, 2]
        norm = math.sqrt((dx * dx + dy * dy) + dz * dz)
        if norm == 0.0:
            return i + 1
        dx = dx / norm
        dy = dy / norm
        dz = dz / norm
        wx = vertex[i, 0] - centre[0]
        wy = vertex[i, 1] - centre[1]
        wz = vertex[i, 2] - centre[2]
        # np.einsum's order for three terms: (x + z) + y
        b = (wx * dx + wz * dz) + wy * dy
        px = wx - b * dx
        py = wy - b * dy
        pz = wz - b * dz
        disc = r2 - ((px * px + pz * pz) + py * py)
        half_chord = math.sqrt(max(disc, 0.0))
        if disc > 0.0:
            t_near = -b - half_chord
            t_far = -b + half_chord
        else:
            t_near = 0.0
            t_far = 0.0
        a_in = max(t_near, 0.0)
        a_out = max(t_far, 0.0)
        if a_out > a_in:
            l_in[i] = a_in
            l_out[i] = a_out
        else:
            l_in[i] = 0.0
            l_out[i] = 0.0
    return 0


def _intervals(status: int) -> None:
    if status:
        from muphilic.detectors.geometry import GeometryError

        raise GeometryError("direction has zero length for some rays")


def _rays(
    kernel, vertex: FloatArray, direction: FloatArray, *shape
) -> tuple[FloatArray, FloatArray]:
    """(L_in, L_out) from a compiled ray kernel with the shape's parameters after the rays."""
    n = vertex.shape[0]
    l_in, l_out = np.empty(n), np.empty(n)
    _intervals(
        kernel(
            np.ascontiguousarray(vertex, dtype=np.float64),
            np.ascontiguousarray(direction, dtype=np.float64),
            *shape,
            l_in,
            l_out,
        )
    )
    return l_in, l_out


def ray_box(
    vertex: FloatArray, direction: FloatArray, centre: FloatArray, half_lengths: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """(L_in, L_out) of rays through an axis-aligned box, mm (see
    :func:`muphilic.detectors.geometry.ray_box`); ``direction`` of any positive length."""
    return _rays(
        _ray_box,
        vertex,
        direction,
        np.ascontiguousarray(centre, dtype=np.float64),
        np.ascontiguousarray(half_lengths, dtype=np.float64),
    )


def ray_sphere(
    vertex: FloatArray, direction: FloatArray, centre: FloatArray, radius: float
) -> tuple[FloatArray, FloatArray]:
    """(L_in, L_out) of rays through a sphere, mm (see
    :func:`muphilic.detectors.geometry.ray_sphere`); ``direction`` of any positive length."""
    return _rays(
        _ray_sphere,
        vertex,
        direction,
        np.ascontiguousarray(centre, dtype=np.float64),
        float(radius),
    )


@njit(cache=True, error_model="numpy")
def _both_branches(
    theta: FloatArray,
    k_rest: FloatArray,
    e_rest: FloatArray,
    beta: FloatArray,
    gamma: FloatArray,
    cos_plus: FloatArray,
    cos_minus: FloatArray,
) -> None:
    for i in range(theta.shape[0]):
        ct = math.cos(theta[i])
        st = math.sin(theta[i])
        g = gamma[i]
        b = beta[i]
        k = k_rest[i]
        a_coef = (ct * ct) / (g * g) + st * st
        be = b * e_rest[i]
        b_coef = ct * b * e_rest[i] / g
        c_coef = (be - k) * (be + k)
        disc = math.sqrt(max(b_coef * b_coef - a_coef * c_coef, 0.0))
        b_plus = b_coef + disc
        rho_plus = max(b_plus / a_coef, 0.0)
        rho_minus = max(c_coef / b_plus if b_plus > 0.0 else 0.0, 0.0)
        cp = (rho_plus * ct / g - be) / k
        cm = (rho_minus * ct / g - be) / k
        # NaN (0/0) -> 1, as np.fmin(nan, 1)
        cos_plus[i] = max(min(cp, 1.0), -1.0) if cp == cp else 1.0
        cos_minus[i] = max(min(cm, 1.0), -1.0) if cm == cm else 1.0


def rest_cos_both_branches(
    theta_lab: FloatArray,
    k_rest: FloatArray,
    e_rest: FloatArray,
    beta: FloatArray,
    gamma: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """cos(theta*) of the forward and backward branch (see
    :func:`muphilic.emission.kinematics._rest_cos_both_branches`); 1-d arrays of one length."""
    arrays = [
        np.ascontiguousarray(np.broadcast_to(x, np.shape(theta_lab)), dtype=np.float64)
        for x in (theta_lab, k_rest, e_rest, beta, gamma)
    ]
    cos_plus = np.empty(arrays[0].shape)
    cos_minus = np.empty(arrays[0].shape)
    _both_branches(*arrays, cos_plus, cos_minus)
    return cos_plus, cos_minus
