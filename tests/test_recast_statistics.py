"""Tests of muphilic.recast.statistics: Eq. (7), Eq. (8), p-values and the
profile likelihood ratio."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, spatial, special, stats

from muphilic.recast.spectra import PublishedSpectrum
from muphilic.recast.statistics import (
    CovarianceChi2,
    PoissonChi2,
    ProfileLikelihood,
    StatisticError,
    chi2_covariance,
    chi2_poisson,
    excluded,
    fit_signal_strength,
    log_p_value_chi2,
    p_value_chi2,
    p_value_for_sigma,
    profile_likelihood_q,
    sigma_for_p_value,
    significance_chi2,
    statistic_for,
)
from muphilic.recast.statistics.chi2_p_values import _log_upper_gamma_asymptotic


# --- Eq. (7) -------------------------------------------------------------------------
def test_chi2_covariance_hand_computed() -> None:
    # r = d - b - s = (1, 2); M = [[2, .5], [.5, 1]]; M^-1 = [[1, -.5], [-.5, 2]] / 1.75
    # r M^-1 r = (1 - 2 + 8) / 1.75 = 4.
    cov = np.array([[2.0, 0.5], [0.5, 1.0]])
    value = chi2_covariance([3.0, 4.0], [1.0, 1.0], [[1.0, 1.0]], cov)
    assert value == pytest.approx([4.0], rel=1e-14)


def test_chi2_covariance_against_scipy_mahalanobis() -> None:
    # Independent reference: scipy's Mahalanobis distance with an explicit inverse.
    rng = np.random.default_rng(7)
    n, k = 12, 9
    a = rng.normal(size=(n, n))
    cov = a @ a.T + n * np.eye(n)
    d, b = rng.uniform(50, 100, n), rng.uniform(40, 90, n)
    s = rng.uniform(0, 20, (k, n))
    inv = np.linalg.inv(cov)
    ref = [spatial.distance.mahalanobis(d, b + row, inv) ** 2 for row in s]
    np.testing.assert_allclose(chi2_covariance(d, b, s, cov), ref, rtol=1e-10)


def test_chi2_covariance_rejects_bad_input() -> None:
    with pytest.raises(StatisticError, match="positive definite"):
        chi2_covariance([1.0, 1.0], [1.0, 1.0], [[0.0, 0.0]], [[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(StatisticError, match="shape"):
        chi2_covariance([1.0, 1.0], [1.0, 1.0], [[0.0, 0.0, 0.0]], np.eye(2))


# --- Eq. (8) -------------------------------------------------------------------------
def test_chi2_poisson_hand_computed_and_limits() -> None:
    # 2 (5 - 3 + 3 ln(3/5)) = 0.93509...
    assert chi2_poisson([3.0], [5.0]) == pytest.approx(2 * (2 + 3 * np.log(0.6)), rel=1e-14)
    # d = 0 contributes 2 N; N = 0 < d is impossible (inf); N = d = 0 contributes 0.
    assert chi2_poisson([0.0], [2.5]) == pytest.approx(5.0, rel=1e-15)
    assert chi2_poisson([1.0], [0.0]) == np.inf
    assert chi2_poisson([0.0, 4.0], [0.0, 4.0]) == 0.0


def test_chi2_poisson_is_the_saturated_likelihood_ratio() -> None:
    # Independent reference: -2 ln [P(d | N) / P(d | d)] with scipy's Poisson pmf.
    rng = np.random.default_rng(3)
    d = rng.poisson(8.0, 15).astype(float)
    pred = rng.uniform(0.5, 15, (4, 15))
    ref = -2 * (stats.poisson.logpmf(d, pred) - stats.poisson.logpmf(d, np.maximum(d, 1e-300)))
    np.testing.assert_allclose(chi2_poisson(d, pred), ref.sum(axis=1), rtol=1e-11)


def test_chi2_poisson_against_scipy_rel_entr() -> None:
    rng = np.random.default_rng(5)
    d = rng.uniform(0, 30, 10)
    pred = rng.uniform(0.1, 30, (3, 10))
    ref = 2 * np.sum(special.rel_entr(d, pred) + pred - d, axis=1)
    np.testing.assert_allclose(chi2_poisson(d, pred), ref, rtol=1e-11)


@pytest.mark.parametrize("k_sigma", [-3.0, -1.0, 0.5, 2.0, 3.0])
def test_chi2_poisson_tends_to_gaussian(k_sigma: float) -> None:
    # For d -> inf and N - d ~ sqrt(d): 2 d (x - ln(1+x)) = d x^2 (1 - 2x/3 + ...),
    # i.e. the Neyman chi^2 (N - d)^2 / d with a relative correction 2x/3 ~ 2e-3 here.
    d = 1.0e6
    pred = d + k_sigma * np.sqrt(d)
    gauss = (pred - d) ** 2 / d
    assert chi2_poisson([d], [pred]) == pytest.approx(gauss, rel=3e-3)


def test_chi2_poisson_small_difference_has_no_cancellation() -> None:
    # N = d (1 + x), x = 1e-7: exact 2 d (x - ln(1+x)) = d x^2 (1 - 2x/3 + x^2/2) in series.
    d, x = 5.0e4, 1e-7
    exact = d * x**2 * (1 - 2 * x / 3 + x**2 / 2)
    assert chi2_poisson([d], [d * (1 + x)]) == pytest.approx(exact, rel=1e-12)
    # Continuity across the series / direct switch at |x| = 1e-3.
    below = chi2_poisson([d], [d * (1 + 1e-3 * (1 - 1e-9))])
    above = chi2_poisson([d], [d * (1 + 1e-3 * (1 + 1e-9))])
    assert below == pytest.approx(above, rel=1e-8)


# --- p-values and confidence ---------------------------------------------------------
def test_five_sigma_is_the_papers_threshold() -> None:
    # The paper: 5 sigma <-> p < 2.8e-7, the one-sided Gaussian tail 2.8665e-7.
    p5 = p_value_for_sigma(5.0)
    assert 2.8e-7 < p5 < 2.9e-7
    assert p5 == pytest.approx(stats.norm.sf(5.0), rel=1e-12)
    assert sigma_for_p_value(2.8665157187919e-7) == pytest.approx(5.0, rel=1e-10)
    # Two-sided convention: 2 sigma <-> 0.0455 (95.45 % CL).
    assert p_value_for_sigma(2.0, sides=2) == pytest.approx(0.04550026, rel=1e-6)
    assert sigma_for_p_value(0.04550026389635842, sides=2) == pytest.approx(2.0, rel=1e-10)


def test_significance_of_chi2_threshold_and_tail() -> None:
    dof = 12
    threshold = stats.chi2.isf(p_value_for_sigma(5.0), dof)  # 53.88
    z = significance_chi2([threshold * (1 - 1e-6), threshold * (1 + 1e-6)], dof)
    np.testing.assert_array_equal(excluded(z, 5.0), [False, True])
    assert p_value_chi2(threshold, dof) == pytest.approx(2.8665e-7, rel=1e-4)
    # Far tail: p underflows double precision but Z stays finite and increasing;
    # for chi^2 -> inf, Z ~ sqrt(chi^2) (leading behaviour of both tails).
    far = significance_chi2([1e4, 1e5], dof)
    assert np.all(np.isfinite(far))
    assert far[1] > far[0]
    assert far[1] == pytest.approx(np.sqrt(1e5), rel=0.02)
    assert significance_chi2(np.inf, dof) == np.inf


def test_far_tail_series_matches_scipy_where_both_work() -> None:
    # The asymptotic series that takes over where scipy underflows agrees with
    # scipy's chi2.logsf where the latter is still finite (p ~ 1e-57 ... 1e-292).
    x = np.array([300.0, 800.0, 1400.0])
    np.testing.assert_allclose(
        _log_upper_gamma_asymptotic(6.0, x / 2), stats.chi2.logsf(x, 12), rtol=1e-12
    )
    # And it is continuous at the switch: scipy's last finite value vs the series.
    assert log_p_value_chi2(1500.0, 12) == pytest.approx(
        float(_log_upper_gamma_asymptotic(6.0, np.array([750.0]))[0]), rel=1e-12
    )


# --- profile likelihood ratio -------------------------------------------------------
@pytest.mark.parametrize(("s", "b"), [(5.0, 20.0), (0.1, 20.0), (50.0, 3.0), (12.0, 400.0)])
def test_single_bin_discovery_formula(s: float, b: float) -> None:
    # Asimov data n = s + b, no nuisance: Z0 = sqrt(2((s+b) ln(1+s/b) - s))
    # (Cowan et al., arXiv:1007.1727, Eq. (97)).
    _, q0 = profile_likelihood_q([s + b], [b], [[s]])
    assert np.sqrt(q0[0]) == pytest.approx(np.sqrt(2 * ((s + b) * np.log1p(s / b) - s)), rel=1e-9)


@pytest.mark.parametrize(("s", "b"), [(5.0, 20.0), (0.1, 20.0), (50.0, 3.0), (12.0, 400.0)])
def test_single_bin_exclusion_formula(s: float, b: float) -> None:
    # Asimov background-only data n = b: q_1 = 2 (s - b ln(1 + s/b)).
    q1, q0 = profile_likelihood_q([b], [b], [[s]])
    assert q1[0] == pytest.approx(2 * (s - b * np.log1p(s / b)), rel=1e-9)
    assert q0[0] == 0.0  # mu-hat = 0


def test_asimov_q1_equals_eq8() -> None:
    # With d = b, mu-hat = 0 and F(0) = 0, so q_1 is exactly the Poisson chi^2 of Eq. (8).
    rng = np.random.default_rng(11)
    b = rng.uniform(0.5, 15, 11)
    s = rng.uniform(0, 5, (6, 11))
    q1, _ = profile_likelihood_q(b, b, s)
    np.testing.assert_allclose(q1, chi2_poisson(b, s + b), rtol=1e-10)


def test_profile_likelihood_with_nuisance_against_brute_force() -> None:
    # Second method: scipy's bounded optimisers on the same -2 ln L.
    rng = np.random.default_rng(1)
    b = rng.uniform(5, 50, 12)
    d = rng.poisson(b * 1.1).astype(float)
    shape = 30 * np.exp(-0.5 * ((np.arange(12) - 5) / 1.5) ** 2)
    sig = np.outer([0.3, 1.0, 3.0, 10.0], shape)
    sigma = 0.158
    q1, _ = profile_likelihood_q(d, b, sig, sigma)
    mu_hat, theta_hat = fit_signal_strength(d, b, sig, sigma)

    def nll(p, srow):
        mu, t = p
        lam = mu * srow + (1 + t) * b
        return 2 * np.sum(lam - d + special.xlogy(d, d / lam)) + (t / sigma) ** 2

    for k, srow in enumerate(sig):
        best = optimize.minimize(
            nll,
            [1.0, 0.0],
            args=(srow,),
            bounds=[(0, None), (-0.9, 3)],
            method="L-BFGS-B",
            options={"ftol": 1e-15, "gtol": 1e-12},
        )
        fixed = optimize.minimize_scalar(
            lambda t, srow=srow: nll([1.0, t], srow),
            bounds=(-0.9, 3),
            method="bounded",
            options={"xatol": 1e-12},
        )
        assert mu_hat[k] == pytest.approx(best.x[0], rel=1e-5)
        assert theta_hat[k] == pytest.approx(best.x[1], abs=1e-6)
        ref = max(fixed.fun - best.fun, 0.0) if best.x[0] < 1 else 0.0
        assert q1[k] == pytest.approx(ref, rel=1e-6, abs=1e-8)


def test_nuisance_weakens_and_tends_to_fixed_background() -> None:
    # A free background normalisation can only lower q_1; a very narrow one
    # reproduces the fixed-background result.
    b = np.linspace(10, 40, 8)
    s = np.outer([0.5, 2.0, 8.0], b / b.sum() * 20)  # signal shaped like the background
    q_fixed, _ = profile_likelihood_q(b, b, s, 0.0)
    q_wide, _ = profile_likelihood_q(b, b, s, 0.3)
    q_narrow, _ = profile_likelihood_q(b, b, s, 1e-6)
    assert np.all(q_wide < q_fixed)
    np.testing.assert_allclose(q_narrow, q_fixed, rtol=1e-4)


def test_statistic_objects_and_names() -> None:
    spec = PublishedSpectrum(
        "toy",
        np.arange(5.0),
        [10.0, 12.0, 9.0, 11.0],
        [10.0, 10.0, 10.0, 10.0],
        pot=1.0,
        systematics={"n": 0.1},
        paper_statistic="covariance",
    )
    sig = np.array([[0.0, 1.0, 2.0, 0.0], [0.0, 10.0, 20.0, 0.0]])
    assert isinstance(statistic_for(spec), CovarianceChi2)
    assert isinstance(statistic_for(spec, "poisson"), PoissonChi2)
    assert isinstance(statistic_for(spec, "likelihood"), ProfileLikelihood)
    with pytest.raises(StatisticError, match="unknown statistic 'x'"):
        statistic_for(spec, "x")
    ev = CovarianceChi2().evaluate(spec, sig)
    np.testing.assert_allclose(
        ev.value, chi2_covariance(spec.data, spec.background, sig, spec.covariance())
    )
    np.testing.assert_allclose(ev.significance, significance_chi2(ev.value, 4))
    ev_l = ProfileLikelihood().evaluate(spec, sig)
    np.testing.assert_allclose(ev_l.significance, np.sqrt(ev_l.value))
    assert ev_l.significance[1] > ev_l.significance[0]
    with pytest.raises(StatisticError, match="negative"):
        PoissonChi2().evaluate(spec, -sig)


# --- Asimov discovery significance ---------------------------------------------------
@pytest.mark.parametrize(("s", "b"), [(5.0, 100.0), (30.0, 10.0), (1e-3, 50.0), (200.0, 0.5)])
def test_asimov_discovery_one_bin_matches_cowan_formula(s, b):
    """Cowan, Cranmer, Gross, Vitells (2011) Eq. (97): Z0 = sqrt(2((s+b) ln(1+s/b) - s))."""
    from muphilic.recast.statistics import asimov_discovery_q0

    q0 = asimov_discovery_q0([b], [[s]])
    expected = 2.0 * ((s + b) * np.log1p(s / b) - s)
    assert q0[0] == pytest.approx(expected, rel=1e-9)


def test_asimov_discovery_small_signal_limit():
    """For s << b every bin adds s^2/b: Z0^2 -> sum s_i^2 / b_i."""
    from muphilic.recast.statistics import asimov_discovery_q0

    b = np.array([100.0, 400.0, 900.0])
    s = 1e-3 * np.array([[1.0, 2.0, 3.0]])
    assert asimov_discovery_q0(b, s)[0] == pytest.approx(np.sum(s**2 / b), rel=1e-5)


def test_asimov_discovery_with_nuisance_matches_direct_minimisation():
    """Profiling theta, checked by scipy's bounded scalar minimiser on the same likelihood."""
    from scipy.optimize import minimize_scalar

    from muphilic.recast.statistics import asimov_discovery_q0

    b = np.array([40.0, 25.0, 10.0, 4.0])
    signals = np.array([[3.0, 6.0, 2.0, 0.5], [0.1, 0.2, 0.1, 0.0], [30.0, 10.0, 5.0, 1.0]])
    sigma = 0.15
    q0 = asimov_discovery_q0(b, signals, sigma)
    for k, s in enumerate(signals):
        d = b + s

        def f(theta, d=d):
            lam = (1.0 + theta) * b
            return 2.0 * np.sum(lam - d + d * np.log(d / lam)) + (theta / sigma) ** 2

        best = minimize_scalar(f, bounds=(-0.99, 5.0), method="bounded", options={"xatol": 1e-12})
        assert q0[k] == pytest.approx(best.fun, rel=1e-6, abs=1e-12)
    # a normalisation uncertainty can only lower the discovery significance
    assert np.all(q0 <= asimov_discovery_q0(b, signals) + 1e-12)
