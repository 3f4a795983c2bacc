"""What a run costs: the estimate of its computing time and disk use, and the limits.

:func:`estimate_cost` turns a run into a :class:`RunCost` from the measured
per-unit costs below; :func:`check_cost` refuses a run above
:data:`MAX_RUN_SECONDS` of computing or :data:`MAX_BEAM_BYTES` of beam sample
unless long runs are allowed (``[limits] allow_long_runs = true``, a command-line
flag, or the environment variable ``MUPHILIC_ALLOW_LONG_RUNS=1``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from muphilic.config.checks import ConfigError, _number

if TYPE_CHECKING:
    from muphilic.config.run import RunConfig
    from muphilic.config.sections import BandConfig, BeamConfig

__all__ = ["RunCost", "check_cost", "estimate_cost"]

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
#: Beam seconds per POT of the generator backends: about 2.5 times their time per event
#: (docs/facilities.md, ``benchmarks/bench_generators.py``, one worker, start-up excluded:
#: UrQMD 1.16 ms, SIBYLL 0.27 ms on a quiet machine), an upper estimate for slower or loaded
#: machines (a proton interacts at most once in the target); the whole beam simulation
#: measured 1.2-1.8 ms (UrQMD, J-PARC) and 0.5 ms (SIBYLL, NuMI) CPU per POT
#: (``benchmarks/bench_roadmap.py``).
BEAM_SECONDS_PER_POT_BY_PRODUCTION = {"urqmd": 3e-3, "sibyll": 1e-3}
BEAM_BYTES_PER_POT = 311.0
SCAN_SECONDS_FIXED = 0.08
SCAN_SECONDS_SCALED = 0.3
#: Most estimated computing time of a run (one process), seconds, without the override.
MAX_RUN_SECONDS = 3600.0
#: Largest simulated beam sample written to the cache, bytes, without the override.
MAX_BEAM_BYTES = 10e9
#: Environment variable that, set to 1 (or true, yes), allows runs above the limits.
ALLOW_LONG_RUNS_ENV = "MUPHILIC_ALLOW_LONG_RUNS"


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
