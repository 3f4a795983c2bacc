"""Exclusion contours from a scan, and where they exclude the g-2 band.

The boundary of an excluded region is the level set significance = cl_sigma.
It is found by marching squares (:mod:`contourpy`, which ships with matplotlib)
on the field w = ln Z in the plane (log10 m_S, log10 y), with linear
interpolation inside each cell. ln Z rather than Z because at small coupling
the signal grows as a power of y (production ~ y^2 times a decay probability
~ y^2 for long lifetimes), and so does Z ~ s / sqrt(b) in the
background-dominated regime: ln Z is then linear in log y and the interpolation
is close to exact. At the short-lifetime edge, where the signal falls like
exp(-c y^2), ln Z still varies far more gently than Z. Z <= 0 (no
sensitivity) is clipped to 1e-6 and Z = inf (an impossible hypothesis) to 1e8;
in a cell with a clipped corner the boundary stays inside that cell, but its
position within the cell is only approximate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import contourpy
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.interpolate import RegularGridInterpolator

from muphilic.constants import MeV
from muphilic.recast.scan import CURVE_KINDS, ScanResult

__all__ = [
    "CURVE_KINDS",
    "ExclusionContour",
    "band_excluded_intervals",
    "band_excluded_range",
    "exclusion_contour",
    "exclusion_regions",
    "log_significance",
    "on_scan_edge",
]

FloatArray = NDArray[np.float64]
BandFunction = Callable[[FloatArray], tuple[ArrayLike, ArrayLike]]

#: Range to which ln Z is clipped before interpolation (Z in [1e-6, 1e8]).
_LN_Z_MIN = np.log(1e-6)
_LN_Z_MAX = np.log(1e8)


@dataclass(frozen=True)
class ExclusionContour:
    """The boundary of an excluded region as polylines in (m_S, y).

    Attributes
    ----------
    experiment : str
        Experiment name.
    cl_sigma : float
        Confidence in Gaussian sigma.
    statistic : str
        Test statistic used.
    segments : tuple of ndarray, each shape (N, 2)
        Polylines; column 0 is m_S in MeV, column 1 the coupling y. A polyline
        whose first and last points coincide is closed.
    label : str
        Extra text (e.g. "expected, modelled background").
    kind : str
        ``"exclusion"`` (observed data), ``"expected"`` (modelled or Asimov
        background, present data set) or ``"projection"`` (future exposure).
    at_scan_edge : tuple of ndarray of bool
        For each polyline, which points lie on the edge of the scanned
        (m_S, y) range: there the excluded region is cut by the scan, not
        bounded by the data, and the true boundary lies further out.
    """

    experiment: str
    cl_sigma: float
    statistic: str
    segments: tuple[FloatArray, ...]
    label: str = ""
    kind: str = "exclusion"
    at_scan_edge: tuple[NDArray[np.bool_], ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in CURVE_KINDS:
            raise ValueError(f"kind must be one of {CURVE_KINDS}, got {self.kind!r}")
        if not self.at_scan_edge:
            flags = tuple(np.zeros(len(seg), dtype=bool) for seg in self.segments)
            object.__setattr__(self, "at_scan_edge", flags)
        elif [len(f) for f in self.at_scan_edge] != [len(seg) for seg in self.segments]:
            raise ValueError("at_scan_edge needs one flag per point of every segment")

    @property
    def clipped(self) -> bool:
        """Whether any boundary point lies on the edge of the scanned range."""
        return any(bool(np.any(f)) for f in self.at_scan_edge)


def log_significance(scan: ScanResult) -> FloatArray:
    """The field w = ln Z on the grid, shape (M, K), clipped to a finite range."""
    z = np.asarray(scan.significance, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.log(np.where(z > 0, z, np.exp(_LN_Z_MIN)))
    return np.clip(w, _LN_Z_MIN, _LN_Z_MAX)


def _generator(scan: ScanResult) -> contourpy.ContourGenerator:
    return contourpy.contour_generator(
        x=np.log10(scan.masses / MeV),
        y=np.log10(scan.couplings),
        z=log_significance(scan).T,  # contourpy wants z[y, x]
        line_type=contourpy.LineType.Separate,
        fill_type=contourpy.FillType.OuterCode,
    )


def on_scan_edge(scan: ScanResult, points: FloatArray) -> NDArray[np.bool_]:
    """Which of ``points`` (N, 2) in (m_S [MeV], y) lie on the edge of the scanned range."""
    log_m, log_y = np.log10(points[:, 0]), np.log10(points[:, 1])
    edges_m = np.log10(scan.masses[[0, -1]] / MeV)
    edges_y = np.log10(scan.couplings[[0, -1]])
    tol = 1e-9
    return (
        (np.abs(log_m - edges_m[0]) < tol)
        | (np.abs(log_m - edges_m[1]) < tol)
        | (np.abs(log_y - edges_y[0]) < tol)
        | (np.abs(log_y - edges_y[1]) < tol)
    )


def exclusion_contour(scan: ScanResult, kind: str | None = None) -> ExclusionContour:
    """Polylines of significance = cl_sigma, with the points where the region
    meets the scan's edge flagged. ``kind`` defaults to the scan's own
    (:attr:`ScanResult.kind`).

    The polylines' topology and their points between the scanned masses come
    from the grid (interpolated within cells in (log m, log y)); where the scan
    has a solved boundary (:attr:`ScanResult.solved_boundary`) every point at a
    scanned mass is the solved crossing of that grid cell
    (:func:`muphilic.recast.scan.solve_boundary`), not the interpolation."""
    level = float(np.log(scan.cl_sigma))
    lines = [seg for seg in _generator(scan).lines(level) if len(seg) >= 2]
    solved = scan.solved_boundary
    if solved is not None:
        lines = [_snap_to_boundary(scan, solved, seg) for seg in lines]
    segments = tuple(np.column_stack([10.0 ** seg[:, 0], 10.0 ** seg[:, 1]]) for seg in lines)
    return ExclusionContour(
        experiment=scan.experiment,
        cl_sigma=scan.cl_sigma,
        statistic=scan.statistic,
        segments=segments,
        label=scan.label,
        kind=kind or scan.kind,
        at_scan_edge=tuple(on_scan_edge(scan, seg) for seg in segments),
    )


def _snap_to_boundary(
    scan: ScanResult, boundary: tuple[FloatArray, ...], line: FloatArray
) -> FloatArray:
    """``line`` (log10 m, log10 y) with its points on a scanned mass moved to the
    solved crossing in the same grid cell (points without one are kept)."""
    log_m = np.log10(scan.masses / MeV)
    log_y = np.log10(scan.couplings)
    out = np.array(line, dtype=np.float64)
    i = np.clip(np.searchsorted(log_m, out[:, 0]), 0, log_m.size - 1)
    i = np.where(
        (i > 0) & (np.abs(out[:, 0] - log_m[i - 1]) < np.abs(out[:, 0] - log_m[i])), i - 1, i
    )
    on_mass = np.abs(out[:, 0] - log_m[i]) < 1e-9
    for row in np.flatnonzero(on_mass):
        roots = np.log10(boundary[i[row]]) if boundary[i[row]].size else np.zeros(0)
        cell = int(np.clip(np.searchsorted(log_y, out[row, 1]) - 1, 0, log_y.size - 2))
        inside = roots[(roots >= log_y[cell]) & (roots <= log_y[cell + 1])]
        if inside.size:
            out[row, 1] = inside[np.argmin(np.abs(inside - out[row, 1]))]
    return out


def exclusion_regions(scan: ScanResult) -> list[tuple[FloatArray, NDArray[np.uint8]]]:
    """Filled excluded regions as (points (N, 2) in (m_S [MeV], y), matplotlib
    path codes) - outer boundaries with their holes, for shading."""
    level = float(np.log(scan.cl_sigma))
    points, codes = _generator(scan).filled(level, _LN_Z_MAX + 1.0)
    out = []
    for pts, code in zip(points, codes, strict=True):
        if pts is None or len(pts) == 0:
            continue
        out.append((np.column_stack([10.0 ** pts[:, 0], 10.0 ** pts[:, 1]]), np.asarray(code)))
    return out


def _intervals(x: FloatArray, mask: NDArray[np.bool_]) -> list[tuple[float, float]]:
    out = []
    idx = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    for start, stop in zip(idx[::2], idx[1::2], strict=True):
        out.append((float(x[start]), float(x[stop - 1])))
    return out


def band_excluded_intervals(
    scans: ScanResult | Sequence[ScanResult],
    band: BandFunction,
    n_mass: int = 2000,
    n_coupling: int = 200,
) -> list[tuple[float, float]]:
    """Mass intervals (MeV) in which the whole coupling band is excluded.

    A point is excluded if any of ``scans`` excludes it (their union), judged
    by bilinear interpolation of ln Z in (log m, log y); outside a scan's grid
    that scan excludes nothing. At each of ``n_mass`` log-spaced masses the
    band [low, high] = ``band(mass)`` is sampled at ``n_coupling`` log-spaced
    couplings; a band reaching y = 0 is never entirely excluded.

    Parameters
    ----------
    scans : ScanResult or sequence of ScanResult
        One experiment, or several for their union.
    band : callable
        ``mass (internal units, array) -> (low, high)`` couplings, e.g.
        ``muphilic.g2.G2_2023.favoured_band``.
    n_mass, n_coupling : int
        Sampling of the mass range and of the band.
    """
    scan_list = [scans] if isinstance(scans, ScanResult) else list(scans)
    if not scan_list:
        raise ValueError("scans must hold at least one ScanResult")
    lo_m = min(float(s.masses[0]) for s in scan_list)
    hi_m = max(float(s.masses[-1]) for s in scan_list)
    masses = np.geomspace(lo_m, hi_m, n_mass)
    low, high = (
        np.broadcast_to(np.asarray(v, dtype=np.float64), masses.shape) for v in band(masses)
    )
    valid = (low > 0) & (high >= low)
    t = np.linspace(0.0, 1.0, n_coupling)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_y = (
            np.log10(np.where(valid, low, 1.0))[:, None]
            + t[None, :] * np.log10(np.where(valid, high / np.where(valid, low, 1.0), 1.0))[:, None]
        )
    log_m = np.broadcast_to(np.log10(masses / MeV)[:, None], log_y.shape)
    excluded_any = np.zeros(log_y.shape, dtype=bool)
    for s in scan_list:
        interp = RegularGridInterpolator(
            (np.log10(s.masses / MeV), np.log10(s.couplings)),
            log_significance(s),
            method="linear",
            bounds_error=False,
            fill_value=_LN_Z_MIN,
        )
        w = interp(np.stack([log_m.ravel(), log_y.ravel()], axis=-1)).reshape(log_y.shape)
        excluded_any |= w >= np.log(s.cl_sigma)
    whole_band = valid & np.all(excluded_any, axis=1)
    return _intervals(masses / MeV, whole_band)


def band_excluded_range(
    scans: ScanResult | Sequence[ScanResult],
    band: BandFunction,
    n_mass: int = 2000,
    n_coupling: int = 200,
) -> tuple[float, float] | None:
    """The widest mass interval (MeV) in which the band is entirely excluded,
    or None. See :func:`band_excluded_intervals`."""
    intervals = band_excluded_intervals(scans, band, n_mass, n_coupling)
    if not intervals:
        return None
    return max(intervals, key=lambda iv: np.log(iv[1] / iv[0]))
