"""Independent cross-checks of kaon absorption, dump scattering, the NC pi0 cross section and
the recast normalisations, each recomputed here from first principles or a published value
(treating the package as a black box). Where the package disagrees with the reference the
test is marked ``xfail(strict=True)`` with the reason."""

from __future__ import annotations

import math

import numpy as np
import pytest

from muphilic.beamline.absorption import (
    A_BERYLLIUM,
    N_AVOGADRO,
    RHO_BERYLLIUM,
    kaon_absorption_length,
    kaon_absorption_xsec,
    kaon_nucleon_xsec,
)
from muphilic.beamline.dump_scattering import highland_theta0
from muphilic.constants import GeV, barn, cm, cm2, g, tonne
from muphilic.recast.ncpi0 import flux_averaged_ncpi0_cm2, ncpi0_events, ncpi0_xsec_per_nucleon
from muphilic.recast.spectra import (
    MICROBOONE_PAPER,
    MINIBOONE_NCPI0_POT,
    SIGMA_NCPI0_0P_MICROBOONE,
    microboone_0p_selection,
    miniboone_nubar_error_bar_pot,
    modelled_components,
    pot_from_error_bars,
)

MB = 1.0e-3 * barn
M_MU_MEV = 105.6583755  # PDG
X0_IRON_MM = 17.57  # PDG: 13.84 g/cm^2 / 7.874 g/cm^3
DEDX_MEV_PER_MM = 1.6  # the paper's 16 MeV/cm

# ---------------------------------------------------------------------------------------------
# 1. Kaon absorption: an optical-limit Glauber model written here
#    sigma_abs = int d^2b [1 - exp(-sigma_in(hN) T(b))], T normalised to A.
# Densities: harmonic-oscillator charge densities for 9Be and 12C with alpha = (Z-2)/3 and the
# measured rms charge radii 2.519 fm and 2.470 fm (Angeli & Marinova, ADNDT 99 (2013) 69);
# two-parameter Fermi for 27Al, c = 3.07 fm, a = 0.519 fm (de Vries et al., ADNDT 36 (1987)
# 495). Calibration: with sigma_in(NN) = 30-32 mb this model gives sigma_inel(p Be) = 192-199 mb
# and sigma_inel(p C) = 236-243 mb, against 192 mb and 232 mb from the PDG nuclear interaction
# lengths (77.8 and 85.8 g/cm^2), i.e. within ~4 %.
# Kaon-nucleon inelastic cross sections at 5 GeV/c from the PDG compilation (sigma_tot -
# sigma_el): K+p 17.2 - 3.4 = 13.8 mb, K+n ~14.0 mb, K-p 24.6 - 4.1 = 20.5 mb, K-n ~17.5 mb.
# ---------------------------------------------------------------------------------------------
SIGMA_IN_5GEV_MB = {"K+": (13.8, 14.0), "K-": (20.5, 17.5)}
NUCLEI = {"Be": (4, 9), "C": (6, 12), "Al": (13, 27)}


def _density(name: str, r: np.ndarray) -> np.ndarray:
    if name == "Al":
        return 1.0 / (1.0 + np.exp((r - 3.07) / 0.519))
    z, _ = NUCLEI[name]
    rms = {"Be": 2.519, "C": 2.470}[name]
    alpha = (z - 2) / 3
    a = rms / math.sqrt(1.5 * (1 + 5 / 3 * alpha) / (1 + 1.5 * alpha))
    return (1 + alpha * (r / a) ** 2) * np.exp(-((r / a) ** 2))


def _glauber_mb(species: str, name: str) -> float:
    z, a = NUCLEI[name]
    sp, sn = SIGMA_IN_5GEV_MB[species]
    sigma_fm2 = (z * sp + (a - z) * sn) / a / 10.0
    r = np.linspace(0.0, 12.0, 1201)
    norm = np.trapezoid(4 * np.pi * r**2 * _density(name, r), r)
    b = np.linspace(0.0, 10.0, 401)[:, None]
    zz = np.linspace(-12.0, 12.0, 961)[None, :]
    thickness = np.trapezoid(_density(name, np.hypot(b, zz)), zz[0], axis=1) * a / norm
    bb = b[:, 0]
    return float(np.trapezoid(2 * np.pi * bb * (1 - np.exp(-sigma_fm2 * thickness)), bb) * 10.0)


