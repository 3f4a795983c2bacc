"""The ``bnb-fits`` production backend's physics: the BNB parametrisations of p-Be -> meson + X.

The double-differential inclusive cross sections ``d2sigma/(dp dOmega)`` for
p + Be -> meson + X at the Booster beam momentum, exactly as coded in the
official BNB GEANT4 simulation (SBNSoftware/G4BNB ``src/BooNEpBeInteraction.cc``
with the parameters of ``input/production.in``; the same forms and numbers as
the MiniBooNE flux paper, arXiv:0806.1449):

* pi+, pi-, K0L: Sanford-Wang (SW)::

      d2sigma/dp dOmega = c1 p^c2 (1 - p/(pB - c9))
                          exp(-c3 p^c4 / pB^c5 - c6 theta (p - c7 pB cos(theta)^c8))

  (p, pB in GeV/c, theta in rad, mb/(GeV/c)/sr; c9 = 1 for pions as hard-coded
  in G4BNB; negative values are set to zero).
* K+: Feynman scaling (FS)::

      d2sigma/dp dOmega = (p^2/E) c1 (1 - |xF|)^c8
                          exp(-c3 |xF|^c4 - c7 |pT xF|^c6 - c2 pT - c5 pT^2)

  with c8 = 0 in production.in. **x_F convention (G4BNB)**: ``xF = pz*/pz*_max``
  where ``pz*`` is the kaon's longitudinal momentum in the proton-nucleon
  centre-of-mass frame (nucleon at rest, gamma = sqrt(s)/(2 m_p)) and ``pz*_max``
  is the kaon's maximum CM momentum in p p -> K+ Lambda p, i.e.
  ``E*_max = (s + m_K^2 - (m_Lambda + m_p)^2) / (2 sqrt(s))``; the cross
  section is zero for |xF| > 1. (This is not the 2 pL*/sqrt(s) of some
  re-implementations.)
* K-: G4BNB uses a MARS table that is not public. Our documented choice: the
  K+ Feynman-scaling shape with the kinematic limit of the lightest K- final
  state, p p -> p p K+ K- (recoil mass 2 m_p + m_K), scaled by a constant
  ``K_MINUS_TO_K_PLUS`` (see :data:`K_MINUS_TO_K_PLUS`). K- contribute
  nothing measurable to the neutrino-mode nu_mu flux and ~1e-3 of the muons;
  the choice only matters for the anti-neutrino contamination.

**Phase space (G4BNB tables)**: G4BNB tabulates the cross sections on pz >= 0
and pT <= 1 GeV/c and samples secondaries only there; we use the same domain.

**Multiplicity per interaction.** In G4BNB the proton's hadronic interactions are
drawn with the p-Be *inelastic* cross section (which includes quasi-elastic
scattering); a fraction sigma_QE/sigma_inel of them is quasi-elastic and makes no
mesons, and in the remaining ones the mean multiplicity is
``sigma_meson / (sigma_inel - sigma_QE)`` (``GetpBeInelasticCrossSection``
returns inelastic minus quasi-elastic). The meson yield per unit length of
beryllium is therefore ``n_Be * sigma_meson`` whatever the bookkeeping, and the
multiplicity per *inelastic* interaction is ``sigma_meson / sigma_inel``.
:func:`multiplicity` returns ``sigma_meson / sigma_norm`` for the cross section
you pass.

Units: CLHEP (:mod:`hepunits`) at the interface, GeV only inside the formulas.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray

from muphilic.constants import GeV, barn, m_K, m_K0L, m_pi, m_proton
from muphilic.data import data_file
from muphilic.errors import MuphilicError

__all__ = [
    "K_MINUS_TO_K_PLUS",
    "SPECIES",
    "FeynmanScaling",
    "ProductionModel",
    "ProductionParameterError",
    "SanfordWang",
    "integrated_xsec",
    "load_production_parameters",
    "multiplicity",
    "phase_space_limits",
    "production_model",
    "production_xsec",
]

FloatArray = NDArray[np.float64]

#: Mass of the Lambda hyperon (PDG 2024: 1115.683 MeV), the recoil of p p -> K+ Lambda p.
#: Taken from the PDG table shipped with ``particle``.
_M_LAMBDA_GEV = 1.115683

#: Species simulated at the target and their masses.
SPECIES: dict[str, float] = {"pi+": m_pi, "pi-": m_pi, "K+": m_K, "K-": m_K, "K0L": m_K0L}

#: K-/K+ normalisation of our K- model (G4BNB uses a non-public MARS table for K-).
#: This is an assumption, not a fit: K- needs associated K+ K- pair production,
#: whose free-nucleon threshold (p_lab = 3.3 GeV/c) lies well above that of p p -> K+ Lambda p
#: (2.3 GeV/c), so at 8.89 GeV/c the K- yield is a small fraction of the K+ one.
#: We take 0.05 with the p p -> p p K+ K- kinematic limit for x_F. K- decays
#: feed only the nu_mu-bar flux (and ~1e-3 of the muons), so the choice does not
#: affect the nu_mu flux or the kaon-decay scalar signal.
K_MINUS_TO_K_PLUS: float = 0.05

_MILLIBARN = 1.0e-3 * barn
_SIGMA_UNIT = _MILLIBARN / GeV  # mb/(GeV/c)/sr -> CLHEP area per momentum per sr
_PT_MAX = 1.0  # GeV/c, G4BNB table limit


class ProductionParameterError(MuphilicError):
    """A production-parameter file is malformed."""


@dataclass(frozen=True)
class SanfordWang:
    """Sanford-Wang parameters c1..c9 (G4BNB / MiniBooNE convention, GeV units)."""

    c: tuple[float, ...]

    def __call__(self, p: FloatArray, theta: FloatArray, p_beam: float) -> FloatArray:
        """d2sigma/dp dOmega in mb/(GeV/c)/sr for p [GeV/c], theta [rad], p_beam [GeV/c]."""
        c1, c2, c3, c4, c5, c6, c7, c8, c9 = self.c
        p = np.asarray(p, dtype=float)
        theta = np.asarray(theta, dtype=float)
        first = c1 * np.power(p, c2) * (1.0 - p / (p_beam - c9))
        arg = -c3 * np.power(p, c4) / p_beam**c5 - c6 * theta * (
            p - c7 * p_beam * np.power(np.cos(theta), c8)
        )
        value = first * np.exp(np.minimum(arg, 50.0))
        return np.where(value > 0.0, value, 0.0)


@dataclass(frozen=True)
class FeynmanScaling:
    """Feynman-scaling parameters c1..c8 and the kinematic limit (GeV units).

    Parameters
    ----------
    c : tuple of 8 floats
        c1 [mb/(GeV^2/c^3)/sr], c2 [(GeV/c)^-1], c3, c4, c5 [(GeV/c)^-2], c6, c7, c8.
    mass : float
        Meson mass, GeV.
    recoil_mass : float
        Minimal invariant mass recoiling against the meson, GeV (m_Lambda + m_p for K+).
    scale : float
        Overall factor (1 for K+).
    """

    c: tuple[float, ...]
    mass: float
    recoil_mass: float
    scale: float = 1.0

    def feynman_x(self, p: FloatArray, theta: FloatArray, p_beam: float) -> FloatArray:
        """x_F = pz*/pz*_max in the G4BNB convention (see the module docstring)."""
        mp = m_proton / GeV
        e_beam = math.hypot(p_beam, mp)
        s = 2.0 * mp * (mp + e_beam)
        e_max = (s + self.mass**2 - self.recoil_mass**2) / (2.0 * math.sqrt(s))
        p_max = math.sqrt(max(e_max**2 - self.mass**2, 0.0))
        gamma = math.sqrt(s) / (2.0 * mp)
        beta = math.sqrt(1.0 - 1.0 / gamma**2)
        energy = np.hypot(p, self.mass)
        pz_cm = gamma * (p * np.cos(theta) - beta * energy)
        return pz_cm / p_max

    def __call__(self, p: FloatArray, theta: FloatArray, p_beam: float) -> FloatArray:
        """d2sigma/dp dOmega in mb/(GeV/c)/sr for p [GeV/c], theta [rad], p_beam [GeV/c]."""
        c1, c2, c3, c4, c5, c6, c7, c8 = self.c
        p = np.asarray(p, dtype=float)
        theta = np.asarray(theta, dtype=float)
        xf = np.abs(self.feynman_x(p, theta, p_beam))
        pt = p * np.sin(theta)
        energy = np.hypot(p, self.mass)
        one_minus = np.clip(1.0 - xf, 0.0, None)
        value = (
            self.scale
            * p**2
            / energy
            * c1
            * np.power(one_minus, c8)
            * np.exp(-c3 * xf**c4 - c7 * np.power(pt * xf, c6) - c2 * pt - c5 * pt**2)
        )
        return np.where(xf <= 1.0, value, 0.0)


@dataclass(frozen=True)
class ProductionModel:
    """Production parametrisations and p-Be cross sections of the BNB simulation.

    Attributes
    ----------
    forms : dict
        Species -> callable ``f(p_GeV, theta, p_beam_GeV)`` in mb/(GeV/c)/sr.
    regge : dict
        ``"total"``, ``"inelastic"``, ``"quasielastic"`` -> (A, B, n, C, D) of
        ``sigma(p) = A + B p^n + C (ln p)^2 + D ln p`` [mb, p in GeV/c].
    """

    forms: dict[str, SanfordWang | FeynmanScaling]
    regge: dict[str, tuple[float, ...]]

    def sigma(self, kind: str, p_beam: float) -> float:
        """p-Be cross section ``kind`` at proton momentum ``p_beam`` (CLHEP units)."""
        if kind not in self.regge:
            raise ProductionParameterError(f"no p-Be cross section named {kind!r}")
        a, b, n, c, d = self.regge[kind]
        p = p_beam / GeV
        lp = math.log(p)
        return (a + b * p**n + c * lp**2 + d * lp) * _MILLIBARN


def load_production_parameters(text: str | None = None) -> dict[str, object]:
    """Parsed ``data/beamline/g4bnb_hadron_production_parameters.json`` (or ``text``)."""
    if text is None:
        text = data_file("beamline", "g4bnb_hadron_production_parameters.json").read_text()
    return dict(json.loads(text))


def _sw(params: dict[str, object], key: str) -> SanfordWang:
    block = params["sanford_wang"]
    assert isinstance(block, dict)
    entry = block.get(key)
    if not isinstance(entry, dict):
        raise ProductionParameterError(f"Sanford-Wang block {key!r} missing")
    try:
        return SanfordWang(tuple(float(entry[f"c{i}"]) for i in range(1, 10)))
    except KeyError as exc:
        raise ProductionParameterError(f"Sanford-Wang {key!r} lacks {exc.args[0]}") from exc


@cache
def production_model() -> ProductionModel:
    """The default BNB production model (G4BNB production.in parameters)."""
    params = load_production_parameters()
    fs = params["feynman_scaling_K_plus"]
    assert isinstance(fs, dict)
    fs_c = tuple(float(fs[f"c{i}"]) for i in range(1, 9))
    mk, mp = m_K / GeV, m_proton / GeV
    forms: dict[str, SanfordWang | FeynmanScaling] = {
        "pi+": _sw(params, "pi_plus"),
        "pi-": _sw(params, "pi_minus"),
        "K0L": _sw(params, "K0L"),
        "K+": FeynmanScaling(fs_c, mk, _M_LAMBDA_GEV + mp),
        "K-": FeynmanScaling(fs_c, mk, 2.0 * mp + mk, scale=K_MINUS_TO_K_PLUS),
    }
    xs = params["cross_sections_Regge"]
    assert isinstance(xs, dict)
    regge = {
        "total": tuple(float(v) for v in xs["p_Be_total"]),
        "inelastic": tuple(float(v) for v in xs["p_Be_inelastic"]),
        "quasielastic": tuple(float(v) for v in xs["p_Be_quasielastic"]),
    }
    return ProductionModel(forms, regge)


def production_xsec(species: str, p: FloatArray, theta: FloatArray, p_beam: float) -> FloatArray:
    """d2sigma/(dp dOmega) for p + Be -> ``species`` + X in CLHEP units (area/MeV/sr).

    Zero outside the G4BNB phase space (pz < 0 or pT > 1 GeV/c).

    Parameters
    ----------
    species : {"pi+", "pi-", "K+", "K-", "K0L"}
    p : array
        Meson lab momentum, MeV.
    theta : array
        Angle to the proton direction, rad.
    p_beam : float
        Proton momentum, MeV.
    """
    model = production_model()
    if species not in model.forms:
        raise ProductionParameterError(f"unknown species {species!r}; use one of {SPECIES}")
    p_gev = np.asarray(p, dtype=float) / GeV
    theta = np.asarray(theta, dtype=float)
    value = model.forms[species](p_gev, theta, p_beam / GeV)
    inside = (theta <= 0.5 * math.pi) & (p_gev * np.sin(theta) <= _PT_MAX)
    return np.where(inside, value, 0.0) * _SIGMA_UNIT


def phase_space_limits(species: str, p_beam: float) -> tuple[float, float]:
    """Maximum meson momentum (MeV) and polar angle (rad) where the form can be non-zero."""
    return p_beam, 0.5 * math.pi


def integrated_xsec(species: str, p_beam: float, n_p: int = 800, n_theta: int = 800) -> float:
    """Inclusive production cross section (CLHEP area) by 2-D quadrature.

    Midpoint rule in (p, theta) with dOmega = 2 pi sin(theta) dtheta; the
    default grid converges to < 1e-3 (checked in the tests against a finer grid).
    """
    p_max, t_max = phase_space_limits(species, p_beam)
    p = (np.arange(n_p) + 0.5) * (p_max / n_p)
    # the yields are strongly forward: a grid uniform in sqrt(theta) resolves them
    u = (np.arange(n_theta) + 0.5) / n_theta
    theta = t_max * u**2
    dtheta = 2.0 * t_max * u / n_theta
    pp, tt = np.meshgrid(p, theta, indexing="ij")
    f = production_xsec(species, pp, tt, p_beam)
    return float(np.sum(f * 2.0 * math.pi * np.sin(tt) * dtheta[None, :]) * (p_max / n_p))


def multiplicity(species: str, p_beam: float, sigma_norm: float) -> float:
    """Mean number of ``species`` per interaction counted by ``sigma_norm``.

    ``sigma_meson / sigma_norm``; use the inelastic cross section for the
    multiplicity per inelastic interaction (see the module docstring).
    """
    return integrated_xsec(species, p_beam) / sigma_norm
