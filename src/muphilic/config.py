"""One configuration for a whole run: beam, detectors, channels, grids, statistics, g-2, seed.

A run is described by a TOML file whose tables mirror the physics chain::

    seed = 20231121

    [beam]
    pot = 200_000            # protons on target simulated by the embedded beamline
    sample = ""              # or a path to one's own beam sample (HDF5, see muphilic.beamline)
    facility = "bnb"         # a packaged facility (muphilic facilities) or a facility TOML file
    production = ""          # "bnb-fits", "urqmd" or "sibyll"; "" = the facility's own

    [emission]
    channels = ["kaon", "pion", "muon"]
    scalars_per_species = 50_000  # per K+, K-, pi+, pi-, dump muons
    energy_loss = "constant"      # muons in the dump: 16 MeV/cm, or "bethe"

    [scan]
    mass_min_MeV = 2.0
    mass_max_MeV = 210.0
    n_masses = 60
    coupling_min = 1e-7
    coupling_max = 1e-1
    n_couplings = 100

    [statistics]
    method = "paper"          # or "likelihood"
    cl_sigma = 5.0            # existing data
    projection_cl_sigma = 2.0 # projections (SBND)
    projections = ["sbnd", "icarus"]
    [statistics.miniboone_systematics]  # fully correlated, of the prediction (Eq. (7))
    flux = 0.124
    cross_section = 0.084
    detector = 0.051

    [g2]
    scenario = "2023"         # or "2025"

    [experiments]
    names = ["miniboone", "microboone", "sbnd"]

    [detectors.microboone]    # pot, efficiency or resolution of a detector
    efficiency = 0.06

    [spectra]                 # a measured spectrum (CSV) replaces the model
    microboone = "microboone_ncpi0_0p.csv"

Every key is checked: an unknown key, a wrong type or a value out of range raises
:class:`ConfigError` naming the field (``scan.n_masses``) and the allowed range.
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import tomli_w

from muphilic.beamline.muons import ENERGY_LOSS_MODELS
from muphilic.detectors.spectrum import CHANNELS
from muphilic.errors import MuphilicError
from muphilic.g2 import SCENARIOS
from muphilic.recast.spectra import MINIBOONE_SYSTEMATICS

__all__ = [
    "BeamConfig",
    "ConfigError",
    "EmissionConfig",
    "RunConfig",
    "ScanConfig",
    "StatisticsConfig",
    "load_config",
]


#: Detector fields a run may override, with their allowed (exclusive low, high] range.
OVERRIDABLE = {"pot": (0.0, 1e25), "efficiency": (0.0, 1.0), "resolution": (0.0, 2.0)}


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
        f"must be {'an integer' if integer else 'a number'}, got {value!r}",
    )
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an integer beyond the float range
        finite = False
    _require(finite, name, f"must be finite, got {str(value)[:20]}...")
    if low is not None:
        ok = value > low if low_open else value >= low
        _require(ok, name, f"must be {'>' if low_open else '>='} {low:g}, got {value!r}")
    if high is not None:
        _require(value <= high, name, f"must be <= {high:g}, got {value!r}")


@dataclass(frozen=True)
class BeamConfig:
    """The beam sample: simulated protons on target of a facility, or a user's sample file."""

    pot: int = 200_000
    sample: str = ""
    facility: str = "bnb"
    production: str = ""

    def validate(self) -> None:
        """Raise :class:`ConfigError` naming the first invalid field."""
        _number("beam.pot", self.pot, low=1, high=1e10, integer=True)
        _require(isinstance(self.sample, str), "beam.sample", "must be a path string")
        _require(
            isinstance(self.facility, str) and bool(self.facility),
            "beam.facility",
            "must be a packaged facility name or a facility TOML file",
        )
        from muphilic.beamline.facility_file import available_facilities

        known = available_facilities()
        _require(
            self.facility.lower() in known or Path(self.facility).suffix == ".toml",
            "beam.facility",
            f"unknown facility {self.facility!r}; packaged are {known}, or give a .toml file",
        )
        _require(isinstance(self.production, str), "beam.production", "must be a backend name")
        if self.production:
            from muphilic.beamline.production import get_backend

            try:
                get_backend(self.production)
            except MuphilicError as err:
                raise ConfigError(f"beam.production: {err}") from None


