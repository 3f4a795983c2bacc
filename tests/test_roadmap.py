"""The road map: NuMI facility and detectors, the modelled NC pi0 background, validation.

The NuMI flux is checked against the published NOvA ND and MINERvA (ME) nu_mu fluxes
packaged in ``muphilic/data/fluxes/`` (sources in the README there). The beamline model
absorbs pions and kaons in the 1.2 m graphite target and the horns' aluminium but misses
re-interactions (tertiary production): the achieved agreement is asserted, with the issue's
target (20 % per bin in 1-6 GeV) stated where it is missed (docs/validation.md has every
number).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from muphilic.beamline import load_facility, write_sample
from muphilic.beamline.production import ProductionError, get_backend
from muphilic.beamline.simulate import BeamlineConfig, simulate
from muphilic.cli import app
from muphilic.constants import (
    SIGMA_NCPI0_MINIBOONE_PER_NUCLEON,
    SIGMA_NCPI0_MINIBOONE_REL_UNCERTAINTY,
    GeV,
    MeV,
    cm2,
    tonne,
)
from muphilic.data import data_file
from muphilic.detectors import DetectorConfigError, load_detector
from muphilic.detectors.definitions import detector_from_mapping, detector_to_toml
from muphilic.errors import MuphilicError
from muphilic.recast.ncpi0 import (
    flux_averaged_ncpi0_cm2,
    ncpi0_events,
    ncpi0_spectrum,
    nucleons,
)
from muphilic.roadmap import (
    compare_flux,
    facility_detectors,
    facility_flux,
    facility_key,
    flux_volumes,
    published_flux,
    table_csv,
)

NUMI_DETECTORS = ["icarus_numi", "microboone_numi", "minerva", "nova_nd"]

#: Statistics of the validation sample (SIBYLL 2.3d, about 15 s on a loaded 2-core machine).
VALIDATION_POT = 2000


@pytest.fixture(scope="session")
def numi_beam():
    """A small NuMI ME sample with the facility's default production (SIBYLL 2.3d)."""
    pytest.importorskip("chromo")
    facility = load_facility("numi")
    return simulate(VALIDATION_POT, 11, config=BeamlineConfig(facility=facility))


# --- facility files ---------------------------------------------------------------------
def test_numi_files_are_the_g4numi_geometry():
    me, le = load_facility("numi"), load_facility("numi-le")
    assert me.production == le.production == "sibyll"
    assert me.p_beam / GeV == pytest.approx(120.0, rel=1e-5)
    # horn 1: the neck radius 1.063/2 in and the end of the inner conductor at 117.1126 in
    h1 = me.horns[0]
    assert min(h1.inner_radius) == pytest.approx(1.063 / 2 * 25.4, rel=1e-4)
    assert h1.z_end - h1.z_start == pytest.approx(117.1126 * 25.4, abs=0.01)
    # PHorn1ICRout at z = 10 in: sqrt(1.975805 - 0.05585 * 10) in
    z = 30.0 + 254.0
    r = np.interp(z, h1.profile_z, h1.inner_radius)
    assert r == pytest.approx(np.sqrt(1.975805 - 0.5585) * 25.4, rel=1e-3)
    # horn 2 neck 4.2 cm; ME at 19.18 m and 200 kA, LE at 10 m and 185 kA
    assert min(me.horns[1].inner_radius) == pytest.approx(42.0, rel=1e-4)
    assert (me.horns[1].z_start, le.horns[1].z_start) == (19180.0, 10000.0)
    assert me.horns[0].current / le.horns[0].current == pytest.approx(200 / 185)
    # inner-conductor walls: PHorn1ICRout - PHorn1ICRin = 0.078740 in, PHorn2: 0.2 cm (g4numi)
    for f in (me, le):
        assert f.horns[0].wall_thickness == pytest.approx(0.078740 * 25.4, abs=0.01)
        assert f.horns[1].wall_thickness == pytest.approx(2.0)
    assert me.decay_pipe.start == 45699.0 and me.decay_pipe.radius == 990.6
    assert me.absorber_z == pytest.approx(45699.0 + 676681.0 + 10.25 * 12 * 25.4, abs=1.0)


def test_bnb_fits_refuse_numi():
    with pytest.raises(ProductionError, match=r"bnb-fits.*C target.*120 GeV/c.*'sibyll'"):
        get_backend("bnb-fits").check(load_facility("numi"))


