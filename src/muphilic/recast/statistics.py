"""Test statistics: how well does background + signal describe a spectrum?

Every function is vectorised over a grid of signal hypotheses: ``signal`` has
shape (K, n_bins) (K couplings at one mass) and the result has shape (K,).

The paper's statistics (the default, because they reproduce the paper)
----------------------------------------------------------------------
* Eq. (7), MiniBooNE: chi^2 = (d - s - b)^T M^-1 (d - s - b) with the covariance M
  of :meth:`muphilic.recast.spectra.PublishedSpectrum.covariance`.
* Eq. (8), MicroBooNE and SBND: the Poisson (extended maximum likelihood)
  chi^2 = 2 sum_i [N_i - d_i + d_i ln(d_i / N_i)], N = s + b.
* A point is excluded when the p-value of that chi^2 with **n_bins degrees of
  freedom** is below the one-sided Gaussian tail of the chosen confidence:
  5 sigma -> p < Phi-bar(5) = 2.87e-7 (the paper's 2.8e-7).

This is a goodness-of-fit test of s + b, not a test of s + b against b: its
threshold grows with the number of bins (chi^2 > 53.9 for 12 bins at 5 sigma),
it does not know whether the background-only hypothesis fits any better, and it
can exclude every signal - or none - if the background-only fit is itself poor.

The profile likelihood ratio (the statistically sound alternative)
------------------------------------------------------------------
:class:`ProfileLikelihood`: Poisson likelihood in every bin for
lambda_i = mu s_i + (1 + theta) b_i, with one nuisance parameter theta for the
fully correlated background normalisation, constrained by a Gaussian of width
sigma_theta = sqrt(sum of the squared systematics) (15.8 % for MiniBooNE; 0
means statistics only). With F(mu, theta) = chi^2_Poisson + (theta/sigma)^2
(= -2 ln L up to a constant) and mu-hat >= 0 (Cowan, Cranmer, Gross, Vitells,
Eur. Phys. J. C 71 (2011) 1554, arXiv:1007.1727, Eq. (16)):

* q_mu = F(mu, theta-hat-hat) - F(mu-hat, theta-hat) for mu-hat <= mu, else 0, tests
  the signal hypothesis mu = 1 against the best fit (which includes
  background only, mu = 0); its asymptotic p-value is Phi-bar(sqrt(q_mu)) (Eq. (59)).
  With background-like data (mu-hat = 0, as for Asimov data) this is exact
  asymptotically; for data with a deficit it is conservative.
* q_0 = F(0, .) - F(mu-hat, .) tests background only (discovery), Z = sqrt(q_0).

Confidence levels are given in Gaussian sigma; see :func:`p_value_for_sigma`
for the one- and two-sided conventions.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import linalg, special, stats

from muphilic.errors import MuphilicError
from muphilic.recast.spectra import PublishedSpectrum

__all__ = [
    "AsimovDiscovery",
    "CovarianceChi2",
    "Evaluation",
    "PoissonChi2",
    "ProfileLikelihood",
    "Statistic",
    "StatisticError",
    "asimov_discovery_q0",
    "chi2_covariance",
    "chi2_poisson",
    "excluded",
    "fit_signal_strength",
    "log_p_value_chi2",
    "p_value_chi2",
    "p_value_for_sigma",
    "profile_likelihood_q",
    "sigma_for_p_value",
    "significance_chi2",
    "statistic_for",
]

FloatArray = NDArray[np.float64]


class StatisticError(MuphilicError):
    """Inputs of a test statistic are inconsistent (shapes, negative counts...)."""


def _signal_grid(signal: ArrayLike, n_bins: int) -> FloatArray:
    s = np.asarray(signal, dtype=np.float64)
    if s.ndim == 1:
        s = s[np.newaxis, :]
    if s.ndim != 2 or s.shape[1] != n_bins:
        raise StatisticError(f"signal must have shape (K, {n_bins}), got {np.shape(signal)}")
    if not np.all(np.isfinite(s)):
        raise StatisticError("signal contains a non-finite value")
    if np.any(s < 0):
        raise StatisticError("signal contains a negative number of events")
    return s


# --------------------------------------------------------------------------------
# Confidence levels
# --------------------------------------------------------------------------------
def p_value_for_sigma(n_sigma: ArrayLike, sides: int = 1) -> FloatArray:
    """The p-value that corresponds to ``n_sigma`` Gaussian standard deviations.

    ``sides=1`` (default): the one-sided tail Phi-bar(n) - the convention of the
    paper (5 sigma -> 2.87e-7, its "2.8e-7") and of exclusion limits; 2 sigma
    -> 0.0228 (97.7 % CL). ``sides=2``: the two-sided 2 Phi-bar(n) (2 sigma ->
    0.0455, "95.45 % CL"; 5 sigma -> 5.73e-7).
    """
    if sides not in (1, 2):
        raise StatisticError(f"sides must be 1 or 2, got {sides!r}")
    return sides * special.ndtr(-np.asarray(n_sigma, dtype=np.float64))


def sigma_for_p_value(p: ArrayLike, sides: int = 1) -> FloatArray:
    """Inverse of :func:`p_value_for_sigma`."""
    if sides not in (1, 2):
        raise StatisticError(f"sides must be 1 or 2, got {sides!r}")
    return -special.ndtri(np.asarray(p, dtype=np.float64) / sides)


def excluded(significance: ArrayLike, cl_sigma: float) -> NDArray[np.bool_]:
    """True where a (one-sided Gaussian-equivalent) significance reaches
    ``cl_sigma``, i.e. p <= Phi-bar(cl_sigma)."""
    return np.asarray(significance, dtype=np.float64) >= cl_sigma


# --------------------------------------------------------------------------------
# Eq. (7): chi^2 with a covariance matrix
# --------------------------------------------------------------------------------
def chi2_covariance(
    data: ArrayLike, background: ArrayLike, signal: ArrayLike, covariance: ArrayLike
) -> FloatArray:
    """Paper Eq. (7): sum_ij (d - s - b)_i (M^-1)_ij (d - s - b)_j for each signal.

    Parameters
    ----------
    data, background : array_like, shape (n,)
        Observed and predicted background events per bin.
    signal : array_like, shape (K, n) or (n,)
        Signal events per bin for K hypotheses.
    covariance : array_like, shape (n, n)
        Symmetric positive-definite uncertainty matrix, events^2.

    Returns
    -------
    ndarray, shape (K,)
    """
    d = np.asarray(data, dtype=np.float64)
    b = np.asarray(background, dtype=np.float64)
    s = _signal_grid(signal, d.size)
    cov = np.asarray(covariance, dtype=np.float64)
    if cov.shape != (d.size, d.size):
        raise StatisticError(f"covariance must have shape {(d.size, d.size)}, got {cov.shape}")
    try:
        chol = linalg.cholesky(cov, lower=True)
    except linalg.LinAlgError:
        raise StatisticError("covariance is not positive definite") from None
    resid = (d - b)[np.newaxis, :] - s  # (K, n)
    # Whitening: with M = L L^T, chi^2 = |L^-1 r|^2. L^-1 is formed once (n x n) and
    # applied as a matrix product over all K rows.
    whiten = np.linalg.inv(chol)
    z = resid @ whiten.T
    return np.einsum("ki,ki->k", z, z)


# --------------------------------------------------------------------------------
# Eq. (8): Poisson chi^2
# --------------------------------------------------------------------------------
def _x_minus_log1p(x: FloatArray) -> FloatArray:
    """x - ln(1 + x) for x > -1 without cancellation at small |x|."""
    small = np.abs(x) < 1e-3
    xs = np.where(small, x, 0.0)
    series = xs * xs * (0.5 - xs * (1 / 3 - xs * (0.25 - xs * (0.2 - xs / 6))))
    with np.errstate(divide="ignore", invalid="ignore"):
        direct = x - np.log1p(np.where(small, 0.0, x))
    return np.where(small, series, direct)


def _poisson_terms(data: FloatArray, prediction: FloatArray) -> FloatArray:
    """Per-bin N - d + d ln(d/N) >= 0 (inf where N = 0 < d)."""
    d = np.broadcast_to(data, prediction.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.where(d > 0, (prediction - d) / np.where(d > 0, d, 1.0), 0.0)
    # x = -1 (N = 0 < d) gives x - ln(0) = inf, the correct limit.
    with np.errstate(divide="ignore"):
        term = np.where(d > 0, d * _x_minus_log1p(x), prediction)
    return term


def chi2_poisson(data: ArrayLike, prediction: ArrayLike) -> FloatArray:
    """Paper Eq. (8): 2 sum_i [N_i - d_i + d_i ln(d_i / N_i)] over the last axis.

    Bins with d_i = 0 contribute 2 N_i; a bin with N_i = 0 < d_i makes the
    statistic infinite (the hypothesis cannot produce the observed event).
    Written as 2 d (x - ln(1 + x)) with x = (N - d)/d, which has no cancellation
    for N close to d.

    Parameters
    ----------
    data : array_like, shape (n,)
        Observed events (need not be integers).
    prediction : array_like, shape (..., n)
        Predicted events s + b, >= 0.
    """
    d = np.asarray(data, dtype=np.float64)
    n_pred = np.asarray(prediction, dtype=np.float64)
    if np.any(d < 0) or np.any(n_pred < 0):
        raise StatisticError("data and prediction must be non-negative")
    if n_pred.shape[-1] != d.shape[-1]:
        raise StatisticError(f"prediction has {n_pred.shape[-1]} bins, data {d.shape[-1]}")
    return 2.0 * np.sum(_poisson_terms(d, n_pred), axis=-1)


# --------------------------------------------------------------------------------
# p-values of a chi^2 with n_bins degrees of freedom
# --------------------------------------------------------------------------------
def p_value_chi2(chi2: ArrayLike, dof: int) -> FloatArray:
    """Upper-tail p-value of a chi^2 with ``dof`` degrees of freedom."""
    return stats.chi2.sf(np.asarray(chi2, dtype=np.float64), dof)


def _log_upper_gamma_asymptotic(a: float, x: FloatArray) -> FloatArray:
    """ln Q(a, x) for x >> a from the asymptotic series
    Gamma(a, x) = x^(a-1) e^-x [1 + (a-1)/x + (a-1)(a-2)/x^2 + ...]
    (Abramowitz & Stegun 6.5.32), truncated at its smallest term."""
    total = np.ones_like(x)
    term = np.ones_like(x)
    for n in range(1, 40):
        new_term = term * (a - n) / x
        if np.all(np.abs(new_term) < 1e-17 * np.abs(total)):
            break
        shrinking = np.abs(new_term) < np.abs(term)
        term = np.where(shrinking, new_term, 0.0)
        total = total + term
    return -x + (a - 1.0) * np.log(x) - special.gammaln(a) + np.log(total)


def log_p_value_chi2(chi2: ArrayLike, dof: int) -> FloatArray:
    """ln of :func:`p_value_chi2`, accurate far in the tail.

    scipy's ``chi2.logsf`` underflows to -inf for p below ~1e-308 (chi^2 above
    ~1500 for 12 dof); there the asymptotic series of the upper incomplete gamma
    function takes over, so that ln p stays finite and monotonic.
    """
    x = np.asarray(chi2, dtype=np.float64)
    out = np.asarray(stats.chi2.logsf(x, dof), dtype=np.float64)
    tail = np.isneginf(out) & np.isfinite(x) & (x > 4.0 * dof)
    if np.any(tail):
        out = np.where(
            tail, _log_upper_gamma_asymptotic(0.5 * dof, np.where(tail, x, 1.0) / 2), out
        )
    return out


def significance_chi2(chi2: ArrayLike, dof: int) -> FloatArray:
    """The one-sided Gaussian significance Z with Phi-bar(Z) = p-value(chi^2, dof).

    Computed from ln p (``scipy.special.ndtri_exp``) so that it stays finite and
    monotonic where p underflows; chi^2 = inf gives Z = inf.
    """
    return -special.ndtri_exp(log_p_value_chi2(chi2, dof))


# --------------------------------------------------------------------------------
# Profile likelihood ratio
# --------------------------------------------------------------------------------
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


def profile_likelihood_q(
    data: ArrayLike,
    background: ArrayLike,
    signal: ArrayLike,
    norm_sigma: float = 0.0,
    mu_test: float = 1.0,
) -> tuple[FloatArray, FloatArray]:
    """Profile-likelihood-ratio statistics (q_mu, q_0) for each signal.

    q_mu tests signal strength ``mu_test`` (1: the model as given) against the
    best fit with mu-hat >= 0, one-sided (q_mu = 0 where mu-hat > mu_test);
    exclusion at Z sigma when sqrt(q_mu) >= Z. q_0 tests background only against
    the best fit (q_0 = 0 where mu-hat = 0); discovery significance sqrt(q_0).

    Parameters
    ----------
    data, background : array_like, shape (n,)
        Observed (or Asimov) and predicted background events.
    signal : array_like, shape (K, n)
        Signal events per bin at mu = 1.
    norm_sigma : float
        Fractional width of the Gaussian constraint on the fully correlated
        background normalisation theta (0: statistics only).
    mu_test : float
        Signal strength tested by q_mu.

    Returns
    -------
    q_mu, q_0 : ndarray, shape (K,)
    """
    d, b = _check_counts(data, background)
    s = _signal_grid(signal, d.size)
    if not (math.isfinite(norm_sigma) and norm_sigma >= 0):
        raise StatisticError(f"norm_sigma must be a non-negative fraction, got {norm_sigma!r}")
    model = _PoissonModel(d, b, s, float(norm_sigma))
    mu_hat, theta_hat = model.mu_hat()
    f_best = model.value(mu_hat, theta_hat)
    k = s.shape[0]
    f_test = model.profiled(np.full(k, float(mu_test)))
    f_zero = model.profiled(np.zeros(k))
    q_mu = np.where(mu_hat < mu_test, np.maximum(f_test - f_best, 0.0), 0.0)
    with np.errstate(invalid="ignore"):
        q_0 = np.where(mu_hat > 0, np.maximum(f_zero - f_best, 0.0), 0.0)
    return q_mu, q_0


def asimov_discovery_q0(
    background: ArrayLike, signal: ArrayLike, norm_sigma: float = 0.0
) -> FloatArray:
    """Median discovery statistic q_0 of the Asimov data set d = b + s, per signal.

    The data of each hypothesis are its own expectation (Cowan et al. 2011,
    Sec. 5), so the unconditional fit is mu-hat = 1, theta-hat = 0 with F = 0,
    and q_0 = F(0, theta-hat-hat) is the background-only fit to d = b + s,
    profiled over the normalisation nuisance theta. The median discovery
    significance is sqrt(q_0). Without a nuisance and for one bin this is
    Z = sqrt(2 ((s + b) ln(1 + s/b) - s)) (Cowan et al., Eq. (97)).

    Parameters
    ----------
    background : array_like, shape (n,)
        Predicted background events per bin.
    signal : array_like, shape (K, n)
        Signal events per bin.
    norm_sigma : float
        Fractional width of the Gaussian constraint on the background
        normalisation (0: statistics only).

    Returns
    -------
    ndarray, shape (K,)
    """
    b = np.asarray(background, dtype=np.float64)
    _check_counts(b, b)
    s = _signal_grid(signal, b.size)
    if not (math.isfinite(norm_sigma) and norm_sigma >= 0):
        raise StatisticError(f"norm_sigma must be a non-negative fraction, got {norm_sigma!r}")
    model = _PoissonModel(b[None, :] + s, b, s, float(norm_sigma))
    return np.maximum(model.profiled(np.zeros(s.shape[0])), 0.0)


# --------------------------------------------------------------------------------
# Statistic objects used by the scan
# --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Evaluation:
    """Result of a test statistic for K signal hypotheses.

    Attributes
    ----------
    value : ndarray, shape (K,)
        The test statistic (chi^2 or q_mu).
    significance : ndarray, shape (K,)
        One-sided Gaussian-equivalent significance Z of the exclusion:
        excluded at n sigma where Z >= n.
    """

    value: FloatArray
    significance: FloatArray


class Statistic(Protocol):
    """Anything that turns (spectrum, signal grid) into an :class:`Evaluation`."""

    @property
    def name(self) -> str: ...

    def evaluate(self, spectrum: PublishedSpectrum, signal: ArrayLike) -> Evaluation: ...


@dataclass(frozen=True)
class CovarianceChi2:
    """Paper Eq. (7) with the p-value of n_bins degrees of freedom.

    Attributes
    ----------
    systematics : Mapping[str, float] or None
        Override of the spectrum's correlated systematics.
    """

    systematics: Mapping[str, float] | None = None

    @property
    def name(self) -> str:
        return "chi2_covariance"

    def evaluate(self, spectrum: PublishedSpectrum, signal: ArrayLike) -> Evaluation:
        chi2 = chi2_covariance(
            spectrum.data, spectrum.background, signal, spectrum.covariance(self.systematics)
        )
        return Evaluation(chi2, significance_chi2(chi2, spectrum.n_bins))


@dataclass(frozen=True)
class PoissonChi2:
    """Paper Eq. (8) with the p-value of n_bins degrees of freedom."""

    @property
    def name(self) -> str:
        return "chi2_poisson"

    def evaluate(self, spectrum: PublishedSpectrum, signal: ArrayLike) -> Evaluation:
        s = _signal_grid(signal, spectrum.n_bins)
        chi2 = chi2_poisson(spectrum.data, s + spectrum.background)
        return Evaluation(chi2, significance_chi2(chi2, spectrum.n_bins))


@dataclass(frozen=True)
class ProfileLikelihood:
    """One-sided profile-likelihood ratio q_mu (mu = 1) with a normalisation
    nuisance; Z = sqrt(q_mu) (asymptotic).

    Attributes
    ----------
    norm_sigma : float or None
        Width of the normalisation constraint; ``None`` takes the spectrum's
        :attr:`~muphilic.recast.spectra.PublishedSpectrum.normalisation_uncertainty`.
    """

    norm_sigma: float | None = None

    @property
    def name(self) -> str:
        return "profile_likelihood"

    def evaluate(self, spectrum: PublishedSpectrum, signal: ArrayLike) -> Evaluation:
        sigma = spectrum.normalisation_uncertainty if self.norm_sigma is None else self.norm_sigma
        q_mu, _ = profile_likelihood_q(spectrum.data, spectrum.background, signal, sigma)
        return Evaluation(q_mu, np.sqrt(q_mu))


@dataclass(frozen=True)
class AsimovDiscovery:
    """Median discovery significance sqrt(q_0) of a signal over the background
    (:func:`asimov_discovery_q0`), for projections and expected sensitivities.

    The spectrum's data are not used: the Asimov data set of each hypothesis is
    background plus signal. ``significance`` is then the discovery
    significance: a signal is discovered at n sigma where it is >= n.

    Attributes
    ----------
    norm_sigma : float or None
        Width of the normalisation constraint; ``None`` takes the spectrum's
        :attr:`~muphilic.recast.spectra.PublishedSpectrum.normalisation_uncertainty`.
    """

    norm_sigma: float | None = None

    @property
    def name(self) -> str:
        return "asimov_discovery"

    def evaluate(self, spectrum: PublishedSpectrum, signal: ArrayLike) -> Evaluation:
        sigma = spectrum.normalisation_uncertainty if self.norm_sigma is None else self.norm_sigma
        q_0 = asimov_discovery_q0(spectrum.background, signal, sigma)
        return Evaluation(q_0, np.sqrt(q_0))


def statistic_for(spectrum: PublishedSpectrum, kind: str = "paper") -> Statistic:
    """The statistic named ``kind`` for ``spectrum``.

    ``"paper"`` picks the paper's choice for the experiment (Eq. (7) for
    MiniBooNE, Eq. (8) otherwise); ``"covariance"``, ``"poisson"`` and
    ``"likelihood"`` choose explicitly; ``"discovery"`` gives the median
    discovery significance of :class:`AsimovDiscovery`.
    """
    if kind == "paper":
        kind = spectrum.paper_statistic
    if kind == "covariance":
        return CovarianceChi2()
    if kind == "poisson":
        return PoissonChi2()
    if kind == "likelihood":
        return ProfileLikelihood()
    if kind == "discovery":
        return AsimovDiscovery()
    raise StatisticError(
        f"unknown statistic {kind!r}; choose 'paper', 'covariance', 'poisson', 'likelihood' "
        "or 'discovery'"
    )
