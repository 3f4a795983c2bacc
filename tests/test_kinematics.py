"""Tests of the generic boost and lab/rest angle helpers."""

from __future__ import annotations

import numpy as np
import pytest

from muphilic.constants import m_K, m_mu
from muphilic.emission.kinematics import (
    boost_from_rest,
    kallen,
    lab_max_angle,
    minkowski_dot,
    perpendicular_basis,
    rest_cos_from_lab_angle,
    rest_per_lab_solid_angle,
)


def _random_parent(rng: np.random.Generator, n: int, mass: float) -> np.ndarray:
    p3 = rng.normal(size=(n, 3)) * rng.uniform(1.0, 5000.0, size=(n, 1))
    return np.column_stack((np.sqrt(np.sum(p3**2, axis=1) + mass**2), p3))


def test_kallen_two_body_momentum() -> None:
    # Two-body momentum sqrt(lambda(M^2, m1^2, m2^2)) / (2M) is (M^2 - m1^2)/(2M) for m2 = 0.
    lam = kallen(m_K**2, m_mu**2, 0.0)
    assert np.sqrt(lam) / (2 * m_K) == pytest.approx((m_K**2 - m_mu**2) / (2 * m_K), rel=1e-14)


def test_boost_preserves_invariants_and_moves_rest_to_parent() -> None:
    rng = np.random.default_rng(3)
    parent = _random_parent(rng, 1000, m_K)
    at_rest = np.tile([m_K, 0.0, 0.0, 0.0], (1000, 1))
    # The parent's own rest four-vector boosts back to the parent (defines the boost).
    np.testing.assert_allclose(boost_from_rest(at_rest, parent, m_K), parent, rtol=1e-13, atol=1e-9)
    # Minkowski products are invariant.
    a = rng.normal(size=(1000, 4)) * 100
    b = rng.normal(size=(1000, 4)) * 100
    la, lb = boost_from_rest(a, parent, m_K), boost_from_rest(b, parent, m_K)
    scale = np.abs(la[:, 0] * lb[:, 0]) + np.sum(np.abs(la[:, 1:] * lb[:, 1:]), axis=1)
    assert np.max(np.abs(minkowski_dot(la, lb) - minkowski_dot(a, b)) / scale) < 1e-13


def test_perpendicular_basis_is_orthonormal_right_handed() -> None:
    rng = np.random.default_rng(4)
    n = rng.normal(size=(500, 3))
    n /= np.linalg.norm(n, axis=1, keepdims=True)
    e1, e2 = perpendicular_basis(n)
    np.testing.assert_allclose(np.cross(e1, e2), n, atol=1e-14)
    np.testing.assert_allclose(np.sum(e1 * n, axis=1), 0.0, atol=1e-15)


@pytest.mark.parametrize(("k_rest", "gamma"), [(200.0, 3.0), (20.0, 8.0), (150.0, 1.2)])
def test_rest_angle_preimage_round_trip(k_rest: float, gamma: float) -> None:
    # Boost random rest-frame directions, then recover cos(theta*) from the lab angle
    # on the right branch: the forward branch is cos* above the turning point.
    rng = np.random.default_rng(5)
    m_s = 30.0
    e_rest = np.hypot(k_rest, m_s)
    beta = np.sqrt(1 - 1 / gamma**2)
    cos_star = rng.uniform(-1, 1, 4000)
    pz = gamma * (k_rest * cos_star + beta * e_rest)
    pt = k_rest * np.sqrt(1 - cos_star**2)
    theta = np.arctan2(pt, pz)
    fwd, p_fwd = rest_cos_from_lab_angle(theta, k_rest, e_rest, beta, gamma, +1)
    bwd, p_bwd = rest_cos_from_lab_angle(theta, k_rest, e_rest, beta, gamma, -1)
    p_lab = np.hypot(pz, pt)
    if k_rest > beta * e_rest:  # one solution per lab angle
        np.testing.assert_allclose(fwd, cos_star, atol=1e-9)
        np.testing.assert_allclose(p_fwd, p_lab, rtol=1e-9)
        assert np.all(theta <= lab_max_angle(k_rest, e_rest, beta, gamma))
    else:
        best = np.minimum(np.abs(fwd - cos_star), np.abs(bwd - cos_star))
        assert np.max(best) < 1e-6  # sqrt-conditioned near the turning point
        assert np.max(theta) <= lab_max_angle(k_rest, e_rest, beta, gamma) + 1e-12
        # The lab momentum of the matching branch is the boosted one.
        p_match = np.where(np.abs(fwd - cos_star) < np.abs(bwd - cos_star), p_fwd, p_bwd)
        np.testing.assert_allclose(p_match, p_lab, rtol=1e-5)


def test_solid_angle_jacobian_integrates_to_four_pi() -> None:
    # int dOmega_lab (dOmega*/dOmega_lab) summed over solutions = 4 pi (an independent check of
    # the Jacobian formula by quadrature over the lab angle), for a fast and a slow product.
    from scipy.integrate import quad

    m_s = 30.0
    for k_rest, gamma in [(200.0, 3.0), (20.0, 4.0)]:
        e_rest = np.hypot(k_rest, m_s)
        beta = np.sqrt(1 - 1 / gamma**2)
        th_max = float(lab_max_angle(k_rest, e_rest, beta, gamma))
        two = k_rest < beta * e_rest

        def integrand(
            th: float,
            k: float = k_rest,
            e: float = e_rest,
            b: float = beta,
            g: float = gamma,
            two_: bool = two,
        ) -> float:
            total = 0.0
            for branch in (+1, -1) if two_ else (+1,):
                _, p = rest_cos_from_lab_angle(th, k, e, b, g, branch)
                jac = rest_per_lab_solid_angle(p, np.hypot(p, m_s), np.cos(th), k, b, g)
                total += float(jac)
            return 2 * np.pi * np.sin(th) * total

        value, _ = quad(integrand, 0.0, th_max, limit=400, epsabs=0, epsrel=1e-9)
        assert value == pytest.approx(4 * np.pi, rel=1e-6)
