"""Published (or modelled) diphoton-mass spectra that the signal is compared with.

A :class:`PublishedSpectrum` holds, per bin of reconstructed m_gg: the observed
events, the background prediction, the protons on target (POT) they belong to,
the fractional, fully bin-to-bin correlated systematic uncertainties of the
background prediction, and the m_gg window of the analysis.

Three sources
-------------
* :func:`miniboone_ncpi0` - MiniBooNE nu-mode NC pi0 candidates, arXiv:0911.2063
  Fig. 1 (digitized; see ``muphilic/data/recast/README.md``), 8 MeV bins, scaled
  from the published "per 1e20 POT" to the analysis's 6.46e20 POT.
* :func:`microboone_ncpi0_0p` - MicroBooNE / SBND NC pi0 0p: the real spectrum is
  not public, so the background is modelled (:func:`modelled_components`: NC pi0
  peak, broad beam-related and cosmic components, normalised to the published
  MicroBooNE 2gamma0p selection totals and scaled by flux, mass and POT) and
  used as Asimov data ("expected, modelled background").
  :func:`modelled_background` is the older cross-section estimate of the NC pi0
  part alone (flux x cross section x argon nuclei x POT x efficiency).
* :func:`read_spectrum_csv` - a user's real spectrum in the documented CSV format
  (see :data:`CSV_FORMAT`), which replaces the model.

The covariance of paper Eq. (7)
-------------------------------
``M_ij = d_i delta_ij + (f_flux^2 + f_xsec^2 + f_det^2) b_i b_j``: the statistical
variance of the observed counts d on the diagonal, and each systematic as a
fully correlated normalisation uncertainty **of the background prediction b**.
Why b (and not the data, nor s + b): the 12.4 % (flux), 8.4 % (cross section) and
5.1 % (detector) of arXiv:0911.2063 are the uncertainties of the NC pi0
*prediction*; the observed counts carry only their statistical error; and the
signal's own normalisation is a separate (flux and model) uncertainty that the
paper does not include. With b the matrix does not depend on the tested signal,
so it is factorised once per spectrum and Eq. (7) is one quadratic form over the
whole coupling grid. Three fully correlated sources of the same shape add up to
one normalisation uncertainty of sqrt(sum f^2) = 15.8 %; this is also the width of
the nuisance parameter of the profile likelihood
(:class:`muphilic.recast.statistics.ProfileLikelihood`).
"""

from __future__ import annotations

import csv
import io
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from muphilic.constants import (
    M_MOLAR_ARGON,
    N_AVOGADRO,
    SIGMA_NCPI0_0P_MICROBOONE,
    GeV,
    MeV,
    cm2,
    m_pi0,
    tonne,
)
from muphilic.data import data_file
from muphilic.errors import MuphilicError, shown

__all__ = [
    "BROAD_MAX_MEV",
    "CSV_FORMAT",
    "MAX_SPECTRUM_BINS",
    "MAX_SPECTRUM_BYTES",
    "MICROBOONE_PAPER",
    "MINIBOONE_NUBAR_NCPI0_POT_ESTIMATE",
    "MINIBOONE_SYSTEMATICS",
    "MODELLED_LABEL",
    "SBND_PAPER",
    "MicroBooNEModel",
    "PublishedSpectrum",
    "SelectionTotals",
    "SpectrumError",
    "argon_nuclei",
    "gaussian_peak_fractions",
    "microboone_0p_selection",
    "microboone_ncpi0_0p",
    "miniboone_ncpi0",
    "miniboone_ncpi0_nubar",
    "miniboone_nubar_error_bar_pot",
    "modelled_background",
    "modelled_components",
    "pair_mass_fractions",
    "pot_from_error_bars",
    "read_spectrum_csv",
    "write_spectrum_csv",
]

FloatArray = NDArray[np.float64]

#: Label carried by every result built on a modelled (not measured) spectrum.
MODELLED_LABEL = "expected, modelled background"

#: Fully correlated systematics of the MiniBooNE NC pi0 prediction used by the
#: paper for Eq. (7), from arXiv:0911.2063: flux 12.4 %, cross section 8.4 %,
#: detector 5.1 % (fractions of the background prediction).
MINIBOONE_SYSTEMATICS: Mapping[str, float] = MappingProxyType(
    {"flux": 0.124, "cross_section": 0.084, "detector": 0.051}
)


class SpectrumError(MuphilicError):
    """A spectrum is malformed (bad edges, negative counts, missing CSV column...)."""


def _as_float_array(name: str, value: ArrayLike) -> FloatArray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim != 1:
        raise SpectrumError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise SpectrumError(f"{name} contains a non-finite value")
    return arr


