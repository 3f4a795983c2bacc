"""Paper Eq. (8), MicroBooNE and SBND: the Poisson (extended maximum likelihood) chi^2.

chi^2 = 2 sum_i [N_i - d_i + d_i ln(d_i / N_i)], N = s + b;
:class:`PoissonChi2` turns it into a significance with the p-value of n_bins
degrees of freedom.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from muphilic.recast.spectra import PublishedSpectrum
from muphilic.recast.statistics.chi2_p_values import significance_chi2
from muphilic.recast.statistics.interface import (
    Evaluation,
    FloatArray,
    StatisticError,
    _signal_grid,
)

__all__ = ["PoissonChi2", "chi2_poisson"]


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
