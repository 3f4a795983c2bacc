"""The whole run: :class:`RunConfig`, its validation, dictionary, TOML and digest.

A :class:`RunConfig` holds the tables of :mod:`muphilic.config.sections`, the
seed, the g-2 scenario, the experiments and, per experiment, the detector
overrides (the keys of :data:`OVERRIDABLE`) and measured spectra. Its
:meth:`~RunConfig.validate` checks every table, the fields that depend on each
other, and the run's cost (:func:`muphilic.config.cost.check_cost`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from muphilic.config.checks import ConfigError, _number, _require
from muphilic.config.cost import check_cost
from muphilic.config.sections import (
    BandConfig,
    BeamConfig,
    EmissionConfig,
    LimitsConfig,
    ScanConfig,
    StatisticsConfig,
)
from muphilic.detectors.definitions import FIELD_RANGES, MASS_RANGE_T, check_override
from muphilic.errors import MuphilicError, shown
from muphilic.g2 import SCENARIOS

__all__ = ["RunConfig"]


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
