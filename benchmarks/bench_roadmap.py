"""Road-map timings: a facility's reach from a cached sample, and each facility's default sample.

Run: ``python benchmarks/bench_roadmap.py [POT]`` (default 2000 simulated POT per facility).

1. For each packaged facility, the CPU time (user + system, children included) of its beam
   samples of ``POT`` and ``3 POT`` protons (after a 100-POT warm-up; own seeds, so nothing
   comes from the cache) with the facility's default production backend: their difference
   gives the cost per POT without the start-up of a call, which is the rest; and that cost at
   the default ``[beam] pot`` (200 000).
2. One facility reach: NuMI with three detectors (nova_nd, minerva, icarus_numi) on a
   60 x 100 (mass x coupling) grid, meson-decay channels, 5000 scalars per species, from
   the cached sample of step 1 (one process).
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from dataclasses import replace


def cpu_seconds() -> float:
    """User + system CPU time of this process and its finished children, s."""
    own, children = (
        resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


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
            cpu = []
            # a warm-up run, then N and 3N POT with their own seeds (nothing from the cache):
            # the difference of the last two removes the start-up of every call
            for seed, n in ((3, 100), (1, pot), (2, 3 * pot)):
                start = cpu_seconds()
                load_beam(BeamConfig(pot=n, facility=key), seed=seed)
                cpu.append(cpu_seconds() - start)
            cpu = cpu[1:]
            per_pot = (cpu[1] - cpu[0]) / (2 * pot)
            print(
                f"{key:8s} ({load_facility(key).production:8s}): {1e3 * per_pot:6.2f} ms CPU per "
                f"POT, start-up {max(cpu[0] - pot * per_pot, 0.0):5.1f} s; default "
                f"{default_pot} POT ~ {per_pot * default_pot / 60:5.1f} min of CPU"
            )
        run = RunConfig(
            beam=BeamConfig(pot=pot, facility="numi"),
            experiments=("nova_nd", "minerva", "icarus_numi"),
            scan=replace(ScanConfig(), n_masses=60, n_couplings=100),
            emission=replace(EmissionConfig(), channels=("kaon", "pion"), scalars_per_species=5000),
        )
        start, cpu = time.perf_counter(), cpu_seconds()
        result = reach(run, progress=False, n_workers=1)
        took, cpu = time.perf_counter() - start, cpu_seconds() - cpu
        print(
            f"NuMI reach, 3 detectors, 60 x 100, cached sample: {took:.1f} s "
            f"({cpu:.1f} s CPU, one process)"
        )
        for key, interval in result.g2_band_excluded_MeV.items():
            print(f"  {key}: {interval}")


if __name__ == "__main__":
    main()
