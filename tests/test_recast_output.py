"""Tests of muphilic.recast.output (writers round-trip) and muphilic.recast.plot."""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml

from muphilic.recast.contours import ExclusionContour
from muphilic.recast.output import (
    OutputError,
    read_contour_csv,
    read_contours_json,
    read_hepdata_yaml,
    write_contour_csv,
    write_contours_json,
    write_hepdata_yaml,
)
from muphilic.recast.plot import plot_reach
from muphilic.recast.scan import ScanResult
from muphilic.recast.spectra import MODELLED_LABEL


def _contours() -> list[ExclusionContour]:
    rng = np.random.default_rng(2)
    a = ExclusionContour(
        experiment="MiniBooNE",
        cl_sigma=5.0,
        statistic="chi2_covariance",
        segments=(
            rng.uniform(1, 200, (17, 2)) * [1, 1e-5],
            rng.uniform(1, 200, (5, 2)) * [1, 1e-4],
        ),
    )
    b = ExclusionContour(
        experiment="SBND",
        cl_sigma=2.0,
        statistic="chi2_poisson",
        segments=(rng.uniform(1, 200, (9, 2)) * [1, 1e-3] + np.pi * 1e-17,),
        label=MODELLED_LABEL,
        kind="projection",
    )
    return [a, b]


def _assert_same(got: ExclusionContour, want: ExclusionContour) -> None:
    assert (got.experiment, got.cl_sigma, got.statistic, got.label, got.kind) == (
        want.experiment,
        want.cl_sigma,
        want.statistic,
        want.label,
        want.kind,
    )
    assert len(got.segments) == len(want.segments)
    for g, w in zip(got.segments, want.segments, strict=True):
        np.testing.assert_array_equal(g, w)  # bit for bit: 17 significant digits


def test_csv_round_trip(tmp_path) -> None:
    for c in _contours():
        path = write_contour_csv(c, tmp_path / f"{c.experiment}.csv")
        _assert_same(read_contour_csv(path), c)


def test_json_round_trip_with_extra_keys(tmp_path) -> None:
    contours = _contours()
    extra = {"g2_band_excluded_MeV": {"MiniBooNE": [24.5, 61.25], "SBND": None}}
    path = write_contours_json(contours, tmp_path / "reach.json", extra=extra)
    got, got_extra = read_contours_json(path)
    for g, w in zip(got, contours, strict=True):
        _assert_same(g, w)
    assert got_extra == extra
    assert json.loads(path.read_text())["units"] == {"m_S": "MeV", "y": "dimensionless"}


def test_hepdata_yaml_round_trip_and_structure(tmp_path) -> None:
    contours = _contours()
    path = write_hepdata_yaml(contours, tmp_path / "reach.yaml")
    tables = list(yaml.safe_load_all(path.read_text()))
    assert len(tables) == 3  # one table per polyline
    for table in tables:
        assert table["independent_variables"][0]["header"] == {"name": "m_S", "units": "MeV"}
        assert len(table["independent_variables"][0]["values"]) == len(
            table["dependent_variables"][0]["values"]
        )
    got = read_hepdata_yaml(path)
    for g, w in zip(got, contours, strict=True):
        _assert_same(g, w)


def test_readers_name_missing_fields(tmp_path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("# experiment: X\n# cl_sigma: 5\n# statistic: s\nsegment,m_S_MeV\n0,1\n")
    with pytest.raises(OutputError, match="missing column 'y'"):
        read_contour_csv(bad)
    bad_json = tmp_path / "bad.json"
    bad_json.write_text(json.dumps({"contours": [{"experiment": "X", "segments": []}]}))
    with pytest.raises(OutputError, match="missing field 'cl_sigma'"):
        read_contours_json(bad_json)


def test_plot_writes_png_and_pdf(tmp_path) -> None:
    masses = np.geomspace(1.0, 200.0, 30)
    couplings = np.geomspace(1e-7, 1e-1, 40)
    lm, ly = np.meshgrid(np.log10(masses), np.log10(couplings), indexing="ij")
    z = 5.0 * np.exp(2.0 * (1.0 - ((lm - 1.3) / 0.5) ** 2 - ((ly + 3.5) / 1.0) ** 2))

    def result(name: str, cl: float, label: str = "", kind: str = "exclusion") -> ScanResult:
        return ScanResult(name, masses, couplings, "synthetic", z, z, cl, z >= cl, label, kind)

    paths = plot_reach(
        [
            result("MiniBooNE", 5.0),
            result("MicroBooNE", 6.0, MODELLED_LABEL, "expected"),
            result("SBND", 2.0, MODELLED_LABEL, "projection"),
        ],
        out=tmp_path / "reach",
        footnote="statistic: synthetic",
    )
    assert [p.suffix for p in paths] == [".png", ".pdf"]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert paths[1].read_bytes()[:5] == b"%PDF-"


def test_every_detector_gets_its_own_colour() -> None:
    from muphilic.recast.plot import EXPERIMENT_COLOURS, _colours

    masses, couplings = np.geomspace(1.0, 200.0, 3), np.geomspace(1e-7, 1e-1, 4)
    z = np.zeros((3, 4))
    names = ["MiniBooNE", "MicroBooNE", "SBND", "ICARUS (NuMI)", "MicroBooNE (NuMI)", "MINERvA"]
    names += ["NOvA ND", "T2K ND280", "DUNE ND-LAr", "NOvA ND discovery"]
    scans = [ScanResult(n, masses, couplings, "synthetic", z, z, 5.0, z > 1) for n in names]
    colours = _colours(scans)
    assert colours[:3] == [EXPERIMENT_COLOURS[n] for n in names[:3]]
    assert len(set(colours[:-1])) == len(names) - 1  # nine detectors, nine colours
    assert colours[-1] == colours[names.index("NOvA ND")]  # a discovery curve shares its colour
