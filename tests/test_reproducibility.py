"""A seed fixes every output bit for bit; another seed changes it.

Bit-identical (``numpy.array_equal``, not ``allclose``) because a run is only
reproducible if a re-run, a cached beam or a parallel scan gives the very same
numbers.
"""

from __future__ import annotations

import numpy as np
import pytest

from muphilic.beamline import BeamSample, read_sample, simulate, write_sample
from muphilic.config import RunConfig
from muphilic.detectors import load_detector
from muphilic.signal import SignalSettings, expected_signal

POT = 2000


def _arrays(sample: BeamSample) -> dict[str, np.ndarray]:
    """Every array of a beam sample, by a stable name."""
    out: dict[str, np.ndarray] = {}
    for group, table in (("parents", sample.parents), ("produced", sample.produced)):
        for name, p in table.items():
            for field in ("p4", "vertex", "weight"):
                out[f"{group}/{name}/{field}"] = getattr(p, field)
    for group, mu in (("muons", sample.muons), ("muons_wall", sample.muons_wall)):
        if mu is not None:
            for field in ("p4", "position", "weight", "charge"):
                out[f"{group}/{field}"] = getattr(mu, field)
    return out


def _assert_identical(a: BeamSample, b: BeamSample) -> None:
    arrays_a, arrays_b = _arrays(a), _arrays(b)
    assert arrays_a.keys() == arrays_b.keys()
    for key in arrays_a:
        assert np.array_equal(arrays_a[key], arrays_b[key]), key
    assert a.pot == b.pot
    assert a.produced_per_pot == b.produced_per_pot
    assert a.muons_produced_per_pot == b.muons_produced_per_pot


@pytest.fixture(scope="module")
def beams() -> dict[str, BeamSample]:
    return {
        "a": simulate(POT, 11),
        "a_again": simulate(POT, 11),
        "b": simulate(POT, 12),
    }


def test_simulate_same_seed_bit_identical(beams):
    _assert_identical(beams["a"], beams["a_again"])


def test_simulate_different_seed_differs(beams):
    a, b = _arrays(beams["a"]), _arrays(beams["b"])
    # Another seed gives other mesons: no array of the decaying parents repeats.
    for key in a:
        if key.startswith("parents/") and a[key].size:
            assert not np.array_equal(a[key], b[key]), key


def test_sample_file_roundtrip_to_rounding(beams, tmp_path):
    """A saved beam equals the fresh one to the last bits.

    Files hold GeV and cm, so ``x / GeV * GeV`` may change the last bit (relative
    1.1e-16 each way); every run of ``load_beam`` reads the file, so runs still
    agree bit for bit with each other.
    """
    fresh = beams["a"]
    saved = read_sample(write_sample(fresh, tmp_path / "beam.h5"))
    a, b = _arrays(fresh), _arrays(saved)
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_allclose(b[key], a[key], rtol=4e-16, atol=0, err_msg=key)
    assert saved.pot == fresh.pot
    assert saved.produced_per_pot == fresh.produced_per_pot
    _assert_identical(saved, read_sample(write_sample(saved, tmp_path / "again.h5")))


@pytest.fixture(scope="module")
def detector():
    return load_detector("microboone")


def _signal(beam: BeamSample, detector, seed: int, mass: float = 24.0):
    settings = SignalSettings(scalars_per_species=300, seed=seed)
    return expected_signal(beam.parents, beam.muons, mass, detector, [1e-4, 1e-3], settings)


def _spectrum_arrays(result) -> dict[str, np.ndarray]:
    return {
        name: np.asarray(value)
        for name, value in vars(result).items()
        if isinstance(value, np.ndarray)
    } | {f"by_channel/{k}": np.asarray(v) for k, v in result.by_channel.items()}


def test_expected_signal_same_seed_bit_identical(beams, detector):
    first = _spectrum_arrays(_signal(beams["a"], detector, seed=5))
    second = _spectrum_arrays(_signal(beams["a"], detector, seed=5))
    assert first.keys() == second.keys()
    for key in first:
        assert np.array_equal(first[key], second[key]), key


def test_expected_signal_from_saved_beam_identical(beams, detector, tmp_path):
    saved = read_sample(write_sample(beams["a"], tmp_path / "beam.h5"))
    first = _spectrum_arrays(_signal(beams["a"], detector, seed=5))
    second = _spectrum_arrays(_signal(saved, detector, seed=5))
    for key in first:  # the inputs differ in the last bit at most (see above)
        np.testing.assert_allclose(second[key], first[key], rtol=1e-12, atol=0, err_msg=key)


def test_expected_signal_independent_of_order(beams, detector):
    """Each (mass, detector) has its own stream: computing another mass first changes nothing."""
    alone = _signal(beams["a"], detector, seed=5, mass=24.0)
    _signal(beams["a"], detector, seed=5, mass=60.0)
    after = _signal(beams["a"], detector, seed=5, mass=24.0)
    assert np.array_equal(alone.total, after.total)


def test_expected_signal_different_seed_differs(beams, detector):
    first = _signal(beams["a"], detector, seed=5)
    other = _signal(beams["a"], detector, seed=6)
    assert np.sum(first.total) > 0
    assert not np.array_equal(first.total, other.total)


def test_config_digest_is_stable():
    """The digest recorded in outputs depends on the content only."""
    assert RunConfig().digest() == RunConfig().digest()
    assert RunConfig(seed=1).digest() != RunConfig(seed=2).digest()
