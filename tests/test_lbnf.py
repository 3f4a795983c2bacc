"""LBNF facility and the DUNE ND-LAr detector: an approximate beamline model, validated.

The LBNF horn profiles are not public in machine-readable form: the facility file
``lbnf.toml`` takes horn A's upstream part from the RAL FLUKA model of the target in Horn A
and gives horns B and C the NuMI horn-2 shape (approximations, ``approximate = true``). Its
nu_mu flux at ND-LAr is compared with the DUNE TDR near-detector flux release
(``muphilic/data/fluxes/dune_nd_fhc_numu_tdr.csv``). The model gets the integral within 20 %
but not the shape: too few neutrinos below 3 GeV, up to 20 times too many at 4-8 GeV
(docs/validation.md has every number); the tests assert what it achieves and state where the
issue's target (35 % per bin) is missed.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from muphilic.beamline import load_facility, write_sample
from muphilic.beamline.flux import numu_flux
from muphilic.beamline.production import ProductionError, get_backend
from muphilic.beamline.simulate import BeamlineConfig, simulate
from muphilic.cli import app
from muphilic.config import ConfigError, load_config
from muphilic.constants import GeV, kA, m, mm, tonne
from muphilic.detectors import DetectorConfigError, apply_overrides, load_detector
from muphilic.roadmap import compare_flux, facility_detectors, flux_volumes, published_flux

#: Statistics of the validation sample (SIBYLL 2.3d at 120 GeV, about 6 s with the tracking).
VALIDATION_POT = 2000

#: An ND-LAr position far off axis, m: about the farthest DUNE-PRISM position (28.5 m, as
#: described for the DUNE ND CDR, arXiv:2103.13910; not checked against its text here).
PRISM_OFF_AXIS_M = 28.5

#: Energy of the neutrino in the rest frame of a decaying pi+ (pi -> mu nu), GeV:
#: (m_pi^2 - m_mu^2) / (2 m_pi) with m_pi = 0.13957, m_mu = 0.10566 GeV.
PION_E_STAR_GEV = 0.02979


@pytest.fixture(scope="session")
def lbnf_beam():
    """A small LBNF sample with the facility's default production (SIBYLL 2.3d)."""
    pytest.importorskip("chromo")
    return simulate(
        VALIDATION_POT,
        11,
        config=BeamlineConfig(facility=load_facility("lbnf"), pion_absorption=False),
    )


# --- facility file ------------------------------------------------------------------------
def test_lbnf_file_is_the_published_description_and_marked_approximate():
    f = load_facility("lbnf")
    assert f.approximate and "not public" in f.source("approximate")
    assert "APPROXIMATION" in f.source("horns") and "approximation" in f.source("apertures")
    assert f.production == "sibyll" and f.polarity == "neutrino"
    assert f.p_beam / GeV == pytest.approx(120.0, rel=1e-5)
    assert f.pot_per_year == 1.1e21
    # three horns at 293 kA; horn A (RAL FLUKA model): 45.5 mm to 1163 mm, neck 36.0 mm
    assert [h.current / kA for h in f.horns] == [293.0] * 3
    horn_a = f.horns[0]
    assert horn_a.inner_radius[0] / mm == 45.5 and min(horn_a.inner_radius) / mm == 36.0
    # a 2.2 m graphite rod of 16 mm diameter inside horn A; 194 m decay pipe of 2 m radius
    ((z1, z2),) = f.target.segments
    assert (z2 - z1) / mm == 2200.0 and f.target.radius / mm == 8.0
    assert horn_a.z_start <= z1 < z2 <= horn_a.z_end
    assert f.decay_pipe_length / mm == pytest.approx(194_000.0)
    assert f.decay_pipe.radius / mm == 2000.0


def test_bnb_fits_refuse_lbnf():
    with pytest.raises(ProductionError, match=r"bnb-fits.*'sibyll'"):
        get_backend("bnb-fits").check(load_facility("lbnf"))


