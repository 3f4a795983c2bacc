"""Reweight the ``bnb-fits`` pi+ production to a measured table, as the official BNB flux does.

The official MiniBooNE flux (arXiv:0806.1449) takes its pi+ central value from a spline
through the HARP p-Be 8.9 GeV/c table (arXiv:hep-ex/0702024) rather than from the
Sanford-Wang fit that G4BNB samples. The BNB event-weight code that reproduces MiniBooNE's
reweighting (``PrimaryHadronSWCentralSplineVariation`` of the MicroBooNE and SBN software)
builds that spline as follows, and :class:`PionReweight` does the same:

* at each angle bin, a cubic spline in momentum through the bin contents, knots at the bin
  centres, zero second derivative at the end knots (the CERN library's DCSPLC default);
* at the meson's momentum, a cubic spline in angle through those values, with the same end
  conditions; outside the outer knots both splines continue their end polynomials;
* the angle is clamped at ``theta_clamp`` (0.195 rad, inside the last HARP angle bin) in both
  the spline and the Sanford-Wang form, so above it the weight depends on momentum only;
* weight = spline / Sanford-Wang, capped at ``cap`` (30 as there); where the spline or the
  Sanford-Wang form is negative or the form vanishes the weight is 1, as in that code (whose
  own comment calls it a possible bug: the spline extrapolated past the last momentum knot
  turns negative where the cross section is tiny, near the kinematic limit).

The weight multiplies the pi+ rows of the ``bnb-fits`` backend; the yield becomes the integral
of the reweighted cross section. The table is a CSV file with the header
``p_lo_GeV,p_hi_GeV,theta_lo_rad,theta_hi_rad,xsec_mb_per_GeV_sr`` (extra columns such as
errors are ignored) and one row per cell of a full momentum x angle grid. No table ships with
the package: the HARP table is not in a public machine-readable release; a user who has it
gives its path as ``[beam] pi_plus_table``. ``pi_plus_table = "sanford-wang-knots"``
(:meth:`PionReweight.sanford_wang_knots`) puts the Sanford-Wang form itself at the knots of
the HARP grid: the weights are then 1 inside the data's coverage and the scheme changes only
the extrapolation outside it, to the official central value's (below 0.75 GeV/c it lifts the
pi+ by up to the cap; the pi+ yield per interaction by x1.7 at 8.89 GeV/c).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy.interpolate import CubicSpline

from muphilic.beamline.production.base import MesonSource
from muphilic.constants import GeV
from muphilic.errors import MuphilicError

__all__ = [
    "HARP_P_EDGES_GEV",
    "HARP_THETA_EDGES",
    "SANFORD_WANG_KNOTS",
    "TABLE_COLUMNS",
    "PionReweight",
    "ProductionTableError",
    "ReweightedSource",
    "pi_plus_reweight",
]

FloatArray = NDArray[np.float64]

#: The HARP forward p-Be 8.9 GeV/c coverage, 0.75-6.5 GeV/c and 30-210 mrad in 13 x 6 bins
#: (arXiv:hep-ex/0702024; the bin count as the event-weight code reads the table). The 13
#: momentum edges are not at hand: equal bins here (three binnings change the flux below
#: 0.25 GeV by 5 %, ``benchmarks/flux_production_regions.py``); the angle bins are 30 mrad.
HARP_P_EDGES_GEV = np.linspace(0.75, 6.5, 14)
HARP_THETA_EDGES = np.linspace(0.030, 0.210, 7)

#: ``[beam] pi_plus_table`` value of :meth:`PionReweight.sanford_wang_knots`.
SANFORD_WANG_KNOTS = "sanford-wang-knots"

#: The columns a production table must have, in the units their names say.
TABLE_COLUMNS = ("p_lo_GeV", "p_hi_GeV", "theta_lo_rad", "theta_hi_rad", "xsec_mb_per_GeV_sr")


class ProductionTableError(MuphilicError):
    """A production table file is missing, malformed or not a full grid."""


def _read_table(path: Path) -> tuple[FloatArray, FloatArray, FloatArray, str]:
    """(momentum centres GeV/c, angle centres rad, values (n_p, n_theta), SHA-256) of a table."""
    if not path.is_file():
        raise ProductionTableError(f"production table {str(path)!r} does not exist")
    raw = path.read_bytes()
    lines = [ln for ln in raw.decode("utf-8", errors="replace").splitlines() if ln.strip()]
    lines = [ln for ln in lines if not ln.lstrip().startswith("#")]
    if not lines:
        raise ProductionTableError(f"production table {str(path)!r} is empty")
    header = [h.strip() for h in lines[0].split(",")]
    missing = [c for c in TABLE_COLUMNS if c not in header]
    if missing:
        raise ProductionTableError(
            f"production table {str(path)!r} lacks the column(s) {', '.join(missing)}"
        )
    idx = [header.index(c) for c in TABLE_COLUMNS]
    rows = []
    for n, line in enumerate(lines[1:], start=2):
        cells = line.split(",")
        try:
            rows.append([float(cells[i]) for i in idx])
        except (ValueError, IndexError):
            raise ProductionTableError(
                f"production table {str(path)!r}, data line {n}: not a row of numbers"
            ) from None
    data = np.array(rows, dtype=float)
    if data.size == 0 or not np.all(np.isfinite(data)):
        raise ProductionTableError(f"production table {str(path)!r} has no or non-finite values")
    p_lo, p_hi, t_lo, t_hi, xsec = data.T
    if np.any(p_hi <= p_lo) or np.any(t_hi <= t_lo) or np.any(p_lo < 0) or np.any(t_lo < 0):
        raise ProductionTableError(f"production table {str(path)!r}: a bin with hi <= lo or < 0")
    if np.any(xsec < 0):
        raise ProductionTableError(f"production table {str(path)!r}: a negative cross section")
    p_c = np.unique(0.5 * (p_lo + p_hi))
    t_c = np.unique(0.5 * (t_lo + t_hi))
    if len(p_c) < 3 or len(t_c) < 3 or len(data) != len(p_c) * len(t_c):
        raise ProductionTableError(
            f"production table {str(path)!r} is not a full grid of at least 3 x 3 bins "
            f"({len(data)} rows, {len(p_c)} momentum and {len(t_c)} angle bins)"
        )
    grid = np.full((len(p_c), len(t_c)), np.nan)
    grid[np.searchsorted(p_c, 0.5 * (p_lo + p_hi)), np.searchsorted(t_c, 0.5 * (t_lo + t_hi))] = (
        xsec
    )
    if np.any(np.isnan(grid)):
        raise ProductionTableError(f"production table {str(path)!r} has a bin twice")
    return p_c, t_c, grid, hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True, repr=False, eq=False)
class PionReweight:
    """Weights spline(table) / Sanford-Wang for the pi+ of the ``bnb-fits`` backend.

    Build it with :meth:`from_csv` (a table file) or :meth:`from_grid` (arrays); call
    :meth:`weight`.
    """

    p_centres: FloatArray  # GeV/c
    theta_centres: FloatArray  # rad
    values: FloatArray  # (n_p, n_theta), mb/(GeV/c)/sr
    sha256: str
    theta_clamp: float = 0.195
    cap: float = 30.0

    @classmethod
    def from_csv(
        cls, path: str | Path, *, theta_clamp: float = 0.195, cap: float = 30.0
    ) -> PionReweight:
        """Read a table (columns :data:`TABLE_COLUMNS`)."""
        if not (0.0 < theta_clamp < 0.5 * math.pi) or not cap > 0.0:
            raise ProductionTableError("theta_clamp must be in (0, pi/2) rad and cap positive")
        p_c, t_c, grid, digest = _read_table(Path(path))
        return cls(p_c, t_c, grid, digest, float(theta_clamp), float(cap))

    @classmethod
    def from_grid(
        cls,
        p_edges_GeV: FloatArray,
        theta_edges_rad: FloatArray,
        values: FloatArray,
        *,
        theta_clamp: float = 0.195,
        cap: float = 30.0,
    ) -> PionReweight:
        """A table of ``values[i, j]`` (mb/(GeV/c)/sr) in momentum bin i and angle bin j."""
        p_e = np.asarray(p_edges_GeV, dtype=float)
        t_e = np.asarray(theta_edges_rad, dtype=float)
        vals = np.asarray(values, dtype=float)
        if (
            p_e.ndim != 1
            or t_e.ndim != 1
            or min(p_e.size, t_e.size) < 4
            or np.any(np.diff(p_e) <= 0)
            or np.any(np.diff(t_e) <= 0)
            or p_e[0] < 0
            or t_e[0] < 0
        ):
            raise ProductionTableError("bin edges must be increasing, >= 0, at least 3 bins each")
        if vals.shape != (p_e.size - 1, t_e.size - 1):
            raise ProductionTableError(
                f"values must have shape {(p_e.size - 1, t_e.size - 1)}, got {vals.shape}"
            )
        if not np.all(np.isfinite(vals)) or np.any(vals < 0):
            raise ProductionTableError("values must be finite and non-negative")
        if not (0.0 < theta_clamp < 0.5 * math.pi) or not cap > 0.0:
            raise ProductionTableError("theta_clamp must be in (0, pi/2) rad and cap positive")
        digest = hashlib.sha256(np.concatenate([p_e, t_e, vals.ravel()]).tobytes()).hexdigest()
        p_c = 0.5 * (p_e[1:] + p_e[:-1])
        t_c = 0.5 * (t_e[1:] + t_e[:-1])
        return cls(p_c, t_c, vals, digest, float(theta_clamp), float(cap))

    @classmethod
    def sanford_wang_knots(
        cls, p_beam: float, p_edges_GeV: FloatArray | None = None
    ) -> PionReweight:
        """The scheme with the Sanford-Wang form itself at the knots (:data:`SANFORD_WANG_KNOTS`).

        Inside the grid the weights are 1 to the spline's accuracy; what changes is the
        extrapolation beyond the outer knots, the official central value's instead of the
        form's. ``p_edges_GeV`` defaults to :data:`HARP_P_EDGES_GEV`; the angle bins are
        :data:`HARP_THETA_EDGES`; ``p_beam`` in MeV/c.
        """
        from muphilic.beamline.production.bnb_fits import production_model

        p_e = HARP_P_EDGES_GEV if p_edges_GeV is None else np.asarray(p_edges_GeV, dtype=float)
        pc = 0.5 * (p_e[1:] + p_e[:-1])
        tc = 0.5 * (HARP_THETA_EDGES[1:] + HARP_THETA_EDGES[:-1])
        values = production_model().forms["pi+"](pc[:, None], tc[None, :], p_beam / GeV)
        return cls.from_grid(p_e, HARP_THETA_EDGES, values)

    def __repr__(self) -> str:
        return (
            f"PionReweight(sha256={self.sha256!r}, theta_clamp={self.theta_clamp!r}, "
            f"cap={self.cap!r})"
        )

    def spline(self, p: FloatArray, theta: FloatArray) -> FloatArray:
        """The two-stage spline of the table at p (MeV) and theta (rad), mb/(GeV/c)/sr."""
        p_gev = np.asarray(p, dtype=float) / GeV
        theta = np.asarray(theta, dtype=float)
        # splines in momentum at every angle knot: (N, n_theta)
        in_p = CubicSpline(self.p_centres, self.values, axis=0, bc_type="natural")(p_gev)
        # a natural spline is linear in its data: its cardinal basis in angle, (N, n_theta)
        n_t = len(self.theta_centres)
        basis = CubicSpline(self.theta_centres, np.eye(n_t), axis=0, bc_type="natural")(theta)
        return np.asarray(np.sum(basis * in_p, axis=-1))

    def weight(self, p: FloatArray, theta: FloatArray, p_beam: float) -> FloatArray:
        """spline / Sanford-Wang at (p MeV, theta rad) for protons of ``p_beam`` MeV/c."""
        from muphilic.beamline.production.bnb_fits import production_model

        theta_c = np.minimum(np.asarray(theta, dtype=float), self.theta_clamp)
        p_gev = np.asarray(p, dtype=float) / GeV
        sw = production_model().forms["pi+"](p_gev, theta_c, p_beam / GeV)
        num = self.spline(p, theta_c)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where((sw > 1e-12) & (num >= 0.0), num / sw, 1.0)
        return np.minimum(ratio, self.cap)

    def mean_weight(self, p_beam: float, n: int = 400) -> float:
        """The cross-section-weighted mean weight over the whole phase space (quadrature):
        the factor by which the reweighting changes the pi+ yield."""
        from muphilic.beamline.production.bnb_fits import production_xsec

        p = (np.arange(n) + 0.5) * (p_beam / n)
        u = (np.arange(n) + 0.5) / n
        theta = 0.5 * math.pi * u**2
        dtheta = math.pi * u / n
        pp, tt = np.meshgrid(p, theta, indexing="ij")
        f = production_xsec("pi+", pp, tt, p_beam) * np.sin(tt) * dtheta[None, :]
        total = float(np.sum(f))
        if total <= 0.0:
            raise ProductionTableError("the Sanford-Wang pi+ cross section integrates to zero")
        w = self.weight(pp.ravel(), tt.ravel(), p_beam).reshape(pp.shape)
        return float(np.sum(f * w) / total)


@dataclass(frozen=True)
class ReweightedSource(MesonSource):
    """A ``bnb-fits`` meson source whose pi+ rows carry the weights of a :class:`PionReweight`."""

    inner: MesonSource
    reweight: PionReweight
    p_beam: float

    def rows(self, species: str, pot: int, oversample: float) -> int:
        return self.inner.rows(species, pot, oversample)

    def draw(
        self, species: str, start: int, n: int, rng: np.random.Generator
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        p, cos_t, w = self.inner.draw(species, start, n, rng)
        if species == "pi+":
            theta = np.arccos(np.clip(cos_t, -1.0, 1.0))
            w = w * self.reweight.weight(p, theta, self.p_beam)
        return p, cos_t, w


def pi_plus_reweight(table: str, p_beam: float) -> PionReweight | None:
    """The reweighting a ``[beam] pi_plus_table`` value names: ``""`` none,
    :data:`SANFORD_WANG_KNOTS` the fit at the knots, otherwise a table file's path."""
    if not table:
        return None
    if table == SANFORD_WANG_KNOTS:
        return PionReweight.sanford_wang_knots(p_beam)
    return PionReweight.from_csv(table)