@dataclass(frozen=True)
class PublishedSpectrum:
    """Observed and predicted events per m_gg bin of one experiment.

    Attributes
    ----------
    name : str
        Experiment / sample name (``"MiniBooNE"``).
    edges_MeV : ndarray, shape (n_bins + 1,)
        Bin edges in m_gg, MeV, strictly increasing.
    data : ndarray, shape (n_bins,)
        Observed events per bin at ``pot`` (Asimov data for a modelled spectrum).
    background : ndarray, shape (n_bins,)
        Predicted background events per bin at ``pot``.
    pot : float
        Protons on target the counts belong to.
    systematics : Mapping[str, float]
        Fractional, fully bin-to-bin correlated uncertainties of ``background``
        (e.g. ``{"flux": 0.124}``); empty for a statistics-only treatment.
    window_MeV : tuple[float, float]
        m_gg range used in the fit; :meth:`in_window` keeps the bins inside it.
    paper_statistic : str
        The test statistic the paper used for this experiment: ``"covariance"``
        (Eq. (7)) or ``"poisson"`` (Eq. (8)).
    asimov : bool
        True when ``data`` is the expected background, not a measurement.
    label : str
        Text to show next to every result (``MODELLED_LABEL`` for Asimov data).
    source : str
        Where the numbers come from.
    """

    name: str
    edges_MeV: FloatArray
    data: FloatArray
    background: FloatArray
    pot: float
    systematics: Mapping[str, float] = field(default_factory=dict)
    window_MeV: tuple[float, float] = (0.0, math.inf)
    paper_statistic: str = "poisson"
    asimov: bool = False
    label: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        who = f"spectrum {shown(self.name)}"
        edges = _as_float_array(f"{who}: edges_MeV", self.edges_MeV)
        data = _as_float_array(f"{who}: data", self.data)
        bkg = _as_float_array(f"{who}: background", self.background)
        if edges.size < 2 or np.any(np.diff(edges) <= 0):
            raise SpectrumError(f"{who}: edges_MeV must hold at least two increasing values")
        n = edges.size - 1
        for name, arr in (("data", data), ("background", bkg)):
            if arr.size != n:
                raise SpectrumError(f"{who}: {name} has {arr.size} bins but edges_MeV defines {n}")
            if np.any(arr < 0):
                i = int(np.argmin(arr))
                raise SpectrumError(
                    f"{who}: {name} has a negative count in bin {edges[i]:g}-{edges[i + 1]:g} MeV"
                )
        if not (math.isfinite(self.pot) and self.pot > 0):
            raise SpectrumError(f"{who}: pot must be positive and finite, got {self.pot!r}")
        syst = {str(k): float(v) for k, v in dict(self.systematics).items()}
        for key, value in syst.items():
            if not (math.isfinite(value) and value >= 0):
                raise SpectrumError(f"{who}: systematic {key!r} must be a non-negative fraction")
        low, high = (float(w) for w in self.window_MeV)
        if not low < high:
            raise SpectrumError(f"{who}: window_MeV must be (low, high) with low < high")
        if self.paper_statistic not in ("covariance", "poisson"):
            raise SpectrumError(
                f"{who}: paper_statistic must be 'covariance' or 'poisson', "
                f"got {shown(self.paper_statistic)}"
            )
        for name, arr in (("edges_MeV", edges), ("data", data), ("background", bkg)):
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "systematics", MappingProxyType(syst))
        object.__setattr__(self, "window_MeV", (low, high))
        object.__setattr__(self, "pot", float(self.pot))

    # --- pickling (dask workers): a mappingproxy is not picklable ----------------
    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state["systematics"] = dict(self.systematics)
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        state = dict(state)
        state["systematics"] = MappingProxyType(dict(state["systematics"]))  # type: ignore[call-overload]
        for key, value in state.items():
            object.__setattr__(self, key, value)

    # --- geometry of the binning ------------------------------------------------
    @property
    def n_bins(self) -> int:
        """Number of m_gg bins."""
        return int(self.edges_MeV.size - 1)

    @property
    def edges(self) -> FloatArray:
        """Bin edges in internal units (MeV = 1)."""
        return self.edges_MeV * MeV

    @property
    def centres_MeV(self) -> FloatArray:
        """Bin centres, MeV."""
        return 0.5 * (self.edges_MeV[1:] + self.edges_MeV[:-1])

    @property
    def normalisation_uncertainty(self) -> float:
        """The fully correlated fractional uncertainty of the background,
        sqrt(sum of the squared systematics)."""
        return float(math.sqrt(sum(v * v for v in self.systematics.values())))

    # --- derived spectra ----------------------------------------------------------
    def window_slice(self) -> slice:
        """The slice of bins lying entirely inside ``window_MeV``.

        Raises
        ------
        SpectrumError
            If no bin lies inside the window.
        """
        low, high = self.window_MeV
        eps = 1e-9 * (self.edges_MeV[-1] - self.edges_MeV[0])
        keep = (self.edges_MeV[:-1] >= low - eps) & (self.edges_MeV[1:] <= high + eps)
        if not np.any(keep):
            raise SpectrumError(f"no bin of {self.name} lies inside window_MeV = {self.window_MeV}")
        idx = np.flatnonzero(keep)  # contiguous: the edges are increasing
        return slice(int(idx[0]), int(idx[-1]) + 1)

    def in_window(self) -> PublishedSpectrum:
        """The spectrum restricted to the bins of :meth:`window_slice`."""
        sl = self.window_slice()
        return replace(
            self,
            edges_MeV=self.edges_MeV[sl.start : sl.stop + 1].copy(),
            data=self.data[sl].copy(),
            background=self.background[sl].copy(),
        )

    def scaled_to(self, pot: float) -> PublishedSpectrum:
        """The spectrum expected at another exposure: data (only if Asimov) and
        background scale with POT. A measured spectrum cannot be rescaled."""
        if not self.asimov:
            raise SpectrumError(f"{self.name} holds measured data, which cannot be scaled to a POT")
        factor = pot / self.pot
        return replace(self, data=self.data * factor, background=self.background * factor, pot=pot)

    # --- Eq. (7) ------------------------------------------------------------------
    def covariance(self, systematics: Mapping[str, float] | None = None) -> FloatArray:
        """The uncertainty matrix M of paper Eq. (7), events^2.

        ``M = diag(data) + sum_k f_k^2 b b^T``: statistical variance of the
        observed counts plus each systematic fully correlated across bins as a
        fraction f_k of the background prediction b (see the module docstring
        for why b).

        Parameters
        ----------
        systematics : Mapping[str, float], optional
            Fractions to use instead of ``self.systematics``.

        Raises
        ------
        SpectrumError
            If the matrix is not positive definite (a bin with zero observed
            events and zero background).
        """
        syst = self.systematics if systematics is None else systematics
        f2 = float(sum(float(v) ** 2 for v in syst.values()))
        b = self.background
        cov = np.diag(self.data) + f2 * np.outer(b, b)
        if np.any(np.diag(cov) <= 0):
            bad = int(np.flatnonzero(np.diag(cov) <= 0)[0])
            raise SpectrumError(
                f"{self.name}: bin {bad} ({self.edges_MeV[bad]:g}-{self.edges_MeV[bad + 1]:g} MeV) "
                "has no observed events and no background, the covariance is singular; "
                "restrict the window"
            )
        return cov


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


