"""The profile likelihood ratio q_mu (exclusion) and q_0 (discovery) of a spectrum.

With F(mu, theta) of :mod:`~muphilic.recast.statistics.likelihood` and mu-hat >= 0
(Cowan, Cranmer, Gross, Vitells, Eur. Phys. J. C 71 (2011) 1554,
arXiv:1007.1727, Eq. (16)):

* q_mu = F(mu, theta-hat-hat) - F(mu-hat, theta-hat) for mu-hat <= mu, else 0, tests
  the signal hypothesis mu = 1 against the best fit (which includes
  background only, mu = 0); its asymptotic p-value is Phi-bar(sqrt(q_mu)) (Eq. (59)).
  With background-like data (mu-hat = 0, as for Asimov data) this is exact
  asymptotically; for data with a deficit it is conservative.
* q_0 = F(0, .) - F(mu-hat, .) tests background only (discovery), Z = sqrt(q_0).
* :func:`asimov_discovery_q0`: the median q_0 of a signal, for projections and
  expected sensitivities: the data of each hypothesis are its own expectation
  b + s (the Asimov data set), and q_0 is the background-only fit to them.

:class:`ProfileLikelihood` (Z = sqrt(q_mu)) and :class:`AsimovDiscovery`
(Z = sqrt(q_0) of the Asimov data) are the statistics the scan calls.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from muphilic.recast.spectra import PublishedSpectrum
from muphilic.recast.statistics.interface import (
    Evaluation,
    FloatArray,
    StatisticError,
    _signal_grid,
)
from muphilic.recast.statistics.likelihood import _check_counts, _PoissonModel

__all__ = ["AsimovDiscovery", "ProfileLikelihood", "asimov_discovery_q0", "profile_likelihood_q"]


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


@dataclass(frozen=True)
class _NormalisationNuisance:
    """Base of the statistics of this likelihood: the width of its normalisation constraint.

    Attributes
    ----------
    norm_sigma : float or None
        Width of the normalisation constraint; ``None`` takes the spectrum's
        :attr:`~muphilic.recast.spectra.PublishedSpectrum.normalisation_uncertainty`.
    """

    norm_sigma: float | None = None

    def _width(self, spectrum: PublishedSpectrum) -> float:
        """The constraint's width for ``spectrum``: ``norm_sigma``, or the spectrum's."""
        return spectrum.normalisation_uncertainty if self.norm_sigma is None else self.norm_sigma


@dataclass(frozen=True)
class ProfileLikelihood(_NormalisationNuisance):
    """One-sided profile-likelihood ratio q_mu (mu = 1) with a normalisation
    nuisance; Z = sqrt(q_mu) (asymptotic).

    ``norm_sigma`` is the width of the normalisation constraint; ``None`` takes the
    spectrum's :attr:`~muphilic.recast.spectra.PublishedSpectrum.normalisation_uncertainty`.
    """

    @property
    def name(self) -> str:
        return "profile_likelihood"

    def evaluate(self, spectrum: PublishedSpectrum, signal: ArrayLike) -> Evaluation:
        sigma = self._width(spectrum)
        q_mu, _ = profile_likelihood_q(spectrum.data, spectrum.background, signal, sigma)
        return Evaluation(q_mu, np.sqrt(q_mu))


@dataclass(frozen=True)
class AsimovDiscovery(_NormalisationNuisance):
    """Median discovery significance sqrt(q_0) of a signal over the background
    (:func:`asimov_discovery_q0`), for projections and expected sensitivities.

    The spectrum's data are not used: the Asimov data set of each hypothesis is
    background plus signal. ``significance`` is then the discovery
    significance: a signal is discovered at n sigma where it is >= n.

    ``norm_sigma`` is the width of the normalisation constraint; ``None`` takes the
    spectrum's :attr:`~muphilic.recast.spectra.PublishedSpectrum.normalisation_uncertainty`.
    """

    @property
    def name(self) -> str:
        return "asimov_discovery"

    def evaluate(self, spectrum: PublishedSpectrum, signal: ArrayLike) -> Evaluation:
        q_0 = asimov_discovery_q0(spectrum.background, signal, self._width(spectrum))
        return Evaluation(q_0, np.sqrt(q_0))
