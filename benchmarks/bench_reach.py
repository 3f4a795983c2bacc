"""Wall time of the whole reach (the paper's Fig. 6) versus the size of the grid.

Run by hand::

    python benchmarks/bench_reach.py            # warm cache: the beam sample is built first
    python benchmarks/bench_reach.py --cold     # also time the first run (simulation included)

Prints seconds per run for several (masses x couplings) grids and scalars per species, and the
mass range where the g-2 band is excluded, so that statistics and speed can be weighed together.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from dataclasses import replace

from muphilic.beamline import load_beam
from muphilic.config import RunConfig
from muphilic.pipeline import reach


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cold", action="store_true", help="time a run with an empty cache")
    args = parser.parse_args()
    base = RunConfig()
    if args.cold:
        os.environ["MUPHILIC_CACHE_DIR"] = tempfile.mkdtemp()
        start = time.perf_counter()
        reach(base, progress=False)
        print(f"cold default run (beam simulated and cached): {time.perf_counter() - start:.1f} s")
    beam = load_beam(base.beam, seed=base.seed)
    print(f"{'masses':>7} {'couplings':>9} {'scalars':>8} {'seconds':>8}  union of g-2 exclusion")
    for n_masses, n_couplings, scalars in [
        (20, 100, 50_000),
        (60, 100, 20_000),
        (60, 100, 50_000),
        (60, 200, 50_000),
        (120, 100, 50_000),
    ]:
        config = replace(
            base,
            scan=replace(base.scan, n_masses=n_masses, n_couplings=n_couplings),
            emission=replace(base.emission, scalars_per_species=scalars),
        )
        start = time.perf_counter()
        result = reach(config, beam=beam, progress=False)
        seconds = time.perf_counter() - start
        union = result.g2_band_excluded_MeV.get("union")
        text = "none" if union is None else f"{union[0]:.1f}-{union[1]:.1f} MeV"
        print(f"{n_masses:>7} {n_couplings:>9} {scalars:>8} {seconds:>8.1f}  {text}")


if __name__ == "__main__":
    main()