# ---------------------------------------------------------------------------------
# MicroBooNE / SBND: modelled NC pi0 0p background
# ---------------------------------------------------------------------------------
def argon_nuclei(mass: float) -> float:
    """Number of argon nuclei in a mass of liquid argon (natural isotopic mix).

    Parameters
    ----------
    mass : float
        Argon mass in internal units (e.g. ``77 * tonne``).
    """
    if not (math.isfinite(mass) and mass > 0):
        raise SpectrumError(f"fiducial mass must be positive, got {mass!r}")
    return float(mass / M_MOLAR_ARGON * N_AVOGADRO)


def gaussian_peak_fractions(edges_MeV: ArrayLike, peak_MeV: float, resolution: float) -> FloatArray:
    """Fraction of a Gaussian m_gg peak in each bin.

    The peak is centred at ``peak_MeV`` with sigma = ``resolution * peak_MeV``,
    truncated to m_gg > 0 and normalised there (a reconstructed mass is
    positive; every selected event has some m_gg). The fractions therefore sum
    to the probability that m_gg falls inside the given edges (<= 1).
    """
    edges = np.asarray(edges_MeV, dtype=np.float64)
    for name, value in (("peak_MeV", peak_MeV), ("resolution", resolution)):
        if not value > 0:
            raise SpectrumError(f"{name} must be positive, got {value!r}")
    sigma = resolution * peak_MeV
    cdf = special.ndtr((np.maximum(edges, 0.0) - peak_MeV) / sigma)
    above_zero = special.ndtr(peak_MeV / sigma)
    return np.diff(cdf) / above_zero


