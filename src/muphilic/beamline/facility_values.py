"""Readers of single facility-file values: typed, checked, and failing with the field's name.

Each reader takes the table (or the value) and the dotted prefix of the field and raises the
:class:`~muphilic.beamline.facility.FacilityConfigError` of
:func:`~muphilic.beamline.facility.fail` naming it; :mod:`muphilic.beamline.facility_file`
builds the facility from them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from muphilic.beamline.facility import fail
from muphilic.constants import mm

__all__: list[str] = []


def _check_keys(table: Mapping[str, Any], allowed: set[str], prefix: str) -> None:
    for key in table:
        if key not in allowed:
            raise fail(f"{prefix}{key}", f"unknown key; allowed here: {sorted(allowed)}")


def _table(data: Mapping[str, Any], key: str, prefix: str = "") -> Mapping[str, Any]:
    if key not in data:
        raise fail(f"{prefix}{key}", "table is required")
    value = data[key]
    if not isinstance(value, Mapping):
        raise fail(f"{prefix}{key}", f"must be a table, got {value!r}")
    return value


def _number(table: Mapping[str, Any], key: str, prefix: str, default: float | None = None) -> float:
    if key not in table:
        if default is None:
            raise fail(f"{prefix}{key}", "is required")
        return default
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(f"{prefix}{key}", f"expected a number, got {value!r}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise fail(f"{prefix}{key}", f"must be finite, got {value!r}")
    return number


def _string(table: Mapping[str, Any], key: str, prefix: str, default: str | None = None) -> str:
    if key not in table:
        if default is None:
            raise fail(f"{prefix}{key}", "is required")
        return default
    value = table[key]
    if not isinstance(value, str):
        raise fail(f"{prefix}{key}", f"must be a string, got {value!r}")
    return value


def _integer(table: Mapping[str, Any], key: str, prefix: str) -> int:
    value = table.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise fail(f"{prefix}{key}", f"must be an integer, got {value!r}")
    return value


def _numbers(field_name: str, value: Any, length: int | None = None) -> tuple[float, ...]:
    if not isinstance(value, list) or not all(
        not isinstance(v, bool) and isinstance(v, int | float) for v in value
    ):
        raise fail(field_name, f"expected a list of numbers, got {value!r}")
    if length is not None and len(value) != length:
        raise fail(field_name, f"expected {length} numbers, got {value!r}")
    try:
        out = tuple(float(v) for v in value)
    except OverflowError as exc:
        raise fail(field_name, f"must be finite, got {value!r}") from exc
    if not all(math.isfinite(v) for v in out):
        raise fail(field_name, f"must be finite, got {value!r}")
    return out


def _radius_pair(field_name: str, value: Any) -> tuple[float, float]:
    """A number (cylinder) or [r1, r2] (cone)."""
    if isinstance(value, list):
        r1, r2 = _numbers(field_name, value, 2)
        return r1, r2
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(field_name, f"expected a number or [r1, r2], got {value!r}")
    return float(value), float(value)


def _increasing_pair(field_name: str, value: Any, low: float = 0.0) -> tuple[float, float]:
    """[a, b] with low <= a < b, mm."""
    a, b = _numbers(field_name, value, 2)
    if not low <= a * mm < b * mm:
        raise fail(field_name, f"must be [a, b] with {low / mm:g} <= a < b, got {list(value)}")
    return a * mm, b * mm
