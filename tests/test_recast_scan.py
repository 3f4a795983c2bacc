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
