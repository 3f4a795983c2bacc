"""Relativistic kinematics shared by the emission channels.

Pure vectorised functions over arrays, in CLHEP units (MeV). Four-vectors are
``(..., 4)`` arrays ordered ``(E, px, py, pz)``.

* :func:`kallen` - the Kallen function lambda(a, b, c);
* :func:`boost_from_rest` - rest-frame four-vectors of a decay to the lab;
* :func:`perpendicular_basis` - two unit vectors completing a right-handed frame;
* :func:`rest_cos_from_lab_angle` - the rest-frame polar angle(s) that a boost
  maps onto a given lab polar angle (a massive product has two when it is slower
  in the rest frame than the frame itself);
* :func:`lab_max_angle` - the largest lab angle such a product can reach;
* :func:`rest_per_lab_solid_angle` - the Jacobian dOmega_rest / dOmega_lab.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "boost_from_rest",
    "kallen",
    "lab_max_angle",
    "minkowski_dot",
    "perpendicular_basis",
    "rest_cos_from_lab_angle",
    "rest_per_lab_solid_angle",
]

FloatArray = NDArray[np.float64]


def kallen(a: ArrayLike, b: ArrayLike, c: ArrayLike) -> FloatArray:
    """Kallen function lambda(a, b, c) = a^2 + b^2 + c^2 - 2ab - 2bc - 2ca.

    Arguments are squared masses (MeV^2); the result is in MeV^4.
    """
    a_ = np.asarray(a, dtype=np.float64)
    b_ = np.asarray(b, dtype=np.float64)
    c_ = np.asarray(c, dtype=np.float64)
    return (a_ - b_ - c_) ** 2 - 4.0 * b_ * c_


def minkowski_dot(p: ArrayLike, q: ArrayLike) -> FloatArray:
    """Minkowski product p.q = p0 q0 - p.q (metric +,-,-,-) over the last axis, MeV^2."""
    p_ = np.asarray(p, dtype=np.float64)
    q_ = np.asarray(q, dtype=np.float64)
    return p_[..., 0] * q_[..., 0] - np.sum(p_[..., 1:] * q_[..., 1:], axis=-1)


def boost_from_rest(p4_rest: ArrayLike, parent_p4: ArrayLike, parent_mass: ArrayLike) -> FloatArray:
    """Boost four-vectors from the rest frame of a parent to the lab.

    The rest frame is reached from the lab by a pure boost along the parent's
    momentum (no rotation), so rest-frame axes are parallel to lab axes.

    Parameters
    ----------
    p4_rest : (N, 4) array
        Four-vectors in the parent rest frame, MeV.
    parent_p4 : (N, 4) array
        Lab four-momentum of the parent, MeV.
    parent_mass : float or (N,) array
        Parent mass, MeV (must equal the invariant mass of ``parent_p4``).

    Returns
    -------
    (N, 4) array
        Lab four-vectors, MeV.
    """
    q = np.asarray(p4_rest, dtype=np.float64)
    big = np.asarray(parent_p4, dtype=np.float64)
    mass = np.asarray(parent_mass, dtype=np.float64)
    energy = big[..., 0]
    mom = big[..., 1:]
    p_dot_q = np.sum(mom * q[..., 1:], axis=-1)
    out = np.empty(np.broadcast_shapes(q.shape, big.shape))
    out[..., 0] = (energy * q[..., 0] + p_dot_q) / mass
    factor = p_dot_q / (mass * (energy + mass)) + q[..., 0] / mass
    out[..., 1:] = q[..., 1:] + factor[..., None] * mom
    return out


def perpendicular_basis(axis: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Two unit vectors ``e1, e2`` with ``(e1, e2, axis)`` right-handed and orthonormal.

    Parameters
    ----------
    axis : (N, 3) array
        Unit vectors.
    """
    n = np.asarray(axis, dtype=np.float64)
    # Cross with the coordinate axis least aligned with n (well conditioned).
    helper = np.zeros_like(n)
    idx = np.argmin(np.abs(n), axis=-1)
    np.put_along_axis(helper, idx[..., None], 1.0, axis=-1)
    e1 = np.cross(helper, n)
    e1 /= np.linalg.norm(e1, axis=-1, keepdims=True)
    e2 = np.cross(n, e1)
    return e1, e2


def lab_max_angle(
    k_rest: ArrayLike, e_rest: ArrayLike, beta: ArrayLike, gamma: ArrayLike
) -> FloatArray:
    """Largest lab angle (rad) to the boost axis of a product with rest momentum ``k_rest``.

    ``pi`` when the product is faster in the rest frame than the frame itself
    (``k_rest > beta * e_rest``); otherwise ``arctan(k / (gamma sqrt(beta^2 E^2 - k^2)))``.
    """
    k = np.asarray(k_rest, dtype=np.float64)
    c = (np.asarray(beta) * np.asarray(e_rest)) ** 2 - k**2
    with np.errstate(divide="ignore", invalid="ignore"):
        th = np.arctan2(k, np.asarray(gamma) * np.sqrt(np.maximum(c, 0.0)))
    return np.where(c > 0, th, np.pi)


