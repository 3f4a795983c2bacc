"""LBNF facility and the DUNE ND-LAr detector: an approximate beamline model, validated.

The horn profiles of the optimised three-horn LBNF design are not public in machine-readable
form: the facility file ``lbnf.toml`` is the LBNE/LBNF reference design of the DUNE/g4lbne
simulation (``inputs/Nominal_FHC.input``: NuMI-type target, two parabolic horns at 200 kA,
204 m air-filled decay pipe) standing in for it (``approximate = true``). Its nu_mu flux at
ND-LAr is compared with the DUNE TDR near-detector flux release
(``muphilic/data/fluxes/dune_nd_fhc_numu_tdr.csv``). With pions and kaons absorbed in
the graphite and the horn walls, the model is within 35 % at 4-10 GeV but 0.3-0.7 of the
published flux below 4 GeV (integral 0.6; docs/validation.md has every number); the tests
assert what it achieves and state where the issue's target (35 % per bin) is missed.
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

#: Statistics of the validation sample (SIBYLL 2.3d at 120 GeV, about 4 s with the tracking).
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
        config=BeamlineConfig(facility=load_facility("lbnf")),
    )


# --- facility file ------------------------------------------------------------------------
def test_lbnf_file_is_the_g4lbne_reference_design_and_marked_approximate():
    f = load_facility("lbnf")
    assert f.approximate and "not public" in f.source("approximate")
    assert "g4lbne" in f.source("horns") and "approximation" in f.source("apertures")
    assert f.production == "sibyll" and f.polarity == "neutrino"
    # g4lbne Nominal_FHC.input BeamP 120.93 GeV/c
    assert f.p_beam / GeV == pytest.approx(120.93, rel=1e-5)
    assert f.pot_per_year == 1.1e21
    # two horns at PhornCurrent 0.2 MA, horn 1 at z = 0 and horn 2 at 6.6 m, both 3.0 m long
    assert [h.current / kA for h in f.horns] == [200.0, 200.0]
    assert [(h.z_start / m, h.z_end / m) for h in f.horns] == [(0.0, 3.0), (6.6, 9.6)]

    # the field region starts at the inner conductor's outer surface, LBNEphornRgivenZ of
    # g4lbne src/LBNEHorns.cc: r = sqrt((A - z)/B) + C (A > 0), sqrt((A + z)/B) + C (A < 0),
    # A, C in cm, B in 1/cm, z local in cm (Aout, Bout, Cout of Nominal_FHC.input)
    def g4lbne_r_mm(a_cm, b_per_cm, c_cm, z_cm):
        arg = (a_cm - z_cm) / b_per_cm if a_cm > 0 else (a_cm + z_cm) / b_per_cm
        return 10.0 * (np.sqrt(arg) + c_cm)

    horn1, horn2 = f.horns
    for horn, z_cm, expected in (
        (horn1, 40.0, g4lbne_r_mm(92.8454, 7.0483, 0.0, 40.0)),
        (horn1, 81.0, 13.5),  # the neck, Cout 1.35 cm
        (horn1, 200.0, g4lbne_r_mm(-80.0, 2.185, 0.0, 200.0)),
        (horn2, 50.0, g4lbne_r_mm(100.0, 0.1351, 0.0, 50.0)),
        (horn2, 101.0, 44.0),  # the neck, Cout 4.4 cm
        (horn2, 250.0, g4lbne_r_mm(-100.0, 0.2723, 0.0, 250.0)),
    ):
        z = horn.z_start + z_cm * 10.0 * mm
        r = np.interp(z, horn.profile_z, horn.inner_radius)
        assert r / mm == pytest.approx(expected, rel=2e-3), (horn.name, z_cm)
    assert horn1.outer_radius[0] / mm == 153.3 and horn2.outer_radius[0] / mm == 370.0
    # NuMI-type target: 47 fins of 20 mm at a 20.3 mm pitch from TargetZ0 = -0.35 m
    segments = f.target.segments
    assert len(segments) == 47 and segments[0][0] / mm == -350.0
    assert all((b - a) / mm == pytest.approx(20.0) for a, b in segments)
    assert segments[-1][1] / mm == pytest.approx(-350.0 + 46 * 20.3 + 20.0)
    assert f.target.radius / mm == 3.7
    # decay pipe: DecayPipeZ0 17.3 m, radius 2.0 m, air; the absorber core at 223.06 m
    assert f.decay_pipe.start / m == 17.3 and f.decay_pipe.radius / m == 2.0
    assert f.decay_pipe.gas == "air"
    assert f.decay_pipe_length / m == pytest.approx(223.06 - 17.3)


def test_lbnf_horns_and_target_are_numi_s_from_g4numi():
    # A second source: g4lbne's horn 1 and target are NuMI's. numi-le.toml (from g4numi,
    # NumiHorn1.cc in inches, horn 1 at z = 3 cm; LE010 fins from z = -0.45 m) must give the
    # same inner-conductor radius at the same beam-frame z, and the same fins 10 cm downstream
    # (g4lbne's TargetZ0 = -0.35 m is LE000).
    lbnf, numi = load_facility("lbnf"), load_facility("numi-le")
    z = np.linspace(numi.horns[0].z_start + 1.0 * mm, numi.horns[0].z_end - 30.0 * mm, 400)
    r_lbnf = np.interp(z, lbnf.horns[0].profile_z, lbnf.horns[0].inner_radius)
    r_numi = np.interp(z, numi.horns[0].profile_z, numi.horns[0].inner_radius)
    assert np.allclose(r_lbnf, r_numi, rtol=5e-3)
    # horn 2: NuMI's parabolas in local z, but a 44 mm neck (Cout 4.4 cm) against g4numi's 42 mm
    for zl in (100.0, 500.0, 900.0, 1200.0, 2000.0, 2900.0):
        r = [
            np.interp(f.horns[1].z_start + zl * mm, f.horns[1].profile_z, f.horns[1].inner_radius)
            for f in (lbnf, numi)
        ]
        assert r[0] == pytest.approx(r[1], rel=5e-3), zl
    shifted = [(a + 100.0 * mm, b + 100.0 * mm) for a, b in numi.target.segments]
    assert np.allclose(lbnf.target.segments, shifted)


def test_bnb_fits_refuse_lbnf():
    with pytest.raises(ProductionError, match=r"bnb-fits.*'sibyll'"):
        get_backend("bnb-fits").check(load_facility("lbnf"))


# --- detector and published flux ------------------------------------------------------------
def test_dune_nd_is_574_m_from_horn_1_on_axis():
    assert facility_detectors("lbnf") == ["dune_nd"]
    d = load_detector("dune_nd")
    horn_1_start = load_facility("lbnf").horns[0].z_start
    assert d.centre == (0.0, 0.0, pytest.approx(574_000.0 * mm + horn_1_start))
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
    # reached at gamma theta = 1). At 28.5 m off axis the decay pipe (from z = 17.3 m) sees
    # the detector at theta >= 28.5 / (574 - 17.3) = 51.2 mrad: the pion neutrinos of the pipe
    # stay below 0.582 GeV, and above that only kaon decays contribute (K -> mu nu: E* =
    # 235.5 MeV) and the few pions decaying upstream of the pipe.
    edges = np.arange(0.0, 10.0 * GeV + 1.0, 0.1 * GeV)
    on = load_detector("dune_nd")
    off = apply_overrides(on, {"off_axis_m": PRISM_OFF_AXIS_M})
    from muphilic.beamline.store import flux_volume

    f_on = numu_flux(lbnf_beam, flux_volume(on), edges).total
    f_off = numu_flux(lbnf_beam, flux_volume(off), edges).total
    bound = PION_E_STAR_GEV / (PRISM_OFF_AXIS_M / (574.0 - 17.3)) * GeV
    assert bound / GeV == pytest.approx(0.582, abs=1e-3)
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
    # Achieved (2000 POT, seeds 11-14: integral 0.59-0.60, mean 3.08-3.20 GeV; 8000 POT in
    # docs/validation.md). The issue's target, 35 % per bin in 0.5-10 GeV, is MET at 4-10 GeV
    # (0.9-1.6 x at this statistics) and MISSED below 4 GeV: 0.5-1 GeV 0.24-0.29 x, 1-2 GeV
    # 0.45-0.49 x, 2-3 GeV 0.61-0.66 x, 3-4 GeV 0.70-0.74 x (the reference design's two horns
    # at 200 kA and 0.95 m target stand in for the optimised three horns at 293 kA and 2.2 m
    # target; no re-interactions in the target; docs/validation.md).
    assert 0.5 < c.integral / c.integral_published < 0.7
    assert 2.8 < c.mean_GeV < 3.5 and c.mean_published_GeV == pytest.approx(2.549, abs=1e-3)
    assert 0.15 < c.ratio[0] < 0.4
    assert 0.35 < c.ratio[1] < 0.6
    assert np.all(c.ratio[2:4] > 0.5) and np.all(c.ratio[2:4] < 0.85)
    assert np.all(c.ratio[4:] > 0.75) and np.all(c.ratio[4:] < 1.9)
    assert np.all(c.ratio[:3] < 0.65)  # the target is not met below 3 GeV


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
