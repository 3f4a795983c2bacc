"""The (m_S, y) scan: a test statistic on a grid of masses and couplings.

Each mass point is independent: ``signal_for_mass(m)`` returns the expected
signal for all K couplings at once (the coupling axis is one vectorised
expression, DESIGN key idea 1), and the statistic is evaluated for the whole
row. Mass points are computed synchronously (``n_workers=1``) or distributed
with dask: a local :class:`distributed.LocalCluster` (``n_workers > 1``) or any
running dask.distributed scheduler (``scheduler="tcp://host:8786"``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from muphilic.constants import MeV
from muphilic.errors import MuphilicError
from muphilic.progress import progress_bar
from muphilic.recast.spectra import PublishedSpectrum
from muphilic.recast.statistics import Statistic, StatisticError, excluded, statistic_for

__all__ = ["CURVE_KINDS", "ScanError", "ScanResult", "evaluate_mass", "scan"]

FloatArray = NDArray[np.float64]
SignalForMass = Callable[[float], ArrayLike]


#: The three kinds of curve: observed data, expected (modelled background), future exposure.
CURVE_KINDS = ("exclusion", "expected", "projection")


class ScanError(MuphilicError):
    """Bad scan inputs (grids, signal shapes, worker settings)."""


@dataclass(frozen=True)
class ScanResult:
    """A test statistic on the (m_S, y) grid of one experiment.

    Attributes
    ----------
    experiment : str
        Experiment name.
    masses : ndarray, shape (M,)
        Scalar masses, internal units (MeV = 1), increasing.
    couplings : ndarray, shape (K,)
        Couplings y, increasing.
    statistic : str
        Name of the test statistic.
    values : ndarray, shape (M, K)
        The test statistic (chi^2 or q_mu).
    significance : ndarray, shape (M, K)
        One-sided Gaussian-equivalent significance of the exclusion.
    cl_sigma : float
        Confidence of the exclusion in Gaussian sigma.
    excluded : ndarray of bool, shape (M, K)
        ``significance >= cl_sigma``.
    label : str
        Text to show with the result (e.g. "expected, modelled background").
    kind : str
        What the result is (one of :data:`CURVE_KINDS`): ``"exclusion"`` when
        the spectrum holds observed data, ``"expected"`` for a modelled or
        Asimov background with the present data set, ``"projection"`` for a
        future exposure.
    """

    experiment: str
    masses: FloatArray
    couplings: FloatArray
    statistic: str
    values: FloatArray
    significance: FloatArray
    cl_sigma: float
    excluded: NDArray[np.bool_]
    label: str = ""
    kind: str = "exclusion"

    @property
    def masses_MeV(self) -> FloatArray:
        """Masses in MeV."""
        return self.masses / MeV


def _check_grid(name: str, values: ArrayLike) -> FloatArray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1 or arr.size < 2:
        raise ScanError(f"{name} must be a 1-d grid of at least two values")
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0) or np.any(np.diff(arr) <= 0):
        raise ScanError(f"{name} must be positive, finite and strictly increasing")
    return arr


def evaluate_mass(
    mass: float,
    signal_for_mass: SignalForMass,
    spectrum: PublishedSpectrum,
    statistic: Statistic,
    n_couplings: int,
) -> tuple[FloatArray, FloatArray]:
    """Statistic and significance for every coupling at one mass.

    ``signal_for_mass(mass)`` must return shape (K, spectrum.n_bins) on the
    spectrum's full binning; the bins of the spectrum's window are used.
    """
    signal = np.asarray(signal_for_mass(mass), dtype=np.float64)
    if signal.shape != (n_couplings, spectrum.n_bins):
        raise ScanError(
            f"signal_for_mass({mass:g}) returned shape {signal.shape}, expected "
            f"({n_couplings}, {spectrum.n_bins}) (couplings x bins of {spectrum.name})"
        )
    sl = spectrum.window_slice()
    result = statistic.evaluate(spectrum.in_window(), signal[:, sl])
    return result.value, result.significance


def scan(
    masses: ArrayLike,
    couplings: ArrayLike,
    signal_for_mass: SignalForMass,
    spectrum: PublishedSpectrum,
    statistic: Statistic | str = "paper",
    cl_sigma: float = 5.0,
    *,
    n_workers: int | None = 1,
    scheduler: str | None = None,
    progress: bool = True,
) -> ScanResult:
    """Evaluate ``statistic`` on the (mass x coupling) grid.

    Parameters
    ----------
    masses : array_like, shape (M,)
        Scalar masses, internal units (MeV = 1), increasing.
    couplings : array_like, shape (K,)
        Couplings y, increasing; ``signal_for_mass`` must return its rows in
        this order.
    signal_for_mass : callable
        ``mass -> ndarray (K, spectrum.n_bins)``: expected signal events per bin
        of the spectrum's full binning at the spectrum's POT. Must be picklable
        (a module-level function or a dataclass instance) for dask workers.
    spectrum : PublishedSpectrum
        Data and background; the statistic uses the bins of its window.
    statistic : Statistic or str
        A statistic object or a name for :func:`statistic_for` (``"paper"``,
        ``"covariance"``, ``"poisson"``, ``"likelihood"``).
    cl_sigma : float
        Confidence of the exclusion in Gaussian sigma (one-sided convention,
        5 -> p < 2.87e-7).
    n_workers : int or None
        1: compute synchronously in this process. > 1: start a local dask
        cluster with that many single-threaded worker processes. None: one
        worker per CPU core.
    scheduler : str, optional
        Address of a running dask.distributed scheduler; overrides ``n_workers``.
    progress : bool
        Show a progress bar over mass points.
    """
    m_grid = _check_grid("masses", masses)
    y_grid = _check_grid("couplings", couplings)
    if not (np.isfinite(cl_sigma) and cl_sigma > 0):
        raise ScanError(f"cl_sigma must be a positive number of sigma, got {cl_sigma!r}")
    if isinstance(statistic, str):
        try:
            statistic = statistic_for(spectrum, statistic)
        except StatisticError as err:
            raise ScanError(str(err)) from None
    if n_workers is None:
        n_workers = os.cpu_count() or 1
    if n_workers < 1:
        raise ScanError(f"n_workers must be >= 1, got {n_workers}")
    k = y_grid.size
    description = f"{spectrum.name}: mass points"
    rows: list[tuple[FloatArray, FloatArray] | None] = [None] * m_grid.size
    if scheduler is None and n_workers == 1:
        with progress_bar(progress) as bar:
            task = bar.add_task(description, total=m_grid.size)
            for i, mass in enumerate(m_grid):
                rows[i] = evaluate_mass(float(mass), signal_for_mass, spectrum, statistic, k)
                bar.advance(task)
    else:
        rows = _scan_dask(
            m_grid, signal_for_mass, spectrum, statistic, k, n_workers, scheduler, progress
        )
    values = np.stack([r[0] for r in rows if r is not None])
    significance = np.stack([r[1] for r in rows if r is not None])
    return ScanResult(
        experiment=spectrum.name,
        masses=m_grid,
        couplings=y_grid,
        statistic=statistic.name,
        values=values,
        significance=significance,
        cl_sigma=float(cl_sigma),
        excluded=excluded(significance, cl_sigma),
        label=spectrum.label,
    )


def _scan_dask(
    m_grid: FloatArray,
    signal_for_mass: SignalForMass,
    spectrum: PublishedSpectrum,
    statistic: Statistic,
    k: int,
    n_workers: int,
    scheduler: str | None,
    progress: bool,
) -> list[tuple[FloatArray, FloatArray] | None]:
    from distributed import Client, LocalCluster, as_completed

    description = f"{spectrum.name}: mass points"
    rows: list[tuple[FloatArray, FloatArray] | None] = [None] * m_grid.size
    cluster: LocalCluster | None = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=min(n_workers, m_grid.size),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        fn = client.scatter(signal_for_mass, broadcast=True)
        spec = client.scatter(spectrum, broadcast=True)
        stat = client.scatter(statistic, broadcast=True)
        futures = [
            client.submit(evaluate_mass, float(mass), fn, spec, stat, k, pure=False)
            for mass in m_grid
        ]
        index = {f.key: i for i, f in enumerate(futures)}
        with progress_bar(progress) as bar:
            task = bar.add_task(description, total=m_grid.size)
            for future in as_completed(futures):
                rows[index[future.key]] = future.result()
                bar.advance(task)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return rows
