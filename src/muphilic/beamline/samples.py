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

HDF5 layout written by :func:`write_sample`::

    /                      attrs: format="muphilic.beam", version=1, pot,
                                  muons_produced_per_pot, units, facility,
                                  production (optional: facility name, backend/model)
    /parents/<name>/<col>  name in {"pi+", "pi-", "K+", "K-"}
    /produced/<name>/<col> (optional) mesons at production
    /produced_per_pot      attrs: pi+, pi-, K+, K-, K0L (optional)
    /muons/<col>           muons entering the dump
    /muons_wall/<col>      (optional) muons stopped on a wall

:func:`read_sample` reads this layout; a user's GEANT4 output written in it
needs only ``/parents``, ``/muons`` and the ``pot`` attribute.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from muphilic.beamline.simulate import BeamSample
from muphilic.constants import GeV, cm
from muphilic.errors import MuphilicError
from muphilic.events import MuonSample, ParentSample, SampleError

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
    # Time-like four-momenta only (E >= |p|), allowing single-precision rounding.
    spacelike = p4[:, 0] < p_abs * (1 - 1e-6)
    if np.any(spacelike):
        row = int(np.flatnonzero(spacelike)[0])
        raise SampleFormatError(f"{source}: row {row} has E < |p|; 'E' is the total energy")
    return p4, pos


def parents_from_table(
    table: Mapping[str, object], source: str = "table", pot: float | None = None
) -> dict[str, ParentSample]:
    """Group a parent table by species into :class:`ParentSample` objects."""
    pdg = _column(table, "pdg", source)
    if not np.all((pdg == np.round(pdg)) & (np.abs(pdg) < 2**31)):
        raise SampleFormatError(f"{source}: column 'pdg' must hold integer PDG codes")
    pdg_int = pdg.astype(np.int64)
    unknown = sorted(set(np.unique(pdg_int)) - set(_NAMES))
    if unknown:
        raise SampleFormatError(f"{source}: column 'pdg' has unsupported codes {unknown}")
    p4, pos = _kinematics(table, source)
    w = _weights(table, len(pdg), source, pot)
    if not (len(w) == len(pdg) == len(p4)):
        raise SampleFormatError(f"{source}: columns have different lengths")
    out: dict[str, ParentSample] = {}
    for code in np.unique(pdg_int):
        sel = pdg_int == code
        try:
            out[_NAMES[int(code)]] = ParentSample(int(code), p4[sel], pos[sel], w[sel])
        except SampleError as exc:
            raise SampleFormatError(f"{source}: {exc}") from exc
    return out


def muons_from_table(
    table: Mapping[str, object], source: str = "table", pot: float | None = None
) -> MuonSample:
    """A :class:`MuonSample` from a muon table."""
    p4, pos = _kinematics(table, source)
    w = _weights(table, len(p4), source, pot)
    charge = _column(table, "charge", source)
    if not np.all(np.isin(charge, (-1.0, 1.0))):
        raise SampleFormatError(f"{source}: column 'charge' must be +1 or -1")
    try:
        return MuonSample(p4, pos, w, charge.astype(np.int8))
    except SampleError as exc:
        raise SampleFormatError(f"{source}: {exc}") from exc


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
    """Write ``sample`` to an HDF5 file in the module's layout; returns the path."""
    import h5py

    path = Path(path)
    with h5py.File(path, "w") as f:
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
    return path


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
        If the file is missing, unreadable, not HDF5, truncated or corrupt, or
        lacks a group, column or attribute of the layout (the message names it).
    """
    path = Path(path)
    if not path.is_file():
        raise SampleFormatError(f"{path}: no such sample file")
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
        for required in ("parents", "muons"):
            if required not in f:
                raise SampleFormatError(f"{src}: missing group '/{required}'")
        parents: dict[str, ParentSample] = {}
        for name in f["parents"]:
            parents.update(
                parents_from_table(
                    _read_group(f["parents"][name], f"{src}:/parents/{name}"),
                    f"{src}:/parents/{name}",
                )
            )
        produced: dict[str, ParentSample] = {}
        if "produced" in f:
            for name in f["produced"]:
                produced.update(
                    parents_from_table(
                        _read_group(f["produced"][name], f"{src}:/produced/{name}"),
                        f"{src}:/produced/{name}",
                    )
                )
        ppp = (
            {
                k: _attr_number(f["produced_per_pot"].attrs, k, f"{src}:/produced_per_pot")
                for k in f["produced_per_pot"].attrs
            }
            if "produced_per_pot" in f
            else {}
        )
        muons = muons_from_table(_read_group(f["muons"], f"{src}:/muons"), f"{src}:/muons")
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


def read_parents_csv(path: str | Path, *, pot: float | None = None) -> dict[str, ParentSample]:
    """Parents from a CSV file with a header line in the module's schema (GeV, cm)."""
    path = Path(path)
    return parents_from_table(_numeric(_read_csv(path), path), str(path), pot)


def read_muons_csv(path: str | Path, *, pot: float | None = None) -> MuonSample:
    """Muons from a CSV file with a header line in the module's schema (GeV, cm)."""
    path = Path(path)
    return muons_from_table(_numeric(_read_csv(path), path), str(path), pot)


# --- ROOT (optional, via uproot) -----------------------------------------------------
def read_root(
    path: str | Path,
    tree: str = "parents",
    *,
    kind: str = "parents",
    pot: float | None = None,
) -> dict[str, ParentSample] | MuonSample:
    """Read a flat ROOT TTree whose branches follow the module's schema.

    Parameters
    ----------
    path : str or Path
        ROOT file.
    tree : str
        Tree name.
    kind : {"parents", "muons"}
        Which schema the tree follows.
    pot : float, optional
        POT of an unweighted tree (or to divide existing weights by).

    Requires the optional dependency ``uproot`` (``pip install muphilic[root]``).
    """
    try:
        import uproot
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("reading ROOT files needs uproot: pip install 'muphilic[root]'") from exc
    if kind not in ("parents", "muons"):
        raise SampleFormatError(f"kind must be 'parents' or 'muons', got {kind!r}")
    src = f"{path}:{tree}"
    with uproot.open(path) as f:
        if tree not in f:
            raise SampleFormatError(f"{path}: no tree named {tree!r}")
        t = f[tree]
        wanted = PARENT_COLUMNS if kind == "parents" else MUON_COLUMNS
        present = [c for c in wanted if c in t]
        table = {k: np.asarray(v) for k, v in t.arrays(present, library="np").items()}
    if kind == "parents":
        return parents_from_table(table, src, pot)
    return muons_from_table(table, src, pot)
