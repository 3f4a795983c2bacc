"""Tests of the horn field, the tracker's step error and the aperture geometry."""

from __future__ import annotations

import math

import numpy as np
import pytest

from muphilic.beamline.facility_file import load_facility
from muphilic.beamline.geometry import StraightStatus, straight_transport
from muphilic.beamline.horn import HornGeometry, TrackStatus, field_at, track
from muphilic.constants import GeV, MeV, c_light, kA, m, mm, tesla

BNB = load_facility("bnb")
APERTURES = BNB.all_apertures()


def horn_geometry():
    return BNB.horn_system()


def test_field_is_mu0_i_over_2_pi_r_between_the_conductors():
    horn = horn_geometry()
    # mu0 I / (2 pi r) = 2e-7 T m/A * 174e3 A / 0.05 m = 0.696 T, azimuthal
    pos = np.array([[50 * mm, 0.0, 500 * mm], [0.0, 100 * mm, 1200 * mm]])
    b = field_at(pos, horn)
    assert b[0, 1] / tesla == pytest.approx(2e-7 * 174e3 / 0.05, rel=1e-9)
    assert b[0, 0] == 0.0
    assert b[1, 0] / tesla == pytest.approx(-2e-7 * 174e3 / 0.1, rel=1e-9)
    # no field in the bore (r < 22 mm at the neck), outside r = 300 mm, or beyond the horn
    off = np.array([[10 * mm, 0, 500 * mm], [310 * mm, 0, 500 * mm], [50 * mm, 0, 1900 * mm]])
    assert np.all(field_at(off, horn) == 0.0)


def test_inner_radius_profile_follows_the_gdml_planes():
    horn = horn_geometry()
    horn = horn.horns[0]
    assert horn.inner_radius(np.array([400 * mm]))[0] == pytest.approx(22 * mm)
    assert horn.inner_radius(np.array([1200 * mm]))[0] == pytest.approx(65.4 * mm)
    # linear between 877 mm (33 mm) and 1000 mm (50.4 mm)
    mid = 0.5 * (877 + 1000) * mm
    assert horn.inner_radius(np.array([mid]))[0] == pytest.approx(0.5 * (33 + 50.4) * mm, rel=1e-3)
    assert horn.outer_radius(np.array([800 * mm]))[0] == pytest.approx(300 * mm)


def _open_horn(current=174 * kA):
    # a field region without walls: r from 1 mm to 10 m over 10 m
    z = np.array([0.0, 10 * m])
    return HornGeometry(z, np.full(2, 1 * mm), np.full(2, 10 * m), current, 0.0, 10 * m)


def _invariant(res, p, q, horn):
    # p_z - q c k ln r is conserved in B = k/r phi-hat (A_z = -k ln r)
    r = np.hypot(res.position[:, 0], res.position[:, 1])
    return p * res.direction[:, 2] - q * c_light * horn.k * np.log(r)


def test_tracker_conserves_the_canonical_momentum_with_second_order_error():
    horn = _open_horn()
    p = np.array([300 * MeV, 800 * MeV])
    q = np.array([1.0, -1.0])
    pos0 = np.array([[40 * mm, 0, 0.0], [0, 60 * mm, 0.0]])
    u0 = np.array([[0.2, 0.05, 1.0], [-0.1, 0.1, 1.0]])
    u0 /= np.linalg.norm(u0, axis=1, keepdims=True)
    r0 = np.hypot(pos0[:, 0], pos0[:, 1])
    inv0 = p * u0[:, 2] - q * c_light * horn.k * np.log(r0)
    errors = []
    for h in (4 * mm, 2 * mm, 1 * mm):
        res = track(pos0, u0, p, q, horn, step=h, min_step=h, s_stop=np.full(2, 1.5 * m))
        assert np.all(res.status == TrackStatus.STOPPED)
        errors.append(np.abs(_invariant(res, p, q, horn) - inv0))
    errors = np.array(errors)
    assert np.all(errors[-1] < 1e-4 * p)  # step error of 1 mm: < 1e-4 of |p|
    ratios = errors[:-1] / errors[1:]
    assert np.all((ratios > 3.0) & (ratios < 5.0))  # halving h divides the error by ~4


