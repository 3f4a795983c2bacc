"""Eq. (5) emission probability and the samplers of mu N -> mu N S in the dump."""

from __future__ import annotations

import json

import numpy as np
import pytest

from muphilic.constants import DEDX_IRON_PAPER, N_IRON_PAPER, GeV, MeV, cm, cm2, m, m_mu, mm
from muphilic.emission.muon_scattering import (
    MuonScatteringError,
    aim_emissions,
    emission_probability,
    mass_slice,
    sample_emissions,
    xsec_summary,
)
from muphilic.events import MuonSample


def make_muons(n: int, rng: np.random.Generator, e_lo=0.4 * GeV, e_hi=6 * GeV) -> MuonSample:
    energy = np.exp(rng.uniform(np.log(e_lo), np.log(e_hi), n))
    pabs = np.sqrt(energy**2 - m_mu**2)
    th = np.abs(rng.normal(0, 0.05, n))
    ph = rng.uniform(0, 2 * np.pi, n)
    p3 = pabs[:, None] * np.stack(
        [np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th)], axis=1
    )
    pos = np.stack([rng.normal(0, 300, n), rng.normal(0, 300, n), np.full(n, 50 * m)], axis=1)
    return MuonSample(np.concatenate([energy[:, None], p3], axis=1), pos, rng.uniform(0.5, 1.5, n))


def test_eq5_constant_sigma_reduces_to_closed_form():
    # Paper Eq. (5) with sigma(E) = sigma_0: P = n_N sigma_0 E_mu / <dE/dx>.
    e = np.array([0.5, 1.0, 3.0, 8.0]) * GeV
    s0 = 1e-28 * cm2
    p = emission_probability(e, 30 * MeV, sigma=s0)
    np.testing.assert_allclose(p, N_IRON_PAPER * s0 * e / DEDX_IRON_PAPER, rtol=1e-12)


def test_eq5_with_energy_dependent_stopping_power():
    # A callable dE/dx equal to the constant gives the same P (above the muon mass,
    # sigma = 0 below threshold so the lower limit does not matter).
    e = np.array([1.0, 5.0]) * GeV
    const = emission_probability(e, 30 * MeV)
    func = emission_probability(e, 30 * MeV, dedx=lambda en: np.full_like(en, DEDX_IRON_PAPER))
    np.testing.assert_allclose(func, const, rtol=2e-3)


def test_eq5_table_value_matches_direct_integral():
    # P from the table equals n_N/<dE/dx> times a trapezoid integral of the table's
    # sigma over its own nodes, within the fine-grid discretisation (1 %).
    slc = mass_slice(30 * MeV)
    e_mu = 8 * GeV
    en = slc.energies[slc.energies <= e_mu]
    grid = np.concatenate([[0.0], en, [e_mu]])
    sig = slc.sigma_at(grid)
    integral = np.sum(0.5 * (sig[1:] + sig[:-1]) * np.diff(grid))
    expected = N_IRON_PAPER / DEDX_IRON_PAPER * integral
    assert emission_probability(e_mu, 30 * MeV) == pytest.approx(expected, rel=0.01)


def test_sampled_depths_inside_range_and_kinematics():
    rng = np.random.default_rng(1)
    muons = make_muons(4000, rng)
    mass = 40 * MeV
    sample = sample_emissions(muons, mass, rng)
    assert sample.channel == "muon"
    e_mu = muons.p4[:, 0]
    d = muons.p4[:, 1:] / np.linalg.norm(muons.p4[:, 1:], axis=1, keepdims=True)
    disp = sample.vertex - muons.position
    depth = np.sum(disp * d, axis=1)
    # depth in [0, range], range of a muon at constant dE/dx down to rest
    assert np.all(depth >= 0)
    assert np.all(depth <= (e_mu - m_mu) / DEDX_IRON_PAPER * (1 + 1e-9))
    # on the entry line (multiple scattering neglected)
    np.testing.assert_allclose(disp - depth[:, None] * d, 0.0, atol=1e-6 * mm)
    # scalar energy below the muon's and on its mass shell
    assert np.all(sample.p4[:, 0] < e_mu)
    np.testing.assert_allclose(
        sample.p4[:, 0] ** 2 - np.sum(sample.p4[:, 1:] ** 2, axis=1), mass**2, rtol=1e-6
    )
    # weights = muon weight * P_emit
    np.testing.assert_allclose(sample.weight, muons.weight * emission_probability(e_mu, mass))


