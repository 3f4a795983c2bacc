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
    microboone_ncpi0_0p,
    miniboone_ncpi0,
    modelled_background,
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
