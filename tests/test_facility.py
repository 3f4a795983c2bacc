"""Tests of the facility files: the packaged BNB against its sources and today's results,
validation with named fields, segmented targets and multi-horn systems."""

from __future__ import annotations

import copy
import json
import math
import re
import tomllib
from dataclasses import replace

import numpy as np
import pytest
import tomli_w

from muphilic.beamline import BeamlineConfig, beam_summary, simulate
from muphilic.beamline.absorption import path_in_target
from muphilic.beamline.facility import FacilityConfigError
from muphilic.beamline.facility_file import (
    available_facilities,
    facility_from_mapping,
    load_facility,
)
from muphilic.beamline.horn import HornGeometry, HornSystem, TrackStatus, field_at, track
from muphilic.beamline.production import production_model
from muphilic.beamline.target import BeamSpot, Target, interaction_length, sample_interactions
from muphilic.constants import MU0, GeV, barn, cm3, g, kA, mm, mole, tesla
from muphilic.data import data_file

BNB = load_facility("bnb")


def bnb_mapping() -> dict:
    return tomllib.loads(data_file("facilities", "bnb.toml").read_text())


# --- the packaged BNB against its sources --------------------------------------------
def test_packaged_facilities_are_listed_and_load():
    assert "bnb" in available_facilities()
    for name in available_facilities():
        assert load_facility(name).name
    assert load_facility("BNB") is BNB  # case-insensitive, cached


def test_bnb_horn_is_the_g4bnb_field_region():
    # every HRN1 plane of the packaged G4BNB table, in order (an independent transcription)
    lines = data_file("beamline", "g4bnb_horn_polycone_zplanes.csv").read_text().splitlines()
    rows = [[float(v) for v in line.split(",")[1:]] for line in lines if line.startswith("HRN1")]
    horn = BNB.horns[0]
    assert list(horn.profile_z) == [r[0] * mm for r in rows]
    assert list(horn.inner_radius) == [r[1] * mm for r in rows]
    assert list(horn.outer_radius) == [r[2] * mm for r in rows]
    assert (horn.z_start, horn.z_end, horn.current) == (0.0, 1804.0 * mm, 174.0 * kA)


def test_bnb_beam_target_and_pipe_are_the_g4bnb_values():
    prod = json.loads(data_file("beamline", "g4bnb_hadron_production_parameters.json").read_text())
    spot = prod["beam"]["beam_spot"]
    assert BNB.spot.sigma_x == spot["sigma_x_mm"] * mm
    assert BNB.spot.sigma_theta_y == pytest.approx(spot["sigma_thetay_mrad"] * 1e-3, rel=1e-12)
    assert BNB.spot.z_start == spot["primary_z_cm"] * 10 * mm
    assert BNB.proton_kinetic_energy == prod["beam"]["proton_kinetic_energy_GeV"] * GeV
    geo = json.loads(data_file("beamline", "g4bnb_geometry_summary.json").read_text())
    assert [BNB.target.z_min, BNB.target.z_max] == geo["target"]["z_range_mm"]
    assert BNB.target.radius == geo["target"]["radius_mm"]
    assert BNB.decay_pipe.radius == geo["decay_pipe"]["radius_mm"]
    assert BNB.absorber_z == geo["absorber"]["z_range_mm"][0]
    # the cross sections for generator backends are the G4BNB Regge forms at 8.89 GeV/c
    model = production_model()
    inel = model.sigma("inelastic", BNB.p_beam)
    assert BNB.target.sigma_inelastic == pytest.approx(inel, rel=1e-4)
    assert BNB.target.sigma_production == pytest.approx(
        inel - model.sigma("quasielastic", BNB.p_beam), rel=1e-4
    )
    # PDG/GDML beryllium: 1.848 g/cm3, 9.012182 g/mol -> 1.2349e23 nuclei per cm3
    assert BNB.target.number_density * cm3 == pytest.approx(1.2349e23, rel=1e-4)


def test_every_bnb_number_has_a_source():
    data = bnb_mapping()
    sourced = set(data["sources"])
    for table in ("beam", "target", "decay_pipe", "absorber"):
        for key in data[table]:
            assert f"{table}.{key}" in sourced, f"{table}.{key} has no source"
    assert {"horns", "apertures", "production", "polarity"} <= sourced