# --- detector and published flux ------------------------------------------------------------
def test_dune_nd_is_574_m_from_horn_a_on_axis():
    assert facility_detectors("lbnf") == ["dune_nd"]
    d = load_detector("dune_nd")
    horn_a_start = load_facility("lbnf").horns[0].z_start
    assert d.centre == (0.0, 0.0, pytest.approx(574_000.0 * mm + horn_a_start))
    assert d.target_material == "Ar" and d.curve == "expected"
    assert d.fiducial_mass / tonne == pytest.approx(6.0 * 2.0 * 4.0 * 1.3954, rel=1e-4)
    assert d.pot == 1e22 and "assumption" in d.source("efficiency")
    assert set(flux_volumes("lbnf")) == {"dune_nd"}


def test_published_dune_nd_flux_is_the_release():
    # flux_dune_neutrino_ND_globes.txt (nu/GeV/m^2/POT at 0.25 GeV bin centres): numu at
    # 0.125 GeV 4.22490612e-05, at 2.125 GeV 3.63615612e-04; 0-20 GeV integral 1.0438e-7
    # per cm^2 per POT, mean 2.549 GeV
    edges, flux = published_flux("dune_nd")
    assert np.allclose(np.diff(edges), 0.25 * GeV)
    assert flux[0] == pytest.approx(4.22490612e-05 * 1e-4 * 0.25, rel=1e-8)
    assert flux[np.searchsorted(edges, 2.0 * GeV)] == pytest.approx(3.63615612e-04 * 0.25e-4)
    centres = 0.5 * (edges[1:] + edges[:-1])
    below = edges[1:] <= 20.0 * GeV
    assert flux[below].sum() == pytest.approx(1.0438e-7, rel=1e-4)
    assert np.sum((flux * centres)[below]) / flux[below].sum() / GeV == pytest.approx(
        2.549, abs=1e-3
    )


# --- DUNE-PRISM: the off_axis_m override ----------------------------------------------------
def test_off_axis_override_moves_the_detector_sideways():
    d = load_detector("dune_nd")
    moved = apply_overrides(d, {"off_axis_m": PRISM_OFF_AXIS_M})
    assert moved.centre == (PRISM_OFF_AXIS_M * m, 0.0, d.centre[2])
    assert moved.size == d.size and moved.fiducial_mass == d.fiducial_mass
    for bad in (-1.0, 2000.0, "far", True):
        with pytest.raises(DetectorConfigError, match="off_axis_m"):
            apply_overrides(d, {"off_axis_m": bad})


def test_off_axis_override_in_a_run_configuration(tmp_path):
    path = tmp_path / "prism.toml"
    text = '[beam]\nfacility = "lbnf"\n[experiments]\nnames = ["dune_nd"]\n'
    path.write_text(text + f"[detectors.dune_nd]\noff_axis_m = {PRISM_OFF_AXIS_M}\n")
    run = load_config(path)
    assert run.detector_overrides == {"dune_nd": {"off_axis_m": PRISM_OFF_AXIS_M}}
    path.write_text(text + "[detectors.dune_nd]\noff_axis_m = -3.0\n")
    with pytest.raises(ConfigError, match=r"detectors\.dune_nd\.off_axis_m"):
        load_config(path)


def test_off_axis_flux_obeys_the_pion_decay_bound(lbnf_beam):
    # A pi+ decaying at angle theta to the detector gives at most E* / theta (E* = 29.79 MeV,
    # reached at gamma theta = 1). At 28.5 m off axis the decay pipe (z = 22-216 m) sees the
    # detector at theta >= 28.5 / (574 - 22) = 51.6 mrad: the pion neutrinos stay below
    # 0.577 GeV, and above that only kaon decays contribute (K -> mu nu: E* = 235.5 MeV).
    edges = np.arange(0.0, 10.0 * GeV + 1.0, 0.1 * GeV)
    on = load_detector("dune_nd")
    off = apply_overrides(on, {"off_axis_m": PRISM_OFF_AXIS_M})
    from muphilic.beamline.store import flux_volume

    f_on = numu_flux(lbnf_beam, flux_volume(on), edges).total
    f_off = numu_flux(lbnf_beam, flux_volume(off), edges).total
    bound = PION_E_STAR_GEV / (PRISM_OFF_AXIS_M / (574.0 - 22.0)) * GeV
    assert bound / GeV == pytest.approx(0.577, abs=1e-3)
    peak = edges[np.argmax(f_off)]
    assert peak < bound
    centres = 0.5 * (edges[1:] + edges[:-1])
    assert np.sum(f_off * centres) / f_off.sum() < 0.5 * np.sum(f_on * centres) / f_on.sum()
    # most of the off-axis flux is below the pion bound (the rest: kaons)
    assert f_off[centres < bound].sum() > 0.5 * f_off.sum()
    assert f_off.sum() < 0.2 * f_on.sum()


