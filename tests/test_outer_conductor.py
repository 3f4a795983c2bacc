"""Mesons crossing a horn's outer conductor into the air region around it."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from importlib import resources

import numpy as np
import pytest

from muphilic.beamline.absorption import absorption_length
from muphilic.beamline.decays import decay_length
from muphilic.beamline.facility import FacilityConfigError
from muphilic.beamline.facility_file import facility_from_mapping, load_facility
from muphilic.beamline.outer_conductor import beyond_outer_conductor
from muphilic.beamline.simulate import BeamlineConfig, simulate
from muphilic.constants import GeV, m_pi, mm, tau_pi


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
    cfg = BeamlineConfig()
    p = np.full(4, 0.3 * GeV)
    x = np.array([[300.0, 0, 500.0], [0, 300.0, 800.0], [-300.0, 0, 100.0], [0, -300.0, 1200.0]])
    d = np.column_stack((x[:, 0], x[:, 1], np.zeros(4))) / 300.0
    w, flight, _, _ = beyond_outer_conductor("pi+", p, x * mm, d, cfg.facility.horns)
    lam_abs = absorption_length(p, 1, "Al")
    np.testing.assert_allclose(w, np.exp(-25.4 * mm / lam_abs), rtol=1e-12)
    np.testing.assert_allclose(flight, (685.4 - 300.0) * mm, rtol=1e-12)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("outer_conductor_mm", -1.0),
        ("hall_radius_mm", 100.0),
        ("hall_z_end_mm", -5.0),
    ],
)
def test_bad_keys_are_one_line_errors(key, value):
    data = _bnb_data()
    data["horns"][0][key] = value
    with pytest.raises(FacilityConfigError, match=rf"horns\[0\]\.{key}") as err:
        facility_from_mapping(data)
    assert "\n" not in str(err.value)


def test_extra_pi_plus_decays_match_a_side_calculation():
    # second method (benchmarks/flux_shape_causes.py, beyond_outer_conductor, with the
    # facility's cylinder): track the produced pi+, take those stopped at the outer
    # conductor, weight = absorption in target + Al x survival to it x decay on the flight
    from muphilic.beamline.absorption import path_in_target
    from muphilic.beamline.horn import TrackStatus
    from muphilic.beamline.horn_kernel import track

    cfg = BeamlineConfig()
    on = simulate(1000, 5)
    off = simulate(1000, 5, config=BeamlineConfig(outer_conductor_transmission=False))
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
    l_t = path_in_target(pr.vertex[sel], u[sel], tgt.radius, tgt.z_max, tgt.segments)
    w_abs = np.exp(
        -l_t / absorption_length(p, 1, "Be")
        - (res.wall_path[sel] + 25.4 * mm / d_r) / absorption_length(p, 1, "Al")
    )
    # distance to r = 685.4 mm (quadratic) or z = 3070 mm
    a, b = d[:, 0] ** 2 + d[:, 1] ** 2, x[:, 0] * d[:, 0] + x[:, 1] * d[:, 1]
    t_r = (-b + np.sqrt(b * b - a * (r**2 - (685.4 * mm) ** 2))) / a
    t_z = np.where(d[:, 2] > 0, (3070.0 * mm - x[:, 2]) / np.maximum(d[:, 2], 1e-300), np.inf)
    flight = np.minimum(t_r, t_z)
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
