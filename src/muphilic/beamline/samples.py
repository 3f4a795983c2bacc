"""Beamline samples on disk: schema, HDF5 writer/reader, CSV and ROOT readers.

Schema (the same column names in every format; units on disk are GeV and cm):

Parent tables (decaying mesons, or produced mesons)

==========  =====  ==============================================================
column      unit   meaning
==========  =====  ==============================================================
pdg         -      PDG code: 211, -211, 321, -321 (130 accepted in "produced")
E           GeV    total energy at the decay point
px, py, pz  GeV/c  momentum at the decay point
x, y, z     cm     decay vertex; z along the beam from the upstream end of the
                   horn (target: z = 3.49-74.61 cm), detectors on the z axis
weight      1/POT  decays per proton on target represented by the row
==========  =====  ==============================================================

Muon tables: ``E, px, py, pz`` (GeV) and ``x, y, z`` (cm) where the muon enters
the dump (or stops on a wall), ``weight`` (muons per POT) and ``charge`` (+1/-1).

If a table has no ``weight`` column, pass ``pot=N`` to the reader: every row then
counts ``1/N`` (an unweighted GEANT4 output of N POT). A table with a bad or
missing column raises :class:`SampleFormatError` naming the column.

Rules every reader applies (HDF5 groups, ROOT trees and CSV files alike):

* rows are grouped by their ``pdg`` column; tables holding the same species are
  concatenated, so every row of a valid file is read;
* a table named after a species (``pi+``, ``pi-``, ``K+``, ``K-``, ``K0L``) must
  hold only that species; any other name is free;
* a table with no rows contributes nothing; a file with no parent row at all is
  refused;
* every row must be physical: ``E > 0``, ``E >= |p|`` and ``E >= m`` (the
  species' PDG mass, the muon mass for muons), within single-precision rounding
  (relative 1e-6); the message names the row (counted from 0) and the column;
* a missing, empty, truncated or corrupt file, a folder or a broken link raises
  :class:`SampleFormatError` naming the file.

HDF5 layout written by :func:`write_sample`::

    /                      attrs: format="muphilic.beam", version=1, pot,
                                  muons_produced_per_pot, units, facility,
                                  production (optional: facility name, backend/model)
    /parents/<name>/<col>  name in {"pi+", "pi-", "K+", "K-"} (free in a user's file)
    /produced/<name>/<col> (optional) mesons at production
    /produced_per_pot      attrs: pi+, pi-, K+, K-, K0L (optional)
    /muons/<col>           muons entering the dump
    /muons_wall/<col>      (optional) muons stopped on a wall

:func:`read_sample` reads this layout; a user's GEANT4 output written in it
needs only ``/parents``, ``/muons`` and the ``pot`` attribute. The file is built
in memory and moved into place (temporary file in the same folder, then
:func:`os.replace`): a failed write leaves no partial file and keeps an older one.
"""

from __future__ import annotations

import csv
import json
import os
import stat
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from muphilic.beamline.simulate import BeamSample
from muphilic.constants import GeV, cm, m_K, m_K0L, m_mu, m_pi
from muphilic.errors import MuphilicError
from muphilic.events import MuonSample, ParentSample, SampleError
from muphilic.files import atomic_write

__all__ = [
    "MUON_COLUMNS",
    "PARENT_COLUMNS",
    "SampleFormatError",
    "is_beam_sample",
    "read_muons_csv",
    "read_parents_csv",
    "read_root",
    "read_sample",
    "write_sample",
]

FloatArray = NDArray[np.float64]

PARENT_COLUMNS = ("pdg", "E", "px", "py", "pz", "x", "y", "z", "weight")
MUON_COLUMNS = ("E", "px", "py", "pz", "x", "y", "z", "weight", "charge")
_NAMES = {211: "pi+", -211: "pi-", 321: "K+", -321: "K-", 130: "K0L"}
_PDG = {v: k for k, v in _NAMES.items()}
_MASSES = {211: m_pi, -211: m_pi, 321: m_K, -321: m_K, 130: m_K0L}
#: Relative tolerance of the energy checks: single-precision rounding on disk.
_ROUNDING = 1e-6
_FORMAT = "muphilic.beam"
_VERSION = 1
_UNITS = {"energy": "GeV", "momentum": "GeV/c", "position": "cm", "weight": "per POT"}


