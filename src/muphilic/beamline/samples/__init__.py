"""Beamline samples on disk: the schema, its checks, and the HDF5, CSV and ROOT formats.

A beam sample (:class:`~muphilic.beamline.simulate.BeamSample`) is a set of
tables: the decaying mesons (parents), optionally the mesons at production, the
muons entering the dump and those stopping on a wall. Every format uses the same
column names; units on disk are GeV and cm.

* :mod:`~muphilic.beamline.samples.schema` - the columns, their units and species,
  and :class:`SampleFormatError`;
* :mod:`~muphilic.beamline.samples.tables` - a table of columns to samples, with
  the rules every reader applies (physical rows, species named tables, files);
* :mod:`~muphilic.beamline.samples.hdf5_file` - :func:`write_sample`,
  :func:`read_sample` and :func:`is_beam_sample` (the package's own format);
* :mod:`~muphilic.beamline.samples.csv_files` - :func:`read_parents_csv`,
  :func:`read_muons_csv`;
* :mod:`~muphilic.beamline.samples.root_file` - :func:`read_root` (optional
  dependency ``uproot``).

Every name is importable from this package as well as from its module.
"""

from __future__ import annotations

from muphilic.beamline.samples.csv_files import read_muons_csv, read_parents_csv
from muphilic.beamline.samples.hdf5_file import is_beam_sample, read_sample, write_sample
from muphilic.beamline.samples.root_file import read_root
from muphilic.beamline.samples.schema import MUON_COLUMNS, PARENT_COLUMNS, SampleFormatError
from muphilic.beamline.samples.tables import (  # noqa: F401 (two names outside __all__)
    muons_from_table,
    parents_from_table,
)

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
