"""Cross section of mu N -> mu N S: matrix element, form factors, integrators, IWW, tables."""

from __future__ import annotations

import numpy as np
import pytest

from muphilic.constants import GeV, MeV, alpha_em, cm2, hbarc, m_mu
from muphilic.emission.dump_xsec import (
    lepton_trace,
    mdot,
    photon_muon_amplitude_squared,
    sigma_vegas,
)
from muphilic.emission.form_factors import (
    FormFactor,
    TargetError,
    g2_elastic,
    g2_inelastic,
    get_target,
    nuclear_form_factor,
)
from muphilic.emission.xsec_tables import (
    DEFAULT_ENERGIES,
    DEFAULT_MASSES,
    integrate_cells,
    load_table,
)

FE = get_target("Fe")

# ---------------------------------------------------------------- explicit Dirac algebra
G0 = np.diag([1, 1, -1, -1]).astype(complex)
_SX = np.array([[0, 1], [1, 0]], dtype=complex)
_SY = np.array([[0, -1j], [1j, 0]], dtype=complex)
_SZ = np.array([[1, 0], [0, -1]], dtype=complex)
GAMMA = [G0] + [np.block([[np.zeros((2, 2)), s], [-s, np.zeros((2, 2))]]) for s in (_SX, _SY, _SZ)]
ONE = np.eye(4, dtype=complex)


def slash(a: np.ndarray) -> np.ndarray:
    return a[0] * GAMMA[0] - a[1] * GAMMA[1] - a[2] * GAMMA[2] - a[3] * GAMMA[3]


def brute_trace(p, pp, k, eps, ms, y=1.0):
    """Tr[(p'/+m) O (p/+m) O-bar] with the unsimplified propagators and coupling y."""
    m = m_mu
    d1 = mdot(pp + k, pp + k) - m**2
    d2 = mdot(p - k, p - k) - m**2
    o = y * (
        (slash(pp + k) + m * ONE) @ slash(eps) / d1 + slash(eps) @ (slash(p - k) + m * ONE) / d2
    )
    obar = G0 @ o.conj().T @ G0
    return np.trace((slash(pp) + m * ONE) @ o @ (slash(p) + m * ONE) @ obar)


def on_shell(rng, mass, scale):
    p3 = rng.normal(size=3) * scale
    return np.concatenate([[np.sqrt(mass**2 + p3 @ p3)], p3])


def test_trace_matches_explicit_gamma_matrices():
    # The closed form (on-shell simplification) must equal the literal trace of
    # 4x4 matrices at random on-shell momenta and random eps, to rounding.
    rng = np.random.default_rng(7)
    for _ in range(40):
        ms = rng.uniform(1, 210) * MeV
        p = on_shell(rng, m_mu, rng.uniform(50, 3000))
        pp = on_shell(rng, m_mu, rng.uniform(50, 3000))
        k = on_shell(rng, ms, rng.uniform(50, 3000))
        eps = rng.normal(size=4) * 500
        brute = brute_trace(p, pp, k, eps, ms)
        assert abs(brute.imag) < 1e-9 * abs(brute.real)
        assert lepton_trace(p, pp, k, eps, ms) == pytest.approx(brute.real, rel=1e-9)


def test_cross_section_scales_as_y_squared():
    # The amplitude is linear in the Yukawa coupling: |M|^2(y) = y^2 |M|^2(1), which
    # is why the package tabulates sigma / y^2 (checked on the literal trace).
    rng = np.random.default_rng(3)
    p, pp, k = on_shell(rng, m_mu, 900), on_shell(rng, m_mu, 400), on_shell(rng, 30, 500)
    eps = rng.normal(size=4)
    for y in (1e-5, 3e-4, 0.1):
        ratio = brute_trace(p, pp, k, eps, 30.0, y=y).real / lepton_trace(p, pp, k, eps, 30.0)
        assert ratio == pytest.approx(y**2, rel=1e-9)


def test_trace_is_gauge_invariant():
    # Current conservation: T(eps + c q) = T(eps) with q = p' + k - p (on shell).
    rng = np.random.default_rng(11)
    for _ in range(20):
        ms = rng.uniform(1, 210)
        p, pp, k = on_shell(rng, m_mu, 800), on_shell(rng, m_mu, 600), on_shell(rng, ms, 700)
        q = pp + k - p
        eps = rng.normal(size=4) * 100
        ref = lepton_trace(p, pp, k, eps, ms)
        for c in (-3.0, 0.5, 40.0):
            assert lepton_trace(p, pp, k, eps + c * q, ms) == pytest.approx(ref, rel=1e-7)


