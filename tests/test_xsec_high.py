"""The high-energy (10-130 GeV) mu N -> mu N S tables and their join to the default ones.

References: the improved Weizsacker-Williams value stored with every node (an
independent approximation, accurate where E >> m_S, m_mu), vegas in a different
phase-space parametrisation (``sigma_vegas``), the exact rule at an energy between
two nodes, and the logarithmic growth of sigma with E where the smallest momentum
transfer lies far from the atomic screening and nuclear scales.
"""

from __future__ import annotations

import numpy as np
import pytest

from muphilic.constants import DEDX_IRON_PAPER, N_IRON_PAPER, GeV, MeV
from muphilic.emission.dump_xsec import sigma_vegas
from muphilic.emission.form_factors import get_target
from muphilic.emission.muon_scattering import (
    MuonScatteringError,
    emission_probability,
    mass_slice,
)
from muphilic.emission.muon_scattering.probability import _slice_from_table
from muphilic.emission.xsec_tables import (
    DEFAULT_ENERGIES,
    DEFAULT_MASSES,
    HIGH_ENERGIES,
    integrate_cells,
    join_tables,
    load_full_table,
    load_high_table,
    load_table,
)

ELEMENTS = ("Fe", "O", "Na", "Mg", "Al", "Si", "Ca", "C")


def test_high_grid_continues_the_default_one():
    assert HIGH_ENERGIES[0] == DEFAULT_ENERGIES[-1]
    assert HIGH_ENERGIES[-1] == pytest.approx(130.0 * GeV)
    # above any muon of a 120 GeV proton beam
    assert HIGH_ENERGIES[-1] > 121.0 * GeV


@pytest.mark.parametrize("element", ELEMENTS)
def test_packaged_high_table_matches_default_at_the_shared_node(element):
    low, high = load_table(element), load_high_table(element)
    np.testing.assert_array_equal(high.energies, HIGH_ENERGIES)
    np.testing.assert_array_equal(high.masses, low.masses)
    # the same node computed twice: equal up to rounding of the sums
    np.testing.assert_allclose(high.sigma[0], low.sigma[-1], rtol=1e-12)
    np.testing.assert_allclose(high.sigma_iww[0], low.sigma_iww[-1], rtol=1e-12)
    np.testing.assert_allclose(high.cell_prob[0], low.cell_prob[-1], atol=1e-7)


def test_full_table_holds_the_default_numbers_below_10_gev():
    low, full = load_table("Fe"), load_full_table("Fe")
    n = DEFAULT_ENERGIES.size
    assert full.energies.size == n + HIGH_ENERGIES.size - 1
    np.testing.assert_array_equal(full.energies[:n], low.energies)
    np.testing.assert_array_equal(full.sigma[:n], low.sigma)
    np.testing.assert_array_equal(full.cell_prob[:n], low.cell_prob)


def test_mass_slice_below_10_gev_unchanged_bit_for_bit():
    """sigma(E) and the cell probabilities below 10 GeV as from the default table alone."""
    old_table = load_table("Fe")
    rng = np.random.default_rng(3)
    e = rng.uniform(0.11 * GeV, 10.0 * GeV, 2000)
    for mass in (DEFAULT_MASSES[0], 7.0 * MeV, DEFAULT_MASSES[9], 150.0 * MeV, DEFAULT_MASSES[-1]):
        old = _slice_from_table(old_table, mass)
        new = mass_slice(mass)
        n = old.energies.size
        np.testing.assert_array_equal(new.sigma_at(e), old.sigma_at(e))
        np.testing.assert_array_equal(new.energies[:n], old.energies)
        np.testing.assert_array_equal(new.cell_prob[:n], old.cell_prob)


def test_join_refuses_mismatched_tables():
    low, high = load_table("Fe"), load_high_table("Fe")
    with pytest.raises(ValueError, match="starts at"):
        join_tables(low, low)
    with pytest.raises(ValueError, match="different targets"):
        join_tables(low, load_high_table("O"))
    assert join_tables(low, high).energies[-1] == HIGH_ENERGIES[-1]


def test_high_table_against_iww():
    """IWW / exact - 1 at 10-130 GeV (measured: <= 0.63 % up to 100 MeV, <= 3.3 % at
    211 MeV and 10 GeV, <= 0.8 % for every mass at 130 GeV)."""
    t = load_high_table("Fe")
    dev = t.sigma_iww / t.sigma - 1.0
    light = t.masses <= 100.0 * MeV
    assert np.all(np.abs(dev[:, light]) < 0.01)
    assert np.all(np.abs(dev) < 0.04)
    # IWW improves as E grows (its corrections are powers of m/E and t_min)
    assert np.all(np.abs(dev[-1]) < 0.01)
    heavy = t.masses > 100.0 * MeV
    assert np.all(np.abs(dev[-1, heavy]) < np.abs(dev[0, heavy]))


