"""Events per second of each production backend.

Run: ``python benchmarks/bench_generators.py [N_EVENTS] [--workers W]`` (default 2000
events, one worker per CPU). Each chromo model generates N collisions twice into a
fresh cache: once with one worker (so the time includes one model start-up, UrQMD's
~8 s table build among it) and once with W workers; the start-up is measured
separately on a 20-event run and subtracted to give the per-event cost. The BNB fits
draw the mesons of N protons on target (their cost per "event").

Cases: UrQMD 3.4 p-Be at 8 GeV kinetic (the BNB), SIBYLL 2.3d p-C at 120 GeV (NuMI-like).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np

from muphilic.beamline.facility_file import load_facility
from muphilic.beamline.production import get_backend
from muphilic.beamline.production.generators import generate
from muphilic.constants import GeV

CASES = (
    ("UrQMD34", {"model": "UrQMD", "model_version": "3.4"}, 8.0 * GeV, (9, 4)),
    ("Sibyll23d", {"model": "SIBYLL", "model_version": "2.3d"}, 120.0 * GeV, (12, 6)),
)


def _timed(class_name, model, energy, target, n, workers) -> float:
    with tempfile.TemporaryDirectory() as cache:
        os.environ["MUPHILIC_CACHE_DIR"] = cache
        start = time.perf_counter()
        generate(class_name, model, energy, target, n, 1, events_per_chunk=500, workers=workers)
        return time.perf_counter() - start


def main(n_events: int, workers: int) -> None:
    for class_name, model, energy, target in CASES:
        label = f"{model['model']} {model['model_version']} p+{target} at {energy / GeV:g} GeV"
        startup = _timed(class_name, model, energy, target, 20, 1)
        one = _timed(class_name, model, energy, target, n_events, 1)
        many = _timed(class_name, model, energy, target, n_events, workers)
        per_event = (one - startup) / (n_events - 20)
        print(
            f"{label}: start-up {startup:.1f} s; {n_events} events: {one:.1f} s on 1 worker "
            f"({n_events / one:.0f} events/s incl. start-up, {1e3 * per_event:.2f} ms/event "
            f"without), {many:.1f} s on {workers} workers ({n_events / many:.0f} events/s)"
        )
    bnb = load_facility("bnb")
    source = get_backend("bnb-fits").mesons(bnb, pot=n_events, seed=1)
    rng = np.random.default_rng(1)
    start = time.perf_counter()
    for species in ("pi+", "pi-", "K+", "K-"):
        rows = source.rows(species, n_events, 1.0)
        source.draw(species, 0, rows, rng)
    elapsed = time.perf_counter() - start
    rate = n_events / elapsed
    print(f"bnb-fits: the mesons of {n_events} POT drawn in {elapsed:.3f} s ({rate:.3g} POT/s)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n_events", nargs="?", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    main(args.n_events, args.workers)
