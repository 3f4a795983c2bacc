"""Tests of decay kinematics, decay-length sampling, the flux weight and muon energy loss."""

from __future__ import annotations

import math

import numpy as np
import pytest

from muphilic.beamline.decays import (
    decay_length,
    isotropic_two_body,
    neutrino_energy_and_jacobian,
    sample_decay_distance,
    two_body_momentum,
)
from muphilic.beamline.muons import EnergyLoss, bethe_dedx_iron, energy_after, range_in_iron
from muphilic.constants import RHO_IRON, GeV, MeV, c_light, cm, g, m, m_K, m_mu, m_pi, tau_pi
from muphilic.emission.kinematics import boost_from_rest


def test_two_body_momenta_match_pdg():
    # PDG: p* = 29.79 MeV in pi -> mu nu and 235.5 MeV in K -> mu nu.
    assert two_body_momentum(m_pi, m_mu, 0.0) / MeV == pytest.approx(29.79, abs=0.01)
    assert two_body_momentum(m_K, m_mu, 0.0) / MeV == pytest.approx(235.5, abs=0.1)


def test_pion_decay_length_is_55_9_m_per_unit_beta_gamma():
    # c tau_pi = 7.8045 m (PDG); lambda = (p/m) c tau
    assert decay_length(np.array([m_pi]), m_pi, tau_pi)[0] / m == pytest.approx(7.8045, rel=1e-3)
    assert c_light * tau_pi / m == pytest.approx(7.8045, rel=1e-3)


def test_truncated_decay_distance_distribution():
    # s ~ exp(-s/lam) on [0, L]: probability P = 1 - e^{-L/lam}, CDF (1 - e^{-s/lam}) / P.
    rng = np.random.default_rng(3)
    lam = np.full(400_000, 30.0 * m)
    length = np.full(lam.size, 45.0 * m)
    s, prob = sample_decay_distance(rng, lam, length)
    assert np.allclose(prob, -math.expm1(-1.5))
    assert s.min() >= 0
    assert s.max() <= 45.0 * m
    edges = np.linspace(0, 45.0, 10) * m
    counts = np.histogram(s, bins=edges)[0] / s.size
    expected = np.diff(-np.expm1(-edges / lam[0])) / prob[0]
    sigma = np.sqrt(expected / s.size)
    assert np.all(np.abs(counts - expected) < 5 * sigma)


def test_boost_preserves_mass_and_lab_mean_energy():
    rng = np.random.default_rng(4)
    n = 200_000
    p = 2.0 * GeV
    parent = np.tile([math.hypot(p, m_pi), 0.0, 0.0, p], (n, 1))
    mu = isotropic_two_body(rng, parent, m_pi, m_mu)
    mass = np.sqrt(mu[:, 0] ** 2 - np.sum(mu[:, 1:] ** 2, axis=1))
    assert np.allclose(mass, m_mu, rtol=1e-6)
    # isotropic in the rest frame: <E_lab> = gamma E*
    gamma = parent[0, 0] / m_pi
    e_star = math.hypot(two_body_momentum(m_pi, m_mu, 0.0), m_mu)
    assert np.mean(mu[:, 0]) == pytest.approx(
        gamma * e_star, rel=5 * np.std(mu[:, 0]) / np.mean(mu[:, 0]) / math.sqrt(n)
    )
    # the inverse boost is the boost by the parent moving the other way
    back = boost_from_rest(mu, parent * np.array([1.0, -1.0, -1.0, -1.0]), m_pi)
    assert np.allclose(back[:, 0], e_star, rtol=1e-9)


def test_forced_neutrino_weight_integrates_to_one():
    # (E_nu/E*)^2 / 4 pi is a probability density in the lab solid angle: it must integrate to
    # 1 over the sphere (Gauss-Legendre in cos theta), and E_nu at theta = 0 is E*/(gamma(1-beta)).
    p = 3.0 * GeV
    parent = np.array([[math.hypot(p, m_K), 0.0, 0.0, p]])
    x, w = np.polynomial.legendre.leggauss(200)
    dirs = np.stack([np.sqrt(1 - x**2), np.zeros_like(x), x], axis=-1)[None]
    _e_nu, jac = neutrino_energy_and_jacobian(parent, m_K, dirs)
    assert 0.5 * np.sum(w * jac[0]) == pytest.approx(1.0, rel=1e-9)
    gamma, beta = parent[0, 0] / m_K, p / parent[0, 0]
    e_star = (m_K**2 - m_mu**2) / (2 * m_K)
    fwd, _ = neutrino_energy_and_jacobian(parent, m_K, np.array([[0.0, 0.0, 1.0]]))
    assert fwd[0] == pytest.approx(e_star / (gamma * (1 - beta)), rel=1e-12)


def test_bethe_minimum_ionisation_in_iron_matches_pdg():
    # PDG table: <dE/dx>_min = 1.451 MeV cm^2/g for iron.
    t = np.geomspace(50 * MeV, 5 * GeV, 4000)
    dedx = bethe_dedx_iron(t)
    assert dedx.min() / RHO_IRON / (MeV * cm**2 / g) == pytest.approx(1.451, rel=0.01)


def test_constant_loss_range_and_consistency_of_both_models():
    t = np.array([0.5, 2.0, 8.0]) * GeV
    const = EnergyLoss()
    assert np.allclose(range_in_iron(t, const), t / (16 * MeV / cm))
    assert np.allclose(energy_after(t, 10 * cm, const), t - 160 * MeV)
    bethe = EnergyLoss("bethe")
    r = range_in_iron(t, bethe)
    # remaining range after x is the range of the remaining energy
    x = 0.3 * r
    assert np.allclose(range_in_iron(energy_after(t, x, bethe), bethe), r - x, rtol=1e-3)
    assert np.all(energy_after(t, 1.01 * r, bethe) == 0.0)
    # ionisation alone is below the paper's conservative 16 MeV/cm over this range
    assert np.all(r > range_in_iron(t, const))
    with pytest.raises(ValueError, match="model"):
        EnergyLoss("nope")
