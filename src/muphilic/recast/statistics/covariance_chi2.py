"""Paper Eq. (7), MiniBooNE: the chi^2 of a spectrum with a covariance matrix.

chi^2 = (d - s - b)^T M^-1 (d - s - b) with the covariance M of
:meth:`muphilic.recast.spectra.PublishedSpectrum.covariance`; :class:`CovarianceChi2`
turns it into a significance with the p-value of n_bins degrees of freedom.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import linalg

from muphilic.recast.spectra import PublishedSpectrum
from muphilic.recast.statistics.chi2_p_values import significance_chi2
from muphilic.recast.statistics.interface import (
    Evaluation,
    FloatArray,
    StatisticError,
    _signal_grid,
)

__all__ = ["CovarianceChi2", "chi2_covariance"]


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
