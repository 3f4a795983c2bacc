"""Probability that a scalar decays inside the fiducial volume (design key idea 1).

A scalar with lab decay length lambda = beta gamma c tau decays between path
lengths L_in and L_out with probability

    P = exp(-L_in / lambda) - exp(-L_out / lambda)
      = exp(-L_in / lambda) * (-expm1(-(L_out - L_in) / lambda)).

The second form is what is evaluated: for lambda >> L the factor
-expm1(-dL/lambda) keeps full relative precision (it tends to dL/lambda, where
the plain difference of exponentials would cancel to zero), and for
lambda << L_in the first factor underflows cleanly to 0 (never NaN).

For a fixed m_S the decay length scales as 1/y^2: lambda(y) = lambda_1 / y^2,
with lambda_1 the decay length at y = 1, so a whole coupling grid costs one
vectorised expression (:func:`decay_probability_grid`).

Where the exponents are small the same probability is a rapidly convergent
power series in x = y^2 (with A = L_in, B = L_out, a = 1 / lambda_1):

    P = exp(-x a A) - exp(-x a B) = sum_{n>=1} (-1)^(n+1) x^n a^n (B^n - A^n) / n!,

whose coefficients do not depend on y: summed over many scalars they give the
probability-weighted sums for every small coupling at once
(:func:`_probability_series`, used by :mod:`muphilic.detectors.spectrum`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from muphilic.errors import MuphilicError

#: Largest exponent x a B for which the truncated series of :func:`_probability_series`
#: replaces exp/expm1 (see there for the error bound).
_SERIES_MAX_EXPONENT = 0.1
#: Terms kept in that series: relative truncation error <= (2 z)^N / (N + 1)! < 1e-18.
_SERIES_ORDER = 12
#: exp(-x) is exactly 0.0 in double precision for x above ~745.13; with this margin a
#: probability exp(-x a L_in) * (...) is exactly 0 whenever x a L_in >= this value.
_UNDERFLOW_EXPONENT = 746.0

__all__ = [
    "DecayInputError",
    "decay_probability",
    "decay_probability_grid",
    "probability_block",
]

FloatArray = NDArray[np.float64]


class DecayInputError(MuphilicError):
    """Path lengths or decay lengths that do not describe a flight through a volume."""


def _check_lengths(l_in: FloatArray, l_out: FloatArray) -> None:
    if not (np.all(np.isfinite(l_in)) and np.all(np.isfinite(l_out))):
        raise DecayInputError("L_in and L_out must be finite")
    if np.any(l_in < 0) or np.any(l_out < l_in):
        raise DecayInputError("need 0 <= L_in <= L_out for every scalar")


def decay_probability(l_in: ArrayLike, l_out: ArrayLike, decay_length: ArrayLike) -> FloatArray:
    """P(decay between L_in and L_out) for a lab decay length lambda (all mm).

    Broadcasts over its arguments. lambda = inf gives 0 (no decay);
    lambda = 0 gives 1 for a scalar that starts inside (L_in = 0 < L_out) and
    0 otherwise.

    Parameters
    ----------
    l_in, l_out : array_like
        Path lengths to the entry and exit points, mm, 0 <= L_in <= L_out.
    decay_length : array_like
        beta * gamma * c * tau, mm, >= 0.
    """
    lin = np.asarray(l_in, dtype=np.float64)
    lout = np.asarray(l_out, dtype=np.float64)
    lam = np.asarray(decay_length, dtype=np.float64)
    _check_lengths(lin, lout)
    if np.any(np.isnan(lam)) or np.any(lam < 0):
        raise DecayInputError("decay length must be non-negative (and not NaN)")
    lin, lout, lam = np.broadcast_arrays(lin, lout, lam)
    dl = lout - lin
    with np.errstate(divide="ignore"):
        inv = 1.0 / lam  # inf for lambda = 0, 0 for lambda = inf
    # 0 * inf is undefined: a zero length contributes a zero exponent.
    x_in = np.zeros(lin.shape)
    np.multiply(lin, inv, out=x_in, where=lin > 0)
    x_dl = np.zeros(dl.shape)
    np.multiply(dl, inv, out=x_dl, where=dl > 0)
    return np.exp(-x_in) * -np.expm1(-x_dl)


def decay_probability_grid(
    l_in: ArrayLike,
    l_out: ArrayLike,
    decay_length_y1: ArrayLike,
    couplings: ArrayLike,
) -> FloatArray:
    """P(decay in [L_in, L_out]) for N scalars and K couplings at once, (K, N).

    lambda_k,i = decay_length_y1_i / y_k^2.

    Parameters
    ----------
    l_in, l_out : (N,) array_like
        Path lengths to the entry and exit points, mm, 0 <= L_in <= L_out.
    decay_length_y1 : (N,) array_like
        Lab decay length beta gamma c tau at y = 1, mm, > 0 (inf allowed).
    couplings : (K,) array_like
        Couplings y > 0.
    """
    lin = np.atleast_1d(np.asarray(l_in, dtype=np.float64))
    lout = np.atleast_1d(np.asarray(l_out, dtype=np.float64))
    lam1 = np.atleast_1d(np.asarray(decay_length_y1, dtype=np.float64))
    y = np.atleast_1d(np.asarray(couplings, dtype=np.float64))
    if not (lin.ndim == lout.ndim == lam1.ndim == y.ndim == 1):
        raise DecayInputError("L_in, L_out, decay lengths and couplings must be 1-D")
    if not (lin.shape == lout.shape == lam1.shape):
        raise DecayInputError(
            f"L_in {lin.shape}, L_out {lout.shape} and decay lengths {lam1.shape} differ"
        )
    _check_lengths(lin, lout)
    if np.any(np.isnan(lam1)) or np.any(lam1 <= 0):
        raise DecayInputError("decay lengths at y = 1 must be positive")
    if not np.all(np.isfinite(y)) or np.any(y <= 0):
        raise DecayInputError("couplings must be positive and finite")
    out = np.empty((y.shape[0], lin.shape[0]))
    probability_block(lin, lout - lin, 1.0 / lam1, y**2, out, np.empty_like(out))
    return out


def probability_block(
    l_in: FloatArray,
    dl: FloatArray,
    inv_decay_length_y1: FloatArray,
    y2: FloatArray,
    out: FloatArray,
    work: FloatArray,
) -> FloatArray:
    """Kernel of :func:`decay_probability_grid` writing into preallocated buffers.

    ``out[k, i] = exp(-y2_k L_in,i / lambda1_i) * -expm1(-y2_k dL_i / lambda1_i)``
    for validated inputs (no checks here); ``out`` and ``work`` are (K, N)
    float64 arrays (``work`` is scratch). Callers that loop over chunks reuse the
    buffers so that the temporaries stay in cache.
    """
    np.multiply(y2[:, None], inv_decay_length_y1[None, :], out=work)  # 1 / lambda_ki
    np.multiply(work, -l_in[None, :], out=out)
    np.exp(out, out=out)
    np.multiply(work, -dl[None, :], out=work)
    np.expm1(work, out=work)
    np.multiply(out, work, out=out)
    np.negative(out, out=out)
    return out


def _probability_series(
    l_in: FloatArray,
    dl: FloatArray,
    inv_decay_length_y1: FloatArray,
    scale: float,
    order: int = _SERIES_ORDER,
) -> FloatArray:
    """Scaled power-series coefficients of the decay probability, (order, N).

    With ``X = y^2 * scale`` the probability of scalar i is

        P_i(y) = sum_{n=1}^{order} (-1)^(n+1) X^n d[n-1, i] + R,

    ``d[n-1] = (a B / scale)^n - (a A / scale)^n) / n!`` (module docstring, a =
    1/lambda_1, A = L_in, B = L_out = A + dL). Term n+1 is at most 2 z / (n + 1)
    times term n, z = y^2 a B, so for z <= ``_SERIES_MAX_EXPONENT`` the series is
    alternating and decreasing and |R| / P <= (2 z)^order / (order + 1)!
    (2.6e-19 with the defaults). ``scale`` (> 0) should be about max(a B) so that
    the coefficients stay within [0, 1]. The differences B^n - A^n are formed by
    the recurrence q_(n+1) = b q_n + alpha^n delta (b = aB/s, alpha = aA/s,
    delta = a dL/s), which only adds positive numbers: no cancellation.
    """
    alpha = inv_decay_length_y1 * l_in / scale
    delta = inv_decay_length_y1 * dl / scale
    b = alpha + delta
    out = np.empty((order, l_in.shape[0]))
    q = delta.copy()
    alpha_n = alpha.copy()
    factorial = 1.0
    out[0] = q
    for n in range(1, order):
        q *= b
        q += alpha_n * delta
        alpha_n *= alpha
        factorial *= n + 1
        np.divide(q, factorial, out=out[n])
    return out
