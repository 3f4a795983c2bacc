"""The signal chain for one scalar mass and one detector.

beam sample -> scalars aimed at the detector (meson decays, muon scattering)
-> expected m_gg spectrum for a whole grid of couplings
(:func:`muphilic.detectors.signal_spectrum`).

Every scalar is sent toward the detector's bounding sphere with an exact
forced-direction weight, so no scalar is wasted on directions that miss it.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from muphilic.detectors import Detector, SignalSpectrum, signal_spectrum
from muphilic.emission.meson_decays import aim_decays
from muphilic.emission.muon_scattering import aim_emissions
from muphilic.errors import MuphilicError
from muphilic.events import MuonSample, ParentSample, ScalarSample

__all__ = ["CHANNEL_SPECIES", "SignalSettings", "aimed_scalars", "expected_signal", "rng_for"]

#: Which beamline species feed which meson-decay channel.
CHANNEL_SPECIES: dict[str, tuple[str, ...]] = {"kaon": ("K+", "K-"), "pion": ("pi+", "pi-")}


@dataclass(frozen=True)
class SignalSettings:
    """How the signal is sampled.

    Attributes
    ----------
    channels : tuple of str
        Any of ``"kaon"``, ``"pion"``, ``"muon"``.
    scalars_per_channel : int
        At most this many aimed scalars per channel and species: one per
        parent meson (or dump muon) of the beam sample, from a uniform random
        subset of the parents (weights scaled up) when the sample has more.
        Each parent is used once, so the weights' sum of squares is an honest
        estimate of the Monte Carlo error, beam-sample statistics included.
    seed : int
        Base seed; each (mass, detector) draws from its own stream.
    """

    channels: tuple[str, ...] = ("kaon", "pion", "muon")
    scalars_per_channel: int = 100_000
    seed: int = 20231121


def rng_for(seed: int, mass: float, detector: str) -> np.random.Generator:
    """An independent, reproducible random stream for one (mass, detector).

    It depends only on the seed, the mass (to 1 eV) and the detector name, so a
    scan gives the same numbers whatever order or machine computes each point.
    """
    key = [int(seed), round(mass * 1e6), zlib.crc32(detector.encode())]
    return np.random.default_rng(np.random.SeedSequence(key))


def _subsample(
    n_available: int, n_wanted: int, rng: np.random.Generator
) -> NDArray[np.intp] | None:
    """Indices of a uniform random subset of size ``n_wanted`` (None: keep all)."""
    if n_available <= n_wanted:
        return None
    return np.sort(rng.choice(n_available, size=n_wanted, replace=False))


def _parents_subset(parents: ParentSample, n_wanted: int, rng: np.random.Generator) -> ParentSample:
    keep = _subsample(len(parents), n_wanted, rng)
    if keep is None:
        return parents
    scale = len(parents) / keep.size
    return ParentSample(
        parents.pdgid, parents.p4[keep], parents.vertex[keep], parents.weight[keep] * scale
    )


def _muons_subset(muons: MuonSample, n_wanted: int, rng: np.random.Generator) -> MuonSample:
    keep = _subsample(len(muons), n_wanted, rng)
    if keep is None:
        return muons
    scale = len(muons) / keep.size
    return MuonSample(
        muons.p4[keep], muons.position[keep], muons.weight[keep] * scale, muons.charge[keep]
    )


def aimed_scalars(
    parents: dict[str, ParentSample],
    muons: MuonSample | None,
    mass: float,
    detector: Detector,
    settings: SignalSettings,
    rng: np.random.Generator,
) -> list[ScalarSample]:
    """Scalars of mass ``mass`` (MeV) from every requested channel, aimed at ``detector``.

    Parameters
    ----------
    parents : dict
        Decaying mesons keyed ``"K+"``, ``"K-"``, ``"pi+"``, ``"pi-"`` (missing keys
        contribute nothing).
    muons : MuonSample or None
        Muons entering the dump (needed for the ``"muon"`` channel).
    mass : float
        m_S, MeV.
    detector : Detector
        Where to aim (its bounding sphere).
    settings : SignalSettings
        Channels and statistics.
    rng : numpy.random.Generator
        Random stream.
    """
    centre, radius = detector.bounding_sphere()
    samples: list[ScalarSample] = []
    for channel in settings.channels:
        if channel == "muon":
            if muons is None:
                raise MuphilicError("the 'muon' channel needs a muon sample from the beamline")
            if len(muons) == 0:
                continue
            source = _muons_subset(muons, settings.scalars_per_channel, rng)
            samples.append(aim_emissions(source, mass, centre, radius, rng))
            continue
        if channel not in CHANNEL_SPECIES:
            raise MuphilicError(f"unknown channel {channel!r}; use kaon, pion or muon")
        for species in CHANNEL_SPECIES[channel]:
            sample = parents.get(species)
            if sample is None or len(sample) == 0:
                continue
            source = _parents_subset(sample, settings.scalars_per_channel, rng)
            samples.append(aim_decays(source, mass, centre, radius, rng))
    return samples


def expected_signal(
    parents: dict[str, ParentSample],
    muons: MuonSample | None,
    mass: float,
    detector: Detector,
    couplings: ArrayLike,
    settings: SignalSettings | None = None,
) -> SignalSpectrum:
    """Expected signal in ``detector``'s analysis bins for every coupling.

    Parameters
    ----------
    parents, muons
        The beam sample (see :func:`aimed_scalars`).
    mass : float
        m_S, MeV.
    detector : Detector
        Geometry, POT, efficiency, resolution, bins and cuts.
    couplings : (K,) array_like
        Couplings y.
    settings : SignalSettings, optional
        Channels, statistics and seed.

    Returns
    -------
    SignalSpectrum
        Events per bin for the detector's POT, by channel, with MC errors.
    """
    settings = settings or SignalSettings()
    rng = rng_for(settings.seed, mass, detector.name)
    samples = aimed_scalars(parents, muons, mass, detector, settings, rng)
    return signal_spectrum(_nonempty(samples, mass), detector, couplings)


def _nonempty(samples: Iterable[ScalarSample], mass: float) -> Sequence[ScalarSample]:
    kept = [s for s in samples if len(s) > 0]
    if kept:
        return kept
    empty = np.zeros((0, 4))
    return [ScalarSample(mass, "kaon", empty, np.zeros((0, 3)), np.zeros(0))]
