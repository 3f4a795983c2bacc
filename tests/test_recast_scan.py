"""Tests of muphilic.recast.scan: the synchronous scan, the process pool and dask."""

from __future__ import annotations

import numpy as np
import pytest

from muphilic.recast.scan import ScanError, local_cluster, scan, scan_job, scan_many
from muphilic.recast.spectra import miniboone_ncpi0
from muphilic.recast.statistics import CovarianceChi2, ProfileLikelihood
from muphilic.recast.synthetic import ToySignal

MASSES = np.geomspace(5.0, 150.0, 5)
COUPLINGS = np.geomspace(1e-5, 1e-2, 8)


@pytest.fixture(scope="module")
def spectrum():
    return miniboone_ncpi0()


@pytest.fixture(scope="module")
def toy(spectrum):
    return ToySignal(tuple(spectrum.edges_MeV), tuple(COUPLINGS), amplitude=3e12)


@pytest.mark.parametrize("statistic", [CovarianceChi2(), ProfileLikelihood()])
def test_sync_scan_rows_equal_direct_evaluation(spectrum, toy, statistic) -> None:
    # Second path: evaluate the statistic by hand on the window bins at each mass.
    result = scan(MASSES, COUPLINGS, toy, spectrum, statistic, 5.0, progress=False)
    assert result.values.shape == (MASSES.size, COUPLINGS.size)
    window = spectrum.window_slice()
    for i, mass in enumerate(MASSES):
        ev = statistic.evaluate(spectrum.in_window(), toy(mass)[:, window])
        np.testing.assert_array_equal(result.values[i], ev.value)
        np.testing.assert_array_equal(result.significance[i], ev.significance)
    np.testing.assert_array_equal(result.excluded, result.significance >= 5.0)
    assert result.statistic == statistic.name
    # The toy is built so that something, but not everything, is excluded.
    assert 0 < result.excluded.sum() < result.excluded.size


def test_dask_scan_via_scheduler_address_equals_sync_scan(spectrum, toy) -> None:
    # A running scheduler (here an in-process, threaded one, which starts fast).
    from distributed import LocalCluster

    sync = scan(MASSES, COUPLINGS, toy, spectrum, "paper", progress=False)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        dask = scan(
            MASSES,
            COUPLINGS,
            toy,
            spectrum,
            "paper",
            scheduler=cluster.scheduler_address,
            progress=False,
        )
    np.testing.assert_array_equal(dask.values, sync.values)
    np.testing.assert_array_equal(dask.excluded, sync.excluded)
    np.testing.assert_array_equal(dask.masses, sync.masses)


def test_process_pool_over_several_experiments_equals_sync_scans(spectrum, toy) -> None:
    # Two jobs (two statistics) as one set of tasks in a pool of 2 processes.
    jobs = [
        scan_job(MASSES, COUPLINGS, toy, spectrum, "paper"),
        scan_job(MASSES, COUPLINGS, toy, spectrum, "likelihood", 3.0),
    ]
    pooled = scan_many(jobs, n_workers=2, progress=False)
    for job, result in zip(jobs, pooled, strict=True):
        sync = scan(MASSES, COUPLINGS, toy, spectrum, job.statistic, job.cl_sigma, progress=False)
        np.testing.assert_array_equal(result.values, sync.values)
        np.testing.assert_array_equal(result.significance, sync.significance)
        np.testing.assert_array_equal(result.excluded, sync.excluded)
        assert result.cl_sigma == sync.cl_sigma


@pytest.mark.slow
def test_dask_local_process_cluster_equals_sync_scan(spectrum, toy) -> None:
    # A local cluster of 2 worker processes (about 3-5 s, mostly starting them).
    sync = scan(MASSES, COUPLINGS, toy, spectrum, "likelihood", progress=False)
    with local_cluster(2) as cluster:
        dask = scan(
            MASSES,
            COUPLINGS,
            toy,
            spectrum,
            "likelihood",
            scheduler=cluster.scheduler_address,
            progress=False,
        )
    np.testing.assert_array_equal(dask.values, sync.values)
    np.testing.assert_array_equal(dask.excluded, sync.excluded)


def test_scan_errors(spectrum, toy) -> None:
    with pytest.raises(ScanError, match=r"returned shape \(2, 50\)"):
        scan(MASSES, COUPLINGS, lambda m: np.zeros((2, 50)), spectrum, progress=False)
    with pytest.raises(ScanError, match="masses"):
        scan(MASSES[::-1], COUPLINGS, toy, spectrum, progress=False)
    with pytest.raises(ScanError, match="unknown statistic"):
        scan(MASSES, COUPLINGS, toy, spectrum, "nonsense", progress=False)
    with pytest.raises(ScanError, match="cl_sigma"):
        scan(MASSES, COUPLINGS, toy, spectrum, cl_sigma=-1.0, progress=False)


def test_solved_boundary_finds_the_analytic_crossings() -> None:
    # Z(y) = A y^4 exp(-c y^2): long-lifetime rise and short-lifetime fall, crossings
    # known by root finding on the closed form (second method: scipy's brentq).
    from scipy.optimize import brentq

    from muphilic.recast.scan import solve_boundary

    amplitude, c, level = 1e12, 2e4, 5.0

    def z(y):
        return amplitude * y**4 * np.exp(-c * y**2)

    grid = np.geomspace(1e-5, 1e-1, 60)
    roots = solve_boundary(z, grid, z(grid), level)
    peak = np.sqrt(2.0 / c)
    expected = [
        brentq(lambda t: np.log(z(np.exp(t)) / level), np.log(1e-5), np.log(peak), xtol=1e-14),
        brentq(lambda t: np.log(z(np.exp(t)) / level), np.log(peak), np.log(1e-1), xtol=1e-14),
    ]
    np.testing.assert_allclose(roots, np.exp(expected), rtol=1e-6)
    # the stated tolerance from the bracketing alone: 1/256 of a cell in ln y
    assert np.all(np.abs(np.log(roots) - expected) <= np.log(grid[1] / grid[0]) / 256)
    assert solve_boundary(z, grid, np.zeros(grid.size), level).size == 0


def test_scan_of_a_signal_with_at_mass_carries_its_solved_boundary(spectrum, toy) -> None:
    # A signal that can be evaluated at any coupling gets a boundary per mass, one
    # crossing per grid cell with a change of side, inside that cell.
    from dataclasses import replace

    class Exact:
        def __call__(self, mass):
            return toy(mass)

        def at_mass(self, mass):
            return lambda y: replace(toy, couplings=tuple(np.atleast_1d(y)))(mass)

    result = scan(MASSES, COUPLINGS, Exact(), spectrum, "paper", progress=False)
    assert result.solved_boundary is not None
    statistic, window = CovarianceChi2(), spectrum.window_slice()
    assert sum(b.size for b in result.boundary) > 0
    for mass, row, roots in zip(MASSES, result.significance, result.boundary, strict=True):
        cells = np.flatnonzero((row[1:] >= 5.0) != (row[:-1] >= 5.0))
        assert roots.size == cells.size
        assert np.all((roots >= COUPLINGS[cells]) & (roots <= COUPLINGS[cells + 1]))
        for root in roots:  # the statistic changes side across each root
            y = root * np.array([1 - 1e-3, 1 + 1e-3])
            z = statistic.evaluate(spectrum.in_window(), Exact().at_mass(mass)(y)[:, window])
            assert (z.significance[0] >= 5.0) != (z.significance[1] >= 5.0)
    plain = scan(MASSES, COUPLINGS, toy, spectrum, "paper", progress=False)
    assert plain.solved_boundary is None