def rest_cos_from_lab_angle(
    theta_lab: ArrayLike,
    k_rest: ArrayLike,
    e_rest: ArrayLike,
    beta: ArrayLike,
    gamma: ArrayLike,
    branch: int = +1,
) -> tuple[FloatArray, FloatArray]:
    """Rest-frame cos(theta*) of a product seen at lab angle ``theta_lab`` to the boost axis.

    In the lab the rest-frame momentum sphere of radius k becomes an ellipsoid
    centred at ``gamma beta E*`` along the axis with semi-axes ``gamma k`` (along)
    and ``k`` (across). A ray from the origin at angle theta meets it where
    ``A rho^2 - 2 B rho + C = 0`` with ``A = cos^2/gamma^2 + sin^2``,
    ``B = beta E* cos/gamma``, ``C = beta^2 E*^2 - k^2``. ``branch=+1`` is the
    larger root (the only one when ``C <= 0``; the forward one otherwise),
    ``branch=-1`` the smaller one. Angles beyond :func:`lab_max_angle` are clipped
    to it.

    Returns
    -------
    cos_rest : array
        cos(theta*) of the solution.
    p_lab : array
        Lab momentum (MeV) of the solution (0 where none exists).
    """
    th = np.asarray(theta_lab, dtype=np.float64)
    k = np.asarray(k_rest, dtype=np.float64)
    e = np.asarray(e_rest, dtype=np.float64)
    b = np.asarray(beta, dtype=np.float64)
    g = np.asarray(gamma, dtype=np.float64)
    ct = np.cos(th)
    st = np.sin(th)
    a_coef = ct**2 / g**2 + st**2
    b_coef = ct * b * e / g
    c_coef = (b * e - k) * (b * e + k)
    disc = np.sqrt(np.maximum(b_coef**2 - a_coef * c_coef, 0.0))
    if branch >= 0:
        rho = (b_coef + disc) / a_coef
    else:
        # Smaller root in the cancellation-free form C / (B + sqrt(disc)).
        with np.errstate(divide="ignore", invalid="ignore"):
            rho = np.where(b_coef + disc > 0, c_coef / (b_coef + disc), 0.0)
    rho = np.maximum(rho, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        cos_rest = (rho * ct / g - b * e) / k
    cos_rest = np.clip(np.nan_to_num(cos_rest, nan=1.0), -1.0, 1.0)
    return cos_rest, rho


def rest_per_lab_solid_angle(
    p_lab: ArrayLike,
    e_lab: ArrayLike,
    cos_lab: ArrayLike,
    k_rest: ArrayLike,
    beta: ArrayLike,
    gamma: ArrayLike,
) -> FloatArray:
    """Jacobian dOmega*/dOmega_lab = p^2 / (k* gamma |p - beta E cos(theta)|) for one solution.

    Follows from the invariance of d^3p / E along a fixed lab direction.
    """
    p = np.asarray(p_lab, dtype=np.float64)
    denom = (
        np.asarray(k_rest)
        * np.asarray(gamma)
        * np.abs(p - np.asarray(beta) * np.asarray(e_lab) * np.asarray(cos_lab))
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denom > 0, p**2 / denom, 0.0)


def _rest_cos_both_branches(
    theta_lab: FloatArray,
    k_rest: FloatArray,
    e_rest: FloatArray,
    beta: FloatArray,
    gamma: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """cos(theta*) of both branches of :func:`rest_cos_from_lab_angle` at once.

    Same arithmetic (bit for bit) as two calls with ``branch=+1`` and ``-1``, but
    the quadratic's coefficients and discriminant are computed once.
    """
    ct = np.cos(theta_lab)
    st = np.sin(theta_lab)
    a_coef = ct**2 / gamma**2 + st**2
    be = beta * e_rest
    b_coef = ct * beta * e_rest / gamma
    c_coef = (be - k_rest) * (be + k_rest)
    disc = np.sqrt(np.maximum(b_coef**2 - a_coef * c_coef, 0.0))
    b_plus = b_coef + disc
    with np.errstate(divide="ignore", invalid="ignore"):
        rho_plus = np.maximum(b_plus / a_coef, 0.0)
        rho_minus = np.maximum(np.where(b_plus > 0, c_coef / b_plus, 0.0), 0.0)
        cos_plus = (rho_plus * ct / gamma - be) / k_rest
        cos_minus = (rho_minus * ct / gamma - be) / k_rest
    # fmin(nan, 1) = 1: the same as clip(nan_to_num(c, nan=1), -1, 1) in two passes
    cos_plus = np.fmax(np.fmin(cos_plus, 1.0), -1.0)
    cos_minus = np.fmax(np.fmin(cos_minus, 1.0), -1.0)
    return cos_plus, cos_minus