@dataclass(frozen=True)
class EmissionConfig:
    """Production channels, aimed scalars per species, and the muon energy loss in the dump."""

    channels: tuple[str, ...] = CHANNELS
    scalars_per_species: int = 50_000
    energy_loss: str = "constant"

    def validate(self) -> None:
        """Raise :class:`ConfigError` naming the first invalid field."""
        _require(
            len(self.channels) > 0 and all(c in CHANNELS for c in self.channels),
            "emission.channels",
            f"must be a non-empty subset of {list(CHANNELS)}, got {list(self.channels)}",
        )
        _require(
            len(set(self.channels)) == len(self.channels),
            "emission.channels",
            f"names a channel twice: {list(self.channels)}",
        )
        _require(
            self.energy_loss in ENERGY_LOSS_MODELS,
            "emission.energy_loss",
            f"must be 'constant' (16 MeV/cm) or 'bethe', got {self.energy_loss!r}",
        )
        _number(
            "emission.scalars_per_species",
            self.scalars_per_species,
            low=100,
            high=1e8,
            integer=True,
        )


@dataclass(frozen=True)
class ScanConfig:
    """The (m_S, y) grid, log-spaced in both."""

    mass_min_MeV: float = 2.0
    mass_max_MeV: float = 210.0
    n_masses: int = 60
    coupling_min: float = 1e-7
    coupling_max: float = 1e-1
    n_couplings: int = 100

    def validate(self) -> None:
        """Raise :class:`ConfigError` naming the first invalid field."""
        from muphilic.constants import TWO_M_MU

        _number("scan.mass_min_MeV", self.mass_min_MeV, low=0.0, low_open=True)
        _number(
            "scan.mass_max_MeV",
            self.mass_max_MeV,
            low=self.mass_min_MeV,
            high=TWO_M_MU * (1 - 1e-9),
        )
        _number("scan.n_masses", self.n_masses, low=2, high=2000, integer=True)
        _number("scan.coupling_min", self.coupling_min, low=0.0, low_open=True)
        _number("scan.coupling_max", self.coupling_max, low=self.coupling_min, high=10.0)
        _number("scan.n_couplings", self.n_couplings, low=2, high=10_000, integer=True)


@dataclass(frozen=True)
class StatisticsConfig:
    """Test statistic and confidence levels (in Gaussian sigmas)."""

    method: str = "paper"
    cl_sigma: float = 5.0
    projection_cl_sigma: float = 2.0
    projections: tuple[str, ...] = ("sbnd", "icarus")
    miniboone_systematics: dict[str, float] = field(
        default_factory=lambda: dict(MINIBOONE_SYSTEMATICS)
    )

    def validate(self) -> None:
        """Raise :class:`ConfigError` naming the first invalid field."""
        _require(
            self.method in ("paper", "likelihood"),
            "statistics.method",
            f"must be 'paper' or 'likelihood', got {self.method!r}",
        )
        _number("statistics.cl_sigma", self.cl_sigma, low=0.0, low_open=True, high=8.0)
        _number(
            "statistics.projection_cl_sigma",
            self.projection_cl_sigma,
            low=0.0,
            low_open=True,
            high=8.0,
        )
        _require(
            all(isinstance(p, str) for p in self.projections),
            "statistics.projections",
            "must be a list of experiment names",
        )
        _require(
            isinstance(self.miniboone_systematics, dict),
            "statistics.miniboone_systematics",
            "must be a table of fractional uncertainties",
        )
        for name, value in self.miniboone_systematics.items():
            _number(f"statistics.miniboone_systematics.{name}", value, low=0.0, high=1.0)


