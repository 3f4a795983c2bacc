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
from muphilic.beamline.simulate import BeamlineConfig, _beyond_outer_conductor, simulate
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
    w, flight, _, _ = _beyond_outer_conductor("pi+", p, x * mm, d, cfg)
    lam_abs = absorption_length(p, 1, "Al")
    np.testing.assert_allclose(w, np.exp(-25.4 * mm / lam_abs), rtol=1e-12)
    np.testing.assert_allclose(flight, (685.4 - 300.0) * mm, rtol=1e-12)
    lam = decay_length(p, m_pi, tau_pi)
    expected = w * -np.expm1(-flight / lam)
    assert np.all(expected > 0) and np.all(expected < 0.1)


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
