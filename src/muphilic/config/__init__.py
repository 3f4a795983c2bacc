"""One configuration for a whole run: beam, detectors, channels, grids, statistics, g-2, seed.

A run is described by a TOML file whose tables mirror the physics chain::

    seed = 20231121

    [beam]
    pot = 200_000            # protons on target simulated by the embedded beamline
    sample = ""              # or a path to one's own beam sample (HDF5, see muphilic.beamline)
    facility = "bnb"         # a packaged facility (muphilic facilities) or a facility TOML file
    production = ""          # "bnb-fits", "urqmd" or "sibyll"; "" = the facility's own
    kaon_absorption = true   # attenuate K+- in the target and the horns (GEANT4 cross sections)
    pi_plus_table = ""       # or a measured pi+ production table (CSV) to reweight bnb-fits to

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

Modules
-------
* :mod:`~muphilic.config.checks` - :class:`ConfigError` and the field checks.
* :mod:`~muphilic.config.sections` - one dataclass per table: :class:`BeamConfig`,
  :class:`EmissionConfig`, :class:`ScanConfig`, :class:`StatisticsConfig`,
  :class:`LimitsConfig`, :class:`BandConfig`.
* :mod:`~muphilic.config.run` - :class:`RunConfig`, the whole run, and
  :data:`OVERRIDABLE`, the detector keys a run may override.
* :mod:`~muphilic.config.cost` - :func:`estimate_cost`, :func:`check_cost` and the
  measured per-unit costs and limits.
* :mod:`~muphilic.config.reading` - :func:`load_config` and :func:`config_from_dict`.
* :mod:`~muphilic.config.inputs` - :func:`check_inputs`.

Every name is importable from this package as well as from its module.
"""

from __future__ import annotations

from muphilic.config.checks import ConfigError
from muphilic.config.cost import (  # noqa: F401 (outside __all__, as before the split)
    ALLOW_LONG_RUNS_ENV,
    BEAM_BYTES_PER_POT,
    BEAM_SECONDS_PER_POT,
    BEAM_SECONDS_PER_POT_BY_PRODUCTION,
    MAX_BEAM_BYTES,
    MAX_RUN_SECONDS,
    SCAN_SECONDS_FIXED,
    SCAN_SECONDS_SCALED,
    RunCost,
    check_cost,
    estimate_cost,
)
from muphilic.config.inputs import check_inputs
from muphilic.config.reading import (  # noqa: F401 (outside __all__, as before the split)
    config_from_dict,
    load_config,
)
from muphilic.config.run import OVERRIDABLE, RunConfig  # noqa: F401 (outside __all__, as before the split)
from muphilic.config.sections import (  # noqa: F401 (outside __all__, as before the split)
    STATISTICS_MODES,
    BandConfig,
    BeamConfig,
    EmissionConfig,
    LimitsConfig,
    ScanConfig,
    StatisticsConfig,
)

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
