"""From a table of columns to samples: the checks every reader applies.

A table is a mapping of column name to values in the schema of
:mod:`~muphilic.beamline.samples.schema` (GeV, cm), read from an HDF5 group, a
ROOT tree or a CSV file. :func:`parents_from_table` and :func:`muons_from_table`
turn one into :class:`~muphilic.events.ParentSample` and
:class:`~muphilic.events.MuonSample` objects (MeV, mm). Rules every reader
applies (HDF5 groups, ROOT trees and CSV files alike):

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
  :class:`~muphilic.beamline.samples.schema.SampleFormatError` naming the file.

If a table has no ``weight`` column, pass ``pot=N``: every row then counts
``1/N`` (an unweighted GEANT4 output of N POT).
"""

from __future__ import annotations

import stat
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

from muphilic.beamline.samples.schema import (
    _MASSES,
    _NAMES,
    _PDG,
    FloatArray,
    SampleFormatError,
)
from muphilic.constants import GeV, cm, m_mu
from muphilic.events import MuonSample, ParentSample, SampleError

__all__ = ["muons_from_table", "parents_from_table"]

#: Relative tolerance of the energy checks: single-precision rounding on disk.
_ROUNDING = 1e-6


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


def _parents_of(
    tables: Iterable[tuple[Mapping[str, object], str, str]], pot: float | None, source: str
) -> dict[str, ParentSample]:
    """The parents of ``(table, source, name)`` tables, concatenated per species.

    Refuses tables without any parent row (``source`` names them all).
    """
    return _require_rows(
        _merge_parents(parents_from_table(t, src, pot, name=name) for t, src, name in tables),
        source,
    )


def _muons_of(tables: Iterable[tuple[Mapping[str, object], str]], pot: float | None) -> MuonSample:
    """The muons of ``(table, source)`` tables, concatenated in their order."""
    return _merge_muons([muons_from_table(t, src, pot) for t, src in tables])


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
