"""Detector definitions: a frozen :class:`Detector` and its TOML files.

A detector is data, not code. Each packaged detector lives in
``muphilic/data/detectors/<name>.toml`` (documented, number by number, in the
README of that folder); a user adds one by writing a file with the same keys
and passing its path to :func:`load_detector`.

TOML schema (units are in the key names; every unknown key is an error)
-----------------------------------------------------------------------
::

    name = "MiniBooNE"            # required
    description = "..."           # optional
    curve = "expected"            # optional: exclusion (published data), expected, projection
    pot = 6.46e20                 # protons on target of the analysis, required
    efficiency = 0.40             # flat two-photon efficiency, 0 < e <= 1, required
    resolution = 0.15             # Gaussian m_gg resolution / m_S, 0 < r <= 1, required
    density_g_cm3 = 0.845         # optional, of the fiducial medium
    fiducial_mass_t = 450.0       # optional, metric tonnes: with a density, derived from the
                                  # volume (and, if given, checked against it to 1 %)
    background_mass_t = 450.0     # optional: mass the modelled background is scaled to
                                  # (default: the fiducial mass; set it only to decouple them)
    facility = "bnb"              # optional: the beamline (packaged facility name) whose
                                  # frame centre_m is in; default the BNB
    target_material = "CH2"       # optional: nucleus of the modelled NC pi0 background
                                  # (muphilic.recast.ncpi0), e.g. "Ar", "CH", "H2O"

    [geometry]                    # required
    shape = "sphere"              # "sphere" or "box" (axis-aligned in the beam frame)
    centre_m = [0.0, 0.0, 541.0]  # beam frame: z along the beam, origin at the horn;
                                  # the whole volume downstream of the absorber (z >= 49.678 m)
    radius_m = 5.03               # sphere only
    # size_m = [2.56, 2.32, 10.36]  box only: full lengths along x, y, z

    [bins]                        # required: edges_MeV, or min_MeV + max_MeV + width_MeV
    edges_MeV = [32.0, 40.0, 48.0]

    [cuts]                        # optional; all default to "no cut"
    track_mass_MeV = 32.0         # Eq. (6) threshold f: a number, or [[E1+E2, f], ...]
    track_mass_applies_to = "reconstructed"   # or "true"
    photon_energy_high_min_MeV = 30.0
    photon_energy_low_min_MeV = 20.0

    [sources]                     # optional: dotted key -> citation string
    pot = "paper, p. 4"

One fiducial volume
-------------------
The geometry is the fiducial volume, and every quantity uses it: the signal (the
rays through it), the fiducial mass (volume x density) and the modelled background
(scaled to :attr:`Detector.background_mass`, which is the fiducial mass unless a
file or run sets ``background_mass_t`` explicitly). A stated ``fiducial_mass_t``
that the volume does not hold (to 1 %) is an error.

Run overrides
-------------
:func:`apply_overrides` applies the keys of :data:`OVERRIDE_KEYS` (a run
configuration's ``[detectors.NAME]`` table): ``pot``, ``efficiency``,
``resolution``; ``fiducial_mass_t`` (rescales the volume about its centre, shape
kept, so that it holds that mass: signal and background follow);
``background_mass_t`` (the background alone); ``track_mass_applies_to``
(``"reconstructed"`` or ``"true"``, the reading of Eq. (6)); ``window_MeV``
(``[low, high]``: the analysis window, re-binned with the detector's bin width);
``off_axis_m`` (moves the volume sideways: its centre to x = ``off_axis_m``, y and z
kept, e.g. the DUNE-PRISM positions of ``dune_nd``).

A file is at most :data:`MAX_TOML_BYTES` long. :func:`load_detector` (every
detector a run uses) also refuses a volume that reaches upstream of the absorber
face of its facility (BNB: z = 49.678 m, ``absorber_z`` of ``bnb.toml``): the
target, horn, collimator and decay pipe lie there, so no detector can - except,
for the other facilities, a detector well off the axis beside the decay pipe
(MicroBooNE and ICARUS seen from NuMI).

Inside the package every length is in mm, energy in MeV and mass in the
:mod:`hepunits` mass unit (CLHEP convention); TOML files use the units in their
key names and are converted on reading and writing only.

Modules
-------
* :mod:`~muphilic.detectors.definitions.fields` - the ranges and keys of the
  fields, :class:`DetectorConfigError` and the checks of one value.
* :mod:`~muphilic.detectors.definitions.photon_cuts` - :class:`PhotonCuts`.
* :mod:`~muphilic.detectors.definitions.detector` - :class:`Detector`.
* :mod:`~muphilic.detectors.definitions.placement` - the volume downstream of the
  absorber face.
* :mod:`~muphilic.detectors.definitions.toml_file` - :func:`detector_from_mapping`,
  :func:`load_detector`, :func:`available_detectors`, :func:`detector_to_toml`.
* :mod:`~muphilic.detectors.definitions.overrides` - :func:`check_override`,
  :func:`apply_overrides`.

Every name is importable from this package as well as from its module.
"""

from __future__ import annotations

from muphilic.detectors.definitions.detector import Detector
from muphilic.detectors.definitions.fields import (  # noqa: F401 (outside __all__, as before the split)
    CURVES,
    FIELD_RANGES,
    MASS_RANGE_T,
    MAX_TOML_BYTES,
    OVERRIDE_KEYS,
    DetectorConfigError,
    FloatArray,
    Shape,
    TrackMassMode,
)
from muphilic.detectors.definitions.overrides import apply_overrides, check_override
from muphilic.detectors.definitions.photon_cuts import PhotonCuts
from muphilic.detectors.definitions.toml_file import (
    available_detectors,
    detector_from_mapping,
    detector_to_toml,
    load_detector,
)

__all__ = [
    "FIELD_RANGES",
    "MASS_RANGE_T",
    "MAX_TOML_BYTES",
    "OVERRIDE_KEYS",
    "Detector",
    "DetectorConfigError",
    "PhotonCuts",
    "apply_overrides",
    "available_detectors",
    "check_override",
    "detector_from_mapping",
    "detector_to_toml",
    "load_detector",
]
