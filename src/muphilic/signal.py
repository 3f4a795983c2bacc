"""The signal chain for one scalar mass and one detector.

beam sample -> scalars aimed at the detector (meson decays, muon scattering)
-> expected m_gg spectrum for a whole grid of couplings
(:func:`muphilic.detectors.signal_spectrum`).

Every scalar is sent toward the detector's bounding sphere with an exact
forced-direction weight, so no scalar is wasted on directions that miss it.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from muphilic.beamline.muons import EnergyLoss
from muphilic.constants import m
from muphilic.detectors import Detector, SignalSpectrum
from muphilic.detectors.spectrum import signal_spectrum_function
from muphilic.emission.form_factors import DEFAULT_FORM_FACTOR
from muphilic.emission.meson_decays import aim_decays
from muphilic.emission.muon_scattering import aim_emissions
from muphilic.errors import MuphilicError
from muphilic.events import MuonSample, ParentSample, ScalarSample

__all__ = [
    "CHANNEL_SPECIES",
    "SignalSettings",
    "aimed_scalars",
    "aiming_sphere",
    "aiming_spheres",
    "expected_signal",
    "rng_for",
    "signal_function",
]

FloatArray = NDArray[np.float64]

#: Longer than any muon's path in the iron dump (an 8 GeV muon ranges out in 5 m at
#: 16 MeV/cm, in about 7 m with the Bethe-Bloch loss).
_MAX_MUON_PATH = 10.0 * m

#: Which beamline species feed which meson-decay channel.
CHANNEL_SPECIES: dict[str, tuple[str, ...]] = {"kaon": ("K+", "K-"), "pion": ("pi+", "pi-")}


@dataclass(frozen=True)
class SignalSettings:
    """How the signal is sampled.

    Attributes
    ----------
    channels : tuple of str
        Any of ``"kaon"``, ``"pion"``, ``"muon"``.
    scalars_per_species : int
        At most this many aimed scalars per species (K+, K-, pi+, pi-, dump muons): one per
        parent meson (or dump muon) of the beam sample, from a uniform random
        subset of the parents (weights scaled up) when the sample has more.
        Each parent is used once, so the weights' sum of squares is an honest
        estimate of the Monte Carlo error, beam-sample statistics included.
    seed : int
        Base seed; each (mass, detector) draws from its own stream.
    energy_loss : {"constant", "bethe"}
        Muon energy loss in the iron dump: the paper's constant 16 MeV/cm, or
        Bethe-Bloch (:class:`muphilic.beamline.EnergyLoss`).
    muon_multiple_scattering : bool
        Turn each dump muon to its direction at the emission point
        (:func:`muphilic.beamline.dump_scattering.scatter_in_dump`).
    form_factor : {"helm", "tsai"}
        Elastic nuclear form factor of the dump's iron in mu N -> mu N S
        (:class:`muphilic.emission.form_factors.FormFactor`); ``"tsai"`` builds
        one cross-section table per mass on first use (about 10 s each, cached).
    """

    channels: tuple[str, ...] = ("kaon", "pion", "muon")
    scalars_per_species: int = 50_000
    seed: int = 20231121
    energy_loss: str = "constant"
    muon_multiple_scattering: bool = True
    form_factor: str = "helm"


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
    # np.take along axis 0: the same rows as fancy indexing, several times faster
    return ParentSample(
        parents.pdgid,
        np.take(parents.p4, keep, axis=0),
        np.take(parents.vertex, keep, axis=0),
        np.take(parents.weight, keep) * scale,
    )


def _muons_subset(muons: MuonSample, n_wanted: int, rng: np.random.Generator) -> MuonSample:
    keep = _subsample(len(muons), n_wanted, rng)
    if keep is None:
        return muons
    scale = len(muons) / keep.size
    return MuonSample(
        np.take(muons.p4, keep, axis=0),
        np.take(muons.position, keep, axis=0),
        np.take(muons.weight, keep) * scale,
        np.take(muons.charge, keep),
    )


def aiming_sphere(detector: Detector, vertices: FloatArray) -> tuple[FloatArray, float]:
    """A sphere about the detector's centre whose cone, seen from every vertex,
    contains the whole fiducial volume: (centre (3,), radius), mm.

    The forced-direction samplers send every scalar into the cone that this
    sphere subtends from its vertex; a ray that then misses the true volume
    simply contributes nothing. For a sphere that is the detector itself. For a
    box far away (MicroBooNE: 10 m long, 2.5 m wide, 470 m away) the smallest
    sphere around the box wastes ~90 % of the scalars; here the radius is
    R = max_v |C - v| sin(theta_max(v)), with theta_max(v) the largest angle
    between the directions from v to the centre C and to the box's corners, so
    asin(R / |C - v|) >= theta_max(v) for every vertex v: the cone from each
    vertex still contains every corner, hence the convex box, and no direction
    that can hit it is lost. Never larger than the bounding sphere.

    Parameters
    ----------
    detector : Detector
        The fiducial volume.
    vertices : (N, 3) array
        Every point scalars can start from (for dump muons: both ends of each
        muon's path in the dump), mm.
    """
    centre, radius = detector.bounding_sphere()
    if detector.shape == "sphere" or len(vertices) == 0:
        return centre, radius
    signs = np.array([[sx, sy, sz] for sx in (-1, 1) for sy in (-1, 1) for sz in (-1, 1)])
    corners = centre + signs * detector.half_lengths  # (8, 3)
    to_centre = centre - vertices  # (N, 3)
    distance = np.linalg.norm(to_centre, axis=1)
    if np.any(distance <= radius):
        return centre, radius  # a vertex inside the bounding sphere: aim at all of it
    axis = to_centre / distance[:, None]
    worst = np.zeros(len(vertices))
    for corner in corners:
        to_corner = corner - vertices
        cos = np.einsum("ij,ij->i", to_corner, axis) / np.linalg.norm(to_corner, axis=1)
        worst = np.maximum(worst, np.sqrt(np.clip(1.0 - cos**2, 0.0, None)))
    needed = float(np.max(distance * worst)) * (1.0 + 1e-9)
    return centre, min(needed, radius)


def aiming_spheres(
    parents: Mapping[str, ParentSample], muons: MuonSample | None, detector: Detector
) -> dict[str, tuple[FloatArray, float]]:
    """:func:`aiming_sphere` for each species of a beam sample (and ``"muon"``).

    Computed from every parent, so the result is valid for any subset of them
    and can be reused for every mass of a scan.
    """
    aim = {
        species: aiming_sphere(detector, sample.vertex)
        for species, sample in parents.items()
        if len(sample) > 0
    }
    if muons is not None and len(muons) > 0:
        direction = muons.p4[:, 1:] / np.linalg.norm(muons.p4[:, 1:], axis=1, keepdims=True)
        # the emission point lies on the muon's path in the dump: aim from points along it
        steps = np.linspace(0.0, _MAX_MUON_PATH, 6)
        path = [muons.position + direction * step for step in steps]
        aim["muon"] = aiming_sphere(detector, np.vstack(path))
    return aim


def aimed_scalars(
    parents: dict[str, ParentSample],
    muons: MuonSample | None,
    mass: float,
    detector: Detector,
    settings: SignalSettings,
    rng: np.random.Generator,
    aim: Mapping[str, tuple[FloatArray, float]] | None = None,
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
    aim : mapping, optional
        Precomputed :func:`aiming_spheres` of this beam sample and detector.
    """
    if aim is None:
        aim = aiming_spheres(parents, muons, detector)
    samples: list[ScalarSample] = []
    for channel in settings.channels:
        if channel == "muon":
            if muons is None:
                raise MuphilicError("the 'muon' channel needs a muon sample from the beamline")
            if len(muons) == 0:
                continue
            source = _muons_subset(muons, settings.scalars_per_species, rng)
            centre, radius = aim["muon"]
            dedx = EnergyLoss(settings.energy_loss).stopping_power
            if settings.muon_multiple_scattering:
                from muphilic.beamline.dump_scattering import scatter_in_dump

                source = scatter_in_dump(source, mass, rng, dedx)
            model = replace(DEFAULT_FORM_FACTOR, elastic=settings.form_factor)
            samples.append(
                aim_emissions(source, mass, centre, radius, rng, dedx=dedx, form_factor=model)
            )
            continue
        if channel not in CHANNEL_SPECIES:
            raise MuphilicError(f"unknown channel {channel!r}; use kaon, pion or muon")
        for species in CHANNEL_SPECIES[channel]:
            sample = parents.get(species)
            if sample is None or len(sample) == 0:
                continue
            source = _parents_subset(sample, settings.scalars_per_species, rng)
            centre, radius = aim[species]
            samples.append(aim_decays(source, mass, centre, radius, rng))
    return samples


def expected_signal(
    parents: dict[str, ParentSample],
    muons: MuonSample | None,
    mass: float,
    detector: Detector,
    couplings: ArrayLike,
    settings: SignalSettings | None = None,
    aim: Mapping[str, tuple[FloatArray, float]] | None = None,
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
    aim : mapping, optional
        Precomputed :func:`aiming_spheres` (saves their cost in a scan).

    Returns
    -------
    SignalSpectrum
        Events per bin for the detector's POT, by channel, with MC errors.
    """
    settings = settings or SignalSettings()
    return signal_function(parents, muons, mass, detector, settings, aim)(couplings)


def signal_function(
    parents: dict[str, ParentSample],
    muons: MuonSample | None,
    mass: float,
    detector: Detector,
    settings: SignalSettings | None = None,
    aim: Mapping[str, tuple[FloatArray, float]] | None = None,
) -> Callable[[ArrayLike], SignalSpectrum]:
    """The expected signal at one mass as a function of the couplings.

    The scalars are drawn once (from the stream of :func:`rng_for`); the
    returned ``couplings -> SignalSpectrum`` then evaluates any couplings on
    those same scalars, so ``signal_function(...)(y)`` equals
    :func:`expected_signal` at ``y`` and a solver can evaluate the exact
    coupling dependence (production ~ y^2, the decay probability through the
    lifetime) between the points of a grid. Arguments as for
    :func:`expected_signal`.
    """
    settings = settings or SignalSettings()
    rng = rng_for(settings.seed, mass, detector.name)
    samples = _nonempty(aimed_scalars(parents, muons, mass, detector, settings, rng, aim), mass)
    return signal_spectrum_function(samples, detector)


def _nonempty(samples: Iterable[ScalarSample], mass: float) -> Sequence[ScalarSample]:
    kept = [s for s in samples if len(s) > 0]
    if kept:
        return kept
    empty = np.zeros((0, 4))
    return [ScalarSample(mass, "kaon", empty, np.zeros((0, 3)), np.zeros(0))]