@pytest.mark.parametrize(
    ("species", "nucleon", "ref_mb"),
    [("K+", "p", 13.8), ("K+", "n", 14.0), ("K-", "p", 20.5), ("K-", "n", 17.5)],
)
def test_kaon_nucleon_inelastic_at_5_gev_matches_pdg(species, nucleon, ref_mb):
    got = float(kaon_nucleon_xsec(np.array([5.0 * GeV]), species, nucleon, "inelastic")[0])
    assert got / MB == pytest.approx(ref_mb, rel=0.10)


def test_glauber_reference_reproduces_pdg_proton_cross_sections():
    # the reference model itself, against PDG sigma_inel(p Be) = 192 mb, (p C) = 232 mb
    SIGMA_IN_5GEV_MB["p"] = (31.0, 31.0)
    try:
        assert _glauber_mb("p", "Be") == pytest.approx(192.0, rel=0.05)
        assert _glauber_mb("p", "C") == pytest.approx(232.0, rel=0.05)
    finally:
        del SIGMA_IN_5GEV_MB["p"]


@pytest.mark.parametrize("species", ["K+", "K-"])
@pytest.mark.parametrize("name", ["Be", "C", "Al"])
def test_kaon_absorption_at_5_gev_within_15_percent_of_glauber(species, name):
    z, a = NUCLEI[name]
    got = float(kaon_absorption_xsec(np.array([5.0 * GeV]), species, z, a)[0]) / MB
    assert got == pytest.approx(_glauber_mb(species, name), rel=0.15)


@pytest.mark.parametrize("p_gev", [2.0, 3.0, 8.0])
@pytest.mark.parametrize("species", ["K+", "K-"])
def test_kaon_nuclear_step_2_to_8_gev_within_15_percent_of_glauber(species, p_gev):
    # the package's own kaon-nucleon inelastic cross sections fed to the Glauber model above,
    # so that only the nucleus step is compared (package/Glauber: Be 0.93, C 0.95, Al 1.06-1.10)
    p = np.array([p_gev * GeV])
    key = f"{species} @ {p_gev}"
    SIGMA_IN_5GEV_MB[key] = tuple(
        float(kaon_nucleon_xsec(p, species, nucleon, "inelastic")[0]) / MB for nucleon in "pn"
    )
    try:
        for name, (z, a) in NUCLEI.items():
            got = float(kaon_absorption_xsec(p, species, z, a)[0]) / MB
            assert got == pytest.approx(_glauber_mb(key, name), rel=0.15), name
    finally:
        del SIGMA_IN_5GEV_MB[key]


@pytest.mark.xfail(
    strict=True,
    reason="A-dependence too steep: sigma_abs(Al)/sigma_abs(Be) = 2.76 (K+) and 2.72 (K-), "
    "alpha = 0.92/0.91, against 0.80/0.75 from Glauber (0.87/0.82 after the proton "
    "calibration) and the global kaon fits alpha ~ 0.75-0.80 (Denisov 1973, Carroll 1979). "
    "Confirmed by a measurement: GEANT4's kaon radius R = 1.3 fm A^1/3 (used here, as in "
    "G4ComponentGGHadronNucleusXsc) gives K0L-nucleus total cross sections rising as A^0.93 "
    "over C-Pb at 30-150 GeV, measured A^(0.84 +- 0.01) ('KL-Nucleus Total Cross Sections "
    "between 30 and 150 GeV: Quantitative Evidence for Inelastic Screening', PRL 1979). Not "
    "fixed: no absolute K-nucleus absorption data at hand to fix the normalisation with",
)
@pytest.mark.parametrize("species", ["K+", "K-"])
def test_kaon_absorption_a_dependence_be_to_al(species):
    p = np.array([5.0 * GeV])
    ratio = kaon_absorption_xsec(p, species, 13, 27)[0] / kaon_absorption_xsec(p, species, 4, 9)[0]
    alpha = math.log(float(ratio)) / math.log(3.0)
    # Glauber: 0.80 (K+), 0.75 (K-). For protons the same model gives a Be->Al slope of 0.64
    # against 0.71 from the PDG interaction lengths (77.8, 107.2 g/cm^2), so allow +0.08.
    ref = math.log(_glauber_mb(species, "Al") / _glauber_mb(species, "Be")) / math.log(3.0)
    # Two candidate fixes were measured and not applied (no absolute data to choose with):
    # GEANT4's nucleon/pion radius for kaons gives K0L totals as A^0.84 (the measurement) and
    # Be->Al alpha 0.85 (K+) / 0.83 (K-), with Be 6/8 % and Al 13/16 % lower than now (K+/K-);
    # anchoring the kaons to G4BNB's measured pion-Be/Al fits (kaon/pion ratio from
    # Glauber-Gribov) gives alpha 0.68/0.77, Be +14/+6 %, Al -13/-9 %. They bracket this
    # reference, at 5 GeV/c. Either moves the BNB kaon channel little: `muphilic spectrum
    # --json` kaon signal +1.4 % / +0.4 % (MiniBooNE, 40 MeV, 1e-4) and +1.4 % / +0.3 %
    # (MicroBooNE, 24 MeV, 3e-4).
    assert ref - 0.05 < alpha < ref + 0.08


