"""The Monte Carlo error of a contour: disjoint replicas and the jackknife.

Monte Carlo error
    Every aimed scalar comes from its own parent meson (or dump muon) of the beam
    sample (:class:`muphilic.signal.SignalSettings`), so the scalars of one mass
    are independent draws. They are split into ``R`` disjoint replicas (entry i
    goes to replica ``i mod R``); the signal is linear in the entries, so the
    signal of the sample without replica r is (sum of the replicas' - replica
    r's) / (R - 1), weights scaled to the whole, at no cost beyond one signal
    evaluation of the replicas per mass and no new scalars. The jackknife over
    these R leave-one-out contours gives the standard error sigma of log y of
    each boundary (lower and upper, :func:`boundary_in_y`) at each scanned mass,
    and the band is y 10^(-+sigma), a Gaussian's 16-84 % range. The jackknife
    (each leave-one-out sample is nearly the full one) rather than the spread of
    the replicas themselves (each R times smaller) because the weights are
    heavy-tailed: a small replica's 16-84 % range, scaled by 1/sqrt(R),
    underestimated the seed-to-seed scatter by a factor of about 1.5 in the
    check below. One number per contour: the median over masses of the relative
    width (y_84 - y_16) / y. The estimate treats the scalars of different
    species (and a pion and its own muon) as independent;
    ``tests/test_recast_bands.py`` checks it against the scatter of the
    boundaries of independent beam samples with independent seeds.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from muphilic.events import ScalarSample
from muphilic.recast.bands.variations import BandError

__all__ = [
    "jackknife_rel_error",
    "mc_band",
    "relative_width",
    "replica_samples",
]

FloatArray = NDArray[np.float64]


# --- Monte Carlo replicas --------------------------------------------------------------
def replica_samples(samples: Sequence[ScalarSample], n_replicas: int) -> list[list[ScalarSample]]:
    """Split scalar samples into ``n_replicas`` disjoint replicas of the same expectation.

    Entry i of every sample goes to replica ``i mod n_replicas`` with its
    weight times ``n_replicas``, so each replica estimates the same signal as the
    whole, and their mean is the whole sample's estimate.
    """
    if n_replicas < 2:
        raise BandError(f"band.replicas must be at least 2, got {n_replicas}")
    out: list[list[ScalarSample]] = [[] for _ in range(n_replicas)]
    for sample in samples:
        for r in range(n_replicas):
            keep = np.arange(r, len(sample), n_replicas)
            out[r].append(
                ScalarSample(
                    sample.mass,
                    sample.channel,
                    np.take(sample.p4, keep, axis=0),
                    np.take(sample.vertex, keep, axis=0),
                    np.take(sample.weight, keep) * n_replicas,
                )
            )
    return out


def mc_band(central: FloatArray, leave_one_out: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The 16-84 % Monte Carlo range of a boundary, by the jackknife over replicas.

    Parameters
    ----------
    central : (M,) array
        The full sample's boundary y at each mass (NaN: none).
    leave_one_out : (R, M) array
        The boundary of the sample without replica r, for each r (NaN: none).

    Returns
    -------
    (low, high) : two (M,) arrays
        y: the central boundary times 10^(-+sigma), sigma the jackknife standard
        error of log10 y, sqrt((R - 1)/R sum_r (b_r - mean b)^2) over the R'
        defined leave-one-out boundaries (R -> R'); a Gaussian's 16-84 % range.
        NaN where the central boundary or more than half the boundaries are missing.
    """
    log_b = np.log10(leave_one_out)
    finite = np.isfinite(log_b)
    count = finite.sum(axis=0)
    enough = (count * 2 > leave_one_out.shape[0]) & (count >= 2) & np.isfinite(central)
    low = np.full(central.shape, np.nan)
    high = np.full(central.shape, np.nan)
    if not np.any(enough):
        return low, high
    sub = np.where(finite[:, enough], log_b[:, enough], np.nan)
    n = count[enough]
    mean = np.nanmean(sub, axis=0)
    sigma = np.sqrt((n - 1) / n * np.nansum((sub - mean) ** 2, axis=0))
    log_c = np.log10(central[enough])
    low[enough] = 10.0 ** (log_c - sigma)
    high[enough] = 10.0 ** (log_c + sigma)
    return low, high


def jackknife_rel_error(replica_totals: FloatArray) -> FloatArray:
    """Relative jackknife error of a sum from its R disjoint replica estimates.

    Parameters
    ----------
    replica_totals : (R, ...) array
        Each replica's estimate of the whole (its entries' weights times R).

    Returns
    -------
    array
        sigma / mean with sigma^2 = (R - 1)/R sum_r (t_(r) - mean t_(.))^2 over the
        leave-one-out estimates t_(r) = (sum - t_r) / (R - 1); NaN where the mean is 0.
    """
    n = replica_totals.shape[0]
    mean = replica_totals.mean(axis=0)
    loo = (replica_totals.sum(axis=0) - replica_totals) / (n - 1)
    sigma = np.sqrt((n - 1) / n * np.sum((loo - loo.mean(axis=0)) ** 2, axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(mean > 0, sigma / np.where(mean > 0, mean, 1.0), np.nan)


def relative_width(central: FloatArray, low: FloatArray, high: FloatArray) -> FloatArray:
    """(high - low) / central, NaN where undefined."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return (high - low) / central
