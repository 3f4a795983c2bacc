"""Modelled NC pi0 background of the road-map detectors (NuMI, LBNF, J-PARC).

Events with a neutral pion from neutral-current nu_mu interactions, the
background of a diphoton search below the pi0 mass::

    N = POT x efficiency x N_nucleons x sum_i phi_i sigma(E_i)

with ``phi_i`` the facility's nu_mu flux at the detector in energy bin ``i``
(per area per POT, :func:`muphilic.beamline.flux.numu_flux`), ``N_nucleons``
the nucleons of the fiducial mass, and the NC pi0 cross section per nucleon
parametrised as a fixed fraction of the charged-current inclusive one::

    sigma(E) = R x (sigma_CC / E) x E

``R = 0.077`` is SciBooNE's measured ratio of NC pi0 to total CC events on
polystyrene at 1.16 GeV (arXiv:0910.5768) and ``sigma_CC/E = 0.677e-38
cm^2/GeV`` the PDG high-energy average (constants
:data:`~muphilic.constants.RATIO_NCPI0_TO_CC_SCIBOONE`,
:data:`~muphilic.constants.SIGMA_CC_NUMU_PER_GEV`). The ratio is taken to be
independent of energy and nucleus (per nucleon): a model, tested against
MiniBooNE's measured NC pi0 cross section on CH2 over the BNB flux
(arXiv:0911.2063, :data:`~muphilic.constants.SIGMA_NCPI0_MINIBOONE_PER_NUCLEON`)
in ``tests/test_roadmap.py``. It ignores the pion-production threshold (it
overestimates below ~0.5 GeV), nuclear absorption of the pion in heavy nuclei
(argon) and the growth of pi0 multiplicity in deep-inelastic events.

The events are spread over the m_gg bins as a Gaussian pi0 peak with the
detector's fractional resolution (:func:`muphilic.recast.spectra.gaussian_peak_fractions`),
the same smearing as the signal, and returned as Asimov data labelled
:data:`~muphilic.recast.spectra.MODELLED_LABEL`. A user spectrum
(``[spectra] NAME = "file.csv"``) replaces it.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from muphilic.constants import (
    N_AVOGADRO,
    RATIO_NCPI0_TO_CC_SCIBOONE,
    SIGMA_CC_NUMU_PER_GEV,
    MeV,
    cm2,
    g,
    m_pi0,
    mole,
)
from muphilic.recast.spectra import (
    MODELLED_LABEL,
    PublishedSpectrum,
    SpectrumError,
    gaussian_peak_fractions,
)

__all__ = [
    "flux_averaged_ncpi0_cm2",
    "ncpi0_events",
    "ncpi0_spectrum",
    "ncpi0_xsec_per_nucleon",
    "nucleons",
]

FloatArray = NDArray[np.float64]

#: Nucleons per unit mass: one per atomic mass unit.
_NUCLEONS_PER_MASS = N_AVOGADRO / (g / mole)


def ncpi0_xsec_per_nucleon(energy: ArrayLike) -> FloatArray:
    """NC pi0 cross section per nucleon (CLHEP area) at neutrino energies ``energy`` (MeV)."""
    e = np.asarray(energy, dtype=float)
    if np.any(~np.isfinite(e)) or np.any(e < 0):
        raise SpectrumError("neutrino energies must be finite and non-negative")
    return RATIO_NCPI0_TO_CC_SCIBOONE * SIGMA_CC_NUMU_PER_GEV * e


def nucleons(mass: float) -> float:
    """Nucleons in a fiducial mass (CLHEP mass units, e.g. ``193 * tonne``)."""
    if not (math.isfinite(mass) and mass > 0):
        raise SpectrumError(f"fiducial mass must be positive, got {mass!r}")
    return float(mass * _NUCLEONS_PER_MASS)


def _bin_sum(edges: ArrayLike, flux_per_bin: ArrayLike) -> tuple[float, float]:
    e = np.asarray(edges, dtype=float)
    phi = np.asarray(flux_per_bin, dtype=float)
    if e.ndim != 1 or phi.shape != (e.size - 1,) or np.any(np.diff(e) <= 0):
        raise SpectrumError("flux needs increasing edges and one value per bin")
    if np.any(~np.isfinite(phi)) or np.any(phi < 0):
        raise SpectrumError("flux values must be finite and non-negative")
    centres = 0.5 * (e[1:] + e[:-1])
    return float(np.sum(phi * ncpi0_xsec_per_nucleon(centres))), float(np.sum(phi))


def flux_averaged_ncpi0_cm2(edges_MeV: ArrayLike, flux_per_bin: ArrayLike) -> float:
    """Flux-averaged NC pi0 cross section per nucleon, cm^2, over a binned flux.

    Parameters
    ----------
    edges_MeV : array_like
        Neutrino-energy bin edges, MeV.
    flux_per_bin : array_like
        Flux in each bin (any normalisation).
    """
    folded, total = _bin_sum(edges_MeV, flux_per_bin)
    if total <= 0:
        raise SpectrumError("the flux is zero: no average cross section")
    return folded / total / cm2


def ncpi0_events(
    edges_MeV: ArrayLike,
    flux_per_cm2_per_pot: ArrayLike,
    *,
    pot: float,
    fiducial_mass: float,
    efficiency: float,
) -> float:
    """Selected NC pi0 events: POT x efficiency x nucleons x sum(flux x sigma).

    Parameters
    ----------
    edges_MeV : array_like
        Neutrino-energy bin edges of the flux, MeV.
    flux_per_cm2_per_pot : array_like
        nu_mu flux per cm^2 per POT in each bin (not divided by the bin width).
    pot : float
    fiducial_mass : float
        CLHEP mass units.
    efficiency : float
        Fraction of NC pi0 events selected, in (0, 1].
    """
    if not (math.isfinite(pot) and pot > 0):
        raise SpectrumError(f"pot must be positive and finite, got {pot!r}")
    if not 0 < efficiency <= 1:
        raise SpectrumError(f"efficiency must be in (0, 1], got {efficiency!r}")
    folded, _ = _bin_sum(edges_MeV, flux_per_cm2_per_pot)
    return folded / cm2 * nucleons(fiducial_mass) * pot * efficiency


def ncpi0_spectrum(
    name: str,
    mgg_edges_MeV: ArrayLike,
    flux_edges_MeV: ArrayLike,
    flux_per_cm2_per_pot: ArrayLike,
    *,
    pot: float,
    fiducial_mass: float,
    efficiency: float,
    resolution: float,
    window_MeV: tuple[float, float],
) -> PublishedSpectrum:
    """The modelled NC pi0 spectrum of a detector in its m_gg bins, as Asimov data."""
    total = ncpi0_events(
        flux_edges_MeV,
        flux_per_cm2_per_pot,
        pot=pot,
        fiducial_mass=fiducial_mass,
        efficiency=efficiency,
    )
    edges = np.asarray(mgg_edges_MeV, dtype=np.float64)
    bkg = total * gaussian_peak_fractions(edges, m_pi0 / MeV, resolution)
    return PublishedSpectrum(
        name=name,
        edges_MeV=edges,
        data=bkg.copy(),
        background=bkg,
        pot=pot,
        systematics={},
        window_MeV=window_MeV,
        paper_statistic="poisson",
        asimov=True,
        label=MODELLED_LABEL,
        source=(
            "modelled: facility nu_mu flux x sigma(NC pi0) = 0.077 x 0.677e-38 cm^2 x E/GeV "
            "per nucleon (SciBooNE arXiv:0910.5768 ratio x PDG CC) x nucleons x POT x "
            "efficiency, Gaussian pi0 peak"
        ),
    )
