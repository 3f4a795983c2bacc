"""Detector definitions: a frozen :class:`Detector` and its TOML files.

A detector is data, not code. Each packaged detector lives in
``muphilic/data/detectors/<name>.toml`` (documented, number by number, in the
README of that folder); a user adds one by writing a file with the same keys
and passing its path to :func:`load_detector`.

TOML schema (units are in the key names; every unknown key is an error)
-----------------------------------------------------------------------
::

    name = "MiniBooNE"            # required
    description = "..."           # optional
    curve = "expected"            # optional: exclusion (published data), expected, projection
    pot = 6.46e20                 # protons on target of the analysis, required
    efficiency = 0.40             # flat two-photon efficiency, 0 < e <= 1, required
    resolution = 0.15             # Gaussian m_gg resolution / m_S, 0 < r <= 1, required
    density_g_cm3 = 0.845         # optional, of the fiducial medium
    fiducial_mass_t = 450.0       # optional, metric tonnes: with a density, derived from the
                                  # volume (and, if given, checked against it to 1 %)
    background_mass_t = 450.0     # optional: mass the modelled background is scaled to
                                  # (default: the fiducial mass; set it only to decouple them)
    facility = "bnb"              # optional: the beamline (packaged facility name) whose
                                  # frame centre_m is in; default the BNB
    target_material = "CH2"       # optional: nucleus of the modelled NC pi0 background
                                  # (muphilic.recast.ncpi0), e.g. "Ar", "CH", "H2O"

    [geometry]                    # required
    shape = "sphere"              # "sphere" or "box" (axis-aligned in the beam frame)
    centre_m = [0.0, 0.0, 541.0]  # beam frame: z along the beam, origin at the horn;
                                  # the whole volume downstream of the absorber (z >= 49.678 m)
    radius_m = 5.03               # sphere only
    # size_m = [2.56, 2.32, 10.36]  box only: full lengths along x, y, z

    [bins]                        # required: edges_MeV, or min_MeV + max_MeV + width_MeV
    edges_MeV = [32.0, 40.0, 48.0]

    [cuts]                        # optional; all default to "no cut"
    track_mass_MeV = 32.0         # Eq. (6) threshold f: a number, or [[E1+E2, f], ...]
    track_mass_applies_to = "reconstructed"   # or "true"
    photon_energy_high_min_MeV = 30.0
    photon_energy_low_min_MeV = 20.0

    [sources]                     # optional: dotted key -> citation string
    pot = "paper, p. 4"

One fiducial volume
-------------------
The geometry is the fiducial volume, and every quantity uses it: the signal (the
rays through it), the fiducial mass (volume x density) and the modelled background
(scaled to :attr:`Detector.background_mass`, which is the fiducial mass unless a
file or run sets ``background_mass_t`` explicitly). A stated ``fiducial_mass_t``
that the volume does not hold (to 1 %) is an error.

Run overrides
-------------
:func:`apply_overrides` applies the keys of :data:`OVERRIDE_KEYS` (a run
configuration's ``[detectors.NAME]`` table): ``pot``, ``efficiency``,
``resolution``; ``fiducial_mass_t`` (rescales the volume about its centre, shape
kept, so that it holds that mass: signal and background follow);
``background_mass_t`` (the background alone); ``track_mass_applies_to``
(``"reconstructed"`` or ``"true"``, the reading of Eq. (6)); ``window_MeV``
(``[low, high]``: the analysis window, re-binned with the detector's bin width);
``off_axis_m`` (moves the volume sideways: its centre to x = ``off_axis_m``, y and z
kept, e.g. the DUNE-PRISM positions of ``dune_nd``).

A file is at most :data:`MAX_TOML_BYTES` long. :func:`load_detector` (every
detector a run uses) also refuses a volume that reaches upstream of the absorber
face of its facility (BNB: z = 49.678 m, ``absorber_z`` of ``bnb.toml``): the
target, horn, collimator and decay pipe lie there, so no detector can - except,
for the other facilities, a detector well off the axis beside the decay pipe
(MicroBooNE and ICARUS seen from NuMI).

Inside the package every length is in mm, energy in MeV and mass in the
:mod:`hepunits` mass unit (CLHEP convention); TOML files use the units in their
key names and are converted on reading and writing only.
"""

from __future__ import annotations

import itertools
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Literal

