"""The field inside the horn's inner conductor (skin-depth model, HornGeometry.skin_depth)."""

from __future__ import annotations

import math
import tomllib
from dataclasses import replace

import numpy as np
import pytest

from muphilic.beamline import horn, horn_kernel
from muphilic.beamline.facility import FacilityConfigError
from muphilic.beamline.facility_file import facility_from_mapping, load_facility
from muphilic.beamline.horn import HornSystem, TrackStatus, field_at
from muphilic.constants import GeV, c_light, kA, mm, tesla
from muphilic.data import data_file

MU0_SI = 4.0e-7 * math.pi


def g4bnb_expi(r_m: float, r_inner_m: float, r_outer_m: float, delta_m: float, amps: float):
    """Field (T) of G4BNB's EXPI model, written as in src/NuBeamSkinDepthField.cc: the
    current I0 delta (exp(-(router - r) / delta) - exp(-(router - rinner) / delta)) enclosed
    at r, I0 normalised to the horn current at router (the conductor's outer surface)."""
    if r_m < r_inner_m or r_m > r_outer_m:
        return 0.0
    i0 = amps / (delta_m * (1.0 - math.exp(-(r_outer_m - r_inner_m) / delta_m)))
    enclosed = (
        i0
        * delta_m
        * (math.exp(-(r_outer_m - r_m) / delta_m) - math.exp(-(r_outer_m - r_inner_m) / delta_m))
    )
    return MU0_SI / (2.0 * math.pi) * enclosed / r_m


def _bnb_horn() -> horn.HornGeometry:
    return load_facility("bnb").horn_system().horns[0]


def test_the_bnb_file_has_g4bnb_skin_depth() -> None:
    h = _bnb_horn()
    assert h.skin_depth == pytest.approx(1.4 * mm)  # G4BNB input/production.in
    assert h.wall_thickness == pytest.approx(3.0 * mm)


def test_field_in_the_wall_against_the_g4bnb_formula() -> None:
    h = _bnb_horn()
    z = 400.0 * mm  # the neck: the conductor between r = 19 and 22 mm
    r_out = float(h.inner_radius(np.array([z]))[0])
    assert r_out == pytest.approx(22.0 * mm)
    radii = np.linspace(18.5, 22.5, 41) * mm
    pos = np.column_stack((radii, np.zeros_like(radii), np.full_like(radii, z)))
    got = field_at(pos, h)[:, 1] / tesla
    expected = [g4bnb_expi(r / 1000.0, 0.019, 0.022, 0.0014, 174_000.0) for r in radii]
    inside = radii < r_out
    np.testing.assert_allclose(got[inside], np.array(expected)[inside], rtol=1e-12, atol=1e-15)
    # continuous at the outer surface (the field region's 1 / r), zero at the inner one
    assert got[radii >= r_out][0] == pytest.approx(
        MU0_SI * 174_000.0 / (2 * math.pi * 0.022), rel=1e-12
    )
    assert got[radii <= 19.0 * mm].max() == pytest.approx(0.0, abs=1e-12)
    # without a skin depth the wall has no field
    plain = field_at(pos, replace(h, skin_depth=0.0))[:, 1]
    assert np.all(plain[inside] == 0.0)


def _radial_rays(n: int, theta: float) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(8)
    phi = rng.uniform(0.0, 2.0 * math.pi, n)
    u = np.column_stack(
        (math.sin(theta) * np.cos(phi), math.sin(theta) * np.sin(phi), np.full(n, math.cos(theta)))
    )
    pos = np.column_stack((np.zeros(n), np.zeros(n), np.full(n, 300.0 * mm)))
    return pos, u, np.full(n, 5.0 * GeV), np.ones(n)


