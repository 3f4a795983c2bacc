"""Proton beamlines as data: a frozen :class:`Facility` and its TOML files.

A facility is data, not code, like a detector (:mod:`muphilic.detectors.definitions`).
The packaged ones live in ``muphilic/data/facilities/<name>.toml`` (documented,
number by number, in the README of that folder and in each file's ``[sources]``);
a user adds one by writing a file with the same keys and passing its path to
:func:`load_facility`. The embedded beamline simulation
(:func:`muphilic.beamline.simulate`) takes all of its geometry from a Facility.

TOML schema (units are in the key names; every unknown key is an error)
-----------------------------------------------------------------------
Positions are in the beam frame: z along the proton beam, origin at the
facility's reference point (BNB: the upstream end of the horn)::

    name = "BNB"                      # required
    description = "..."               # optional
    production = "bnb-fits"           # default production backend (muphilic.beamline.production)
    polarity = "neutrino"             # or "antineutrino": every horn current reversed
    pot_per_year = 1e20               # optional, protons on target in a year

    [beam]                            # required
    proton_kinetic_energy_GeV = 8.0
    sigma_x_mm = 1.51                 # Gaussian spot at the start plane
    sigma_y_mm = 0.75
    sigma_theta_x_mrad = 0.66
    sigma_theta_y_mrad = 0.40
    start_z_mm = -10.0

    [target]                          # required
    material = "Be"
    atomic_number = 4                 # Z and A of the nucleus an event generator collides with
    mass_number = 9
    density_g_cm3 = 1.848
    molar_mass_g_mol = 9.012182
    radius_mm = 4.7625
    segments_mm = [[34.9, 746.1]]     # material along z: one [z1, z2] per segment
    sigma_inelastic_mb = 212.28       # p-nucleus cross sections at this beam momentum:
    sigma_production_mb = 177.68      # needed by the event-generator backends

    [[horns]]                         # one table per horn, in beam order (at least one)
    name = "horn"
    position_mm = 0.0                 # beam-frame z of the horn's local z = 0
    length_mm = 1804.0                # the horn volume is local z in [0, length]
    current_kA = 174.0                # magnitude; the polarity gives the sign
    wall_thickness_mm = 3.0           # inner conductor, inside the field region's inner radius
    conductor = "Al"
    # the field region: a z-r table (local z) ...
    profile_z_mm = [35.0, 86.0, ...]
    inner_radius_mm = [70.0, 22.0, ...]   # outer surface of the inner conductor
    outer_radius_mm = [300.0, ...]        # inner surface of the outer conductor (or one number)
    # ... or parabolic sections r(z)^2 = a + b z that expand to a table, with a
    # constant outer radius:
    # outer_radius_mm = 149.2
    # [[horns.sections]]
    # z_mm = [0.0, 770.0]
    # a_mm2 = 1274.7
    # b_mm = -36.03
    # points = 50                     # optional, table nodes of the section (default 50)

    [[apertures]]                     # open regions from the horns to the decay pipe, in order
    name = "collimator"
    z_mm = [3070.0, 5203.6]
    radius_mm = [300.0, 355.0]        # open radius at both ends (or one number)

    [decay_pipe]                      # required; runs from start_mm to the absorber face
    start_mm = 5203.6
    radius_mm = 914.4
    gas = "air"
    wall_material = "..."             # optional: what surrounds the pipe (wall muons stop in it)

    [absorber]                        # required
    z_mm = 49678.0                    # upstream face
    material = "..."

    [sources]                         # dotted key -> citation string
    "beam.proton_kinetic_energy_GeV" = "..."

Inside the package every length is in mm, energy in MeV and current, density and
area in :mod:`hepunits` units; TOML files use the units in their key names.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import numpy as np

from muphilic.beamline.geometry import Aperture
from muphilic.beamline.horn import HornGeometry, HornSystem
from muphilic.beamline.target import BeamSpot, Target, proton_momentum
from muphilic.constants import GeV, barn, cm3, g, kA, mm, mole, mrad
from muphilic.data import data_file
from muphilic.errors import MuphilicError

__all__ = [
    "POLARITIES",
    "DecayPipe",
    "Facility",
    "FacilityConfigError",
    "Horn",
    "available_facilities",
    "facility_from_mapping",
    "load_facility",
]

_PACKAGE_FOLDER = "facilities"
_MB = 1.0e-3 * barn

#: Horn polarities: neutrino mode focuses positive mesons.
POLARITIES = ("neutrino", "antineutrino")

#: Nodes per parabolic inner-conductor section when the file does not say.
_DEFAULT_SECTION_POINTS = 50


class FacilityConfigError(MuphilicError):
    """A facility definition is missing a field or has a bad value."""


def _fail(field_name: str, message: str) -> FacilityConfigError:
    return FacilityConfigError(f"facility field '{field_name}': {message}")


# --- dataclasses ------------------------------------------------------------------
@dataclass(frozen=True)
class Horn:
    """One magnetic horn (beam-frame mm, current magnitude in CLHEP units).

    Attributes
    ----------
    name : str
    z_start, z_end : float
        The horn volume along z, mm.
    profile_z, inner_radius, outer_radius : tuple of float
        Field region: z nodes (beam frame, increasing), the outer surface of the
        inner conductor and the inner surface of the outer conductor, mm.
    current : float
        Current magnitude (CLHEP units; ``174 * kA``); the facility's polarity gives the sign.
    wall_thickness : float
        Inner-conductor thickness inside the inner radius, mm.
    conductor : str
        Conductor material (``"Al"``).
    """

    name: str
    z_start: float
    z_end: float
    profile_z: tuple[float, ...]
    inner_radius: tuple[float, ...]
    outer_radius: tuple[float, ...]
    current: float
    wall_thickness: float
    conductor: str

    def geometry(self, sign: float) -> HornGeometry:
        """The tracker's :class:`HornGeometry` with the current times ``sign``."""
        return HornGeometry(
            np.asarray(self.profile_z),
            np.asarray(self.inner_radius),
            np.asarray(self.outer_radius),
            sign * self.current,
            self.z_start,
            self.z_end,
            self.wall_thickness,
        )


