"""Proton beamlines as data: a frozen :class:`Facility`.

A facility is data, not code, like a detector (:mod:`muphilic.detectors.definitions`):
the proton beam and its spot, the target, the horns, the apertures, the decay pipe
and the absorber. The embedded beamline simulation
(:func:`muphilic.beamline.simulate`) takes all of its geometry from a Facility.
Facilities are read from TOML files (:mod:`muphilic.beamline.facility_file`,
:func:`~muphilic.beamline.facility_file.load_facility`); a Facility checks its own
values and names the TOML key of a bad one.

Inside the package every length is in mm, energy in MeV and current, density and
area in :mod:`hepunits` units.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from muphilic.beamline.geometry import Aperture
from muphilic.beamline.horn import HornGeometry, HornSystem
from muphilic.beamline.materials import VOID, Material
from muphilic.beamline.target import BeamSpot, Target, proton_momentum
from muphilic.errors import MuphilicError

__all__ = [
    "POLARITIES",
    "DecayPipe",
    "Facility",
    "FacilityConfigError",
    "Horn",
    "fail",
]

#: Horn polarities: neutrino mode focuses positive mesons.
POLARITIES = ("neutrino", "antineutrino")


class FacilityConfigError(MuphilicError):
    """A facility definition is missing a field or has a bad value."""


def fail(field_name: str, message: str) -> FacilityConfigError:
    """The error for a bad value of TOML key ``field_name``."""
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
    skin_depth : float
        Skin depth of the current in the inner conductor, mm; 0 (default): no field in
        the conductor (see :class:`~muphilic.beamline.horn.HornGeometry`).
    conductor : str
        Conductor material (``"Al"``).
    outer_conductor : float
        Outer-conductor thickness, mm; 0 (default): mesons stop at the outer conductor.
    hall_x, hall_y, hall_z_end : tuple of float, tuple of float, float
        The target hall, the air around the horn that mesons crossing the outer
        conductor fly through (:mod:`muphilic.beamline.outer_conductor`): the box
        ``hall_x[0] <= x <= hall_x[1]``, ``hall_y[0] <= y <= hall_y[1]`` up to the
        plane z = ``hall_z_end``, open upstream (beam frame, mm). With an outer
        conductor it must hold the conductor and end downstream of the horn.
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
    outer_conductor: float = 0.0
    hall_x: tuple[float, float] = (0.0, 0.0)
    hall_y: tuple[float, float] = (0.0, 0.0)
    hall_z_end: float = 0.0
    skin_depth: float = 0.0

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
            self.skin_depth,
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
    approximate : bool
        True when the geometry is a model of a published description (horn
        profiles not public), not the experiment's own simulation geometry.
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
    materials : tuple of Material
        Materials the walls are made of (empty: none described).
    walls : tuple
        One entry per region of :meth:`all_apertures`: the layers of material
        outside its open radius, each ``(material name or "void", outer radius mm)``,
        inside out; empty (the default) where nothing is described, and then the
        muons stopping on that wall emit nothing.
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
    approximate: bool = False
    production: str = "bnb-fits"
    pot_per_year: float | None = None
    description: str = ""
    sources: tuple[tuple[str, str], ...] = ()
    materials: tuple[Material, ...] = ()
    walls: tuple[tuple[tuple[str, float], ...], ...] = ()

    def __post_init__(self) -> None:
        _check_facility(self)
        _check_walls(self)

    def material(self, name: str) -> Material:
        """The material called ``name``."""
        for mat in self.materials:
            if mat.name == name:
                return mat
        raise FacilityConfigError(
            f"facility {self.name!r} has no material {name!r}; "
            f"known: {[m.name for m in self.materials]}"
        )

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
        gaps = tuple(a for a in self.apertures if a.z2 > z_start and a.z1 < horns[-1].z_end)
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
def _check_walls(f: Facility) -> None:
    names = [m.name for m in f.materials]
    if len(set(names)) != len(names):
        raise fail("materials", f"material names must be unique, got {names}")
    if VOID in names:
        raise fail(f"materials.{VOID}", f"{VOID!r} is reserved for empty gaps")
    if not f.walls:
        return
    regions = f.all_apertures()
    if len(f.walls) != len(regions):
        raise fail("walls", f"need one entry per aperture and the decay pipe ({len(regions)})")
    for i, (region, layers) in enumerate(zip(regions, f.walls, strict=True)):
        key = "decay_pipe" if i == len(regions) - 1 else f"apertures[{i}]"
        previous = max(region.r1, region.r2)
        for material, radius in layers:
            if material != VOID and material not in names:
                raise fail(
                    f"{key}.wall_materials",
                    f"unknown material {material!r}; the [materials] tables define {names}",
                )
            if not (math.isfinite(radius) and radius > previous):
                raise fail(
                    f"{key}.wall_radii_mm",
                    "outer radii must be finite and increase outward from the open radius "
                    f"({previous:g} mm), got {radius!r}",
                )
            previous = radius


def _finite(field_name: str, value: Any, *, low: float | None = 0.0, open_low: bool = True) -> None:
    ok = not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)
    if ok and low is not None:
        ok = value > low if open_low else value >= low
    if not ok:
        bound = "" if low is None else (f" > {low:g}" if open_low else f" >= {low:g}")
        raise fail(field_name, f"must be a finite number{bound}, got {value!r}")


def _increasing(field_name: str, values: tuple[float, ...]) -> None:
    if any(b <= a for a, b in itertools.pairwise(values)):
        raise fail(field_name, f"must increase strictly, got {list(values)}")


def _check_horn(index: int, horn: Horn) -> None:
    key = f"horns[{index}]"
    _finite(f"{key}.current_kA", horn.current, low=0.0, open_low=False)
    _finite(f"{key}.wall_thickness_mm", horn.wall_thickness, low=0.0, open_low=False)
    _finite(f"{key}.skin_depth_mm", horn.skin_depth, low=0.0, open_low=False)
    if horn.skin_depth > 0.0 and not horn.wall_thickness > 0.0:
        raise fail(f"{key}.skin_depth_mm", "needs the conductor's wall_thickness_mm")
    if not horn.z_end > horn.z_start:
        raise fail(f"{key}.length_mm", "must be positive")
    z = horn.profile_z
    if len(z) < 2 or len(horn.inner_radius) != len(z) or len(horn.outer_radius) != len(z):
        raise fail(f"{key}.profile_z_mm", "needs at least two nodes and one radius per node")
    _increasing(f"{key}.profile_z_mm", z)
    if z[0] < horn.z_start or z[-1] > horn.z_end:
        raise fail(f"{key}.profile_z_mm", "the field region must lie inside [0, length_mm]")
    for r_in, r_out in zip(horn.inner_radius, horn.outer_radius, strict=True):
        _finite(f"{key}.inner_radius_mm", r_in)
        _finite(f"{key}.outer_radius_mm", r_out)
        if not r_out > r_in:
            raise fail(
                f"{key}.outer_radius_mm",
                f"the outer radius must exceed the inner one at every node ({r_out} <= {r_in})",
            )
    if horn.conductor != "Al":
        raise fail(
            f"{key}.conductor",
            f"pion absorption is modelled in aluminium only (G4BNB), got {horn.conductor!r}",
        )
    _check_hall(key, horn)


def _check_hall(key: str, horn: Horn) -> None:
    """The outer conductor and the target hall box around it."""
    _finite(f"{key}.outer_conductor_mm", horn.outer_conductor, low=0.0, open_low=False)
    if not horn.outer_conductor > 0.0:
        return
    outer = max(horn.outer_radius) + horn.outer_conductor
    for axis in ("x", "y"):
        field_name = f"{key}.hall_{axis}_mm"
        bounds = getattr(horn, f"hall_{axis}")
        if len(bounds) != 2:
            raise fail(field_name, f"expected [{axis}1, {axis}2], got {list(bounds)}")
        lo, hi = bounds
        _finite(field_name, lo, low=None)
        _finite(field_name, hi, low=None)
        if not lo < -outer < outer < hi:
            raise fail(
                field_name,
                f"the hall must hold the outer conductor (outer radius {outer:g} mm): "
                f"need {axis}1 < {-outer:g} and {axis}2 > {outer:g}, got [{lo:g}, {hi:g}]",
            )
    _finite(f"{key}.hall_z_end_mm", horn.hall_z_end, low=None)
    if not horn.hall_z_end > horn.z_end:
        raise fail(
            f"{key}.hall_z_end_mm",
            f"the hall must end downstream of the horn's end (z = {horn.z_end:g} mm), "
            f"got {horn.hall_z_end:g}",
        )


def _check_facility(f: Facility) -> None:
    if not isinstance(f.name, str) or not f.name.strip():
        raise fail("name", f"must be a non-empty string, got {f.name!r}")
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
            raise fail(f"target.{name}", f"must be a positive integer, got {value!r}")
    if t.atomic_number > t.mass_number:
        raise fail("target.atomic_number", "cannot exceed mass_number")
    for name in ("sigma_inelastic", "sigma_production"):
        if getattr(t, name) is not None:
            _finite(f"target.{name}_mb", getattr(t, name))
    if (
        t.sigma_inelastic is not None
        and t.sigma_production is not None
        and t.sigma_production > t.sigma_inelastic
    ):
        raise fail("target.sigma_production_mb", "cannot exceed sigma_inelastic_mb")
    if not t.segments:
        raise fail("target.segments_mm", "needs at least one [z1, z2] segment")
    edges = tuple(z for seg in t.segments for z in seg)
    for z in edges:
        _finite("target.segments_mm", z, low=None)
    _increasing("target.segments_mm", edges)
    if not f.horns:
        raise fail("horns", "needs at least one horn")
    for i, horn in enumerate(f.horns):
        _check_horn(i, horn)
    for i, (a, b) in enumerate(itertools.pairwise(f.horns)):
        if b.z_start < a.z_end:
            raise fail(f"horns[{i + 1}].position_mm", "horns must be in beam order, not overlap")
    if f.polarity not in POLARITIES:
        raise fail("polarity", f"must be one of {list(POLARITIES)}, got {f.polarity!r}")
    pipe = f.decay_pipe
    _finite("decay_pipe.radius_mm", pipe.radius)
    _finite("decay_pipe.start_mm", pipe.start, low=None)
    _finite("absorber.z_mm", f.absorber_z, low=None)
    if not f.absorber_z > pipe.start:
        raise fail("absorber.z_mm", "the absorber face must be downstream of the pipe's start")
    previous = -math.inf
    for i, ap in enumerate(f.apertures):
        key = f"apertures[{i}]"
        if not ap.z2 > ap.z1:
            raise fail(f"{key}.z_mm", f"needs z1 < z2, got [{ap.z1}, {ap.z2}]")
        if ap.z1 < previous:
            raise fail(f"{key}.z_mm", "apertures must be in beam order and must not overlap")
        _finite(f"{key}.radius_mm", ap.r1)
        _finite(f"{key}.radius_mm", ap.r2)
        previous = ap.z2
    if previous > pipe.start:
        raise fail("decay_pipe.start_mm", "the apertures must end upstream of the decay pipe")
    if f.pot_per_year is not None:
        _finite("pot_per_year", f.pot_per_year)
