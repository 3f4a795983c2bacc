"""End-to-end tests of the embedded BNB simulation against exact expectations and a
published flux."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np
import pytest

from muphilic.beamline import (
    DEFAULT_FLUX_VOLUMES,
    BeamlineConfig,
    beam_summary,
    numu_flux,
    plot_beam,
    simulate,
)
from muphilic.beamline.facility_file import load_facility
from muphilic.beamline.production import integrated_xsec
from muphilic.beamline.simulate import BeamlineConfigError
from muphilic.beamline.summary import _title
from muphilic.beamline.target import interaction_length
from muphilic.constants import GeV, mm
from muphilic.data import data_file

POT = 4000
BNB = load_facility("bnb")
ABSORBER_FACE_Z = BNB.absorber_z


@pytest.fixture(scope="module")
def sample():
    # one meson-producing interaction per proton (the bookkeeping these tests check); the
    # re-interaction of quasi-elastic protons has its own tests (test_beamline_rescattering.py)
    return simulate(POT, 2024, config=BeamlineConfig(proton_rescattering=False))


def test_same_seed_same_sample():
    a = simulate(200, 5)
    b = simulate(200, 5)
    assert np.array_equal(a.parents["pi+"].p4, b.parents["pi+"].p4)
    assert np.array_equal(a.muons.weight, b.muons.weight)


def test_produced_yields_match_the_integrated_parametrisation(sample):
    # sum of production weights (a Monte Carlo estimate) vs P_int * sigma_s / sigma_att
    cfg = BeamlineConfig()
    for name in ("pi+", "K+"):
        w = sample.produced[name].weight
        err = math.sqrt(np.sum(w**2))
        assert np.sum(w) == pytest.approx(sample.produced_per_pot[name], abs=5 * err)
    # an on-axis proton interacts with probability 1 - exp(-711.2 mm / lambda); the beam
    # spot is well inside the 4.76 mm radius, so the mean is within 1 % of it
    sigma_att = cfg.backend().mesons(cfg.facility, pot=1, seed=0).sigma_att
    lam = interaction_length(sigma_att, BNB.target.number_density)
    p_axis = -math.expm1(-711.2 * mm / lam)
    mult = integrated_xsec("pi+", cfg.p_beam) / sigma_att
    assert sample.produced_per_pot["pi+"] == pytest.approx(p_axis * mult, rel=0.01)


def test_decays_are_upstream_of_the_absorber_and_weights_physical(sample):
    for p in sample.parents.values():
        assert np.all(p.vertex[:, 2] <= ABSORBER_FACE_Z + 1e-6)
        assert np.all(p.weight >= 0)
    assert np.allclose(sample.muons.position[:, 2], ABSORBER_FACE_Z)
    assert np.all(np.hypot(sample.muons.position[:, 0], sample.muons.position[:, 1]) <= 914.4 * mm)
    # a meson decays at most once: decays <= production (per species)
    for name, p in sample.parents.items():
        assert np.sum(p.weight) < sample.produced_per_pot[name]


def test_numu_flux_agrees_with_the_published_microboone_flux(sample):
    # Reference: MicroBooNE's BNB nu_mu flux (package data, 470 m). Our model omits tertiary
    # production (re-scattered protons alone give ~7 % of MiniBooNE's nu_mu from pi+) and
    # models pion absorption without regeneration, so we require 15 % on the integral and
    # 20 % on the mean energy; statistical noise of this 4000-POT sample is ~3 %.
    ref = np.loadtxt(
        data_file("beamline", "microboone_bnb_numu_flux.csv"), delimiter=",", skiprows=5
    )
    centres = 0.5 * (ref[:, 0] + ref[:, 1])
    ref_total = ref[:, 2].sum()
    ref_mean = np.sum(centres * ref[:, 2]) / ref_total * GeV
    res = numu_flux(sample, DEFAULT_FLUX_VOLUMES["microboone"], np.linspace(0, 10, 201) * GeV)
    assert res.integral == pytest.approx(ref_total, rel=0.15)
    assert res.mean_energy == pytest.approx(ref_mean, rel=0.20)


def test_flux_scales_as_inverse_square_between_far_detectors(sample):
    # MiniBooNE (541 m) vs MicroBooNE (470 m): the decay region (<50 m) is small compared
    # with both distances, so the ratio is (470/541)^2 up to O(50/500) corrections
    edges = np.linspace(0, 10, 21) * GeV
    mb = numu_flux(sample, DEFAULT_FLUX_VOLUMES["miniboone"], edges).integral
    ub = numu_flux(sample, DEFAULT_FLUX_VOLUMES["microboone"], edges).integral
    assert mb / ub == pytest.approx((470 / 541) ** 2, rel=0.1)


def test_summary_has_exactly_the_documented_structure(sample, tmp_path):
    s = beam_summary(sample)
    json.dumps(s)
    assert set(s) == {
        "pot",
        "facility",
        "production",
        "produced_per_pot",
        "decays_per_pot",
        "muons_per_pot",
        "numu_flux",
    }
    assert s["facility"] == "BNB"
    assert s["production"].startswith("bnb-fits")
    assert set(s["produced_per_pot"]) == {"pi+", "pi-", "K+", "K-", "K0L"}
    assert set(s["decays_per_pot"]) == {"pi+", "pi-", "K+", "K-"}
    assert set(s["muons_per_pot"]) == {"produced", "to_dump"}
    assert set(s["numu_flux"]) == {"miniboone", "microboone", "sbnd"}
    for entry in s["numu_flux"].values():
        assert set(entry) == {"edges_GeV", "per_cm2_per_pot", "total_per_cm2_per_pot"}
        assert len(entry["edges_GeV"]) == len(entry["per_cm2_per_pot"]) + 1
    assert s["muons_per_pot"]["to_dump"] < s["muons_per_pot"]["produced"]
    out = plot_beam(sample, tmp_path / "fig4.png")
    assert out.stat().st_size > 1000
    assert _title(sample) == f"{sample.facility}, bnb-fits, {sample.pot:.2g} POT"
    assert _title(replace(sample, facility="", production="")).startswith("beam sample, ")


def test_bad_configuration_is_rejected():
    with pytest.raises(BeamlineConfigError, match="attenuation"):
        BeamlineConfig(attenuation="elastic")
    with pytest.raises(BeamlineConfigError, match="oversample"):
        BeamlineConfig(oversample={"K+": 0.0})
    with pytest.raises(BeamlineConfigError, match="pot"):
        simulate(0, 1)
