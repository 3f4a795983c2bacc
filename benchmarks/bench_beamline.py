"""Speed and headline numbers of the embedded BNB simulation.

Run: ``python benchmarks/bench_beamline.py [POT]`` (default 1e6 POT). Prints the
simulated POT per second (target: 1e6 POT in under a minute on one core) and the
numbers checked against published values: mesons and muons per POT, the nu_mu
flux at MiniBooNE (total, mean energy) and the K+ share above 2 GeV.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from muphilic.beamline import DEFAULT_FLUX_VOLUMES, numu_flux, simulate
from muphilic.beamline.summary import pipe_decays_per_pot
from muphilic.constants import GeV


def main(pot: int = 1_000_000, seed: int = 1) -> None:
    simulate(1000, 0)  # build the cached sampling tables once
    start = time.perf_counter()
    sample = simulate(pot, seed)
    elapsed = time.perf_counter() - start
    print(f"simulate({pot:.3g} POT): {elapsed:.1f} s  ->  {pot / elapsed:.3g} POT/s")
    print("produced per POT:", {k: round(v, 5) for k, v in sample.produced_per_pot.items()})
    print(
        "decays per POT:  ",
        {k: round(float(np.sum(p.weight)), 5) for k, p in sample.parents.items()},
    )
    print("  in the pipe:   ", {k: round(v, 5) for k, v in pipe_decays_per_pot(sample).items()})
    charged_k = sample.produced_per_pot["K+"] + sample.produced_per_pot["K-"]
    print(f"charged kaons per POT: {charged_k:.4f}")
    print(
        f"muons per POT: produced {sample.muons_produced_per_pot:.4f}, "
        f"to the dump {np.sum(sample.muons.weight):.4f}"
    )
    edges = np.linspace(0.0, 10.0, 201) * GeV
    centres = 0.5 * (edges[1:] + edges[:-1])
    for name, volume in DEFAULT_FLUX_VOLUMES.items():
        t0 = time.perf_counter()
        res = numu_flux(sample, volume, edges)
        high = centres > 2 * GeV
        k_share = np.sum(res.per_parent["K+"][high]) / np.sum(res.total[high])
        print(
            f"nu_mu flux at {name:10s}: {res.integral:.3e} /cm2/POT, <E> = "
            f"{res.mean_energy / GeV:.3f} GeV, K+ share above 2 GeV {k_share:.2f}, "
            f"K+ share overall {np.sum(res.per_parent['K+']) / res.integral:.3f} "
            f"({time.perf_counter() - t0:.1f} s)"
        )


if __name__ == "__main__":
    main(int(float(sys.argv[1])) if len(sys.argv) > 1 else 1_000_000)
