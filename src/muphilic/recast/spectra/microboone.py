"""The modelled MicroBooNE / SBND NC pi0 0p background in argon.

The real MicroBooNE 2gamma0p spectrum is not public, so the background is
modelled (:func:`modelled_components`: NC pi0 peak, broad beam-related and
cosmic components, normalised to the published MicroBooNE 2gamma0p selection
totals :func:`microboone_0p_selection` and scaled by flux, mass and POT) and
used as Asimov data, labelled ``MODELLED_LABEL``
(:func:`microboone_ncpi0_0p`, with the paper's :data:`MICROBOONE_PAPER` and
:data:`SBND_PAPER` inputs). :func:`modelled_background` is the older
cross-section estimate of the NC pi0 part alone (flux x cross section x argon
nuclei x POT x efficiency).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from muphilic.constants import (
    M_MOLAR_ARGON,
    N_AVOGADRO,
    SIGMA_NCPI0_0P_MICROBOONE,
    MeV,
    cm2,
    m_pi0,
    tonne,
)
from muphilic.data import data_file
from muphilic.recast.spectra.spectrum import (
    MODELLED_LABEL,
    FloatArray,
    PublishedSpectrum,
    SpectrumError,
)

__all__ = [
    "BROAD_MAX_MEV",
    "MICROBOONE_PAPER",
    "SBND_PAPER",
    "MicroBooNEModel",
    "SelectionTotals",
    "argon_nuclei",
    "gaussian_peak_fractions",
    "microboone_0p_selection",
    "microboone_ncpi0_0p",
    "modelled_background",
    "modelled_components",
    "pair_mass_fractions",
]


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