@dataclass(frozen=True)
class DecayPipe:
    """The decay pipe: from ``start`` (mm) to the absorber face, radius (mm), fill gas."""

    start: float
    radius: float
    gas: str
    wall_material: str = ""


@dataclass(frozen=True)
class Facility:
    """A proton beamline: beam, target, horns, apertures, decay pipe and absorber.

    Attributes
    ----------
    name, description : str
    proton_kinetic_energy : float
        MeV.
    spot : BeamSpot
    target : Target
    horns : tuple of Horn
        In beam order.
    polarity : {"neutrino", "antineutrino"}
    apertures : tuple of Aperture
        Open regions upstream of the decay pipe, in order.
    decay_pipe : DecayPipe
    absorber_z : float
        Upstream face of the absorber, mm (the end plane of the decay region).
    absorber_material : str
    production : str
        Default production backend (:mod:`muphilic.beamline.production`).
    pot_per_year : float or None
    sources : tuple of (key, citation) pairs
    """

    name: str
    proton_kinetic_energy: float
    spot: BeamSpot
    target: Target
    horns: tuple[Horn, ...]
    polarity: str
    apertures: tuple[Aperture, ...]
    decay_pipe: DecayPipe
    absorber_z: float
    absorber_material: str = ""
    production: str = "bnb-fits"
    pot_per_year: float | None = None
    description: str = ""
    sources: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        _check_facility(self)

    @property
    def p_beam(self) -> float:
        """Proton momentum, MeV."""
        return proton_momentum(self.proton_kinetic_energy)

    @property
    def decay_pipe_length(self) -> float:
        """From the pipe's start to the absorber face, mm."""
        return self.absorber_z - self.decay_pipe.start

    def all_apertures(self) -> tuple[Aperture, ...]:
        """The apertures followed by the decay pipe; the last one ends at the absorber face."""
        pipe = self.decay_pipe
        return (
            *self.apertures,
            Aperture("decay pipe", pipe.start, self.absorber_z, pipe.radius, pipe.radius),
        )

    def horn_system(self) -> HornSystem:
        """The horns with signed currents, and the open regions around them for the tracker."""
        sign = 1.0 if self.polarity == "neutrino" else -1.0
        horns = tuple(h.geometry(sign) for h in self.horns)
        z_start = min(horns[0].z_start, self.target.z_min)
        if len(horns) == 1 and z_start == horns[0].z_start:
            return HornSystem(horns, z_start)
        inside = [(h.z_start, h.z_end) for h in horns]
        gaps = tuple(
            a
            for a in self.apertures
            if a.z2 > z_start
            and a.z1 < horns[-1].z_end
            and not any(lo <= a.z1 and a.z2 <= hi for lo, hi in inside)
        )
        return HornSystem(horns, z_start, gaps)

    def with_polarity(self, polarity: str) -> Facility:
        """The same facility with the horn polarity ``"neutrino"`` or ``"antineutrino"``."""
        return replace(self, polarity=polarity)

    def source(self, key: str) -> str | None:
        """The citation recorded for TOML key ``key`` (``None`` if none)."""
        return dict(self.sources).get(key)

    def digest(self) -> str:
        """SHA-256 of the facility's content (what an output records beside its name)."""
        blob = json.dumps(asdict(self), sort_keys=True, default=repr).encode()
        return hashlib.sha256(blob).hexdigest()


