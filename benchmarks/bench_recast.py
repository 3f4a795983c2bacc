"""Benchmarks of the recast stage (run: ``python benchmarks/bench_recast.py``).

1. Scan wall time vs grid size (masses x couplings) for the paper's statistics
   and the profile likelihood, synchronous and with a local dask cluster, with
   the closed-form toy signal of :mod:`muphilic.recast.synthetic` (so only the
   recast itself is timed).
2. Contour extraction and g-2 band range time.
3. The paper's statistic against the profile likelihood ratio: the number of
   signal events of a Gaussian m_gg line needed for a 5 sigma exclusion.

Options: ``--quick`` (smaller grids), ``--no-dask``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from muphilic.constants import MeV, cm2, m
from muphilic.g2 import G2_2023
from muphilic.recast.contours import band_excluded_range, exclusion_contour
from muphilic.recast.scan import scan
from muphilic.recast.spectra import gaussian_peak_fractions, microboone_ncpi0_0p, miniboone_ncpi0
from muphilic.recast.statistics import statistic_for
from muphilic.recast.synthetic import ToySignal

#: An illustrative nu_mu flux at MicroBooNE for the modelled background, per cm^2
#: per POT (the BNB flux at MiniBooNE, 5.2e-10, scaled by (541/470)^2); the real
#: value comes from the package's beamline.
TOY_FLUX_MICROBOONE = 6.9e-10 / cm2


def _time(fn, *args, repeat: int = 1, **kwargs) -> tuple[float, object]:
    best = np.inf
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn(*args, **kwargs)
        best = min(best, time.perf_counter() - t0)
    return best, out


def bench_scan(quick: bool, use_dask: bool) -> None:
    mb = miniboone_ncpi0()
    ub = microboone_ncpi0_0p(TOY_FLUX_MICROBOONE)
    sizes = [(60, 100), (120, 200)] if quick else [(60, 100), (120, 200), (240, 400)]
    print("scan wall time [s] (synchronous, one process)")
    print(f"{'grid':>10} {'MB Eq.(7)':>10} {'uB Eq.(8)':>10} {'MB PLR':>10} {'uB PLR':>10}")
    for n_m, n_y in sizes:
        masses = np.geomspace(1.0, 210.0, n_m) * MeV
        ys = np.geomspace(1e-7, 1e-1, n_y)
        row = []
        for stat in ("paper", "likelihood"):
            for spec, baseline, amp in ((mb, 541 * m, 3e12), (ub, 470 * m, 3e11)):
                toy = ToySignal(tuple(spec.edges_MeV), tuple(ys), amplitude=amp, baseline=baseline)
                t, _ = _time(scan, masses, ys, toy, spec, stat, progress=False)
                row.append(t)
        print(f"{n_m:>4}x{n_y:<5} " + " ".join(f"{t:10.3f}" for t in row))
    if use_dask:
        print("scan wall time [s] with a local dask cluster of 2 worker processes (incl. start-up)")
        for n_m, n_y in sizes:
            masses = np.geomspace(1.0, 210.0, n_m) * MeV
            ys = np.geomspace(1e-7, 1e-1, n_y)
            toy = ToySignal(tuple(mb.edges_MeV), tuple(ys), amplitude=3e12)
            t_paper, _ = _time(scan, masses, ys, toy, mb, "paper", n_workers=2, progress=False)
            t_plr, _ = _time(scan, masses, ys, toy, mb, "likelihood", n_workers=2, progress=False)
            print(f"{n_m:>4}x{n_y:<5} MB Eq.(7) {t_paper:8.3f}   MB PLR {t_plr:8.3f}")


def bench_contours() -> None:
    mb = miniboone_ncpi0()
    masses = np.geomspace(1.0, 210.0, 60) * MeV
    ys = np.geomspace(1e-7, 1e-1, 100)
    toy = ToySignal(tuple(mb.edges_MeV), tuple(ys), amplitude=3e12)
    result = scan(masses, ys, toy, mb, "paper", progress=False)
    t_c, contour = _time(exclusion_contour, result, repeat=5)
    t_b, rng = _time(band_excluded_range, result, G2_2023.favoured_band, repeat=3)
    n_pts = sum(len(s) for s in contour.segments)
    print(f"contour extraction (60x100): {1e3 * t_c:.2f} ms, {n_pts} points")
    print(f"g-2 band range (2000 masses x 200 couplings): {1e3 * t_b:.1f} ms -> {rng}")


def _events_for_exclusion(spec, stat_name: str, mass_MeV: float, resolution: float) -> float:
    """Signal events (all bins) of a Gaussian line needed for Z = 5."""
    totals = np.geomspace(1e-1, 1e5, 600)
    shape = gaussian_peak_fractions(spec.edges_MeV, mass_MeV, resolution)
    sig = np.outer(totals, shape)
    win = spec.window_slice()
    z = statistic_for(spec, stat_name).evaluate(spec.in_window(), sig[:, win]).significance
    above = np.flatnonzero(z >= 5.0)
    if above.size == 0:
        return np.nan
    i = above[0]
    if i == 0:
        return float(totals[0])
    # log-linear interpolation of the crossing
    f = (5.0 - z[i - 1]) / (z[i] - z[i - 1])
    return float(np.exp(np.log(totals[i - 1]) + f * np.log(totals[i] / totals[i - 1])))


def compare_statistics() -> None:
    mb = miniboone_ncpi0()
    ub = microboone_ncpi0_0p(TOY_FLUX_MICROBOONE)
    print("signal events (whole line) needed for a 5 sigma exclusion")
    print(f"{'experiment':>11} {'m_S':>5} {'paper chi2':>11} {'PLR q_1':>9} {'ratio':>6}")
    for spec, res, masses in ((mb, 0.15, (40, 60, 80, 110)), (ub, 0.33, (20, 40, 60, 90))):
        paper = spec.paper_statistic
        for mass in masses:
            n_paper = _events_for_exclusion(spec, paper, mass, res)
            n_plr = _events_for_exclusion(spec, "likelihood", mass, res)
            print(
                f"{spec.name:>11} {mass:5.0f} {n_paper:11.1f} {n_plr:9.1f} {n_paper / n_plr:6.2f}"
            )
    n_mb = mb.in_window().n_bins
    n_ub = ub.in_window().n_bins
    print(
        f"(paper: chi2 of s+b with {n_mb} / {n_ub} dof must pass the 5 sigma point of chi2(ndof); "
        "PLR: sqrt(q_1) >= 5 with a 15.8 % normalisation nuisance for MiniBooNE, none for "
        "MicroBooNE)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-dask", action="store_true")
    args = parser.parse_args()
    bench_scan(args.quick, not args.no_dask)
    bench_contours()
    compare_statistics()


if __name__ == "__main__":
    main()
