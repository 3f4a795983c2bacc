"""The MiniBooNE NC pi0 spectra, digitized from arXiv:0911.2063 Fig. 1.

* :func:`miniboone_ncpi0` - neutrino mode, 8 MeV bins, scaled from the published
  "per 1e20 POT" to the analysis's 6.46e20 POT, with the paper's systematics
  :data:`MINIBOONE_SYSTEMATICS` for Eq. (7);
* :func:`miniboone_ncpi0_nubar` - antineutrino mode (Fig. 1(b)), at an exposure
  estimated from the drawn error bars (:func:`pot_from_error_bars`).

The digitized files and their provenance are in ``muphilic/data/recast/README.md``.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike

from muphilic.constants import GeV, MeV
from muphilic.data import data_file
from muphilic.recast.spectra.spectrum import FloatArray, PublishedSpectrum, SpectrumError

__all__ = [
    "MINIBOONE_NUBAR_NCPI0_POT_ESTIMATE",
    "MINIBOONE_SYSTEMATICS",
    "miniboone_ncpi0",
    "miniboone_ncpi0_nubar",
    "miniboone_nubar_error_bar_pot",
    "pot_from_error_bars",
]


#: Fully correlated systematics of the MiniBooNE NC pi0 prediction used by the
#: paper for Eq. (7), from arXiv:0911.2063: flux 12.4 %, cross section 8.4 %,
#: detector 5.1 % (fractions of the background prediction).
MINIBOONE_SYSTEMATICS: Mapping[str, float] = MappingProxyType(
    {"flux": 0.124, "cross_section": 0.084, "detector": 0.051}
)


# ---------------------------------------------------------------------------------
# MiniBooNE (arXiv:0911.2063 Fig. 1, digitized)
# ---------------------------------------------------------------------------------
#: Exposure of the MiniBooNE nu-mode NC pi0 analysis, arXiv:0911.2063 (paper: 6.46e20).
MINIBOONE_NCPI0_POT = 6.46e20
#: The digitized spectrum is published per 1e20 POT.
_MINIBOONE_REFERENCE_POT = 1e20


def _read_columns(name: str) -> FloatArray:
    text = data_file("recast", name).read_text(encoding="utf-8")
    return np.loadtxt(io.StringIO(text), comments="#", ndmin=2)


def _per_bin(points: FloatArray, edges_MeV: FloatArray, what: str) -> FloatArray:
    """Events per bin from digitized (centre, density per MeV) points, one per bin."""
    centres, density = points[:, 0], points[:, 1]
    idx = np.searchsorted(edges_MeV, centres, side="right") - 1
    n = edges_MeV.size - 1
    if np.any(idx < 0) or np.any(idx >= n) or np.unique(idx).size != n or centres.size != n:
        raise SpectrumError(f"{what}: digitized points do not map one-to-one onto the 8 MeV bins")
    width = np.diff(edges_MeV)
    mid = 0.5 * (edges_MeV[1:] + edges_MeV[:-1])
    # The digitization scatters the points by about +-0.5 MeV around the bin centres.
    if np.max(np.abs(centres - mid[idx])) > 0.25 * np.min(width):
        raise SpectrumError(f"{what}: a digitized point lies far from its bin centre")
    out = np.empty(n)
    out[idx] = density * width[idx]
    return out


def miniboone_ncpi0(
    pot: float = MINIBOONE_NCPI0_POT,
    systematics: Mapping[str, float] = MINIBOONE_SYSTEMATICS,
    window_MeV: tuple[float, float] = (32.0, 128.0),
) -> PublishedSpectrum:
    """MiniBooNE nu-mode NC pi0 candidates vs m_gg: data and total prediction.

    Digitized from arXiv:0911.2063 Fig. 1 (nu panel) as events / MeV / 1e20 POT
    in 50 bins of 8 MeV (0-400 MeV); converted here to events per bin
    (density x 8 MeV) and scaled to ``pot``. The fit window and systematics are
    those of the paper (32-128 MeV; Eq. (7) with flux 12.4 %, cross section
    8.4 %, detector 5.1 %).

    Parameters
    ----------
    pot : float
        Exposure to scale to (default 6.46e20, the NC pi0 analysis).
    systematics : Mapping[str, float]
        Fully correlated fractional uncertainties of the prediction.
    window_MeV : tuple[float, float]
        m_gg window of the analysis, MeV.
    """
    edges = _read_columns("Invmass_bin_edges.dat")[:, 0] * GeV / MeV  # the file is in GeV
    data = _per_bin(_read_columns("MB_numode_pi0_data.dat"), edges, "MiniBooNE data")
    bkg = _per_bin(_read_columns("MB_numode_pi0_total_MC.dat"), edges, "MiniBooNE prediction")
    scale = pot / _MINIBOONE_REFERENCE_POT
    return PublishedSpectrum(
        name="MiniBooNE",
        edges_MeV=edges,
        data=data * scale,
        background=bkg * scale,
        pot=pot,
        systematics=dict(systematics),
        window_MeV=window_MeV,
        paper_statistic="covariance",
        asimov=False,
        label="",
        source="arXiv:0911.2063 Fig. 1 (nu mode), digitized (mhostert/MiniBooNE-DarkNews)",
    )


# ---------------------------------------------------------------------------------
# MiniBooNE antineutrino mode (arXiv:0911.2063 Fig. 1(b), nubar sub-panel, digitized)
# ---------------------------------------------------------------------------------
#: Exposure of the MiniBooNE antineutrino-mode NC pi0 sample: an **estimate**. The
#: number of arXiv:0911.2063 was not found in any source available to us; 3.7e20 is
#: what the drawn statistical error bars of the nubar panel imply
#: (:func:`pot_from_error_bars`, which gives 6.3-6.9e20 for the nu panel, whose
#: published exposure is 6.46e20). Replace it when the paper's number is found; the
#: limit's dependence on it is shown in docs/detectors.md.
MINIBOONE_NUBAR_NCPI0_POT_ESTIMATE = 3.7e20

#: The packaged antineutrino-mode spectrum (see ``muphilic/data/recast/README.md``).
MINIBOONE_NUBAR_FILE = "MB_nubarmode_pi0.csv"


def _nubar_table() -> dict[str, FloatArray]:
    text = data_file("recast", MINIBOONE_NUBAR_FILE).read_text(encoding="utf-8")
    rows = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    header = rows[0].split(",")
    cols: dict[str, list[float]] = {h: [] for h in header}
    for row in rows[1:]:
        for h, v in zip(header, row.split(","), strict=True):
            cols[h].append(float(v) if v.strip() else math.nan)
    return {h: np.array(v) for h, v in cols.items()}


def pot_from_error_bars(
    density: ArrayLike, error_bar: ArrayLike, width_MeV: ArrayLike = 8.0
) -> float:
    """The exposure implied by purely statistical error bars of a published density.

    A bin of width w holding N = rho w P events (rho per MeV per unit POT, P the
    exposure in those units) has a statistical error sqrt(N), so the drawn error
    of the density is e = sqrt(rho w P) / (w P) and P = rho / (w e^2). Returns
    the median over the bins with an error bar (NaN entries are skipped), in the
    unit POT of the density (1e20 for the MiniBooNE figure).

    Raises
    ------
    SpectrumError
        If no bin has a positive error bar.
    """
    rho = np.asarray(density, dtype=np.float64)
    err = np.asarray(error_bar, dtype=np.float64)
    width = np.broadcast_to(np.asarray(width_MeV, dtype=np.float64), rho.shape)
    ok = np.isfinite(err) & (err > 0) & (rho > 0)
    if not np.any(ok):
        raise SpectrumError("no bin has a positive error bar to infer the exposure from")
    return float(np.median(rho[ok] / (width[ok] * err[ok] ** 2)))


def miniboone_nubar_error_bar_pot() -> float:
    """The antineutrino-mode exposure implied by the packaged error bars, POT."""
    table = _nubar_table()
    width = table["mgg_high_MeV"] - table["mgg_low_MeV"]
    return pot_from_error_bars(table["data"], table["data_err_bar"], width) * (
        _MINIBOONE_REFERENCE_POT
    )


def miniboone_ncpi0_nubar(
    pot: float = MINIBOONE_NUBAR_NCPI0_POT_ESTIMATE,
    systematics: Mapping[str, float] = MINIBOONE_SYSTEMATICS,
    window_MeV: tuple[float, float] = (32.0, 128.0),
) -> PublishedSpectrum:
    """MiniBooNE antineutrino-mode NC pi0 candidates vs m_gg: data and total prediction.

    Digitized from arXiv:0911.2063 Fig. 1(b) (nubar sub-panel) as events / MeV /
    1e20 POT in 50 bins of 8 MeV (0-400 MeV); converted to events per bin and
    scaled to ``pot``. The window and the systematic fractions are those of the
    neutrino-mode analysis (the paper's nubar-mode fractions were not available;
    the same flux and cross-section model underlies both modes).

    Parameters
    ----------
    pot : float
        Exposure the spectrum is scaled to; default the **estimate**
        :data:`MINIBOONE_NUBAR_NCPI0_POT_ESTIMATE` (3.7e20).
    systematics : Mapping[str, float]
        Fully correlated fractional uncertainties of the prediction.
    window_MeV : tuple[float, float]
        m_gg window of the analysis, MeV.
    """
    table = _nubar_table()
    low, high = table["mgg_low_MeV"], table["mgg_high_MeV"]
    if np.any(np.abs(low[1:] - high[:-1]) > 1e-9):
        raise SpectrumError(f"{MINIBOONE_NUBAR_FILE}: bins are not contiguous")
    width = high - low
    scale = pot / _MINIBOONE_REFERENCE_POT
    estimate = math.isclose(pot, MINIBOONE_NUBAR_NCPI0_POT_ESTIMATE)
    return PublishedSpectrum(
        name="MiniBooNE nubar",
        edges_MeV=np.append(low, high[-1]),
        data=table["data"] * width * scale,
        background=table["mc"] * width * scale,
        pot=pot,
        systematics=dict(systematics),
        window_MeV=window_MeV,
        paper_statistic="covariance",
        asimov=False,
        label="antineutrino-mode POT estimated" if estimate else "",
        source=(
            "arXiv:0911.2063 Fig. 1(b) (nubar mode), digitized"
            + ("; POT estimated from the error bars" if estimate else "")
        ),
    )
