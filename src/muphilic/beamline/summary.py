"""Summary numbers and the Fig. 4-style spectra plot of a beamline sample."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from muphilic.beamline.flux import DEFAULT_FLUX_VOLUMES, Box, Sphere, numu_flux
from muphilic.beamline.simulate import BeamSample
from muphilic.constants import GeV, MeV, mm
from muphilic.files import save_figure

__all__ = ["DEFAULT_FLUX_EDGES", "beam_summary", "pipe_decays_per_pot", "plot_beam"]

#: Neutrino-energy bins of the summary: 0-10 GeV in 50 MeV (MiniBooNE's binning).
DEFAULT_FLUX_EDGES = np.linspace(0.0, 10.0, 201) * GeV

#: Start of the decay pipe proper (end of the collimator), mm.
_PIPE_START_Z = 5203.6 * mm


def pipe_decays_per_pot(sample: BeamSample, z_min: float = _PIPE_START_Z) -> dict[str, float]:
    """Decays per POT with the vertex downstream of ``z_min`` (default: the pipe)."""
    return {
        name: float(np.sum(p.weight[p.vertex[:, 2] >= z_min])) for name, p in sample.parents.items()
    }


def beam_summary(
    sample: BeamSample,
    detectors: Mapping[str, Sphere | Box] = DEFAULT_FLUX_VOLUMES,
    edges: np.ndarray | None = None,
) -> dict[str, object]:
    """The JSON summary of ``muphilic beam`` (plain Python types).

    Structure::

        {"pot": N, "facility": name, "production": backend and model,
         "produced_per_pot": {"pi+", "pi-", "K+", "K-", "K0L"},
         "decays_per_pot": {"pi+", "pi-", "K+", "K-"},
         "muons_per_pot": {"produced", "to_dump"},
         "numu_flux": {<detector>: {"edges_GeV": [...], "per_cm2_per_pot": [...],
                                    "total_per_cm2_per_pot": ...}}}

    ``per_cm2_per_pot`` is the nu_mu flux in each bin (not divided by the bin
    width); the total is the flux integrated over all energies.
    """
    edges = DEFAULT_FLUX_EDGES if edges is None else np.asarray(edges, dtype=float)
    flux: dict[str, object] = {}
    for name, volume in detectors.items():
        res = numu_flux(sample, volume, edges)
        # no pi+ or K+ in the sample: no parent contributes and the flux is zero
        per_bin = np.broadcast_to(res.total, (edges.size - 1,))
        flux[name] = {
            "edges_GeV": [float(e) for e in edges / GeV],
            "per_cm2_per_pot": [float(v) for v in per_bin],
            "total_per_cm2_per_pot": float(res.integral),
        }
    return {
        "pot": int(sample.pot),
        "facility": sample.facility,
        "production": sample.production,
        "produced_per_pot": {k: float(v) for k, v in sample.produced_per_pot.items()},
        "decays_per_pot": {k: float(np.sum(p.weight)) for k, p in sample.parents.items()},
        "muons_per_pot": {
            "produced": float(sample.muons_produced_per_pot),
            "to_dump": float(np.sum(sample.muons.weight)),
        },
        "numu_flux": flux,
    }


def _title(sample: BeamSample) -> str:
    """'NuMI, SIBYLL 2.3d, 2e+05 POT': the facility and the production model of a sample."""
    model = re.split(r" \(|:", sample.production)[0]  # "SIBYLL 2.3d", "bnb-fits"
    source = ", ".join(x for x in (sample.facility or "beam sample", model) if x)
    return f"{source}, {sample.pot:.2g} POT"


def plot_beam(
    sample: BeamSample,
    path: str | Path,
    mass: float | None = None,
    scalars: Mapping[str, tuple[np.ndarray, np.ndarray]] | None = None,
) -> Path:
    """Energy spectra of produced pi+-, K+- and of the muons reaching the dump (Fig. 4 style).

    A sample without the optional production tables (``sample.produced``) gets
    the muon curve only, and the figure says that production is missing.

    Parameters
    ----------
    sample : BeamSample
    path : str or Path
        Output file; the format follows the extension (.png, .pdf, ...).
    mass : float, optional
        Scalar mass (MeV) of the ``scalars`` curves, quoted in the legend.
    scalars : mapping, optional
        Channel (``"kaon"``, ``"pion"``, ``"muon"``) -> (kinetic energies (N,),
        weights (N,)) of scalars at y = 1, MeV and per POT (made by the emission
        stage: :func:`muphilic.emission.spectra.scalar_samples`); drawn as the
        paper's light curves.

    Returns
    -------
    Path
        The file written.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    bins = np.linspace(0.0, 8.0, 81) * GeV
    width = np.diff(bins) / GeV
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    series = [
        ("pi", ("pi+", "pi-"), "darkgreen", r"$\pi^\pm$ produced"),
        ("K", ("K+", "K-"), "darkblue", r"$K^\pm$ produced"),
    ]
    curves = []
    for _, names, colour, label in series:
        tables = [sample.produced[n] for n in names if n in sample.produced]
        if sum(len(t) for t in tables) == 0:
            continue
        e = np.concatenate([t.p4[:, 0] for t in tables])
        w = np.concatenate([t.weight for t in tables])
        curves.append(np.histogram(e, bins=bins, weights=w)[0] / width)
        ax.stairs(curves[-1], bins / GeV, color=colour, label=label)
    if not curves:
        note = "no production tables in this sample"
        ax.text(0.98, 0.88, note, transform=ax.transAxes, ha="right", va="top", color="grey")
    curves.append(
        np.histogram(sample.muons.p4[:, 0], bins=bins, weights=sample.muons.weight)[0] / width
    )
    ax.stairs(curves[-1], bins / GeV, color="darkred", label=r"$\mu^\pm$ at the dump")
    colours = {"pion": "lightgreen", "kaon": "lightskyblue", "muon": "orange"}
    words = {"pion": r"$\pi$ decays", "kaon": r"$K$ decays", "muon": "dump muons"}
    for channel, (kinetic, weight) in (scalars or {}).items():
        if len(kinetic) == 0:
            continue
        curves.append(np.histogram(kinetic, bins=bins, weights=weight)[0] / width)
        label = f"S from {words.get(channel, channel)} (y = 1)"
        ax.stairs(curves[-1], bins / GeV, color=colours.get(channel, "grey"), label=label)
    if any(np.any(c > 0) for c in curves):  # a log axis needs a positive value
        ax.set_yscale("log")
    ax.set_xlabel("Energy [GeV]")
    ax.set_ylabel("Particles / GeV / POT")
    title = _title(sample)
    if scalars and mass is not None:
        title += f"; scalars of $m_S$ = {mass / MeV:g} MeV"
    ax.set_title(title, fontsize=10)
    if scalars:
        ax.set_xlabel("Energy (kinetic, for S) [GeV]")
    ax.legend(frameon=False, loc="upper right", fontsize=7, ncols=2 if scalars else 1)
    fig.tight_layout()
    save_figure(fig, path)
    plt.close(fig)
    return path
