"""The binned m_gg spectrum of one experiment and the covariance of paper Eq. (7).

A :class:`PublishedSpectrum` holds, per bin of reconstructed m_gg: the observed
events, the background prediction, the protons on target (POT) they belong to,
the fractional, fully bin-to-bin correlated systematic uncertainties of the
background prediction, and the m_gg window of the analysis.

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

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike, NDArray

from muphilic.constants import MeV
from muphilic.errors import MuphilicError, shown

__all__ = ["MODELLED_LABEL", "PublishedSpectrum", "SpectrumError"]

FloatArray = NDArray[np.float64]


#: Label carried by every result built on a modelled (not measured) spectrum.
MODELLED_LABEL = "expected, modelled background"


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
