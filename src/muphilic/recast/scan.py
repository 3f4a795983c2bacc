"""The (m_S, y) scan: a test statistic on a grid of masses and couplings.

Each mass point is independent: ``signal_for_mass(m)`` returns the expected
signal for all K couplings at once (the coupling axis is one vectorised
expression, DESIGN key idea 1), and the statistic is evaluated for the whole
row. The (experiment, mass) points of one or several experiments
(:func:`scan_many`) are computed in this process (``n_workers=1``), in a pool of
worker processes on this machine (``n_workers > 1``, or None for one per core),
or on any running dask.distributed scheduler (``scheduler="tcp://host:8786"``;
:func:`local_cluster` starts a local one), always with the same results.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from muphilic.constants import MeV
from muphilic.errors import MuphilicError
from muphilic.progress import progress_bar
from muphilic.recast.spectra import PublishedSpectrum
from muphilic.recast.statistics import Statistic, StatisticError, excluded, statistic_for

__all__ = [
    "CURVE_KINDS",
    "ScanError",
    "ScanJob",
    "ScanResult",
    "evaluate_mass",
    "local_cluster",
    "scan",
    "scan_job",
    "scan_many",
    "solve_boundary",
    "usable_cores",
]

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
    boundary : tuple of ndarray
        Per mass, the couplings (increasing) where the significance crosses
        ``boundary_sigma``, solved between the grid points (:func:`solve_boundary`);
        empty when the signal cannot be evaluated off the grid.
    boundary_sigma : float or None
        The level of ``boundary`` (a result re-labelled with another
        ``cl_sigma`` keeps the grid but not the boundary, see
        :attr:`solved_boundary`).
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
    boundary: tuple[FloatArray, ...] = ()
    boundary_sigma: float | None = None

    @property
    def solved_boundary(self) -> tuple[FloatArray, ...] | None:
        """The solved boundary if it is that of this result's ``cl_sigma``, else None."""
        if not self.boundary or self.boundary_sigma != self.cl_sigma:
            return None
        return self.boundary

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


