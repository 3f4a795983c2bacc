"""The test statistic of a spectrum by name: the paper's choice, or an explicit one."""

from __future__ import annotations

from muphilic.recast.spectra import PublishedSpectrum
from muphilic.recast.statistics.covariance_chi2 import CovarianceChi2
from muphilic.recast.statistics.interface import Statistic, StatisticError
from muphilic.recast.statistics.poisson_chi2 import PoissonChi2
from muphilic.recast.statistics.profile_likelihood import AsimovDiscovery, ProfileLikelihood

__all__ = ["statistic_for"]


def statistic_for(spectrum: PublishedSpectrum, kind: str = "paper") -> Statistic:
    """The statistic named ``kind`` for ``spectrum``.

    ``"paper"`` picks the paper's choice for the experiment (Eq. (7) for
    MiniBooNE, Eq. (8) otherwise); ``"covariance"``, ``"poisson"`` and
    ``"likelihood"`` choose explicitly; ``"discovery"`` gives the median
    discovery significance of :class:`AsimovDiscovery`.
    """
    if kind == "paper":
        kind = spectrum.paper_statistic
    if kind == "covariance":
        return CovarianceChi2()
    if kind == "poisson":
        return PoissonChi2()
    if kind == "likelihood":
        return ProfileLikelihood()
    if kind == "discovery":
        return AsimovDiscovery()
    raise StatisticError(
        f"unknown statistic {kind!r}; choose 'paper', 'covariance', 'poisson', 'likelihood' "
        "or 'discovery'"
    )