def modelled_background(
    edges_MeV: ArrayLike,
    *,
    flux: float,
    pot: float,
    fiducial_mass: float,
    efficiency: float,
    resolution: float,
    cross_section: float = SIGMA_NCPI0_0P_MICROBOONE,
) -> FloatArray:
    """Expected NC pi0 0p events per m_gg bin in an argon detector.

    ``N = flux x sigma(NC pi0 0p) x N_Ar x POT x efficiency`` (total selected
    events), spread over the bins with :func:`gaussian_peak_fractions` at m_pi0
    with the detector's fractional resolution - the same smearing the paper
    applies to the signal. This ignores the non-Gaussian low-mass tail of real
    pi0 reconstruction and the photon-threshold turn-on; it is a model, to be
    replaced by a measured spectrum via :func:`read_spectrum_csv` when one is
    available.

    Parameters
    ----------
    edges_MeV : array_like
        m_gg bin edges, MeV.
    flux : float
        Flux-integrated nu_mu flux at the detector, per area per POT (internal
        units, e.g. ``6.9e-10 / cm2``).
    pot : float
        Protons on target.
    fiducial_mass : float
        Argon fiducial mass (internal units, e.g. ``77 * tonne``).
    efficiency : float
        Selection efficiency of NC pi0 0p events (fraction).
    resolution : float
        Fractional m_gg resolution (0.33 for MicroBooNE in the paper).
    cross_section : float
        Flux-averaged sigma(NC pi0 0p) per argon nucleus; default the MicroBooNE
        measurement 0.624e-38 cm^2/Ar (arXiv:2205.07943).
    """
    for name, value in (("flux", flux), ("pot", pot), ("cross_section", cross_section)):
        if not (math.isfinite(value) and value > 0):
            raise SpectrumError(f"{name} must be positive and finite, got {value!r}")
    if not 0 < efficiency <= 1:
        raise SpectrumError(f"efficiency must be in (0, 1], got {efficiency!r}")
    total = flux * cross_section * argon_nuclei(fiducial_mass) * pot * efficiency
    return total * gaussian_peak_fractions(edges_MeV, m_pi0 / MeV, resolution)


@dataclass(frozen=True)
class SelectionTotals:
    """Published totals of an NC pi0 selection that a modelled background is normalised to.

    Attributes
    ----------
    pot : float
        Protons on target of the selection.
    argon_mass : float
        Fiducial argon mass of the selection (internal units).
    numu_flux : float
        Flux-integrated nu_mu flux at the detector per POT (internal units, 1/area).
    nc_pi0 : float
        Selected NC pi0 0p events (data minus beam-off minus beam-related background).
    beam_other : float
        Selected beam-related events outside the NC pi0 0p signal definition (simulation).
    cosmic : float
        Selected cosmic (beam-off) events.
    data : float
        Selected data events, ``nc_pi0 + beam_other + cosmic``.
    flux_all : float
        Flux of all flavours per POT (the cross section's normalisation).
    efficiency : float
        Selection efficiency of true NC pi0 0p events.
    cross_section : float
        The selection's flux-averaged NC pi0 0p cross section per argon nucleus.
    source : str
        Where the numbers come from.
    """

    pot: float
    argon_mass: float
    numu_flux: float
    nc_pi0: float
    beam_other: float
    cosmic: float
    data: float
    flux_all: float
    efficiency: float
    cross_section: float
    source: str = ""


def microboone_0p_selection() -> SelectionTotals:
    """The MicroBooNE 2gamma0p selection totals of arXiv:2205.07943's analysis code.

    From ``muphilic/data/recast/microboone_ncpi0_0p_selection.toml`` (source and
    caveats in the README of that folder): 496 selected events at 5.893e20 POT in
    78.71 t of argon, 81.54 cosmic (beam-off), 138.53 beam-related background and
    275.93 NC pi0 0p events.
    """
    raw = tomllib.loads(
        data_file("recast", "microboone_ncpi0_0p_selection.toml").read_text(encoding="utf-8")
    )
    return SelectionTotals(
        pot=float(raw["pot"]),
        argon_mass=float(raw["argon_nuclei"]) / N_AVOGADRO * M_MOLAR_ARGON,
        numu_flux=float(raw["numu_flux_per_cm2_per_pot"]) / cm2,
        nc_pi0=float(raw["nc_pi0_event_rate"]),
        beam_other=float(raw["beam_background"]),
        cosmic=float(raw["beam_off"]),
        data=float(raw["data_selected"]),
        flux_all=float(raw["flux_per_cm2_per_pot"]) / cm2,
        efficiency=float(raw["efficiency"]),
        cross_section=float(raw["cross_section_1e38_cm2"]) * 1e-38 * cm2,
        source=(
            "MicroBooNE 2gamma0p selection totals (arXiv:2205.07943 analysis, "
            "nupuroza/NCpi0-Cross-Section 2021-12-07_out.root @ 78095d7a)"
        ),
    )


#: Upper end of the m_gg range the broad components are spread over, MeV.
BROAD_MAX_MEV = 300.0


