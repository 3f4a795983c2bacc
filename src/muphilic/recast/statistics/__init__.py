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

Modules
-------
* :mod:`~muphilic.recast.statistics.interface` - the signal grid, :class:`Evaluation`,
  the :class:`Statistic` protocol and :class:`StatisticError`;
* :mod:`~muphilic.recast.statistics.confidence` - Gaussian sigma and p-values;
* :mod:`~muphilic.recast.statistics.chi2_p_values` - the p-value and significance
  of a chi^2 with n_bins degrees of freedom;
* :mod:`~muphilic.recast.statistics.covariance_chi2` - Eq. (7), :class:`CovarianceChi2`;
* :mod:`~muphilic.recast.statistics.poisson_chi2` - Eq. (8), :class:`PoissonChi2`;
* :mod:`~muphilic.recast.statistics.likelihood` - the likelihood with its nuisance,
  and its fit;
* :mod:`~muphilic.recast.statistics.profile_likelihood` - q_mu, q_0 and the
  Asimov q_0, :class:`ProfileLikelihood` and :class:`AsimovDiscovery`;
* :mod:`~muphilic.recast.statistics.choice` - :func:`statistic_for`.

Every name is importable from this package as well as from its module.
"""

from __future__ import annotations

from muphilic.recast.statistics.chi2_p_values import (
    log_p_value_chi2,
    p_value_chi2,
    significance_chi2,
)
from muphilic.recast.statistics.choice import statistic_for
from muphilic.recast.statistics.confidence import excluded, p_value_for_sigma, sigma_for_p_value
from muphilic.recast.statistics.covariance_chi2 import CovarianceChi2, chi2_covariance
from muphilic.recast.statistics.interface import Evaluation, Statistic, StatisticError
from muphilic.recast.statistics.likelihood import fit_signal_strength
from muphilic.recast.statistics.poisson_chi2 import PoissonChi2, chi2_poisson
from muphilic.recast.statistics.profile_likelihood import (
    AsimovDiscovery,
    ProfileLikelihood,
    asimov_discovery_q0,
    profile_likelihood_q,
)

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
