"""The tables of a run configuration other than the run itself, one dataclass each.

:class:`BeamConfig` (``[beam]``), :class:`EmissionConfig` (``[emission]``),
:class:`ScanConfig` (``[scan]``), :class:`StatisticsConfig` (``[statistics]``),
:class:`LimitsConfig` (``[limits]``) and :class:`BandConfig` (``[band]``). Each is
frozen, holds the defaults of its table, and has a ``validate`` method that raises
:class:`~muphilic.config.checks.ConfigError` naming the first invalid field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from muphilic.beamline.muons import ENERGY_LOSS_MODELS
from muphilic.config.checks import ConfigError, _number, _require
from muphilic.detectors.spectrum import CHANNELS
from muphilic.errors import MuphilicError, shown
from muphilic.recast.spectra import MINIBOONE_NUBAR_NCPI0_POT_ESTIMATE, MINIBOONE_SYSTEMATICS

__all__ = [
    "BandConfig",
    "BeamConfig",
    "EmissionConfig",
    "LimitsConfig",
    "ScanConfig",
    "StatisticsConfig",
]


@dataclass(frozen=True)
class BeamConfig:
    """The beam sample: simulated protons on target of a facility, or a user's sample file."""

    pot: int = 200_000
    sample: str = ""
    facility: str = "bnb"
    production: str = ""
    kaon_absorption: bool = True
    pi_plus_table: str = ""

    def validate(self) -> None:
        """Raise :class:`ConfigError` naming the first invalid field."""
        _number("beam.pot", self.pot, low=1, high=1e10, integer=True)
        _require(isinstance(self.pi_plus_table, str), "beam.pi_plus_table", "must be a path string")
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