def test_mean_depth_matches_eq5():
    # With constant dE/dx the mean depth is <E_mu - E'> / (dE/dx) with E' drawn from
    # sigma(E); compare the sample mean with the quadrature of the table sigma
    # (statistical tolerance: 4 standard errors).
    rng = np.random.default_rng(2)
    n = 20000
    e0 = 3 * GeV
    p4 = np.tile([e0, 0, 0, np.sqrt(e0**2 - m_mu**2)], (n, 1))
    muons = MuonSample(p4, np.zeros((n, 3)), np.ones(n))
    sample = sample_emissions(muons, 30 * MeV, rng)
    depth = sample.vertex[:, 2]
    slc = mass_slice(30 * MeV)
    e = np.linspace(0, e0, 20001)
    s = slc.sigma_at(e)
    expected = np.sum(s * (e0 - e)) / np.sum(s) / DEDX_IRON_PAPER
    assert depth.mean() == pytest.approx(expected, abs=4 * depth.std() / np.sqrt(n))
    assert 10 * cm < expected < 200 * cm  # paper: typical path ~50 cm


def _hits_sphere(origin, direction, center, radius):
    # closed-form ray-sphere intersection (forward ray only)
    oc = center - origin
    tca = np.sum(oc * direction, axis=1)
    d2 = np.sum(oc * oc, axis=1) - tca**2
    inside = np.sum(oc * oc, axis=1) <= radius**2
    return inside | ((tca > 0) & (d2 <= radius**2))


def test_aimed_yield_equals_brute_force():
    # The forced-direction weight is exact: the summed aimed weight must equal the
    # weighted yield of unaimed rays that cross the sphere, within the combined
    # statistical error (4 sigma).
    rng = np.random.default_rng(4)
    muons = make_muons(3000, rng, e_lo=0.3 * GeV, e_hi=2 * GeV)
    mass = 30 * MeV
    center = np.array([0.3 * m, 0.0, 56 * m])
    radius = 1.0 * m
    aimed = aim_emissions(muons, mass, center, radius, rng)
    assert np.all(_hits_sphere(aimed.vertex, aimed.direction, center, radius))
    hits, hits2 = 0.0, 0.0
    n_rep = 40
    for _ in range(n_rep):
        free = sample_emissions(muons, mass, rng)
        h = _hits_sphere(free.vertex, free.direction, center, radius)
        hits += np.sum(free.weight[h])
        hits2 += np.sum(free.weight[h] ** 2)
    brute = hits / n_rep
    brute_err = np.sqrt(hits2) / n_rep
    aim_sum = aimed.weight.sum()
    aim_err = np.sqrt(np.sum(aimed.weight**2))
    assert brute > 20 * brute_err / np.sqrt(n_rep)  # the test has statistical power
    assert abs(aim_sum - brute) < 4 * np.hypot(aim_err, brute_err)


def test_aim_rejects_bad_geometry():
    rng = np.random.default_rng(0)
    muons = make_muons(10, rng)
    with pytest.raises(MuonScatteringError, match="target_radius"):
        aim_emissions(muons, 30 * MeV, np.zeros(3), -1.0, rng)
    with pytest.raises(MuonScatteringError, match="mass"):
        sample_emissions(muons, 250 * MeV, rng)


def test_xsec_summary_is_json_ready():
    out = xsec_summary(30.0, 3.0)
    assert set(out) >= {"sigma_exact_cm2", "sigma_iww_cm2", "mass_MeV", "energy_GeV", "target"}
    json.dumps(out)
    # agrees with the shipped table interpolated at that point within 3 % (table
    # interpolation in ln m and linear in E between nodes)
    slc = mass_slice(30 * MeV)
    assert out["sigma_exact_cm2"] == pytest.approx(slc.sigma_at(3 * GeV) / cm2, rel=0.03)
    assert out["target"] == "Fe"
