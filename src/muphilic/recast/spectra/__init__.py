"""Published (or modelled) diphoton-mass spectra that the signal is compared with.

A :class:`PublishedSpectrum` (:mod:`~muphilic.recast.spectra.spectrum`, with the
covariance of paper Eq. (7)) holds, per bin of reconstructed m_gg: the observed
events, the background prediction, the protons on target (POT) they belong to,
the fractional, fully bin-to-bin correlated systematic uncertainties of the
background prediction, and the m_gg window of the analysis.

Three sources
-------------
* :func:`miniboone_ncpi0` - MiniBooNE nu-mode NC pi0 candidates, arXiv:0911.2063
  Fig. 1 (digitized; see ``muphilic/data/recast/README.md``), 8 MeV bins, scaled
  from the published "per 1e20 POT" to the analysis's 6.46e20 POT
  (:mod:`~muphilic.recast.spectra.miniboone`, also the antineutrino mode).
* :func:`microboone_ncpi0_0p` - MicroBooNE / SBND NC pi0 0p: the real spectrum is
  not public, so the background is modelled (:func:`modelled_components`: NC pi0
  peak, broad beam-related and cosmic components, normalised to the published
  MicroBooNE 2gamma0p selection totals and scaled by flux, mass and POT) and
  used as Asimov data ("expected, modelled background").
  :func:`modelled_background` is the older cross-section estimate of the NC pi0
  part alone (flux x cross section x argon nuclei x POT x efficiency)
  (:mod:`~muphilic.recast.spectra.microboone`).
* :func:`read_spectrum_csv` - a user's real spectrum in the documented CSV format
  (see :data:`CSV_FORMAT`), which replaces the model
  (:mod:`~muphilic.recast.spectra.csv_format`).

Every name is importable from this package as well as from its module.
"""

from __future__ import annotations

from muphilic.constants import SIGMA_NCPI0_0P_MICROBOONE  # noqa: F401 (as before the split)
from muphilic.recast.spectra.csv_format import (
    CSV_FORMAT,
    MAX_SPECTRUM_BINS,
    MAX_SPECTRUM_BYTES,
    read_spectrum_csv,
    write_spectrum_csv,
)
from muphilic.recast.spectra.microboone import (
    BROAD_MAX_MEV,
    MICROBOONE_PAPER,
    SBND_PAPER,
    MicroBooNEModel,
    SelectionTotals,
    argon_nuclei,
    gaussian_peak_fractions,
    microboone_0p_selection,
    microboone_ncpi0_0p,
    modelled_background,
    modelled_components,
    pair_mass_fractions,
)
from muphilic.recast.spectra.miniboone import (  # noqa: F401 (two names outside __all__)
    MINIBOONE_NCPI0_POT,
    MINIBOONE_NUBAR_FILE,
    MINIBOONE_NUBAR_NCPI0_POT_ESTIMATE,
    MINIBOONE_SYSTEMATICS,
    miniboone_ncpi0,
    miniboone_ncpi0_nubar,
    miniboone_nubar_error_bar_pot,
    pot_from_error_bars,
)
from muphilic.recast.spectra.spectrum import MODELLED_LABEL, PublishedSpectrum, SpectrumError

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
