"""Speed of the per-mass signal chain, :func:`muphilic.signal.expected_signal`.

Run: ``python benchmarks/bench_signal.py [--beam FILE] [--save OUT.npz] [--compare REF.npz]
[--profile]``.

A beam sample of 2e5 POT (seed 20231121) is simulated, or read from ``--beam FILE``
if that file exists (and written there otherwise). Each (mass, detector) call with
100 couplings and the default :class:`SignalSettings` is timed once, after one
warm-up call; the per-call wall times are printed. ``--save`` stores the spectra
(signal, total, MC errors per call); ``--compare`` checks them against a stored
set and prints the largest relative difference (entries below 1e-280 events,
which underflowed into subnormal numbers, excluded). ``--profile`` prints a cProfile
summary of the timed calls.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from pathlib import Path

import numpy as np

from muphilic.beamline import read_sample, simulate, write_sample
from muphilic.constants import MeV
from muphilic.detectors import load_detector
from muphilic.signal import SignalSettings, aiming_spheres, expected_signal

POT = 200_000
SEED = 20231121
MASSES_MEV = (10.0, 24.0, 40.0, 100.0, 200.0)
DETECTORS = ("miniboone", "microboone", "sbnd")
COUPLINGS = np.geomspace(1e-7, 1e-1, 100)


def _beam(path: str | None):
    if path is not None and Path(path).exists():
        return read_sample(path)
    beam = simulate(POT, seed=SEED)
    if path is not None:
        write_sample(beam, path)
    return beam


#: Expected counts below this are products that underflowed into subnormal numbers
#: (a probability ~1e-290 times a weight ~1e-15): only their order of magnitude is
#: meaningful, so they are left out of the relative comparison.
_TINY = 1e-280


def _max_rel_diff(a: np.ndarray, b: np.ndarray) -> float:
    scale = np.maximum(np.abs(a), np.abs(b))
    with np.errstate(invalid="ignore", divide="ignore"):
        diff = np.abs(a - b)
        rel = np.where(scale > _TINY, diff / scale, 0.0)
    both_inf = np.isinf(a) & np.isinf(b)
    rel = np.where(both_inf, 0.0, rel)
    return float(np.max(rel)) if rel.size else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--beam", help="HDF5 beam sample to read (written if missing)")
    parser.add_argument("--save", help="store the spectra in this .npz file")
    parser.add_argument("--compare", help="compare the spectra with this .npz file")
    parser.add_argument("--profile", action="store_true", help="print a cProfile summary")
    args = parser.parse_args()

    beam = _beam(args.beam)
    print("beam sample:", {k: len(v) for k, v in beam.parents.items()}, "muons", len(beam.muons))
    detectors = {name: load_detector(name) for name in DETECTORS}
    settings = SignalSettings()
    # warm-up (imports, caches of the scalar width, first-touch allocations)
    expected_signal(beam.parents, beam.muons, 30.0 * MeV, detectors["sbnd"], COUPLINGS, settings)

    results: dict[str, np.ndarray] = {}
    profiler = cProfile.Profile() if args.profile else None
    total = 0.0
    for name, detector in detectors.items():
        aim = aiming_spheres(beam.parents, beam.muons, detector)
        for mass in MASSES_MEV:
            if profiler is not None:
                profiler.enable()
            start = time.perf_counter()
            spec = expected_signal(
                beam.parents, beam.muons, mass * MeV, detector, COUPLINGS, settings, aim
            )
            elapsed = time.perf_counter() - start
            if profiler is not None:
                profiler.disable()
            total += elapsed
            print(f"{name:>11s}  m_S = {mass:5.1f} MeV  {elapsed:6.3f} s")
            key = f"{name}_{mass:g}"
            results[f"{key}_signal"] = spec.signal
            results[f"{key}_err"] = spec.mc_rel_error
            for channel, counts in spec.by_channel.items():
                results[f"{key}_{channel}"] = counts
    n_calls = len(MASSES_MEV) * len(DETECTORS)
    print(f"total {total:.2f} s for {n_calls} calls, mean {total / n_calls:.3f} s per call")

    if args.save:
        np.savez(args.save, **results)
    if args.compare:
        ref = np.load(args.compare)
        missing = sorted(set(ref.files) ^ set(results))
        worst = max(_max_rel_diff(ref[k], results[k]) for k in ref.files if k in results)
        print(f"largest relative difference to {args.compare}: {worst:.3g}; key mismatch {missing}")
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)


if __name__ == "__main__":
    main()
