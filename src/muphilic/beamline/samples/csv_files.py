"""Beam samples as CSV files: :func:`read_parents_csv` and :func:`read_muons_csv`.

One file holds one table with a header line in the schema of
:mod:`~muphilic.beamline.samples.schema` (GeV, cm); blank lines and lines
starting with ``#`` are ignored. Several files are concatenated (per species for
parents); a file named after a species (``pi+.csv``) must hold only that species.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from muphilic.beamline.samples.schema import FloatArray, SampleFormatError
from muphilic.beamline.samples.tables import _muons_of, _parents_of, _require_file
from muphilic.events import MuonSample, ParentSample

__all__ = ["read_muons_csv", "read_parents_csv"]


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
    tables = ((_read_csv_table(p), str(p), p.stem) for p in paths)
    return _parents_of(tables, pot, ", ".join(map(str, paths)))


def read_muons_csv(
    path: str | Path | Sequence[str | Path], *, pot: float | None = None
) -> MuonSample:
    """Muons from CSV files with a header line in the module's schema (GeV, cm).

    Several files are concatenated in their order.
    """
    paths = _paths(path, "read_muons_csv")
    return _muons_of(((_read_csv_table(p), str(p)) for p in paths), pot)


def _paths(path: str | Path | Sequence[str | Path], reader: str) -> list[Path]:
    paths = [Path(path)] if isinstance(path, str | os.PathLike) else [Path(p) for p in path]
    if not paths:
        raise SampleFormatError(f"{reader}: no file given")
    return paths


def _read_csv_table(path: Path) -> dict[str, FloatArray]:
    _require_file(path)
    return _numeric(_read_csv(path), path)