# --- validation of the dataclass --------------------------------------------------
def _finite(field_name: str, value: Any, *, low: float | None = 0.0, open_low: bool = True) -> None:
    ok = not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)
    if ok and low is not None:
        ok = value > low if open_low else value >= low
    if not ok:
        bound = "" if low is None else (f" > {low:g}" if open_low else f" >= {low:g}")
        raise _fail(field_name, f"must be a finite number{bound}, got {value!r}")


def _increasing(field_name: str, values: tuple[float, ...]) -> None:
    if any(b <= a for a, b in itertools.pairwise(values)):
        raise _fail(field_name, f"must increase strictly, got {list(values)}")


def _check_horn(index: int, horn: Horn) -> None:
    key = f"horns[{index}]"
    _finite(f"{key}.current_kA", horn.current, low=0.0, open_low=False)
    _finite(f"{key}.wall_thickness_mm", horn.wall_thickness, low=0.0, open_low=False)
    if not horn.z_end > horn.z_start:
        raise _fail(f"{key}.length_mm", "must be positive")
    z = horn.profile_z
    if len(z) < 2 or len(horn.inner_radius) != len(z) or len(horn.outer_radius) != len(z):
        raise _fail(f"{key}.profile_z_mm", "needs at least two nodes and one radius per node")
    _increasing(f"{key}.profile_z_mm", z)
    if z[0] < horn.z_start or z[-1] > horn.z_end:
        raise _fail(f"{key}.profile_z_mm", "the field region must lie inside [0, length_mm]")
    for r_in, r_out in zip(horn.inner_radius, horn.outer_radius, strict=True):
        _finite(f"{key}.inner_radius_mm", r_in)
        _finite(f"{key}.outer_radius_mm", r_out)
        if not r_out > r_in:
            raise _fail(
                f"{key}.outer_radius_mm",
                f"the outer radius must exceed the inner one at every node ({r_out} <= {r_in})",
            )
    if horn.conductor != "Al":
        raise _fail(
            f"{key}.conductor",
            f"pion absorption is modelled in aluminium only (G4BNB), got {horn.conductor!r}",
        )


