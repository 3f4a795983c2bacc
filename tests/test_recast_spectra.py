"""Tests of muphilic.recast.spectra: the MiniBooNE loader, Eq. (7)'s covariance,
the modelled MicroBooNE background and the CSV drop-in format."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from muphilic.constants import cm2, m_pi0, tonne
from muphilic.recast.spectra import (
    MODELLED_LABEL,
    MicroBooNEModel,
    PublishedSpectrum,
    SpectrumError,
    argon_nuclei,
    gaussian_peak_fractions,
    microboone_0p_selection,
    microboone_ncpi0_0p,
    miniboone_ncpi0,
    modelled_background,
    modelled_components,
    pair_mass_fractions,
    read_spectrum_csv,
    write_spectrum_csv,
)


def test_miniboone_sum_80_200_matches_provenance() -> None:
    # The data's provenance note derives (independently, from the same digitized
    # points) "sum of data in 80-200 MeV ~ 3330 events per 1e20 POT"; 5 events is
    # the rounding of that quoted value.
    spec = miniboone_ncpi0(pot=1e20)
    sel = (spec.edges_MeV[:-1] >= 80) & (spec.edges_MeV[1:] <= 200)
    assert spec.data[sel].sum() == pytest.approx(3330, abs=5)


def test_miniboone_binning_window_and_pot_scaling() -> None:
    spec = miniboone_ncpi0()
    assert spec.n_bins == 50
    np.testing.assert_allclose(np.diff(spec.edges_MeV), 8.0, rtol=1e-12)
    win = spec.in_window()
    # The paper's window 32-128 MeV holds 12 bins of 8 MeV.
    assert win.n_bins == 12
    assert (win.edges_MeV[0], win.edges_MeV[-1]) == pytest.approx((32.0, 128.0))
    # Counts scale linearly with POT: 6.46e20 vs 1e20.
    per_1e20 = miniboone_ncpi0(pot=1e20)
    np.testing.assert_allclose(spec.data, 6.46 * per_1e20.data, rtol=1e-12)
    # Published density at the 136-144 MeV bin is 63.69 events/MeV/1e20 POT (data file).
    assert per_1e20.data[17] == pytest.approx(63.6876175 * 8, rel=1e-9)


def test_covariance_hand_computed() -> None:
    spec = PublishedSpectrum(
        name="toy",
        edges_MeV=np.array([0.0, 1.0, 2.0]),
        data=np.array([4.0, 9.0]),
        background=np.array([2.0, 3.0]),
        pot=1.0,
        systematics={"a": 0.1, "b": 0.2},
    )
    # f^2 = 0.01 + 0.04 = 0.05; M = diag(d) + 0.05 b b^T
    expected = np.array([[4.0 + 0.05 * 4, 0.05 * 6], [0.05 * 6, 9.0 + 0.05 * 9]])
    np.testing.assert_allclose(spec.covariance(), expected, rtol=1e-14)
    assert spec.normalisation_uncertainty == pytest.approx(np.sqrt(0.05), rel=1e-14)


def test_miniboone_normalisation_uncertainty_is_quadrature_sum() -> None:
    # 12.4 %, 8.4 %, 5.1 % fully correlated -> sqrt(sum of squares) = 15.82 %.
    assert miniboone_ncpi0().normalisation_uncertainty == pytest.approx(
        np.sqrt(0.124**2 + 0.084**2 + 0.051**2), rel=1e-12
    )


def test_singular_covariance_is_refused() -> None:
    spec = PublishedSpectrum("toy", np.array([0.0, 1.0, 2.0]), [0.0, 1.0], [0.0, 1.0], pot=1.0)
    with pytest.raises(SpectrumError, match="bin 0"):
        spec.covariance()


def test_gaussian_peak_fractions_against_scipy_truncnorm() -> None:
    # Second method: scipy's truncated normal on (0, inf).
    edges = np.linspace(0, 300, 31)
    sigma = 0.33 * 135.0
    ref = stats.truncnorm(a=-135.0 / sigma, b=np.inf, loc=135.0, scale=sigma)
    np.testing.assert_allclose(
        gaussian_peak_fractions(edges, 135.0, 0.33), np.diff(ref.cdf(edges)), rtol=1e-10, atol=1e-15
    )


def test_argon_nuclei_hand_value() -> None:
    # 77 t / (39.948 g/mol) x 6.02214076e23 /mol = 1.16077e30 nuclei.
    assert argon_nuclei(77 * tonne) == pytest.approx(77e6 / 39.948 * 6.02214076e23, rel=1e-12)


def test_modelled_background_total() -> None:
    # Over a range that holds the whole peak the sum is the product of the inputs.
    flux = 6.9e-10 / cm2
    edges = np.linspace(0, 135 * 12, 200)
    bkg = modelled_background(
        edges, flux=flux, pot=5.89e20, fiducial_mass=77 * tonne, efficiency=0.06, resolution=0.33
    )
    expected = 6.9e-10 * 0.624e-38 * (77e6 / 39.948 * 6.02214076e23) * 5.89e20 * 0.06
    assert bkg.sum() == pytest.approx(expected, rel=1e-12)
    # The peak bin is the one holding m_pi0.
    assert edges[np.argmax(bkg)] <= m_pi0 < edges[np.argmax(bkg) + 1]


def test_microboone_is_asimov_and_labelled() -> None:
    spec = microboone_ncpi0_0p(6.9e-10 / cm2)
    assert spec.asimov
    assert spec.label == MODELLED_LABEL
    np.testing.assert_array_equal(spec.data, spec.background)
    win = spec.in_window()
    # 10-120 MeV in 10 MeV bins: 11 bins.
    assert win.n_bins == 11
    doubled = spec.scaled_to(2 * spec.pot)
    np.testing.assert_allclose(doubled.background, 2 * spec.background, rtol=1e-14)
    with pytest.raises(SpectrumError, match="measured"):
        miniboone_ncpi0().scaled_to(1e21)
    assert MicroBooNEModel().window_MeV == (10.0, 120.0)


def test_csv_round_trip(tmp_path) -> None:
    spec = miniboone_ncpi0()
    path = tmp_path / "mb.csv"
    write_spectrum_csv(spec, path)
    back = read_spectrum_csv(path)
    np.testing.assert_array_equal(back.edges_MeV, spec.edges_MeV)
    np.testing.assert_array_equal(back.data, spec.data)
    np.testing.assert_array_equal(back.background, spec.background)
    assert back.pot == spec.pot
    assert back.window_MeV == spec.window_MeV
    assert dict(back.systematics) == dict(spec.systematics)
    assert back.paper_statistic == "covariance"
    assert not back.asimov


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("# pot: 1e20\nmgg_low_MeV,mgg_high_MeV,data\n0,10,1\n", "missing column 'background'"),
        ("# pot: 1e20\nmgg_low_MeV,mgg_high_MeV,data,background\n0,10,x,1\n", "column 'data'"),
        ("mgg_low_MeV,mgg_high_MeV,data,background\n0,10,1,1\n", "'pot'"),
        (
            "# pot: 1e20\nmgg_low_MeV,mgg_high_MeV,data,background\n0,10,1,1\n12,20,1,1\n",
            "contiguous",
        ),
        ("# pot: 1e20\nmgg_low_MeV,mgg_high_MeV,data,background\n0,10,1,-1\n", "'background'"),
    ],
)
def test_csv_errors_name_the_problem(tmp_path, body: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(body)
    with pytest.raises(SpectrumError, match=message):
        read_spectrum_csv(path)


def test_spectrum_validation() -> None:
    with pytest.raises(SpectrumError, match="background has 1 bins"):
        PublishedSpectrum("x", np.array([0.0, 1.0, 2.0]), [1.0, 1.0], [1.0], pot=1.0)
    with pytest.raises(SpectrumError, match="negative"):
        PublishedSpectrum("x", np.array([0.0, 1.0]), [-1.0], [1.0], pot=1.0)
    with pytest.raises(SpectrumError, match="window"):
        PublishedSpectrum(
            "x", np.array([0.0, 1.0]), [1.0], [1.0], pot=1.0, window_MeV=(5.0, 6.0)
        ).in_window()


def test_spectrum_pickles_with_plain_pickle() -> None:
    # dask may ship spectra to worker processes with the standard pickle.
    import pickle

    spec = miniboone_ncpi0()
    back = pickle.loads(pickle.dumps(spec))
    np.testing.assert_array_equal(back.data, spec.data)
    assert dict(back.systematics) == dict(spec.systematics)
    with pytest.raises(TypeError):
        back.systematics["flux"] = 0.0  # still read-only


# --- the MicroBooNE NC pi0 0p selection and its three-component model ----------------
#: The published figures, typed in from microboone_ncpi0_2021-12-07_singlebin_values.csv
#: (histograms of 2021-12-07_out.root, nupuroza/NCpi0-Cross-Section @ 78095d7a, the analysis
#: code of arXiv:2205.07943): data_selected_2g0p, BNB_ext_2g0p, background_2g0p, POT_2g0p,
#: nTargets, integratedFlux_numu.
PUBLISHED = {
    "data": 496.0,
    "cosmic": 81.536552,
    "beam_other": 138.53052,
    "pot": 5.893e20,
    "nuclei": 1.1865822e30,
    "numu_flux": 7.3762291e-10,
}


def test_selection_totals_are_the_published_and_consistent() -> None:
    sel = microboone_0p_selection()
    assert (sel.data, sel.cosmic, sel.beam_other) == (
        PUBLISHED["data"],
        PUBLISHED["cosmic"],
        PUBLISHED["beam_other"],
    )
    # NC pi0 = data - beam-off - beam background (the file's own evtRate_2g0p) ...
    assert sel.nc_pi0 == pytest.approx(496.0 - 81.536552 - 138.53052, rel=1e-7)
    # ... and, second method, sigma x flux x nuclei x POT x efficiency from its cross section
    rate = sel.cross_section * sel.flux_all * argon_nuclei(sel.argon_mass) * sel.pot
    assert rate * sel.efficiency == pytest.approx(sel.nc_pi0, rel=1e-5)
    assert sel.argon_mass / tonne == pytest.approx(78.712, rel=1e-4)


def test_model_reproduces_the_published_totals() -> None:
    # At the selection's own flux, mass and POT, over 0-300 MeV (all of the broad shapes;
    # the pi0 peak beyond 300 MeV is 2e-4 of it) the components are the published counts.
    parts = modelled_components(
        np.arange(0.0, 310.0, 10.0),
        flux=PUBLISHED["numu_flux"] / cm2,
        pot=PUBLISHED["pot"],
        background_mass=argon_nuclei(1.0) ** -1 * PUBLISHED["nuclei"],
        resolution=0.33,
    )
    assert parts["cosmic"].sum() == pytest.approx(PUBLISHED["cosmic"], rel=1e-12)
    assert parts["beam_other"].sum() == pytest.approx(PUBLISHED["beam_other"], rel=1e-12)
    total = sum(p.sum() for p in parts.values())
    assert total == pytest.approx(PUBLISHED["data"], rel=1e-3)


def test_broad_shape_rises_like_isotropic_pairs() -> None:
    # Second method: pairs of showers with E_high > 30, E_low > 20 MeV (any spectrum, here
    # exponential above threshold) and an isotropic relative direction. Below
    # 2 sqrt(30 x 20) = 49 MeV their m_gg density is proportional to m.
    rng = np.random.default_rng(5)
    n = 400_000
    e1 = 30.0 + rng.exponential(150.0, n)
    e2 = 20.0 + rng.exponential(100.0, n)
    mgg = np.sqrt(2 * e1 * e2 * (1 - rng.uniform(-1, 1, n)))
    edges = np.arange(0.0, 50.0, 7.0)
    mc, _ = np.histogram(mgg, edges)
    model = pair_mass_fractions(edges, 2 * np.sqrt(30.0 * 20.0))
    np.testing.assert_allclose(mc / mc.sum(), model / model.sum(), rtol=0.03)
    # whole range: fractions sum to 1, nothing above 300 MeV
    assert pair_mass_fractions(np.array([0.0, 300.0, 400.0]), 49.0).tolist() == [1.0, 0.0]


def test_modelled_microboone_low_mass_bin_by_hand() -> None:
    # 10-20 MeV: broad density (138.53 + 81.54) / (300 - m_c / 2) per MeV times
    # (20^2 - 10^2) / (2 m_c) with m_c = 48.99 MeV, plus the tail of the 275.93 NC pi0
    # events' Gaussian (sigma = 0.33 m_pi0, truncated at 0).
    spec = microboone_ncpi0_0p(PUBLISHED["numu_flux"] / cm2, MicroBooNEModel(pot=5.893e20))
    corner = 2 * np.sqrt(600.0)
    mass = 78.71 / 78.712
    broad = (138.53052 + 81.536552) * mass / (300 - corner / 2)
    sigma = 0.33 * m_pi0
    peak = stats.truncnorm(a=-m_pi0 / sigma, b=np.inf, loc=m_pi0, scale=sigma)
    expected = broad * (400 - 100) / (2 * corner) + 275.93292 * mass * (peak.cdf(20) - peak.cdf(10))
    assert spec.background[1] == pytest.approx(expected, rel=2e-3)
    assert spec.background[1] > 5 * 0.43  # the old Gaussian-only model had 0.43 here


def test_sbnd_background_scales_like_microboone() -> None:
    # Beam-related components with flux x mass x POT, cosmic with mass x POT.
    edges = np.arange(0.0, 310.0, 10.0)
    ub = modelled_components(
        edges, flux=7e-10 / cm2, pot=5.89e20, background_mass=78.71 * tonne, resolution=0.33
    )
    sbnd = modelled_components(
        edges, flux=1.7e-8 / cm2, pot=1e21, background_mass=77 * tonne, resolution=0.33
    )
    exposure = 77 / 78.71 * 1e21 / 5.89e20
    np.testing.assert_allclose(sbnd["cosmic"], ub["cosmic"] * exposure, rtol=1e-12)
    for key in ("nc_pi0", "beam_other"):
        np.testing.assert_allclose(sbnd[key], ub[key] * exposure * 17 / 0.7, rtol=1e-12)
