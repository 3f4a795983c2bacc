"""Scalars of one mass from every channel, in all directions: the paper's Fig. 4 curves.

:func:`scalar_samples` emits one scalar per parent decay (K+-, pi+- -> mu nu S) and
per dump muon (mu Fe -> mu Fe S), isotropic and not aimed at any detector, with
weights in scalars per POT per y^2; :func:`kinetic_energy_spectra` histograms
their kinetic energy at y = 1, as the paper normalises its Fig. 4.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from muphilic.emission.meson_decays import sample_decays
from muphilic.emission.muon_scattering import sample_emissions
from muphilic.events import MuonSample, ParentSample, ScalarSample

__all__ = ["kinetic_energy_spectra", "scalar_samples"]

FloatArray = NDArray[np.float64]

_CHANNEL_OF = {"K+": "kaon", "K-": "kaon", "pi+": "pion", "pi-": "pion"}


def scalar_samples(
    parents: Mapping[str, ParentSample],
    muons: MuonSample | None,
    mass: float,
    rng: np.random.Generator,
) -> dict[str, ScalarSample]:
    """Unaimed scalars of mass ``mass`` (MeV) per channel (``kaon``, ``pion``, ``muon``).

    Parents of other species are ignored; a channel closed at this mass (pions
    above m_pi - m_mu) gives an empty sample. Weights: scalars per POT per y^2.
    """
    pieces: dict[str, list[ScalarSample]] = {"kaon": [], "pion": []}
    for name, sample in parents.items():
        if name in _CHANNEL_OF:
            pieces[_CHANNEL_OF[name]].append(sample_decays(sample, mass, rng))
    out = {channel: _concatenate(mass, channel, parts) for channel, parts in pieces.items()}
    if muons is not None:
        out["muon"] = sample_emissions(muons, mass, rng)
    return out


def _concatenate(mass: float, channel: str, parts: list[ScalarSample]) -> ScalarSample:
    if not parts:
        return ScalarSample(mass, channel, np.zeros((0, 4)), np.zeros((0, 3)), np.zeros(0))
    return ScalarSample(
        mass,
        channel,
        np.concatenate([p.p4 for p in parts]),
        np.concatenate([p.vertex for p in parts]),
        np.concatenate([p.weight for p in parts]),
    )


def kinetic_energy_spectra(
    samples: Mapping[str, ScalarSample], edges: FloatArray
) -> dict[str, FloatArray]:
    """Scalars per POT in each kinetic-energy bin (``edges`` in MeV) at y = 1, per channel."""
    return {
        channel: np.histogram(s.p4[:, 0] - s.mass, bins=edges, weights=s.weight)[0]
        for channel, s in samples.items()
    }