def test_high_table_grows_logarithmically():
    """sigma = a + b ln E within 1 % at 10-130 GeV for 5-60 MeV (measured: <= 0.74 %,
    0.11 % at 17 MeV), where the smallest momentum transfer (~m_S^2 / 2E, 0.1-180 keV)
    lies between the atomic screening (~12 keV for iron) and nuclear (~40 MeV)
    scales for the bulk of the phase space; for the lightest scalars the growth slows
    as screening sets in, for the heaviest it is faster (threshold region)."""
    t = load_high_table("Fe")
    ln_e = np.log(t.energies)
    sel = (t.masses > 5.0 * MeV) & (t.masses < 60.0 * MeV)
    for j in np.flatnonzero(sel):
        b, a = np.polyfit(ln_e, t.sigma[:, j], 1)
        assert b > 0
        assert np.max(np.abs((a + b * ln_e) / t.sigma[:, j] - 1.0)) < 1e-2
    slope = np.diff(t.sigma[:, 0]) / np.diff(ln_e)
    assert np.all(np.diff(slope) < 0)  # screening: slower than logarithmic at 1 MeV
    assert np.all(np.diff(t.sigma, axis=0) > 0)


@pytest.mark.parametrize("j", [0, 19])
def test_high_table_against_vegas(j):
    """Top node (130 GeV), lightest and heaviest mass: |table / vegas - 1| within twice
    the quoted quadrature error plus 3 vegas sigma (measured with 1e5 x 10 points:
    -0.32 % at 1 MeV, +0.29 % at 211 MeV; quoted 0.27 % and 0.21 %)."""
    t = load_high_table("Fe")
    mean, sdev = sigma_vegas(t.energies[-1], t.masses[j], get_target("Fe"), neval=40_000, nitn=8)
    tol = 2.0 * t.sigma_err[-1, j] + 3.0 * sdev
    assert abs(t.sigma[-1, j] - mean) < tol
    assert tol < 0.01 * mean


def test_interpolation_between_high_nodes():
    """Linear interpolation in E at the geometric midpoint of two nodes against the exact
    rule there (measured: within 0.2 %)."""
    for i, j in ((0, 9), (6, 15)):
        e = float(np.sqrt(HIGH_ENERGIES[i] * HIGH_ENERGIES[i + 1]))
        mass = DEFAULT_MASSES[j]
        exact = integrate_cells(e, mass, "Fe").sigma
        assert mass_slice(mass).sigma_at(e) == pytest.approx(exact, rel=3e-3)


def test_emission_at_numi_energies_and_limit():
    """Constant dE/dx: P(100 GeV) - P(46 GeV) = n / (dE/dx) int_46^100 sigma dE, bounded by
    sigma(46 GeV) and sigma(100 GeV) (sigma grows with E) times 54 GeV."""
    mass = 20.0 * MeV
    p = emission_probability(np.array([10.0, 46.0, 100.0]) * GeV, mass)
    assert np.all(np.diff(p) > 0)
    sig = mass_slice(mass).sigma_at(np.array([46.0, 100.0]) * GeV)
    scale = N_IRON_PAPER / DEDX_IRON_PAPER * 54.0 * GeV
    assert sig[0] * scale < p[2] - p[1] < sig[1] * scale
    with pytest.raises(MuonScatteringError, match="above the table's 130 GeV"):
        emission_probability(np.array([150.0 * GeV]), mass)


class _Captured(Exception):
    pass


@pytest.mark.parametrize("keep", [False, True])
def test_roadmap_dump_muons_off_bnb_option(monkeypatch, keep):
    """The road map drops the dump-muon channel off the BNB unless asked to keep it."""
    import muphilic.pipeline
    from muphilic.roadmap import roadmap

    seen = []

    def fake_reach(run, **_):
        seen.append(run.emission.channels)
        raise _Captured

    monkeypatch.setattr(muphilic.pipeline, "reach", fake_reach)
    with pytest.raises(_Captured):
        roadmap(facilities=("numi",), dump_muons_off_bnb=keep)
    assert ("muon" in seen[0]) is keep
    assert {"kaon", "pion"} <= set(seen[0])
