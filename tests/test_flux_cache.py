"""The nu_mu flux cached with the beam sample, and the uniform-bin histogram of the flux."""

from __future__ import annotations

import numpy as np
import pytest

from muphilic.beamline import flux_volume, numu_flux, numu_flux_total, write_sample
from muphilic.beamline.flux import _histogram
from muphilic.beamline.samples import read_sample
from muphilic.beamline.store import FLUX_EDGES, _remember
from muphilic.cache import cache_dir, file_sha256
from muphilic.detectors import MICROBOONE, MINIBOONE


def test_uniform_bin_histogram_equals_the_sorting_path() -> None:
    rng = np.random.default_rng(3)
    values = rng.uniform(-100.0, 10_500.0, 200_000)
    values[:50] = FLUX_EDGES[:50]  # exactly on edges
    weights = rng.uniform(0.0, 2.0, values.size)
    expected = np.histogram(values, bins=FLUX_EDGES, weights=weights)[0]
    np.testing.assert_allclose(_histogram(values, FLUX_EDGES, weights), expected, rtol=1e-12)
    uneven = np.array([0.0, 1.0, 5.0, 5000.0, 10_000.0])
    np.testing.assert_array_equal(
        _histogram(values, uneven, weights), np.histogram(values, uneven, weights=weights)[0]
    )


def test_flux_of_a_sample_file_is_cached_under_its_content(tiny_beam, tmp_path) -> None:
    path = tmp_path / "beam.h5"
    write_sample(tiny_beam, path)
    sample = _remember(read_sample(path), file_sha256(path))
    direct = numu_flux(tiny_beam, flux_volume(MINIBOONE), FLUX_EDGES).integral
    first = numu_flux_total(sample, MINIBOONE)
    assert first == pytest.approx(direct, rel=1e-12)  # the file keeps the momenta to ~1e-16
    entries = list((cache_dir() / "flux").iterdir())
    assert len(entries) == 1
    assert numu_flux_total(sample, MINIBOONE) == first  # read back
    assert len(list((cache_dir() / "flux").iterdir())) == 1
    # another detector is another entry, with its own value
    assert numu_flux_total(sample, MICROBOONE) != first
    assert len(list((cache_dir() / "flux").iterdir())) == 2
    # a sample passed without a file is computed, not cached
    assert numu_flux_total(tiny_beam, MINIBOONE) == direct
    assert len(list((cache_dir() / "flux").iterdir())) == 2
