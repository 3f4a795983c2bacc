"""Ionisation loss of mesons in the target and the horns' conductors (beamline.energy_loss)."""

from __future__ import annotations

import tomllib
from dataclasses import replace

import numpy as np
import pytest

from muphilic.beamline import BeamlineConfig, horn, horn_kernel, simulate
from muphilic.beamline.energy_loss import (
    ALUMINIUM,
    EnergyLossError,
    Medium,
    momentum_after,
    momentum_after_walls,
    momentum_loss_rate,
    wall_loss,
)
from muphilic.beamline.facility import FacilityConfigError
from muphilic.beamline.facility_file import facility_from_mapping, load_facility
from muphilic.beamline.horn import TrackStatus
from muphilic.constants import GeV, MeV, cm, g, m_K, m_pi, mm, mole
from muphilic.data import data_file

# PDG "Atomic and nuclear properties of materials": minimum ionisation, MeV cm^2 / g, and
# the tolerance: the density effect here is Sternheimer-Peierls' general form, not the
# fitted parameters of PDG's table; at the minimum it is 1 % off in Be and Al and 2 % in
# graphite (its delta is 0.65 there against the table's 1.09), i.e. 4 MeV of the 200 MeV a
# pion loses along a whole target
PDG_MINIMUM = {"Be": (1.595, 0.01), "Al": (1.615, 0.01), "C": (1.742, 0.025)}
MEDIA = {
    "Be": Medium.element("Be", 4, 9.012182 * g / mole, 1.848 * g / cm**3),
    "Al": ALUMINIUM,
    "C": Medium.element("C", 6, 12.0107 * g / mole, 2.210 * g / cm**3),
}


@pytest.mark.parametrize("symbol", sorted(PDG_MINIMUM))
def test_minimum_ionisation_against_pdg(symbol: str) -> None:
    medium = MEDIA[symbol]
    value, tolerance = PDG_MINIMUM[symbol]
    t = np.geomspace(50.0, 5000.0, 4000) * MeV
    per_mass = medium.dedx(t, m_pi) / (medium.density / (g / cm**3)) * (cm / mm)
    assert per_mass.min() == pytest.approx(value, rel=tolerance)
    # at its minimum, beta gamma ~ 3.5 (PDG Fig. 34.2)
    bg = np.sqrt((1.0 + t / m_pi) ** 2 - 1.0)
    assert 2.5 < bg[np.argmin(per_mass)] < 4.5


def test_loss_depends_on_beta_gamma_only() -> None:
    bg = np.array([0.8, 2.0, 5.0, 30.0])
    t_pi = (np.sqrt(1.0 + bg**2) - 1.0) * m_pi
    t_k = (np.sqrt(1.0 + bg**2) - 1.0) * m_K
    # only W_max carries the mass, through gamma m_e / M: 0.5 % at beta gamma = 30
    np.testing.assert_allclose(ALUMINIUM.dedx(t_k, m_K), ALUMINIUM.dedx(t_pi, m_pi), rtol=1e-2)


def _integrated(p0: float, mass: float, path: float, medium: Medium, n: int = 20_000) -> float:
    """Momentum after ``path`` by 4th-order Runge-Kutta in the energy (second method)."""
    energy, ds = float(np.hypot(p0, mass)), path / n

    def rate(e: float) -> float:
        return -float(medium.dedx(np.array([max(e - mass, 0.0)]), mass)[0])

    for _ in range(n):
        k1 = rate(energy)
        k2 = rate(energy + 0.5 * ds * k1)
        k3 = rate(energy + 0.5 * ds * k2)
        k4 = rate(energy + ds * k3)
        energy += ds * (k1 + 2 * k2 + 2 * k3 + k4) / 6.0
        if energy <= mass:
            return 0.0
    return float(np.sqrt(energy**2 - mass**2))


@pytest.mark.parametrize(
    ("p0", "path"),
    [(6.0 * GeV, 700.0 * mm), (2.0 * GeV, 300.0 * mm), (0.5 * GeV, 100.0 * mm), (0.25 * GeV, 40.0)],
)
def test_momentum_after_a_path_against_integration(p0: float, path: float) -> None:
    be = MEDIA["Be"]
    exact = _integrated(p0, m_pi, path, be, n=2000)
    got = float(momentum_after(np.array([p0]), m_pi, np.array([path]), be)[0])
    loss_exact = p0 - exact
    # 16 midpoint steps: within 1e-4 of the loss (0.25 GeV/c over 40 mm of Be loses 6 %,
    # a 6 GeV/c pion over 700 mm 4 % of its momentum)
    assert got == pytest.approx(exact, abs=1e-4 * loss_exact)
    assert loss_exact > 0.02 * p0


def test_ranged_out_beyond_the_range() -> None:
    be = MEDIA["Be"]
    p0 = 0.15 * GeV  # T = 66 MeV: a range of ~15 cm of Be
    paths = np.array([50.0, 100.0, 250.0, 400.0]) * mm
    got = momentum_after(np.full(4, p0), m_pi, paths, be)
    exact = np.array([_integrated(p0, m_pi, s, be, n=4000) for s in paths])
    assert np.all((got > 0) == (exact > 0))
    assert exact[-1] == 0.0 and got[-1] == 0.0
    assert got[0] == pytest.approx(exact[0], rel=1e-4)