# --- bnb.toml reproduces the BNB results of the code before facility files ---------------
#: simulate(2000, 1) of the BNB before its geometry came from a facility file (commit
#: e406583: module constants), printed with repr(); on that platform the new code gives the
#: same bits (every array of the sample hashed).
BEFORE_FACILITY_FILES = {
    "produced_per_pot": {
        "pi+": 0.6273425854002851,
        "pi-": 0.569255065636902,
        "K+": 0.04882077026752344,
        "K-": 0.002232893768370684,
        "K0L": 0.017445430001247764,
    },
    "decays_per_pot": {
        "pi+": 0.07874617703587995,
        "pi-": 0.01594875849920468,
        "K+": 0.012245290624457299,
        "K-": 0.00022194351552563013,
    },
    "muons_per_pot": {"produced": 0.10260746207738697, "to_dump": 0.010988538271241124},
    "flux_total": {
        "miniboone": 4.833138086285924e-10,
        "microboone": 6.57341348479543e-10,
        "sbnd": 1.5206617826764245e-08,
    },
}


def test_bnb_facility_reproduces_the_results_before_facility_files():
    # (that code had no kaon absorption, stopped mesons at the outer conductor, did not
    # slow them down, had no field inside the inner conductor and a bare target rod)
    bnb = load_facility("bnb")
    config = BeamlineConfig(
        facility=replace(
            bnb,
            horns=tuple(replace(h, skin_depth=0.0) for h in bnb.horns),
            target=replace(bnb.target, sleeve=None, fins=None),
        ),
        kaon_absorption=False,
        proton_rescattering=False,
        outer_conductor_transmission=False,
        meson_energy_loss=False,
    )
    sample = simulate(2000, 1, config=config)
    summary = beam_summary(sample)
    for key in ("produced_per_pot", "decays_per_pot", "muons_per_pot"):
        for name, value in BEFORE_FACILITY_FILES[key].items():
            assert summary[key][name] == pytest.approx(value, rel=1e-12, abs=0.0), (key, name)
    for name, value in BEFORE_FACILITY_FILES["flux_total"].items():
        total = summary["numu_flux"][name]["total_per_cm2_per_pot"]
        assert total == pytest.approx(value, rel=1e-12, abs=0.0), name
    assert sample.facility == "BNB"


# --- validation: every bad field is named ---------------------------------------------
def _mutate(path: str, value: object) -> dict:
    data = copy.deepcopy(bnb_mapping())
    node = data
    keys = path.split("/")
    for k in keys[:-1]:
        node = node[int(k)] if isinstance(node, list) else node[k]
    if value is _DELETE:
        del node[keys[-1]]
    else:
        node[keys[-1]] = value
    return data


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "named"),
    [
        ("colour", "red", "colour"),
        ("beam", _DELETE, "beam"),
        ("beam/energy_GeV", 8.0, "beam.energy_GeV"),
        ("beam/proton_kinetic_energy_GeV", -8.0, "beam.proton_kinetic_energy_GeV"),
        ("beam/proton_kinetic_energy_GeV", "8", "beam.proton_kinetic_energy_GeV"),
        ("beam/sigma_x_mm", float("nan"), "beam.sigma_x_mm"),
        ("beam/start_z_mm", _DELETE, "beam.start_z_mm"),
        ("target/radius_mm", 0.0, "target.radius_mm"),
        ("target/density_g_cm3", True, "target.density_g_cm3"),
        ("target/mass_number", 9.5, "target.mass_number"),
        ("target/atomic_number", 10, "target.atomic_number"),
        ("target/segments_mm", [[746.1, 34.9]], "target.segments_mm"),
        ("target/segments_mm", [[0.0, 10.0], [5.0, 20.0]], "target.segments_mm"),
        ("target/segments_mm", [], "target.segments_mm"),
        ("target/sigma_production_mb", 300.0, "target.sigma_production_mb"),
        ("horns", [], "horns"),
        ("horns/0/current_kA", -174.0, "horns[0].current_kA"),
        ("horns/0/profile_z_mm", [35.0, 20.0], "horns[0].inner_radius_mm"),
        ("horns/0/inner_radius_mm", [70.0, 22.0], "horns[0].inner_radius_mm"),
        ("horns/0/outer_radius_mm", 50.0, "horns[0].outer_radius_mm"),
        ("horns/0/length_mm", 1000.0, "horns[0].profile_z_mm"),
        ("horns/0/conductor", "Cu", "horns[0].conductor"),
        (
            "horns/0/sections",
            [{"z_mm": [0.0, 10.0], "a_mm2": 1.0, "b_mm": 0.0}],
            "horns[0].sections",
        ),
        ("polarity", "both", "polarity"),
        ("apertures/1/z_mm", [1500.0, 1804.0], "apertures[1].z_mm"),
        ("apertures/2/radius_mm", -1.0, "apertures[2].radius_mm"),
        ("apertures/3/z_mm", [3070.0, 6000.0], "decay_pipe.start_mm"),
        ("absorber/z_mm", 5000.0, "absorber.z_mm"),
        ("decay_pipe/gas", 1, "decay_pipe.gas"),
        ("sources/horns[0].colour", "x", "sources.horns[0].colour"),
        ("sources/target.mass", "x", "sources.target.mass"),
        ("pot_per_year", 0.0, "pot_per_year"),
    ],
)
def test_a_bad_field_is_rejected_by_name(path, value, named):
    with pytest.raises(FacilityConfigError, match=re.escape(f"'{named}")):
        facility_from_mapping(_mutate(path, value))


