"""Several data sets of one detector as one spectrum: one statistic over all of them.

MiniBooNE took NC pi0 data in neutrino and in antineutrino mode (arXiv:0911.2063,
Fig. 1 (a) and (b)). :class:`JointSpectrum` concatenates the analysis-window bins
of such data sets and gives them one covariance, so that every statistic of
:mod:`muphilic.recast.statistics` (Eq. (7), Eq. (8), the profile likelihood) is
evaluated once over all bins: a signal is tested against both data sets together.

The correlation of the systematics between the data sets
---------------------------------------------------------
Each data set i has fully bin-to-bin correlated fractional uncertainties f_ik of its
background b_i (flux, cross section, detector). Between two data sets the source k
has the correlation coefficient rho (one number for all sources)::

    M = diag(d) + sum_k f_ik f_jk rho_ij b_i b_j^T,   rho_ii = 1, rho_ij = rho (i != j)

``rho = 1`` (the default) is one normalisation common to both modes. Why that is
justified for MiniBooNE: both modes share the detector (its 5.1 %), the NC pi0
cross-section and final-state model (8.4 %), and the beamline, target and p-Be
hadron-production model (HARP) behind the flux (12.4 %); MiniBooNE's own combined
nu and nubar oscillation fits (arXiv:1303.2588) use one covariance matrix with these
systematics correlated between the modes. It is not exact (pi- and pi+ production
are separate HARP fits, and the antineutrino cross section differs), so ``rho`` can
be lowered; ``rho = 0`` treats the modes as independent experiments.

The profile likelihood (:class:`~muphilic.recast.statistics.ProfileLikelihood`) has
one normalisation nuisance theta: over a joint spectrum it is the fully correlated
case, and it requires ``rho = 1`` and equal fractions in all data sets (refused
otherwise, naming the reason).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from muphilic.recast.spectra import PublishedSpectrum, SpectrumError

__all__ = ["JointSpectrum", "joint_spectrum"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class JointSpectrum:
    """The analysis-window bins of several spectra, concatenated, with one covariance.

    It has the interface of :class:`~muphilic.recast.spectra.PublishedSpectrum`
    that :func:`muphilic.recast.scan.scan` and the statistics use (``data``,
    ``background``, ``n_bins``, ``covariance``, ``normalisation_uncertainty``,
    ``window_slice``, ``in_window``), so a joint spectrum is scanned like a single
    one; a signal for it is the concatenation of each part's window bins
    (:meth:`signal_slices`).

    Attributes
    ----------
    parts : tuple of PublishedSpectrum
        The data sets, each already restricted to its window.
    correlation : float
        Correlation coefficient rho in [0, 1] of each systematic between two parts.
    name : str
        Name of the combination.
    """

    parts: tuple[PublishedSpectrum, ...]
    correlation: float = 1.0
    name: str = ""
    _offsets: tuple[int, ...] = field(default=(), init=False, repr=False)

    def __post_init__(self) -> None:
        parts = tuple(p.in_window() for p in self.parts)
        if len(parts) < 1:
            raise SpectrumError("a joint spectrum needs at least one data set")
        rho = float(self.correlation)
        if not (math.isfinite(rho) and 0.0 <= rho <= 1.0):
            raise SpectrumError(f"correlation must be in [0, 1], got {self.correlation!r}")
        if len({p.paper_statistic for p in parts}) != 1:
            raise SpectrumError("the data sets of a joint spectrum use different statistics")
        object.__setattr__(self, "parts", parts)
        object.__setattr__(self, "correlation", rho)
        if not self.name:
            object.__setattr__(self, "name", " + ".join(p.name for p in parts))
        offsets = np.cumsum([0] + [p.n_bins for p in parts])
        object.__setattr__(self, "_offsets", tuple(int(o) for o in offsets))

    # --- the interface of PublishedSpectrum used by the scan and statistics --------
    @property
    def data(self) -> FloatArray:
        """Observed events, the parts' window bins one after the other."""
        return np.concatenate([p.data for p in self.parts])

    @property
    def background(self) -> FloatArray:
        """Predicted background events, in the order of :attr:`data`."""
        return np.concatenate([p.background for p in self.parts])

    @property
    def n_bins(self) -> int:
        """Total number of bins (the degrees of freedom of Eq. (7) and (8))."""
        return self._offsets[-1]

    @property
    def pot(self) -> float:
        """Exposure of the first data set (each part keeps its own ``pot``)."""
        return self.parts[0].pot

    @property
    def systematics(self) -> Mapping[str, float]:
        """Systematics of the first data set."""
        return self.parts[0].systematics

    @property
    def paper_statistic(self) -> str:
        """The statistic the paper used for the data sets."""
        return self.parts[0].paper_statistic

    @property
    def asimov(self) -> bool:
        """True only if every part is Asimov data (no measurement)."""
        return all(p.asimov for p in self.parts)

    @property
    def label(self) -> str:
        """The parts' labels, joined."""
        return "; ".join(dict.fromkeys(p.label for p in self.parts if p.label))

    @property
    def source(self) -> str:
        """The parts' sources, joined."""
        return "; ".join(p.source for p in self.parts)

    @property
    def normalisation_uncertainty(self) -> float:
        """The width of the one normalisation nuisance of the profile likelihood.

        Raises
        ------
        SpectrumError
            If the parts are not fully correlated with equal fractions, which one
            nuisance parameter cannot describe.
        """
        widths = {round(p.normalisation_uncertainty, 12) for p in self.parts}
        if len(self.parts) > 1 and (self.correlation != 1.0 or len(widths) > 1):
            raise SpectrumError(
                f"{self.name}: the profile likelihood has one normalisation nuisance, so it "
                "needs fully correlated systematics (correlation = 1) with equal fractions "
                "in every data set; use the covariance statistic otherwise"
            )
        return self.parts[0].normalisation_uncertainty

    def window_slice(self) -> slice:
        """All bins (the parts are already restricted to their windows)."""
        return slice(0, self.n_bins)

    def in_window(self) -> JointSpectrum:
        """The joint spectrum itself."""
        return self

    def signal_slices(self) -> tuple[slice, ...]:
        """Where each part's window bins sit in the joint bins."""
        o = self._offsets
        return tuple(slice(o[i], o[i + 1]) for i in range(len(self.parts)))

    # --- Eq. (7) over all data sets ---------------------------------------------
    def covariance(self, systematics: Mapping[str, float] | None = None) -> FloatArray:
        """The uncertainty matrix over all bins, events^2 (module docstring).

        Parameters
        ----------
        systematics : Mapping[str, float], optional
            Fractions to use for every part instead of each part's own.
        """
        n = self.n_bins
        cov = np.diag(self.data)
        slices = self.signal_slices()
        for i, (pi, si) in enumerate(zip(self.parts, slices, strict=True)):
            for j, (pj, sj) in enumerate(zip(self.parts, slices, strict=True)):
                fi = pi.systematics if systematics is None else systematics
                fj = pj.systematics if systematics is None else systematics
                keys = set(fi) | set(fj)
                f2 = sum(float(fi.get(k, 0.0)) * float(fj.get(k, 0.0)) for k in keys)
                rho = 1.0 if i == j else self.correlation
                cov[si, sj] += rho * f2 * np.outer(pi.background, pj.background)
        if cov.shape != (n, n) or np.any(np.diag(cov) <= 0):
            raise SpectrumError(
                f"{self.name}: a bin has no observed events and no background; the "
                "covariance is singular"
            )
        return cov

    def __getstate__(self) -> dict[str, object]:
        return dict(self.__dict__)

    def __setstate__(self, state: dict[str, object]) -> None:
        for key, value in state.items():
            object.__setattr__(self, key, value)


def joint_spectrum(
    spectra: Sequence[PublishedSpectrum], correlation: float = 1.0, name: str = ""
) -> JointSpectrum:
    """The :class:`JointSpectrum` of ``spectra`` (each restricted to its window)."""
    return JointSpectrum(tuple(spectra), correlation, name)
