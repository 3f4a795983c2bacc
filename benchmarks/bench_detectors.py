"""Speed of the detection stage: a 100-coupling spectrum grid from 1e5 scalars.

Run: ``python benchmarks/bench_detectors.py``. Prints the best wall time of a
few repetitions per detector (target: well under a second) and the parts.
"""

from __future__ import annotations

import time

import numpy as np

from muphilic.constants import m
from muphilic.detectors import MICROBOONE, MINIBOONE, SBND, ray_intervals, signal_spectrum
from muphilic.detectors.decay import decay_probability_grid
from muphilic.events import ScalarSample
from muphilic.scalar import ctau

N_SCALARS = 100_000
N_COUPLINGS = 100


def aimed_sample(detector, mass: float, channel: str, rng: np.random.Generator) -> ScalarSample:
    """Synthetic scalars from the decay pipe, all aimed into the detector's bounding sphere."""
    vertex = np.column_stack(
        [
            rng.normal(0, 300.0, N_SCALARS),
            rng.normal(0, 300.0, N_SCALARS),
            rng.uniform(0, 50 * m, N_SCALARS),
        ]
    )
    centre, radius = detector.bounding_sphere()
    target = centre + rng.uniform(-radius, radius, (N_SCALARS, 3)) / np.sqrt(3)
    direction = target - vertex
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    energy = mass + rng.exponential(800.0, N_SCALARS)
    p = np.sqrt(energy**2 - mass**2)
    p4 = np.column_stack([energy, p[:, None] * direction])
    return ScalarSample(mass, channel, p4, vertex, rng.uniform(0.5, 1.5, N_SCALARS) * 1e-12)


def best_of(function, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    rng = np.random.default_rng(2024)
    couplings = np.logspace(-5, -2, N_COUPLINGS)
    mass = 40.0
    print(f"{N_COUPLINGS} couplings x {N_SCALARS:.0e} scalars, m_S = {mass} MeV")
    for detector in (MINIBOONE, MICROBOONE, SBND):
        sample = aimed_sample(detector, mass, "kaon", rng)
        t_total = best_of(lambda s=sample, d=detector: signal_spectrum([s], d, couplings))
        t_rays = best_of(lambda s=sample, d=detector: ray_intervals(d, s.vertex, s.p4[:, 1:]))
        l_in, l_out = ray_intervals(detector, sample.vertex, sample.p4[:, 1:])
        hit = l_out > l_in
        args = (l_in[hit], l_out[hit], sample.beta_gamma[hit] * float(ctau(mass, 1.0)), couplings)
        t_decay = best_of(lambda a=args: decay_probability_grid(*a))
        spec = signal_spectrum([sample], detector, couplings)
        k = int(np.argmax(spec.total))
        print(
            f"  {detector.name:<10s} signal_spectrum {t_total * 1e3:7.1f} ms "
            f"(rays {t_rays * 1e3:5.1f} ms, decay grid {t_decay * 1e3:6.1f} ms); "
            f"hits {hit.mean():.3f}; max total {spec.total[k]:.3g} at y = {couplings[k]:.3g} "
            f"(MC rel. error {spec.mc_rel_error[k]:.4f})"
        )


if __name__ == "__main__":
    main()
