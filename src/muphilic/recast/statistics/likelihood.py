"""The Poisson likelihood of a spectrum with a background-normalisation nuisance, and its fit.

Poisson likelihood in every bin for lambda_i = mu s_i + (1 + theta) b_i, with one
nuisance parameter theta for the fully correlated background normalisation,
constrained by a Gaussian of width sigma_theta (0 means statistics only). With
F(mu, theta) = chi^2_Poisson + (theta/sigma)^2 (= -2 ln L up to a constant),
:func:`fit_signal_strength` gives the maximum (mu-hat >= 0, theta-hat); the
profile-likelihood ratios of :mod:`~muphilic.recast.statistics.profile_likelihood`
minimise the same F.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from muphilic.recast.statistics.interface import FloatArray, StatisticError, _signal_grid
from muphilic.recast.statistics.poisson_chi2 import _poisson_terms

__all__ = ["fit_signal_strength"]


def _minimise_convex_1d(
    grad_hess: Callable[[FloatArray], tuple[FloatArray, FloatArray]],
    lo: FloatArray,
    hi: FloatArray,
    x0: FloatArray,
    max_iter: int = 200,
    rtol: float = 1e-12,
) -> FloatArray:
    """Vectorised safeguarded Newton for the minimum of convex functions on
    [lo, hi]: Newton steps while they stay inside the bracket, bisection
    otherwise. ``grad_hess(x)`` returns the first and second derivatives."""
    lo = lo.copy()
    hi = hi.copy()
    x = np.clip(x0, lo, hi)
    x = np.where((x <= lo) | (x >= hi), 0.5 * (lo + hi), x)
    done = np.zeros(x.shape, dtype=bool)
    for _ in range(max_iter):
        g, h = grad_hess(x)
        lo = np.where(g < 0, x, lo)
        hi = np.where(g > 0, x, hi)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = x - g / h
        ok = np.isfinite(newton) & (newton > lo) & (newton < hi) & (h > 0)
        # A Newton step that rounds to x itself means convergence, not failure.
        stalled = np.isfinite(newton) & (newton == x)
        x_new = np.where((g == 0) | stalled, x, np.where(ok, newton, 0.5 * (lo + hi)))
        step_small = np.abs(x_new - x) <= rtol * np.maximum(1.0, np.abs(x))
        # Converged elements stay where they are (a later bisection would kick them out).
        x = np.where(done, x, x_new)
        done |= step_small
        if np.all(done):
            break
    return x


@dataclass(frozen=True)
class _PoissonModel:
    """-2 ln L of lambda = mu s + (1 + theta) b with a Gaussian theta constraint."""

    data: FloatArray  # (n,)
    background: FloatArray  # (n,)
    signal: FloatArray  # (K, n)
    sigma: float  # width of the normalisation nuisance (0: fixed)

    def lam(self, mu: FloatArray, theta: FloatArray) -> FloatArray:
        return mu[:, None] * self.signal + (1.0 + theta[:, None]) * self.background

    def value(self, mu: FloatArray, theta: FloatArray) -> FloatArray:
        f = 2.0 * np.sum(_poisson_terms(self.data, self.lam(mu, theta)), axis=-1)
        if self.sigma > 0:
            f = f + (theta / self.sigma) ** 2
        return f

    def _ratios(self, mu: FloatArray, theta: FloatArray) -> tuple[FloatArray, FloatArray]:
        lam = self.lam(mu, theta)
        d = np.broadcast_to(self.data, lam.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(lam > 0, d / lam, np.where(d > 0, np.inf, 0.0))  # d / lambda
            r2 = np.where(lam > 0, r / lam, np.where(d > 0, np.inf, 0.0))  # d / lambda^2
        return r, r2

    def theta_hat(self, mu: FloatArray, theta0: FloatArray | None = None) -> FloatArray:
        """theta minimising F at fixed mu (theta >= -1: a non-negative background)."""
        k = mu.size
        if self.sigma <= 0:
            return np.zeros(k)
        b = self.background

        def grad_hess(theta: FloatArray) -> tuple[FloatArray, FloatArray]:
            r, r2 = self._ratios(mu, theta)
            with np.errstate(invalid="ignore"):
                g = 2.0 * np.sum(np.where(b > 0, b * (1.0 - r), 0.0), axis=-1)
                h = 2.0 * np.sum(np.where(b > 0, b * b * r2, 0.0), axis=-1)
            return g + 2.0 * theta / self.sigma**2, h + 2.0 / self.sigma**2

        # Above theta_hi = max(1, sigma sqrt(sum d)) the derivative is positive:
        # sum b (1 - d/lambda) >= -sum d / (1 + theta) and theta (1 + theta) >= sigma^2 sum d.
        theta_hi = max(1.0, self.sigma * math.sqrt(float(np.sum(self.data)))) + 1.0
        lo = np.full(k, -1.0)
        hi = np.full(k, theta_hi)
        start = np.zeros(k) if theta0 is None else theta0
        return _minimise_convex_1d(grad_hess, lo, hi, start)

    def profiled(self, mu: FloatArray) -> FloatArray:
        return self.value(mu, self.theta_hat(mu))

    def mu_hat(self) -> tuple[FloatArray, FloatArray]:
        """(mu-hat >= 0, theta-hat) of the unconditional fit."""
        k = self.signal.shape[0]
        mu = np.zeros(k)
        theta = self.theta_hat(mu)
        s = self.signal
        b = self.background

        def derivs(
            sub: NDArray[np.intp], mu_s: FloatArray, theta_s: FloatArray
        ) -> tuple[FloatArray, FloatArray]:
            model = _PoissonModel(self.data, b, s[sub], self.sigma)
            r, r2 = model._ratios(mu_s, theta_s)
            ss = s[sub]
            with np.errstate(invalid="ignore"):
                g = 2.0 * np.sum(np.where(ss > 0, ss * (1.0 - r), 0.0), axis=-1)
                h_mm = 2.0 * np.sum(np.where(ss > 0, ss * ss * r2, 0.0), axis=-1)
                if self.sigma > 0:
                    h_mt = 2.0 * np.sum(np.where((ss > 0) & (b > 0), ss * b * r2, 0.0), axis=-1)
                    h_tt = 2.0 * np.sum(np.where(b > 0, b * b * r2, 0.0), axis=-1)
                    h_tt = h_tt + 2.0 / self.sigma**2
                    h = h_mm - h_mt**2 / h_tt  # curvature of the profiled F (envelope)
                else:
                    h = h_mm
            return g, h

        g0, _ = derivs(np.arange(k), mu, theta)
        active = np.flatnonzero(g0 < 0)  # where F decreases away from mu = 0
        if active.size == 0:
            return mu, theta
        s_sum = np.sum(s[active], axis=-1)
        # For mu > 1 + sum d / sum s the derivative is positive (lambda >= mu s).
        # Capped for negligible signals, whose q is 0 anyway.
        with np.errstate(over="ignore", divide="ignore"):
            hi = np.minimum(1.0 + float(np.sum(self.data)) / s_sum, 1e200)
        state = {"theta": theta[active].copy()}

        def grad_hess(mu_s: FloatArray) -> tuple[FloatArray, FloatArray]:
            sub_model = _PoissonModel(self.data, b, s[active], self.sigma)
            state["theta"] = sub_model.theta_hat(mu_s, state["theta"])
            return derivs(active, mu_s, state["theta"])

        mu_a = _minimise_convex_1d(grad_hess, np.zeros(active.size), hi, np.ones(active.size))
        mu[active] = mu_a
        sub_model = _PoissonModel(self.data, b, s[active], self.sigma)
        theta[active] = sub_model.theta_hat(mu_a, state["theta"])
        return mu, theta


def _check_counts(data: ArrayLike, background: ArrayLike) -> tuple[FloatArray, FloatArray]:
    d = np.asarray(data, dtype=np.float64)
    b = np.asarray(background, dtype=np.float64)
    if d.ndim != 1 or b.shape != d.shape:
        raise StatisticError(
            f"data and background must be 1-d of equal length: {d.shape}, {b.shape}"
        )
    if np.any(d < 0) or np.any(b < 0) or not (np.all(np.isfinite(d)) and np.all(np.isfinite(b))):
        raise StatisticError("data and background must be finite and non-negative")
    return d, b


def fit_signal_strength(
    data: ArrayLike, background: ArrayLike, signal: ArrayLike, norm_sigma: float = 0.0
) -> tuple[FloatArray, FloatArray]:
    """Maximum-likelihood (mu-hat >= 0, theta-hat) for each signal hypothesis.

    Parameters
    ----------
    data, background : array_like, shape (n,)
    signal : array_like, shape (K, n)
    norm_sigma : float
        Width of the Gaussian constraint on the background normalisation
        (fraction; 0 fixes it).
    """
    d, b = _check_counts(data, background)
    model = _PoissonModel(d, b, _signal_grid(signal, d.size), float(norm_sigma))
    return model.mu_hat()