def test_photon_amplitude_matches_polarisation_sum():
    # |A|^2(gamma mu -> S mu) in closed form vs -g_{mu nu} T^{mu nu} summed over a
    # basis with the literal trace, at real-photon kinematics (CM frame).
    rng = np.random.default_rng(5)
    metric = np.diag([1.0, -1.0, -1.0, -1.0])
    for _ in range(10):
        ms = rng.uniform(1, 200)
        s = (m_mu + ms + rng.uniform(1, 2000)) ** 2
        rs = np.sqrt(s)
        pin = (s - m_mu**2) / (2 * rs)
        p = np.array([np.sqrt(pin**2 + m_mu**2), 0, 0, -pin])
        q = np.array([pin, 0, 0, pin])
        pout = np.sqrt((s - (m_mu + ms) ** 2) * (s - (m_mu - ms) ** 2)) / (2 * rs)
        c, phi = rng.uniform(-1, 1), rng.uniform(0, 2 * np.pi)
        n = np.array([np.sqrt(1 - c**2) * np.cos(phi), np.sqrt(1 - c**2) * np.sin(phi), c])
        k = np.concatenate([[np.sqrt(pout**2 + ms**2)], pout * n])
        pp = p + q - k
        contraction = 0.0
        for mu in range(4):
            e = np.zeros(4)
            e[mu] = 1.0
            contraction += -metric[mu, mu] * brute_trace(p, pp, k, e, ms).real
        expected = 0.25 * 4 * np.pi * alpha_em * contraction
        s_t = s - m_mu**2
        u_t = mdot(p - k, p - k) - m_mu**2
        assert photon_muon_amplitude_squared(s_t, u_t, ms) == pytest.approx(expected, rel=1e-8)


# ----------------------------------------------------------------------- form factors
def test_form_factor_coherence_at_small_t():
    # q = 1 MeV is far below 1/R_Fe ~ 40 MeV and far above the screening scale
    # (a^-1 ~ 14 keV): G2_el -> Z^2 (coherent nucleus) for both models.
    for model in ("helm", "tsai"):
        assert g2_elastic(1.0, FE, model) / FE.Z**2 == pytest.approx(1.0, abs=2e-3)
    # and screening switches it off at t -> 0 (neutral atom)
    assert g2_elastic(1e-8, FE) / FE.Z**2 < 1e-3


def test_form_factor_suppression_at_large_t():
    # For q >> 1/R the coherent nucleus breaks up: F^2 << 1.
    t = (400 * MeV) ** 2
    for model in ("helm", "tsai"):
        assert g2_elastic(t, FE, model) / FE.Z**2 < 2e-2
    # The Helm form factor vanishes at the first zero of j1: q r_n = 4.4934.
    c = 1.23 * 56 ** (1 / 3) - 0.60
    rn = np.sqrt(c**2 + 7 / 3 * np.pi**2 * 0.52**2 - 5 * 0.9**2)  # fm
    q = 4.493409 / rn * 197.3269804 * MeV  # MeV
    assert abs(nuclear_form_factor(q**2, FE, "helm")) < 1e-5


def test_inelastic_part_is_incoherent():
    # Pauli blocking (1 - F^2) removes the incoherent part at small t; at t = 0.1 GeV^2
    # (beyond the first Helm zero, F^2 < 1e-3) it is Z times the Rosenbluth W2 of a
    # proton with dipole G_E = G_M / mu_p: (G_E^2 + tau G_M^2) / (1 + tau).
    assert g2_inelastic(1.0, FE) / FE.Z < 1e-3
    t = 0.1 * GeV**2
    tau = t / (4 * (938.272 * MeV) ** 2)
    g_e = (1 + t / (0.71 * GeV**2)) ** -2
    w2 = (g_e**2 + tau * (2.792847 * g_e) ** 2) / (1 + tau)
    assert g2_inelastic(t, FE) / FE.Z == pytest.approx(w2, rel=2e-3)
    assert g2_inelastic(t, FE, None) >= g2_inelastic(t, FE)


def test_unknown_target_message():
    with pytest.raises(TargetError, match="Xx"):
        get_target("Xx")


