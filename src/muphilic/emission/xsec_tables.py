"""Tables of the mu N -> mu N S cross section on an (E_mu, m_S) grid.

For every node (E, m_S) a table holds

* ``sigma`` - exact total sigma/y^2 per nucleus (mm^2) and ``sigma_err``, its
  quadrature error estimate;
* ``sigma_iww`` - the improved Weizsacker-Williams value (mm^2);
* ``cell_prob`` - the differential cross section as probabilities of the cells of
  the mapped (x, theta) plane of :class:`~muphilic.emission.dump_xsec.XThetaMap`
  (``n_x`` cells in r_x, ``n_theta`` in r_theta; each node sums to 1).

The default tables of iron and of the elements of the BNB's wall materials (O, Na,
Mg, Al, Si, Ca, C) ship with the package (``muphilic/data/xsec``); any other
target, form factor or grid is built on first use and kept in the cache of
:func:`muphilic.cache.cached_bytes` (atomic write, keyed by a hash of the inputs).

Two energy ranges, stored separately: :data:`DEFAULT_ENERGIES` (0.11-10 GeV, the
BNB's muons) and :data:`HIGH_ENERGIES` (10-130 GeV, the muons of 120 GeV proton
beams), whose first node is the last default node. :func:`load_full_table` joins
them (the shared 10 GeV node once); below 10 GeV it holds exactly the numbers of
the default table, so that everything interpolated there is unchanged.

Quadrature: 2 Gauss-Legendre points per cell in r_x and r_theta, ln t on
(12, 20) Gauss-Legendre points, 16 trapezoid points in the recoil azimuth. The
error estimate is the change when the azimuth rule is halved plus a floor of
``QUADRATURE_FLOOR`` times sigma, the largest difference found between this rule
and vegas in an independent parametrisation (see docs/muon_scattering_validation.md).
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from muphilic.cache import cached_bytes
from muphilic.constants import TWO_M_MU, GeV, MeV, m_mu
from muphilic.data import data_file
from muphilic.emission.dump_xsec import XThetaMap, d2sigma_exact, d2sigma_iww
from muphilic.emission.form_factors import (
    DEFAULT_FORM_FACTOR,
    TARGETS,
    FormFactor,
    Target,
    get_target,
)

__all__ = [
    "DEFAULT_ENERGIES",
    "DEFAULT_MASSES",
    "DEFAULT_TABLE_FILE",
    "HIGH_ENERGIES",
    "QUADRATURE_FLOOR",
    "CellIntegrals",
    "XsecTable",
    "build_table",
    "has_packaged_table",
    "integrate_cells",
    "join_tables",
    "load_full_table",
    "load_high_table",
    "load_table",
    "packaged_table_file",
]

FloatArray = NDArray[np.float64]

#: Relative accuracy floor of the tabulated quadrature (validated against vegas).
QUADRATURE_FLOOR = 2e-3
#: Default muon energies of the table, MeV: 25 log-spaced nodes, 0.11-10 GeV.
DEFAULT_ENERGIES: FloatArray = np.geomspace(0.11 * GeV, 10.0 * GeV, 25)
#: Energies of the high-energy tables, MeV: 9 log-spaced nodes, 10-130 GeV (ratio
#: 1.38; the first is the last of DEFAULT_ENERGIES). 130 GeV lies above any muon of
#: a 120 GeV proton beam.
HIGH_ENERGIES: FloatArray = np.geomspace(10.0 * GeV, 130.0 * GeV, 9)
#: Default scalar masses, MeV: 20 log-spaced nodes, 1 MeV - 2 m_mu (just below).
DEFAULT_MASSES: FloatArray = np.geomspace(1.0 * MeV, 0.999 * TWO_M_MU, 20)
#: Packaged file of the default iron table.
DEFAULT_TABLE_FILE = "muon_fe_default.npz"
_N_CELLS = 20
_FORMAT_VERSION = 1
_N_T = (12, 20)
_N_BETA = 16


def _threshold(mass: float, big_m: float) -> float:
    """Lowest muon energy that can emit S off a target of mass ``big_m`` (MeV)."""
    return m_mu + mass + (mass**2 + 2.0 * m_mu * mass) / (2.0 * big_m)


@dataclass(frozen=True)
class CellIntegrals:
    """Cross section of one (E, m_S) node integrated over the (x, theta) cells.

    Attributes
    ----------
    exact, exact_coarse, iww : (n_x, n_theta) arrays
        Per-cell sigma/y^2, mm^2 (``exact_coarse`` with the halved azimuth rule).
    """

    exact: FloatArray
    exact_coarse: FloatArray
    iww: FloatArray

    @property
    def sigma(self) -> float:
        """Exact total, mm^2."""
        return float(self.exact.sum())

    @property
    def sigma_err(self) -> float:
        """Quadrature error estimate of :attr:`sigma`, mm^2."""
        return float(
            abs(self.exact.sum() - self.exact_coarse.sum()) + QUADRATURE_FLOOR * self.sigma
        )

    @property
    def sigma_iww(self) -> float:
        """IWW total, mm^2."""
        return float(self.iww.sum())


def integrate_cells(
    energy: float,
    mass: float,
    target: str | Target = "Fe",
    form_factor: FormFactor = DEFAULT_FORM_FACTOR,
    *,
    n_x: int = _N_CELLS,
    n_theta: int = _N_CELLS,
    n_gauss: int = 2,
    n_t: tuple[int, int] = _N_T,
    n_beta: int = _N_BETA,
) -> CellIntegrals:
    """Integrate the exact and IWW d^2 sigma over the mapped (x, theta) cells of one node.

    Parameters
    ----------
    energy, mass : float
        Muon energy and m_S, MeV. Below threshold every cell is zero.
    target, form_factor
        See :mod:`muphilic.emission.form_factors`.
    n_x, n_theta : int
        Cells in r_x (a multiple of 4) and r_theta.
    n_gauss : int
        Gauss-Legendre points per cell and dimension.
    n_t, n_beta
        Inner rules (see :func:`~muphilic.emission.dump_xsec.d2sigma_exact`).
    """
    tgt = get_target(target)
    if n_x % 4:
        raise ValueError(f"n_x must be a multiple of 4, got {n_x}")
    zero = np.zeros((n_x, n_theta))
    if energy <= _threshold(mass, tgt.nucleus_mass) * (1 + 1e-9):
        return CellIntegrals(zero, zero.copy(), zero.copy())
    grid = XThetaMap(energy, mass)
    r, w = np.polynomial.legendre.leggauss(n_gauss)
    r, w = 0.5 * (r + 1.0), 0.5 * w
    rx = ((np.arange(n_x)[:, None] + r) / n_x).ravel()
    rt = ((np.arange(n_theta)[:, None] + r) / n_theta).ravel()
    x, jx = grid.x(rx)
    th, jt = grid.theta(rt)
    wx = np.tile(w / n_x, n_x) * jx
    wt = np.tile(w / n_theta, n_theta) * jt
    xx, tt = np.meshgrid(x, th, indexing="ij")
    weights = np.outer(wx, wt)
    fine, coarse = d2sigma_exact(
        energy, mass, xx, tt, tgt, form_factor, n_t=n_t, n_beta=n_beta, with_coarse=True
    )
    iww = d2sigma_iww(energy, mass, xx, tt, tgt, form_factor)

    def cells(values: FloatArray) -> FloatArray:
        return (values * weights).reshape(n_x, n_gauss, n_theta, n_gauss).sum(axis=(1, 3))

    return CellIntegrals(cells(fine), cells(coarse), cells(iww))


@dataclass(frozen=True)
class XsecTable:
    """Cross-section table of one target on an (E_mu, m_S) grid (module docstring).

    Attributes
    ----------
    target : str
    form_factor : dict
        :meth:`FormFactor.key` of the model used.
    energies : (nE,) array
        Muon energies, MeV (increasing).
    masses : (nM,) array
        Scalar masses, MeV (increasing).
    sigma, sigma_err, sigma_iww : (nE, nM) arrays
        sigma/y^2 per nucleus, mm^2.
    cell_prob : (nE, nM, n_x, n_theta) array
        Normalised cell probabilities (zero below threshold).
    """

    target: str
    form_factor: dict[str, object]
    energies: FloatArray
    masses: FloatArray
    sigma: FloatArray
    sigma_err: FloatArray
    sigma_iww: FloatArray
    cell_prob: FloatArray

    @property
    def n_x(self) -> int:
        return int(self.cell_prob.shape[2])

    @property
    def n_theta(self) -> int:
        return int(self.cell_prob.shape[3])

    def to_bytes(self) -> bytes:
        """npz serialisation (float32 cell probabilities)."""
        buf = io.BytesIO()
        np.savez_compressed(
            buf,
            version=np.array(_FORMAT_VERSION),
            target=np.array(self.target),
            form_factor=np.array(repr(sorted(self.form_factor.items()))),
            energies_MeV=self.energies / MeV,
            masses_MeV=self.masses / MeV,
            sigma_mm2=self.sigma,
            sigma_err_mm2=self.sigma_err,
            sigma_iww_mm2=self.sigma_iww,
            cell_prob=self.cell_prob.astype(np.float32),
        )
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes, form_factor: FormFactor) -> XsecTable:
        """Inverse of :meth:`to_bytes`."""
        with np.load(io.BytesIO(blob)) as f:
            if int(f["version"]) != _FORMAT_VERSION:
                raise ValueError(f"cross-section table version {int(f['version'])} unsupported")
            stored_ff = str(f["form_factor"])
            if stored_ff != repr(sorted(form_factor.key().items())):
                raise ValueError(f"table built with form factor {stored_ff}, not {form_factor}")
            cp = f["cell_prob"].astype(np.float64)
            sums = cp.sum(axis=(2, 3), keepdims=True)
            cp = np.divide(cp, sums, out=np.zeros_like(cp), where=sums > 0)
            return cls(
                target=str(f["target"]),
                form_factor=form_factor.key(),
                energies=f["energies_MeV"] * MeV,
                masses=f["masses_MeV"] * MeV,
                sigma=f["sigma_mm2"],
                sigma_err=f["sigma_err_mm2"],
                sigma_iww=f["sigma_iww_mm2"],
                cell_prob=cp,
            )


def build_table(
    target: str | Target = "Fe",
    energies: FloatArray = DEFAULT_ENERGIES,
    masses: FloatArray = DEFAULT_MASSES,
    form_factor: FormFactor = DEFAULT_FORM_FACTOR,
    *,
    n_cells: int = _N_CELLS,
) -> XsecTable:
    """Compute a table (no cache); about 0.3 s per node on one core."""
    tgt = get_target(target)
    energies = np.asarray(energies, dtype=np.float64)
    masses = np.asarray(masses, dtype=np.float64)
    if np.any(np.diff(energies) <= 0) or np.any(np.diff(masses) <= 0):
        raise ValueError("energies and masses must be strictly increasing")
    if masses[0] <= 0 or masses[-1] >= TWO_M_MU:
        raise ValueError(f"masses must lie in (0, 2 m_mu = {TWO_M_MU / MeV:.2f} MeV)")
    ne, nm = energies.size, masses.size
    sig = np.zeros((ne, nm))
    err = np.zeros((ne, nm))
    iww = np.zeros((ne, nm))
    cp = np.zeros((ne, nm, n_cells, n_cells))
    for i, e in enumerate(energies):
        for j, ms in enumerate(masses):
            c = integrate_cells(e, ms, tgt, form_factor, n_x=n_cells, n_theta=n_cells)
            sig[i, j], err[i, j], iww[i, j] = c.sigma, c.sigma_err, c.sigma_iww
            if c.sigma > 0:
                cp[i, j] = np.clip(c.exact, 0.0, None) / np.clip(c.exact, 0.0, None).sum()
    return XsecTable(tgt.name, form_factor.key(), energies, masses, sig, err, iww, cp)


def _is_default(tgt: Target, energies: FloatArray, masses: FloatArray, ff: FormFactor) -> bool:
    return (
        tgt == TARGETS.get(tgt.name)
        and ff == FormFactor()
        and energies.shape == DEFAULT_ENERGIES.shape
        and masses.shape == DEFAULT_MASSES.shape
        and bool(np.allclose(energies, DEFAULT_ENERGIES, rtol=1e-12))
        and bool(np.allclose(masses, DEFAULT_MASSES, rtol=1e-12))
    )


def packaged_table_file(target: str | Target, *, high: bool = False) -> str:
    """Name of a packaged table of a target (``muon_fe_default.npz``, ``muon_fe_high.npz``)."""
    return f"muon_{get_target(target).name.lower()}_{'high' if high else 'default'}.npz"


@functools.cache
def _packaged_table(name: str, high: bool = False) -> XsecTable | None:
    """A shipped table of element ``name``, read once per process (None if absent)."""
    try:
        blob = data_file("xsec", packaged_table_file(name, high=high)).read_bytes()
    except FileNotFoundError:
        return None
    return XsecTable.from_bytes(blob, DEFAULT_FORM_FACTOR)


def has_packaged_table(target: str | Target) -> bool:
    """Whether the package ships the default-grid, default-form-factor table of ``target``."""
    tgt = get_target(target)
    return tgt == TARGETS.get(tgt.name) and _packaged_table(tgt.name) is not None


def _packaged_default() -> XsecTable | None:
    """The shipped iron table (None if not installed)."""
    return _packaged_table("Fe")


def load_table(
    target: str | Target = "Fe",
    energies: FloatArray | None = None,
    masses: FloatArray | None = None,
    form_factor: FormFactor = DEFAULT_FORM_FACTOR,
) -> XsecTable:
    """The table for ``target`` on a grid: the packaged one for the default, else cached.

    Parameters
    ----------
    target : str or Target
    energies, masses : arrays, optional
        Grid (MeV); defaults :data:`DEFAULT_ENERGIES`, :data:`DEFAULT_MASSES`.
    form_factor : FormFactor
    """
    tgt = get_target(target)
    e = DEFAULT_ENERGIES if energies is None else np.asarray(energies, dtype=np.float64)
    ms = DEFAULT_MASSES if masses is None else np.asarray(masses, dtype=np.float64)
    if _is_default(tgt, e, ms, form_factor):
        packaged = _packaged_table(tgt.name)
        if packaged is not None:
            return packaged
    inputs = {
        "kind": "mu N -> mu N S table",
        "version": _FORMAT_VERSION,
        "target": [tgt.name, tgt.Z, tgt.A],
        "form_factor": form_factor.key(),
        "energies_MeV": [float(v) for v in e / MeV],
        "masses_MeV": [float(v) for v in ms / MeV],
        "rule": {"cells": _N_CELLS, "n_t": list(_N_T), "n_beta": _N_BETA, "gauss": 2},
    }
    blob = cached_bytes("xsec", inputs, lambda: build_table(tgt, e, ms, form_factor).to_bytes())
    return XsecTable.from_bytes(blob, form_factor)


def load_high_table(
    target: str | Target = "Fe",
    masses: FloatArray | None = None,
    form_factor: FormFactor = DEFAULT_FORM_FACTOR,
) -> XsecTable:
    """The table of ``target`` on :data:`HIGH_ENERGIES` (10-130 GeV).

    The packaged one for the default masses and form factor of a packaged
    element; otherwise built on first use (about 0.25 s per node on one core: 9
    nodes per mass) and cached.
    """
    tgt = get_target(target)
    ms = DEFAULT_MASSES if masses is None else np.asarray(masses, dtype=np.float64)
    default = (
        tgt == TARGETS.get(tgt.name)
        and form_factor == FormFactor()
        and ms.shape == DEFAULT_MASSES.shape
        and bool(np.allclose(ms, DEFAULT_MASSES, rtol=1e-12))
    )
    if default:
        packaged = _packaged_table(tgt.name, True)
        if packaged is not None:
            return packaged
    return load_table(tgt, energies=HIGH_ENERGIES, masses=ms, form_factor=form_factor)


def join_tables(low: XsecTable, high: XsecTable) -> XsecTable:
    """One table from two energy ranges whose masses agree, sharing one boundary node.

    The boundary node is taken from ``low``; ``high`` starts at ``low``'s last energy.
    """
    if low.target != high.target or low.form_factor != high.form_factor:
        raise ValueError("tables of different targets or form factors cannot be joined")
    if not np.array_equal(low.masses, high.masses):
        raise ValueError("tables with different masses cannot be joined")
    if not np.isclose(high.energies[0], low.energies[-1], rtol=1e-12, atol=0.0):
        raise ValueError(
            f"the high table starts at {high.energies[0] / GeV:.6g} GeV, "
            f"not at the low table's last energy {low.energies[-1] / GeV:.6g} GeV"
        )
    if low.cell_prob.shape[2:] != high.cell_prob.shape[2:]:
        raise ValueError("tables with different cell grids cannot be joined")
    return XsecTable(
        low.target,
        low.form_factor,
        np.concatenate([low.energies, high.energies[1:]]),
        low.masses,
        np.concatenate([low.sigma, high.sigma[1:]]),
        np.concatenate([low.sigma_err, high.sigma_err[1:]]),
        np.concatenate([low.sigma_iww, high.sigma_iww[1:]]),
        np.concatenate([low.cell_prob, high.cell_prob[1:]]),
    )


@functools.cache
def _full_packaged(name: str) -> XsecTable | None:
    low, high = _packaged_table(name), _packaged_table(name, True)
    if low is None or high is None:
        return None
    return join_tables(low, high)


def load_full_table(
    target: str | Target = "Fe",
    masses: FloatArray | None = None,
    form_factor: FormFactor = DEFAULT_FORM_FACTOR,
) -> XsecTable:
    """The table of ``target`` from 0.11 to 130 GeV: :func:`load_table` joined to
    :func:`load_high_table` (see :func:`join_tables`).

    Parameters
    ----------
    target : str or Target
    masses : array, optional
        m_S grid, MeV (default :data:`DEFAULT_MASSES`).
    form_factor : FormFactor
    """
    tgt = get_target(target)
    if masses is None and tgt == TARGETS.get(tgt.name) and form_factor == FormFactor():
        full = _full_packaged(tgt.name)
        if full is not None:
            return full
    return join_tables(
        load_table(tgt, masses=masses, form_factor=form_factor),
        load_high_table(tgt, masses=masses, form_factor=form_factor),
    )
