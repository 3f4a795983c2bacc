"""Expected m_gg signal spectrum in a detector's analysis bins for a grid of couplings.

For one scalar mass, each sample entry i (weight w_i per POT per y^2) gives

    s_kj = N_POT * eps * y_k^2 * sum_i w_i * P_ki * c_i * G_ij,

with P_ki the probability to decay inside the fiducial volume at coupling y_k
(:mod:`muphilic.detectors.decay`, lambda_ki = beta gamma c tau(y=1) / y_k^2),
c_i the truth-level photon-cut efficiency (:mod:`muphilic.detectors.photons`),
eps the flat two-photon efficiency and G_ij the fraction of a Gaussian centred
on m_S with sigma = resolution * m_S that falls in bin j (above the
reconstructed track-mass threshold f(E_S), if any). The coupling axis costs
(K, chunk) array expressions and matrix products (design key idea 1), and only
where they are needed: couplings at which a chunk of scalars is surely
negligible are skipped and small decay probabilities are summed by their power
series in y^2 (:func:`_probability_sums`), with results equal to the direct
evaluation up to rounding.

The Monte Carlo error of each yield is estimated from the weights' sum of
squares: delta s_k / s_k = sqrt(sum_i t_ki^2) / sum_i t_ki with
t_ki = w_i P_ki c_i sum_j G_ij the entry's contribution to the in-window total.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtr

from muphilic.constants import MeV
from muphilic.detectors.decay import (
    _SERIES_MAX_EXPONENT,
    _SERIES_ORDER,
    _UNDERFLOW_EXPONENT,
    _probability_series,
    probability_block,
)
from muphilic.detectors.definitions import Detector
from muphilic.detectors.geometry import ray_intervals
from muphilic.detectors.photons import cut_efficiency
from muphilic.errors import MuphilicError
from muphilic.events import ScalarSample
from muphilic.scalar import ModelRangeError, check_mass, ctau

__all__ = [
    "CHANNELS",
    "SignalSpectrum",
    "SpectrumError",
    "gaussian_bin_fractions",
    "signal_spectrum",
    "signal_spectrum_function",
    "spectrum_summary",
]

FloatArray = NDArray[np.float64]

#: The production channels of the paper, always present in summaries.
CHANNELS: tuple[str, ...] = ("kaon", "pion", "muon")

#: Upper bound on K * (entries per chunk): two (K, chunk) buffers of ~1 MB each.
_CHUNK_ELEMENTS = 131_072


#: A chunk's contribution to a coupling is skipped when its upper bound is below this
#: fraction of the sum so far (in every bin and in the sum of squares): far below the
#: double-precision rounding of that sum.
_NEGLIGIBLE = 2.0**-60

#: Anti-diagonal index n + m of each entry of an (order, order) matrix, flattened.
_ANTI_DIAGONAL = np.add.outer(np.arange(_SERIES_ORDER), np.arange(_SERIES_ORDER)).ravel()


class SpectrumError(MuphilicError):
    """Samples of different masses, bad coupling grids or out-of-range indices."""


def gaussian_bin_fractions(
    mass: float,
    sigma: float,
    edges: ArrayLike,
    threshold: ArrayLike | None = None,
) -> FloatArray:
    """Fraction of N(mass, sigma^2) in each bin, counting only values above ``threshold``.

    Parameters
    ----------
    mass, sigma : float
        Mean and standard deviation, MeV (sigma > 0).
    edges : (B + 1,) array_like
        Bin edges, MeV, increasing.
    threshold : (N,) array_like or None
        Per-scalar lower cut on the smeared value (the reconstructed track-mass
        cut f(E_S)), MeV; ``None`` for no cut.

    Returns
    -------
    array
        (B,) without threshold, (N, B) with one.

    Notes
    -----
    Each bin is evaluated in whichever tail keeps precision: upper-tail
    differences ndtr(-a) - ndtr(-b) above the mean, lower-tail ndtr(b) - ndtr(a)
    below it, so bins many sigma away are not lost to cancellation.
    """
    if not (np.isfinite(sigma) and sigma > 0):
        raise SpectrumError(f"resolution sigma must be positive, got {sigma}")
    e = np.asarray(edges, dtype=np.float64)
    low, high = e[:-1], e[1:]
    if threshold is not None:
        low = np.maximum(low[None, :], np.asarray(threshold, dtype=np.float64)[:, None])
        high = np.broadcast_to(high, low.shape)
    a = (low - mass) / sigma
    b = (high - mass) / sigma
    upper = ndtr(-a) - ndtr(-b)
    lower = ndtr(b) - ndtr(a)
    return np.clip(np.where(a > 0, upper, lower), 0.0, None)


@dataclass(frozen=True)
class SignalSpectrum:
    """Expected signal in a detector's m_gg bins for a grid of couplings at one mass.

    Attributes
    ----------
    detector : str
        Detector name.
    mass : float
        m_S, MeV.
    couplings : (K,) array
        The coupling grid y.
    pot : float
        Protons on target the counts are for.
    edges_MeV : (B + 1,) array
        Bin edges, MeV.
    signal : (K, B) array
        Expected events per bin (all channels).
    by_channel : dict of str -> (K, B) array
        Expected events per bin for each production channel present.
    total : (K,) array
        Expected events in the analysis window, sum over bins.
    mc_rel_error : (K,) array
        Relative Monte Carlo error of ``total`` from the weights' sum of squares
        (inf where the expected total is 0).
    by_channel_mc_rel_error : dict of str -> (K,) array
        The same per channel.
    """

    detector: str
    mass: float
    couplings: FloatArray
    pot: float
    edges_MeV: FloatArray
    signal: FloatArray
    by_channel: dict[str, FloatArray] = field(default_factory=dict)
    total: FloatArray = field(default_factory=lambda: np.zeros(0))
    mc_rel_error: FloatArray = field(default_factory=lambda: np.zeros(0))
    by_channel_mc_rel_error: dict[str, FloatArray] = field(default_factory=dict)

    @property
    def n_bins(self) -> int:
        """Number of analysis bins."""
        return int(self.signal.shape[1])

    def channel_total(self, channel: str) -> FloatArray:
        """Expected events of one channel in the window, (K,) (zeros if absent)."""
        if channel in self.by_channel:
            return self.by_channel[channel].sum(axis=1)
        return np.zeros(self.couplings.shape)


def _relative_error(sum_sq: FloatArray, total: FloatArray) -> FloatArray:
    out = np.full(total.shape, np.inf)
    np.divide(np.sqrt(sum_sq), total, out=out, where=total > 0)
    return out


def _check_couplings(couplings: ArrayLike) -> FloatArray:
    y = np.atleast_1d(np.asarray(couplings, dtype=np.float64))
    if y.ndim != 1 or y.size == 0:
        raise SpectrumError(f"couplings must be a non-empty 1-D grid, got shape {y.shape}")
    if not np.all(np.isfinite(y)) or np.any(y <= 0):
        raise ModelRangeError("couplings y must be positive finite numbers")
    return y


@dataclass(frozen=True)
class _Prepared:
    """The coupling-independent part of one sample's contribution (see :func:`_prepare`)."""

    inputs: _Sorted
    fractions: FloatArray  # (N, B) per scalar or (1, B) for all
    per_scalar_rows: bool