def usable_cores() -> int:
    """CPU cores this process may run on (its affinity mask, else ``os.cpu_count()``)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


@dataclass(frozen=True)
class ScanJob:
    """One experiment's scan, ready to run: its grids, signal, spectrum and statistic.

    Make one with :func:`scan_job` (which checks the inputs); run several at
    once with :func:`scan_many`.
    """

    masses: FloatArray
    couplings: FloatArray
    signal_for_mass: SignalForMass
    spectrum: PublishedSpectrum
    statistic: Statistic
    cl_sigma: float


#: Points per refinement level and levels of :func:`solve_boundary`.
_REFINE_POINTS = 16
_REFINE_LEVELS = 2
#: ln Z is clipped to this range for the final interpolation (as the contours do).
_LN_Z_RANGE = (float(np.log(1e-6)), float(np.log(1e8)))


def solve_boundary(
    significance_at: Callable[[FloatArray], FloatArray],
    couplings: FloatArray,
    significance: FloatArray,
    cl_sigma: float,
) -> FloatArray:
    """Couplings where the significance at one mass crosses ``cl_sigma``, between grid points.

    Each grid cell [y_j, y_j+1] whose ends lie on opposite sides of ``cl_sigma``
    is narrowed by evaluating the exact significance (``significance_at``, the
    signal on the same scalars as the grid) at 15 points equally spaced in ln y
    inside it and keeping the sub-cell where the side changes first, twice; the
    root is then placed by linear interpolation of ln Z in ln y within the last
    sub-cell. Tolerance: the root is bracketed to 1/256 of a grid cell in ln y
    (|dy/y| <= 4.6e-4 for the default 100-point grid over five decades), and
    the interpolation inside that bracket is far better where ln Z is smooth.

    Parameters
    ----------
    significance_at : callable
        ``couplings (n,) -> significance (n,)`` at this mass.
    couplings, significance : (K,) arrays
        The grid and its significance.
    cl_sigma : float
        The level.

    Returns
    -------
    ndarray
        The crossings, increasing (one per grid cell with a change of side).
    """
    above = significance >= cl_sigma
    cells = np.flatnonzero(above[1:] != above[:-1])
    if cells.size == 0:
        return np.zeros(0)
    rows = np.arange(cells.size)
    log_lo, log_hi = np.log(couplings[cells]), np.log(couplings[cells + 1])
    z_lo, z_hi = significance[cells], significance[cells + 1]
    t = np.linspace(0.0, 1.0, _REFINE_POINTS)[1:-1]
    for _ in range(_REFINE_LEVELS):
        log_y = log_lo[:, None] + t[None, :] * (log_hi - log_lo)[:, None]
        z = np.asarray(significance_at(np.exp(log_y.ravel())), dtype=np.float64)
        log_ys = np.column_stack((log_lo, log_y, log_hi))
        zs = np.column_stack((z_lo, z.reshape(log_y.shape), z_hi))
        side = zs >= cl_sigma
        first = np.argmax(side[:, 1:] != side[:, :-1], axis=1)
        log_lo, log_hi = log_ys[rows, first], log_ys[rows, first + 1]
        z_lo, z_hi = zs[rows, first], zs[rows, first + 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        w_lo, w_hi = (np.clip(np.log(np.where(z > 0, z, 0.0)), *_LN_Z_RANGE) for z in (z_lo, z_hi))
        frac = np.where(w_hi != w_lo, (np.log(cl_sigma) - w_lo) / (w_hi - w_lo), 0.5)
    return np.exp(log_lo + np.clip(frac, 0.0, 1.0) * (log_hi - log_lo))


def _evaluate_task(
    mass: float,
    signal_for_mass: SignalForMass,
    spectrum: PublishedSpectrum,
    statistic: Statistic,
    couplings: FloatArray,
    cl_sigma: float,
) -> tuple[FloatArray, FloatArray, FloatArray | None]:
    """One (experiment, mass) task: the grid row, and the solved boundary when the
    signal can be evaluated at any coupling (an ``at_mass`` method)."""
    at_mass = getattr(signal_for_mass, "at_mass", None)
    if at_mass is None:
        value, sig = evaluate_mass(mass, signal_for_mass, spectrum, statistic, couplings.size)
        return value, sig, None
    function = at_mass(mass)
    value, sig = evaluate_mass(
        mass, lambda _: function(couplings), spectrum, statistic, couplings.size
    )
    sl = spectrum.window_slice()
    data = spectrum.in_window()

    def significance_at(y: FloatArray) -> FloatArray:
        signal = np.asarray(function(y), dtype=np.float64)
        return statistic.evaluate(data, signal[:, sl]).significance

    return value, sig, solve_boundary(significance_at, couplings, sig, cl_sigma)


def scan_job(
    masses: ArrayLike,
    couplings: ArrayLike,
    signal_for_mass: SignalForMass,
    spectrum: PublishedSpectrum,
    statistic: Statistic | str = "paper",
    cl_sigma: float = 5.0,
) -> ScanJob:
    """A checked :class:`ScanJob` (arguments as for :func:`scan`)."""
    m_grid = _check_grid("masses", masses)
    y_grid = _check_grid("couplings", couplings)
    if not (np.isfinite(cl_sigma) and cl_sigma > 0):
        raise ScanError(f"cl_sigma must be a positive number of sigma, got {cl_sigma!r}")
    if isinstance(statistic, str):
        try:
            statistic = statistic_for(spectrum, statistic)
        except StatisticError as err:
            raise ScanError(str(err)) from None
    return ScanJob(m_grid, y_grid, signal_for_mass, spectrum, statistic, float(cl_sigma))


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
        1: compute synchronously in this process. > 1: a pool of that many
        worker processes on this machine. None: one per usable CPU core.
    scheduler : str, optional
        Address of a running dask.distributed scheduler; overrides ``n_workers``.
    progress : bool
        Show a progress bar over mass points.
    """
    job = scan_job(masses, couplings, signal_for_mass, spectrum, statistic, cl_sigma)
    return scan_many([job], n_workers=n_workers, scheduler=scheduler, progress=progress)[0]


def scan_many(
    jobs: Sequence[ScanJob],
    *,
    n_workers: int | None = 1,
    scheduler: str | None = None,
    progress: bool = True,
) -> list[ScanResult]:
    """Run several experiments' scans as one set of independent (experiment, mass) tasks.

    Every task is :func:`evaluate_mass` of one job at one mass; the results do not
    depend on where or in which order the tasks run (each signal draws from its
    own random stream), so a pool or a dask cluster gives the same numbers as one
    process, bit for bit.

    Parameters
    ----------
    jobs : sequence of ScanJob
        From :func:`scan_job`.
    n_workers : int or None
        1: in this process. > 1: a pool of that many processes (started by fork
        where the platform has it, so the jobs' beam samples are shared with the
        workers, not copied). None: one process per usable core
        (:func:`usable_cores`).
    scheduler : str, optional
        Address of a dask.distributed scheduler: each job's signal, spectrum and
        statistic is sent to the workers once, then every task of every job is
        submitted at once.
    progress : bool
        A progress bar per job over its mass points.
    """
    if n_workers is None:
        n_workers = usable_cores()
    if n_workers < 1:
        raise ScanError(f"n_workers must be >= 1, got {n_workers}")
    tasks = [(j, i) for j, job in enumerate(jobs) for i in range(job.masses.size)]
    rows: list[list[TaskRow | None]] = [[None] * job.masses.size for job in jobs]
    with progress_bar(progress) as bar:
        bars = [
            bar.add_task(f"{job.spectrum.name}: mass points", total=job.masses.size) for job in jobs
        ]
        if scheduler is not None:
            done = _run_dask(jobs, tasks, scheduler)
        elif n_workers == 1 or len(tasks) <= 1:
            done = (_run_task(jobs, j, i) for j, i in tasks)
        else:
            done = _run_pool(jobs, tasks, n_workers)
        for j, i, row in done:
            rows[j][i] = row
            bar.advance(bars[j])
    return [_result(job, job_rows) for job, job_rows in zip(jobs, rows, strict=True)]


