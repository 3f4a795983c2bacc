"""Writers (and readers, for round trips) of exclusion contours and the g-2 band.

Every contour carries its ``kind``: ``exclusion`` (a recast of observed data),
``expected`` (a modelled or Asimov background with the present data set) or
``projection`` (a future exposure), and flags the boundary points that lie on
the edge of the scanned (m_S, y) range (``at_scan_edge``: there the region is
cut by the scan and the true boundary lies further out).

* CSV, one file per contour: metadata as ``# key: value`` lines, then columns
  ``segment,m_S_MeV,y,at_scan_edge`` (``segment`` numbers the polylines from 0,
  ``at_scan_edge`` is 0 or 1).
* JSON, all contours in one file: ``{"contours": [{"experiment", "cl_sigma",
  "statistic", "label", "kind", "segments": [[[m_S_MeV, y], ...], ...],
  "at_scan_edge": [[0 or 1, ...], ...]}, ...]}`` plus any extra top-level keys
  the caller adds (e.g. ``g2_band_excluded_MeV``).
* HEPData-style YAML: one YAML document per polyline, each a HEPData table with
  ``independent_variables`` (m_S in MeV) and ``dependent_variables`` (y, with
  qualifiers naming experiment, confidence, statistic, kind, segment; and the
  ``at_scan_edge`` flags).
* The g-2 band (:func:`write_g2_band_csv`): columns ``m_S_MeV``,
  ``y_favoured_low``, ``y_favoured_high``, ``y_excluded_above``.

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

from muphilic.constants import MeV
from muphilic.errors import MuphilicError
from muphilic.files import atomic_write
from muphilic.g2 import G2Measurement
from muphilic.recast.contours import ExclusionContour

__all__ = [
    "OutputError",
    "read_contour_csv",
    "read_contours_json",
    "read_hepdata_yaml",
    "write_contour_csv",
    "write_contours_json",
    "write_g2_band_csv",
    "write_hepdata_yaml",
]


class OutputError(MuphilicError):
    """A contour file cannot be read back (missing field or column)."""


_META_KEYS = ("experiment", "cl_sigma", "statistic", "label", "kind")


#: What each kind of curve is, in words (CSV headers, HEPData descriptions, plot legends).
KIND_WORDS = {
    "exclusion": "excluded by observed data",
    "expected": "expected sensitivity (modelled background, present data set)",
    "projection": "projected sensitivity (future exposure)",
}


def _meta(contour: ExclusionContour) -> dict[str, Any]:
    return {
        "experiment": contour.experiment,
        "cl_sigma": contour.cl_sigma,
        "statistic": contour.statistic,
        "label": contour.label,
        "kind": contour.kind,
    }


def _contour(
    meta: Mapping[str, Any],
    segments: Sequence[Any],
    where: str,
    at_edge: Sequence[Any] | None = None,
) -> ExclusionContour:
    for key in ("experiment", "cl_sigma", "statistic", "kind"):
        if key not in meta:
            raise OutputError(f"{where}: missing field {key!r}")
    try:
        return ExclusionContour(
            experiment=str(meta["experiment"]),
            cl_sigma=float(meta["cl_sigma"]),
            statistic=str(meta["statistic"]),
            segments=tuple(np.asarray(seg, dtype=np.float64).reshape(-1, 2) for seg in segments),
            label=str(meta.get("label", "")),
            kind=str(meta["kind"]),
            at_scan_edge=tuple(np.asarray(f, dtype=bool) for f in at_edge or ()),
        )
    except ValueError as err:
        raise OutputError(f"{where}: {err}") from None


# --- CSV ---------------------------------------------------------------------------
def write_contour_csv(contour: ExclusionContour, path: str | Path) -> Path:
    """Write one contour as CSV (columns ``segment,m_S_MeV,y,at_scan_edge``)."""
    path = Path(path)
    lines = [f"# {key}: {value}" for key, value in _meta(contour).items()]
    lines.append(f"# meaning: {KIND_WORDS[contour.kind]}")
    lines.append("# at_scan_edge: 1 where the region is cut by the scanned range")
    lines.append("segment,m_S_MeV,y,at_scan_edge")
    for i, (seg, flags) in enumerate(zip(contour.segments, contour.at_scan_edge, strict=True)):
        rows = zip(seg, flags, strict=True)
        lines.extend(f"{i},{m:.17g},{y:.17g},{int(f)}" for (m, y), f in rows)
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
    i_edge = header.index("at_scan_edge") if "at_scan_edge" in header else None
    segments: dict[int, list[tuple[float, float]]] = {}
    flags: dict[int, list[bool]] = {}
    for row in rows:
        segments.setdefault(int(row[i_seg]), []).append((float(row[i_m]), float(row[i_y])))
        flags.setdefault(int(row[i_seg]), []).append(i_edge is not None and row[i_edge] == "1")
    order = sorted(segments)
    return _contour(meta, [segments[k] for k in order], str(path), [flags[k] for k in order])


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
            {
                **_meta(c),
                "segments": [seg.tolist() for seg in c.segments],
                "at_scan_edge": [f.astype(int).tolist() for f in c.at_scan_edge],
            }
            for c in contours
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
        _contour(c, c.get("segments", []), f"{path}: contour {i}", c.get("at_scan_edge"))
        for i, c in enumerate(doc["contours"])
    ]
    extra = {k: v for k, v in doc.items() if k not in ("contours", "units")}
    return contours, extra


# --- HEPData-style YAML ------------------------------------------------------------
def _hepdata_table(
    contour: ExclusionContour, i: int, seg: np.ndarray, at_edge: np.ndarray
) -> dict[str, Any]:
    label = f" ({contour.label})" if contour.label else ""
    return {
        "name": f"{contour.experiment} {contour.kind} contour {i}",
        "description": (
            f"{contour.experiment}{label}, {KIND_WORDS[contour.kind]}: boundary at "
            f"{contour.cl_sigma:g} sigma in the (m_S, y) plane of a scalar coupled to muons "
            f"(L = y S mu-bar mu), test statistic {contour.statistic}. Points with "
            "at_scan_edge = 1 lie on the edge of the scanned range."
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
            },
            {
                "header": {"name": "at_scan_edge", "units": ""},
                "values": [{"value": int(f)} for f in at_edge],
            },
        ],
    }


def write_hepdata_yaml(contours: Sequence[ExclusionContour], path: str | Path) -> Path:
    """Write every polyline of every contour as one HEPData-style table
    (a multi-document YAML file, one document per table)."""
    path = Path(path)
    tables = [
        _hepdata_table(c, i, seg, flags)
        for c in contours
        for i, (seg, flags) in enumerate(zip(c.segments, c.at_scan_edge, strict=True))
    ]
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
            extra = table["dependent_variables"][1:]
            flags = [v["value"] == 1 for v in extra[0]["values"]] if extra else [False] * len(y)
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
        entry = grouped.setdefault(key, {"meta": meta, "segments": [], "flags": []})
        entry["segments"].append(np.column_stack([m, y]))
        entry["flags"].append(flags)
    return [_contour(e["meta"], e["segments"], str(path), e["flags"]) for e in grouped.values()]


# --- the g-2 band ------------------------------------------------------------------
def write_g2_band_csv(
    g2: G2Measurement,
    mass_range_MeV: tuple[float, float],
    path: str | Path,
    n_sigma: float = 2.0,
    excluded_sigma: float = 5.0,
    n_points: int = 400,
) -> Path:
    """Write the g-2 favoured band and the g-2-excluded region as CSV.

    Columns ``m_S_MeV``, ``y_favoured_low``, ``y_favoured_high`` (the band where
    the scalar brings Delta a_mu within ``n_sigma`` of the measured discrepancy)
    and ``y_excluded_above`` (couplings above it overshoot by more than
    ``excluded_sigma``), at ``n_points`` log-spaced masses.
    """
    masses = np.geomspace(*mass_range_MeV, n_points)
    low, high = g2.favoured_band(masses * MeV, n_sigma=n_sigma)
    above = g2.excluded_above(masses * MeV, n_sigma=excluded_sigma)
    lines = [
        f"# g-2 measurement: {g2.label}",
        f"# y_favoured_low, y_favoured_high: Delta a_mu within {n_sigma:g} sigma of the "
        "measured discrepancy (low = 0: the band reaches y = 0)",
        f"# y_excluded_above: Delta a_mu above the discrepancy by > {excluded_sigma:g} sigma",
        "m_S_MeV,y_favoured_low,y_favoured_high,y_excluded_above",
    ]
    lines.extend(
        f"{m:.17g},{lo:.17g},{hi:.17g},{ab:.17g}"
        for m, lo, hi, ab in zip(masses, low, high, above, strict=True)
    )
    return atomic_write(path, "\n".join(lines) + "\n")
