"""Reading a run configuration: the TOML file and the dictionary of its layout.

:func:`load_config` reads a TOML file (refusing one that is not a regular UTF-8
file, too large or nested too deeply) and :func:`config_from_dict` builds the
:class:`~muphilic.config.run.RunConfig` of its tables, refusing an unknown key,
and validates it.
"""

from __future__ import annotations

import tomllib
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from muphilic.config.checks import ConfigError, _require
from muphilic.config.run import RunConfig
from muphilic.config.sections import (
    BandConfig,
    BeamConfig,
    EmissionConfig,
    LimitsConfig,
    ScanConfig,
    StatisticsConfig,
)
from muphilic.detectors.definitions import MAX_TOML_BYTES

__all__ = ["load_config"]


def _check_keys(table: Any, name: str, allowed: set[str]) -> None:
    _require(isinstance(table, dict), name or "configuration", "must be a table")
    unknown = sorted(set(table) - allowed)
    if unknown:
        field_name = f"{name}.{unknown[0]}" if name else unknown[0]
        raise ConfigError(f"{field_name}: unknown key; allowed keys are {sorted(allowed)}")


def _section(cls: type, name: str, table: Any) -> Any:
    _check_keys(table, name, {f.name for f in fields(cls)})
    values = dict(table)
    for key in ("channels", "projections", "variations"):
        if key in values:
            _require(isinstance(values[key], list), f"{name}.{key}", "must be a list")
            values[key] = tuple(values[key])
    return replace(cls(), **values)


def config_from_dict(data: dict[str, Any]) -> RunConfig:
    """Build and validate a :class:`RunConfig` from the TOML layout."""
    top = {
        "seed",
        "beam",
        "emission",
        "scan",
        "statistics",
        "g2",
        "experiments",
        "detectors",
        "spectra",
        "limits",
        "band",
    }
    _check_keys(data, "", top)
    config = RunConfig()
    kwargs: dict[str, Any] = {}
    if "seed" in data:
        kwargs["seed"] = data["seed"]
    statistics = data.get("statistics")
    _require(
        not (isinstance(statistics, dict) and statistics.get("miniboone_systematics") == {}),
        "statistics.miniboone_systematics",
        "is empty; keys left out keep their defaults, so write flux = 0.0, "
        "cross_section = 0.0, detector = 0.0 for a statistics-only treatment",
    )
    for key, cls in (
        ("beam", BeamConfig),
        ("emission", EmissionConfig),
        ("scan", ScanConfig),
        ("statistics", StatisticsConfig),
        ("limits", LimitsConfig),
        ("band", BandConfig),
    ):
        if key in data:
            kwargs[key] = _section(cls, key, data[key])
    if "g2" in data:
        _check_keys(data["g2"], "g2", {"scenario"})
        kwargs["g2_scenario"] = str(data["g2"].get("scenario", "2023"))
    if "experiments" in data:
        _check_keys(data["experiments"], "experiments", {"names"})
        names = data["experiments"].get("names", list(config.experiments))
        _require(
            isinstance(names, list) and all(isinstance(n, str) for n in names),
            "experiments.names",
            "must be a list of detector names",
        )
        kwargs["experiments"] = tuple(names)
    if "detectors" in data:
        det = data["detectors"]
        _require(
            isinstance(det, dict) and all(isinstance(v, dict) for v in det.values()),
            "detectors",
            "must hold one table per detector",
        )
        kwargs["detector_overrides"] = {k: dict(v) for k, v in det.items()}
    if "spectra" in data:
        spectra = data["spectra"]
        _require(
            isinstance(spectra, dict) and all(isinstance(v, str) for v in spectra.values()),
            "spectra",
            "must map experiment names to CSV file paths",
        )
        kwargs["spectra"] = dict(spectra)
    return replace(config, **kwargs).validate()


def load_config(path: str | Path, *, allow_long_runs: bool = False) -> RunConfig:
    """Read and validate a run configuration from a TOML file.

    Parameters
    ----------
    path : str or pathlib.Path
        The TOML file.
    allow_long_runs : bool
        Set ``[limits] allow_long_runs = true`` (a command-line flag): the file is
        read even if its estimated cost is above the limits of :func:`check_cost`.

    Raises
    ------
    ConfigError
        If the file cannot be read or parsed, is larger than
        :data:`~muphilic.detectors.definitions.MAX_TOML_BYTES` or nested too
        deeply, or a field is invalid.
    """
    path = Path(path)
    try:
        if path.exists() and not path.is_file():
            raise ConfigError(f"{path}: not a regular file, so not a TOML configuration")
        if path.exists() and path.stat().st_size > MAX_TOML_BYTES:
            raise ConfigError(
                f"{path}: larger than {MAX_TOML_BYTES} bytes, too large for a configuration"
            )
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"{path}: cannot read configuration ({err.strerror})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text, so not a TOML configuration") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML ({err})") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply to be a run configuration") from None
    if allow_long_runs and isinstance(data.get("limits", {}), dict):
        data["limits"] = {**data.get("limits", {}), "allow_long_runs": True}
    try:
        return config_from_dict(data)
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply to be a run configuration") from None
