"""Beam samples as HDF5 files: :func:`write_sample`, :func:`read_sample` and their layout.

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

import json
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from muphilic.beamline.samples.schema import FloatArray, SampleFormatError
from muphilic.beamline.samples.tables import (
    _merge_parents,
    _require_file,
    _require_rows,
    muons_from_table,
    parents_from_table,
)
from muphilic.beamline.simulate import BeamSample
from muphilic.constants import GeV, cm
from muphilic.events import MuonSample, ParentSample
from muphilic.files import atomic_write

__all__ = ["is_beam_sample", "read_sample", "write_sample"]

_FORMAT = "muphilic.beam"
_VERSION = 1
_UNITS = {"energy": "GeV", "momentum": "GeV/c", "position": "cm", "weight": "per POT"}


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