# --- detector files ---------------------------------------------------------------------
def test_numi_detectors_name_their_facility():
    assert facility_detectors("numi") == NUMI_DETECTORS
    assert "nova_nd" not in facility_detectors("bnb")
    for name in NUMI_DETECTORS:
        d = load_detector(name)
        assert d.facility == "numi" and d.target_material
        assert all(d.source(k) for k in ("pot", "efficiency", "resolution", "geometry.centre_m"))
        assert "assumption" in (d.source("efficiency") + d.source("pot") + d.source("resolution"))
        again = detector_from_mapping(__import__("tomllib").loads(detector_to_toml(d)))
        assert again.facility == "numi" and again.target_material == d.target_material
    # g4numi: NOvA ND 12.3 mrad and MicroBooNE 136 mrad off axis
    nova, uboone = load_detector("nova_nd"), load_detector("microboone_numi")
    assert np.arctan2(np.hypot(*nova.centre[:2]), nova.centre[2]) * 1e3 == pytest.approx(
        12.26, abs=0.01
    )
    assert np.arctan2(np.hypot(*uboone.centre[:2]), uboone.centre[2]) * 1e3 == pytest.approx(
        135.6, abs=0.1
    )


def test_detector_in_the_numi_decay_pipe_is_refused(tmp_path):
    text = data_file("detectors", "minerva.toml").read_text()
    path = tmp_path / "bad.toml"
    path.write_text(text.replace("1032.319]", "500.0]"))
    with pytest.raises(DetectorConfigError, match="upstream of the absorber face"):
        load_detector(path)
    path.write_text(text.replace('facility = "numi"', 'facility = "nowhere"'))
    with pytest.raises(DetectorConfigError, match=r"facility.*unknown facility 'nowhere'"):
        load_detector(path)


# --- the modelled NC pi0 background -----------------------------------------------------
def _bnb_published_flux():
    lines = data_file("beamline", "microboone_bnb_numu_flux.csv").read_text().splitlines()
    rows = np.array([[float(v) for v in ln.split(",")] for ln in lines if ln[:1].isdigit()])
    return np.append(rows[:, 0], rows[-1, 1]) * GeV, rows[:, 2]


def test_ncpi0_model_against_miniboone_cross_section():
    # Independent reference: MiniBooNE's measured nu_mu NC pi0 cross section on CH2 over the
    # BNB flux, (4.76 +- 0.77) x 10^-40 cm^2/nucleon (arXiv:0911.2063). The model (SciBooNE's
    # NC pi0/CC ratio x the PDG CC cross section) folded with the published BNB flux shape
    # gives 4.29e-40 (0.90 of it): within the measurement's 16 % uncertainty.
    edges, flux = _bnb_published_flux()
    model = flux_averaged_ncpi0_cm2(edges / MeV, flux)
    reference = SIGMA_NCPI0_MINIBOONE_PER_NUCLEON / cm2
    assert model == pytest.approx(reference, rel=SIGMA_NCPI0_MINIBOONE_REL_UNCERTAINTY)


def test_ncpi0_events_count_nucleons_flux_and_exposure():
    assert nucleons(1.0 * tonne) == pytest.approx(6.02214e29, rel=1e-5)
    edges = np.array([1000.0, 2000.0])  # one bin centred at 1.5 GeV
    n = ncpi0_events(edges, [1e-9], pot=1e20, fiducial_mass=1.0 * tonne, efficiency=0.5)
    # 0.077 x 0.677e-38 cm^2 x 1.5 x 1e-9 cm^-2 x 6.022e29 x 1e20 x 0.5
    assert n == pytest.approx(0.077 * 0.677e-38 * 1.5 * 1e-9 * 6.02214e29 * 1e20 * 0.5, rel=1e-5)
    spectrum = ncpi0_spectrum(
        "x",
        np.arange(10.0, 130.0, 10.0),
        edges,
        [1e-9],
        pot=1e20,
        fiducial_mass=1.0 * tonne,
        efficiency=0.5,
        resolution=0.2,
        window_MeV=(10.0, 120.0),
    )
    assert spectrum.asimov and "modelled" in spectrum.label
    assert 0 < spectrum.background.sum() < n  # the pi0 peak's tail above 120 MeV is cut
    with pytest.raises(MuphilicError, match="efficiency"):
        ncpi0_events(edges, [1e-9], pot=1e20, fiducial_mass=tonne, efficiency=0.0)


# --- NuMI flux validation ---------------------------------------------------------------
def test_published_numi_fluxes_are_the_releases():
    # integrals quoted in the fluxes README (0-20 GeV): NOvA ND 1.185e-8, MINERvA ME 6.83e-8
    for key, integral in (("nova_nd_me", 1.185e-8), ("minerva_me", 6.834e-8)):
        edges, flux = published_flux(key)
        assert np.sum(flux[edges[1:] <= 20 * GeV]) == pytest.approx(integral, rel=1e-3)


@pytest.mark.slow
def test_numi_flux_at_nova_nd_against_published(numi_beam):
    c = compare_flux(numi_beam, "nova_nd_me")
    # Achieved (2000 POT; 8000 POT in docs/validation.md), pion and kaon absorption on:
    # integral 0.85 x published, mean energy within 0.1 GeV. The target, 20 % per bin
    # in 1-6 GeV, is MISSED: 1-3 GeV within 20 %, the kaon-dominated 3-6 GeV 0.35-0.7 x
    # (too few K+ from SIBYLL 2.3d and no tertiary kaons; statistics of 2000 POT).
    assert 0.7 < c.integral / c.integral_published < 1.0
    assert c.mean_GeV == pytest.approx(c.mean_published_GeV, abs=0.3)
    in_1_6 = (c.edges_GeV[:-1] >= 1.0) & (c.edges_GeV[1:] <= 6.0)
    assert np.all((c.ratio[in_1_6] > 0.25) & (c.ratio[in_1_6] < 1.3))
    assert np.all(np.abs(c.ratio[1:3] - 1.0) < 0.25)  # 1-3 GeV: the pion peak


