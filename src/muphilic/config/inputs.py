"""The files a run names, read and checked against each other before any computation.

:func:`check_inputs` reads the beam sample, the detector files (with the run's
overrides) and the measured spectra, and refuses what the run would otherwise
refuse only after simulating the beam.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from muphilic.config.checks import ConfigError, _require
from muphilic.config.run import RunConfig
from muphilic.constants import MeV
from muphilic.errors import MuphilicError

__all__ = ["check_inputs"]


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
    from muphilic.beamline.production.reweight import SANFORD_WANG_KNOTS, PionReweight
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
    if run.beam.pi_plus_table not in ("", SANFORD_WANG_KNOTS):
        named("beam.pi_plus_table", PionReweight.from_csv, run.beam.pi_plus_table)
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
