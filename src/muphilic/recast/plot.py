"""The paper's Fig. 6: exclusions and projections in the (m_S, y) plane.

Shaded regions for exclusions from observed data, hatched regions for
expected sensitivities (modelled background), dashed lines for
projections, the g-2 favoured band (2 sigma, green), the region excluded by
g-2 (grey, the scalar overshooting the measured Delta a_mu by more than
5 sigma), the m_S = 2 m_mu line, logarithmic axes; written as PNG and PDF.
Uses :class:`matplotlib.figure.Figure` directly (no pyplot global state).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath

from muphilic.constants import TWO_M_MU, MeV
from muphilic.files import save_figure
from muphilic.g2 import G2_2023, G2Measurement
from muphilic.recast.contours import exclusion_contour, exclusion_regions
from muphilic.recast.scan import CURVE_KINDS, ScanResult

__all__ = ["EXPERIMENT_COLOURS", "plot_reach"]

#: Colours of the paper's Fig. 6.
EXPERIMENT_COLOURS = {"MiniBooNE": "tab:red", "MicroBooNE": "tab:purple", "SBND": "magenta"}
#: Colours of the other detectors, in the order they come (none is the g-2 band's green
#: or grey, nor one of the paper's three).
_FALLBACK = (
    "tab:blue",
    "tab:orange",
    "tab:brown",
    "tab:olive",
    "tab:cyan",
    "tab:pink",
    "navy",
    "darkgoldenrod",
)


def _colours(scans: Sequence[ScanResult]) -> list[str]:
    """One colour per scan: the paper's for its three detectors, then a distinct one per
    other detector (a detector's discovery curve shares its exclusion curve's colour)."""
    names = [scan.experiment.removesuffix(" discovery") for scan in scans]
    others = [n for n in dict.fromkeys(names) if n not in EXPERIMENT_COLOURS]
    chosen = {n: _FALLBACK[k % len(_FALLBACK)] for k, n in enumerate(others)}
    return [EXPERIMENT_COLOURS.get(n) or chosen[n] for n in names]


#: Legend words of each kind of curve.
_KIND_LEGEND = {"exclusion": "excluded", "expected": "expected", "projection": "projection"}


def _legend_text(scan: ScanResult) -> str:
    what = _KIND_LEGEND[scan.kind]
    if scan.statistic == "asimov_discovery":
        what = "(expected)" if scan.kind == "expected" else "(projection)"
    text = f"{scan.experiment} {what} ({scan.cl_sigma:g}$\\sigma$)"
    return f"{text}\n[{scan.label}]" if scan.label else text


def plot_reach(
    scans: Sequence[ScanResult],
    out: str | Path = "reach",
    g2: G2Measurement = G2_2023,
    formats: Sequence[str] = ("png", "pdf"),
    mass_range_MeV: tuple[float, float] | None = None,
    coupling_range: tuple[float, float] | None = None,
    title: str | None = None,
    footnote: str | None = None,
    bands: Sequence[Any] | None = None,
    band_label: str = "",
) -> list[Path]:
    """Draw the reach plot and write it in each of ``formats``.

    Each scan is drawn as its kind says (:attr:`ScanResult.kind`): a recast of
    observed data (``exclusion``) as a shaded region, an ``expected``
    sensitivity (modelled background) as a hatched region with a solid edge, a
    ``projection`` as a dashed line. Boundary points that lie on the edge of
    the scanned range (where the scan, not the data, cuts the region) are
    marked with crosses.

    Parameters
    ----------
    scans : sequence of ScanResult
        The experiments.
    out : str or Path
        Output path without suffix; ``.png``/``.pdf`` are appended.
    g2 : G2Measurement
        Measurement used for the favoured band and the excluded region.
    formats : sequence of str
        File formats understood by matplotlib.
    mass_range_MeV, coupling_range : tuple of float, optional
        Axis ranges; by default the scanned range of ``scans``.
    title : str, optional
        Axes title.
    footnote : str, optional
        One line under the axes (statistic, POT, beam source).
    bands : sequence, optional
        One :class:`~muphilic.recast.bands.ContourBand` (or None) per scan, shaded
        lightly in the scan's colour around its boundary.
    band_label : str
        Legend text of the bands (what they contain).

    Returns
    -------
    list of Path
        The files written.
    """
    if mass_range_MeV is None:
        mass_range_MeV = (
            min(float(s.masses_MeV[0]) for s in scans),
            max(float(s.masses_MeV[-1]) for s in scans),
        )
    if coupling_range is None:
        coupling_range = (
            min(float(s.couplings[0]) for s in scans),
            max(float(s.couplings[-1]) for s in scans),
        )
    fig = Figure(figsize=(6.4, 5.0 if footnote else 4.8), layout="constrained")
    ax = fig.add_subplot()
    ax.set_xscale("log")
    ax.set_yscale("log")

    m_fine = np.geomspace(*mass_range_MeV, 400) * MeV
    band_lo, band_hi = g2.favoured_band(m_fine, n_sigma=2.0)
    above = g2.excluded_above(m_fine, n_sigma=5.0)
    m_plot = m_fine / MeV
    ax.fill_between(
        m_plot, above, coupling_range[1], color="0.8", lw=0, label=f"excluded by $g-2$ ({g2.label})"
    )
    ax.fill_between(
        m_plot,
        np.maximum(band_lo, coupling_range[0]),
        band_hi,
        color="tab:green",
        alpha=0.6,
        lw=0,
        label=f"$g-2$ favoured, 2$\\sigma$ ({g2.label})",
    )

    clipped = []
    order = sorted(range(len(scans)), key=lambda i: CURVE_KINDS.index(scans[i].kind))
    colours = _colours(scans)
    for i in order:
        scan = scans[i]
        colour = colours[i]
        label = _legend_text(scan)
        discovery = scan.statistic == "asimov_discovery"
        if scan.kind == "projection" or discovery:
            style = (":" if scan.cl_sigma < 5 else "-.") if discovery else "--"
            for seg in exclusion_contour(scan).segments:
                ax.plot(seg[:, 0], seg[:, 1], ls=style, color=colour, lw=1.5, label=label)
                label = None
        else:
            expected = scan.kind == "expected"
            for pts, codes in exclusion_regions(scan):
                ax.add_patch(
                    PathPatch(
                        MplPath(pts, codes),
                        facecolor=colour if not expected else "none",
                        edgecolor=colour,
                        alpha=0.45 if not expected else 0.9,
                        hatch="///" if expected else None,
                        lw=1.0,
                        label=label,
                    )
                )
                label = None
        if bands is not None and bands[i] is not None:
            from muphilic.recast.bands import draw_band

            draw_band(ax, bands[i], colour)
        contour = exclusion_contour(scan)
        for seg, flags in zip(contour.segments, contour.at_scan_edge, strict=True):
            clipped.append(seg[flags])
    if clipped and any(len(c) for c in clipped):
        points = np.concatenate(clipped)
        ax.plot(
            points[:, 0],
            points[:, 1],
            ls="none",
            marker="x",
            ms=4,
            color="k",
            label="region cut by the scanned range",
        )

    if bands is not None and any(b is not None for b in bands) and band_label:
        # one legend entry for every band, in grey: each is shaded in its curve's colour
        ax.fill_between(
            [np.nan], [np.nan], [np.nan], color="0.5", alpha=0.3, lw=0, label=band_label
        )
    if mass_range_MeV[0] < TWO_M_MU / MeV < mass_range_MeV[1]:
        ax.axvline(TWO_M_MU / MeV, color="k", ls=":", lw=1.0)
        ax.text(
            TWO_M_MU / MeV * 0.93,
            coupling_range[0] * 3,
            r"$m_S = 2 m_\mu$",
            rotation=90,
            ha="right",
            va="bottom",
            fontsize=8,
        )
    ax.set_xlim(*mass_range_MeV)
    ax.set_ylim(*coupling_range)
    ax.set_xlabel(r"$m_S$ [MeV]")
    ax.set_ylabel(r"$y$")
    if title:
        ax.set_title(title)
    if footnote:
        fig.get_layout_engine().set(h_pad=0.08)
        fig.supxlabel(textwrap.fill(footnote, width=130), fontsize=6, color="0.3")
    ax.legend(loc="lower left", fontsize=7, framealpha=0.9)
    out = Path(out)
    written = []
    for fmt in formats:
        path = out.with_name(f"{out.name}.{fmt}")
        save_figure(fig, path, dpi=150)
        written.append(path)
    return written
