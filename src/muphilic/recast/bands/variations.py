"""The model variations a band may include: named switches of the chain.

Model variations (:data:`VARIATIONS`)
    Each is a named switch of the chain. Those that change only the detection
    (efficiency, resolution, the track-mass reading) reuse the very scalars of
    the central curve and cost one signal evaluation (the efficiency, an exact
    factor of the signal and of the modelled backgrounds, and the test
    statistic cost none: the central signal is reused); those
    that change the emission (the muon energy loss in the dump, the nuclear form
    factor) re-aim the scalars of the same beam sample with the same random
    stream, so only the changed channel moves; those that change the beam (the
    hadron-production model) read or simulate another beam sample, kept in the
    cache. Detection and emission variations share the central curve's random
    numbers, so their shift is the model's, not Monte Carlo noise; a beam
    variation's shift includes the Monte Carlo error of both samples.

:func:`detection_variant` is the detector of a detection variation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from muphilic.detectors import Detector
from muphilic.errors import MuphilicError

__all__ = [
    "VARIATIONS",
    "BandError",
    "Variation",
    "default_variations",
    "detection_variant",
    "variation",
]


#: Factor of the efficiency and resolution variations (the issue's +-25 %).
_DETECTION_FACTOR = 0.25


class BandError(MuphilicError):
    """A band cannot be computed as asked (unknown variation, bad replica count)."""


@dataclass(frozen=True)
class Variation:
    """A named switch of the chain that a band may include.

    Attributes
    ----------
    name : str
        The switch's name (``[band] variations``, the files' columns).
    description : str
        What it changes, in words, against the central run.
    stage : {"detection", "statistics", "emission", "beam"}
        What it recomputes (see the module docstring).
    default : bool
        Part of a band unless the run names its variations.
    reason : str
        Why a default-off variation is off.
    """

    name: str
    description: str
    stage: str
    default: bool
    reason: str = ""


#: Every variation a band knows, in the order the files list them.
VARIATIONS: tuple[Variation, ...] = (
    Variation("efficiency_up", "two-photon efficiency x 1.25 (at most 1)", "detection", True),
    Variation("efficiency_down", "two-photon efficiency x 0.75", "detection", True),
    Variation("resolution_up", "m_gg resolution x 1.25", "detection", True),
    Variation("resolution_down", "m_gg resolution x 0.75", "detection", True),
    Variation(
        "track_mass_truth",
        "track-mass cut (Eq. (6)) on the true m_gg = m_S instead of the smeared one",
        "detection",
        True,
    ),
    Variation(
        "stat_likelihood",
        "test statistic: the profile likelihood instead of the paper's chi^2 (Eqs. (7), (8))",
        "statistics",
        False,
        "an analysis choice rather than a model; name it to include it",
    ),
    Variation(
        "dedx_bethe",
        "muon energy loss in the dump: Bethe-Bloch instead of the constant 16 MeV/cm",
        "emission",
        True,
    ),
    Variation(
        "form_factor_tsai",
        "nuclear form factor of iron in mu N -> mu N S: Tsai's instead of Helm's",
        "emission",
        False,
        "builds a mu N -> mu N S table per mass on first use (about 10 s each, then cached)",
    ),
    Variation(
        "production_urqmd",
        "hadron production: UrQMD (chromo) instead of the BNB fits",
        "beam",
        False,
        "simulates another beam sample (generator events, minutes; then cached)",
    ),
    Variation(
        "production_sibyll",
        "hadron production: SIBYLL 2.3d (chromo) instead of the BNB fits",
        "beam",
        False,
        "simulates another beam sample (generator events, minutes; then cached)",
    ),
    Variation(
        "kaon_absorption_off",
        "no kaon absorption in the target and the horns ([beam] kaon_absorption = false)",
        "beam",
        False,
        "simulates another beam sample (seconds with the BNB fits; then cached)",
    ),
    Variation(
        "multiple_scattering_off",
        "dump muons keep their direction up to the emission point "
        "([emission] muon_multiple_scattering = false)",
        "emission",
        True,
    ),
)

_BY_NAME = {v.name: v for v in VARIATIONS}


def variation(name: str) -> Variation:
    """The variation called ``name``.

    Raises
    ------
    BandError
        For an unknown name.
    """
    if name not in _BY_NAME:
        raise BandError(f"unknown band variation {name!r}; known are {list(_BY_NAME)}")
    return _BY_NAME[name]


def default_variations(*, production: bool = False) -> tuple[str, ...]:
    """Names of the default variations (with ``production``: the beam variations too)."""
    return tuple(v.name for v in VARIATIONS if v.default or (production and v.stage == "beam"))


def detection_variant(detector: Detector, name: str) -> Detector | None:
    """The detector of detection variation ``name`` (None: it changes nothing here)."""
    f = _DETECTION_FACTOR
    if name == "efficiency_up":
        return replace(detector, efficiency=min(1.0, detector.efficiency * (1 + f)))
    if name == "efficiency_down":
        return replace(detector, efficiency=detector.efficiency * (1 - f))
    if name == "resolution_up":
        return replace(detector, resolution=min(1.0, detector.resolution * (1 + f)))
    if name == "resolution_down":
        return replace(detector, resolution=detector.resolution * (1 - f))
    if name == "track_mass_truth":
        if not detector.cuts.has_track_mass_cut or detector.cuts.track_mass_applies_to == "true":
            return None
        return replace(detector, cuts=replace(detector.cuts, track_mass_applies_to="true"))
    raise BandError(f"{name!r} is not a detection variation")


def _varied_beam(beam: Any, name: str) -> Any:
    """The beam configuration of the beam-stage variation ``name``."""
    if name == "kaon_absorption_off":
        return replace(beam, kaon_absorption=False)
    return replace(beam, production=name.removeprefix("production_"))