class SampleFormatError(MuphilicError):
    """A sample file lacks a column or holds a bad value; the message names it."""


# --- table <-> samples --------------------------------------------------------------
def _column(table: Mapping[str, object], name: str, source: str) -> FloatArray:
    if name not in table:
        raise SampleFormatError(f"{source}: missing column {name!r}")
    try:
        values = np.asarray(table[name], dtype=float)
    except (TypeError, ValueError) as exc:
        raise SampleFormatError(f"{source}: column {name!r} is not numeric") from exc
    if values.ndim != 1:
        raise SampleFormatError(f"{source}: column {name!r} must be one-dimensional")
    if not np.all(np.isfinite(values)):
        raise SampleFormatError(f"{source}: column {name!r} has NaN or infinite values")
    return values


def _weights(table: Mapping[str, object], n: int, source: str, pot: float | None) -> FloatArray:
    if pot is not None and not (np.isfinite(pot) and pot > 0):
        raise SampleFormatError(f"{source}: pot must be a positive number, got {pot!r}")
    if "weight" in table:
        w = _column(table, "weight", source)
        if np.any(w < 0):
            raise SampleFormatError(f"{source}: column 'weight' has negative values")
        return w / pot if pot else w
    if pot is None:
        raise SampleFormatError(
            f"{source}: missing column 'weight' (give pot=N for an unweighted sample of N POT)"
        )
    return np.full(n, 1.0 / pot)


def _kinematics(table: Mapping[str, object], source: str) -> tuple[FloatArray, FloatArray]:
    columns = [_column(table, c, source) for c in ("E", "px", "py", "pz", "x", "y", "z")]
    if len({len(c) for c in columns}) != 1:
        raise SampleFormatError(f"{source}: columns have different lengths")
    with np.errstate(over="ignore"):  # an overflow becomes inf, rejected below
        p4 = np.column_stack(columns[:4]) * GeV
        pos = np.column_stack(columns[4:]) * cm
        p_abs = np.linalg.norm(p4[:, 1:], axis=1)
    if not (np.all(np.isfinite(p4)) and np.all(np.isfinite(pos))):
        raise SampleFormatError(f"{source}: a momentum or position is too large")
    not_positive = p4[:, 0] <= 0
    if np.any(not_positive):
        row = int(np.flatnonzero(not_positive)[0])
        raise SampleFormatError(f"{source}: row {row}: column 'E' must be positive")
    # Time-like four-momenta only (E >= |p|), allowing single-precision rounding.
    spacelike = p4[:, 0] < p_abs * (1 - _ROUNDING)
    if np.any(spacelike):
        row = int(np.flatnonzero(spacelike)[0])
        raise SampleFormatError(f"{source}: row {row} has E < |p|; 'E' is the total energy")
    return p4, pos


def _check_mass(
    energy: FloatArray, mass: FloatArray, label: Callable[[int], str], source: str
) -> None:
    """Refuse the first row whose energy (MeV) is below its particle's mass (MeV).

    ``label(row)`` names the row's particle in the message.
    """
    below = energy < mass * (1 - _ROUNDING)
    if np.any(below):
        row = int(np.flatnonzero(below)[0])
        raise SampleFormatError(
            f"{source}: row {row}: column 'E' = {energy[row] / GeV:.7g} GeV is below the "
            f"{label(row)} mass {mass[row] / GeV:.7g} GeV; 'E' is the total energy"
        )


