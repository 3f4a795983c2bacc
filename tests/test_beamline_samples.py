"""Tests of the beamline sample schema and readers/writers (HDF5, CSV, ROOT)."""

from __future__ import annotations

import numpy as np
import pytest

from muphilic.beamline import (
    SampleFormatError,
    read_muons_csv,
    read_parents_csv,
    read_root,
    read_sample,
    simulate,
    write_sample,
)
from muphilic.constants import GeV, cm


@pytest.fixture(scope="module")
def sample():
    return simulate(300, 11)


def test_hdf5_round_trip_is_exact(sample, tmp_path):
    path = write_sample(sample, tmp_path / "beam.h5")
    back = read_sample(path)
    assert back.pot == sample.pot
    assert back.produced_per_pot == sample.produced_per_pot
    for name, p in sample.parents.items():
        # GeV/cm on disk: exact up to the unit conversion's rounding
        assert np.allclose(back.parents[name].p4, p.p4, rtol=1e-14, atol=0)
        assert np.allclose(back.parents[name].vertex, p.vertex, rtol=1e-14, atol=1e-12)
        assert np.array_equal(back.parents[name].weight, p.weight)
    assert np.array_equal(back.muons.charge, sample.muons.charge)
    assert np.array_equal(back.muons.weight, sample.muons.weight)
    assert back.muons_produced_per_pot == sample.muons_produced_per_pot


def _write_csv(path, header, rows):
    lines = [",".join(header)] + [",".join(str(v) for v in r) for r in rows]
    path.write_text("\n".join(lines) + "\n")


def test_parents_csv_reads_units_and_groups_species(tmp_path):
    header = ["pdg", "E", "px", "py", "pz", "x", "y", "z", "weight"]
    rows = [
        [211, 1.0, 0.0, 0.01, 0.99, 0.1, 0.2, 1000.0, 1e-3],
        [321, 2.0, 0.0, 0.0, 1.9, 0.0, 0.0, 500.0, 2e-4],
    ]
    path = tmp_path / "p.csv"
    _write_csv(path, header, rows)
    parents = read_parents_csv(path)
    assert set(parents) == {"pi+", "K+"}
    assert parents["pi+"].p4[0, 0] == pytest.approx(1.0 * GeV)
    assert parents["K+"].vertex[0, 2] == pytest.approx(500.0 * cm)
    # unweighted file: pot gives each row 1/pot
    _write_csv(path, header[:-1], [r[:-1] for r in rows])
    with pytest.raises(SampleFormatError, match="'weight'"):
        read_parents_csv(path)
    assert read_parents_csv(path, pot=1000)["pi+"].weight[0] == pytest.approx(1e-3)


@pytest.mark.parametrize(
    ("header", "row", "column"),
    [
        (["pdg", "E", "px", "py", "x", "y", "z", "weight"], [211, 1, 0, 0, 0, 0, 0, 1], "pz"),
        (
            ["pdg", "E", "px", "py", "pz", "x", "y", "z", "weight"],
            [211, "a", 0, 0, 1, 0, 0, 0, 1],
            "E",
        ),
        (
            ["pdg", "E", "px", "py", "pz", "x", "y", "z", "weight"],
            [999, 1, 0, 0, 1, 0, 0, 0, 1],
            "pdg",
        ),
        (
            ["pdg", "E", "px", "py", "pz", "x", "y", "z", "weight"],
            [211, 1, 0, 0, 1, 0, 0, 0, -1],
            "weight",
        ),
    ],
)
def test_bad_or_missing_columns_are_named(tmp_path, header, row, column):
    path = tmp_path / "bad.csv"
    _write_csv(path, header, [row])
    with pytest.raises(SampleFormatError, match=f"'{column}'"):
        read_parents_csv(path)


def test_muon_csv_charge_must_be_unit(tmp_path):
    header = ["E", "px", "py", "pz", "x", "y", "z", "weight", "charge"]
    path = tmp_path / "mu.csv"
    _write_csv(path, header, [[1.0, 0, 0, 0.99, 0, 0, 4968, 1e-3, 1]])
    assert len(read_muons_csv(path)) == 1
    _write_csv(path, header, [[1.0, 0, 0, 0.99, 0, 0, 4968, 1e-3, 2]])
    with pytest.raises(SampleFormatError, match="'charge'"):
        read_muons_csv(path)


def test_hdf5_without_pot_is_rejected(tmp_path):
    import h5py

    path = tmp_path / "nopot.h5"
    with h5py.File(path, "w") as f:
        f.create_group("parents")
    with pytest.raises(SampleFormatError, match="'pot'"):
        read_sample(path)


def test_root_tree_round_trip_and_missing_branch(tmp_path):
    uproot = pytest.importorskip("uproot")
    path = tmp_path / "beam.root"
    data = {
        "pdg": np.array([211, -211], dtype=np.int32),
        "E": np.array([1.0, 2.0]),
        "px": np.zeros(2),
        "py": np.zeros(2),
        "pz": np.array([0.99, 1.99]),
        "x": np.zeros(2),
        "y": np.zeros(2),
        "z": np.array([100.0, 2000.0]),
        "weight": np.array([1e-3, 2e-3]),
    }
    with uproot.recreate(path) as f:
        f["parents"] = data
        f["broken"] = {k: v for k, v in data.items() if k != "px"}
    parents = read_root(path, tree="parents")
    assert parents["pi-"].weight[0] == pytest.approx(2e-3)
    assert parents["pi-"].vertex[0, 2] == pytest.approx(2000.0 * cm)
    with pytest.raises(SampleFormatError, match="'px'"):
        read_root(path, tree="broken")
