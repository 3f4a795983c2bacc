"""What every test statistic takes and returns.

A statistic is evaluated for a grid of signal hypotheses at one mass: ``signal``
has shape (K, n_bins) (K couplings) and every result has shape (K,). This module
holds the check of that grid, the result (:class:`Evaluation`), the interface the
scan calls (:class:`Statistic`) and the error of inconsistent inputs
(:class:`StatisticError`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from muphilic.errors import MuphilicError
from muphilic.recast.spectra import PublishedSpectrum

__all__ = ["Evaluation", "Statistic", "StatisticError"]

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
