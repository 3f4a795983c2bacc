"""Where a run's beam sample comes from: the user's file, the cache, or a new simulation.

:func:`load_beam` returns the user's sample if the run names one, else the
cached simulation for (POT, seed, beamline settings, package version), running
and caching it on first use. :func:`numu_flux_total` gives the flux-integrated
nu_mu flux over a detector's fiducial volume, the number the modelled
backgrounds scale with.
"""

from __future__ import annotations

import json
import weakref
from pathlib import Path
from typing import Any

import numpy as np

from muphilic import __version__
from muphilic.beamline.facility_file import load_facility
from muphilic.beamline.flux import Box, Sphere, numu_flux
from muphilic.beamline.production.reweight import pi_plus_reweight
from muphilic.beamline.samples import read_sample, write_sample
from muphilic.beamline.simulate import BeamlineConfig, BeamlineConfigError, BeamSample, simulate
from muphilic.cache import cached_bytes, cached_file, file_sha256
from muphilic.constants import GeV, MeV
from muphilic.detectors import Detector
from muphilic.errors import MuphilicError

__all__ = ["beamline_config", "flux_volume", "load_beam", "numu_flux_total"]

#: Neutrino-energy bins for flux integrals: 0-10 GeV in 50 MeV steps.
FLUX_EDGES = np.arange(0.0, 10.0 * GeV + 1.0 * MeV, 50.0 * MeV)


def beamline_config(beam: Any, polarity: str | None = None) -> BeamlineConfig:
    """The beamline settings of a run's ``[beam]`` table (a :class:`muphilic.config.BeamConfig`).

    ``polarity`` ("neutrino" or "antineutrino") sets the horn current's sign
    instead of the facility file's.
    """
    facility = load_facility(beam.facility)
    if polarity is not None:
        facility = facility.with_polarity(polarity)
    production = beam.production or facility.production
    if beam.pi_plus_table and production != "bnb-fits":
        raise BeamlineConfigError(
            f"beam.pi_plus_table reweights the pi+ of production 'bnb-fits'; facility "
            f"{facility.name!r} runs {production!r}"
        )
    try:
        reweight = pi_plus_reweight(beam.pi_plus_table, facility.p_beam)
    except MuphilicError as err:
        raise BeamlineConfigError(f"beam.pi_plus_table: {err}") from None
    return BeamlineConfig(
        facility=facility,
        production=beam.production,
        kaon_absorption=beam.kaon_absorption,
        # in every target material: G4BNB's fits in Be and Al, Glauber-Gribov otherwise
        pion_absorption=True,
        pi_plus_reweight=reweight,
    )


def load_beam(
    beam: Any,
    *,
    seed: int,
    config: BeamlineConfig | None = None,
    progress: bool = False,
) -> BeamSample:
    """The beam sample of a run.

    Parameters
    ----------
    beam : muphilic.config.BeamConfig
        ``beam.sample`` (a path) selects the user's HDF5 sample; otherwise
        ``beam.pot`` protons on target of ``beam.facility`` (a packaged name or a
        TOML file) with production backend ``beam.production`` ("" for the
        facility's) are simulated (or read from the cache), with kaon absorption
        as ``beam.kaon_absorption`` says.
    seed : int
        Seed of the simulation.
    config : BeamlineConfig, optional
        Beamline settings; given, it replaces ``beam.facility`` and ``beam.production``.
    progress : bool
        Show a progress bar while simulating.
    """
    if beam.sample:
        path = Path(beam.sample)
        return _remember(read_sample(path), file_sha256(path))
    if config is None:
        config = beamline_config(beam)
    backend = config.backend()
    backend.check(config.facility)
    inputs = {
        "pot": int(beam.pot),
        "seed": int(seed),
        "beamline": repr(config),
        "production": backend.identity(),
        "muphilic": __version__,
    }

    def build(path: Path) -> None:
        write_sample(simulate(int(beam.pot), int(seed), config=config, progress=progress), path)

    path = cached_file("beam", inputs, build, suffix=".h5")
    # cached_file has just checked the file against this digest
    digest = path.with_name(path.name + ".sha256").read_text().strip()
    return _remember(read_sample(path), digest)


#: id(sample) -> (weak reference, SHA-256 of the file it was read from).
_DIGESTS: dict[int, tuple[weakref.ref[BeamSample], str]] = {}


def _remember(sample: BeamSample, digest: str) -> BeamSample:
    """Note the content digest of a sample read from a file (for the flux cache)."""
    key = id(sample)
    _DIGESTS[key] = (weakref.ref(sample, lambda _: _DIGESTS.pop(key, None)), digest)
    return sample


def _digest(sample: BeamSample) -> str | None:
    entry = _DIGESTS.get(id(sample))
    return entry[1] if entry is not None and entry[0]() is sample else None


def flux_volume(detector: Detector) -> Sphere | Box:
    """The detector's fiducial volume as a flux-averaging volume, wherever it is."""
    x, y, z = (float(c) for c in detector.centre_array)
    if detector.shape == "sphere":
        return Sphere(z, float(detector.radius), x, y)
    half = detector.half_lengths
    return Box(z, (float(half[0]), float(half[1]), float(half[2])), x, y)


def numu_flux_total(sample: BeamSample, detector: Detector) -> float:
    """nu_mu flux integrated over 0-10 GeV and averaged over ``detector``, per cm^2 per POT.

    For a sample read by :func:`load_beam` (from the cache or the user's file) the
    number is cached with the sample: keyed by the SHA-256 of the sample file, the
    flux volume, the bins and the package version, so a warm run does not redo it.
    """
    volume = flux_volume(detector)
    digest = _digest(sample)
    if digest is None:
        return numu_flux(sample, volume, FLUX_EDGES).integral
    inputs = {
        "sample_sha256": digest,
        "volume": repr(volume),
        "edges_MeV": [float(FLUX_EDGES[0] / MeV), float(FLUX_EDGES[-1] / MeV), FLUX_EDGES.size],
        "muphilic": __version__,
    }

    def build() -> bytes:
        value = numu_flux(sample, volume, FLUX_EDGES).integral
        return json.dumps({"numu_flux_per_pot": value}).encode()

    return float(json.loads(cached_bytes("flux", inputs, build))["numu_flux_per_pot"])
