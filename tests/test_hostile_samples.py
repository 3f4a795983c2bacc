"""Hostile beam-sample files: every row of a valid file is read, every bad file is refused.

Readers (HDF5, CSV, ROOT) either return every row of a valid file, grouped by
species, or raise :class:`SampleFormatError` naming the file (and the table, row
and column when there is one). The HDF5 writer leaves no partial file behind.
Masses are PDG 2022 values typed in here, independent of the package's tables.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from pathlib import Path

import h5py
import numpy as np
import pytest

from muphilic.beamline import (
    BeamSample,
    SampleFormatError,
    read_muons_csv,
    read_parents_csv,
    read_root,
    read_sample,
    write_sample,
)
from muphilic.cli import main
from muphilic.constants import GeV, cm
from muphilic.events import MuonSample, ParentSample

uproot = pytest.importorskip("uproot")

#: PDG 2022 masses, GeV.
M_PI, M_K, M_K0L, M_MU = 0.13957039, 0.493677, 0.497611, 0.1056583755
MASS = {211: M_PI, -211: M_PI, 321: M_K, -321: M_K, 130: M_K0L}
PARENT_COLUMNS = ("pdg", "E", "px", "py", "pz", "x", "y", "z", "weight")

Table = dict[str, np.ndarray]


# --- building blocks ------------------------------------------------------------------
def parents(code: int, n: int, seed: int = 0) -> Table:
    """``n`` physical rows of species ``code`` in the on-disk units (GeV, cm)."""
    rng = np.random.default_rng(seed + 1000 * abs(code) + (code < 0))
    p = np.column_stack([rng.normal(0, 0.05, n), rng.normal(0, 0.05, n), rng.uniform(0.3, 4, n)])
    return {
        "pdg": np.full(n, code, dtype=np.int32),
        "E": np.sqrt(np.sum(p**2, axis=1) + MASS[code] ** 2),
        "px": p[:, 0],
        "py": p[:, 1],
        "pz": p[:, 2],
        "x": rng.normal(0, 5, n),
        "y": rng.normal(0, 5, n),
        "z": rng.uniform(10, 5000, n),
        "weight": rng.uniform(1e-6, 1e-3, n),
    }


def muons(n: int, seed: int = 0) -> Table:
    rng = np.random.default_rng(seed)
    pz = rng.uniform(0.2, 3, n)
    return {
        "E": np.sqrt(pz**2 + M_MU**2),
        "px": np.zeros(n),
        "py": np.zeros(n),
        "pz": pz,
        "x": np.zeros(n),
        "y": np.zeros(n),
        "z": np.full(n, 4967.8),
        "weight": rng.uniform(1e-6, 1e-4, n),
        "charge": rng.choice([-1, 1], n).astype(np.int8),
    }


def concat(*tables: Table) -> Table:
    return {k: np.concatenate([t[k] for t in tables]) for k in tables[0]}


def edited(table: Table, row: int, **values: float) -> Table:
    out = {k: v.astype(float) if k != "pdg" else v.copy() for k, v in table.items()}
    for k, v in values.items():
        out[k][row] = v
    return out


def write_h5(
    path: Path,
    parent_groups: dict[str, Table],
    muon_table: Table | None = None,
    produced: dict[str, Table] | None = None,
    pot: int = 300,
) -> Path:
    """A file in the documented layout, written by hand (not by ``write_sample``)."""
    with h5py.File(path, "w") as f:
        f.attrs["pot"] = pot
        for top, groups in (("parents", parent_groups), ("produced", produced)):
            if groups is None:
                continue
            g = f.create_group(top)
            for name, table in groups.items():
                sub = g.create_group(name)
                for col, values in table.items():
                    sub.create_dataset(col, data=values)
        mu = f.create_group("muons")
        for col, values in (muon_table or muons(20)).items():
            mu.create_dataset(col, data=values)
    return path


def write_csv(path: Path, table: Table) -> Path:
    cols = list(table)
    lines = [",".join(cols)] + [
        ",".join(repr(float(table[c][i])) for c in cols) for i in range(len(table[cols[0]]))
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_root(path: Path, trees: dict[str, Table], ttree: bool = False) -> Path:
    with uproot.recreate(path) as f:
        for name, table in trees.items():
            if ttree:
                f.mktree(name, {k: v.dtype for k, v in table.items()})
                f[name].extend(table)
            else:
                f[name] = table
    return path


def sorted_weights(samples: dict[str, ParentSample], name: str) -> np.ndarray:
    return np.sort(samples[name].weight)


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def assert_one_line_error(code: int, err: str, *needles: str) -> str:
    assert code == 2, (code, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("muphilic: error:"), err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


# --- 1. several tables per species: every row is read ------------------------------
def test_hdf5_species_split_over_groups_keeps_every_row(tmp_path):
    a, b, c = parents(211, 120, 1), parents(211, 80, 2), parents(321, 30, 3)
    path = write_h5(tmp_path / "s.h5", {"pi+": a, "pi+ run 2": b, "kaons": c})
    sample = read_sample(path)
    assert len(sample.parents["pi+"]) == 200
    assert np.array_equal(
        sorted_weights(sample.parents, "pi+"), np.sort(np.concatenate([a["weight"], b["weight"]]))
    )
    assert np.array_equal(sample.parents["K+"].weight, c["weight"])


def test_hdf5_one_free_group_with_every_species_is_read_by_content(tmp_path):
    rows = concat(parents(211, 50), parents(-211, 40), parents(321, 20), parents(-321, 10))
    sample = read_sample(write_h5(tmp_path / "s.h5", {"geant4": rows}))
    assert {k: len(v) for k, v in sample.parents.items()} == {
        "pi+": 50,
        "pi-": 40,
        "K+": 20,
        "K-": 10,
    }
    assert sum(np.sum(p.weight) for p in sample.parents.values()) == pytest.approx(
        np.sum(rows["weight"]), rel=1e-14
    )


def test_hdf5_produced_split_over_groups_keeps_every_row(tmp_path):
    a, b = parents(-321, 70, 4), parents(-321, 30, 5)
    path = write_h5(
        tmp_path / "s.h5", {"K-": parents(-321, 5)}, produced={"K-": a, "more kaons": b}
    )
    produced = read_sample(path).produced
    assert len(produced["K-"]) == 100
    assert np.sum(produced["K-"].weight) == pytest.approx(
        np.sum(a["weight"]) + np.sum(b["weight"]), rel=1e-14
    )


@pytest.mark.parametrize(
    ("top", "group", "rows"),
    [
        ("parents", "pi+", parents(-211, 10)),  # a pi+ group holding pi-
        ("parents", "K-", concat(parents(-321, 5), parents(321, 1))),  # one stray K+
        ("produced", "K0L", parents(321, 10)),
    ],
)
def test_hdf5_group_named_after_another_species_is_refused(tmp_path, top, group, rows):
    groups = {"pi-": parents(-211, 5), group: rows}
    path = (
        write_h5(tmp_path / "s.h5", groups)
        if top == "parents"
        else write_h5(tmp_path / "s.h5", {"pi-": parents(-211, 5)}, produced={group: rows})
    )
    with pytest.raises(SampleFormatError, match=f"/{top}/{group}.*'pdg'"):
        read_sample(path)


def test_root_several_trees_are_concatenated_per_species(tmp_path):
    a, b, c = parents(211, 60, 1), parents(211, 40, 2), parents(321, 25, 3)
    path = write_root(tmp_path / "b.root", {"pi+": a, "run2": concat(b, c)})
    out = read_root(path, ["pi+", "run2"])
    assert (len(out["pi+"]), len(out["K+"])) == (100, 25)
    assert np.array_equal(
        sorted_weights(out, "pi+"), np.sort(np.concatenate([a["weight"], b["weight"]]))
    )


def test_root_ttree_and_muon_trees_are_concatenated(tmp_path):
    m1, m2 = muons(15, 1), muons(25, 2)
    path = write_root(tmp_path / "m.root", {"mu1": m1, "mu2": m2}, ttree=True)
    mu = read_root(path, ("mu1", "mu2"), kind="muons")
    assert len(mu) == 40
    assert np.array_equal(mu.weight, np.concatenate([m1["weight"], m2["weight"]]))
    assert np.array_equal(mu.charge, np.concatenate([m1["charge"], m2["charge"]]))


def test_root_tree_named_after_another_species_is_refused(tmp_path):
    path = write_root(tmp_path / "b.root", {"K+": parents(211, 10)})
    with pytest.raises(SampleFormatError, match=r"b\.root:K\+.*'pdg'"):
        read_root(path, "K+")


def test_root_object_that_is_not_a_tree_is_refused(tmp_path):
    with uproot.recreate(tmp_path / "h.root") as f:
        f["parents"] = np.histogram([1.0, 2.0, 3.0])
    with pytest.raises(SampleFormatError, match="not a tree"):
        read_root(tmp_path / "h.root", "parents")


def test_csv_files_are_concatenated_and_a_species_name_must_match(tmp_path):
    a, b = parents(-211, 30, 1), parents(-211, 20, 2)
    files = [write_csv(tmp_path / "pi-.csv", a), write_csv(tmp_path / "more.csv", b)]
    out = read_parents_csv(files)
    assert len(out["pi-"]) == 50
    assert np.array_equal(
        sorted_weights(out, "pi-"), np.sort(np.concatenate([a["weight"], b["weight"]]))
    )
    mu = read_muons_csv([write_csv(tmp_path / f"m{i}.csv", muons(5 * i, i)) for i in (1, 2)])
    assert len(mu) == 15
    write_csv(tmp_path / "K+.csv", parents(-321, 3))
    with pytest.raises(SampleFormatError, match=r"K\+\.csv.*'pdg'"):
        read_parents_csv(tmp_path / "K+.csv")


# --- 2. empty tables -----------------------------------------------------------------
def test_empty_group_among_full_ones_is_dropped(tmp_path):
    empty = {k: v[:0] for k, v in parents(321, 3).items()}
    path = write_h5(tmp_path / "s.h5", {"pi+": parents(211, 40), "K+": empty, "x": empty})
    sample = read_sample(path)
    assert set(sample.parents) == {"pi+"} and len(sample.parents["pi+"]) == 40


@pytest.mark.parametrize("layout", ["all_groups_empty", "no_groups"])
def test_sample_without_parent_rows_is_refused_by_reader_and_cli(tmp_path, capsys, layout):
    empty = {k: v[:0] for k, v in parents(211, 3).items()}
    groups = {"pi+": empty, "K+": empty} if layout == "all_groups_empty" else {}
    path = write_h5(tmp_path / "s.h5", groups)
    with pytest.raises(SampleFormatError, match="no parent rows"):
        read_sample(path)
    code, out, err = run_cli(capsys, "beam", "--sample", str(path), "--json")
    assert out == ""
    assert_one_line_error(code, err, str(path), "no parent rows")


def test_empty_csv_and_root_tables_are_refused(tmp_path):
    write_csv(tmp_path / "p.csv", {k: v[:0] for k, v in parents(211, 1).items()})
    with pytest.raises(SampleFormatError, match="no parent rows"):
        read_parents_csv(tmp_path / "p.csv")
    path = write_root(
        tmp_path / "e.root", {"parents": {k: v[:0] for k, v in parents(211, 1).items()}}
    )
    with pytest.raises(SampleFormatError, match="no parent rows"):
        read_root(path)


def test_cli_summary_of_a_sample_without_numu_parents(tmp_path, capsys):
    """Only pi- and K- decays: no parent feeds the nu_mu flux, which is zero, not a crash."""
    import json

    path = write_h5(tmp_path / "s.h5", {"neg": concat(parents(-211, 30), parents(-321, 5))})
    code, out, err = run_cli(capsys, "beam", "--sample", str(path), "--json")
    assert code == 0, err
    flux = json.loads(out)["numu_flux"]
    for detector in flux.values():
        assert detector["total_per_cm2_per_pot"] == 0.0
        assert len(detector["per_cm2_per_pot"]) == len(detector["edges_GeV"]) - 1
        assert not any(detector["per_cm2_per_pot"])


# --- 3. plot without the optional production tables --------------------------------
@pytest.mark.parametrize("produced", [None, {}, {"pi+": parents(211, 20)}])
def test_cli_plot_without_production_tables(tmp_path, capsys, produced):
    path = write_h5(tmp_path / "s.h5", {"pi+": parents(211, 30)}, produced=produced)
    png = tmp_path / "beam.png"
    code, _, err = run_cli(capsys, "beam", "--sample", str(path), "--plot", str(png), "--json")
    assert code == 0, err
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- 4. damaged files, all three formats ---------------------------------------------
def _good_file(tmp_path: Path, fmt: str) -> Path:
    rows = concat(parents(211, 40), parents(321, 10))
    if fmt == "hdf5":
        return write_h5(tmp_path / "good.h5", {"all": rows})
    if fmt == "csv":
        return write_csv(tmp_path / "good.csv", rows)
    return write_root(tmp_path / "good.root", {"parents": rows})


READERS: dict[str, Callable[[Path], object]] = {
    "hdf5": read_sample,
    "csv": read_parents_csv,
    "root": read_root,
}


def _damage(tmp_path: Path, good: Path, how: str) -> list[Path]:
    blob = good.read_bytes()
    target = tmp_path / f"{how}{good.suffix}"
    if how == "empty":
        target.write_bytes(b"")
    elif how == "truncated":
        target.write_bytes(blob[: len(blob) // 2])
    elif how == "directory":
        target.mkdir()
    elif how == "symlink_loop":
        target.symlink_to(target.name)
    elif how == "dangling_symlink":
        target.symlink_to(tmp_path / "nowhere")
    elif how == "flipped":  # one file per flipped position
        paths = []
        for i, where in enumerate((0, 1, len(blob) // 3, len(blob) // 2, 2 * len(blob) // 3)):
            damaged = bytearray(blob)
            damaged[where] ^= 0xFF
            paths.append(tmp_path / f"flipped{i}{good.suffix}")
            paths[-1].write_bytes(bytes(damaged))
        return paths
    return [target]


@pytest.mark.parametrize("fmt", sorted(READERS))
@pytest.mark.parametrize(
    "how", ["empty", "truncated", "flipped", "directory", "symlink_loop", "dangling_symlink"]
)
def test_damaged_file_is_refused_naming_it(tmp_path, fmt, how):
    good = _good_file(tmp_path, fmt)
    for path in _damage(tmp_path, good, how):
        try:
            result = READERS[fmt](path)
        except SampleFormatError as exc:
            message = str(exc)
            assert str(path) in message and "\n" not in message, message
            if how == "directory":
                assert "folder" in message
        else:  # a flipped byte inside a number can leave a valid file
            assert how == "flipped", result


@pytest.mark.parametrize("fmt", sorted(READERS))
def test_fifo_is_refused_without_blocking(tmp_path, fmt):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    # a writer that lets a (wrong) blocking open go through, so that a failure cannot hang
    writer = threading.Thread(target=lambda: os.close(os.open(fifo, os.O_WRONLY)), daemon=True)
    writer.start()
    try:
        with pytest.raises(SampleFormatError, match="not a regular file"):
            READERS[fmt](fifo)
    finally:
        fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        writer.join(5)
        os.close(fd)


# --- 5. physically impossible rows ---------------------------------------------------
IMPOSSIBLE = {
    # (species, row values, message fragment)
    "pion_below_its_mass": (211, {"E": 0.9 * M_PI, "px": 0, "py": 0, "pz": 0.05}, "pi+ mass"),
    "kaon_below_its_mass": (-321, {"E": 0.3, "px": 0, "py": 0, "pz": 0.2}, "K- mass"),
    "zero_energy": (321, {"E": 0.0, "px": 0, "py": 0, "pz": 0}, "positive"),
    "negative_energy": (-211, {"E": -1.0, "px": 0, "py": 0, "pz": 0}, "positive"),
}


@pytest.mark.parametrize("fmt", sorted(READERS))
@pytest.mark.parametrize("case", sorted(IMPOSSIBLE))
def test_impossible_parent_row_is_refused_with_row_and_column(tmp_path, fmt, case):
    code, values, fragment = IMPOSSIBLE[case]
    rows = edited(parents(code, 6), 3, **values)
    if fmt == "hdf5":
        path = write_h5(tmp_path / "s.h5", {"x": rows})
    elif fmt == "csv":
        path = write_csv(tmp_path / "s.csv", rows)
    else:
        path = write_root(tmp_path / "s.root", {"parents": rows})
    with pytest.raises(SampleFormatError, match="row 3: column 'E'") as info:
        READERS[fmt](path)
    assert fragment in str(info.value) and str(path) in str(info.value)


def test_impossible_muon_rows_are_refused(tmp_path):
    slow = edited(muons(8), 5, E=0.9 * M_MU, pz=0.02)  # time-like but below the muon mass
    with pytest.raises(SampleFormatError, match=r"/muons: row 5: column 'E'.*muon mass"):
        read_sample(write_h5(tmp_path / "s.h5", {"pi+": parents(211, 5)}, slow))
    with pytest.raises(SampleFormatError, match=r"row 5: column 'E'.*muon mass"):
        read_muons_csv(write_csv(tmp_path / "m.csv", slow))
    with pytest.raises(SampleFormatError, match="row 2: column 'E' must be positive"):
        read_muons_csv(write_csv(tmp_path / "m.csv", edited(muons(4), 2, E=0, pz=0)))


@pytest.mark.parametrize(
    ("relative", "accepted"), [(1 - 1e-7, True), (1 - 1e-5, False), (1 + 1e-9, True)]
)
def test_mass_check_allows_single_precision_rounding_only(tmp_path, relative, accepted):
    """A kaon at rest with E = m_K times ``relative``: 1e-6 relative slack, no more."""
    rows = edited(parents(321, 4), 0, E=M_K * relative, px=0, py=0, pz=0)
    path = write_csv(tmp_path / "p.csv", rows)
    if accepted:
        assert read_parents_csv(path)["K+"].p4[0, 0] == pytest.approx(M_K * relative * GeV)
    else:
        with pytest.raises(SampleFormatError, match=r"row 0.*K\+ mass"):
            read_parents_csv(path)


def test_single_precision_file_is_read(tmp_path):
    """GEANT4 often writes float32: E = sqrt(p^2 + m^2) rounded to float32 must pass."""
    at_rest = edited(parents(211, 200), 0, E=M_PI, px=0, py=0, pz=0)
    rows = {k: v.astype(np.float32) if k != "pdg" else v for k, v in at_rest.items()}
    mu = {k: v.astype(np.float32) for k, v in muons(50).items()}
    sample = read_sample(write_h5(tmp_path / "s.h5", {"pi+": rows}, mu))
    assert len(sample.parents["pi+"]) == 200 and len(sample.muons) == 50


# --- 6. atomic, crash-free writing ---------------------------------------------------
def small_sample() -> BeamSample:
    table = concat(parents(211, 150), parents(-321, 50))
    split = {
        code: ParentSample(
            code,
            np.column_stack([table[c][table["pdg"] == code] for c in ("E", "px", "py", "pz")])
            * GeV,
            np.column_stack([table[c][table["pdg"] == code] for c in ("x", "y", "z")]) * cm,
            table["weight"][table["pdg"] == code],
        )
        for code in (211, -321)
    }
    mu = muons(60)
    muon_sample = MuonSample(
        np.column_stack([mu[c] for c in ("E", "px", "py", "pz")]) * GeV,
        np.column_stack([mu[c] for c in ("x", "y", "z")]) * cm,
        mu["weight"],
        mu["charge"],
    )
    return BeamSample(200, {"pi+": split[211], "K-": split[-321]}, muon_sample)


def test_write_round_trip_and_file_mode(tmp_path):
    sample = small_sample()
    path = write_sample(sample, tmp_path / "out.h5")
    back = read_sample(path)
    for name, p in sample.parents.items():
        assert np.array_equal(back.parents[name].weight, p.weight)
    assert np.array_equal(back.muons.weight, sample.muons.weight)
    umask = os.umask(0o022)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.h5"]


def test_write_to_an_existing_temporary_path(tmp_path):
    """The cache hands ``write_sample`` a temporary name it has already created."""
    import tempfile

    fd, name = tempfile.mkstemp(dir=tmp_path, suffix=".tmp.h5")
    os.close(fd)
    write_sample(small_sample(), name)
    assert len(read_sample(name).parents["pi+"]) == 150
    assert [p.name for p in tmp_path.iterdir()] == [Path(name).name]


@pytest.mark.parametrize("target", ["missing_folder", "existing_folder"])
def test_write_to_an_impossible_path_is_a_clean_error(tmp_path, capsys, target):
    good = write_sample(small_sample(), tmp_path / "good.h5")
    out = tmp_path / "none" / "out.h5" if target == "missing_folder" else tmp_path / "dir"
    if target == "existing_folder":
        out.mkdir()
    with pytest.raises(OSError, match="cannot write the beam sample") as info:
        write_sample(small_sample(), out)
    assert info.value.filename == str(out)
    code, _, err = run_cli(capsys, "beam", "--sample", str(good), "--output", str(out), "--json")
    line = assert_one_line_error(code, err, str(out))
    assert "--output" in line  # refused before anything is read or simulated
    left = {"good.h5", "dir"} if target == "existing_folder" else {"good.h5"}
    assert {p.name for p in tmp_path.iterdir()} == left
    assert not out.is_dir() or not any(out.iterdir())


_LIMITED = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, resource.RLIM_INFINITY))
{body}
"""


