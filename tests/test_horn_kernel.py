"""The compiled horn tracker (muphilic.beamline.horn_kernel) against the NumPy tracker."""

from __future__ import annotations

import importlib
from dataclasses import replace

import numpy as np
import pytest

from muphilic.beamline import horn, horn_kernel
from muphilic.beamline.facility_file import load_facility
from muphilic.beamline.horn import TrackStatus
from muphilic.constants import GeV, mm

simulate_module = importlib.import_module("muphilic.beamline.simulate")

# A particle whose path passes within rounding of a step-control threshold (the field
# boundaries, min_step) may take a different step sequence if the two paths' cos, sin or
# hypot differ in the last bit (another maths library); such particles are allowed up to
# this fraction. With the same library both paths give the same numbers.
EDGE_FRACTION = 2e-3


def _particles(facility_name: str, n: int, seed: int) -> tuple[np.ndarray, ...]:
    """Mesons from the target: positions, directions, |p| (MeV), charges, stop lengths."""
    facility = load_facility(facility_name)
    rng = np.random.default_rng(seed)
    target = facility.target
    z1, z2 = target.segments[0][0], target.segments[-1][1]
    r = target.radius * np.sqrt(rng.uniform(size=n))
    phi = rng.uniform(0.0, 2.0 * np.pi, n)
    pos = np.column_stack((r * np.cos(phi), r * np.sin(phi), rng.uniform(z1, z2, n)))
    theta = rng.exponential(0.12, n)
    theta[: n // 50] = rng.uniform(0.5 * np.pi, np.pi, n // 50)  # some go upstream
    phi = rng.uniform(0.0, 2.0 * np.pi, n)
    u = np.column_stack((np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta)))
    p = rng.uniform(0.2, 10.0, n) * GeV
    q = rng.choice([-1.0, 1.0], n)
    s_stop = np.where(rng.uniform(size=n) < 0.5, rng.uniform(0.0, 20_000.0, n) * mm, np.inf)
    return pos, u, p, q, s_stop


def _compare(ref: horn.TrackResult, got: horn.TrackResult) -> None:
    n = len(ref.status)
    same = ref.status == got.status
    for name in ("position", "direction", "path_length", "wall_path"):
        a, b = getattr(ref, name), getattr(got, name)
        close = np.isclose(b, a, rtol=1e-9, atol=1e-9)
        same &= close.all(axis=1) if close.ndim == 2 else close
    assert np.count_nonzero(~same) <= EDGE_FRACTION * n


@pytest.mark.parametrize("facility_name", ["bnb", "numi"])
def test_compiled_tracker_equals_numpy_tracker(facility_name: str) -> None:
    pos, u, p, q, s_stop = _particles(facility_name, 3000, 11)
    facility = load_facility(facility_name)
    statuses = set()
    wall_crossed = 0
    nominal = facility.horn_system()
    # the same horns with 2 mm inner-conductor walls (NuMI's file gives none)
    walls = replace(
        nominal, horns=tuple(replace(h, wall_thickness=2.0 * mm) for h in nominal.horns)
    )
    reverse = facility.with_polarity("antineutrino").horn_system()
    for system in (nominal, reverse, walls):
        for stop in (None, s_stop):
            kwargs = {"step": 30.0 * mm, "s_stop": stop}
            ref = horn.track(pos, u, p, q, system, **kwargs)
            got = horn_kernel.track(pos, u, p, q, system, **kwargs)
            _compare(ref, got)
            statuses |= set(np.unique(ref.status).tolist())
            wall_crossed += np.count_nonzero(ref.wall_path > 0)
    # a short path limit
    system = facility.horn_system()
    ref = horn.track(pos, u, p, q, system, max_path=1500.0 * mm)
    got = horn_kernel.track(pos, u, p, q, system, max_path=1500.0 * mm)
    _compare(ref, got)
    statuses |= set(np.unique(ref.status).tolist())
    every = {
        TrackStatus.EXITED,
        TrackStatus.ABSORBED,
        TrackStatus.UPSTREAM,
        TrackStatus.STOPPED,
        TrackStatus.MAX_PATH,
    }
    assert statuses == every
    # the inner-conductor wall path is exercised
    assert wall_crossed > 100


