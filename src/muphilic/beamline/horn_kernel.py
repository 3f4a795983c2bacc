"""Compiled (numba) horn tracker, with the NumPy tracker as its reference.

:func:`track` takes the arguments of :func:`muphilic.beamline.horn.track` and returns
the same :class:`~muphilic.beamline.horn.TrackResult`. It builds the same z lookup table
(:func:`muphilic.beamline.horn._radius_table`: every horn's radii, k = mu0 I / 2 pi and
wall thickness, the gaps' apertures, the boundary slopes) and then follows one particle
at a time through the step of the NumPy tracker, written out with the same operations in
the same order: the adaptive step length, the drift-kick-drift step about phi-hat, the
inner-conductor wall path and the stop conditions in the same priority (STOPPED,
MAX_PATH, UPSTREAM, EXITED, ABSORBED). The NumPy tracker is a loop over steps of
operations on all live particles; here the loop over particles is outside and the loop
over steps inside, so no array is gathered or compacted. The tracker draws no random
numbers, so the beam samples' random streams are the same on either path.

Both paths give the same numbers, bit for bit, on a machine where NumPy and the
compiled code use the same maths library (GNU libm here: cos, sin, and hypot, which
:func:`_hypot` computes inline as libm does; the NumPy tracker evaluates the exp of the
skin-depth field and the pow of the wall loss point by point with Python's math module,
whose libm calls are the kernel's; ``tests/test_horn_kernel.py``, BNB and NuMI horns).
The tracking is sensitive to the last bit: a particle passing within rounding of a
step-control threshold (a field boundary, the smallest step) takes another step sequence
if one operation rounds differently (replacing hypot by sqrt(x^2 + y^2) moves about one
particle in 10^4 by centimetres), so with another maths library a few particles per
thousand may differ; the tests allow 0.2 %.

The beam simulation tracks each meson twice: to the end of the horns, then, for those
decaying before, to the decay point. With ``record=True`` the first pass keeps a few
states on the way (:class:`Checkpoints`) and the second (``resume=``) starts from the last
one before the decay point; its steps up to there are those of the first pass, so the
result is the same bit for bit, with about a fifth fewer steps in all.

Setting the environment variable ``MUPHILIC_HORN_NUMPY=1`` (or passing
``compiled=False``) runs the NumPy tracker instead. The kernel is compiled on first use
and its machine code is cached on disk (``cache=True``).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np
from numba import njit
from numpy.typing import NDArray

from muphilic.beamline import horn as _horn
from muphilic.beamline.horn import HornGeometry, HornSystem, TrackResult, TrackStatus
from muphilic.constants import c_light, mm

__all__ = [
    "NUMPY_ENV",
    "Checkpoints",
    "RecordedResult",
    "checkpoints_of",
    "numpy_requested",
    "track",
]

FloatArray = NDArray[np.float64]

NUMPY_ENV = "MUPHILIC_HORN_NUMPY"
"""Environment variable: ``1``/``true``/``yes`` selects the NumPy horn tracker."""


def numpy_requested() -> bool:
    """True if ``$MUPHILIC_HORN_NUMPY`` asks for the NumPy horn tracker."""
    return os.environ.get(NUMPY_ENV, "").strip().lower() in ("1", "true", "yes")


# TrackStatus codes as module constants (numba freezes global integers)
_EXITED = TrackStatus.EXITED
_ABSORBED = TrackStatus.ABSORBED
_UPSTREAM = TrackStatus.UPSTREAM
_STOPPED = TrackStatus.STOPPED
_MAX_PATH = TrackStatus.MAX_PATH
_RANGED_OUT = TrackStatus.RANGED_OUT


_TINY = 2.0**-459
_LARGE = 2.0**511
_EPS = 2.0**-54


@njit(cache=True, error_model="numpy")
def _hypot(x: float, y: float) -> float:
    """sqrt(x^2 + y^2) with the one-step correction of C. F. Borges, "An improved
    algorithm for hypot(a, b)", arXiv:1904.09481 (2019), as GNU libm (>= 2.35) computes
    it without fused multiply-add; the maths library's hypot for the special cases
    (zero, tiny, huge or non-finite operands, or a ratio below 2^-54)."""
    ax = abs(x)
    ay = abs(y)
    if ax < ay:
        ax, ay = ay, ax
    if not (ay >= _TINY and ax <= _LARGE) or ay <= ax * _EPS:
        return math.hypot(x, y)
    h = math.sqrt(ax * ax + ay * ay)
    if h <= 2.0 * ay:
        d = h - ay
        t1 = ax * (2.0 * d - ax)
        t2 = (d - 2.0 * (ax - ay)) * d
    else:
        d = h - ax
        t1 = 2.0 * d * (ax - 2.0 * ay)
        t2 = (4.0 * d - ay) * ay + d * d
    return h - (t1 + t2) / (2.0 * h)


@njit(cache=True, error_model="numpy")
def _index(z: float, z0: float, dz: float, n: int) -> int:
    # as _RadiusTable.index: truncation of (z - z0) / dz + 0.5 toward zero, then clipped
    i = int((z - z0) / dz + 0.5)
    if i < 0:
        return 0
    if i > n - 1:
        return n - 1
    return i


@njit(cache=True, error_model="numpy")
def _skin(depth: float, thickness: float, delta: float) -> float:
    """:func:`muphilic.beamline.horn.skin_fraction` for one point inside the wall."""
    floor = math.exp(-thickness / delta)
    return (math.exp(-depth / delta) - floor) / (1.0 - floor)


@njit(cache=True, error_model="numpy")
def _track(
    pos: FloatArray,
    u: FloatArray,
    qcp_all: FloatArray,
    reach_all: FloatArray,
    expo_all: FloatArray,
    stop_all: FloatArray,
    s_all: FloatArray,
    wall_all: FloatArray,
    z0: float,
    dz: float,
    t_r_in: FloatArray,
    t_r_out: FloatArray,
    t_slope: FloatArray,
    t_k: FloatArray,
    t_wall: FloatArray,
    t_skin: FloatArray,
    planes: FloatArray,
    z_start: float,
    z_end: float,
    step: float,
    min_step: float,
    max_path: float,
    r_fraction: float,
    skin_step: float,
    out_s: FloatArray,
    out_wall: FloatArray,
    out_status: NDArray[np.int8],
    ck_every: float,
    ck: FloatArray,
    ck_n: NDArray[np.intp],
) -> None:
    """Track every particle in place (``pos``, ``u``, ``s_all``, ``wall_all``: the state to
    start from) and fill the outputs; the state at the start of the first step at or
    beyond each multiple of ``ck_every`` of the path is stored in ``ck`` (up to its
    ``shape[1]`` points per particle, ``ck_n`` of them)."""
    n_table = t_r_in.shape[0]
    n_planes = planes.shape[0]
    n_ck = ck.shape[1]
    for i in range(pos.shape[0]):
        x, y, z = pos[i, 0], pos[i, 1], pos[i, 2]
        ux, uy, uz = u[i, 0], u[i, 1], u[i, 2]
        s = s_all[i]
        wall = wall_all[i]
        m = 0
        stop = stop_all[i]
        qcp0 = qcp_all[i]
        reach = reach_all[i]
        expo = expo_all[i]
        # momentum left / at the start (energy loss in the walls)
        left = math.pow(1.0 - wall / reach, expo) if wall < reach else 0.0
        qcp = qcp0 / left if left > 0.0 else qcp0
        status = -1
        r0 = _hypot(x, y)
        i0 = _index(z, z0, dz, n_table)
        u_perp = _hypot(ux, uy)  # changes only where the step is in the field
        while status < 0:
            if m < n_ck and s >= (m + 1) * ck_every:
                ck[i, m, 0], ck[i, m, 1], ck[i, m, 2] = x, y, z
                ck[i, m, 3], ck[i, m, 4], ck[i, m, 5] = ux, uy, uz
                ck[i, m, 6], ck[i, m, 7] = s, wall
                m += 1
            r_in0 = t_r_in[i0]
            r_out0 = t_r_out[i0]
            d_in = abs(r0 - r_in0)
            if not math.isfinite(d_in):
                d_in = np.inf
            d_bound = min(min(d_in, r_out0 - r0), abs(r0 - r_in0 + t_wall[i0]))
            approach = u_perp + t_slope[i0] * abs(uz) + 1e-12
            d_plane = abs(z - planes[0])
            for j in range(1, n_planes):
                d_plane = min(d_plane, abs(z - planes[j]))
            d_z = d_plane / (abs(uz) + 1e-12)
            h = min(max(d_bound, 0.0) / approach, d_z)
            if r0 >= r_in0 and r0 <= r_out0:
                h = min(h, r_fraction * r0)
            if r0 < r_in0 and r0 > r_in0 - t_wall[i0] and t_skin[i0] > 0.0:
                h = min(h, skin_step * t_skin[i0] / approach)
            h = min(max(h, min_step), step)
            h = min(h, stop - s)
            hh = 0.5 * h
            xm = x + ux * hh
            ym = y + uy * hh
            zm = z + uz * hh
            r = _hypot(xm, ym)
            it = _index(zm, z0, dz, n_table)
            r_in = t_r_in[it]
            in_wall = r < r_in and r > r_in - t_wall[it]
            if in_wall:
                wall = wall + h
                left = math.pow(1.0 - wall / reach, expo) if wall < reach else 0.0
                if left > 0.0:
                    qcp = qcp0 / left
            field = 0.0
            if r >= r_in and r <= t_r_out[it] and r > 0.0:
                field = t_k[it] / r
            elif in_wall and t_skin[it] > 0.0:
                field = t_k[it] * _skin(r_in - r, t_wall[it], t_skin[it]) / r
            if field != 0.0:
                kx = -ym / r
                ky = xm / r
                # rotation about phi-hat by -(q c / p) B h with B = k / r (in the wall: its share)
                angle = -qcp * field * h
                c = math.cos(angle)
                sn = math.sin(angle)
                kdu = (kx * ux + ky * uy) * (1.0 - c)
                nx = ux * c + ky * uz * sn + kx * kdu
                ny = uy * c - kx * uz * sn + ky * kdu
                nz = uz * c + (kx * uy - ky * ux) * sn
                ux, uy, uz = nx, ny, nz
                u_perp = _hypot(ux, uy)
            x = xm + ux * hh
            y = ym + uy * hh
            z = zm + uz * hh
            s = s + h
            # the next step's r0 and table index (the NumPy tracker's r_end)
            r0 = _hypot(x, y)
            i0 = _index(z, z0, dz, n_table)
            if s >= stop:
                status = _STOPPED
            elif left <= 0.0:
                status = _RANGED_OUT
            elif s >= max_path:
                status = _MAX_PATH
            elif z < z_start:
                status = _UPSTREAM
            elif z >= z_end:
                status = _EXITED
            elif r0 >= t_r_out[i0]:
                status = _ABSORBED
        pos[i, 0], pos[i, 1], pos[i, 2] = x, y, z
        u[i, 0], u[i, 1], u[i, 2] = ux, uy, uz
        out_s[i] = s
        out_wall[i] = wall
        out_status[i] = status
        if n_ck:
            ck_n[i] = m


@dataclass(frozen=True)
class Checkpoints:
    """States of tracked particles on their way, from which a later :func:`track` of the
    same particles (same start, momentum, charge, horns and step settings) with
    ``s_stop`` resumes: the state at the start of the first step at or beyond each
    multiple of ``every`` (mm) of the path, ``state[i, j]`` = (x, y, z, u_x, u_y, u_z, s,
    wall path) of particle i, ``count[i]`` of them."""

    state: FloatArray
    count: NDArray[np.intp]
    every: float

    def select(self, rows: NDArray[np.bool_] | NDArray[np.intp]) -> Checkpoints:
        """The checkpoints of the particles ``rows`` (a mask or indices)."""
        return Checkpoints(self.state[rows], self.count[rows], self.every)


@dataclass(frozen=True)
class RecordedResult(TrackResult):
    """A :class:`TrackResult` with the :class:`Checkpoints` on the way."""

    checkpoints: Checkpoints | None = None


N_CHECKPOINTS = 4
"""Checkpoints per particle kept by ``track(..., record=True)``."""


def checkpoints_of(
    result: TrackResult, rows: NDArray[np.bool_] | NDArray[np.intp]
) -> Checkpoints | None:
    """The checkpoints of the particles ``rows`` of ``result`` (None if it has none)."""
    ck = getattr(result, "checkpoints", None)
    return None if ck is None else ck.select(rows)


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
    compiled: bool | None = None,
    record: bool = False,
    resume: Checkpoints | None = None,
    wall_range: FloatArray | None = None,
    wall_exponent: FloatArray | None = None,
) -> TrackResult:
    """Track charged particles through the horns (see :func:`muphilic.beamline.horn.track`
    for the method, the parameters and the result).

    Parameters
    ----------
    compiled : bool, optional
        True: the compiled tracker; False: the NumPy tracker; default the compiled one
        unless ``$MUPHILIC_HORN_NUMPY`` is set (:func:`numpy_requested`).
    record : bool
        Compiled tracker: keep :data:`N_CHECKPOINTS` states per particle on the way
        (:class:`RecordedResult`; about 256 bytes per particle).
    resume : Checkpoints, optional
        Checkpoints of an earlier track of the same particles: the compiled tracker starts
        each particle from its last checkpoint before ``s_stop`` instead of from the start.
        Its steps up to there are those of the earlier track (the step only shortens to
        end at ``s_stop``), so the result is the same as from the start, bit for bit. The
        NumPy tracker ignores it.
    wall_range, wall_exponent : (N,) arrays, optional
        See :func:`muphilic.beamline.horn.track`.
    """
    if compiled is None:
        compiled = not numpy_requested()
    if not compiled:
        return _horn.track(
            position,
            direction,
            momentum,
            charge,
            horn,
            step=step,
            min_step=min_step,
            s_stop=s_stop,
            max_path=max_path,
            r_fraction=r_fraction,
            wall_range=wall_range,
            wall_exponent=wall_exponent,
        )
    system = HornSystem.of(horn)
    if max_path is None:
        max_path = max(5000.0 * mm, 2.5 * (system.z_end - system.z_start))
    table = _horn._radius_table(system)
    pos = np.array(position, dtype=np.float64, order="C", copy=True).reshape(-1, 3)
    u = np.array(direction, dtype=np.float64, order="C", copy=True).reshape(-1, 3)
    n = len(momentum)
    stop = np.full(n, np.inf) if s_stop is None else np.asarray(s_stop, dtype=np.float64)
    stop = np.ascontiguousarray(np.broadcast_to(stop, (n,)))
    qcp = np.asarray(charge, dtype=np.float64) * c_light / np.asarray(momentum, dtype=np.float64)
    reach, expo = _horn.wall_loss_arrays(n, wall_range, wall_exponent)
    s0 = np.zeros(n)
    wall0 = np.zeros(n)
    if resume is not None:
        if resume.state.shape[0] != n:
            raise ValueError("resume holds the checkpoints of another number of particles")
        # the last checkpoint with s strictly below s_stop (then every step up to it is
        # one of the earlier track's)
        j = np.arange(resume.state.shape[1])
        usable = (j[None, :] < resume.count[:, None]) & (resume.state[:, :, 6] < stop[:, None])
        last = np.count_nonzero(usable, axis=1) - 1
        rows = np.flatnonzero(last >= 0)
        state = resume.state[rows, last[rows]]
        pos[rows], u[rows] = state[:, 0:3], state[:, 3:6]
        s0[rows], wall0[rows] = state[:, 6], state[:, 7]
    n_ck = N_CHECKPOINTS if record else 0
    every = (system.z_end - system.z_start) / (N_CHECKPOINTS + 1)
    ck = np.zeros((n, n_ck, 8))  # rows past count[i] stay zero
    ck_n = np.zeros(n, dtype=np.intp)
    out_s = np.zeros(n)
    out_wall = np.zeros(n)
    out_status = np.full(n, -1, dtype=np.int8)
    _track(
        pos,
        u,
        np.ascontiguousarray(np.broadcast_to(qcp, (n,))),
        reach,
        expo,
        stop,
        s0,
        wall0,
        float(table.z0),
        float(table.dz),
        np.ascontiguousarray(table.r_in),
        np.ascontiguousarray(table.r_out),
        np.ascontiguousarray(table.slope),
        np.ascontiguousarray(table.k),
        np.ascontiguousarray(table.wall),
        np.ascontiguousarray(table.skin),
        np.ascontiguousarray(system.field_planes(), dtype=np.float64),
        float(system.z_start),
        float(system.z_end),
        float(step),
        float(min_step),
        float(max_path),
        float(r_fraction),
        float(_horn.SKIN_STEP),
        out_s,
        out_wall,
        out_status,
        float(every),
        ck,
        ck_n,
    )
    if record:
        return RecordedResult(
            pos, u, out_s, out_status, out_wall, Checkpoints(ck, ck_n, float(every))
        )
    return TrackResult(pos, u, out_s, out_status, out_wall)