def _check_facility(f: Facility) -> None:
    if not isinstance(f.name, str) or not f.name.strip():
        raise _fail("name", f"must be a non-empty string, got {f.name!r}")
    _finite("beam.proton_kinetic_energy_GeV", f.proton_kinetic_energy)
    for name in ("sigma_x", "sigma_y", "sigma_theta_x", "sigma_theta_y"):
        unit = "mrad" if "theta" in name else "mm"
        _finite(f"beam.{name}_{unit}", getattr(f.spot, name), low=0.0, open_low=False)
    _finite("beam.start_z_mm", f.spot.z_start, low=None)
    t = f.target
    _finite("target.radius_mm", t.radius)
    _finite("target.density_g_cm3", t.density)
    _finite("target.molar_mass_g_mol", t.molar_mass)
    for name in ("atomic_number", "mass_number"):
        value = getattr(t, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise _fail(f"target.{name}", f"must be a positive integer, got {value!r}")
    if t.atomic_number > t.mass_number:
        raise _fail("target.atomic_number", "cannot exceed mass_number")
    for name in ("sigma_inelastic", "sigma_production"):
        if getattr(t, name) is not None:
            _finite(f"target.{name}_mb", getattr(t, name))
    if (
        t.sigma_inelastic is not None
        and t.sigma_production is not None
        and t.sigma_production > t.sigma_inelastic
    ):
        raise _fail("target.sigma_production_mb", "cannot exceed sigma_inelastic_mb")
    if not t.segments:
        raise _fail("target.segments_mm", "needs at least one [z1, z2] segment")
    edges = tuple(z for seg in t.segments for z in seg)
    for z in edges:
        _finite("target.segments_mm", z, low=None)
    _increasing("target.segments_mm", edges)
    if not f.horns:
        raise _fail("horns", "needs at least one horn")
    for i, horn in enumerate(f.horns):
        _check_horn(i, horn)
    for i, (a, b) in enumerate(itertools.pairwise(f.horns)):
        if b.z_start < a.z_end:
            raise _fail(f"horns[{i + 1}].position_mm", "horns must be in beam order, not overlap")
    if f.polarity not in POLARITIES:
        raise _fail("polarity", f"must be one of {list(POLARITIES)}, got {f.polarity!r}")
    pipe = f.decay_pipe
    _finite("decay_pipe.radius_mm", pipe.radius)
    _finite("decay_pipe.start_mm", pipe.start, low=None)
    _finite("absorber.z_mm", f.absorber_z, low=None)
    if not f.absorber_z > pipe.start:
        raise _fail("absorber.z_mm", "the absorber face must be downstream of the pipe's start")
    previous = -math.inf
    for i, ap in enumerate(f.apertures):
        key = f"apertures[{i}]"
        if not ap.z2 > ap.z1:
            raise _fail(f"{key}.z_mm", f"needs z1 < z2, got [{ap.z1}, {ap.z2}]")
        if ap.z1 < previous:
            raise _fail(f"{key}.z_mm", "apertures must be in beam order and must not overlap")
        _finite(f"{key}.radius_mm", ap.r1)
        _finite(f"{key}.radius_mm", ap.r2)
        previous = ap.z2
    if previous > pipe.start:
        raise _fail("decay_pipe.start_mm", "the apertures must end upstream of the decay pipe")
    if f.pot_per_year is not None:
        _finite("pot_per_year", f.pot_per_year)
    for key, _ in f.sources:
        if key not in _SOURCE_KEYS and not _is_list_key(key):
            raise _fail(f"sources.{key}", f"names no facility field; known: {sorted(_SOURCE_KEYS)}")


# --- TOML reading -------------------------------------------------------------------
_TOP_KEYS = {
    "name",
    "description",
    "production",
    "polarity",
    "pot_per_year",
    "beam",
    "target",
    "horns",
    "apertures",
    "decay_pipe",
    "absorber",
    "sources",
}
_BEAM_KEYS = {
    "proton_kinetic_energy_GeV",
    "sigma_x_mm",
    "sigma_y_mm",
    "sigma_theta_x_mrad",
    "sigma_theta_y_mrad",
    "start_z_mm",
}
_TARGET_KEYS = {
    "material",
    "atomic_number",
    "mass_number",
    "density_g_cm3",
    "molar_mass_g_mol",
    "radius_mm",
    "segments_mm",
    "sigma_inelastic_mb",
    "sigma_production_mb",
}
_HORN_KEYS = {
    "name",
    "position_mm",
    "length_mm",
    "current_kA",
    "wall_thickness_mm",
    "conductor",
    "profile_z_mm",
    "inner_radius_mm",
    "outer_radius_mm",
    "sections",
}
_SECTION_KEYS = {"z_mm", "a_mm2", "b_mm", "points"}
_APERTURE_KEYS = {"name", "z_mm", "radius_mm"}
_PIPE_KEYS = {"start_mm", "radius_mm", "gas", "wall_material"}
_ABSORBER_KEYS = {"z_mm", "material"}
_SOURCE_KEYS = (
    {"name", "description", "production", "polarity", "pot_per_year"}
    | {f"beam.{k}" for k in _BEAM_KEYS}
    | {f"target.{k}" for k in _TARGET_KEYS}
    | {f"decay_pipe.{k}" for k in _PIPE_KEYS}
    | {f"absorber.{k}" for k in _ABSORBER_KEYS}
    | {"horns", "apertures"}
)
_LIST_SOURCE_PREFIXES = (("horns", _HORN_KEYS), ("apertures", _APERTURE_KEYS))


def _is_list_key(key: str) -> bool:
    """Whether ``key`` is a ``horns[0].current_kA``-style source key."""
    head, _, field_name = key.partition(".")
    for prefix, keys in _LIST_SOURCE_PREFIXES:
        index = head.removeprefix(prefix + "[").removesuffix("]")
        if head == f"{prefix}[{index}]" and index.isdigit():
            return not field_name or field_name in keys
    return False


def _check_keys(table: Mapping[str, Any], allowed: set[str], prefix: str) -> None:
    for key in table:
        if key not in allowed:
            raise _fail(f"{prefix}{key}", f"unknown key; allowed here: {sorted(allowed)}")


def _table(data: Mapping[str, Any], key: str, prefix: str = "") -> Mapping[str, Any]:
    if key not in data:
        raise _fail(f"{prefix}{key}", "table is required")
    value = data[key]
    if not isinstance(value, Mapping):
        raise _fail(f"{prefix}{key}", f"must be a table, got {value!r}")
    return value


def _number(table: Mapping[str, Any], key: str, prefix: str, default: float | None = None) -> float:
    if key not in table:
        if default is None:
            raise _fail(f"{prefix}{key}", "is required")
        return default
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(f"{prefix}{key}", f"expected a number, got {value!r}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise _fail(f"{prefix}{key}", f"must be finite, got {value!r}")
    return number


def _string(table: Mapping[str, Any], key: str, prefix: str, default: str | None = None) -> str:
    if key not in table:
        if default is None:
            raise _fail(f"{prefix}{key}", "is required")
        return default
    value = table[key]
    if not isinstance(value, str):
        raise _fail(f"{prefix}{key}", f"must be a string, got {value!r}")
    return value


def _integer(table: Mapping[str, Any], key: str, prefix: str) -> int:
    value = table.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(f"{prefix}{key}", f"must be an integer, got {value!r}")
    return value


def _numbers(field_name: str, value: Any, length: int | None = None) -> tuple[float, ...]:
    if not isinstance(value, list) or not all(
        not isinstance(v, bool) and isinstance(v, int | float) for v in value
    ):
        raise _fail(field_name, f"expected a list of numbers, got {value!r}")
    if length is not None and len(value) != length:
        raise _fail(field_name, f"expected {length} numbers, got {value!r}")
    try:
        out = tuple(float(v) for v in value)
    except OverflowError as exc:
        raise _fail(field_name, f"must be finite, got {value!r}") from exc
    if not all(math.isfinite(v) for v in out):
        raise _fail(field_name, f"must be finite, got {value!r}")
    return out


def _radius_pair(field_name: str, value: Any) -> tuple[float, float]:
    """A number (cylinder) or [r1, r2] (cone)."""
    if isinstance(value, list):
        r1, r2 = _numbers(field_name, value, 2)
        return r1, r2
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(field_name, f"expected a number or [r1, r2], got {value!r}")
    return float(value), float(value)


def _beam(table: Mapping[str, Any]) -> tuple[float, BeamSpot]:
    _check_keys(table, _BEAM_KEYS, "beam.")
    p = "beam."
    spot = BeamSpot(
        sigma_x=_number(table, "sigma_x_mm", p) * mm,
        sigma_y=_number(table, "sigma_y_mm", p) * mm,
        sigma_theta_x=_number(table, "sigma_theta_x_mrad", p) * mrad,
        sigma_theta_y=_number(table, "sigma_theta_y_mrad", p) * mrad,
        z_start=_number(table, "start_z_mm", p) * mm,
    )
    return _number(table, "proton_kinetic_energy_GeV", p) * GeV, spot


def _target(table: Mapping[str, Any]) -> Target:
    _check_keys(table, _TARGET_KEYS, "target.")
    p = "target."
    raw = table.get("segments_mm")
    if not isinstance(raw, list) or not raw:
        raise _fail("target.segments_mm", f"must be a list of [z1, z2] pairs, got {raw!r}")
    segments = tuple(_numbers("target.segments_mm", seg, 2) for seg in raw)
    sigma = {
        key: (_number(table, f"{key}_mb", p) * _MB if f"{key}_mb" in table else None)
        for key in ("sigma_inelastic", "sigma_production")
    }
    return Target(
        material=_string(table, "material", p),
        atomic_number=_integer(table, "atomic_number", p),
        mass_number=_integer(table, "mass_number", p),
        density=_number(table, "density_g_cm3", p) * g / cm3,
        molar_mass=_number(table, "molar_mass_g_mol", p) * g / mole,
        radius=_number(table, "radius_mm", p) * mm,
        segments=tuple((a * mm, b * mm) for a, b in segments),
        sigma_inelastic=sigma["sigma_inelastic"],
        sigma_production=sigma["sigma_production"],
    )


def _sections(key: str, raw: Any) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Expand parabolic sections r^2 = a + b z to a (z, r) table (local z, mm)."""
    if not isinstance(raw, list) or not raw:
        raise _fail(f"{key}.sections", "must be a non-empty list of tables")
    zs: list[float] = []
    rs: list[float] = []
    for j, sec in enumerate(raw):
        sk = f"{key}.sections[{j}]"
        if not isinstance(sec, Mapping):
            raise _fail(sk, f"must be a table, got {sec!r}")
        _check_keys(sec, _SECTION_KEYS, f"{sk}.")
        z1, z2 = _numbers(f"{sk}.z_mm", sec.get("z_mm"), 2)
        if not z2 > z1:
            raise _fail(f"{sk}.z_mm", f"needs z1 < z2, got [{z1}, {z2}]")
        if zs and z1 < zs[-1]:
            raise _fail(f"{sk}.z_mm", "sections must be in increasing z and must not overlap")
        a, b = _number(sec, "a_mm2", f"{sk}."), _number(sec, "b_mm", f"{sk}.")
        n = sec.get("points", _DEFAULT_SECTION_POINTS)
        if isinstance(n, bool) or not isinstance(n, int) or not 2 <= n <= 10_000:
            raise _fail(f"{sk}.points", f"must be an integer in [2, 10000], got {n!r}")
        z = np.linspace(z1, z2, n)
        r2 = a + b * z
        if np.any(r2 <= 0.0):
            raise _fail(f"{sk}.a_mm2", "r^2 = a + b z must be positive over the section")
        start = 1 if zs and z1 == zs[-1] else 0
        zs.extend(float(v) for v in z[start:])
        rs.extend(float(v) for v in np.sqrt(r2)[start:])
    return tuple(zs), tuple(rs)


def _horn(index: int, table: Any) -> Horn:
    key = f"horns[{index}]"
    if not isinstance(table, Mapping):
        raise _fail(key, f"must be a table, got {table!r}")
    _check_keys(table, _HORN_KEYS, f"{key}.")
    p = f"{key}."
    position = _number(table, "position_mm", p) * mm
    length = _number(table, "length_mm", p) * mm
    has_table = "profile_z_mm" in table or "inner_radius_mm" in table
    if has_table == ("sections" in table):
        raise _fail(
            f"{key}.sections",
            "give the field region as profile_z_mm + inner_radius_mm or as sections, one of them",
        )
    if has_table:
        z_local = _numbers(f"{p}profile_z_mm", table.get("profile_z_mm"))
        r_in = _numbers(f"{p}inner_radius_mm", table.get("inner_radius_mm"), len(z_local))
    else:
        z_local, r_in = _sections(key, table["sections"])
    if "outer_radius_mm" not in table:
        raise _fail(f"{p}outer_radius_mm", "is required")
    raw_out = table["outer_radius_mm"]
    if isinstance(raw_out, list):
        if not has_table:
            raise _fail(f"{p}outer_radius_mm", "with sections the outer radius is one number")
        r_out = _numbers(f"{p}outer_radius_mm", raw_out, len(z_local))
    else:
        r_out = (_number(table, "outer_radius_mm", p),) * len(z_local)
    return Horn(
        name=_string(table, "name", p, default=f"horn {index + 1}"),
        z_start=position,
        z_end=position + length,
        profile_z=tuple(position + z * mm for z in z_local),
        inner_radius=tuple(r * mm for r in r_in),
        outer_radius=tuple(r * mm for r in r_out),
        current=_number(table, "current_kA", p) * kA,
        wall_thickness=_number(table, "wall_thickness_mm", p, default=0.0) * mm,
        conductor=_string(table, "conductor", p, default="Al"),
    )


def _aperture(index: int, table: Any) -> Aperture:
    key = f"apertures[{index}]"
    if not isinstance(table, Mapping):
        raise _fail(key, f"must be a table, got {table!r}")
    _check_keys(table, _APERTURE_KEYS, f"{key}.")
    z1, z2 = _numbers(f"{key}.z_mm", table.get("z_mm"), 2)
    if "radius_mm" not in table:
        raise _fail(f"{key}.radius_mm", "is required")
    r1, r2 = _radius_pair(f"{key}.radius_mm", table["radius_mm"])
    name = _string(table, "name", f"{key}.", default=f"aperture {index + 1}")
    return Aperture(name, z1 * mm, z2 * mm, r1 * mm, r2 * mm)


def _list_of_tables(data: Mapping[str, Any], key: str, required: bool) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list) or (required and not value):
        raise _fail(key, "must be a non-empty list of tables ([[" + key + "]])")
    return value


def facility_from_mapping(data: Mapping[str, Any]) -> Facility:
    """Build a :class:`Facility` from the parsed contents of a facility TOML file.

    Raises
    ------
    FacilityConfigError
        Naming the missing, unknown or bad field.
    """
    if not isinstance(data, Mapping):
        raise FacilityConfigError(f"a facility definition must be a table, got {data!r}")
    _check_keys(data, _TOP_KEYS, "")
    energy, spot = _beam(_table(data, "beam"))
    pipe_table = _table(data, "decay_pipe")
    _check_keys(pipe_table, _PIPE_KEYS, "decay_pipe.")
    pipe = DecayPipe(
        start=_number(pipe_table, "start_mm", "decay_pipe.") * mm,
        radius=_number(pipe_table, "radius_mm", "decay_pipe.") * mm,
        gas=_string(pipe_table, "gas", "decay_pipe."),
        wall_material=_string(pipe_table, "wall_material", "decay_pipe.", default=""),
    )
    absorber = _table(data, "absorber")
    _check_keys(absorber, _ABSORBER_KEYS, "absorber.")
    sources_table = data.get("sources", {})
    if not isinstance(sources_table, Mapping):
        raise _fail("sources", f"must be a table, got {sources_table!r}")
    sources = []
    for key, value in sources_table.items():
        if not isinstance(value, str):
            raise _fail(f"sources.{key}", f"must be a string, got {value!r}")
        sources.append((str(key), value))
    pot_year = data.get("pot_per_year")
    return Facility(
        name=_string(data, "name", ""),
        description=_string(data, "description", "", default=""),
        production=_string(data, "production", "", default="bnb-fits"),
        polarity=_string(data, "polarity", "", default="neutrino"),
        pot_per_year=None if pot_year is None else _number(data, "pot_per_year", ""),
        proton_kinetic_energy=energy,
        spot=spot,
        target=_target(_table(data, "target")),
        horns=tuple(_horn(i, t) for i, t in enumerate(_list_of_tables(data, "horns", True))),
        apertures=tuple(
            _aperture(i, t) for i, t in enumerate(_list_of_tables(data, "apertures", False))
        ),
        decay_pipe=pipe,
        absorber_z=_number(absorber, "z_mm", "absorber.") * mm,
        absorber_material=_string(absorber, "material", "absorber.", default=""),
        sources=tuple(sources),
    )


def _read_toml(source: Traversable | Path) -> Facility:
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise FacilityConfigError(f"{source.name}: not valid TOML ({exc})") from exc
    except UnicodeDecodeError as exc:
        raise FacilityConfigError(f"{source.name}: not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise FacilityConfigError(f"{source.name}: cannot read ({exc.strerror})") from exc
    try:
        return facility_from_mapping(data)
    except FacilityConfigError as exc:
        raise FacilityConfigError(f"{source.name}: {exc}") from exc


def available_facilities() -> list[str]:
    """Names (file stems, lower case) of the facilities shipped with muphilic."""
    folder = files("muphilic.data").joinpath(_PACKAGE_FOLDER)
    return sorted(
        entry.name.removesuffix(".toml")
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    )


@cache
def _packaged(name: str) -> Facility:
    return _read_toml(data_file(_PACKAGE_FOLDER, f"{name}.toml"))


def load_facility(name_or_path: str | Path) -> Facility:
    """A packaged facility by name (case-insensitive), or a facility TOML file by path.

    Parameters
    ----------
    name_or_path : str or pathlib.Path
        ``"bnb"``, or the path of a TOML file following the schema of this module.

    Raises
    ------
    FacilityConfigError
        For an unknown name or a bad file (the message names the field).
    """
    key = str(name_or_path)
    if key.lower() in available_facilities():
        return _packaged(key.lower())
    path = Path(key)
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise FacilityConfigError(f"no facility file {key}")
        return _read_toml(path)
    raise FacilityConfigError(
        f"unknown facility {key!r}: packaged facilities are {available_facilities()}, "
        "or give the path of a .toml file"
    )
