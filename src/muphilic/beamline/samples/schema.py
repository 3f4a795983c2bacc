"""The column schema of a beam sample: the columns of its tables, their units and species.

Every format (HDF5 groups, ROOT trees, CSV files) uses the same column names;
units on disk are GeV and cm.

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

A file or table that breaks the schema raises :class:`SampleFormatError`, whose
message names the file, table, row or column at fault.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from muphilic.constants import m_K, m_K0L, m_pi
from muphilic.errors import MuphilicError

__all__ = ["MUON_COLUMNS", "PARENT_COLUMNS", "SampleFormatError"]

FloatArray = NDArray[np.float64]

PARENT_COLUMNS = ("pdg", "E", "px", "py", "pz", "x", "y", "z", "weight")
MUON_COLUMNS = ("E", "px", "py", "pz", "x", "y", "z", "weight", "charge")
_NAMES = {211: "pi+", -211: "pi-", 321: "K+", -321: "K-", 130: "K0L"}
_PDG = {v: k for k, v in _NAMES.items()}
_MASSES = {211: m_pi, -211: m_pi, 321: m_K, -321: m_K, 130: m_K0L}


class SampleFormatError(MuphilicError):
    """A sample file lacks a column or holds a bad value; the message names it."""
