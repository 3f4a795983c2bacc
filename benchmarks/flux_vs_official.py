"""The embedded BNB nu_mu flux against the official MiniBooNE flux (arXiv:0806.1449 release)
and MicroBooNE's published flux, bin by bin from 0 to 5 GeV; writes a figure.

    python benchmarks/flux_vs_official.py [POT] [FIGURE]
"""

from __future__ import annotations

import sys
from dataclasses import replace

import matplotlib.pyplot as plt
import numpy as np

from muphilic.beamline import (
    DEFAULT_FLUX_VOLUMES,
    BeamlineConfig,
    Facility,
    load_facility,
    numu_flux,
    simulate,
)
from muphilic.beamline.production.reweight import PionReweight
from muphilic.constants import GeV
from muphilic.data import data_file

EDGES_GEV = np.array([0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3, 4, 5])
REFERENCES = {
    "miniboone": ("MiniBooNE (541 m), official", "miniboone_bnb_numu_flux.csv"),
    "microboone": ("MicroBooNE (470 m), published", "microboone_bnb_numu_flux.csv"),
}


def reference(name: str) -> tuple[np.ndarray, float]:
    """The reference flux in EDGES_GEV bins and its mean energy (GeV)."""
    ref = np.loadtxt(data_file("beamline", name), delimiter=",", skiprows=5)
    centre = 0.5 * (ref[:, 0] + ref[:, 1])
    idx = np.digitize(centre, EDGES_GEV) - 1
    binned = np.array([ref[idx == i, 2].sum() for i in range(len(EDGES_GEV) - 1)])
    return binned, float(np.sum(centre * ref[:, 2]) / ref[:, 2].sum())


def bare_bnb() -> Facility:
    """The BNB without the mesons' transport in matter: no target sleeve and fins, no field
    in the inner conductor (with ``meson_energy_loss=False``: the model before them)."""
    bnb = load_facility("bnb")
    return replace(
        bnb,
        target=replace(bnb.target, sleeve=None, fins=None),
        horns=tuple(replace(h, skin_depth=0.0) for h in bnb.horns),
    )


def compare(pot: int, seed: int = 20231121, **config: object) -> dict[str, dict[str, object]]:
    """Per-bin ratio embedded / reference and the mean energies, per detector."""
    sample = simulate(pot, seed, config=BeamlineConfig(**config))
    out = {}
    for det, (_, fname) in REFERENCES.items():
        ref, ref_mean = reference(fname)
        ours = numu_flux(sample, DEFAULT_FLUX_VOLUMES[det], EDGES_GEV * GeV)
        fine = numu_flux(sample, DEFAULT_FLUX_VOLUMES[det], np.linspace(0, 10, 201) * GeV)
        out[det] = {
            "ratio": ours.total / ref,
            "mean_GeV": fine.mean_energy / GeV,
            "ref_mean_GeV": ref_mean,
        }
    return out


def main() -> None:
    pot = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    figure = sys.argv[2] if len(sys.argv) > 2 else "bnb_flux_vs_official.png"
    runs = {
        "before the mesons' transport in matter": compare(
            pot, facility=bare_bnb(), meson_energy_loss=False
        ),
        "default": compare(pot),
        "default + official pi+ extrapolation (sanford-wang-knots)": compare(
            pot, pi_plus_reweight=PionReweight.sanford_wang_knots(BeamlineConfig().p_beam)
        ),
    }
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    for ax, (det, (label, _)) in zip(axes, REFERENCES.items(), strict=True):
        for name, run in runs.items():
            r = run[det]
            ax.step(EDGES_GEV, np.append(r["ratio"], r["ratio"][-1]), where="post", label=name)
            print(f"{det:10s} {name:58s}", " ".join(f"{x:.2f}" for x in r["ratio"]))
            print(f"{'':10s} mean {r['mean_GeV']:.3f} GeV vs {r['ref_mean_GeV']:.3f} GeV")
        ax.axhspan(0.8, 1.2, color="0.9", zorder=0)
        ax.axhline(1.0, color="k", lw=0.8)
        ax.set_xlabel("E_nu [GeV]")
        ax.set_title(label, fontsize=10)
        ax.set_xlim(0, 5)
    axes[0].set_ylabel("embedded / reference nu_mu flux")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(figure, dpi=110)


if __name__ == "__main__":
    main()