def _run_limited(limit: int, body: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``body`` in a fresh interpreter that may not write files above ``limit`` bytes."""
    script = _LIMITED.format(limit=limit, body=textwrap.dedent(body))
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "MUPHILIC_CACHE_DIR": str(cwd / "cache")}
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("existing", [False, True])
def test_full_disk_leaves_no_partial_file(tmp_path, existing):
    """A file-size limit (what a full disk looks like to the writer) mid-write."""
    good = write_sample(small_sample(), tmp_path / "good.h5")
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "beam.h5"
    if existing:
        target.write_bytes(b"old content")
    body = f"""
    from muphilic.beamline import read_sample, write_sample
    sample = read_sample({str(good)!r})
    try:
        write_sample(sample, {str(target)!r})
    except OSError as exc:
        print(type(exc).__name__, exc.filename, exc.strerror, sep="|")
        sys.exit(3)
    """
    result = _run_limited(good.stat().st_size // 2, body, tmp_path)
    assert result.returncode == 3, result.stderr
    kind, filename, message = result.stdout.strip().split("|")
    assert (kind, filename) == ("OSError", str(target))
    assert "cannot write the beam sample" in message
    assert [p.name for p in folder.iterdir()] == (["beam.h5"] if existing else [])
    if existing:
        assert target.read_bytes() == b"old content"


@pytest.mark.parametrize("existing", [False, True])
def test_cli_output_on_a_full_disk(tmp_path, existing):
    good = write_sample(small_sample(), tmp_path / "good.h5")
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "beam.h5"
    if existing:  # an older sample of the user's, which the failed write must keep
        write_sample(dataclasses.replace(small_sample(), pot=7), target)
    old = target.read_bytes() if existing else None
    body = f"""
    from muphilic.cli import main
    main(["beam", "--sample", {str(good)!r}, "--output", {str(target)!r}, "--json"])
    """
    result = _run_limited(good.stat().st_size // 2, body, tmp_path)
    assert result.stdout == ""
    assert_one_line_error(result.returncode, result.stderr, str(target), "cannot write")
    assert [p.name for p in folder.iterdir()] == (["beam.h5"] if existing else [])
    if existing:
        assert target.read_bytes() == old
