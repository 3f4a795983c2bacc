"""Property-based tests of the physics invariants (hypothesis).

* probabilities and efficiencies lie in [0, 1];
* weights of aimed and isotropic samples are finite and >= 0, momenta time-like;
* yields are monotone where the physics says so: BR(K -> mu nu S) falls with m_S,
  Eq. (5) P_emit rises with E_mu, Gamma(S -> gamma gamma) rises with m_S,
  Delta a_mu rises with y;
* no NaN for any valid input (1e-3 MeV <= m_S < 2 m_mu, any positive coupling).

The examples are few and derandomized so the file is fast and deterministic.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from muphilic.config import RunConfig, ScanConfig, StatisticsConfig
from muphilic.constants import TWO_M_MU, m, m_K, m_mu, m_pi
from muphilic.detectors import load_detector
from muphilic.detectors.decay import decay_probability_grid
from muphilic.detectors.photons import cut_efficiency, photon_energy_efficiency
from muphilic.detectors.spectrum import gaussian_bin_fractions
from muphilic.emission.meson_decays import KAON, PION, aim_decays, branching_ratio, sample_decays
from muphilic.emission.muon_scattering import aim_emissions, emission_probability
from muphilic.errors import MuphilicError
from muphilic.events import MuonSample, ParentSample
from muphilic.g2 import G2_2023, G2_2025, coupling_for_delta_a_mu, delta_a_mu, loop_function
from muphilic.scalar import ctau, lifetime, width

PROPS = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

M_MIN = 1e-3  # MeV, the lower end of the valid mass range
masses = st.floats(min_value=M_MIN, max_value=TWO_M_MU * (1 - 1e-9))
couplings = st.floats(min_value=1e-12, max_value=10.0)
# The dump cross-section table spans m_S = 1-211.1 MeV (see test_muon_channel_mass_range).
TABLE_MASSES = st.floats(1.0, 211.1)
DETECTORS = {name: load_detector(name) for name in ("miniboone", "microboone", "sbnd", "icarus")}


def _in_unit_interval(p: np.ndarray) -> None:
    assert np.all(np.isfinite(p))
    assert np.all(p >= 0.0)
    assert np.all(p <= 1.0)


# --- probabilities in [0, 1] --------------------------------------------------------
@PROPS
@given(
    l_in=hnp.arrays(np.float64, 5, elements=st.floats(0, 1e9)),
    depth=hnp.arrays(np.float64, 5, elements=st.floats(0, 1e8)),
    lam=hnp.arrays(np.float64, 5, elements=st.floats(1e-12, 1e40) | st.just(np.inf)),
    ys=hnp.arrays(np.float64, 3, elements=couplings),
)
def test_decay_probability_in_unit_interval(l_in, depth, lam, ys):
    p = decay_probability_grid(l_in, l_in + depth, lam, ys)
    assert p.shape == (3, 5)
    _in_unit_interval(p)
    # A longer path inside the detector can only add decays.
    _in_unit_interval(p_longer := decay_probability_grid(l_in, l_in + 2 * depth, lam, ys))
    assert np.all(p_longer >= p - 1e-15)


@PROPS
@given(
    mass=masses,
    gamma=hnp.arrays(np.float64, 6, elements=st.floats(1.0, 1e5)),
    e_high=st.floats(0, 1e4),
    e_low=st.floats(0, 1e4),
)
def test_photon_energy_efficiency_in_unit_interval(mass, gamma, e_high, e_low):
    eff = photon_energy_efficiency(mass * gamma, mass, e_high, e_low)
    _in_unit_interval(eff)
    # Harder cuts never pass more decays.
    _in_unit_interval(tighter := photon_energy_efficiency(mass * gamma, mass, 2 * e_high, e_low))
    assert np.all(tighter <= eff + 1e-12)


@PROPS
@given(
    name=st.sampled_from(sorted(DETECTORS)),
    mass=masses,
    gamma=hnp.arrays(np.float64, 6, elements=st.floats(1.0, 1e5)),
)
def test_detector_cut_efficiency_in_unit_interval(name, mass, gamma):
    _in_unit_interval(cut_efficiency(DETECTORS[name].cuts, mass * gamma, mass))


@PROPS
@given(
    name=st.sampled_from(sorted(DETECTORS)),
    mass=masses,
    rel_sigma=st.floats(1e-3, 3.0),
    threshold=st.none() | hnp.arrays(np.float64, 4, elements=st.floats(0, 500)),
)
def test_gaussian_bin_fractions(name, mass, rel_sigma, threshold):
    edges = np.asarray(DETECTORS[name].edges)
    frac = gaussian_bin_fractions(mass, rel_sigma * mass, edges, threshold)
    _in_unit_interval(frac)
    # The bins hold at most the whole Gaussian (per scalar, if thresholds are given).
    assert np.all(np.sum(frac, axis=-1) <= 1.0 + 1e-12)


# --- weights of generated scalars ---------------------------------------------------
def _parents(pdgid: int, meson_mass: float, p: np.ndarray, angles: np.ndarray) -> ParentSample:
    theta, phi = angles[:, 0], angles[:, 1]
    p3 = p[:, None] * np.column_stack(
        [np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta)]
    )
    energy = np.sqrt(p**2 + meson_mass**2)
    vertex = np.column_stack([np.zeros_like(p), np.zeros_like(p), np.linspace(1, 50, p.size) * m])
    return ParentSample(pdgid, np.column_stack([energy, p3]), vertex, np.full(p.size, 1e-3))


momenta = hnp.arrays(np.float64, 4, elements=st.floats(0.0, 8000.0))
directions = hnp.arrays(np.float64, (4, 2), elements=st.floats(0.0, 3.0))
aims = st.tuples(st.floats(50.0, 600.0), st.floats(0.5, 10.0), st.floats(-5.0, 5.0))


def _check_scalars(sample, mass: float) -> None:
    assert np.all(np.isfinite(sample.weight)) and np.all(sample.weight >= 0)
    assert np.all(np.isfinite(sample.p4))
    # on shell: E^2 - p^2 = m_S^2 to rounding of E^2
    e, p3 = sample.p4[:, 0], sample.p4[:, 1:]
    assert np.all(e >= mass * (1 - 1e-9))
    scale = np.max(e**2, initial=0.0)
    np.testing.assert_allclose(e**2 - np.sum(p3**2, axis=1), mass**2, atol=1e-9 * scale)


@PROPS
@given(
    meson=st.sampled_from([(321, m_K), (-321, m_K), (211, m_pi), (-211, m_pi)]),
    mass_fraction=st.floats(1e-6, 1 - 1e-6),
    p=momenta,
    angles=directions,
    aim=aims,
    seed=st.integers(0, 2**32 - 1),
)
def test_meson_decay_weights(meson, mass_fraction, p, angles, aim, seed):
    pdgid, meson_mass = meson
    mass = max(M_MIN, mass_fraction * (meson_mass - m_mu))
    parents = _parents(pdgid, meson_mass, p, angles)
    distance, radius, offset = aim
    centre = np.array([offset * m, 0.0, distance * m])
    rng = np.random.default_rng(seed)
    for sample in (
        aim_decays(parents, mass, centre, radius * m, rng),
        sample_decays(parents, mass, rng),
    ):
        _check_scalars(sample, mass)


@settings(PROPS, max_examples=10)
@given(
    mass=TABLE_MASSES,
    energy=hnp.arrays(np.float64, 4, elements=st.floats(m_mu * (1 + 1e-9), 8000.0)),
    angles=directions,
    aim=aims,
    seed=st.integers(0, 2**32 - 1),
)
def test_muon_emission_weights(mass, energy, angles, aim, seed):
    theta, phi = angles[:, 0], angles[:, 1]
    p = np.sqrt(energy**2 - m_mu**2)
    p3 = p[:, None] * np.column_stack(
        [np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta)]
    )
    position = np.column_stack([np.zeros(4), np.zeros(4), np.full(4, 50.0 * m)])
    muons = MuonSample(np.column_stack([energy, p3]), position, np.full(4, 1e-4))
    distance, radius, offset = aim
    centre = np.array([offset * m, 0.0, distance * m])
    sample = aim_emissions(muons, mass, centre, radius * m, np.random.default_rng(seed))
    _check_scalars(sample, mass)


def _slow_muons(energy: float, n: int = 3) -> MuonSample:
    p = np.sqrt(energy**2 - m_mu**2)
    p4 = np.tile([energy, 0.0, 0.0, p], (n, 1))
    return MuonSample(p4, np.tile([0.0, 0.0, 50.0 * m], (n, 1)), np.full(n, 1e-4))


def test_muons_below_threshold_emit_nothing():
    """A muon that cannot radiate S gives no scalar: zero signal, not an error."""
    muons = _slow_muons(m_mu * 1.01)  # far below the threshold for m_S = 150 MeV
    centre = np.array([0.0, 0.0, 500.0 * m])
    sample = aim_emissions(muons, 150.0, centre, 5.0 * m, np.random.default_rng(1))
    assert len(sample) == 0 and sample.channel == "muon"


@pytest.mark.parametrize("mass", [0.5, 211.25])
def test_muon_channel_mass_range(mass):
    """Outside its table (1-211.1 MeV) the muon channel refuses with a clear error; the run
    configuration rejects such a scan before it starts (tests/test_config.py)."""
    centre = np.array([0.0, 0.0, 500.0 * m])
    with pytest.raises(MuphilicError, match="outside the table"):
        aim_emissions(_slow_muons(3000.0), mass, centre, 5.0 * m, np.random.default_rng(1))


# --- monotone yields ----------------------------------------------------------------
@PROPS
@given(pair=st.lists(st.floats(3.0, m_K - m_mu - 1e-6), min_size=2, max_size=2, unique=True))
def test_kaon_branching_ratio_falls_with_mass(pair):
    """Above a few MeV, less phase space and a heavier S: BR(K -> mu nu S) falls."""
    light, heavy = sorted(pair)
    br = branching_ratio(KAON, np.array([light, heavy]))
    assert np.all(np.isfinite(br)) and br[1] >= 0
    assert br[1] <= br[0]


@PROPS
@given(mass=st.floats(M_MIN, m_pi - m_mu - 1e-6))
def test_pion_branching_ratio_finite_nonnegative(mass):
    br = branching_ratio(PION, mass)
    assert np.isfinite(br) and br >= 0


@PROPS
@given(
    mass=TABLE_MASSES,
    energies=st.lists(st.floats(m_mu * (1 + 1e-9), 1e4), min_size=2, max_size=2, unique=True),
)
def test_emission_probability_rises_with_muon_energy(mass, energies):
    """Eq. (5): a more energetic muon travels further and has a larger cross section."""
    low, high = sorted(energies)
    prob = emission_probability(np.array([low, high]), mass)
    assert np.all(np.isfinite(prob)) and np.all(prob >= 0)
    assert prob[1] >= prob[0]


@PROPS
@given(pair=st.lists(masses, min_size=2, max_size=2, unique=True), y=couplings)
def test_width_rises_with_mass(pair, y):
    light, heavy = sorted(pair)
    w = width(np.array([light, heavy]), y)
    assert np.all(np.isfinite(w)) and w[0] > 0
    assert w[1] >= w[0]


@PROPS
@given(mass=masses, pair=st.lists(couplings, min_size=2, max_size=2, unique=True))
def test_delta_a_mu_rises_with_coupling(mass, pair):
    small, large = sorted(pair)
    da = delta_a_mu(mass, np.array([small, large]))
    assert np.all(np.isfinite(da)) and da[0] > 0
    assert da[1] > da[0]


# --- no NaN for any valid input -----------------------------------------------------
@PROPS
@given(mass=hnp.arrays(np.float64, 8, elements=masses), y=couplings)
def test_width_lifetime_ctau_finite_over_valid_range(mass, y):
    for values in (width(mass, y), lifetime(mass, y), ctau(mass, y)):
        assert np.all(np.isfinite(values)) and np.all(values > 0)


def test_width_finite_at_the_ends_of_the_range():
    ends = np.array([M_MIN, M_MIN * (1 + 1e-12), TWO_M_MU * (1 - 1e-12), np.nextafter(TWO_M_MU, 0)])
    for values in (width(ends, 1e-12), ctau(ends, 1e-12), width(ends, 10.0)):
        assert np.all(np.isfinite(values)) and np.all(values > 0)


@PROPS
@given(mass=hnp.arrays(np.float64, 8, elements=masses), y=couplings)
def test_g2_functions_finite(mass, y):
    assert np.all(np.isfinite(loop_function(mass)))
    da = delta_a_mu(mass, y)
    assert np.all(np.isfinite(da)) and np.all(da > 0)
    # the inverse returns the coupling
    np.testing.assert_allclose(coupling_for_delta_a_mu(mass, da), y, rtol=1e-9)
    for scenario in (G2_2023, G2_2025):
        low, high = scenario.favoured_band(mass)
        assert np.all(np.isfinite(low)) and np.all(np.isfinite(high))
        assert np.all(np.isfinite(scenario.excluded_above(mass)))


@PROPS
@given(
    seed=st.integers(0, 2**63 - 1),
    mass_lo=st.floats(1.0, 100.0),  # the muon channel is tabulated from 1 MeV
    n_masses=st.integers(2, 2000),
    cl=st.floats(1e-3, 8.0),
    method=st.sampled_from(["paper", "likelihood"]),
)
def test_config_digest_defined_for_valid_configs(seed, mass_lo, n_masses, cl, method):
    config = RunConfig(
        seed=seed,
        scan=ScanConfig(mass_min_MeV=mass_lo, n_masses=n_masses),
        statistics=StatisticsConfig(method=method, cl_sigma=cl),
    ).validate()
    digest = config.digest()
    assert len(digest) == 64 and int(digest, 16) >= 0
    assume(config != RunConfig())
    assert digest != RunConfig().digest()