def test_momentum_loss_rate_is_dedx_over_beta() -> None:
    p = np.array([0.2, 1.0, 5.0]) * GeV
    e = np.hypot(p, m_pi)
    rate = momentum_loss_rate(p, m_pi, ALUMINIUM)
    # dp/ds from the energy loss over a short step, by finite difference
    ds = 1e-3 * mm
    p_after = momentum_after(p, m_pi, np.full(3, ds), ALUMINIUM)
    np.testing.assert_allclose((p - p_after) / ds, rate, rtol=1e-4)
    assert np.all(rate * p / e > ALUMINIUM.dedx(e - m_pi, m_pi) * 0.999)  # dE/dx / beta > dE/dx


@pytest.mark.parametrize("mass", [m_pi, m_K])
def test_momentum_after_walls_is_the_integrated_loss(mass: float) -> None:
    # second method: momentum_after's midpoint integration of Bethe along the path
    p = np.array([0.15, 0.3, 1.0, 3.0]) * GeV
    reach, _ = wall_loss(p, mass, ALUMINIUM)
    for share in (0.05, 0.3, 0.7, 0.95):
        exact = momentum_after(p, mass, share * reach, ALUMINIUM, steps=400)
        got = momentum_after_walls(p, share * reach, reach, mass, ALUMINIUM)
        np.testing.assert_allclose(got, exact, rtol=2e-3 if share < 0.9 else 2e-2)
    # the range is where the integration ranges out
    assert np.all(momentum_after(p, mass, 1.001 * reach, ALUMINIUM, steps=400) == 0.0)
    assert np.all(momentum_after(p, mass, 0.99 * reach, ALUMINIUM, steps=400) > 0.0)
    assert np.all(momentum_after_walls(p, 1.001 * reach, reach, mass, ALUMINIUM) == 0.0)
    # no loss: infinite range
    np.testing.assert_array_equal(
        momentum_after_walls(p, 10.0, np.full(4, np.inf), mass, ALUMINIUM), p
    )


def test_the_trackers_power_law_follows_the_loss() -> None:
    # p (1 - w / R)^g: the Bethe slope at w = 0, zero at the range; its loss within 5 % of the
    # exact one up to a third of the range, up to 15 % high near its end (module docstring)
    p = np.array([0.15, 0.2, 0.3, 0.5, 1.0, 3.0]) * GeV
    reach, expo = wall_loss(p, m_pi, ALUMINIUM)
    for share, tolerance in ((0.01, 0.01), (0.3, 0.05), (0.9, 0.15)):
        w = share * reach
        exact = momentum_after_walls(p, w, reach, m_pi, ALUMINIUM)
        power = p * (1.0 - share) ** expo
        assert np.all(np.abs((p - power) / (p - exact) - 1.0) < tolerance), share
    np.testing.assert_allclose(horn.momentum_left(0.5 * reach, reach, expo), 0.5**expo, rtol=1e-14)


def test_unknown_target_material_is_refused_unless_given() -> None:
    with pytest.raises(EnergyLossError, match="mean_excitation_eV"):
        Medium.element("W", 74, 183.84 * g / mole, 19.3 * g / cm**3)
    given = Medium.element("W", 74, 183.84 * g / mole, 19.3 * g / cm**3, 727.0e-6 * MeV)
    assert given.mean_excitation == pytest.approx(727.0e-6 * MeV)


def test_facility_key_mean_excitation() -> None:
    table = tomllib.loads(data_file("facilities", "bnb.toml").read_text())
    table["target"]["mean_excitation_eV"] = 70.0
    assert facility_from_mapping(table).target.mean_excitation == pytest.approx(70.0e-6 * MeV)
    table["target"]["mean_excitation_eV"] = -1.0
    with pytest.raises(FacilityConfigError, match="mean_excitation_eV"):
        facility_from_mapping(table)
    assert load_facility("bnb").target.mean_excitation is None


def _rays_through_the_neck(n: int) -> tuple[np.ndarray, ...]:
    """Fast mesons from the BNB target axis at 80-150 mrad: they leave the bore through the
    inner conductor's wall at the neck (r = 19-22 mm) into the field."""
    rng = np.random.default_rng(3)
    theta = rng.uniform(0.08, 0.15, n)
    phi = rng.uniform(0.0, 2.0 * np.pi, n)
    u = np.column_stack((np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta)))
    pos = np.column_stack((np.zeros(n), np.zeros(n), np.full(n, 300.0 * mm)))
    p = rng.uniform(3.0, 8.0, n) * GeV
    return pos, u, p, np.ones(n)


