"""Cost of ``muphilic reach --band`` against a plain ``reach``, and of each kind of variation.

Run by hand::

    python benchmarks/bench_bands.py                 # docs/examples/small.toml-sized run
    python benchmarks/bench_bands.py --defaults      # the default run (minutes)

The beam sample is built (or read from the cache) first and shared, so the times are
those of the scans and bands alone. Prints the plain run's seconds, the band run's, and
the band run with only the Monte Carlo replicas, only the detection variations
(efficiency, resolution, track-mass reading: the scalars of the central curve reused)
and only the emission variation (dE/dx: the scalars re-aimed), each as a multiple of
the plain run, with the median Monte Carlo width of each contour.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

from muphilic.beamline import load_beam
from muphilic.config import BandConfig, BeamConfig, EmissionConfig, RunConfig, ScanConfig
from muphilic.pipeline import reach

#: docs/examples/small.toml
SMALL = RunConfig(
    beam=BeamConfig(pot=2000),
    scan=ScanConfig(n_masses=6, n_couplings=30),
    emission=EmissionConfig(scalars_per_species=2000),
)

DETECTION = (
    "efficiency_up",
    "efficiency_down",
    "resolution_up",
    "resolution_down",
    "track_mass_truth",
)


def _timed(config: RunConfig, beam: object) -> tuple[float, object]:
    start = time.process_time()
    result = reach(config, beam=beam, progress=False)
    return time.process_time() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--defaults", action="store_true", help="time the default run")
    parser.add_argument("--replicas", type=int, default=10, help="Monte Carlo replicas")
    args = parser.parse_args()
    base = RunConfig() if args.defaults else SMALL
    beam = load_beam(base.beam, seed=base.seed)
    plain, _ = _timed(base, beam)
    print(f"plain reach: {plain:.1f} s")
    cases = {
        "--band (defaults)": BandConfig(enabled=True, replicas=args.replicas),
        "MC replicas only": BandConfig(
            enabled=True, replicas=args.replicas, variations=("efficiency_up",)
        ),
        "+ detection variations": BandConfig(
            enabled=True, replicas=args.replicas, variations=DETECTION
        ),
        "+ dE/dx (emission)": BandConfig(
            enabled=True, replicas=args.replicas, variations=("efficiency_up", "dedx_bethe")
        ),
    }
    for label, band in cases.items():
        seconds, result = _timed(replace(base, band=band), beam)
        widths = ", ".join(
            f"{key} {100 * (b.median_mc_relative_width() or float('nan')):.2g} %"
            for key, b in result.bands.items()
        )
        print(f"{label:24s} {seconds:7.1f} s = {seconds / plain:4.1f} x plain  MC width: {widths}")


if __name__ == "__main__":
    main()