def test_user_files_by_path_and_bad_files(tmp_path):
    good = tmp_path / "mine.toml"
    data = bnb_mapping()
    data["name"] = "BNB, 10 % more current"
    data["horns"][0]["current_kA"] = 191.4
    good.write_text(tomli_w.dumps(data))
    mine = load_facility(good)
    assert mine.horns[0].current == pytest.approx(1.1 * BNB.horns[0].current)
    assert mine.digest() != BNB.digest()
    bad = tmp_path / "bad.toml"
    bad.write_text("name = [")
    with pytest.raises(FacilityConfigError, match=r"bad\.toml: not valid TOML"):
        load_facility(bad)
    bad.write_bytes(b"name = '\xff'")
    with pytest.raises(FacilityConfigError, match="not UTF-8"):
        load_facility(bad)
    with pytest.raises(FacilityConfigError, match="no facility file"):
        load_facility(tmp_path / "missing.toml")
    with pytest.raises(FacilityConfigError, match=r"unknown facility 'tevatron'.*\['bnb'"):
        load_facility("tevatron")


# --- horns: parabolic sections, several horns, polarity ---------------------------------
def _two_horn_mapping() -> dict:
    """A NuMI-like layout: two horns with parabolic inner conductors and a gap."""
    data = bnb_mapping()
    horn1 = {
        "name": "horn 1",
        "position_mm": 0.0,
        "length_mm": 3000.0,
        "current_kA": 200.0,
        "wall_thickness_mm": 2.0,
        "outer_radius_mm": 150.0,
        "sections": [
            {"z_mm": [0.0, 800.0], "a_mm2": 1274.7, "b_mm": -1.4, "points": 9},
            {"z_mm": [800.0, 850.0], "a_mm2": 182.0, "b_mm": 0.0, "points": 2},
            {"z_mm": [850.0, 2950.0], "a_mm2": -100.0, "b_mm": 0.35},
        ],
    }
    horn2 = dict(horn1, name="horn 2", position_mm=10000.0, current_kA=100.0)
    data["horns"] = [horn1, horn2]
    data["apertures"] = [
        {"name": "chase", "z_mm": [-1000.0, 13000.0], "radius_mm": 800.0},
    ]
    data["target"]["segments_mm"] = [[-600.0, -500.0], [-490.0, -390.0]]
    data["decay_pipe"]["start_mm"] = 13000.0
    return data


def test_parabolic_sections_expand_to_sqrt_a_plus_b_z():
    f = facility_from_mapping(_two_horn_mapping())
    h = f.horns[0]
    z = np.asarray(h.profile_z)
    r = np.asarray(h.inner_radius)
    assert len(z) == 9 + 1 + 49  # shared section ends appear once
    first = z <= 800.0
    assert np.allclose(r[first], np.sqrt(1274.7 - 1.4 * z[first]), rtol=1e-14)
    assert np.allclose(r[(z > 800.0) & (z <= 850.0)], math.sqrt(182.0))
    last = z > 850.0
    assert np.allclose(r[last], np.sqrt(-100.0 + 0.35 * z[last]), rtol=1e-14)
    assert f.horns[1].profile_z[0] == 10000.0  # placed at its position
    bad = _two_horn_mapping()
    bad["horns"][0]["sections"][0]["a_mm2"] = 10.0  # r^2 < 0 at the section's end
    with pytest.raises(FacilityConfigError, match=r"sections\[0\]\.a_mm2"):
        facility_from_mapping(bad)


def test_two_horns_each_with_its_own_field_and_none_in_the_gap():
    f = facility_from_mapping(_two_horn_mapping())
    system = f.horn_system()
    assert system.z_start == -600.0  # the target upstream of horn 1 is in the tracked region
    # mu0 I / (2 pi r) between the conductors of each horn, zero in the gap
    points = np.array([[60.0, 0.0, 1500.0], [60.0, 0.0, 11500.0], [60.0, 0.0, 6000.0]])
    b = field_at(points, system)[:, 1] / tesla
    r = 60.0 * mm
    assert b[0] == pytest.approx(MU0 * 200 * kA / (2 * math.pi * r) / tesla, rel=1e-12)
    assert b[1] == pytest.approx(MU0 * 100 * kA / (2 * math.pi * r) / tesla, rel=1e-12)
    assert b[2] == 0.0
    # antineutrino mode reverses both fields
    anti = f.with_polarity("antineutrino").horn_system()
    assert np.allclose(field_at(points, anti), -field_at(points, system))


