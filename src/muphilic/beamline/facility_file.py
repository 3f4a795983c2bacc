"""Facility files: the TOML schema of a :class:`~muphilic.beamline.facility.Facility`.

The packaged facilities live in ``muphilic/data/facilities/<name>.toml``
(documented, number by number, in the README of that folder and in each file's
``[sources]``); a user adds one by writing a file with the same keys and passing
its path to :func:`load_facility`.

TOML schema (units are in the key names; every unknown key is an error)
-----------------------------------------------------------------------
Positions are in the beam frame: z along the proton beam, origin at the
facility's reference point (BNB: the upstream end of the horn)::

    name = "BNB"                      # required
    description = "..."               # optional
    production = "bnb-fits"           # default production backend (muphilic.beamline.production)
    polarity = "neutrino"             # or "antineutrino": every horn current reversed
    pot_per_year = 1e20               # optional, protons on target in a year
    approximate = false               # optional: true when the geometry is a model of a
                                      # published description, not the experiment's own

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
    outer_conductor_mm = 25.4         # optional: mesons cross the outer conductor (absorption)
    hall_x_mm = [-685.4, 685.4]       # and fly on in the air of the box x in hall_x_mm,
    hall_y_mm = [-1315.4, 715.4]      # y in hall_y_mm, up to z = hall_z_end_mm (all three
    hall_z_end_mm = 3070.0            # needed with outer_conductor_mm)
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
    wall_materials = ["steel", "void", "concrete"]   # optional: layers outside the open
    wall_radii_mm = [1965.4, 2165.4, 2751.0]         # radius, inside out, and their outer radii

    [decay_pipe]                      # required; runs from start_mm to the absorber face
    start_mm = 5203.6
    radius_mm = 914.4
    gas = "air"
    wall_material = "..."             # optional: what surrounds the pipe, in words
    wall_materials = ["concrete", "dolomite"]        # optional, as for the apertures
    wall_radii_mm = [1500.0, 8000.0]

    [materials.concrete]              # optional: one table per material the walls name
    density_g_cm3 = 2.15
    mean_excitation_eV = 129.1
    elements = ["O", "Si", "Ca", "Na", "Fe", "Al"]
    mass_fractions = [0.52, 0.325, 0.06, 0.015, 0.04, 0.04]
    # sternheimer = [Cbar, x0, x1, a, k, delta0]   # optional density-effect parameters

A wall layer named ``"void"`` is an empty (air) gap. Muons that stop on a wall
with no layers (the default) emit no scalars; with layers they emit in each
layer's material on their straight path through it (:mod:`muphilic.beamline.walls`).

    [absorber]                        # required
    z_mm = 49678.0                    # upstream face
    material = "..."

    [sources]                         # dotted key -> citation string
    "beam.proton_kinetic_energy_GeV" = "..."

Inside the package every length is in mm, energy in MeV and current, density and
area in :mod:`hepunits` units; TOML files use the units in their key names.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import numpy as np

from muphilic.beamline.facility import DecayPipe, Facility, FacilityConfigError, Horn, fail
from muphilic.beamline.facility_values import (
    _check_keys,
    _increasing_pair,
    _integer,
    _number,
    _numbers,
    _radius_pair,
    _string,
    _table,
)
from muphilic.beamline.geometry import Aperture
from muphilic.beamline.materials import Material, MaterialError
from muphilic.beamline.target import BeamSpot, Target
from muphilic.beamline.target_support import Fins, Sleeve
from muphilic.constants import GeV, MeV, barn, cm3, g, kA, mm, mole, mrad
from muphilic.data import data_file

__all__ = ["available_facilities", "facility_from_mapping", "load_facility"]

_PACKAGE_FOLDER = "facilities"
_MB = 1.0e-3 * barn

#: Nodes per parabolic inner-conductor section when the file does not say.
_DEFAULT_SECTION_POINTS = 50


# --- TOML reading -------------------------------------------------------------------
_TOP_KEYS = {
    "name",
    "description",
    "production",
    "polarity",
    "pot_per_year",
    "approximate",
    "beam",
    "target",
    "horns",
    "apertures",
    "decay_pipe",
    "absorber",
    "materials",
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
    "mean_excitation_eV",
    "sleeve",
    "fins",
}
_HORN_KEYS = {
    "name",
    "position_mm",
    "length_mm",
    "current_kA",
    "wall_thickness_mm",
    "skin_depth_mm",
    "conductor",
    "profile_z_mm",
    "inner_radius_mm",
    "outer_radius_mm",
    "sections",
    "outer_conductor_mm",
    "hall_x_mm",
    "hall_y_mm",
    "hall_z_end_mm",
}
#: The target hall around a horn, read with ``outer_conductor_mm``.
_HALL_KEYS = ("hall_x_mm", "hall_y_mm", "hall_z_end_mm")
_SECTION_KEYS = {"z_mm", "a_mm2", "b_mm", "points"}
_WALL_KEYS = {"wall_materials", "wall_radii_mm"}
_APERTURE_KEYS = {"name", "z_mm", "radius_mm"} | _WALL_KEYS
_PIPE_KEYS = {"start_mm", "radius_mm", "gas", "wall_material"} | _WALL_KEYS
_MATERIAL_KEYS = {
    "density_g_cm3",
    "mean_excitation_eV",
    "elements",
    "mass_fractions",
    "sternheimer",
}
_ABSORBER_KEYS = {"z_mm", "material"}
_SOURCE_KEYS = (
    {"name", "description", "production", "polarity", "pot_per_year", "approximate"}
    | {f"beam.{k}" for k in _BEAM_KEYS}
    | {f"target.{k}" for k in _TARGET_KEYS}
    | {f"decay_pipe.{k}" for k in _PIPE_KEYS}
    | {f"absorber.{k}" for k in _ABSORBER_KEYS}
    | {"horns", "apertures", "materials"}
)
_LIST_SOURCE_PREFIXES = (("horns", _HORN_KEYS), ("apertures", _APERTURE_KEYS))


def _is_list_key(key: str) -> bool:
    """Whether ``key`` is a ``horns[0].current_kA``-style (or ``materials.NAME``) source key."""
    head, _, field_name = key.partition(".")
    if head == "materials":
        return bool(field_name)
    for prefix, keys in _LIST_SOURCE_PREFIXES:
        index = head.removeprefix(prefix + "[").removesuffix("]")
        if head == f"{prefix}[{index}]" and index.isdigit():
            return not field_name or field_name in keys
    return False


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
        raise fail("target.segments_mm", f"must be a list of [z1, z2] pairs, got {raw!r}")
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
        mean_excitation=_mean_excitation(table),
        sleeve=_sleeve(table, _number(table, "radius_mm", p) * mm),
        fins=_fins(table, _number(table, "radius_mm", p) * mm),
    )


def _sleeve(table: Mapping[str, Any], rod_radius: float) -> Sleeve | None:
    """``[target.sleeve]``: the tube around the rod (``radii_mm``, ``z_mm``)."""
    if "sleeve" not in table:
        return None
    sub = _table(table, "sleeve", "target.")
    _check_keys(sub, {"radii_mm", "z_mm"}, "target.sleeve.")
    r1, r2 = _increasing_pair("target.sleeve.radii_mm", sub.get("radii_mm"), rod_radius)
    z1, z2 = _increasing_pair("target.sleeve.z_mm", sub.get("z_mm"), -math.inf)
    return Sleeve(r1, r2, z1, z2)


def _fins(table: Mapping[str, Any], rod_radius: float) -> Fins | None:
    """``[target.fins]``: flat fins from the rod outwards (``phi_deg``, ``thickness_mm``,
    ``radii_mm``, ``segments_mm``)."""
    if "fins" not in table:
        return None
    sub = _table(table, "fins", "target.")
    _check_keys(sub, {"phi_deg", "thickness_mm", "radii_mm", "segments_mm"}, "target.fins.")
    phi = _numbers("target.fins.phi_deg", sub.get("phi_deg"))
    if not phi:
        raise fail("target.fins.phi_deg", "must list at least one azimuth")
    thickness = _number(sub, "thickness_mm", "target.fins.")
    if not thickness > 0.0:
        raise fail("target.fins.thickness_mm", f"must be positive, got {thickness!r}")
    radii = _increasing_pair("target.fins.radii_mm", sub.get("radii_mm"), 0.999 * rod_radius)
    raw = sub.get("segments_mm")
    if not isinstance(raw, list) or not raw:
        raise fail("target.fins.segments_mm", f"must be a list of [z1, z2] pairs, got {raw!r}")
    segments = tuple(_increasing_pair("target.fins.segments_mm", s, -math.inf) for s in raw)
    return Fins(tuple(math.radians(x) for x in phi), thickness * mm, *radii, segments)


def _mean_excitation(table: Mapping[str, Any]) -> float | None:
    """The target's ``mean_excitation_eV`` (MeV), None when not given."""
    if "mean_excitation_eV" not in table:
        return None
    value = _number(table, "mean_excitation_eV", "target.")
    if not value > 0.0:
        raise fail("target.mean_excitation_eV", f"must be positive, got {value!r}")
    return value * 1.0e-6 * MeV