@pytest.mark.parametrize("species", ["K+", "K-"])
def test_kaon_attenuation_over_71_cm_of_beryllium(species):
    # n(Be) = 1.848 g/cm^3 / 9.012 g/mol x N_A = 1.235e23 cm^-3
    n_be = 1.848 / 9.012 * 6.02214076e23
    assert RHO_BERYLLIUM / A_BERYLLIUM * N_AVOGADRO * cm**3 == pytest.approx(n_be, rel=1e-3)
    lam_ref_cm = 1.0 / (n_be * _glauber_mb(species, "Be") * 1e-27)
    lam = kaon_absorption_length(np.array([5.0 * GeV]), species, 4, 9, n_be / cm**3)[0] / cm
    assert lam == pytest.approx(lam_ref_cm, rel=0.15)
    # survival across 71 cm: reference 0.40 (K+) / 0.30 (K-)
    assert math.exp(-71.0 / lam) == pytest.approx(math.exp(-71.0 / lam_ref_cm), abs=0.06)


# ---------------------------------------------------------------------------------------------
# 2. Highland (PDG Eq. 34.15, Lynch & Dahl NIM B58 (1991) 6) for a muon slowing down in iron
#    at constant dE/dx: theta0^2 = (13.6 MeV)^2 [1 + 0.038 ln(L/X0)]^2 int dx / (X0 (beta p)^2),
#    the log term applied once with the total thickness L (not per step), beta = 1 in the log.
# ---------------------------------------------------------------------------------------------
def _highland_ref(e0: float, e: float) -> float:
    energy = np.geomspace(e, e0, 20001)
    weight = (energy / (energy**2 - M_MU_MEV**2)) ** 2
    integral = np.trapezoid(weight, energy) / DEDX_MEV_PER_MM / X0_IRON_MM
    length = (e0 - e) / DEDX_MEV_PER_MM / X0_IRON_MM
    return 13.6 * math.sqrt(integral) * (1 + 0.038 * math.log(length))


@pytest.mark.parametrize("e0", [1000.0, 3000.0, 5000.0])
@pytest.mark.parametrize("frac", [0.9, 0.5, 0.2])
def test_highland_theta0_matches_own_integration(e0, frac):
    got = float(highland_theta0(np.array([e0]), np.array([frac * e0]))[0])
    assert got == pytest.approx(_highland_ref(e0, frac * e0), rel=0.01)


@pytest.mark.parametrize("e0", [1000.0, 3000.0, 5000.0])
def test_highland_theta0_down_to_200_mev(e0):
    got = float(highland_theta0(np.array([e0]), np.array([200.0]))[0])
    assert got == pytest.approx(_highland_ref(e0, 200.0), rel=0.02)