def test_the_kick_across_the_wall_is_the_field_integral() -> None:
    # second method: the deflection of a fast straight ray from the axis through the neck's
    # wall, stopped where it leaves the wall, is (q c / p) times the integral of B along it
    # (trapezoid rule on 20 000 points of the G4BNB formula)
    theta = 0.1
    system = HornSystem.of(_bnb_horn())
    pos, u, p, q = _radial_rays(50, theta)
    s_exit = 22.0 * mm / math.sin(theta)
    res = horn.track(pos, u, p, q, system, s_stop=np.full(50, s_exit))
    assert np.all(res.status == TrackStatus.STOPPED)
    s = np.linspace(19.0, 22.0, 20_001) / math.sin(theta) * mm
    b = np.array([g4bnb_expi(x * math.sin(theta) / 1000.0, 0.019, 0.022, 0.0014, 174e3) for x in s])
    integral = np.trapezoid(b, s) * tesla
    expected = c_light / p[0] * integral  # rad, toward the axis for q = +1 (focusing)
    r_dir = np.hypot(res.direction[:, 0], res.direction[:, 1])
    turned = math.atan2(math.sin(theta), math.cos(theta)) - np.arctan2(r_dir, res.direction[:, 2])
    # the midpoint rule with radial steps of half a skin depth (horn.SKIN_STEP): 1.3 % low
    np.testing.assert_allclose(turned, expected, rtol=0.02)
    assert expected > 1e-4  # ~0.2 mrad: 3 mm of 1.6 T seen over a 1/sin(theta) slant


def test_compiled_tracker_with_skin_depth_equals_numpy_tracker() -> None:
    system = load_facility("bnb").horn_system()
    rng = np.random.default_rng(2)
    n = 2000
    theta = rng.exponential(0.1, n)
    phi = rng.uniform(0.0, 2.0 * math.pi, n)
    u = np.column_stack((np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta)))
    pos = np.column_stack((np.zeros(n), np.zeros(n), rng.uniform(40.0, 740.0, n) * mm))
    p = rng.uniform(0.3, 6.0, n) * GeV
    q = rng.choice([-1.0, 1.0], n)
    ref = horn.track(pos, u, p, q, system)
    got = horn_kernel.track(pos, u, p, q, system)
    # the NumPy tracker takes the field's exp point by point from the same maths library
    for name in ("status", "position", "direction", "path_length", "wall_path"):
        np.testing.assert_array_equal(getattr(got, name), getattr(ref, name), err_msg=name)
    # and the wall's field moved the mesons that cross it
    off = horn_kernel.track(
        pos,
        u,
        p,
        q,
        HornSystem(
            tuple(replace(h, skin_depth=0.0) for h in system.horns), system.z_start, system.gaps
        ),
    )
    crossed = ref.wall_path > 0
    moved = np.any(off.direction != got.direction, axis=1)
    assert np.all(moved[crossed & (got.status == TrackStatus.EXITED)])
    assert not np.any(moved[~crossed])


def test_facility_key_skin_depth() -> None:
    table = tomllib.loads(data_file("facilities", "bnb.toml").read_text())
    table["horns"][0]["skin_depth_mm"] = -1.0
    with pytest.raises(FacilityConfigError, match="skin_depth_mm"):
        facility_from_mapping(table)
    table["horns"][0]["skin_depth_mm"] = 1.0
    table["horns"][0]["wall_thickness_mm"] = 0.0
    with pytest.raises(FacilityConfigError, match="wall_thickness_mm"):
        facility_from_mapping(table)
    del table["horns"][0]["skin_depth_mm"]
    assert facility_from_mapping(table).horns[0].skin_depth == 0.0


def test_current_scale() -> None:
    # the wall's field scales with the current like the field region's
    h = _bnb_horn()
    pos = np.array([[21.0 * mm, 0.0, 400.0 * mm]])
    doubled = replace(h, current=2.0 * h.current)
    assert field_at(pos, doubled)[0, 1] == pytest.approx(2.0 * field_at(pos, h)[0, 1])
    assert h.current == pytest.approx(174.0 * kA)