def _result(job: ScanJob, rows: Sequence[TaskRow | None]) -> ScanResult:
    values = np.stack([r[0] for r in rows if r is not None])
    significance = np.stack([r[1] for r in rows if r is not None])
    roots = [r[2] for r in rows if r is not None]
    solved = all(b is not None for b in roots)
    boundary = tuple(b for b in roots if b is not None) if solved else ()
    return ScanResult(
        experiment=job.spectrum.name,
        masses=job.masses,
        couplings=job.couplings,
        statistic=job.statistic.name,
        values=values,
        significance=significance,
        cl_sigma=job.cl_sigma,
        excluded=excluded(significance, job.cl_sigma),
        label=job.spectrum.label,
        boundary=boundary,
        boundary_sigma=job.cl_sigma if solved else None,
    )


TaskRow = tuple[FloatArray, FloatArray, FloatArray | None]
Row = tuple[int, int, TaskRow]


def _run_task(jobs: Sequence[ScanJob], j: int, i: int) -> Row:
    job = jobs[j]
    mass = float(job.masses[i])
    return (
        j,
        i,
        _evaluate_task(
            mass, job.signal_for_mass, job.spectrum, job.statistic, job.couplings, job.cl_sigma
        ),
    )


#: The jobs of the pool a worker process belongs to (set once by its initializer).
_WORKER_JOBS: Sequence[ScanJob] = ()


def _init_worker(jobs: Sequence[ScanJob]) -> None:
    global _WORKER_JOBS
    _WORKER_JOBS = jobs


def _pool_task(j: int, i: int) -> Row:
    return _run_task(_WORKER_JOBS, j, i)


def _run_pool(jobs: Sequence[ScanJob], tasks: Sequence[tuple[int, int]], n_workers: int):
    """(job, mass index, row) of every task, computed by a process pool, as they finish."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(
        max_workers=min(n_workers, len(tasks)),
        mp_context=context,
        initializer=_init_worker,
        initargs=(jobs,),
    ) as pool:
        futures = [pool.submit(_pool_task, j, i) for j, i in tasks]
        for future in as_completed(futures):
            yield future.result()


def _run_dask(jobs: Sequence[ScanJob], tasks: Sequence[tuple[int, int]], scheduler: str):
    """(job, mass index, row) of every task, computed on a dask.distributed cluster."""
    from distributed import Client, as_completed

    client = Client(scheduler)
    try:
        shared = [
            (
                client.scatter(job.signal_for_mass, broadcast=True),
                client.scatter(job.spectrum, broadcast=True),
                client.scatter(job.statistic, broadcast=True),
            )
            for job in jobs
        ]
        futures = []
        for j, i in tasks:
            fn, spec, stat = shared[j]
            job = jobs[j]
            mass = float(job.masses[i])
            futures.append(
                client.submit(
                    _evaluate_task, mass, fn, spec, stat, job.couplings, job.cl_sigma, pure=False
                )
            )
        index = {future.key: task for future, task in zip(futures, tasks, strict=True)}
        for future in as_completed(futures):
            j, i = index[future.key]
            yield j, i, future.result()
    finally:
        client.close()


def local_cluster(n_workers: int):
    """A local dask cluster of ``n_workers`` single-threaded worker processes.

    distributed starts its workers with ``MALLOC_TRIM_THRESHOLD_=65536``, which
    makes glibc hand freed memory back to the system at once: a worker that
    allocates and frees tens of MB per task then faults every page in again
    (millions of page faults in a reach run). Here the threshold is 1 GiB.
    """
    import dask
    from distributed import LocalCluster

    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": 1 << 30}):
        return LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