# --- flux validation ------------------------------------------------------------------------
@pytest.mark.slow
def test_lbnf_flux_at_dune_nd_against_published(lbnf_beam):
    c = compare_flux(lbnf_beam, "dune_nd")
    # Achieved (2000 POT; 8000 POT in docs/validation.md): integral 1.15-1.18 x published,
    # but the shape is wrong. The issue's target, 35 % per bin in 0.5-10 GeV, is MISSED in
    # 9 of 10 bins: 0.5-3 GeV 0.22-0.65 x, 3-4 GeV 1.1-1.2 x, 4-8 GeV 7-20 x (horns B and C
    # are NuMI horn-2 shapes, not the LBNF ones; no absorption of the forward pions in the
    # 2.2 m target; docs/validation.md).
    assert 0.9 < c.integral / c.integral_published < 1.5
    assert 3.7 < c.mean_GeV < 5.0 and c.mean_published_GeV == pytest.approx(2.549, abs=1e-3)
    assert np.all(c.ratio[:3] < 0.8) and np.all(c.ratio[:3] > 0.15)
    assert 0.8 < c.ratio[3] < 1.5
    assert np.all(c.ratio[4:8] > 3.0)
    assert np.sum(np.abs(c.ratio - 1.0) <= 0.35) <= 1  # the target is not met


@pytest.mark.slow
def test_beam_json_reports_dune_nd(lbnf_beam, tmp_path):
    path = tmp_path / "lbnf.h5"
    write_sample(lbnf_beam, path)
    out = CliRunner().invoke(app, ["beam", "--sample", str(path), "--json"])
    assert out.exit_code == 0, out.output
    summary = json.loads(out.output)
    assert summary["facility"] == "LBNF"
    assert sorted(summary["numu_flux"]) == ["dune_nd"]
    entry = summary["numu_flux"]["dune_nd"]
    assert set(entry) == {"edges_GeV", "per_cm2_per_pot", "total_per_cm2_per_pot"}
    assert entry["total_per_cm2_per_pot"] > 0


@pytest.mark.slow
def test_reach_runs_for_dune_nd_at_a_prism_position(lbnf_beam, tmp_path):
    sample = tmp_path / "lbnf.h5"
    write_sample(lbnf_beam, sample)
    config = tmp_path / "run.toml"
    config.write_text(
        f'[beam]\nfacility = "lbnf"\nsample = "{sample}"\n[experiments]\nnames = ["dune_nd"]\n'
        "[scan]\nn_masses = 4\nn_couplings = 20\n"
        '[emission]\nscalars_per_species = 1000\nchannels = ["kaon", "pion"]\n'
        f"[detectors.dune_nd]\noff_axis_m = {PRISM_OFF_AXIS_M}\n"
    )
    args = ["reach", "--facility", "lbnf", "--config", str(config), "--workers", "1"]
    out = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "out")])
    assert out.exit_code == 0, out.output
    run = json.loads((tmp_path / "out" / "run.json").read_text())
    assert run["detectors"]["dune_nd"]["centre_m"][0] == pytest.approx(PRISM_OFF_AXIS_M)
    assert (tmp_path / "out" / "contour_dune_nd.csv").is_file()