@pytest.mark.parametrize("facility_name", ["bnb", "numi"])
def test_resuming_from_checkpoints_gives_the_same_numbers(facility_name: str) -> None:
    pos, u, p, q, _ = _particles(facility_name, 2000, 14)
    system = load_facility(facility_name).horn_system()
    first = horn_kernel.track(pos, u, p, q, system, step=30.0 * mm, record=True)
    assert first.checkpoints is not None
    assert np.count_nonzero(first.checkpoints.count == horn_kernel.N_CHECKPOINTS) > 100
    rng = np.random.default_rng(15)
    s_stop = rng.uniform(0.0, 1.0, len(p)) * first.path_length
    at = np.flatnonzero(first.checkpoints.count >= 2)[:20]
    s_stop[at] = first.checkpoints.state[at, 1, 6]  # exactly at a checkpoint
    rows = np.flatnonzero(rng.uniform(size=len(p)) < 0.7)
    args = (pos[rows], u[rows], p[rows], q[rows], system)
    kwargs = {"step": 30.0 * mm, "s_stop": s_stop[rows]}
    resumed = horn_kernel.track(*args, **kwargs, resume=horn_kernel.checkpoints_of(first, rows))
    fresh = horn_kernel.track(*args, **kwargs)
    for name in ("position", "direction", "path_length", "wall_path", "status"):
        np.testing.assert_array_equal(getattr(resumed, name), getattr(fresh, name))
    _compare(horn.track(*args, **kwargs), resumed)
    # a plain result has no checkpoints; the NumPy tracker ignores them
    assert horn_kernel.checkpoints_of(fresh, rows[:5]) is None
    numpy_resumed = horn_kernel.track(
        *args, **kwargs, compiled=False, resume=horn_kernel.checkpoints_of(first, rows)
    )
    _compare(numpy_resumed, resumed)


def test_compiled_tracker_takes_a_single_horn() -> None:
    pos, u, p, q, _ = _particles("bnb", 500, 12)
    one = load_facility("bnb").horn_system().horns[0]
    ref = horn.track(pos, u, p, q, one, step=10.0 * mm, min_step=0.5 * mm, r_fraction=0.3)
    got = horn_kernel.track(pos, u, p, q, one, step=10.0 * mm, min_step=0.5 * mm, r_fraction=0.3)
    _compare(ref, got)


def test_numpy_tracker_is_selected_by_argument_or_environment(monkeypatch) -> None:
    pos, u, p, q, _ = _particles("bnb", 20, 13)
    system = load_facility("bnb").horn_system()
    calls = []
    numpy_track = horn.track

    def spy(*args, **kwargs):
        calls.append(1)
        return numpy_track(*args, **kwargs)

    monkeypatch.setattr(horn, "track", spy)
    horn_kernel.track(pos, u, p, q, system)
    assert not calls
    horn_kernel.track(pos, u, p, q, system, compiled=False)
    assert len(calls) == 1
    monkeypatch.setenv(horn_kernel.NUMPY_ENV, "1")
    horn_kernel.track(pos, u, p, q, system)
    assert len(calls) == 2
    horn_kernel.track(pos, u, p, q, system, compiled=True)
    assert len(calls) == 2


def test_beam_sample_is_the_same_with_either_tracker(monkeypatch) -> None:
    # the tracker draws no random numbers: the same mesons, decay points and muons
    compiled = simulate_module.simulate(3000, 5)
    monkeypatch.setenv(horn_kernel.NUMPY_ENV, "1")
    reference = simulate_module.simulate(3000, 5)
    for species, parent in reference.parents.items():
        mine = compiled.parents[species]
        assert len(mine.weight) == len(parent.weight) > 0
        rows = np.column_stack((parent.vertex, parent.p4, parent.weight))
        mine_rows = np.column_stack((mine.vertex, mine.p4, mine.weight))
        close = np.isclose(mine_rows, rows, rtol=1e-9, atol=1e-9).all(axis=1)
        assert np.count_nonzero(~close) <= EDGE_FRACTION * len(close)
    ref_mu, mine_mu = reference.muons.weight, compiled.muons.weight
    assert len(mine_mu) == len(ref_mu) > 0
    assert np.sum(mine_mu) == pytest.approx(np.sum(ref_mu), rel=1e-3)
