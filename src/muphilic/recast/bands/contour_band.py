"""One contour's band: its boundaries in y, Monte Carlo range and variations.

The band of a contour is the envelope of its Monte Carlo band and of every
variation's boundary. :func:`boundary_in_y` gives a scan's boundaries at each
scanned mass: its solved crossings where it has them (every scan of a band
does), else the grid's reading.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from muphilic.constants import MeV
from muphilic.recast.bands.jackknife import relative_width
from muphilic.recast.contours import log_significance
from muphilic.recast.scan import ScanResult

__all__ = [
    "ContourBand",
    "boundary_in_y",
]

FloatArray = NDArray[np.float64]


# --- boundaries ------------------------------------------------------------------------
def boundary_in_y(scan: ScanResult) -> tuple[FloatArray, FloatArray]:
    """Lower and upper boundary in y of the excluded couplings at each scanned mass.

    Along each mass column, the couplings where the significance first and last
    reaches ``cl_sigma``. Where the scan has a solved boundary
    (:attr:`ScanResult.solved_boundary`, the crossings solved between the grid
    points with the exact coupling dependence of the signal) these are its
    first and last crossing: the points where the contour files' contour
    crosses the grid lines of constant mass. Otherwise they are read from the
    grid by linear interpolation of ln Z (clipped as
    :func:`muphilic.recast.contours.log_significance`) in log y between grid
    couplings, as :func:`~muphilic.recast.contours.exclusion_contour` does for
    a scan without a solved boundary. An excluded coupling at the end of the
    grid gives that end (the scan's edge). The band solves every boundary it
    compares, the central one, the replicas' and the variations', so their
    shifts compare like with like.

    Returns
    -------
    (lower, upper) : two (M,) arrays
        Couplings y; NaN at masses where no coupling is excluded.
    """
    w = log_significance(scan)
    level = float(np.log(scan.cl_sigma))
    log_y = np.log10(scan.couplings)
    above = w >= level
    n_masses, n_couplings = w.shape
    lower = np.full(n_masses, np.nan)
    upper = np.full(n_masses, np.nan)
    rows = np.flatnonzero(above.any(axis=1))
    if rows.size == 0:
        return lower, upper
    first = np.argmax(above[rows], axis=1)
    last = n_couplings - 1 - np.argmax(above[rows, ::-1], axis=1)
    solved = scan.solved_boundary
    if solved is None:
        lower[rows] = 10.0 ** _crossing(w[rows], log_y, first, first - 1, level)
        upper[rows] = 10.0 ** _crossing(w[rows], log_y, last, last + 1, level)
        return lower, upper
    for row, lo, hi in zip(rows, first, last, strict=True):
        roots = solved[row]
        lower[row] = scan.couplings[0] if lo == 0 else roots[0]
        upper[row] = scan.couplings[-1] if hi == n_couplings - 1 else roots[-1]
    return lower, upper


def _crossing(
    w: FloatArray,
    log_y: FloatArray,
    inside: NDArray[np.intp],
    outside: NDArray[np.intp],
    level: float,
) -> FloatArray:
    """log y where ln Z = level between columns ``inside`` (>= level) and ``outside``."""
    n = log_y.size
    at_edge = (outside < 0) | (outside >= n)
    out_idx = np.clip(outside, 0, n - 1)
    rows = np.arange(w.shape[0])
    w_in, w_out = w[rows, inside], w[rows, out_idx]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(at_edge, 0.0, (w_in - level) / (w_in - w_out))
    return log_y[inside] + np.clip(t, 0.0, 1.0) * (log_y[out_idx] - log_y[inside])


# --- one contour's band ----------------------------------------------------------------
@dataclass(frozen=True)
class ContourBand:
    """The band of one contour: its boundaries, Monte Carlo range and variations.

    Attributes
    ----------
    experiment : str
        Experiment name (as the scan's).
    masses_MeV : (M,) array
        The scanned masses.
    central : dict
        ``"lower"``, ``"upper"`` -> (M,) boundary y of the central curve.
    mc_low, mc_high : dict
        ``"lower"``, ``"upper"`` -> (M,) 16-84 % Monte Carlo range of each boundary.
    variations : dict
        Variation name -> {"lower", "upper"} -> (M,) boundary y.
    n_replicas : int
        Replicas of the Monte Carlo estimate.
    variation_scans : dict
        Variation name -> its :class:`ScanResult` (for plots and checks).
    signal_mc_rel_error : (M, K) array
        Relative Monte Carlo error of the expected signal (events in the
        window) in every (m_S, y) cell, by the jackknife over the replicas (NaN
        where the signal is 0).
    """

    experiment: str
    masses_MeV: FloatArray
    central: dict[str, FloatArray]
    mc_low: dict[str, FloatArray]
    mc_high: dict[str, FloatArray]
    variations: dict[str, dict[str, FloatArray]]
    n_replicas: int
    variation_scans: dict[str, ScanResult] = field(default_factory=dict)
    signal_mc_rel_error: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))

    def envelope(self, edge: str) -> tuple[FloatArray, FloatArray]:
        """(low, high) y of the band of ``edge`` ("lower"/"upper"): the Monte Carlo
        range and every variation's boundary together (NaN where none is defined)."""
        stack = [self.mc_low[edge], self.mc_high[edge], self.central[edge]]
        stack += [v[edge] for v in self.variations.values()]
        values = np.vstack(stack)
        defined = np.isfinite(self.central[edge])
        with np.errstate(invalid="ignore"):
            low = np.where(
                defined, np.nanmin(np.where(np.isfinite(values), values, np.inf), 0), np.nan
            )
            high = np.where(
                defined, np.nanmax(np.where(np.isfinite(values), values, -np.inf), 0), np.nan
            )
        return low, high

    def mc_relative_width(self, edge: str) -> FloatArray:
        """(y_84 - y_16) / y of the Monte Carlo band of ``edge`` at each mass."""
        return relative_width(self.central[edge], self.mc_low[edge], self.mc_high[edge])

    def median_mc_relative_width(self) -> float | None:
        """The median relative width of the Monte Carlo band over both edges and all masses."""
        widths = np.concatenate([self.mc_relative_width(e) for e in ("lower", "upper")])
        widths = widths[np.isfinite(widths)]
        return float(np.median(widths)) if widths.size else None

    def mc_width_in(self, band: Any) -> float | None:
        """Largest relative Monte Carlo width where the boundary lies inside ``band``
        (``mass [internal units] -> (low, high)`` couplings, e.g. the g-2 favoured
        band); None if the boundary never enters it."""
        low, high = (np.asarray(v, dtype=np.float64) for v in band(self.masses_MeV * MeV))
        worst: float | None = None
        for edge in ("lower", "upper"):
            y = self.central[edge]
            width = self.mc_relative_width(edge)
            with np.errstate(invalid="ignore"):
                inside = np.isfinite(y) & np.isfinite(width) & (y >= low) & (y <= high)
            if np.any(inside):
                value = float(np.max(width[inside]))
                worst = value if worst is None else max(worst, value)
        return worst

    def shift(self, name: str, edge: str) -> FloatArray:
        """y_variation / y_central - 1 of ``edge`` at each mass (NaN where undefined)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.variations[name][edge] / self.central[edge] - 1.0

    def shift_at(self, name: str, edge: str, masses_MeV: Sequence[float]) -> list[float | None]:
        """:meth:`shift` at ``masses_MeV``, interpolated linearly in log m between
        scanned masses where both neighbours are defined (None elsewhere)."""
        values = self.shift(name, edge)
        log_m = np.log(self.masses_MeV)
        out: list[float | None] = []
        for mass in masses_MeV:
            x = math.log(mass)
            if not (log_m[0] <= x <= log_m[-1]):
                out.append(None)
                continue
            j = int(np.clip(np.searchsorted(log_m, x), 1, log_m.size - 1))
            a, b = values[j - 1], values[j]
            if not (np.isfinite(a) and np.isfinite(b)):
                out.append(None)
                continue
            t = (x - log_m[j - 1]) / (log_m[j] - log_m[j - 1])
            out.append(float(a + t * (b - a)))
        return out
