"""Writers (and readers, for round trips) of exclusion contours.

* CSV, one file per contour: metadata as ``# key: value`` lines, then columns
  ``segment,m_S_MeV,y`` (``segment`` numbers the polylines from 0).
* JSON, all contours in one file: ``{"contours": [{"experiment", "cl_sigma",
  "statistic", "label", "kind", "segments": [[[m_S_MeV, y], ...], ...]}, ...]}``
  plus any extra top-level keys the caller adds (e.g. ``g2_band_excluded_MeV``).
* HEPData-style YAML: one YAML document per polyline, each a HEPData table with
  ``independent_variables`` (m_S in MeV) and ``dependent_variables`` (y, with
  qualifiers naming experiment, confidence, statistic, segment).

Floats are written with 17 significant digits, so reading gives back the
same numbers bit for bit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from muphilic.errors import MuphilicError
from muphilic.files import atomic_write
from muphilic.recast.contours import ExclusionContour

__all__ = [
    "OutputError",
    "read_contour_csv",
    "read_contours_json",
    "read_hepdata_yaml",
    "write_contour_csv",
    "write_contours_json",
    "write_hepdata_yaml",
]


class OutputError(MuphilicError):
    """A contour file cannot be read back (missing field or column)."""


_META_KEYS = ("experiment", "cl_sigma", "statistic", "label", "kind")


def _meta(contour: ExclusionContour) -> dict[str, Any]:
    return {
        "experiment": contour.experiment,
        "cl_sigma": contour.cl_sigma,
        "statistic": contour.statistic,
        "label": contour.label,
        "kind": contour.kind,
    }


def _contour(meta: Mapping[str, Any], segments: Sequence[Any], where: str) -> ExclusionContour:
    for key in ("experiment", "cl_sigma", "statistic"):
        if key not in meta:
            raise OutputError(f"{where}: missing field {key!r}")
    return ExclusionContour(
        experiment=str(meta["experiment"]),
        cl_sigma=float(meta["cl_sigma"]),
        statistic=str(meta["statistic"]),
        segments=tuple(np.asarray(seg, dtype=np.float64).reshape(-1, 2) for seg in segments),
        label=str(meta.get("label", "")),
        kind=str(meta.get("kind", "exclusion")),
    )


# --- CSV ---------------------------------------------------------------------------
def write_contour_csv(contour: ExclusionContour, path: str | Path) -> Path:
    """Write one contour as CSV (columns ``segment,m_S_MeV,y``)."""
    path = Path(path)
    lines = [f"# {key}: {value}" for key, value in _meta(contour).items()]
    lines.append("segment,m_S_MeV,y")
    for i, seg in enumerate(contour.segments):
        lines.extend(f"{i},{m:.17g},{y:.17g}" for m, y in seg)
    atomic_write(path, "\n".join(lines) + "\n")
    return path


def read_contour_csv(path: str | Path) -> ExclusionContour:
    """Read a file written by :func:`write_contour_csv`."""
    path = Path(path)
    meta: dict[str, str] = {}
    rows: list[list[str]] = []
    header: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            meta[key.strip()] = value.strip()
        elif line.strip():
            if header is None:
                header = [h.strip() for h in line.split(",")]
            else:
                rows.append(line.split(","))
    if header is None:
        raise OutputError(f"{path}: no header row")
    for col in ("segment", "m_S_MeV", "y"):
        if col not in header:
            raise OutputError(f"{path}: missing column {col!r}")
    i_seg, i_m, i_y = (header.index(c) for c in ("segment", "m_S_MeV", "y"))
    segments: dict[int, list[tuple[float, float]]] = {}
    for row in rows:
        segments.setdefault(int(row[i_seg]), []).append((float(row[i_m]), float(row[i_y])))
    return _contour(meta, [segments[k] for k in sorted(segments)], str(path))


# --- JSON --------------------------------------------------------------------------
def write_contours_json(
    contours: Sequence[ExclusionContour],
    path: str | Path,
    extra: Mapping[str, Any] | None = None,
) -> Path:
    """Write all contours (and the ``extra`` top-level keys) to one JSON file."""
    path = Path(path)
    doc: dict[str, Any] = {
        "units": {"m_S": "MeV", "y": "dimensionless"},
        "contours": [
            {**_meta(c), "segments": [seg.tolist() for seg in c.segments]} for c in contours
        ],
    }
    if extra:
        doc.update(extra)
    atomic_write(path, json.dumps(doc, indent=1, allow_nan=False) + "\n")
    return path


def read_contours_json(path: str | Path) -> tuple[list[ExclusionContour], dict[str, Any]]:
    """Read a file written by :func:`write_contours_json`: (contours, other keys)."""
    path = Path(path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    if "contours" not in doc:
        raise OutputError(f"{path}: missing field 'contours'")
    contours = [
        _contour(c, c.get("segments", []), f"{path}: contour {i}")
        for i, c in enumerate(doc["contours"])
    ]
    extra = {k: v for k, v in doc.items() if k not in ("contours", "units")}
    return contours, extra


# --- HEPData-style YAML ------------------------------------------------------------
def _hepdata_table(contour: ExclusionContour, i: int, seg: np.ndarray) -> dict[str, Any]:
    label = f" ({contour.label})" if contour.label else ""
    return {
        "name": f"{contour.experiment} {contour.kind} contour {i}",
        "description": (
            f"Boundary of the region {'excluded' if contour.kind == 'exclusion' else 'projected'}"
            f" at {contour.cl_sigma:g} sigma by {contour.experiment}{label} in the (m_S, y) plane "
            f"of a scalar coupled to muons (L = y S mu-bar mu), test statistic {contour.statistic}."
        ),
        "keywords": [
            {"name": "observables", "values": ["Exclusion contour"]},
            {"name": "reactions", "values": ["P BE --> S X", "S --> GAMMA GAMMA"]},
        ],
        "independent_variables": [
            {
                "header": {"name": "m_S", "units": "MeV"},
                "values": [{"value": float(m)} for m in seg[:, 0]],
            }
        ],
        "dependent_variables": [
            {
                "header": {"name": "y", "units": ""},
                "qualifiers": [
                    {"name": "experiment", "value": contour.experiment},
                    {"name": "CL", "value": f"{contour.cl_sigma:.17g} sigma"},
                    {"name": "statistic", "value": contour.statistic},
                    {"name": "kind", "value": contour.kind},
                    {"name": "label", "value": contour.label},
                    {"name": "segment", "value": i},
                ],
                "values": [{"value": float(y)} for y in seg[:, 1]],
            }
        ],
    }


def write_hepdata_yaml(contours: Sequence[ExclusionContour], path: str | Path) -> Path:
    """Write every polyline of every contour as one HEPData-style table
    (a multi-document YAML file, one document per table)."""
    path = Path(path)
    tables = [_hepdata_table(c, i, seg) for c in contours for i, seg in enumerate(c.segments)]
    atomic_write(path, yaml.safe_dump_all(tables, sort_keys=False))
    return path


def read_hepdata_yaml(path: str | Path) -> list[ExclusionContour]:
    """Read a file written by :func:`write_hepdata_yaml` back into contours."""
    path = Path(path)
    grouped: dict[tuple[str, ...], dict[str, Any]] = {}
    for n, table in enumerate(yaml.safe_load_all(path.read_text(encoding="utf-8"))):
        try:
            m = [v["value"] for v in table["independent_variables"][0]["values"]]
            dep = table["dependent_variables"][0]
            y = [v["value"] for v in dep["values"]]
            qual = {q["name"]: q["value"] for q in dep["qualifiers"]}
        except (KeyError, IndexError, TypeError) as err:
            raise OutputError(f"{path}: table {n}: missing field {err}") from None
        meta = {
            "experiment": qual.get("experiment"),
            "cl_sigma": float(str(qual.get("CL", "nan")).split()[0]),
            "statistic": qual.get("statistic"),
            "label": qual.get("label", ""),
            "kind": qual.get("kind", "exclusion"),
        }
        key = tuple(str(meta[k]) for k in _META_KEYS)
        entry = grouped.setdefault(key, {"meta": meta, "segments": []})
        entry["segments"].append(np.column_stack([m, y]))
    return [_contour(e["meta"], e["segments"], str(path)) for e in grouped.values()]
