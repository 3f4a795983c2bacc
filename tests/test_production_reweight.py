"""The pi+ production reweighting to a measured table (muphilic.beamline.production.reweight).

No HARP table ships with the package, so the tables here are made from the Sanford-Wang form
itself on a synthetic grid: a spline through a smooth function must give it back at the knots
exactly and between them to the spline's interpolation accuracy, which fixes the weights
without any external number.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.interpolate import CubicSpline

from muphilic.beamline import BeamlineConfig, simulate
from muphilic.beamline.production.bnb_fits import production_model
from muphilic.beamline.production.reweight import (
    SANFORD_WANG_KNOTS,
    PionReweight,
    ProductionTableError,
    pi_plus_reweight,
)
from muphilic.config import ConfigError
from muphilic.config.inputs import check_inputs
from muphilic.config.reading import config_from_dict
from muphilic.constants import GeV

P_BEAM = 8.89 * GeV
P_EDGES = np.array([0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.5])  # GeV/c, synthetic
T_EDGES = np.array([0.03, 0.06, 0.09, 0.12, 0.15, 0.18, 0.21])  # rad, synthetic


def sw(p_gev, theta):
    return production_model().forms["pi+"](np.asarray(p_gev), np.asarray(theta), P_BEAM / GeV)


def write_table(path, scale=1.0, values=None, p_edges=P_EDGES, t_edges=T_EDGES):
    pc, tc = 0.5 * (p_edges[1:] + p_edges[:-1]), 0.5 * (t_edges[1:] + t_edges[:-1])
    rows = [
        "# synthetic: Sanford-Wang at the bin centres",
        ",".join(
            ["p_lo_GeV", "p_hi_GeV", "theta_lo_rad", "theta_hi_rad", "xsec_mb_per_GeV_sr", "err"]
        ),
    ]
    for i in range(len(pc)):
        for j in range(len(tc)):
            v = scale * float(sw(pc[i], tc[j])) if values is None else values
            rows.append(f"{p_edges[i]},{p_edges[i + 1]},{t_edges[j]},{t_edges[j + 1]},{v},0.1")
    path.write_text("\n".join(rows) + "\n")
    return path


@pytest.fixture
def table(tmp_path):
    return PionReweight.from_csv(write_table(tmp_path / "sw.csv"))


def test_weight_is_one_at_the_knots(table):
    pp, tt = np.meshgrid(table.p_centres, table.theta_centres, indexing="ij")
    w = table.weight(pp.ravel() * GeV, tt.ravel(), P_BEAM)
    np.testing.assert_allclose(w, 1.0, rtol=1e-10)


def _interior_error(table, n=4000):
    """|weight - 1| at random points between the second and the second-to-last knots."""
    rng = np.random.default_rng(1)
    p = rng.uniform(table.p_centres[1], table.p_centres[-2], n)
    t = rng.uniform(table.theta_centres[1], table.theta_centres[-2], n)
    return np.abs(table.weight(p * GeV, t, P_BEAM) - 1.0)


def test_weight_between_knots_is_the_spline_accuracy(tmp_path, table):
    """Inside the grid the spline of the smooth Sanford-Wang form is within 3 % of it, and the
    error falls like a cubic spline's (h^4 in the interior): halving the bins cuts its median
    by more than 8."""
    coarse = _interior_error(table)
    assert np.max(coarse) < 0.03
    p_fine = np.sort(np.concatenate([P_EDGES, 0.5 * (P_EDGES[1:] + P_EDGES[:-1])]))
    t_fine = np.sort(np.concatenate([T_EDGES, 0.5 * (T_EDGES[1:] + T_EDGES[:-1])]))
    fine = PionReweight.from_csv(write_table(tmp_path / "fine.csv", p_edges=p_fine, t_edges=t_fine))
    assert np.median(_interior_error(fine)) < np.median(coarse) / 8.0


def test_two_stage_spline_against_a_loop_per_point(table):
    """The cardinal-basis evaluation equals building the angle spline point by point."""
    p = np.array([0.9, 1.7, 3.3, 6.0, 0.4, 7.5])
    t = np.array([0.05, 0.11, 0.02, 0.19, 0.15, 0.07])
    fast = table.spline(p * GeV, t)
    for k in range(len(p)):
        at_p = [
            CubicSpline(table.p_centres, table.values[:, j], bc_type="natural")(p[k])
            for j in range(len(table.theta_centres))
        ]
        slow = CubicSpline(table.theta_centres, at_p, bc_type="natural")(t[k])
        assert fast[k] == pytest.approx(float(slow), rel=1e-12, abs=1e-12)


def test_angle_clamp_cap_and_zero(tmp_path, table):
    p = np.array([1.0, 2.0, 4.0]) * GeV
    np.testing.assert_allclose(
        table.weight(p, np.full(3, 0.40), P_BEAM), table.weight(p, np.full(3, 0.195), P_BEAM)
    )
    huge = PionReweight.from_csv(write_table(tmp_path / "huge.csv", values=1e6))
    np.testing.assert_allclose(huge.weight(p, np.full(3, 0.1), P_BEAM), 30.0)
    zero = PionReweight.from_csv(write_table(tmp_path / "zero.csv", values=0.0))
    np.testing.assert_allclose(zero.weight(p, np.full(3, 0.1), P_BEAM), 0.0)
    # past the last knot the spline of the steep form turns negative: weight 1 there
    assert table.spline(np.array([6.45 * GeV]), np.array([0.09]))[0] < 0.0
    assert table.weight(np.array([6.45 * GeV]), np.array([0.09]), P_BEAM)[0] == 1.0


def test_reweighted_beam_carries_each_rows_weight(tmp_path):
    """The same seed draws the same rows: every pi+ decay of the reweighted beam has the
    weight of the plain beam times the table weight of its production momentum and angle
    (here the angle to the beam axis, not to the proton, which the beam's 0.4-0.7 mrad
    divergence tilts: the weight moves by up to 2 % at the smallest angles, 0.1 % typically),
    and nothing else changes; the yield factor (quadrature) agrees with the sample's."""
    scaled = PionReweight.from_csv(write_table(tmp_path / "x1.2.csv", scale=1.2))
    # without re-scattering the proton direction is the beam's to < 2 mrad
    base = simulate(1500, 5, config=BeamlineConfig(proton_rescattering=False))
    rew = simulate(
        1500, 5, config=BeamlineConfig(proton_rescattering=False, pi_plus_reweight=scaled)
    )
    prod = base.produced["pi+"]
    p = np.linalg.norm(prod.p4[:, 1:], axis=1)
    theta = np.arccos(np.clip(prod.p4[:, 3] / p, -1.0, 1.0))
    w = scaled.weight(p, theta, P_BEAM)
    live = base.parents["pi+"].weight > 0.0
    assert np.all(rew.parents["pi+"].weight[~live] == 0.0)
    dev = rew.parents["pi+"].weight[live] / (base.parents["pi+"].weight * w)[live] - 1.0
    assert np.median(np.abs(dev)) < 1e-3
    assert np.max(np.abs(dev)) < 0.02
    np.testing.assert_array_equal(rew.parents["pi+"].vertex, base.parents["pi+"].vertex)
    np.testing.assert_array_equal(rew.parents["K+"].weight, base.parents["K+"].weight)
    mc = np.sum(rew.produced["pi+"].weight) / np.sum(prod.weight)
    err = np.std(w) / np.sqrt(len(w)) / np.mean(w)
    assert mc == pytest.approx(scaled.mean_weight(P_BEAM), rel=4 * err + 0.01)
    yields = rew.produced_per_pot["pi+"] / base.produced_per_pot["pi+"]
    assert yields == pytest.approx(scaled.mean_weight(P_BEAM), rel=1e-3)  # 8.889 GeV/c


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("p_lo_GeV,p_hi_GeV,theta_lo_rad,xsec_mb_per_GeV_sr\n1,2,0,5\n", "lacks the column"),
        (
            "p_lo_GeV,p_hi_GeV,theta_lo_rad,theta_hi_rad,xsec_mb_per_GeV_sr\n1,2,0,0.1,5\n",
            "not a full grid",
        ),
        (
            "p_lo_GeV,p_hi_GeV,theta_lo_rad,theta_hi_rad,xsec_mb_per_GeV_sr\n1,2,0,0.1,x\n",
            "data line 2",
        ),
        (
            "p_lo_GeV,p_hi_GeV,theta_lo_rad,theta_hi_rad,xsec_mb_per_GeV_sr\n1,2,0,0.1,-1\n",
            "negative",
        ),
    ],
)
def test_bad_tables_are_refused(tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(ProductionTableError, match=message):
        PionReweight.from_csv(path)


def test_config_names_the_field(tmp_path):
    run = config_from_dict({"beam": {"pi_plus_table": str(tmp_path / "missing.csv")}})
    with pytest.raises(ConfigError, match=r"beam\.pi_plus_table: production table"):
        check_inputs(run)


def test_cache_identity_holds_the_table_digest(table):
    assert table.sha256 in repr(BeamlineConfig(pi_plus_reweight=table))


def test_grid_and_file_give_the_same_weights(tmp_path, table):
    pc, tc = 0.5 * (P_EDGES[1:] + P_EDGES[:-1]), 0.5 * (T_EDGES[1:] + T_EDGES[:-1])
    grid = PionReweight.from_grid(P_EDGES, T_EDGES, sw(pc[:, None], tc[None, :]))
    p = np.array([0.3, 1.1, 2.7, 5.2]) * GeV
    t = np.array([0.01, 0.08, 0.16, 0.4])
    np.testing.assert_allclose(grid.weight(p, t, P_BEAM), table.weight(p, t, P_BEAM), rtol=1e-12)
    with pytest.raises(ProductionTableError, match="shape"):
        PionReweight.from_grid(P_EDGES, T_EDGES, np.ones((3, 3)))


def test_sanford_wang_knots_change_only_the_extrapolation():
    """The fit at the knots: weight 1 inside the HARP coverage (spline accuracy), the
    official scheme's extrapolation outside it (up to the cap below 0.75 GeV/c)."""
    knots = pi_plus_reweight(SANFORD_WANG_KNOTS, P_BEAM)
    assert np.max(_interior_error(knots)) < 0.04  # 0.44 GeV/c bins
    slow = knots.weight(np.array([0.1, 0.3, 0.5]) * GeV, np.full(3, 0.1), P_BEAM)
    assert np.all(np.diff(slow) < 0) and slow[-1] > 1.1
    assert pi_plus_reweight("", P_BEAM) is None