@dataclass(frozen=True)
class RunConfig:
    """Everything a ``muphilic reach`` run depends on."""

    seed: int = 20231121
    beam: BeamConfig = field(default_factory=BeamConfig)
    emission: EmissionConfig = field(default_factory=EmissionConfig)
    scan: ScanConfig = field(default_factory=ScanConfig)
    statistics: StatisticsConfig = field(default_factory=StatisticsConfig)
    g2_scenario: str = "2023"
    experiments: tuple[str, ...] = ("miniboone", "microboone", "sbnd")
    detector_overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    spectra: dict[str, str] = field(default_factory=dict)

    def validate(self) -> RunConfig:
        """Check every field; return ``self`` so calls chain."""
        _number("seed", self.seed, low=0, high=2**63 - 1, integer=True)
        self.beam.validate()
        self.emission.validate()
        self.scan.validate()
        if "muon" in self.emission.channels:
            from muphilic.emission.xsec_tables import DEFAULT_MASSES

            low, high = float(DEFAULT_MASSES[0]), float(DEFAULT_MASSES[-1])
            for name, value in (
                ("scan.mass_min_MeV", self.scan.mass_min_MeV),
                ("scan.mass_max_MeV", self.scan.mass_max_MeV),
            ):
                _require(
                    low <= value <= high,
                    name,
                    f"the muon-scattering channel is tabulated for {low:g}-{high:.4g} MeV; "
                    "stay inside it or drop 'muon' from emission.channels",
                )
        self.statistics.validate()
        _require(
            self.g2_scenario in SCENARIOS,
            "g2.scenario",
            f"must be one of {sorted(SCENARIOS)}, got {self.g2_scenario!r}",
        )
        _require(len(self.experiments) > 0, "experiments.names", "must not be empty")
        from muphilic.detectors import available_detectors

        known = available_detectors()
        for name in self.experiments:
            _require(
                name in known or Path(name).suffix == ".toml",
                "experiments.names",
                f"unknown detector {name!r}; packaged are {known}, or give a .toml file",
            )
        for key, overrides in self.detector_overrides.items():
            for name, value in overrides.items():
                field_name = f"detectors.{key}.{name}"
                _require(
                    name in OVERRIDABLE,
                    field_name,
                    f"cannot be overridden; allowed are {sorted(OVERRIDABLE)} "
                    "(write a detector file for anything else)",
                )
                low, high = OVERRIDABLE[name]
                _number(field_name, value, low=low, low_open=True, high=high)
        for key in list(self.detector_overrides) + list(self.spectra):
            _require(
                key in self.experiments,
                f"detectors.{key}" if key in self.detector_overrides else f"spectra.{key}",
                f"names an experiment that is not run; experiments are {list(self.experiments)}",
            )
        return self

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary in the layout of the TOML file."""
        return {
            "seed": self.seed,
            "beam": asdict(self.beam),
            "emission": {**asdict(self.emission), "channels": list(self.emission.channels)},
            "scan": asdict(self.scan),
            "statistics": {
                **asdict(self.statistics),
                "projections": list(self.statistics.projections),
            },
            "g2": {"scenario": self.g2_scenario},
            "experiments": {"names": list(self.experiments)},
            "detectors": {k: dict(v) for k, v in self.detector_overrides.items()},
            "spectra": dict(self.spectra),
        }

    def digest(self) -> str:
        """SHA-256 of the canonical JSON form (recorded in every output)."""
        blob = json.dumps(self.to_dict(), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()

    def to_toml(self) -> str:
        """The configuration as TOML text (what ``muphilic config --show-defaults`` prints)."""
        return tomli_w.dumps(self.to_dict())


def _section(cls: type, name: str, table: Any) -> Any:
    _require(isinstance(table, dict), name, "must be a table")
    allowed = {f.name for f in fields(cls)}
    unknown = sorted(set(table) - allowed)
    _require(
        not unknown,
        f"{name}.{unknown[0]}" if unknown else name,
        f"unknown key; allowed keys are {sorted(allowed)}",
    )
    values = dict(table)
    for key in ("channels", "projections"):
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
    }
    unknown = sorted(set(data) - top)
    _require(not unknown, unknown[0] if unknown else "", f"unknown key; allowed are {sorted(top)}")
    config = RunConfig()
    kwargs: dict[str, Any] = {}
    if "seed" in data:
        kwargs["seed"] = data["seed"]
    for key, cls in (
        ("beam", BeamConfig),
        ("emission", EmissionConfig),
        ("scan", ScanConfig),
        ("statistics", StatisticsConfig),
    ):
        if key in data:
            kwargs[key] = _section(cls, key, data[key])
    if "g2" in data:
        g2 = data["g2"]
        _require(
            isinstance(g2, dict) and set(g2) <= {"scenario"},
            "g2",
            "must be a table with the single key 'scenario'",
        )
        kwargs["g2_scenario"] = str(g2.get("scenario", "2023"))
    if "experiments" in data:
        exp = data["experiments"]
        _require(
            isinstance(exp, dict) and set(exp) <= {"names"},
            "experiments",
            "must be a table with the single key 'names'",
        )
        names = exp.get("names", list(config.experiments))
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


def load_config(path: str | Path) -> RunConfig:
    """Read and validate a run configuration from a TOML file.

    Raises
    ------
    ConfigError
        If the file cannot be read or parsed, or a field is invalid.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"{path}: cannot read configuration ({err.strerror})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text, so not a TOML configuration") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML ({err})") from None
    return config_from_dict(data)
