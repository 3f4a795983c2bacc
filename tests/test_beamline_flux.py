"""Tests of the exact per-decay neutrino flux and of the flux volumes."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from muphilic.beamline.flux import DEFAULT_FLUX_VOLUMES, Box, FluxVolumeError, Sphere, numu_flux
from muphilic.constants import BR_PI_TO_MU_NU, GeV, MeV, cm, cm2, m, m_mu, m_pi
from muphilic.events import ParentSample


def _sample(p4, vertex, weight, name="pi+", pdg=211):
    return SimpleNamespace(parents={name: ParentSample(pdg, p4, vertex, weight)})


def test_point_source_at_rest_gives_inverse_square_flux():
    # pion at rest: isotropic, E_nu = E* = 29.79 MeV; flux = w BR / (4 pi R^2) per area
    p4 = np.array([[m_pi, 0.0, 0.0, 0.0]])
    smp = _sample(p4, np.zeros((1, 3)), np.array([2.0]))
    edges = np.array([0.0, 29.0, 31.0, 100.0]) * MeV
    for r in (10 * m, 100 * m):
        res = numu_flux(smp, Sphere(r, 1 * m), edges, n_points=1)
        expected = 2.0 * BR_PI_TO_MU_NU / (4 * math.pi * (r / cm) ** 2)
        assert res.per_parent["pi+"][1] == pytest.approx(expected, rel=1e-12)
        assert res.per_parent["pi+"][0] == 0.0
        assert res.mean_energy == pytest.approx((m_pi**2 - m_mu**2) / (2 * m_pi), rel=1e-12)


def test_boosted_parent_on_axis_flux_and_energy():
    # forward emission: E_nu = E* gamma (1 + beta), weight (E_nu/E*)^2 / (4 pi R^2)
    p = 2.0 * GeV
    e = math.hypot(p, m_pi)
    smp = _sample(np.array([[e, 0, 0, p]]), np.zeros((1, 3)), np.array([1.0]))
    gamma, beta = e / m_pi, p / e
    factor = gamma * (1 + beta)
    r = 500 * m
    res = numu_flux(smp, Sphere(r, 1 * m), np.array([0.0, 10.0]) * GeV, n_points=1)
    assert res.integral == pytest.approx(
        BR_PI_TO_MU_NU * factor**2 / (4 * math.pi * (r / cm) ** 2), rel=1e-9
    )
    e_star = (m_pi**2 - m_mu**2) / (2 * m_pi)
    assert res.mean_energy == pytest.approx(e_star * factor, rel=1e-9)


def test_volume_average_of_a_far_detector_approaches_the_centre_value():
    # a 6 m sphere at 541 m: the average of 1/r^2 over the ball differs from the centre by
    # O((R/L)^2) ~ 1e-4 for an isotropic source
    p4 = np.array([[m_pi, 0.0, 0.0, 0.0]])
    smp = _sample(p4, np.zeros((1, 3)), np.array([1.0]))
    edges = np.array([0.0, 1.0]) * GeV
    centre = numu_flux(smp, Sphere(541 * m, 6.106 * m), edges, n_points=1).integral
    avg = numu_flux(smp, DEFAULT_FLUX_VOLUMES["miniboone"], edges, n_points=200).integral
    assert avg == pytest.approx(centre, rel=1e-3)


def test_volume_points_lie_inside_and_fill_the_volume():
    sph = Sphere(100 * m, 5 * m)
    pts = sph.points(500)
    r = np.linalg.norm(pts - [0, 0, 100 * m], axis=1)
    assert np.all(r <= 5 * m)
    assert abs(len(pts) - 500) < 150
    # the mean square radius of a uniform ball is 3/5 R^2
    assert np.mean(r**2) == pytest.approx(0.6 * (5 * m) ** 2, rel=0.05)
    box = Box(110 * m, (2 * m, 2 * m, 2.5 * m))
    bp = box.points(64)
    assert np.all(np.abs(bp[:, 0]) <= 2 * m)
    assert np.all(np.abs(bp[:, 2] - 110 * m) <= 2.5 * m)
    assert np.allclose(bp.mean(axis=0), [0, 0, 110 * m])


def test_bad_inputs_raise():
    p4 = np.array([[m_pi, 0.0, 0.0, 0.0]])
    smp = _sample(p4, np.zeros((1, 3)), np.array([1.0]))
    with pytest.raises(FluxVolumeError, match="edges"):
        numu_flux(smp, Sphere(10 * m, 1 * m), np.array([1.0, 0.5]))
    with pytest.raises(FluxVolumeError, match="flavour"):
        numu_flux(smp, Sphere(10 * m, 1 * m), np.array([0.0, 1.0]), flavour="nue")
    with pytest.raises(FluxVolumeError, match="radius"):
        numu_flux(smp, Sphere(10 * m, -1 * m), np.array([0.0, 1.0]))
    assert cm2 == cm**2
