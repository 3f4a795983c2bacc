"""Kaon absorption in the target and the horns: cross sections against published numbers
and an independent model, the attenuation against exp(-n sigma L), and the nu_mu flux above
3 GeV (kaon dominated) against the official MiniBooNE flux."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from muphilic.beamline import DEFAULT_FLUX_VOLUMES, BeamlineConfig, numu_flux, simulate
from muphilic.beamline.absorption import (
    kaon_absorption_xsec,
    kaon_nucleon_xsec,
    pion_absorption_xsec,
    pion_absorption_xsec_any,
)
from muphilic.beamline.facility_file import load_facility
from muphilic.beamline.simulate import kaon_survival
from muphilic.config import BeamConfig, ConfigError
from muphilic.constants import GeV, barn, cm3, g, mm, mole
from muphilic.data import data_file

MB = 1.0e-3 * barn
N_A = 6.02214076e23 / mole


def test_k_plus_proton_total_cross_section_matches_the_pdg_value():
    # PDG compilation: sigma_tot(K+ p) is flat at 17.2-17.5 mb between 5 and 20 GeV/c
    # (e.g. 17.3 mb); the parametrisation must agree within 3 %.
    p = np.array([5.0, 10.0, 20.0]) * GeV
    tot = kaon_nucleon_xsec(p, "K+", "p", "total") / MB
    assert np.all(np.abs(tot / 17.3 - 1.0) < 0.03)
    # elastic part of K+ p at 10 GeV/c: ~3.2 mb in the PDG compilation
    assert kaon_nucleon_xsec(10 * GeV, "K+", "p", "elastic") / MB == pytest.approx(3.2, rel=0.15)


def test_glauber_gribov_form_reproduces_g4bnbs_independent_pion_fits():
    # The same Glauber-Gribov form with GEANT4's pion coefficients (R = 1.08 fm A^1/3 times
    # its light-nucleus correction, c = 2.4) and the FTF pion-nucleon inelastic cross
    # sections (G4ComponentGGHadronNucleusXsc::GetHNinelasticXscVU), against G4BNB's fits
    # of pion-Be and pion-Al absorption data: 12 % for Al, 20 % for Be at 2-5 GeV/c.
    p = np.array([2.0, 3.0, 5.0]) * GeV
    for z, a, nucleus, tol in ((13, 27, "Al", 0.12), (4, 9, "Be", 0.20)):
        for q in (1, -1):
            gg = pion_absorption_xsec_any(p, q, z, a)
            g4bnb = pion_absorption_xsec(p, q, nucleus)
            assert np.all(np.abs(gg / g4bnb - 1.0) < tol), (nucleus, q, gg / g4bnb)


def test_kaon_cross_sections_are_ordered_and_scale_with_the_nucleus():
    p = np.array([1.0, 3.0, 8.0]) * GeV
    kp = kaon_absorption_xsec(p, "K+", 4, 9)
    km = kaon_absorption_xsec(p, "K-", 4, 9)
    k0 = kaon_absorption_xsec(p, "K0L", 4, 9)
    assert np.all(kp < k0) and np.all(k0 < km)
    # K+ is absorbed less than a pion (G4BNB's pi+ Be), more than 1/2 of it above 2 GeV/c
    ratio = kp / pion_absorption_xsec(p, 1, "Be")
    assert np.all(ratio < 1.0) and np.all(ratio[1:] > 0.5)
    # surface-dominated A dependence: Al/Be between A^(2/3) ratio 1.94 and A ratio 3
    al = kaon_absorption_xsec(p, "K+", 13, 27)
    assert np.all((al / kp > 1.94) & (al / kp < 3.0))
    with pytest.raises(ValueError, match="no kaon-nucleon"):
        kaon_absorption_xsec(p, "pi+", 4, 9)


def test_kaon_survival_is_exp_minus_n_sigma_l_for_a_pencil_beam():
    bnb = load_facility("bnb")
    t = bnb.target
    n = 4
    pos = np.column_stack((np.zeros(n), np.zeros(n), np.full(n, t.z_min + 100.0 * mm)))
    u = np.tile([0.0, 0.0, 1.0], (n, 1))
    p = np.array([1.0, 2.0, 4.0, 8.0]) * GeV
    wall = np.full(n, 30.0 * mm)
    got = kaon_survival("K+", p, pos, u, wall, t)
    # independent: n = rho N_A / M, path = target end - start on the axis
    n_be = 1.848 * g / cm3 * N_A / (9.012182 * g / mole)
    n_al = 2.7 * g / cm3 * N_A / (26.981539 * g / mole)
    length = t.z_max - (t.z_min + 100.0 * mm)
    expected = np.exp(
        -n_be * kaon_absorption_xsec(p, "K+", 4, 9) * length
        - n_al * kaon_absorption_xsec(p, "K+", 13, 27) * wall
    )
    assert got == pytest.approx(expected, rel=1e-9)
    # order of magnitude: 61 cm of Be and 3 cm of Al remove 40-60 % of the kaons
    assert np.all((got > 0.4) & (got < 0.6))


@pytest.fixture(scope="module")
def pair():
    on = simulate(40_000, 11)
    off = simulate(40_000, 11, config=BeamlineConfig(kaon_absorption=False))
    return on, off


def test_kaon_absorption_removes_kaons_only(pair):
    on, off = pair
    for s in ("pi+", "pi-"):
        assert np.array_equal(on.parents[s].weight, off.parents[s].weight)
    for s in ("K+", "K-"):
        ratio = on.parents[s].weight.sum() / off.parents[s].weight.sum()
        assert 0.80 < ratio < 0.97, (s, ratio)
    assert on.produced_per_pot == off.produced_per_pot


def test_flux_above_3_gev_agrees_with_the_official_miniboone_flux(pair):
    # Reference: the MiniBooNE flux release of arXiv:0806.1449 (package data). Above 3 GeV the
    # nu_mu flux is K+ dominated; with kaon absorption the 3-5 GeV flux must be within 20 %
    # (statistical noise of 40k POT: ~8 %), without it it is ~25 % high.
    path = data_file("beamline", "miniboone_bnb_numu_flux.csv")
    ref = np.loadtxt(path, delimiter=",", skiprows=5)
    centre = 0.5 * (ref[:, 0] + ref[:, 1])
    official = ref[(centre > 3.0) & (centre < 5.0), 2].sum()
    edges = np.array([3.0, 5.0]) * GeV
    on, off = pair
    f_on = numu_flux(on, DEFAULT_FLUX_VOLUMES["miniboone"], edges).integral
    f_off = numu_flux(off, DEFAULT_FLUX_VOLUMES["miniboone"], edges).integral
    assert f_on / official == pytest.approx(1.0, abs=0.20)
    assert 0.72 < f_on / f_off < 0.90


def test_kaon_absorption_is_a_beam_config_switch():
    assert BeamConfig().kaon_absorption is True
    with pytest.raises(ConfigError, match=r"beam\.kaon_absorption"):
        replace(BeamConfig(), kaon_absorption="yes").validate()
    assert BeamlineConfig().kaon_absorption is True
