"""Computing the bands of a run: every contour's replicas and variations, mass by mass.

:func:`experiment_band` evaluates, at each scanned mass, the central signal, its
leave-one-out replicas and every asked-for variation with the run's own beam
sample, settings and random streams; :func:`compute_bands` does so for every
contour of a :class:`muphilic.pipeline.ReachResult`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from muphilic.constants import MeV
from muphilic.detectors import Detector
from muphilic.detectors.spectrum import signal_spectrum_function
from muphilic.events import ScalarSample
from muphilic.progress import progress_bar
from muphilic.recast.bands.contour_band import ContourBand, boundary_in_y
from muphilic.recast.bands.jackknife import jackknife_rel_error, mc_band, replica_samples
from muphilic.recast.bands.variations import BandError, _varied_beam, detection_variant, variation
from muphilic.recast.scan import ScanResult, solve_boundary
from muphilic.recast.spectra import PublishedSpectrum
from muphilic.recast.statistics import Statistic, excluded, statistic_for

__all__ = [
    "DEFAULT_REPLICAS",
    "compute_bands",
    "experiment_band",
]

FloatArray = NDArray[np.float64]


#: Replicas of the Monte Carlo band by default.
DEFAULT_REPLICAS = 10


# --- computing the bands ---------------------------------------------------------------
@dataclass(frozen=True)
class _Channel:
    """What one variation of one experiment is evaluated with."""

    detector: Detector
    spectrum: PublishedSpectrum
    statistic: Statistic
    efficiency_factor: float | None  # only the efficiency differs: scale the central signal


SignalAt = Callable[[FloatArray], FloatArray]  # couplings (n,) -> signal (n, bins)


def _signal_at(samples: Sequence[ScalarSample], detector: Detector, mass: float) -> SignalAt:
    """``couplings -> signal`` on fixed scalars (the exact coupling dependence)."""
    from muphilic.signal import _nonempty

    function = signal_spectrum_function(_nonempty(samples, mass), detector)
    return lambda y: function(y).signal


def _scaled(signal_at: SignalAt, factor: float) -> SignalAt:
    """``signal_at`` times ``factor`` (only the efficiency differs)."""
    return lambda y: signal_at(y) * factor


class _Remembered:
    """A :data:`SignalAt` that evaluates each coupling once: the leave-one-out
    curves of a mass evaluate their R replicas at nearly the same couplings."""

    def __init__(self, signal_at: SignalAt) -> None:
        self._signal_at = signal_at
        self._rows: dict[float, FloatArray] = {}

    def __call__(self, y: FloatArray) -> FloatArray:
        y = np.asarray(y, dtype=np.float64)
        new = np.unique(y[[float(v) not in self._rows for v in y]])
        if new.size:
            self._rows.update(zip(new.tolist(), self._signal_at(new), strict=True))
        return np.array([self._rows[float(v)] for v in y])


def _leave_one_out(replicas: Sequence[SignalAt], r: int) -> SignalAt:
    """The signal of the sample without replica ``r``: the other R - 1, reweighted."""

    def signal(y: FloatArray) -> FloatArray:
        parts = [f(y) for f in replicas]
        return (np.sum(parts, axis=0) - parts[r]) / (len(replicas) - 1)

    return signal


def _significance(
    channel: _Channel, signal: FloatArray, edges_MeV: FloatArray
) -> tuple[FloatArray, FloatArray]:
    from muphilic.pipeline import _embed

    full = _embed(signal, edges_MeV, channel.spectrum.edges_MeV)
    result = channel.statistic.evaluate(
        channel.spectrum.in_window(), full[:, channel.spectrum.window_slice()]
    )
    return np.asarray(result.value), np.asarray(result.significance)


def _solved_row(
    channel: _Channel,
    signal_at: SignalAt,
    couplings: FloatArray,
    edges_MeV: FloatArray,
    cl_sigma: float,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """One mass of one curve: the grid's statistic and significance, and the
    crossings of ``cl_sigma`` solved between grid points (:func:`solve_boundary`)."""
    value, significance = _significance(channel, signal_at(couplings), edges_MeV)

    def significance_at(y: FloatArray) -> FloatArray:
        return _significance(channel, signal_at(y), edges_MeV)[1]

    return value, significance, solve_boundary(significance_at, couplings, significance, cl_sigma)


def _scan_result(
    template: ScanResult,
    values: FloatArray,
    significance: FloatArray,
    boundary: Sequence[FloatArray],
) -> ScanResult:
    return replace(
        template,
        values=values,
        significance=significance,
        excluded=excluded(significance, template.cl_sigma),
        boundary=tuple(boundary),
        boundary_sigma=template.cl_sigma,
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
    from muphilic.beamline.walls import beam_walls
    from muphilic.pipeline import detector_for, published_spectrum, signal_settings
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
    settings = signal_settings(run)
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
    walls = beam_walls(beam, run.beam.facility) if muons is not None else None
    aim = aiming_spheres(beam.parents, muons, detector, walls)
    other_beams = {}
    for name in beam_names:
        other = (beams or {})[name]
        other_muons = other.muons if "muon" in settings.channels else None
        other_walls = beam_walls(other, run.beam.facility) if other_muons is not None else None
        other_beams[name] = (
            other,
            other_muons,
            other_walls,
            aiming_spheres(other.parents, other_muons, detector, other_walls),
            channel_for(detector, other),
        )

    couplings = central.couplings
    cl_sigma = central.cl_sigma
    n_m, n_k = central.values.shape
    names_run = ["central", *(f"replica{r}" for r in range(n_replicas))]
    names_run += [*detection, *emission, *other_beams]
    values = {n: np.zeros((n_m, n_k)) for n in names_run}
    signif = {n: np.zeros((n_m, n_k)) for n in names_run}
    boundary: dict[str, list[FloatArray]] = {n: [] for n in names_run}
    edges = detector.edges / MeV
    cell_error = np.full((n_m, n_k), np.nan)
    with progress_bar(progress) as bar:
        task = bar.add_task(f"{central.experiment}: band", total=n_m)
        for i, mass in enumerate(central.masses):
            mass = float(mass)
            rng = rng_for(settings.seed, mass, detector.name)
            samples = aimed_scalars(beam.parents, muons, mass, detector, settings, rng, aim, walls)
            base = _signal_at(samples, detector, mass)
            curves: dict[str, tuple[_Channel, SignalAt]] = {"central": (nominal, base)}
            parts = replica_samples(samples, n_replicas)
            replicas = [_Remembered(_signal_at(part, detector, mass)) for part in parts]
            totals = np.array([f(couplings).sum(axis=1) for f in replicas])
            cell_error[i] = jackknife_rel_error(totals)
            for r in range(n_replicas):
                curves[f"replica{r}"] = (nominal, _leave_one_out(replicas, r))
            for name, ch in detection.items():
                if ch.efficiency_factor is not None:
                    curves[name] = (ch, _scaled(base, ch.efficiency_factor))
                else:
                    curves[name] = (ch, _signal_at(samples, ch.detector, mass))
            for name, alt in emission.items():
                rng = rng_for(alt.seed, mass, detector.name)
                alt_samples = aimed_scalars(
                    beam.parents, muons, mass, detector, alt, rng, aim, walls
                )
                curves[name] = (nominal, _signal_at(alt_samples, detector, mass))
            for name, (other, other_muons, other_walls, other_aim, ch) in other_beams.items():
                rng = rng_for(settings.seed, mass, detector.name)
                alt_samples = aimed_scalars(
                    other.parents, other_muons, mass, detector, settings, rng, other_aim,
                    other_walls,
                )  # fmt: skip
                curves[name] = (ch, _signal_at(alt_samples, detector, mass))
            for name, (ch, signal_at) in curves.items():
                row = _solved_row(ch, signal_at, couplings, edges, cl_sigma)
                values[name][i], signif[name][i] = row[0], row[1]
                boundary[name].append(row[2])
            bar.advance(task)

    scans = {n: _scan_result(central, values[n], signif[n], boundary[n]) for n in names_run}
    if not np.allclose(scans["central"].significance, central.significance, rtol=1e-9, atol=1e-12):
        raise BandError(
            f"{central.experiment}: the band's central scan differs from the run's; "
            "the band must be computed with the run's own beam sample and settings"
        )
    lower, upper = boundary_in_y(scans["central"])
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
