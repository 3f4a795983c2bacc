"""Mesons crossing a horn's outer conductor into the target hall around it (a box).

The references are computed here by other means than the module's slab formula: the exit
distance by bisection on a point-in-box test, the decay fraction by sampling decay points
and testing whether they lie in the box, the BNB flights by hand (the box's faces).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import replace
from importlib import resources

import numpy as np
import pytest

from muphilic.beamline.absorption import absorption_length
from muphilic.beamline.decays import decay_length
from muphilic.beamline.facility import FacilityConfigError
from muphilic.beamline.facility_file import facility_from_mapping, load_facility
from muphilic.beamline.outer_conductor import beyond_outer_conductor, hall_bounds, hall_exit
from muphilic.beamline.simulate import BeamlineConfig, simulate
from muphilic.constants import GeV, m_pi, mm, tau_pi

#: The BNB's target hall (G4BNB PICV) around the beam axis, mm, open upstream.
HALL_X, HALL_Y, HALL_Z_END = (-685.4, 685.4), (-1315.4, 715.4), 3070.0
LOWER = np.array([HALL_X[0], HALL_Y[0], -np.inf]) * mm
UPPER = np.array([HALL_X[1], HALL_Y[1], HALL_Z_END]) * mm


def _inside(points, lower=LOWER, upper=UPPER):
    return np.all((points >= lower) & (points <= upper), axis=-1)


def _bnb_data() -> dict:
    text = resources.files("muphilic.data.facilities").joinpath("bnb.toml").read_text()
    return tomllib.loads(text)


def test_switch_off_equals_facility_without_the_keys():
    bnb = load_facility("bnb")
    bare = replace(bnb, horns=tuple(replace(h, outer_conductor=0.0) for h in bnb.horns))
    a = simulate(500, 3, config=BeamlineConfig(outer_conductor_transmission=False))
    b = simulate(500, 3, config=BeamlineConfig(facility=bare))
    for s in a.parents:
        np.testing.assert_array_equal(a.parents[s].weight, b.parents[s].weight)
        np.testing.assert_array_equal(a.parents[s].vertex, b.parents[s].vertex)
    np.testing.assert_array_equal(a.muons_wall.position, b.muons_wall.position)
    on = simulate(500, 3)
    assert np.sum(on.parents["pi+"].weight) > np.sum(a.parents["pi+"].weight)


def test_radial_pencil_survival_and_flight_are_analytic():
    # radial pencils from the conductor (r = 300 mm) to the four walls of the PICV box:
    # +x and -x at 685.4 mm, +y at 715.4 mm, -y at 1315.4 mm (the horn axis is 300 mm above
    # the box's centre); the cylinder of the box's half-width gave 385.4 mm for all four
    cfg = BeamlineConfig()
    p = np.full(4, 0.3 * GeV)
    x = np.array([[300.0, 0, 500.0], [0, 300.0, 800.0], [-300.0, 0, 100.0], [0, -300.0, 1200.0]])
    d = np.column_stack((x[:, 0], x[:, 1], np.zeros(4))) / 300.0
    w, flight, _, _, _ = beyond_outer_conductor("pi+", p, x * mm, d, cfg.facility.horns)
    lam_abs = absorption_length(p, 1, "Al")
    np.testing.assert_allclose(w, np.exp(-25.4 * mm / lam_abs), rtol=1e-12)
    expected = np.array([685.4 - 300.0, 715.4 - 300.0, 685.4 - 300.0, 1315.4 - 300.0]) * mm
    np.testing.assert_allclose(flight, expected, rtol=1e-12)


def test_oblique_rays_reach_the_wall_or_the_end_plane_they_should():
    # by hand: from (300, 0, 1000) along (1, 0, 1)/sqrt2 the x wall (385.4 mm further in x)
    # comes before z = 3070 (2070 mm further); along (0.1, -0.1, 1) normalised from
    # (0, -300, 1700) the end plane (1370 mm in z) comes before the -y wall (1015.4 mm in y);
    # radially at 45 degrees below the x axis from r = 300 mm, the x wall
    # (685.4 - 300/sqrt2 further in x) comes before the -y wall
    lower, upper = hall_bounds(load_facility("bnb").horns[0])
    np.testing.assert_array_equal(lower, LOWER)
    np.testing.assert_array_equal(upper, UPPER)
    c = 300.0 / math.sqrt(2.0)
    x = np.array([[300.0, 0.0, 1000.0], [0.0, -300.0, 1700.0], [c, -c, 800.0]])
    d = np.array([[1.0, 0.0, 1.0], [0.1, -0.1, 1.0], [1.0, -1.0, 0.0]])
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    expected = [385.4 * math.sqrt(2.0), 1370.0 * math.sqrt(1.02), (685.4 - c) * math.sqrt(2.0)]
    np.testing.assert_allclose(hall_exit(x, d, lower, upper), expected, rtol=1e-12)


def test_hall_exit_matches_bisection_on_a_point_in_box_test():
    rng = np.random.default_rng(4)
    n = 3000
    x = np.column_stack(
        (rng.uniform(*HALL_X, n), rng.uniform(*HALL_Y, n), rng.uniform(-3070.0, HALL_Z_END, n))
    )
    d = rng.normal(size=(n, 3))
    d[:20] = np.eye(3)[rng.integers(0, 3, 20)] * rng.choice([-1.0, 1.0], (20, 1))  # along axes
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    x[-50:] += np.array([2000.0, 0.0, 0.0])  # outside: 0
    got = hall_exit(x, d, LOWER, UPPER)
    # the box is convex: the ray is inside on [0, t_exit] only; bisect on that
    lo, hi = np.zeros(n), np.full(n, 1.0e7)
    for _ in range(120):
        mid = 0.5 * (lo + hi)
        ins = _inside(x + mid[:, None] * d)
        lo, hi = np.where(ins, mid, lo), np.where(ins, hi, mid)
    reference = np.where(_inside(x), lo, 0.0)
    going_down_z = (d[:, 2] == -1.0) & _inside(x)
    reference[going_down_z] = 0.0  # never leaves the open end: the module returns 0
    assert np.count_nonzero(reference == 0.0) >= 50
    np.testing.assert_allclose(got, reference, rtol=1e-9, atol=1e-9)


def test_decay_fraction_in_the_box_matches_sampled_decay_points():
    # mesons leaving the BNB's outer conductor (r = 300 mm, outward directions): the decay
    # probability 1 - exp(-flight / lambda) from the module's flights, against decay points
    # drawn at exponential distances and tested for lying in the box
    facility = load_facility("bnb")
    rng = np.random.default_rng(8)
    n = 400_000
    phi = rng.uniform(0.0, 2.0 * math.pi, n)
    x = np.column_stack((300.0 * np.cos(phi), 300.0 * np.sin(phi), rng.uniform(0.0, 1600.0, n)))
    d = rng.normal(size=(n, 3))
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    radial = d[:, 0] * np.cos(phi) + d[:, 1] * np.sin(phi)
    d[radial < 0, :2] -= (
        2.0 * radial[radial < 0, None] * np.column_stack((np.cos(phi), np.sin(phi)))[radial < 0]
    )
    _, flight, _, _, _ = beyond_outer_conductor(
        "pi+", np.full(n, 0.3 * GeV), x, d, facility.horns, pion_absorption=False
    )
    lam = 800.0 * mm
    analytic = float(np.mean(-np.expm1(-flight / lam)))
    s = rng.exponential(lam, n)
    inside = _inside(x + s[:, None] * d)
    sampled = float(np.mean(inside))
    sigma = math.sqrt(sampled * (1.0 - sampled) / n)
    assert 0.2 < analytic < 0.8
    assert abs(sampled - analytic) < 4.0 * sigma


def test_hall_decays_and_their_wall_muons_lie_in_the_box():
    sample = simulate(2000, 9)
    eps = 1e-6 * mm
    below = 0
    for parents in sample.parents.values():
        v = parents.vertex[parents.vertex[:, 2] < HALL_Z_END]
        # upstream of the collimator every decay is in the box (the target-hall aperture,
        # r < 685.4 mm, lies inside it)
        assert np.all(_inside(v, LOWER - eps, UPPER + eps))
        below += int(np.count_nonzero(v[:, 1] < -700.0 * mm))
    assert below > 0
    mu = sample.muons_wall.position
    # the horn region's other wall muons stop at r <= 300 mm: the rest came from hall decays
    hall_mu = mu[(mu[:, 2] < 1804.0 * mm) & (np.hypot(mu[:, 0], mu[:, 1]) > 300.5 * mm)]
    assert len(hall_mu) > 10
    assert np.all(_inside(hall_mu, LOWER - eps, UPPER + eps))
    to_face = np.min(
        np.abs(np.concatenate((hall_mu - LOWER, hall_mu - UPPER), axis=1)[:, [0, 1, 3, 4, 5]]),
        axis=1,
    )
    np.testing.assert_allclose(to_face, 0.0, atol=1e-6 * mm)
    assert np.any(np.abs(hall_mu[:, 1] - HALL_Y[0]) < 1e-6)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("outer_conductor_mm", -1.0),
        ("hall_x_mm", [-300.0, 685.4]),  # cuts the conductor (outer radius 325.4 mm)
        ("hall_y_mm", [-1315.4, 320.0]),
        ("hall_y_mm", [715.4, -1315.4]),
        ("hall_x_mm", [-685.4]),
        ("hall_x_mm", 685.4),
        ("hall_x_mm", [-685.4, float("inf")]),
        ("hall_z_end_mm", 1000.0),  # inside the horn (0-1804 mm)
        ("hall_z_end_mm", -5.0),
        ("hall_radius_mm", 685.4),  # the cylinder's key: unknown
    ],
)
def test_bad_keys_are_one_line_errors(key, value):
    data = _bnb_data()
    data["horns"][0][key] = value
    with pytest.raises(FacilityConfigError, match=rf"horns\[0\]\.{key}") as err:
        facility_from_mapping(data)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("key", ["hall_x_mm", "hall_y_mm", "hall_z_end_mm"])
def test_the_hall_is_required_with_an_outer_conductor(key):
    data = _bnb_data()
    del data["horns"][0][key]
    with pytest.raises(FacilityConfigError, match=rf"horns\[0\]\.{key}': is required"):
        facility_from_mapping(data)
    del data["horns"][0]["outer_conductor_mm"]
    assert facility_from_mapping(data).horns[0].outer_conductor == 0.0


def test_a_facility_built_in_code_checks_its_hall():
    bnb = load_facility("bnb")
    horn = replace(bnb.horns[0], hall_y=(-320.0, 715.4))
    with pytest.raises(FacilityConfigError, match=r"horns\[0\]\.hall_y_mm"):
        replace(bnb, horns=(horn,))


def test_extra_pi_plus_decays_match_a_side_calculation():
    # second method (benchmarks/flux_shape_causes.py, beyond_outer_conductor): track the
    # produced pi+, take those stopped at the outer conductor, weight = absorption in
    # target + Al x survival to it x decay on the flight to the walls of the box
    from muphilic.beamline.horn import TrackStatus
    from muphilic.beamline.horn_kernel import track

    # (without the ionisation loss, which the side calculation leaves out)
    cfg = BeamlineConfig(meson_energy_loss=False)
    on = simulate(1000, 5, config=cfg)
    off = simulate(1000, 5, config=replace(cfg, outer_conductor_transmission=False))
    extra = np.sum(on.parents["pi+"].weight) - np.sum(off.parents["pi+"].weight)
    pr = on.produced["pi+"]
    p = np.linalg.norm(pr.p4[:, 1:], axis=1)
    u = pr.p4[:, 1:] / p[:, None]
    res = track(pr.vertex, u, p, np.ones(len(p)), cfg.horn(), step=cfg.tracking_step)
    sel = res.status == TrackStatus.ABSORBED
    x, d, p = res.position[sel], res.direction[sel], p[sel]
    r = np.hypot(x[:, 0], x[:, 1])
    d_r = np.clip((x[:, 0] * d[:, 0] + x[:, 1] * d[:, 1]) / r, 1e-3, None)
    tgt = cfg.facility.target
    l_t = tgt.material_path(pr.vertex[sel], u[sel])
    w_abs = np.exp(
        -l_t / absorption_length(p, 1, "Be")
        - (res.wall_path[sel] + 25.4 * mm / d_r) / absorption_length(p, 1, "Al")
    )
    # distance to the walls x = -685.4, 685.4 mm, y = -1315.4, 715.4 mm or z = 3070 mm
    with np.errstate(divide="ignore"):
        t_x = np.where(d[:, 0] > 0, HALL_X[1] - x[:, 0], HALL_X[0] - x[:, 0]) / d[:, 0]
        t_y = np.where(d[:, 1] > 0, HALL_Y[1] - x[:, 1], HALL_Y[0] - x[:, 1]) / d[:, 1]
        t_z = np.where(d[:, 2] > 0, (HALL_Z_END - x[:, 2]) / d[:, 2], np.inf)
    flight = np.minimum(np.minimum(t_x, t_y), t_z) * mm
    lam = decay_length(p, m_pi, tau_pi)
    side = np.sum(
        pr.weight[sel] * w_abs * np.exp(-res.path_length[sel] / lam) * -np.expm1(-flight / lam)
    )
    # expected: the decays on the horn path as before, plus those on the flight
    diff = on.parents["pi+"].weight[sel] - off.parents["pi+"].weight[sel]
    sigma = float(np.sqrt(np.sum(diff**2)))  # conservative MC error of the sum
    assert abs(extra - side) < 4.0 * sigma
    assert sigma < 0.2 * side
    assert extra > 0.02 * np.sum(off.parents["pi+"].weight)
    # per pion, exactly: production x absorption up to the conductor x the probability to
    # decay on the horn path or the flight, times the conductor's survival if the decay
    # point lies beyond the conductor (the simulation draws where)
    w_oc = np.exp(-25.4 * mm / d_r / absorption_length(p, 1, "Al"))
    base = pr.weight[sel] * w_abs / w_oc * -np.expm1(-(res.path_length[sel] + flight) / lam)
    ratio = on.parents["pi+"].weight[sel] / base
    beyond = np.isclose(ratio, w_oc, rtol=1e-9, atol=0.0)
    assert np.all(beyond | np.isclose(ratio, 1.0, rtol=1e-9, atol=0.0))
    assert 0.2 < np.mean(beyond) < 0.95
