"""p-values of a chi^2 with n_bins degrees of freedom, and their Gaussian significance.

The paper's test: a point is excluded when the p-value of its chi^2 (Eq. (7) or
Eq. (8)) with **n_bins degrees of freedom** is below the one-sided Gaussian tail
of the chosen confidence (5 sigma -> p < Phi-bar(5) = 2.87e-7). Far in the tail,
where scipy's p-value underflows, an asymptotic series keeps ln p and the
significance finite and monotonic.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import special, stats

from muphilic.recast.statistics.interface import FloatArray

__all__ = ["log_p_value_chi2", "p_value_chi2", "significance_chi2"]


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
