"""Tests of the production backends: selection and refusals, the chromo generators against
published hadron-production data, cached and resumable generation, and beamlines driven by
a generator (the BNB with UrQMD, a 120 GeV carbon-target beam with SIBYLL)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from muphilic.beamline import BeamlineConfig, numu_flux, simulate
from muphilic.beamline.facility_file import load_facility
from muphilic.beamline.flux import DEFAULT_FLUX_VOLUMES
from muphilic.beamline.production import (
    BACKENDS,
    BnbFits,
    ChromoBackend,
    ProductionError,
    available_backends,
    get_backend,
    production_xsec,
)
from muphilic.beamline.production import generators as generators_module
from muphilic.beamline.target import Target
from muphilic.cache import list_cache
from muphilic.constants import GeV, barn, cm3, g, m_pi, m_proton, mole
from muphilic.data import data_file

BNB = load_facility("bnb")
MB = 1e-3 * barn
URQMD = {"model": "UrQMD", "model_version": "3.4"}
SIBYLL = {"model": "SIBYLL", "model_version": "2.3d"}
#: Small chunks for the tests: a resumed run finds the first chunk in the cache.
CHUNK = 600


def carbon_120() -> object:
    """A NuMI-like beam for the backends: 120 GeV protons on a graphite cylinder.

    Cross sections: p-C at 120 GeV/c, inelastic 255 mb and production 230 mb, round numbers
    near NA61/SHINE's p-C measurements (arXiv:1909.03351); only the normalisation of the
    generated events depends on them.
    """
    target = Target("C", 6, 12, 1.78 * g / cm3, 12.011 * g / mole, 3.2, ((-500.0, 450.0),))
    target = replace(target, sigma_inelastic=255.0 * MB, sigma_production=230.0 * MB)
    return replace(BNB, name="carbon-120", proton_kinetic_energy=120.0 * GeV, target=target)


# --- choosing a backend ------------------------------------------------------------------
def test_backends_are_chosen_by_name():
    assert available_backends() == ["bnb-fits", "urqmd", "sibyll"]
    assert isinstance(get_backend("bnb-fits"), BnbFits)
    assert get_backend(" URQMD ") is BACKENDS["urqmd"]
    assert BeamlineConfig().backend().name == "bnb-fits"  # the facility's own
    assert BeamlineConfig(production="sibyll").backend().name == "sibyll"


@pytest.mark.parametrize(
    "name", ["dpmjet", "DPMJET-III", "epos", "EposLHC", "qgsjet", "QGSJetII04", "pythia8", "pythia"]
)
def test_models_that_download_data_files_are_refused(name):
    with pytest.raises(ProductionError, match="offline machine cannot"):
        get_backend(name)


def test_an_unknown_backend_lists_the_known_ones():
    with pytest.raises(ProductionError, match=r"unknown production 'herwig'.*'bnb-fits'"):
        get_backend("herwig")
    with pytest.raises(ProductionError, match="no chromo model"):
        ChromoBackend("phojet")


def test_bnb_fits_refuse_other_targets_and_energies_naming_a_backend():
    with pytest.raises(ProductionError, match=r"C target.*protons of 120.9 GeV/c.*'sibyll'"):
        BnbFits().check(carbon_120())
    be_30 = replace(BNB, proton_kinetic_energy=30.0 * GeV)
    with pytest.raises(ProductionError, match=r"protons of 30.92 GeV/c.*'urqmd'"):
        BnbFits().check(be_30)
    BnbFits().check(BNB)
    # the beamline refuses before it simulates anything
    config = BeamlineConfig(facility=carbon_120(), pion_absorption=False)
    with pytest.raises(ProductionError, match="bnb-fits"):
        simulate(10, 1, config=config)


def test_generator_limits_are_those_of_chromo():
    import chromo.models

    for backend in (BACKENDS["urqmd"], BACKENDS["sibyll"]):
        cls = getattr(chromo.models, backend.model.class_name)
        assert backend.model.ecm_min / GeV == cls._ecm_min
        assert backend.model.a_max == cls._targets._a_max
        assert backend.model.version == cls.version
    with pytest.raises(ProductionError, match=r"sqrt\(s_NN\) >= 10 GeV.*has 4.31 GeV.*'urqmd'"):
        BACKENDS["sibyll"].check(BNB)
    heavy = replace(BNB, target=replace(BNB.target, mass_number=27, atomic_number=13))
    with pytest.raises(ProductionError, match="A = 20"):
        BACKENDS["sibyll"].check(replace(heavy, proton_kinetic_energy=120 * GeV))
    bare = replace(BNB, target=replace(BNB.target, sigma_production=None))
    with pytest.raises(ProductionError, match=r"target\.sigma_production_mb"):
        BACKENDS["urqmd"].check(bare)


def test_a_carbon_target_takes_pion_absorption():
    # graphite has no G4BNB fit: its pions are absorbed with the Glauber-Gribov cross section
    assert BeamlineConfig(facility=carbon_120()).pion_absorption is True


# --- UrQMD on beryllium at 8.9 GeV/c: generated, cached, resumed --------------------------
@pytest.fixture(scope="module")
def urqmd_runs(tmp_path_factory):
    """UrQMD p-Be at the BNB energy: a run of one chunk, then a longer one that resumes it."""
    cache = tmp_path_factory.mktemp("urqmd-cache")
    args = (URQMD, BNB.proton_kinetic_energy, (9, 4))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MUPHILIC_CACHE_DIR", str(cache))
        first = generators_module.generate("UrQMD34", *args, CHUNK, 11, events_per_chunk=CHUNK)
        entries_first = len(list_cache())
        longer = generators_module.generate(
            "UrQMD34", *args, CHUNK + 300, 11, events_per_chunk=CHUNK
        )
        entries_longer = len(list_cache())
    return cache, first, longer, entries_first, entries_longer


def test_a_killed_run_resumes_from_its_cached_chunks(urqmd_runs):
    _, first, longer, entries_first, entries_longer = urqmd_runs
    assert (entries_first, entries_longer) == (1, 2)  # one entry per chunk
    assert (first.events, longer.events) == (CHUNK, CHUNK + 300)
    for species, p in first.momentum.items():
        # the first chunk is read back, not made again
        assert np.array_equal(longer.momentum[species][: len(p)], p)
        assert np.array_equal(longer.cos_theta[species][: len(p)], first.cos_theta[species])


def test_a_cached_sample_starts_no_worker(urqmd_runs, monkeypatch):
    cache, _, longer, _, _ = urqmd_runs
    monkeypatch.setenv("MUPHILIC_CACHE_DIR", str(cache))

    def no_pool(*args, **kwargs):
        raise AssertionError("a worker pool was started for a cached sample")

    monkeypatch.setattr(generators_module, "ProcessPoolExecutor", no_pool)
    again = generators_module.generate(
        "UrQMD34", URQMD, BNB.proton_kinetic_energy, (9, 4), CHUNK + 300, 11, events_per_chunk=CHUNK
    )
    assert np.array_equal(again.momentum["pi+"], longer.momentum["pi+"])


def test_urqmd_pi_plus_yield_in_the_harp_acceptance(urqmd_runs):
    # Reference: the G4BNB Sanford-Wang fit to HARP p-Be -> pi+ X at 8.9 GeV/c
    # (Eur. Phys. J. C 52 (2007) 29, hep-ex/0702024), integrated over the HARP acceptance
    # 0.75 < p < 6.5 GeV/c, 30 < theta < 210 mrad. UrQMD's events are production events:
    # sigma(pi+ in acceptance) = (pi+ per event) * sigma_production(p-Be). Tolerance 20 %:
    # three standard deviations of this 900-event sample; a 3000-event run gives 1.006 +- 0.04.
    sample = urqmd_runs[2]
    p = sample.momentum["pi+"]
    theta = np.arccos(sample.cos_theta["pi+"])
    inside = (p > 0.75 * GeV) & (p < 6.5 * GeV) & (theta > 0.03) & (theta < 0.21)
    urqmd = np.count_nonzero(inside) / sample.events * BNB.target.sigma_production
    edges_p = np.linspace(0.75, 6.5, 241) * GeV
    edges_t = np.linspace(0.03, 0.21, 181)
    pc, tc = 0.5 * (edges_p[1:] + edges_p[:-1]), 0.5 * (edges_t[1:] + edges_t[:-1])
    pp, tt = np.meshgrid(pc, tc, indexing="ij")
    f = production_xsec("pi+", pp, tt, BNB.p_beam) * 2 * math.pi * np.sin(tt)
    harp_fit = float(np.sum(f) * np.diff(edges_p)[0] * np.diff(edges_t)[0])
    assert harp_fit / MB == pytest.approx(40.2, rel=0.01)  # the fit's own integral
    assert urqmd / harp_fit == pytest.approx(1.0, abs=0.20)


def test_the_bnb_with_urqmd_through_the_same_beamline(urqmd_runs, monkeypatch):
    # The generator's mesons go through the horn, decays and muons like the fits': the
    # yields follow from the generated counts, and the nu_mu flux at MicroBooNE agrees with
    # the published one (package data) within 25 % (MC error of this 900-event sample ~5 %).
    cache = urqmd_runs[0]
    monkeypatch.setenv("MUPHILIC_CACHE_DIR", str(cache))
    monkeypatch.setitem(BACKENDS, "urqmd", ChromoBackend("urqmd", events_per_chunk=CHUNK))
    # one interaction per proton: the yield formula below (no quasi-elastic re-scattering)
    config = BeamlineConfig(production="urqmd", proton_rescattering=False)
    sample = simulate(CHUNK + 300, 11, config=config)
    assert sample.production.startswith("UrQMD 3.4 (chromo ")
    assert sample.facility == "BNB"
    generated = urqmd_runs[2]
    t = BNB.target
    ratio = {
        s: sample.produced_per_pot[s] / (len(generated.momentum[s]) / generated.events)
        for s in ("pi+", "pi-", "K+", "K0L")
    }
    # every species: P_int * sigma_production / sigma_inelastic per generated meson
    p_int = -math.expm1(-(t.z_max - t.z_min) * t.number_density * t.sigma_inelastic)
    for value in ratio.values():
        assert value == pytest.approx(p_int * t.sigma_production / t.sigma_inelastic, rel=0.01)
    # the rows' weights (each with its proton's P_int) sum to the yield (probe-averaged P_int)
    w = sample.produced["pi+"].weight
    assert np.sum(w) == pytest.approx(sample.produced_per_pot["pi+"], rel=0.01)
    ref = np.loadtxt(
        data_file("beamline", "microboone_bnb_numu_flux.csv"), delimiter=",", skiprows=5
    )
    flux = numu_flux(sample, DEFAULT_FLUX_VOLUMES["microboone"], np.linspace(0, 10, 201) * GeV)
    assert flux.integral == pytest.approx(ref[:, 2].sum(), rel=0.25)


# --- SIBYLL against NA49, and a 120 GeV carbon-target beamline --------------------------
def test_sibyll_pi_plus_feynman_x_spectrum_against_na49(monkeypatch, tmp_path):
    # Reference: NA49, p + p -> pi+ X at 158 GeV/c, dn/dxF per inelastic event (Eur. Phys. J.
    # C 45 (2006) 343, Table 6; package data). No p-C table at SIBYLL's energies was
    # available to us; p-p tests the same fragmentation. SIBYLL's events are inelastic p-p
    # events. Tolerance 25 % per xF range (a 4000-event run gives 0.84-1.01); the statistical
    # error of this 2000-event sample is 2-15 %.
    p_lab = 158.0 * GeV
    e_lab = math.hypot(p_lab, m_proton)
    sample = generators_module.generate(
        "Sibyll23d", SIBYLL, e_lab - m_proton, (1, 1), 2000, 5, events_per_chunk=2000
    )
    sqrt_s = math.sqrt(2 * m_proton * (e_lab + m_proton))
    gamma, beta = (e_lab + m_proton) / sqrt_s, p_lab / (e_lab + m_proton)
    p, c = sample.momentum["pi+"], sample.cos_theta["pi+"]
    xf = 2 * gamma * (p * c - beta * np.hypot(p, m_pi)) / sqrt_s
    na49 = np.loadtxt(
        data_file("beamline", "na49_pp158_pi_plus_dndxf.csv"), delimiter=",", skiprows=6
    )
    for lo, hi in ((0.0, 0.05), (0.05, 0.1), (0.1, 0.2), (0.2, 0.3), (0.3, 0.5)):
        x = np.linspace(lo, hi, 401)
        data = np.trapezoid(np.exp(np.interp(x, na49[:, 0], np.log(na49[:, 1]))), x)
        model = np.count_nonzero((xf >= lo) & (xf < hi)) / sample.events
        assert model / data == pytest.approx(1.0, abs=0.25), (lo, hi)


def test_a_carbon_target_beam_at_120_gev_with_sibyll():
    facility = carbon_120()
    config = BeamlineConfig(facility=facility, production="sibyll", pion_absorption=False)
    sample = simulate(200, 3, config=config)
    assert sample.facility == "carbon-120"
    assert sample.production.startswith("SIBYLL 2.3d")
    # 120 GeV p-C makes several times more pions per interaction than 8.9 GeV p-Be
    bnb_like = simulate(200, 3).produced_per_pot["pi+"]
    assert sample.produced_per_pot["pi+"] > 2.0 * bnb_like
    assert sum(np.sum(p.weight) for p in sample.parents.values()) > 0
