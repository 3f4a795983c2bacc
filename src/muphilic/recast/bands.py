"""Uncertainty bands on the contours: Monte Carlo error and model variations.

Two things move a contour that a single line hides.

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

Model variations (:data:`VARIATIONS`)
    Each is a named switch of the chain. Those that change only the detection
    (efficiency, resolution, the track-mass reading) reuse the very scalars of
    the central curve and cost one signal evaluation (the efficiency, an exact
    factor of the signal and of the modelled backgrounds, and the test
    statistic cost none: the central signal is reused); those
    that change the emission (the muon energy loss in the dump, the nuclear form
    factor) re-aim the scalars of the same beam sample with the same random
    stream, so only the changed channel moves; those that change the beam (the
    hadron-production model) read or simulate another beam sample, kept in the
    cache. Detection and emission variations share the central curve's random
    numbers, so their shift is the model's, not Monte Carlo noise; a beam
    variation's shift includes the Monte Carlo error of both samples.

The band of a contour is the envelope of its Monte Carlo band and of every
variation's boundary. Boundaries are read by :func:`boundary_in_y`, the
linear interpolation of ln Z in log y along each mass column that
:func:`muphilic.recast.contours.exclusion_contour` uses on the grid lines.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from muphilic.constants import MeV
from muphilic.detectors import Detector, SignalSpectrum, signal_spectrum
from muphilic.errors import MuphilicError
from muphilic.events import ScalarSample
from muphilic.files import atomic_write
from muphilic.progress import progress_bar
from muphilic.recast.contours import log_significance
from muphilic.recast.scan import ScanResult
from muphilic.recast.spectra import PublishedSpectrum
from muphilic.recast.statistics import Statistic, excluded, statistic_for

__all__ = [
    "BAND_MASSES_MEV",
    "DEFAULT_REPLICAS",
    "VARIATIONS",
    "BandError",
    "ContourBand",
    "Variation",
    "band_file_name",
    "band_legend",
    "band_record",
    "boundary_in_y",
    "compute_bands",
    "default_variations",
    "detection_variant",
    "draw_band",
    "experiment_band",
    "jackknife_rel_error",
    "mc_band",
    "relative_width",
    "replica_samples",
    "variation",
    "write_band_csv",
]

FloatArray = NDArray[np.float64]

#: Masses at which the files and the documentation quote each variation's shift, MeV.
BAND_MASSES_MEV = (20.0, 40.0, 60.0, 100.0)

#: Replicas of the Monte Carlo band by default.
DEFAULT_REPLICAS = 10

#: Factor of the efficiency and resolution variations (the issue's +-25 %).
_DETECTION_FACTOR = 0.25


class BandError(MuphilicError):
    """A band cannot be computed as asked (unknown variation, bad replica count)."""


@dataclass(frozen=True)
class Variation:
    """A named switch of the chain that a band may include.

    Attributes
    ----------
    name : str
        The switch's name (``[band] variations``, the files' columns).
    description : str
        What it changes, in words, against the central run.
    stage : {"detection", "statistics", "emission", "beam"}
        What it recomputes (see the module docstring).
    default : bool
        Part of a band unless the run names its variations.
    reason : str
        Why a default-off variation is off.
    """

    name: str
    description: str
    stage: str
    default: bool
    reason: str = ""


#: Every variation a band knows, in the order the files list them.
VARIATIONS: tuple[Variation, ...] = (
    Variation("efficiency_up", "two-photon efficiency x 1.25 (at most 1)", "detection", True),
    Variation("efficiency_down", "two-photon efficiency x 0.75", "detection", True),
    Variation("resolution_up", "m_gg resolution x 1.25", "detection", True),
    Variation("resolution_down", "m_gg resolution x 0.75", "detection", True),
    Variation(
        "track_mass_truth",
        "track-mass cut (Eq. (6)) on the true m_gg = m_S instead of the smeared one",
        "detection",
        True,
    ),
    Variation(
        "stat_likelihood",
        "test statistic: the profile likelihood instead of the paper's chi^2 (Eqs. (7), (8))",
        "statistics",
        False,
        "an analysis choice rather than a model; name it to include it",
    ),
    Variation(
        "dedx_bethe",
        "muon energy loss in the dump: Bethe-Bloch instead of the constant 16 MeV/cm",
        "emission",
        True,
    ),
    Variation(
        "form_factor_tsai",
        "nuclear form factor of iron in mu N -> mu N S: Tsai's instead of Helm's",
        "emission",
        False,
        "builds a mu N -> mu N S table per mass on first use (about 10 s each, then cached)",
    ),
    Variation(
        "production_urqmd",
        "hadron production: UrQMD (chromo) instead of the BNB fits",
        "beam",
        False,
        "simulates another beam sample (generator events, minutes; then cached)",
    ),
    Variation(
        "production_sibyll",
        "hadron production: SIBYLL 2.3d (chromo) instead of the BNB fits",
        "beam",
        False,
        "simulates another beam sample (generator events, minutes; then cached)",
    ),
    Variation(
        "kaon_absorption_off",
        "no kaon absorption in the target and the horns ([beam] kaon_absorption = false)",
        "beam",
        False,
        "simulates another beam sample (seconds with the BNB fits; then cached)",
    ),
    Variation(
        "multiple_scattering_off",
        "dump muons keep their direction up to the emission point "
        "([emission] muon_multiple_scattering = false)",
        "emission",
        True,
    ),
)

_BY_NAME = {v.name: v for v in VARIATIONS}


def variation(name: str) -> Variation:
    """The variation called ``name``.

    Raises
    ------
    BandError
        For an unknown name.
    """
    if name not in _BY_NAME:
        raise BandError(f"unknown band variation {name!r}; known are {list(_BY_NAME)}")
    return _BY_NAME[name]


def default_variations(*, production: bool = False) -> tuple[str, ...]:
    """Names of the default variations (with ``production``: the beam variations too)."""
    return tuple(v.name for v in VARIATIONS if v.default or (production and v.stage == "beam"))


# --- boundaries ------------------------------------------------------------------------
def boundary_in_y(scan: ScanResult) -> tuple[FloatArray, FloatArray]:
    """Lower and upper boundary in y of the excluded couplings at each scanned mass.

    Along each mass column, where ln Z first and last reaches ln(cl_sigma), by
    linear interpolation of ln Z (clipped as
    :func:`muphilic.recast.contours.log_significance`) in log y between grid
    couplings: the points where the grid's contour
    (:func:`~muphilic.recast.contours.exclusion_contour` of a scan without a
    solved boundary) crosses the grid lines of constant mass. An excluded
    coupling at the end of the grid gives that end (the scan's edge). The
    replicas and variations have no solved boundary, so every boundary of a
    band, the central one included, is read this one way: their shifts
    compare like with like (the contour files use the solved boundary,
    :attr:`ScanResult.solved_boundary`, which differs from this by a fraction
    of a grid cell).

    Returns
    -------
    (lower, upper) : two (M,) arrays
        Couplings y; NaN at masses where no coupling is excluded.
    """
    w = log_significance(scan)
    level = float(np.log(scan.cl_sigma))
    log_y = np.log10(scan.couplings)
    above = w >= level
    n_masses, n_couplings = w.shape
    lower = np.full(n_masses, np.nan)
    upper = np.full(n_masses, np.nan)
    rows = np.flatnonzero(above.any(axis=1))
    if rows.size == 0:
        return lower, upper
    first = np.argmax(above[rows], axis=1)
    last = n_couplings - 1 - np.argmax(above[rows, ::-1], axis=1)
    lower[rows] = 10.0 ** _crossing(w[rows], log_y, first, first - 1, level)
    upper[rows] = 10.0 ** _crossing(w[rows], log_y, last, last + 1, level)
    return lower, upper


def _crossing(
    w: FloatArray,
    log_y: FloatArray,
    inside: NDArray[np.intp],
    outside: NDArray[np.intp],
    level: float,
) -> FloatArray:
    """log y where ln Z = level between columns ``inside`` (>= level) and ``outside``."""
    n = log_y.size
    at_edge = (outside < 0) | (outside >= n)
    out_idx = np.clip(outside, 0, n - 1)
    rows = np.arange(w.shape[0])
    w_in, w_out = w[rows, inside], w[rows, out_idx]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(at_edge, 0.0, (w_in - level) / (w_in - w_out))
    return log_y[inside] + np.clip(t, 0.0, 1.0) * (log_y[out_idx] - log_y[inside])


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


# --- one contour's band ----------------------------------------------------------------
@dataclass(frozen=True)
class ContourBand:
    """The band of one contour: its boundaries, Monte Carlo range and variations.

    Attributes
    ----------
    experiment : str
        Experiment name (as the scan's).
    masses_MeV : (M,) array
        The scanned masses.
    central : dict
        ``"lower"``, ``"upper"`` -> (M,) boundary y of the central curve.
    mc_low, mc_high : dict
        ``"lower"``, ``"upper"`` -> (M,) 16-84 % Monte Carlo range of each boundary.
    variations : dict
        Variation name -> {"lower", "upper"} -> (M,) boundary y.
    n_replicas : int
        Replicas of the Monte Carlo estimate.
    variation_scans : dict
        Variation name -> its :class:`ScanResult` (for plots and checks).
    signal_mc_rel_error : (M, K) array
        Relative Monte Carlo error of the expected signal (events in the
        window) in every (m_S, y) cell, by the jackknife over the replicas (NaN
        where the signal is 0).
    """

    experiment: str
    masses_MeV: FloatArray
    central: dict[str, FloatArray]
    mc_low: dict[str, FloatArray]
    mc_high: dict[str, FloatArray]
    variations: dict[str, dict[str, FloatArray]]
    n_replicas: int
    variation_scans: dict[str, ScanResult] = field(default_factory=dict)
    signal_mc_rel_error: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))

    def envelope(self, edge: str) -> tuple[FloatArray, FloatArray]:
        """(low, high) y of the band of ``edge`` ("lower"/"upper"): the Monte Carlo
        range and every variation's boundary together (NaN where none is defined)."""
        stack = [self.mc_low[edge], self.mc_high[edge], self.central[edge]]
        stack += [v[edge] for v in self.variations.values()]
        values = np.vstack(stack)
        defined = np.isfinite(self.central[edge])
        with np.errstate(invalid="ignore"):
            low = np.where(
                defined, np.nanmin(np.where(np.isfinite(values), values, np.inf), 0), np.nan
            )
            high = np.where(
                defined, np.nanmax(np.where(np.isfinite(values), values, -np.inf), 0), np.nan
            )
        return low, high

    def mc_relative_width(self, edge: str) -> FloatArray:
        """(y_84 - y_16) / y of the Monte Carlo band of ``edge`` at each mass."""
        return relative_width(self.central[edge], self.mc_low[edge], self.mc_high[edge])

    def median_mc_relative_width(self) -> float | None:
        """The median relative width of the Monte Carlo band over both edges and all masses."""
        widths = np.concatenate([self.mc_relative_width(e) for e in ("lower", "upper")])
        widths = widths[np.isfinite(widths)]
        return float(np.median(widths)) if widths.size else None

    def mc_width_in(self, band: Any) -> float | None:
        """Largest relative Monte Carlo width where the boundary lies inside ``band``
        (``mass [internal units] -> (low, high)`` couplings, e.g. the g-2 favoured
        band); None if the boundary never enters it."""
        low, high = (np.asarray(v, dtype=np.float64) for v in band(self.masses_MeV * MeV))
        worst: float | None = None
        for edge in ("lower", "upper"):
            y = self.central[edge]
            width = self.mc_relative_width(edge)
            with np.errstate(invalid="ignore"):
                inside = np.isfinite(y) & np.isfinite(width) & (y >= low) & (y <= high)
            if np.any(inside):
                value = float(np.max(width[inside]))
                worst = value if worst is None else max(worst, value)
        return worst

    def shift(self, name: str, edge: str) -> FloatArray:
        """y_variation / y_central - 1 of ``edge`` at each mass (NaN where undefined)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.variations[name][edge] / self.central[edge] - 1.0

    def shift_at(self, name: str, edge: str, masses_MeV: Sequence[float]) -> list[float | None]:
        """:meth:`shift` at ``masses_MeV``, interpolated linearly in log m between
        scanned masses where both neighbours are defined (None elsewhere)."""
        values = self.shift(name, edge)
        log_m = np.log(self.masses_MeV)
        out: list[float | None] = []
        for mass in masses_MeV:
            x = math.log(mass)
            if not (log_m[0] <= x <= log_m[-1]):
                out.append(None)
                continue
            j = int(np.clip(np.searchsorted(log_m, x), 1, log_m.size - 1))
            a, b = values[j - 1], values[j]
            if not (np.isfinite(a) and np.isfinite(b)):
                out.append(None)
                continue
            t = (x - log_m[j - 1]) / (log_m[j] - log_m[j - 1])
            out.append(float(a + t * (b - a)))
        return out


# --- computing the bands ---------------------------------------------------------------
@dataclass(frozen=True)
class _Channel:
    """What one variation of one experiment is evaluated with."""

    detector: Detector
    spectrum: PublishedSpectrum
    statistic: Statistic
    efficiency_factor: float | None  # only the efficiency differs: scale the central signal


def detection_variant(detector: Detector, name: str) -> Detector | None:
    """The detector of detection variation ``name`` (None: it changes nothing here)."""
    f = _DETECTION_FACTOR
    if name == "efficiency_up":
        return replace(detector, efficiency=min(1.0, detector.efficiency * (1 + f)))
    if name == "efficiency_down":
        return replace(detector, efficiency=detector.efficiency * (1 - f))
    if name == "resolution_up":
        return replace(detector, resolution=min(1.0, detector.resolution * (1 + f)))
    if name == "resolution_down":
        return replace(detector, resolution=detector.resolution * (1 - f))
    if name == "track_mass_truth":
        if not detector.cuts.has_track_mass_cut or detector.cuts.track_mass_applies_to == "true":
            return None
        return replace(detector, cuts=replace(detector.cuts, track_mass_applies_to="true"))
    raise BandError(f"{name!r} is not a detection variation")


def _signal(
    samples: Sequence[ScalarSample], detector: Detector, couplings: FloatArray
) -> SignalSpectrum:
    kept = [s for s in samples if len(s) > 0]
    if not kept:
        mass = samples[0].mass if samples else 1.0
        kept = [ScalarSample(mass, "kaon", np.zeros((0, 4)), np.zeros((0, 3)), np.zeros(0))]
    return signal_spectrum(kept, detector, couplings)


def _significance(
    channel: _Channel, signal: FloatArray, edges_MeV: FloatArray
) -> tuple[FloatArray, FloatArray]:
    from muphilic.pipeline import _embed

    full = _embed(signal, edges_MeV, channel.spectrum.edges_MeV)
    result = channel.statistic.evaluate(
        channel.spectrum.in_window(), full[:, channel.spectrum.window_slice()]
    )
    return np.asarray(result.value), np.asarray(result.significance)


def _scan_result(template: ScanResult, values: FloatArray, significance: FloatArray) -> ScanResult:
    return replace(
        template,
        values=values,
        significance=significance,
        excluded=excluded(significance, template.cl_sigma),
    )


def experiment_band(
    key: str,
    central: ScanResult,
    run: Any,
    beam: Any,
    names: Sequence[str],
    n_replicas: int,
    *,
    beams: Mapping[str, Any] | None = None,
    progress: bool = False,
) -> ContourBand:
    """The band of experiment ``key``'s contour ``central`` in run ``run``.

    Parameters
    ----------
    key : str
        The experiment's key in the run.
    central : ScanResult
        Its central scan (from :func:`muphilic.pipeline.reach`).
    run : RunConfig
        The run.
    beam : BeamSample
        The run's beam sample.
    names : sequence of str
        The variations (:data:`VARIATIONS`).
    n_replicas : int
        Replicas of the Monte Carlo band.
    beams : mapping, optional
        Beam variation name -> its beam sample.
    progress : bool
        Progress bar over masses.
    """
    from muphilic.beamline import numu_flux_total
    from muphilic.pipeline import detector_for, published_spectrum
    from muphilic.signal import SignalSettings, aimed_scalars, aiming_spheres, rng_for

    detector = detector_for(key, run.detector_overrides.get(key))
    method = run.statistics.method

    def channel_for(det: Detector, the_beam: Any, factor: float | None = None) -> _Channel:
        spectrum = published_spectrum(
            key,
            det,
            numu_flux_total(the_beam, det),
            run.spectra.get(key, ""),
            run.statistics.miniboone_systematics,
        )
        return _Channel(det, spectrum, statistic_for(spectrum, method), factor)

    nominal = channel_for(detector, beam)
    settings = SignalSettings(
        channels=run.emission.channels,
        scalars_per_species=run.emission.scalars_per_species,
        seed=run.seed,
        energy_loss=run.emission.energy_loss,
        muon_multiple_scattering=run.emission.muon_multiple_scattering,
    )
    detection: dict[str, _Channel] = {}
    emission: dict[str, SignalSettings] = {}
    beam_names: list[str] = []
    for name in names:
        stage = variation(name).stage
        if stage == "detection":
            det = detection_variant(detector, name)
            if det is None:
                continue
            factor = det.efficiency / detector.efficiency if name.startswith("efficiency") else None
            detection[name] = channel_for(det, beam, factor)
        elif stage == "statistics":
            if method == "likelihood":
                continue
            spectrum = nominal.spectrum
            detection[name] = _Channel(
                detector, spectrum, statistic_for(spectrum, "likelihood"), 1.0
            )
        elif stage == "emission":
            if name == "dedx_bethe":
                if "muon" not in settings.channels or settings.energy_loss == "bethe":
                    continue
                emission[name] = replace(settings, energy_loss="bethe")
            elif name == "multiple_scattering_off":
                if "muon" not in settings.channels or not settings.muon_multiple_scattering:
                    continue
                emission[name] = replace(settings, muon_multiple_scattering=False)
            elif name == "form_factor_tsai":
                if "muon" not in settings.channels:
                    continue
                emission[name] = replace(settings, form_factor="tsai")
        else:
            beam_names.append(name)

    muons = beam.muons if "muon" in settings.channels else None
    aim = aiming_spheres(beam.parents, muons, detector)
    other_beams = {}
    for name in beam_names:
        other = (beams or {})[name]
        other_muons = other.muons if "muon" in settings.channels else None
        other_beams[name] = (
            other,
            other_muons,
            aiming_spheres(other.parents, other_muons, detector),
            channel_for(detector, other),
        )

    couplings = central.couplings
    n_m, n_k = central.values.shape
    names_run = ["central", *(f"replica{r}" for r in range(n_replicas))]
    names_run += [*detection, *emission, *other_beams]
    values = {n: np.zeros((n_m, n_k)) for n in names_run}
    signif = {n: np.zeros((n_m, n_k)) for n in names_run}
    edges = detector.edges / MeV
    cell_error = np.full((n_m, n_k), np.nan)
    with progress_bar(progress) as bar:
        task = bar.add_task(f"{central.experiment}: band", total=n_m)
        for i, mass in enumerate(central.masses):
            mass = float(mass)
            rng = rng_for(settings.seed, mass, detector.name)
            samples = aimed_scalars(beam.parents, muons, mass, detector, settings, rng, aim)
            base = _signal(samples, detector, couplings)
            results = {"central": _significance(nominal, base.signal, edges)}
            parts = replica_samples(samples, n_replicas)
            replicas = [_signal(part, detector, couplings).signal for part in parts]
            total = np.sum(replicas, axis=0)  # R times the central signal, up to rounding
            cell_error[i] = jackknife_rel_error(np.array([r.sum(axis=1) for r in replicas]))
            for r, sig in enumerate(replicas):
                # the sample without replica r: its other R - 1 parts, reweighted
                rest = (total - sig) / (n_replicas - 1)
                results[f"replica{r}"] = _significance(nominal, rest, edges)
            for name, ch in detection.items():
                if ch.efficiency_factor is not None:
                    sig = base.signal * ch.efficiency_factor
                else:
                    sig = _signal(samples, ch.detector, couplings).signal
                results[name] = _significance(ch, sig, edges)
            for name, alt in emission.items():
                rng = rng_for(alt.seed, mass, detector.name)
                alt_samples = aimed_scalars(beam.parents, muons, mass, detector, alt, rng, aim)
                sig = _signal(alt_samples, detector, couplings).signal
                results[name] = _significance(nominal, sig, edges)
            for name, (other, other_muons, other_aim, ch) in other_beams.items():
                rng = rng_for(settings.seed, mass, detector.name)
                alt_samples = aimed_scalars(
                    other.parents, other_muons, mass, detector, settings, rng, other_aim
                )
                sig = _signal(alt_samples, detector, couplings).signal
                results[name] = _significance(ch, sig, edges)
            for name, (v, z) in results.items():
                values[name][i], signif[name][i] = v, z
            bar.advance(task)

    scans = {n: _scan_result(central, values[n], signif[n]) for n in names_run}
    if not np.allclose(scans["central"].significance, central.significance, rtol=1e-9, atol=1e-12):
        raise BandError(
            f"{central.experiment}: the band's central scan differs from the run's; "
            "the band must be computed with the run's own beam sample and settings"
        )
    lower, upper = boundary_in_y(central)
    rep = [boundary_in_y(scans[f"replica{r}"]) for r in range(n_replicas)]
    mc_low, mc_high = {}, {}
    for j, edge in enumerate(("lower", "upper")):
        ref = (lower, upper)[j]
        mc_low[edge], mc_high[edge] = mc_band(ref, np.vstack([b[j] for b in rep]))
    var_names = [*detection, *emission, *other_beams]
    variations = {}
    for name in var_names:
        lo, hi = boundary_in_y(scans[name])
        variations[name] = {"lower": lo, "upper": hi}
    return ContourBand(
        experiment=central.experiment,
        masses_MeV=central.masses_MeV,
        central={"lower": lower, "upper": upper},
        mc_low=mc_low,
        mc_high=mc_high,
        variations=variations,
        n_replicas=n_replicas,
        variation_scans={n: scans[n] for n in var_names},
        signal_mc_rel_error=cell_error,
    )


def compute_bands(
    result: Any,
    beam: Any,
    names: Sequence[str],
    n_replicas: int = DEFAULT_REPLICAS,
    *,
    progress: bool = False,
) -> dict[str, ContourBand]:
    """The band of every contour of a :class:`muphilic.pipeline.ReachResult`.

    Beam variations read (or simulate, then cache) their beam sample once for
    all experiments.
    """
    from muphilic.beamline import load_beam

    run = result.config
    if run.statistics.mode != "exclusion":
        raise BandError("band: needs [statistics] mode = 'exclusion'")
    for name in names:
        variation(name)
    beams = {}
    for name in names:
        if variation(name).stage == "beam":
            if run.beam.sample:
                raise BandError(
                    f"band variation {name!r} changes the production model of the simulated "
                    "beam; it cannot change a beam sample file (beam.sample)"
                )
            beams[name] = load_beam(_varied_beam(run.beam, name), seed=run.seed, progress=progress)
    return {
        key: experiment_band(
            key, scan, run, beam, names, n_replicas, beams=beams, progress=progress
        )
        for key, scan in result.scans.items()
    }


def _varied_beam(beam: Any, name: str) -> Any:
    """The beam configuration of the beam-stage variation ``name``."""
    if name == "kaon_absorption_off":
        return replace(beam, kaon_absorption=False)
    return replace(beam, production=name.removeprefix("production_"))


# --- records and files -----------------------------------------------------------------
def band_legend(names: Sequence[str]) -> str:
    """What a plotted band holds, in words (the legend's text)."""
    short = {
        "efficiency_up": "efficiency",
        "efficiency_down": "efficiency",
        "resolution_up": "resolution",
        "resolution_down": "resolution",
        "track_mass_truth": "track mass",
        "stat_likelihood": "statistic",
        "dedx_bethe": "dE/dx",
        "form_factor_tsai": "form factor",
        "production_urqmd": "production",
        "production_sibyll": "production",
        "kaon_absorption_off": "kaon absorption",
        "multiple_scattering_off": "multiple scattering",
    }
    words = list(dict.fromkeys(short[n] for n in names))
    what = f" and {', '.join(words)}" if words else ""
    if "efficiency" in words or "resolution" in words:
        what += " (eff./res. $\\pm$25 %)"
    return f"bands: MC error (16-84 %){what}"


def _json(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def band_record(
    bands: Mapping[str, ContourBand], names: Sequence[str], g2_band: Any
) -> dict[str, Any]:
    """The ``band`` table of ``run.json``: the Monte Carlo width of each contour and,
    per variation and experiment, how far each boundary moved (y_var / y - 1) at
    :data:`BAND_MASSES_MEV` and at most over the scan."""
    masses = [f"{m:g}" for m in BAND_MASSES_MEV]
    mc = {}
    for key, band in bands.items():
        in_g2 = band.mc_width_in(g2_band)
        mc[key] = {
            "replicas": band.n_replicas,
            "median_relative_width": _json(band.median_mc_relative_width()),
            "max_relative_width_in_g2_band": _json(in_g2),
            "below_3_percent_in_g2_band": None if in_g2 is None else bool(in_g2 < 0.03),
        }
    table: dict[str, Any] = {}
    for v in VARIATIONS:
        entry: dict[str, Any] = {"description": v.description, "stage": v.stage}
        if v.name not in names:
            entry.update(status="off", reason=v.reason or "not asked for")
        else:
            entry["status"] = "run"
            per: dict[str, Any] = {}
            for key, band in bands.items():
                if v.name not in band.variations:
                    per[key] = {"applies": False}
                    continue
                row: dict[str, Any] = {"applies": True}
                for edge in ("lower", "upper"):
                    shifts = band.shift_at(v.name, edge, BAND_MASSES_MEV)
                    row[f"{edge}_shift_at_MeV"] = dict(zip(masses, shifts, strict=True))
                    all_shifts = band.shift(v.name, edge)
                    all_shifts = all_shifts[np.isfinite(all_shifts)]
                    row[f"{edge}_max_abs_shift"] = (
                        float(np.max(np.abs(all_shifts))) if all_shifts.size else None
                    )
                per[key] = row
            entry["experiments"] = per
        table[v.name] = entry
    return {
        "contains": band_legend(names),
        "shift": "y_variation / y_central - 1 of each boundary (lower, upper) in y",
        "mc_width": "(y_84 - y_16) / y of the Monte Carlo band (jackknife over R replicas)",
        "variations_run": list(names),
        "mc": mc,
        "variations": table,
    }


def band_file_name(key: str) -> str:
    """The CSV file of experiment ``key``'s band."""
    return f"band_{Path(key).stem}.csv"


def write_band_csv(band: ContourBand, path: str | Path, legend: str = "") -> Path:
    """One row per scanned mass and edge: ``m_S_MeV, edge, y_central, y_mc_low,
    y_mc_high, y_band_low, y_band_high`` and ``y_<variation>`` for each variation
    (empty where a boundary is not defined), after ``# key: value`` metadata."""
    buffer = io.StringIO()
    buffer.write(f"# experiment: {band.experiment}\n")
    buffer.write(f"# contains: {legend}\n")
    buffer.write(f"# mc_replicas: {band.n_replicas}\n")
    names = list(band.variations)
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        ["m_S_MeV", "edge", "y_central", "y_mc_low", "y_mc_high", "y_band_low", "y_band_high"]
        + [f"y_{n}" for n in names]
    )

    def fmt(x: float) -> str:
        return f"{x:.17g}" if math.isfinite(x) else ""

    for edge in ("lower", "upper"):
        env_lo, env_hi = band.envelope(edge)
        for i, mass in enumerate(band.masses_MeV):
            cells = [band.central[edge][i], band.mc_low[edge][i], band.mc_high[edge][i]]
            cells += [env_lo[i], env_hi[i]] + [band.variations[n][edge][i] for n in names]
            writer.writerow([f"{mass:.17g}", edge, *(fmt(float(c)) for c in cells)])
    atomic_write(Path(path), buffer.getvalue())
    return Path(path)


def draw_band(ax: Any, band: ContourBand, colour: str, label: str | None = None) -> None:
    """Shade the band of each edge of a contour lightly in ``colour`` on ``ax``."""
    for edge in ("lower", "upper"):
        low, high = band.envelope(edge)
        where = np.isfinite(low) & np.isfinite(high)
        if not np.any(where):
            continue
        ax.fill_between(
            band.masses_MeV,
            np.where(where, low, np.nan),
            np.where(where, high, np.nan),
            where=where,
            color=colour,
            alpha=0.2,
            lw=0,
            label=label,
        )
        label = None