def test_tracker_conserves_momentum_magnitude_exactly():
    horn = horn_geometry()
    u0 = np.array([[0.05, 0.0, 1.0]]) / math.hypot(0.05, 1.0)
    res = track(np.array([[1 * mm, 0, 300 * mm]]), u0, np.array([1 * GeV]), np.array([1.0]), horn)
    assert np.linalg.norm(res.direction, axis=1)[0] == pytest.approx(1.0, abs=1e-12)


def test_neutrino_mode_focuses_positives_and_defocuses_negatives():
    horn = horn_geometry()
    u0 = np.array([[0.08, 0.0, 1.0]] * 2) / math.hypot(0.08, 1.0)
    pos0 = np.array([[0.0, 0.0, 400 * mm]] * 2)
    res = track(pos0, u0, np.full(2, 1.5 * GeV), np.array([1.0, -1.0]), horn)
    assert res.direction[0, 0] < u0[0, 0]  # pi+ bent towards the axis
    assert res.direction[1, 0] > u0[1, 0]  # pi- bent away


def test_particle_beyond_the_outer_conductor_is_absorbed():
    horn = horn_geometry()
    u0 = np.array([[0.6, 0.0, 0.8]])
    res = track(np.array([[0.0, 0.0, 400 * mm]]), u0, np.array([5 * GeV]), np.array([-1.0]), horn)
    assert res.status[0] == TrackStatus.ABSORBED
    assert np.hypot(*res.position[0, :2]) == pytest.approx(300 * mm, abs=35 * mm)


def test_straight_transport_hits_the_pipe_wall_where_geometry_says():
    # ray from the axis at z = 0 with slope t: r = t z reaches 914.4 mm at z = 914.4/t
    t = 0.03
    u = np.array([[t, 0.0, 1.0]]) / math.hypot(t, 1.0)
    # start beyond the collimator so only the pipe matters
    start = np.array([[t * 6000 * mm, 0.0, 6000 * mm]])
    s, end, st = straight_transport(start, u, APERTURES)
    assert st[0] == StraightStatus.WALL
    assert end[0, 2] == pytest.approx(914.4 / t * mm, rel=1e-9)
    assert s[0] == pytest.approx((914.4 / t - 6000) * mm * math.hypot(t, 1.0), rel=1e-9)


def test_straight_transport_collimator_and_absorber():
    u_axis = np.array([[0.0, 0.0, 1.0]])
    _, end, st = straight_transport(np.array([[0.0, 0.0, 2000 * mm]]), u_axis, APERTURES)
    assert st[0] == StraightStatus.END
    assert end[0, 2] == pytest.approx(49678 * mm)
    # slope 0.12 from the axis at z = 0, followed from the hall (z = 1.9 m):
    # r(3070 mm) = 368 mm > 300 mm, stopped on the collimator face
    u = np.array([[0.12, 0.0, 1.0]]) / math.hypot(0.12, 1.0)
    _s, end, st = straight_transport(np.array([[0.12 * 1900 * mm, 0.0, 1900 * mm]]), u, APERTURES)
    assert st[0] == StraightStatus.WALL
    assert end[0, 2] == pytest.approx(3070 * mm, rel=1e-9)
    # from z = 0 the same ray is already stopped by the horn's downstream taper, where the
    # open radius 300 -> 161.6 mm meets r = 0.12 z at z = 1737 mm
    _, end, st = straight_transport(np.array([[0.0, 0.0, 0.0]]), u, APERTURES)
    assert st[0] == StraightStatus.WALL
    assert end[0, 2] == pytest.approx(1736.99 * mm, abs=0.01 * mm)
    # backwards-going particles never reach the dump
    _, _, st = straight_transport(np.array([[0.0, 0.0, 9000 * mm]]), -u_axis, APERTURES)
    assert st[0] == StraightStatus.UPSTREAM
    assert APERTURES[-1].z2 == pytest.approx(49.678 * m)
