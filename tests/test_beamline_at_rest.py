"""Mesons that stop in the beamline's material and decay at rest: the estimate of
muphilic.beamline.at_rest and the size of their signal next to the decays in flight."""

from __future__ import annotations

import numpy as np
import pytest

from muphilic.beamline import simulate
from muphilic.beamline.at_rest import range_iron, stopped_mesons, stopping_probability
from muphilic.beamline.facility_file import load_facility
from muphilic.beamline.muons import EnergyLoss, range_in_iron
from muphilic.constants import GeV, m_K, m_mu, mm
from muphilic.pipeline import detector_for
from muphilic.signal import SignalSettings, expected_signal

POT = 8000


@pytest.fixture(scope="module")
def beam():
    return simulate(POT, 5)


@pytest.fixture(scope="module")
def stopped():
    return stopped_mesons(POT, 5)


def test_range_scales_with_the_mass_at_equal_beta_gamma():
    # CSDA range R(beta gamma) / M is universal (Bethe-Bloch): the kaon's range against the
    # muon range of muphilic.beamline.muons (its own table) at the same beta gamma
    bg = np.array([1.0, 3.0, 10.0])  # (below, the 1 MeV floor of the tables differs)
    r_k = range_iron(bg * m_K, m_K)
    t_mu = (np.sqrt(1.0 + bg**2) - 1.0) * m_mu
    r_mu = range_in_iron(t_mu, EnergyLoss("bethe"))
    assert r_k / m_K == pytest.approx(r_mu / m_mu, rel=0.02)
    # order of magnitude: a 1 GeV/c K+ ranges out in ~0.4 m of iron, 10 interaction lengths
    # of which it survives with ~30 %
    assert 300 * mm < range_iron(1 * GeV, m_K) < 500 * mm
    assert 0.2 < stopping_probability(1 * GeV) < 0.4
    assert stopping_probability(0.2 * GeV) > 0.95


def test_stopped_kaons_are_bounded_by_production_minus_decays(beam, stopped):
    produced = beam.produced_per_pot["K+"]
    in_flight = beam.parents["K+"].weight.sum()
    at_rest = stopped.weight.sum()
    assert 0.0 < at_rest < produced - in_flight
    assert np.all(stopped.p4[:, 1:] == 0.0)
    assert np.all(stopped.vertex[:, 2] <= load_facility("bnb").absorber_z + 1e-6)


def test_kaons_at_rest_add_less_than_5_percent_to_the_kaon_channel_at_sbnd(beam, stopped):
    # isotropic emission at rest: the solid angle of SBND (16 m2 at 110 m, 1e-4 of 4 pi)
    # against the forward-boosted decays in flight; the estimate is an upper one (no
    # energy loss before the stop). Measured on 50k POT: 2.6-3.1 % at SBND, <= 3.3 % elsewhere.
    settings = SignalSettings(channels=("kaon",), scalars_per_species=4000)
    sbnd = detector_for("sbnd")
    flight = expected_signal({"K+": beam.parents["K+"]}, None, 24.0, sbnd, [3e-4], settings)
    rest = expected_signal({"K+": stopped}, None, 24.0, sbnd, [3e-4], settings)
    ratio = float(np.sum(rest.total)) / float(np.sum(flight.total))
    assert 0.0 < ratio < 0.05


def test_stopped_pions_give_no_signal_at_24_mev(beam):
    pions = stopped_mesons(2000, 5, species="pi+")
    assert pions.weight.sum() > 0.0
    settings = SignalSettings(channels=("pion",), scalars_per_species=2000)
    rest = expected_signal({"pi+": pions}, None, 24.0, detector_for("sbnd"), [3e-4], settings)
    flight = expected_signal(
        {"pi+": beam.parents["pi+"]}, None, 24.0, detector_for("sbnd"), [3e-4], settings
    )
    assert float(np.sum(rest.total)) < 1e-3 * float(np.sum(flight.total))


def test_bad_species_is_refused():
    with pytest.raises(ValueError, match="species must be one of"):
        stopped_mesons(10, 1, species="K-")
