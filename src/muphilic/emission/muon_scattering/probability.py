"""The emission probability of a muon stopping in the dump, paper Eq. (5).

A muon entering the dump with energy E_mu slows down continuously and, on its
way, emits S with the probability (paper Eq. (5), generalised to an
energy-dependent stopping power)

    P_emit(E_mu) = n_N int_0^E_mu sigma(E) / (dE/dx)(E) dE
                 -> n_N / <dE/dx> int_0^E_mu sigma(E) dE     (constant dE/dx),

with the paper's ``n_N = 8.6e22 cm^-3`` and ``<dE/dx> = 16 MeV/cm`` as defaults.
sigma is the exact tree-level cross section per nucleus of
:mod:`muphilic.emission.dump_xsec` (with y = 1: all weights are per y^2), taken
from the tables of :mod:`muphilic.emission.xsec_tables`.

:class:`MassSlice` holds the cross section at one m_S as a function of the muon
energy (:func:`mass_slice`); :func:`emission_probability` integrates it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from muphilic.constants import DEDX_IRON_PAPER, N_IRON_PAPER, TWO_M_MU, GeV, MeV, m_mu
from muphilic.emission.form_factors import DEFAULT_FORM_FACTOR, FormFactor, Target, get_target
from muphilic.emission.xsec_tables import (
    DEFAULT_MASSES,
    XsecTable,
    has_packaged_table,
    load_full_table,
)
from muphilic.errors import MuphilicError

__all__ = [
    "MassSlice",
    "MuonScatteringError",
    "emission_probability",
    "mass_slice",
]

FloatArray = NDArray[np.float64]
DedxLike = float | Callable[[FloatArray], FloatArray]
_N_FINE = 4001


class MuonScatteringError(MuphilicError):
    """Invalid input to the muon-scattering emission (mass, energy, geometry)."""


@dataclass(frozen=True)
class MassSlice:
    """The cross section at one m_S as a function of the muon energy.

    Attributes
    ----------
    mass : float
        m_S, MeV.
    energies : (nE,) array
        Table energies, MeV.
    sigma : (nE,) array
        sigma/y^2 per nucleus, mm^2.
    cell_prob : (nE, n_x, n_theta) array
        Normalised cell probabilities (zero rows below threshold).
    """

    mass: float
    energies: FloatArray
    sigma: FloatArray
    cell_prob: FloatArray

    def sigma_at(self, energy: ArrayLike) -> FloatArray:
        """sigma(E)/y^2, mm^2: linear in E between table nodes.

        Zero below the kinematic threshold E = m_mu + m_S (to within the nucleus
        recoil), from which sigma rises linearly to the first non-zero node.

        Raises
        ------
        MuonScatteringError
            Above the last table energy.
        """
        energy = np.asarray(energy, dtype=np.float64)
        if np.any(energy > self.energies[-1] * (1 + 1e-12)):
            raise MuonScatteringError(
                f"muon energy {np.max(energy) / GeV:.3g} GeV above the table's "
                f"{self.energies[-1] / GeV:.3g} GeV; build a table with higher energies"
            )
        pos = self.sigma > 0
        e_thr = m_mu + self.mass
        nodes = np.concatenate([[e_thr], self.energies[pos]])
        values = np.concatenate([[0.0], self.sigma[pos]])
        return np.interp(energy, nodes, values, left=0.0)


def _check_mass(mass: float) -> None:
    if not (np.isfinite(mass) and 0 < mass < TWO_M_MU):
        raise MuonScatteringError(
            f"mass must be in (0, 2 m_mu = {TWO_M_MU / MeV:.2f} MeV), got {mass / MeV} MeV"
        )


def _slice_from_table(table: XsecTable, mass: float) -> MassSlice:
    ms = table.masses
    if not ms[0] * (1 - 1e-9) <= mass <= ms[-1] * (1 + 1e-9):
        raise MuonScatteringError(
            f"mass {mass / MeV:.4g} MeV outside the table "
            f"({ms[0] / MeV:.4g}-{ms[-1] / MeV:.4g} MeV)"
        )
    j = int(np.clip(np.searchsorted(ms, mass) - 1, 0, ms.size - 2)) if ms.size > 1 else 0
    if ms.size == 1:
        return MassSlice(mass, table.energies, table.sigma[:, 0], table.cell_prob[:, 0])
    g = float(np.clip(np.log(mass / ms[j]) / np.log(ms[j + 1] / ms[j]), 0.0, 1.0))
    s0, s1 = table.sigma[:, j], table.sigma[:, j + 1]
    both = (s0 > 0) & (s1 > 0)
    geo = np.exp((1 - g) * np.log(np.where(both, s0, 1.0)) + g * np.log(np.where(both, s1, 1.0)))
    sig = np.where(both, geo, (1 - g) * s0 + g * s1)
    mix = (1 - g) * s0[:, None, None] * table.cell_prob[:, j] + g * s1[
        :, None, None
    ] * table.cell_prob[:, j + 1]
    norm = mix.sum(axis=(1, 2), keepdims=True)
    cp = np.divide(mix, norm, out=np.zeros_like(mix), where=norm > 0)
    return MassSlice(mass, table.energies, sig, cp)


def mass_slice(
    mass: float,
    target: str | Target = "Fe",
    form_factor: FormFactor = DEFAULT_FORM_FACTOR,
    *,
    exact: bool = False,
) -> MassSlice:
    """Cross section vs muon energy at ``mass``.

    For a target with a packaged table (iron and the elements of the BNB's wall
    materials) and the default form factor the table is interpolated in m_S (exact
    on its nodes); with ``exact=True``, or for another target or form factor, a
    one-mass table is computed on the default and high energies (0.11-130 GeV,
    :func:`~muphilic.emission.xsec_tables.load_full_table`) and cached (~10 s once).
    """
    _check_mass(mass)
    tgt = get_target(target)
    default_model = has_packaged_table(tgt) and form_factor == DEFAULT_FORM_FACTOR
    on_node = bool(np.any(np.isclose(DEFAULT_MASSES, mass, rtol=1e-12)))
    if default_model and (on_node or not exact):
        return _slice_from_table(load_full_table(tgt, form_factor=form_factor), mass)
    table = load_full_table(tgt, masses=np.array([mass]), form_factor=form_factor)
    return _slice_from_table(table, mass)


@dataclass(frozen=True)
class _EmissionModel:
    """Cumulative emission probability and range on a fine energy grid."""

    energy: FloatArray  # fine grid, MeV
    cumulative: FloatArray  # n_N int_0^E sigma/(dE/dx) (per y^2)
    range_: FloatArray  # int dE/(dE/dx) from the grid start, mm


def _dedx_on(dedx: DedxLike, energy: FloatArray) -> FloatArray:
    if callable(dedx):
        vals = np.asarray(dedx(energy), dtype=np.float64)
    else:
        vals = np.full_like(energy, float(dedx))
    if vals.shape != energy.shape or np.any(~np.isfinite(vals)) or np.any(vals <= 0):
        raise MuonScatteringError("dedx must be positive and finite (MeV/mm) at every energy used")
    return vals


def _emission_model(
    sigma: Callable[[FloatArray], FloatArray],
    e_top: float,
    n_nuclei: float,
    dedx: DedxLike,
) -> _EmissionModel:
    if not (np.isfinite(n_nuclei) and n_nuclei > 0):
        raise MuonScatteringError(f"n_nuclei must be positive, got {n_nuclei}")
    # constant dE/dx: integrate from E = 0 (Eq. (5) literally); a callable stopping
    # power is only needed above the muon mass, where the muon can still emit
    e0 = 0.0 if not callable(dedx) else m_mu * (1 + 1e-6)
    grid = np.linspace(e0, max(e_top, e0 * 1.001 + 1e-9), _N_FINE)
    sig = np.asarray(sigma(grid), dtype=np.float64)
    if np.any(sig < 0) or np.any(~np.isfinite(sig)):
        raise MuonScatteringError("sigma must be finite and non-negative")
    inv = 1.0 / _dedx_on(dedx, grid)
    de = np.diff(grid)
    cum = np.concatenate([[0.0], np.cumsum(0.5 * (sig[1:] * inv[1:] + sig[:-1] * inv[:-1]) * de)])
    rng_ = np.concatenate([[0.0], np.cumsum(0.5 * (inv[1:] + inv[:-1]) * de)])
    return _EmissionModel(grid, n_nuclei * cum, rng_)


def _sigma_callable(
    sigma: float | Callable[[FloatArray], FloatArray] | None, slc: MassSlice | None
) -> Callable[[FloatArray], FloatArray]:
    if sigma is None:
        assert slc is not None
        return slc.sigma_at
    if callable(sigma):
        return sigma
    value = float(sigma)
    return lambda e: np.full_like(np.asarray(e, dtype=np.float64), value)


def emission_probability(
    energy: ArrayLike,
    mass: float,
    n_nuclei: float = N_IRON_PAPER,
    dedx: DedxLike = DEDX_IRON_PAPER,
    *,
    target: str | Target = "Fe",
    form_factor: FormFactor = DEFAULT_FORM_FACTOR,
    sigma: float | Callable[[FloatArray], FloatArray] | None = None,
) -> FloatArray:
    """P_emit(E_mu) / y^2 of paper Eq. (5) for muons stopping in the dump.

    Parameters
    ----------
    energy : array
        Muon (total) energy at the dump entry, MeV.
    mass : float
        m_S, MeV.
    n_nuclei : float
        Number density of nuclei, mm^-3 (paper: 8.6e22 cm^-3).
    dedx : float or callable
        Stopping power, MeV/mm: a constant (paper: 16 MeV/cm) or a function of the
        muon's *total* energy, used above m_mu; for Bethe-Bloch in iron pass
        ``muphilic.beamline.EnergyLoss("bethe").stopping_power``.
    target, form_factor
        Cross-section model (ignored when ``sigma`` is given).
    sigma : float or callable, optional
        Override sigma(E)/y^2 (mm^2), e.g. for tests.

    Returns
    -------
    array
        Expected number of emitted scalars per muon, divided by y^2.
    """
    energy = np.asarray(energy, dtype=np.float64)
    if np.any(~np.isfinite(energy)) or np.any(energy < 0):
        raise MuonScatteringError("muon energies must be finite and non-negative")
    slc = None if sigma is not None else mass_slice(mass, target, form_factor)
    e_top = float(np.max(energy)) if energy.size else 1.0
    model = _emission_model(_sigma_callable(sigma, slc), e_top, n_nuclei, dedx)
    return np.interp(energy, model.energy, model.cumulative, left=0.0)