def parents_from_table(
    table: Mapping[str, object],
    source: str = "table",
    pot: float | None = None,
    name: str | None = None,
) -> dict[str, ParentSample]:
    """Group a parent table by species into :class:`ParentSample` objects.

    Parameters
    ----------
    table : mapping
        Column name -> values, in the module's schema (GeV, cm).
    source : str
        Where the table comes from, for error messages.
    pot : float, optional
        POT of an unweighted table (or to divide existing weights by).
    name : str, optional
        The table's own name (HDF5 group, ROOT tree, CSV file stem). A name
        that is a species (``"pi+"``, ...) must agree with every row's ``pdg``.

    Returns
    -------
    dict
        Species name -> sample; a species without rows is absent.
    """
    pdg = _column(table, "pdg", source)
    if not np.all((pdg == np.round(pdg)) & (np.abs(pdg) < 2**31)):
        raise SampleFormatError(f"{source}: column 'pdg' must hold integer PDG codes")
    pdg_int = pdg.astype(np.int64)
    codes = [int(c) for c in np.unique(pdg_int)]
    unknown = sorted(set(codes) - set(_NAMES))
    if unknown:
        raise SampleFormatError(f"{source}: column 'pdg' has unsupported codes {unknown}")
    if name in _PDG and codes not in ([], [_PDG[name]]):
        raise SampleFormatError(
            f"{source}: named {name!r} (pdg {_PDG[name]}) but column 'pdg' holds {codes}; "
            "rename the table or fix the column"
        )
    p4, pos = _kinematics(table, source)
    w = _weights(table, len(pdg), source, pot)
    if not (len(w) == len(pdg) == len(p4)):
        raise SampleFormatError(f"{source}: columns have different lengths")
    mass = np.zeros(len(pdg_int))
    for code in codes:
        mass[pdg_int == code] = _MASSES[code]
    _check_mass(p4[:, 0], mass, lambda row: _NAMES[int(pdg_int[row])], source)
    out: dict[str, ParentSample] = {}
    for code in codes:
        sel = pdg_int == code
        try:
            out[_NAMES[code]] = ParentSample(code, p4[sel], pos[sel], w[sel])
        except SampleError as exc:
            raise SampleFormatError(f"{source}: {exc}") from exc
    return out


def muons_from_table(
    table: Mapping[str, object], source: str = "table", pot: float | None = None
) -> MuonSample:
    """A :class:`MuonSample` from a muon table (GeV, cm)."""
    p4, pos = _kinematics(table, source)
    w = _weights(table, len(p4), source, pot)
    _check_mass(p4[:, 0], np.full(len(p4), m_mu), lambda row: "muon", source)
    charge = _column(table, "charge", source)
    if not np.all(np.isin(charge, (-1.0, 1.0))):
        raise SampleFormatError(f"{source}: column 'charge' must be +1 or -1")
    try:
        return MuonSample(p4, pos, w, charge.astype(np.int8))
    except SampleError as exc:
        raise SampleFormatError(f"{source}: {exc}") from exc


def _merge_parents(tables: Iterable[Mapping[str, ParentSample]]) -> dict[str, ParentSample]:
    """Concatenate the rows of each species over several tables (in their order)."""
    pieces: dict[str, list[ParentSample]] = {}
    for table in tables:
        for species, sample in table.items():
            pieces.setdefault(species, []).append(sample)
    return {
        species: ParentSample(
            parts[0].pdgid,
            np.concatenate([p.p4 for p in parts]),
            np.concatenate([p.vertex for p in parts]),
            np.concatenate([p.weight for p in parts]),
        )
        for species, parts in pieces.items()
    }


def _merge_muons(samples: Sequence[MuonSample]) -> MuonSample:
    """Concatenate muon samples (in their order)."""
    return MuonSample(
        np.concatenate([m.p4 for m in samples]),
        np.concatenate([m.position for m in samples]),
        np.concatenate([m.weight for m in samples]),
        np.concatenate([m.charge for m in samples]),
    )


def _require_rows(parents: dict[str, ParentSample], source: str) -> dict[str, ParentSample]:
    if not parents:
        raise SampleFormatError(f"{source}: no parent rows; a beam sample needs decaying mesons")
    return parents


