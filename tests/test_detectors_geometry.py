"""Ray/sphere and ray/box intervals against brute-force point sampling along the rays."""

from __future__ import annotations

import numpy as np
import pytest

from muphilic.constants import m
from muphilic.detectors import (
    MICROBOONE,
    MINIBOONE,
    GeometryError,
    ray_box,
    ray_intervals,
    ray_sphere,
)


def _brute_force(inside, vertex, direction, t_max, n_steps):
    """First and last sampled inside point along each ray (step t_max / n_steps)."""
    d = direction / np.linalg.norm(direction, axis=1, keepdims=True)
    t = np.linspace(0.0, t_max, n_steps + 1)
    points = vertex[:, None, :] + t[None, :, None] * d[:, None, :]
    mask = inside(points)
    any_inside = mask.any(axis=1)
    first = np.where(any_inside, t[np.argmax(mask, axis=1)], 0.0)
    last = np.where(any_inside, t[n_steps - np.argmax(mask[:, ::-1], axis=1)], 0.0)
    return first, last, any_inside


def _random_rays(rng, n, centre, spread):
    # Origins scattered around the volume (some inside), directions isotropic,
    # half of them pointed roughly at the centre so that many rays hit.
    vertex = centre + rng.uniform(-spread, spread, size=(n, 3))
    direction = rng.normal(size=(n, 3))
    aim = centre - vertex + rng.normal(scale=0.3 * spread, size=(n, 3))
    direction[: n // 2] = aim[: n // 2]
    return vertex, direction


def test_sphere_matches_point_sampling():
    rng = np.random.default_rng(1)
    centre = np.array([0.3, -0.2, 5.0])
    radius = 1.7
    vertex, direction = _random_rays(rng, 400, centre, 4.0)
    l_in, l_out = ray_sphere(vertex, direction, centre, radius)
    t_max, n_steps = 20.0, 20000
    first, last, hit = _brute_force(
        lambda p: np.sum((p - centre) ** 2, axis=-1) <= radius**2, vertex, direction, t_max, n_steps
    )
    step = t_max / n_steps
    # Sampling resolves each boundary to one step; tangent rays (chord < 2 steps)
    # may be missed by the sampling, so compare only clear hits and misses.
    clear = np.abs((l_out - l_in) - (last - first)) < 3 * step
    assert clear.mean() > 0.99
    assert np.all(np.abs(l_in - first)[hit & clear] <= step * 1.01)
    assert np.all(np.abs(l_out - last)[hit & clear] <= step * 1.01)
    assert np.all((l_out == 0) & (l_in == 0) | hit)
    assert hit.sum() > 100  # the test exercises many hits
    assert np.sum(hit & (l_in == 0)) > 5  # and rays starting inside


def test_box_matches_point_sampling():
    rng = np.random.default_rng(2)
    centre = np.array([0.1, 0.4, 7.0])
    half = np.array([1.28, 1.16, 5.18])
    vertex, direction = _random_rays(rng, 400, centre, 7.0)
    # Include rays parallel to faces (zero direction components) inside and outside slabs.
    direction[:20, 0] = 0.0
    direction[20:40, 1:] = 0.0
    l_in, l_out = ray_box(vertex, direction, centre, half)
    t_max, n_steps = 30.0, 15000
    first, last, hit = _brute_force(
        lambda p: np.all(np.abs(p - centre) <= half, axis=-1), vertex, direction, t_max, n_steps
    )
    step = t_max / n_steps
    clear = np.abs((l_out - l_in) - (last - first)) < 3 * step
    assert clear.mean() > 0.99
    assert np.all(np.abs(l_in - first)[hit & clear] <= step * 1.01)
    assert np.all(np.abs(l_out - last)[hit & clear] <= step * 1.01)
    assert hit.sum() > 100
    assert np.sum(hit & (l_in == 0)) > 5


def test_on_axis_chords_of_packaged_detectors():
    # Exact geometry: an on-axis ray from the origin crosses MiniBooNE over a
    # diameter and MicroBooNE over its full length.
    vertex = np.zeros((1, 3))
    direction = np.array([[0.0, 0.0, 1.0]])
    l_in, l_out = ray_intervals(MINIBOONE, vertex, direction)
    assert l_in[0] == pytest.approx(541 * m - MINIBOONE.radius, rel=1e-14)
    assert l_out[0] == pytest.approx(541 * m + MINIBOONE.radius, rel=1e-14)
    l_in, l_out = ray_intervals(MICROBOONE, vertex, direction)
    assert l_out[0] - l_in[0] == pytest.approx(10.267 * m, rel=1e-12)


def test_long_baseline_precision_of_sphere_chord():
    # A ray offset by b from the centre of a sphere 541 m away has chord
    # 2 sqrt(R^2 - b^2); the perpendicular-distance form keeps ~1e-9 relative precision.
    b = np.array([0.0, 1000.0, 4000.0, 5028.0])
    vertex = np.zeros((4, 3))
    vertex[:, 0] = b  # rays parallel to the axis at impact parameter b
    direction = np.tile([0.0, 0.0, 1.0], (4, 1))
    l_in, l_out = ray_sphere(vertex, direction, [0.0, 0.0, 541 * m], MINIBOONE.radius)
    expected = 2 * np.sqrt(MINIBOONE.radius**2 - b**2)
    np.testing.assert_allclose(l_out - l_in, expected, rtol=1e-9)


def test_rays_pointing_away_or_missing_give_zero():
    centre = np.array([0.0, 0.0, 100.0])
    vertex = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 200.0]])
    direction = np.array([[0.0, 0.0, -1.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    for l_in, l_out in (
        ray_sphere(vertex, direction, centre, 10.0),
        ray_box(vertex, direction, centre, [10.0, 10.0, 10.0]),
    ):
        np.testing.assert_array_equal(l_in, 0.0)
        np.testing.assert_array_equal(l_out, 0.0)


def test_bad_rays_raise():
    with pytest.raises(GeometryError, match="zero length"):
        ray_sphere(np.zeros((1, 3)), np.zeros((1, 3)), [0, 0, 1], 1.0)
    with pytest.raises(GeometryError, match="shape"):
        ray_box(np.zeros((2, 2)), np.ones((2, 2)), [0, 0, 1], [1, 1, 1])
    with pytest.raises(GeometryError, match="NaN"):
        ray_box(np.full((1, 3), np.nan), np.ones((1, 3)), [0, 0, 1], [1, 1, 1])


def test_bounding_sphere_contains_box_corners():
    centre, radius = MICROBOONE.bounding_sphere()
    corners = np.array(np.meshgrid([-1, 1], [-1, 1], [-1, 1])).reshape(3, -1).T
    points = centre + corners * MICROBOONE.half_lengths
    distances = np.linalg.norm(points - centre, axis=1)
    np.testing.assert_allclose(distances, radius, rtol=1e-12)
