"""Signal spectra: smearing, decay-in-volume and cuts against independent calculations."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from scipy.stats import norm

import muphilic.detectors as det
from muphilic.constants import m, tonne
from muphilic.detectors import (
    PhotonCuts,
    SpectrumError,
    detector_from_mapping,
    gaussian_bin_fractions,
    plot_spectrum,
    signal_spectrum,
    spectrum_summary,
)
from muphilic.events import ScalarSample
from muphilic.scalar import ModelRangeError, ctau


def _axial_sample(mass, energies, weights, channel="kaon"):
    """Scalars made at the origin flying along +z (the beam axis)."""
    energies = np.asarray(energies, dtype=float)
    p = np.sqrt(energies**2 - mass**2)
    p4 = np.stack([energies, np.zeros_like(p), np.zeros_like(p), p], axis=1)
    return ScalarSample(mass, channel, p4, np.zeros((len(p), 3)), np.asarray(weights, float))


def _toy_box(**cuts):
    return detector_from_mapping(
        {
            "name": "toy",
            "pot": 1e20,
            "efficiency": 0.5,
            "resolution": 0.2,
            "geometry": {"shape": "box", "centre_m": [0.0, 0.0, 30.0], "size_m": [4.0, 4.0, 10.0]},
            "bins": {"min_MeV": 10.0, "max_MeV": 120.0, "width_MeV": 10.0},
            "cuts": cuts,
        }
    )


# --- smearing ------------------------------------------------------------------------
def test_bin_fractions_conserve_the_window_fraction():
    edges = np.arange(32.0, 129.0, 8.0)
    for mass in (24.0, 40.0, 100.0, 127.0):
        sigma = 0.15 * mass
        fractions = gaussian_bin_fractions(mass, sigma, edges)
        window = norm.cdf(128.0, mass, sigma) - norm.cdf(32.0, mass, sigma)
        assert fractions.sum() == pytest.approx(window, rel=1e-12)
        np.testing.assert_allclose(
            fractions, np.diff(norm.cdf(edges, mass, sigma)), rtol=1e-10, atol=1e-16
        )


def test_bin_fractions_against_sampled_gaussian():
    rng = np.random.default_rng(6)
    edges = np.arange(10.0, 121.0, 10.0)
    draws = rng.normal(40.0, 0.33 * 40.0, 400_000)
    counts, _ = np.histogram(draws, edges)
    fractions = gaussian_bin_fractions(40.0, 0.33 * 40.0, edges)
    sigma = np.sqrt(fractions * (1 - fractions) / draws.size)
    assert np.all(np.abs(counts / draws.size - fractions) < 5 * sigma + 1e-9)


def test_far_tail_bins_keep_relative_precision():
    # 20-40 sigma above the mean: plain CDF differences give 0, the tail form must not.
    fractions = gaussian_bin_fractions(10.0, 1.0, [30.0, 40.0, 50.0])
    expected = norm.sf([30.0, 40.0], 10.0, 1.0) - norm.sf([40.0, 50.0], 10.0, 1.0)
    np.testing.assert_allclose(fractions, expected, rtol=1e-10)
    assert fractions[0] > 0


def test_reconstructed_threshold_cuts_inside_bins():
    edges = np.array([10.0, 20.0, 30.0, 40.0, 50.0])
    f = gaussian_bin_fractions(30.0, 6.0, edges, threshold=np.array([25.0, 10.0]))
    plain = gaussian_bin_fractions(30.0, 6.0, edges)
    np.testing.assert_allclose(f[1], plain, rtol=1e-14)  # threshold at the window edge
    assert f[0, 0] == 0.0
    assert f[0, 1] == pytest.approx(norm.cdf(30, 30, 6) - norm.cdf(25, 30, 6), rel=1e-12)
    np.testing.assert_allclose(f[0, 2:], plain[2:], rtol=1e-14)


# --- full spectra ----------------------------------------------------------------------
def test_axial_scalars_at_miniboone_match_direct_formula():
    # On-axis scalars cross MiniBooNE along a diameter: L_in,out = 541 m -+ R.
    mass = 40.0
    energies = np.array([100.0, 500.0, 3000.0])
    weights = np.array([1e-6, 2e-6, 5e-7])
    y = np.array([1e-5, 1e-4, 3e-4, 1e-3])
    spec = signal_spectrum([_axial_sample(mass, energies, weights)], det.MINIBOONE, y)
    mb = det.MINIBOONE
    lam = np.sqrt(energies**2 - mass**2) / mass * ctau(mass, y[:, None])
    l_in, l_out = 541 * m - mb.radius, 541 * m + mb.radius
    p_decay = np.exp(-l_in / lam) - np.exp(-l_out / lam)
    window = norm.cdf(128.0, mass, 0.15 * mass) - norm.cdf(32.0, mass, 0.15 * mass)
    expected = mb.pot * mb.efficiency * y**2 * (p_decay @ weights) * window
    np.testing.assert_allclose(spec.total, expected, rtol=1e-9)
    np.testing.assert_allclose(spec.signal.sum(axis=1), spec.total, rtol=1e-14)
    np.testing.assert_allclose(spec.by_channel["kaon"], spec.signal, rtol=1e-14)
    # Shape in m_gg is the Gaussian's, whatever the coupling.
    shape = np.diff(norm.cdf(mb.edges, mass, 0.15 * mass))
    # (atol: the reference CDF differences lose the far tail below ~1e-16.)
    np.testing.assert_allclose(
        spec.signal / spec.total[:, None], np.tile(shape / window, (4, 1)), rtol=1e-9, atol=1e-12
    )


def test_long_lifetime_limit_scales_as_y_to_the_fourth():
    # lambda >> L: production ~ y^2 and decay probability ~ y^2 (design key idea 1).
    sample = _axial_sample(30.0, [800.0, 1500.0], [1.0, 1.0])
    spec = signal_spectrum([sample], det.MICROBOONE, [1e-8, 1e-7])
    assert spec.total[1] / spec.total[0] == pytest.approx(1e4, rel=1e-6)


def test_spectrum_matches_brute_force_decays_and_photons():
    # Independent Monte Carlo of the whole detection stage: explicit decay points,
    # explicit photon four-momenta, explicit Gaussian m_gg; compared with the analytic chain.
    rng = np.random.default_rng(7)
    detector = _toy_box(photon_energy_high_min_MeV=30.0, photon_energy_low_min_MeV=20.0)
    mass, y = 40.0, 3e-4
    n = 3000
    energies = rng.uniform(60.0, 600.0, n)
    p = np.sqrt(energies**2 - mass**2)
    vertex = rng.normal(scale=300.0, size=(n, 3))
    aim = np.array([0.0, 0.0, 30 * m]) + rng.uniform(-2500, 2500, (n, 3)) - vertex
    direction = aim / np.linalg.norm(aim, axis=1, keepdims=True)
    p4 = np.column_stack([energies, p[:, None] * direction])
    weights = rng.uniform(0.5, 1.5, n) * 1e-9
    spec = signal_spectrum([ScalarSample(mass, "muon", p4, vertex, weights)], detector, [y])

    reps = 300
    idx = np.repeat(np.arange(n), reps)
    lam = p[idx] / mass * ctau(mass, y)
    dist = rng.exponential(lam)
    point = vertex[idx] + dist[:, None] * direction[idx]
    inside = np.all(np.abs(point - detector.centre_array) <= detector.half_lengths, axis=1)
    # Photon energies of an isotropic decay, boosted: E = E_S/2 (1 + beta cos theta*).
    beta = p[idx] / energies[idx]
    cos_t = rng.uniform(-1, 1, idx.size)
    e1 = energies[idx] / 2 * (1 + beta * cos_t)
    e2 = energies[idx] - e1
    photons = (np.maximum(e1, e2) > 30.0) & (np.minimum(e1, e2) > 20.0)
    m_rec = rng.normal(mass, detector.resolution * mass, idx.size)
    counts, _ = np.histogram(
        m_rec[inside & photons], detector.edges, weights=weights[idx][inside & photons]
    )
    scale = detector.pot * detector.efficiency * y**2 / reps
    mc = counts * scale
    mc_sum_sq, _ = np.histogram(
        m_rec[inside & photons], detector.edges, weights=weights[idx][inside & photons] ** 2
    )
    mc_err = np.sqrt(mc_sum_sq) * scale
    assert (inside & photons).sum() > 5000  # enough statistics for the comparison
    assert mc.sum() == pytest.approx(spec.total[0], abs=4 * np.sqrt(np.sum(mc_err**2)))
    big = mc > 10 * mc_err
    assert np.all(np.abs(mc - spec.signal[0])[big] < 4 * mc_err[big])


def test_true_track_mass_cut_removes_light_scalars():
    reco = _toy_box(track_mass_MeV=32.0)
    true = dataclasses.replace(reco, cuts=PhotonCuts(track_mass=32.0, track_mass_applies_to="true"))
    sample = _axial_sample(28.0, [300.0, 900.0], [1.0, 1.0])
    assert signal_spectrum([sample], true, [1e-4]).total[0] == 0.0
    spec = signal_spectrum([sample], reco, [1e-4])
    assert spec.total[0] > 0  # smeared above f
    np.testing.assert_array_equal(spec.signal[0, :2], 0.0)  # bins 10-30 MeV below f
    heavy = _axial_sample(60.0, [300.0, 900.0], [1.0, 1.0])
    np.testing.assert_allclose(
        signal_spectrum([heavy], true, [1e-4]).total,
        signal_spectrum([heavy], _toy_box(), [1e-4]).total,
        rtol=1e-14,
    )


def test_channels_add_and_mc_error_counts_entries():
    mass = 30.0
    kaon = _axial_sample(mass, np.full(400, 800.0), np.full(400, 1e-8), "kaon")
    muon = _axial_sample(mass, np.full(100, 800.0), np.full(100, 1e-8), "muon")
    y = np.array([1e-4, 2e-4])
    spec = signal_spectrum([kaon, muon], det.SBND, y)
    np.testing.assert_allclose(spec.by_channel["kaon"] + spec.by_channel["muon"], spec.signal)
    assert spec.by_channel["kaon"].sum() == pytest.approx(
        4 * spec.by_channel["muon"].sum(), rel=1e-12
    )
    # N identical entries: relative error 1/sqrt(N).
    np.testing.assert_allclose(spec.mc_rel_error, 1 / np.sqrt(500), rtol=1e-12)
    np.testing.assert_allclose(spec.by_channel_mc_rel_error["muon"], 0.1, rtol=1e-12)
    # Two samples of one channel add up.
    half = signal_spectrum([kaon, kaon], det.SBND, y)
    np.testing.assert_allclose(half.by_channel["kaon"], 2 * spec.by_channel["kaon"], rtol=1e-13)


def test_missing_rays_and_zero_weights_give_zero_with_infinite_error():
    sample = _axial_sample(30.0, [800.0], [1.0])
    backwards = ScalarSample(30.0, "pion", sample.p4 * [1, 1, 1, -1], sample.vertex, sample.weight)
    spec = signal_spectrum([backwards], det.MINIBOONE, [1e-4])
    assert spec.total[0] == 0.0
    assert spec.mc_rel_error[0] == np.inf
    summary = spectrum_summary(spec, 0)
    assert summary["mc_rel_error"] is None
    json.dumps(summary, allow_nan=False)


def test_summary_is_json_ready_with_all_channels():
    spec = signal_spectrum(
        [_axial_sample(40.0, [500.0], [1e-7], "pion")], det.MICROBOONE, [1e-4, 1e-3]
    )
    summary = spectrum_summary(spec, -1)
    text = json.dumps(summary, allow_nan=False)
    loaded = json.loads(text)
    assert set(loaded["by_channel"]) == {"kaon", "pion", "muon"}
    assert loaded["edges_MeV"] == det.MICROBOONE.edges.tolist()
    assert loaded["signal_total"] == pytest.approx(sum(loaded["signal"]))
    assert loaded["by_channel"]["kaon"] == [0.0] * det.MICROBOONE.n_bins
    with pytest.raises(SpectrumError, match="coupling_index"):
        spectrum_summary(spec, 2)


def test_bad_inputs_raise():
    a = _axial_sample(30.0, [800.0], [1.0])
    b = _axial_sample(31.0, [800.0], [1.0])
    with pytest.raises(SpectrumError, match="different masses"):
        signal_spectrum([a, b], det.SBND, [1e-4])
    with pytest.raises(SpectrumError, match="at least one"):
        signal_spectrum([], det.SBND, [1e-4])
    with pytest.raises(ModelRangeError):
        signal_spectrum([a], det.SBND, [0.0])


def test_plot_writes_a_figure(tmp_path):
    spec = signal_spectrum([_axial_sample(40.0, [500.0], [1e-7])], det.MINIBOONE, [1e-4])
    n = det.MINIBOONE.n_bins
    out = plot_spectrum(spec, 0, tmp_path / "spec.png", background=np.ones(n), data=np.ones(n))
    assert out.stat().st_size > 1000
    with pytest.raises(SpectrumError, match="one value per bin"):
        plot_spectrum(spec, 0, tmp_path / "bad.png", background=np.ones(n + 1))


def test_probability_sums_equal_plain_exponentials_in_every_regime():
    # The chunked sums (exact zero where exp underflows, power series for small
    # exponents, exp/expm1 in between) against the plain (K, N) exp/expm1 grid
    # summed directly. Scalars span lambda_1 over 20 decades so that every chunk
    # mixes regimes; L_in = 0 (starting inside) included. Only rounding may differ:
    # the series' truncation error is < 1e-18, so 1e-12 relative is a loose bound.
    from muphilic.detectors.decay import decay_probability_grid
    from muphilic.detectors.spectrum import _probability_sums

    rng = np.random.default_rng(7)
    n = 5000
    l_in = rng.uniform(0.0, 6e5, n)
    l_in[:50] = 0.0
    dl = rng.uniform(1.0, 2e4, n)
    lam1 = 10 ** rng.uniform(-6.0, 14.0, n)
    y = np.geomspace(1e-7, 1e-1, 100)[rng.permutation(100)]  # any order of couplings
    values = rng.uniform(0.0, 1.0, (n, 3))
    t_weight = rng.uniform(0.0, 2.0, n)
    prob = decay_probability_grid(l_in, l_in + dl, lam1, y)
    spectrum, sum_sq = _probability_sums(l_in, dl, lam1, y**2, values, t_weight)
    np.testing.assert_allclose(spectrum, prob @ values, rtol=1e-12, atol=1e-280)
    np.testing.assert_allclose(sum_sq, prob**2 @ t_weight**2, rtol=1e-12, atol=1e-280)


def _inverse_square_integral(detector):
    """Integral of 1 / r^2 over a box detector (r from the origin), mm: Gauss-Legendre, 40^3."""
    nodes, weights = np.polynomial.legendre.leggauss(40)
    axes = [c + 0.5 * s * nodes for c, s in zip(detector.centre, detector.size, strict=True)]
    w = [0.5 * s * weights for s in detector.size]
    x, y, z = np.meshgrid(*axes, indexing="ij")
    wx, wy, wz = np.meshgrid(*w, indexing="ij")
    return float(np.sum(wx * wy * wz / (x**2 + y**2 + z**2)))


def test_signal_scales_with_the_fiducial_volume():
    # Long-lived scalars from a point source, isotropic in a cone: the expected summed path
    # length in a volume is N / Omega x integral dV / r^2, so the signal of two volumes is in
    # the ratio of those integrals (an independent quadrature). The default SBND box, its
    # fiducial_mass_t override (half the mass) and the 4 x 4 x 5 m active box.
    rng = np.random.default_rng(11)
    n, half_angle, mass, energy = 400_000, 0.03, 20.0, 1000.0
    cos_t = rng.uniform(np.cos(half_angle), 1.0, n)
    phi = rng.uniform(0.0, 2 * np.pi, n)
    sin_t = np.sqrt(1 - cos_t**2)
    p = np.sqrt(energy**2 - mass**2)
    p4 = np.column_stack(
        [np.full(n, energy), p * sin_t * np.cos(phi), p * sin_t * np.sin(phi), p * cos_t]
    )
    sample = ScalarSample(mass, "kaon", p4, np.zeros((n, 3)), np.full(n, 1e-6))
    sbnd = det.SBND
    variants = {
        "fiducial": sbnd,
        "half": det.apply_overrides(sbnd, {"fiducial_mass_t": 0.5 * sbnd.fiducial_mass / tonne}),
        "active": dataclasses.replace(sbnd, size=(4 * m, 4 * m, 5 * m), fiducial_mass=None),
    }
    signal = {k: signal_spectrum(sample, d, [1e-6]).total[0] for k, d in variants.items()}
    integral = {k: _inverse_square_integral(d) for k, d in variants.items()}
    for key in ("half", "active"):
        assert signal[key] / signal["fiducial"] == pytest.approx(
            integral[key] / integral["fiducial"], rel=0.01
        )
    # far from the source the integral is V / L^2: the signal follows the mass
    assert signal["half"] / signal["fiducial"] == pytest.approx(0.5, rel=0.02)
    assert variants["active"].fiducial_mass / tonne == pytest.approx(80.0 * 1.3954, rel=1e-12)


@pytest.mark.parametrize("mass", [5.0, 24.0])
def test_window_from_zero_adds_the_gaussian_part_below_10_MeV(mass):
    # window_MeV = [0, 120]: the bins above 10 MeV are unchanged and the new 0-10 MeV bin holds
    # the in-volume yield times the Gaussian fraction in [0, 10] (scipy's normal CDF).
    sample = _axial_sample(mass, [800.0, 1500.0, 3000.0], [1e-9, 2e-9, 1e-9])
    paper = dataclasses.replace(det.MICROBOONE, cuts=PhotonCuts())
    wide = det.apply_overrides(paper, {"window_MeV": [0, 120]})
    narrow_s = signal_spectrum(sample, paper, [1e-4]).signal[0]
    wide_s = signal_spectrum(sample, wide, [1e-4]).signal[0]
    np.testing.assert_allclose(wide_s[1:], narrow_s, rtol=1e-12)
    sigma = 0.33 * mass
    in_window = norm.cdf(120.0, mass, sigma) - norm.cdf(10.0, mass, sigma)
    below = norm.cdf(10.0, mass, sigma) - norm.cdf(0.0, mass, sigma)
    assert wide_s[0] == pytest.approx(narrow_s.sum() / in_window * below, rel=1e-9)


def test_miniboone_track_mass_readings_through_the_override():
    # m_S = 28 MeV, below f = 32 MeV: the smeared (default) reading keeps the Gaussian part
    # above 32 MeV (scipy's normal tail, the window's upper edge at 128 MeV), the truth reading
    # nothing; at 40 MeV both agree.
    mb = det.MINIBOONE
    truth = det.apply_overrides(mb, {"track_mass_applies_to": "true"})
    no_cut = dataclasses.replace(mb, cuts=PhotonCuts(), bin_edges=(0.0, 1e4))
    for mass in (28.0, 40.0):
        sample = _axial_sample(mass, [500.0, 2000.0], [1e-9, 1e-9])
        everything = signal_spectrum(sample, no_cut, [1e-4]).total[0]
        smeared = signal_spectrum(sample, mb, [1e-4]).total[0]
        sigma = 0.15 * mass
        window = norm.cdf(128.0, mass, sigma) - norm.cdf(32.0, mass, sigma)
        assert smeared == pytest.approx(everything * window / norm.sf(0.0, mass, sigma), rel=1e-9)
        true_total = signal_spectrum(sample, truth, [1e-4]).total[0]
        assert true_total == (0.0 if mass < 32 else pytest.approx(smeared, rel=1e-12))


def test_signal_spectrum_function_equals_signal_spectrum_at_any_couplings():
    # The prepared (coupling-independent) part reused: the same numbers as a fresh call.
    from muphilic.constants import MeV
    from muphilic.detectors.spectrum import signal_spectrum_function

    rng = np.random.default_rng(7)
    n = 4000
    p3 = np.column_stack(
        (rng.normal(0, 20, n), rng.normal(0, 20, n), rng.uniform(200.0, 3000.0, n))
    )
    mass = 60.0 * MeV
    p4 = np.column_stack((np.sqrt(np.sum(p3**2, axis=1) + mass**2), p3))
    sample = ScalarSample(mass, "kaon", p4, np.zeros((n, 3)), rng.uniform(0.5, 1.5, n))
    detector = det.load_detector("sbnd")
    function = signal_spectrum_function([sample], detector)
    for y in (np.geomspace(1e-6, 1e-1, 37), np.array([3e-4]), np.array([2e-3, 2.1e-3])):
        direct = signal_spectrum([sample], detector, y)
        again = function(y)
        assert direct.signal.sum() > 0
        np.testing.assert_array_equal(again.signal, direct.signal)
        np.testing.assert_array_equal(again.mc_rel_error, direct.mc_rel_error)
