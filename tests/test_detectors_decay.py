"""Decay-in-volume probability: direct formula, limits, stability and monotonicity."""

from __future__ import annotations

import numpy as np
import pytest

from muphilic.detectors import DecayInputError, decay_probability, decay_probability_grid


def test_matches_direct_exponentials_for_moderate_lengths():
    # Where neither limit bites, the plain difference of exponentials is exact
    # to ~1e-15 absolute; the stable form must agree to that level.
    rng = np.random.default_rng(3)
    l_in = rng.uniform(0.0, 5.0, 1000)
    l_out = l_in + rng.uniform(0.0, 5.0, 1000)
    lam = rng.uniform(0.5, 20.0, 1000)
    direct = np.exp(-l_in / lam) - np.exp(-l_out / lam)
    np.testing.assert_allclose(decay_probability(l_in, l_out, lam), direct, rtol=1e-12, atol=1e-15)


def test_long_decay_length_limit_keeps_precision():
    # lambda >> L: P -> (L_out - L_in) / lambda * (1 - (L_in + L_out) / (2 lambda)).
    # The naive difference of exponentials cancels to 0 here; the expm1 form must not.
    l_in, l_out = np.array([5.36e5]), np.array([5.46e5])
    lam = np.array([1e22, 1e30])
    dl = l_out - l_in
    expected = dl / lam * (1.0 - (l_in + l_out) / (2 * lam))
    p = decay_probability(l_in, l_out, lam)
    np.testing.assert_allclose(p, expected, rtol=1e-12)
    assert np.all(np.exp(-l_in / lam) - np.exp(-l_out / lam) == 0.0)  # the trap avoided


def test_short_decay_length_underflows_to_zero_without_nan():
    # lambda << L_in: exp(-L_in/lambda) underflows; P must be exactly 0, never NaN.
    with np.errstate(divide="raise", invalid="raise", over="raise", under="ignore"):
        p = decay_probability(np.array([5e5]), np.array([5.1e5]), np.array([1e-3, 1.0, 1e2]))
    np.testing.assert_array_equal(p, [0.0, 0.0, 0.0])


def test_edge_values_of_decay_length():
    # lambda = inf: never decays; lambda = 0: decays at once (inside only if L_in = 0).
    p = decay_probability([0.0, 1.0, 0.0], [2.0, 2.0, 0.0], [np.inf, 0.0, 0.0])
    np.testing.assert_array_equal(p, [0.0, 0.0, 0.0])
    assert decay_probability(0.0, 2.0, 0.0) == 1.0


def test_grid_equals_pointwise_formula():
    rng = np.random.default_rng(4)
    l_in = rng.uniform(4e5, 6e5, 200)
    l_out = l_in + rng.uniform(0.0, 1e4, 200)
    lam1 = rng.uniform(1e-3, 1e2, 200)  # mm at y = 1
    y = np.logspace(-6, -2, 30)
    grid = decay_probability_grid(l_in, l_out, lam1, y)
    pointwise = decay_probability(l_in[None, :], l_out[None, :], lam1[None, :] / y[:, None] ** 2)
    np.testing.assert_allclose(grid, pointwise, rtol=1e-13, atol=0.0)
    assert np.all(np.isfinite(grid))


def test_monotonicity():
    lam = np.full(50, 3.0)
    # Larger exit distance: more probability; later entry: less.
    l_out = np.linspace(1.0, 10.0, 50)
    assert np.all(np.diff(decay_probability(1.0, l_out, lam)) > 0)
    l_in = np.linspace(0.0, 9.0, 50)
    assert np.all(np.diff(decay_probability(l_in, 10.0, lam)) < 0)
    # A volume starting at the vertex: P = 1 - exp(-L/lambda) falls with lambda.
    lams = np.logspace(0, 6, 50)
    assert np.all(np.diff(decay_probability(0.0, 5.0, lams)) < 0)


def test_grid_peaks_where_lambda_matches_distance():
    # For a thin shell at distance L the probability dL/lambda exp(-L/lambda)
    # is largest at lambda = L, i.e. y^2 = lambda1 / L.
    y = np.logspace(-4, 0, 4001)
    p = decay_probability_grid([100.0], [100.001], [1.0], y)[:, 0]
    assert y[np.argmax(p)] == pytest.approx(np.sqrt(1.0 / 100.0), rel=3e-3)


def test_bad_inputs_raise():
    with pytest.raises(DecayInputError, match="L_in <= L_out"):
        decay_probability(2.0, 1.0, 1.0)
    with pytest.raises(DecayInputError, match="non-negative"):
        decay_probability(0.0, 1.0, -1.0)
    with pytest.raises(DecayInputError, match="positive"):
        decay_probability_grid([0.0], [1.0], [0.0], [1.0])
    with pytest.raises(DecayInputError, match="couplings"):
        decay_probability_grid([0.0], [1.0], [1.0], [0.0])
