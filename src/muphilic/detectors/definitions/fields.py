"""The fields of a detector definition: their ranges, their keys, and the error.

The ranges of the analysis numbers (:data:`FIELD_RANGES`, :data:`MASS_RANGE_T`),
the keys a run may override (:data:`OVERRIDE_KEYS`), the keys of a detector TOML
file per table, the largest file read (:data:`MAX_TOML_BYTES`),
:class:`DetectorConfigError`, and the checks of one value that name its field.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from muphilic.constants import cm3, g
from muphilic.errors import MuphilicError, shown

__all__ = [
    "FIELD_RANGES",
    "MASS_RANGE_T",
    "MAX_TOML_BYTES",
    "OVERRIDE_KEYS",
    "DetectorConfigError",
]

FloatArray = NDArray[np.float64]

_DENSITY_UNIT: float = g / cm3

Shape = Literal["sphere", "box"]
TrackMassMode = Literal["reconstructed", "true"]


#: What a detector's curve can be (the kinds of :mod:`muphilic.recast.output`).
CURVES = ("exclusion", "expected", "projection")

#: Allowed (exclusive low, inclusive high] range of the analysis numbers of a
#: detector, also the fields a run configuration may override (``[detectors.NAME]``):
#: ``pot`` up to 1e25 (ten thousand years of the Booster Neutrino Beam at 1e21 a
#: year); ``efficiency`` a fraction; ``resolution`` the Gaussian m_gg resolution as
#: a fraction of m_S (sigma = resolution x m_S), at most 1 - a peak wider than the
#: mass itself tells nothing about the mass.
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


# --- the keys of a detector TOML file, per table ----------------------------------
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
