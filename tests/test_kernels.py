"""The compiled kernels (muphilic.kernels) against their NumPy references."""

from __future__ import annotations

import numpy as np
import pytest

from muphilic import kernels
from muphilic.detectors import geometry
from muphilic.emission.kinematics import _rest_cos_both_branches


def _rays(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    vertex = rng.normal(0.0, 3000.0, (n, 3))
    vertex[: n // 4] *= 1e-3  # some start inside the volumes
    direction = rng.normal(size=(n, 3)) * rng.uniform(0.1, 10.0, (n, 1))
    direction[n // 4 : n // 4 + 50, 1:] = 0.0  # parallel to faces
    direction[n // 4 + 50 : n // 4 + 100, 0] = 0.0
    return vertex, direction


def test_ray_box_kernel_equals_numpy_bit_for_bit() -> None:
    vertex, direction = _rays(20_000, 1)
    # aim half the rays at the box so that many hit it
    direction[::2] = np.array([100.0, -50.0, 20.0]) - vertex[::2]
    centre, half = np.array([100.0, -50.0, 20.0]), np.array([1200.0, 800.0, 2500.0])
    ref = geometry.ray_box(vertex, direction, centre, half)
    got = kernels.ray_box(vertex, direction, centre, half)
    assert np.count_nonzero(ref[1] > ref[0]) > 5000
    np.testing.assert_array_equal(got[0], ref[0])
    np.testing.assert_array_equal(got[1], ref[1])


def test_ray_sphere_kernel_equals_numpy() -> None:
    vertex, direction = _rays(20_000, 2)
    centre = np.array([30.0, 40.0, 500.0])
    direction[::2] = centre - vertex[::2] + 100.0
    ref = geometry.ray_sphere(vertex, direction, centre, 1500.0)
    got = kernels.ray_sphere(vertex, direction, centre, 1500.0)
    assert np.count_nonzero(ref[1] > ref[0]) > 5000
    # equal bit for bit where np.einsum sums three terms as (x + z) + y; within rounding
    # of the dot products (|w| ~ 1e4 mm, so ~1e-12 mm) wherever it sums otherwise
    np.testing.assert_allclose(got[0], ref[0], rtol=1e-14, atol=1e-9)
    np.testing.assert_allclose(got[1], ref[1], rtol=1e-14, atol=1e-9)
    np.testing.assert_array_equal(got[1] > got[0], ref[1] > ref[0])


def test_ray_kernels_refuse_a_zero_direction() -> None:
    vertex, direction = _rays(10, 3)
    direction[4] = 0.0
    with pytest.raises(geometry.GeometryError, match="zero length"):
        kernels.ray_box(vertex, direction, np.zeros(3), np.ones(3))
    with pytest.raises(geometry.GeometryError, match="zero length"):
        kernels.ray_sphere(vertex, direction, np.zeros(3), 1.0)


def test_branch_solution_kernel_equals_numpy() -> None:
    rng = np.random.default_rng(4)
    n = 50_000
    k = rng.uniform(0.0, 200.0, n)
    k[:10] = 0.0  # 0/0: both give cos = 1
    e = np.sqrt(k**2 + rng.uniform(1.0, 200.0, n) ** 2)
    beta = rng.uniform(0.0, 1.0, n)
    beta[10:20] = 0.0
    gamma = 1.0 / np.sqrt(1.0 - beta**2)
    theta = rng.uniform(0.0, np.pi, n)
    theta[20:30] = 0.0
    theta[30:40] = np.pi
    ref_plus, ref_minus = _rest_cos_both_branches(theta, k, e, beta, gamma)
    got_plus, got_minus = kernels.rest_cos_both_branches(theta, k, e, beta, gamma)
    # cos/sin of the compiler's maths library: within a few ulp of NumPy's
    np.testing.assert_allclose(got_plus, ref_plus, rtol=0, atol=1e-12)
    np.testing.assert_allclose(got_minus, ref_minus, rtol=0, atol=1e-12)
    assert np.all(np.abs(got_plus) <= 1) and np.all(np.abs(got_minus) <= 1)