import numpy as np
import tomli_w
from numpy.typing import ArrayLike, NDArray

from muphilic.constants import MeV, cm3, g, m, tonne
from muphilic.data import data_file
from muphilic.errors import MuphilicError, shown

__all__ = [
    "FIELD_RANGES",
    "MASS_RANGE_T",
    "MAX_TOML_BYTES",
    "OVERRIDE_KEYS",
    "Detector",
    "DetectorConfigError",
    "PhotonCuts",
    "apply_overrides",
    "available_detectors",
    "check_override",
    "detector_from_mapping",
    "detector_to_toml",
    "load_detector",
]

FloatArray = NDArray[np.float64]

_DENSITY_UNIT: float = g / cm3

_PACKAGE_FOLDER = "detectors"

Shape = Literal["sphere", "box"]
TrackMassMode = Literal["reconstructed", "true"]


#: Allowed (exclusive low, inclusive high] range of the analysis numbers of a
#: detector, also the fields a run configuration may override (``[detectors.NAME]``):
#: ``pot`` up to 1e25 (ten thousand years of the Booster Neutrino Beam at 1e21 a
#: year); ``efficiency`` a fraction; ``resolution`` the Gaussian m_gg resolution as
#: a fraction of m_S (sigma = resolution x m_S), at most 1 - a peak wider than the
#: mass itself tells nothing about the mass.
#: What a detector's curve can be (the kinds of :mod:`muphilic.recast.output`).
CURVES = ("exclusion", "expected", "projection")

FIELD_RANGES: dict[str, tuple[float, float]] = {
    "pot": (0.0, 1e25),
    "efficiency": (0.0, 1.0),
    "resolution": (0.0, 1.0),
}

#: Allowed (exclusive low, inclusive high] range of ``fiducial_mass_t`` and
#: ``background_mass_t``, tonnes (the largest planned argon detectors hold ~1e4 t).
MASS_RANGE_T: tuple[float, float] = (0.0, 1e6)

#: Tolerance of a stated ``fiducial_mass_t`` against volume x density.
_MASS_TOLERANCE = 0.01

#: The keys a run configuration may override (``[detectors.NAME]``), see :func:`apply_overrides`.
OVERRIDE_KEYS: tuple[str, ...] = (
    *FIELD_RANGES,
    "fiducial_mass_t",
    "background_mass_t",
    "track_mass_applies_to",
    "window_MeV",
    "off_axis_m",
)

#: Allowed [low, high] range of the ``off_axis_m`` override, metres (DUNE-PRISM moves
#: ND-LAr up to a few tens of metres off axis).
_OFF_AXIS_RANGE_M: tuple[float, float] = (0.0, 1000.0)

#: Longest detector (or run configuration) TOML file read, bytes; real ones are a few kB.
MAX_TOML_BYTES = 1 << 20


class DetectorConfigError(MuphilicError):
    """A detector definition is missing a field or has a bad value."""


def _fail(field_name: str, message: str) -> DetectorConfigError:
    return DetectorConfigError(f"detector field '{field_name}': {message}")