def test_a_particle_drifts_straight_through_the_gap_and_the_target_region():
    system = facility_from_mapping(_two_horn_mapping()).horn_system()
    # a ray inside the bore (r < r_in everywhere) feels no field: it stays straight from the
    # target to the end of horn 2
    u = np.array([[0.001, 0.0, 1.0]]) / math.hypot(0.001, 1.0)
    start = np.array([[0.0, 0.0, -550.0]])
    res = track(start, u, np.array([2 * GeV]), np.array([1.0]), system)
    assert res.status[0] == TrackStatus.EXITED
    assert np.allclose(res.direction, u, atol=1e-15)
    assert res.position[0, 2] >= 13000.0
    assert res.position[0, 0] == pytest.approx(0.001 * (res.position[0, 2] + 550.0), rel=1e-9)
    # a wide ray leaves the chase (800 mm) in the gap, before horn 2, and is absorbed there
    u = np.array([[0.12, 0.0, 1.0]]) / math.hypot(0.12, 1.0)
    res = track(np.array([[0.0, 0.0, 3100.0]]), u, np.array([2 * GeV]), np.array([1.0]), system)
    assert res.status[0] == TrackStatus.ABSORBED
    assert res.position[0, 2] == pytest.approx(3100.0 + 800.0 / 0.12, abs=40.0)


def test_a_horn_system_of_one_horn_tracks_like_the_horn_itself():
    horn = BNB.horn_system().horns[0]
    u = np.array([[0.06, 0.01, 1.0], [-0.04, 0.03, 1.0]])
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    pos = np.array([[1.0, 0.0, 300.0], [0.0, 1.0, 600.0]])
    args = (pos, u, np.array([1 * GeV, 2 * GeV]), np.array([1.0, -1.0]))
    a = track(*args, horn)
    b = track(*args, HornSystem((horn,), horn.z_start))
    assert np.array_equal(a.position, b.position)
    assert np.array_equal(a.wall_path, b.wall_path)
    with pytest.raises(Exception, match="overlap"):
        HornSystem((horn, horn), 0.0)


def test_horn_geometry_current_sign_sets_the_focusing():
    h = BNB.horns[0]
    assert h.geometry(-1.0).current == -h.current
    assert isinstance(h.geometry(1.0), HornGeometry)


# --- segmented targets ------------------------------------------------------------------
def _segmented_target() -> Target:
    return Target(
        material="C",
        atomic_number=6,
        mass_number=12,
        density=1.78 * g / cm3,
        molar_mass=12.011 * g / mole,
        radius=3.2 * mm,
        segments=((0.0, 20.0), (20.3, 40.3), (40.6, 60.6)),
    )


def test_segmented_target_interacts_only_in_its_segments_with_the_material_length():
    target = _segmented_target()
    lam = interaction_length(250e-3 * barn, target.number_density)
    spot = BeamSpot(0.0, 0.0, 0.0, 0.0, -100.0)
    res = sample_interactions(50_000, np.random.default_rng(4), lam, spot, target)
    # a pencil beam on axis crosses 3 x 20 mm of graphite, not the 60.6 mm envelope
    assert np.allclose(res.weight, -math.expm1(-60.0 * mm / lam), rtol=1e-12)
    z = res.position[:, 2]
    in_gap = ((z > 20.0) & (z < 20.3)) | ((z > 40.3) & (z < 40.6))
    assert not np.any(in_gap)
    # the truncated exponential in material depth: the fraction in the first segment
    first = np.mean(z <= 20.0)
    expected = -math.expm1(-20.0 / lam) / -math.expm1(-60.0 / lam)
    assert first == pytest.approx(expected, abs=5 * math.sqrt(expected / 50_000))


def test_segmented_target_path_counts_material_only():
    target = _segmented_target()
    pos = np.array([[0.0, 0.0, 10.0], [0.0, 0.0, 30.0], [0.0, 0.0, 20.1]])
    u = np.tile([0.0, 0.0, 1.0], (3, 1))
    path = path_in_target(pos, u, target.radius, target.z_max, target.segments)
    assert np.allclose(path, [10.0 + 40.0, 10.3 + 20.0, 40.0])
    # sideways: out through the side after r = 3.2 mm, inside one segment
    side = path_in_target(
        np.array([[0.0, 0.0, 5.0]]), np.array([[1.0, 0.0, 0.0]]), 3.2, 60.6, target.segments
    )
    assert side[0] == pytest.approx(3.2)