def pair_mass_fractions(
    edges_MeV: ArrayLike, corner_MeV: float, max_MeV: float = BROAD_MAX_MEV
) -> FloatArray:
    """Fraction per bin of the broad m_gg shape of uncorrelated photon-like pairs.

    Two showers of energies E1, E2 with an isotropic relative direction have
    m^2 = 2 E1 E2 (1 - cos theta) uniform on [0, 4 E1 E2], so dN/dm is
    proportional to m below 2 sqrt(E1 E2). Every selected pair has
    E1 E2 >= E_high,min E_low,min, so below the corner
    m_c = 2 sqrt(E_high,min E_low,min) (49 MeV for 30 and 20 MeV) the density
    rises linearly whatever the energy spectra; above it the shape is taken flat
    (an assumption) up to ``max_MeV``, and zero beyond. The fractions sum to the
    part of [0, max_MeV] inside the edges (1 over the whole range).

    Parameters
    ----------
    edges_MeV : array_like
        m_gg bin edges, MeV.
    corner_MeV : float
        m_c, MeV (0: flat from 0).
    max_MeV : float
        End of the shape, MeV (> corner_MeV / 2).
    """
    edges = np.clip(np.asarray(edges_MeV, dtype=np.float64), 0.0, max_MeV)
    corner = float(corner_MeV)
    if not (math.isfinite(corner) and 0 <= corner < 2 * max_MeV):
        raise SpectrumError(f"corner_MeV must be in [0, 2 max_MeV), got {corner_MeV!r}")
    below = np.minimum(edges, corner)
    cdf = (below**2 / (2 * corner) if corner > 0 else 0.0 * edges) + np.maximum(edges - corner, 0)
    total = max_MeV - 0.5 * corner if corner <= max_MeV else max_MeV**2 / (2 * corner)
    return np.diff(cdf) / total


def modelled_components(
    edges_MeV: ArrayLike,
    *,
    flux: float,
    pot: float,
    background_mass: float,
    resolution: float,
    e_high_min_MeV: float = 30.0,
    e_low_min_MeV: float = 20.0,
    totals: SelectionTotals | None = None,
) -> dict[str, FloatArray]:
    """The three components of the modelled argon NC pi0 0p background, events per bin.

    Each component's total is the published selection's (``totals``, default
    :func:`microboone_0p_selection`) scaled to the detector:

    * ``nc_pi0``: NC pi0 0p events x (flux / reference flux) x (mass / reference
      mass) x (POT / reference POT), spread by a Gaussian pi0 peak at m_pi0 with
      the detector's fractional ``resolution`` (:func:`gaussian_peak_fractions`);
    * ``beam_other``: the beam-related events outside the signal definition,
      scaled like ``nc_pi0``, with the broad shape of :func:`pair_mass_fractions`
      (corner 2 sqrt(E_high,min E_low,min)). Some of them (CC pi0, pi0s out of
      the signal definition) would peak at m_pi0; counting all of them as broad
      puts more background at low m_gg, the cautious side for a search there;
    * ``cosmic``: the beam-off events, scaled with mass x POT only (the same
      cosmic rate per spill at the surface and the same POT per spill), the
      same broad shape.

    Parameters
    ----------
    edges_MeV : array_like
        m_gg bin edges, MeV.
    flux : float
        nu_mu flux at the detector per area per POT (internal units).
    pot : float
        Protons on target.
    background_mass : float
        Argon mass the background is scaled to (internal units).
    resolution : float
        Fractional m_gg resolution of the pi0 peak.
    e_high_min_MeV, e_low_min_MeV : float
        The photon thresholds of the selection (set the broad shape's corner).
    totals : SelectionTotals, optional
        The published totals.
    """
    ref = microboone_0p_selection() if totals is None else totals
    for name, value in (("flux", flux), ("pot", pot), ("background_mass", background_mass)):
        if not (math.isfinite(value) and value > 0):
            raise SpectrumError(f"{name} must be positive and finite, got {value!r}")
    exposure = (background_mass / ref.argon_mass) * (pot / ref.pot)
    beam = exposure * flux / ref.numu_flux
    corner = 2.0 * math.sqrt(max(e_high_min_MeV, 0.0) * max(e_low_min_MeV, 0.0))
    broad = pair_mass_fractions(edges_MeV, corner)
    return {
        "nc_pi0": ref.nc_pi0 * beam * gaussian_peak_fractions(edges_MeV, m_pi0 / MeV, resolution),
        "beam_other": ref.beam_other * beam * broad,
        "cosmic": ref.cosmic * exposure * broad,
    }


@dataclass(frozen=True)
class MicroBooNEModel:
    """The modelled MicroBooNE NC pi0 0p spectrum's inputs (paper defaults).

    Attributes
    ----------
    pot : float
        5.89e20 (arXiv:2205.07943 and the paper).
    fiducial_mass : float
        Argon mass the background is scaled to: 78.71 t, that of the NC pi0
        analysis (the paper quotes 77 t).
    efficiency : float
        6 %, the paper's flat 2-gamma signal efficiency (used by
        :func:`modelled_background`, not by the selection-normalised components).
    resolution : float
        33 % m_gg resolution (the paper).
    edges_MeV : tuple[float, ...]
        10 MeV bins from 0 to 300 MeV (the paper mentions a 0-10 MeV bin).
    window_MeV : tuple[float, float]
        10-120 MeV, the paper's analysis window.
    e_high_min_MeV, e_low_min_MeV : float
        Photon thresholds of the selection, 30 and 20 MeV.
    """

    pot: float = 5.89e20
    fiducial_mass: float = 78.71 * tonne
    efficiency: float = 0.06
    resolution: float = 0.33
    edges_MeV: tuple[float, ...] = tuple(float(x) for x in range(0, 310, 10))
    window_MeV: tuple[float, float] = (10.0, 120.0)
    e_high_min_MeV: float = 30.0
    e_low_min_MeV: float = 20.0


