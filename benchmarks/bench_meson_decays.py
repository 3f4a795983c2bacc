"""Speed and figures of K/pi -> mu nu S emission.

Run: ``python benchmarks/bench_meson_decays.py``. Prints BR(M -> mu nu S)/y^2 at the
masses of the issue, the time to tabulate the branching ratio on a fine grid, and
the sampler's speed (scalars per second on one core), isotropic and aimed at a
MiniBooNE-like sphere (5 m radius, 500 m downstream), with the aimed efficiency.
"""

from __future__ import annotations

import time

import numpy as np

from muphilic.constants import GeV, MeV, m, m_K, m_pi, mm
from muphilic.emission.meson_decays import (
    aim_decays,
    branching_ratio,
    sample_decays,
)
from muphilic.events import ParentSample


def _parents(pdgid: int, n: int, rng: np.random.Generator) -> ParentSample:
    mass = m_K if abs(pdgid) == 321 else m_pi
    p = rng.uniform(0.5, 5.0, n) * GeV
    tx, ty = rng.normal(0.0, 0.03, (2, n))
    d = np.column_stack((tx, ty, np.ones(n)))
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    p4 = np.column_stack((np.sqrt(p**2 + mass**2), p[:, None] * d))
    vertex = np.column_stack((rng.normal(0, 100 * mm, (n, 2)), rng.uniform(0, 50 * m, n)))
    return ParentSample(pdgid, p4, vertex, np.full(n, 1e-3))


def _best_rate(fn, n: int, repeat: int = 3) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return n / best


def main() -> None:
    masses = np.array([2, 10, 20, 30, 40, 60, 100, 200]) * MeV
    print("m_S [MeV]   BR(K->mu nu S)/y^2   BR(pi->mu nu S)/y^2")
    for ms, bk, bp in zip(
        masses, branching_ratio("kaon", masses), branching_ratio("pion", masses), strict=True
    ):
        print(f"{ms / MeV:8.1f}   {bk:18.6e}   {bp:18.6e}")

    grid = np.linspace(0.01, 400.0, 100_000) * MeV
    t0 = time.perf_counter()
    branching_ratio("kaon", grid)
    print(f"\nBR on 1e5 masses: {time.perf_counter() - t0:.3f} s")

    rng = np.random.default_rng(1)
    n = 200_000
    centre, radius = np.array([0.0, 0.0, 500 * m]), 5 * m
    print(f"\nsampler, {n} parents per call, best of 3 (scalars / s):")
    for pdgid, ms in ((321, 20 * MeV), (321, 200 * MeV), (211, 10 * MeV), (211, 30 * MeV)):
        parents = _parents(pdgid, n, rng)
        iso = _best_rate(lambda p=parents, s=ms: sample_decays(p, s, rng), n)
        aim = _best_rate(lambda p=parents, s=ms: aim_decays(p, s, centre, radius, rng), n)
        aimed = aim_decays(parents, ms, centre, radius, rng)
        d = centre[None, :] - aimed.vertex
        along = np.sum(d * aimed.direction, axis=1)
        hit = (along > 0) & (np.sum(d * d, axis=1) - along**2 <= radius**2)
        w = aimed.weight
        n_eff = w[hit].sum() ** 2 / np.sum(w[hit] ** 2)
        print(
            f"  {'K' if pdgid == 321 else 'pi'} m_S = {ms / MeV:5.1f} MeV: isotropic {iso:10.3e}, "
            f"aimed {aim:10.3e};  aimed rays hitting the sphere {hit.mean():.2f}, "
            f"relative error of the yield {1 / np.sqrt(n_eff):.2%}"
        )


if __name__ == "__main__":
    main()