# ---------------------------------------------------------------------- integrators
def test_vegas_reproduces_the_quadrature_rule():
    # Second integrator with a different phase-space parametrisation (invariant mass of
    # mu'S, t, decay angles) must agree with the tabulated rule within the rule's
    # stated error plus 3 vegas standard deviations.
    e, ms = 2.0 * GeV, 20.0 * MeV
    cells = integrate_cells(e, ms, FE)
    mean, sdev = sigma_vegas(e, ms, FE, neval=20_000, nitn=6, seed=2)
    assert abs(mean - cells.sigma) < cells.sigma_err + 3 * sdev


def test_finer_grid_reproduces_table_node():
    # The shipped table at one node vs a finer rule (3 Gauss points per cell, more t
    # and azimuth points): within the table's stated error.
    table = load_table()
    i, j = 18, 10
    e, ms = DEFAULT_ENERGIES[i], DEFAULT_MASSES[j]
    fine = integrate_cells(e, ms, FE, n_gauss=3, n_t=(16, 28), n_beta=24)
    assert abs(fine.sigma - table.sigma[i, j]) < table.sigma_err[i, j]


def test_exact_and_iww_agree_where_ww_is_valid():
    # E >> m_S, m_mu: IWW neglects O(t_min/t) and the photon virtuality; we require 3 %.
    for ms in (10.0 * MeV, 30.0 * MeV):
        c = integrate_cells(8 * GeV, ms, FE)
        assert c.sigma_iww == pytest.approx(c.sigma, rel=0.03)


def test_iww_fails_near_threshold():
    # Sanity of the comparison: close to threshold WW is not expected to hold.
    c = integrate_cells(0.35 * GeV, 200 * MeV, FE)
    assert abs(c.sigma_iww / c.sigma - 1) > 0.2


def test_sigma_grows_with_energy_and_is_continuous_in_mass():
    # For relativistic muons (E >= 0.5 GeV) sigma rises with E at every mass. (Slow
    # muons are excluded: there the Born cross section of the lightest scalars grows
    # like 1/v^2, as non-relativistic bremsstrahlung does, and Z alpha / v ~ 1.)
    table = load_table()
    sig = table.sigma
    rel = 0.5 * GeV <= DEFAULT_ENERGIES
    for j in range(sig.shape[1]):
        above = rel & (sig[:, j] > 0)
        assert np.all(np.diff(sig[above, j]) > 0)
    # continuity: geometric mean of neighbouring mass nodes vs a direct computation
    # at the midpoint; the log-log curvature between nodes is below 2 %.
    e = DEFAULT_ENERGIES[20]
    m0, m1 = DEFAULT_MASSES[8], DEFAULT_MASSES[9]
    mid = np.sqrt(m0 * m1)
    direct = integrate_cells(e, mid, FE).sigma
    assert np.sqrt(sig[20, 8] * sig[20, 9]) == pytest.approx(direct, rel=0.02)


def test_table_units_and_magnitude():
    # Dimensional check against the natural scale of the process,
    # sigma ~ alpha Z^2 (y^2 / 4 pi) / m_mu^2 times logs and O(0.1) factors.
    table = load_table()
    scale = alpha_em * FE.Z**2 / (4 * np.pi) * (hbarc / m_mu) ** 2
    s = table.sigma[20, 5]
    assert 1e-3 * scale < s < 10 * scale
    assert s / cm2 > 0


def test_other_target_builds_into_cache(tmp_path, monkeypatch):
    # Another target goes through the cache: the second call reads the stored bytes.
    monkeypatch.setenv("MUPHILIC_CACHE_DIR", str(tmp_path))
    e = np.array([1.0, 3.0]) * GeV
    ms = np.array([30.0]) * MeV
    first = load_table("Pb", energies=e, masses=ms, form_factor=FormFactor("tsai"))
    assert len(list((tmp_path / "xsec").iterdir())) == 1
    second = load_table("Pb", energies=e, masses=ms, form_factor=FormFactor("tsai"))
    np.testing.assert_array_equal(first.sigma, second.sigma)
    # Z^2 coherence across targets: Pb/Fe cross-section ratio near (82/26)^2, reduced
    # by the larger lead nucleus (form factor) - between 0.5 and 1.05 of Z^2 scaling.
    fe = integrate_cells(3 * GeV, 30 * MeV, FE, FormFactor("tsai")).sigma
    ratio = first.sigma[1, 0] / fe / (82 / 26) ** 2
    assert 0.5 < ratio < 1.05
