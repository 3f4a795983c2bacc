"""Analytic photon-cut efficiencies against a brute-force Monte Carlo of isotropic decays."""

from __future__ import annotations

import numpy as np
import pytest

from muphilic.detectors import PhotonCuts, cut_efficiency, photon_energy_efficiency
from muphilic.detectors.photons import PhotonKinematicsError


def _mc_photon_energies(rng, mass, energy, n):
    """Lab four-momenta of both photons from isotropic rest-frame decays boosted along z."""
    cos_t = rng.uniform(-1.0, 1.0, n)
    phi = rng.uniform(0.0, 2 * np.pi, n)
    sin_t = np.sqrt(1 - cos_t**2)
    k = np.stack(
        [
            np.full(n, mass / 2),
            mass / 2 * sin_t * np.cos(phi),
            mass / 2 * sin_t * np.sin(phi),
            mass / 2 * cos_t,
        ],
        axis=1,
    )
    gamma = energy / mass
    beta = np.sqrt(1 - 1 / gamma**2)

    def boost(p):
        e = gamma * (p[:, 0] + beta * p[:, 3])
        pz = gamma * (p[:, 3] + beta * p[:, 0])
        return np.stack([e, p[:, 1], p[:, 2], pz], axis=1)

    k1 = boost(k)
    k2 = boost(k * np.array([1, -1, -1, -1]))
    return k1, k2


@pytest.mark.parametrize(
    ("mass", "energy"), [(24.0, 60.0), (24.0, 400.0), (40.0, 45.0), (100.0, 150.0), (60.0, 2000.0)]
)
def test_microboone_thresholds_match_monte_carlo(mass, energy):
    rng = np.random.default_rng(5)
    n = 200_000
    k1, k2 = _mc_photon_energies(rng, mass, energy, n)
    e_high = np.maximum(k1[:, 0], k2[:, 0])
    e_low = np.minimum(k1[:, 0], k2[:, 0])
    passed = np.mean((e_high > 30.0) & (e_low > 20.0))
    analytic = photon_energy_efficiency(energy, mass, 30.0, 20.0)
    # Binomial MC error; 5 sigma plus a floor for efficiencies at 0 or 1.
    sigma = np.sqrt(max(passed * (1 - passed), 1.0 / n) / n)
    assert analytic == pytest.approx(passed, abs=5 * sigma + 1e-12)
    # The true invariant mass of the photons is m_S whatever the angle (Eq. (6) at truth level).
    m_gg = np.sqrt(
        np.maximum((k1[:, 0] + k2[:, 0]) ** 2 - np.sum((k1[:, 1:] + k2[:, 1:]) ** 2, axis=1), 0)
    )
    np.testing.assert_allclose(m_gg, mass, rtol=1e-6)


def test_closed_form_limits():
    # No cuts: every decay passes. At rest both photons have m_S/2.
    assert photon_energy_efficiency(100.0, 50.0) == 1.0
    assert photon_energy_efficiency(50.0, 50.0, 24.0, 24.0) == 1.0
    assert photon_energy_efficiency(50.0, 50.0, 26.0, 0.0) == 0.0
    # Only E_low > b: u < 1 - 2b/E, fraction (1 - 2b/E)/beta when that is below beta.
    mass, energy, b = 20.0, 200.0, 30.0
    beta = np.sqrt(1 - (mass / energy) ** 2)
    assert photon_energy_efficiency(energy, mass, 0.0, b) == pytest.approx(
        (1 - 2 * b / energy) / beta
    )
    # Very energetic scalars: E_low ~ E(1-u)/2 with u uniform, so P(E_low > b) -> 1 - 2b/E.
    assert photon_energy_efficiency(1e6, 20.0, 0.0, 20.0) == pytest.approx(1 - 40.0 / 1e6, rel=1e-9)
    # Below threshold in total energy: nothing passes.
    assert photon_energy_efficiency(49.0, 20.0, 30.0, 20.0) == 0.0


def test_efficiency_is_monotonic_in_thresholds():
    energy = np.linspace(30.0, 3000.0, 300)
    loose = photon_energy_efficiency(energy, 24.0, 20.0, 10.0)
    tight = photon_energy_efficiency(energy, 24.0, 30.0, 20.0)
    assert np.all(tight <= loose + 1e-15)
    assert np.all((tight >= 0) & (tight <= 1))


def test_true_track_mass_cut_is_a_step_in_mass():
    cuts = PhotonCuts(track_mass=32.0, track_mass_applies_to="true")
    energies = np.array([40.0, 500.0, 5000.0])
    np.testing.assert_array_equal(cut_efficiency(cuts, energies, 31.0), 0.0)
    np.testing.assert_array_equal(cut_efficiency(cuts, energies + 10, 33.0), 1.0)
    # Reconstructed-level cut acts in the smearing, not here.
    reco = PhotonCuts(track_mass=32.0)
    np.testing.assert_array_equal(cut_efficiency(reco, energies, 31.0), 1.0)
    # A tabulated f(E1 + E2) is interpolated linearly.
    table = PhotonCuts(track_mass_table=((0.0, 20.0), (1000.0, 40.0)), track_mass_applies_to="true")
    np.testing.assert_array_equal(cut_efficiency(table, [100.0, 900.0], 30.0), [1.0, 0.0])


def test_bad_kinematics_raise():
    with pytest.raises(PhotonKinematicsError, match="below its mass"):
        photon_energy_efficiency(10.0, 20.0)
    with pytest.raises(PhotonKinematicsError, match="non-negative"):
        photon_energy_efficiency(30.0, 20.0, -1.0, 0.0)