def _sections(key: str, raw: Any) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Expand parabolic sections r^2 = a + b z to a (z, r) table (local z, mm)."""
    if not isinstance(raw, list) or not raw:
        raise fail(f"{key}.sections", "must be a non-empty list of tables")
    zs: list[float] = []
    rs: list[float] = []
    for j, sec in enumerate(raw):
        sk = f"{key}.sections[{j}]"
        if not isinstance(sec, Mapping):
            raise fail(sk, f"must be a table, got {sec!r}")
        _check_keys(sec, _SECTION_KEYS, f"{sk}.")
        z1, z2 = _numbers(f"{sk}.z_mm", sec.get("z_mm"), 2)
        if not z2 > z1:
            raise fail(f"{sk}.z_mm", f"needs z1 < z2, got [{z1}, {z2}]")
        if zs and z1 < zs[-1]:
            raise fail(f"{sk}.z_mm", "sections must be in increasing z and must not overlap")
        a, b = _number(sec, "a_mm2", f"{sk}."), _number(sec, "b_mm", f"{sk}.")
        n = sec.get("points", _DEFAULT_SECTION_POINTS)
        if isinstance(n, bool) or not isinstance(n, int) or not 2 <= n <= 10_000:
            raise fail(f"{sk}.points", f"must be an integer in [2, 10000], got {n!r}")
        z = np.linspace(z1, z2, n)
        r2 = a + b * z
        if np.any(r2 <= 0.0):
            raise fail(f"{sk}.a_mm2", "r^2 = a + b z must be positive over the section")
        start = 1 if zs and z1 == zs[-1] else 0
        zs.extend(float(v) for v in z[start:])
        rs.extend(float(v) for v in np.sqrt(r2)[start:])
    return tuple(zs), tuple(rs)


def _horn(index: int, table: Any) -> Horn:
    key = f"horns[{index}]"
    if not isinstance(table, Mapping):
        raise fail(key, f"must be a table, got {table!r}")
    _check_keys(table, _HORN_KEYS, f"{key}.")
    p = f"{key}."
    position = _number(table, "position_mm", p) * mm
    length = _number(table, "length_mm", p) * mm
    has_table = "profile_z_mm" in table or "inner_radius_mm" in table
    if has_table == ("sections" in table):
        raise fail(
            f"{key}.sections",
            "give the field region as profile_z_mm + inner_radius_mm or as sections, one of them",
        )
    if has_table:
        z_local = _numbers(f"{p}profile_z_mm", table.get("profile_z_mm"))
        r_in = _numbers(f"{p}inner_radius_mm", table.get("inner_radius_mm"), len(z_local))
    else:
        z_local, r_in = _sections(key, table["sections"])
    if "outer_radius_mm" not in table:
        raise fail(f"{p}outer_radius_mm", "is required")
    raw_out = table["outer_radius_mm"]
    if isinstance(raw_out, list):
        if not has_table:
            raise fail(f"{p}outer_radius_mm", "with sections the outer radius is one number")
        r_out = _numbers(f"{p}outer_radius_mm", raw_out, len(z_local))
    else:
        r_out = (_number(table, "outer_radius_mm", p),) * len(z_local)
    outer = _number(table, "outer_conductor_mm", p, default=0.0)
    for k in _HALL_KEYS:
        if outer > 0 and k not in table:
            raise fail(f"{p}{k}", "is required with outer_conductor_mm (the target hall box)")
    hall_x, hall_y = (
        _numbers(f"{p}{k}", table[k], 2) if k in table else (0.0, 0.0)
        for k in ("hall_x_mm", "hall_y_mm")
    )
    hall_z = _number(table, "hall_z_end_mm", p, default=0.0)
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
        outer_conductor=outer * mm,
        hall_x=(hall_x[0] * mm, hall_x[1] * mm),
        hall_y=(hall_y[0] * mm, hall_y[1] * mm),
        hall_z_end=hall_z * mm,
        skin_depth=_number(table, "skin_depth_mm", p, default=0.0) * mm,
    )


def _walls(table: Mapping[str, Any], prefix: str) -> tuple[tuple[str, float], ...]:
    """The optional wall layers of an aperture or the decay pipe."""
    if not any(k in table for k in _WALL_KEYS):
        return ()
    raw = table.get("wall_materials")
    if not isinstance(raw, list) or not raw or not all(isinstance(v, str) for v in raw):
        raise fail(f"{prefix}wall_materials", f"must be a non-empty list of names, got {raw!r}")
    radii = _numbers(f"{prefix}wall_radii_mm", table.get("wall_radii_mm"), len(raw))
    return tuple((name, r * mm) for name, r in zip(raw, radii, strict=True))


def _material(name: str, table: Any) -> Material:
    key = f"materials.{name}"
    if not isinstance(table, Mapping):
        raise fail(key, f"must be a table, got {table!r}")
    _check_keys(table, _MATERIAL_KEYS, f"{key}.")
    elements = table.get("elements")
    if not isinstance(elements, list) or not all(isinstance(v, str) for v in elements):
        raise fail(f"{key}.elements", f"must be a list of element symbols, got {elements!r}")
    fractions = _numbers(f"{key}.mass_fractions", table.get("mass_fractions"), len(elements))
    stern = None
    if "sternheimer" in table:
        stern = _numbers(f"{key}.sternheimer", table["sternheimer"], 6)
    try:
        return Material(
            name=name,
            density=_number(table, "density_g_cm3", f"{key}.") * g / cm3,
            elements=tuple(elements),
            mass_fractions=fractions,
            mean_excitation=_number(table, "mean_excitation_eV", f"{key}.") * 1.0e-6 * MeV,
            sternheimer=stern,  # type: ignore[arg-type]
        )
    except MaterialError as exc:
        raise fail(key, str(exc)) from None


def _aperture(index: int, table: Any) -> Aperture:
    key = f"apertures[{index}]"
    if not isinstance(table, Mapping):
        raise fail(key, f"must be a table, got {table!r}")
    _check_keys(table, _APERTURE_KEYS, f"{key}.")
    z1, z2 = _numbers(f"{key}.z_mm", table.get("z_mm"), 2)
    if "radius_mm" not in table:
        raise fail(f"{key}.radius_mm", "is required")
    r1, r2 = _radius_pair(f"{key}.radius_mm", table["radius_mm"])
    name = _string(table, "name", f"{key}.", default=f"aperture {index + 1}")
    return Aperture(name, z1 * mm, z2 * mm, r1 * mm, r2 * mm)


def _list_of_tables(data: Mapping[str, Any], key: str, required: bool) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list) or (required and not value):
        raise fail(key, "must be a non-empty list of tables ([[" + key + "]])")
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
    approximate = data.get("approximate", False)
    if not isinstance(approximate, bool):
        raise fail("approximate", f"must be true or false, got {approximate!r}")
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
        raise fail("sources", f"must be a table, got {sources_table!r}")
    sources = []
    for key, value in sources_table.items():
        if key not in _SOURCE_KEYS and not _is_list_key(key):
            raise fail(f"sources.{key}", f"names no facility field; known: {sorted(_SOURCE_KEYS)}")
        if not isinstance(value, str):
            raise fail(f"sources.{key}", f"must be a string, got {value!r}")
        sources.append((str(key), value))
    pot_year = data.get("pot_per_year")
    apertures_raw = _list_of_tables(data, "apertures", False)
    materials_table = data.get("materials", {})
    if not isinstance(materials_table, Mapping):
        raise fail("materials", f"must be a table of tables, got {materials_table!r}")
    walls = [
        _walls(t, f"apertures[{i}].") if isinstance(t, Mapping) else ()
        for i, t in enumerate(apertures_raw)
    ]
    walls.append(_walls(pipe_table, "decay_pipe."))
    return Facility(
        name=_string(data, "name", ""),
        description=_string(data, "description", "", default=""),
        production=_string(data, "production", "", default="bnb-fits"),
        approximate=approximate,
        polarity=_string(data, "polarity", "", default="neutrino"),
        pot_per_year=None if pot_year is None else _number(data, "pot_per_year", ""),
        proton_kinetic_energy=energy,
        spot=spot,
        target=_target(_table(data, "target")),
        horns=tuple(_horn(i, t) for i, t in enumerate(_list_of_tables(data, "horns", True))),
        apertures=tuple(_aperture(i, t) for i, t in enumerate(apertures_raw)),
        decay_pipe=pipe,
        absorber_z=_number(absorber, "z_mm", "absorber.") * mm,
        absorber_material=_string(absorber, "material", "absorber.", default=""),
        sources=tuple(sources),
        materials=tuple(_material(str(k), v) for k, v in materials_table.items()),
        walls=tuple(walls) if any(walls) else (),
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
