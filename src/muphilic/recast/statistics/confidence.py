"""Confidence levels in Gaussian sigma: the p-value of n sigma, its inverse, exclusion.

The one-sided convention (the paper's, and that of exclusion limits) is the
default; :func:`p_value_for_sigma` gives the two-sided one on request.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from muphilic.recast.statistics.interface import FloatArray, StatisticError

__all__ = ["excluded", "p_value_for_sigma", "sigma_for_p_value"]


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