# Bethe (PDG Eq. 34.5) for a muon in iron: Z/A = 26/55.845, I = 286 eV, rho = 7.874 g/cm^3,
# Sternheimer density-effect parameters for Fe (Sternheimer, Berger & Seltzer, ADNDT 30 (1984)
# 261): -C = 4.2911, x0 = -0.0012, x1 = 3.1531, a = 0.1468, k = 2.9632, delta0 = 0.12.
def _bethe_iron_mev_per_mm(energy: np.ndarray) -> np.ndarray:
    me, gamma = 0.51099895, energy / M_MU_MEV
    b2 = 1 - 1 / gamma**2
    bg2 = b2 * gamma**2
    tmax = 2 * me * bg2 / (1 + 2 * gamma * me / M_MU_MEV + (me / M_MU_MEV) ** 2)
    x = 0.5 * np.log10(bg2)
    delta = np.where(
        x >= 3.1531,
        2 * np.log(10) * x - 4.2911,
        np.where(
            x >= -0.0012,
            2 * np.log(10) * x - 4.2911 + 0.1468 * (3.1531 - x) ** 2.9632,
            0.12 * 10 ** (2 * (x + 0.0012)),
        ),
    )
    bracket = 0.5 * np.log(2 * me * bg2 * tmax / 286e-6**2) - b2 - delta / 2
    return 0.307075 * 26 / 55.845 / b2 * bracket * 7.874 / 10


def test_bethe_stopping_power_in_iron():
    from muphilic.beamline import EnergyLoss

    energy = np.array([200.0, 400.0, 1000.0, 3000.0, 5000.0])
    got = EnergyLoss("bethe").stopping_power(energy)
    assert got == pytest.approx(_bethe_iron_mev_per_mm(energy), rel=0.01)
    # PDG muon table, iron: minimum ionisation 1.451 MeV cm^2/g near p = 0.3 GeV/c
    assert float(got[1]) * 10 / 7.874 == pytest.approx(1.451, rel=0.02)


@pytest.mark.parametrize("e0", [1000.0, 3000.0, 5000.0])
def test_highland_theta0_with_bethe_energy_loss(e0):
    from muphilic.beamline import EnergyLoss

    energy = np.geomspace(0.2 * e0, e0, 20001)
    dedx = _bethe_iron_mev_per_mm(energy)
    weight = (energy / (energy**2 - M_MU_MEV**2)) ** 2 / dedx
    length = np.trapezoid(1 / dedx, energy) / X0_IRON_MM
    ref = 13.6 * math.sqrt(np.trapezoid(weight, energy) / X0_IRON_MM)
    ref *= 1 + 0.038 * math.log(length)
    got = highland_theta0(np.array([e0]), np.array([0.2 * e0]), EnergyLoss("bethe").stopping_power)
    assert float(got[0]) == pytest.approx(ref, rel=0.01)


def test_highland_theta0_near_stopping_is_monotonic_and_matches():
    # failed before the package integrated in ln(E - m_mu): 0.39 vs 0.48 rad for 5 GeV -> 120 MeV,
    # decreasing with more iron crossed
    e0 = np.array([1000.0, 3000.0, 5000.0])
    got = highland_theta0(e0, np.full(3, 120.0))
    assert np.all(np.diff(got) > 0)
    ref = [_highland_ref(x, 120.0) for x in e0]
    assert got == pytest.approx(ref, rel=0.10)


# ---------------------------------------------------------------------------------------------
# 3. NC pi0 cross section and event count
# ---------------------------------------------------------------------------------------------
def test_ncpi0_flux_averaged_matches_miniboone():
    # MiniBooNE, arXiv:0911.2063 (PRD 81, 013005): nu-mode flux-averaged NC pi0 cross section
    # (4.76 +- 0.05 stat +- 0.76 sys) x 1e-40 cm^2/nucleon at <E_nu> = 808 MeV on CH2.
    # For a cross section linear in E the flux average equals sigma(<E>); check both ways.
    sigma = float(ncpi0_xsec_per_nucleon(np.array([808.0]))[0]) / cm2
    assert abs(sigma - 4.76e-40) < 0.77e-40
    edges = np.array([608.0, 1008.0])
    assert flux_averaged_ncpi0_cm2(edges, [1.0]) == pytest.approx(sigma, rel=1e-6)


