"""Where in the pion production phase space the embedded BNB nu_mu flux comes from, bin by bin,
against the official MiniBooNE flux (docs/validation.md, "Flux shape").

The pi+ of the embedded beam are split by their momentum p and angle theta at production into
the coverage of the HARP p-Be 8.9 GeV/c data the BNB fits rest on (0.75 <= p < 6.5 GeV/c,
30 <= theta < 210 mrad, arXiv:hep-ex/0702024) and the regions outside it; each part's flux is
given in units of the official flux of the bin, so the parts and the K+ add up to the
embedded / official ratio.

Then the official central value's spline scheme (muphilic.beamline.production.reweight) with
the HARP table replaced by the Sanford-Wang form at the bin centres: where the knots hold
the fit itself the weights are 1 inside the grid, so what moves is the scheme's extrapolation
beyond the outer knots (below 0.75 GeV/c above all). HARP's 13 momentum bin edges are not in
a public machine-readable copy: three binnings of 0.75-6.5 GeV/c show how little they matter.

    python benchmarks/flux_production_regions.py [POT]
"""

from __future__ import annotations

import os
import sys

import numpy as np

from muphilic.beamline import DEFAULT_FLUX_VOLUMES, BeamlineConfig, numu_flux, simulate
from muphilic.beamline.flux import parent_flux
from muphilic.beamline.production.bnb_fits import production_model
from muphilic.beamline.production.reweight import PionReweight
from muphilic.constants import GeV, cm2
from muphilic.events import ParentSample

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import itertools

from flux_vs_official import EDGES_GEV, REFERENCES, reference

#: HARP forward p-Be coverage (arXiv:hep-ex/0702024): momentum (GeV/c) and angle (rad).
HARP_P_GEV = (0.75, 6.5)
HARP_THETA = (0.030, 0.210)


def regions(sample) -> dict[str, np.ndarray]:
    """Masks of the pi+ rows by production region (a partition of the rows)."""
    prod = sample.produced["pi+"]
    p = np.linalg.norm(prod.p4[:, 1:], axis=1)
    theta = np.arccos(np.clip(prod.p4[:, 3] / p, -1.0, 1.0))
    p = p / GeV
    low_p = p < HARP_P_GEV[0]
    high_p = (p >= HARP_P_GEV[1]) & ~low_p
    rest = ~low_p & ~high_p
    return {
        "in HARP coverage": rest & (theta >= HARP_THETA[0]) & (theta < HARP_THETA[1]),
        "p < 0.75 GeV/c": low_p,
        "theta < 30 mrad": rest & (theta < HARP_THETA[0]),
        "theta >= 210 mrad": rest & (theta >= HARP_THETA[1]),
        "p >= 6.5 GeV/c": high_p,
    }


def decompose(sample, det: str) -> dict[str, np.ndarray]:
    """Flux of each production region of the pi+, and of the K+, over the reference flux."""
    ref, _ = reference(REFERENCES[det][1])
    points = DEFAULT_FLUX_VOLUMES[det].points(32)
    edges = EDGES_GEV * GeV

    def part(parent: ParentSample, species: str) -> np.ndarray:
        return parent_flux(parent, species, points, edges)[0] * cm2 / ref

    pi = sample.parents["pi+"]
    out = {
        name: part(ParentSample(211, pi.p4[m], pi.vertex[m], pi.weight[m]), "pi+")
        for name, m in regions(sample).items()
    }
    out["K+"] = part(sample.parents["K+"], "K+")
    out["total"] = np.sum(list(out.values()), axis=0)
    return out


#: Momentum binnings of 0.75-6.5 GeV/c in 13 bins (HARP's edges are not at hand).
BINNINGS_GEV = {
    "13 equal": np.linspace(0.75, 6.5, 14),
    "0.25 GeV/c to 3.25, then 4, 5, 6.5": np.array(
        [0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.25, 2.5, 2.75, 3.0, 3.25, 4.0, 5.0, 6.5]
    ),
    "0.75-1, then 12 equal": np.concatenate([[0.75], np.linspace(1.0, 6.5, 13)]),
}


def sanford_wang_knots(p_edges_gev: np.ndarray, p_beam: float) -> PionReweight:
    """The spline scheme with the Sanford-Wang form at the bin centres (30 mrad bins)."""
    t_edges = np.linspace(HARP_THETA[0], HARP_THETA[1], 7)
    pc = 0.5 * (p_edges_gev[1:] + p_edges_gev[:-1])
    tc = 0.5 * (t_edges[1:] + t_edges[:-1])
    values = production_model().forms["pi+"](pc[:, None], tc[None, :], p_beam / GeV)
    return PionReweight.from_grid(p_edges_gev, t_edges, values)


def main() -> None:
    pot = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    sample = simulate(pot, 20231121)
    bins = [f"{a:g}-{b:g}" for a, b in itertools.pairwise(EDGES_GEV)]
    for det in REFERENCES:
        print(f"| {det} | " + " | ".join(bins) + " |")
        print("|---" * (len(bins) + 1) + "|")
        for name, values in decompose(sample, det).items():
            print(f"| {name} | " + " | ".join(f"{v:.2f}" for v in values) + " |")
    print("\nspline scheme with Sanford-Wang knots, MiniBooNE, embedded / official:")
    ref, ref_mean = reference(REFERENCES["miniboone"][1])
    volume = DEFAULT_FLUX_VOLUMES["miniboone"]
    for name, edges in BINNINGS_GEV.items():
        reweight = sanford_wang_knots(edges, BeamlineConfig().facility.p_beam)
        rew = simulate(pot, 20231121, config=BeamlineConfig(pi_plus_reweight=reweight))
        ratio = numu_flux(rew, volume, EDGES_GEV * GeV).total / ref
        mean = numu_flux(rew, volume, np.linspace(0, 10, 201) * GeV).mean_energy / GeV
        yield_ = reweight.mean_weight(BeamlineConfig().facility.p_beam)
        print(
            f"| {name} | pi+ yield x{yield_:.2f} | "
            + " | ".join(f"{v:.2f}" for v in ratio)
            + f" | {mean:.3f} vs {ref_mean:.3f} GeV |"
        )


if __name__ == "__main__":
    main()
