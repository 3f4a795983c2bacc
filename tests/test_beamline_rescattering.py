"""Quasi-elastic re-scattering of the primary proton in the BNB target (G4BNB's model)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from muphilic.beamline import BeamlineConfig, load_facility, simulate
from muphilic.beamline.simulate import BeamlineConfigError
from muphilic.beamline.target import (
    BeamSpot,
    Target,
    quasielastic_scatter,
    quasielastic_slope,
    rescatter_quasielastic,
    sample_interactions,
)
from muphilic.constants import GeV, m_proton

P_BEAM = 8.89 * GeV


def test_slope_is_the_g4bnb_polynomial():
    # SBNSoftware/G4BNB input/production.in, /boone/physics/quasielastic/proQuasiElasticPar
    # 5.20996 0.814526 -0.0376766 0 0 0: beta = c0 + c1 p + c2 p^2 (GeV/c)^-2
    p = 8.89
    expected = 5.20996 + 0.814526 * p - 0.0376766 * p**2
    assert quasielastic_slope(P_BEAM) * GeV**2 == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(9.47, abs=0.01)


def test_scatter_kinematics_conserve_the_invariant_q2():
    # elastic scattering off a nucleon at rest: -t = (p_in - p_out)^2 computed from the lab
    # four-vectors equals the drawn q^2, and <q^2> = 1 / beta (the limit 4 p*^2 ~ 14 GeV^2
    # cuts nothing)
    rng = np.random.default_rng(1)
    theta, p_out, q2 = quasielastic_scatter(rng, P_BEAM, 200_000)
    e_in, e_out = math.hypot(P_BEAM, m_proton), np.hypot(p_out, m_proton)
    minus_t = (
        (P_BEAM - p_out * np.cos(theta)) ** 2 + (p_out * np.sin(theta)) ** 2 - (e_in - e_out) ** 2
    )
    np.testing.assert_allclose(minus_t, q2, rtol=1e-6, atol=1e-6 * GeV**2)
    assert np.mean(q2) * quasielastic_slope(P_BEAM) == pytest.approx(1.0, rel=0.01)
    # small-angle limit: theta ~ sqrt(q^2) / p, a few tens of mrad
    assert np.sqrt(np.mean(theta**2)) == pytest.approx(
        math.sqrt(1.0 / quasielastic_slope(P_BEAM)) / P_BEAM, rel=0.02
    )


def _pencil_target() -> tuple[Target, BeamSpot]:
    target = Target("Be", 4, 9, 1.848, 9.012, 4.7625, ((0.0, 711.2),))
    return target, BeamSpot(1e-6, 1e-6, 0.0, 0.0, -10.0)


def test_yield_of_an_undeflected_chain_is_the_analytic_one():
    # pencil beam on axis in a target so wide that no deflected proton leaves it sideways:
    # the expected meson-producing interactions per proton are then (theta ~ 37 mrad
    # changes the path to the back face by < 0.1 %)
    # P1 + f * int_0^L e^(-x/l)/l (1 - e^(-(L-x)/l)) dx = P1 + f (P1 - (L/l) e^(-L/l))
    target, spot = _pencil_target()
    wide = Target("Be", 4, 9, 1.848, 9.012, 1e6, ((0.0, 711.2),))
    lam, f, n = 380.0, 0.163, 400_000
    rng = np.random.default_rng(2)
    first = sample_interactions(n, rng, lam, spot, wide)
    out = rescatter_quasielastic(first, rng, lam, wide, f, P_BEAM)
    length = 711.2
    p1 = -math.expm1(-length / lam)
    expected = p1 + f * (p1 - length / lam * math.exp(-length / lam))
    assert np.mean(out.weight) == pytest.approx(expected, rel=0.01)
    # the narrow BNB-like target: the deflected protons leave it sooner (fewer re-interactions)
    narrow = rescatter_quasielastic(
        sample_interactions(n, rng, lam, spot, target), rng, lam, target, f, P_BEAM
    )
    assert p1 < np.mean(narrow.weight) < expected


def test_bad_inputs_are_refused():
    target, spot = _pencil_target()
    rng = np.random.default_rng(3)
    first = sample_interactions(10, rng, 380.0, spot, target)
    with pytest.raises(ValueError, match="qe_fraction"):
        rescatter_quasielastic(first, rng, 380.0, target, 1.0, P_BEAM)
    two = Target("Be", 4, 9, 1.848, 9.012, 4.7625, ((0.0, 300.0), (310.0, 711.2)))
    with pytest.raises(ValueError, match="one-cylinder"):
        rescatter_quasielastic(first, rng, 380.0, two, 0.1, P_BEAM)
    with pytest.raises(BeamlineConfigError, match="proton_rescattering"):
        BeamlineConfig(attenuation="production", proton_rescattering=True)


def test_default_is_on_for_the_bnb_and_adds_the_quasielastic_share():
    # G4BNB: sigma_QE / sigma_inel = 34.59 / 212.28 of the p-Be interactions are quasi-elastic;
    # the re-interacting ones add 3-8 % to every meson yield (MiniBooNE quotes ~7 % of its
    # nu_mu from pi+ of re-scattered protons, quasi-elastic and inelastic together)
    assert BeamlineConfig().rescattering
    assert not BeamlineConfig(attenuation="production").rescattering
    off = simulate(2000, 4, config=BeamlineConfig(proton_rescattering=False))
    on = simulate(2000, 4)
    gain = on.produced_per_pot["pi+"] / off.produced_per_pot["pi+"]
    assert 1.03 < gain < 1.08
    assert on.produced_per_pot["K+"] / off.produced_per_pot["K+"] == pytest.approx(gain, rel=1e-9)


def test_other_targets_keep_the_old_default():
    for name in ("numi", "jparc"):
        facility = load_facility(name)
        assert facility.target.material != "Be"
        assert not BeamlineConfig(facility=facility, pion_absorption=False).rescattering
