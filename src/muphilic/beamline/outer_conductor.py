"""Mesons crossing a horn's outer conductor into the target hall around the horn.

The tracker (:mod:`muphilic.beamline.horn`) stops a meson where it reaches a horn's
outer conductor, the outer radius of the field region. Where the facility gives the
horn an outer-conductor thickness (``outer_conductor_mm``,
:class:`~muphilic.beamline.facility.Horn`), the meson crosses the conductor instead:
straight along its direction at the stopping point, through the conductor's thickness
divided by the radial component of that direction, attenuated in the aluminium like in
the inner conductor (:func:`~muphilic.beamline.absorption.aluminium_absorption_length`;
no deflection, energy loss or field in the conductor). It then flies straight on
through the air of the target hall, a cylinder of radius ``hall_radius`` around the
beam axis up to the plane z = ``hall_z_end``, and stops (absorbed in the shielding)
where it leaves it; the muons of its decays in the hall stop at the same boundary.
:func:`muphilic.beamline.simulate.simulate` applies this with the switch
``outer_conductor_transmission`` of its configuration.

BNB, from SBNSoftware/G4BNB ``geometry/BooNE_50m.gdml`` @ 7476727e (numbers in
``data/facilities/bnb.toml``): the horn's aluminium, volume HWL1, reaches r = 325.4 mm
where the field region HRN1 ends at 300 mm, a 25.4 mm outer conductor; the horn sits
in the air box PICV, 1370.8 mm wide and 2030.8 mm high, which ends at the collimator
(z = 3070 mm), modelled as a cylinder of its half-width, 685.4 mm.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from muphilic.beamline.absorption import aluminium_absorption_length
from muphilic.beamline.facility import Horn

__all__ = ["beyond_outer_conductor", "hall_exit"]

FloatArray = NDArray[np.float64]


def hall_exit(x: FloatArray, d: FloatArray, radius: FloatArray, z_end: FloatArray) -> FloatArray:
    """Straight distance (mm) from ``x`` along unit ``d`` to the cylinder r = ``radius`` or the
    plane z = ``z_end``, whichever comes first (0 for points already outside)."""
    a = d[:, 0] ** 2 + d[:, 1] ** 2
    b = x[:, 0] * d[:, 0] + x[:, 1] * d[:, 1]
    c = x[:, 0] ** 2 + x[:, 1] ** 2 - radius**2
    with np.errstate(divide="ignore", invalid="ignore"):
        t_r = np.where(a > 0, (-b + np.sqrt(np.maximum(b * b - a * c, 0.0))) / a, np.inf)
        t_z = np.where(d[:, 2] > 0, (z_end - x[:, 2]) / d[:, 2], np.inf)
    t = np.minimum(t_r, t_z)
    return np.clip(np.where(np.isfinite(t), t, 0.0), 0.0, None)


def beyond_outer_conductor(
    species: str,
    p: FloatArray,
    position: FloatArray,
    direction: FloatArray,
    horns: Sequence[Horn],
    *,
    pion_absorption: bool = True,
    kaon_absorption: bool = True,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Crossing of the outer conductor by mesons the tracker stopped there.

    Parameters
    ----------
    species : {"pi+", "pi-", "K+", "K-"}
    p : (N,) array
        Momenta, MeV/c.
    position, direction : (N, 3) arrays
        Where the mesons stopped at a horn's outer conductor (mm) and their unit directions.
    horns : sequence of Horn
        The facility's horns; a meson belongs to the horn whose z range holds it.
    pion_absorption, kaon_absorption : bool
        Attenuate pions, kaons in the conductor's aluminium.

    Returns
    -------
    (survival, flight, hall_radius, hall_z_end) : (N,) arrays
        Survival through the conductor along the direction, straight flight (mm) to the
        target hall's boundary, and that hall's radius and end z (mm) per meson (zero
        flight where the horn has no outer conductor).
    """
    n = len(p)
    survival, flight = np.ones(n), np.zeros(n)
    hall_r, hall_z = np.zeros(n), np.zeros(n)
    for h in horns:
        if not h.outer_conductor > 0.0:
            continue
        sel = (position[:, 2] >= h.z_start) & (position[:, 2] <= h.z_end)
        x, d = position[sel], direction[sel]
        r = np.hypot(x[:, 0], x[:, 1])
        d_r = np.clip((x[:, 0] * d[:, 0] + x[:, 1] * d[:, 1]) / np.maximum(r, 1e-9), 1e-3, None)
        t_al = h.outer_conductor / d_r
        q = p[sel]
        if (species in ("pi+", "pi-") and pion_absorption) or (
            species in ("K+", "K-") and kaon_absorption
        ):
            survival[sel] = np.exp(-t_al / aluminium_absorption_length(q, species))
        hall_r[sel], hall_z[sel] = h.hall_radius, h.hall_z_end
        flight[sel] = hall_exit(x, d, hall_r[sel], hall_z[sel])
    return survival, flight, hall_r, hall_z