#: The paper's MicroBooNE NC pi0 0p model.
MICROBOONE_PAPER = MicroBooNEModel()
#: The paper's SBND projection: MicroBooNE's resolution, efficiency, binning and
#: window, a 77 t fiducial mass and 1e21 POT (paper, Fig. 6 discussion).
SBND_PAPER = MicroBooNEModel(pot=1e21, fiducial_mass=77.0 * tonne)


def microboone_ncpi0_0p(
    flux: float, model: MicroBooNEModel = MICROBOONE_PAPER, name: str = "MicroBooNE"
) -> PublishedSpectrum:
    """The modelled MicroBooNE (or, with another ``model``, SBND) NC pi0 0p
    spectrum as Asimov data, labelled ``MODELLED_LABEL``.

    The sum of the three components of :func:`modelled_components` (NC pi0
    peak, broad beam-related and cosmic events), normalised to the published
    MicroBooNE 2gamma0p selection totals and scaled to ``model``'s POT and mass
    and to ``flux``.

    Parameters
    ----------
    flux : float
        Flux-integrated nu_mu flux at the detector per area per POT (internal
        units), from the package's beamline.
    model : MicroBooNEModel
        Exposure, mass, resolution, thresholds, binning and window.
    name : str
        Experiment name.
    """
    parts = modelled_components(
        model.edges_MeV,
        flux=flux,
        pot=model.pot,
        background_mass=model.fiducial_mass,
        resolution=model.resolution,
        e_high_min_MeV=model.e_high_min_MeV,
        e_low_min_MeV=model.e_low_min_MeV,
    )
    bkg = parts["nc_pi0"] + parts["beam_other"] + parts["cosmic"]
    return PublishedSpectrum(
        name=name,
        edges_MeV=np.asarray(model.edges_MeV, dtype=np.float64),
        data=bkg.copy(),
        background=bkg,
        pot=model.pot,
        systematics={},
        window_MeV=model.window_MeV,
        paper_statistic="poisson",
        asimov=True,
        label=MODELLED_LABEL,
        source=(
            "modelled: MicroBooNE 2gamma0p selection totals (arXiv:2205.07943 analysis; 275.9 NC "
            "pi0, 138.5 beam-related, 81.5 cosmic events at 5.893e20 POT, 78.71 t) scaled by "
            "flux, mass and POT; Gaussian pi0 peak, broad beam-related and cosmic shapes"
        ),
    )


# ---------------------------------------------------------------------------------
# CSV drop-in format
# ---------------------------------------------------------------------------------
#: Most bins a spectrum CSV file may hold (the covariance of Eq. (7) is n_bins x n_bins).
MAX_SPECTRUM_BINS = 10_000
#: Longest spectrum CSV file read, bytes (10 000 rows of 17-digit numbers take about 1 MB).
MAX_SPECTRUM_BYTES = 16 << 20

CSV_FORMAT = """\
A spectrum CSV file has optional metadata lines, then a header row and one row per bin:

    # name: MicroBooNE
    # pot: 5.89e20
    # window_MeV: 10, 120
    # statistic: poisson
    # systematics: flux=0.1, detector=0.05
    # source: arXiv:2205.07943 Fig. 10
    mgg_low_MeV,mgg_high_MeV,data,background
    0,10,0,0.2
    10,20,3,2.7
    ...

Columns (comma separated, any order, extra columns ignored, no name twice):
  mgg_low_MeV, mgg_high_MeV  bin edges in MeV; bins contiguous and increasing
  data                       observed events in the bin (>= 0)
  background                 predicted background events in the bin (>= 0; > 0 in
                             every bin of the window that has data > 0)
Metadata (lines '# key: value' with a one-word key; each key at most once):
  pot          protons on target of the counts (required)
  name         experiment name (default: the file name)
  window_MeV   fit window 'low, high' in MeV (default: all bins); must hold a bin
  statistic    'poisson' (Eq. (8), default) or 'covariance' (Eq. (7))
  systematics  fully correlated fractions of the background, 'key=value, ...'
  source       free text
Other '#' lines (no colon, or more than one word before it) are comments.
At most 10 000 bins and 16 MiB.

Inside the window, a bin with data > 0 and no background would make the
background-only prediction impossible (chi^2 = infinity: every signal excluded),
so it is refused. A bin with no data and no background is allowed with the
Poisson statistic, where it still constrains the signal (its chi^2 term is 2 s),
and refused with 'covariance', whose matrix it makes singular.
"""