def test_ncpi0_events_flat_flux_by_hand():
    # one flat 0.9-1.1 GeV bin, 1e-10 nu/cm^2/POT, 1e20 POT, 1 t, 50 % efficiency:
    # N = POT x eff x (m / 1 g/mol) N_A x flux x sigma(1 GeV)
    sigma_1gev = float(ncpi0_xsec_per_nucleon(np.array([1000.0]))[0]) / cm2
    by_hand = 1e20 * 0.5 * 1e6 * 6.02214076e23 * 1e-10 * sigma_1gev
    got = ncpi0_events(
        np.array([900.0, 1100.0]), [1e-10], pot=1e20, fiducial_mass=1.0 * tonne, efficiency=0.5
    )
    assert got == pytest.approx(by_hand, rel=2e-3)
    # and the mass is counted in nucleons of ~1 g/mol, not nuclei
    assert got == pytest.approx(1e20 * 0.5 * 6.022e29 * 1e-10 * sigma_1gev, rel=2e-3)
    assert 1e6 * g == pytest.approx(1.0 * tonne)


# ---------------------------------------------------------------------------------------------
# 4. MicroBooNE 2gamma0p totals (arXiv:2205.07943)
# ---------------------------------------------------------------------------------------------
def test_microboone_totals_exposure_and_sum():
    t = microboone_0p_selection()
    assert t.pot == pytest.approx(5.89e20, rel=2e-3)  # 5.89e20 POT, Runs 1-3
    assert MICROBOONE_PAPER.pot == pytest.approx(5.89e20, rel=1e-3)
    assert t.nc_pi0 + t.beam_other + t.cosmic == pytest.approx(t.data, rel=1e-3)
    # published flux-averaged NC pi0 0p cross section: 0.624 x 1e-38 cm^2/Ar
    assert SIGMA_NCPI0_0P_MICROBOONE / cm2 == pytest.approx(0.624e-38, rel=1e-3)


def test_microboone_components_sum_and_scale():
    t = microboone_0p_selection()
    edges = np.linspace(0.0, 2000.0, 401)
    kw = {"resolution": 0.33}
    ref = modelled_components(
        edges, flux=t.numu_flux, pot=t.pot, background_mass=t.argon_mass, **kw
    )
    assert sum(float(v.sum()) for v in ref.values()) == pytest.approx(t.data, rel=1e-3)
    scaled = modelled_components(
        edges, flux=2 * t.numu_flux, pot=t.pot / 2, background_mass=3 * t.argon_mass, **kw
    )
    # beam-induced: flux x POT x mass (x3); cosmic (beam-off): POT x mass only (x1.5)
    assert scaled["nc_pi0"].sum() == pytest.approx(3 * ref["nc_pi0"].sum(), rel=1e-9)
    assert scaled["beam_other"].sum() == pytest.approx(3 * ref["beam_other"].sum(), rel=1e-9)
    assert scaled["cosmic"].sum() == pytest.approx(1.5 * ref["cosmic"].sum(), rel=1e-9)


# ---------------------------------------------------------------------------------------------
# 5. MiniBooNE exposures (arXiv:0911.2063)
# ---------------------------------------------------------------------------------------------
def test_pot_from_error_bars_recovers_synthetic_exposure():
    # N = rho w P, e = sqrt(N)/(w P)  =>  P = rho / (w e^2)
    rho = np.array([0.5, 2.0, 7.0])
    p_true, w = 3.68, 8.0
    err = np.sqrt(rho * w * p_true) / (w * p_true)
    assert pot_from_error_bars(rho, err, w) == pytest.approx(p_true, rel=1e-9)


def test_miniboone_exposures():
    assert math.isclose(MINIBOONE_NCPI0_POT, 6.46e20, rel_tol=1e-3)  # nu mode, 0911.2063
    # antineutrino mode: 3.68e20 POT as recalled from 0911.2063 (not re-read here; a wide
    # tolerance, which still catches a factor-of-2 error in the estimator)
    assert miniboone_nubar_error_bar_pot() == pytest.approx(3.68e20, rel=0.10)
