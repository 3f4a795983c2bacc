"""Mesons crossing a horn's outer conductor into the target hall around the horn.

The tracker (:mod:`muphilic.beamline.horn`) stops a meson where it reaches a horn's
outer conductor, the outer radius of the field region. Where the facility gives the
horn an outer-conductor thickness (``outer_conductor_mm``,
:class:`~muphilic.beamline.facility.Horn`), the meson crosses the conductor instead:
straight along its direction at the stopping point, through the conductor's thickness
divided by the radial component of that direction, attenuated in the aluminium like in
the inner conductor (:func:`~muphilic.beamline.absorption.aluminium_absorption_length`;
no deflection or field in the conductor; the beam simulation slows it down over that
path, :mod:`muphilic.beamline.energy_loss`). It then flies straight on
through the air of the target hall, an axis-aligned box (``hall_x``, ``hall_y`` in the
transverse plane, up to the plane z = ``hall_z_end``), and stops (absorbed in the
shielding) where it leaves it; the muons of its decays in the hall fly straight to the
box's walls and stop there. The flight is measured from the conductor's inner surface.
:func:`muphilic.beamline.simulate.simulate` applies this with the switch
``outer_conductor_transmission`` of its configuration.

BNB, from SBNSoftware/G4BNB ``geometry/BooNE_50m.gdml`` @ 7476727e (numbers in
``data/facilities/bnb.toml``): the horn's aluminium, volume HWL1, reaches r = 325.4 mm
where the field region HRN1 ends at 300 mm, a 25.4 mm outer conductor; the horn sits
in the air box PICV, 1370.8 mm wide (x) and 2030.8 mm high (y), placed with the horn
axis 300 mm above its centre: x in [-685.4, 685.4] mm and y in [-1315.4, 715.4] mm
around the beam axis. PICV is 6140 mm long, centred on the horn's upstream end, so it
ends at the collimator (z = 3070 mm); its upstream face (z = -3070 mm) is left open
here (the mesons leave through the side walls first: closing the box there changes the
hall's pi- decays by 7e-5 of themselves and the other species' by nothing, BNB, 20 000 POT).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from muphilic.beamline.absorption import aluminium_absorption_length
from muphilic.beamline.facility import Horn

__all__ = ["beyond_outer_conductor", "hall_bounds", "hall_exit"]

FloatArray = NDArray[np.float64]


def hall_exit(x: FloatArray, d: FloatArray, lower: FloatArray, upper: FloatArray) -> FloatArray:
    """Straight distance (mm) from points ``x`` along unit ``d`` to where they leave the box
    ``lower <= x <= upper`` (per axis; bounds may be infinite), 0 for points outside it
    and for rays that never leave it.

    Parameters
    ----------
    x, d : (N, 3) arrays
        Start points (mm) and unit directions.
    lower, upper : (3,) or (N, 3) arrays
        The box's lower and upper bound on each axis, mm.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        t_axis = np.where(d > 0, (upper - x) / d, np.where(d < 0, (lower - x) / d, np.inf))
    t = np.min(t_axis, axis=1)
    inside = np.all((x >= lower) & (x <= upper), axis=1)
    return np.where(inside & np.isfinite(t), np.maximum(t, 0.0), 0.0)


def hall_bounds(horn: Horn) -> tuple[FloatArray, FloatArray]:
    """The lower and upper bounds (x, y, z; mm) of ``horn``'s target hall (open upstream)."""
    lower = np.array([horn.hall_x[0], horn.hall_y[0], -np.inf])
    upper = np.array([horn.hall_x[1], horn.hall_y[1], horn.hall_z_end])
    return lower, upper


def beyond_outer_conductor(
    species: str,
    p: FloatArray,
    position: FloatArray,
    direction: FloatArray,
    horns: Sequence[Horn],
    *,
    pion_absorption: bool = True,
    kaon_absorption: bool = True,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
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
    survival, flight : (N,) arrays
        Survival through the conductor along the direction, and the straight flight (mm)
        from ``position`` to the walls of the horn's target hall (zero where the horn has
        no outer conductor).
    lower, upper : (N, 3) arrays
        That hall's bounds per meson (:func:`hall_bounds`; zero where there is none), for
        :func:`hall_exit` of the muons of decays in it.
    conductor_path : (N,) array
        The straight path through the conductor, mm (zero where there is none).
    """
    n = len(p)
    survival, flight = np.ones(n), np.zeros(n)
    lower, upper = np.zeros((n, 3)), np.zeros((n, 3))
    conductor_path = np.zeros(n)
    for h in horns:
        if not h.outer_conductor > 0.0:
            continue
        sel = (position[:, 2] >= h.z_start) & (position[:, 2] <= h.z_end)
        x, d = position[sel], direction[sel]
        r = np.hypot(x[:, 0], x[:, 1])
        d_r = np.clip((x[:, 0] * d[:, 0] + x[:, 1] * d[:, 1]) / np.maximum(r, 1e-9), 1e-3, None)
        t_al = h.outer_conductor / d_r
        conductor_path[sel] = t_al
        q = p[sel]
        if (species in ("pi+", "pi-") and pion_absorption) or (
            species in ("K+", "K-") and kaon_absorption
        ):
            survival[sel] = np.exp(-t_al / aluminium_absorption_length(q, species))
        lower[sel], upper[sel] = hall_bounds(h)
        flight[sel] = hall_exit(x, d, lower[sel], upper[sel])
    return survival, flight, lower, upper, conductor_path
