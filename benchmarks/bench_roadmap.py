"""Road-map timings: a facility's reach from a cached sample, and each facility's default sample.

Run: ``python benchmarks/bench_roadmap.py [POT]`` (default 2000 simulated POT per facility).

1. For each packaged facility, the generation time of a beam sample of ``POT`` protons with
   the facility's default production backend (one worker, empty cache; SIBYLL's start-up
   included), and the time extrapolated to the default ``[beam] pot`` (200 000).
2. One facility reach: NuMI with three detectors (nova_nd, minerva, icarus_numi) on a
   60 x 100 (mass x coupling) grid, meson-decay channels, 5000 scalars per species, from
   the cached sample of step 1 (one process).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from dataclasses import replace


def main() -> None:
    pot = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with tempfile.TemporaryDirectory() as cache:
        os.environ["MUPHILIC_CACHE_DIR"] = cache
        from muphilic.beamline import load_beam
        from muphilic.beamline.facility_file import available_facilities, load_facility
        from muphilic.config import BeamConfig, EmissionConfig, RunConfig, ScanConfig
        from muphilic.pipeline import reach

        default_pot = BeamConfig().pot
        for key in available_facilities():
            beam = BeamConfig(pot=pot, facility=key)
            start = time.perf_counter()
            load_beam(beam, seed=1)
            took = time.perf_counter() - start
            print(
                f"{key:8s} ({load_facility(key).production:8s}): {pot} POT in {took:6.1f} s; "
                f"default {default_pot} POT ~ {took * default_pot / pot / 60:6.1f} min"
            )
        run = RunConfig(
            beam=BeamConfig(pot=pot, facility="numi"),
            experiments=("nova_nd", "minerva", "icarus_numi"),
            scan=replace(ScanConfig(), n_masses=60, n_couplings=100),
            emission=replace(EmissionConfig(), channels=("kaon", "pion"), scalars_per_species=5000),
        )
        start = time.perf_counter()
        result = reach(run, progress=False, n_workers=1)
        took = time.perf_counter() - start
        print(f"NuMI reach, 3 detectors, 60 x 100, cached sample: {took:.1f} s (one process)")
        for key, interval in result.g2_band_excluded_MeV.items():
            print(f"  {key}: {interval}")


if __name__ == "__main__":
    main()
