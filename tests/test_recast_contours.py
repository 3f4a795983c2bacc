"""Tests of muphilic.recast.contours: sub-cell contours and the g-2 band range."""

from __future__ import annotations

import numpy as np
import pytest

from muphilic.g2 import G2_2023
from muphilic.recast.contours import (
    band_excluded_intervals,
    band_excluded_range,
    exclusion_contour,
    exclusion_regions,
)
from muphilic.recast.scan import ScanResult

CL = 5.0


def _scan(masses, couplings, z, name="toy") -> ScanResult:
    return ScanResult(
        experiment=name,
        masses=masses,
        couplings=couplings,
        statistic="synthetic",
        values=z,
        significance=z,
        cl_sigma=CL,
        excluded=z >= CL,
    )


def _power_law_scan(c: float, k: float, mass_window=None, name="toy") -> ScanResult:
    """Z = CL (u^2 + u^6) / 2 with u = y / (c m^k): excluded exactly where y > c m^k."""
    masses = np.geomspace(1.0, 200.0, 40)
    couplings = np.geomspace(1e-6, 1e-1, 60)
    u = couplings[None, :] / (c * masses[:, None] ** k)
    z = CL * 0.5 * (u**2 + u**6)
    if mass_window is not None:
        outside = (masses < mass_window[0]) | (masses > mass_window[1])
        z[outside, :] = 0.0
    return _scan(masses, couplings, z, name)


def test_contour_recovers_power_law_to_sub_cell_precision() -> None:
    c, k = 1e-5, 0.8
    scan = _power_law_scan(c, k)
    contour = exclusion_contour(scan)
    assert len(contour.segments) == 1
    seg = contour.segments[0]
    cell = np.log10(scan.couplings[1] / scan.couplings[0])  # 0.085 decades
    err = np.log10(seg[:, 1]) - np.log10(c * seg[:, 0] ** k)
    # Linear interpolation of ln Z = ln((u^2 + u^6)/2) + const misplaces the level by
    # at most f'' h^2 / (8 f') = 4 h^2 / 32 in ln u (h = cell in ln y): 2.5 % of a cell.
    assert np.max(np.abs(err)) < 0.03 * cell
    # The polyline spans the whole mass range of the grid.
    assert seg[:, 0].min() == pytest.approx(1.0, rel=1e-9)
    assert seg[:, 0].max() == pytest.approx(200.0, rel=1e-9)


def test_contour_of_an_island_is_closed_and_filled() -> None:
    masses = np.geomspace(1.0, 200.0, 50)
    couplings = np.geomspace(1e-7, 1e-1, 80)
    lm, ly = np.meshgrid(np.log10(masses), np.log10(couplings), indexing="ij")
    # Excluded inside the ellipse r < 1 around (log m, log y) = (1.3, -4).
    r2 = ((lm - 1.3) / 0.5) ** 2 + ((ly + 4.0) / 1.5) ** 2
    z = CL * np.exp(2.0 * (1.0 - r2))
    contour = exclusion_contour(_scan(masses, couplings, z))
    assert len(contour.segments) == 1
    seg = contour.segments[0]
    np.testing.assert_allclose(seg[0], seg[-1])  # closed
    r = np.sqrt(((np.log10(seg[:, 0]) - 1.3) / 0.5) ** 2 + ((np.log10(seg[:, 1]) + 4) / 1.5) ** 2)
    # ln Z is quadratic in the coordinates; in a cell of 0.047 x 0.076 decades its linear
    # interpolation leaves the radius wrong by well under 1 %.
    np.testing.assert_allclose(r, 1.0, atol=0.01)
    regions = exclusion_regions(_scan(masses, couplings, z))
    assert len(regions) == 1


# Bilinear interpolation of ln Z = f(ln u) misplaces the level by up to
# (h_m^2 + h_y^2) f'' / (8 f') = (0.136^2 + 0.195^2) 4 / 32 = 0.7 % in mass (cells of
# 0.136 in ln m and 0.195 in ln y), plus the 0.27 % steps of the 2000 sampled masses.
_BAND_TOLERANCE = 0.01


def test_band_excluded_range_analytic() -> None:
    # Boundary y = c m; a constant band [L, H] is entirely excluded where c m <= L,
    # i.e. for m <= L / c = 50 MeV, from the lower edge of the grid (1 MeV).
    c = 2e-5
    scan = _power_law_scan(c, 1.0)
    band = lambda m: (np.full_like(m, 1e-3), np.full_like(m, 2e-3))  # noqa: E731
    low, high = band_excluded_range(scan, band)
    assert low == pytest.approx(1.0, rel=1e-9)
    assert high == pytest.approx(50.0, rel=_BAND_TOLERANCE)


def test_band_excluded_range_union_and_none() -> None:
    c = 2e-5
    band = lambda m: (np.full_like(m, 1e-3), np.full_like(m, 2e-3))  # noqa: E731
    a = _power_law_scan(c, 1.0, mass_window=(1.0, 20.0), name="A")
    b = _power_law_scan(c, 1.0, mass_window=(12.0, 200.0), name="B")
    # Each alone covers part of the band; their union covers 1-50 MeV.
    high_a = band_excluded_range(a, band)[1]
    low_b = band_excluded_range(b, band)[0]
    assert high_a < 25.0
    assert low_b > 10.0
    low, high = band_excluded_range([a, b], band)
    assert low == pytest.approx(1.0, rel=1e-9)
    assert high == pytest.approx(50.0, rel=_BAND_TOLERANCE)
    # A band below the excluded region everywhere: nothing.
    assert band_excluded_range(a, lambda m: (np.full_like(m, 1e-6), np.full_like(m, 2e-6))) is None
    # A band reaching y = 0 can never be excluded entirely.
    assert band_excluded_intervals(a, lambda m: (np.zeros_like(m), np.full_like(m, 0.05))) == []


def test_g2_band_accepts_the_package_band_function() -> None:
    # The g-2 favoured band (2023) lies at y ~ 3-5e-4 below ~100 MeV; a scan excluding
    # y > 1e-4 everywhere excludes the whole band over the whole grid.
    scan = _power_law_scan(1e-4, 0.0)
    low, high = band_excluded_range(scan, G2_2023.favoured_band)
    assert (low, high) == pytest.approx((1.0, 200.0), rel=1e-9)
