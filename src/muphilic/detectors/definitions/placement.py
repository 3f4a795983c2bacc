"""Where a detector may stand: its whole volume downstream of its facility's absorber face.

The target, horn, collimator and decay pipe lie upstream of the absorber face,
so no detector can - except, for the other facilities than the BNB, a detector
well off the axis beside the decay pipe (MicroBooNE and ICARUS seen from NuMI).
"""

from __future__ import annotations

import math

from muphilic.constants import m
from muphilic.detectors.definitions.detector import Detector
from muphilic.detectors.definitions.fields import _fail
from muphilic.errors import MuphilicError


def _check_placement(detector: Detector) -> None:
    """Refuse a volume that reaches upstream of the absorber face (target, horn, decay pipe)."""
    from muphilic.beamline.facility_file import load_facility  # here: beamline imports detectors

    try:
        facility = load_facility(detector.facility)
    except MuphilicError as exc:
        raise _fail("facility", str(exc)) from None
    absorber_face = facility.absorber_z
    if detector.facility != "bnb":
        # off-axis detectors beside the decay pipe (MicroBooNE seen from NuMI) may lie
        # upstream of the absorber face, but not inside the pipe's radius of the axis
        reach = detector.size[0] if detector.shape == "sphere" else 0.5 * max(detector.size)
        off_axis = math.hypot(detector.centre[0], detector.centre[1])
        if off_axis - reach > 2 * facility.decay_pipe.radius:
            return
    half_length = detector.size[0] if detector.shape == "sphere" else 0.5 * detector.size[2]
    upstream_end = detector.centre[2] - half_length
    if upstream_end < absorber_face:
        raise _fail(
            "geometry.centre_m",
            f"the volume reaches z = {upstream_end / m:.6g} m, upstream of the absorber face "
            f"at z = {absorber_face / m:g} m where the target, horn and decay pipe are; "
            "the whole volume must lie downstream of it",
        )
