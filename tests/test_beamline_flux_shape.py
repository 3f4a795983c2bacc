"""Shape of the embedded BNB nu_mu flux against the official MiniBooNE flux (arXiv:0806.1449
release) and MicroBooNE's published flux, bin by bin from 0 to 5 GeV.

The goal is every bin within 20 % and the mean energy within 5 %; the defaults do not reach it
below 0.25 GeV and at 1.5-2 GeV (docs/validation.md, "Flux shape", with the measured size of each
candidate cause), which the strict xfail records: it fails as soon as the goal is met, so that
the bands below can be tightened."""

from __future__ import annotations

import numpy as np
import pytest

from muphilic.beamline import DEFAULT_FLUX_VOLUMES, BeamlineConfig, numu_flux, simulate
from muphilic.beamline.production.reweight import PionReweight
from muphilic.constants import GeV
from muphilic.data import data_file

EDGES_GEV = np.array([0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3, 4, 5])
FILES = {"miniboone": "miniboone_bnb_numu_flux.csv", "microboone": "microboone_bnb_numu_flux.csv"}


def _reference(name: str) -> tuple[np.ndarray, float]:
    ref = np.loadtxt(data_file("beamline", name), delimiter=",", skiprows=5)
    centre = 0.5 * (ref[:, 0] + ref[:, 1])
    idx = np.digitize(centre, EDGES_GEV) - 1
    binned = np.array([ref[idx == i, 2].sum() for i in range(len(EDGES_GEV) - 1)])
    return binned, float(np.sum(centre * ref[:, 2]) / ref[:, 2].sum()) * GeV


def _ratios(config=None):
    sample = simulate(40_000, 13, config=config)
    out = {}
    for det, name in FILES.items():
        ref, ref_mean = _reference(name)
        ours = numu_flux(sample, DEFAULT_FLUX_VOLUMES[det], EDGES_GEV * GeV).total
        fine = numu_flux(sample, DEFAULT_FLUX_VOLUMES[det], np.linspace(0, 10, 201) * GeV)
        total = np.loadtxt(data_file("beamline", name), delimiter=",", skiprows=5)[:, 2].sum()
        out[det] = (ours / ref, fine.mean_energy / ref_mean, fine.integral / total)
    return out


@pytest.fixture(scope="module")
def ratios():
    return _ratios()


@pytest.fixture(scope="module")
def ratios_spline_scheme():
    knots = PionReweight.sanford_wang_knots(BeamlineConfig().facility.p_beam)
    return _ratios(BeamlineConfig(pi_plus_reweight=knots))


def test_the_official_flux_file_is_the_published_one():
    # arXiv:0806.1449: 5.19e-10 nu_mu / cm^2 / POT at MiniBooNE, mean energy 0.81 GeV
    ref = np.loadtxt(
        data_file("beamline", "miniboone_bnb_numu_flux.csv"), delimiter=",", skiprows=5
    )
    assert ref[:, 2].sum() == pytest.approx(5.19e-10, rel=0.005)
    assert _reference("miniboone_bnb_numu_flux.csv")[1] / GeV == pytest.approx(0.808, abs=0.001)


@pytest.mark.parametrize("det", sorted(FILES))
def test_flux_shape_stays_within_the_present_bands(ratios, det):
    # present agreement (200k POT, docs/validation.md): 0.52-0.54 below 0.25 GeV, 0.81-0.84
    # at 0.25-0.5 GeV, up to 1.25-1.33 at 1.5-2 GeV, 0.97-1.08 above 2 GeV; mean +9-10 %.
    # Bands: 0.35 around those values for this 40k POT sample (~4-12 % noise per bin).
    ratio, mean, _ = ratios[det]
    assert 0.3 < ratio[0] < 0.65
    assert 0.6 < ratio[1] < 0.95
    assert np.all((ratio[2:] > 0.7) & (ratio[2:] < 1.45)), ratio
    assert 1.0 < mean < 1.18


@pytest.mark.parametrize("det", sorted(FILES))
def test_flux_integral_0_to_10_GeV_matches_the_reference(ratios, det):
    # the references integrate to 5.19e-10 (MiniBooNE) and 7.38e-10 (MicroBooNE) per cm^2 per
    # POT; the embedded beam gives 1.00 and 0.96 of that (200k POT); 40k POT: ~2 % noise
    assert 0.9 < ratios[det][2] < 1.12


@pytest.mark.parametrize("det", sorted(FILES))
def test_the_official_spline_extrapolation_fills_the_lowest_bin(ratios, ratios_spline_scheme, det):
    """The official central value's pi+ spline scheme with the fit itself at the knots
    (``[beam] pi_plus_table = "sanford-wang-knots"``) changes only the extrapolation outside
    the HARP coverage: below 0.25 GeV, 92-94 % pions under 0.75 GeV/c, the flux goes from
    0.52-0.54 to 0.78-0.81 of the references (200k POT, docs/validation.md); the bins fed
    from inside the coverage move by less than the noise. Bands for this 40k POT sample."""
    plain, mean_plain, _ = ratios[det]
    spline, mean_spline, _ = ratios_spline_scheme[det]
    assert 0.7 < spline[0] < 1.15
    assert spline[0] / plain[0] > 1.35  # x1.5 at 200k POT
    np.testing.assert_allclose(spline[2:5], plain[2:5], rtol=0.06)
    assert 1.0 < mean_spline < mean_plain


GOAL_MISSED = "-46 % below 0.25 GeV, +25-33 % at 1.5-2 GeV (docs/validation.md)"


@pytest.mark.xfail(strict=True, reason=GOAL_MISSED)
@pytest.mark.parametrize("det", sorted(FILES))
def test_flux_shape_goal_every_bin_within_20_percent(ratios, det):
    ratio, mean, _ = ratios[det]
    assert np.all(np.abs(ratio - 1.0) < 0.2), ratio
    assert abs(mean - 1.0) < 0.05


@pytest.mark.xfail(strict=True, reason="MiniBooNE 1.5-2 GeV +23 %, MicroBooNE 0-0.25 GeV -22 %")
@pytest.mark.parametrize("det", sorted(FILES))
def test_flux_shape_goal_with_the_official_extrapolation(det):
    """docs/validation.md: with ``pi_plus_table = "sanford-wang-knots"`` ten of the eleven bins
    are within 20 % at each detector (MiniBooNE 1.5-2 GeV at 1.23, MicroBooNE 0-0.25 GeV at
    0.78) and the mean energies are 5.5-6.1 % high (the 200k POT sample of
    benchmarks/flux_vs_official.py)."""
    knots = PionReweight.sanford_wang_knots(BeamlineConfig().facility.p_beam)
    sample = simulate(200_000, 20231121, config=BeamlineConfig(pi_plus_reweight=knots))
    ref, ref_mean = _reference(FILES[det])
    volume = DEFAULT_FLUX_VOLUMES[det]
    ratio = numu_flux(sample, volume, EDGES_GEV * GeV).total / ref
    mean = numu_flux(sample, volume, np.linspace(0, 10, 201) * GeV).mean_energy / ref_mean
    assert np.all(np.abs(ratio - 1.0) < 0.2), ratio
    assert abs(mean - 1.0) < 0.05
