"""CPU time of the beam simulation with the NumPy and the compiled horn tracker.

Runs :func:`muphilic.beamline.simulate` in this process for each POT count, alternating
the NumPy tracker (``$MUPHILIC_HORN_NUMPY=1``, "before") and the compiled one ("after"),
so that both see the same load on a shared machine. Reported per run: CPU seconds of the
whole simulation (``time.process_time``) and of the horn tracking alone (the calls of the
tracker inside it), and whether the two beam samples are identical. The kernel is
compiled (or loaded from numba's cache) once before the timings; that time is printed
separately. Run by hand::

    python benchmarks/bench_horn.py --pot 200000 1000000 --repeat 1
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from muphilic.beamline import horn_kernel
from muphilic.beamline.facility_file import load_facility

# the module (the package re-exports its function simulate under the same name)
sim = importlib.import_module("muphilic.beamline.simulate")


def _timed_tracker(clock: list[float]) -> Callable[..., Any]:
    def tracker(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return horn_kernel.track(*args, **kwargs)
        finally:
            clock[0] += time.process_time() - start

    return tracker


def run(
    pot: int, seed: int, config: sim.BeamlineConfig, numpy_path: bool
) -> tuple[Any, float, float]:
    """(sample, CPU s of the simulation, CPU s of the horn tracking)."""
    if numpy_path:
        os.environ[horn_kernel.NUMPY_ENV] = "1"
    else:
        os.environ.pop(horn_kernel.NUMPY_ENV, None)
    clock = [0.0]
    original = sim.track
    sim.track = _timed_tracker(clock)
    try:
        start = time.process_time()
        sample = sim.simulate(pot, seed, config=config)
        cpu = time.process_time() - start
    finally:
        sim.track = original
        os.environ.pop(horn_kernel.NUMPY_ENV, None)
    return sample, cpu, clock[0]


def same_sample(a: Any, b: Any) -> bool:
    """True if both beam samples hold the same parents and muons, bit for bit."""
    for species, pa in a.parents.items():
        pb = b.parents[species]
        for name in ("p4", "vertex", "weight"):
            if not np.array_equal(getattr(pa, name), getattr(pb, name)):
                return False
    names = ("p4", "position", "weight")
    return all(np.array_equal(getattr(a.muons, n), getattr(b.muons, n)) for n in names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pot", type=int, nargs="+", default=[200_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--facility", default="bnb")
    args = parser.parse_args()
    config = sim.BeamlineConfig(facility=load_facility(args.facility))

    start = time.process_time()
    run(1000, args.seed, config, numpy_path=False)
    print(f"compile or load the kernel + 1e3 POT: {time.process_time() - start:.2f} s CPU")

    print(
        "| POT | before CPU s | after CPU s | ratio | horn before s | horn after s | same sample |"
    )
    print("|---|---|---|---|---|---|---|")
    for pot in args.pot:
        rows: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
        same = True
        for _ in range(args.repeat):
            a, cpu_a, horn_a = run(pot, args.seed, config, numpy_path=True)
            rows[True].append((cpu_a, horn_a))
            b, cpu_b, horn_b = run(pot, args.seed, config, numpy_path=False)
            rows[False].append((cpu_b, horn_b))
            same &= same_sample(a, b)
            del a, b
        before = statistics.median(c for c, _ in rows[True])
        after = statistics.median(c for c, _ in rows[False])
        horn_before = statistics.median(h for _, h in rows[True])
        horn_after = statistics.median(h for _, h in rows[False])
        print(
            f"| {pot:.0e} | {before:.2f} | {after:.2f} | {before / after:.2f} | "
            f"{horn_before:.2f} | {horn_after:.2f} | {'yes' if same else 'NO'} |"
        )


if __name__ == "__main__":
    main()
