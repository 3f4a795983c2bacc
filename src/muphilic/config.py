"""One configuration for a whole run: beam, detectors, channels, grids, statistics, g-2, seed.

A run is described by a TOML file whose tables mirror the physics chain::

    seed = 20231121

    [beam]
    pot = 200_000            # protons on target simulated by the embedded beamline
    sample = ""              # or a path to one's own beam sample (HDF5, see muphilic.beamline)
    facility = "bnb"         # a packaged facility (muphilic facilities) or a facility TOML file
    production = ""          # "bnb-fits", "urqmd" or "sibyll"; "" = the facility's own
    kaon_absorption = true   # attenuate K+- in the target and the horns (GEANT4 cross sections)

    [emission]
    channels = ["kaon", "pion", "muon"]
    scalars_per_species = 50_000  # per K+, K-, pi+, pi-, dump muons
    energy_loss = "constant"      # muons in the dump: 16 MeV/cm, or "bethe"
    muon_multiple_scattering = true  # muon direction at the emission point in the dump

    [scan]
    mass_min_MeV = 2.0
    mass_max_MeV = 210.0
    n_masses = 60
    coupling_min = 1e-7
    coupling_max = 1e-1
    n_couplings = 100

    [statistics]
    method = "paper"          # or "likelihood"
    mode = "exclusion"        # or "discovery": 3 and 5 sigma discovery of expected/projections
    cl_sigma = 5.0            # existing data
    projection_cl_sigma = 2.0 # projections (SBND)
    projections = []          # more projections (detector files: curve = "projection")
    combine_miniboone_modes = false  # true: MiniBooNE nu + nubar mode data, one statistic
    miniboone_nubar_pot = 3.7e20     # nubar-mode exposure (an estimate, see recast.spectra)
    miniboone_mode_correlation = 1.0 # of the systematics between the two modes
    [statistics.miniboone_systematics]  # fully correlated, of the prediction (Eq. (7))
    flux = 0.124
    cross_section = 0.084
    detector = 0.051

    [g2]
    scenario = "2023"         # or "2025"

    [experiments]
    names = ["miniboone", "microboone", "sbnd"]

    [detectors.microboone]    # pot, efficiency, resolution, masses, Eq. (6) reading, window
    efficiency = 0.06

    [spectra]                 # a measured spectrum (CSV) replaces the model
    microboone = "microboone_ncpi0_0p.csv"

    [limits]
    allow_long_runs = false   # true: run even above the cost limits (see check_cost)

    [band]                    # uncertainty bands on the contours (muphilic.recast.bands)
    enabled = false           # true: also compute the bands (muphilic reach --band)
    replicas = 10             # Monte Carlo replicas
    variations = []           # names of muphilic.recast.bands.VARIATIONS; [] = the defaults
    production = false        # with the default list: add the beam variations

Every key is checked: an unknown key, a wrong type or a value out of range raises
:class:`ConfigError` naming the field (``scan.n_masses``) and the allowed range.
:meth:`RunConfig.validate` also estimates the run's cost and refuses one above the
limits of :func:`check_cost`; :func:`check_inputs` reads every file the run names
(beam sample, detector files, spectra) and checks them against each other.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import tomli_w

from muphilic.beamline.muons import ENERGY_LOSS_MODELS
from muphilic.constants import MeV
from muphilic.detectors.definitions import (
    FIELD_RANGES,
    MASS_RANGE_T,
    MAX_TOML_BYTES,
    check_override,
)
from muphilic.detectors.spectrum import CHANNELS
from muphilic.errors import MuphilicError, shown
from muphilic.g2 import SCENARIOS
from muphilic.recast.spectra import MINIBOONE_NUBAR_NCPI0_POT_ESTIMATE, MINIBOONE_SYSTEMATICS

__all__ = [
    "BandConfig",
    "BeamConfig",
    "ConfigError",
    "EmissionConfig",
    "LimitsConfig",
    "RunConfig",
    "RunCost",
    "ScanConfig",
    "StatisticsConfig",
    "check_cost",
    "check_inputs",
    "estimate_cost",
    "load_config",
]


#: Detector keys a run may override (``[detectors.NAME]``), with the allowed (exclusive
#: low, high] range of the numeric ones (``None``: checked by
#: :func:`muphilic.detectors.definitions.check_override`).
OVERRIDABLE: dict[str, tuple[float, float] | None] = {
    **FIELD_RANGES,
    "fiducial_mass_t": MASS_RANGE_T,
    "background_mass_t": MASS_RANGE_T,
    "track_mass_applies_to": None,
    "window_MeV": None,
    "off_axis_m": None,
}

# --- what a run costs ------------------------------------------------------------------
# Measured costs of the work of a run in one process, and the limits above which a run is
# refused unless it says ``[limits] allow_long_runs = true`` (or the environment variable
# MUPHILIC_ALLOW_LONG_RUNS=1). Measured with muphilic 0.1.0 (Python 3.11, NumPy 2) on a
# shared 2-core AMD EPYC machine with a load average of 2-5, so on a quiet machine a run
# is up to about 2 times faster:
#
# * beam: ``muphilic.beamline.simulate.simulate(20_000, seed)`` took 2.6, 2.8 and 4.0 s,
#   80 000 POT 4.8-10.3 s (linear, 1.3e-4 s/POT); ``write_sample`` wrote 6.23 MB for
#   20 000 POT and 24.1 MB for 80 000 (3.0e2-3.1e2 bytes/POT). The peak memory of the
#   simulation grew by about 0.5 kB/POT (not limited here).
# * scan: ``muphilic.recast.scan.evaluate_mass`` (signal and paper statistic) per mass
#   point and experiment, default beam (200 000 POT), all three channels, MiniBooNE,
#   MicroBooNE and SBND. At 50 000 scalars per species: 0.20-0.36 s for 100 couplings,
#   0.42-0.69 s for 1000, 9-13 s for 3000 (load average 5), 26-31 s for 10 000. At 5000
#   scalars: 0.08-0.09 s (100 couplings), 1.2-3.0 s (10 000); at 200 000: 1.1 s (100),
#   1.8-3.7 s (1000), 66-87 s (10 000, load average 5).
#   The model SCAN_SECONDS_FIXED + SCAN_SECONDS_SCALED x (scalars_per_species / 50 000)
#   x max(1, n_couplings / 100) per mass point and experiment is within about 30 % of these
#   at 100 and 10 000 couplings (80 % high at 200 000 scalars) and up to 6 times high in
#   between: an upper estimate. Neither counts the few seconds of start-up and plotting.
#
# Measured with (beam)  t = time.perf_counter(); s = simulate(20_000, 1); write_sample(s, f)
# and (scan) timing evaluate_mass(mass, SignalForMass(...), spectrum, statistic, K) over
# 8 masses from 2 to 210 MeV for each experiment, as muphilic.pipeline builds them.
BEAM_SECONDS_PER_POT = 1.4e-4
#: Beam seconds per POT of the generator backends: their time per event (docs/facilities.md,
#: one worker, start-up excluded), an upper estimate since a proton interacts at most once in
#: the target; NuMI with SIBYLL measured 1.8e-3 s per POT (5000 POT, load average 10).
BEAM_SECONDS_PER_POT_BY_PRODUCTION = {"urqmd": 13e-3, "sibyll": 2.4e-3}
BEAM_BYTES_PER_POT = 311.0
SCAN_SECONDS_FIXED = 0.08
SCAN_SECONDS_SCALED = 0.3
#: Most estimated computing time of a run (one process), seconds, without the override.
MAX_RUN_SECONDS = 3600.0
#: Largest simulated beam sample written to the cache, bytes, without the override.
MAX_BEAM_BYTES = 10e9
#: Environment variable that, set to 1 (or true, yes), allows runs above the limits.
ALLOW_LONG_RUNS_ENV = "MUPHILIC_ALLOW_LONG_RUNS"


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


@dataclass(frozen=True)
class BeamConfig:
    """The beam sample: simulated protons on target of a facility, or a user's sample file."""

    pot: int = 200_000
    sample: str = ""
    facility: str = "bnb"
    production: str = ""
    kaon_absorption: bool = True

    def validate(self) -> None:
        """Raise :class:`ConfigError` naming the first invalid field."""
        _number("beam.pot", self.pot, low=1, high=1e10, integer=True)
        _require(
            isinstance(self.kaon_absorption, bool), "beam.kaon_absorption", "must be true or false"
        )
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
    muon_multiple_scattering: bool = True

    def validate(self) -> None:
        """Raise :class:`ConfigError` naming the first invalid field."""
        _require(
            isinstance(self.muon_multiple_scattering, bool),
            "emission.muon_multiple_scattering",
            "must be true or false",
        )
        _require(
            len(self.channels) > 0 and all(c in CHANNELS for c in self.channels),
            "emission.channels",
            f"must be a non-empty subset of {list(CHANNELS)}, got {shown(list(self.channels))}",
        )
        _require(
            len(set(self.channels)) == len(self.channels),
            "emission.channels",
            f"names a channel twice: {list(self.channels)}",
        )
        _require(
            self.energy_loss in ENERGY_LOSS_MODELS,
            "emission.energy_loss",
            f"must be 'constant' (16 MeV/cm) or 'bethe', got {shown(self.energy_loss)}",
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

        below_two_m_mu = TWO_M_MU * (1 - 1e-9)
        for name in ("mass_min_MeV", "mass_max_MeV"):
            _number(f"scan.{name}", getattr(self, name), low=0.0, low_open=True)
            _require(
                getattr(self, name) <= below_two_m_mu,
                f"scan.{name}",
                f"must be below 2 m_mu = {TWO_M_MU:.6g} MeV (S -> gamma gamma only), "
                f"got {getattr(self, name)!r}",
            )
        _require(
            self.mass_max_MeV > self.mass_min_MeV,
            "scan.mass_max_MeV",
            f"must be above scan.mass_min_MeV = {self.mass_min_MeV!r}, got {self.mass_max_MeV!r}",
        )
        _number("scan.n_masses", self.n_masses, low=2, high=2000, integer=True)
        _number("scan.coupling_min", self.coupling_min, low=0.0, low_open=True)
        _number("scan.coupling_max", self.coupling_max, low=0.0, low_open=True, high=10.0)
        _require(
            self.coupling_max > self.coupling_min,
            "scan.coupling_max",
            f"must be above scan.coupling_min = {self.coupling_min!r}, got {self.coupling_max!r}",
        )
        _number("scan.n_couplings", self.n_couplings, low=2, high=10_000, integer=True)


#: What a run's curves test: exclusion (every curve) or discovery (3 and 5 sigma for
#: the expected sensitivities and projections; exclusions by observed data stay).
STATISTICS_MODES = ("exclusion", "discovery")


@dataclass(frozen=True)
class StatisticsConfig:
    """Test statistic and confidence levels (in Gaussian sigmas).

    ``miniboone_systematics`` may give only some of the keys of
    :data:`~muphilic.recast.spectra.MINIBOONE_SYSTEMATICS`; the others keep their
    defaults (all zeros: statistics only).
    """

    method: str = "paper"
    mode: str = "exclusion"
    cl_sigma: float = 5.0
    projection_cl_sigma: float = 2.0
    projections: tuple[str, ...] = ()
    miniboone_systematics: dict[str, float] = field(
        default_factory=lambda: dict(MINIBOONE_SYSTEMATICS)
    )
    combine_miniboone_modes: bool = False
    miniboone_nubar_pot: float = MINIBOONE_NUBAR_NCPI0_POT_ESTIMATE
    miniboone_mode_correlation: float = 1.0

    def __post_init__(self) -> None:
        if isinstance(self.miniboone_systematics, dict):
            merged = {**MINIBOONE_SYSTEMATICS, **self.miniboone_systematics}
            object.__setattr__(self, "miniboone_systematics", merged)

    def validate(self) -> None:
        """Raise :class:`ConfigError` naming the first invalid field."""
        _require(
            self.method in ("paper", "likelihood"),
            "statistics.method",
            f"must be 'paper' or 'likelihood', got {shown(self.method)}",
        )
        _require(
            self.mode in STATISTICS_MODES,
            "statistics.mode",
            f"must be one of {list(STATISTICS_MODES)}, got {shown(self.mode)}",
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
            _require(
                name in MINIBOONE_SYSTEMATICS,
                f"statistics.miniboone_systematics.{name}",
                f"unknown key; allowed keys are {list(MINIBOONE_SYSTEMATICS)}",
            )
            _number(f"statistics.miniboone_systematics.{name}", value, low=0.0, high=1.0)
        _require(
            isinstance(self.combine_miniboone_modes, bool),
            "statistics.combine_miniboone_modes",
            f"must be true or false, got {shown(self.combine_miniboone_modes)}",
        )
        _number(
            "statistics.miniboone_nubar_pot",
            self.miniboone_nubar_pot,
            low=0.0,
            low_open=True,
            high=1e23,
        )
        _number(
            "statistics.miniboone_mode_correlation",
            self.miniboone_mode_correlation,
            low=0.0,
            high=1.0,
        )


@dataclass(frozen=True)
class LimitsConfig:
    """Whether a run may exceed the cost limits of :func:`check_cost`."""

    allow_long_runs: bool = False

    def validate(self) -> None:
        """Raise :class:`ConfigError` naming the first invalid field."""
        _require(
            isinstance(self.allow_long_runs, bool),
            "limits.allow_long_runs",
            f"must be true or false, got {shown(self.allow_long_runs)}",
        )


@dataclass(frozen=True)
class BandConfig:
    """Uncertainty bands on the contours (:mod:`muphilic.recast.bands`).

    Left out of :meth:`RunConfig.to_dict` (and so of the digest) while not
    enabled: a run without bands is the run it always was.
    """

    enabled: bool = False
    replicas: int = 10
    variations: tuple[str, ...] = ()
    production: bool = False

    def names(self) -> tuple[str, ...]:
        """The variations the band runs."""
        from muphilic.recast.bands import default_variations

        return self.variations or default_variations(production=self.production)

    def validate(self) -> None:
        """Raise :class:`ConfigError` naming the first invalid field."""
        for name in ("enabled", "production"):
            _require(
                isinstance(getattr(self, name), bool),
                f"band.{name}",
                f"must be true or false, got {shown(getattr(self, name))}",
            )
        _number("band.replicas", self.replicas, low=2, high=1000, integer=True)
        _require(
            all(isinstance(v, str) for v in self.variations),
            "band.variations",
            "must be a list of variation names",
        )
        from muphilic.recast.bands import variation

        for name in self.variations:
            try:
                variation(name)
            except MuphilicError as err:
                raise ConfigError(f"band.variations: {err}") from None
        _require(
            len(set(self.variations)) == len(self.variations),
            "band.variations",
            f"names a variation twice: {list(self.variations)}",
        )


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
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    band: BandConfig = field(default_factory=BandConfig)

    def validate(self) -> RunConfig:
        """Check every field and the run's cost (:func:`check_cost`); return ``self``."""
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
            not (self.statistics.combine_miniboone_modes and self.beam.sample),
            "statistics.combine_miniboone_modes",
            "the antineutrino-mode beam is simulated from beam.facility; it cannot be "
            "made from the neutrino-mode file in beam.sample (leave beam.sample empty)",
        )
        self.limits.validate()
        self.band.validate()
        from muphilic.recast.bands import variation

        _require(
            not (self.band.enabled and self.statistics.mode != "exclusion"),
            "band.enabled",
            "bands are computed for exclusion contours; set statistics.mode = 'exclusion'",
        )
        _require(
            not (
                self.band.enabled
                and self.beam.sample
                and any(variation(n).stage == "beam" for n in self.band.names())
            ),
            "band.variations",
            "the beam variations (production models, kaon absorption) simulate the beam; "
            "they cannot change a beam sample file (beam.sample)",
        )
        _require(
            self.g2_scenario in SCENARIOS,
            "g2.scenario",
            f"must be one of {sorted(SCENARIOS)}, got {shown(self.g2_scenario)}",
        )
        self._validate_experiments()
        check_cost(self)
        return self

    def _validate_experiments(self) -> None:
        from muphilic.detectors import available_detectors

        _require(len(self.experiments) > 0, "experiments.names", "must not be empty")
        known = available_detectors()
        stems: dict[str, str] = {}
        for name in self.experiments:
            _require(
                name in known or Path(name).suffix == ".toml",
                "experiments.names",
                f"unknown detector {shown(name)}; packaged are {known}, or give a .toml file",
            )
            # each experiment writes contour_<stem>.csv (compared ignoring case, as some
            # file systems do)
            stem = Path(name).stem.casefold()
            _require(
                stem not in stems,
                "experiments.names",
                f"names {shown(name)} twice"
                if stems.get(stem) == name
                else f"{shown(stems.get(stem))} and {shown(name)} would both write "
                f"contour_{Path(name).stem}.csv; rename one of the detector files",
            )
            stems[stem] = name
        for name in self.statistics.projections:
            _require(
                name in known or name in self.experiments,
                "statistics.projections",
                f"{shown(name)} is neither a packaged detector nor in experiments.names",
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
                bounds = OVERRIDABLE[name]
                if bounds is not None:
                    _number(field_name, value, low=bounds[0], low_open=True, high=bounds[1])
                else:
                    try:
                        check_override(name, value)
                    except MuphilicError as err:
                        raise ConfigError(f"{field_name}: {err}") from None
        for key in list(self.detector_overrides) + list(self.spectra):
            _require(
                key in self.experiments,
                f"detectors.{key}" if key in self.detector_overrides else f"spectra.{key}",
                f"names an experiment that is not run; experiments are {list(self.experiments)}",
            )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary in the layout of the TOML file (``band`` only
        when enabled)."""
        out = {
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
            "limits": asdict(self.limits),
        }
        if self.band.enabled:
            out["band"] = {**asdict(self.band), "variations": list(self.band.variations)}
        return out

    def digest(self) -> str:
        """SHA-256 of the canonical JSON form (recorded in every output).

        ``[limits]`` is left out: it decides whether a run may start, not its numbers.
        """
        content = {k: v for k, v in self.to_dict().items() if k != "limits"}
        blob = json.dumps(content, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()

    def to_toml(self) -> str:
        """The configuration as TOML text (what ``muphilic config --show-defaults`` prints)."""
        return tomli_w.dumps(self.to_dict())


# --- cost -----------------------------------------------------------------------------
@dataclass(frozen=True)
class RunCost:
    """Estimated work of a run in one process (see the measured costs above).

    Attributes
    ----------
    beam_pot : int
        Protons on target the embedded beamline simulates (0 with a beam sample file).
    beam_seconds, beam_bytes : float
        Time of that simulation, s, and size of the sample it writes to the cache, bytes.
    scan_cells : int
        n_masses x n_couplings x experiments (0 for the beam alone).
    scan_seconds : float
        Time of the scan, s (all experiments).
    """

    beam_pot: int
    beam_seconds: float
    beam_bytes: float
    scan_cells: int
    scan_seconds: float

    @property
    def seconds(self) -> float:
        """Total estimated time, s."""
        return self.beam_seconds + self.scan_seconds

    def describe(self) -> str:
        """One line: the estimated time and disk use, and what they come from."""
        parts = []
        if self.beam_pot:
            parts.append(f"beam: {self.beam_pot:.3g} POT, {_duration(self.beam_seconds)}")
        if self.scan_cells:
            parts.append(
                f"scan: {self.scan_cells:.3g} mass x coupling x experiment cells, "
                f"{_duration(self.scan_seconds)}"
            )
        disk = f" and {self.beam_bytes / 1e9:.3g} GB of beam sample" if self.beam_pot else ""
        return f"about {_duration(self.seconds)} of computing{disk} ({'; '.join(parts)})"


def _duration(seconds: float) -> str:
    for unit, size in (("years", 3.156e7), ("days", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if seconds >= size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds:.2g} s"


def estimate_cost(run: RunConfig, *, beam_only: bool = False) -> RunCost:
    """The work ``run`` would do, from the measured per-unit costs of this module.

    Parameters
    ----------
    run : RunConfig
        The run (``beam``, ``emission``, ``scan``, ``experiments``).
    beam_only : bool
        Count the beam simulation only (``muphilic beam``, ``muphilic spectrum``).
    """
    pot = 0 if run.beam.sample else int(run.beam.pot)
    cells = 0
    scan_seconds = 0.0
    n_scans = len(run.experiments)
    if run.statistics.combine_miniboone_modes and "miniboone" in run.experiments:
        n_scans += 1  # the antineutrino-mode signal of the combination
        if not beam_only:
            pot *= 2  # and its beam
    if not beam_only:
        grid = run.scan
        per_mass = SCAN_SECONDS_FIXED + SCAN_SECONDS_SCALED * (
            run.emission.scalars_per_species / 50_000
        ) * max(1.0, grid.n_couplings / 100)
        cells = grid.n_masses * grid.n_couplings * n_scans
        scan_seconds = per_mass * grid.n_masses * n_scans
        if run.band.enabled:
            scan_seconds *= 1.0 + _band_evaluations(run.band)
    per_pot = BEAM_SECONDS_PER_POT_BY_PRODUCTION.get(_production_of(run.beam), BEAM_SECONDS_PER_POT)
    return RunCost(pot, pot * per_pot, pot * BEAM_BYTES_PER_POT, cells, scan_seconds)


def _production_of(beam: BeamConfig) -> str:
    """The production backend the beam is simulated with: its own, or its facility's."""
    if beam.production or beam.sample:
        return beam.production
    from muphilic.beamline.facility_file import load_facility

    return load_facility(beam.facility).production


def _band_evaluations(band: BandConfig) -> float:
    """Signal evaluations of a band per mass point, in units of the central one's.

    The central signal again and the replicas (together one), one for each
    variation that recomputes the signal (the efficiency ones scale it: none);
    an upper estimate, as an evaluation on the scalars already aimed skips the
    aiming. A beam variation's own simulation is not counted.
    """
    names = band.names()
    return 2.0 + sum(1.0 for n in names if not n.startswith("efficiency"))


def _env_allows_long_runs() -> bool:
    return os.environ.get(ALLOW_LONG_RUNS_ENV, "").strip().lower() in ("1", "true", "yes")


def check_cost(
    run: RunConfig, *, beam_only: bool = False, allow_long_runs: bool = False
) -> RunCost:
    """Estimate the work of ``run`` and refuse it above :data:`MAX_RUN_SECONDS` of
    computing or :data:`MAX_BEAM_BYTES` of beam sample.

    :meth:`RunConfig.validate` calls it; call it again after changing a validated
    configuration (``replace(run, beam=...)`` for ``muphilic beam --pot``).

    Parameters
    ----------
    run : RunConfig
        The run; its ``beam`` section is validated here too (after the estimate, so
        that a huge ``beam.pot`` is refused with its cost).
    beam_only : bool
        Count the beam simulation only (``muphilic beam``, ``muphilic spectrum``).
    allow_long_runs : bool
        Allow any cost (a command-line flag); so do ``run.limits.allow_long_runs``
        and the environment variable ``MUPHILIC_ALLOW_LONG_RUNS=1``.

    Returns
    -------
    RunCost
        The estimate.

    Raises
    ------
    ConfigError
        Naming the fields that set the cost, with the estimate and the limits.
    """
    _number("beam.pot", run.beam.pot, low=1, integer=True)
    cost = estimate_cost(run, beam_only=beam_only)
    too_long = cost.seconds > MAX_RUN_SECONDS
    too_big = cost.beam_bytes > MAX_BEAM_BYTES
    allowed = allow_long_runs or run.limits.allow_long_runs or _env_allows_long_runs()
    if allowed or not (too_long or too_big):
        run.beam.validate()  # the range of beam.pot holds even for long runs
        return cost
    beam_over = too_big or cost.beam_seconds > MAX_RUN_SECONDS
    scan_over = cost.scan_seconds > MAX_RUN_SECONDS
    names = ["beam.pot"] if beam_over or not scan_over else []
    if scan_over or not beam_over:
        names += ["scan.n_masses", "scan.n_couplings", "emission.scalars_per_species"]
    raise ConfigError(
        f"{', '.join(names)}: the run would take {cost.describe()}; the limits are "
        f"{_duration(MAX_RUN_SECONDS)} and {MAX_BEAM_BYTES / 1e9:g} GB. Make it smaller, or "
        f"allow it with [limits] allow_long_runs = true (or {ALLOW_LONG_RUNS_ENV}=1)"
    )


# --- reading ---------------------------------------------------------------------------
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


def check_inputs(run: RunConfig) -> None:
    """Read every file ``run`` names and check them against each other.

    What a run would otherwise refuse only after simulating the beam: a beam
    sample that is missing or damaged; a detector file that is missing or bad,
    or an override it refuses; a spectrum file that is bad, for another POT than
    its detector, or whose bins do not hold the detector's analysis bins; an
    argon detector with neither a fiducial mass (for its modelled background)
    nor a spectrum.

    Raises
    ------
    ConfigError
        Naming the field (``beam.sample``, ``experiments.names``, ``detectors.NAME``,
        ``spectra.NAME``) and, inside the message, the file and its field.
    """
    from muphilic.beamline import read_sample
    from muphilic.detectors import apply_overrides, load_detector
    from muphilic.recast.spectra import read_spectrum_csv

    def named(name: str, call: Any, *args: Any, **kwargs: Any) -> Any:
        """``call(*args, **kwargs)``, its error prefixed with the configuration field."""
        try:
            return call(*args, **kwargs)
        except MuphilicError as err:
            raise ConfigError(f"{name}: {err}") from None

    if run.beam.sample:
        named("beam.sample", read_sample, run.beam.sample)
    for key in run.experiments:
        detector = named("experiments.names", load_detector, key)
        overrides = run.detector_overrides.get(key, {})
        detector = named(f"detectors.{key}", apply_overrides, detector, overrides)
        if key in run.spectra:
            path = run.spectra[key]
            spectrum = named(f"spectra.{key}", read_spectrum_csv, path)
            _require(
                math.isclose(spectrum.pot, detector.pot, rel_tol=1e-6),
                f"spectra.{key}",
                f"{path} is for {spectrum.pot:.4g} POT but detector {key} has "
                f"{detector.pot:.4g}; set detectors.{key}.pot",
            )
            _require(
                _bins_inside(detector.edges / MeV, spectrum.edges_MeV),
                f"spectra.{key}",
                f"the bins of {path} do not hold the analysis bins of detector {key} "
                f"({detector.window[0] / MeV:g}-{detector.window[1] / MeV:g} MeV, "
                f"{detector.n_bins} bins)",
            )
        elif key != "miniboone":
            _require(
                detector.background_mass is not None,
                "experiments.names",
                f"detector {key} has no fiducial_mass_t for its modelled background; "
                f"give it one, or a measured spectrum in spectra.{key}",
            )


def _bins_inside(edges_MeV: np.ndarray, spectrum_edges_MeV: np.ndarray) -> bool:
    """Whether the spectrum's edges contain ``edges_MeV`` as consecutive edges (1e-6 MeV)."""
    target = np.asarray(spectrum_edges_MeV, dtype=np.float64)
    start = int(np.argmin(np.abs(target - edges_MeV[0])))
    stop = start + len(edges_MeV)
    return stop <= target.size and bool(
        np.allclose(target[start:stop], edges_MeV, rtol=0, atol=1e-6)
    )