_REQUIRED_COLUMNS = ("mgg_low_MeV", "mgg_high_MeV", "data", "background")
_METADATA_KEYS = ("name", "pot", "window_mev", "statistic", "systematics", "source")
_METADATA_KEY = re.compile(r"[A-Za-z_]+")


def _parse_metadata(lines: list[str], path: Path) -> dict[str, str]:
    meta: dict[str, str] = {}
    for line in lines:
        key, sep, value = line.lstrip("#").strip().partition(":")
        key = key.strip().lower()
        if not sep or not _METADATA_KEY.fullmatch(key):
            continue  # a comment
        if key not in _METADATA_KEYS:
            raise SpectrumError(
                f"{path}: unknown metadata field {key!r}; known fields are "
                f"{[k.replace('_mev', '_MeV') for k in _METADATA_KEYS]} (write other notes "
                "without a 'word:' prefix)"
            )
        if key in meta:
            raise SpectrumError(f"{path}: metadata field {key!r} is given twice")
        meta[key] = value.strip()
    return meta


def _read_text(path: Path) -> str:
    try:
        if not path.is_file():
            raise SpectrumError(f"{path}: no such spectrum file")
        if path.stat().st_size > MAX_SPECTRUM_BYTES:
            raise SpectrumError(
                f"{path}: larger than {MAX_SPECTRUM_BYTES} bytes, too large for a spectrum file"
            )
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SpectrumError(f"{path}: not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise SpectrumError(f"{path}: cannot read ({exc.strerror})") from None


def _columns(body: list[str], path: Path) -> dict[str, FloatArray]:
    """The four required columns of the CSV body (header row first), as arrays."""
    try:
        rows = list(csv.reader(body))
    except csv.Error as exc:
        raise SpectrumError(f"{path}: malformed CSV ({exc})") from None
    header = [h.strip() for h in rows[0]]
    for col in _REQUIRED_COLUMNS:
        if col not in header:
            raise SpectrumError(f"{path}: missing column {col!r} (header has {header})")
        if header.count(col) > 1:
            raise SpectrumError(f"{path}: column {col!r} appears more than once in the header")
    if len(rows) - 1 > MAX_SPECTRUM_BINS:
        raise SpectrumError(f"{path}: more than {MAX_SPECTRUM_BINS} data rows (bins)")
    index = {col: header.index(col) for col in _REQUIRED_COLUMNS}
    values: dict[str, list[float]] = {col: [] for col in _REQUIRED_COLUMNS}
    for row_no, row in enumerate(rows[1:], start=1):
        if len(row) > len(header):
            raise SpectrumError(
                f"{path}: data row {row_no} has more fields than the header ({len(header)})"
            )
        for col, i in index.items():
            raw = row[i].strip() if i < len(row) else ""
            try:
                val = float(raw)
            except ValueError:
                raise SpectrumError(
                    f"{path}: column {col!r}, data row {row_no}: {shown(raw)} is not a number"
                ) from None
            if not math.isfinite(val):
                raise SpectrumError(f"{path}: column {col!r}, data row {row_no}: not finite")
            if val < 0 and col in ("data", "background"):
                bin_ = f"bin {values['mgg_low_MeV'][-1]:g}-{values['mgg_high_MeV'][-1]:g} MeV"
                raise SpectrumError(
                    f"{path}: column {col!r}, data row {row_no} ({bin_}): negative count {val:g}"
                )
            values[col].append(val)
    if not values["data"]:
        raise SpectrumError(f"{path}: no data rows")
    return {col: np.array(v) for col, v in values.items()}


def _check_edges(low: FloatArray, high: FloatArray, path: Path) -> None:
    if np.any(high <= low):
        row = int(np.flatnonzero(high <= low)[0]) + 1
        raise SpectrumError(f"{path}: column 'mgg_high_MeV', data row {row}: not above mgg_low_MeV")
    gaps = np.abs(low[1:] - high[:-1]) > 1e-9 * np.max(np.abs(high))
    if np.any(gaps):
        row = int(np.flatnonzero(gaps)[0]) + 2
        raise SpectrumError(
            f"{path}: column 'mgg_low_MeV', data row {row}: bins must be contiguous "
            "(each mgg_low_MeV equal to the previous mgg_high_MeV)"
        )


def _check_counts(spectrum: PublishedSpectrum, path: Path) -> None:
    """Refuse bins the statistics cannot use (see :data:`CSV_FORMAT`)."""
    e, d, b = spectrum.edges_MeV, spectrum.data, spectrum.background

    def where(i: int) -> str:
        return f"{path}: bin {e[i]:g}-{e[i + 1]:g} MeV (data row {i + 1})"

    try:
        sl = spectrum.window_slice()
    except SpectrumError:
        raise SpectrumError(
            f"{path}: metadata field 'window_MeV': no bin lies inside {spectrum.window_MeV}"
        ) from None
    inside = np.arange(spectrum.n_bins)[sl]
    no_background = inside[(b[sl] <= 0) & (d[sl] > 0)]
    if no_background.size:
        i = int(no_background[0])
        raise SpectrumError(
            f"{where(i)}: {d[i]:g} events observed but a background of {b[i]:g}; the "
            "background-only prediction would be impossible and every signal excluded"
        )
    empty = inside[(b[sl] <= 0) & (d[sl] <= 0)]
    if empty.size and spectrum.paper_statistic == "covariance":
        raise SpectrumError(
            f"{where(int(empty[0]))}: no data and no background make the covariance of "
            "Eq. (7) singular; use '# statistic: poisson' or a window without the bin"
        )


def _pot(meta: dict[str, str], path: Path) -> float:
    if "pot" not in meta:
        raise SpectrumError(f"{path}: metadata field 'pot' is required ('# pot: 5.89e20')")
    try:
        value = float(meta["pot"])
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise SpectrumError(
            f"{path}: metadata field 'pot' must be a positive number, got {shown(meta['pot'])}"
        )
    return value


def _window(
    meta: dict[str, str], low: FloatArray, high: FloatArray, path: Path
) -> tuple[float, float]:
    if "window_mev" not in meta:
        return (float(low[0]), float(high[-1]))
    try:
        lo, hi = (float(x) for x in meta["window_mev"].split(","))
    except ValueError:
        lo = hi = math.nan
    if not lo < hi:
        raise SpectrumError(
            f"{path}: metadata field 'window_MeV' must be 'low, high' with low < high, "
            f"got {shown(meta['window_mev'])}"
        )
    return (lo, hi)


def _systematics(text: str, path: Path) -> dict[str, float]:
    syst: dict[str, float] = {}
    for item in text.split(",") if text else []:
        key, _, val = (part.strip() for part in item.partition("="))
        try:
            fraction = float(val)
        except ValueError:
            fraction = math.nan
        if not key or not (math.isfinite(fraction) and fraction >= 0) or key in syst:
            raise SpectrumError(
                f"{path}: metadata field 'systematics' must be 'key=fraction, ...' with "
                f"distinct keys and fractions >= 0, got {shown(item.strip())}"
            )
        syst[key] = fraction
    return syst


def read_spectrum_csv(path: str | Path) -> PublishedSpectrum:
    """Read a measured spectrum in the format of :data:`CSV_FORMAT`.

    Raises
    ------
    SpectrumError
        Naming the file and the missing column, the bad value (row and column),
        the bad bin (its m_gg edges) or the bad metadata field.
    """
    path = Path(path)
    lines = _read_text(path).splitlines()
    comment = [ln for ln in lines if ln.lstrip().startswith("#")]
    body = [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    meta = _parse_metadata(comment, path)
    if not body:
        expected = ", ".join(_REQUIRED_COLUMNS)
        raise SpectrumError(f"{path}: no header row; expected columns {expected}")
    columns = _columns(body, path)
    low, high = columns["mgg_low_MeV"], columns["mgg_high_MeV"]
    _check_edges(low, high, path)
    statistic = meta.get("statistic", "poisson")
    if statistic not in ("poisson", "covariance"):
        raise SpectrumError(
            f"{path}: metadata field 'statistic' must be 'poisson' or 'covariance', "
            f"got {shown(statistic)}"
        )
    spectrum = PublishedSpectrum(
        name=meta.get("name", path.stem),
        edges_MeV=np.append(low, high[-1]),
        data=columns["data"],
        background=columns["background"],
        pot=_pot(meta, path),
        systematics=_systematics(meta.get("systematics", ""), path),
        window_MeV=_window(meta, low, high, path),
        paper_statistic=statistic,
        asimov=False,
        label="",
        source=meta.get("source", str(path.name)),
    )
    _check_counts(spectrum, path)
    return spectrum


def write_spectrum_csv(spectrum: PublishedSpectrum, path: str | Path) -> None:
    """Write ``spectrum`` in the format read by :func:`read_spectrum_csv`."""
    lines = [
        f"# name: {spectrum.name}",
        f"# pot: {spectrum.pot:.17g}",
        f"# window_MeV: {spectrum.window_MeV[0]:.17g}, {spectrum.window_MeV[1]:.17g}",
        f"# statistic: {spectrum.paper_statistic}",
    ]
    if spectrum.systematics:
        items = ", ".join(f"{k}={v:.17g}" for k, v in spectrum.systematics.items())
        lines.append(f"# systematics: {items}")
    if spectrum.source:
        lines.append(f"# source: {spectrum.source}")
    lines.append(",".join(_REQUIRED_COLUMNS))
    e = spectrum.edges_MeV
    for i in range(spectrum.n_bins):
        lines.append(
            f"{e[i]:.17g},{e[i + 1]:.17g},{spectrum.data[i]:.17g},{spectrum.background[i]:.17g}"
        )
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