def _finite_positive(field_name: str, value: float, *, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(field_name, f"expected a number, got {shown(value)}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
        bound = "non-negative" if allow_zero else "positive"
        raise _fail(field_name, f"must be a finite {bound} number, got {shown(value)}")
    return number


@dataclass(frozen=True)
class PhotonCuts:
    """Selection cuts on the two photons of S -> gamma gamma.

    Parameters
    ----------
    track_mass : float or None
        Constant threshold f of the "track mass" cut m_gg > f(E1 + E2)
        (paper Eq. (6)), MeV. ``None`` for no cut.
    track_mass_table : tuple of (E1 + E2, f) pairs or None
        The same threshold as a function of the summed photon energy, MeV,
        interpolated linearly and constant beyond the end points. At most one
        of ``track_mass`` and ``track_mass_table`` may be given.
    track_mass_applies_to : {"reconstructed", "true"}
        ``"reconstructed"`` (default): the cut is applied to the smeared m_gg,
        i.e. bins (or parts of bins) below f(E_S) are removed for each scalar.
        ``"true"``: the cut acts on the true m_gg = m_S, removing every scalar
        with m_S <= f(E_S). See :mod:`muphilic.detectors.photons`.
    e_high_min, e_low_min : float
        Minimum lab energies of the harder and softer photon, MeV (0: no cut).
    """

    track_mass: float | None = None
    track_mass_table: tuple[tuple[float, float], ...] | None = None
    track_mass_applies_to: TrackMassMode = "reconstructed"
    e_high_min: float = 0.0
    e_low_min: float = 0.0

    def __post_init__(self) -> None:
        if self.track_mass is not None and self.track_mass_table is not None:
            raise _fail("cuts.track_mass_MeV", "give a constant or a table, not both")
        if self.track_mass is not None:
            object.__setattr__(
                self,
                "track_mass",
                _finite_positive("cuts.track_mass_MeV", self.track_mass, allow_zero=True),
            )
        if self.track_mass_table is not None:
            table = tuple(
                (
                    _finite_positive("cuts.track_mass_MeV", float(e), allow_zero=True),
                    _finite_positive("cuts.track_mass_MeV", float(f), allow_zero=True),
                )
                for e, f in self.track_mass_table
            )
            energies = [e for e, _ in table]
            if len(table) < 2 or any(b <= a for a, b in itertools.pairwise(energies)):
                raise _fail(
                    "cuts.track_mass_MeV",
                    "a table needs at least two [E1+E2, f] pairs with increasing E1+E2",
                )
            object.__setattr__(self, "track_mass_table", table)
        if self.track_mass_applies_to not in ("reconstructed", "true"):
            raise _fail(
                "cuts.track_mass_applies_to",
                f"must be 'reconstructed' or 'true', got {shown(self.track_mass_applies_to)}",
            )
        for name, key in (
            ("e_high_min", "cuts.photon_energy_high_min_MeV"),
            ("e_low_min", "cuts.photon_energy_low_min_MeV"),
        ):
            object.__setattr__(
                self, name, _finite_positive(key, getattr(self, name), allow_zero=True)
            )

    @property
    def has_track_mass_cut(self) -> bool:
        """Whether a track-mass cut (Eq. (6)) is configured."""
        return self.track_mass is not None or self.track_mass_table is not None

    def track_mass_threshold(self, energy_sum: ArrayLike) -> FloatArray:
        """The threshold f(E1 + E2) of Eq. (6), MeV (0 where there is no cut).

        Parameters
        ----------
        energy_sum : array_like
            E1 + E2 (= E_S for the true decay), MeV.
        """
        e = np.asarray(energy_sum, dtype=np.float64)
        if self.track_mass_table is not None:
            points = np.asarray(self.track_mass_table, dtype=np.float64)
            return np.interp(e, points[:, 0], points[:, 1])
        value = 0.0 if self.track_mass is None else self.track_mass
        return np.full(e.shape, value, dtype=np.float64)


def _as_tuple(field_name: str, value: Any, length: int | None) -> tuple[float, ...]:
    try:
        array = np.asarray(value, dtype=np.float64)
    except OverflowError as exc:
        raise _fail(field_name, f"must be finite, got {shown(value)}") from exc
    except (TypeError, ValueError, RecursionError) as exc:
        raise _fail(field_name, f"expected a list of numbers, got {shown(value)}") from exc
    if array.ndim != 1 or (length is not None and array.shape[0] != length):
        wanted = f"{length} numbers" if length is not None else "a flat list of numbers"
        raise _fail(field_name, f"expected {wanted}, got {shown(value)}")
    if not np.all(np.isfinite(array)):
        raise _fail(field_name, f"must be finite, got {shown(value)}")
    return tuple(float(v) for v in array)


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


# --- TOML reading ---------------------------------------------------------------
_TOP_KEYS = {
    "name",
    "description",
    "curve",
    "pot",
    "efficiency",
    "resolution",
    "fiducial_mass_t",
    "background_mass_t",
    "density_g_cm3",
    "geometry",
    "bins",
    "cuts",
    "sources",
    "facility",
    "target_material",
}
_GEOMETRY_KEYS = {"shape", "centre_m", "radius_m", "size_m"}
_BINS_KEYS = {"edges_MeV", "min_MeV", "max_MeV", "width_MeV"}
#: Most bins a min/max/width_MeV range may define (guards against a typo such as width 1e-9).
_MAX_BINS = 10_000
_CUTS_KEYS = {
    "track_mass_MeV",
    "track_mass_applies_to",
    "photon_energy_high_min_MeV",
    "photon_energy_low_min_MeV",
}
_SOURCE_KEYS = (
    {k for k in _TOP_KEYS if k not in {"geometry", "bins", "cuts", "sources"}}
    | {f"geometry.{k}" for k in _GEOMETRY_KEYS}
    | {f"bins.{k}" for k in _BINS_KEYS}
    | {f"cuts.{k}" for k in _CUTS_KEYS}
)


def _check_keys(table: Mapping[str, Any], allowed: set[str], prefix: str) -> None:
    for key in table:
        if key not in allowed:
            raise _fail(f"{prefix}{key}", f"unknown key; allowed here: {sorted(allowed)}")


def _require(table: Mapping[str, Any], key: str, prefix: str) -> Any:
    if key not in table:
        raise _fail(f"{prefix}{key}", "is required")
    return table[key]


def _table(data: Mapping[str, Any], key: str, *, required: bool) -> Mapping[str, Any]:
    if key not in data:
        if required:
            raise _fail(key, "table is required")
        return {}
    value = data[key]
    if not isinstance(value, Mapping):
        raise _fail(key, f"must be a table, got {shown(value)}")
    return value


def _number(table: Mapping[str, Any], key: str, prefix: str, default: float | None = None) -> float:
    if key not in table:
        if default is None:
            raise _fail(f"{prefix}{key}", "is required")
        return default
    return _finite_positive(f"{prefix}{key}", table[key], allow_zero=True)


def _bin_edges(bins: Mapping[str, Any]) -> tuple[float, ...]:
    _check_keys(bins, _BINS_KEYS, "bins.")
    range_keys = {"min_MeV", "max_MeV", "width_MeV"}
    if "edges_MeV" in bins:
        if range_keys & set(bins):
            raise _fail("bins.edges_MeV", "give edges_MeV or min/max/width_MeV, not both")
        return tuple(v * MeV for v in _as_tuple("bins.edges_MeV", bins["edges_MeV"], None))
    for key in sorted(range_keys):
        _require(bins, key, "bins.")
    low = _number(bins, "min_MeV", "bins.")
    high = _number(bins, "max_MeV", "bins.")
    width = _finite_positive("bins.width_MeV", bins["width_MeV"])
    n_float = (high - low) / width
    if not n_float <= _MAX_BINS:
        raise _fail("bins.width_MeV", f"more than {_MAX_BINS} bins of {width} MeV in the range")
    n = round(n_float)
    if n < 1 or abs(n - n_float) > 1e-9 * max(1.0, n_float):
        raise _fail(
            "bins.width_MeV",
            f"({high} - {low}) MeV is not a whole number of {width} MeV bins",
        )
    return tuple(float(low + width * i) * MeV for i in range(n + 1))


def _cuts(cuts: Mapping[str, Any]) -> PhotonCuts:
    _check_keys(cuts, _CUTS_KEYS, "cuts.")
    track_mass: float | None = None
    table: tuple[tuple[float, float], ...] | None = None
    if "track_mass_MeV" in cuts:
        raw = cuts["track_mass_MeV"]
        if isinstance(raw, list):
            rows = []
            for row in raw:
                pair = _as_tuple("cuts.track_mass_MeV", row, 2)
                rows.append((pair[0] * MeV, pair[1] * MeV))
            table = tuple(rows)
        else:
            track_mass = _finite_positive("cuts.track_mass_MeV", raw, allow_zero=True) * MeV
    mode = cuts.get("track_mass_applies_to", "reconstructed")
    return PhotonCuts(
        track_mass=track_mass,
        track_mass_table=table,
        track_mass_applies_to=mode,
        e_high_min=_number(cuts, "photon_energy_high_min_MeV", "cuts.", 0.0) * MeV,
        e_low_min=_number(cuts, "photon_energy_low_min_MeV", "cuts.", 0.0) * MeV,
    )


def detector_from_mapping(data: Mapping[str, Any]) -> Detector:
    """Build a :class:`Detector` from the parsed contents of a detector TOML file.

    Raises
    ------
    DetectorConfigError
        Naming the missing, unknown or bad field.
    """
    if not isinstance(data, Mapping):
        raise _fail("(top level)", f"a detector definition must be a table, got {shown(data)}")
    _check_keys(data, _TOP_KEYS, "")
    name = _require(data, "name", "")
    if not isinstance(name, str):
        raise _fail("name", f"must be a string, got {shown(name)}")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise _fail("description", f"must be a string, got {shown(description)}")

    geometry = _table(data, "geometry", required=True)
    _check_keys(geometry, _GEOMETRY_KEYS, "geometry.")
    shape = _require(geometry, "shape", "geometry.")
    if shape not in ("sphere", "box"):
        raise _fail("geometry.shape", f"must be 'sphere' or 'box', got {shown(shape)}")
    centre = tuple(
        v * m
        for v in _as_tuple("geometry.centre_m", _require(geometry, "centre_m", "geometry."), 3)
    )
    if shape == "sphere":
        if "size_m" in geometry:
            raise _fail("geometry.size_m", "is for boxes; a sphere takes radius_m")
        size: tuple[float, ...] = (
            _finite_positive("geometry.radius_m", _require(geometry, "radius_m", "geometry.")) * m,
        )
    else:
        if "radius_m" in geometry:
            raise _fail("geometry.radius_m", "is for spheres; a box takes size_m = [dx, dy, dz]")
        size = tuple(
            v * m
            for v in _as_tuple("geometry.size_m", _require(geometry, "size_m", "geometry."), 3)
        )

    bins = _table(data, "bins", required=True)
    edges = _bin_edges(bins)
    cuts = _cuts(_table(data, "cuts", required=False))

    sources_table = _table(data, "sources", required=False)
    sources = []
    for key, value in sources_table.items():
        if key not in _SOURCE_KEYS:
            raise _fail(f"sources.{key}", f"names no detector field; known: {sorted(_SOURCE_KEYS)}")
        if not isinstance(value, str):
            raise _fail(f"sources.{key}", f"must be a string, got {shown(value)}")
        sources.append((key, value))

    mass = data.get("fiducial_mass_t")
    density = data.get("density_g_cm3")
    background_mass = data.get("background_mass_t")
    return Detector(
        name=name,
        shape=shape,
        centre=centre,  # type: ignore[arg-type]
        size=size,
        pot=_require(data, "pot", ""),
        efficiency=_require(data, "efficiency", ""),
        resolution=_require(data, "resolution", ""),
        bin_edges=edges,
        cuts=cuts,
        fiducial_mass=None if mass is None else _finite_positive("fiducial_mass_t", mass) * tonne,
        density=None
        if density is None
        else _finite_positive("density_g_cm3", density) * _DENSITY_UNIT,
        background_mass_override=None
        if background_mass is None
        else _finite_positive("background_mass_t", background_mass) * tonne,
        description=description,
        curve=data.get("curve", "expected"),
        sources=tuple(sources),
        facility=_text(data, "facility", "bnb").lower(),
        target_material=_text(data, "target_material", ""),
    )


def _text(data: Mapping[str, Any], key: str, default: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or (key == "facility" and not value.strip()):
        raise _fail(key, f"must be a non-empty string, got {shown(value)}")
    return value


def _check_placement(detector: Detector) -> None:
    """Refuse a volume that reaches upstream of the absorber face (target, horn, decay pipe)."""
    from muphilic.beamline.facility_file import load_facility  # here: beamline imports detectors

    try:
        facility = load_facility(detector.facility)
    except MuphilicError as exc:
        raise _fail("facility", str(exc)) from None
    absorber_face = facility.absorber_z
    if detector.facility != "bnb":
        # off-axis detectors beside the decay pipe (MicroBooNE seen from NuMI) may lie
        # upstream of the absorber face, but not inside the pipe's radius of the axis
        reach = detector.size[0] if detector.shape == "sphere" else 0.5 * max(detector.size)
        off_axis = math.hypot(detector.centre[0], detector.centre[1])
        if off_axis - reach > 2 * facility.decay_pipe.radius:
            return
    half_length = detector.size[0] if detector.shape == "sphere" else 0.5 * detector.size[2]
    upstream_end = detector.centre[2] - half_length
    if upstream_end < absorber_face:
        raise _fail(
            "geometry.centre_m",
            f"the volume reaches z = {upstream_end / m:.6g} m, upstream of the absorber face "
            f"at z = {absorber_face / m:g} m where the target, horn and decay pipe are; "
            "the whole volume must lie downstream of it",
        )


def _read_toml(source: Traversable | Path) -> Detector:
    label = str(source) if isinstance(source, Path) else source.name
    try:
        if isinstance(source, Path) and source.stat().st_size > MAX_TOML_BYTES:
            raise DetectorConfigError(
                f"{label}: larger than {MAX_TOML_BYTES} bytes, too large for a detector file"
            )
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DetectorConfigError(f"{label}: not valid TOML ({exc})") from None
    except UnicodeDecodeError as exc:
        raise DetectorConfigError(f"{label}: not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise DetectorConfigError(f"{label}: cannot read ({exc.strerror})") from None
    except RecursionError:
        raise DetectorConfigError(f"{label}: nested too deeply to be a detector file") from None
    try:
        detector = detector_from_mapping(data)
        _check_placement(detector)
    except DetectorConfigError as exc:
        raise DetectorConfigError(f"{label}: {exc}") from None
    return detector


def available_detectors() -> list[str]:
    """Names (file stems, lower case) of the detectors shipped with muphilic."""
    folder = files("muphilic.data").joinpath(_PACKAGE_FOLDER)
    return sorted(
        entry.name.removesuffix(".toml")
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    )


def load_detector(name_or_path: str | Path) -> Detector:
    """A packaged detector by name (case-insensitive), or a detector TOML file by path.

    Parameters
    ----------
    name_or_path : str or pathlib.Path
        ``"miniboone"``, ``"microboone"``, ``"sbnd"``, ``"icarus"``, or the path
        of a TOML file following the schema of this module.

    Raises
    ------
    DetectorConfigError
        For an unknown name or a bad file (the message names the field).
    """
    key = str(name_or_path)
    if key.lower() in available_detectors():
        return _read_toml(data_file(_PACKAGE_FOLDER, f"{key.lower()}.toml"))
    path = Path(key)
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise DetectorConfigError(f"no detector file {key}")
        return _read_toml(path)
    raise DetectorConfigError(
        f"unknown detector {shown(key)}: packaged detectors are {available_detectors()}, "
        "or give the path of a .toml file"
    )


# --- run overrides ----------------------------------------------------------------
def _override_number(key: str, value: Any, low: float, high: float) -> float:
    number = _finite_positive(key, value)
    if not low < number <= high:
        raise _fail(key, f"must be in ({low:g}, {high:g}], got {shown(value)}")
    return number


def _window_edges(detector: Detector, value: Any) -> tuple[float, ...]:
    """Equal bins of the detector's width spanning the window ``value`` = [low, high], MeV."""
    window = _as_tuple("window_MeV", value, 2)
    low, high = window
    if low < 0 or high <= low:
        raise _fail("window_MeV", f"must be [low, high] with 0 <= low < high, got {list(window)}")
    widths = np.diff(detector.edges) / MeV
    width = float(widths[0])
    if not np.allclose(widths, width, rtol=1e-9, atol=0.0):
        raise _fail("window_MeV", "needs a detector with equal bins (write a detector file)")
    n_float = (high - low) / width
    n = round(n_float)
    if n < 1 or n > _MAX_BINS or abs(n - n_float) > 1e-9 * max(1.0, n_float):
        raise _fail(
            "window_MeV",
            f"[{low:g}, {high:g}] MeV is not a whole number of the detector's {width:g} MeV bins",
        )
    return tuple(float(low + width * i) * MeV for i in range(n + 1))


def check_override(key: str, value: Any) -> None:
    """Check one run override (``[detectors.NAME] key = value``) on its own.

    Raises
    ------
    DetectorConfigError
        Naming the key, for an unknown key or a value of the wrong type or range.
        (Whether a window fits a detector's bins is checked by :func:`apply_overrides`.)
    """
    if key in FIELD_RANGES:
        _override_number(key, value, *FIELD_RANGES[key])
    elif key in ("fiducial_mass_t", "background_mass_t"):
        _override_number(key, value, *MASS_RANGE_T)
    elif key == "track_mass_applies_to":
        if value not in ("reconstructed", "true"):
            raise _fail(key, f"must be 'reconstructed' or 'true', got {shown(value)}")
    elif key == "window_MeV":
        low, high = _as_tuple(key, value, 2)
        if low < 0 or high <= low:
            raise _fail(key, f"must be [low, high] with 0 <= low < high, got {[low, high]}")
    elif key == "off_axis_m":
        offset = _finite_positive(key, value, allow_zero=True)
        low, high = _OFF_AXIS_RANGE_M
        if not low <= offset <= high:
            raise _fail(key, f"must be in [{low:g}, {high:g}] m, got {shown(value)}")
    else:
        raise _fail(key, f"cannot be overridden; use one of {list(OVERRIDE_KEYS)}")


def apply_overrides(detector: Detector, overrides: Mapping[str, Any] | None) -> Detector:
    """``detector`` with a run's overrides (the keys of :data:`OVERRIDE_KEYS`) applied.

    Values are in the units of the detector files' keys. ``fiducial_mass_t``
    rescales the fiducial volume about its centre (its shape kept) so that it
    holds that mass at the detector's density: the signal, the fiducial mass and
    the modelled background all follow (without a density it sets the mass
    alone). ``background_mass_t`` sets the background's mass alone, the one way
    to make the two differ. ``window_MeV = [low, high]`` replaces the analysis
    bins by bins of the detector's (equal) width spanning the window.

    Raises
    ------
    DetectorConfigError
        Naming the key.
    """
    if not overrides:
        return detector
    for key, value in overrides.items():
        check_override(key, value)
    changes: dict[str, Any] = {k: float(v) for k, v in overrides.items() if k in FIELD_RANGES}
    if "background_mass_t" in overrides:
        changes["background_mass_override"] = float(overrides["background_mass_t"]) * tonne
    if "track_mass_applies_to" in overrides:
        changes["cuts"] = replace(
            detector.cuts, track_mass_applies_to=overrides["track_mass_applies_to"]
        )
    if "window_MeV" in overrides:
        changes["bin_edges"] = _window_edges(detector, overrides["window_MeV"])
    if "off_axis_m" in overrides:
        _, y, z = detector.centre
        changes["centre"] = (float(overrides["off_axis_m"]) * m, y, z)
    if "fiducial_mass_t" in overrides:
        mass = float(overrides["fiducial_mass_t"]) * tonne
        if detector.density is not None and detector.fiducial_mass is not None:
            scale = (mass / (detector.volume * detector.density)) ** (1.0 / 3.0)
            changes["size"] = tuple(x * scale for x in detector.size)
        changes["fiducial_mass"] = mass
    result = replace(detector, **changes)
    _check_placement(result)
    return result


# --- TOML writing ----------------------------------------------------------------
def detector_to_toml(detector: Detector) -> str:
    """The TOML text of ``detector`` (the inverse of :func:`load_detector`)."""
    data: dict[str, Any] = {"name": detector.name}
    if detector.description:
        data["description"] = detector.description
    data["curve"] = detector.curve
    if detector.facility != "bnb":
        data["facility"] = detector.facility
    if detector.target_material:
        data["target_material"] = detector.target_material
    data.update(pot=detector.pot, efficiency=detector.efficiency, resolution=detector.resolution)
    if detector.fiducial_mass is not None:
        data["fiducial_mass_t"] = detector.fiducial_mass / tonne
    if detector.density is not None:
        data["density_g_cm3"] = detector.density / _DENSITY_UNIT
    if detector.background_mass_override is not None:
        data["background_mass_t"] = detector.background_mass_override / tonne
    geometry: dict[str, Any] = {
        "shape": detector.shape,
        "centre_m": [c / m for c in detector.centre],
    }
    if detector.shape == "sphere":
        geometry["radius_m"] = detector.size[0] / m
    else:
        geometry["size_m"] = [s / m for s in detector.size]
    data["geometry"] = geometry
    data["bins"] = {"edges_MeV": [e / MeV for e in detector.bin_edges]}
    cuts = detector.cuts
    cut_table: dict[str, Any] = {}
    if cuts.track_mass is not None:
        cut_table["track_mass_MeV"] = cuts.track_mass / MeV
    if cuts.track_mass_table is not None:
        cut_table["track_mass_MeV"] = [[e / MeV, f / MeV] for e, f in cuts.track_mass_table]
    cut_table.update(
        track_mass_applies_to=cuts.track_mass_applies_to,
        photon_energy_high_min_MeV=cuts.e_high_min / MeV,
        photon_energy_low_min_MeV=cuts.e_low_min / MeV,
    )
    data["cuts"] = cut_table
    if detector.sources:
        data["sources"] = dict(detector.sources)
    return tomli_w.dumps(data)
