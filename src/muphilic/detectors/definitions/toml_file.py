"""Detector TOML files: reading (with the schema's checks), the packaged ones, writing.

:func:`detector_from_mapping` builds a :class:`~muphilic.detectors.definitions.detector.Detector`
from a parsed file, refusing unknown keys and converting the units of the key names;
:func:`load_detector` reads a packaged detector or a file (at most
:data:`~muphilic.detectors.definitions.fields.MAX_TOML_BYTES`, its placement checked);
:func:`detector_to_toml` writes one back.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import tomli_w

from muphilic.constants import MeV, m, tonne
from muphilic.data import data_file
from muphilic.detectors.definitions.detector import Detector
from muphilic.detectors.definitions.fields import (
    _BINS_KEYS,
    _CUTS_KEYS,
    _DENSITY_UNIT,
    _GEOMETRY_KEYS,
    _MAX_BINS,
    _SOURCE_KEYS,
    _TOP_KEYS,
    MAX_TOML_BYTES,
    DetectorConfigError,
    _as_tuple,
    _fail,
    _finite_positive,
)
from muphilic.detectors.definitions.photon_cuts import PhotonCuts
from muphilic.detectors.definitions.placement import _check_placement
from muphilic.errors import shown

__all__ = ["available_detectors", "detector_from_mapping", "detector_to_toml", "load_detector"]

_PACKAGE_FOLDER = "detectors"


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
