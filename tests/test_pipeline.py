"""The end-to-end reach on a tiny beam sample and a coarse grid."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

import numpy as np
import pytest

from muphilic.beamline import flux_volume, load_beam, numu_flux, numu_flux_total, write_sample
from muphilic.beamline.store import FLUX_EDGES
from muphilic.config import BeamConfig, EmissionConfig, RunConfig, ScanConfig
from muphilic.constants import cm2, m
from muphilic.detectors import MICROBOONE, MINIBOONE
from muphilic.errors import MuphilicError
from muphilic.pipeline import _embed, detector_for, published_spectrum, reach, write_outputs
from muphilic.recast.output import read_contours_json, read_hepdata_yaml
from muphilic.recast.spectra import modelled_components

SMALL = RunConfig(
    beam=BeamConfig(pot=3000),
    emission=EmissionConfig(scalars_per_species=3000),
    scan=ScanConfig(
        n_masses=5,
        mass_min_MeV=10.0,
        mass_max_MeV=150.0,
        n_couplings=30,
        coupling_min=1e-6,
        coupling_max=1e-1,
    ),
)


@pytest.fixture(scope="module")
def small_reach(tiny_beam):
    return reach(SMALL, beam=tiny_beam, progress=False)


def test_reach_scans_every_experiment(small_reach):
    assert set(small_reach.scans) == {"miniboone", "microboone", "sbnd"}
    assert small_reach.projections == ("sbnd",)
    for key, scan in small_reach.scans.items():
        assert scan.excluded.shape == (5, 30)
        assert np.all(np.isfinite(scan.significance) | np.isinf(scan.significance)), key
        assert scan.cl_sigma == (2.0 if key == "sbnd" else 5.0)
    # SBND is close to the dump: it excludes something even on this tiny sample
    assert small_reach.scans["sbnd"].excluded.any()


def test_summary_and_files(small_reach, tmp_path):
    summary = small_reach.summary()
    assert set(summary["g2_band_excluded_MeV"]) == {
        "miniboone",
        "microboone",
        "sbnd",
        "union",
        "union_with_expected",
    }
    kinds = {key: entry["kind"] for key, entry in summary["experiments"].items()}
    assert kinds == {"miniboone": "exclusion", "microboone": "expected", "sbnd": "projection"}
    # the union of exclusions uses observed data only: here MiniBooNE's alone
    assert summary["g2_band_excluded_MeV"]["union"] == summary["g2_band_excluded_MeV"]["miniboone"]
    assert summary["config_sha256"] == SMALL.digest()
    assert summary["input_files_sha256"] == {}  # the beam was passed in, no file was read
    files = write_outputs(small_reach, tmp_path)
    names = {f.name for f in files}
    assert {"reach.png", "reach.pdf", "contours.json", "contours_hepdata.yaml", "run.json"} <= names
    run = json.loads((tmp_path / "run.json").read_text())
    assert run["config"]["scan"]["n_masses"] == 5
    assert run["muphilic_version"]


def test_records_say_what_made_the_result(small_reach, tiny_beam, tmp_path):
    import datetime
    from importlib.metadata import version

    write_outputs(small_reach, tmp_path)
    run = json.loads((tmp_path / "run.json").read_text())
    _, contours_extra = read_contours_json(tmp_path / "contours.json")
    for record in (run, contours_extra):
        created = datetime.datetime.fromisoformat(record["created_utc"])
        assert created.utcoffset() == datetime.timedelta(0)
        assert record["dependencies"]["numpy"] == version("numpy")
        assert record["dependencies"]["h5py"] == version("h5py")
        assert record["beam"] == {
            "source": "sample passed to reach()",
            "pot": tiny_beam.pot,
            "facility": tiny_beam.facility,
            "production": tiny_beam.production,
        }
        sbnd = record["detectors"]["sbnd"]
        assert sbnd["pot"] == pytest.approx(1e21)
        assert sbnd["distance_m"] == pytest.approx(110.0)
        assert sbnd["window_MeV"] == [10.0, 120.0]
        assert sbnd["background"]["measured_data"] is False
        assert record["detectors"]["miniboone"]["background"]["measured_data"] is True
        assert record["experiments"]["sbnd"]["cl_sigma"] == 2.0
    # every curve says what it is, in every file
    header = (tmp_path / "contour_microboone.csv").read_text().splitlines()[:8]
    assert "# kind: expected" in header
    assert any(line.startswith("# meaning: expected sensitivity") for line in header)
    assert [c.kind for c in read_hepdata_yaml(tmp_path / "contours_hepdata.yaml")] == sorted(
        {"exclusion", "expected", "projection"}, key=["exclusion", "expected", "projection"].index
    )
    band = (tmp_path / "g2_band.csv").read_text().splitlines()
    assert "m_S_MeV,y_favoured_low,y_favoured_high,y_excluded_above" in band


def test_user_beam_sample_is_named_by_content(tiny_beam, tmp_path):
    path = tmp_path / "beam.h5"
    write_sample(tiny_beam, path)
    config = replace(
        SMALL,
        beam=BeamConfig(sample=str(path)),
        experiments=("miniboone",),
        scan=replace(SMALL.scan, n_masses=2, n_couplings=10),
    )
    summary = reach(config, progress=False).summary()
    expected = hashlib.sha256(path.read_bytes()).hexdigest()
    assert summary["input_files_sha256"] == {str(path): expected}


def test_modelled_background_normalisation(tiny_beam):
    # The pipeline's argon background is the three-component model at the detector's own
    # flux, background mass, POT and photon thresholds; the mass it uses is the fiducial
    # mass unless background_mass_t is set, and the background is linear in it.
    flux = numu_flux_total(tiny_beam, MICROBOONE)
    spectrum = published_spectrum("microboone", MICROBOONE, flux)
    parts = modelled_components(
        MICROBOONE.edges,
        flux=flux / cm2,
        pot=MICROBOONE.pot,
        background_mass=MICROBOONE.fiducial_mass,
        resolution=0.33,
        e_high_min_MeV=30.0,
        e_low_min_MeV=20.0,
    )
    np.testing.assert_allclose(spectrum.background, sum(parts.values()), rtol=1e-12)
    heavier = detector_for("microboone", {"background_mass_t": 2 * 78.71})
    assert heavier.fiducial_mass == MICROBOONE.fiducial_mass
    doubled = published_spectrum("microboone", heavier, flux)
    np.testing.assert_allclose(doubled.background, 2 * spectrum.background, rtol=1e-12)
    assert spectrum.asimov
    assert "modelled" in spectrum.label


def test_numu_flux_total_matches_flux_integral(tiny_beam):
    direct = numu_flux(tiny_beam, flux_volume(MINIBOONE), FLUX_EDGES).integral
    assert numu_flux_total(tiny_beam, MINIBOONE) == pytest.approx(direct, rel=1e-12)


def test_off_axis_detector_gets_the_flux_at_its_own_position(tiny_beam):
    # the volume sits where the detector is (no on-axis stand-in), and 20 m off the axis at
    # 470 m (2.4 degrees) the BNB flux is lower than on the axis
    off_axis = replace(MICROBOONE, centre=(20.0 * m, 0.0, MICROBOONE.centre[2]))
    volume = flux_volume(off_axis)
    assert (volume.x, volume.y, volume.z) == off_axis.centre
    assert 0 < numu_flux_total(tiny_beam, off_axis) < numu_flux_total(tiny_beam, MICROBOONE)


def test_miniboone_spectrum_holds_the_detector_bins():
    spectrum = published_spectrum("miniboone", MINIBOONE, 5e-10)
    signal = np.ones((2, MINIBOONE.n_bins))
    embedded = _embed(signal, MINIBOONE.edges, spectrum.edges_MeV)
    assert embedded.sum() == signal.sum()
    with pytest.raises(MuphilicError, match="subset"):
        _embed(signal, MINIBOONE.edges + 1.0, spectrum.edges_MeV)


def test_detector_overrides():
    assert detector_for("microboone", {"efficiency": 0.1}).efficiency == 0.1
    with pytest.raises(MuphilicError, match=r"detectors\.microboone\.shape"):
        detector_for("microboone", {"shape": "sphere"})


def test_beam_cache_builds_once(monkeypatch):
    import muphilic.beamline.store as store

    calls = []
    real = store.simulate

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "simulate", counting)
    first = load_beam(BeamConfig(pot=500), seed=3)
    second = load_beam(BeamConfig(pot=500), seed=3)
    assert len(calls) == 1
    np.testing.assert_array_equal(first.parents["K+"].p4, second.parents["K+"].p4)


def test_top_level_api_mirrors_the_cli():
    import muphilic

    assert muphilic.reach is reach
    assert muphilic.detectors.MINIBOONE.name == "MiniBooNE"
    assert muphilic.RunConfig().validate() == RunConfig()
    with pytest.raises(AttributeError, match="nonesuch"):
        _ = muphilic.nonesuch


def test_discovery_mode(small_reach, tiny_beam, tmp_path):
    from muphilic.config import StatisticsConfig
    from muphilic.pipeline import result_keys

    config = replace(SMALL, statistics=StatisticsConfig(mode="discovery"))
    keys = result_keys(config)
    assert keys == [
        "miniboone",
        "microboone_discovery_3sigma",
        "microboone_discovery_5sigma",
        "sbnd_discovery_3sigma",
        "sbnd_discovery_5sigma",
    ]
    result = reach(config, beam=tiny_beam, progress=False)
    assert list(result.scans) == keys
    # observed data keep their exclusion, bit for bit
    np.testing.assert_array_equal(
        result.scans["miniboone"].significance, small_reach.scans["miniboone"].significance
    )
    three, five = result.scans["sbnd_discovery_3sigma"], result.scans["sbnd_discovery_5sigma"]
    assert three.kind == five.kind == "projection"
    assert three.statistic == "asimov_discovery"
    assert (three.cl_sigma, five.cl_sigma) == (3.0, 5.0)
    # the 5 sigma discovery region lies inside the 3 sigma one, and is not empty here
    assert five.excluded.any() and np.all(three.excluded[five.excluded])
    files = {f.name for f in write_outputs(result, tmp_path)}
    assert {"contour_sbnd_discovery_3sigma.csv", "contour_sbnd_discovery_5sigma.csv"} <= files
    assert "union_with_expected" not in result.g2_band_excluded_MeV