def test_the_field_bends_with_the_momentum_after_the_wall() -> None:
    # second method: without loss, starting with the momentum the meson has after the wall;
    # stopped at r ~ 40 mm in the field, before the field can turn any back into the wall
    # (a 1 GeV/c pion at 80 mrad is turned back within ~20 cm and crosses it again); no
    # field inside the wall, where the momentum changes
    nominal = load_facility("bnb").horn_system()
    system = replace(nominal, horns=tuple(replace(h, skin_depth=0.0) for h in nominal.horns))
    pos, u, p, q = _rays_through_the_neck(400)
    sin_t = np.hypot(u[:, 0], u[:, 1])
    stop = 40.0 * mm / sin_t
    reach, expo = wall_loss(p, m_pi, ALUMINIUM)
    walls = {"wall_range": reach, "wall_exponent": expo}
    with_loss = horn.track(pos, u, p, q, system, s_stop=stop, **walls)
    crossed = (with_loss.wall_path > 0) & (with_loss.status == TrackStatus.STOPPED)
    assert np.count_nonzero(crossed) == len(p)
    p_after = p * horn.momentum_left(with_loss.wall_path, reach, expo)
    plain = horn.track(pos, u, p_after, q, system, s_stop=stop)
    np.testing.assert_allclose(plain.direction[crossed], with_loss.direction[crossed], atol=1e-9)
    np.testing.assert_allclose(plain.position[crossed], with_loss.position[crossed], atol=1e-6)
    # a loss-free track with the momentum at the start bends less
    start = horn.track(pos, u, p, q, system, s_stop=stop)
    bend = np.hypot(*(with_loss.direction - u)[crossed, :2].T)
    bend_start = np.hypot(*(start.direction - u)[crossed, :2].T)
    assert np.all(bend >= bend_start)
    # the wall path is the 3 mm wall at the ray's slant, to the steps' resolution (1 mm)
    np.testing.assert_allclose(with_loss.wall_path, 3.0 * mm / sin_t, atol=1.0 * mm)


def test_compiled_tracker_with_loss_equals_numpy_tracker() -> None:
    system = load_facility("bnb").horn_system()
    pos, u, p, q = _rays_through_the_neck(400)
    reach, expo = wall_loss(p, m_pi, ALUMINIUM)
    reach[:50] = 2.0 * mm  # these range out in the wall
    walls = {"wall_range": reach, "wall_exponent": expo}
    ref = horn.track(pos, u, p, q, system, **walls)
    got = horn_kernel.track(pos, u, p, q, system, **walls)
    # the same operations and maths library: bit for bit (the skin-depth field included)
    for name in ("status", "position", "direction", "path_length", "wall_path"):
        np.testing.assert_array_equal(getattr(got, name), getattr(ref, name), err_msg=name)
    assert np.all(ref.status[:50] == TrackStatus.RANGED_OUT)
    assert np.all(ref.wall_path[:50] <= 2.0 * mm + 1.0 * mm)
    # resuming from checkpoints carries the momentum lost up to them
    stop = 0.6 * ref.path_length
    first = horn_kernel.track(pos, u, p, q, system, record=True, **walls)
    again = horn_kernel.track(pos, u, p, q, system, s_stop=stop, resume=first.checkpoints, **walls)
    direct = horn_kernel.track(pos, u, p, q, system, s_stop=stop, **walls)
    np.testing.assert_array_equal(again.position, direct.position)
    np.testing.assert_array_equal(again.direction, direct.direction)


def test_no_loss_is_the_tracker_without_it() -> None:
    system = load_facility("bnb").horn_system()
    pos, u, p, q = _rays_through_the_neck(200)
    a = horn_kernel.track(pos, u, p, q, system)
    n = len(p)
    b = horn_kernel.track(
        pos, u, p, q, system, wall_range=np.full(n, np.inf), wall_exponent=np.zeros(n)
    )
    np.testing.assert_array_equal(a.position, b.position)
    with pytest.raises(ValueError, match="wall_range"):
        horn.track(pos, u, p, q, system, wall_range=-np.ones(n), wall_exponent=np.zeros(n))
    with pytest.raises(ValueError, match="together"):
        horn.track(pos, u, p, q, system, wall_range=np.ones(n))


def test_beam_sample_mesons_lose_at_least_the_target_loss() -> None:
    config = BeamlineConfig()
    sample = simulate(3000, 5, config=config)
    target = config.facility.target
    be = Medium.element("Be", 4, target.molar_mass, target.density)
    for species, mass in (("pi+", m_pi), ("K+", m_K)):
        made, decayed = sample.produced[species], sample.parents[species]
        live = decayed.weight > 0
        p0 = np.linalg.norm(made.p4[live, 1:], axis=1)
        p1 = np.linalg.norm(decayed.p4[live, 1:], axis=1)
        u0 = made.p4[live, 1:] / p0[:, None]
        l_t = target.material_path(made.vertex[live], u0)  # rod, sleeve and fins
        after_target = momentum_after(p0, mass, l_t, be)
        # the walls only take more
        assert np.all(p1 <= after_target * (1 + 1e-12))
        assert np.mean(p0 - p1) > 5.0 * MeV
    off = simulate(3000, 5, config=replace(config, meson_energy_loss=False))
    p_made = np.linalg.norm(off.produced["pi+"].p4[:, 1:], axis=1)
    p_dec = np.linalg.norm(off.parents["pi+"].p4[:, 1:], axis=1)
    np.testing.assert_allclose(p_dec, p_made, rtol=1e-12)
