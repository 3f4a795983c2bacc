"""A run's overrides of a detector (``[detectors.NAME]``): their checks and their effect.

:func:`check_override` checks one key and value on its own; :func:`apply_overrides`
returns the detector with them applied (the keys of
:data:`~muphilic.detectors.definitions.fields.OVERRIDE_KEYS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from muphilic.constants import MeV, m, tonne
from muphilic.detectors.definitions.detector import Detector
from muphilic.detectors.definitions.fields import (
    _MAX_BINS,
    _OFF_AXIS_RANGE_M,
    FIELD_RANGES,
    MASS_RANGE_T,
    OVERRIDE_KEYS,
    _as_tuple,
    _fail,
    _finite_positive,
)
from muphilic.detectors.definitions.placement import _check_placement
from muphilic.errors import shown

__all__ = ["apply_overrides", "check_override"]


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
