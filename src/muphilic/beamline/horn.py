"""Magnetic horns: toroidal field and a vectorised charged-particle tracker.

A facility has one or more horns (:mod:`muphilic.beamline.facility`), each with
its own current and field region. Field of one horn: ``B_phi = mu0 I / (2 pi r)``
between the outer surface of the inner conductor ``r_in(z)`` and the inner
surface of the outer conductor ``r_out(z)`` (a z-r table, linear between the
nodes; the BNB's is the air volume HRN1 of SBNSoftware/G4BNB
``geometry/BooNE_50m.gdml``), zero elsewhere (inside the inner conductor's bore
and outside the horn). In neutrino mode the current flows along +z on the inner
conductor, so B = +B phi-hat and positive particles are focused (force
-q c B u_z r-hat). The skin-depth field inside the aluminium (1.4 mm in G4BNB)
is neglected.

The horns and the field-free gaps between them (and the target region upstream
of the first horn) form one :class:`HornSystem` that the tracker follows from
the production point to the downstream end of the last horn.

Conductors (documented choices):

* inner conductor: *transparent to the tracking*. Mesons born inside its bore
  (the BNB target sits in it) must cross the aluminium wall (``wall_thickness``
  inside r_in(z)) to reach the field; particles that are bent back cross it again
  into the field-free bore. The tracker neglects energy loss and scattering in
  the wall but records the path length inside it, from which the simulation
  computes the pions' absorption (:mod:`muphilic.beamline.absorption`).
* outer conductor (r >= r_out(z)), the walls of the gaps (the facility's
  apertures there) and the upstream end: the particle is *absorbed* there (it
  would enter the steel shielding around the horn, from which it cannot reach
  the downstream apertures). It may still decay before.

Tracker: a drift-kick-drift (Boris-type) step in path length s: half drift, exact
rotation of the unit direction about the field at the mid point, half drift.
|p| is conserved exactly; the method is second order in the step (tested
against the exact invariant ``p_z - q c k ln r`` of the 1/r field, k = mu0 I/2pi).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from muphilic.beamline.geometry import Aperture
from muphilic.constants import MU0, c_light, mm
from muphilic.errors import MuphilicError

__all__ = [
    "HornGeometry",
    "HornSystem",
    "HornSystemError",
    "TrackStatus",
    "field_at",
    "momentum_left",
    "skin_fraction",
    "track",
    "wall_loss_arrays",
]

FloatArray = NDArray[np.float64]


class HornSystemError(MuphilicError):
    """Horns overlap or are out of order."""


@dataclass(frozen=True)
class HornGeometry:
    """Radius profile of one horn's field region, its current and its volume.

    Attributes
    ----------
    z, r_inner, r_outer : arrays
        z-planes of the field region (mm, beam frame) and its inner/outer radii (mm).
    current : float
        Horn current (CLHEP units; + = neutrino mode, focusing positive particles).
    z_start, z_end : float
        z-range of the horn volume (mm); the tracker hands particles on at the
        last horn's z_end.
    wall_thickness : float
        Thickness of the inner conductor inside r_in(z), mm (its path is recorded
        for the pions' absorption).
    skin_depth : float
        Skin depth delta of the pulsed current in the inner conductor, mm; 0: the field
        is zero inside the conductor. With delta > 0 the field inside the wall is that
        of G4BNB's skin-depth model ``EXPI`` (``src/NuBeamSkinDepthField.cc``, the
        default of its ``input/production.in``): the current density falls off as
        exp(-d / delta) with the depth d below the conductor's outer surface r_in, so the
        current enclosed at radius r and the field are
        ``B(r) = (k / r) (exp(-d / delta) - exp(-t / delta)) / (1 - exp(-t / delta))``,
        d = r_in - r, t the wall thickness: zero on the inner surface, k / r_in on the
        outer one (:meth:`wall_field_fraction`).
    """

    z: FloatArray
    r_inner: FloatArray
    r_outer: FloatArray
    current: float
    z_start: float
    z_end: float
    wall_thickness: float = 0.0
    skin_depth: float = 0.0

    @property
    def k(self) -> float:
        """mu0 I / (2 pi): B(r) = k / r (CLHEP field units times mm)."""
        return MU0 * self.current / (2.0 * math.pi)

    def inner_radius(self, z: FloatArray) -> FloatArray:
        """r_in(z), mm (field region's inner boundary; +inf outside its z-range)."""
        z = np.asarray(z, dtype=float)
        r = np.interp(z, self.z, self.r_inner)
        return np.where((z >= self.z[0]) & (z <= self.z[-1]), r, np.inf)

    def outer_radius(self, z: FloatArray) -> FloatArray:
        """r_out(z), mm (field region's outer boundary, outer conductor)."""
        z = np.asarray(z, dtype=float)
        return np.interp(z, self.z, self.r_outer)

    def wall_field_fraction(self, depth: FloatArray) -> FloatArray:
        """B / (k / r) at ``depth`` (mm) below the conductor's outer surface (0 outside
        the wall or without a skin depth)."""
        return skin_fraction(np.asarray(depth, dtype=float), self.wall_thickness, self.skin_depth)


def skin_fraction(depth: FloatArray, thickness: FloatArray, delta: FloatArray) -> FloatArray:
    """Share of the current enclosed at ``depth`` below the outer surface of a wall of
    ``thickness`` with skin depth ``delta`` (all mm; 0 outside the wall or for delta = 0).

    Point by point with the maths library's exp, as the compiled tracker computes it.
    """
    depth, thickness, delta = np.broadcast_arrays(
        np.asarray(depth, dtype=float), np.asarray(thickness, dtype=float), delta
    )
    inside = (depth > 0.0) & (depth < thickness) & (delta > 0.0)
    share = np.zeros(depth.shape)
    for i in zip(*np.nonzero(inside), strict=True):
        floor = math.exp(-thickness[i] / delta[i])
        share[i] = (math.exp(-depth[i] / delta[i]) - floor) / (1.0 - floor)
    return share


def momentum_left(wall: FloatArray, reach: FloatArray, exponent: FloatArray) -> FloatArray:
    """p(w) / p = (1 - w / R)^g after ``wall`` mm of conductor (0 from the range R on),
    point by point with the maths library's pow, as the compiled tracker computes it."""
    return np.array(
        [
            math.pow(1.0 - w / r, g) if w < r else 0.0
            for w, r, g in zip(wall.tolist(), reach.tolist(), exponent.tolist(), strict=True)
        ],
        dtype=float,
    )


@dataclass(frozen=True)
class HornSystem:
    """Horns in beam order and the open regions between and upstream of them.

    Attributes
    ----------
    horns : tuple of HornGeometry
        Non-overlapping, in increasing z.
    z_start : float
        Upstream end of the tracked region, mm (the first horn's start, or the
        target's front face if that lies upstream of it).
    gaps : tuple of Aperture
        Open regions where no horn is (absorbing walls; none means unbounded).
    """

    horns: tuple[HornGeometry, ...]
    z_start: float
    gaps: tuple[Aperture, ...] = ()

    def __post_init__(self) -> None:
        if not self.horns:
            raise HornSystemError("a horn system needs at least one horn")
        for a, b in zip(self.horns, self.horns[1:], strict=False):
            if b.z_start < a.z_end:
                raise HornSystemError("horns must be in increasing z and must not overlap")
        if self.z_start > self.horns[0].z_start:
            raise HornSystemError("the tracked region must include the first horn")

    @classmethod
    def of(cls, horn: HornGeometry | HornSystem) -> HornSystem:
        """``horn`` itself if a system, else the system of that one horn."""
        if isinstance(horn, HornSystem):
            return horn
        return cls((horn,), horn.z_start)

    @property
    def z_end(self) -> float:
        """Downstream end of the last horn, mm (where tracking hands on)."""
        return self.horns[-1].z_end

    def field_planes(self) -> FloatArray:
        """z of every horn's field-region ends, mm (where the field switches on or off)."""
        return np.array([z for h in self.horns for z in (float(h.z[0]), float(h.z[-1]))])

    def owner(self, z: FloatArray) -> NDArray[np.intp]:
        """Index of the horn whose volume holds each z, or -1 in a gap.

        Points beyond the last horn belong to the last horn; points upstream of the
        first horn to the first one if the system has no gaps (a single horn holding
        the target), else to the gap region.
        """
        z = np.asarray(z, dtype=float)
        own = np.full(z.shape, -1, dtype=np.intp)
        for i, h in enumerate(self.horns):
            lo = -np.inf if i == 0 and not self.gaps else h.z_start
            hi = np.inf if i == len(self.horns) - 1 else h.z_end
            own[(z >= lo) & (z < hi)] = i
        return own

    def gap_radius(self, z: FloatArray) -> FloatArray:
        """Open radius of the gap regions at z, mm (+inf where no gap aperture is)."""
        z = np.asarray(z, dtype=float)
        r = np.full(z.shape, np.inf)
        for ap in self.gaps:
            inside = (z >= ap.z1) & (z < ap.z2)
            r = np.where(inside, ap.radius(z), r)
        return r


def field_at(position: FloatArray, horn: HornGeometry | HornSystem) -> FloatArray:
    """Magnetic field (N, 3) at ``position`` (N, 3) in CLHEP units (tesla = 0.001)."""
    x, y, z = position[:, 0], position[:, 1], position[:, 2]
    r = np.hypot(x, y)
    b_over_r = np.zeros_like(x)
    for h in HornSystem.of(horn).horns:
        r_in = h.inner_radius(z)
        inside = (r >= r_in) & (r <= h.outer_radius(z)) & (r > 0.0)
        inside &= (z >= h.z_start) & (z <= h.z_end)
        share = np.where(inside, 1.0, h.wall_field_fraction(r_in - r))
        b_over_r += np.where(share > 0.0, share * h.k / np.where(r > 0.0, r, 1.0) ** 2, 0.0)
    return np.column_stack((-y * b_over_r, x * b_over_r, np.zeros_like(x)))


class TrackStatus:
    """Codes of :func:`track` results."""

    EXITED = 0  #: reached z_end (handed on to straight-line transport)
    ABSORBED = 1  #: hit the outer conductor
    UPSTREAM = 2  #: left the horn upstream (z < z_start)
    STOPPED = 3  #: reached its requested path length s_stop
    MAX_PATH = 4  #: exceeded the maximum path length (looping; treated as absorbed)
    RANGED_OUT = 5  #: reached its range in a conductor wall (``wall_range``)


def _rotate(u: FloatArray, axis: FloatArray, angle: FloatArray) -> FloatArray:
    """Rodrigues rotation of unit vectors u about unit axes by angles (rad)."""
    c = np.cos(angle)[:, None]
    s = np.sin(angle)[:, None]
    kxu = np.cross(axis, u)
    kdu = np.sum(axis * u, axis=1, keepdims=True)
    return u * c + kxu * s + axis * kdu * (1.0 - c)


def boris_step(
    pos: FloatArray,
    u: FloatArray,
    qc_over_p: FloatArray,
    h: FloatArray,
    horn: HornGeometry | HornSystem,
) -> tuple[FloatArray, FloatArray]:
    """One drift-kick-drift step of length h (mm) for unit directions u.

    ``du/ds = (q c / p) u x B``; ``qc_over_p`` is q c / |p| per particle.
    """
    half = 0.5 * h[:, None]
    mid = pos + u * half
    b = field_at(mid, horn)
    bmag = np.linalg.norm(b, axis=1)
    nonzero = bmag > 0.0
    axis = b / np.where(nonzero, bmag, 1.0)[:, None]
    # du/ds = -(qc/p) B x u: rotation about B-hat by angle -(qc/p)|B| h
    angle = -qc_over_p * bmag * h
    u_new = np.where(nonzero[:, None], _rotate(u, axis, angle), u)
    return mid + u_new * half, u_new


@dataclass(frozen=True)
class TrackResult:
    """State of each particle where :func:`track` stopped following it."""

    position: FloatArray
    direction: FloatArray
    path_length: FloatArray
    status: NDArray[np.int8]
    wall_path: FloatArray


@dataclass(frozen=True)
class _RadiusTable:
    """r_in(z), r_out(z), k(z) = mu0 I / 2 pi, the wall thickness and skin depth on a fine
    uniform z grid (nearest node) for fast lookup, with the largest boundary slopes |dr/dz|
    within +-50 mm of each node."""

    z0: float
    dz: float
    r_in: FloatArray
    r_out: FloatArray
    slope: FloatArray
    k: FloatArray
    wall: FloatArray
    skin: FloatArray

    def index(self, z: FloatArray) -> NDArray[np.intp]:
        i = ((z - self.z0) / self.dz + 0.5).astype(np.intp)
        return np.clip(i, 0, len(self.r_in) - 1)


def _radius_table(system: HornSystem, dz: float = 0.1 * mm) -> _RadiusTable:
    z = np.arange(system.z_start - 1.0 * mm, system.z_end + 1.0 * mm, dz)
    own = system.owner(z)
    r_in = np.full(z.shape, np.inf)
    r_out = system.gap_radius(z)
    k = np.zeros(z.shape)
    wall = np.zeros(z.shape)
    skin = np.zeros(z.shape)
    for i, h in enumerate(system.horns):
        sel = own == i
        r_in[sel], r_out[sel] = h.inner_radius(z[sel]), h.outer_radius(z[sel])
        k[sel], wall[sel], skin[sel] = h.k, h.wall_thickness, h.skin_depth
    finite_in = np.where(np.isfinite(r_in), r_in, np.nan)
    finite_out = np.where(np.isfinite(r_out), r_out, np.nan)
    slope = np.nan_to_num(
        np.maximum(np.abs(np.gradient(finite_in, dz)), np.abs(np.gradient(finite_out, dz)))
    )
    window = max(1, int(50.0 * mm / dz))
    padded = np.pad(slope, window, mode="edge")
    view = np.lib.stride_tricks.sliding_window_view(padded, 2 * window + 1)
    return _RadiusTable(float(z[0]), dz, r_in, r_out, view.max(axis=1), k, wall, skin)


#: Largest radial advance of a step inside a conductor wall with a skin-depth field, in
#: skin depths (the midpoint rule's error on the wall's kick is then ~1 %,
#: ``tests/test_skin_depth.py``).
SKIN_STEP = 0.5


def wall_loss_arrays(
    n: int, wall_range: FloatArray | None, wall_exponent: FloatArray | None
) -> tuple[FloatArray, FloatArray]:
    """(R, g) per particle for the loss in the walls (no loss: R = inf, g = 0)."""
    if (wall_range is None) != (wall_exponent is None):
        raise ValueError("give wall_range and wall_exponent together")
    if wall_range is None:
        return np.full(n, math.inf), np.zeros(n)
    reach = np.ascontiguousarray(np.broadcast_to(np.asarray(wall_range, dtype=float), (n,)))
    expo = np.ascontiguousarray(np.broadcast_to(np.asarray(wall_exponent, dtype=float), (n,)))
    if not (np.all(reach > 0.0) and np.all(np.isfinite(expo) & (expo >= 0.0))):
        raise ValueError("wall_range must be positive and wall_exponent finite and non-negative")
    return reach, expo


def track(
    position: FloatArray,
    direction: FloatArray,
    momentum: FloatArray,
    charge: FloatArray,
    horn: HornGeometry | HornSystem,
    *,
    step: float = 20.0 * mm,
    min_step: float = 1.0 * mm,
    s_stop: FloatArray | None = None,
    max_path: float | None = None,
    r_fraction: float = 0.6,
    wall_range: FloatArray | None = None,
    wall_exponent: FloatArray | None = None,
) -> TrackResult:
    """Track charged particles through the horns (vectorised over particles).

    Each step is :func:`boris_step` written out for the azimuthal field (the
    rotation axis is phi-hat at the mid point); the field-region radii and each
    horn's k = mu0 I / 2 pi are read from a 0.1 mm lookup table in z covering the
    whole :class:`HornSystem` (gaps have no field). Step sizes adapt per
    particle: at most ``step``, at most ``r_fraction`` r inside the field (B ~ 1/r), a
    radial advance of at most :data:`SKIN_STEP` skin depths inside a wall with a field, and
    never more than the distance to the nearest field boundary (conductor
    surfaces, inner-conductor walls or any horn's field end planes) at the
    particle's approach speed, but
    at least ``min_step``; boundary crossings, where the field jumps, are thus
    resolved to ``min_step`` and the method keeps its second-order accuracy.

    Parameters
    ----------
    position : (N, 3) array
        Start points, mm (inside the system's z-range).
    direction : (N, 3) array
        Unit directions.
    momentum : (N,) array
        |p|, MeV, at the start (conserved outside the conductor walls).
    charge : (N,) array
        Charge in units of e (+1/-1).
    horn : HornGeometry or HornSystem
        One horn, or the facility's horns (:meth:`Facility.horn_system`).
    step : float
        Largest path-length step, mm.
    min_step : float
        Smallest step, mm.
    s_stop : (N,) array, optional
        Stop each particle after this path length (mm), e.g. at its decay point.
    max_path : float, optional
        Give up after this path length (status MAX_PATH); default the larger of
        5 m and 2.5 times the system's length.
    r_fraction : float
        Largest step inside the field as a fraction of r (the field varies as 1/r).
    wall_range, wall_exponent : (N,) arrays, optional
        The ionisation loss in the conductor walls (:func:`muphilic.beamline.energy_loss.wall_loss`;
        default none): after each step the momentum is
        ``momentum * (1 - wall_path / wall_range) ** wall_exponent``, which the field bends
        from then on; where ``wall_path`` reaches ``wall_range`` the particle stops
        (RANGED_OUT).

    Notes
    -----
    The path inside each horn's inner conductor (``HornGeometry.wall_thickness``
    inside r_in(z); BNB: 3 mm, G4BNB HWL1 rmin 19 mm vs HRN1 rmin 22 mm at the
    neck) is accumulated by counting the steps whose mid point lies in the wall
    (``wall_path``); with a skin depth those steps also turn in the wall's field
    (``HornGeometry.skin_depth``).

    Returns
    -------
    TrackResult
        Final positions, directions, path lengths and :class:`TrackStatus` codes.
    """
    system = HornSystem.of(horn)
    if max_path is None:
        max_path = max(5000.0 * mm, 2.5 * (system.z_end - system.z_start))
    n = len(momentum)
    table = _radius_table(system)
    out_pos = np.array(position, dtype=float, copy=True)
    out_u = np.array(direction, dtype=float, copy=True)
    out_s = np.zeros(n)
    out_wall = np.zeros(n)
    out_status = np.full(n, -1, dtype=np.int8)
    stop_all = np.full(n, np.inf) if s_stop is None else np.asarray(s_stop, dtype=float)
    qcp_all = np.asarray(charge, dtype=float) * c_light / np.asarray(momentum, dtype=float)
    reach_all, expo_all = wall_loss_arrays(n, wall_range, wall_exponent)

    idx = np.arange(n)
    x, y, z = out_pos[:, 0].copy(), out_pos[:, 1].copy(), out_pos[:, 2].copy()
    ux, uy, uz = out_u[:, 0].copy(), out_u[:, 1].copy(), out_u[:, 2].copy()
    s = np.zeros(n)
    wall = np.zeros(n)
    stop = stop_all.copy()
    qcp0 = qcp_all.copy()
    reach, expo = reach_all.copy(), expo_all.copy()
    left = momentum_left(wall, reach, expo)  # momentum left / at the start
    qcp = qcp0 / left
    st = np.full(n, -1, dtype=np.int8)

    def flush(sel: NDArray[np.bool_]) -> None:
        j = idx[sel]
        out_pos[j, 0], out_pos[j, 1], out_pos[j, 2] = x[sel], y[sel], z[sel]
        out_u[j, 0], out_u[j, 1], out_u[j, 2] = ux[sel], uy[sel], uz[sel]
        out_s[j], out_wall[j], out_status[j] = s[sel], wall[sel], st[sel]

    planes = system.field_planes()
    while idx.size:
        live = st < 0
        r0 = np.hypot(x, y)
        i0 = table.index(z)
        r_in0 = table.r_in[i0]
        d_in = np.abs(r0 - r_in0)
        d_in = np.where(np.isfinite(d_in), d_in, np.inf)
        d_bound = np.minimum(
            np.minimum(d_in, table.r_out[i0] - r0), np.abs(r0 - r_in0 + table.wall[i0])
        )
        approach = np.hypot(ux, uy) + table.slope[i0] * np.abs(uz) + 1e-12
        d_plane = np.abs(z - planes[0])
        for plane in planes[1:]:
            d_plane = np.minimum(d_plane, np.abs(z - plane))
        d_z = d_plane / (np.abs(uz) + 1e-12)
        h = np.minimum(np.maximum(d_bound, 0.0) / approach, d_z)
        in_f = (r0 >= r_in0) & (r0 <= table.r_out[i0])
        h = np.where(in_f, np.minimum(h, r_fraction * r0), h)
        # in a wall with a skin-depth field: radial steps of at most SKIN_STEP skin depths
        skin0 = table.skin[i0]
        in_w = (r0 < r_in0) & (r0 > r_in0 - table.wall[i0]) & (skin0 > 0.0)
        h = np.where(in_w, np.minimum(h, SKIN_STEP * skin0 / approach), h)
        h = np.clip(h, min_step, step)
        h = np.where(live, np.minimum(h, stop - s), 0.0)
        hh = 0.5 * h
        xm, ym, zm = x + ux * hh, y + uy * hh, z + uz * hh
        r = np.hypot(xm, ym)
        it = table.index(zm)
        r_in = table.r_in[it]
        in_field = (r >= r_in) & (r <= table.r_out[it]) & (r > 0.0)
        in_wall = (r < r_in) & (r > r_in - table.wall[it])
        wall += np.where(in_wall, h, 0.0)
        walled = np.flatnonzero(in_wall)
        if walled.size:
            left[walled] = momentum_left(wall[walled], reach[walled], expo[walled])
        qcp = np.where(in_wall & (left > 0.0), qcp0 / np.where(left > 0.0, left, 1.0), qcp)
        safe_r = np.where(r > 0.0, r, 1.0)
        kx, ky = -ym / safe_r, xm / safe_r
        # rotation about phi-hat by -(q c / p) B h with B = k / r (in the wall: its share)
        share = skin_fraction(r_in - r, table.wall[it], table.skin[it])
        field = np.where(in_field, table.k[it] / safe_r, table.k[it] * share / safe_r)
        angle = -qcp * field * h
        c, sn = np.cos(angle), np.sin(angle)
        kdu = (kx * ux + ky * uy) * (1.0 - c)
        nx = ux * c + ky * uz * sn + kx * kdu
        ny = uy * c - kx * uz * sn + ky * kdu
        nz = uz * c + (kx * uy - ky * ux) * sn
        ux, uy, uz = nx, ny, nz
        x, y, z = xm + ux * hh, ym + uy * hh, zm + uz * hh
        s = s + h
        r_end = np.hypot(x, y)
        new = np.full(idx.size, -1, dtype=np.int8)
        new[s >= stop] = TrackStatus.STOPPED
        new[(new < 0) & (left <= 0.0)] = TrackStatus.RANGED_OUT
        new[(new < 0) & (s >= max_path)] = TrackStatus.MAX_PATH
        new[(new < 0) & (z < system.z_start)] = TrackStatus.UPSTREAM
        new[(new < 0) & (z >= system.z_end)] = TrackStatus.EXITED
        new[(new < 0) & (r_end >= table.r_out[table.index(z)])] = TrackStatus.ABSORBED
        st = np.where(live, new, st)
        done = st >= 0
        n_done = int(np.count_nonzero(done))
        if n_done and (n_done == idx.size or n_done > 0.1 * idx.size):
            flush(done)
            keep = ~done
            idx, x, y, z, ux, uy, uz = (a[keep] for a in (idx, x, y, z, ux, uy, uz))
            s, wall, stop, qcp, st = (a[keep] for a in (s, wall, stop, qcp, st))
            qcp0, reach, expo, left = qcp0[keep], reach[keep], expo[keep], left[keep]
    return TrackResult(out_pos, out_u, out_s, out_status, out_wall)
