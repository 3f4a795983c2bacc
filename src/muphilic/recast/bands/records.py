"""What a band leaves behind: the ``band`` table of ``run.json``, the CSV file and the plot.

:func:`band_record` summarises each contour's Monte Carlo width and each
variation's shifts at :data:`BAND_MASSES_MEV`; :func:`write_band_csv` writes one
contour's band; :func:`draw_band` shades it on a plot.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from muphilic.files import atomic_write
from muphilic.recast.bands.contour_band import ContourBand
from muphilic.recast.bands.variations import VARIATIONS

__all__ = [
    "BAND_MASSES_MEV",
    "band_file_name",
    "band_legend",
    "band_record",
    "draw_band",
    "write_band_csv",
]


#: Masses at which the files and the documentation quote each variation's shift, MeV.
BAND_MASSES_MEV = (20.0, 40.0, 60.0, 100.0)


# --- records and files -----------------------------------------------------------------
def band_legend(names: Sequence[str]) -> str:
    """What a plotted band holds, in words (the legend's text)."""
    short = {
        "efficiency_up": "efficiency",
        "efficiency_down": "efficiency",
        "resolution_up": "resolution",
        "resolution_down": "resolution",
        "track_mass_truth": "track mass",
        "stat_likelihood": "statistic",
        "dedx_bethe": "dE/dx",
        "form_factor_tsai": "form factor",
        "production_urqmd": "production",
        "production_sibyll": "production",
        "kaon_absorption_off": "kaon absorption",
        "multiple_scattering_off": "multiple scattering",
    }
    words = list(dict.fromkeys(short[n] for n in names))
    what = f" and {', '.join(words)}" if words else ""
    if "efficiency" in words or "resolution" in words:
        what += " (eff./res. $\\pm$25 %)"
    return f"bands: MC error (16-84 %){what}"


def _json(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def band_record(
    bands: Mapping[str, ContourBand], names: Sequence[str], g2_band: Any
) -> dict[str, Any]:
    """The ``band`` table of ``run.json``: the Monte Carlo width of each contour and,
    per variation and experiment, how far each boundary moved (y_var / y - 1) at
    :data:`BAND_MASSES_MEV` and at most over the scan."""
    masses = [f"{m:g}" for m in BAND_MASSES_MEV]
    mc = {}
    for key, band in bands.items():
        in_g2 = band.mc_width_in(g2_band)
        mc[key] = {
            "replicas": band.n_replicas,
            "median_relative_width": _json(band.median_mc_relative_width()),
            "max_relative_width_in_g2_band": _json(in_g2),
            "below_3_percent_in_g2_band": None if in_g2 is None else bool(in_g2 < 0.03),
        }
    table: dict[str, Any] = {}
    for v in VARIATIONS:
        entry: dict[str, Any] = {"description": v.description, "stage": v.stage}
        if v.name not in names:
            entry.update(status="off", reason=v.reason or "not asked for")
        else:
            entry["status"] = "run"
            per: dict[str, Any] = {}
            for key, band in bands.items():
                if v.name not in band.variations:
                    per[key] = {"applies": False}
                    continue
                row: dict[str, Any] = {"applies": True}
                for edge in ("lower", "upper"):
                    shifts = band.shift_at(v.name, edge, BAND_MASSES_MEV)
                    row[f"{edge}_shift_at_MeV"] = dict(zip(masses, shifts, strict=True))
                    all_shifts = band.shift(v.name, edge)
                    all_shifts = all_shifts[np.isfinite(all_shifts)]
                    row[f"{edge}_max_abs_shift"] = (
                        float(np.max(np.abs(all_shifts))) if all_shifts.size else None
                    )
                per[key] = row
            entry["experiments"] = per
        table[v.name] = entry
    return {
        "contains": band_legend(names),
        "shift": "y_variation / y_central - 1 of each boundary (lower, upper) in y",
        "mc_width": "(y_84 - y_16) / y of the Monte Carlo band (jackknife over R replicas)",
        "variations_run": list(names),
        "mc": mc,
        "variations": table,
    }


def band_file_name(key: str) -> str:
    """The CSV file of experiment ``key``'s band."""
    return f"band_{Path(key).stem}.csv"


def write_band_csv(band: ContourBand, path: str | Path, legend: str = "") -> Path:
    """One row per scanned mass and edge: ``m_S_MeV, edge, y_central, y_mc_low,
    y_mc_high, y_band_low, y_band_high`` and ``y_<variation>`` for each variation
    (empty where a boundary is not defined), after ``# key: value`` metadata."""
    buffer = io.StringIO()
    buffer.write(f"# experiment: {band.experiment}\n")
    buffer.write(f"# contains: {legend}\n")
    buffer.write(f"# mc_replicas: {band.n_replicas}\n")
    names = list(band.variations)
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        ["m_S_MeV", "edge", "y_central", "y_mc_low", "y_mc_high", "y_band_low", "y_band_high"]
        + [f"y_{n}" for n in names]
    )

    def fmt(x: float) -> str:
        return f"{x:.17g}" if math.isfinite(x) else ""

    for edge in ("lower", "upper"):
        env_lo, env_hi = band.envelope(edge)
        for i, mass in enumerate(band.masses_MeV):
            cells = [band.central[edge][i], band.mc_low[edge][i], band.mc_high[edge][i]]
            cells += [env_lo[i], env_hi[i]] + [band.variations[n][edge][i] for n in names]
            writer.writerow([f"{mass:.17g}", edge, *(fmt(float(c)) for c in cells)])
    atomic_write(Path(path), buffer.getvalue())
    return Path(path)


def draw_band(ax: Any, band: ContourBand, colour: str, label: str | None = None) -> None:
    """Shade the band of each edge of a contour lightly in ``colour`` on ``ax``."""
    for edge in ("lower", "upper"):
        low, high = band.envelope(edge)
        where = np.isfinite(low) & np.isfinite(high)
        if not np.any(where):
            continue
        ax.fill_between(
            band.masses_MeV,
            np.where(where, low, np.nan),
            np.where(where, high, np.nan),
            where=where,
            color=colour,
            alpha=0.2,
            lw=0,
            label=label,
        )
        label = None