def _require_file(path: Path) -> None:
    """Refuse a path that is not a regular, reachable file (message names it)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise SampleFormatError(f"{path}: no such sample file") from None
    except OSError as exc:  # a link loop, a folder without permission...
        raise SampleFormatError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(mode):
        raise SampleFormatError(f"{path}: is a folder, not a sample file")
    if not stat.S_ISREG(mode):
        raise SampleFormatError(f"{path}: not a regular file")


def _parent_table(p: ParentSample) -> dict[str, FloatArray]:
    return {
        "pdg": np.full(len(p), p.pdgid, dtype=np.int32),
        "E": p.p4[:, 0] / GeV,
        "px": p.p4[:, 1] / GeV,
        "py": p.p4[:, 2] / GeV,
        "pz": p.p4[:, 3] / GeV,
        "x": p.vertex[:, 0] / cm,
        "y": p.vertex[:, 1] / cm,
        "z": p.vertex[:, 2] / cm,
        "weight": p.weight,
    }


def _muon_table(mu: MuonSample) -> dict[str, FloatArray]:
    return {
        "E": mu.p4[:, 0] / GeV,
        "px": mu.p4[:, 1] / GeV,
        "py": mu.p4[:, 2] / GeV,
        "pz": mu.p4[:, 3] / GeV,
        "x": mu.position[:, 0] / cm,
        "y": mu.position[:, 1] / cm,
        "z": mu.position[:, 2] / cm,
        "weight": mu.weight,
        "charge": mu.charge.astype(np.int8),
    }


# --- HDF5 --------------------------------------------------------------------------
def write_sample(sample: BeamSample, path: str | Path) -> Path:
    """Write ``sample`` to an HDF5 file in the module's layout; returns the path.

    The file is built in memory, written to a temporary file in the target's
    folder, flushed to disk and renamed over ``path``: a failed write (full
    disk, file-size limit, missing folder) leaves neither a partial file nor a
    temporary one, and an existing file at ``path`` keeps its old content.

    Raises
    ------
    OSError
        If the file cannot be written; the message says so and names ``path``.
    """
    path = Path(path)
    image = _hdf5_image(sample)
    try:
        atomic_write(path, image)
    except OSError as exc:
        raise _write_error(path, exc) from None
    return path


def _hdf5_image(sample: BeamSample) -> bytes:
    """The bytes of the HDF5 file of ``sample`` (built in memory, nothing on disk)."""
    import h5py

    with h5py.File(f"{uuid.uuid4().hex}.h5", "w", driver="core", backing_store=False) as f:
        f.attrs["format"] = _FORMAT
        f.attrs["version"] = _VERSION
        f.attrs["pot"] = int(sample.pot)
        f.attrs["units"] = json.dumps(_UNITS)
        if sample.muons_produced_per_pot is not None:
            f.attrs["muons_produced_per_pot"] = float(sample.muons_produced_per_pot)
        f.attrs["facility"] = sample.facility
        f.attrs["production"] = sample.production
        for group, tables in (("parents", sample.parents), ("produced", sample.produced)):
            g = f.create_group(group)
            for name, p in tables.items():
                sub = g.create_group(name)
                for col, values in _parent_table(p).items():
                    sub.create_dataset(col, data=values, compression="gzip", shuffle=True)
        ppp = f.create_group("produced_per_pot")
        for k, v in sample.produced_per_pot.items():
            ppp.attrs[k] = float(v)
        for group, mu in (("muons", sample.muons), ("muons_wall", sample.muons_wall)):
            if mu is None:
                continue
            g = f.create_group(group)
            for col, values in _muon_table(mu).items():
                g.create_dataset(col, data=values, compression="gzip", shuffle=True)
        f.flush()
        return bytes(f.id.get_file_image())


def _write_error(path: Path, exc: OSError) -> OSError:
    return OSError(exc.errno, f"cannot write the beam sample ({exc.strerror or exc})", str(path))


def _group(parent: Any, key: str, source: str) -> Any:
    import h5py

    if key not in parent:
        raise SampleFormatError(f"{source}: missing group '/{key}'")
    group = parent[key]
    if not isinstance(group, h5py.Group):
        raise SampleFormatError(f"{source}:/{key} must be a group")
    return group


def _read_group(group: object, source: str) -> dict[str, FloatArray]:
    import h5py

    if not isinstance(group, h5py.Group):
        raise SampleFormatError(f"{source}: must be a group of column datasets")
    out = {}
    for k in group:
        item = group[k]
        if not isinstance(item, h5py.Dataset):
            raise SampleFormatError(f"{source}: {k!r} must be a column dataset, not a group")
        out[k] = np.asarray(item[()])
    return out


def _read_parent_groups(group: Any, source: str) -> dict[str, ParentSample]:
    """Every table under the HDF5 group ``group``, concatenated per species."""
    return _merge_parents(
        parents_from_table(
            _read_group(group[name], f"{source}/{name}"), f"{source}/{name}", name=name
        )
        for name in group
    )


def _attr_number(attrs: Mapping[str, object], key: str, source: str) -> float:
    try:
        value = float(np.asarray(attrs[key]).item())
    except (TypeError, ValueError) as exc:
        raise SampleFormatError(f"{source}: attribute {key!r} must be a number") from exc
    if not (np.isfinite(value) and value >= 0):
        raise SampleFormatError(f"{source}: attribute {key!r} must be finite and >= 0, got {value}")
    return value


def _attr_text(attrs: Mapping[str, object], key: str) -> str:
    value = attrs.get(key, "")
    return value.decode() if isinstance(value, bytes) else str(value)


def read_sample(path: str | Path) -> BeamSample:
    """Read a :class:`BeamSample` from an HDF5 file in the module's layout.

    Raises
    ------
    SampleFormatError
        If the file is missing, a folder, unreadable, not HDF5, truncated or
        corrupt, lacks a group, column or attribute of the layout, has no parent
        row or an unphysical row (the message names it).
    """
    path = Path(path)
    _require_file(path)
    try:
        return _read_sample(path)
    except SampleFormatError:
        raise
    except (OSError, KeyError, RuntimeError, TypeError, ValueError) as exc:
        # h5py reports damaged files with these; keep the message on one line.
        detail = " ".join(str(exc).split())
        raise SampleFormatError(f"{path}: not a readable HDF5 beam sample ({detail})") from exc


def _read_sample(path: Path) -> BeamSample:
    import h5py

    src = str(path)
    with h5py.File(path, "r") as f:
        if "pot" not in f.attrs:
            raise SampleFormatError(f"{src}: missing root attribute 'pot'")
        pot_value = _attr_number(f.attrs, "pot", src)
        pot = int(pot_value)
        if pot < 1 or pot != pot_value:
            raise SampleFormatError(f"{src}: attribute 'pot' must be a positive integer")
        parents = _require_rows(
            _read_parent_groups(_group(f, "parents", src), f"{src}:/parents"), f"{src}:/parents"
        )
        produced = (
            _read_parent_groups(_group(f, "produced", src), f"{src}:/produced")
            if "produced" in f
            else {}
        )
        ppp = (
            {
                k: _attr_number(f["produced_per_pot"].attrs, k, f"{src}:/produced_per_pot")
                for k in f["produced_per_pot"].attrs
            }
            if "produced_per_pot" in f
            else {}
        )
        muons = muons_from_table(
            _read_group(_group(f, "muons", src), f"{src}:/muons"), f"{src}:/muons"
        )
        wall = (
            muons_from_table(
                _read_group(f["muons_wall"], f"{src}:/muons_wall"), f"{src}:/muons_wall"
            )
            if "muons_wall" in f
            else None
        )
        mpp = (
            _attr_number(f.attrs, "muons_produced_per_pot", src)
            if "muons_produced_per_pot" in f.attrs
            else None
        )
        labels = {k: _attr_text(f.attrs, k) for k in ("facility", "production")}
    return BeamSample(pot, parents, muons, ppp, produced, wall, mpp, **labels)


def is_beam_sample(path: str | Path) -> bool:
    """Whether ``path`` is an HDF5 file that :func:`write_sample` wrote (by its format tag)."""
    import h5py

    try:
        with h5py.File(path, "r") as f:
            return bool(f.attrs.get("format") == _FORMAT)
    except (OSError, ValueError):
        return False


# --- CSV ---------------------------------------------------------------------------
def _read_csv(path: Path) -> dict[str, list[str]]:
    try:
        return _read_csv_text(path)
    except UnicodeDecodeError as exc:
        raise SampleFormatError(f"{path}: not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise SampleFormatError(f"{path}: cannot read ({exc.strerror})") from None
    except csv.Error as exc:
        raise SampleFormatError(f"{path}: malformed CSV ({exc})") from None


def _read_csv_text(path: Path) -> dict[str, list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(row for row in fh if row.strip() and not row.lstrip().startswith("#"))
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration as exc:
            raise SampleFormatError(f"{path}: empty file (no header line)") from exc
        duplicated = sorted({h for h in header if header.count(h) > 1})
        if duplicated:
            raise SampleFormatError(f"{path}: column {duplicated[0]!r} appears more than once")
        cols: dict[str, list[str]] = {h: [] for h in header}
        for i, row in enumerate(reader, start=2):
            if len(row) != len(header):
                raise SampleFormatError(
                    f"{path}: line {i} has {len(row)} fields, header has {len(header)}"
                )
            for h, v in zip(header, row, strict=True):
                cols[h].append(v.strip())
    return cols


def _numeric(cols: dict[str, list[str]], path: Path) -> dict[str, FloatArray]:
    out = {}
    for name, values in cols.items():
        try:
            out[name] = np.array([float(v) for v in values])
        except ValueError as exc:
            raise SampleFormatError(f"{path}: column {name!r} is not numeric") from exc
    return out


def read_parents_csv(
    path: str | Path | Sequence[str | Path], *, pot: float | None = None
) -> dict[str, ParentSample]:
    """Parents from CSV files with a header line in the module's schema (GeV, cm).

    Parameters
    ----------
    path : str, Path or sequence of them
        One file, or several whose rows are concatenated per species. A file
        named after a species (``pi+.csv``) must hold only that species.
    pot : float, optional
        POT of an unweighted file (or to divide existing weights by).
    """
    paths = _paths(path, "read_parents_csv")
    tables = (parents_from_table(_read_csv_table(p), str(p), pot, name=p.stem) for p in paths)
    return _require_rows(_merge_parents(tables), ", ".join(map(str, paths)))


def read_muons_csv(
    path: str | Path | Sequence[str | Path], *, pot: float | None = None
) -> MuonSample:
    """Muons from CSV files with a header line in the module's schema (GeV, cm).

    Several files are concatenated in their order.
    """
    paths = _paths(path, "read_muons_csv")
    return _merge_muons([muons_from_table(_read_csv_table(p), str(p), pot) for p in paths])


def _paths(path: str | Path | Sequence[str | Path], reader: str) -> list[Path]:
    paths = [Path(path)] if isinstance(path, str | os.PathLike) else [Path(p) for p in path]
    if not paths:
        raise SampleFormatError(f"{reader}: no file given")
    return paths


def _read_csv_table(path: Path) -> dict[str, FloatArray]:
    _require_file(path)
    return _numeric(_read_csv(path), path)


# --- ROOT (optional, via uproot) -----------------------------------------------------
def read_root(
    path: str | Path,
    tree: str | Sequence[str] = "parents",
    *,
    kind: str = "parents",
    pot: float | None = None,
) -> dict[str, ParentSample] | MuonSample:
    """Read flat ROOT trees (TTree or RNTuple) whose branches follow the module's schema.

    Parameters
    ----------
    path : str or Path
        ROOT file.
    tree : str or sequence of str
        Tree name, or several trees whose rows are concatenated (per species
        for parents). A tree named after a species (``"pi+"``) must hold only
        that species.
    kind : {"parents", "muons"}
        Which schema the trees follow.
    pot : float, optional
        POT of an unweighted tree (or to divide existing weights by).

    Raises
    ------
    SampleFormatError
        If the file is missing, a folder, not ROOT, truncated or corrupt, lacks
        a tree or a branch, or has an unphysical row (the message names it).

    Requires the optional dependency ``uproot`` (``pip install muphilic[root]``).
    """
    if kind not in ("parents", "muons"):
        raise SampleFormatError(f"kind must be 'parents' or 'muons', got {kind!r}")
    path = Path(path)
    trees = [tree] if isinstance(tree, str) else list(tree)
    if not trees:
        raise SampleFormatError(f"{path}: no tree name given")
    wanted = PARENT_COLUMNS if kind == "parents" else MUON_COLUMNS
    tables = _root_tables(path, trees, wanted)
    if kind == "muons":
        return _merge_muons(
            [
                muons_from_table(t, f"{path}:{name}", pot)
                for name, t in zip(trees, tables, strict=True)
            ]
        )
    return _require_rows(
        _merge_parents(
            parents_from_table(t, f"{path}:{name}", pot, name=name)
            for name, t in zip(trees, tables, strict=True)
        ),
        str(path),
    )


def _root_tables(
    path: Path, trees: Sequence[str], wanted: Sequence[str]
) -> list[dict[str, object]]:
    """The columns ``wanted`` (those present) of each tree of a ROOT file."""
    try:
        import uproot
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("reading ROOT files needs uproot: pip install 'muphilic[root]'") from exc
    _require_file(path)
    try:
        with uproot.open(path) as f:
            tables = []
            for name in trees:
                if name not in f:
                    raise SampleFormatError(f"{path}: no tree named {name!r}")
                t = f[name]
                if not callable(getattr(t, "arrays", None)):  # a TTree or an RNTuple
                    raise SampleFormatError(f"{path}: {name!r} is not a tree")
                present = [c for c in wanted if c in t]
                tables.append(dict(t.arrays(present, library="np")))
    except SampleFormatError:
        raise
    except Exception as exc:  # uproot reports a damaged file with many exception types
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise SampleFormatError(f"{path}: not a readable ROOT file ({detail})") from exc
    return tables
