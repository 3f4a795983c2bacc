"""The error of a bad run configuration and the checks that name the field.

:class:`ConfigError` is what every check of a run configuration raises; its
message starts with the field (``scan.n_masses``). ``_require`` and ``_number``
are the two checks the tables of :mod:`muphilic.config` are validated with: a
condition, and a finite number (optionally an integer) inside a range.
"""

from __future__ import annotations

import math
from typing import Any

from muphilic.errors import MuphilicError, shown

__all__ = ["ConfigError"]


class ConfigError(MuphilicError):
    """A configuration file or value is invalid; the message names the field."""


def _require(condition: bool, name: str, message: str) -> None:
    if not condition:
        raise ConfigError(f"{name}: {message}")


def _number(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    integer: bool = False,
) -> None:
    kind = int if integer else (int, float)
    _require(
        isinstance(value, kind) and not isinstance(value, bool),
        name,
        f"must be {'an integer' if integer else 'a number'}, got {shown(value)}",
    )
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an integer beyond the float range
        finite = False
    _require(finite, name, f"must be finite, got {shown(value)}")
    if low is not None:
        ok = value > low if low_open else value >= low
        _require(ok, name, f"must be {'>' if low_open else '>='} {low:g}, got {value!r}")
    if high is not None:
        _require(value <= high, name, f"must be <= {high:g}, got {value!r}")
