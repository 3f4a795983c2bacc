"""The :class:`Detector`: a fiducial volume, its exposure and its diphoton analysis.

Frozen and checked on construction (every bad field raises
:class:`~muphilic.detectors.definitions.fields.DetectorConfigError` naming it);
lengths in mm, energies in MeV, masses in :mod:`hepunits` units.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from muphilic.constants import tonne
from muphilic.detectors.definitions.fields import (
    _DENSITY_UNIT,
    _MASS_TOLERANCE,
    _SOURCE_KEYS,
    CURVES,
    FIELD_RANGES,
    FloatArray,
    Shape,
    _as_tuple,
    _fail,
    _finite_positive,
)
from muphilic.detectors.definitions.photon_cuts import PhotonCuts
from muphilic.errors import shown

__all__ = ["Detector"]


@dataclass(frozen=True)
class Detector:
    """A fiducial volume on the Booster Neutrino Beam and its diphoton analysis.

    Parameters
    ----------
    name : str
        Display name (``"MiniBooNE"``).
    shape : {"sphere", "box"}
        Fiducial volume shape; boxes are axis-aligned in the beam frame.
    centre : (3,) tuple
        Centre of the volume in the beam frame (z along the beam, origin at the
        upstream end of the horn), mm.
    size : tuple
        ``(radius,)`` for a sphere, ``(dx, dy, dz)`` full lengths for a box, mm.
    pot : float
        Protons on target of the analysed data set (or projection), at most 1e25.
    efficiency : float
        Flat two-photon detection efficiency, 0 < efficiency <= 1.
    resolution : float
        Gaussian m_gg resolution as a fraction of m_S (sigma = resolution * m_S),
        0 < resolution <= 1.
    bin_edges : tuple
        Analysis m_gg bin edges, MeV, strictly increasing; the first and last
        edges are the analysis window.
    cuts : PhotonCuts
        Photon selection (track-mass cut, photon-energy thresholds).
    fiducial_mass : float or None
        Fiducial mass in :mod:`hepunits` mass units. With a ``density`` it is the
        mass the volume holds (derived when not given; a given value must agree
        with volume x density to 1 %), so that signal and background use one
        fiducial volume.
    density : float or None
        Density of the fiducial medium, hepunits (g/cm3 = ``g / cm3``).
    background_mass_override : float or None
        Mass the modelled background is scaled to, when set explicitly
        (``background_mass_t``); ``None`` (default): the fiducial mass. See
        :attr:`background_mass`.
    description : str
        Free text.
    curve : {"exclusion", "expected", "projection"}
        What the detector's curve is when it is compared with its default data
        set: ``"exclusion"`` for published data (MiniBooNE), ``"expected"`` for a
        modelled background with the present exposure (MicroBooNE),
        ``"projection"`` for a future exposure (SBND). A user spectrum with
        measured data makes any detector's curve an exclusion; without data a
        curve is never called an exclusion (see :func:`muphilic.pipeline.curve_kind`).
    sources : tuple of (key, citation) pairs
        Provenance of each number, keyed by its TOML key (``"pot"``,
        ``"geometry.centre_m"``...).
    facility : str
        Packaged facility whose beam frame ``centre`` is in (default ``"bnb"``).
    target_material : str
        Nucleus of the modelled NC pi0 background of :mod:`muphilic.recast.ncpi0`
        (``"Ar"``, ``"CH"``...; empty for the BNB detectors, which have their own).
    """

    name: str
    shape: Shape
    centre: tuple[float, float, float]
    size: tuple[float, ...]
    pot: float
    efficiency: float
    resolution: float
    bin_edges: tuple[float, ...]
    cuts: PhotonCuts = field(default_factory=PhotonCuts)
    fiducial_mass: float | None = None
    density: float | None = None
    background_mass_override: float | None = None
    description: str = ""
    curve: str = "expected"
    sources: tuple[tuple[str, str], ...] = ()
    facility: str = "bnb"
    target_material: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise _fail("name", f"must be a non-empty string, got {shown(self.name)}")
        if self.curve not in CURVES:
            raise _fail("curve", f"must be one of {list(CURVES)}, got {shown(self.curve)}")
        if self.shape not in ("sphere", "box"):
            raise _fail("geometry.shape", f"must be 'sphere' or 'box', got {shown(self.shape)}")
        centre = _as_tuple("geometry.centre_m", self.centre, 3)
        object.__setattr__(self, "centre", centre)
        if self.shape == "sphere":
            size = _as_tuple("geometry.radius_m", self.size, 1)
            _finite_positive("geometry.radius_m", size[0])
        else:
            size = _as_tuple("geometry.size_m", self.size, 3)
            for value in size:
                _finite_positive("geometry.size_m", value)
        object.__setattr__(self, "size", size)
        for key, (_, high) in FIELD_RANGES.items():
            value = _finite_positive(key, getattr(self, key))
            if value > high:
                raise _fail(key, f"must be at most {high:g}, got {shown(getattr(self, key))}")
            object.__setattr__(self, key, value)
        edges = _as_tuple("bins.edges_MeV", self.bin_edges, None)
        if len(edges) < 2 or edges[0] < 0 or any(b <= a for a, b in itertools.pairwise(edges)):
            raise _fail(
                "bins.edges_MeV",
                f"need at least two non-negative, strictly increasing edges, got {list(edges)}",
            )
        object.__setattr__(self, "bin_edges", edges)
        if not isinstance(self.cuts, PhotonCuts):
            raise _fail("cuts", f"must be a PhotonCuts, got {type(self.cuts).__name__}")
        if self.fiducial_mass is not None:
            object.__setattr__(
                self, "fiducial_mass", _finite_positive("fiducial_mass_t", self.fiducial_mass)
            )
        if self.density is not None:
            object.__setattr__(self, "density", _finite_positive("density_g_cm3", self.density))
            held = self.volume * self.density
            if self.fiducial_mass is None:
                object.__setattr__(self, "fiducial_mass", held)
            elif abs(self.fiducial_mass / held - 1.0) > _MASS_TOLERANCE:
                raise _fail(
                    "fiducial_mass_t",
                    f"{self.fiducial_mass / tonne:.6g} t, but the fiducial volume holds "
                    f"{held / tonne:.6g} t at density_g_cm3 = {self.density / _DENSITY_UNIT:g}; "
                    "the geometry is the fiducial volume: make them agree (to 1 %) or leave "
                    "fiducial_mass_t out",
                )
        if self.background_mass_override is not None:
            object.__setattr__(
                self,
                "background_mass_override",
                _finite_positive("background_mass_t", self.background_mass_override),
            )
        sources = tuple((str(k), str(v)) for k, v in self.sources)
        for key, _ in sources:
            if key not in _SOURCE_KEYS:
                raise _fail(
                    f"sources.{key}", f"names no detector field; known: {sorted(_SOURCE_KEYS)}"
                )
        object.__setattr__(self, "sources", sources)

    # --- geometry -----------------------------------------------------------
    @property
    def centre_array(self) -> FloatArray:
        """Centre as a (3,) array, mm."""
        return np.asarray(self.centre, dtype=np.float64)

    @property
    def radius(self) -> float:
        """Sphere radius, mm (spheres only)."""
        if self.shape != "sphere":
            raise AttributeError(f"{self.name} is a {self.shape}, it has no radius")
        return self.size[0]

    @property
    def half_lengths(self) -> FloatArray:
        """Box half lengths (3,), mm (boxes only)."""
        if self.shape != "box":
            raise AttributeError(f"{self.name} is a {self.shape}, it has no half lengths")
        return 0.5 * np.asarray(self.size, dtype=np.float64)

    @property
    def volume(self) -> float:
        """Fiducial volume, mm^3."""
        if self.shape == "sphere":
            return 4.0 / 3.0 * math.pi * self.size[0] ** 3
        return float(np.prod(self.size))

    @property
    def background_mass(self) -> float | None:
        """Mass the modelled background is scaled to, hepunits: the fiducial mass,
        unless ``background_mass_t`` was set explicitly (``None`` if neither)."""
        if self.background_mass_override is not None:
            return self.background_mass_override
        return self.fiducial_mass

    def bounding_sphere(self) -> tuple[FloatArray, float]:
        """Smallest sphere about the centre that contains the volume: (centre (3,), radius), mm.

        For aiming samplers at the detector (forced-direction technique).
        """
        if self.shape == "sphere":
            return self.centre_array, self.size[0]
        return self.centre_array, float(np.linalg.norm(self.half_lengths))

    # --- analysis -----------------------------------------------------------
    @property
    def edges(self) -> FloatArray:
        """Bin edges as an array, MeV."""
        return np.asarray(self.bin_edges, dtype=np.float64)

    @property
    def n_bins(self) -> int:
        """Number of analysis bins."""
        return len(self.bin_edges) - 1

    @property
    def window(self) -> tuple[float, float]:
        """Analysis window (lowest, highest edge), MeV."""
        return self.bin_edges[0], self.bin_edges[-1]

    def source(self, key: str) -> str | None:
        """The citation recorded for TOML key ``key`` (``None`` if none)."""
        return dict(self.sources).get(key)
