"""Fig. 5-style plot of a signal spectrum: channels stacked on the background, with data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

from muphilic.detectors.spectrum import CHANNELS, SignalSpectrum, SpectrumError
from muphilic.files import save_figure

__all__ = ["plot_spectrum"]

_CHANNEL_STYLE = {
    "kaon": ("#1f77b4", r"$K^\pm \to \mu^\pm \nu S$"),
    "pion": ("#2ca02c", r"$\pi^\pm \to \mu^\pm \nu S$"),
    "muon": ("#ff7f0e", r"$\mu N \to \mu N S$ (dump)"),
}


def _per_bin(name: str, values: ArrayLike | None, n_bins: int) -> np.ndarray | None:
    if values is None:
        return None
    array = np.asarray(values, dtype=np.float64)
    if array.shape != (n_bins,):
        raise SpectrumError(f"{name} must have one value per bin ({n_bins}), got {array.shape}")
    return array


def plot_spectrum(
    spectrum: SignalSpectrum,
    coupling_index: int,
    path: str | Path,
    background: ArrayLike | None = None,
    data: ArrayLike | None = None,
    data_errors: ArrayLike | None = None,
) -> Path:
    """Draw the m_gg spectrum of one coupling of ``spectrum`` and save it to ``path``.

    The signal of each channel is stacked on top of the background (grey), as
    in Fig. 5 of the paper; data are points with error bars (``data_errors``,
    or sqrt(N) if not given).

    Parameters
    ----------
    spectrum : SignalSpectrum
        Output of :func:`muphilic.detectors.signal_spectrum`.
    coupling_index : int
        Which coupling of the grid to draw.
    path : str or Path
        Output file; the format follows the suffix (png, pdf, svg).
    background, data, data_errors : (B,) array_like, optional
        Events per bin for the same POT and bins.

    Returns
    -------
    Path
        The file written.
    """
    from matplotlib.figure import Figure

    n = spectrum.couplings.shape[0]
    if not -n <= coupling_index < n:
        raise SpectrumError(f"coupling_index {coupling_index} out of range for {n} couplings")
    n_bins = spectrum.n_bins
    bkg = _per_bin("background", background, n_bins)
    obs = _per_bin("data", data, n_bins)
    err = _per_bin("data_errors", data_errors, n_bins)
    edges = spectrum.edges_MeV
    centres = 0.5 * (edges[1:] + edges[:-1])

    fig = Figure(figsize=(6.4, 4.4), layout="constrained")
    ax = fig.add_subplot()
    base = np.zeros(n_bins) if bkg is None else bkg.copy()
    if bkg is not None:
        ax.stairs(bkg, edges, fill=True, color="0.8", label="background")
    channels = list(CHANNELS) + [c for c in spectrum.by_channel if c not in CHANNELS]
    for channel in channels:
        if channel not in spectrum.by_channel:
            continue
        values = spectrum.by_channel[channel][coupling_index]
        if not np.any(values > 0):
            continue
        color, label = _CHANNEL_STYLE.get(channel, (None, channel))
        ax.stairs(
            base + values, edges, baseline=base, fill=True, alpha=0.75, color=color, label=label
        )
        base = base + values
    ax.stairs(
        base, edges, color="k", linewidth=1.2, label="total" if bkg is None else "bkg + signal"
    )
    if obs is not None:
        yerr = np.sqrt(np.maximum(obs, 0.0)) if err is None else err
        ax.errorbar(centres, obs, yerr=yerr, fmt="o", color="k", markersize=4, label="data")
    y = spectrum.couplings[coupling_index]
    ax.set_title(
        f"{spectrum.detector}: $m_S$ = {spectrum.mass:g} MeV, $y$ = {y:.3g}, {spectrum.pot:.3g} POT"
    )
    ax.set_xlabel(r"$m_{\gamma\gamma}$ [MeV]")
    ax.set_ylabel("events / bin")
    ax.set_xlim(edges[0], edges[-1])
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False, fontsize="small")
    out = Path(path)
    save_figure(fig, out, dpi=150)
    return out