def _sample_contribution(
    sample: ScalarSample,
    detector: Detector,
    couplings: FloatArray,
    ctau_y1: float,
) -> tuple[FloatArray, FloatArray]:
    """(sum_i w_i P_ki c_i G_ij  (K, B),  sum_i t_ki^2  (K,)) for one sample, per POT per y^2."""
    return _contribution(_prepare(sample, detector, ctau_y1), detector.n_bins, couplings)


def _contribution(
    prepared: _Prepared | None, n_bins: int, couplings: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """:func:`_sample_contribution` from the prepared sample."""
    if prepared is None:
        return np.zeros((couplings.shape[0], n_bins)), np.zeros(couplings.shape[0])
    raw, sum_sq = _sorted_sums(prepared.inputs, couplings**2)
    if prepared.per_scalar_rows:
        return raw, sum_sq
    return np.outer(raw[:, 0], prepared.fractions[0]), sum_sq


def _prepare(sample: ScalarSample, detector: Detector, ctau_y1: float) -> _Prepared | None:
    """Rays through the detector, cut efficiencies, bin fractions and the sorted decay
    inputs of one sample: everything of its contribution that does not depend on the
    coupling (None if no scalar can contribute)."""
    momentum = sample.momentum
    usable = (sample.weight > 0) & (momentum > 0)
    if not np.any(usable):
        return None
    # Row selections by np.take on index arrays (the same rows as boolean masks, faster).
    rows = np.flatnonzero(usable)
    p4 = np.take(sample.p4, rows, axis=0)
    l_in, l_out = ray_intervals(detector, np.take(sample.vertex, rows, axis=0), p4[:, 1:])
    hit = np.flatnonzero(l_out > l_in)
    if hit.size == 0:
        return None
    rows = rows[hit]
    mass = sample.mass
    energy = np.take(p4[:, 0], hit)
    weight = np.take(sample.weight, rows) * cut_efficiency(detector.cuts, energy, mass)
    l_in, l_out = np.take(l_in, hit), np.take(l_out, hit)
    sigma = detector.resolution * mass
    cuts = detector.cuts
    if cuts.has_track_mass_cut and cuts.track_mass_applies_to == "reconstructed":
        if cuts.track_mass_table is None:
            # One threshold for every scalar: one row of bin fractions.
            fractions = gaussian_bin_fractions(
                mass, sigma, detector.edges, np.array([cuts.track_mass_threshold(energy[:1])[0]])
            )
        else:
            fractions = gaussian_bin_fractions(
                mass, sigma, detector.edges, cuts.track_mass_threshold(energy)
            )
    else:
        fractions = gaussian_bin_fractions(mass, sigma, detector.edges)[None, :]
    per_scalar_rows = fractions.shape[0] > 1
    in_window = fractions.sum(axis=1)

    if per_scalar_rows:
        values = weight[:, None] * fractions  # (N, B): w_i c_i G_ij
        t_weight = weight * in_window
    else:
        values = weight[:, None]  # (N, 1); times fractions[0] at the end
        t_weight = weight * in_window[0]
    inputs = _sorted_inputs(
        l_in, l_out - l_in, np.take(momentum, rows) / mass * ctau_y1, values, t_weight
    )
    return _Prepared(inputs, fractions, per_scalar_rows)


def _probability_sums(
    l_in: FloatArray,
    dl: FloatArray,
    decay_length_y1: FloatArray,
    y2: FloatArray,
    values: FloatArray,
    t_weight: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """(sum_i P_ki values_i (K, V),  sum_i P_ki^2 t_weight_i^2 (K,)) for decay probabilities P_ki.

    P_ki is the probability that scalar i (path lengths ``l_in``, ``dl``, decay
    length ``decay_length_y1`` at y = 1, mm) decays in the volume at y^2 = ``y2[k]``
    (:mod:`muphilic.detectors.decay`). The scalars are sorted by a_i L_in
    (a = 1/lambda_1) and taken in chunks; for each chunk and coupling one of three
    exact treatments applies:

    * every exponent y^2 a L_in >= 746: exp underflows, every P_ki is exactly 0
      (as exp/expm1 would give) - skipped;
    * the bound exp(-y^2 min_i a_i L_in,i) * sum_i values_i is below 2^-60 of
      the sum from the earlier chunks in every bin (and likewise for the sum of
      squares): a change below the sum's own rounding - skipped;
    * every y^2 a L_out <= 0.1: the chunk's power-series coefficients
      (:func:`muphilic.detectors.decay._probability_series`, relative truncation
      error < 1e-18) summed once serve every such coupling;
    * otherwise exp/expm1 on the (couplings, chunk) block
      (:func:`muphilic.detectors.decay.probability_block`).

    The results equal the plain exp/expm1 sums up to floating-point rounding,
    at a fraction of the cost: only couplings within about four decades of y^2
    around each scalar's "lambda ~ L" point need transcendental functions.
    """
    return _sorted_sums(_sorted_inputs(l_in, dl, decay_length_y1, values, t_weight), y2)


_Sorted = tuple[
    FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray
]


def _sorted_inputs(
    l_in: FloatArray,
    dl: FloatArray,
    decay_length_y1: FloatArray,
    values: FloatArray,
    t_weight: FloatArray,
) -> _Sorted:
    """The coupling-independent part of :func:`_probability_sums`: the scalars sorted by
    a_i L_in, with their exponents at y = 1 (done once per sample, whatever the couplings)."""
    inv_lambda1 = 1.0 / decay_length_y1
    entry_exponent = inv_lambda1 * l_in  # y^2 a L_in at y = 1
    order = np.argsort(entry_exponent, kind="stable")
    l_in, dl, inv_lambda1 = (np.take(x, order) for x in (l_in, dl, inv_lambda1))
    entry_exponent = np.take(entry_exponent, order)
    exit_exponent = inv_lambda1 * (l_in + dl)
    values, t_weight = np.take(values, order, axis=0), np.take(t_weight, order)
    t_weight2 = t_weight * t_weight
    return l_in, dl, inv_lambda1, entry_exponent, exit_exponent, values, t_weight, t_weight2


def _sorted_sums(inputs: _Sorted, y2: FloatArray) -> tuple[FloatArray, FloatArray]:
    """:func:`_probability_sums` on :func:`_sorted_inputs`."""
    l_in, dl, inv_lambda1, entry_exponent, exit_exponent, values, t_weight, t_weight2 = inputs
    n_couplings = y2.shape[0]
    n_values = values.shape[1]
    spectrum = np.zeros((n_couplings, n_values))
    sum_sq = np.zeros(n_couplings)

    chunk = max(1, _CHUNK_ELEMENTS // n_couplings)
    n = l_in.shape[0]
    buffer = np.empty((n_couplings, min(chunk, n)))
    work = np.empty_like(buffer)
    scales: list[float] = []
    series_values: list[FloatArray] = []  # (order, V) per chunk
    series_sq: list[FloatArray] = []  # (2 order,) per chunk: coefficients of P^2
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        size = stop - start
        scale = float(np.max(exit_exponent[start:stop]))
        lowest = float(entry_exponent[start])  # sorted
        series_rows = y2 * scale <= _SERIES_MAX_EXPONENT
        exact_rows = np.flatnonzero(~series_rows & (y2 * lowest < _UNDERFLOW_EXPONENT))
        if exact_rows.size and start > 0:
            # Drop couplings for which this whole chunk is negligible next to what the
            # earlier (less suppressed) chunks gave: P_ki <= exp(-y^2 a_i L_in,i).
            bound = np.exp(-y2[exact_rows] * lowest)
            needed = np.any(
                bound[:, None] * np.sum(values[start:stop], axis=0)
                > _NEGLIGIBLE * spectrum[exact_rows],
                axis=1,
            ) | (bound**2 * np.sum(t_weight2[start:stop]) > _NEGLIGIBLE * sum_sq[exact_rows])
            exact_rows = exact_rows[needed]
        if exact_rows.size:
            prob = probability_block(
                l_in[start:stop],
                dl[start:stop],
                inv_lambda1[start:stop],
                y2[exact_rows],
                buffer[: exact_rows.size, :size],
                work[: exact_rows.size, :size],
            )
            spectrum[exact_rows] += prob @ values[start:stop]
            np.square(prob, out=prob)
            sum_sq[exact_rows] += prob @ t_weight2[start:stop]
        if np.any(series_rows) and scale > 0:
            coef = _probability_series(
                l_in[start:stop], dl[start:stop], inv_lambda1[start:stop], scale
            )
            scales.append(scale)
            series_values.append(coef @ values[start:stop])
            weighted = coef * t_weight[start:stop]
            gram = weighted @ weighted.T  # (order, order): sum_i d_n d_m t_i^2
            # coefficient of X^(m + 2) in P^2: the anti-diagonal m of the Gram matrix
            series_sq.append(
                np.bincount(_ANTI_DIAGONAL, weights=gram.ravel(), minlength=2 * _SERIES_ORDER - 1)
            )
    if scales:
        # X_kj = y_k^2 s_j where chunk j's series applies, else 0 (contributes nothing).
        x = y2[:, None] * np.asarray(scales)[None, :]
        x = np.where(x <= _SERIES_MAX_EXPONENT, x, 0.0)
        coef_values = np.stack(series_values)  # (J, order, V)
        coef_sq = np.stack(series_sq)  # (J, 2 order - 1): powers 2 .. 2 order
        power = np.ones_like(x)
        for n in range(1, _SERIES_ORDER + 1):
            power *= x
            sign = 1.0 if n % 2 else -1.0
            spectrum += sign * (power @ coef_values[:, n - 1, :])
        # P^2 = sum_m (-1)^m X^m sum_{n + n' = m} d_n d_n'  (m = 2 .. 2 order)
        power = x * x
        for m in range(2, 2 * _SERIES_ORDER + 1):
            sign = 1.0 if m % 2 == 0 else -1.0
            sum_sq += sign * (power @ coef_sq[:, m - 2])
            power = power * x
    return spectrum, sum_sq


def signal_spectrum(
    samples: Sequence[ScalarSample] | ScalarSample,
    detector: Detector,
    couplings: ArrayLike,
) -> SignalSpectrum:
    """Expected signal per analysis bin for every coupling of a grid.

    Parameters
    ----------
    samples : sequence of ScalarSample
        Scalars of one mass from any channels (several samples of the same
        channel are added). Weights are per POT per y^2.
    detector : Detector
        Geometry, POT, efficiency, resolution, bins and cuts.
    couplings : (K,) array_like
        Coupling grid y.

    Returns
    -------
    SignalSpectrum
        Counts for ``detector.pot`` protons on target.

    Raises
    ------
    SpectrumError
        For an empty sample list, samples of different masses or a bad grid.
    ModelRangeError
        For m_S outside (0, 2 m_mu) or non-positive couplings.
    """
    samples, mass = _checked_samples(samples)
    check_mass(mass)
    y = _check_couplings(couplings)
    return _spectrum_at(_prepare_all(samples, detector, mass), detector, mass, y)


def signal_spectrum_function(
    samples: Sequence[ScalarSample] | ScalarSample, detector: Detector
) -> Callable[[ArrayLike], SignalSpectrum]:
    """``couplings -> SignalSpectrum`` for fixed samples: :func:`signal_spectrum` with
    the coupling-independent work (rays, cuts, bin fractions, sorting) done once.

    ``signal_spectrum_function(samples, detector)(y)`` equals
    ``signal_spectrum(samples, detector, y)`` for any couplings ``y``.
    """
    samples, mass = _checked_samples(samples)
    check_mass(mass)
    prepared = _prepare_all(samples, detector, mass)

    def spectrum(couplings: ArrayLike) -> SignalSpectrum:
        return _spectrum_at(prepared, detector, mass, _check_couplings(couplings))

    return spectrum


def _checked_samples(
    samples: Sequence[ScalarSample] | ScalarSample,
) -> tuple[list[ScalarSample], float]:
    if isinstance(samples, ScalarSample):
        samples = [samples]
    samples = list(samples)
    if not samples:
        raise SpectrumError("need at least one ScalarSample")
    mass = float(samples[0].mass)
    for sample in samples[1:]:
        if not np.isclose(sample.mass, mass, rtol=1e-9, atol=0.0):
            raise SpectrumError(
                f"samples have different masses ({mass} and {sample.mass} MeV); "
                "compute one spectrum per mass"
            )
    return samples, mass


def _prepare_all(
    samples: Sequence[ScalarSample], detector: Detector, mass: float
) -> list[tuple[str, _Prepared | None]]:
    ctau_y1 = float(ctau(mass, 1.0))
    return [(sample.channel, _prepare(sample, detector, ctau_y1)) for sample in samples]


def _spectrum_at(
    prepared: Sequence[tuple[str, _Prepared | None]],
    detector: Detector,
    mass: float,
    y: FloatArray,
) -> SignalSpectrum:
    per_channel: dict[str, FloatArray] = {}
    per_channel_sq: dict[str, FloatArray] = {}
    for channel, sample in prepared:
        spectrum, sum_sq = _contribution(sample, detector.n_bins, y)
        if channel in per_channel:
            per_channel[channel] += spectrum
            per_channel_sq[channel] += sum_sq
        else:
            per_channel[channel] = spectrum
            per_channel_sq[channel] = sum_sq

    scale = (detector.pot * detector.efficiency * y**2)[:, None]
    by_channel = {name: spectrum * scale for name, spectrum in per_channel.items()}
    signal = np.sum(list(by_channel.values()), axis=0)
    # Relative errors are scale free: use the unscaled sums.
    raw_total = np.sum([s.sum(axis=1) for s in per_channel.values()], axis=0)
    raw_sq = np.sum(list(per_channel_sq.values()), axis=0)
    return SignalSpectrum(
        detector=detector.name,
        mass=mass,
        couplings=y,
        pot=detector.pot,
        edges_MeV=detector.edges / MeV,
        signal=signal,
        by_channel=by_channel,
        total=signal.sum(axis=1),
        mc_rel_error=_relative_error(raw_sq, raw_total),
        by_channel_mc_rel_error={
            name: _relative_error(per_channel_sq[name], per_channel[name].sum(axis=1))
            for name in per_channel
        },
    )


def _json_float(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def spectrum_summary(spectrum: SignalSpectrum, coupling_index: int) -> dict[str, Any]:
    """JSON-ready summary of one coupling of a spectrum grid.

    Keys: ``detector``, ``mass_MeV``, ``coupling``, ``pot``, ``edges_MeV``,
    ``signal`` (events per bin), ``by_channel`` (``kaon``, ``pion``, ``muon``
    always, plus any other channel present), ``signal_total``,
    ``by_channel_total``, ``mc_rel_error`` (``None`` when the expected total
    is zero) and ``by_channel_mc_rel_error``.
    """
    n = spectrum.couplings.shape[0]
    if not -n <= coupling_index < n:
        raise SpectrumError(f"coupling_index {coupling_index} out of range for {n} couplings")
    k = coupling_index
    channels = list(CHANNELS) + [c for c in spectrum.by_channel if c not in CHANNELS]
    zeros = [0.0] * spectrum.n_bins
    by_channel: Mapping[str, list[float]] = {
        c: spectrum.by_channel[c][k].tolist() if c in spectrum.by_channel else zeros
        for c in channels
    }
    return {
        "detector": spectrum.detector,
        "mass_MeV": float(spectrum.mass),
        "coupling": float(spectrum.couplings[k]),
        "pot": float(spectrum.pot),
        "edges_MeV": spectrum.edges_MeV.tolist(),
        "signal": spectrum.signal[k].tolist(),
        "by_channel": dict(by_channel),
        "signal_total": float(spectrum.total[k]),
        "by_channel_total": {c: float(sum(v)) for c, v in by_channel.items()},
        "mc_rel_error": _json_float(spectrum.mc_rel_error[k]),
        "by_channel_mc_rel_error": {
            c: _json_float(spectrum.by_channel_mc_rel_error[c][k])
            if c in spectrum.by_channel_mc_rel_error
            else None
            for c in channels
        },
    }
