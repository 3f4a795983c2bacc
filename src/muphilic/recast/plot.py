"""The paper's Fig. 6: exclusions and projections in the (m_S, y) plane.

Shaded regions for exclusions from existing data, dashed lines for
projections, the g-2 favoured band (2 sigma, green), the region excluded by
g-2 (grey, the scalar overshooting the measured Delta a_mu by more than
5 sigma), the m_S = 2 m_mu line, logarithmic axes; written as PNG and PDF.
Uses :class:`matplotlib.figure.Figure` directly (no pyplot global state).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath

from muphilic.constants import TWO_M_MU, MeV
from muphilic.files import save_figure
from muphilic.g2 import G2_2023, G2Measurement
from muphilic.recast.contours import exclusion_contour, exclusion_regions
from muphilic.recast.scan import ScanResult

__all__ = ["EXPERIMENT_COLOURS", "plot_reach"]

#: Colours of the paper's Fig. 6.
EXPERIMENT_COLOURS = {"MiniBooNE": "tab:red", "MicroBooNE": "tab:purple", "SBND": "magenta"}
_FALLBACK = ("tab:blue", "tab:orange", "tab:brown", "tab:olive", "tab:cyan")


def _colour(name: str, i: int) -> str:
    return EXPERIMENT_COLOURS.get(name, _FALLBACK[i % len(_FALLBACK)])


def _legend_text(scan: ScanResult, suffix: str) -> str:
    text = f"{scan.experiment} {suffix} ({scan.cl_sigma:g}$\\sigma$)"
    return f"{text}\n[{scan.label}]" if scan.label else text


def plot_reach(
    exclusions: Sequence[ScanResult],
    projections: Sequence[ScanResult] = (),
    out: str | Path = "reach",
    g2: G2Measurement = G2_2023,
    formats: Sequence[str] = ("png", "pdf"),
    mass_range_MeV: tuple[float, float] = (1.0, 300.0),
    coupling_range: tuple[float, float] = (1e-7, 1e-1),
    title: str | None = None,
) -> list[Path]:
    """Draw the reach plot and write it in each of ``formats``.

    Parameters
    ----------
    exclusions : sequence of ScanResult
        Shaded as excluded regions.
    projections : sequence of ScanResult
        Drawn as dashed contours.
    out : str or Path
        Output path without suffix; ``.png``/``.pdf`` are appended.
    g2 : G2Measurement
        Measurement used for the favoured band and the excluded region.
    formats : sequence of str
        File formats understood by matplotlib.
    mass_range_MeV, coupling_range : tuple of float
        Axis ranges.
    title : str, optional
        Axes title.

    Returns
    -------
    list of Path
        The files written.
    """
    fig = Figure(figsize=(6.4, 4.8), layout="constrained")
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

    for i, scan in enumerate(exclusions):
        colour = _colour(scan.experiment, i)
        for n, (pts, codes) in enumerate(exclusion_regions(scan)):
            ax.add_patch(
                PathPatch(
                    MplPath(pts, codes),
                    facecolor=colour,
                    edgecolor=colour,
                    alpha=0.45,
                    lw=1.0,
                    label=_legend_text(scan, "excluded") if n == 0 else None,
                )
            )
    for i, scan in enumerate(projections):
        colour = _colour(scan.experiment, i + len(exclusions))
        contour = exclusion_contour(scan, kind="projection")
        for n, seg in enumerate(contour.segments):
            ax.plot(
                seg[:, 0],
                seg[:, 1],
                ls="--",
                color=colour,
                lw=1.5,
                label=_legend_text(scan, "projection") if n == 0 else None,
            )

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
    ax.legend(loc="upper left", fontsize=7, framealpha=0.9)
    out = Path(out)
    written = []
    for fmt in formats:
        path = out.with_name(f"{out.name}.{fmt}")
        save_figure(fig, path, dpi=150)
        written.append(path)
    return written