@pytest.mark.slow
def test_numi_flux_at_minerva_against_published(numi_beam):
    c = compare_flux(numi_beam, "minerva_me")
    # Achieved: integral 1.01-1.02 x published, mean within 0.3 GeV; the 2-6 GeV bins 1.0-1.3 x
    # (1.05-1.2 at 8000 POT: the 20 % target met there), 1-2 GeV 0.7 x; the 0.5-1 GeV bin
    # 0.15 x (low-energy pions from re-interactions and from the target region are missing).
    assert 0.85 < c.integral / c.integral_published < 1.2
    assert c.mean_GeV == pytest.approx(c.mean_published_GeV, abs=0.4)
    in_1_6 = (c.edges_GeV[:-1] >= 1.0) & (c.edges_GeV[1:] <= 6.0)
    assert np.all((c.ratio[in_1_6] > 0.5) & (c.ratio[in_1_6] < 1.45))
    assert c.ratio[0] < 0.3


# --- CLI: beam JSON, facility checks, table -----------------------------------------------
@pytest.mark.slow
def test_beam_json_reports_the_numi_detectors(numi_beam, tmp_path):
    path = tmp_path / "numi.h5"
    write_sample(numi_beam, path)
    out = CliRunner().invoke(app, ["beam", "--sample", str(path), "--json"])
    assert out.exit_code == 0, out.output
    summary = json.loads(out.output)
    assert summary["facility"] == "NuMI"
    assert sorted(summary["numu_flux"]) == NUMI_DETECTORS
    for entry in summary["numu_flux"].values():
        assert set(entry) == {"edges_GeV", "per_cm2_per_pot", "total_per_cm2_per_pot"}
    # the on-axis MINERvA sees more flux than the NOvA ND, which sees more than MicroBooNE
    flux = {k: v["total_per_cm2_per_pot"] for k, v in summary["numu_flux"].items()}
    assert flux["minerva"] > flux["nova_nd"] > flux["microboone_numi"] > 0


@pytest.mark.slow
def test_numi_detector_refuses_a_bnb_beam(tiny_beam, numi_beam):
    with pytest.raises(MuphilicError, match=r"facility 'numi'.*the beam is 'BNB'"):
        facility_flux(tiny_beam, load_detector("nova_nd"))
    assert facility_flux(numi_beam, load_detector("nova_nd")).sum() > 0


def test_facility_keys_and_volumes():
    assert facility_key("NuMI") == "numi" and facility_key("bnb") == "bnb"
    assert sorted(flux_volumes("bnb")) == ["microboone", "miniboone", "sbnd"]
    with pytest.raises(MuphilicError, match="not packaged"):
        facility_key("tevatron")


def test_roadmap_table_csv():
    rows = [
        {
            "facility": "numi",
            "detector": "nova_nd",
            "name": "NOvA ND",
            "curve": "expected",
            "pot": 1.36e21,
            "g2_band_low_MeV": 10.72,
            "g2_band_high_MeV": 60.0,
        },
        {
            "facility": "bnb",
            "detector": "x",
            "name": "X",
            "curve": "projection",
            "pot": 1e20,
            "g2_band_low_MeV": None,
            "g2_band_high_MeV": None,
        },
    ]
    lines = table_csv(rows).splitlines()
    assert lines[0] == "facility,detector,name,curve,pot,g2_band_low_MeV,g2_band_high_MeV"
    assert lines[1] == "numi,nova_nd,NOvA ND,expected,1.36e+21,10.72,60"
    assert lines[2] == "bnb,x,X,projection,1e+20,,"


def test_the_default_road_map_holds_every_facility_with_detectors(monkeypatch, tmp_path):
    from muphilic.roadmap import roadmap_facilities

    keys = roadmap_facilities()
    assert keys[0] == "bnb" and set(keys) == {"bnb", "jparc", "lbnf", "numi"}
    assert all(key == "bnb" or facility_detectors(key) for key in keys)
    seen = {}

    def fake_roadmap(run, **kwargs):  # the command's arguments, without the runs
        seen.update(kwargs)
        raise SystemExit(0)

    monkeypatch.setattr("muphilic.roadmap.roadmap", fake_roadmap)
    out = CliRunner().invoke(app, ["roadmap", "--out", str(tmp_path), "--dump-muons-off-bnb"])
    assert out.exit_code == 0, out.output
    assert seen["facilities"] == keys and seen["dump_muons_off_bnb"] is True
