"""J-PARC (T2K) facility and the ND280 detector: an approximate beamline model, validated.

The T2K horn profiles and target-station layout are not public in machine-readable form: the
facility file ``jparc.toml`` models them from the published descriptions and says so
(``approximate = true``). Its nu_mu flux at ND280 is compared with the published T2K 2016
flux release (+250 kA, ``muphilic/data/fluxes/nd280_fhc_numu_2016.csv``). The model misses the
published flux by a factor of about 4 (docs/validation.md has every number); the tests assert
what it achieves and state where the issue's target (35 % per bin) is missed.
"""

from __future__ import annotations

import json
import tomllib

import numpy as np
import pytest
from click.testing import CliRunner

from muphilic.beamline import load_facility, write_sample
from muphilic.beamline.facility import FacilityConfigError
from muphilic.beamline.facility_file import facility_from_mapping
from muphilic.beamline.simulate import BeamlineConfig, simulate
from muphilic.cli import app
from muphilic.constants import GeV, kA, mm
from muphilic.data import data_file
from muphilic.detectors import load_detector
from muphilic.roadmap import compare_flux, facility_detectors, published_flux

#: Statistics of the validation sample (UrQMD 3.4 at 30 GeV, about 10 s with the tracking).
VALIDATION_POT = 2000


@pytest.fixture(scope="session")
def jparc_beam():
    """A small J-PARC sample with the facility's default production (UrQMD 3.4)."""
    pytest.importorskip("chromo")
    return simulate(
        VALIDATION_POT,
        11,
        config=BeamlineConfig(facility=load_facility("jparc")),
    )


# --- facility file ------------------------------------------------------------------------
def test_jparc_file_is_the_published_description_and_marked_approximate():
    f = load_facility("jparc")
    assert f.approximate and "not public" in f.source("approximate")
    assert not any(load_facility(k).approximate for k in ("bnb", "numi", "numi-le"))
    assert f.production == "urqmd" and f.polarity == "neutrino"
    assert f.proton_kinetic_energy / GeV == 30.0
    # three horns at 250 kA; minimum inner radii 54, 80, 140 mm (the published ones)
    assert [h.current / kA for h in f.horns] == [250.0] * 3
    assert [min(h.inner_radius) / mm for h in f.horns] == [54.0, 80.0, 140.0]
    # 91.4 cm graphite rod inside horn 1; 96 m decay volume; dump 109 m from the target centre
    ((z1, z2),) = f.target.segments
    assert (z2 - z1) / mm == 914.0 and f.horns[0].z_start <= z1 < z2 <= f.horns[0].z_end
    assert f.decay_pipe_length / mm == pytest.approx(96_000.0)
    assert (f.absorber_z - 0.5 * (z1 + z2)) / mm == pytest.approx(109_000.0)


def test_approximate_key_must_be_a_boolean():
    data = tomllib.loads(data_file("facilities", "bnb.toml").read_text())
    assert facility_from_mapping(data).approximate is False
    data["approximate"] = "yes"
    with pytest.raises(FacilityConfigError, match="'approximate': must be true or false"):
        facility_from_mapping(data)


def test_facilities_command_shows_approximate():
    out = CliRunner().invoke(app, ["facilities", "--json"])
    assert out.exit_code == 0, out.output
    rows = {r["name"]: r for r in json.loads(out.output)["facilities"]}
    assert rows["jparc"]["approximate"] is True and rows["bnb"]["approximate"] is False
    table = CliRunner().invoke(app, ["facilities"], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "approximate" in table.output


# --- detector and published flux ------------------------------------------------------------
def test_nd280_is_280_m_from_the_target_at_2_5_degrees():
    assert facility_detectors("jparc") == ["nd280"]
    d = load_detector("nd280")
    target_centre = 457.0 * mm
    x, _, z = d.centre
    assert np.hypot(x, z - target_centre) / mm == pytest.approx(280_000.0, rel=1e-4)
    assert np.degrees(np.arctan2(x, z - target_centre)) == pytest.approx(2.5, abs=1e-3)
    assert "NOT the FGD fiducial mass" in d.source("fiducial_mass_t")


def test_published_nd280_flux_is_the_release():
    # t2kflux_2016_nd280_plus250kA.txt: peak bin 0.55-0.60 GeV = 1.70e12 /cm^2/1e21 POT/50 MeV,
    # 10-11 GeV = 3.71e8 per 50 MeV in a 1 GeV bin; integral 1.917e-8, mean 0.852 GeV
    edges, flux = published_flux("nd280")
    assert flux[np.searchsorted(edges, 0.55 * GeV)] == pytest.approx(1.70e-9, rel=1e-6)
    assert flux[np.searchsorted(edges, 10.0 * GeV)] == pytest.approx(3.71e-13 * 20, rel=1e-6)
    centres = 0.5 * (edges[1:] + edges[:-1])
    assert flux.sum() == pytest.approx(1.917e-8, rel=1e-3)
    assert np.sum(flux * centres) / flux.sum() / GeV == pytest.approx(0.8525, abs=5e-4)


# --- flux validation ------------------------------------------------------------------------
@pytest.mark.slow
def test_jparc_flux_at_nd280_against_published(jparc_beam):
    c = compare_flux(jparc_beam, "nd280")
    # Achieved (2000 POT; 8000 POT in docs/validation.md), pion and kaon absorption on:
    # integral 0.27 x published (0.35 x without pion absorption), mean energy 0.1 GeV high.
    # The target, 35 % per bin in 0.5-10 GeV, is MISSED in every bin: the 0.5-1 GeV
    # peak is 0.2 x, 1-10 GeV 0.24-0.6 x (cylindrical inner conductors for the shaped horns,
    # no re-interactions in the 1.9 interaction lengths of target, UrQMD's yields;
    # docs/validation.md).
    assert 0.2 < c.integral / c.integral_published < 0.35
    assert c.mean_GeV == pytest.approx(c.mean_published_GeV, abs=0.2)
    assert np.all((c.ratio > 0.12) & (c.ratio < 0.8))
    assert c.ratio[0] < 0.3  # the focusing peak is the worst-modelled part


@pytest.mark.slow
def test_beam_json_reports_nd280(jparc_beam, tmp_path):
    path = tmp_path / "jparc.h5"
    write_sample(jparc_beam, path)
    out = CliRunner().invoke(app, ["beam", "--sample", str(path), "--json"])
    assert out.exit_code == 0, out.output
    summary = json.loads(out.output)
    assert summary["facility"] == "J-PARC"
    assert sorted(summary["numu_flux"]) == ["nd280"]
    entry = summary["numu_flux"]["nd280"]
    assert set(entry) == {"edges_GeV", "per_cm2_per_pot", "total_per_cm2_per_pot"}
    assert entry["total_per_cm2_per_pot"] > 0
