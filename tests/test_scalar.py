"""The scalar's width, lifetime and decay length (paper Eqs. (3) and (4))."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate

from muphilic.constants import TWO_M_MU, alpha_em, c_light, hbar, m, m_mu, pi
from muphilic.scalar import (
    ModelRangeError,
    Scalar,
    check_mass,
    ctau,
    decay_length,
    lifetime,
    loop_amplitude,
    width,
)


def _width_closed_form_mpmath_free(m_s: float, y: float) -> float:
    """Eq. (3) written out directly (no series), for moderate x where it is exact."""
    x = 4 * m_mu**2 / m_s**2
    f = np.arcsin(1 / np.sqrt(x)) ** 2
    return alpha_em**2 * y**2 * m_s**3 / (64 * pi**3 * m_mu**2) * x**2 * (1 + (1 - x) * f) ** 2


def test_width_scales_as_coupling_squared():
    masses = np.array([0.5, 10.0, 40.0, 150.0, 210.0])
    ratio = width(masses, 3e-3) / width(masses, 1e-3)
    np.testing.assert_allclose(ratio, 9.0, rtol=1e-14)


@pytest.mark.parametrize("m_s", [0.01, 0.1, 1.0])
def test_heavy_muon_limit(m_s):
    # For m_S << m_mu the loop amplitude tends to 2/3 and
    # Gamma -> alpha^2 y^2 m_S^3 / (144 pi^3 m_mu^2); corrections are O(m_S^2 / m_mu^2)
    # with coefficient (7/45)/(2/3) * 2 / 4 ~ 0.12, i.e. < 1e-5 at 1 MeV.
    limit = alpha_em**2 * m_s**3 / (144 * pi**3 * m_mu**2)
    assert width(m_s, 1.0) == pytest.approx(limit, rel=0.12 * (m_s / m_mu) ** 2 + 1e-14)


def test_series_matches_closed_form_where_both_are_accurate():
    # Between m_S = 30 MeV and the switch at m_mu both forms are accurate to < 1e-12:
    # the closed form loses ~eps * x digits, x < 50 here.
    masses = np.linspace(30.0, 0.999 * m_mu, 50)
    u = (masses / TWO_M_MU) ** 2
    from muphilic.scalar import _D  # the series coefficients

    series = np.polynomial.polynomial.polyval(u, _D)
    x = 1 / u
    closed = x * (1 + (1 - x) * np.arcsin(np.sqrt(u)) ** 2)
    np.testing.assert_allclose(series, closed, rtol=1e-11)


def test_width_continuous_across_switch():
    below = np.nextafter(m_mu, 0.0)
    above = np.nextafter(m_mu, 2 * m_mu)
    assert width(below, 1.0) == pytest.approx(width(above, 1.0), rel=1e-12)


def test_width_matches_direct_eq3_at_moderate_masses():
    for m_s in (60.0, 120.0, 200.0, 211.0):
        assert width(m_s, 1e-3) == pytest.approx(
            _width_closed_form_mpmath_free(m_s, 1e-3), rel=1e-13
        )


def test_loop_amplitude_by_quadrature():
    # Second method: the triangle function from its Feynman-parameter integral,
    # f(x) = -(1/2) int_0^1 dt / t * ln(1 - 4 t (1 - t) / x), instead of arcsin^2.
    for m_s in (5.0, 50.0, 150.0, 210.0):
        x = 4 * m_mu**2 / m_s**2
        f_quad, _ = integrate.quad(
            lambda t, x=x: -0.5 * np.log1p(-4 * t * (1 - t) / x) / t, 0, 1, epsrel=1e-13
        )
        assert loop_amplitude(m_s) == pytest.approx(x * (1 + (1 - x) * f_quad), rel=1e-9)


def test_loop_amplitude_threshold():
    # At x -> 1, f = pi^2/4 and (1 - x) f -> 0, so A -> 1.
    assert loop_amplitude(np.nextafter(TWO_M_MU, 0.0)) == pytest.approx(1.0, rel=1e-6)


def test_eq4_decay_length():
    # Eq. (4): c tau ~ 300 m at m_S = 40 MeV, y = 1e-4, "using Eq. (3) in the x >> 1 limit".
    # That limit gives 288.6 m with PDG alpha and m_mu: the paper's 300 m is this number
    # rounded to one significant figure, so the tolerance is 5 %.
    limit_width = alpha_em**2 * 1e-8 * 40.0**3 / (144 * pi**3 * m_mu**2)
    heavy_muon_limit = c_light * hbar / limit_width
    assert heavy_muon_limit / m == pytest.approx(300.0, rel=0.05)
    # The exact Eq. (3) is shorter by the factor ((2/3) / A(40 MeV))^2 = 0.983 (A = 0.6724).
    exact = ctau(40.0, 1e-4)
    assert exact == pytest.approx(heavy_muon_limit * (2 / 3 / loop_amplitude(40.0)) ** 2, rel=1e-12)
    assert exact / m == pytest.approx(283.8, abs=0.05)
    # and its scaling law in y and m_S (exact in y; in m_S up to the A(m_S) factor)
    assert ctau(40.0, 2e-4) == pytest.approx(ctau(40.0, 1e-4) / 4, rel=1e-14)


def test_lifetime_and_decay_length_consistency():
    m_s, y = 24.0, 3e-4
    assert lifetime(m_s, y) * width(m_s, y) == pytest.approx(hbar, rel=1e-14)
    p = np.array([100.0, 1000.0, 5000.0])
    bg = p / m_s
    np.testing.assert_allclose(decay_length(m_s, y, momentum=p), bg * ctau(m_s, y), rtol=1e-14)
    e = np.sqrt(p**2 + m_s**2)
    np.testing.assert_allclose(
        decay_length(m_s, y, energy=e), decay_length(m_s, y, momentum=p), rtol=1e-12
    )


def test_vectorised_over_mass_and_coupling():
    masses = np.array([[1.0], [20.0], [200.0]])
    couplings = np.array([1e-5, 1e-4, 1e-3, 1e-2])
    grid = width(masses, couplings)
    assert grid.shape == (3, 4)
    assert np.all(np.isfinite(grid)) and np.all(grid > 0)


@pytest.mark.parametrize("bad", [0.0, -1.0, np.nan, np.inf, TWO_M_MU, 300.0])
def test_bad_mass_is_an_error(bad):
    with pytest.raises(ModelRangeError):
        check_mass(bad)


def test_above_dimuon_threshold_message_names_missing_channel():
    with pytest.raises(ModelRangeError, match="mu\\+ mu-"):
        width(250.0, 1e-3)


@pytest.mark.parametrize("bad", [0.0, -1e-3, np.nan])
def test_bad_coupling_is_an_error(bad):
    with pytest.raises(ModelRangeError):
        width(10.0, bad)


def test_scalar_object():
    s = Scalar(mass=40.0, coupling=1e-4)
    assert s.ctau == pytest.approx(float(ctau(40.0, 1e-4)))
    assert s.decay_length(400.0) == pytest.approx(10 * s.ctau)
    with pytest.raises(ModelRangeError):
        Scalar(mass=-3.0, coupling=1e-4)
