"""Recast: from an expected signal on the (m_S, y) grid to limits.

* :mod:`~muphilic.recast.spectra` - published and modelled m_gg spectra;
* :mod:`~muphilic.recast.statistics` - the paper's chi^2 (Eqs. (7), (8)) and a
  profile likelihood ratio;
* :mod:`~muphilic.recast.scan` - the grid scan, synchronous or with dask;
* :mod:`~muphilic.recast.contours` - exclusion contours and the g-2 band;
* :mod:`~muphilic.recast.output`, :mod:`~muphilic.recast.plot` - files and Fig. 6;
* :mod:`~muphilic.recast.synthetic` - a closed-form toy signal for tests.

Independent of how the signal was made: anything that maps a mass to a
(couplings x bins) array of expected events can be recast.
"""

from __future__ import annotations

from muphilic.recast.contours import (
    ExclusionContour,
    band_excluded_intervals,
    band_excluded_range,
    exclusion_contour,
    exclusion_regions,
)
from muphilic.recast.scan import ScanError, ScanResult, scan
from muphilic.recast.spectra import (
    MODELLED_LABEL,
    PublishedSpectrum,
    SpectrumError,
    microboone_ncpi0_0p,
    miniboone_ncpi0,
    modelled_background,
    read_spectrum_csv,
)
from muphilic.recast.statistics import (
    CovarianceChi2,
    PoissonChi2,
    ProfileLikelihood,
    StatisticError,
    statistic_for,
)

__all__ = [
    "MODELLED_LABEL",
    "CovarianceChi2",
    "ExclusionContour",
    "PoissonChi2",
    "ProfileLikelihood",
    "PublishedSpectrum",
    "ScanError",
    "ScanResult",
    "SpectrumError",
    "StatisticError",
    "band_excluded_intervals",
    "band_excluded_range",
    "exclusion_contour",
    "exclusion_regions",
    "microboone_ncpi0_0p",
    "miniboone_ncpi0",
    "modelled_background",
    "read_spectrum_csv",
    "scan",
    "statistic_for",
]
