"""The target rod's cooling sleeve and fins (beamline.target_support, Target.material_path)."""

from __future__ import annotations

import math
import tomllib

import numpy as np
import pytest

from muphilic.beamline.facility import FacilityConfigError
from muphilic.beamline.facility_file import facility_from_mapping, load_facility
from muphilic.beamline.target_support import Fins, Sleeve, path_in_fins, path_in_sleeve
from muphilic.data import data_file

TARGET = load_facility("bnb").target


def _rays(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Rays from inside the rod, forward and backward, some along the axis."""
    rng = np.random.default_rng(seed)
    r = 4.7 * np.sqrt(rng.uniform(size=n))
    phi = rng.uniform(0.0, 2.0 * math.pi, n)
    pos = np.column_stack((r * np.cos(phi), r * np.sin(phi), rng.uniform(35.0, 746.0, n)))
    theta = np.where(rng.uniform(size=n) < 0.9, rng.exponential(0.05, n), rng.uniform(0, 3, n))
    theta[:5] = 0.0
    phi = rng.uniform(0.0, 2.0 * math.pi, n)
    u = np.column_stack((np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta)))
    return pos, u


def _brute(pos: np.ndarray, u: np.ndarray, inside, length: float = 1200.0, n: int = 240_001):
    """Path by sampling points along each ray (second method; step 5 um)."""
    s = np.linspace(0.0, length, n)
    out = np.empty(len(pos))
    for i in range(len(pos)):
        x = pos[i] + s[:, None] * u[i]
        out[i] = np.count_nonzero(inside(x)) * (length / (n - 1))
    return out


def test_sleeve_path_against_point_sampling() -> None:
    sleeve = TARGET.sleeve
    pos, u = _rays(300, 1)

    def inside(x):
        r = np.hypot(x[:, 0], x[:, 1])
        return (
            (r >= sleeve.r_inner)
            & (r <= sleeve.r_outer)
            & (x[:, 2] >= sleeve.z1)
            & (x[:, 2] <= sleeve.z2)
        )

    got = path_in_sleeve(pos, u, sleeve)
    np.testing.assert_allclose(got, _brute(pos, u, inside), atol=0.02)
    assert np.count_nonzero(got > 1.0) > 50
    # a slanted crossing: the wall over sin(theta)
    theta = 0.025
    one = path_in_sleeve(
        np.array([[0.0, 0.0, 100.0]]), np.array([[math.sin(theta), 0, math.cos(theta)]]), sleeve
    )
    assert one[0] == pytest.approx((sleeve.r_outer - sleeve.r_inner) / math.sin(theta), rel=1e-9)


def test_fin_path_against_point_sampling() -> None:
    fins = TARGET.fins
    pos, u = _rays(300, 2)

    def inside(x):
        hit = np.zeros(len(x), dtype=bool)
        in_z = np.zeros(len(x), dtype=bool)
        for z1, z2 in fins.segments:
            in_z |= (x[:, 2] >= z1) & (x[:, 2] <= z2)
        for phi in fins.phi:
            a = x[:, 0] * math.cos(phi) + x[:, 1] * math.sin(phi)
            b = -x[:, 0] * math.sin(phi) + x[:, 1] * math.cos(phi)
            hit |= (a >= fins.r_inner) & (a <= fins.r_outer) & (np.abs(b) <= fins.thickness / 2)
        return hit & in_z

    got = path_in_fins(pos, u, fins)
    np.testing.assert_allclose(got, _brute(pos, u, inside), atol=0.02)
    assert np.count_nonzero(got > 1.0) > 10


def test_a_ray_along_a_fin() -> None:
    fins = Fins((0.0,), 1.0, 5.0, 13.0, ((0.0, 1000.0),))
    theta = 0.02
    pos = np.array([[0.0, 0.0, 10.0]])
    u = np.array([[math.sin(theta), 0.0, math.cos(theta)]])
    assert path_in_fins(pos, u, fins)[0] == pytest.approx(8.0 / math.sin(theta), rel=1e-9)
    # parallel to the fin plane but beside it: nothing
    assert path_in_fins(pos + np.array([0.0, 0.6, 0.0]), u, fins)[0] == 0.0
    # a ray along z through a fin stays in it to the segment's end
    along = path_in_fins(np.array([[8.0, 0.0, 10.0]]), np.array([[0.0, 0.0, 1.0]]), fins)
    assert along[0] == pytest.approx(990.0)


def test_material_path_adds_the_sleeve_crossing() -> None:
    # a ray from the axis at 25 mrad, azimuth 90 deg (between the fins at 30 and 150 deg):
    # the rod to its side, then the tube's wall at the slant (analytic)
    theta = 0.025
    pos = np.array([[0.0, 0.0, 100.0]])
    u = np.array([[0.0, math.sin(theta), math.cos(theta)]])
    rod = TARGET.radius / math.sin(theta)
    tube = (TARGET.sleeve.r_outer - TARGET.sleeve.r_inner) / math.sin(theta)
    assert TARGET.material_path(pos, u)[0] == pytest.approx(rod + tube, rel=1e-9)
    # at azimuth 30 deg it runs along a fin too, through the fin segments it meets
    u30 = np.array(
        [[math.sin(theta) * math.cos(math.pi / 6), math.sin(theta) * 0.5, math.cos(theta)]]
    )
    extra = TARGET.material_path(pos, u30)[0] - rod - tube
    assert extra == pytest.approx(path_in_fins(pos, u30, TARGET.fins)[0], rel=1e-9)
    assert extra > 100.0


def test_facility_keys_of_the_support() -> None:
    table = tomllib.loads(data_file("facilities", "bnb.toml").read_text())
    assert facility_from_mapping(table).target.sleeve == Sleeve(13.6779, 14.6177, -34.925, 755.523)
    bad = tomllib.loads(data_file("facilities", "bnb.toml").read_text())
    bad["target"]["sleeve"]["radii_mm"] = [3.0, 14.0]  # inside the rod
    with pytest.raises(FacilityConfigError, match=r"target\.sleeve\.radii_mm"):
        facility_from_mapping(bad)
    bad = tomllib.loads(data_file("facilities", "bnb.toml").read_text())
    bad["target"]["fins"]["thickness_mm"] = 0.0
    with pytest.raises(FacilityConfigError, match=r"target\.fins\.thickness_mm"):
        facility_from_mapping(bad)
    bad = tomllib.loads(data_file("facilities", "bnb.toml").read_text())
    bad["target"]["fins"]["colour"] = "grey"
    with pytest.raises(FacilityConfigError, match="colour"):
        facility_from_mapping(bad)
    del table["target"]["sleeve"], table["target"]["fins"]
    bare = facility_from_mapping(table).target
    assert bare.sleeve is None and bare.fins is None
