"""The scalar's contribution to the muon g-2 and the g-2 band."""

from __future__ import annotations

import numpy as np
import pytest

from muphilic.constants import m_mu, pi
from muphilic.g2 import (
    G2_2023,
    G2_2025,
    coupling_for_delta_a_mu,
    delta_a_mu,
    g2_scenario,
    loop_function,
    loop_function_quad,
)


def test_light_scalar_limit():
    # r -> 0: Delta a_mu -> 3 y^2 / (16 pi^2); the first correction is O(r) (~ -pi r / 2 ...),
    # so at r = 1e-6 the tolerance 1e-5 is generous and at r = 1e-3 it is 5e-3.
    y = 1e-3
    assert delta_a_mu(1e-6 * m_mu, y) == pytest.approx(3 * y**2 / (16 * pi**2), rel=1e-5)
    assert delta_a_mu(1e-3 * m_mu, y) == pytest.approx(3 * y**2 / (16 * pi**2), rel=5e-3)


@pytest.mark.parametrize("r", [30.0, 100.0, 1000.0])
def test_heavy_scalar_limit(r):
    # r -> infinity: I -> (ln r^2 - 7/6) / r^2 with corrections O(ln r / r^2) relative.
    expected = (np.log(r**2) - 7 / 6) / r**2
    assert loop_function(r * m_mu) == pytest.approx(expected, rel=10 * np.log(r) / r**2)


@pytest.mark.parametrize("r", [1e-4, 0.03, 0.2, 0.7, 1.0, 1.5, 1.99, 2.0, 2.01, 3.0, 3.99, 4.5])
def test_closed_form_against_quadrature(r):
    # Second method: adaptive quadrature of the Feynman-parameter integral (epsrel 1e-13).
    assert loop_function(r * m_mu) == pytest.approx(loop_function_quad(r * m_mu), rel=1e-10)


def test_monotone_decreasing_in_mass():
    masses = np.geomspace(0.01, 2000.0, 400)
    values = loop_function(masses)
    assert np.all(np.diff(values) < 0)


def test_inverse():
    masses = np.array([1.0, 20.0, 100.0, 210.0])
    y = np.array([1e-4, 5e-4, 1e-3, 3e-3])
    np.testing.assert_allclose(
        coupling_for_delta_a_mu(masses, delta_a_mu(masses, y)), y, rtol=1e-12
    )
    assert coupling_for_delta_a_mu(10.0, -1e-9) == 0.0


def test_2023_discrepancy():
    # arXiv:2308.06230 quotes Delta a_mu = 249(48) x 1e-11 against the 2020 white paper.
    assert G2_2023.delta == pytest.approx(249e-11, abs=0.5e-11)
    assert G2_2023.sigma == pytest.approx(48e-11, abs=0.5e-11)


def test_2025_discrepancy():
    # The 2025 white paper and final Fermilab average agree: Delta a_mu = 38(63) x 1e-11.
    assert G2_2025.delta == pytest.approx(38.5e-11, abs=0.5e-11)
    assert G2_2025.sigma == pytest.approx(63.7e-11, abs=0.5e-11)
    low, high = G2_2025.favoured_band(50.0)
    assert low == 0.0
    assert high > 0.0


def test_band_ordering_and_known_value():
    masses = np.geomspace(1.0, 210.0, 30)
    low, high = G2_2023.favoured_band(masses)
    excluded = G2_2023.excluded_above(masses)
    assert np.all(low < high) and np.all(high < excluded)
    # light scalar: y^2 = 16 pi^2 Delta a / 3 -> y ~ 4.0e-4 at the central value (m_S -> 0)
    central = coupling_for_delta_a_mu(1e-3, G2_2023.delta)
    assert central == pytest.approx(np.sqrt(16 * pi**2 * 249e-11 / 3), rel=1e-3)


def test_unknown_scenario():
    assert g2_scenario(2023) is G2_2023
    with pytest.raises(ValueError, match="2023"):
        g2_scenario("2019")
